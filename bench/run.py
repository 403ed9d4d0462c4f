"""Casebook's benchmark: how fast a build is, against its renderers' limit and a peer.

Run ``nox -s bench`` or ``python bench/run.py`` (``--quick`` for a one-repetition smoke
run). Every measurement is repeated ``--repeat`` times (default 5) after ``--warmup`` runs;
the table shows median, min and max wall time, and the CPU time the measured processes used
(less sensitive than wall time to other load on the machine). Results, with the machine they
came from, go to ``bench/results.json``. The method is described in ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import synth  # noqa: E402

__all__ = ["main"]

MEASUREMENTS = ("components", "limit", "cold", "noop", "edit", "peer", "scaling", "profile")
SIZES = (54, 270, 540)
PROFILE_PACK = "all-cases"
FAR_FASTER = 3.0  # what "far faster than the peer" on a one-case edit means here


class BenchError(Exception):
    """A measured command failed; the message says which and why."""


# --- statistics ------------------------------------------------------------------------


@dataclass
class Series:
    """Repeated samples of one measurement: wall seconds and CPU seconds."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        """Record one repetition."""
        self.wall.append(wall)
        self.cpu.append(cpu)

    @property
    def median(self) -> float:
        """Median wall time."""
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        """Median CPU time."""
        return statistics.median(self.cpu)

    def to_json(self) -> dict[str, Any]:
        """Summary and samples, rounded to the millisecond."""
        return {
            "n": len(self.wall),
            "wall": _summary(self.wall),
            "cpu": _summary(self.cpu),
        }


def _summary(values: Sequence[float]) -> dict[str, Any]:
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
        "samples": [round(v, 4) for v in values],
    }


@dataclass(frozen=True)
class Settings:
    """How this run measures."""

    repeat: int
    warmup: int
    jobs: int
    sizes: tuple[int, ...]
    quick: bool
    content: Path
    layouts: Path
    work: Path  # scratch folder for this run
    project: Path  # the snapshot of build.py, casebook/ and bench/ that is measured


# --- processes -------------------------------------------------------------------------


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_process(
    command: Sequence[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run ``command`` to completion: wall seconds, CPU seconds of it and its children."""
    cpu = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    used = _children_cpu() - cpu
    if proc.returncode != 0:
        shown = " ".join(str(c) for c in command)
        raise BenchError(
            f"{shown} exited with status {proc.returncode}:\n{(proc.stderr or proc.stdout)[-3000:]}"
        )
    return wall, used, proc


def build_command(
    settings: Settings, content: Path, layouts: Path, out: Path, *options: str | int
) -> list[str | Path]:
    """``python build.py build`` on the given folders, as an editor would run it."""
    return [
        sys.executable,
        settings.project / "build.py",
        "build",
        "--content",
        content,
        "--layouts",
        layouts,
        "--out",
        out,
        *(str(o) for o in options),
    ]


def repeat(settings: Settings, once: Callable[[int], tuple[float, float]], label: str) -> Series:
    """Run ``once`` ``warmup`` times unrecorded, then ``repeat`` times recorded."""
    series = Series()
    for i in range(settings.warmup + settings.repeat):
        wall, cpu = once(i)
        if i >= settings.warmup:
            series.add(wall, cpu)
        _progress(f"{label}: run {i + 1}/{settings.warmup + settings.repeat} {wall:.2f} s")
    return series


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


@contextmanager
def _scratch(settings: Settings, name: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=settings.work))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def snapshot(work: Path, content: Path, layouts: Path) -> Path:
    """Copy what is measured into ``work``, so edits to the working tree during a run
    (or by the one-case edit) cannot change it."""
    project = work / "project"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "results*.json")
    project.mkdir()
    shutil.copy2(ROOT / "build.py", project / "build.py")
    shutil.copytree(ROOT / "casebook", project / "casebook", ignore=skip)
    shutil.copytree(BENCH, project / "bench", ignore=skip)
    shutil.copytree(content, project / "content", ignore=skip)
    shutil.copytree(layouts, project / "layouts", ignore=skip)
    return project


def _manifest_outputs(out: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {o["path"]: o for o in data["outputs"]}


def formats() -> tuple[Any, ...]:
    """The formats a build writes, from the registry of the casebook being measured."""
    from casebook.renderers import registered

    return registered()


def expected_outputs(packs: Sequence[str]) -> list[str]:
    """The file of every format of every pack in ``packs``, sorted."""
    return sorted(f"{pack}{spec.suffix}" for pack in packs for spec in formats())


def check_outputs(out: Path) -> dict[str, dict[str, Any]]:
    """The outputs in ``out``'s manifest, checked to be every format of every pack in it."""
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    outputs: dict[str, dict[str, Any]] = {o["path"]: o for o in data["outputs"]}
    expected = expected_outputs([p["id"] for p in data["packs"]])
    if sorted(outputs) != expected:
        missing = sorted(set(expected) - set(outputs))
        extra = sorted(set(outputs) - set(expected))
        raise BenchError(f"{out}: the build did not write every format: missing {missing}, "
                         f"not expected {extra}")  # fmt: skip
    return outputs


def by_format(outputs: dict[str, dict[str, Any]]) -> dict[str, dict[str, int]]:
    """How many outputs, bytes and pages each format has among ``outputs``."""
    counts: dict[str, dict[str, int]] = {}
    for spec in formats():
        mine = [o for o in outputs.values() if o["format"] == spec.name]
        counts[spec.name] = {
            "outputs": len(mine),
            "bytes": sum(o["bytes"] for o in mine),
            "pages": sum(o["pages"] or 0 for o in mine),
        }
    return counts


# --- machine facts ---------------------------------------------------------------------


def machine_facts() -> dict[str, Any]:
    """Cores, CPU, memory, and the versions of everything that renders."""
    facts: dict[str, Any] = {
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu": _cpu_model(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
    }
    for name in ("casebook", "weasyprint", "pydyf", "fonttools", "python-docx", "lxml", "pypdf"):
        try:
            facts[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            facts[name] = None
    facts["pango"] = _pango_version()
    facts["harfbuzz"] = _dpkg_version("libharfbuzz0b")
    facts["harfbuzz_subset"] = _harfbuzz_subset()
    facts["pandoc"] = _pandoc_version()
    facts["commit"] = _git("rev-parse", "HEAD")
    facts["uncommitted_changes_in_casebook"] = bool(_git("status", "--porcelain", "casebook"))
    return facts


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _pango_version() -> str | None:
    try:
        from weasyprint.text.ffi import pango

        number = int(pango.pango_version())
        return f"{number // 10000}.{number // 100 % 100}.{number % 100}"
    except Exception:  # the bindings' API is not public; fall back to the package manager
        return _dpkg_version("libpango-1.0-0")


def _harfbuzz_subset() -> bool | None:
    try:
        from weasyprint.text.ffi import harfbuzz_subset

        return harfbuzz_subset is not None
    except Exception:
        return None


def _dpkg_version(package: str) -> str | None:
    if shutil.which("dpkg-query") is None:
        return None
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", package],
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip() or None


def _pandoc() -> str | None:
    try:
        import pypandoc  # type: ignore[import-untyped]

        return str(pypandoc.get_pandoc_path())
    except Exception:
        return shutil.which("pandoc")


def _pandoc_version() -> str | None:
    pandoc = _pandoc()
    if pandoc is None:
        return None
    proc = subprocess.run([pandoc, "--version"], capture_output=True, text=True, check=False)
    return proc.stdout.split("\n", 1)[0].removeprefix("pandoc ").strip() or None


def _git(*args: str) -> str | None:
    proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


# --- 0. components: what every process pays before it renders ---------------------------


def measure_components(settings: Settings) -> dict[str, Any]:
    """Python start-up, renderer imports, and ``build.py check`` as whole processes."""
    python = sys.executable
    commands: dict[str, list[str | Path]] = {
        "python_startup": [python, "-c", "pass"],
        "import_weasyprint": [python, "-c", "import weasyprint"],
        "import_docx": [python, "-c", "import docx"],
        "check": [
            python,
            settings.project / "build.py",
            "check",
            "--content",
            settings.content,
            "--layouts",
            settings.layouts,
        ],
    }
    result: dict[str, Any] = {}
    for name, command in commands.items():

        def once(_: int, command: list[str | Path] = command) -> tuple[float, float]:
            wall, cpu, _proc = run_process(command)
            return wall, cpu

        result[name] = repeat(settings, once, name).to_json()
    return result


# --- 2. the limit: the renderers' own work ---------------------------------------------


# The formats measured part by part; every other format is measured as its whole render.
_PARTS = ("pdf", "docx", "docx_save")


def measure_limit(settings: Settings) -> dict[str, Any]:
    """The renderers' own time for every pack and every format, in this one warm process.

    A first pass runs casebook's own ``render_pdf`` for every pack (timed once). The PDF's
    limit is WeasyPrint alone on the HTML ``render_html`` gives (render_pdf lays it out
    once), with casebook's options and fetcher (``pdf_options``, ``weasyprint_html``); the
    Word file's is python-docx saving the package. Every other format (case cards, large
    print, plug-ins) counts its whole render function as its limit: the cards' fitting
    layouts are WeasyPrint's work that the format needs, and large print is one template and
    one layout, like the PDF.
    """
    import io

    import docx.document
    from pypdf import PdfReader

    from casebook.content import load_corpus
    from casebook.document import compose_pack
    from casebook.layout import load_layout
    from casebook.packs import select_packs
    from casebook.pdf import pdf_options, render_html, render_pdf, weasyprint_html
    from casebook.renderers import load_render
    from casebook.word import render_docx

    others = {spec.name: load_render(spec) for spec in formats() if spec.name not in _PARTS}
    parts = (*_PARTS, *others)

    corpus = load_corpus(settings.content)
    layout = load_layout(settings.layouts, None)
    documents = {p.id: compose_pack(p, corpus) for p in select_packs(corpus)}
    options = pdf_options()

    html = {
        pid: render_html(document, layout, settings.content) for pid, document in documents.items()
    }
    casebook_render = Series()
    own: dict[str, tuple[float, float]] = {}
    for pid, document in documents.items():
        started = time.perf_counter(), time.process_time()
        render_pdf(document, layout, settings.content)
        own[pid] = (time.perf_counter() - started[0], time.process_time() - started[1])
    wall = sum(w for w, _ in own.values())
    cpu = sum(c for _, c in own.values())
    casebook_render.add(wall, cpu)
    _progress(f"limit: casebook render_pdf, all packs {wall:.2f} s")

    def pure_pdf(pack_id: str) -> bytes:
        data = weasyprint_html(html[pack_id], layout, settings.content).write_pdf(**options)
        assert isinstance(data, bytes)
        return data

    saves: list[tuple[float, float]] = []
    original_save = docx.document.Document.save

    def timed_save(self: Any, path_or_stream: Any) -> None:
        started = time.perf_counter(), time.process_time()
        try:
            original_save(self, path_or_stream)
        finally:
            saves.append((time.perf_counter() - started[0], time.process_time() - started[1]))

    per_pack: dict[str, dict[str, Series]] = {
        pid: {name: Series() for name in parts} for pid in documents
    }
    totals = {name: Series() for name in parts}
    pages: dict[str, dict[str, int | None]] = {pid: {} for pid in documents}
    docx.document.Document.save = timed_save  # type: ignore[method-assign]
    try:
        for i in range(settings.warmup + settings.repeat):
            run = {name: [0.0, 0.0] for name in parts}
            for pid, document in documents.items():
                started = time.perf_counter(), time.process_time()
                data = pure_pdf(pid)
                pdf_time = (time.perf_counter() - started[0], time.process_time() - started[1])
                pages[pid]["pdf"] = len(PdfReader(io.BytesIO(data)).pages)  # for the report only
                saves.clear()
                started = time.perf_counter(), time.process_time()
                render_docx(document, layout, settings.content)
                docx_time = (time.perf_counter() - started[0], time.process_time() - started[1])
                save_time = (sum(s[0] for s in saves), sum(s[1] for s in saves))
                timed = [("pdf", pdf_time), ("docx", docx_time), ("docx_save", save_time)]
                for name, render in others.items():
                    started = time.perf_counter(), time.process_time()
                    _data, pages[pid][name] = render(document, layout, settings.content)
                    timed.append(
                        (name, (time.perf_counter() - started[0], time.process_time() - started[1]))
                    )
                for name, (wall, cpu) in timed:
                    run[name][0] += wall
                    run[name][1] += cpu
                    if i >= settings.warmup:
                        per_pack[pid][name].add(wall, cpu)
            if i >= settings.warmup:
                for name, (wall, cpu) in run.items():
                    totals[name].add(wall, cpu)
            shown = ", ".join(f"{name} {run[name][0]:.2f} s" for name in parts)
            _progress(f"limit: run {i + 1}/{settings.warmup + settings.repeat} {shown}")
    finally:
        docx.document.Document.save = original_save  # type: ignore[method-assign]

    def total(names: Sequence[str], kind: str = "wall") -> float:
        return round(
            sum(totals[n].median if kind == "wall" else totals[n].cpu_median for n in names), 4
        )

    # What each format's outputs cost at the least: the PDF's WeasyPrint, the Word file's
    # save, every other format's whole render; and the renderers' whole work.
    limit_parts = ("pdf", "docx_save", *others)
    renderer_parts = ("pdf", "docx", *others)
    return {
        "pdf_options": options,
        "casebook_render_pdf": casebook_render.to_json(),
        "formats": ["pdf", "docx", *others],
        "totals": {name: s.to_json() for name, s in totals.items()},
        "limit_wall": total(limit_parts),
        "limit_cpu": total(limit_parts, "cpu"),
        "renderers_wall": total(renderer_parts),
        "renderers_cpu": total(renderer_parts, "cpu"),
        # The same for the PDF and Word files alone, as measured before there were others.
        "limit_wall_pdf_docx": total(("pdf", "docx_save")),
        "renderers_wall_pdf_docx": total(("pdf", "docx")),
        "packs": {
            pid: {
                "cases": len(documents[pid].cases),
                "pages": pages[pid]["pdf"],
                "pages_by_format": {n: p for n, p in pages[pid].items() if p is not None},
                "render_pdf_wall_once": round(own[pid][0], 4),
                "render_pdf_cpu_once": round(own[pid][1], 4),
                "pdf_wall": round(series["pdf"].median, 4),
                "pdf_cpu": round(series["pdf"].cpu_median, 4),
                "docx_wall": round(series["docx"].median, 4),
                "docx_cpu": round(series["docx"].cpu_median, 4),
                "docx_save_wall": round(series["docx_save"].median, 4),
                # The time each format's output of this pack takes to render.
                "render_wall": {
                    name: round(series[name].median, 4) for name in ("pdf", "docx", *others)
                },
            }
            for pid, series in per_pack.items()
        },
    }


def schedule(durations: Sequence[float], workers: int) -> float:
    """The makespan of largest-first scheduling of ``durations`` on ``workers``."""
    loads = [0.0] * max(1, workers)
    for d in sorted(durations, reverse=True):
        loads[loads.index(min(loads))] += d
    return max(loads)


# --- 1. cold builds --------------------------------------------------------------------


def measure_cold(settings: Settings, jobs: Sequence[int]) -> dict[str, Any]:
    """``build --force --jobs N`` into an empty output folder, as a whole process, for each
    N in ``jobs``; the runs alternate between the Ns, so that other load on the machine
    falls on all of them alike. Every format of every pack is built (and checked to be)."""
    jobs = tuple(dict.fromkeys(jobs))
    series = {n: Series() for n in jobs}
    outputs: dict[str, dict[str, Any]] = {}
    total = settings.warmup + settings.repeat
    for i in range(total):
        for n in jobs:
            with _scratch(settings, f"cold-j{n}") as out:
                command = build_command(
                    settings, settings.content, settings.layouts, out / "dist", "--force"
                )
                wall, cpu, _proc = run_process([*command, "--jobs", str(n)])
                outputs = check_outputs(out / "dist")
            if i >= settings.warmup:
                series[n].add(wall, cpu)
            _progress(f"cold build --jobs {n}: run {i + 1}/{total} {wall:.2f} s")
    return {
        f"cold_jobs_{n}": {
            **series[n].to_json(),
            "jobs": n,
            "outputs": len(outputs),
            "pdf_pages": sum(o["pages"] or 0 for o in outputs.values()),
            "formats": by_format(outputs),
        }
        for n in jobs
    }


# --- 3. no-op rebuild ------------------------------------------------------------------


def measure_noop(settings: Settings) -> dict[str, Any]:
    """``build`` with nothing changed, as a whole process, over every format's outputs;
    checks nothing was rebuilt."""
    with _scratch(settings, "noop") as scratch:
        out = scratch / "dist"
        run_process(build_command(settings, settings.content, settings.layouts, out))
        before = check_outputs(out)
        command = build_command(settings, settings.content, settings.layouts, out)

        def once(_: int) -> tuple[float, float]:
            wall, cpu, _proc = run_process(command)
            return wall, cpu

        series = repeat(settings, once, "no-op build")
        rebuilt = sorted(p for p, o in _manifest_outputs(out).items() if before.get(p, {}) != o)
        # Which renderer modules a no-op loads (it should load neither).
        _, _, proc = run_process([sys.executable, "-X", "importtime", *command[1:]])
        imports = _import_times(proc.stderr)
    return {
        **series.to_json(),
        "outputs": len(before),
        "formats": {name: f["outputs"] for name, f in by_format(before).items()},
        "rebuilt": rebuilt,
        "imports_weasyprint": "weasyprint" in imports,
        "imports_docx": "docx" in imports,
        "slowest_imports": sorted(imports.items(), key=lambda kv: -kv[1])[:8],
    }


def _import_times(stderr: str) -> dict[str, float]:
    """Top-level packages and their cumulative import seconds, from ``-X importtime``."""
    times: dict[str, float] = {}
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)", line)
        if match and not match.group(2):  # a top-level import (not nested)
            top = match.group(3).split(".")[0]
            times[top] = round(times.get(top, 0.0) + int(match.group(1)) / 1e6, 4)
    return times


# --- 4. one-case edit ------------------------------------------------------------------


def pick_case(content: Path) -> tuple[str, tuple[str, ...]]:
    """The case in the most packs (largest packs first on a tie), and those packs' ids."""
    from casebook.content import load_corpus
    from casebook.packs import select_packs

    corpus = load_corpus(content)
    packs = select_packs(corpus)
    best: tuple[tuple[int, int], str, tuple[str, ...]] | None = None
    for case in corpus.cases:
        holding = tuple(p.id for p in packs if case in p.cases)
        score = (len(holding), sum(len(p.cases) for p in packs if case in p.cases))
        if best is None or score > best[0]:
            best = (score, case.id, holding)
    assert best is not None
    return best[1], best[2]


def measure_edit(settings: Settings, limit: dict[str, Any] | None) -> dict[str, Any]:
    """Change one case's text in a copy of the project and rebuild (default --jobs): every
    format of every pack that shows the case is written again, and nothing else."""
    with _scratch(settings, "edit") as project:
        content = project / "content"
        layouts = project / "layouts"
        shutil.copytree(settings.content, content)
        shutil.copytree(settings.layouts, layouts)
        out = project / "dist"
        run_process(build_command(settings, content, layouts, out))
        check_outputs(out)
        case_id, packs = pick_case(content)
        path = content / "cases" / f"{case_id}.md"
        original = path.read_text(encoding="utf-8")
        expected = expected_outputs(packs)
        rebuilt_each: list[list[str]] = []

        def once(i: int) -> tuple[float, float]:
            before = _manifest_outputs(out)
            # A different sentence each time, so every run really changes the case.
            path.write_text(
                original.rstrip("\n") + f" Revised for benchmark run {i + 1}.\n", encoding="utf-8"
            )
            wall, cpu, _proc = run_process(build_command(settings, content, layouts, out))
            after = _manifest_outputs(out)
            rebuilt_each.append(
                sorted(
                    p for p, o in after.items() if before.get(p, {}).get("sha256") != o["sha256"]
                )
            )
            return wall, cpu

        series = repeat(settings, once, f"one-case edit ({case_id})")
    result: dict[str, Any] = {
        **series.to_json(),
        "case": case_id,
        "packs": list(packs),
        "expected_outputs": expected,
        "rebuilt_outputs": rebuilt_each[-1],
        "rebuilt_exactly_expected": all(r == expected for r in rebuilt_each),
    }
    # The render time of each output the edit writes, from the limit measurement.
    renders = {
        f"{p}{spec.suffix}": limit["packs"][p]["render_wall"][spec.name]
        for p in packs
        for spec in formats()
        if limit is not None
        and spec.name in limit.get("packs", {}).get(p, {}).get("render_wall", {})
    }
    if renders:
        critical = max(renders, key=lambda k: renders[k])
        result["critical_path"] = {"output": critical, "render_wall": renders[critical]}
        result["affected_render_sum"] = round(sum(renders.values()), 4)
    return result


# --- 5. the pandoc peer ----------------------------------------------------------------


def pack_markdown(content: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each pack as one Markdown file (title, then per case: heading, body, citation)."""
    from casebook.content import load_corpus
    from casebook.packs import select_packs

    corpus = load_corpus(content)
    bodies = {c.id: c.body for c in synth.read_cases(content)}
    result: dict[str, tuple[str, tuple[str, ...]]] = {}
    for pack in select_packs(corpus):
        parts = [f"# {pack.title}\n"]
        for case in pack.cases:
            # Figures missing from this edition keep their description, as in our packs.
            body = re.sub(
                r"!\[([^\]]*)\]\(\)", r"*Figure not available in this edition:* \1", bodies[case.id]
            )
            citation = corpus.source.cite(case.page)
            parts.append(f"## {case.heading}\n\n{body.strip()}\n\n*{citation}*\n")
        result[pack.id] = ("\n".join(parts), tuple(c.id for c in pack.cases))
    return result


def measure_peer(settings: Settings) -> dict[str, Any]:
    """The same packs through pandoc: Markdown → .docx, and → PDF with WeasyPrint."""
    pandoc = _pandoc()
    weasyprint = shutil.which("weasyprint") or str(Path(sys.executable).parent / "weasyprint")
    if pandoc is None:
        raise BenchError("pandoc not found: install the bench extra (pypandoc-binary)")
    if not Path(weasyprint).is_file():
        raise BenchError("the weasyprint command is not on PATH")
    packs = pack_markdown(settings.content)
    per_pack: dict[str, dict[str, Series]] = {
        pid: {"pdf": Series(), "docx": Series()} for pid in packs
    }
    with _scratch(settings, "peer") as scratch:
        sources = {}
        for pid, (text, _cases) in packs.items():
            sources[pid] = scratch / f"{pid}.md"
            sources[pid].write_text(text, encoding="utf-8")

        def once(i: int) -> tuple[float, float]:
            wall = cpu = 0.0
            for pid, source in sources.items():
                for fmt, extra in (
                    ("docx", []),
                    ("pdf", [f"--pdf-engine={weasyprint}", "-M", f"pagetitle={pid}"]),
                ):
                    # pandoc leaves its intermediate HTML in the working folder.
                    w, c, _proc = run_process(
                        [pandoc, source, "-f", "markdown", "-o", scratch / f"{pid}.{fmt}", *extra],
                        cwd=scratch,
                    )
                    wall += w
                    cpu += c
                    if i >= settings.warmup:
                        per_pack[pid][fmt].add(w, c)
            return wall, cpu

        series = repeat(settings, once, "pandoc peer")
    return {
        **series.to_json(),
        "packs": {
            pid: {fmt: round(s.median, 4) for fmt, s in formats.items()}
            for pid, formats in per_pack.items()
        },
        "pdf_wall": round(sum(f["pdf"].median for f in per_pack.values()), 4),
        "docx_wall": round(sum(f["docx"].median for f in per_pack.values()), 4),
    }


# --- 6. scaling ------------------------------------------------------------------------


def measure_scaling(settings: Settings) -> list[dict[str, Any]]:
    """The largest pack of synthetic content of each size, rendered in a fresh process."""
    results: list[dict[str, Any]] = []
    for index, size in enumerate(settings.sizes):
        with _scratch(settings, f"synthetic-{size}") as scratch:
            content = synth.generate(settings.content, scratch / "content", size)
            runs: list[dict[str, Any]] = []
            warmup = settings.warmup if index == 0 else 0  # later sizes start warm
            for i in range(warmup + settings.repeat):
                _, _, proc = run_process(
                    [
                        sys.executable,
                        settings.project / "bench" / "worker.py",
                        "render",
                        content,
                        settings.layouts,
                        PROFILE_PACK,
                    ]
                )
                run = json.loads(proc.stdout)
                _progress(
                    f"scaling {size} cases: run {i + 1}/{warmup + settings.repeat} "
                    f"{run['pages']} pages, pdf {run['pdf_wall']:.2f} s"
                )
                if i >= warmup:
                    runs.append(run)
        pdf = Series([r["pdf_wall"] for r in runs], [r["pdf_cpu"] for r in runs])
        docx = Series([r["docx_wall"] for r in runs], [r["docx_cpu"] for r in runs])
        others = {
            name: Series(
                [r["formats"][name]["wall"] for r in runs],
                [r["formats"][name]["cpu"] for r in runs],
            ).to_json()
            | {"pages": runs[0]["formats"][name]["pages"]}
            for name in runs[0].get("formats", {})
        }
        pages = runs[0]["pages"]
        results.append(
            {
                "cases": size,
                "pack": PROFILE_PACK,
                "pack_cases": runs[0]["cases"],
                "pages": pages,
                "pdf": pdf.to_json(),
                "docx": docx.to_json(),
                "formats": others,
                "pdf_ms_per_page_wall": round(1000 * pdf.median / pages, 2),
                "pdf_ms_per_page_cpu": round(1000 * pdf.cpu_median / pages, 2),
                "docx_ms_per_case_cpu": round(1000 * docx.cpu_median / runs[0]["cases"], 2),
                "load_and_compose_wall": round(statistics.median(r["load_wall"] for r in runs), 4),
                "peak_rss_mib": round(max(r["maxrss_kib"] for r in runs) / 1024, 1),
            }
        )
    return results


# --- the profile -----------------------------------------------------------------------

_COMPONENTS = (
    ("weasyprint/layout", "WeasyPrint layout"),
    ("weasyprint/text", "WeasyPrint text (Pango glue)"),
    ("weasyprint/draw", "WeasyPrint drawing"),
    ("weasyprint/pdf", "WeasyPrint PDF writing and font subsetting"),
    ("weasyprint/css", "WeasyPrint CSS cascade"),
    ("weasyprint/formatting_structure", "WeasyPrint box building"),
    ("weasyprint/", "WeasyPrint other"),
    ("fontTools/", "fontTools"),
    ("pydyf/", "pydyf (PDF objects)"),
    ("tinycss2/", "tinycss2 (CSS parsing)"),
    ("cssselect2/", "cssselect2 (selector matching)"),
    ("html5lib/", "html5lib (HTML parsing)"),
    ("webencodings/", "html5lib (HTML parsing)"),
    ("pypdf/", "pypdf (page count)"),
    ("docx/", "python-docx"),
    ("lxml/", "lxml"),
    ("jinja2/", "Jinja2"),
    ("markupsafe/", "Jinja2"),
    ("markdown_it/", "markdown-it"),
    ("yaml/", "PyYAML"),
    ("casebook/", "Casebook"),
    ("zipfile", "zip (Word package)"),
    ("zlib", "zlib"),
    ("<frozen", "imports"),
    ("importlib", "imports"),
)
_NATIVE = re.compile(r"(pango|hb_|harfbuzz|g_|fc|Fc|cairo)")


def _component(filename: str, function: str) -> str:
    if filename == "~":
        if _NATIVE.search(function):
            return "Pango/HarfBuzz/fontconfig (C, via cffi)"
        if "zlib" in function or "compress" in function:
            return "zlib"
        if "lxml" in function:
            return "lxml"
        return "other built-ins"
    for marker, name in _COMPONENTS:
        if marker in filename:
            return name
    return "other Python"


def measure_profile(settings: Settings) -> dict[str, Any]:
    """cProfile of one process rendering the largest pack in every format, imports included."""
    with _scratch(settings, "profile") as scratch:
        stats_file = scratch / "render.prof"
        _, _, proc = run_process(
            [
                sys.executable,
                settings.project / "bench" / "worker.py",
                "profile",
                settings.content,
                settings.layouts,
                PROFILE_PACK,
                stats_file,
            ]
        )
        stats = pstats.Stats(str(stats_file))
    steps = json.loads(proc.stdout)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())  # sum of own (tottime) seconds
    by_component: dict[str, float] = {}
    functions: list[tuple[float, float, str]] = []
    for (filename, line, function), (_cc, _nc, own, cumulative, _callers) in raw.items():
        name = _component(filename, function)
        by_component[name] = by_component.get(name, 0.0) + own
        short = filename if filename == "~" else "/".join(Path(filename).parts[-2:])
        functions.append((own, cumulative, f"{short}:{line}({function})"))
    return {
        "pack": PROFILE_PACK,
        "steps": {k: round(v, 4) for k, v in steps.items() if isinstance(v, float)},
        "profiled_seconds": round(total, 3),
        "by_component": [
            {"component": k, "seconds": round(v, 3), "share": round(v / total, 3)}
            for k, v in sorted(by_component.items(), key=lambda kv: -kv[1])
        ],
        "top_own_time": [
            {"function": f, "own": round(o, 3), "cumulative": round(c, 3)}
            for o, c, f in sorted(functions, reverse=True)[:15]
        ],
    }


# --- ratios and targets ----------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def evaluate(results: dict[str, Any], jobs: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The issue's ratios, and each target with the value measured and whether it is met."""
    m = results["measurements"]

    def med(name: str, kind: str = "wall", statistic: str = "median") -> float | None:
        entry = m.get(name)
        if not entry or "error" in entry or kind not in entry:
            return None
        return float(entry[kind][statistic])

    limit = m.get("limit") if "error" not in m.get("limit", {"error": 1}) else None
    cold1, coldn = med("cold_jobs_1"), med(f"cold_jobs_{jobs}")
    noop, edit, peer = med("noop"), med("edit"), med("peer")
    ratios: dict[str, Any] = {
        "pipeline_overhead": _ratio(cold1, limit["limit_wall"] if limit else None),
        "pipeline_overhead_cpu": _ratio(
            med("cold_jobs_1", "cpu"), limit["limit_cpu"] if limit else None
        ),
        "pipeline_overhead_vs_whole_renderers": _ratio(
            cold1, limit["renderers_wall"] if limit else None
        ),
        "speedup_jobs_n": _ratio(cold1, coldn),
        # From each build's fastest run, the one least slowed by other work on the machine.
        "parallel_efficiency_fastest_runs": _ratio(
            _ratio(med("cold_jobs_1", "wall", "min"), med(f"cold_jobs_{jobs}", "wall", "min")),
            jobs,
        ),
        "pipeline_overhead_fastest_runs": _ratio(
            med("cold_jobs_1", "wall", "min"),
            sum(
                limit["totals"][name]["wall"]["min"]
                for name in ("pdf", "docx_save", *limit.get("formats", ())[2:])
            )
            if limit
            else None,
        ),
        # CPU seconds per wall second: below the job count, the build waited (for a core
        # other work held, or for its own slowest output).
        "cores_used_jobs_1": _ratio(med("cold_jobs_1", "cpu"), cold1),
        "cores_used_jobs_n": _ratio(med(f"cold_jobs_{jobs}", "cpu"), coldn),
        "parallel_efficiency": _ratio(_ratio(cold1, coldn), jobs),
        "noop_to_cold": _ratio(noop, coldn),
        "edit_to_cold": _ratio(edit, coldn),
        "peer_to_ours_jobs_n": _ratio(peer, coldn),
        "peer_to_ours_jobs_1": _ratio(peer, cold1),
    }
    if limit:
        durations = [
            wall
            for p in limit["packs"].values()
            for wall in p.get(
                "render_wall", {"pdf": p["pdf_wall"], "docx": p["docx_wall"]}
            ).values()
        ]
        makespan = schedule(durations, jobs)
        ratios["best_speedup_largest_first"] = _ratio(sum(durations), makespan)
        ratios["best_efficiency_largest_first"] = _ratio(_ratio(sum(durations), makespan), jobs)
    critical = None
    edit_entry = m.get("edit", {})
    if "critical_path" in edit_entry:
        critical = float(edit_entry["critical_path"]["render_wall"])
        ratios["edit_to_critical_path"] = _ratio(edit, critical)
    peer_entry = m.get("peer", {})
    peer_edit = None
    if "packs" in peer_entry and "packs" in edit_entry:
        peer_edit = sum(sum(peer_entry["packs"][p].values()) for p in edit_entry["packs"])
        ratios["peer_edit_affected_packs"] = round(peer_edit, 4)
        ratios["peer_edit_to_ours"] = _ratio(peer_edit, edit)
    scaling = m.get("scaling")
    first = last = None
    if isinstance(scaling, list) and len(scaling) >= 2:
        first, last = scaling[0], scaling[-1]
        ratios["ms_per_page_largest_to_smallest"] = _ratio(
            last["pdf_ms_per_page_wall"], first["pdf_ms_per_page_wall"]
        )
        ratios["ms_per_page_largest_to_smallest_cpu"] = _ratio(
            last["pdf_ms_per_page_cpu"], first["pdf_ms_per_page_cpu"]
        )

    def target(name: str, wanted: str, value: Any, met: bool | None) -> dict[str, Any]:
        return {"target": name, "wanted": wanted, "measured": value, "met": met}

    targets = [
        target(
            "pipeline overhead",
            "≤ 1.10",
            ratios["pipeline_overhead"],
            None if ratios["pipeline_overhead"] is None else ratios["pipeline_overhead"] <= 1.10,
        ),
        target(
            f"parallel efficiency on {jobs} cores",
            "≥ 0.85",
            ratios["parallel_efficiency"],
            None
            if ratios["parallel_efficiency"] is None
            else ratios["parallel_efficiency"] >= 0.85,
        ),
        target("no-op rebuild", "≤ 0.3 s", noop, None if noop is None else noop <= 0.3),
        target(
            "no-op rebuild / cold build",
            "≤ 0.05",
            ratios["noop_to_cold"],
            None if ratios["noop_to_cold"] is None else ratios["noop_to_cold"] <= 0.05,
        ),
        target(
            "one-case edit",
            "≤ 1.2 × critical path + 0.3 s"
            + (f" = {1.2 * critical + 0.3:.2f} s" if critical is not None else ""),
            edit,
            None if edit is None or critical is None else edit <= 1.2 * critical + 0.3,
        ),
        target(
            "faster than pandoc, full build",
            "peer / ours > 1",
            ratios["peer_to_ours_jobs_n"],
            None if ratios["peer_to_ours_jobs_n"] is None else ratios["peer_to_ours_jobs_n"] > 1,
        ),
        target(
            "far faster than pandoc, one-case edit",
            f"peer / ours ≥ {FAR_FASTER:g}",
            ratios.get("peer_edit_to_ours"),
            None
            if ratios.get("peer_edit_to_ours") is None
            else ratios["peer_edit_to_ours"] >= FAR_FASTER,
        ),
        target(
            "time per page, largest / smallest content",
            "≤ 1.2",
            ratios.get("ms_per_page_largest_to_smallest"),
            None
            if ratios.get("ms_per_page_largest_to_smallest") is None
            else ratios["ms_per_page_largest_to_smallest"] <= 1.2,
        ),
        target(
            "peak memory per worker",
            "< 1024 MiB",
            None if last is None else max(s["peak_rss_mib"] for s in scaling),
            None if last is None else max(s["peak_rss_mib"] for s in scaling) < 1024,
        ),
    ]
    return ratios, targets


# --- the table -------------------------------------------------------------------------


def print_report(results: dict[str, Any]) -> None:
    """The measurements, ratios and targets as tables on stdout."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 110)
    table = Table(title="Casebook benchmark (seconds)")
    for column in ("measurement", "n", "median", "min", "max", "CPU median"):
        table.add_column(column, justify="left" if column == "measurement" else "right")
    rows: list[tuple[str, dict[str, Any]]] = []
    m = results["measurements"]
    for name, entry in m.get("components", {}).items():
        rows.append((f"start-up: {name}", entry))
    if "totals" in m.get("limit", {}):
        for name, entry in m["limit"]["totals"].items():
            kind = "pure" if name in _PARTS else "whole render of"
            rows.append((f"limit: {kind} {name} (all packs, warm)", entry))
    for name in sorted(k for k in m if k.startswith("cold_jobs_")):
        rows.append((name.replace("_", " "), m[name]))
    for name in ("noop", "edit", "peer"):
        if name in m:
            rows.append((name, m[name]))
    for name, entry in rows:
        if "error" in entry:
            table.add_row(name, "", "error", "", "", "")
            continue
        wall, cpu = entry["wall"], entry["cpu"]
        table.add_row(
            name,
            str(entry["n"]),
            f"{wall['median']:.3f}",
            f"{wall['min']:.3f}",
            f"{wall['max']:.3f}",
            f"{cpu['median']:.3f}",
        )
    console.print(table)
    if isinstance(m.get("scaling"), list):
        scaling = Table(title=f"Scaling: the {PROFILE_PACK} pack of synthetic content")
        for column in (
            "cases",
            "pages",
            "PDF s",
            "ms/page",
            "ms/page CPU",
            "Word s",
            "peak RSS MiB",
        ):
            scaling.add_column(column, justify="right")
        for s in m["scaling"]:
            scaling.add_row(
                str(s["cases"]),
                str(s["pages"]),
                f"{s['pdf']['wall']['median']:.2f}",
                f"{s['pdf_ms_per_page_wall']:.1f}",
                f"{s['pdf_ms_per_page_cpu']:.1f}",
                f"{s['docx']['wall']['median']:.2f}",
                f"{s['peak_rss_mib']:.0f}",
            )
        console.print(scaling)
    ratios = Table(title="Ratios")
    ratios.add_column("ratio")
    ratios.add_column("value", justify="right")
    for name, value in results["ratios"].items():
        ratios.add_row(name.replace("_", " "), "–" if value is None else f"{value:g}")
    console.print(ratios)
    targets = Table(title="Targets (issue 7)")
    for column in ("target", "wanted", "measured", "met"):
        targets.add_column(column)
    for t in results["targets"]:
        met = {True: "met", False: "MISSED", None: "not measured"}[t["met"]]
        value = t["measured"]
        shown = "–" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
        targets.add_row(t["target"], t["wanted"], shown, met)
    console.print(targets)
    if "profile" in m and "by_component" in m["profile"]:
        profile = Table(title=f"Where a render of {PROFILE_PACK} spends its time (cProfile)")
        profile.add_column("component")
        profile.add_column("own s", justify="right")
        profile.add_column("share", justify="right")
        for row in m["profile"]["by_component"][:12]:
            profile.add_row(row["component"], f"{row['seconds']:.2f}", f"{row['share']:.0%}")
        console.print(profile)


# --- main ------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Measure Casebook's build against its renderers' limit and a pandoc peer."
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one repetition, no warm-up, "
        "no 540-case scaling; results are printed, not saved unless --out",
    )
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (default: 5)")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up runs (default: 1)")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="the N of --jobs N (default: the number of cores)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=MEASUREMENTS,
        default=list(MEASUREMENTS),
        help="measure only these",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(SIZES),
        help="synthetic content sizes in cases (default: 54 270 540)",
    )
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--layouts", type=Path, default=ROOT / "layouts")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results file (default: bench/results.json; none with --quick)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="RESULTS",
        help="measure nothing: recompute the ratios of a results file, print its tables "
        "and write it back",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the tables and write the results file."""
    args = _parser().parse_args(argv)
    if args.report is not None:
        stored: dict[str, Any] = json.loads(args.report.read_text(encoding="utf-8"))
        stored["ratios"], stored["targets"] = evaluate(stored, stored["settings"]["jobs"])
        print_report(stored)
        args.report.write_text(
            json.dumps(stored, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        return 0
    quick = bool(args.quick)
    sizes = tuple(s for s in args.sizes if not quick or s < 540)
    out: Path | None = args.out or (None if quick else BENCH / "results.json")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="casebook-bench-") as work:
        project = snapshot(Path(work), args.content.resolve(), args.layouts.resolve())
        # Everything below, in this process and the ones it starts, uses the snapshot.
        sys.path.insert(0, str(project))
        settings = Settings(
            repeat=1 if quick else max(1, args.repeat),
            warmup=0 if quick else max(0, args.warmup),
            jobs=max(1, args.jobs),
            sizes=sizes,
            quick=quick,
            content=project / "content",
            layouts=project / "layouts",
            work=Path(work),
            project=project,
        )
        results: dict[str, Any] = {
            "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": machine_facts(),
            "settings": {
                "repeat": settings.repeat,
                "warmup": settings.warmup,
                "jobs": settings.jobs,
                "sizes": list(settings.sizes),
                "quick": quick,
                "content": _shown(args.content),
                "layouts": _shown(args.layouts),
            },
            "load_average": {"start": list(os.getloadavg())},
            "measurements": {},
        }
        m: dict[str, Any] = results["measurements"]
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("components", lambda: measure_components(settings)),
            ("limit", lambda: measure_limit(settings)),
            ("cold", lambda: measure_cold(settings, (1, settings.jobs))),
            ("noop", lambda: measure_noop(settings)),
            ("edit", lambda: measure_edit(settings, m.get("limit"))),
            ("peer", lambda: measure_peer(settings)),
            ("scaling", lambda: measure_scaling(settings)),
            ("profile", lambda: measure_profile(settings)),
        ]
        for name, measure in steps:
            if name not in args.only:
                continue
            load = round(os.getloadavg()[0], 2)
            _progress(f"measuring {name} (load average {load})")
            try:
                result = measure()
            except Exception as error:  # one failed measurement must not lose the others
                result = {"error": str(error)}
                _progress(f"{name} failed: {error}")
            results["load_average"][name] = load
            if name == "cold" and "error" not in result:
                m.update(result)
            else:
                m[name] = result
    results["load_average"]["end"] = list(os.getloadavg())
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["ratios"], results["targets"] = evaluate(results, settings.jobs)
    print_report(results)
    if out is not None:
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"results written to {_shown(out)} ({results['seconds']:.0f} s)")
    failed = [name for name, entry in m.items() if isinstance(entry, dict) and "error" in entry]
    for name in failed:
        print(f"{name}: {m[name]['error']}", file=sys.stderr)
    return 1 if failed else 0


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
