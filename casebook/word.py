"""The Word renderer: a ``Document`` as an editable .docx built on the reference template.

Every paragraph and run takes its look from a named style in ``layouts/docx/reference.docx``
(see :mod:`casebook.reference`), so a local area restyles a whole pack by editing styles.

The writer has one part per job: :class:`_Text` writes runs and links, :class:`_Lists` the
list instances, :class:`_Pictures` the logo and figures, :class:`_Blocks` a body's blocks,
:class:`_Pack` the pack's structure (cover, sections, contents, cases, action sheet); the
footer and the document properties are written last by :func:`_footer` and
:func:`_properties`. Every writer appends to the container it is given, so a case can be
written into any container (a content control, say) as well as the body.
"""

from __future__ import annotations

import base64
import io
import itertools
import logging
import re
import shutil
import subprocess
import tempfile
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from casebook.blocks import (
    Block,
    BulletList,
    Code,
    Emphasis,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    OrderedList,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
    plain_text,
)
from casebook.diagnostics import ContentError, Diagnostic
from casebook.document import ActionSheet, CaseEntry, CaseGroup, Document, Section
from casebook.layout import Layout
from casebook.ooxml import normalise_package
from casebook.policy import (
    MediaRefused,
    link_allowed,
    media_file,
    printed_address,
    svg_problem,
)
from casebook.provenance import FIGURE_MISSING, CaseMarks
from casebook.reference import (
    BULLET_LAST,
    BULLET_STYLES,
    CONTINUE_STYLES,
    NUMBER_LAST,
    NUMBER_STYLES,
    REQUIRED_STYLES,
    W_NS,
    apply_brand,
    brand_stamp,
    reference_problems,
)

__all__ = [
    "normalise_package",
    "reference_path",
    "render",
    "render_docx",
    "safe_segments",
]

# The contents list Heading 1 (and an insight's opener, Insight Heading) and Heading 2
# paragraphs by style name (\t), as the PDF's do: a Subheading is a level-2 heading too, and \o
# (by outline level) would list it when updated.
_TOC_INSTRUCTION = ' TOC \\h \\z \\t "Heading 1,1,Insight Heading,1,Heading 2,2" '
_TOC_HINT = (
    "Page numbers appear when the contents are updated: right-click them and choose "
    "Update Field, or press F9."
)
_RASTER_TYPES = {".png", ".jpg", ".jpeg", ".gif"}
# Characters XML 1.0 cannot hold, plus C1 controls and lone surrogates: dropped.
_UNSAFE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Word's Shift+Enter (vertical tab), form feed and Unicode separators mean "new line".
_BREAKS = re.compile("\r\n|[\r\n\v\f\u2028\u2029]")
_LOGO_MAX_MM = (70.0, 22.0)  # the PDF cover logo's height
_LOGO_GAP_MM = 6.0  # between the logo and the brand's name, as on the PDF's cover
# An SVG is drawn for Word at 300 dpi with its longer side at most this long (CSS px: 317 mm).
_SVG_LONGEST_PX = 1200.0
_PROPERTY_MAX = 255
# The notes box holds at most the PDF's least notes area (three 9 mm lines), so it fits on a
# case's page wherever the PDF's does; the rest of the page is free for notes too.
_NOTES_LINES = 3
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# A hyphen between two letters or digits ("evidence-based"): a line may break after it.
_WORD_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")


def reference_path(layout: Layout) -> Path:
    """The Word reference template a layout provides."""
    return layout.root / "docx" / "reference.docx"


def safe_segments(text: str) -> list[str]:
    """Split ``text`` into pieces Word XML can hold; ``"\\n"`` items stand for line breaks.

    Vertical tab, form feed and newlines become breaks; other control characters are removed.
    """
    text = unicodedata.normalize("NFC", text)
    pieces: list[str] = []
    for i, part in enumerate(_BREAKS.split(text)):
        if i:
            pieces.append("\n")
        part = _UNSAFE.sub("", part)
        if part:
            pieces.append(part)
    return pieces


def render_docx(document: Document, layout: Layout, media_root: Path | None = None) -> bytes:
    """Render ``document`` as .docx bytes with the layout's reference template and brand.

    ``media_root`` is the content folder that figure paths (``media/...``) are relative to.
    Raises ContentError for a missing or incomplete template and for unreadable figures.
    """
    template = reference_path(layout)
    word = _open_template(template)
    if not _made_for(word, layout):
        apply_brand(word, layout)
    _check_styles(word, template)
    text = _Text(word.part)
    lists = _Lists(word, template)
    pictures = _Pictures(word, text, media_root, _text_width(word))
    body = word.element.body
    section = body.sectPr
    for child in list(body):
        body.remove(child)
    blocks = _Blocks(text, lists, pictures)
    marks = _Pack(document, layout, text, lists, pictures, blocks).write(body)
    body.append(section)  # the page setup stays the body's last child
    _footer(word, document, text)
    _properties(word, document, layout.brand.name)
    marks.record(word, document)  # provenance: the pack, its edition and each case's digest
    out = io.BytesIO()
    word.save(out)
    return normalise_package(out.getvalue(), document.date)


def _open_template(template: Path) -> Any:
    import docx

    if not template.is_file():
        raise ContentError(
            [
                Diagnostic(
                    str(template),
                    0,
                    "Word reference template not found; create it with: "
                    "python -m casebook.reference",
                )
            ]
        )
    # The same check `check` runs: a Word package with the styles, linking nowhere outside.
    problems = reference_problems(template, template.parent.parent)
    if problems:
        raise ContentError(problems)
    try:
        return docx.Document(str(template))
    except Exception as exc:  # python-docx raises several types for a damaged file
        from docx.opc.exceptions import PackageNotFoundError

        reason = (
            "it is not a Word .docx file (damaged, or saved in another format)"
            if isinstance(exc, PackageNotFoundError)
            else f"it is damaged ({exc})"
        )
        raise ContentError(
            [
                Diagnostic(
                    str(template),
                    0,
                    f"cannot open the Word reference template: {reason}; restore it, or "
                    "create it again with: python -m casebook.reference",
                )
            ]
        ) from exc


def _made_for(word: Any, layout: Layout) -> bool:
    """Whether the template was generated from this very brand. If so its styles are used as
    they are (edits made in Word included); if not (another brand, or brand.yaml changed
    since), the styles are rewritten from the brand first."""
    return bool(word.core_properties.identifier == brand_stamp(layout.brand))


def _check_styles(word: Any, template: Path) -> None:
    styles = word.styles.element
    have = {
        (s.get(f"{{{W_NS}}}styleId"), s.get(f"{{{W_NS}}}type"))
        for s in styles.findall(f"{{{W_NS}}}style")
    }
    missing = [name for sid, kind, name in REQUIRED_STYLES if (sid, kind) not in have]
    if missing:
        names = ", ".join(f"'{_display(n)}'" for n in missing)
        raise ContentError(
            [
                Diagnostic(
                    str(template),
                    0,
                    f"the Word reference template lacks the style(s) the packs use: {names}; "
                    "add them in Word or regenerate it with: python -m casebook.reference",
                )
            ]
        )


def _display(name: str) -> str:
    """Word shows built-in styles capitalised ("heading 1" is "Heading 1")."""
    return name.upper() if name.startswith("toc ") else name[:1].upper() + name[1:]


def _text_width(word: Any) -> int:
    """The width between the margins, in EMU."""
    section = word.sections[0]
    return int(section.page_width - section.left_margin - section.right_margin)


def _element(tag: str, **attributes: str) -> Any:
    """A new WordprocessingML element; attribute names without their ``w:`` prefix."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


# -- runs and links ----------------------------------------------------------------------------


class _Text:
    """Paragraphs, runs and hyperlinks: text that takes its look from styles only."""

    def __init__(self, part: Any) -> None:
        self.part = part  # the document part, which holds the hyperlinks' relationships

    def p(self, container: Any, style: str | None) -> Any:
        """An empty paragraph in ``style`` at the end of ``container``."""
        p = _element("w:p")
        if style and style != "Normal":
            ppr = _element("w:pPr")
            ppr.append(_element("w:pStyle", val=style))
            p.append(ppr)
        container.append(p)
        return p

    def paragraph(self, container: Any, style: str | None, nodes: tuple[Inline, ...] | str) -> Any:
        p = self.p(container, style)
        if isinstance(nodes, str):
            self.run(p, nodes)
        else:
            self.inlines(p, nodes)
        return p

    def run(
        self, parent: Any, text: str, style: str | None = None, whole_words: bool = False
    ) -> Any:
        """A run of ``text``; with ``whole_words`` a hyphen inside a word is Word's
        non-breaking hyphen, so that the line never breaks after it."""
        run = _element("w:r")
        if style:
            rpr = _element("w:rPr")
            rpr.append(_element("w:rStyle", val=style))
            run.append(rpr)
        for piece in safe_segments(text):
            if piece == "\n":
                run.append(_element("w:br"))
                continue
            for i, chunk in enumerate(piece.split("\t")):
                if i:
                    run.append(_element("w:tab"))
                parts = _WORD_HYPHEN.split(chunk) if whole_words else [chunk]
                for j, part in enumerate(parts):
                    if j:
                        run.append(_element("w:noBreakHyphen"))
                    if part:
                        t = _element("w:t")
                        t.text = part
                        t.set(_XML_SPACE, "preserve")
                        run.append(t)
        parent.append(run)
        return run

    def inlines(self, parent: Any, nodes: tuple[Inline, ...], style: str | None = None) -> None:
        # Inside a link every run keeps the Hyperlink style.
        linked = style == "Hyperlink"
        for node in nodes:
            match node:
                case Text(text=text):
                    self.run(parent, text, style)
                case Code(text=text):
                    self.run(parent, text, style if linked else "InlineCode")
                case LineBreak():
                    self.run(parent, "\n", style)
                case Strong(children=children):
                    self.inlines(parent, children, style if linked else "Strong")
                case Emphasis(children=children):
                    self.inlines(parent, children, style if linked else "Emphasis")
                case Link(href=href, children=children):
                    if not link_allowed(href) or linked:
                        # Only https: and mailto: become links (the loader rejects the rest).
                        self.inlines(parent, children, style)
                    else:
                        self.link(parent, href, children)
                case _:
                    raise TypeError(f"the Word renderer cannot write {type(node).__name__}")

    def link(self, parent: Any, href: str, children: tuple[Inline, ...]) -> None:
        """A hyperlink; a printed page cannot be clicked, so a web address that its words do
        not already show follows them in brackets, as in the PDF."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml.ns import qn

        link = _element("w:hyperlink", history="1")
        link.set(qn("r:id"), self.part.relate_to(href, RT.HYPERLINK, is_external=True))
        parent.append(link)
        self.inlines(link, children, "Hyperlink")
        if (address := printed_address(plain_text(children), href)) is not None:
            self.run(parent, f" ({address})")


# -- lists ---------------------------------------------------------------------------------------


class _Lists:
    """List instances: every numbered list and every insight's questions restart at their
    start (a case's prompts restart under its heading, by their style)."""

    def __init__(self, word: Any, template: Path) -> None:
        self.word = word
        self.template = template
        self.numbering = word.part.numbering_part.element
        self.bullets = self._style_num("ListBullet")
        self.numbers = self._abstract_of(self._style_num("ListNumber"), "ListNumber")
        # A case's prompts are numbered by their style, under their case's heading.
        self._abstract_of(self._style_num("Prompt"), "Prompt")
        self.questions = self._abstract_of(self._style_num("Question"), "Question")
        # python-docx finds the next list id by scanning every list already made, which is
        # quadratic in the pack's length (a 5,000-case pack ran out of time in Word only).
        # Keep the free ids and the insertion point instead; the XML is the same.
        used = {int(n) for n in self.numbering.xpath("./w:num/@w:numId")}
        self.free_ids = (n for n in itertools.count(1) if n not in used)
        self.nums_end = self.numbering.find(f"{{{W_NS}}}numIdMacAtCleanup")

    def _style_num(self, style_id: str) -> int:
        style = self.word.styles.element.find(f"{{{W_NS}}}style[@{{{W_NS}}}styleId='{style_id}']")
        num = (
            None if style is None else style.find(f"{{{W_NS}}}pPr/{{{W_NS}}}numPr/{{{W_NS}}}numId")
        )
        if num is None:
            raise ContentError(
                [
                    Diagnostic(
                        str(self.template),
                        0,
                        f"style '{style_id}' in the Word reference template has no list "
                        "numbering; set one in Word (Modify Style > Format > Numbering)",
                    )
                ]
            )
        return int(num.get(f"{{{W_NS}}}val"))

    def _abstract_of(self, num_id: int, style_id: str) -> int:
        for num in self.numbering.findall(f"{{{W_NS}}}num"):
            if num.get(f"{{{W_NS}}}numId") == str(num_id):
                abstract = num.find(f"{{{W_NS}}}abstractNumId")
                if abstract is not None:
                    return int(abstract.get(f"{{{W_NS}}}val"))
        raise ContentError(
            [
                Diagnostic(
                    str(self.template),
                    0,
                    f"style '{style_id}' points at list {num_id}, which the template does not "
                    "define",
                )
            ]
        )

    def restart(self, abstract: int, level: int, start: int) -> int:
        """A fresh list instance of ``abstract`` that starts at ``start``."""
        from docx.oxml.numbering import CT_Num

        num_id = next(self.free_ids)
        num = CT_Num.new(num_id, abstract)  # type: ignore[no-untyped-call]
        if self.nums_end is None:
            self.numbering.append(num)
        else:
            self.nums_end.addprevious(num)
        num.add_lvlOverride(ilvl=level).add_startOverride(start)
        return num_id

    @staticmethod
    def number(p: Any, num_id: int, level: int) -> None:
        """Make ``p`` an item of list ``num_id`` at ``level``."""
        num_pr = p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level
        num_pr.get_or_add_numId().val = num_id


# -- pictures ---------------------------------------------------------------------------------


class _Pictures:
    """The logo and figures: pictures with alt text, scaled into a box."""

    def __init__(self, word: Any, text: _Text, media_root: Path | None, width_emu: int) -> None:
        self.word = word
        self.text = text
        self.media_root = media_root
        self.width_mm = width_emu / 36000
        self.figures = 0

    def picture(
        self,
        container: Any,
        png: bytes,
        style: str,
        alt: str,
        name: str,
        box_mm: tuple[float, float],
    ) -> Any:
        """A paragraph in ``style`` holding the picture, scaled to fit ``box_mm``."""
        from docx.shared import Mm
        from docx.text.paragraph import Paragraph as DocxParagraph

        p = self.text.p(container, style)
        run = DocxParagraph(p, self.word._body).add_run()
        width_px, height_px = _pixel_size(png)
        max_w, max_h = box_mm
        scale = min(max_w / width_px, max_h / height_px)
        shape = run.add_picture(
            io.BytesIO(png), width=Mm(width_px * scale), height=Mm(height_px * scale)
        )
        # No room round the picture beyond its own: Word writes these, and LibreOffice takes
        # their absence for its own default, a few millimetres each side.
        for side in ("distT", "distB", "distL", "distR"):
            shape._inline.set(side, "0")
        doc_pr = shape._inline.docPr
        doc_pr.set("name", name)
        doc_pr.set("descr", " ".join(p for p in safe_segments(alt) if p != "\n"))
        return p

    def figure(self, container: Any, alt: str, src: str | None) -> None:
        if src is None:
            # A dashed box, as in the PDF, its label set as the PDF's. Its words are those
            # casebook.provenance reads in a local copy: the line break between label and
            # description is whitespace either way.
            p = self.text.p(container, "FigureMissing")
            self.text.run(p, FIGURE_MISSING, "FigureMissingLabel")
            self.text.inlines(p, (LineBreak(), Text(f"Description: {alt}")))
            return
        path = self._media_path(src)
        png = _image_png(path, str(self.media_root / src) if self.media_root else src)
        self.figures += 1
        box = (self.width_mm, self.width_mm * 1.2)
        self.picture(container, png, "Figure", alt, f"Figure {self.figures}", box)
        self.text.paragraph(container, "Caption", alt)

    def _media_path(self, src: str) -> Path:
        if self.media_root is None:
            raise ContentError([Diagnostic(src, 0, "figure cannot be found: no content folder")])
        try:
            return media_file(self.media_root, src)
        except MediaRefused as error:
            raise ContentError([Diagnostic(src, 0, f"figure {error}")]) from None


# -- blocks ------------------------------------------------------------------------------------


class _Blocks:
    """A body's blocks: paragraphs, headings, lists, quotes, figures and tables."""

    def __init__(self, text: _Text, lists: _Lists, pictures: _Pictures) -> None:
        self.text = text
        self.lists = lists
        self.pictures = pictures

    def write(
        self,
        container: Any,
        blocks: tuple[Block, ...],
        heading: str,
        paragraph: str | None = None,
    ) -> None:
        """Append ``blocks``; their headings take the style ``heading``, one level below the
        heading they sit under, so no level is skipped, and their paragraphs (outside lists)
        the style ``paragraph`` (Normal if None)."""
        for block in blocks:
            self.block(container, block, heading, 0, paragraph)

    def block(
        self,
        container: Any,
        block: Block,
        heading: str,
        depth: int,
        paragraph: str | None = None,
    ) -> None:
        match block:
            case Paragraph(children=children):
                style = CONTINUE_STYLES[min(depth, 3) - 1] if depth else paragraph
                self.text.paragraph(container, style, children)
            case Heading(children=children):
                self.text.paragraph(container, heading, children)
            case BulletList() | OrderedList():
                self.list(container, block, heading, depth)
            case Quote(blocks=blocks):
                for child in blocks:
                    if isinstance(child, Paragraph):
                        self.text.paragraph(container, "Quote", child.children)
                    else:
                        self.block(container, child, heading, depth)
            case Figure(alt=alt, src=src):
                self.pictures.figure(container, alt, src)
            case Table(header=header, rows=rows):
                self.table(container, header, rows)
            case _:
                raise TypeError(f"the Word renderer cannot write {type(block).__name__}")

    def list(
        self, container: Any, block: BulletList | OrderedList, heading: str, depth: int
    ) -> None:
        level = min(depth, 8)
        if isinstance(block, OrderedList):
            num_id = self.lists.restart(self.lists.numbers, level, block.start)
            style, last_style = NUMBER_STYLES[min(depth, 2)], NUMBER_LAST
        else:
            num_id = self.lists.bullets
            style, last_style = BULLET_STYLES[min(depth, 2)], BULLET_LAST
        for index, item in enumerate(block.items):
            numbered = False
            # Items are a quarter line apart; the last, when it is one paragraph, is followed
            # by a paragraph's space, as in the PDF.
            last = index == len(block.items) - 1 and len(item.blocks) <= 1
            for child in item.blocks:
                if isinstance(child, Paragraph) and not numbered:
                    p = self.text.paragraph(
                        container, last_style if last else style, child.children
                    )
                    self.lists.number(p, num_id, level)
                    numbered = True
                elif isinstance(child, Paragraph):
                    self.text.paragraph(container, CONTINUE_STYLES[min(depth, 2)], child.children)
                else:
                    self.block(container, child, heading, depth + 1)
            if not numbered and not item.blocks:
                self.lists.number(
                    self.text.p(container, last_style if last else style), num_id, level
                )

    def table(
        self,
        container: Any,
        header: tuple[tuple[Inline, ...], ...],
        rows: tuple[tuple[tuple[Inline, ...], ...], ...],
        row_height_twips: int | None = None,
        weights: tuple[int, ...] = (),
    ) -> None:
        """A table in the Casebook Table style; its header row repeats on every page. Its
        columns share the width equally, or in proportion to ``weights``."""
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls, qn
        from docx.oxml.table import CT_Tbl
        from docx.shared import Emu

        columns = max(1, len(header), *(len(r) for r in rows))
        width = int(self.pictures.width_mm * 36000)
        tbl = CT_Tbl.new_tbl(1 + len(rows), columns, Emu(width // columns * columns))
        container.append(tbl)
        if len(weights) == columns:
            twips = [round(width / 635 * w / sum(weights)) for w in weights]  # 635 EMU a twip
            for grid_col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=True):
                grid_col.set(qn("w:w"), str(w))
            for tr in tbl.tr_lst:
                for tc, w in zip(tr.tc_lst, twips, strict=True):
                    tc.get_or_add_tcPr().get_or_add_tcW().set(qn("w:w"), str(w))
        tbl_pr = tbl.tblPr
        tbl_pr.style = "CasebookTable"
        tbl_w = tbl_pr.find(qn("w:tblW"))
        if tbl_w is not None:
            tbl_w.set(qn("w:type"), "pct")
            tbl_w.set(qn("w:w"), "5000")
        for index, tr in enumerate(tbl.tr_lst):
            tr_pr = parse_xml(
                f"<w:trPr {nsdecls('w')}><w:cantSplit/>"
                + ("<w:tblHeader/>" if index == 0 else "")
                + (
                    f'<w:trHeight w:val="{row_height_twips}" w:hRule="atLeast"/>'
                    if index and row_height_twips
                    else ""
                )
                + "</w:trPr>"
            )
            tr.insert(0, tr_pr)
            cells = header if index == 0 else rows[index - 1]
            for col, tc in enumerate(tr.tc_lst):
                for old in tc.findall(qn("w:p")):
                    tc.remove(old)
                nodes = cells[col] if col < len(cells) else ()
                self.text.paragraph(tc, "TableHeading" if index == 0 else "TableText", nodes)


# -- the pack ----------------------------------------------------------------------------------


class _Pack:
    """The pack's structure, in order: cover, guide, contents, introduction, cases (grouped by
    insight where the pack spans insights), action-planning sheet, about the source."""

    def __init__(
        self,
        document: Document,
        layout: Layout,
        text: _Text,
        lists: _Lists,
        pictures: _Pictures,
        blocks: _Blocks,
    ) -> None:
        self.doc = document
        self.layout = layout
        self.text = text
        self.lists = lists
        self.pictures = pictures
        self.blocks = blocks
        self.bookmarks = {
            entry.anchor: f"_Toc{index:08d}" for index, entry in enumerate(document.toc(), 1)
        }
        self.bookmark_ids = 0

    def write(self, body: Any) -> CaseMarks:
        """Write the pack into ``body``; the marks returned say which elements each case is
        (its provenance, recorded once the package is complete)."""
        self.cover(body)
        self.section(body, self.doc.guide)
        if self.doc.whats_new is not None:
            self.section(body, self.doc.whats_new)
        self.contents(body)
        self.section(body, self.doc.introduction)
        marks = CaseMarks(body)
        for group in self.doc.groups:
            if group.title:
                self.group(body, group)
            for case in group.cases:
                with marks.case(case):
                    self.case(body, case)
        self.action_sheet(body, self.doc.action_sheet)
        self.section(body, self.doc.about)
        return marks

    def heading(self, container: Any, style: str, text: str, anchor: str) -> Any:
        """A heading bookmarked for the contents (hidden ``_Toc`` names, as Word's own)."""
        p = self.text.paragraph(container, style, text)
        name = self.bookmarks.get(anchor)
        if name is not None:
            self.bookmark_ids += 1
            start = _element("w:bookmarkStart", id=str(self.bookmark_ids), name=name)
            p.insert(0 if p.pPr is None else 1, start)  # after the paragraph's properties
            p.append(_element("w:bookmarkEnd", id=str(self.bookmark_ids)))
        return p

    def cover(self, body: Any) -> None:
        brand = self.layout.brand
        logo = self.layout.logo_path()
        png = _image_png(logo, str(logo))
        logo_line = self.pictures.picture(
            body, png, "CoverLogo", f"{brand.name} logo", "Logo", _LOGO_MAX_MM
        )
        # The brand's name beside the logo, as on the PDF's cover; the Cover Logo style
        # centres it on the logo's height, and its tab stop sets it the PDF's gap after this
        # logo (a Word default stop would leave whatever gap the logo's width happens to).
        self._logo_tab(logo_line)
        self.text.run(logo_line, "\t")
        self.text.run(logo_line, brand.name, "CoverBrand")
        cover = self.doc.cover
        # A hyphenated word of the title stays whole on its line, as on the PDF's cover
        # (LibreOffice broke "evidence-based" after the hyphen); the text still reads "-".
        self.text.run(self.text.p(body, "Title"), cover.title, whole_words=True)
        self.text.paragraph(body, "Subtitle", cover.subtitle)
        self.text.paragraph(body, "CoverEdition", cover.edition)
        self.text.paragraph(
            body, "CoverSource", f"Case examples quoted from {self.doc.short_citation}"
        )

    def _logo_tab(self, logo_line: Any) -> None:
        from docx.shared import Emu, Mm

        [extent] = logo_line.xpath(".//wp:extent")
        stops = self.pictures.word.styles["Cover Logo"].paragraph_format.tab_stops
        stops.clear_all()
        stops.add_tab_stop(Emu(int(extent.get("cx")) + Mm(_LOGO_GAP_MM)))

    def section(self, body: Any, section: Section) -> None:
        self.heading(body, "Heading1", section.title, section.anchor)
        self.blocks.write(body, section.blocks, "Subheading")
        if section.prompts:
            self.prompts(
                body, "QuestionsHeading", section.prompts_title, section.prompts, "Question"
            )

    def contents(self, body: Any) -> None:
        """A real contents field, saved with its entries (each a link to its heading) but
        without page numbers, which only Word's layout knows."""
        from docx.oxml.ns import qn

        self.text.paragraph(body, "TOCHeading", self.doc.contents_title)
        for index, entry in enumerate(self.doc.toc()):
            p = self.text.p(body, "TOC1" if entry.level == 1 else "TOC2")
            if index == 0:
                _field_char(p, "begin")
                instr = _element("w:instrText")
                instr.set(_XML_SPACE, "preserve")
                instr.text = _TOC_INSTRUCTION
                run = _element("w:r")
                run.append(instr)
                p.append(run)
                _field_char(p, "separate")
            link = _element("w:hyperlink", history="1")
            link.set(qn("w:anchor"), self.bookmarks[entry.anchor])
            p.append(link)
            self.text.run(link, entry.title)
        # The last line of the field's result tells how to add page numbers; updating the
        # field replaces it with Word's own contents, numbers included.
        _field_char(self.text.paragraph(body, "ContentsNote", _TOC_HINT), "end")

    def prompts(
        self,
        container: Any,
        title_style: str,
        title: str,
        prompts: tuple[str, ...],
        style: str = "Prompt",
    ) -> None:
        """A heading and the prompts, a numbered list of its own: a case's (Prompt) numbered
        by the style alone, starting at 1 under each case heading (Heading 2), so a case added
        in Word numbers its prompts from 1 too; an insight's (Question, boxed with their
        heading) a list restarted here."""
        self.text.paragraph(container, title_style, title)
        if style != "Question":
            for prompt in prompts:
                self.text.paragraph(container, style, prompt)
            return
        num_id = self.lists.restart(self.lists.questions, 0, 1)
        for prompt in prompts:
            self.lists.number(self.text.paragraph(container, style, prompt), num_id, 0)

    def group(self, body: Any, group: CaseGroup) -> None:
        """An insight's section: its title (larger and lower on its page than a section's, as
        in the PDF), summary and the insight's prompts, once."""
        self.heading(body, "InsightHeading", group.title, group.anchor)
        # As in the PDF: the summary larger, its last line (the chapter it is from) smaller.
        self.blocks.write(body, group.blocks[:-1], "Subheading", "InsightSummary")
        self.blocks.write(body, group.blocks[-1:], "Subheading", "InsightSource")
        if group.prompts:
            self.prompts(body, "QuestionsHeading", group.prompts_title, group.prompts, "Question")

    def case(self, container: Any, case: CaseEntry) -> None:
        """One case, every paragraph of it appended to ``container``: heading (starting a
        page), meta line, the report's words, citation, prompts and the notes box."""
        self.heading(container, "Heading2", case.heading, case.anchor)
        self.text.paragraph(container, "CaseMeta", " · ".join(case.meta))
        self.blocks.write(container, case.blocks, "Heading3")
        self.text.paragraph(container, "CaseCitation", case.citation)
        if case.prompts:
            self.prompts(container, "Heading3", case.prompts_title, case.prompts)
        # Where the box does not fit under the prompts it starts the next page alone, and a
        # Word page has no running head to say whose notes they are: the heading says it.
        self.text.paragraph(container, "Heading3", case.notes_heading)
        lines = max(1, min(case.notes_lines, _NOTES_LINES))
        self.text.run(self.text.p(container, "Notes"), "\n" * (lines - 1))

    def action_sheet(self, body: Any, sheet: ActionSheet) -> None:
        self.heading(body, "Heading1", sheet.title, sheet.anchor)
        self.text.paragraph(body, None, sheet.intro)
        header = tuple((Text(c),) for c in sheet.columns)
        rows = tuple(tuple(() for _ in sheet.columns) for _ in range(sheet.rows))
        # Rows and columns as the PDF's sheet (pack.css): 28 mm rows, the first and last
        # columns (what, how you will know) wider than who and when.
        self.blocks.table(body, header, rows, row_height_twips=1587, weights=(32, 19, 19, 30))


def _field_char(p: Any, kind: str) -> None:
    run = _element("w:r")
    run.append(_element("w:fldChar", fldCharType=kind))
    p.append(run)


def _simple_field(p: Any, text: _Text, instruction: str, shown: str) -> None:
    field = _element("w:fldSimple", instr=instruction)
    text.run(field, shown)
    p.append(field)


# -- footer and properties ---------------------------------------------------------------------


def _footer(word: Any, document: Document, text: _Text) -> None:
    """Every page after the cover: pack title · short citation, then (at the right edge, after
    a tab) page N of M, as in the PDF. The title is a TITLE field, so renaming the pack in
    File > Properties renames every page."""
    section = word.sections[0]
    section.different_first_page_header_footer = True
    first = section.first_page_footer
    first.is_linked_to_previous = False
    for p in first.paragraphs:
        p._p.get_or_add_pPr().get_or_add_pStyle().val = "Footer"
    footer = section.footer
    footer.is_linked_to_previous = False
    element = footer._element
    for child in list(element):
        element.remove(child)
    p = text.p(element, "Footer")
    _simple_field(p, text, " TITLE ", _plain(document.title))
    text.run(p, f" · {document.short_citation}\tpage ")
    _simple_field(p, text, " PAGE ", "2")
    text.run(p, " of ")
    _simple_field(p, text, " NUMPAGES ", "2")


def _properties(word: Any, document: Document, brand_name: str) -> None:
    """Core properties. The pack's author is the brand that publishes it: the summaries,
    prompts and guide are the brand's, and the report is credited inside."""
    props = word.core_properties
    doc = document
    stamp = datetime.fromisoformat(doc.date).replace(tzinfo=UTC)
    props.title = _plain(doc.title)
    props.subject = _plain(doc.subject)
    props.author = _plain(brand_name)
    props.keywords = _keywords(doc.keywords)
    props.language = doc.lang
    props.category = _plain(doc.cover.kind_label)
    props.comments = _plain(doc.cover.subtitle)
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.last_modified_by = _plain(brand_name)
    props.revision = 1
    props.identifier = doc.pack_id
    props.content_status = ""
    props.version = ""


def _plain(text: str) -> str:
    """One line of safe text that fits a core property (Word allows 255 characters)."""
    line = "".join(" " if piece == "\n" else piece for piece in safe_segments(text))
    return line if len(line) <= _PROPERTY_MAX else line[: _PROPERTY_MAX - 1].rstrip() + "…"


def _keywords(keywords: tuple[str, ...]) -> str:
    """As many whole keywords as fit in a core property, in order."""
    kept: list[str] = []
    for keyword in keywords:
        if len("; ".join([*kept, _plain(keyword)])) > _PROPERTY_MAX:
            break
        kept.append(_plain(keyword))
    return "; ".join(kept)


# -- images ----------------------------------------------------------------------------------


def _pixel_size(blob: bytes) -> tuple[int, int]:
    from docx.image.image import Image

    image = Image.from_blob(blob)
    return max(image.px_width, 1), max(image.px_height, 1)


def _image_png(path: Path, label: str) -> bytes:
    """The image at ``path`` as bytes Word can show; SVG is rasterised to PNG."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError([Diagnostic(label, 0, f"cannot read image: {exc.strerror}")]) from exc
    suffix = path.suffix.lower()
    if suffix == ".svg":
        problem = svg_problem(data)
        if problem:
            raise ContentError([Diagnostic(label, 0, f"cannot be drawn: it {problem}")])
        return _svg_to_png(data, label)
    if suffix in _RASTER_TYPES:
        from docx.image.exceptions import UnrecognizedImageError

        try:
            _pixel_size(data)
        except (UnrecognizedImageError, ValueError, IndexError):
            # python-docx reads only the commonest headers (a CMYK JPEG's, for one, it does
            # not); what Pillow can read goes into the Word file made again.
            return _reencoded(data, label, suffix)
        return data
    raise ContentError(
        [Diagnostic(label, 0, "images must be SVG, PNG, JPEG or GIF for the Word packs")]
    )


def _reencoded(data: bytes, label: str, suffix: str) -> bytes:
    """The raster image ``data`` made again with Pillow as Word reads it, turned as the PDF
    shows it (its EXIF orientation): a JPEG as an RGB JPEG (a CMYK one through its colour
    profile where it has one), anything else as a PNG."""
    from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            kind = image.format
            profile = image.info.get("icc_profile")
            shown = ImageOps.exif_transpose(image)
            if shown.mode == "CMYK" and profile:
                try:
                    source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
                    srgb = ImageCms.createProfile("sRGB")
                    shown = (
                        ImageCms.profileToProfile(shown, source, srgb, outputMode="RGB") or shown
                    )
                except (ImageCms.PyCMSError, OSError):
                    pass  # a profile littleCMS cannot use: Pillow's own conversion below
            converted = shown.convert("RGBA" if "A" in shown.getbands() else "RGB")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        message = f"cannot read image: not a valid {suffix[1:].upper()} file"
        raise ContentError([Diagnostic(label, 0, message)]) from exc
    out = io.BytesIO()
    if kind == "JPEG" and converted.mode == "RGB":
        converted.save(out, format="JPEG", quality=92)
    else:
        converted.save(out, format="PNG")
    return out.getvalue()


def _svg_size(data: bytes) -> tuple[float, float]:
    """The SVG's size in CSS pixels, from width/height or the viewBox."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return (600.0, 200.0)
    units = {"px": 1.0, "pt": 4 / 3, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0, "": 1.0}

    def length(value: str | None) -> float | None:
        match = re.fullmatch(r"\s*([0-9.]+)\s*(px|pt|mm|cm|in|)\s*", value or "")
        return float(match.group(1)) * units[match.group(2)] if match else None

    width, height = length(root.get("width")), length(root.get("height"))
    box = [float(v) for v in re.findall(r"-?[0-9.]+", root.get("viewBox") or "")]
    if width and height:
        return width, height
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        if width:
            return width, width * box[3] / box[2]
        return box[2], box[3]
    return (600.0, 200.0)


class _Failures(logging.Handler):
    def __init__(self, found: list[str]) -> None:
        super().__init__(level=logging.ERROR)
        self.found = found

    def emit(self, record: logging.LogRecord) -> None:
        self.found.append(record.getMessage().split(" data:")[0].strip().rstrip(":"))


def _svg_to_png(data: bytes, label: str) -> bytes:
    """Rasterise an SVG at 300 dpi: WeasyPrint draws it to PDF, poppler's pdftocairo to PNG.
    Nothing outside the SVG itself is fetched."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    pdftocairo = shutil.which("pdftocairo")
    if pdftocairo is None:
        raise ContentError(
            [Diagnostic(label, 0, "cannot convert SVG for Word: pdftocairo (poppler) not found")]
        )
    width, height = _svg_size(data)
    # Larger than any page it is shown on: drawn smaller (the picture is scaled to its box
    # anyway), or a huge width would ask cairo for an image it cannot make.
    shrink = min(1.0, _SVG_LONGEST_PX / max(width, height))
    width, height = width * shrink, height * shrink
    uri = "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")
    html = (
        f"<style>@page{{size:{width:.2f}px {height:.2f}px;margin:0}}html,body{{margin:0}}"
        f"img{{display:block;width:{width:.2f}px;height:{height:.2f}px}}</style>"
        f'<img src="{uri}">'
    )

    # Only the SVG itself, inlined as a data: URI, may be read.
    fetcher = URLFetcher(allowed_protocols={"data"})
    # WeasyPrint logs a picture it cannot draw and leaves it blank: that is a failure here.
    failures: list[str] = []
    handler = _Failures(failures)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    finally:
        logger.removeHandler(handler)
    if failures:
        raise ContentError([Diagnostic(label, 0, f"cannot be drawn: {failures[0]}")])
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "image.pdf"
        source.write_bytes(pdf)
        target = Path(tmp) / "image"
        result = subprocess.run(
            [pdftocairo, "-png", "-singlefile", "-transp", "-r", "300", str(source), str(target)],
            capture_output=True,
            check=False,
            timeout=60,
        )
        png = target.with_suffix(".png")
        if result.returncode != 0 or not png.is_file():
            message = result.stderr.decode("utf-8", "replace").strip()[:200]
            raise ContentError([Diagnostic(label, 0, f"cannot convert SVG for Word: {message}")])
        return png.read_bytes()


def render(document: Document, layout: Layout, content_dir: Path) -> tuple[bytes, None]:
    """The Word format's entry in the renderer registry: the file, and no page count (Word
    lays out the pages when the file is opened)."""
    return render_docx(document, layout, content_dir), None
