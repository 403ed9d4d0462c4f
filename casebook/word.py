"""The Word renderer: a ``Document`` as an editable .docx built on the reference template.

Every paragraph and run takes its look from a named style in ``layouts/docx/reference.docx``
(see :mod:`casebook.reference`), so a local area restyles a whole pack by editing styles.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
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
)
from casebook.diagnostics import ContentError, Diagnostic
from casebook.document import ActionSheet, CaseEntry, CaseGroup, Document, Section
from casebook.layout import Layout
from casebook.ooxml import normalise_package
from casebook.reference import (
    BULLET_STYLES,
    CONTINUE_STYLES,
    NUMBER_STYLES,
    REQUIRED_STYLES,
    W_NS,
    apply_brand,
    brand_stamp,
)

__all__ = [
    "normalise_package",
    "reference_path",
    "render",
    "render_docx",
    "safe_segments",
]

_TOC_INSTRUCTION = ' TOC \\o "1-2" \\h \\z \\u '
_TOC_HINT = (
    "Page numbers appear when the contents are updated: right-click them and choose "
    "Update Field, or press F9."
)
_RASTER_TYPES = {".png", ".jpg", ".jpeg", ".gif"}
_LINK_SCHEMES = ("https:", "mailto:")
# Characters XML 1.0 cannot hold, plus C1 controls and lone surrogates: dropped.
_UNSAFE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Word's Shift+Enter (vertical tab), form feed and Unicode separators mean "new line".
_BREAKS = re.compile("\r\n|[\r\n\v\f\u2028\u2029]")
_LOGO_MAX_MM = (70.0, 30.0)
_PROPERTY_MAX = 255


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
    import docx

    template = reference_path(layout)
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
    try:
        word = docx.Document(str(template))
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
    if not _made_for(word, layout):
        apply_brand(word, layout.brand)
    _check_styles(word, template)
    writer = _Writer(word, document, layout, media_root, template)
    writer.write()
    out = io.BytesIO()
    word.save(out)
    return normalise_package(out.getvalue(), document.date)


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


@dataclass
class _Counters:
    bookmark: int = 0
    figure: int = 0


class _Writer:
    """Walks a Document and appends its paragraphs to a python-docx document."""

    def __init__(
        self,
        word: Any,
        document: Document,
        layout: Layout,
        media_root: Path | None,
        template: Path,
    ) -> None:
        self.word = word
        self.doc = document
        self.layout = layout
        self.media_root = media_root
        self.template = template
        self.body = word.element.body
        self.counters = _Counters()
        self.bookmarks = {
            entry.anchor: f"_Toc{index:08d}" for index, entry in enumerate(document.toc(), 1)
        }
        self.numbering = word.part.numbering_part.element
        self.bullet_num = self._style_num("ListBullet")
        self.number_abstract = self._abstract_of(self._style_num("ListNumber"), "ListNumber")
        self.prompt_abstract = self._abstract_of(self._style_num("Prompt"), "Prompt")

    # -- numbering ---------------------------------------------------------------------

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

    def _new_num(self, abstract: int, level: int, start: int) -> int:
        """A fresh list instance that starts at ``start``: each list restarts its numbering."""
        num = self.numbering.add_num(abstract)
        num.add_lvlOverride(ilvl=level).add_startOverride(start)
        return int(num.numId)

    # -- low-level XML ---------------------------------------------------------------

    def _p(self, container: Any, style: str | None) -> Any:
        p = container.add_p()
        if style and style != "Normal":
            p.get_or_add_pPr().get_or_add_pStyle().val = style
        return p

    def _num_pr(self, p: Any, num_id: int, level: int) -> None:
        num_pr = p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level
        num_pr.get_or_add_numId().val = num_id

    def _run(self, parent: Any, text: str, style: str | None = None) -> Any:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        run = OxmlElement("w:r")
        if style:
            rpr = OxmlElement("w:rPr")
            rstyle = OxmlElement("w:rStyle")
            rstyle.set(qn("w:val"), style)
            rpr.append(rstyle)
            run.append(rpr)
        for piece in safe_segments(text):
            if piece == "\n":
                run.append(OxmlElement("w:br"))
                continue
            for i, chunk in enumerate(piece.split("\t")):
                if i:
                    run.append(OxmlElement("w:tab"))
                if chunk:
                    t = OxmlElement("w:t")
                    t.text = chunk
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                    run.append(t)
        parent.append(run)
        return run

    def _inlines(self, parent: Any, nodes: tuple[Inline, ...], style: str | None = None) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        for node in nodes:
            match node:
                case Text(text=text):
                    self._run(parent, text, style)
                case Code(text=text):
                    self._run(parent, text, style if style == "Hyperlink" else "InlineCode")
                case LineBreak():
                    self._run(parent, "\n", style)
                case Strong(children=children):
                    self._inlines(parent, children, style if style == "Hyperlink" else "Strong")
                case Emphasis(children=children):
                    self._inlines(parent, children, style if style == "Hyperlink" else "Emphasis")
                case Link(href=href, children=children):
                    if not href.startswith(_LINK_SCHEMES) or style == "Hyperlink":
                        # Only https: and mailto: become links (the loader rejects the rest).
                        self._inlines(parent, children, style)
                        continue
                    from docx.opc.constants import RELATIONSHIP_TYPE as RT

                    rel_id = self.word.part.relate_to(href, RT.HYPERLINK, is_external=True)
                    link = OxmlElement("w:hyperlink")
                    link.set(qn("r:id"), rel_id)
                    link.set(qn("w:history"), "1")
                    parent.append(link)
                    self._inlines(link, children, "Hyperlink")

    def _paragraph(self, container: Any, style: str | None, nodes: tuple[Inline, ...] | str) -> Any:
        p = self._p(container, style)
        if isinstance(nodes, str):
            self._run(p, nodes)
        else:
            self._inlines(p, nodes)
        return p

    def _bookmark(self, p: Any, anchor: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        name = self.bookmarks.get(anchor)
        if name is None:
            return
        self.counters.bookmark += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.counters.bookmark))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.counters.bookmark))
        ppr = p.pPr
        if ppr is not None:
            ppr.addnext(start)
        else:
            p.insert(0, start)
        p.append(end)

    def _heading(self, style: str, text: str, anchor: str | None = None) -> Any:
        p = self._paragraph(self.body, style, text)
        if anchor:
            self._bookmark(p, anchor)
        return p

    # -- blocks --------------------------------------------------------------------------

    def _blocks(self, container: Any, blocks: tuple[Block, ...], depth: int = 0) -> None:
        for block in blocks:
            self._block(container, block, depth)

    def _block(self, container: Any, block: Block, depth: int) -> None:
        match block:
            case Paragraph(children=children):
                style = CONTINUE_STYLES[min(depth, 3) - 1] if depth else None
                self._paragraph(container, style, children)
            case Heading(children=children):
                self._paragraph(container, "Heading3", children)
            case BulletList() | OrderedList():
                self._list(container, block, depth)
            case Quote(blocks=blocks):
                for child in blocks:
                    if isinstance(child, Paragraph):
                        self._paragraph(container, "Quote", child.children)
                    else:
                        self._block(container, child, depth)
            case Figure(alt=alt, src=src):
                self._figure(container, alt, src)
            case Table(header=header, rows=rows):
                self._table(container, header, rows)

    def _list(self, container: Any, block: BulletList | OrderedList, depth: int) -> None:
        level = min(depth, 8)
        if isinstance(block, OrderedList):
            num_id = self._new_num(self.number_abstract, level, block.start)
            style = NUMBER_STYLES[min(depth, 2)]
        else:
            num_id = self.bullet_num
            style = BULLET_STYLES[min(depth, 2)]
        for item in block.items:
            numbered = False
            for child in item.blocks:
                if isinstance(child, Paragraph) and not numbered:
                    p = self._paragraph(container, style, child.children)
                    self._num_pr(p, num_id, level)
                    numbered = True
                elif isinstance(child, Paragraph):
                    self._paragraph(container, CONTINUE_STYLES[min(depth, 2)], child.children)
                else:
                    self._block(container, child, depth + 1)
            if not numbered and not item.blocks:
                self._num_pr(self._p(container, style), num_id, level)

    def _table(
        self,
        container: Any,
        header: tuple[tuple[Inline, ...], ...],
        rows: tuple[tuple[tuple[Inline, ...], ...], ...],
        row_height_twips: int | None = None,
    ) -> None:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls, qn
        from docx.oxml.table import CT_Tbl
        from docx.shared import Emu

        columns = max(1, len(header), *(len(r) for r in rows))
        width = self._text_width()
        tbl = CT_Tbl.new_tbl(1 + len(rows), columns, Emu(width // columns * columns))
        container._insert_tbl(tbl)
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
                self._paragraph(tc, "TableHeading" if index == 0 else "TableText", nodes)

    def _text_width(self) -> int:
        section = self.word.sections[0]
        return int(section.page_width - section.left_margin - section.right_margin)

    # -- pictures --------------------------------------------------------------------------

    def _picture(
        self,
        container: Any,
        png: bytes,
        style: str,
        alt: str,
        name: str,
        box_mm: tuple[float, float],
    ) -> None:
        from docx.shared import Mm
        from docx.text.paragraph import Paragraph as DocxParagraph

        p = self._p(container, style)
        run = DocxParagraph(p, self.word._body).add_run()
        width_px, height_px = _pixel_size(png)
        max_w, max_h = box_mm
        scale = min(max_w / width_px, max_h / height_px)
        shape = run.add_picture(
            io.BytesIO(png), width=Mm(width_px * scale), height=Mm(height_px * scale)
        )
        doc_pr = shape._inline.docPr
        doc_pr.set("name", name)
        doc_pr.set("descr", " ".join(safe_segments(alt)).replace("\n", " "))

    def _figure(self, container: Any, alt: str, src: str | None) -> None:
        if src is None:
            self._paragraph(
                container,
                "Caption",
                f"Figure not available in this edition. Description: {alt}",
            )
            return
        path = self._media_path(src)
        self.counters.figure += 1
        width_mm = self._text_width() / 36000
        png = _image_png(path, src)
        self._picture(
            container,
            png,
            "Normal",
            alt,
            f"Figure {self.counters.figure}",
            (width_mm, width_mm * 1.2),
        )
        self._paragraph(container, "Caption", alt)

    def _media_path(self, src: str) -> Path:
        if self.media_root is None:
            raise ContentError([Diagnostic(src, 0, "figure cannot be found: no content folder")])
        root = (self.media_root / "media").resolve()
        path = (self.media_root / src).resolve()
        if not src.startswith("media/") or not path.is_relative_to(root) or not path.is_file():
            raise ContentError(
                [Diagnostic(src, 0, "figure file not found under the content's media/ folder")]
            )
        return path

    # -- the pack --------------------------------------------------------------------------

    def write(self) -> None:
        for child in list(self.body):
            if child.tag != f"{{{W_NS}}}sectPr":
                self.body.remove(child)
        self._page_setup()
        self._cover()
        self._section(self.doc.guide)
        self._contents()
        self._section(self.doc.introduction)
        for group in self.doc.groups:
            if group.title:
                self._group(group)
            for case in group.cases:
                self._case(case)
        self._action_sheet(self.doc.action_sheet)
        self._section(self.doc.about)
        self._footer()
        self._properties()

    def _page_setup(self) -> None:
        from docx.shared import Mm, Twips

        brand = self.layout.brand
        sizes = {"A4": (11906, 16838), "Letter": (12240, 15840)}
        width, height = sizes.get(brand.paper, sizes["A4"])
        top, right, bottom, left = brand.margins_mm
        section = self.word.sections[0]
        section.page_width, section.page_height = Twips(width), Twips(height)
        section.top_margin, section.right_margin = Mm(top), Mm(right)
        section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
        section.different_first_page_header_footer = True

    def _cover(self) -> None:
        logo = self.layout.logo_path()
        png = _image_png(logo, str(logo))
        self._picture(self.body, png, "CoverLogo", self.layout.brand.name, "Logo", _LOGO_MAX_MM)
        cover = self.doc.cover
        self._paragraph(self.body, "Title", cover.title)
        self._paragraph(self.body, "Subtitle", cover.subtitle)
        self._paragraph(self.body, "CoverEdition", cover.edition)
        self._paragraph(self.body, "CoverEdition", self.layout.brand.name)

    def _section(self, section: Section) -> None:
        self._heading("Heading1", section.title, section.anchor)
        self._blocks(self.body, section.blocks)

    def _contents(self) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        self._paragraph(self.body, "TOCHeading", self.doc.contents_title)
        entries = self.doc.toc()
        for index, entry in enumerate(entries):
            p = self._p(self.body, "TOC1" if entry.level == 1 else "TOC2")
            if index == 0:
                self._field_char(p, "begin")
                instr = OxmlElement("w:instrText")
                instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                instr.text = _TOC_INSTRUCTION
                run = OxmlElement("w:r")
                run.append(instr)
                p.append(run)
                self._field_char(p, "separate")
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), self.bookmarks[entry.anchor])
            link.set(qn("w:history"), "1")
            p.append(link)
            self._run(link, entry.title)
        # The last line of the field's result tells how to add page numbers; updating the
        # field replaces it with Word's own contents, numbers included.
        p = self._paragraph(self.body, "Caption", _TOC_HINT)
        self._field_char(p, "end")

    def _field_char(self, p: Any, kind: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        run = OxmlElement("w:r")
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run.append(char)
        p.append(run)

    def _group(self, group: CaseGroup) -> None:
        self._heading("Heading1", group.title, group.anchor)
        self._blocks(self.body, group.blocks)
        self._paragraph(self.body, "Heading2", group.prompts_title)
        num_id = self._new_num(self.prompt_abstract, 0, 1)
        for prompt in group.prompts:
            self._num_pr(self._paragraph(self.body, "Prompt", prompt), num_id, 0)

    def _case(self, case: CaseEntry) -> None:
        self._heading("Heading2", case.heading, case.anchor)
        self._paragraph(self.body, "CaseMeta", " · ".join(case.meta))
        self._blocks(self.body, case.blocks)
        self._paragraph(self.body, "CaseCitation", case.citation)
        if case.prompts:
            self._paragraph(self.body, "Heading3", case.prompts_title)
            num_id = self._new_num(self.prompt_abstract, 0, 1)
            for prompt in case.prompts:
                self._num_pr(self._paragraph(self.body, "Prompt", prompt), num_id, 0)
        self._paragraph(self.body, "Heading3", case.notes_title)
        # One boxed paragraph, as tall as the lines asked for, that never splits over pages.
        self._run(self._p(self.body, "Notes"), "\n" * max(case.notes_lines - 1, 0))

    def _action_sheet(self, sheet: ActionSheet) -> None:
        self._heading("Heading1", sheet.title, sheet.anchor)
        self._paragraph(self.body, None, sheet.intro)
        header = tuple((Text(c),) for c in sheet.columns)
        rows = tuple(tuple(() for _ in sheet.columns) for _ in range(sheet.rows))
        self._table(self.body, header, rows, row_height_twips=1300)

    def _footer(self) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        section = self.word.sections[0]
        first = section.first_page_footer
        first.is_linked_to_previous = False
        for p in first.paragraphs:
            p._p.get_or_add_pPr().get_or_add_pStyle().val = "Footer"
        footer = section.footer
        footer.is_linked_to_previous = False
        element = footer._element
        for child in list(element):
            element.remove(child)
        p = self._p(element, "Footer")
        self._run(p, f"{self.doc.title} · {self.doc.short_citation} · Page ")
        for instr, cached in ((" PAGE ", "2"), (" NUMPAGES ", "2")):
            field = OxmlElement("w:fldSimple")
            field.set(qn("w:instr"), instr)
            self._run(field, cached)
            p.append(field)
            if instr == " PAGE ":
                self._run(p, " of ")

    def _properties(self) -> None:
        props = self.word.core_properties
        doc = self.doc
        stamp = datetime.fromisoformat(doc.date).replace(tzinfo=UTC)
        props.title = _plain(doc.title)
        props.subject = _plain(doc.subject)
        props.author = _plain(doc.author)
        props.keywords = _keywords(doc.keywords)
        props.language = doc.lang
        props.category = _plain(doc.cover.kind_label)
        props.comments = _plain(doc.cover.subtitle)
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp
        props.last_modified_by = _plain(doc.author)
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
        return _svg_to_png(data, label)
    if suffix in _RASTER_TYPES:
        from docx.image.exceptions import UnrecognizedImageError

        try:
            _pixel_size(data)
        except (UnrecognizedImageError, ValueError, IndexError) as exc:
            message = f"cannot read image: not a valid {suffix[1:].upper()} file"
            raise ContentError([Diagnostic(label, 0, message)]) from exc
        return data
    raise ContentError(
        [Diagnostic(label, 0, "images must be SVG, PNG, JPEG or GIF for the Word packs")]
    )


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
    uri = "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")
    html = (
        f"<style>@page{{size:{width:.2f}px {height:.2f}px;margin:0}}html,body{{margin:0}}"
        f"img{{display:block;width:{width:.2f}px;height:{height:.2f}px}}</style>"
        f'<img src="{uri}">'
    )

    # Only the SVG itself, inlined as a data: URI, may be read.
    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
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
