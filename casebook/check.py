"""``build.py check``: validate the content, the layouts and the downloads page template
without building. Imports nothing that renders and nothing POSIX-only."""

from __future__ import annotations

from pathlib import Path

from casebook.build.manifest import Manifest
from casebook.content import load_corpus
from casebook.diagnostics import ContentError, Diagnostic
from casebook.glyphs import uncovered_characters
from casebook.layout import load_layout
from casebook.model import Corpus, Pack
from casebook.packs import check_pack_ids, select_packs
from casebook.site import render_site_in_time
from casebook.templates import check_templates, render_problems

__all__ = ["check_project"]


def check_project(
    content_dir: Path,
    layouts_dir: Path,
    brand: str | None = None,
    warnings: list[Diagnostic] | None = None,
    time_limit: float = 300.0,
) -> tuple[Corpus, tuple[Pack, ...]]:
    """Validate content, layouts, pack ids and the downloads page template without building;
    raise ContentError with every problem found. Warnings are appended to ``warnings``."""
    problems: list[Diagnostic] = []
    corpus: Corpus | None = None
    packs: tuple[Pack, ...] = ()
    try:
        corpus = load_corpus(content_dir, warnings)
        packs = select_packs(corpus)
        check_pack_ids(packs, Path("dist"))
    except ContentError as error:
        problems.extend(error.diagnostics)
    try:
        layout = load_layout(layouts_dir, brand)
        problems.extend(check_templates(layout))
        if corpus is not None and not problems:
            problems.extend(render_problems(layout, corpus, packs))
            if warnings is not None:
                warnings.extend(uncovered_characters(content_dir, layout))
        render_site_in_time(Manifest(), layout, time_limit)
    except ContentError as error:
        problems.extend(error.diagnostics)
    if problems or corpus is None:
        raise ContentError(dict.fromkeys(problems))  # a file two checks refuse, once
    return corpus, packs
