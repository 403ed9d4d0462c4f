"""The command line: ``python build.py [build|check|list|import-seed|edition|changes|compare|
refresh] [options]``.

The only module that prints or exits. Exit status: 0 done, 1 content or build errors (each
on stderr as ``path:line: message``), 2 bad usage.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING

from casebook.diagnostics import ContentError, Diagnostic

if TYPE_CHECKING:
    from casebook.build import Outcome
    from casebook.build.engine import BuildReport
    from casebook.build.plan import Job
    from casebook.document import Document
    from casebook.model import Corpus

__all__ = ["main"]

_PROG = "build.py"

# Environment overrides for the per-output worker limits (documented in the README).
TIME_LIMIT_ENV = "CASEBOOK_TIME_LIMIT"
MEMORY_LIMIT_ENV = "CASEBOOK_MEMORY_LIMIT_MB"
SOURCE_DATE_ENV = "SOURCE_DATE_EPOCH"
# The largest limits that may be set: a day per output, 1 TiB of memory.
_TIME_LIMIT_MAX = 86400.0
_MEMORY_LIMIT_MAX = 1024.0 * 1024


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    options, extra = parser.parse_known_args(_with_default_command(args))
    if extra:  # the usage of the command they were given to, not of build.py as a whole
        command_parser = getattr(options, "command_parser", parser)
        command_parser.error(f"unrecognized arguments: {' '.join(extra)}")
    # --debug may come before or after the command: it is set in whichever parser saw it and
    # absent otherwise (a default here would be shared with, and reset by, every command's).
    debug = bool(getattr(options, "debug", False))
    interruption = _Interruption()
    signal.signal(signal.SIGTERM, interruption)
    try:
        status: int = options.run(options)
        if interruption.received:
            # The signal arrived somewhere that swallowed the exception; the build finished
            # consistently, but the caller asked it to stop.
            raise KeyboardInterrupt
        return status
    except ContentError as error:
        _print_diagnostics(error.diagnostics)
        return 1
    except KeyboardInterrupt:
        print(f"{_PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``build.py list | head``): stop quietly, as other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as error:
        from casebook.build import BuildError, UsageError

        if isinstance(error, UsageError):  # a mistake on the command line, debugging or not
            print(f"{_PROG}: error: {error}", file=sys.stderr)
            return 2
        if debug:
            raise
        if isinstance(error, BuildError):
            print(f"{_PROG}: error: {error}", file=sys.stderr)
        elif isinstance(error, OSError) and error.strerror:
            # A full disk, a read-only folder: name the file, not the Python exception.
            where = f"{error.filename}: " if error.filename else ""
            print(f"{_PROG}: error: {where}{error.strerror}", file=sys.stderr)
        else:
            print(
                f"{_PROG}: error: {type(error).__name__}: {error} (run with --debug for details)",
                file=sys.stderr,
            )
        return 1


class _Interruption:
    """SIGTERM ends a build the way Ctrl-C does: outputs written so far are recorded in the
    manifest and temporary files are removed."""

    def __init__(self) -> None:
        self.received = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.received = True
        raise KeyboardInterrupt


def _with_default_command(args: list[str]) -> list[str]:
    """``python build.py [options]`` means ``python build.py build [options]``."""
    first = next((a for a in args if a != "--debug"), None)
    if first is None or (first.startswith("-") and first not in ("-h", "--help")):
        position = 0
        while position < len(args) and args[position] == "--debug":
            position += 1
        return [*args[:position], "build", *args[position:]]
    return args


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    content = argparse.ArgumentParser(add_help=False)
    content.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        metavar="DIR",
        help="the content folder (default: content)",
    )
    layouts = argparse.ArgumentParser(add_help=False)
    layouts.add_argument(
        "--layouts",
        type=Path,
        default=Path("layouts"),
        metavar="DIR",
        help="the layouts folder (default: layouts)",
    )
    layouts.add_argument(
        "--brand",
        metavar="NAME|PATH",
        help="a brand under LAYOUTS/brands, or a path to a brand folder or brand.yaml "
        "(default: LAYOUTS/brand.yaml)",
    )

    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Casebook: build branded PDF and Word workshop packs from the EIF "
        "early childhood case examples. Without a command, runs 'build'.",
        parents=[common],
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = commands.add_parser(
        "build",
        parents=[common, content, layouts],
        help="build packs into the output folder (the default command)",
        description="Build every pack (or those named with --only) in every format (PDF, "
        "Word, case cards, large print and any a plug-in adds), with manifest.json and "
        "index.html. Only outputs whose inputs changed are rebuilt.",
    )
    build.add_argument(
        "--only",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="build only these packs (ids as shown by 'list')",
    )
    build.add_argument(
        "--format",
        nargs="+",
        action="extend",
        default=None,
        metavar="NAME",
        help="build only these formats: pdf, docx, cards, large-print or one a plug-in adds "
        "(default: all)",
    )
    build.add_argument(
        "--jobs",
        type=_positive,
        default=None,
        metavar="N",
        help="render N outputs at once (default: the number of cores)",
    )
    build.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    build.add_argument(
        "--out",
        type=Path,
        default=Path("dist"),
        metavar="DIR",
        help="the output folder (default: dist)",
    )
    build.set_defaults(run=_build)

    check = commands.add_parser(
        "check",
        parents=[common, content, layouts],
        help="validate content and layouts without building",
        description="Validate the content and layouts; print every problem as path:line: message.",
    )
    check.set_defaults(run=_check)

    listing = commands.add_parser(
        "list",
        parents=[common, content],
        help="list the packs and their cases",
        description="List every pack with its cases, in build order.",
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array of packs")
    listing.set_defaults(run=_list)

    seed = commands.add_parser(
        "import-seed",
        parents=[common, content],
        help="import the EIF case-examples text into content/cases",
        description="Write one content/cases/<id>.md per case in the EIF case-examples text, "
        "keeping the tags of cases that already exist.",
    )
    seed.add_argument("file", type=Path, metavar="FILE", help="the case-examples text")
    seed.set_defaults(run=_import_seed)
    _edition_commands(commands, common, content, layouts)
    # Each command's parser, so that words it does not take are shown with its own usage.
    for command in commands.choices.values():
        command.set_defaults(command_parser=command)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)


# --- commands --------------------------------------------------------------------------


def _check(options: argparse.Namespace) -> int:
    from casebook.check import check_project

    _refuse_misspelt_settings()
    warnings: list[Diagnostic] = []
    try:
        corpus, packs = check_project(
            options.content,
            options.layouts,
            options.brand,
            warnings,
            time_limit=_time_limit(),
        )
    finally:
        _print_diagnostics(warnings)
    summary = (
        f"{_count(len(corpus.cases), 'case')}, {_count(len(corpus.insights), 'insight')}, "
        f"{_count(len(corpus.places), 'place')}, {_count(len(packs), 'pack')}: "
    )
    summary += f"no problems, {_count(len(warnings), 'warning')}" if warnings else "no problems"
    print(summary)
    return 0


def _list(options: argparse.Namespace) -> int:
    from casebook.content import load_corpus
    from casebook.packs import select_packs

    warnings: list[Diagnostic] = []
    try:
        corpus = load_corpus(options.content, warnings)
    finally:
        _print_diagnostics(warnings)
    packs = select_packs(corpus)
    if options.json:
        data = [
            {"id": p.id, "title": p.title, "kind": p.kind, "cases": [c.id for c in p.cases]}
            for p in packs
        ]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    for number, pack in enumerate(packs):
        if number:
            print()
        print(f"{pack.id}  ({pack.kind}, {_count(len(pack.cases), 'case')})")
        print(f"  {pack.title}")
        for case in pack.cases:
            print(f"    {case.id}")
    return 0


def _import_seed(options: argparse.Namespace) -> int:
    from casebook.importer import import_seed

    written = import_seed(options.file, options.content)
    print(f"{_count(len(written), 'case')} imported into {options.content / 'cases'}")
    return 0


def _build(options: argparse.Namespace) -> int:
    from casebook.build import BuildOptions
    from casebook.build.engine import build

    _refuse_misspelt_settings()
    build_options = BuildOptions(
        content_dir=options.content,
        layouts_dir=options.layouts,
        out_dir=options.out,
        brand=options.brand,
        only=tuple(dict.fromkeys(options.only)),
        formats=tuple(options.format or ["all"]),
        jobs=options.jobs,
        force=options.force,
        time_limit=_time_limit(),
        memory_limit=int(
            _env_number(MEMORY_LIMIT_ENV, 2048.0, _MEMORY_LIMIT_MAX, "MiB (0: no limit)") * 2**20
        ),
        debug=bool(getattr(options, "debug", False)),
        date=_source_date(),
    )
    reporter = _LiveReporter() if sys.stdout.isatty() else _PlainReporter(sys.stdout)
    try:
        report = build(build_options, reporter)
    finally:
        reporter.close()
    _print_summary(report)
    # A fault shared by many outputs (a missing Word template, a mistake in a PDF template)
    # is reported once.
    messages = dict.fromkeys(m for o in report.failed for m in o.messages)
    for message in [*messages, *report.problems]:
        print(message, file=sys.stderr)
    return 1 if report.failed or report.problems else 0


def _source_date() -> str | None:
    """The edition date from SOURCE_DATE_EPOCH (seconds since 1970, as reproducible-builds.org
    defines it), as a UTC date; None when it is not set."""
    text = os.environ.get(SOURCE_DATE_ENV, "").strip()
    if not text:
        return None
    from casebook.build import UsageError

    if not text.isascii() or not text.isdigit():
        raise UsageError(f"{SOURCE_DATE_ENV}={text!r} is not a whole number of seconds")
    try:
        moment = datetime.datetime.fromtimestamp(int(text), tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        raise UsageError(f"{SOURCE_DATE_ENV}={text!r} is out of range") from None
    return moment.date().isoformat()


def _refuse_misspelt_settings() -> None:
    """A usage error for a variable of the environment that looks like one of Casebook's
    settings but is not (``CASEBOOK_MEMORY_LIMIT`` for ``CASEBOOK_MEMORY_LIMIT_MB``): left
    alone, the limit or date the user meant to set would silently not be set. Every command
    that reads a setting calls it first."""
    import difflib

    from casebook.build import UsageError

    settings = (TIME_LIMIT_ENV, MEMORY_LIMIT_ENV, SOURCE_DATE_ENV)
    for name in sorted(os.environ):
        if name in settings or not name.upper().startswith(("CASEBOOK", "SOURCE_DATE")):
            continue
        near = difflib.get_close_matches(name.upper(), settings, n=1, cutoff=0.8)
        if near:
            raise UsageError(f"{name} is not a setting of Casebook; did you mean {near[0]}?")


def _time_limit() -> float:
    """The per-output time limit, from CASEBOOK_TIME_LIMIT (300 seconds when not set)."""
    return _env_number(TIME_LIMIT_ENV, 300.0, _TIME_LIMIT_MAX, "seconds", positive=True)


def _env_number(name: str, default: float, high: float, unit: str, positive: bool = False) -> float:
    """A number from the environment variable ``name``, from 0 (above 0 if ``positive``) to
    ``high``; a bad value is a usage error naming the variable (exit status 2)."""
    from casebook.build import UsageError

    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{name}={text!r} is not a number") from None
    # float() also reads "inf", "nan" and "1e30": none of them is a limit a worker can keep.
    if not math.isfinite(value) or not 0 <= value <= high or (positive and value == 0):
        low = "above 0" if positive else "from 0"
        raise UsageError(f"{name}={text!r} must be a number of {unit} {low}, at most {int(high):,}")
    return value


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _size(n: int | None) -> str:
    from casebook.site import size_text

    return "" if n is None else size_text(n)


# --- progress --------------------------------------------------------------------------


class _PlainReporter:
    """One line per output, for logs and pipes."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def waiting(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def warning(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def rendering(self, jobs: Sequence[Job]) -> None:
        print(f"rendering {_count(len(jobs), 'output')}", file=self.stream, flush=True)

    def finished(self, outcome: Outcome) -> None:
        if outcome.status == "skipped":
            return
        detail = ", ".join(
            part
            for part in (
                _count(outcome.pages, "page") if outcome.pages is not None else "",
                _size(outcome.bytes),
                f"{outcome.seconds:.1f} s" if outcome.status == "built" else "",
            )
            if part
        )
        line = f"{outcome.status:7} {outcome.path}"
        print(f"{line} ({detail})" if detail else line, file=self.stream, flush=True)

    def close(self) -> None:
        pass


class _LiveReporter:
    """A live rich progress display, one row per output being rendered."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TaskID,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = Console()
        self.errors = Console(stderr=True)
        self.progress = Progress(
            SpinnerColumn(finished_text="[green]✓"),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        self.rows: dict[str, TaskID] = {}
        self.started = False

    def waiting(self, message: str) -> None:
        self.errors.print(message)

    def warning(self, message: str) -> None:
        self.errors.print(message, highlight=False, markup=False)

    def rendering(self, jobs: Sequence[Job]) -> None:
        self.total = self.progress.add_task(
            f"[bold]{_count(len(jobs), 'output')}", total=len(jobs), status=""
        )
        for job in sorted(jobs, key=lambda j: -j.weight):
            self.rows[str(job.path)] = self.progress.add_task(
                str(job.path), total=1, status="rendering"
            )
        self.progress.start()
        self.started = True

    def finished(self, outcome: Outcome) -> None:
        row = self.rows.get(str(outcome.path))
        if row is None:
            return
        status = "[red]failed" if outcome.status == "failed" else "built"
        self.progress.update(row, completed=1, status=status)
        self.progress.advance(self.total)

    def close(self) -> None:
        if self.started:
            self.progress.stop()


def _print_summary(report: BuildReport) -> None:
    built = sum(o.status == "built" for o in report.outcomes)
    skipped = sum(o.status == "skipped" for o in report.outcomes)
    failed = len(report.failed)
    if built or failed:
        rows = [
            (
                o.pack,
                o.format,
                o.status,
                "" if o.pages is None else str(o.pages),
                _size(o.bytes),
                f"{o.seconds:.1f} s" if o.status != "skipped" else "",
            )
            for o in report.outcomes
        ]
        _print_table(("pack", "format", "status", "pages", "size", "time"), rows)
    for path, why in report.removed:
        print(f"removed {path} ({why})")
    parts = [f"{built} built", f"{skipped} up to date"]
    if failed:
        parts.append(f"{failed} failed")
    print(f"{', '.join(parts)} in {report.seconds:.1f} s", flush=True)


def _print_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table()
        for i, name in enumerate(header):
            table.add_column(name, justify="right" if i >= 3 else "left")
        for row in rows:
            table.add_row(*row)
        Console().print(table)
        return
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    numeric = {3, 4, 5}
    for row in [header, *rows]:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        print("  ".join(cells).rstrip())


# --- editions and adapted Word copies (docs/editions.md) ---------------------------------


def _edition_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    content: argparse.ArgumentParser,
    layouts: argparse.ArgumentParser,
) -> None:
    edition = commands.add_parser(
        "edition",
        parents=[common, content],
        help="publish an edition: record what every case says now",
        description="Publish the content as an edition: record its label, its date and what "
        "every case says in content/editions/. Packs print the latest edition.",
    )
    edition.add_argument(
        "label",
        type=_edition_label,
        metavar="LABEL",
        help='the edition\'s name, e.g. "Second edition"',
    )
    edition.add_argument(
        "--date",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="the edition's date (default: SOURCE_DATE_EPOCH's day, or today)",
    )
    edition.set_defaults(run=_edition)

    changes = commands.add_parser(
        "changes",
        parents=[common, content],
        help="what changed since an edition, and which packs it reaches",
        description="List the cases added, withdrawn and edited since an edition (default: "
        "the one before the content now), with a word-level diff and the packs each reaches.",
    )
    changes.add_argument("--since", metavar="LABEL", help="the edition to compare with")
    changes.add_argument("--json", action="store_true", help="print a JSON object")
    changes.set_defaults(run=_changes)

    compare = commands.add_parser(
        "compare",
        parents=[common, content],
        help="is an adapted Word copy of a pack current?",
        description="Compare a downloaded, possibly edited Word pack with the content now: "
        "each case is current, updated, edited, conflict, removed or withdrawn. Exit status 1 "
        "when a case is updated, in conflict or withdrawn.",
    )
    compare.add_argument("file", type=Path, metavar="FILE.docx", help="the Word copy")
    compare.add_argument("--json", action="store_true", help="print a JSON object")
    compare.set_defaults(run=_compare)

    refresh = commands.add_parser(
        "refresh",
        parents=[common, content, layouts],
        help="bring an adapted Word copy up to date, keeping local edits",
        description="Write a copy of FILE in which every case updated since it was downloaded "
        "(and untouched locally) carries the current text; everything else is kept.",
    )
    refresh.add_argument("file", type=Path, metavar="FILE.docx", help="the Word copy")
    refresh.add_argument(
        "--out", type=Path, required=True, metavar="NEW.docx", help="the refreshed copy to write"
    )
    refresh.add_argument("--force", action="store_true", help="replace NEW.docx if it exists")
    refresh.set_defaults(run=_refresh)


def _edition_label(text: str) -> str:
    """LABEL as given, when it can name an edition: a mistake in it is one on the command line
    (exit 2, with the usage), not in the content."""
    from casebook.editions import label_problem

    if why := label_problem(text):
        raise argparse.ArgumentTypeError(f"{text!r} {why}")
    return text


def _iso_date(text: str) -> str:
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2027-03-01: {text!r}") from None
    if len(text) != 10:
        raise argparse.ArgumentTypeError(f"not a date like 2027-03-01: {text!r}")
    # An edition is dated when it is published, or for a workshop soon after: a date years
    # ahead is a mistyped year, and would be printed on every pack's cover.
    today = datetime.datetime.now(datetime.UTC).date()
    if day > today + datetime.timedelta(days=_DATE_AHEAD_DAYS):
        raise argparse.ArgumentTypeError(
            f"{text} is more than a year after today ({today.isoformat()}): is the year right?"
        )
    return day.isoformat()


_DATE_AHEAD_DAYS = 366


def _load(content_dir: Path, unpublished: bool = False) -> Corpus:
    from casebook.content import load_corpus

    warnings: list[Diagnostic] = []
    try:
        return load_corpus(content_dir, warnings, unpublished=unpublished)
    finally:
        _print_diagnostics(warnings)


def _edition(options: argparse.Namespace) -> int:
    from casebook.document import long_date
    from casebook.editions import compare_records, publish_edition, records_of
    from casebook.files import write_atomic

    _refuse_misspelt_settings()
    corpus = _load(options.content, unpublished=True)
    date = options.date or _source_date() or datetime.datetime.now(datetime.UTC).date().isoformat()
    path, text = publish_edition(corpus, options.label, date)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"))
    print(f"published {options.label} ({long_date(date)}): {path}")
    if corpus.editions:
        last = corpus.editions[-1]
        found = compare_records(last.cases, records_of(corpus))
        counts = [
            f"{sum(c == kind for _, c, _ in found)} {kind}"
            for kind in ("added", "edited", "withdrawn")
        ]
        print(f"since {last.label}: {', '.join(counts)}")
    print("build the packs to print it: python build.py")
    return 0


def _changes(options: argparse.Namespace) -> int:
    from casebook.build import UsageError
    from casebook.document import long_date
    from casebook.editions import edition_changes

    corpus = _load(options.content)
    try:
        found = edition_changes(corpus, options.since)
    except KeyError:
        labels = ", ".join(repr(e.label) for e in corpus.editions)
        raise UsageError(f"no edition {options.since!r}; the editions are: {labels}") from None
    if options.json:
        data = {
            # Nothing to compare with (one edition, no change since): since that edition.
            "since": found.since.label if found else corpus.editions[-1].label,
            "cases": [
                {"id": c.id, "change": c.change, "fields": list(c.fields), "packs": list(c.packs)}
                for c in (found.cases if found else ())
            ],
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    if found is None:
        latest = corpus.editions[-1]
        print(
            f"Only one edition has been published, {latest.label} ({long_date(latest.date)}), "
            "and no case has changed since."
        )
        return 0
    until = (
        f"{found.until.label} ({long_date(found.until.date)})"
        if found.until
        else "the content now"
        + (" (not yet published as an edition)" if corpus.editions[-1] is found.since else "")
    )
    print(f"Changes from {found.since.label} ({long_date(found.since.date)}) to {until}:")
    if not found.cases:
        print("  none: no case has changed.")
        return 0
    for change in found.cases:
        print()
        print(f"{change.change:9}  {change.heading}  [{change.id}]")
        for field, diff in change.diffs:
            print(f"           {field}: {diff}")
        print(f"           packs: {', '.join(change.packs) or 'none'}")
    kinds = [
        f"{sum(c.change == kind for c in found.cases)} {kind}"
        for kind in ("added", "edited", "withdrawn")
    ]
    print()
    print(", ".join(kinds))
    return 0


def _unpublished(corpus: Corpus) -> str | None:
    """A warning when the content has changed since its latest edition was published: a copy
    is compared with, and refreshed from, the content as it stands."""
    from casebook.editions import changes_since

    if not corpus.editions:
        return None
    latest = corpus.editions[-1]
    changed = changes_since(corpus, latest)
    if not changed:
        return None
    return (
        f"warning: {_count(len(changed), 'case')} changed since the {latest.label} was "
        "published and not yet in an edition: the content is taken as it stands (python "
        "build.py changes lists what changed; python build.py edition LABEL publishes it)"
    )


def _compare(options: argparse.Namespace) -> int:
    from casebook.adapt import CopyError, compare_copy

    corpus = _load(options.content)
    try:
        comparison = compare_copy(options.file, corpus)
    except CopyError as error:
        print(error, file=sys.stderr)
        return 1
    if (warning := _unpublished(corpus)) is not None:
        print(warning, file=sys.stderr)
    if options.json:
        print(json.dumps(comparison.to_json(), indent=2, ensure_ascii=False))
        return 1 if comparison.out_of_date else 0
    provenance = comparison.provenance
    print(
        f"{options.file}: pack {provenance.pack}, {provenance.edition or 'no edition recorded'}; "
        f"the current edition is {comparison.current_edition}."
    )
    notes = {
        "current": "",
        "updated": "changed since your copy, untouched in it: refresh takes the new text",
        "edited": "edited in your copy, unchanged since",
        "conflict": "edited in your copy and changed since: compare the two by hand",
        "removed": "deleted from your copy",
        "withdrawn": "no longer in this pack: consider deleting it from your copy",
    }
    for case in comparison.cases:
        note = notes[case.status]
        print(f"{case.status:9}  {case.heading}" + (f"  ({note})" if note else ""))
        for line in case.since.splitlines():
            print(f"           {line}")
        if case.status == "conflict":
            print(_current_text(case.current_lines))
    for heading in comparison.added:
        print(f"{'added':9}  {heading}  (a section of your own)")
    for heading in comparison.new_cases:
        print(f"{'new':9}  {heading}  (in the pack now, not in your copy)")
    counts = {
        s: sum(c.status == s for c in comparison.cases)
        for s in ("updated", "conflict", "withdrawn")
    }
    if not comparison.pack_published:
        print(
            f"the pack {provenance.pack} is no longer published: each case is compared with "
            "the content as it is now"
        )
    if comparison.out_of_date:
        shown = ", ".join(
            [f"{n} {s}" for s, n in counts.items() if n]
            + ([] if comparison.pack_published else ["the pack is no longer published"])
        )
        print(f"out of date: {shown}")
        if counts["updated"]:
            print(f"bring it up to date: python build.py refresh {options.file} --out NEW.docx")
        return 1
    print("up to date: no case in this copy has changed since")
    return 0


def _current_text(lines: Sequence[str]) -> str:
    """A conflict's current text as compare and refresh print it: under the case, each
    paragraph on a line of its own, in line with the first."""
    lead = f"{'':9}  the current text: "
    return lead + f"\n{'':{len(lead)}}".join(lines)


# The changes a refreshed copy's "What's new in this edition" leaves out.
_NOT_TAKEN = (
    "(not those to cases you kept as you edited them or deleted, nor the cases new to the "
    "pack, which refresh does not add)"
)
# What refresh did with a copy's "What's new in this edition" (adapt.Refreshed.whats_new).
_WHATS_NEW_SAID = {
    "updated": "now lists this edition’s changes",
    "added": "added before the contents, listing this edition’s changes",
    "not added": "not added, as this copy has no contents to put it before; a fresh "
    "download has it",
    "updated in part": f"now lists this edition’s changes this copy has {_NOT_TAKEN}",
    "added in part": "added before the contents, listing this edition’s changes this copy has "
    f"{_NOT_TAKEN}",
    "removed": "taken out: none of this pack’s cases changed in this edition",
    "none taken": "taken out: this copy has none of this edition’s changes (each case they "
    "touch you kept as you edited it, deleted, or do not have yet)",
    "unpublished": "taken out: this pack is no longer published, so no edition changes it",
    "kept": "kept as you worded it; it may tell an earlier edition’s changes",
}


def _refresh(options: argparse.Namespace) -> int:
    from casebook.adapt import CopyError, refresh_copy
    from casebook.build import UsageError
    from casebook.document import WHATS_NEW_TITLE
    from casebook.files import write_atomic
    from casebook.layout import load_layout
    from casebook.word import render_docx

    _refuse_misspelt_settings()
    if options.out.suffix.lower() != ".docx":
        raise UsageError(f"--out {options.out}: the refreshed copy is a Word file; name it .docx")
    if options.out.is_dir():
        raise UsageError(f"--out {options.out}: is a folder; give the name of the file to write")
    if not options.out.absolute().parent.is_dir():
        raise UsageError(
            f"--out {options.out}: the folder {options.out.parent} does not exist; create it "
            "first, or write the copy elsewhere"
        )
    corpus = _load(options.content)
    # Read now, so that a wrong --brand or --layouts is reported whether or not a case needs
    # the current text.
    layout = load_layout(options.layouts, options.brand)

    def render(document: Document) -> bytes:
        return render_docx(document, layout, options.content)

    try:
        refreshed = refresh_copy(
            options.file, options.out, corpus, render, options.force, _source_date()
        )
    except CopyError as error:
        print(error, file=sys.stderr)
        return 1
    write_atomic(options.out, refreshed.data)
    if (warning := _unpublished(corpus)) is not None:
        print(warning, file=sys.stderr)
    comparison = refreshed.comparison
    said = {
        "current": "kept: up to date",
        "updated": "updated: took the current text, prompts and citation",
        "edited": "kept as you edited it (unchanged since)",
        "conflict": "kept as you edited it; it has also changed since, so compare by hand",
        "removed": "left out, as you deleted it",
        "withdrawn": "kept; it is no longer in this pack, so consider deleting it",
    }
    for case in comparison.cases:
        print(f"{case.status:9}  {case.heading}: {said[case.status]}")
        if case.status == "conflict":
            for line in case.since.splitlines():
                print(f"           changed since: {line}")
            print(_current_text(case.current_lines))
    for heading in comparison.added:
        print(f"{'kept':9}  your section: {heading}")
    for heading in comparison.new_cases:
        print(
            f"{'new':9}  {heading}: in the pack now, not added to your copy (a fresh download "
            "has it, to copy in if you want it)"
        )
    if refreshed.edition_updated:
        where = " and ".join(refreshed.edition_updated)
        print(f"{'edition':9}  now “{refreshed.edition}” {where}")
    if refreshed.edition_kept:
        where = " and ".join(refreshed.edition_kept)
        print(
            f"{'edition':9}  kept as you worded it {where} "
            f"(the edition is now “{refreshed.edition}”)"
        )
    if refreshed.whats_new:
        print(f"{'section':9}  “{WHATS_NEW_TITLE}”: {_WHATS_NEW_SAID[refreshed.whats_new]}")
    updated = sum(c.status == "updated" for c in comparison.cases)
    print(f"wrote {options.out}: {_count(updated, 'case')} updated; {options.file} is unchanged")
    return 0
