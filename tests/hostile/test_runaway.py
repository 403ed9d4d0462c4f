"""Issue classes 10 and 11: no field is long enough to turn a render into minutes, and the
Word renderer's work grows with the pack, not with its square."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from casebook.content import LINE_LIMIT, TEXT_LIMIT, load_corpus
from casebook.diagnostics import ContentError
from casebook.document import CaseGroup
from casebook.layout import load_layout
from casebook.word import render_docx

ROOT = Path(__file__).parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini" / "content"
sys.path.insert(0, str(ROOT / "tests" / "unit"))
from test_word import _case, make_document  # noqa: E402

CASE = """\
---
title: {title}
places: [Newham]
page: 20
insight: strategic-planning
tags: [strategy, integration]
prompts: ["What would a long title change in your area?", "Who would lead it where you work?"]
---
Some words.
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    return root


def errors(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_corpus(root)
    return [str(d).replace(str(root), "content") for d in info.value.diagnostics]


def test_a_thousand_word_title_is_refused_by_check(content: Path) -> None:
    title = " ".join(["word"] * 1000)
    (content / "cases" / "newham-long.md").write_text(CASE.format(title=title))
    assert errors(content) == [
        f"content/cases/newham-long.md:2: title: is 4,999 characters; a one-line field holds "
        f"at most {LINE_LIMIT}"
    ]


def test_a_title_at_the_limit_is_accepted(content: Path) -> None:
    (content / "cases" / "newham-long.md").write_text(CASE.format(title="t" * LINE_LIMIT))
    assert any(c.id == "newham-long" for c in load_corpus(content).cases)


def test_a_long_introduction_and_too_many_places_are_refused(content: Path) -> None:
    recipe = content / "packs" / "needs-and-assets.yaml"
    recipe.write_text(
        "title: Needs and assets\nintro: |\n  " + "x" * (TEXT_LIMIT + 1) + "\n"
        "select:\n  tags: [needs-assessment, community-assets]\n"
    )
    places = ", ".join(["Newham"] * 11)
    (content / "cases" / "newham-many.md").write_text(
        CASE.format(title="Many").replace("[Newham]", f"[{places}]")
    )
    assert errors(content) == [
        "content/cases/newham-many.md:3: places: lists 11 items; the limit is 10",
        "content/packs/needs-and-assets.yaml:2: intro: is 4,001 characters; a field holds at "
        "most 4,000",
    ]


def _scans(cases: int) -> dict[str, int]:
    """How often python-docx scanned the document body or the list numbering to place a new
    element, rendering a pack of ``cases`` cases: each such scan reads every element
    written so far, so a count that grows with the pack makes the render quadratic."""
    from docx.oxml.numbering import CT_Numbering
    from docx.oxml.xmlchemy import BaseOxmlElement

    counts = {"body": 0, "numbering": 0}
    original_insert = BaseOxmlElement.insert_element_before
    original_next = CT_Numbering._next_numId

    def insert(self: Any, elm: Any, *tagnames: str) -> Any:
        if self.tag.endswith("}body"):
            counts["body"] += 1
        return original_insert(self, elm, *tagnames)

    def next_num(self: Any) -> Any:
        counts["numbering"] += 1
        return original_next.fget(self)  # type: ignore[attr-defined]

    document = make_document(
        groups=(CaseGroup("", "", (), "", (), tuple(_case(i) for i in range(cases))),)
    )
    layout = load_layout(ROOT / "layouts")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseOxmlElement, "insert_element_before", insert)
        patch.setattr(CT_Numbering, "_next_numId", property(next_num))
        render_docx(document, layout)
    return counts


def test_the_word_renderer_does_not_rescan_the_document_for_every_case() -> None:
    small, large = _scans(2), _scans(12)
    assert large == small  # the action-planning table only: the same for any pack


def test_a_huge_layout_file_is_not_read_whole_to_fingerprint_it(
    mini_project: Path, run_cli: Any
) -> None:
    font = mini_project / "layouts" / "fonts" / "NotoSansHuge-Regular.ttf"
    with font.open("wb") as handle:
        handle.truncate(8 * 1024**3)  # sparse: 8 GiB that take no disk space
    result = run_cli("--only", "nation-england", "--format", "pdf", cwd=mini_project)
    assert (result.returncode, result.stderr) == (
        1,
        "layouts/fonts/NotoSansHuge-Regular.ttf:0: not read: it is 8.0 GiB, larger than the limit "
        "of 64 MiB\n",
    )
    assert not (mini_project / "dist" / "nation-england.pdf").exists()
