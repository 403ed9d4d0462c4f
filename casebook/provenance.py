"""Provenance of a Word pack: what it was published as, recorded so that a copy a local area
has adapted can later be compared with the content and brought up to date.

A .docx records, in its custom document properties (File > Properties > Custom in Word and
LibreOffice):

- ``Casebook pack``, ``Casebook edition``, ``Casebook edition date``;
- for the n-th case, ``Casebook case NNN`` (its id) and ``Casebook digest NNN`` (a sha256 of
  the words the case showed as published: heading, places line, text, citation, prompts);
- ``Casebook section NN``: each top-level heading the pack printed outside its cases, so that
  sections a local area adds can be told from ours;
- ``Casebook base NNN``, written by refresh for a case it kept though the case had changed
  since (a conflict, or a case moved out of the pack): the edition whose words the case's
  digest is of, as the copy now records a later edition. Without it, the copy's edition.

Each case is also wrapped in a hidden bookmark, ``_CasebookNNN``, from its heading to its last
prompt (its notes area is outside: filling it in is not changing the case). Both survive
editing in Word and LibreOffice, deleting and adding sections, and a LibreOffice round-trip
(which keeps the properties, and writes a bookmark that spans paragraphs as a start at the
heading plus an empty bookmark of the same name at the end: the case is read from the first
mark of its name to the last).

The digest is of words, not XML: text is normalised (NFC, format characters dropped,
whitespace collapsed), so that runs split or merged by another program, and breaks turned into
spaces, leave an untouched case untouched.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from casebook.blocks import (
    Block,
    BulletList,
    Emphasis,
    Figure,
    Heading,
    Inline,
    Link,
    OrderedList,
    Paragraph,
    Quote,
    Strong,
    Table,
    plain_text,
    walk_blocks,
)
from casebook.document import CaseEntry, Document
from casebook.policy import printed_address

__all__ = [
    "BASE",
    "BOOKMARK_PREFIX",
    "FIGURE_MISSING",
    "CaseMarks",
    "Provenance",
    "case_bookmark",
    "case_digest",
    "case_words",
    "element_words",
    "marked_ranges",
    "printed_lines",
    "read_properties",
    "words_digest",
    "write_properties",
]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
# The format id Office gives user-defined properties.
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
BOOKMARK_PREFIX = "_Casebook"
_BOOKMARK = re.compile(r"_Casebook(\d{3,})")
_BOOKMARK_ID_BASE = 100_000  # clear of the ids the renderer gives the contents' bookmarks
PACK = "Casebook pack"
EDITION = "Casebook edition"
EDITION_DATE = "Casebook edition date"
_CASE = "Casebook case {:03d}"
_DIGEST = "Casebook digest {:03d}"
_SECTION = "Casebook section {:02d}"
BASE = "Casebook base {:03d}"
# What a Word pack says in place of a figure not available in this edition, before its
# description: part of the words a case shows, so a copy made before a change to it would no
# longer read as current.
FIGURE_MISSING = "Figure not available in this edition."
_NUMBERED = re.compile(r"Casebook (case|digest|section|base) (\d+)")
_HEADING_STYLES = ("Heading1", "InsightHeading", "Heading2")
_FORMAT_CHARS = {"Cf", "Cc"}


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


# --- the words of a case --------------------------------------------------------------------


def normalised_words(text: str) -> list[str]:
    """``text`` as the words a reader sees: NFC, invisible format characters dropped."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if c.isspace() or unicodedata.category(c) not in _FORMAT_CHARS)
    return text.split()


def _block_texts(blocks: tuple[Block, ...]) -> Iterator[str]:
    """The text of every paragraph the Word file shows for ``blocks``, in order (a line break
    is whitespace either way, so plain_text's newlines split words as Word's breaks do)."""
    for block in walk_blocks(blocks):
        match block:
            case Paragraph(children=c) | Heading(children=c):
                yield _printed_text(c)
            case Figure(alt=alt, src=src):
                # As the Word renderer writes it: a caption, or for a figure not available
                # the box that says so (the picture itself holds no words).
                yield alt if src else f"{FIGURE_MISSING} Description: {alt}"
            case Table(header=header, rows=rows):
                for row in (header, *rows):
                    for cell in row:
                        yield _printed_text(cell)


def printed_lines(blocks: tuple[Block, ...]) -> list[str]:
    """``blocks`` as a pack prints them, a line a paragraph, line break, list item or table
    row, for reading in a terminal: a list item after its bullet or number, a table's cells
    between bars, a link's address after its words where the pack prints it."""
    lines: list[str] = []
    for block in blocks:
        match block:
            case Paragraph(children=c) | Heading(children=c):
                lines += [line.strip() for line in _printed_text(c).splitlines()]
            case BulletList(items=items):
                for item in items:
                    lines += _item_lines("•", printed_lines(item.blocks))
            case OrderedList(start=start, items=items):
                for number, item in enumerate(items, start):
                    lines += _item_lines(f"{number}.", printed_lines(item.blocks))
            case Quote(blocks=inner):
                lines += printed_lines(inner)
            case Figure(alt=alt, src=src):
                lines.append(alt if src else f"{FIGURE_MISSING} Description: {alt}")
            case Table(header=header, rows=rows):
                lines += [
                    " | ".join(_printed_text(cell) for cell in row) for row in (header, *rows)
                ]
    return [line.rstrip() for line in lines if line.strip()]


def _item_lines(marker: str, lines: list[str]) -> list[str]:
    """A list item's lines: the first after its marker, the rest indented under it."""
    pad = " " * (len(marker) + 1)
    return [f"{marker if n == 0 else pad[:-1]} {line}" for n, line in enumerate(lines)]


def _printed_text(nodes: tuple[Inline, ...]) -> str:
    """The text of ``nodes`` as a pack prints it: a link's words followed by the address in
    brackets where they do not show it (see :func:`casebook.policy.printed_address`)."""
    parts: list[str] = []
    for node in nodes:
        match node:
            case Link(href=href, children=children):
                words = plain_text(children)
                address = printed_address(words, href)
                parts.append(words if address is None else f"{words} ({address})")
            case Emphasis(children=children) | Strong(children=children):
                parts.append(_printed_text(children))
            case _:
                parts.append(plain_text((node,)))
    return "".join(parts)


def case_words(entry: CaseEntry) -> list[str]:
    """The words a case shows, as published: heading, places line, text, citation, prompts."""
    texts = [entry.heading, " · ".join(entry.meta), *_block_texts(entry.blocks), entry.citation]
    if entry.prompts:
        texts += [entry.prompts_title, *entry.prompts]
    return [w for t in texts for w in normalised_words(t)]


def words_digest(words: Sequence[str]) -> str:
    """The digest recorded for a case with these words."""
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def case_digest(entry: CaseEntry) -> str:
    """The digest of a case as published."""
    return words_digest(case_words(entry))


def element_words(element: Any) -> list[str]:
    """The words a body element (paragraph or table) shows in Word: its text, tabs and breaks
    as spaces; deleted revisions, field codes and drawing fallbacks left out."""
    words: list[str] = []
    paragraphs = [element] if element.tag == _w("p") else list(element.iter(_w("p")))
    for p in paragraphs:
        parts: list[str] = []
        for node in p.iter(_w("t"), _w("tab"), _w("br"), _w("cr")):
            if any(a.tag.endswith("}Fallback") for a in node.iterancestors()):
                continue
            parts.append(node.text or "" if node.tag == _w("t") else " ")
        words += normalised_words("".join(parts))
    return words


# --- marking cases while a pack is written ------------------------------------------------


class CaseMarks:
    """Collects the body elements each case is written as; ``record`` then wraps each case in
    its bookmark and writes the pack's provenance properties.

    Used by the Word renderer around each case it writes::

        marks = CaseMarks(body)
        with marks.case(entry):
            ...write the case...
        marks.record(word, document)
    """

    def __init__(self, body: Any) -> None:
        self.body = body
        self.cases: list[tuple[CaseEntry, list[Any]]] = []

    def _content(self) -> list[Any]:
        return [c for c in self.body if c.tag != _w("sectPr")]

    @contextmanager
    def case(self, entry: CaseEntry) -> Iterator[None]:
        """Note the elements written for ``entry`` inside the block."""
        # Walk on from the body's last element rather than list the whole body before and
        # after every case: that made a pack's render quadratic in its number of cases.
        last = next(reversed(self.body), None)
        if last is not None and last.tag == _w("sectPr"):  # content goes in before it
            last = last.getprevious()
        yield
        node = self.body[0] if last is None and len(self.body) else None
        node = last.getnext() if last is not None else node
        elements: list[Any] = []
        while node is not None:
            if node.tag != _w("sectPr"):
                elements.append(node)
            node = node.getnext()
        self.cases.append((entry, elements))

    def record(self, word: Any, document: Document) -> None:
        """Bookmark every case and write the document's provenance properties."""
        in_cases: set[Any] = set()
        for number, (entry, elements) in enumerate(self.cases, 1):
            span = _said(elements, case_words(entry))
            _bookmark(self.body, span, number)
            in_cases.update(elements)
        sections = [
            " ".join(element_words(c))
            for c in self._content()
            if c not in in_cases and _style_of(c) in _HEADING_STYLES
        ]
        properties = [
            (PACK, document.pack_id),
            (EDITION, document.edition_label),
            (EDITION_DATE, document.date),
        ]
        for number, (entry, _) in enumerate(self.cases, 1):
            properties += [
                (_CASE.format(number), entry.case_id),
                (_DIGEST.format(number), case_digest(entry)),
            ]
        properties += [(_SECTION.format(n), t) for n, t in enumerate(sections, 1) if t]
        write_properties(word, properties)


def _style_of(element: Any) -> str | None:
    if element.tag != _w("p"):
        return None
    style = element.find(f"{_w('pPr')}/{_w('pStyle')}")
    return None if style is None else style.get(_w("val"))


def _said(elements: list[Any], expected: list[str]) -> list[Any]:
    """The leading elements whose words are exactly ``expected`` (heading to last prompt);
    all of them when no prefix matches (the digest then tells an untouched case from an
    edited one no longer, which the tests catch)."""
    words: list[str] = []
    for index, element in enumerate(elements):
        words += element_words(element)
        if words == expected:
            return elements[: index + 1]
        if words != expected[: len(words)]:
            break
    return elements


def case_bookmark(number: int, ident: str) -> tuple[Any, Any]:
    """The start and end of the bookmark that marks case ``number`` in a Word file, with the
    bookmark id ``ident`` (unique in its document)."""
    from docx.oxml import OxmlElement

    start = OxmlElement("w:bookmarkStart")
    start.set(_w("id"), ident)
    start.set(_w("name"), f"{BOOKMARK_PREFIX}{number:03d}")
    end = OxmlElement("w:bookmarkEnd")
    end.set(_w("id"), ident)
    return start, end


def _bookmark(body: Any, span: list[Any], number: int) -> None:
    if not span:
        return
    start, end = case_bookmark(number, str(_BOOKMARK_ID_BASE + number))
    first, last = span[0], span[-1]
    if first.tag == _w("p"):
        ppr = first.find(_w("pPr"))
        first.insert(0 if ppr is None else 1, start)
    else:
        first.addprevious(start)
    if last.tag == _w("p"):
        last.append(end)
    else:
        last.addnext(end)


# --- custom document properties -------------------------------------------------------------


def _custom_part(word: Any) -> Any | None:
    package = word.part.package
    for rel in package.rels.values():
        if rel.reltype == CUSTOM_REL and not rel.is_external:
            return rel.target_part
    return None


def read_properties(word: Any) -> dict[str, str]:
    """The custom document properties of a python-docx document, as text."""
    from lxml import etree  # type: ignore[import-untyped]

    part = _custom_part(word)
    if part is None:
        return {}
    root = etree.fromstring(part.blob)
    out: dict[str, str] = {}
    for prop in root.iter(f"{{{CUSTOM_NS}}}property"):
        name = prop.get("name")
        if name is None:
            continue
        out[name] = "".join(prop.itertext())
    return out


def write_properties(word: Any, properties: Sequence[tuple[str, str]]) -> None:
    """Set Casebook's custom properties: every earlier Casebook property is replaced, any
    other property (a local area's own) is kept."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from lxml import etree

    part = _custom_part(word)
    if part is not None:
        root = etree.fromstring(part.blob)
        for prop in list(root):
            if str(prop.get("name", "")).startswith("Casebook "):
                root.remove(prop)
    else:
        root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})
    pids = [int(p.get("pid", "1")) for p in root if str(p.get("pid", "")).isdigit()]
    pid = max(pids, default=1)
    for name, value in properties:
        pid += 1
        prop = etree.SubElement(
            root, f"{{{CUSTOM_NS}}}property", fmtid=_FMTID, pid=str(pid), name=name
        )
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if part is not None:
        part._blob = blob
        return
    package = word.part.package
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_TYPE, blob, package)
    package.relate_to(part, CUSTOM_REL)


# --- reading a copy back --------------------------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """What a Word file records of how it was published."""

    pack: str
    edition: str
    edition_date: str
    cases: tuple[tuple[int, str, str], ...]  # (number, case id, digest as published)
    sections: tuple[str, ...]  # top-level headings published outside the cases
    # (number, edition label) for a case whose digest is of an earlier edition's words than
    # the copy's edition: one refresh kept though it had changed since.
    bases: tuple[tuple[int, str], ...] = ()

    def base(self, number: int) -> str:
        """The label of the edition whose words case ``number``'s digest is of, as recorded
        (a copy made before refresh recorded it may name the wrong one: see adapt._base)."""
        return dict(self.bases).get(number, self.edition)


def provenance_of(properties: dict[str, str]) -> Provenance | None:
    """The provenance in a document's custom properties, or None when it has none."""
    pack = properties.get(PACK, "").strip()
    if not pack:
        return None
    numbered: dict[tuple[str, int], str] = {}
    for name, value in properties.items():
        match = _NUMBERED.fullmatch(name)
        if match:
            numbered[(match.group(1), int(match.group(2)))] = value.strip()
    cases = tuple(
        (n, ident, numbered.get(("digest", n), ""))
        for (kind, n), ident in sorted(numbered.items(), key=lambda kv: kv[0][1])
        if kind == "case"
    )
    sections = tuple(
        v for (kind, _), v in sorted(numbered.items(), key=lambda kv: kv[0][1]) if kind == "section"
    )
    bases = tuple(
        (n, v)
        for (kind, n), v in sorted(numbered.items(), key=lambda kv: kv[0][1])
        if kind == "base" and v
    )
    return Provenance(
        pack=pack,
        edition=properties.get(EDITION, "").strip(),
        edition_date=properties.get(EDITION_DATE, "").strip(),
        cases=cases,
        sections=sections,
        bases=bases,
    )


def marked_ranges(body: Any) -> dict[int, list[Any]]:
    """For each case number, the top-level body elements from the first to the last mark of
    its bookmark (a start, or an end whose start named it)."""
    children = list(body)
    position = {child: index for index, child in enumerate(children)}
    names: dict[str, str] = {}
    seen: dict[int, list[int]] = {}
    for mark in body.iter(_w("bookmarkStart"), _w("bookmarkEnd")):
        ident = mark.get(_w("id"), "")
        if mark.tag == _w("bookmarkStart"):
            name = mark.get(_w("name"), "")
            names[ident] = name
        else:
            name = names.get(ident, "")
        match = _BOOKMARK.fullmatch(name)
        if match is None:
            continue
        top = mark
        while top.getparent() is not None and top.getparent() is not body:
            top = top.getparent()
        if top not in position:
            continue
        seen.setdefault(int(match.group(1)), []).append(position[top])
    return {n: children[min(at) : max(at) + 1] for n, at in seen.items()}


def heading_elements(body: Any, word: Any) -> Iterator[Any]:
    """The top-level paragraphs of ``body`` styled as a level 1 or 2 heading (by the style's
    name, which survives programs that rename style ids, or by its outline level)."""
    levels: dict[str, bool] = {}
    for style in word.styles.element.findall(_w("style")):
        sid = style.get(_w("styleId"))
        name_el = style.find(_w("name"))
        name = (name_el.get(_w("val")) if name_el is not None else "") or ""
        outline = style.find(f"{_w('pPr')}/{_w('outlineLvl')}")
        level = outline.get(_w("val")) if outline is not None else None
        levels[sid] = name.casefold() in ("heading 1", "heading 2") or level in ("0", "1")
    for child in body:
        if child.tag != _w("p"):
            continue
        own = child.find(f"{_w('pPr')}/{_w('outlineLvl')}")
        if own is not None:
            if own.get(_w("val")) in ("0", "1"):
                yield child
        elif levels.get(_style_of(child) or "", False):
            yield child
