"""Reading the files of ``content/``: every problem found goes to one :class:`Problems` list,
in the order found, so that all of them are reported at once."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from casebook.blocks import Block
from casebook.diagnostics import ContentError, Diagnostic
from casebook.markdown import parse_markdown
from casebook.reading import FileRefused, inside, read_bounded
from casebook.text import NOT_UTF8, clean_text, decode_utf8
from casebook.yamlfile import Node, parse_yaml

__all__ = [
    "FILE_LIMIT",
    "FRONT_MATTER_LIMIT",
    "ContentFiles",
    "Problems",
    "body_line",
    "closing_fence",
    "yaml_text",
]

FRONT_MATTER_LIMIT = 64 * 1024
#: The largest content file read (a case's front matter and body are far smaller).
FILE_LIMIT = 512 * 1024
_FENCE = "---"


class Problems:
    """The errors and warnings found so far, in the order they were found."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def error(self, path: str, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(path, line, message))

    def warn(self, path: str, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(path, line, message, "warning"))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    def has_errors(self) -> bool:
        return self.error_count() > 0

    def error_count(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)


class ContentFiles:
    """The files of one content folder, read as text, YAML or Markdown; what cannot be read
    is reported to ``problems`` and comes back as None."""

    def __init__(self, root: Path, problems: Problems) -> None:
        self.root = root
        self.problems = problems

    def rel(self, path: Path) -> str:
        return str(path)

    def read(self, path: Path) -> str | None:
        shown = self.rel(path)
        try:
            data = read_bounded(path, FILE_LIMIT, self.root, "the content folder")
        except FileRefused as error:
            self.problems.error(shown, 0, str(error))
            return None
        except FileNotFoundError:
            if path.is_symlink():  # listed, but what it links to is gone
                self.problems.error(shown, 0, "is a link to a file that does not exist")
            else:
                self.problems.error(shown, 0, "file is missing")
            return None
        except OSError as exc:
            self.problems.error(shown, 0, f"cannot be read: {exc.strerror}")
            return None
        text, bad_line = decode_utf8(data)
        if bad_line is not None:
            self.problems.error(shown, bad_line, NOT_UTF8)
            return None
        text, removed = clean_text(text)
        for line, name in removed:
            self.problems.warn(shown, line, f"removed an invisible control character ({name})")
        return text

    def yaml_file(self, name: str) -> tuple[str, Node] | None:
        path = self.root / name
        text = self.read(path)
        if text is None:
            return None
        return self.parse(text, self.rel(path), 0)

    def list_file(self, name: str) -> tuple[str, list[Node] | None]:
        """The entries of a list file, or None when the file itself could not be read."""
        parsed = self.yaml_file(name)
        if parsed is None:
            return name, None
        path, node = parsed
        if node.kind != "seq":
            self.problems.error(
                path, node.line, f"must be a list of entries ('- ...'), got {node.describe()}"
            )
            return path, None
        return path, node.items

    def parse(self, text: str, path: str, offset: int) -> tuple[str, Node] | None:
        try:
            return path, parse_yaml(yaml_text(text), path, offset)
        except ContentError as exc:
            self.problems.extend(exc.diagnostics)
            return None

    def front_matter(self, path: Path) -> tuple[str, Node, str, int] | None:
        """Split a Markdown file: (shown path, front matter, body, body's first line)."""
        shown = self.rel(path)
        text = self.read(path)
        if text is None:
            return None
        lines = text.split("\n")
        if not lines or lines[0].rstrip() != _FENCE:
            self.problems.error(shown, 1, "must start with front matter between two '---' lines")
            return None
        end = closing_fence(lines)
        if end is None:
            self.problems.error(shown, 1, "front matter is not closed: add a '---' line after it")
            return None
        raw = "\n".join(lines[1:end])
        if len(raw.encode("utf-8")) > FRONT_MATTER_LIMIT:
            self.problems.error(
                shown, 2, f"front matter is larger than {FRONT_MATTER_LIMIT // 1024} KiB"
            )
            return None
        parsed = self.parse(raw, shown, 1)
        if parsed is None:
            return None
        return shown, parsed[1], "\n".join(lines[end + 1 :]), end + 2

    def markdown(
        self, text: str, path: str, first_line: int, line_starts: Sequence[int] = ()
    ) -> tuple[Block, ...]:
        """The blocks of the Markdown ``text``, which starts at line ``first_line`` of
        ``path``, its problems reported at their lines; ``line_starts``, where given, is the
        line each line of ``text`` starts on (text YAML joined from several lines)."""
        blocks, problems = parse_markdown(text, path, first_line, self.root)
        self.problems.extend(
            dataclasses.replace(p, line=line_starts[p.line - first_line])
            if 0 <= p.line - first_line < len(line_starts)
            else p
            for p in problems
        )
        return blocks

    def folder_links(self) -> None:
        """Report cases/, packs/ and media/ folders that are links out of the content folder,
        and packs/ or media/ that is not a folder: nothing in them is read. (No cases/
        folder is reported where the cases are read.)"""
        for name in ("cases", "packs", "media"):
            folder = self.root / name
            if folder.exists() and not inside(folder, self.root):
                self.problems.error(
                    self.rel(folder),
                    0,
                    "is a link to a folder outside the content folder; nothing in it is read",
                )
            elif name != "cases" and folder.exists() and not folder.is_dir():
                self.problems.error(
                    self.rel(folder),
                    0,
                    f"is a file, not a folder, so nothing is read from it; {name}/ is a folder "
                    "of files",
                )

    def listing(self, folder: Path, suffixes: tuple[str, ...], what: str) -> list[Path]:
        """The content files in ``folder``; anything else there is reported, so that a file
        saved under the wrong name is never left out silently."""
        if not inside(folder, self.root):
            return []  # reported by folder_links
        wanted, found = list_folder(folder, suffixes, what)
        self.problems.extend(found)
        return wanted


def list_folder(
    folder: Path, suffixes: tuple[str, ...], what: str
) -> tuple[list[Path], list[Diagnostic]]:
    """The files in ``folder`` whose names end in one of ``suffixes`` (a ``what`` each),
    and an error for anything else there but litter (.gitkeep, .DS_Store, editors' backups
    and the like): a hidden file, a folder, a name with another ending."""
    a = "an" if what[:1] in ("a", "e", "i", "o", "u") else "a"
    wanted: list[Path] = []
    found: list[Diagnostic] = []
    for path in sorted(folder.iterdir()):
        name = path.name
        if _litter(name) or (name.startswith(".") and not _looks_like_content(name)):
            continue
        shown = str(path)
        if name.startswith("."):
            found.append(
                Diagnostic(shown, 0, f"a hidden file is not read as {a} {what}; rename it")
            )
        elif path.is_dir():
            found.append(
                Diagnostic(
                    shown, 0, f"folders inside {folder} are not read; move its files up a level"
                )
            )
        elif path.suffix not in suffixes:
            endings = " or ".join(repr(s) for s in suffixes)
            found.append(
                Diagnostic(
                    shown,
                    0,
                    f"is not read: {a} {what} file's name ends in {endings}, in lower case",
                )
            )
        else:
            wanted.append(path)
    return wanted, found


def closing_fence(lines: list[str]) -> int | None:
    """The index in ``lines`` of the '---' line that closes the front matter the first line
    opens; None when the first line opens none or nothing closes it."""
    if not lines or lines[0].rstrip() != _FENCE:
        return None
    return next((i for i in range(1, len(lines)) if lines[i].rstrip() == _FENCE), None)


def body_line(path: Path, root: Path) -> int:
    """The line of the Markdown file ``path`` (in the content folder ``root``) where the text
    after its front matter starts, for a message about the text as a whole; 0 when the file
    cannot be read as one (it may have changed since it was read)."""
    try:
        text, bad_line = decode_utf8(read_bounded(path, FILE_LIMIT, root, "the content folder"))
    except (FileRefused, OSError):
        return 0
    lines = text.split("\n")
    end = closing_fence(lines) if bad_line is None else None
    if end is None:
        return 0
    return next((i + 1 for i in range(end + 1, len(lines)) if lines[i].strip()), end + 2)


def yaml_text(text: str) -> str:
    """``text`` as YAML is given it: YAML cannot hold a vertical tab or form feed, and in a
    one-line field either was only ever a space."""
    return re.sub("[\v\f]", " ", text)


# What editors and operating systems leave beside the files they save: backups ("x.md~",
# "x.md.bak"), swap and lock files, macOS's "._x.md" copies of a file's metadata on shared
# drives, Windows's folder files. Never content, so not worth stopping a build for.
_LITTER_NAMES = frozenset({"thumbs.db", "desktop.ini"})
_LITTER_ENDS = ("~", ".bak", ".swp", ".orig")
_LITTER_STARTS = ("._", ".#", "~$")


def _litter(name: str) -> bool:
    lower = name.lower()
    return lower in _LITTER_NAMES or lower.endswith(_LITTER_ENDS) or name.startswith(_LITTER_STARTS)


def _looks_like_content(name: str) -> bool:
    return name.lower().endswith((".md", ".yaml", ".yml", ".txt"))
