"""Golden test: the canonicalised ``word/document.xml`` of a mini fixture pack, against a
reviewed file in tests/golden/docx/. After a deliberate change to the Word renderer, the
reference template or the document model, regenerate with ``CASEBOOK_UPDATE_GOLDEN=1``
(``nox -s update_golden``) and review the diff."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from casebook.content import load_corpus
from casebook.document import compose_pack
from casebook.layout import load_layout
from casebook.packs import select_packs
from casebook.word import render_docx

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini" / "content"
GOLDEN = Path(__file__).parent / "docx"
UPDATE = os.environ.get("CASEBOOK_UPDATE_GOLDEN") == "1"
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
    golden = GOLDEN / "all-cases.document.xml"
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(xml, encoding="utf-8", newline="\n")
    assert golden.is_file(), f"{golden} missing: run with CASEBOOK_UPDATE_GOLDEN=1 and review it"
    assert xml == golden.read_text(encoding="utf-8")
    assert str(ROOT) not in xml
