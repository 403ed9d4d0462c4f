"""Independent readers open the Word packs: LibreOffice, pandoc and docx2python.

LibreOffice also shows how the packs print on a PC that lacks the brand's fonts (run these
where Noto Sans is not installed, as on a council office PC): as long as the PDF, the fonts
embedded in the pack, and the theme the styles follow.

Run with ``pytest -m clients`` (needs Debian's libreoffice and poppler-utils, and the
pypandoc-binary and docx2python wheels)."""

from __future__ import annotations

import copy
import dataclasses
import io
import itertools
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from PIL import Image

from casebook.content import load_corpus
from casebook.document import compose_pack
from casebook.layout import Layout, load_layout
from casebook.packs import select_packs
from casebook.pdf import render_pdf
from casebook.word import render_docx

pytestmark = pytest.mark.clients

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini" / "content"
REAL = ROOT / "content"
# A pack of one insight, a themed pack whose cases are grouped under insight sections, and
# the complete pack, whose contents take three pages.
MEASURED = ("insight-01-strategic-planning", "speech-language-communication", "all-cases")
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


def _soffice_pdf(files: list[Path], out: Path, profile: Path) -> None:
    """Convert .docx ``files`` to PDF in ``out`` with headless LibreOffice."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        capture_output=True,
        check=False,
        timeout=600,
    )


@pytest.fixture(scope="module")
def soffice_pdfs(packs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packs converted to PDF by headless LibreOffice, with a private profile."""
    out = tmp_path_factory.mktemp("pdf")
    _soffice_pdf(list(packs.values()), out, tmp_path_factory.mktemp("lo-profile"))
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
    assert re.search(r"page 2 of \d+", pages[1])


def _words(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """Each word on ``page`` with its box in points: (word, x0, y0, x1, y1)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)'
    return [
        (unescape(w), float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, w in re.findall(pattern, html)
    ]


def _page_image(pdf: Path, page: int) -> Image.Image:
    """``page`` at 72 dpi, so a pixel is a point."""
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", "72", "-f", str(page), "-l", str(page), str(pdf)],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("RGB")


def _near(colour: tuple[int, ...], hex_colour: str) -> bool:
    want = bytes.fromhex(hex_colour.lstrip("#"))
    return all(abs(a - b) <= 12 for a, b in zip(colour, want, strict=True))


def test_libreoffice_prints_the_cover_title_white_on_the_brand_band(soffice_pdfs: Path) -> None:
    layout = load_layout(ROOT / "layouts")
    pdf = soffice_pdfs / "all-cases.pdf"
    words = _words(pdf, 1)
    title = max(words, key=lambda w: w[4] - w[2])  # the largest type on the cover
    _, x0, y0, x1, y1 = title
    image = _page_image(pdf, 1)
    middle = round((y0 + y1) / 2)
    # The band runs beyond the title on both sides, and the title's letters are white.
    assert _near(image.getpixel((round(x0) - 6, middle)), layout.brand.colour("primary"))
    assert _near(image.getpixel((round(x1) + 6, middle)), layout.brand.colour("primary"))
    inside = [image.getpixel((x, middle)) for x in range(round(x0), round(x1))]
    assert any(min(pixel) > 235 for pixel in inside)


def test_libreoffice_lays_the_cover_out_as_the_pdf_does(soffice_pdfs: Path) -> None:
    pdf = soffice_pdfs / "all-cases.pdf"
    words = _words(pdf, 1)
    height = _page_image(pdf, 1).height
    title = max(words, key=lambda w: w[4] - w[2])
    # The brand's name is on the logo's line, above the band; the title is between a fifth
    # and half of the way down; the edition and source lines are in the lower third.
    brand = [w for w in words if w[0] == "Casebook"]
    assert brand and brand[0][4] < height * 0.2
    assert height * 0.2 < title[2] < height * 0.5
    edition = [w for w in words if w[0] == "edition,"]
    assert edition and edition[0][2] > height * 2 / 3


def test_a_title_of_three_lines_still_leaves_the_cover_one_page(tmp_path: Path) -> None:
    # The cover's spacing places the band and the edition lines; a long custom pack title
    # must not push the edition lines onto a page of their own, in either brand.
    corpus = load_corpus(MINI)
    [pack] = [p for p in select_packs(corpus) if p.id == "all-cases"]
    document = compose_pack(pack, corpus)
    title = "Early help, family hubs and the first thousand days: what twenty places learned"
    cover = dataclasses.replace(document.cover, title=title)
    files = []
    for brand in (None, "valley-council"):
        layout = load_layout(ROOT / "layouts", brand)
        path = tmp_path / f"{brand or 'default'}.docx"
        path.write_bytes(render_docx(dataclasses.replace(document, cover=cover), layout, MINI))
        files.append(path)
    _soffice_pdf(files, tmp_path, tmp_path / "profile")
    for path in files:
        pdf = path.with_suffix(".pdf")
        title_lines = {round(w[2]) for w in _words(pdf, 1) if w[4] - w[2] > 30}
        assert len(title_lines) >= 3  # the title does take three lines
        assert any(w[0] == "edition," for w in _words(pdf, 1))
        assert [w[0] for w in _words(pdf, 2)[:2]] == document.guide.title.split()[:2]


def test_libreoffice_boxes_an_insight_s_questions_with_their_heading(soffice_pdfs: Path) -> None:
    layout = load_layout(ROOT / "layouts")
    pdf = soffice_pdfs / "all-cases.pdf"
    pages = {page: _words(pdf, page) for page in range(2, _pdf_pages(pdf) + 1)}
    page, words = next(
        (page, words)
        for page, words in pages.items()
        if [w[0] for w in words[:2]] == ["Insight", "1:"]
    )
    texts = [w[0] for w in words]
    heading = words[texts.index("Questions")]
    last = words[-1]  # the page's last word is the footer's; the box ends above it
    box_end = max(w[4] for w in words if w[4] < last[2] - 20)
    image = _page_image(pdf, page)
    accent = layout.brand.colour("accent")
    # The box's left side, in the accent colour, runs unbroken from above the heading to
    # below the last question: one box, not one per paragraph.
    column = next(
        (
            x
            for x in range(round(heading[1]) - 1, 0, -1)
            if _near(image.getpixel((x, round(heading[2]) + 4)), accent)
        ),
        None,
    )
    assert column is not None, "no accent-coloured side left of the questions' heading"
    side = [image.getpixel((column, y)) for y in range(round(heading[2]), round(box_end))]
    assert all(_near(pixel, accent) for pixel in side)


def _figure_box(pdf: Path) -> tuple[float, float]:
    """Where the box of a figure not available in this edition stands on its page of ``pdf``:
    its label's left edge and its own left side (the first dark pixel left of the label),
    each in points from the text column's left edge (the leftmost word on the page)."""
    for page in range(1, _pdf_pages(pdf) + 1):
        words = _words(pdf, page)
        texts = [w[0] for w in words]
        at = next(
            (n for n in range(len(texts)) if texts[n : n + 3] == ["Figure", "not", "available"]),
            None,
        )
        if at is None:
            continue
        _, x0, y0, _, y1 = words[at]
        column = min(w[1] for w in words)
        image = _page_image(pdf, page).convert("L")
        rows = range(round(y0), round(y1) + 1)  # a dash or two of the side, whatever the gaps
        side = next(
            x
            for x in range(round(x0) - 1, 0, -1)
            if any(image.getpixel((x, y)) < 200 for y in rows)
        )
        return x0 - column, side - column
    raise AssertionError(f"{pdf.name}: no figure not available in this edition")


def test_libreoffice_pads_a_missing_figure_s_box_as_the_pdf_does(
    soffice_pdfs: Path, tmp_path: Path
) -> None:
    # The box's sides on the text's edges and its label 4 mm inside, as in the PDF (the label
    # stood 2 mm inside, close against the dashed side).
    corpus = load_corpus(MINI)
    [pack] = [p for p in select_packs(corpus) if p.id == "all-cases"]
    printed = tmp_path / "all-cases.pdf"
    printed.write_bytes(render_pdf(compose_pack(pack, corpus), load_layout(ROOT / "layouts"), MINI))
    label, side = _figure_box(soffice_pdfs / "all-cases.pdf")
    pdf_label, pdf_side = _figure_box(printed)
    assert abs(side - pdf_side) <= 1.5, (side, pdf_side)
    assert abs(label - pdf_label) <= 1.5, (label, pdf_label)


def test_libreoffice_prints_case_titles_in_the_text_colour(soffice_pdfs: Path) -> None:
    layout = load_layout(ROOT / "layouts")
    pdf = soffice_pdfs / "all-cases.pdf"
    first_word = CASE_HEADINGS[0].split()[0]  # "Caerphilly:"
    pages = {page: _words(pdf, page) for page in range(2, _pdf_pages(pdf) + 1)}
    [page] = [page for page, words in pages.items() if words and words[0][0] == first_word]
    _, x0, y0, x1, y1 = pages[page][0]
    image = _page_image(pdf, page)
    inked = [
        image.getpixel((x, y))
        for x in range(round(x0), round(x1))
        for y in range(round(y0), round(y1))
        if max(image.getpixel((x, y))) < 128
    ]
    darkest = min(inked, key=sum)
    # Near-black as in the PDF, not the primary blue of the section headings.
    assert _near(darkest, layout.brand.colour("text")), darkest


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
    assert f"\n### Notes on {CASE_HEADINGS[0]}\n" in markdown
    # The guide's sections sit one level below its heading (a Subheading, based on Heading 2).
    assert "\n## Before the session {#before-the-session .Subheading}\n" in markdown


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


# -- printing like the PDF, on a PC without the brand's fonts ------------------------------------


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three real packs as PDF (``<id>.pdf``) and as LibreOffice prints their Word files
    (``lo/<id>.pdf``)."""
    out = tmp_path_factory.mktemp("measured")
    corpus = load_corpus(REAL)
    layout = load_layout(ROOT / "layouts")
    files = []
    for pack in select_packs(corpus):
        if pack.id in MEASURED:
            document = compose_pack(pack, corpus)
            (out / f"{pack.id}.pdf").write_bytes(render_pdf(document, layout, REAL))
            files.append(out / f"{pack.id}.docx")
            files[-1].write_bytes(render_docx(document, layout, REAL))
    (out / "lo").mkdir()
    _soffice_pdf(files, out / "lo", tmp_path_factory.mktemp("lo-profile"))
    return out


@pytest.mark.parametrize("pack_id", MEASURED)
def test_word_prints_about_as_long_as_the_pdf(measured: Path, pack_id: str) -> None:
    pdf_pages = _pdf_pages(measured / f"{pack_id}.pdf")
    word_pages = _pdf_pages(measured / "lo" / f"{pack_id}.pdf")
    assert word_pages <= 1.1 * pdf_pages, (word_pages, pdf_pages)


def _markers(pdf: Path) -> dict[str, tuple[float, float]]:
    """Where ``pdf`` sets its first bullet and its first "1.": the marker's right edge and
    the left edge of the word after it, in points."""
    found: dict[str, tuple[float, float]] = {}
    for page in range(1, _pdf_pages(pdf) + 1):
        words = _words(pdf, page)
        for word, after in itertools.pairwise(words):
            if word[0] in ("•", "1.") and word[0] not in found:
                found[word[0]] = (word[3], after[1])
        if len(found) == 2:
            return found
    raise AssertionError(f"{pdf.name}: no bullet or no numbered list")


def test_libreoffice_sets_bullets_and_numbers_where_the_pdf_does(measured: Path) -> None:
    # Each ends just before its text, which is a step in, as in the PDF (they stood at the
    # margin, a step from their text).
    pack_id = MEASURED[0]
    in_pdf = _markers(measured / f"{pack_id}.pdf")
    for marker, (end, text) in _markers(measured / "lo" / f"{pack_id}.pdf").items():
        pdf_end, pdf_text = in_pdf[marker]
        assert abs(end - pdf_end) <= 1.5, (marker, end, pdf_end)
        assert abs(text - pdf_text) <= 1.5, (marker, text, pdf_text)


def _case_pages(pdf: Path, headings: list[str]) -> dict[str, int]:
    """The page (from 1) each case of ``headings`` starts on: the first page whose words set
    at 16 pt or more (a box over 19 pt tall: a case heading, not the contents, a running head
    or the notes heading) begin with its heading."""
    starts: dict[str, int] = {}
    for number, (_, words) in enumerate(_lines(pdf), start=1):
        large = " ".join(text for top, bottom, text in words if bottom - top > 19)
        for heading in headings:
            if heading not in starts and large.startswith(heading):
                starts[heading] = number
    return starts


@pytest.mark.parametrize("pack_id", MEASURED)
def test_each_case_starts_on_the_page_it_starts_on_in_the_pdf(measured: Path, pack_id: str) -> None:
    # A room with some printouts of the Word file and some of the PDF: "turn to page 40" finds
    # the same case in both. (The complete pack's contents took two pages in Word and three
    # in the PDF, so every case came a page earlier in Word.)
    corpus = load_corpus(REAL)
    [pack] = [p for p in select_packs(corpus) if p.id == pack_id]
    headings = [" ".join(case.heading.split()) for case in compose_pack(pack, corpus).cases]
    in_pdf = _case_pages(measured / f"{pack_id}.pdf", headings)
    assert len(in_pdf) == len(headings)
    assert _case_pages(measured / "lo" / f"{pack_id}.pdf", headings) == in_pdf


def _lines(pdf: Path) -> list[tuple[float, list[tuple[float, float, str]]]]:
    """Each page's height and its words (top, bottom, text), from pdftotext's boxes."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    word = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)<')
    return [
        (float(height), [(float(a), float(b), unescape(t)) for a, b, t in word.findall(body)])
        for height, body in re.findall(
            r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', xml, re.S
        )
    ]


@pytest.mark.parametrize("pack_id", MEASURED)
def test_no_prompts_or_notes_heading_is_stranded(measured: Path, pack_id: str) -> None:
    """A case's prompts or notes heading starts a page only when the page before is full
    (at most a third of it empty)."""
    top, _, bottom, _ = (mm * 72 / 25.4 for mm in load_layout(ROOT / "layouts").brand.margins_mm)
    pages = _lines(measured / "lo" / f"{pack_id}.pdf")
    checked = 0
    for (height, before), (_, words) in itertools.pairwise(pages):
        text = [w for w in words if w[1] < height - bottom]  # not the footer
        if not text:
            continue
        first_top = min(text)[0]
        first = " ".join(t for y0, _, t in text if abs(y0 - first_top) < 3)
        if first.startswith("Notes on") or first == "Discussion prompts":
            checked += 1
            last = max(y1 for _, y1, _ in before if y1 < height - bottom)
            full = (last - top) / (height - bottom - top)
            assert full > 2 / 3, f"{first!r} starts a page after one only {full:.0%} full"
    assert checked <= 3  # a case that does not fit on its page is the exception


# Word's "Update Field" on the whole document, done by LibreOffice: a Basic macro that opens a
# pack, updates its indexes (the contents) and fields, and prints it to PDF.
_UPDATE_MACRO = """
Sub UpdateAndPrint(source As String, target As String)
  Dim hidden(0) As New com.sun.star.beans.PropertyValue
  hidden(0).Name = "Hidden"
  hidden(0).Value = True
  doc = StarDesktop.loadComponentFromURL(source, "_blank", 0, hidden())
  indexes = doc.getDocumentIndexes()
  For i = 0 To indexes.getCount() - 1
    indexes.getByIndex(i).update()
  Next i
  doc.getTextFields().refresh()
  Dim pdf(0) As New com.sun.star.beans.PropertyValue
  pdf(0).Name = "FilterName"
  pdf(0).Value = "writer_pdf_Export"
  doc.storeToURL(target, pdf())
  doc.close(True)
End Sub
"""
_MODULE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
    'script:language="StarBasic">{}</script:module>\n'
)


def _soffice_updated_pdf(docx: Path, pdf: Path, profile: Path) -> None:
    """Print ``docx`` to ``pdf`` with headless LibreOffice after updating its contents and
    fields, as a reader does with F9 in Word."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    env = f"-env:UserInstallation={profile.as_uri()}"
    # The first start makes the profile (and its empty Standard library); then the macro.
    subprocess.run([soffice, env, "--headless", "--terminate_after_init"], check=True, timeout=120)
    (profile / "user" / "basic" / "Standard" / "Module1.xba").write_text(
        _MODULE.format(escape(_UPDATE_MACRO, {'"': "&quot;"}))
    )
    call = f'macro:///Standard.Module1.UpdateAndPrint("{docx.as_uri()}","{pdf.as_uri()}")'
    subprocess.run([soffice, env, "--headless", call], capture_output=True, timeout=600)
    assert pdf.is_file(), "LibreOffice did not print the updated pack"


def _contents_page(pdf: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    [page] = [page for page in text.split("\f") if page.lstrip().startswith("Contents")]
    return " ".join(page.split())


def test_updated_contents_list_what_the_pdfs_contents_list(measured: Path, tmp_path: Path) -> None:
    # A themed pack: the guide and each insight section have Subheadings (level-2 headings
    # that are not in the contents), and its cases are Heading 2 under Heading 1 sections.
    pack_id = MEASURED[1]
    corpus = load_corpus(REAL)
    [pack] = [p for p in select_packs(corpus) if p.id == pack_id]
    document = compose_pack(pack, corpus)
    updated = tmp_path / "updated.pdf"
    _soffice_updated_pdf(measured / f"{pack_id}.docx", updated, tmp_path / "profile")
    contents = _contents_page(updated)
    assert "Update Field" not in contents  # the field was updated
    entries = [" ".join(entry.title.split()) for entry in document.toc()]
    # Each entry in order with its leader dots and page number, then only the page's footer.
    pattern = "Contents " + " ".join(rf"{re.escape(title)} ?\.* ?(\d+)" for title in entries)
    footer = rf" {re.escape(document.title)} · .* page \d+ of \d+"
    match = re.fullmatch(pattern + footer, contents)
    assert match, contents
    numbers = [int(number) for number in match.groups()]
    assert numbers == sorted(numbers) and numbers[0] > 1
    # The page numbers the PDF's contents give.
    in_pdf = re.fullmatch(pattern + footer, _contents_page(measured / f"{pack_id}.pdf"))
    assert in_pdf, _contents_page(measured / f"{pack_id}.pdf")
    assert [int(number) for number in in_pdf.groups()] == numbers
    assert "Before the session" not in contents  # a guide Subheading


def _fonts_of(pdf: Path) -> set[str]:
    listing = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}


def test_libreoffice_sets_the_pack_in_the_embedded_brand_font(measured: Path) -> None:
    fonts = _fonts_of(measured / "lo" / f"{MEASURED[0]}.pdf")
    assert fonts == {"NotoSans-Regular", "NotoSans-Bold", "NotoSans-Italic"}


def _with_theme(data: bytes, change: Callable[[str], str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            part = source.read(name)
            if name == "word/theme/theme1.xml":
                edited = change(part.decode("utf-8")).encode("utf-8")
                assert edited != part, "the edit matched nothing in theme1.xml"
                part = edited
            target.writestr(name, part)
    return out.getvalue()


@pytest.fixture(scope="module")
def mini_pack(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Layout]:
    corpus = load_corpus(MINI)
    layout = load_layout(ROOT / "layouts")
    [pack] = [p for p in select_packs(corpus) if p.id == "all-cases"]
    return render_docx(compose_pack(pack, corpus), layout, MINI), layout


def test_changing_the_theme_font_changes_the_packs_font(
    mini_pack: tuple[bytes, Layout], tmp_path: Path
) -> None:
    data, layout = mini_pack
    body = layout.brand.font("body")
    edited = _with_theme(
        data,
        lambda xml: re.sub(
            r'(<a:minorFont>\s*<a:latin typeface=)"[^"]*"', r'\1"DejaVu Serif"', xml
        ),
    )
    (tmp_path / "pack.docx").write_bytes(edited)
    _soffice_pdf([tmp_path / "pack.docx"], tmp_path, tmp_path / "profile")
    fonts = _fonts_of(tmp_path / "pack.pdf")
    assert "DejaVuSerif" in fonts  # body text follows Design > Fonts
    assert "NotoSans-Bold" in fonts and body == "Noto Sans"  # headings keep the major font


def test_every_case_and_a_case_pasted_in_number_their_prompts_from_1(
    packs: dict[str, Path], tmp_path: Path
) -> None:
    # A local area copies a case, from its heading to its notes box, and pastes it at the end:
    # its prompts number from 1, as every case's do.
    import docx

    word = docx.Document(str(packs["all-cases"]))
    body = word.element.body
    children = list(body)
    headings = [
        i
        for i, element in enumerate(children)
        if element.tag.endswith("}p")
        and (style := element.find("w:pPr/w:pStyle", element.nsmap)) is not None
        and style.get(f"{{{element.nsmap['w']}}}val") == "Heading2"
    ]
    case = [copy.deepcopy(e) for e in children[headings[0] : headings[1]]]
    for element in case:
        children[-1].addprevious(element)  # before the section properties
    pasted = tmp_path / "pasted.docx"
    word.save(str(pasted))
    _soffice_pdf([pasted], tmp_path, tmp_path / "profile")
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "pasted.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    blocks = text.split("Discussion prompts")[1:]
    assert len(blocks) == len(headings) + 1
    for block in blocks:
        numbers = re.findall(r"^\s*(\d+)\.\s", block.split("Notes on")[0], re.MULTILINE)
        assert numbers[:2] == ["1", "2"], numbers


def _set_font(style: object, name: str) -> None:
    """As Word's Modify Style > Font does: the style's theme font gives way to ``name``."""
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    for fonts in rpr.findall(qn("w:rFonts")):
        rpr.remove(fonts)
    style.font.name = name  # type: ignore[attr-defined]


def _cover_fonts(pdf: Path) -> dict[str, str]:
    """The font each line of the cover is set in, by the line's first words (pdffonts lists
    the fonts of every page LibreOffice's PDF shares them with)."""
    import pypdf

    shown: dict[str, str] = {}

    def visit(text: str, cm: object, tm: object, font: dict | None, size: float) -> None:
        if text.strip() and font:
            shown.setdefault(" ".join(text.split()[:3]), str(font["/BaseFont"]).split("+")[-1])

    pypdf.PdfReader(pdf).pages[0].extract_text(visitor_text=visit)
    return shown


def test_restyling_heading_1_and_normal_restyles_the_cover(
    mini_pack: tuple[bytes, Layout], tmp_path: Path
) -> None:
    # A local area changes Heading 1's font and Normal's in Word's styles, and the cover
    # follows: its title (a Title, based on Heading 1) and its other lines (based on Normal).
    import docx

    word = docx.Document(io.BytesIO(mini_pack[0]))
    _set_font(word.styles["Heading 1"], "DejaVu Serif")
    _set_font(word.styles["Normal"], "DejaVu Sans Mono")
    word.save(str(tmp_path / "pack.docx"))
    _soffice_pdf([tmp_path / "pack.docx"], tmp_path, tmp_path / "profile")
    fonts = _cover_fonts(tmp_path / "pack.pdf")
    assert fonts["All case examples"] == "DejaVuSerif-Bold"  # the title, bold as Heading 1
    assert fonts["Complete pack ·"] == "DejaVuSansMono"  # the subtitle
    assert fonts["Case examples quoted"] == "DejaVuSansMono"
    assert fonts["Test edition, 15"] == "DejaVuSansMono-Bold"


def test_a_hyphenated_word_of_the_cover_title_stays_on_one_line(tmp_path: Path) -> None:
    import docx
    import pypandoc  # type: ignore[import-untyped]

    corpus = load_corpus(MINI)
    [pack] = [p for p in select_packs(corpus) if p.id == "all-cases"]
    document = compose_pack(pack, corpus)
    # LibreOffice broke this title after "evidence-" on the cover.
    title = "Get the most out of evidence-based interventions"
    cover = dataclasses.replace(document.cover, title=title)
    path = tmp_path / "pack.docx"
    layout = load_layout(ROOT / "layouts")
    path.write_bytes(render_docx(dataclasses.replace(document, cover=cover), layout, MINI))
    _soffice_pdf([path], tmp_path, tmp_path / "profile")
    words = [w[0] for w in _words(path.with_suffix(".pdf"), 1)]
    assert "evidence-based" in words
    # Read back, the title is still the title: python-docx reads Word's non-breaking hyphen
    # as "-", pandoc as the non-breaking hyphen character (U+2011).
    [shown] = [p.text for p in docx.Document(str(path)).paragraphs if p.style.name == "Title"]
    assert shown == title
    text = pypandoc.convert_file(str(path), "plain", extra_args=["--wrap=none"])
    assert title in text.replace("\u2011", "-")
