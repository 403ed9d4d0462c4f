"""The command line: ``python build.py [build|check|list|import-seed] [options]``.

The only module that prints or exits. Exit status: 0 done, 1 content or build errors (each
on stderr as ``path:line: message``), 2 bad usage.
"""

from __future__ import annotations

import argparse
import datetime
import json
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

__all__ = ["main"]

_PROG = "build.py"

# Environment overrides for the per-output worker limits (documented in the README).
TIME_LIMIT_ENV = "CASEBOOK_TIME_LIMIT"
MEMORY_LIMIT_ENV = "CASEBOOK_MEMORY_LIMIT_MB"
SOURCE_DATE_ENV = "SOURCE_DATE_EPOCH"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    options = parser.parse_args(_with_default_command(args))
    debug = bool(options.debug)
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

        if debug:
            raise
        if isinstance(error, UsageError):
            print(f"{_PROG}: error: {error}", file=sys.stderr)
            return 2
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
    parser.set_defaults(debug=False)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = commands.add_parser(
        "build",
        parents=[common, content, layouts],
        help="build packs into the output folder (the default command)",
        description="Build every pack (or those named with --only) in every format (PDF, "
        "Word and any a plug-in adds), with manifest.json and index.html. Only outputs whose "
        "inputs changed are rebuilt.",
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
        action="append",
        default=None,
        metavar="NAME",
        help="build only this format: pdf, docx or one a plug-in adds; repeat it for several "
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

    warnings: list[Diagnostic] = []
    try:
        corpus, packs = check_project(options.content, options.layouts, options.brand, warnings)
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

    build_options = BuildOptions(
        content_dir=options.content,
        layouts_dir=options.layouts,
        out_dir=options.out,
        brand=options.brand,
        only=tuple(dict.fromkeys(options.only)),
        formats=tuple(options.format or ["all"]),
        jobs=options.jobs,
        force=options.force,
        time_limit=_env_number(TIME_LIMIT_ENV, 300.0),
        memory_limit=int(_env_number(MEMORY_LIMIT_ENV, 2048.0) * 2**20),
        debug=bool(options.debug),
        date=_source_date(),
    )
    reporter = _LiveReporter() if sys.stdout.isatty() else _PlainReporter(sys.stdout)
    try:
        report = build(build_options, reporter)
    finally:
        reporter.close()
    _print_summary(report)
    # A fault shared by many outputs (a missing Word template) is reported once.
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
    from casebook.build import BuildError

    if not text.isdigit():
        raise BuildError(f"{SOURCE_DATE_ENV}={text!r} is not a whole number of seconds")
    try:
        moment = datetime.datetime.fromtimestamp(int(text), tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        raise BuildError(f"{SOURCE_DATE_ENV}={text!r} is out of range") from None
    return moment.date().isoformat()


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        from casebook.build import BuildError

        raise BuildError(f"{name}={text!r} is not a number") from None
    if value < 0:
        from casebook.build import BuildError

        raise BuildError(f"{name}={text!r} must not be negative")
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
    for path in report.removed:
        print(f"removed {path} (its pack no longer exists)")
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
