"""Render outputs in worker processes, each with a time and a memory limit.

Each output renders in a worker process with a time limit (an alarm, backed by a CPU-time
limit) and a memory limit (address space); the worker imports its renderer, writes a
temporary file beside the target, and the parent moves it into place, so a failed or killed
render leaves the previous file as it was. Workers die with the build, even when it is killed
outright; the temporary folder they work in is removed once they end, unless the build itself
was killed outright.
"""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from types import FrameType

from casebook.build import BuildOptions, Outcome
from casebook.build.manifest import OutputRecord
from casebook.build.plan import Job
from casebook.diagnostics import ContentError, Diagnostic
from casebook.document import Document
from casebook.files import is_plain_file, unlink_quietly, write_temporary
from casebook.layout import Layout
from casebook.renderers import RendererSpec, load_render

__all__ = ["Commit", "Journal", "render_all"]


#: Told about each finished output (and its new record, if it was built).
Commit = Callable[[Job, Outcome, OutputRecord | None], None]
#: Told before and after a file is replaced, to keep the manifest true to the disk.
#: Told a file's name and new record once it is in place; before it is replaced, its name,
#: None and the checksum of the file about to take its place.
Journal = Callable[[str, OutputRecord | None, str], None]


@dataclass(frozen=True)
class _Task:
    document: Document
    layout: Layout
    renderer: RendererSpec
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


_ALARM_REPEAT = 1.0  # seconds between alarms once the time limit has passed


class _TimeLimit(BaseException):
    """Raised in a worker when an output takes too long (a BaseException, so a renderer's
    ``except Exception`` cannot swallow it)."""


def render_all(
    jobs: Sequence[Job],
    layout: Layout,
    options: BuildOptions,
    commit: Commit,
    journal: Journal,
    checked: Mapping[str, str],
) -> None:
    """Render ``jobs`` in worker processes and put each output in place as it is done.

    ``checked`` holds, by file name, the checksum of the file found at each target before
    rendering (none where there was none): a file that is not that one by the time its
    output is done was saved there meanwhile, and is not replaced; that output fails."""
    ordered = sorted(jobs, key=lambda j: -j.weight)  # largest first: shortest build
    workers = max(1, min(options.jobs or os.cpu_count() or 1, len(ordered)))
    lost = _run_pool(ordered, layout, options, workers, commit, journal, checked)
    # A worker that died (killed, crashed) breaks the whole pool; rerun what was in flight
    # one by one, so only the output that kills its worker fails.
    for job in lost:
        for again in _run_pool([job], layout, options, 1, commit, journal, checked):
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
    commit: Commit,
    journal: Journal,
    checked: Mapping[str, str],
) -> list[Job]:
    lost: list[Job] = []
    # The workers' temporary files go in a folder of the build's own, removed once they have
    # ended: WeasyPrint copies the fonts into a new temporary folder for every render and
    # removes it only when the render's objects are collected, which a worker's last render
    # never is (a worker ends without collecting), nor one whose worker was killed.
    with (
        tempfile.TemporaryDirectory(prefix="casebook-", ignore_cleanup_errors=True) as scratch,
        ProcessPoolExecutor(
            max_workers=workers,
            mp_context=get_context("fork"),
            initializer=_start_worker,
            initargs=(options.memory_limit, os.getpid(), scratch),
        ) as pool,
    ):
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
                commit(job, *_install(job, rendered, journal, checked.get(job.path.name)))
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
            renderer=job.renderer,
            target=job.path,
            media=job.media,
            content_dir=options.content_dir,
            time_limit=options.time_limit,
            memory_limit=options.memory_limit,
            debug=options.debug,
        )
        futures[pool.submit(_render, task)] = job


def _install(
    job: Job, rendered: _Rendered, journal: Journal, checked: str | None
) -> tuple[Outcome, OutputRecord | None]:
    """Move a worker's temporary file into place, first withdrawing the manifest's record
    of the file it replaces, unless that file is no longer the one checked (``checked``,
    its checksum; None if there was none)."""
    if rendered.temp is None:
        return _failed(job, *rendered.messages, seconds=rendered.seconds), None
    if _saved_meanwhile(job.path, checked):
        unlink_quietly(Path(rendered.temp))
        where = job.path.parent
        return _failed(
            job,
            f"{job.path}: saved there while the build ran, and a build would replace it; "
            f"move it out of {where}/, or delete it to have it built again",
            seconds=rendered.seconds,
        ), None
    try:
        journal(job.path.name, None, rendered.sha256)
        os.replace(rendered.temp, job.path)
    except OSError as error:
        unlink_quietly(Path(rendered.temp))
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
        label=job.renderer.label,
        pages=rendered.pages,
        sha256=rendered.sha256,
        fingerprint=job.fingerprint,
    )
    return outcome, record


def _saved_meanwhile(path: Path, checked: str | None) -> bool:
    """Whether the file at ``path`` is not the one whose checksum was ``checked`` (None: no
    file was there). A link or a folder is not a file saved there: a link is replaced, never
    followed, and a folder fails its output when it is put in place."""
    if not is_plain_file(path):
        return False
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() != checked
    except OSError:  # unreadable: replacing it loses nothing that could be read
        return False


def _failed(job: Job, *messages: str, seconds: float = 0.0) -> Outcome:
    return Outcome(job.pack.id, job.format, job.path, "failed", seconds=seconds, messages=messages)


def _start_worker(memory_limit: int, owner: int, scratch: str) -> None:
    """Runs once in each worker: die with the build, bound its memory, keep temporary files
    in ``scratch`` and let the build's owner handle Ctrl-C."""
    _die_with(owner)
    tempfile.tempdir = scratch
    if memory_limit > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    signal.signal(signal.SIGALRM, _on_alarm)
    sys.unraisablehook = _unraisable
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


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """An alarm that lands in a finaliser (a library's ``__del__``) cannot stop the render
    there, and Python would print it with its traceback; the next alarm, a second later,
    stops it. Anything else is printed as Python prints it."""
    if isinstance(unraisable.exc_value, _TimeLimit):
        return
    sys.__unraisablehook__(unraisable)


def _render(task: _Task) -> _Rendered:
    """Render one output into a temporary file beside its target (runs in a worker), failing
    it once the time limit passes even if a library swallowed the alarm: WeasyPrint's SVG
    code catches BaseException, so the alarm repeats every second until the render stops,
    and a render that outlived its alarm is never shipped."""
    expired: list[bool] = []

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        expired.append(True)
        raise _TimeLimit

    signal.signal(signal.SIGALRM, on_alarm)
    started = time.perf_counter()
    try:
        try:
            rendered = _render_within_limits(task)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _TimeLimit:  # an alarm that arrived while a failure was being reported
        rendered = _Rendered()
    if not expired:
        return rendered
    if rendered.temp is not None:
        unlink_quietly(Path(rendered.temp))
    return _Rendered(
        seconds=time.perf_counter() - started,
        messages=(
            f"{task.target}: render failed: took longer than the limit of "
            f"{task.time_limit:g} seconds",
        ),
    )


def _render_within_limits(task: _Task) -> _Rendered:
    started = time.perf_counter()
    _limit_cpu(task.time_limit)
    missing = [p for p in task.media if not p.is_file()]
    if missing:
        return _Rendered(
            messages=tuple(
                f"{p}: render of {task.target} failed: media file not found" for p in missing
            )
        )
    signal.setitimer(signal.ITIMER_REAL, task.time_limit, _ALARM_REPEAT)
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
        if (mistake := _template_mistake(error)) is not None:
            return _Rendered(seconds=time.perf_counter() - started, messages=(str(mistake),))
        if faults := _style_faults(task.layout, error):
            return _Rendered(seconds=time.perf_counter() - started, messages=faults)
        detail = traceback.format_exc() if task.debug else f"{error}"
        return _Rendered(
            seconds=time.perf_counter() - started,
            messages=(f"{task.target}: render failed: {detail}",),
        )
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    seconds = time.perf_counter() - started
    try:
        temp = write_temporary(task.target, data)
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


def _template_mistake(error: Exception) -> Diagnostic | None:
    """A mistake in a template of ``layouts/pdf``, at its line, as ``check`` reports it: the
    same for every output that uses the template, so that the build says it once, not once
    an output. None for any other error."""
    from casebook.pdf import TemplateError

    if isinstance(error, TemplateError):
        return Diagnostic(error.where, error.line, error.reason)
    return None


def _style_faults(layout: Layout, error: Exception) -> tuple[str, ...]:
    """When a render failed because a stylesheet of ``layouts/pdf`` names a font or other
    file that is missing or damaged (which fails every PDF that reads the stylesheet), that
    fault as ``check`` reports it, at its line: the same for every output, so that the
    build says it once, not once an output. Empty otherwise, and the render's own message
    stands."""
    from casebook.pdf import RenderError
    from casebook.templates import pdf_style_problems

    if not isinstance(error, RenderError):
        return ()
    try:
        return tuple(str(problem) for problem in pdf_style_problems(layout.root, str(error)))
    except Exception:  # reading the layouts again failed: the render's own message stands
        return ()


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
    render = load_render(task.renderer)  # imported here, in the worker, never in the build
    return render(task.document, task.layout, task.content_dir)
