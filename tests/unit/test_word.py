"""The Word renderer, read back from the .docx XML: styles, lists, fields, links, properties."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]

from casebook.blocks import (
    BulletList,
    Emphasis,
    Figure,
    Heading,
    Inline,
    Link,
    ListItem,
    OrderedList,
    Paragraph,
    Quote,
    Strong,
    Text,
)
from casebook.diagnostics import ContentError
from casebook.document import ActionSheet, CaseEntry, CaseGroup, Cover, Document, Section
from casebook.layout import Layout, load_layout
from casebook.reference import (
    BULLET_STYLES,
    CONTINUE_STYLES,
    NUMBER_STYLES,
    brand_stamp,
    build_reference,
)
from casebook.word import render_docx, safe_segments

ROOT = Path(__file__).resolve().parents[2]
LAYOUTS = ROOT / "layouts"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {
    "w": W,
    "r": R,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
CITATION = "From: Leading and delivering early childhood services, page {}"


def _p(*parts: str | Inline) -> Paragraph:
    return Paragraph(tuple(Text(p) if isinstance(p, str) else p for p in parts))


def _item(*blocks: Paragraph | BulletList | OrderedList) -> ListItem:
    return ListItem(tuple(blocks))


CASE_BODY = (
    _p("Worked with ", Strong((Text("Public Health Wales"),)), " on a ", Emphasis((Text("plan"),))),
    _p("First line\vsecond line\x01 end"),
    Heading(3, (Text("What they did"),)),
    OrderedList(1, (_item(_p("one"), BulletList((_item(_p("nested bullet")),))), _item(_p("two")))),
    OrderedList(3, (_item(_p("three")), _item(_p("four")))),
    BulletList((_item(_p("a bullet")),)),
    Quote((_p("A quoted voice."),)),
    _p("See ", Link("https://www.eif.org.uk/report", (Text("the report"),)), "."),
    Figure("A logic model diagram", None),
)


def _case(n: int) -> CaseEntry:
    return CaseEntry(
        anchor=f"case-place-{n}",
        case_id=f"place-{n}",
        heading=f"Place {n}: Case {n}",
        meta=(f"Place {n}", "Wales", "Insight 1: Drive the quality of local strategic planning"),
        blocks=CASE_BODY,
        citation=CITATION.format(18 + n),
        prompts_title="Discussion prompts",
        prompts=("What would this look like here?", "Who needs to be involved?"),
        notes_title="Notes",
        notes_lines=6,
    )


def make_document(**changes: object) -> Document:
    """A small two-case pack, made by hand."""
    document = Document(
        pack_id="insight-01-strategic-planning",
        kind="insight",
        title="Insight 1: Drive the quality of local strategic planning",
        lang="en-GB",
        date="2026-11-26",
        subject="Case examples from Leading and delivering early childhood services (2022)",
        keywords=("early childhood", "workshop"),
        short_citation="EIF (2022), Leading and delivering early childhood services",
        cover=Cover(
            "Insight 1: Drive the quality of local strategic planning",
            "Insight pack · 2 case examples · Wales",
            "Insight pack",
            "First edition, 26 November 2026",
        ),
        guide=Section("guide", "How to use this pack", (_p("Plan a 90-minute session."),)),
        contents_title="Contents",
        introduction=Section("introduction", "Insight 1: Drive the quality", (_p("Summary."),)),
        groups=(CaseGroup("", "", (), "", (), (_case(1), _case(2))),),
        action_sheet=ActionSheet(
            "action-plan",
            "Action-planning sheet",
            "Agree two or three actions.",
            ("What will we do?", "Who will lead it?", "By when?", "How will we know?"),
            4,
        ),
        about=Section("about", "About the source", (_p("Rights statement."),)),
    )
    return replace(document, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def layout() -> Layout:
    return load_layout(LAYOUTS)


@pytest.fixture(scope="module")
def docx_bytes(layout: Layout) -> bytes:
    return render_docx(make_document(), layout)


def _part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


@pytest.fixture(scope="module")
def body(docx_bytes: bytes) -> etree._Element:
    return _part(docx_bytes, "word/document.xml").find("w:body", NS)


def _text(p: etree._Element) -> str:
    out = []
    for node in p.iter(f"{{{W}}}t", f"{{{W}}}br", f"{{{W}}}tab"):
        out.append(node.text or "" if node.tag == f"{{{W}}}t" else "\n")
    return "".join(out)


def _val(element: etree._Element, path: str) -> str | None:
    """The ``w:val`` of the element at ``path`` under ``element``, if there is one."""
    found = element.find(path, NS)
    return None if found is None else found.get(f"{{{W}}}val")


def _style(p: etree._Element) -> str:
    return _val(p, "w:pPr/w:pStyle") or "Normal"


def _styled(body: etree._Element, style: str) -> list[str]:
    return [_text(p) for p in body.iter(f"{{{W}}}p") if _style(p) == style]


def test_each_kind_of_paragraph_has_its_style(body: etree._Element) -> None:
    assert _styled(body, "Title") == ["Insight 1: Drive the quality of local strategic planning"]
    assert _styled(body, "Subtitle") == ["Insight pack · 2 case examples · Wales"]
    assert "First edition, 26 November 2026" in _styled(body, "CoverEdition")
    assert _styled(body, "TOCHeading") == ["Contents"]
    assert _styled(body, "Heading1") == [
        "How to use this pack",
        "Insight 1: Drive the quality",
        "Action-planning sheet",
        "About the source",
    ]
    assert _styled(body, "Heading2") == ["Place 1: Case 1", "Place 2: Case 2"]
    assert _styled(body, "CaseMeta")[0] == (
        "Place 1 · Wales · Insight 1: Drive the quality of local strategic planning"
    )
    assert _styled(body, "CaseCitation") == [CITATION.format(19), CITATION.format(20)]
    assert _styled(body, "Heading3").count("Discussion prompts") == 2
    # The notes heading names its case, as the box may start a page of its own.
    notes = [t for t in _styled(body, "Heading3") if t.startswith("Notes")]
    assert notes == ["Notes on Place 1: Case 1", "Notes on Place 2: Case 2"]
    assert _styled(body, "Prompt")[:2] == [
        "What would this look like here?",
        "Who needs to be involved?",
    ]
    # The box is as small as the PDF's least notes area: three writing lines.
    assert _styled(body, "Notes") == ["\n" * 2, "\n" * 2]
    assert _styled(body, "Quote") == ["A quoted voice.", "A quoted voice."]
    assert "What they did" in _styled(body, "Heading3")
    # A figure not available: a dashed box, its label as the PDF's (bold, muted, 9 pt), its
    # description on a new line.
    assert (
        _styled(body, "FigureMissing")
        == ["Figure not available in this edition.\nDescription: A logic model diagram"] * 2
    )
    for box in (p for p in body.iter(f"{{{W}}}p") if _style(p) == "FigureMissing"):
        [label] = [r for r in box.iter(f"{{{W}}}r") if r.find("w:rPr/w:rStyle", NS) is not None]
        assert (_val(label, "w:rPr/w:rStyle"), _text(label)) == (
            "FigureMissingLabel",
            "Figure not available in this edition.",
        )


def test_sections_come_in_pack_order(body: etree._Element) -> None:
    order = [
        _text(p)
        for p in body.iter(f"{{{W}}}p")
        if _style(p) in {"Title", "Heading1", "Heading2", "TOCHeading"}
    ]
    assert order == [
        "Insight 1: Drive the quality of local strategic planning",
        "How to use this pack",
        "Contents",
        "Insight 1: Drive the quality",
        "Place 1: Case 1",
        "Place 2: Case 2",
        "Action-planning sheet",
        "About the source",
    ]


def test_case_and_section_headings_start_a_new_page_through_their_style(
    docx_bytes: bytes,
) -> None:
    styles = _part(docx_bytes, "word/styles.xml")
    heading1 = styles.find("w:style[@w:styleId='Heading1']", NS)
    assert heading1.find("w:pPr/w:pageBreakBefore", NS).get(f"{{{W}}}val") is None
    # Every heading comes from Heading 1, so one change to its font reaches them all;
    # Heading 2 keeps the page break, Heading 3 and the Subheading turn it off.
    for style_id, base, breaks in (
        ("Heading2", "Heading1", None),
        ("Heading3", "Heading1", "0"),
        ("Subheading", "Heading2", "0"),
    ):
        style = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
        assert _val(style, "w:basedOn") == base
        assert _val(style, "w:pPr/w:pageBreakBefore") == breaks
    body = _part(docx_bytes, "word/document.xml")
    assert body.find(".//w:br[@w:type='page']", NS) is None


def _numbered(body: etree._Element, *styles: str) -> list[tuple[str, str, str]]:
    return [
        (
            _text(p),
            p.find("w:pPr/w:numPr/w:numId", NS).get(f"{{{W}}}val"),
            p.find("w:pPr/w:numPr/w:ilvl", NS).get(f"{{{W}}}val"),
        )
        for p in body.iter(f"{{{W}}}p")
        if _style(p) in styles
    ]


def test_each_numbered_list_restarts_at_its_own_start(
    body: etree._Element, docx_bytes: bytes
) -> None:
    numbering = _part(docx_bytes, "word/numbering.xml")
    items = _numbered(body, "ListNumber", "ListNumberLast")[:4]
    assert [text for text, _, _ in items] == ["one", "two", "three", "four"]
    first, second = items[0][1], items[2][1]
    assert items[1][1] == first and items[3][1] == second and first != second
    starts = {}
    for num in numbering.findall("w:num", NS):
        override = num.find("w:lvlOverride[@w:ilvl='0']/w:startOverride", NS)
        if override is not None:
            starts[num.get(f"{{{W}}}numId")] = override.get(f"{{{W}}}val")
    assert starts[first] == "1"
    assert starts[second] == "3"


def test_prompts_restart_at_1_under_every_case_heading_by_their_style(
    body: etree._Element, docx_bytes: bytes
) -> None:
    # No prompt carries numbering of its own: the Prompt style is the second level of a list
    # whose first, unnumbered level is Heading 2, and a level starts again after the level
    # above it. So every case, and a case a local area adds or pastes, numbers from 1.
    prompts = [p for p in body.iter(f"{{{W}}}p") if _style(p) == "Prompt"]
    assert len(prompts) == 4
    assert all(p.find("w:pPr/w:numPr", NS) is None for p in prompts)
    styles = _part(docx_bytes, "word/styles.xml")

    def listed(style_id: str) -> tuple[str | None, str | None]:
        num_pr = styles.find(f"w:style[@w:styleId='{style_id}']/w:pPr/w:numPr", NS)
        assert num_pr is not None, style_id
        ilvl = num_pr.find("w:ilvl", NS)
        return (
            num_pr.find("w:numId", NS).get(f"{{{W}}}val"),
            None if ilvl is None else ilvl.get(f"{{{W}}}val"),
        )

    heading, prompt = listed("Heading2"), listed("Prompt")
    assert heading[0] == prompt[0] and (heading[1], prompt[1]) == ("0", "1")
    numbering = _part(docx_bytes, "word/numbering.xml")
    num = numbering.find(f"w:num[@w:numId='{heading[0]}']", NS)
    abstract = numbering.find(
        f"w:abstractNum[@w:abstractNumId='{num.find('w:abstractNumId', NS).get(f'{{{W}}}val')}']",
        NS,
    )
    first, second = abstract.findall("w:lvl", NS)[:2]
    assert first.find("w:numFmt", NS).get(f"{{{W}}}val") == "none"
    assert first.find("w:lvlText", NS).get(f"{{{W}}}val") == ""
    assert second.find("w:numFmt", NS).get(f"{{{W}}}val") == "decimal"
    assert second.find("w:lvlText", NS).get(f"{{{W}}}val") == "%2."
    assert second.find("w:lvlRestart", NS) is None  # restarts after every level-1 item


def test_nested_lists_keep_their_level(body: etree._Element) -> None:
    nested = _numbered(body, "ListBullet2", "ListBulletLast")
    assert nested[0][0] == "nested bullet" and nested[0][2] == "1"
    top = _numbered(body, "ListBullet", "ListBulletLast")[1:]
    assert top[0][0] == "a bullet" and top[0][2] == "0"
    assert nested[0][1] == top[0][1]  # one bullet list definition, levels within it


def _spacing_after(style: object) -> float:
    """The space after a paragraph style (pt), inherited from the styles it is based on and
    the document's defaults."""
    while style is not None:
        after = style.paragraph_format.space_after  # type: ignore[attr-defined]
        if after is not None:
            return float(after.pt)
        defaults = style.element.getparent().find(  # type: ignore[attr-defined]
            "w:docDefaults/w:pPrDefault/w:pPr/w:spacing", NS
        )
        style = style.base_style  # type: ignore[attr-defined]
    return int(defaults.get(f"{{{W}}}after", "0")) / 20


def _contextual(style: object) -> bool:
    while style is not None:
        ppr = style.element.pPr  # type: ignore[attr-defined]
        if ppr is not None and ppr.find(f"{{{W}}}contextualSpacing") is not None:
            return True
        style = style.base_style  # type: ignore[attr-defined]
    return False


def test_list_items_are_spaced_as_in_the_pdf_and_the_last_by_a_paragraph_s_space(
    docx_bytes: bytes,
) -> None:
    # As the PDF: a quarter of the 10.5 pt text between items, and after a list the space
    # after a paragraph. Word adds one paragraph's space after to the next one's before, so
    # the last item of a list has a style of its own, based on the item's.
    word = _python_docx(docx_bytes)
    paragraphs = list(word.paragraphs)  # type: ignore[attr-defined]
    lists = [("one", "two"), ("three", "four"), ("a bullet",), ("nested bullet",)]
    by_text = {p.text: p for p in paragraphs}
    normal = _spacing_after(word.styles["Normal"])  # type: ignore[attr-defined]
    assert normal == pytest.approx(6.3)
    for items in lists:
        *others, last = (by_text[text].style for text in items)
        for style in others:
            assert style.name.startswith("List ") and not style.name.endswith("Last")
            assert _spacing_after(style) == pytest.approx(10.5 * 0.25, abs=0.1)
            assert not _contextual(style)  # which would drop the space between items
        assert last.name in ("List Bullet Last", "List Number Last")
        assert last.base_style.name == last.name.removesuffix(" Last")
        assert _spacing_after(last) == normal and not _contextual(last)
    # The paragraph after the list starts a paragraph's space below its last item.
    after_list = paragraphs[[p.text for p in paragraphs].index("four") + 1]
    assert after_list.paragraph_format.space_before is None
    assert after_list.style.paragraph_format.space_before in (None, 0)


def test_contents_is_a_toc_field_prefilled_with_linked_entries(body: etree._Element) -> None:
    instr = "".join(t.text for t in body.iter(f"{{{W}}}instrText"))
    assert instr.strip() == 'TOC \\h \\z \\t "Heading 1,1,Insight Heading,1,Heading 2,2"'
    kinds = [c.get(f"{{{W}}}fldCharType") for c in body.iter(f"{{{W}}}fldChar")]
    assert kinds == ["begin", "separate", "end"]
    # The field's result ends with how to add page numbers; updating the field removes it.
    first = next(body.iter(f"{{{W}}}fldChar")).getparent().getparent()
    last = list(body.iter(f"{{{W}}}fldChar"))[-1].getparent().getparent()
    assert _style(first) == "TOC1"
    assert (_style(last), _text(last)) == (
        "ContentsNote",
        "Page numbers appear when the contents are updated: right-click them and choose "
        "Update Field, or press F9.",
    )
    entries = [
        (_style(p), _text(p)) for p in body.iter(f"{{{W}}}p") if _style(p) in {"TOC1", "TOC2"}
    ]
    assert entries == [
        ("TOC1", "How to use this pack"),
        ("TOC1", "Insight 1: Drive the quality"),
        ("TOC2", "Place 1: Case 1"),
        ("TOC2", "Place 2: Case 2"),
        ("TOC1", "Action-planning sheet"),
        ("TOC1", "About the source"),
    ]
    bookmarks = {b.get(f"{{{W}}}name"): b.getparent() for b in body.iter(f"{{{W}}}bookmarkStart")}
    for link in body.iter(f"{{{W}}}hyperlink"):
        anchor = link.get(f"{{{W}}}anchor")
        if anchor is None:
            continue
        heading = bookmarks[anchor]
        assert _text(heading) == _text(link.getparent())
        assert _style(heading) in {"Heading1", "Heading2"}


def test_footer_has_title_citation_and_page_fields_after_the_cover(docx_bytes: bytes) -> None:
    document = _part(docx_bytes, "word/document.xml")
    sect = document.find("w:body/w:sectPr", NS)
    assert sect.find("w:titlePg", NS) is not None
    rels = _part(docx_bytes, "word/_rels/document.xml.rels")
    targets = {r.get("Id"): r.get("Target") for r in rels}
    refs = {
        f.get(f"{{{W}}}type"): f.get(f"{{{R}}}id") for f in sect.findall("w:footerReference", NS)
    }
    first = _part(docx_bytes, "word/" + targets[refs["first"]])
    assert "".join(first.itertext()) == ""
    footer = _part(docx_bytes, "word/" + targets[refs["default"]])
    p = footer.find("w:p", NS)
    assert _style(p) == "Footer"
    assert "".join(p.itertext()).startswith(
        "Insight 1: Drive the quality of local strategic planning · "
        "EIF (2022), Leading and delivering early childhood services" + "page "
    )
    # "page N of M", as in the PDF, follows a tab to the Footer style's stop at the right edge.
    [tab] = p.findall(".//w:tab", NS)
    assert tab.getprevious().text.endswith("services") and tab.getnext().text == "page "
    styles = _part(docx_bytes, "word/styles.xml")
    [stop] = styles.findall("w:style[@w:styleId='Footer']/w:pPr/w:tabs/w:tab", NS)
    sect_width = int(sect.find("w:pgSz", NS).get(f"{{{W}}}w"))
    margins = sect.find("w:pgMar", NS)
    text_width = sect_width - sum(int(margins.get(f"{{{W}}}{side}")) for side in ("left", "right"))
    assert stop.get(f"{{{W}}}val") == "right"
    assert abs(int(stop.get(f"{{{W}}}pos")) - text_width) <= 1
    fields = [f.get(f"{{{W}}}instr").strip() for f in p.iter(f"{{{W}}}fldSimple")]
    assert fields == ["TITLE", "PAGE", "NUMPAGES"]
    # The pack title is the TITLE field, showing the core title until Word updates it.
    title = next(p.iter(f"{{{W}}}fldSimple"))
    core = _part(docx_bytes, "docProps/core.xml")
    assert _text(title) == core.findtext("dc:title", namespaces=NS)


def test_links_are_external_hyperlinks_in_the_hyperlink_style(
    body: etree._Element, docx_bytes: bytes
) -> None:
    rels = _part(docx_bytes, "word/_rels/document.xml.rels")
    by_id = {r.get("Id"): r for r in rels}
    links = [h for h in body.iter(f"{{{W}}}hyperlink") if h.get(f"{{{R}}}id")]
    assert len(links) == 2
    for link in links:
        rel = by_id[link.get(f"{{{R}}}id")]
        assert rel.get("TargetMode") == "External"
        assert rel.get("Target") == "https://www.eif.org.uk/report"
        assert rel.get("Type").endswith("/hyperlink")
        assert [_val(r, "w:rPr/w:rStyle") for r in link] == ["Hyperlink"]
        assert _text(link) == "the report"


def test_strong_and_emphasis_are_character_styles(body: etree._Element) -> None:
    styled = {
        _text(r): r.find("w:rPr/w:rStyle", NS).get(f"{{{W}}}val")
        for r in body.iter(f"{{{W}}}r")
        if r.find("w:rPr/w:rStyle", NS) is not None
    }
    assert styled["Public Health Wales"] == "Strong"
    assert styled["plan"] == "Emphasis"


def test_core_properties(docx_bytes: bytes) -> None:
    core = _part(docx_bytes, "docProps/core.xml")
    assert core.findtext("dc:title", namespaces=NS) == (
        "Insight 1: Drive the quality of local strategic planning"
    )
    assert core.findtext("dc:subject", namespaces=NS).startswith("Case examples from Leading")
    assert core.findtext("dc:creator", namespaces=NS) == "Casebook workshop packs"
    assert core.findtext("cp:lastModifiedBy", namespaces=NS) == "Casebook workshop packs"
    assert core.findtext("cp:keywords", namespaces=NS) == "early childhood; workshop"
    assert core.findtext("dc:language", namespaces=NS) == "en-GB"
    assert core.findtext("dcterms:created", namespaces=NS) == "2026-11-26T00:00:00Z"
    assert core.findtext("dcterms:modified", namespaces=NS) == "2026-11-26T00:00:00Z"
    assert core.findtext("cp:revision", namespaces=NS) == "1"


def test_default_language_is_british_english(docx_bytes: bytes) -> None:
    styles = _part(docx_bytes, "word/styles.xml")
    lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(f"{{{W}}}val") == "en-GB"


@pytest.mark.parametrize("part", ["word/document.xml", "word/footer1.xml", "word/footer2.xml"])
def test_no_direct_formatting_anywhere(docx_bytes: bytes, part: str) -> None:
    root = _part(docx_bytes, part)
    for rpr in root.iter(f"{{{W}}}rPr"):
        assert [etree.QName(c).localname for c in rpr] == ["rStyle"], etree.tostring(rpr)
    for ppr in root.iter(f"{{{W}}}pPr"):
        assert {etree.QName(c).localname for c in ppr} <= {"pStyle", "numPr"}, etree.tostring(ppr)
    for p in root.iter(f"{{{W}}}p"):
        assert p.find("w:pPr/w:pStyle", NS) is not None or part == "word/document.xml"


def test_table_headers_are_as_in_the_pdf_bold_on_white_over_a_primary_rule(
    docx_bytes: bytes,
) -> None:
    styles = _part(docx_bytes, "word/styles.xml")
    header = styles.find("w:style[@w:styleId='CasebookTable']/w:tblStylePr[@w:type='firstRow']", NS)
    assert header.find(".//w:shd", NS) is None
    rule = header.find("w:tcPr/w:tcBorders/w:bottom", NS)
    assert (rule.get(f"{{{W}}}sz"), rule.get(f"{{{W}}}themeColor")) == ("16", "accent1")
    assert _val(header, "w:tcPr/w:vAlign") == "bottom"
    assert header.find("w:rPr/w:b", NS) is not None
    assert styles.find("w:style[@w:styleId='TableHeading']/w:rPr/w:color", NS) is None


def test_action_sheet_is_a_table_whose_header_row_repeats(body: etree._Element) -> None:
    table = body.findall("w:tbl", NS)[-1]
    assert table.find("w:tblPr/w:tblStyle", NS).get(f"{{{W}}}val") == "CasebookTable"
    rows = table.findall("w:tr", NS)
    assert len(rows) == 5
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    assert [_text(tc) for tc in rows[0].findall("w:tc", NS)] == [
        "What will we do?",
        "Who will lead it?",
        "By when?",
        "How will we know?",
    ]
    assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows[1:])
    # As on the PDF's sheet: rows at least 28 mm tall (1587 twips) to write in, and the
    # columns for what and how wider than those for who and when (32:19:19:30).
    assert {_val(r, "w:trPr/w:trHeight") for r in rows[1:]} == {"1587"}
    grid = [int(c.get(f"{{{W}}}w")) for c in table.findall("w:tblGrid/w:gridCol", NS)]
    assert [round(100 * w / sum(grid)) for w in grid] == [32, 19, 19, 30]
    for row in rows:
        cells = [
            int(tc.find("w:tcPr/w:tcW", NS).get(f"{{{W}}}w")) for tc in row.findall("w:tc", NS)
        ]
        assert cells == grid


def test_page_size_and_margins_follow_the_brand(docx_bytes: bytes, layout: Layout) -> None:
    sect = _part(docx_bytes, "word/document.xml").find("w:body/w:sectPr", NS)
    size = sect.find("w:pgSz", NS)
    assert (size.get(f"{{{W}}}w"), size.get(f"{{{W}}}h")) == ("11906", "16838")  # A4
    margins = sect.find("w:pgMar", NS)
    top_mm = layout.brand.margins_mm[0]
    assert int(margins.get(f"{{{W}}}top")) == round(top_mm * 1440 / 25.4)


def test_logo_and_figures_carry_alt_text(tmp_path: Path, layout: Layout) -> None:
    media = tmp_path / "content" / "media"
    media.mkdir(parents=True)
    shutil.copy(layout.logo_path(), media / "diagram.svg")
    document = make_document(
        about=Section("about", "About", (Figure("A diagram of the model", "media/diagram.svg"),))
    )
    data = render_docx(document, layout, tmp_path / "content")
    root = _part(data, "word/document.xml")
    described = [d.get("descr") for d in root.iter(f"{{{NS['wp']}}}docPr")]
    assert described == [f"{layout.brand.name} logo", "A diagram of the model"]
    ids = [d.get("id") for d in root.iter(f"{{{NS['wp']}}}docPr")]
    assert len(set(ids)) == 2


def test_figure_outside_media_is_refused(tmp_path: Path, layout: Layout) -> None:
    (tmp_path / "content" / "media").mkdir(parents=True)
    (tmp_path / "secret.png").write_bytes(b"x")
    document = make_document(
        about=Section("about", "About", (Figure("A secret", "media/../../secret.png"),))
    )
    with pytest.raises(ContentError) as error:
        render_docx(document, layout, tmp_path / "content")
    assert str(error.value) == (
        "media/../../secret.png:0: figure must be a file under content/media/, "
        "written as media/<name>"
    )


def test_control_characters_become_breaks_or_vanish(body: etree._Element) -> None:
    assert "First line\nsecond line end" in _styled(body, "Normal")
    pieces = safe_segments("a\vb\fc\x00d\x1be\u2028f")
    assert pieces == ["a", "\n", "b", "\n", "cde", "\n", "f"]


def test_hostile_text_in_every_field_never_crashes(layout: Layout) -> None:
    nasty = "Title\x00\x0b\x0c\x1f\ud800\ufffe end"
    document = make_document(title=nasty, cover=replace(make_document().cover, title=nasty))
    data = render_docx(document, layout)
    root = _part(data, "word/document.xml")
    title = next(p for p in root.iter(f"{{{W}}}p") if _style(p) == "Title")
    assert _text(title) == "Title\n\n end"
    assert _part(data, "docProps/core.xml").findtext("dc:title", namespaces=NS) == "Title   end"


def test_building_twice_gives_identical_bytes(docx_bytes: bytes, layout: Layout) -> None:
    assert render_docx(make_document(), layout) == docx_bytes
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as package:
        infos = package.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(2026, 11, 26, 0, 0, 0)}


def _layout_copy(tmp_path: Path) -> Path:
    root = tmp_path / "layouts"
    shutil.copytree(LAYOUTS, root)
    return root


def test_missing_style_in_the_template_names_it(tmp_path: Path) -> None:
    root = _layout_copy(tmp_path)
    template = root / "docx" / "reference.docx"
    with zipfile.ZipFile(template) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    styles = etree.fromstring(parts["word/styles.xml"])
    for style_id in ("CaseMeta", "TOC2"):
        styles.remove(styles.find(f"w:style[@w:styleId='{style_id}']", NS))
    parts["word/styles.xml"] = etree.tostring(styles)
    with zipfile.ZipFile(template, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    with pytest.raises(ContentError) as error:
        render_docx(make_document(), load_layout(root))
    assert str(error.value) == (
        f"{template}:0: the Word reference template lacks the style(s) the packs use: "
        "'TOC 2', 'Case Meta'; add them in Word or regenerate it with: "
        "python -m casebook.reference"
    )


def test_missing_template_is_a_clear_error(tmp_path: Path) -> None:
    root = _layout_copy(tmp_path)
    (root / "docx" / "reference.docx").unlink()
    with pytest.raises(ContentError) as error:
        render_docx(make_document(), load_layout(root))
    assert str(error.value) == (
        f"{root / 'docx' / 'reference.docx'}:0: Word reference template not found; "
        "create it with: python -m casebook.reference"
    )


def _rewrite_part(path: Path, name: str, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(path) as package:
        parts = {n: package.read(n) for n in package.namelist()}
    parts[name] = change(parts[name])
    with zipfile.ZipFile(path, "w") as package:
        for part_name, data in parts.items():
            package.writestr(part_name, data)


def _heading_colour(data: bytes) -> str:
    styles = _part(data, "word/styles.xml")
    return str(_val(styles, "w:style[@w:styleId='Heading1']/w:rPr/w:color"))


def test_reference_is_reproducible_and_made_from_the_default_brand(layout: Layout) -> None:
    built = build_reference(layout)
    assert build_reference(layout) == built
    core = _part(built, "docProps/core.xml")
    assert core.findtext("dc:identifier", namespaces=NS) == brand_stamp(layout.brand)
    assert _heading_colour(built) == layout.brand.colour("primary").lstrip("#").upper()


def test_styles_edited_in_word_in_the_template_carry_into_the_packs(tmp_path: Path) -> None:
    root = _layout_copy(tmp_path)
    template = root / "docx" / "reference.docx"
    layout = load_layout(root)
    primary = layout.brand.colour("primary").lstrip("#").upper()
    _rewrite_part(template, "word/styles.xml", lambda xml: xml.replace(primary.encode(), b"7A1F5C"))
    assert _heading_colour(render_docx(make_document(), layout)) == "7A1F5C"


def test_a_changed_brand_restyles_a_template_made_before_it(tmp_path: Path) -> None:
    root = _layout_copy(tmp_path)
    brand_file = root / "brand.yaml"
    text = brand_file.read_text(encoding="utf-8")
    old = load_layout(root).brand.colour("primary")
    brand_file.write_text(text.replace(old, "#00707a"), encoding="utf-8")
    assert _heading_colour(render_docx(make_document(), load_layout(root))) == "00707A"


def test_another_brand_restyles_the_pack(tmp_path: Path) -> None:
    root = _layout_copy(tmp_path)
    brand_dir = root / "brands" / "teal"
    brand_dir.mkdir(parents=True)
    shutil.copy(root / "logo.svg", brand_dir / "logo.svg")
    text = (root / "brand.yaml").read_text(encoding="utf-8")
    text = text.replace('primary: "#1f4e79"', 'primary: "#00707a"').replace(
        "paper: A4", "paper: Letter"
    )
    assert "#00707a" in text and "Letter" in text
    (brand_dir / "brand.yaml").write_text(text, encoding="utf-8")
    data = render_docx(make_document(), load_layout(root, "teal"))
    styles = _part(data, "word/styles.xml")
    heading = styles.find("w:style[@w:styleId='Heading1']/w:rPr/w:color", NS)
    assert heading.get(f"{{{W}}}val") == "00707A"
    size = _part(data, "word/document.xml").find("w:body/w:sectPr/w:pgSz", NS)
    assert size.get(f"{{{W}}}w") == "12240"


_PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]
_RPR_ORDER = [
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
]


@pytest.mark.parametrize("part", ["word/styles.xml", "word/numbering.xml", "word/document.xml"])
def test_properties_are_in_schema_order_so_word_opens_the_file(
    docx_bytes: bytes, part: str
) -> None:
    root = _part(docx_bytes, part)
    for tag, order in (("pPr", _PPR_ORDER), ("rPr", _RPR_ORDER)):
        for props in root.iter(f"{{{W}}}{tag}"):
            names = [etree.QName(c).localname for c in props if etree.QName(c).namespace == W]
            assert all(n in order for n in names), names
            positions = [order.index(n) for n in names]
            assert positions == sorted(positions), (part, names)


def test_damaged_template_is_a_clear_error(tmp_path: Path) -> None:
    root = _layout_copy(tmp_path)
    template = root / "docx" / "reference.docx"
    template.write_bytes(b"not a zip file")
    with pytest.raises(ContentError) as error:
        render_docx(make_document(), load_layout(root))
    assert str(error.value).startswith(f"{template}:0: cannot open the Word reference template: ")


def test_missing_logo_is_a_clear_error(tmp_path: Path) -> None:
    root = _layout_copy(tmp_path)
    layout = load_layout(root)
    layout.logo_path().unlink()
    with pytest.raises(ContentError) as error:
        render_docx(make_document(), layout)
    assert str(error.value) == (
        f"{layout.logo_path()}:0: cannot read image: No such file or directory"
    )


def test_svg_needs_poppler_and_says_so(layout: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("casebook.word.shutil.which", lambda name: None)
    with pytest.raises(ContentError) as error:
        render_docx(make_document(), layout)
    assert str(error.value) == (
        f"{layout.logo_path()}:0: cannot convert SVG for Word: pdftocairo (poppler) not found"
    )


def _png(width: int, height: int) -> bytes:
    """A tiny valid grey PNG, made without an imaging library."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_png_figures_are_embedded_as_they_are_and_fit_the_page(
    tmp_path: Path, layout: Layout
) -> None:
    media = tmp_path / "content" / "media"
    media.mkdir(parents=True)
    (media / "wide.png").write_bytes(_png(4000, 1000))
    (media / "broken.png").write_bytes(b"\x89PNG but not really")
    figure = Figure("A wide chart", "media/wide.png")
    data = render_docx(
        make_document(about=Section("about", "About", (figure,))), layout, tmp_path / "content"
    )
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert _png(4000, 1000) in [package.read(n) for n in package.namelist()]
    root = _part(data, "word/document.xml")
    extent = list(root.iter(f"{{{NS['wp']}}}extent"))[-1]
    sect = root.find("w:body/w:sectPr", NS)
    width, left, right = (
        int(sect.find(path, NS).get(f"{{{W}}}{attr}"))
        for path, attr in (("w:pgSz", "w"), ("w:pgMar", "left"), ("w:pgMar", "right"))
    )
    text_width_emu = (width - left - right) * 635
    assert int(extent.get("cx")) <= text_width_emu
    assert int(extent.get("cx")) == pytest.approx(4 * int(extent.get("cy")), rel=1e-5)
    broken = Figure("A broken chart", "media/broken.png")
    with pytest.raises(ContentError) as error:
        render_docx(
            make_document(about=Section("about", "About", (broken,))),
            layout,
            tmp_path / "content",
        )
    assert str(error.value) == (
        f"{tmp_path / 'content' / 'media' / 'broken.png'}:0: cannot read image: not a valid "
        "PNG file"
    )


def test_a_jpeg_python_docx_cannot_read_goes_in_made_again_as_an_rgb_jpeg(
    tmp_path: Path, layout: Layout
) -> None:
    from PIL import Image

    media = tmp_path / "content" / "media"
    media.mkdir(parents=True)
    # A CMYK JPEG, as printers' artwork often is (python-docx does not read its header),
    # taken on its side: its EXIF says to turn it a quarter, as the PDF does.
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("CMYK", (300, 200), (0, 255, 255, 0)).save(media / "print.jpg", exif=exif)
    figure = Figure("A chart made for print", "media/print.jpg")
    data = render_docx(
        make_document(about=Section("about", "About", (figure,))), layout, tmp_path / "content"
    )
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        pictures = [n for n in package.namelist() if n.startswith("word/media/image")]
        shown = [Image.open(io.BytesIO(package.read(n))) for n in pictures]
    chart = [image for image in shown if image.format == "JPEG"]
    assert [(image.size, image.mode) for image in chart] == [((200, 300), "RGB")]
    red, green, blue = chart[0].getpixel((100, 150))
    assert red > 200 and green < 60 and blue < 60  # cyan-free, full magenta and yellow: red


# -- a clean, branded, accessible package ----------------------------------------------------

A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def _python_docx(data: bytes) -> object:
    import docx

    return docx.Document(io.BytesIO(data))


def test_every_paragraph_has_a_style_and_normal_is_the_one_default(docx_bytes: bytes) -> None:
    word = _python_docx(docx_bytes)
    paragraphs = list(word.paragraphs)  # type: ignore[attr-defined]
    for table in word.tables:  # type: ignore[attr-defined]
        paragraphs += [p for row in table.rows for cell in row.cells for p in cell.paragraphs]
    assert len(paragraphs) > 40
    assert all(p.style is not None for p in paragraphs)
    assert {p.style.name for p in paragraphs if _text(p._p) == "Plan a 90-minute session."} == {
        "Normal"
    }
    styles = _part(docx_bytes, "word/styles.xml")
    defaults = [
        s.get(f"{{{W}}}styleId")
        for s in styles.findall("w:style[@w:type='paragraph']", NS)
        if s.get(f"{{{W}}}default") == "1"
    ]
    assert defaults == ["Normal"]


def _theme(data: bytes) -> etree._Element:
    return _part(data, "word/theme/theme1.xml")


def _slot(theme: etree._Element, slot: str) -> str:
    colour = theme.find(f"a:themeElements/a:clrScheme/a:{slot}/a:srgbClr", {"a": A})
    return str(colour.get("val"))


@pytest.mark.parametrize("brand_name", [None, "valley-council"])
def test_theme_colours_and_fonts_are_the_brands(brand_name: str | None) -> None:
    layout = load_layout(LAYOUTS, brand_name)
    brand = layout.brand
    data = render_docx(make_document(), layout)
    theme = _theme(data)
    hexes = {role: brand.colour(role).lstrip("#").upper() for role in ("primary", "accent")}
    # The cover's band is the brand's primary colour, through the theme.
    band = _part(data, "word/styles.xml").find("w:style[@w:styleId='Title']/w:pPr/w:shd", NS)
    assert band.get(f"{{{W}}}fill").upper() == hexes["primary"]
    assert band.get(f"{{{W}}}themeFill") == "accent1"
    assert _slot(theme, "accent1") == hexes["primary"]
    assert _slot(theme, "accent2") == hexes["accent"]
    assert _slot(theme, "dk1") == brand.colour("text").lstrip("#").upper()
    assert _slot(theme, "dk2") == brand.colour("muted").lstrip("#").upper()
    fonts = theme.find("a:themeElements/a:fontScheme", {"a": A})
    assert fonts.find("a:majorFont/a:latin", {"a": A}).get("typeface") == brand.font("headings")
    assert fonts.find("a:minorFont/a:latin", {"a": A}).get("typeface") == brand.font("body")
    assert theme.find("a:themeElements/a:clrScheme", {"a": A}).get("name") == brand.name


def test_styles_take_colours_and_fonts_from_the_theme_and_list_levels_none(
    docx_bytes: bytes,
) -> None:
    styles = _part(docx_bytes, "word/styles.xml")
    numbering = _part(docx_bytes, "word/numbering.xml")
    colours = list(styles.iter(f"{{{W}}}color")) + list(numbering.iter(f"{{{W}}}color"))
    assert len(colours) > 10
    for colour in colours:
        assert colour.get(f"{{{W}}}themeColor"), etree.tostring(colour)
    for border in styles.iter(*(f"{{{W}}}{s}" for s in ("top", "left", "bottom", "right"))):
        if border.getparent().tag in {f"{{{W}}}pBdr", f"{{{W}}}tblBorders"}:
            assert border.get(f"{{{W}}}val") == "nil" or border.get(f"{{{W}}}themeColor")
    fills = [s for s in styles.iter(f"{{{W}}}shd")]
    assert fills and all(s.get(f"{{{W}}}themeFill") for s in fills)
    # Fonts: the body's from the theme's minor font, headings' from its major font.
    defaults = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert defaults.get(f"{{{W}}}asciiTheme") == "minorHAnsi"
    heading = styles.find("w:style[@w:styleId='Heading1']/w:rPr/w:rFonts", NS)
    assert heading.get(f"{{{W}}}asciiTheme") == "majorHAnsi"
    named = [f for f in styles.iter(f"{{{W}}}rFonts") if f.get(f"{{{W}}}ascii")]
    assert [f.getparent().getparent().get(f"{{{W}}}styleId") for f in named] == ["InlineCode"]
    # The list levels (bullets, numbers, prompt numbers) are set as the text they mark, as in
    # the PDF: no colour or weight of their own.
    assert not [rpr for rpr in numbering.iter(f"{{{W}}}rPr") if len(rpr)]


def test_a_contents_entry_of_the_first_level_keeps_with_the_next(docx_bytes: bytes) -> None:
    styles = _part(docx_bytes, "word/styles.xml")
    toc1 = styles.find("w:style[@w:styleId='TOC1']/w:pPr", NS)
    assert toc1.find("w:keepNext", NS) is not None
    assert toc1[0].tag == f"{{{W}}}keepNext"  # first, in the schema's order
    toc2 = styles.find("w:style[@w:styleId='TOC2']/w:pPr", NS)
    assert toc2.find("w:keepNext", NS) is None


def test_headings_and_cover_are_coloured_as_in_the_pdf(docx_bytes: bytes) -> None:
    styles = _part(docx_bytes, "word/styles.xml")

    def colour(style_id: str) -> str | None:
        found = styles.find(f"w:style[@w:styleId='{style_id}']/w:rPr/w:color", NS)
        return None if found is None else str(found.get(f"{{{W}}}themeColor"))

    # Sections and an insight's questions in the primary colour; case titles and the
    # guide's Subheadings near-black; Heading 3 (prompts, notes) takes Heading 1's colour.
    assert colour("Heading1") == "accent1"
    assert colour("QuestionsHeading") == "accent1"
    assert colour("Heading2") == "text1"
    assert colour("Subheading") is None  # Heading 2's
    assert colour("Heading3") is None
    heading3 = styles.find("w:style[@w:styleId='Heading3']", NS)
    assert _val(heading3, "w:basedOn") == "Heading1"
    # The cover: white title and subtitle on the band, closed by a rule in the accent colour.
    assert colour("Title") == colour("Subtitle") == "background1"
    rule = styles.find("w:style[@w:styleId='Subtitle']/w:pPr/w:pBdr/w:bottom", NS)
    assert rule.get(f"{{{W}}}themeColor") == "accent2"


def test_the_brand_fonts_are_declared_and_embedded(docx_bytes: bytes) -> None:
    from fontTools.ttLib import TTFont

    from casebook.reference import obfuscate_font

    table = _part(docx_bytes, "word/fontTable.xml")
    font = table.find("w:font[@w:name='Noto Sans']", NS)
    assert _val(font, "w:family") == "swiss"
    assert _val(font, "w:pitch") == "variable"
    assert _val(font, "w:panose1") == "020B0502040504020204"
    settings = _part(docx_bytes, "word/settings.xml")
    assert settings.find("w:embedTrueTypeFonts", NS) is not None
    rels = {
        r.get("Id"): r.get("Target") for r in _part(docx_bytes, "word/_rels/fontTable.xml.rels")
    }
    faces = {}
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as package:
        for tag in ("embedRegular", "embedBold", "embedItalic", "embedBoldItalic"):
            embed = font.find(f"w:{tag}", NS)
            data = package.read("word/" + rels[embed.get(f"{{{R}}}id")])
            plain = obfuscate_font(data, embed.get(f"{{{W}}}fontKey"))
            assert data[:32] != plain[:32]  # stored obfuscated, as Word expects
            face = TTFont(io.BytesIO(plain))
            faces[tag] = (face["name"].getDebugName(1), face["name"].getDebugName(2))
            assert ord("ŵ") in face.getBestCmap()  # Welsh text is set in it too
    assert faces == {
        "embedRegular": ("Noto Sans", "Regular"),
        "embedBold": ("Noto Sans", "Bold"),
        "embedItalic": ("Noto Sans", "Italic"),
        "embedBoldItalic": ("Noto Sans", "Bold Italic"),
    }


def test_the_package_holds_only_what_a_pack_uses(docx_bytes: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as package:
        names = set(package.namelist())
    fixed = {
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/app.xml",
        "docProps/core.xml",
        "docProps/custom.xml",  # the pack's provenance (docs/editions.md)
        "word/document.xml",
        "word/_rels/document.xml.rels",
        "word/styles.xml",
        "word/numbering.xml",
        "word/settings.xml",
        "word/fontTable.xml",
        "word/_rels/fontTable.xml.rels",
        "word/theme/theme1.xml",
        "word/footer1.xml",
        "word/footer2.xml",
    }
    assert fixed <= names
    extra = names - fixed
    assert {n for n in extra if not n.startswith(("word/fonts/font", "word/media/image"))} == set()
    assert len([n for n in extra if n.startswith("word/fonts/")]) == 4
    app = _part(docx_bytes, "docProps/app.xml")
    ep = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
    assert app.findtext(f"{ep}Application") == "Casebook"
    assert app.find(f"{ep}Pages") is None and app.find(f"{ep}Words") is None
    settings = _part(docx_bytes, "word/settings.xml")
    assert settings.find("w:proofState", NS) is None
    styles = _part(docx_bytes, "word/styles.xml")
    tables = styles.findall("w:style[@w:type='table']", NS)
    assert [s.get(f"{{{W}}}styleId") for s in tables] == ["TableNormal", "CasebookTable"]
    # No stock leftovers such as Heading 4 or Intense Quote.
    ids = {s.get(f"{{{W}}}styleId") for s in styles.findall("w:style", NS)}
    assert not ids & {"Heading4", "IntenseQuote", "LightShading", "BodyText"}


def test_every_picture_has_alt_text_and_the_title_and_language_are_set(
    docx_bytes: bytes,
) -> None:
    root = _part(docx_bytes, "word/document.xml")
    pictures = list(root.iter(f"{{{NS['wp']}}}docPr"))
    assert pictures and all(d.get("descr", "").strip() for d in pictures)
    core = _part(docx_bytes, "docProps/core.xml")
    assert core.findtext("dc:title", namespaces=NS)
    assert core.findtext("dc:language", namespaces=NS) == "en-GB"


def _outline_levels(data: bytes) -> list[tuple[int, str]]:
    """(level, text) of every heading paragraph, levels from the styles' outline levels."""
    styles = _part(data, "word/styles.xml")
    by_id = {s.get(f"{{{W}}}styleId"): s for s in styles.findall("w:style", NS)}

    def level(style_id: str) -> int | None:
        style = by_id.get(style_id)
        while style is not None:
            value = _val(style, "w:pPr/w:outlineLvl")
            if value is not None:
                return int(value)
            style = by_id.get(_val(style, "w:basedOn"))
        return None

    body = _part(data, "word/document.xml")
    found = []
    for p in body.iter(f"{{{W}}}p"):
        value = level(_style(p))
        if value is not None and value < 9:
            found.append((value + 1, _text(p)))
    return found


def assert_no_heading_level_is_skipped(data: bytes) -> None:
    """Headings go down one level at a time: a Heading 3 only under a level-2 heading."""
    previous = 0
    for level, text in _outline_levels(data):
        assert level <= previous + 1, f"{text!r} is a level-{level} heading after level {previous}"
        previous = level


def test_no_heading_level_is_skipped(layout: Layout) -> None:
    guide = Section("guide", "How to use this pack", (Heading(3, (Text("Before"),)), _p("x")))
    data = render_docx(make_document(guide=guide), layout)
    levels = _outline_levels(data)
    assert (2, "Before") in levels  # the guide's ### under its Heading 1
    assert (3, "What they did") in levels  # a case's ### under its Heading 2
    assert_no_heading_level_is_skipped(data)
    body = _part(data, "word/document.xml")
    assert "Before" in _styled(body, "Subheading")


def test_a_printed_link_shows_its_address(body: etree._Element, layout: Layout) -> None:
    assert "See the report (https://www.eif.org.uk/report)." in _styled(body, "Normal")
    link = Link("https://www.eif.org.uk/", (Text("www.eif.org.uk"),))
    data = render_docx(make_document(about=Section("about", "About", (_p(link),))), layout)
    about = _part(data, "word/document.xml").find("w:body", NS)
    assert "www.eif.org.uk" in _styled(about, "Normal")  # its words are its address already


def test_the_cover_names_the_source_as_the_pdf_does(body: etree._Element) -> None:
    assert _styled(body, "CoverEdition") == ["First edition, 26 November 2026"]
    assert _styled(body, "CoverSource") == [
        "Case examples quoted from EIF (2022), Leading and delivering early childhood services",
    ]
    # The brand's name stands beside the logo, after a tab, in its own character style.
    logo_line = body.find("w:p", NS)
    assert _style(logo_line) == "CoverLogo"
    runs = logo_line.findall("w:r", NS)
    assert runs[0].find(".//w:drawing", NS) is not None
    assert [(_val(r, "w:rPr/w:rStyle"), _text(r)) for r in runs[1:]] == [
        (None, "\n"),  # the tab
        ("CoverBrand", "Casebook workshop packs"),
    ]


def test_an_insight_pack_s_introduction_closes_with_the_questions_in_their_box(
    layout: Layout,
) -> None:
    """As an insight section does in a pack that spans insights."""
    introduction = Section(
        "introduction",
        "Insight 1: Drive the quality",
        (_p("Summary."),),
        "Questions on the insight as a whole",
        ("What is your vision?", "Who wrote it?"),
    )
    data = render_docx(make_document(introduction=introduction), layout)
    body = _part(data, "word/document.xml").find("w:body", NS)
    assert _styled(body, "QuestionsHeading") == ["Questions on the insight as a whole"]
    assert _styled(body, "Question") == ["What is your vision?", "Who wrote it?"]
    paragraphs = [(_style(p), _text(p)) for p in body.iter(f"{{{W}}}p")]
    start = paragraphs.index(("Heading1", "Insight 1: Drive the quality"))
    assert [text for _, text in paragraphs[start : start + 5]] == [
        "Insight 1: Drive the quality",
        "Summary.",
        "Questions on the insight as a whole",
        "What is your vision?",
        "Who wrote it?",
    ]


def test_an_insight_opens_with_its_summary_and_its_questions_in_one_box(layout: Layout) -> None:
    group = CaseGroup(
        "insight-1",
        "Insight 1: Drive the quality of local strategic planning",
        (_p("Areas started from a shared picture."), _p("These cases come from chapter 1.")),
        "Questions on the insight as a whole",
        ("What is your vision?", "Who wrote it?"),
        (_case(1),),
    )
    data = render_docx(make_document(kind="all", groups=(group,)), layout)
    body = _part(data, "word/document.xml").find("w:body", NS)
    assert _styled(body, "InsightHeading") == [group.title]
    assert _styled(body, "InsightSummary") == ["Areas started from a shared picture."]
    assert _styled(body, "InsightSource") == ["These cases come from chapter 1."]
    assert _styled(body, "QuestionsHeading") == ["Questions on the insight as a whole"]
    assert _styled(body, "Question") == ["What is your vision?", "Who wrote it?"]
    # The questions are a list of their own, numbered from 1 like a case's prompts.
    questions = [p for p in body.iter(f"{{{W}}}p") if _style(p) == "Question"]
    assert len({_val(p, "w:pPr/w:numPr/w:numId") for p in questions}) == 1
    # Word and LibreOffice draw one box round paragraphs whose borders and indents are the
    # same: the heading's and the questions' are, and the box's left side is the accent.
    styles = _part(data, "word/styles.xml")

    def box(style_id: str) -> tuple[bytes, bytes]:
        ppr = styles.find(f"w:style[@w:styleId='{style_id}']/w:pPr", NS)
        return etree.tostring(ppr.find("w:pBdr", NS)), etree.tostring(ppr.find("w:ind", NS))

    assert box("QuestionsHeading") == box("Question")
    left = styles.find("w:style[@w:styleId='Question']/w:pPr/w:pBdr/w:left", NS)
    assert left.get(f"{{{W}}}themeColor") == "accent2"
    # The list level indents the numbers as the style does, so nothing moves out of the box.
    numbering = _part(data, "word/numbering.xml")
    question = styles.find("w:style[@w:styleId='Question']/w:pPr", NS)
    abstract_id = numbering.find(
        f"w:num[@w:numId='{_val(question, 'w:numPr/w:numId')}']/w:abstractNumId", NS
    ).get(f"{{{W}}}val")
    level = numbering.find(f"w:abstractNum[@w:abstractNumId='{abstract_id}']/w:lvl", NS)
    level_ind = level.find("w:pPr/w:ind", NS)
    style_ind = question.find("w:ind", NS)
    for side in ("left", "hanging"):
        assert level_ind.get(f"{{{W}}}{side}") == style_ind.get(f"{{{W}}}{side}")


def test_no_paragraph_is_empty_except_where_someone_writes(body: etree._Element) -> None:
    empty = [_style(p) for p in body.iter(f"{{{W}}}p") if not _text(p).strip()]
    in_cells = [p for p in body.iter(f"{{{W}}}p") if p.getparent().tag == f"{{{W}}}tc"]
    assert set(empty) <= {"CoverLogo", "Notes", "TableText"}
    assert empty.count("TableText") == len([p for p in in_cells if not _text(p).strip()])


def test_an_unknown_block_fails_loudly(layout: Layout) -> None:
    class Aside:
        pass

    about = Section("about", "About", (Aside(),))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="the Word renderer cannot write Aside"):
        render_docx(make_document(about=about), layout)


def test_a_list_s_continuing_paragraphs_line_up_with_its_items_text(docx_bytes: bytes) -> None:
    styles = _part(docx_bytes, "word/styles.xml")
    numbering = _part(docx_bytes, "word/numbering.xml")
    for name, ids in (("Casebook bullets", BULLET_STYLES), ("Casebook numbers", NUMBER_STYLES)):
        [abstract] = numbering.xpath("w:abstractNum[w:name/@w:val=$n]", namespaces=NS, n=name)
        for level, style_id in enumerate(ids):
            item = abstract.find(f"w:lvl[@w:ilvl='{level}']/w:pPr/w:ind", NS)
            following = styles.find(
                f"w:style[@w:styleId='{CONTINUE_STYLES[level]}']/w:pPr/w:ind", NS
            )
            assert following.get(f"{{{W}}}left") == item.get(f"{{{W}}}left"), (name, level)
            # The items' own style sets no indent of its own: the list level's is the one.
            assert styles.find(f"w:style[@w:styleId='{style_id}']/w:pPr/w:ind", NS) is None


def test_the_brand_s_name_stands_the_pdf_s_gap_after_the_logo(
    docx_bytes: bytes, body: etree._Element
) -> None:
    # The gap comes from a tab stop of the Cover Logo style, set from the logo's width.
    styles = _part(docx_bytes, "word/styles.xml")
    [stop] = styles.findall("w:style[@w:styleId='CoverLogo']/w:pPr/w:tabs/w:tab", NS)
    logo_line = body.find("w:p", NS)
    assert logo_line.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") == "CoverLogo"
    [extent] = logo_line.xpath(".//wp:extent", namespaces=NS)
    logo_twips = int(extent.get("cx")) / 635  # EMU
    assert stop.get(f"{{{W}}}val") == "left"
    assert int(stop.get(f"{{{W}}}pos")) == pytest.approx(logo_twips + 6 * 1440 / 25.4, abs=1)
    # The name follows one tab (read as a line break here), and no paragraph sets a tab.
    assert [_text(logo_line)] == ["\n" + load_layout(LAYOUTS).brand.name]
    assert not body.findall(".//w:pPr/w:tabs", NS)
    # Pictures say they want no room round them: LibreOffice's default for a picture that
    # does not say is a few millimetres a side, which moved the name to the next default stop.
    inlines = list(body.iter(f"{{{NS['wp']}}}inline"))
    assert inlines
    for inline in inlines:
        assert [inline.get(side) for side in ("distT", "distB", "distL", "distR")] == ["0"] * 4


def _own_fonts(style: object) -> object:
    rpr = style.element.rPr  # type: ignore[attr-defined]
    return None if rpr is None else rpr.find(f"{{{W}}}rFonts")


def test_the_cover_follows_heading_1_and_normal_so_one_style_change_rebrands_it(
    docx_bytes: bytes,
) -> None:
    # A local area that changes Heading 1's font (or Normal's) in Word changes the cover's:
    # the title is based on Heading 1 and names no font of its own; the subtitle, edition and
    # source lines are based on Normal and name none either.
    word = _python_docx(docx_bytes)
    styles = word.styles  # type: ignore[attr-defined]
    title = styles["Title"]
    assert title.base_style.name == "Heading 1"
    assert _own_fonts(title) is None and title.font.bold is None  # Heading 1's font and weight
    for name in ("Subtitle", "Cover Edition", "Cover Source"):
        assert styles[name].base_style.name == "Normal" and _own_fonts(styles[name]) is None
    # The edition is in Normal's colour, so a new colour for Normal reaches it too.
    assert styles["Cover Edition"].font.color.type is None
    # As the cover looked before: no page break or rule of Heading 1's, not in the outline.
    ppr = title.element.pPr
    assert _val(ppr, "w:pageBreakBefore") == "0"
    assert _val(ppr, "w:pBdr/w:bottom") == "nil"
    assert _val(ppr, "w:outlineLvl") == "9"
    assert title.font.size.pt == 30 and str(title.font.color.rgb) == "FFFFFF"
    assert styles["Heading 1"].font.bold


def test_a_hyphenated_word_of_the_cover_title_is_kept_whole(layout: Layout) -> None:
    title = "Get the most out of evidence-based interventions"
    document = make_document()
    data = render_docx(replace(document, cover=replace(document.cover, title=title)), layout)
    [p] = [p for p in _python_docx(data).paragraphs if p.style.name == "Title"]  # type: ignore[attr-defined]
    assert p.text == title  # python-docx reads Word's non-breaking hyphen as "-"
    assert [t.text for t in p._p.iter(f"{{{W}}}t")] == [
        "Get the most out of evidence",
        "based interventions",
    ]
    assert len(p._p.findall(f".//{{{W}}}noBreakHyphen")) == 1


def test_an_insight_opens_its_section_as_the_pdf_does_and_is_in_the_contents(
    layout: Layout,
) -> None:
    # As the PDF's insight openers: a first-level heading, larger, lower on its page and over
    # a thicker rule than a section's Heading 1, on which its style is based; the contents
    # and the Navigation pane list it at the first level.
    group = CaseGroup(
        "insight-1",
        "Insight 1: Drive the quality of local strategic planning",
        (_p("Areas started from a shared picture."), _p("These cases come from chapter 1.")),
        "Questions on the insight as a whole",
        ("What is your vision?",),
        (_case(1),),
    )
    data = render_docx(make_document(kind="all", groups=(group,)), layout)
    word = _python_docx(data)
    [opener] = [
        p
        for p in word.paragraphs  # type: ignore[attr-defined]
        if p.text == group.title and p.style.name not in ("Title", "toc 1")  # cover, contents
    ]
    style, heading = opener.style, word.styles["Heading 1"]  # type: ignore[attr-defined]
    assert style.name == "Insight Heading" and style.base_style.name == "Heading 1"
    assert style.font.size.pt == 26 and heading.font.size.pt == 21
    assert _own_fonts(style) is None  # Heading 1's font: restyle it and the openers follow
    assert style.paragraph_format.space_before.mm == pytest.approx(25, abs=0.1)
    rule = style.element.pPr.find("w:pBdr/w:bottom", NS)
    heading_rule = heading.element.pPr.find("w:pBdr/w:bottom", NS)
    assert int(rule.get(f"{{{W}}}sz")) == 24 > int(heading_rule.get(f"{{{W}}}sz"))  # 3 pt
    assert _val(style.element, "w:pPr/w:outlineLvl") == "0"
    assert heading.element.find("w:pPr/w:pageBreakBefore", NS) is not None  # a page of its own
    assert style.element.find("w:pPr/w:pageBreakBefore", NS) is None  # inherited
    body = _part(data, "word/document.xml").find("w:body", NS)
    instr = "".join(t.text for t in body.iter(f"{{{W}}}instrText"))
    assert '"Heading 1,1,Insight Heading,1,Heading 2,2"' in instr
    entries = [_text(p) for p in body.iter(f"{{{W}}}p") if _style(p) == "TOC1"]
    assert group.title in entries
    assert (1, group.title) in _outline_levels(data)
