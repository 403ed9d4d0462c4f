"""Golden tests: the HTML fed to WeasyPrint for the mini fixture's packs, against reviewed
files in tests/golden/pdf/. After a deliberate change to the templates or the document model,
regenerate with ``CASEBOOK_UPDATE_GOLDEN=1`` (``nox -s update_golden``) and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from casebook.content import load_corpus
from casebook.document import compose_pack
from casebook.layout import load_layout
from casebook.packs import select_packs
from casebook.pdf import render_html

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini" / "content"
GOLDEN = Path(__file__).parent / "pdf"
UPDATE = os.environ.get("CASEBOOK_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize(
    ("pack_id", "brand"),
    [("all-cases", None), ("needs-and-assets", "valley-council")],
)
def test_html_matches_the_reviewed_file(pack_id: str, brand: str | None) -> None:
    corpus = load_corpus(MINI)
    [pack] = [p for p in select_packs(corpus) if p.id == pack_id]
    layout = load_layout(ROOT / "layouts", brand)
    html = render_html(compose_pack(pack, corpus), layout, MINI)
    golden = GOLDEN / f"{pack_id}{'.' + brand if brand else ''}.html"
    if UPDATE:
        golden.write_text(html, encoding="utf-8", newline="\n")
    assert golden.is_file(), f"{golden} missing: run with CASEBOOK_UPDATE_GOLDEN=1 and review it"
    assert html == golden.read_text(encoding="utf-8")
    # No machine's paths in the HTML: the same file must match in any clone.
    assert str(ROOT) not in html
