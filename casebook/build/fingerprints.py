"""What an output depends on, hashed: if none of it changed, the output is not rebuilt.

An output's fingerprint covers the normalised content it shows (the document, not the files
it was read from: a moved line or a comment in YAML changes nothing), the brand (the values
``brand.yaml`` gives, likewise), the other layout files and media its renderer reads, its
renderer's code (the modules it names and every Casebook module they import, as syntax
trees, so comments and formatting do not count) and the versions of the libraries it uses.
Editing ``cli.py`` rebuilds nothing; editing ``word.py`` rebuilds only the Word files.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import importlib.util
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import NamedTuple

import casebook
from casebook.blocks import Block, Figure, walk_blocks
from casebook.diagnostics import ContentError, Diagnostic
from casebook.reading import FileRefused, read_bounded

__all__ = [
    "CodeIndex",
    "FileHashes",
    "digest_files",
    "digest_media",
    "media_of",
    "normalised",
    "source_of",
    "value_digest",
    "versions",
]

PACKAGE_DIR = Path(casebook.__file__).parent


#: The largest input file hashed: above the largest layout file or figure a build reads, so
#: a file that large is refused by its reader anyway.
HASH_LIMIT = 64 * 1024 * 1024


class FileHashes:
    """sha256 of each file read once per build, whoever asks for it."""

    def __init__(self) -> None:
        self._known: dict[Path, str] = {}

    def of(self, path: Path) -> str:
        """The sha256 of ``path``'s bytes, read as a plain file of at most HASH_LIMIT bytes
        (never a pipe or device); OSError if it cannot be read, FileRefused if it is not
        read."""
        if path not in self._known:
            self._known[path] = hashlib.sha256(read_bounded(path, HASH_LIMIT)).hexdigest()
        return self._known[path]


def normalised(value: object) -> object:
    """``value`` as JSON data that names each dataclass's type (``Emphasis`` and ``Strong``
    have the same fields but do not look the same)."""
    if is_dataclass(value) and not isinstance(value, type):
        data: dict[str, object] = {"type": type(value).__name__}
        for field in fields(value):
            data[field.name] = normalised(getattr(value, field.name))
        return data
    if isinstance(value, tuple | list):
        return [normalised(v) for v in value]
    if isinstance(value, dict):
        return {str(k): normalised(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Path):
        return value.as_posix()
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def value_digest(value: object) -> str:
    """The sha256 of :func:`normalised` ``value``."""
    text = json.dumps(normalised(value), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest_files(hashes: FileHashes, files: Sequence[Path], root: Path) -> str:
    """One digest of ``files`` (names relative to ``root``, and contents); raise ContentError
    naming each file that cannot be read."""
    problems: list[Diagnostic] = []
    parts: list[tuple[str, str]] = []
    for path in files:
        try:
            parts.append((_relative(path, root), hashes.of(path)))
        except OSError as error:
            problems.append(Diagnostic(str(path), 0, f"cannot read: {error.strerror or error}"))
        except FileRefused as error:
            problems.append(Diagnostic(str(path), 0, f"not read: it {error}"))
    if problems:
        raise ContentError(problems)
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def digest_media(hashes: FileHashes, media: Sequence[Path], content_dir: Path) -> str:
    """One digest of the media files a document shows; a missing one counts as "missing"
    (its render then fails with a message naming it, and other packs go on)."""
    parts: list[tuple[str, str]] = []
    for path in media:
        try:
            parts.append((_relative(path, content_dir), hashes.of(path)))
        except (OSError, FileRefused):
            parts.append((_relative(path, content_dir), "missing"))
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def media_of(document: object, content_dir: Path) -> tuple[Path, ...]:
    """The media files the figures of ``document`` (any dataclass holding blocks) read."""
    found: dict[str, None] = {}
    for block in walk_blocks(_top_blocks(document)):
        if isinstance(block, Figure) and block.src is not None:
            found[block.src] = None
    return tuple(content_dir / src for src in found)


def _top_blocks(value: object) -> Iterator[Block]:
    """The blocks held in ``value``'s fields, wherever the model keeps them."""
    if isinstance(value, Block):
        yield value
    elif is_dataclass(value) and not isinstance(value, type):
        for field in fields(value):
            yield from _top_blocks(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _top_blocks(item)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def versions(names: Iterable[str]) -> dict[str, str]:
    """The installed version of each distribution, "missing" when it is not installed."""
    found: dict[str, str] = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


class _Module(NamedTuple):
    path: Path  # its source file
    imports: tuple[str, ...]  # the Casebook modules it imports when it runs
    digest: str  # of its syntax tree without docstrings


class CodeIndex:
    """Each module's source read and parsed once per build, however many renderers name it:
    the Casebook modules it imports and the digest of its syntax tree."""

    def __init__(self) -> None:
        self._known: dict[str, _Module | None] = {}

    def _module(self, name: str) -> _Module | None:
        if name not in self._known:
            path = source_of(name)
            if path is None:
                self._known[name] = None
            else:
                tree = ast.parse(path.read_bytes(), filename=str(path))
                imports = tuple(dict.fromkeys(_imports(tree, name, path)))
                digest = hashlib.sha256(ast.dump(_without_docstrings(tree)).encode())
                self._known[name] = _Module(path, imports, digest.hexdigest())
        return self._known[name]

    def sources(self, roots: Iterable[str]) -> dict[str, Path]:
        """The source file of each module in ``roots`` and of every ``casebook`` module they
        import, directly or not, at the top or inside functions (not those imported only
        for type checking). Modules without a Python source file are left out."""
        found: dict[str, Path] = {}
        todo = list(roots)
        while todo:
            name = todo.pop()
            module = None if name in found else self._module(name)
            if module is not None:
                found[name] = module.path
                todo.extend(i for i in module.imports if i not in found)
        return dict(sorted(found.items()))

    def digest(self, roots: Iterable[str]) -> str:
        """One digest of the code of :meth:`sources` ``roots``: each module's syntax tree
        without docstrings, so comments, docstrings and formatting do not count."""
        digest = hashlib.sha256(casebook.__version__.encode())
        for name in self.sources(roots):
            module = self._module(name)
            assert module is not None  # sources() lists only modules with a source
            digest.update(f"{name}\0{module.digest}\0".encode())
        return digest.hexdigest()


def source_of(name: str) -> Path | None:
    """The Python source file of module ``name``, if it has one (a module outside Casebook
    is found without being run, unless it is inside a package)."""
    if name == "casebook" or name.startswith("casebook."):
        parts = name.split(".")[1:]
        base = PACKAGE_DIR.joinpath(*parts)
        for candidate in (base / "__init__.py", base.with_suffix(".py")):
            if candidate.is_file():
                return candidate
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _imports(tree: ast.Module, module: str, path: Path) -> Iterator[str]:
    """The casebook modules ``tree`` imports (``from casebook import x`` counts as
    ``casebook.x`` when x is a module)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in _statements(tree, at_run_time=True):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [base]
            names += [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if (name == "casebook" or name.startswith("casebook.")) and source_of(name):
                yield name


#: The fields of a node that hold statements: imports, functions and classes are statements,
#: so nothing else need be looked into.
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def _statements(tree: ast.AST, *, at_run_time: bool = False) -> Iterator[ast.AST]:
    """Every statement of ``tree``, at any depth (only those run at run time, not what sits
    under ``if TYPE_CHECKING:``, if ``at_run_time``)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        for field in _BODIES:
            for child in getattr(node, field, ()):
                if (
                    at_run_time
                    and isinstance(child, ast.If)
                    and "TYPE_CHECKING" in ast.unparse(child.test)
                ):
                    todo.extend(child.orelse)
                    yield from child.orelse
                    continue
                todo.append(child)
                yield child


def _without_docstrings(tree: ast.Module) -> ast.Module:
    for node in (tree, *_statements(tree)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]
    return tree
