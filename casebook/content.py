"""Load and validate ``content/``: every problem is gathered, then reported at once.

Each kind of file has its own module: :mod:`casebook.content_files` reads files,
:mod:`casebook.fields` checks the values of their fields, :mod:`casebook.records` reads the
source, insights, places, tags, guide and editions, :mod:`casebook.cases` the cases and
:mod:`casebook.recipes` the custom pack recipes. This module puts them together in order.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from casebook.cases import read_cases
from casebook.content_files import FILE_LIMIT, FRONT_MATTER_LIMIT, ContentFiles, Problems
from casebook.diagnostics import ContentError, Diagnostic, folder_missing
from casebook.fields import LINE_LIMIT, LINE_LIMITS, LIST_LIMITS, TEXT_LIMIT
from casebook.model import NATIONS, Corpus, Edition
from casebook.recipes import read_recipes
from casebook.records import (
    read_editions,
    read_guide,
    read_insights,
    read_places,
    read_source,
    read_tags,
)

__all__ = [
    "FILE_LIMIT",
    "FRONT_MATTER_LIMIT",
    "LINE_LIMIT",
    "LINE_LIMITS",
    "LIST_LIMITS",
    "NATIONS",
    "TEXT_LIMIT",
    "load_corpus",
]


def load_corpus(
    root: Path, warnings: list[Diagnostic] | None = None, *, unpublished: bool = False
) -> Corpus:
    """Load everything under ``root`` (a content folder). Raises ContentError listing every
    problem; problems that do not stop a build are appended to ``warnings``. ``unpublished``
    accepts content without a recorded edition (to publish the first one)."""
    problems = Problems()
    corpus = _load(root, problems, unpublished)
    errors = [d for d in problems.diagnostics if d.severity == "error"]
    if warnings is not None:
        warnings.extend(d for d in problems.diagnostics if d.severity == "warning")
    if errors or corpus is None:
        raise ContentError(errors or problems.diagnostics)
    return corpus


def _load(root: Path, problems: Problems, unpublished: bool) -> Corpus | None:
    """Read every file, each kind after those it refers to; the Corpus, or None when any
    error was found."""
    if not root.is_dir():
        problems.extend([folder_missing(root, "content")])
        return None
    files = ContentFiles(root, problems)
    files.folder_links()
    source = read_source(files)
    insight_lines: dict[str, int] = {}
    insights = read_insights(files, insight_lines)
    places = read_places(files)
    tags = read_tags(files)
    guide = read_guide(files)
    editions = read_editions(files, unpublished)
    published = dict(editions[-1].cases) if editions else {}
    cases, case_files = read_cases(files, insights, places, tags, published)
    if editions:
        from casebook.editions import renamed_cases

        problems.extend(renamed_cases(cases, editions[-1]))
    recipes = read_recipes(files, insights, places, tags, cases, case_files)
    if problems.has_errors():
        return None
    assert insights is not None
    for insight in insights:
        if not any(case.insight == insight.id for case in cases):
            problems.warn(
                files.rel(root / "insights.yaml"),
                insight_lines.get(insight.id, 0),
                f"insight '{insight.id}' has no case yet, so it has no pack; a case joins it "
                f"with 'insight: {insight.id}' in its front matter",
            )
    if editions:
        assert source is not None
        source = replace(source, edition=Edition(editions[-1].label, editions[-1].date))
    assert source and guide and insights is not None and places is not None
    assert tags is not None
    return Corpus(
        root=str(root),
        source=source,
        insights=insights,
        places=places,
        tags=tags,
        cases=cases,
        recipes=recipes,
        guide_title=guide[0],
        guide=guide[1],
        editions=editions,
    )
