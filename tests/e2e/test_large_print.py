"""Large print, read back from the PDF: the standard pack's content at 16 pt or more, never
italic, with its headings, citations, footer, tags, bookmarks and language."""

from __future__ import annotations

import dataclasses
import io
import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LAYOUTS, MINI_CONTENT
from pdf_runs import A4, Run, outline_titles, page_pixels, page_texts, squash, text_runs
from pypdf import PdfReader
from test_cards import pack_document
from test_pdf import structure_elements

from casebook.blocks import Emphasis, Link, Paragraph, Quote, Strong, Text, plain_text
from casebook.document import Document, with_first_case
from casebook.largeprint import render
from casebook.layout import Layout, load_layout


def with_emphasis(document: Document) -> Document:
    """``document`` with emphasis and a quotation in its first case, as editors write them."""
    case = document.cases[0]
    extra = (
        Paragraph((Text("This is "), Emphasis((Text("stressed"),)), Text(" and "))),
        Paragraph((Strong((Emphasis((Text("strongly stressed"),)),)),)),
        Quote((Paragraph((Text("A quoted parent's words."),)),)),
    )
    return with_first_case(document, dataclasses.replace(case, blocks=(*case.blocks, *extra)))


@pytest.fixture(scope="module")
def layout() -> Layout:
    return load_layout(LAYOUTS)


@pytest.fixture(scope="module")
def document() -> Document:
    return with_emphasis(pack_document(MINI_CONTENT, "all-cases"))


@pytest.fixture(scope="module")
def large(document: Document, layout: Layout) -> tuple[bytes, int | None]:
    return render(document, layout, MINI_CONTENT)


@pytest.fixture(scope="module")
def runs(large: tuple[bytes, int | None]) -> list[Run]:
    return text_runs(large[0])


def case_runs(document: Document, runs: list[Run]) -> list[Run]:
    """The runs that print the words of a case (not headings, footers or prompts)."""
    bodies = ["".join(plain_text(case.blocks).split()) for case in document.cases]
    return [
        r
        for r in runs
        if len("".join(r.text.split())) > 2 and any("".join(r.text.split()) in b for b in bodies)
    ]


def test_case_text_is_16_pt_or_more_and_never_italic(document: Document, runs: list[Run]) -> None:
    words = case_runs(document, runs)
    total = sum(len(r.text) for r in words)
    large = sum(len(r.text) for r in words if r.size >= 16)
    assert total > 1000
    assert large / total >= 0.95
    assert not [r for r in runs if "Italic" in r.font]


def test_emphasis_is_bold_and_headings_are_larger(document: Document, runs: list[Run]) -> None:
    [stressed] = [r for r in runs if r.text.strip() == "stressed"]
    assert stressed.font.endswith("Noto-Sans-Bold") and stressed.size == 16
    larger = [r for r in runs if r.size > 16]

    def drawn(heading: str) -> list[Run]:
        """The runs, one after another, that draw ``heading`` (a long one takes two lines)."""
        for start in range(len(larger)):
            for end in range(start + 1, min(start + 5, len(larger)) + 1):
                if squash(" ".join(r.text for r in larger[start:end])) == heading:
                    return larger[start:end]
        return []

    for case in document.cases:
        # The heading, larger than the text and bold.
        parts = drawn(case.heading)
        assert parts, case.heading
        assert all(r.font.endswith("Bold") for r in parts)


def test_everything_on_the_page_is_at_least_16_pt(runs: list[Run]) -> None:
    # Footers, page numbers, running heads, citations, contents and tables alike.
    assert min(r.size for r in runs) >= 16


def test_every_heading_citation_and_footer_is_there(
    document: Document, large: tuple[bytes, int | None]
) -> None:
    texts = page_texts(large[0])
    assert large[1] == len(texts)
    printed = "".join("".join(texts).split())
    for case in document.cases:
        assert case.citation in " ".join(t for t in texts if case.heading in t)
        for word in plain_text(case.blocks).split():
            assert word in printed, (case.case_id, word)
        for prompt in case.prompts:
            assert squash(prompt) in " ".join(texts)
    for number, text in enumerate(texts[1:], start=2):
        assert f"{document.title} · {document.short_citation}" in text, number
        assert f"page {number} of {len(texts)}" in text, number
    assert "page 1 of" not in texts[0]


def footer_lines(runs: list[Run], page: int) -> list[str]:
    """The lines of ``page``'s footer, top to bottom."""
    foot = [r for r in runs if r.page == page and r.y < 24 * 72 / 25.4]
    return [
        squash(" ".join(r.text for r in foot if r.y == y))
        for y in sorted({r.y for r in foot}, reverse=True)
    ]


def test_the_footer_breaks_after_the_pack_s_title_not_inside_the_citation(
    document: Document, layout: Layout, runs: list[Run]
) -> None:
    # "All case examples · EIF (2022), Leading / and delivering …" read as two broken
    # halves: where the title and the citation each fit a line, each has its own.
    pages = {r.page for r in runs} - {0}
    for page in pages:
        assert footer_lines(runs, page) == [f"{document.title} ·", document.short_citation]
    # A title longer than a line: the citation follows on the title's last line, rather
    # than leave that line short ("the whole region ·") to start a line of its own.
    title = "A pack for" + " the whole region" * 4
    cover = dataclasses.replace(document.cover, title=title)
    pdf, _ = render(dataclasses.replace(document, title=title, cover=cover), layout, MINI_CONTENT)
    lines = footer_lines(text_runs(pdf), 1)
    assert " ".join(lines) == f"{title} · {document.short_citation}"
    assert "the whole region · EIF (2022)," in lines[-2], lines


def test_the_page_number_keeps_to_one_line_beside_a_long_running_head(
    document: Document, layout: Layout
) -> None:
    # A case heading as long as the report's longest, repeated at the top of the case's
    # second page, leaves the page number its line in the top right corner.
    case = document.cases[0]
    heading = "Carmarthenshire and Ceredigion: Early years integrated system for families"
    long = dataclasses.replace(case, heading=heading, blocks=case.blocks * 3)
    pdf, pages = render(with_first_case(document, long), layout, MINI_CONTENT)
    runs = text_runs(pdf)
    assert pages is not None
    heads = [r for r in runs if r.y > A4[1] - 90 and r.x < A4[0] / 2]
    # It is one line (shortened with an ellipsis) in the top margin, its baseline well clear
    # of the strip at the paper's edge that printers leave blank.
    margin = [r for r in heads if r.y > A4[1] - 20 * 72 / 25.4]
    assert margin
    for page in {r.page for r in margin}:
        lines = {round(r.y) for r in margin if r.page == page}
        assert len(lines) == 1 and max(lines) < A4[1] - 12 * 72 / 25.4, (page, lines)
    # Each long head (this case's and any other in the pack) is shortened after a whole word
    # of its heading, never in the middle of one.
    headings = [c.heading for c in document.cases if c.anchor != case.anchor] + [heading]
    shortened = set()
    for page in {r.page for r in margin}:
        head = squash(" ".join(r.text for r in margin if r.page == page))
        if head not in headings:
            kept = head.removesuffix("…").split(" ")
            assert head.endswith("…") and any(
                h.split(" ")[: len(kept)] == kept and len(h.split(" ")) > len(kept)
                for h in headings
            ), head
            shortened.add(head)
    assert any(head.startswith("Carmarthenshire and Ceredigion: ") for head in shortened)
    for page in range(1, pages):
        corner = [r for r in runs if r.page == page and r.y > A4[1] - 90 and r.x > A4[0] / 2]
        assert squash(" ".join(r.text for r in corner)) == f"page {page + 1} of {pages}", page
        assert len({round(r.y) for r in corner}) == 1, (page, corner)


def test_tagged_with_language_and_the_standard_bookmarks(
    document: Document, large: tuple[bytes, int | None]
) -> None:
    reader = PdfReader(io.BytesIO(large[0]))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    outline = outline_titles(large[0])
    sections = [g.title for g in document.groups if g.title]
    for title in (document.guide.title, *sections, document.about.title):
        assert title in outline
    for case in document.cases:
        assert case.heading in outline


def test_its_title_tells_it_from_the_standard_pdf(
    document: Document, large: tuple[bytes, int | None]
) -> None:
    # The title a PDF viewer shows in its window and a screen reader reads first.
    reader = PdfReader(io.BytesIO(large[0]))
    assert reader.metadata is not None
    assert reader.metadata.title == f"{document.title}: large print"
    assert bool(reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"])
    # And its cover, the first thing a printed copy shows.
    cover = page_texts(large[0])[0]
    assert f"Large print {document.cover.title}" in cover, cover


def test_valley_council_large_print(document: Document) -> None:
    pdf, _ = render(document, load_layout(LAYOUTS, "valley-council"), MINI_CONTENT)
    runs = text_runs(pdf)
    assert "Valley Council Early Years Partnership" in " ".join(r.text for r in runs)
    assert min(r.size for r in runs) >= 16
    # Its deeper margins still leave the action-planning sheet two pages, before About, with
    # every form whole.
    texts = page_texts(pdf)
    assert texts[-1].lstrip().startswith(document.about.title)
    assert document.action_sheet.title in texts[-3]
    forms = action_forms(document, runs)
    assert [len(form) for form in forms] == [5, 5, 5]
    # Its 20 mm side margins leave the short questions a line each, as the default brand's.
    for form in forms:
        what, who, when, _ = (squash(q.text) for q in form[1:])
        assert [what, who, when] == list(document.action_sheet.columns[:3])
    assert [{r.page for r in form} for form in forms] == [
        {len(texts) - 3},
        {len(texts) - 2},
        {len(texts) - 2},
    ]


def test_a_brand_s_narrow_margins_still_leave_room_for_head_and_footer(
    document: Document, tmp_path: Path
) -> None:
    brand = tmp_path / "narrow"
    brand.mkdir()
    shutil.copy(LAYOUTS / "logo.svg", brand / "logo.svg")
    text = (LAYOUTS / "brand.yaml").read_text(encoding="utf-8")
    (brand / "brand.yaml").write_text(
        text.replace("margins_mm: [20, 18, 24, 18]", "margins_mm: [10, 10, 10, 10]"),
        encoding="utf-8",
    )
    pdf, _ = render(document, load_layout(LAYOUTS, str(brand)), MINI_CONTENT)
    runs = text_runs(pdf)
    mm = 72 / 25.4
    # The running heads and page numbers above the text, the footer below it: every line
    # of them well inside the paper, where a printer prints.
    assert max(r.y for r in runs) < A4[1] - 12 * mm
    # The footer's second line too: its baseline 9 mm up, its descenders 8 mm clear of the
    # paper's edge.
    assert min(r.y for r in runs) > 8.5 * mm
    footer = [r for r in runs if r.y < 24 * mm]  # the footer alone, below the text
    assert footer
    for run in footer:
        assert squash(run.text) in f"{document.title} · {document.short_citation}", run


@pytest.mark.clients
def test_pdfua_qpdf_and_poppler_accept_large_print(
    large: tuple[bytes, int | None], tmp_path: Path
) -> None:
    path = tmp_path / "all-cases.large-print.pdf"
    path.write_bytes(large[0])
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows and all(row.split()[-5:-2] == ["yes", "yes", "yes"] for row in rows), rows
    pdfua = shutil.which("pdfua") or str(Path(sys.executable).parent / "pdfua")
    report = subprocess.run([pdfua, "check", str(path)], capture_output=True, text=True)
    assert "ERROR" not in report.stdout, report.stdout
    assert "result: PASS" in report.stdout, report.stdout


def action_forms(document: Document, runs: list[Run]) -> list[list[Run]]:
    """The action-planning sheet's forms, one an action: for each, its heading's run and the
    first run of each question, in the order drawn."""
    sheet = min(r.page for r in runs if r.text.startswith(document.action_sheet.title))
    firsts = [column.split()[0] for column in document.action_sheet.columns]
    forms: list[list[Run]] = []
    for run in (r for r in runs if r.page >= sheet):
        words = run.text.split()
        if len(words) == 2 and words[0] == "Action" and words[1].isdigit():
            forms.append([run])
        elif forms and len(forms[-1]) <= len(firsts) and words[:1] == [firsts[len(forms[-1]) - 1]]:
            forms[-1].append(run)
    return forms


def test_the_action_sheet_is_a_form_an_action_with_room_to_write_at_this_size(
    document: Document, runs: list[Run]
) -> None:
    forms = action_forms(document, runs)
    assert [squash(form[0].text) for form in forms] == ["Action 1", "Action 2", "Action 3"]
    mm = 72 / 25.4
    for form in forms:
        heading, *questions = form
        # Each question once, in order, on the heading's page: a form is never split.
        assert [q.text.split()[0] for q in questions] == [
            c.split()[0] for c in document.action_sheet.columns
        ]
        assert {q.page for q in questions} == {heading.page}
        assert all(q.size >= 16 for q in questions)
        # Every question starts at the left margin, its room to answer beside it: three
        # lines 13 mm apart for what and how you will know, a line for who and for when.
        assert {round(q.x) for q in questions} == {round(heading.x)}
        gaps = [(a.y - b.y) / mm for a, b in itertools.pairwise(questions)]
        assert gaps[0] > 3 * 13 and gaps[1] > 13 and gaps[2] > 13, gaps
    # The last question's three lines fit under it before the next form's heading.
    for form, following in itertools.pairwise(forms):
        if following[0].page == form[0].page:
            assert (form[-1].y - following[0].y) / mm > 3 * 13


def test_each_question_of_an_action_form_heads_its_row(
    document: Document, large: tuple[bytes, int | None], runs: list[Run]
) -> None:
    # A screen reader announces the question with the room to answer beside it, not as the
    # head of a column.
    pages = {form[0].page + 1 for form in action_forms(document, runs)}
    headers = [e for role, e, page in structure_elements(large[0]) if role == "/TH"]
    on_forms = [e for role, e, page in structure_elements(large[0]) if page in pages]
    assert len([e for e in on_forms if e["/S"] == "/TH"]) == 3 * 4
    assert {str(e["/A"]["/Scope"]) for e in on_forms if e["/S"] == "/TH"} == {"/Row"}
    assert len(headers) == 3 * 4  # the mini pack has no table of its own


def test_each_line_of_an_action_form_is_ruled_once(
    document: Document, large: tuple[bytes, int | None], tmp_path: Path
) -> None:
    # Eight lines an action beside the questions (three, one, one, three), each a single grey
    # rule 0.7 mm thick, at least 12 mm from the next: none painted above a form's first
    # line, none edged with a dark hairline (as a rule ending on its tile's foot was).
    runs = text_runs(large[0])
    forms = action_forms(document, runs)
    path = tmp_path / "large-print.pdf"
    path.write_bytes(large[0])
    dpi = 300
    per_mm = dpi / 25.4
    for page in sorted({form[0].page for form in forms}):
        pixels = page_pixels(path, page, dpi, tmp_path / f"page-{page}")
        # Across the answers' column (the questions take the left of the line), from the
        # page's first form down (not the sheet's title and its rule).
        on_page = [form for form in forms if form[0].page == page]
        top = round((A4[1] - on_page[0][0].y) / 72 * dpi)
        xs = range(int(pixels.width * 0.6), int(pixels.width * 0.85), 2)
        ruled = [y for y in range(top, pixels.height) if pixels.ruled(y, xs)]
        bands: list[list[int]] = []
        for y in ruled:
            if bands and y - bands[-1][-1] <= 1:
                bands[-1].append(y)
            else:
                bands.append([y])
        assert len(bands) == 8 * len(on_page), (page + 1, [b[0] / per_mm for b in bands])
        assert all(len(band) <= 1.2 * per_mm for band in bands), page + 1
        tops = [band[0] for band in bands]
        assert all(b - a >= 12 * per_mm for a, b in itertools.pairwise(tops)), page + 1
        # The rules' grey is #6e6e6e (110): no row of a rule much darker than that.
        darkest = min(pixels.row(y, xs)[len(xs) // 2] for y in ruled)
        assert darkest >= 100, (page + 1, darkest)
        # The rules are the answers' alone, all of one length: none runs under a question
        # (which then read as underlined, with no line beside it to write on).
        questions = range(int(pixels.width * 0.12), int(pixels.width * 0.3), 2)
        assert not [y for y in range(top, pixels.height) if pixels.ruled(y, questions)], page + 1


def _printed_lines(document: Document, layout: Layout, words: Paragraph) -> list[str]:
    """The printed lines of the large print of the mini pack with ``words`` as its first
    case's text, each line's text runs joined."""
    case = dataclasses.replace(document.cases[0], blocks=(words,))
    pdf, _ = render(with_first_case(document, case), layout, MINI_CONTENT)
    lines: dict[tuple[int, float], list[str]] = {}
    for run in text_runs(pdf):
        lines.setdefault((run.page, round(run.y, 1)), []).append(run.text)
    return [squash("".join(texts)) for texts in lines.values()]


def test_a_web_address_is_not_broken_after_its_scheme(document: Document, layout: Layout) -> None:
    # In the report's words, at this size the line was full after "http://", and the rest of
    # the address went on the next line, once over a page turn. (Another host, so that the
    # mini pack's own mention of the address does not count.)
    address = "http://outcomesaccountability.org/"
    words = Paragraph(
        (
            Text(
                "Outcomes-based Accountability (OBA) and Results-Based Accountability (RBA) "
                "both draw from the work of Mark Friedman and the Fiscal Policy Studies "
                "Institute: "
            ),
            Link("https://outcomesaccountability.org/", (Text(address),)),
            Text(". Approaches are built around three simple questions."),
        )
    )
    printed = _printed_lines(document, layout, words)
    assert not [line for line in printed if line.endswith(("http://", "https://"))]
    assert any(address in line for line in printed)


def test_a_printed_web_address_breaks_before_a_hyphen_never_after_one(
    document: Document, layout: Layout
) -> None:
    # A hyphen at a line's end reads as a word broken in two: the reader would type the
    # address without it. The address may break before a hyphen or a slash of its path.
    href = (
        "https://example.org/resource/leading-and-delivering-early-childhood-services-case-examples"
    )
    words = Paragraph(
        (
            Text("The case examples are published online: "),
            Link(href, (Text("Leading and delivering early childhood services: case examples"),)),
            Text("."),
        )
    )
    printed = _printed_lines(document, layout, words)
    start = next(n for n, line in enumerate(printed) if "(https://example.org/" in line)
    address = printed[start : start + 3]
    assert not [line for line in address if line.endswith("-")], address
    assert len([line for line in address if "-" in line]) >= 2, address  # it did break
    assert f"({href})." in "".join(address).replace(" ", "")
    # A piece too long for a line breaks inside it rather than run off the page; a long
    # host is never parted from its scheme at a slash of "https://".
    long = (
        "https://assets.publishing.service.gov.uk/media/"
        "Early_years_high_impact_area_one_two_three_four_five_six_seven_eight_nine_ten.pdf"
    )
    words = Paragraph((Text("The guide: "), Link(long, (Text("Early years high impact area"),))))
    printed = _printed_lines(document, layout, words)
    start = next(n for n, line in enumerate(printed) if "(https:" in line)
    address = printed[start : start + 4]
    assert f"({long})" in "".join(address).replace(" ", ""), address
    assert not [line for line in address if line.endswith(("https:", "https:/"))], address
    piece = long.rsplit("/", 1)[1]
    assert not [line for line in address if piece in line], address  # broken, not run over
