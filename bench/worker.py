"""Benchmark jobs that must run in a fresh process of their own (started by ``bench/run.py``).

``python bench/worker.py render CONTENT LAYOUTS PACK`` renders one pack in every format the
way a build worker does (load, compose, render_pdf, count pages, render_docx, then every other
registered format's render function) and prints one JSON object: the time of each step and
the process's peak resident memory.

``python bench/worker.py profile CONTENT LAYOUTS PACK OUT`` does the same under cProfile,
imports included, and writes the statistics to ``OUT`` (a ``pstats`` file).
"""

from __future__ import annotations

import cProfile
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # measure this checkout's casebook, not an installed copy

__all__ = ["main", "render_pack"]


def render_pack(content: Path, layouts: Path, pack_id: str) -> dict[str, Any]:
    """Render ``pack_id`` in every format in this process; the time of each step."""
    times: dict[str, Any] = {}

    def step(name: str, started: tuple[float, float]) -> None:
        times[f"{name}_wall"] = time.perf_counter() - started[0]
        times[f"{name}_cpu"] = time.process_time() - started[1]

    def now() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    started = now()
    from casebook.content import load_corpus
    from casebook.document import compose_pack
    from casebook.layout import load_layout
    from casebook.packs import select_packs

    corpus = load_corpus(content)
    layout = load_layout(layouts, None)
    pack = next(p for p in select_packs(corpus) if p.id == pack_id)
    document = compose_pack(pack, corpus)
    step("load", started)

    started = now()
    import weasyprint  # noqa: F401  (timed on its own: every build worker pays it once)

    from casebook.pdf import render_pdf_pages

    step("import_pdf", started)
    started = now()
    pdf, pages = render_pdf_pages(document, layout, content)
    step("pdf", started)

    started = now()
    from casebook.word import render_docx

    docx = render_docx(document, layout, content)
    step("docx", started)

    from casebook.renderers import load_render, registered

    others: dict[str, dict[str, Any]] = {}
    for spec in registered():
        if spec.name in ("pdf", "docx"):
            continue
        render = load_render(spec)
        started = now()
        data, pages_of = render(document, layout, content)
        others[spec.name] = {
            "wall": time.perf_counter() - started[0],
            "cpu": time.process_time() - started[1],
            "pages": pages_of,
            "bytes": len(data),
        }
    times.update(
        formats=others,
        cases=len(pack.cases),
        pages=pages,
        pdf_bytes=len(pdf),
        docx_bytes=len(docx),
        maxrss_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    )
    return times


def main(argv: list[str]) -> int:
    """Run one job named on the command line; print its result as JSON."""
    if len(argv) == 4 and argv[0] == "render":
        result = render_pack(Path(argv[1]), Path(argv[2]), argv[3])
    elif len(argv) == 5 and argv[0] == "profile":
        profile = cProfile.Profile()
        profile.enable()
        result = render_pack(Path(argv[1]), Path(argv[2]), argv[3])
        profile.disable()
        profile.dump_stats(argv[4])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
