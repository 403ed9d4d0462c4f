"""Every real pack, built from the committed content: each PDF shows each of its cases with
its citation and the footer, each Word file carries the same cases and citations, and every
format's file of every pack is in the manifest and linked from the downloads page."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BUILD_PY, LAYOUTS, REAL_CONTENT, SUFFIXES, cli_env
from docx import Document as WordDocument
from pypdf import PdfReader

from casebook.content import load_corpus
from casebook.packs import select_packs
from casebook.renderers import BUILTIN

pytestmark = pytest.mark.slow

CORPUS = load_corpus(REAL_CONTENT)
PACKS = {p.id: p for p in select_packs(CORPUS)}
# What the downloads page calls the printed formats besides the PDF.
LABELS = {"cards": "Case cards (A5, 2 per A4 sheet)", "large-print": "Large print"}


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("real") / "project"
    shutil.copytree(REAL_CONTENT, project / "content")
    shutil.copytree(LAYOUTS, project / "layouts")
    result = subprocess.run(
        [sys.executable, str(BUILD_PY), "build", "--jobs", "2"],
        cwd=project,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return project / "dist"


def size_text(n: int) -> str:
    return f"{n} B" if n < 1000 else f"{n / 1000:.0f} kB" if n < 10**6 else f"{n / 10**6:.1f} MB"


def test_every_pack_has_a_file_of_every_format_in_the_manifest(dist: Path) -> None:
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    listed = {o["path"] for o in manifest["outputs"]}
    assert listed == {f"{pack}{suffix}" for pack in PACKS for suffix in SUFFIXES}
    assert len(PACKS) == 14
    assert {s.name: s.label for s in BUILTIN if s.name in LABELS} == LABELS


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_each_format_of_each_pack_is_recorded_and_linked_with_its_size_and_pages(
    dist: Path, pack_id: str
) -> None:
    pack = PACKS[pack_id]
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    records = {o["path"]: o for o in manifest["outputs"]}
    page = (dist / "index.html").read_text(encoding="utf-8")
    for spec in BUILTIN:
        name = f"{pack_id}{spec.suffix}"
        path = dist / name
        assert path.is_file(), name
        record = records[name]
        assert (record["pack"], record["format"], record["label"]) == (
            pack_id,
            spec.name,
            spec.label,
        )
        assert record["bytes"] == path.stat().st_size, name
        facts = [size_text(path.stat().st_size)]
        if name.endswith(".pdf"):
            pages = len(PdfReader(path).pages)
            assert record["pages"] == pages, name
            facts.append("1 page" if pages == 1 else f"{pages} pages")
        else:
            assert record["pages"] is None, name
        [link] = re.findall(
            rf'<a class="download [^"]*" href="{re.escape(name)}"[^>]*>(.*?)</a>', page
        )
        text = squash(html.unescape(re.sub(r"<[^>]+>", "", link)))
        assert text == f"Download the {spec.label} of {pack.title} ({', '.join(facts)})", name


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_each_pack_s_cards_and_large_print_show_every_case(dist: Path, pack_id: str) -> None:
    pack = PACKS[pack_id]
    for suffix in (".cards.pdf", ".large-print.pdf"):
        text = squash(
            " ".join(p.extract_text() for p in PdfReader(dist / f"{pack_id}{suffix}").pages)
        )
        for case in pack.cases:
            assert case.heading in text, (suffix, case.id)
            assert CORPUS.source.cite(case.page) in text, (suffix, case.id)


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_each_pdf_shows_its_cases_citations_and_footer(dist: Path, pack_id: str) -> None:
    pack = PACKS[pack_id]
    pages = [squash(p.extract_text()) for p in PdfReader(dist / f"{pack_id}.pdf").pages]
    text = " ".join(pages)
    for case in pack.cases:
        assert case.heading in text, case.id
        assert CORPUS.source.cite(case.page) in text, case.id
    for number, page in enumerate(pages[1:], start=2):
        assert pack.title in page and CORPUS.source.short_citation in page, number
        assert f"page {number} of {len(pages)}" in page
    # The citations come in the pack's own order, one under each case.
    positions = [text.index(case.heading) for case in pack.cases]
    assert positions == sorted(positions)


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_each_word_file_carries_the_same_cases_and_citations(dist: Path, pack_id: str) -> None:
    pack = PACKS[pack_id]
    word = WordDocument(io.BytesIO((dist / f"{pack_id}.docx").read_bytes()))
    headings = [
        p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 2"
    ]
    citations = [
        p.text for p in word.paragraphs if p.style is not None and p.style.name == "Case Citation"
    ]
    assert headings == [c.heading for c in pack.cases]
    assert citations == [CORPUS.source.cite(c.page) for c in pack.cases]


@pytest.mark.clients
def test_libreoffice_opens_every_word_file(dist: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed for the client checks"
    files = sorted(dist.glob("*.docx"))
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "out"),
            *map(str, files),
        ],
        capture_output=True,
        timeout=600,
        check=False,
    )
    # soffice exits 0 even when it cannot load a file: look at what it wrote.
    for docx in files:
        pdf = tmp_path / "out" / f"{docx.stem}.pdf"
        assert pdf.is_file(), docx.name
        assert len(PdfReader(pdf).pages) > 5, docx.name
