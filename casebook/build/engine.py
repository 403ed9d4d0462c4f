"""The build: gather every pack, decide what changed, render in a process pool, write atomically.

Everything is gathered and validated first (corpus, packs, documents, fingerprints); only then
is ``dist/`` locked and anything rendered. An output is rebuilt only when its fingerprint
(see :mod:`casebook.build.fingerprints`) differs from the one recorded in
``dist/manifest.json``, or the file on disk is not the one recorded there. A build that finds
no input touched since the last complete build (the "input stamp", kept in
``dist/.inputs-stamp`` so that manifest.json depends on the content alone) does not even load
the content, whether it was asked for every format or some (``--format``). Only a build of
every pack in every format records the stamp.

The engine withdraws a file's record from ``manifest.json`` before replacing the file and
records the new one right after, so even a build killed outright (SIGKILL) leaves a manifest
that describes the files on disk; the workers die with it. Outputs of packs that no longer
exist, and of formats no longer registered (an uninstalled plug-in), are removed once the
downloads page is written without them. The page's template is run before anything is
built, so a mistake in it stops the build with the out dir as it was. A page that still
cannot be made after the build (a full disk) is removed if the build changed any file it
describes, as it would no longer describe exactly the files there, and the manifest does not
vouch for a page, so that the next build writes it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from casebook.build import BuildError, BuildOptions, Outcome, UsageError
from casebook.build.manifest import (
    INDEX,
    LOCK,
    MANIFEST,
    RESERVED,
    STAMP,
    ForeignManifest,
    Manifest,
    OutputRecord,
    corpus_manifest,
    read_manifest,
    trusted,
    write_manifest,
)
from casebook.build.stamp import input_stamp
from casebook.diagnostics import ContentError, Diagnostic
from casebook.files import (
    TEMP_GLOB,
    LockBusy,
    LockRefused,
    fsync_dir,
    is_plain_file,
    locked,
    remove_temporaries,
    unlink_quietly,
    write_atomic,
    write_temporary,
)
from casebook.renderers import RendererSpec, choose, registered
from casebook.text import is_slug

if TYPE_CHECKING:
    from casebook.build.plan import Job, Plan

__all__ = ["BuildOptions", "BuildReport", "Outcome", "Reporter", "build"]


@dataclass(frozen=True)
class BuildReport:
    """The result of a build, one outcome per output asked for, in build order."""

    outcomes: tuple[Outcome, ...]
    removed: tuple[tuple[Path, str], ...] = ()  # each file removed, and why
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


def build(
    options: BuildOptions,
    reporter: Reporter | None = None,
    renderers: Sequence[RendererSpec] | None = None,
) -> BuildReport:
    """Build the packs and formats ``options`` ask for into ``options.out_dir``.

    ``renderers`` are every format there is (default: the registry's, plug-ins included).
    Raises ContentError (content or layouts), BuildError (lock, usage, a broken plug-in);
    failures of single outputs are reported in the returned BuildReport, never raised.
    """
    started = time.perf_counter()
    reporter = reporter or _SilentReporter()
    specs = tuple(registered() if renderers is None else renderers)
    chosen = choose(specs, options.formats)  # an unknown format is a usage error first
    # Taken before anything is read: a file edited during the build changes the next stamp.
    stamp = input_stamp(options, specs)
    if stamp and not options.force:
        report = _unchanged(options, stamp, reporter, chosen)
        if report is not None:
            return replace(report, seconds=time.perf_counter() - started)
    _refuse_foreign_files(options.out_dir)
    from casebook.build.plan import gather  # loads the content: not needed for a no-op build
    from casebook.build.workers import render_all

    warnings: list[Diagnostic] = []
    try:
        plan = gather(options, specs, warnings)
    finally:
        for warning in warnings:
            reporter.warning(str(warning))
    _try_site(plan, options)
    with _locked(options.out_dir, reporter, options.wait_for_lock):
        remove_temporaries(options.out_dir)
        _check_writable(options.out_dir)
        previous, readable = _previous_manifest(options, reporter)
        records = _trusted_records(previous, plan, options.out_dir)
        # What the manifest knew Casebook wrote at paths no record now vouches for: still
        # known, until a record does or the file is gone.
        carried = _carried(previous, records, options.out_dir)
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
        # Nothing is written over a file Casebook did not write (unless it cannot tell, with
        # no manifest to read): the checksum of each of its own files about to be replaced.
        present = _own_files(todo, previous if readable else None)
        _warn_changed(plan, todo, carried, options.out_dir, reporter)

        journaled: list[bool] = []  # whether manifest.json was rewritten during the build
        # The files being replaced, each with the checksums of the file there before and of
        # its replacement, until the replacement is recorded: a build stopped in between
        # leaves either, and the manifest knows both for Casebook's.
        pending: dict[str, tuple[str, ...]] = {}

        def held(manifest: Manifest) -> Manifest:
            return _holding(manifest, pending, carried, options.out_dir)

        def journal(name: str, record: OutputRecord | None, incoming: str = "") -> None:
            # Written before and after each file is replaced, so that a build killed at any
            # moment (even SIGKILL) leaves a manifest whose every record matches its file.
            shown = {k: v for k, v in records.items() if k != name}
            if record is not None:
                shown[name] = record
                pending.pop(name, None)
            else:
                pending[name] = tuple(s for s in (present.get(name), incoming) if s)
            interim = replace(
                held(_manifest(plan, shown, "")), site_fingerprint=previous.site_fingerprint
            )
            write_atomic(options.out_dir / MANIFEST, interim.to_json().encode())
            journaled.append(True)

        def commit(job: Job, outcome: Outcome, record: OutputRecord | None) -> None:
            outcomes[job.path] = outcome
            if record is not None:  # recorded before it stops being pending (Ctrl-C between)
                records[record.path] = record
                journal(record.path, record)
            pending.pop(job.path.name, None)  # in place, or not replaced (its render failed)
            reporter.finished(outcome)

        problems: list[str] = []
        try:
            if todo:
                reporter.rendering(todo)
                render_all(todo, plan.layout, options, commit, journal, present)
        finally:
            for failed in outcomes.values():
                # A failed output keeps its record only while its old file is still there;
                # one changed meanwhile stays known as changed since Casebook wrote it.
                kept = records.get(failed.path.name)
                if failed.status == "failed" and kept and not _matches(failed.path, kept):
                    del records[failed.path.name]
                    _carry(carried, failed.path.name, kept.sha256)
            for name in pending:  # a replacement cut short: its record, if its file is there
                kept = records.get(name)
                if kept and not _matches(options.out_dir / name, kept):
                    del records[name]
            # The files of packs and formats that no longer exist. One the previous page may
            # link is removed only once the new page is in place, or the previous page is
            # gone: a page that cannot be made keeps the files it links while it is kept.
            obsolete = _obsolete(plan, records)
            removed = _prune(obsolete, records, carried, plan, True, reporter)
            complete = len(outcomes) == len(plan.jobs) and not any(
                o.status == "failed" for o in outcomes.values()
            )
            # Only a build of every pack in every format may record the stamp.
            whole = complete and not options.only and chosen == specs
            current = {name: r for name, r in records.items() if name not in obsolete}
            manifest = held(_manifest(plan, current, stamp if whole else ""))
            index = options.out_dir / INDEX
            page: bytes | None = None
            failure: list[str] = []
            if manifest.site_fingerprint != previous.site_fingerprint or not index.is_file():
                from casebook.site import render_site_in_time

                try:
                    page = render_site_in_time(manifest, plan.layout, options.time_limit).encode()
                except ContentError as error:
                    failure = [str(d) for d in error.diagnostics]
                if page is not None:
                    # Until the page is written, the manifest on disk must not vouch for it
                    # (a build stopped in between then writes the page again), and still
                    # lists the files spared for the previous page.
                    write_manifest(options.out_dir, held(_unvouched(plan, records)))
                    try:
                        write_atomic(index, page)
                    except OSError as error:  # a full disk: said with every output that failed
                        failure = [f"{index}: cannot write: {error.strerror or error}"]
            if failure:
                problems.extend(failure)
                page = None
                manifest = held(_unvouched(plan, records))
                # The previous page still tells the truth when the files it describes are as
                # it describes them, and is kept; otherwise (a file built, removed or found
                # changed by hand) no page rather than one that lies. The manifest does not
                # vouch for a page, so the next build that can write it makes it again.
                described = {o.path: o for o in previous.outputs}
                if {o.path: o for o in manifest.outputs} != described and index.exists():
                    unlink_quietly(index)
                    removed += ((index, "it could not be made to describe the files now"),)
                    removed += _prune(obsolete, records, carried, plan, False, reporter)
                    manifest = held(_unvouched(plan, records))
            else:
                removed += _prune(obsolete, records, carried, plan, False, reporter)
            manifest = held(manifest)  # without the files swept away by _prune
            if manifest != previous or journaled or page is not None:
                write_manifest(options.out_dir, manifest)
            fsync_dir(options.out_dir)
            remove_temporaries(options.out_dir)
    ordered = tuple(outcomes[j.path] for j in plan.jobs if j.path in outcomes)
    return BuildReport(
        outcomes=ordered,
        removed=removed,
        site_written=page is not None,
        problems=tuple(problems),
        seconds=time.perf_counter() - started,
    )


@contextmanager
def _locked(out_dir: Path, reporter: Reporter, wait: bool) -> Iterator[None]:
    """Hold ``out_dir``'s lock, creating the folder; BuildError if it cannot be had."""

    def waiting() -> None:
        reporter.waiting(f"another build is writing {out_dir}/ (lock held): waiting")

    with ExitStack() as stack:
        if out_dir.exists() and not out_dir.is_dir():
            raise UsageError(f"{out_dir}: is a file, not a folder; give --out a folder")
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            stack.enter_context(locked(out_dir / LOCK, wait, waiting))
        except LockBusy:
            raise BuildError(f"another build is writing {out_dir}/ (lock held)") from None
        except LockRefused as error:
            raise BuildError(str(error)) from None
        except OSError as error:
            raise BuildError(f"{out_dir}: cannot write: {error.strerror or error}") from error
        yield


def _check_writable(out_dir: Path) -> None:
    """Raise BuildError now, before anything is rendered, if no file can be made in
    ``out_dir`` (read-only folder or disk, no space for even an empty file)."""
    try:
        unlink_quietly(write_temporary(out_dir / MANIFEST, b""))
    except OSError as error:
        raise BuildError(f"{out_dir}: cannot write: {error.strerror or error}") from error


def _refuse_foreign_files(out_dir: Path) -> None:
    """Raise BuildError, before anything is read or written, if ``out_dir`` holds a
    ``manifest.json`` or an ``index.html`` that Casebook did not write (another program's, a
    website's own home page): a build would replace them. A damaged manifest is not refused;
    the build says so and rebuilds everything."""
    try:
        read_manifest(out_dir)
    except ForeignManifest:
        raise BuildError(_foreign(out_dir / MANIFEST, "not a Casebook manifest")) from None
    except ValueError:
        pass
    try:
        page = (out_dir / INDEX).read_bytes()
    except OSError:  # none (a new folder, or a page removed), or not a file: nothing to keep
        return
    from casebook.site import is_downloads_page

    if not is_downloads_page(page):
        raise BuildError(_foreign(out_dir / INDEX, "not a downloads page Casebook wrote"))


def _foreign(path: Path, what: str) -> str:
    return (
        f"{path}: {what}, and a build would replace it; "
        f"choose another --out folder, or move the file"
    )


def _previous_manifest(options: BuildOptions, reporter: Reporter) -> tuple[Manifest, bool]:
    """The manifest in the out dir (an empty one when there is none or it is damaged), and
    whether it says what Casebook wrote there: false when there is none or it is damaged."""
    try:
        return read_manifest(options.out_dir), (options.out_dir / MANIFEST).is_file()
    except ValueError as error:
        problem = f"unreadable ({error}); rebuilding everything"
        reporter.warning(str(Diagnostic(str(options.out_dir / MANIFEST), 0, problem, "warning")))
        return Manifest(), False


def _own_files(todo: Sequence[Job], previous: Manifest | None) -> dict[str, str]:
    """The checksum of each file in the way of an output about to be built, by name.

    Raises BuildError, before anything is written, naming every such file that ``previous``
    (the manifest) says is not one Casebook wrote there: changed since (opened and saved in
    Word, say), or put there by hand. Where there is no manifest to tell (``previous`` is
    None: none, or damaged) the file is taken for Casebook's. A link is replaced, never
    followed, so what it points to is safe; a folder is left as it is, and its output fails.
    """
    present: dict[str, str] = {}
    refused: list[str] = []
    for job in todo:
        name = job.path.name
        if not is_plain_file(job.path):  # none there, or a link (replaced, never followed)
            continue
        try:
            digest = hashlib.sha256(job.path.read_bytes()).hexdigest()
        except OSError:  # unreadable: replacing it loses nothing that could be read
            continue
        if previous is None:
            present[name] = digest
            continue
        known = previous.written_here(name)
        if digest in known:
            present[name] = digest
        else:
            why = "changed since Casebook wrote it" if known else "not written by Casebook"
            refused.append(f"{job.path}: {why}, and a build would replace it")
    if len(refused) == 1:
        where = todo[0].path.parent
        raise BuildError(
            f"{refused[0]}; move it out of {where}/, or delete it to have it built again"
        )
    if refused:
        where = todo[0].path.parent
        raise BuildError(
            "\n".join(refused)
            + f"\nmove these files out of {where}/, or delete them to have them built again"
        )
    return present


def _skipped(pack: str, fmt: str, path: Path, record: OutputRecord) -> Outcome:
    return Outcome(pack, fmt, path, "skipped", record.pages, record.bytes)


def _unchanged(
    options: BuildOptions, stamp: str, reporter: Reporter, formats: Sequence[RendererSpec]
) -> BuildReport | None:
    """The report of a no-op build of ``formats``, if nothing was touched since the last
    complete build and every output is still the file recorded; otherwise None."""
    # Without a stamp there is no no-op build: a folder that is not Casebook's is not even locked.
    if not (options.out_dir / MANIFEST).is_file() or not (options.out_dir / STAMP).is_file():
        return None
    with _locked(options.out_dir, reporter, options.wait_for_lock):
        try:
            manifest = read_manifest(options.out_dir)
        except ValueError:
            return None
        if manifest.inputs_stamp != stamp or not (options.out_dir / INDEX).is_file():
            return None
        if list(options.out_dir.glob(TEMP_GLOB)):
            return None
        outcomes: list[Outcome] = []
        wanted = {spec.name for spec in formats}
        for record in manifest.outputs:
            if Path(record.path).name != record.path or not trusted(record):
                return None
            path = options.out_dir / record.path
            if not _matches(path, record):
                return None
            if record.format in wanted:
                outcomes.append(_skipped(record.pack, record.format, path, record))
    for outcome in outcomes:
        reporter.finished(outcome)
    return BuildReport(outcomes=tuple(outcomes))


def _trusted_records(previous: Manifest, plan: Plan, out_dir: Path) -> dict[str, OutputRecord]:
    """The previous manifest's records that describe a file really in ``out_dir``: an output's
    plain file name, with the recorded size and checksum. A hand-edited record, or one of a
    file deleted or replaced since, is dropped (so the manifest and the downloads page never
    list what is not there, and the file is built again); a record that is no output of a
    current pack and format is kept only for ``_prune`` to remove it, as before."""
    alive = {p.id for p in plan.packs}
    formats = {r.name: r.suffix for r in plan.renderers}
    outputs = _output_names(plan)
    kept: dict[str, OutputRecord] = {}
    for record in previous.outputs:
        name = record.path
        if Path(name).name != name or name in kept:
            continue
        if record.pages is not None and record.pages < 1:
            continue
        suffix = formats.get(record.format)
        ours = record.pack in alive and suffix is not None and name == f"{record.pack}{suffix}"
        path = out_dir / name
        if ours:
            if trusted(record) and not path.is_symlink() and _matches(path, record):
                kept[name] = record
        elif name not in outputs:  # a current output's file recorded as something else: drop
            kept[name] = record
    return kept


def _carried(
    previous: Manifest, records: dict[str, OutputRecord], out_dir: Path
) -> dict[str, frozenset[str]]:
    """What ``previous`` knew Casebook wrote at each path that none of ``records`` (those
    still trusted) vouches for, where a file is still there: a replacement cut short, or a
    file changed by hand since (its record dropped as no longer true)."""
    names = {p for p, _ in previous.written} | {o.path for o in previous.outputs}
    carried: dict[str, frozenset[str]] = {}
    for name in sorted(names - records.keys()):
        known = previous.written_here(name)
        if (
            known
            and Path(name).name == name
            and name not in RESERVED
            and is_plain_file(out_dir / name)
        ):
            carried[name] = known
    return carried


def _carry(carried: dict[str, frozenset[str]], name: str, digest: str) -> None:
    """Remember that Casebook wrote the file ``name`` with checksum ``digest``."""
    if digest:
        carried[name] = carried.get(name, frozenset()) | {digest}


def _warn_changed(
    plan: Plan,
    todo: Sequence[Job],
    carried: dict[str, frozenset[str]],
    out_dir: Path,
    reporter: Reporter,
) -> None:
    """Warn of each output not built now (another format or pack asked for) whose file was
    changed since Casebook wrote it: it is no longer listed, and the next build of it stops
    at it (``_own_files``)."""
    building = {job.path.name for job in todo}
    outputs = _output_names(plan)
    for name, known in carried.items():
        if name in outputs and name not in building:
            path = out_dir / name
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                continue
            if digest not in known:
                message = (
                    "changed since Casebook wrote it, so it is no longer listed on the downloads "
                    f"page; to have it built again, move it out of {out_dir}/ or delete it"
                )
                reporter.warning(str(Diagnostic(str(path), 0, message, "warning")))


def _holding(
    manifest: Manifest,
    pending: dict[str, tuple[str, ...]],
    carried: dict[str, frozenset[str]],
    out_dir: Path,
) -> Manifest:
    """``manifest`` with what Casebook wrote at the paths its records do not vouch for: the
    files being replaced (``pending``) and those ``carried`` from the previous manifest,
    where a file is still there."""
    recorded = {o.path for o in manifest.outputs}
    written: list[tuple[str, str]] = []
    for name in sorted(pending.keys() | carried.keys()):
        if name in recorded or (name not in pending and not is_plain_file(out_dir / name)):
            continue
        sums = set(pending.get(name, ())) | carried.get(name, frozenset())
        written.extend((name, digest) for digest in sorted(sums))
    return replace(manifest, written=tuple(written))


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


def _try_site(plan: Plan, options: BuildOptions) -> None:
    """Run the downloads page's template on a manifest like the one this build will write,
    before anything is built: a mistake in it (raised as ContentError, at its line) then
    stops the build with every file in the out dir as it was."""
    from casebook.site import render_site_in_time, sample_manifests

    for sample in sample_manifests(plan.corpus, plan.packs, plan.renderers, options.date):
        render_site_in_time(sample, plan.layout, options.time_limit)


def _obsolete(plan: Plan, records: dict[str, OutputRecord]) -> dict[str, str]:
    """The records of outputs of packs that no longer exist and of formats no longer
    registered (an uninstalled plug-in), each with why its file goes."""
    alive = {p.id for p in plan.packs}
    formats = {r.name: r.suffix for r in plan.renderers}
    obsolete: dict[str, str] = {}
    for name, record in sorted(records.items()):
        suffix = formats.get(record.format)
        if record.pack in alive and suffix is not None and name == f"{record.pack}{suffix}":
            continue
        if record.pack not in alive:
            obsolete[name] = "its pack no longer exists"
        elif suffix is None:
            obsolete[name] = f"format {record.format!r} is no longer installed"
        else:  # the format's file name changed
            obsolete[name] = f"format {record.format!r} now writes {record.pack}{suffix}"
    return obsolete


def _prune(
    obsolete: dict[str, str],
    records: dict[str, OutputRecord],
    carried: dict[str, frozenset[str]],
    plan: Plan,
    spare: bool,
    reporter: Reporter,
) -> tuple[tuple[Path, str], ...]:
    """Remove the ``obsolete`` outputs' files and records; each file removed, and why. With
    ``spare``, a file that is still the one its record describes (one the downloads page
    already there may link) is left, file and record, for a later call without ``spare``,
    which also sweeps the files ``carried``. A file changed since Casebook wrote it loses
    its record but stays known, in ``carried``, and is never removed."""
    out_dir = plan.options.out_dir
    removed: list[tuple[Path, str]] = []
    for name, why in obsolete.items():
        record = records.get(name)
        if record is None:
            continue
        # Only ever an output's plain file name inside the out dir, whatever the manifest says.
        ours = (
            Path(name).name == name and name not in RESERVED and name.startswith(f"{record.pack}.")
        )
        target = out_dir / name
        if spare and ours and _matches(target, record):
            continue
        del records[name]
        if not ours:
            continue
        if record.sha256 and is_plain_file(target) and not _matches(target, record):
            # Changed since Casebook wrote it (a record edited by hand cannot tell): kept.
            _carry(carried, name, record.sha256)
            continue
        try:
            target.unlink()
            removed.append((target, why))
        except FileNotFoundError:
            pass
    if not spare:
        removed.extend(_sweep(obsolete, carried, plan, reporter))
    return tuple(removed)


def _sweep(
    obsolete: dict[str, str],
    carried: dict[str, frozenset[str]],
    plan: Plan,
    reporter: Reporter,
) -> list[tuple[Path, str]]:
    """Remove each file ``carried`` (known to be Casebook's, with no record) that no pack and
    format makes now, where it is still a file Casebook wrote; warn of each changed since,
    which is left in place and stays known. Each file removed, and why."""
    out_dir = plan.options.out_dir
    outputs = _output_names(plan)
    alive = {p.id for p in plan.packs}
    removed: list[tuple[Path, str]] = []
    for name, known in sorted(carried.items()):
        target = out_dir / name
        if name in outputs or name in RESERVED or not is_plain_file(target):
            continue
        pack = name.split(".", 1)[0]
        why = obsolete.get(name) or (
            "its pack no longer exists" if pack not in alive else "no format installed writes it"
        )
        try:
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
        except OSError:
            continue
        if digest in known:
            # Only ever a file named as an output of a format there is: one of a format no
            # longer installed stays, known, as no name can be told for it.
            if is_slug(pack) is None and any(name == pack + r.suffix for r in plan.renderers):
                unlink_quietly(target)
                del carried[name]
                removed.append((target, why))
            continue
        message = (
            f"left in place, as it was changed since Casebook wrote it ({why}); "
            "delete it if it is not needed"
        )
        reporter.warning(str(Diagnostic(str(target), 0, message, "warning")))
    return removed


def _output_names(plan: Plan) -> set[str]:
    """The file name of every output of every pack in every format there is."""
    return {f"{p.id}{r.suffix}" for p in plan.packs for r in plan.renderers}


def _unvouched(plan: Plan, records: dict[str, OutputRecord]) -> Manifest:
    """The manifest of ``records`` that vouches for no downloads page (and records no inputs
    stamp): what ``manifest.json`` says while ``index.html`` is not, or not yet, its page."""
    return replace(_manifest(plan, records, ""), site_fingerprint="")


def _manifest(plan: Plan, records: dict[str, OutputRecord], stamp: str) -> Manifest:
    order = {
        f"{p.id}{r.suffix}": (i, j)
        for i, p in enumerate(plan.packs)
        for j, r in enumerate(plan.renderers)
    }
    outputs = sorted(records.values(), key=lambda o: (*order.get(o.path, (len(order), 0)), o.path))
    manifest = replace(
        corpus_manifest(plan.corpus, plan.packs, plan.options.date),
        content_fingerprint=plan.content_fingerprint,
        inputs_stamp=stamp,
        outputs=tuple(outputs),
        out_of_date=tuple(
            o.path for o in outputs if plan.current.get(o.path, o.fingerprint) != o.fingerprint
        ),
    )
    # The downloads page shows exactly the manifest, drawn with the site templates.
    site_basis = plan.site_inputs + manifest.to_json()
    return replace(manifest, site_fingerprint=hashlib.sha256(site_basis.encode()).hexdigest())
