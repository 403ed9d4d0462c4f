"""Golden test: the canonicalised ``word/document.xml`` of a mini fixture pack, against a
reviewed file in tests/golden/docx/. After a deliberate change to the Word renderer, the
reference template or the document model, regenerate with ``CASEBOOK_UPDATE_GOLDEN=1``
(``nox -s update_golden``) and review the diff."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from goldenfiles import compare_or_update
from lxml import etree  # type: ignore[import-untyped]

from casebook.content import load_corpus
from casebook.document import compose_pack
from casebook.layout import load_layout
from casebook.packs import select_packs
from casebook.word import render_docx

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini" / "content"
GOLDEN = Path(__file__).parent / "docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def canonical_document_xml(docx: bytes) -> str:
    """``word/document.xml`` in C14N form, one element per line."""
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    canonical = etree.fromstring(etree.tostring(root, method="c14n"))
    etree.indent(canonical, space=" ")
    return etree.tostring(canonical, encoding="unicode") + "\n"


def test_document_xml_matches_the_reviewed_file() -> None:
    corpus = load_corpus(MINI)
    [pack] = [p for p in select_packs(corpus) if p.id == "all-cases"]
    layout = load_layout(ROOT / "layouts")
    data = render_docx(compose_pack(pack, corpus), layout, MINI)
    xml = canonical_document_xml(data)
    compare_or_update(GOLDEN / "all-cases.document.xml", xml)
    assert str(ROOT) not in xml
