"""The build: gather every pack, decide what changed, render in a process pool, write atomically.

Everything is gathered and validated first (corpus, packs, documents, fingerprints); only then
is ``dist/`` locked and anything rendered. An output is rebuilt only when its fingerprint (what
it shows, the layout files and media it reads, the Casebook and renderer versions) differs from
the one recorded in ``dist/manifest.json``, or the file on disk is not the one recorded there.
A build that finds no input touched since the last complete build (the "input stamp", kept in
``dist/.inputs-stamp`` so that manifest.json depends on the content alone) does not even load
the content.

Each output renders in a worker process with a time limit (an alarm, backed by a CPU-time
limit) and a memory limit (address space); the worker writes a temporary file beside the
target and the parent moves it into place, so a failed or killed render leaves the previous
file as it was. The parent withdraws a file's record from ``manifest.json`` before replacing
the file and records the new one right after, so even a build killed outright (SIGKILL) leaves
a manifest that describes the files on disk; the workers die with it.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import os
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from types import FrameType
from typing import Protocol

import casebook
from casebook.blocks import Block, BulletList, Figure, OrderedList, Quote, plain_text
from casebook.diagnostics import ContentError, Diagnostic
from casebook.document import Document, compose_pack, document_digest
from casebook.layout import Layout, load_layout
from casebook.model import Corpus, Pack

__all__ = [
    "FORMATS",
    "BuildError",
    "BuildOptions",
    "BuildReport",
    "Job",
    "Manifest",
    "Outcome",
    "OutputRecord",
    "PackRecord",
    "Plan",
    "Reporter",
    "UsageError",
    "build",
    "check_packs",
    "check_project",
    "gather",
    "read_manifest",
    "write_atomic",
]

FORMATS = ("pdf", "docx")
MANIFEST = "manifest.json"
STAMP = ".inputs-stamp"  # beside the manifest, not in it: it differs from checkout to checkout
INDEX = "index.html"
LOCK = ".lock"
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_ID_LENGTH = 100

# What each renderer's output depends on besides our own code (versions, not imports: a
# no-op build must not import WeasyPrint or python-docx).
_RENDERER_PACKAGES = {
    "pdf": ("weasyprint", "pydyf", "fonttools"),
    "docx": ("python-docx", "lxml"),
}
# PDF renders cost several times what a Word render of the same text does; used only to
# schedule the largest work first.
_FORMAT_COST = {"pdf": 5, "docx": 1}
_TEMP_GLOB = ".*.tmp-*"
# Files a council's Windows share cannot hold, whatever the extension.
_RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{i}" for i in range(1, 10)]
    + [f"lpt{i}" for i in range(1, 10)]
)


class BuildError(Exception):
    """A build cannot start or finish for a reason that is not in the content (lock, usage)."""


class UsageError(BuildError):
    """The command line asks for something that does not exist (an unknown pack id)."""


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where; paths are relative to the current directory."""

    content_dir: Path = Path("content")
    layouts_dir: Path = Path("layouts")
    out_dir: Path = Path("dist")
    brand: str | None = None
    only: tuple[str, ...] = ()
    formats: tuple[str, ...] = FORMATS
    jobs: int | None = None  # None: one worker per core
    force: bool = False
    wait_for_lock: bool = True
    time_limit: float = 300.0  # seconds per output
    memory_limit: int = 2 * 1024**3  # bytes of address space per worker; 0: no limit
    debug: bool = False  # include tracebacks in failure messages
    date: str | None = None  # ISO date printed as the edition date; None: the content's own


@dataclass(frozen=True)
class Job:
    """One output to produce: a pack in one format."""

    pack: Pack
    document: Document
    format: str
    path: Path  # the target file, inside the out dir
    fingerprint: str
    weight: int  # estimated cost, for largest-first scheduling
    media: tuple[Path, ...]  # media files the document's figures read


@dataclass(frozen=True)
class PackRecord:
    """A pack as the manifest and the downloads page list it."""

    id: str
    title: str
    kind: str
    cases: tuple[str, ...]
    places: tuple[str, ...]


@dataclass(frozen=True)
class OutputRecord:
    """A file in the out dir, as written by a build."""

    path: str  # relative to the out dir
    pack: str
    format: str
    bytes: int
    pages: int | None  # None for Word files: their pages depend on the application
    sha256: str
    fingerprint: str


@dataclass(frozen=True)
class Manifest:
    """``dist/manifest.json``: what the out dir holds and what each file was built from."""

    edition_label: str = ""
    edition: str = ""  # ISO date
    source_title: str = ""
    source_url: str = ""
    short_citation: str = ""
    publisher: str = ""
    casebook_version: str = ""
    content_fingerprint: str = ""
    site_fingerprint: str = ""
    # See _input_stamp: lets a no-op build skip loading the content. It depends on file times
    # and folders, so it is kept in dist/.inputs-stamp, never in manifest.json, whose bytes
    # depend on the content alone.
    inputs_stamp: str = ""
    packs: tuple[PackRecord, ...] = ()
    outputs: tuple[OutputRecord, ...] = ()

    def to_json(self) -> str:
        """The manifest as stable, human-readable JSON (without the inputs stamp)."""
        data = asdict(self)
        del data["inputs_stamp"]
        return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"

    def output(self, path: str) -> OutputRecord | None:
        """The record of the output at ``path`` (relative to the out dir), if any."""
        return next((o for o in self.outputs if o.path == path), None)


@dataclass(frozen=True)
class Plan:
    """Everything gathered before rendering: the corpus, its packs and the outputs wanted."""

    options: BuildOptions
    corpus: Corpus
    layout: Layout
    packs: tuple[Pack, ...]  # every pack, in build order
    jobs: tuple[Job, ...]  # the outputs asked for (all, or --only / --format), build order
    content_fingerprint: str
    site_inputs: str  # digest of the downloads page's template files


@dataclass(frozen=True)
class Outcome:
    """What happened to one output."""

    pack: str
    format: str
    path: Path
    status: str  # "built", "skipped" or "failed"
    pages: int | None = None
    bytes: int | None = None
    seconds: float = 0.0
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildReport:
    """The result of a build, one outcome per output asked for, in build order."""

    outcomes: tuple[Outcome, ...]
    removed: tuple[Path, ...] = ()
    site_written: bool = False
    problems: tuple[str, ...] = ()  # path:line: message, not tied to one output
    seconds: float = 0.0

    @property
    def failed(self) -> tuple[Outcome, ...]:
        """The outputs that could not be built."""
        return tuple(o for o in self.outcomes if o.status == "failed")


class Reporter(Protocol):
    """Told about a build's progress; the CLI shows it, tests may record it."""

    def waiting(self, message: str) -> None:
        """The build is blocked (for example on another build's lock)."""

    def warning(self, message: str) -> None:
        """Something the user should know that does not fail the build
        (``path:line: warning: message``)."""

    def rendering(self, jobs: Sequence[Job]) -> None:
        """These outputs are about to be rendered."""

    def finished(self, outcome: Outcome) -> None:
        """One output was built, skipped or failed."""


class _SilentReporter:
    def waiting(self, message: str) -> None:
        pass

    def warning(self, message: str) -> None:
        pass

    def rendering(self, jobs: Sequence[Job]) -> None:
        pass

    def finished(self, outcome: Outcome) -> None:
        pass


# --- gathering -------------------------------------------------------------------------


def gather(options: BuildOptions, warnings: list[Diagnostic] | None = None) -> Plan:
    """Load, select, compose and fingerprint everything; raise ContentError or BuildError.
    Problems that do not stop a build are appended to ``warnings``."""
    from casebook.content import load_corpus
    from casebook.packs import select_packs

    for fmt in options.formats:
        if fmt not in FORMATS:
            raise BuildError(f"unknown format {fmt!r}; formats are: {', '.join(FORMATS)}")
    _check_out_dir(options)
    problems: list[Diagnostic] = []
    corpus: Corpus | None = None
    layout: Layout | None = None
    try:
        corpus = load_corpus(options.content_dir, warnings)
    except ContentError as error:
        problems.extend(error.diagnostics)
    try:
        layout = load_layout(options.layouts_dir, options.brand)
    except ContentError as error:
        problems.extend(error.diagnostics)
    if problems or corpus is None or layout is None:
        raise ContentError(problems)  # every problem in content and layouts at once
    packs = tuple(select_packs(corpus))
    check_packs(packs, options.out_dir)
    known = [p.id for p in packs]
    unknown = [i for i in options.only if i not in known]
    if unknown:
        named = "no pack with id" if len(unknown) == 1 else "no packs with ids"
        raise UsageError(
            f"{named} {', '.join(repr(i) for i in unknown)}; the packs are: {', '.join(known)}"
        )
    chosen = [p for p in packs if not options.only or p.id in options.only]

    hashes = _FileHashes()
    inputs = {
        "pdf": _digest_files(hashes, layout.pdf_inputs(), options.layouts_dir),
        "docx": _digest_files(hashes, layout.docx_inputs(), options.layouts_dir),
    }
    versions = {fmt: _versions(names) for fmt, names in _RENDERER_PACKAGES.items()}
    jobs: list[Job] = []
    code = _code_digest()
    for pack in chosen:
        document = compose_pack(pack, corpus, options.date)
        digest = document_digest(document)
        media = _media_of(document, options.content_dir)
        media_digest = _digest_media(hashes, media, options.content_dir)
        size = sum(len(plain_text(c.blocks)) for c in document.cases) + 2000
        for fmt in options.formats:
            basis = json.dumps(
                {
                    "format": fmt,
                    "document": digest,
                    "layout": inputs[fmt],
                    "media": media_digest,
                    "casebook": code,
                    "renderer": versions[fmt],
                },
                sort_keys=True,
            )
            jobs.append(
                Job(
                    pack=pack,
                    document=document,
                    format=fmt,
                    path=options.out_dir / f"{pack.id}.{fmt}",
                    fingerprint=hashlib.sha256(basis.encode()).hexdigest(),
                    weight=size * _FORMAT_COST[fmt],
                    media=media,
                )
            )
    site_dir = options.layouts_dir / "site"
    site_files = sorted(f for f in site_dir.rglob("*") if f.is_file()) if site_dir.is_dir() else []
    return Plan(
        options=options,
        corpus=corpus,
        layout=layout,
        packs=packs,
        jobs=tuple(jobs),
        content_fingerprint=_content_fingerprint(corpus),
        site_inputs=_digest_files(hashes, tuple(site_files), options.layouts_dir),
    )


def _content_fingerprint(corpus: Corpus) -> str:
    """Everything published, whichever packs this build renders (not where it was read from)."""
    basis = {
        "source": asdict(corpus.source),
        "insights": [asdict(i) for i in corpus.insights],
        "places": [asdict(p) for p in corpus.places],
        "tags": corpus.tags,
        "cases": [(c.id, c.digest) for c in corpus.cases],
        "recipes": [(r.id, r.title, repr(r.intro), asdict(r.selection)) for r in corpus.recipes],
        "guide": [corpus.guide_title, repr(corpus.guide)],
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def check_project(
    content_dir: Path,
    layouts_dir: Path,
    brand: str | None = None,
    warnings: list[Diagnostic] | None = None,
) -> tuple[Corpus, tuple[Pack, ...]]:
    """Validate content, layouts, pack ids and the downloads page template without building;
    raise ContentError with every problem found. Warnings are appended to ``warnings``."""
    from casebook.content import load_corpus
    from casebook.packs import select_packs
    from casebook.site import render_site

    problems: list[Diagnostic] = []
    corpus: Corpus | None = None
    packs: tuple[Pack, ...] = ()
    try:
        corpus = load_corpus(content_dir, warnings)
        packs = tuple(select_packs(corpus))
        check_packs(packs, Path("dist"))
    except ContentError as error:
        problems.extend(error.diagnostics)
    try:
        layout = load_layout(layouts_dir, brand)
        render_site(Manifest(), layout)
    except ContentError as error:
        problems.extend(error.diagnostics)
    if problems or corpus is None:
        raise ContentError(problems)
    return corpus, packs


def _check_out_dir(options: BuildOptions) -> None:
    """Outputs are written, replaced and pruned: never where content or layouts live."""
    out = options.out_dir.resolve()
    for name, given in (("content", options.content_dir), ("layouts", options.layouts_dir)):
        other = given.resolve()
        if out == other or out in other.parents:
            where = f"would hold the {name} directory {given}"
        elif other in out.parents:
            where = f"is inside the {name} directory {given}"
        else:
            continue
        raise BuildError(f"the output directory {options.out_dir} {where}; choose another --out")


def check_packs(packs: Sequence[Pack], out_dir: Path) -> None:
    """Raise ContentError unless every pack id is a safe, unique file name."""
    problems: list[Diagnostic] = []
    seen: dict[str, Pack] = {}
    for pack in packs:
        where = pack.recipe.path if pack.recipe is not None else str(out_dir)
        if pack.id in _RESERVED_NAMES:
            problems.append(
                Diagnostic(
                    where,
                    0,
                    f"pack id {pack.id!r} is a reserved device name on Windows; "
                    "choose another name",
                )
            )
            continue
        if len(pack.id) > MAX_ID_LENGTH or not SLUG.fullmatch(pack.id):
            problems.append(
                Diagnostic(
                    where,
                    0,
                    f"pack id {pack.id!r} is not a safe file name: use lower-case letters, "
                    f"digits and single hyphens (at most {MAX_ID_LENGTH} characters)",
                )
            )
            continue
        if pack.id in seen:
            first = seen[pack.id]
            first_where = (
                first.recipe.path if first.recipe is not None else f"the {first.kind} pack"
            )
            problems.append(
                Diagnostic(
                    where,
                    0,
                    f"pack id {pack.id!r} is also used by {first_where}: both would write "
                    f"{out_dir / pack.id}.pdf; rename one",
                )
            )
            continue
        seen[pack.id] = pack
    if problems:
        raise ContentError(problems)


class _FileHashes:
    """sha256 of each file read once per build, whoever asks for it."""

    def __init__(self) -> None:
        self._known: dict[Path, str] = {}

    def of(self, path: Path) -> str:
        if path not in self._known:
            self._known[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        return self._known[path]


def _digest_files(hashes: _FileHashes, files: Sequence[Path], root: Path) -> str:
    problems: list[Diagnostic] = []
    parts: list[tuple[str, str]] = []
    for path in files:
        try:
            parts.append((_relative(path, root), hashes.of(path)))
        except OSError as error:
            problems.append(Diagnostic(str(path), 0, f"cannot read: {error.strerror or error}"))
    if problems:
        raise ContentError(problems)
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _digest_media(hashes: _FileHashes, media: Sequence[Path], content_dir: Path) -> str:
    parts: list[tuple[str, str]] = []
    for path in media:
        try:
            parts.append((_relative(path, content_dir), hashes.of(path)))
        except OSError:
            # The render of this pack fails with a message naming the file; other packs go on.
            parts.append((_relative(path, content_dir), "missing"))
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _media_of(document: Document, content_dir: Path) -> tuple[Path, ...]:
    blocks: list[Block] = [
        *document.guide.blocks,
        *document.introduction.blocks,
        *document.about.blocks,
    ]
    for case in document.cases:
        blocks.extend(case.blocks)
    found: dict[str, None] = {}
    stack = list(reversed(blocks))
    while stack:
        block = stack.pop()
        match block:
            case Figure(src=str() as src):
                found[src] = None
            case Quote(blocks=inner):
                stack.extend(reversed(inner))
            case BulletList(items=items) | OrderedList(items=items):
                for item in reversed(items):
                    stack.extend(reversed(item.blocks))
    return tuple(content_dir / src for src in found)


def _code_digest() -> str:
    """Casebook's version and the text of its modules: a change to the code that draws a
    pack rebuilds it, whether or not the version number moved."""
    digest = hashlib.sha256(casebook.__version__.encode())
    for module in sorted(Path(casebook.__file__).parent.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


def _versions(names: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


# --- the manifest ----------------------------------------------------------------------


def read_manifest(out_dir: Path) -> Manifest:
    """The manifest in ``out_dir``; an empty one if there is none. Raises ValueError if
    the file exists but is not a manifest."""
    path = out_dir / MANIFEST
    try:
        raw = path.read_bytes()
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        return Manifest()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(str(error)) from error
    try:
        packs = tuple(
            PackRecord(
                id=str(p["id"]),
                title=str(p["title"]),
                kind=str(p["kind"]),
                cases=tuple(str(c) for c in p["cases"]),
                places=tuple(str(c) for c in p["places"]),
            )
            for p in data["packs"]
        )
        outputs = tuple(
            OutputRecord(
                path=str(o["path"]),
                pack=str(o["pack"]),
                format=str(o["format"]),
                bytes=int(o["bytes"]),
                pages=None if o["pages"] is None else int(o["pages"]),
                sha256=str(o["sha256"]),
                fingerprint=str(o["fingerprint"]),
            )
            for o in data["outputs"]
        )
        scalars = {
            name: str(data.get(name, ""))
            for name in (
                "edition_label",
                "edition",
                "source_title",
                "source_url",
                "short_citation",
                "publisher",
                "casebook_version",
                "content_fingerprint",
                "site_fingerprint",
            )
        }
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"not a Casebook manifest ({error!r})") from error
    stamp = _read_stamp(out_dir, raw)
    return Manifest(packs=packs, outputs=outputs, inputs_stamp=stamp, **scalars)


def _read_stamp(out_dir: Path, manifest: bytes) -> str:
    """The inputs stamp recorded with exactly these manifest bytes; empty if there is none."""
    try:
        data = json.loads((out_dir / STAMP).read_text(encoding="utf-8"))
        if data["manifest_sha256"] == hashlib.sha256(manifest).hexdigest():
            return str(data["inputs_stamp"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        pass
    return ""


def _write_manifest(out_dir: Path, manifest: Manifest) -> None:
    """Write manifest.json if its text changed, then the inputs stamp that goes with it."""
    text = manifest.to_json().encode()
    try:
        current = (out_dir / MANIFEST).read_bytes()
    except OSError:
        current = b""
    if text != current:
        write_atomic(out_dir / MANIFEST, text)
    if not manifest.inputs_stamp:
        _unlink_quietly(out_dir / STAMP)
        return
    stamp = {
        "inputs_stamp": manifest.inputs_stamp,
        "manifest_sha256": hashlib.sha256(text).hexdigest(),
    }
    write_atomic(out_dir / STAMP, (json.dumps(stamp, indent=2) + "\n").encode())


# --- building --------------------------------------------------------------------------


def build(options: BuildOptions, reporter: Reporter | None = None) -> BuildReport:
    """Build the packs ``options`` ask for into ``options.out_dir``.

    Raises ContentError (content or layouts), BuildError (lock, usage); failures of single
    outputs are reported in the returned BuildReport, never raised.
    """
    started = time.perf_counter()
    reporter = reporter or _SilentReporter()
    # Taken before anything is read: a file edited during the build changes the next stamp.
    stamp = _input_stamp(options)
    if stamp and not options.force:
        report = _unchanged(options, stamp, reporter)
        if report is not None:
            return replace(report, seconds=time.perf_counter() - started)
    warnings: list[Diagnostic] = []
    try:
        plan = gather(options, warnings)
    finally:
        for warning in warnings:
            reporter.warning(str(warning))
    with _locked(options.out_dir, reporter, options.wait_for_lock):
        _remove_temporaries(options.out_dir)
        _check_writable(options.out_dir)
        previous = _previous_manifest(options, reporter)
        records = {o.path: o for o in previous.outputs}
        outcomes: dict[Path, Outcome] = {}
        todo: list[Job] = []
        for job in plan.jobs:
            record = records.get(job.path.name)
            if not options.force and _current(job, record):
                assert record is not None
                outcome = _skipped(job.pack.id, job.format, job.path, record)
                outcomes[job.path] = outcome
                reporter.finished(outcome)
            else:
                todo.append(job)

        journaled: list[bool] = []  # whether manifest.json was rewritten during the build

        def journal(name: str, record: OutputRecord | None) -> None:
            # Written before and after each file is replaced, so that a build killed at any
            # moment (even SIGKILL) leaves a manifest whose every record matches its file.
            shown = {k: v for k, v in records.items() if k != name}
            if record is not None:
                shown[name] = record
            elif len(shown) == len(records):
                return  # nothing recorded for this file: nothing to withdraw
            interim = replace(
                _manifest(plan, shown, ""), site_fingerprint=previous.site_fingerprint
            )
            write_atomic(options.out_dir / MANIFEST, interim.to_json().encode())
            journaled.append(True)

        def commit(job: Job, outcome: Outcome, record: OutputRecord | None) -> None:
            outcomes[job.path] = outcome
            if record is not None:
                records[record.path] = record
                journal(record.path, record)
            reporter.finished(outcome)

        problems: list[str] = []
        try:
            if todo:
                reporter.rendering(todo)
                _render_all(todo, plan.layout, options, commit, journal)
        finally:
            for failed in outcomes.values():
                # A failed output keeps its record only while its old file is still there.
                kept = records.get(failed.path.name)
                if failed.status == "failed" and kept and not _matches(failed.path, kept):
                    del records[failed.path.name]
            removed = _prune(plan, records, options.out_dir)
            complete = len(outcomes) == len(plan.jobs) and not any(
                o.status == "failed" for o in outcomes.values()
            )
            manifest = _manifest(plan, records, stamp if complete else "")
            index = options.out_dir / INDEX
            page: bytes | None = None
            if manifest.site_fingerprint != previous.site_fingerprint or not index.is_file():
                from casebook.site import render_site

                try:
                    page = render_site(manifest, plan.layout).encode()
                except ContentError as error:
                    problems.extend(str(d) for d in error.diagnostics)
                    manifest = replace(manifest, site_fingerprint="", inputs_stamp="")
            if manifest != previous or journaled:
                _write_manifest(options.out_dir, manifest)
            if page is not None:
                write_atomic(index, page)
            _fsync_dir(options.out_dir)
            _remove_temporaries(options.out_dir)
    ordered = tuple(outcomes[j.path] for j in plan.jobs if j.path in outcomes)
    return BuildReport(
        outcomes=ordered,
        removed=removed,
        site_written=page is not None,
        problems=tuple(problems),
        seconds=time.perf_counter() - started,
    )


def _previous_manifest(options: BuildOptions, reporter: Reporter) -> Manifest:
    try:
        return read_manifest(options.out_dir)
    except ValueError as error:
        problem = f"unreadable ({error}); rebuilding everything"
        reporter.warning(str(Diagnostic(str(options.out_dir / MANIFEST), 0, problem, "warning")))
        return Manifest()


def _skipped(pack: str, fmt: str, path: Path, record: OutputRecord) -> Outcome:
    return Outcome(pack, fmt, path, "skipped", record.pages, record.bytes)


def _input_stamp(options: BuildOptions) -> str:
    """What a whole build reads, by name, size and time of change: equal stamps mean the
    last complete build already saw exactly these files. Empty when it does not apply."""
    if options.only or set(options.formats) != set(FORMATS):
        return ""
    brand_dir = options.layouts_dir / "brands" / (options.brand or "")
    if options.brand is not None and not (
        re.fullmatch(r"[a-z0-9][a-z0-9-]*", options.brand) and brand_dir.is_dir()
    ):
        return ""  # a brand outside layouts/ is not stamped: let the fingerprints decide
    package = Path(casebook.__file__).parent
    entries: list[tuple[str, int, int]] = []
    for label, root, pattern in (
        ("content", options.content_dir, "**/*"),
        ("layouts", options.layouts_dir, "**/*"),
        ("casebook", package, "*.py"),
    ):
        if not root.is_dir():
            return ""
        for path in sorted(root.glob(pattern)):
            try:
                info = path.stat()
            except OSError:
                return ""
            if path.is_file():
                name = f"{label}/{path.relative_to(root).as_posix()}"
                entries.append((name, info.st_size, info.st_mtime_ns))
    basis = {
        "files": entries,
        "brand": options.brand,
        "date": options.date,
        "paths": [str(p.resolve()) for p in (options.content_dir, options.layouts_dir)],
        "casebook": casebook.__version__,
        "renderers": {fmt: _versions(names) for fmt, names in _RENDERER_PACKAGES.items()},
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def _unchanged(options: BuildOptions, stamp: str, reporter: Reporter) -> BuildReport | None:
    """The report of a no-op build, if nothing was touched since the last complete build and
    every output is still the file recorded; otherwise None."""
    if not (options.out_dir / MANIFEST).is_file():
        return None
    with _locked(options.out_dir, reporter, options.wait_for_lock):
        try:
            manifest = read_manifest(options.out_dir)
        except ValueError:
            return None
        if manifest.inputs_stamp != stamp or not (options.out_dir / INDEX).is_file():
            return None
        if list(options.out_dir.glob(_TEMP_GLOB)):
            return None
        outcomes: list[Outcome] = []
        for record in manifest.outputs:
            if Path(record.path).name != record.path:
                return None
            path = options.out_dir / record.path
            if not _matches(path, record):
                return None
            outcomes.append(_skipped(record.pack, record.format, path, record))
    for outcome in outcomes:
        reporter.finished(outcome)
    return BuildReport(outcomes=tuple(outcomes))


def _matches(path: Path, record: OutputRecord) -> bool:
    try:
        if path.stat().st_size != record.bytes:
            return False
        return hashlib.sha256(path.read_bytes()).hexdigest() == record.sha256
    except OSError:
        return False


def _current(job: Job, record: OutputRecord | None) -> bool:
    if record is None or record.fingerprint != job.fingerprint:
        return False
    return _matches(job.path, record)


def _prune(plan: Plan, records: dict[str, OutputRecord], out_dir: Path) -> tuple[Path, ...]:
    """Remove the outputs of packs that no longer exist, and their manifest entries."""
    alive = {p.id for p in plan.packs}
    removed: list[Path] = []
    for name, record in sorted(records.items()):
        if record.pack in alive:
            continue
        del records[name]
        # Only ever a plain file name inside the out dir, whatever the manifest says.
        if Path(name).name != name or not name.endswith(tuple(f".{f}" for f in FORMATS)):
            continue
        target = out_dir / name
        try:
            target.unlink()
            removed.append(target)
        except FileNotFoundError:
            pass
    return tuple(removed)


def _manifest(plan: Plan, records: dict[str, OutputRecord], stamp: str) -> Manifest:
    source = plan.corpus.source
    order = {
        f"{p.id}.{fmt}": (i, FORMATS.index(fmt))
        for i, p in enumerate(plan.packs)
        for fmt in FORMATS
    }
    outputs = sorted(records.values(), key=lambda o: order.get(o.path, (len(order), o.path)))
    packs = tuple(
        PackRecord(
            id=p.id,
            title=p.title,
            kind=p.kind,
            cases=tuple(c.id for c in p.cases),
            places=tuple(sorted({place for c in p.cases for place in c.places})),
        )
        for p in plan.packs
    )
    manifest = Manifest(
        edition_label=source.edition.label,
        edition=plan.options.date or source.edition.date,
        source_title=source.title,
        source_url=source.url,
        short_citation=source.short_citation,
        publisher=source.publisher,
        casebook_version=casebook.__version__,
        content_fingerprint=plan.content_fingerprint,
        inputs_stamp=stamp,
        packs=packs,
        outputs=tuple(outputs),
    )
    # The downloads page shows exactly the manifest, drawn with the site templates.
    site_basis = plan.site_inputs + manifest.to_json()
    return replace(manifest, site_fingerprint=hashlib.sha256(site_basis.encode()).hexdigest())


# --- rendering in worker processes ------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    document: Document
    layout: Layout
    format: str
    target: Path
    media: tuple[Path, ...]
    content_dir: Path
    time_limit: float
    memory_limit: int
    debug: bool


@dataclass(frozen=True)
class _Rendered:
    temp: str | None = None
    bytes: int = 0
    pages: int | None = None
    sha256: str = ""
    seconds: float = 0.0
    messages: tuple[str, ...] = field(default_factory=tuple)


class _TimeLimit(BaseException):
    """Raised in a worker when an output takes too long (a BaseException, so a renderer's
    ``except Exception`` cannot swallow it)."""


def _render_all(
    jobs: Sequence[Job],
    layout: Layout,
    options: BuildOptions,
    commit: Callable[[Job, Outcome, OutputRecord | None], None],
    journal: Callable[[str, OutputRecord | None], None],
) -> None:
    ordered = sorted(jobs, key=lambda j: -j.weight)  # largest first: shortest build
    workers = max(1, min(options.jobs or os.cpu_count() or 1, len(ordered)))
    lost = _run_pool(ordered, layout, options, workers, commit, journal)
    # A worker that died (killed, crashed) breaks the whole pool; rerun what was in flight
    # one by one, so only the output that kills its worker fails.
    for job in lost:
        for again in _run_pool([job], layout, options, 1, commit, journal):
            commit(
                again,
                _failed(
                    again,
                    f"{again.path}: render failed: the worker process stopped unexpectedly "
                    "(killed, or out of memory or time)",
                ),
                None,
            )


def _run_pool(
    jobs: Sequence[Job],
    layout: Layout,
    options: BuildOptions,
    workers: int,
    commit: Callable[[Job, Outcome, OutputRecord | None], None],
    journal: Callable[[str, OutputRecord | None], None],
) -> list[Job]:
    lost: list[Job] = []
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("fork"),
        initializer=_start_worker,
        initargs=(options.memory_limit, os.getpid()),
    ) as pool:
        futures: dict[Future[_Rendered], Job] = {}
        try:
            # Workers are forked while the tasks are submitted; a Ctrl-C or SIGTERM arriving
            # in the middle of a fork would be raised inside an at-fork hook and lost. Hold
            # them until the workers exist (the workers unblock them in _start_worker).
            held = {signal.SIGINT, signal.SIGTERM}
            signal.pthread_sigmask(signal.SIG_BLOCK, held)
            try:
                _submit_all(pool, futures, jobs, layout, options)
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
            for future in as_completed(futures):
                job = futures[future]
                try:
                    rendered = future.result()
                except BrokenProcessPool:
                    lost.append(job)
                    continue
                commit(job, *_install(job, rendered, journal))
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM): stop the renders now rather than wait for them.
            # ProcessPoolExecutor has no public way to end its workers before Python 3.14.
            for future in futures:
                future.cancel()
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            raise
    return lost


def _submit_all(
    pool: ProcessPoolExecutor,
    futures: dict[Future[_Rendered], Job],
    jobs: Sequence[Job],
    layout: Layout,
    options: BuildOptions,
) -> None:
    for job in jobs:
        task = _Task(
            document=job.document,
            layout=layout,
            format=job.format,
            target=job.path,
            media=job.media,
            content_dir=options.content_dir,
            time_limit=options.time_limit,
            memory_limit=options.memory_limit,
            debug=options.debug,
        )
        futures[pool.submit(_render, task)] = job


def _install(
    job: Job, rendered: _Rendered, journal: Callable[[str, OutputRecord | None], None]
) -> tuple[Outcome, OutputRecord | None]:
    """Move a worker's temporary file into place, first withdrawing the manifest's record
    of the file it replaces."""
    if rendered.temp is None:
        return _failed(job, *rendered.messages, seconds=rendered.seconds), None
    try:
        journal(job.path.name, None)
        os.replace(rendered.temp, job.path)
    except OSError as error:
        _unlink_quietly(Path(rendered.temp))
        return _failed(job, f"{job.path}: cannot write: {error.strerror or error}"), None
    outcome = Outcome(
        job.pack.id,
        job.format,
        job.path,
        "built",
        rendered.pages,
        rendered.bytes,
        rendered.seconds,
    )
    record = OutputRecord(
        path=job.path.name,
        pack=job.pack.id,
        format=job.format,
        bytes=rendered.bytes,
        pages=rendered.pages,
        sha256=rendered.sha256,
        fingerprint=job.fingerprint,
    )
    return outcome, record


def _failed(job: Job, *messages: str, seconds: float = 0.0) -> Outcome:
    return Outcome(job.pack.id, job.format, job.path, "failed", seconds=seconds, messages=messages)


def _start_worker(memory_limit: int, owner: int) -> None:
    """Runs once in each worker: die with the build, bound its memory, and let the build's
    owner handle Ctrl-C."""
    _die_with(owner)
    if memory_limit > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    signal.signal(signal.SIGALRM, _on_alarm)
    # The build's owner handles Ctrl-C and SIGTERM and ends the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def _die_with(owner: int) -> None:
    """Have the kernel kill this worker when the build process ``owner`` dies, even by
    SIGKILL: an orphaned worker would go on holding ``dist/.lock`` (inherited) and writing
    temporary files, and the next build would wait for it for ever."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != owner:  # the build died before the request was made
        os._exit(1)


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _TimeLimit


def _render(task: _Task) -> _Rendered:
    """Render one output into a temporary file beside its target (runs in a worker)."""
    started = time.perf_counter()
    _limit_cpu(task.time_limit)
    missing = [p for p in task.media if not p.is_file()]
    if missing:
        return _Rendered(
            messages=tuple(
                f"{p}: render of {task.target} failed: media file not found" for p in missing
            )
        )
    signal.setitimer(signal.ITIMER_REAL, task.time_limit)
    try:
        data, pages = _render_bytes(task)
    except _TimeLimit:
        return _Rendered(
            seconds=time.perf_counter() - started,
            messages=(
                f"{task.target}: render failed: took longer than the limit of "
                f"{task.time_limit:g} seconds",
            ),
        )
    except (MemoryError, ImportError, OSError) as error:
        if not _out_of_memory(error):
            detail = str(error)
            if isinstance(error, OSError) and error.strerror:  # name the file, not the errno
                where = f"{error.filename}: " if error.filename else ""
                detail = f"{where}{error.strerror}"
            return _Rendered(
                seconds=time.perf_counter() - started,
                messages=(f"{task.target}: render failed: {detail}",),
            )
        return _Rendered(
            seconds=time.perf_counter() - started,
            messages=(
                f"{task.target}: render failed: needed more than the memory limit of "
                f"{task.memory_limit // 2**20} MiB",
            ),
        )
    except ContentError as error:
        return _Rendered(
            seconds=time.perf_counter() - started,
            messages=tuple(str(d) for d in error.diagnostics),
        )
    except Exception as error:
        detail = traceback.format_exc() if task.debug else f"{error}"
        return _Rendered(
            seconds=time.perf_counter() - started,
            messages=(f"{task.target}: render failed: {detail}",),
        )
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    seconds = time.perf_counter() - started
    try:
        temp = _write_temporary(task.target, data)
    except OSError as error:
        return _Rendered(
            seconds=seconds,
            messages=(f"{task.target}: cannot write: {error.strerror or error}",),
        )
    return _Rendered(
        temp=str(temp),
        bytes=len(data),
        pages=pages,
        sha256=hashlib.sha256(data).hexdigest(),
        seconds=seconds,
    )


def _out_of_memory(error: BaseException) -> bool:
    """MemoryError, or a library that could not be mapped into the limited address space."""
    if isinstance(error, MemoryError):
        return True
    text = str(error)
    return "failed to map segment" in text or "Cannot allocate memory" in text


def _limit_cpu(seconds: float) -> None:
    """A hard backstop behind the alarm: a render stuck outside Python is killed by the
    kernel once it has used ``seconds`` (plus a margin) of CPU time."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime + seconds) + 10
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _render_bytes(task: _Task) -> tuple[bytes, int | None]:
    if task.format == "pdf":
        from casebook.pdf import render_pdf_pages

        return render_pdf_pages(task.document, task.layout, task.content_dir)
    from casebook.word import render_docx

    return render_docx(task.document, task.layout, task.content_dir), None


# --- files -----------------------------------------------------------------------------


def _write_temporary(target: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary file beside ``target``, synced to disk."""
    name = ""
    try:
        with tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=f".{target.name}.tmp-", delete=False
        ) as handle:
            name = handle.name
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, 0o644)
    except BaseException:
        if name:
            _unlink_quietly(Path(name))
        raise
    return Path(name)


def write_atomic(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data`` in one step; an OSError names ``target``."""
    try:
        temp = _write_temporary(target, data)
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(target)) from error
    try:
        os.replace(temp, target)
    except OSError as error:
        _unlink_quietly(temp)
        raise OSError(error.errno, error.strerror, str(target)) from error
    except BaseException:
        _unlink_quietly(temp)
        raise


def _check_writable(out_dir: Path) -> None:
    """Raise BuildError now, before anything is rendered, if no file can be made in
    ``out_dir`` (read-only folder or disk, no space for even an empty file)."""
    try:
        _unlink_quietly(_write_temporary(out_dir / MANIFEST, b""))
    except OSError as error:
        raise BuildError(f"{out_dir}: cannot write: {error.strerror or error}") from error


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_quietly(path: Path) -> None:
    with suppress(FileNotFoundError):
        path.unlink()


def _remove_temporaries(out_dir: Path) -> None:
    """Temporary files left by a build that was killed (we hold the lock: none are live)."""
    for path in out_dir.glob(_TEMP_GLOB):
        if path.is_file() and not path.is_symlink():
            _unlink_quietly(path)


@contextmanager
def _locked(out_dir: Path, reporter: Reporter, wait: bool) -> Iterator[None]:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise BuildError(f"{out_dir}: cannot write: {error.strerror or error}") from error
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise BuildError(f"another build is writing {out_dir}/ (lock held)") from None
            reporter.waiting(f"another build is writing {out_dir}/ (lock held): waiting")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
