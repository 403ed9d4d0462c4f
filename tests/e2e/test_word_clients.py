"""Independent readers open the Word packs: LibreOffice, pandoc and docx2python.

Run with ``pytest -m clients`` (needs Debian's libreoffice and poppler-utils, and the
pypandoc-binary and docx2python wheels)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from casebook.content import load_corpus
from casebook.document import compose_pack
from casebook.layout import load_layout
from casebook.packs import select_packs
from casebook.word import render_docx

pytestmark = pytest.mark.clients

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini" / "content"
CASE_HEADINGS = [
    "Caerphilly: Vision for change",
    "Newham: The 50 Steps to a healthier borough",
    "North Wales: Regional population needs assessment",
    "Newport: Mapping local assets",
]


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every pack of the mini fixture as .docx, by pack id."""
    out = tmp_path_factory.mktemp("docx")
    corpus = load_corpus(MINI)
    layout = load_layout(ROOT / "layouts")
    files = {}
    for pack in select_packs(corpus):
        path = out / f"{pack.id}.docx"
        path.write_bytes(render_docx(compose_pack(pack, corpus), layout, MINI))
        files[pack.id] = path
    return files


@pytest.fixture(scope="module")
def soffice_pdfs(packs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packs converted to PDF by headless LibreOffice, with a private profile."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path_factory.mktemp("pdf")
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, packs.values()),
        ],
        capture_output=True,
        check=False,
        timeout=300,
    )
    return out


def _pdf_pages(pdf: Path) -> int:
    info = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match, info
    return int(match.group(1))


def test_libreoffice_opens_every_pack(packs: dict[str, Path], soffice_pdfs: Path) -> None:
    # soffice exits 0 even when it cannot load a file: check each output instead.
    for pack_id in packs:
        pdf = soffice_pdfs / f"{pack_id}.pdf"
        assert pdf.is_file(), f"LibreOffice produced no PDF for {pack_id}"
        assert _pdf_pages(pdf) > 3


def test_libreoffice_shows_cases_citations_and_footer(soffice_pdfs: Path) -> None:
    text = subprocess.run(
        ["pdftotext", "-layout", str(soffice_pdfs / "all-cases.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    pages = text.split("\f")
    for heading in CASE_HEADINGS:
        assert heading in text
    assert "across England and Wales, page 26" in " ".join(text.split())
    assert re.search(r"^\s*2\. use community assets; only then$", text, re.MULTILINE)
    assert "Page" not in pages[0]  # no footer on the cover
    assert re.search(r"Page 2 of \d+", pages[1])


@pytest.fixture(scope="module")
def markdown(packs: dict[str, Path]) -> str:
    pypandoc = pytest.importorskip("pypandoc")
    result: str = pypandoc.convert_file(
        str(packs["all-cases"]), "markdown", extra_args=["--wrap=none"]
    )
    return result


def test_pandoc_sees_cases_as_headings(markdown: str) -> None:
    for heading in CASE_HEADINGS:
        assert f"\n## {heading}\n" in markdown
    assert "\n# How to use this pack\n" in markdown
    assert "\n### Discussion prompts\n" in markdown


def test_pandoc_sees_ordered_lists_bullets_and_links(markdown: str) -> None:
    assert "\n1.  promote and support healthy pregnancies" in markdown
    assert "\n2.  use community assets; only then" in markdown  # the list starts at 2
    assert "\n- health and education" in markdown
    assert "[http://resultsaccountability.com/](https://resultsaccountability.com/)" in markdown


def _pars(path: Path) -> Iterator[tuple[str, str]]:
    from docx2python import docx2python

    def walk(node: object) -> Iterator[object]:
        if isinstance(node, list):
            for child in node:
                yield from walk(child)
        else:
            yield node

    with docx2python(path) as read:
        for par in walk(read.document_pars):
            yield par.style, "".join(run.text for run in par.runs)  # type: ignore[attr-defined]


def test_docx2python_agrees_on_headings_and_citations(packs: dict[str, Path]) -> None:
    pytest.importorskip("docx2python")
    pars = list(_pars(packs["all-cases"]))
    assert [text for style, text in pars if style == "Heading2"] == CASE_HEADINGS
    citations = [text for style, text in pars if style == "CaseCitation"]
    assert [c.rsplit(", page ", 1)[1] for c in citations] == ["19", "21", "25", "26"]
    # docx2python numbers lists itself and ignores start overrides, so compare the text only.
    numbered = [text.split("\t", 1)[-1] for style, text in pars if style == "ListNumber"]
    assert "use community assets; only then" in numbered
