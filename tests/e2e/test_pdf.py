"""End-to-end PDF tests: render the mini fixture's packs and read the PDFs back as a reader,
a printer and a screen reader would (text per page, metadata, tags, fonts, outline), and
prove the renderer reads nothing outside layouts/ and content/media/."""

from __future__ import annotations

import dataclasses
import functools
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pdf_runs import page_texts, squash, text_runs
from pypdf import PdfReader

from casebook.blocks import (
    BulletList,
    Code,
    Emphasis,
    Figure,
    Link,
    Paragraph,
    Quote,
    Strong,
    Text,
    plain_text,
)
from casebook.content import load_corpus
from casebook.diagnostics import ContentError
from casebook.document import INSIGHT_PROMPTS_TITLE, Document, compose_pack, with_first_case
from casebook.layout import Layout, load_layout
from casebook.packs import select_packs
from casebook.pdf import RenderError, render_html, render_pdf

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini" / "content"
LAYOUTS = ROOT / "layouts"

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20" width="40" height="20">'
    '<rect width="40" height="20" fill="#245a3e"/></svg>'
)


def mini_document(pack_id: str = "all-cases") -> Document:
    corpus = load_corpus(MINI)
    [pack] = [p for p in select_packs(corpus) if p.id == pack_id]
    return compose_pack(pack, corpus)


def with_body(document: Document, *blocks: Any) -> Document:
    """``document`` with ``blocks`` added to the end of its first case's body."""
    first = dataclasses.replace(document.cases[0], blocks=document.cases[0].blocks + blocks)
    return with_first_case(document, first)


@pytest.fixture(scope="module")
def document() -> Document:
    return mini_document()


@pytest.fixture(scope="module")
def layout() -> Layout:
    return load_layout(LAYOUTS)


@pytest.fixture(scope="module")
def pdf(document: Document, layout: Layout) -> bytes:
    return render_pdf(document, layout, MINI)


@pytest.fixture(scope="module")
def texts(pdf: bytes) -> list[str]:
    return page_texts(pdf)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the mini content with a real figure and a secret beside it."""
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    (root / "media").mkdir(exist_ok=True)
    (root / "media" / "chart.svg").write_text(SVG, encoding="utf-8")
    (tmp_path / "secret.svg").write_text(SVG.replace("#245a3e", "#ff0000"), encoding="utf-8")
    return root


def test_a_heading_keeps_two_short_last_words_together_and_never_two_long_ones(
    document: Document, layout: Layout
) -> None:
    case = document.cases[0]
    short = dataclasses.replace(case, heading="Flintshire: Delivering programmes with fidelity")
    long = dataclasses.replace(
        case, heading="Newham: A plan with the Llanfairpwllgwyngyll community-partnership"
    )
    for entry, kept in ((short, "with fidelity"), (long, None)):
        html = render_html(with_first_case(document, entry), layout)
        found = re.search(r"<h2[^>]*>(.*?)</h2>", html.split(f'id="{case.anchor}"')[1])
        assert found is not None
        heading = found.group(1)
        assert re.findall(r'<span class="keep-together">(.*?)</span>', heading) == (
            [kept] if kept else []
        )


def test_each_case_title_and_citation_are_on_the_case_page(
    document: Document, texts: list[str]
) -> None:
    for case in document.cases:
        [page] = [t for t in texts if t.startswith(case.heading)]
        assert case.citation in page
        assert re.search(r", page \d+$", case.citation)


def test_every_word_of_every_case_is_printed(document: Document, texts: list[str]) -> None:
    # Compared without spaces: a long address may wrap anywhere, and then extracts with one.
    printed = "".join("".join(texts).split())
    for case in document.cases:
        for word in plain_text(case.blocks).split():
            assert word in printed, (case.case_id, word)


def test_footer_on_every_page_after_the_cover(document: Document, texts: list[str]) -> None:
    total = len(texts)
    assert "page 1 of" not in texts[0]
    assert document.short_citation not in texts[0].replace(
        f"quoted from {document.short_citation}", ""
    )
    for number, text in enumerate(texts[1:], start=2):
        footer = f"{document.title} · {document.short_citation}"
        assert footer in text, number
        assert text.endswith(f"page {number} of {total}"), number
    assert texts[-1].endswith(f"page {total} of {total}")


def test_pages_come_in_pack_order(document: Document, texts: list[str]) -> None:
    cover, guide, contents, intro = texts[:4]
    assert document.cover.title in cover and document.cover.edition in cover
    assert "Casebook workshop packs" in cover
    assert guide.startswith(document.guide.title)
    assert contents.startswith("Contents")
    assert intro.startswith(document.introduction.title)
    case_pages = [t for t in texts if any(t.startswith(c.heading) for c in document.cases)]
    assert [c.heading for c in document.cases] == [
        next(c.heading for c in document.cases if t.startswith(c.heading)) for t in case_pages
    ]
    assert texts[-2].startswith(document.action_sheet.title)
    assert texts[-1].startswith(document.about.title)


def test_contents_give_the_real_page_numbers(document: Document, texts: list[str]) -> None:
    contents = texts[2]
    for entry in document.toc():
        [actual] = [n for n, t in enumerate(texts, start=1) if t.startswith(entry.title)]
        assert f"{entry.title} {actual}" in contents, entry.title


PARAGRAPH = Paragraph(
    (
        Text(
            "The partnership met every month to agree what families needed first, and who "
            "would lead each piece of work across health, education and the voluntary sector. "
        ),
    )
)


def test_notes_are_ruled_under_the_prompts_on_the_case_page(
    document: Document, layout: Layout
) -> None:
    # Seven paragraphs leave a few lines under the prompts: the notes stay on the case page.
    texts = page_texts(render_pdf(with_body(document, *[PARAGRAPH] * 7), layout, MINI))
    assert len(texts) == len(page_texts(render_pdf(document, layout, MINI)))
    [case_page] = [t for t in texts if t.startswith(document.cases[0].heading)]
    assert "Discussion prompts" in case_page and " Notes " in case_page
    assert case_page.index("Discussion prompts") < case_page.index(" Notes ")


def test_when_only_a_case_s_notes_go_over_its_heading_stays_with_the_prompts(
    document: Document, layout: Layout
) -> None:
    # Lengthen the first case a paragraph at a time until it needs a second page: its words,
    # its prompts and the "Notes" heading (with the lines that fit under it) stay on the
    # first, so no ruled line there is unlabelled; the second page is ruled paper under the
    # case's running head.
    heading, following = document.cases[0].heading, document.cases[1].heading

    @functools.cache
    def pages(paragraphs: int) -> tuple[list[str], int, int]:
        texts = page_texts(render_pdf(with_body(document, *[PARAGRAPH] * paragraphs), layout, MINI))
        start = next(i for i, t in enumerate(texts) if t.startswith(heading))
        end = next(i for i, t in enumerate(texts) if t.startswith(following))
        return texts, start, end

    # The fewest paragraphs that take the case past one page, found by halving (a paragraph
    # more never takes it back onto one).
    low, high = 0, 30
    assert pages(high)[2] - pages(high)[1] > 1
    while high - low > 1:
        middle = (low + high) // 2
        _, start, end = pages(middle)
        low, high = (low, middle) if end - start > 1 else (middle, high)
    texts, start, end = pages(high)
    assert end - start == 2, high
    assert texts[start].index("Discussion prompts") < texts[start].index(" Notes ")
    assert texts[start + 1].startswith(heading)  # the running head, and nothing else
    assert "Notes" not in texts[start + 1] and "Discussion prompts" not in texts[start + 1]


@pytest.mark.parametrize("paragraphs", [10, 14, 20])
def test_a_page_that_continues_a_case_names_it(
    document: Document, layout: Layout, paragraphs: int
) -> None:
    texts = page_texts(render_pdf(with_body(document, *[PARAGRAPH] * paragraphs), layout, MINI))
    heading = document.cases[0].heading
    start = next(i for i, t in enumerate(texts) if t.startswith(heading))
    end = next(i for i, t in enumerate(texts) if t.startswith(document.cases[1].heading))
    assert end - start >= 2  # the case runs onto a second page
    # The notes come last: "Notes" is on the case's last page, or on the page before it
    # when only their lines go over, leaving the last page ruled under the running head.
    notes = max(i for i in range(start, end) if " Notes " in f" {texts[i]}")
    words = "The partnership met every month"  # the start of each added paragraph
    if notes == end - 2:
        assert words not in texts[end - 1] and "Discussion prompts" not in texts[end - 1]
    else:
        assert notes == end - 1
    # The running head names the case on every page after its first, and only there.
    for page in texts[start + 1 : end]:
        assert page.count(heading) == 1
    assert texts[start].count(heading) == 1


def test_action_sheet_has_every_column(document: Document, texts: list[str]) -> None:
    sheet = texts[-2]
    for column in document.action_sheet.columns:
        assert column in sheet


def test_figure_not_available_prints_its_description(texts: list[str]) -> None:
    [page] = [t for t in texts if t.startswith("North Wales: Regional population")]
    assert (
        "Figure not available in this edition "
        "Schematic diagram of North Wales children and young strategy"
    ) in page


def test_metadata_title_language_and_dates(pdf: bytes, document: Document, layout: Layout) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == document.title
    assert reader.metadata.author == layout.brand.name == "Casebook workshop packs"
    assert reader.metadata.subject == document.subject
    assert reader.metadata["/CreationDate"].startswith("D:" + document.date.replace("-", ""))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])


def test_pdf_is_tagged(pdf: bytes) -> None:
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root


def outline_of(pdf: bytes) -> list[tuple[str, list[str]]]:
    """The PDF's bookmarks: each top-level title with the titles beneath it."""
    tree: list[tuple[str, list[str]]] = []
    for item in PdfReader(io.BytesIO(pdf)).outline:
        if isinstance(item, list):
            assert all(not isinstance(child, list) for child in item), "a third level"
            tree[-1][1].extend(child.title for child in item)
        else:
            tree.append((item.title, []))
    return tree


def test_outline_has_insight_sections_with_their_cases_beneath(
    pdf: bytes, document: Document
) -> None:
    assert outline_of(pdf) == [
        (document.title, []),
        (document.guide.title, []),
        (document.contents_title, []),
        (document.introduction.title, []),
        *[(g.title, [c.heading for c in g.cases]) for g in document.groups],
        (document.action_sheet.title, []),
        (document.about.title, []),
    ]


def test_an_insight_pack_has_its_cases_beneath_the_introduction(layout: Layout) -> None:
    document = mini_document("insight-01-strategic-planning")
    pdf = render_pdf(document, layout, MINI)
    [group] = document.groups
    assert not group.title
    assert outline_of(pdf)[3] == (document.introduction.title, [c.heading for c in group.cases])
    texts = page_texts(pdf)
    contents = texts[2]
    assert f"{document.introduction.title} 4 {document.cases[0].heading} 5" in contents
    # The insight's questions are printed once, in the introduction, never under a case,
    # under the heading they have in an insight section (boxed, and not a bookmark).
    prompts = load_corpus(MINI).insight("strategic-planning").prompts
    for prompt in prompts:
        assert [n for n, t in enumerate(texts, 1) if prompt in t] == [4], prompt
    assert texts[3].index(INSIGHT_PROMPTS_TITLE) < texts[3].index(prompts[0])
    assert f"{INSIGHT_PROMPTS_TITLE}:" not in texts[3]  # a heading, not a lead-in sentence
    assert next(page for role, _, page in structure_elements(pdf) if role == "/H2") == 4
    # The box stands clear of the list of places above it (6 mm, then its border and 4 mm of
    # padding before its heading), as it stands clear of an insight's summary: its border
    # once stood 2 mm under the list's last line, 12 mm from baseline to baseline.
    runs = [run for run in text_runs(pdf) if run.page == 3]
    [heading] = [run for run in runs if run.text.strip() == INSIGHT_PROMPTS_TITLE]
    last_place = min((run for run in runs if run.y > heading.y), key=lambda run: run.y)
    places = document.introduction.blocks[-1]
    assert isinstance(places, BulletList)
    [place] = places.items[-1].blocks
    assert isinstance(place, Paragraph)
    assert last_place.text.strip() == plain_text(place.children)
    assert (last_place.y - heading.y) * 25.4 / 72 > 15, last_place


def structure_elements(pdf: bytes) -> list[tuple[str, Any, int]]:
    """Every element of a tagged PDF's structure tree: (role, element, page number)."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages, 1)}
    found: list[tuple[str, Any, int]] = []

    def walk(node: Any, page: int) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for child in node:
                walk(child, page)
        elif hasattr(node, "get") and "/S" in node:
            if "/Pg" in node:
                page = pages[node.raw_get("/Pg").idnum]
            found.append((str(node["/S"]), node, page))
            if "/K" in node:
                walk(node["/K"], page)

    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"], 0)
    return found


def test_contents_are_a_list_of_links_not_a_table(
    pdf: bytes, document: Document, texts: list[str]
) -> None:
    contents_page = 3
    assert texts[contents_page - 1].startswith(document.contents_title)
    on_page = [(role, e) for role, e, page in structure_elements(pdf) if page == contents_page]
    roles = [role for role, _ in on_page]
    assert not {"/Table", "/TR", "/TH", "/TD"} & set(roles), roles
    # One link per entry, in list items; an insight's cases are a list inside its item.
    entries = document.toc()
    assert roles.count("/Link") == len(entries)
    assert roles.count("/LI") == len(entries)
    lists = [e for role, e in on_page if role == "/L"]
    assert len(lists) == 1 + sum(1 for g in document.groups if g.title)


def test_action_sheet_header_cells_have_a_column_scope(
    pdf: bytes, document: Document, texts: list[str]
) -> None:
    sheet = len(texts) - 1
    assert texts[sheet - 1].startswith(document.action_sheet.title)
    headers = [e for role, e, page in structure_elements(pdf) if role == "/TH" and page == sheet]
    assert len(headers) == len(document.action_sheet.columns)
    for header in headers:
        assert header["/A"]["/Scope"] == "/Column"


def test_insight_sections_open_with_summary_and_questions(
    document: Document, texts: list[str]
) -> None:
    corpus = load_corpus(MINI)
    body = " ".join(texts[3:])
    for group in document.groups:
        [n] = [n for n, t in enumerate(texts) if t.startswith(group.title)]
        opener = texts[n]
        insight = next(i for i in corpus.insights if group.title.endswith(i.title))
        assert f"{group.title} {insight.summary} " in opener
        assert body.count(insight.summary) == 1
        assert f"{group.prompts_title} {' '.join(insight.prompts)}" in opener
        assert texts[n + 1].startswith(group.cases[0].heading)


def prompts_under(texts: list[str], heading: str, starts: set[int]) -> str:
    """The text between "Discussion prompts" and "Notes" on the pages of one case."""
    first = next(n for n, t in enumerate(texts) if t.startswith(heading))
    end = min([s for s in starts if s > first] or [len(texts)])
    found = re.findall(r"Discussion prompts (.*?) Notes ", " ".join(texts[first:end]))
    assert len(found) == 1, heading
    return str(found[0])


def test_each_case_shows_its_own_prompts_and_never_an_insights(
    document: Document, texts: list[str]
) -> None:
    titles = [e.title for e in document.toc()]
    starts = {n for n, t in enumerate(texts) if n > 3 and any(t.startswith(x) for x in titles)}
    under = {c.heading: prompts_under(texts, c.heading, starts) for c in document.cases}
    for case in document.cases:
        assert under[case.heading] == " ".join(case.prompts)
    assert len(set(under.values())) == len(under)
    for insight in load_corpus(MINI).insights:
        for prompt in insight.prompts:
            assert not any(prompt in text for text in under.values())
            assert sum(t.count(prompt) for t in texts) == 1


def test_a_case_without_prompts_goes_from_its_citation_to_the_notes(
    document: Document, layout: Layout
) -> None:
    case = dataclasses.replace(document.cases[0], prompts=())
    texts = page_texts(render_pdf(with_first_case(document, case), layout, MINI))
    [page] = [t for t in texts if t.startswith(case.heading)]
    assert "Discussion prompts" not in page
    assert f"{case.citation} Notes " in page


def fonts_of(pdf: bytes) -> dict[str, Any]:
    fonts: dict[str, Any] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


def test_every_font_is_bundled_embedded_and_subset(pdf: bytes) -> None:
    fonts = fonts_of(pdf)
    assert fonts
    for name, font in fonts.items():
        assert re.fullmatch(r"/[A-Z]{6}\+Noto-[A-Za-z-]+", name), name
        [descendant] = font["/DescendantFonts"]
        descriptor = descendant.get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, name


def test_code_emphasis_and_quotes_use_bundled_fonts(document: Document, layout: Layout) -> None:
    doc = with_body(
        document,
        Paragraph((Code("x = 1"), Text(" "), Strong((Emphasis((Text("both"),)),)))),
        Quote((Paragraph((Text("Quoted."),)),)),
    )
    names = sorted(name.split("+")[1] for name in fonts_of(render_pdf(doc, layout, MINI)))
    assert names == ["Noto-Sans", "Noto-Sans-Bold", "Noto-Sans-Bold-Italic", "Noto-Sans-Italic"]


def test_no_attachments_or_scripts(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/EmbeddedFiles" not in root.get("/Names", {})
    assert "/OpenAction" not in root and "/AA" not in root
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            assert annot["/Subtype"] != "/FileAttachment"
            action = annot.get("/A", {})
            assert action.get("/S") in (None, "/URI", "/GoTo"), action
            if action.get("/S") == "/URI":
                assert str(action["/URI"]).startswith(("https:", "mailto:"))


def test_renders_are_byte_identical(pdf: bytes, document: Document, layout: Layout) -> None:
    assert render_pdf(document, layout, MINI) == pdf


def test_second_brand_puts_its_own_name_on_the_cover(document: Document) -> None:
    valley = load_layout(LAYOUTS, "valley-council")
    pdf = render_pdf(document, valley, MINI)
    texts = page_texts(pdf)
    assert "Valley Council Early Years Partnership" in texts[0]
    assert "Casebook workshop packs" not in " ".join(texts)
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None
    assert metadata.author == "Valley Council Early Years Partnership"


def test_letter_paper_and_a_brand_outside_layouts(document: Document, tmp_path: Path) -> None:
    brand = tmp_path / "my-brand"
    shutil.copytree(LAYOUTS / "brands" / "valley-council", brand)
    text = (brand / "brand.yaml").read_text(encoding="utf-8")
    (brand / "brand.yaml").write_text(text.replace("paper: A4", "paper: Letter"), "utf-8")
    layout = load_layout(LAYOUTS, str(brand))
    reader = PdfReader(io.BytesIO(render_pdf(document, layout, MINI)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    assert "Valley Council" in reader.pages[0].extract_text()


def test_welsh_right_to_left_symbols_and_emoji_survive(document: Document, layout: Layout) -> None:
    words = "Gŵyl Llŷn dŵr tŷ מרכז مرحبا 👶 → ≥ ✓"
    doc = with_body(document, Paragraph((Text(f"Ar\u00a0lan y môr: {words}"),)))
    pdf = render_pdf(doc, layout, MINI)
    # Read in the order the text is drawn (PDFium's reading reorders right-to-left text).
    texts = [squash(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
    [text] = [t for t in texts if t.startswith(document.cases[0].heading)]
    for word in ("Gŵyl", "Llŷn", "dŵr", "tŷ", "👶", "مرحبا", "→ ≥ ✓"):
        assert word in text
    assert "מרכז" in text or "זכרמ" in text  # extraction may give visual order
    names = " ".join(fonts_of(pdf))
    for family in (
        "Noto-Sans-Arabic",
        "Noto-Sans-Hebrew",
        "Noto-Emoji",
        "Noto-Sans-Math",
        "Noto-Sans-Symbols2",
    ):
        assert family in names


def test_markup_in_text_is_printed_not_obeyed(document: Document, layout: Layout) -> None:
    raw = '<link rel="attachment" href="file:///etc/passwd"><img src="file:///etc/passwd">'
    doc = with_body(
        document,
        Paragraph((Text(raw),)),
        Paragraph((Link("file:///etc/passwd", (Text("a local file"),)),)),
        Paragraph((Link("javascript:alert(1)", (Text("a script"),)),)),
    )
    pdf = render_pdf(doc, layout, MINI)
    [text] = [t for t in page_texts(pdf) if t.startswith(document.cases[0].heading)]
    assert squash(raw) in text
    assert "a local file" in text and "a script" in text
    test_no_attachments_or_scripts(pdf)


def test_a_figure_from_media_is_drawn(document: Document, layout: Layout, content: Path) -> None:
    doc = with_body(document, Figure("A green bar", "media/chart.svg"))
    pdf = render_pdf(doc, layout, content)
    tree = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"]
    assert ("/Figure", "A green bar") in structure(tree)


def structure(node: Any) -> list[tuple[str, str]]:
    """Every (role, alt text) in a tagged PDF's structure tree."""
    node = node.get_object() if hasattr(node, "get_object") else node
    found: list[tuple[str, str]] = []
    if isinstance(node, list):
        for child in node:
            found.extend(structure(child))
    elif hasattr(node, "get"):
        if "/S" in node:
            found.append((str(node["/S"]), str(node.get("/Alt", ""))))
        if "/K" in node:
            found.extend(structure(node["/K"]))
    return found


OUTSIDE = "refused, outside layouts/ and content/media/"
NOT_MEDIA = "must be a file under content/media/, written as media/<name>"


@pytest.mark.parametrize(
    ("src", "problem"),
    [
        ("media/../../secret.svg", NOT_MEDIA),
        ("media/../cases/caerphilly-vision-for-change.md", NOT_MEDIA),
        ("media//etc/passwd", "must be an image every format can show (SVG, PNG, JPG, GIF)"),
        ("media/link.svg", "points outside content/media/"),  # a symlink out of media/
        ("/etc/passwd", NOT_MEDIA),
        ("../secret.svg", NOT_MEDIA),
        ("media/missing.svg", "does not exist"),
    ],
)
def test_figures_outside_media_stop_the_render(
    document: Document, layout: Layout, content: Path, src: str, problem: str
) -> None:
    (content / "media" / "link.svg").symlink_to(content.parent / "secret.svg")
    doc = with_body(document, Figure("Secret", src))
    with pytest.raises(RenderError) as error:
        render_pdf(doc, layout, content)
    assert str(error.value) == f"all-cases: figure {src!r}: {problem}"


def test_a_render_that_stops_at_refused_files_names_each_of_them_once(
    document: Document, layout: Layout, content: Path
) -> None:
    doc = with_body(
        document,
        Figure("First", "media/missing.svg"),
        Figure("Second", "/etc/passwd"),
        Figure("First again", "media/missing.svg"),
    )
    with pytest.raises(RenderError) as error:
        render_pdf(doc, layout, content)
    assert str(error.value) == (
        f"all-cases: figure 'media/missing.svg': does not exist; figure '/etc/passwd': {NOT_MEDIA}"
    )


@pytest.mark.parametrize("name", ["broken.svg", "broken.png"])
def test_a_broken_image_stops_the_render(
    document: Document, layout: Layout, content: Path, name: str
) -> None:
    (content / "media" / name).write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'><rect")
    with pytest.raises(RenderError) as error:
        render_pdf(with_body(document, Figure("Broken", f"media/{name}")), layout, content)
    assert str(error.value) == (
        f"all-cases: WeasyPrint: Failed to load image at 'content:media/{name}'"
    )


def test_a_figure_without_a_content_folder(document: Document, layout: Layout) -> None:
    doc = with_body(document, Figure("A green bar", "media/chart.svg"))
    with pytest.raises(RenderError) as error:
        render_pdf(doc, layout)
    assert str(error.value) == (
        "all-cases: figure 'media/chart.svg': no content folder was given to the renderer"
    )


@pytest.fixture
def layouts_copy(tmp_path: Path) -> Path:
    root = tmp_path / "layouts"
    shutil.copytree(LAYOUTS, root)
    return root


def test_a_file_a_page_s_style_fetches_at_its_first_reading_is_refused_as_any_other(
    document: Document, layouts_copy: Path
) -> None:
    # WeasyPrint reads a colour profile in the page's own <style> at once, and does not go
    # on without it.
    template = layouts_copy / "pdf" / "pack.html.j2"
    profile = '<style>@color-profile --p { src: url("missing.icc"); }</style>'
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("</head>", profile + "</head>", 1), encoding="utf-8")
    with pytest.raises(RenderError) as error:
        render_pdf(document, load_layout(layouts_copy), MINI)
    assert str(error.value) == f"all-cases: {layouts_copy / 'missing.icc'}: not found"


@pytest.mark.parametrize(
    "reference",
    [
        "file:///etc/passwd",
        "https://example.org/logo.png",
        "http://127.0.0.1:9/logo.png",
        "../../outside.svg",
        "data:image/svg+xml;base64,PHN2Zy8+",
    ],
)
def test_a_logo_cannot_reach_outside(
    document: Document, layouts_copy: Path, reference: str
) -> None:
    (layouts_copy.parent / "outside.svg").write_text(SVG, encoding="utf-8")
    logo = layouts_copy / "logo.svg"
    reaching = SVG.replace("</svg>", f'<image href="{reference}" width="10" height="10"/></svg>')
    logo.write_text(reaching, encoding="utf-8")
    with pytest.raises(ContentError) as refused:
        load_layout(layouts_copy)  # what check and every build do first
    [diagnostic] = refused.value.diagnostics
    assert diagnostic.message == (
        f"logo: 'logo.svg' cannot be drawn: it refers to {reference!r} outside itself; "
        "draw everything inside it"
    )
    # A logo changed after the check is still refused when the PDF fetches it; a picture
    # written out in it as a data: address reads nothing, and is drawn.
    logo.write_text(SVG, encoding="utf-8")
    layout = load_layout(layouts_copy)
    logo.write_text(reaching, encoding="utf-8")
    if reference.startswith("data:"):
        assert render_pdf(document, layout, MINI).startswith(b"%PDF-")
        return
    with pytest.raises(RenderError) as error:
        render_pdf(document, layout, MINI)
    message = str(error.value)
    assert message.startswith("all-cases: ")
    assert reference.split("/")[-1][:12] in message
    assert "refused" in message or "not found" in message


def test_a_stylesheet_link_out_of_layouts_stops_the_render(
    document: Document, layouts_copy: Path
) -> None:
    (layouts_copy.parent / "evil.css").write_text("body { color: red }", encoding="utf-8")
    (layouts_copy / "pdf" / "evil.css").symlink_to(layouts_copy.parent / "evil.css")
    template = layouts_copy / "pdf" / "pack.html.j2"
    text = template.read_text(encoding="utf-8")
    template.write_text(
        text.replace(
            '<link rel="stylesheet" href="pdf/pack.css">',
            '<link rel="stylesheet" href="pdf/pack.css">\n'
            '<link rel="stylesheet" href="pdf/evil.css">',
        ),
        encoding="utf-8",
    )
    with pytest.raises(RenderError) as error:
        render_pdf(document, load_layout(layouts_copy), MINI)
    assert str(error.value) == (
        f"all-cases: {layouts_copy.resolve() / 'pdf' / 'evil.css'}: {OUTSIDE}"
    )


def test_a_missing_font_names_the_file(document: Document, layouts_copy: Path) -> None:
    (layouts_copy / "fonts" / "NotoSans-Bold.ttf").unlink()
    with pytest.raises(RenderError) as error:
        render_pdf(document, load_layout(layouts_copy), MINI)
    font = layouts_copy.resolve() / "fonts" / "NotoSans-Bold.ttf"
    assert str(error.value) == f"all-cases: {font}: not found"


def test_attachments_in_a_template_are_not_embedded(document: Document, layouts_copy: Path) -> None:
    template = layouts_copy / "pdf" / "pack.html.j2"
    text = template.read_text(encoding="utf-8")
    text = text.replace(
        '<link rel="stylesheet" href="pdf/pack.css">',
        '<link rel="stylesheet" href="pdf/pack.css">\n'
        '<link rel="attachment" href="pdf/fonts.css" title="fonts">',
    ).replace("<body>\n", '<body>\n<a rel="attachment" href="pdf/pack.css">the stylesheet</a>\n')
    template.write_text(text, encoding="utf-8")
    pdf = render_pdf(document, load_layout(layouts_copy), MINI)
    assert "the stylesheet" in page_texts(pdf)[0]
    test_no_attachments_or_scripts(pdf)
    assert b"font-face" not in pdf


def test_a_template_mistake_names_the_template_and_line(
    document: Document, layouts_copy: Path
) -> None:
    template = layouts_copy / "pdf" / "pack.html.j2"
    lines = template.read_text(encoding="utf-8").splitlines()
    lines[4] = "<title>{{ doc.no_such_field }}</title>"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RenderError) as error:
        render_pdf(document, load_layout(layouts_copy), MINI)
    message = str(error.value)
    assert message.startswith("all-cases: template ")
    assert "pack.html.j2:5: " in message
    assert "no_such_field" in message


@pytest.mark.clients
def test_poppler_and_qpdf_accept_the_pdf(pdf: bytes, document: Document, tmp_path: Path) -> None:
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        emb, sub, uni = row.split()[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]
    for number, page in enumerate(pages[1:], start=2):
        assert f"page {number} of {len(pages)}" in page
        assert document.short_citation in squash(page)


@pytest.mark.clients
def test_pdfua_finds_no_error(pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    pdfua = shutil.which("pdfua") or str(Path(sys.executable).parent / "pdfua")
    result = subprocess.run(
        [pdfua, "check", "--min-severity", "error", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # pdfua exits 3 for a finding at ERROR severity, 4 for a file it cannot read.
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("brand", [None, "valley-council"])
@pytest.mark.parametrize("large_print", [False, True])
def test_the_last_notes_rule_at_a_page_s_foot_is_drawn_whole(
    document: Document, tmp_path: Path, brand: str | None, large_print: bool
) -> None:
    # Where a brand's margins end the page area inside a rule, the band over the bottom
    # margin once cut that rule to a hairline on every case page.
    from pdf_runs import A4, page_pixels

    from casebook.largeprint import render as render_large_print

    layout = load_layout(LAYOUTS, brand)
    if large_print:
        pdf, _ = render_large_print(document, layout, MINI)
    else:
        pdf = render_pdf(document, layout, MINI)
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    dpi = 300
    thickness = 0.6 * dpi / 25.4  # a rule: 0.6 mm, in large print 0.7 mm
    checked = 0
    for number, text in enumerate(page_texts(pdf)):
        if "Notes" not in text.split():
            continue
        # The lower half of the page, where its last rule is.
        pixels = page_pixels(path, number, dpi, tmp_path / f"page-{number}", A4[1] / 2)
        xs = range(pixels.width // 4, 3 * pixels.width // 4, 2)
        ruled = [y for y in range(pixels.height) if pixels.ruled(y, xs)]
        lowest = [y for y in ruled if ruled[-1] - y < 2 * thickness]
        assert len(lowest) >= thickness / 2, (number + 1, len(lowest))  # not a hairline
        checked += 1
    assert checked >= 3
