"""Case cards: one card per case, A5 landscape, two to an A4 portrait sheet.

Each card carries the case's heading, its places · nation · insight, the report's words, the
citation and the case's own prompts, and at its foot the source, the pack and the card's
number, in the brand's colours and fonts, laid out by
``layouts/pdf/cards.html.j2`` and ``cards.css``. Cards are set at 10 pt; a case too long for
that steps down a quarter point at a time, never below 8.5 pt, and a case that does not fit
even then is a content error naming the case. Text is never clipped.

The report's words run in two columns. Casebook balances them itself rather than with CSS
columns, which WeasyPrint balances by laying the text out again and again (three times the
cost of laying it out once). Every card is first laid out with its words in one column of a
column's width; from those boxes (WeasyPrint says where each line of a paragraph and each
block begins and ends) Casebook picks the break that makes the two columns most nearly the
same height: between blocks, between the items of a list, or between two lines of a
paragraph (at least two lines either side), never straight after a heading. A paragraph
broken there becomes two paragraphs, one at the foot of the first column and one at the head
of the second, and the lines of both are the lines measured. The same measure says how much
room the card needs, so a card too long for its size is measured again a size smaller
(:func:`_smaller`) before the sheets are laid out once, and that layout is checked: every
card must end above the foot of its half of the sheet.

The PDF is written by :func:`casebook.pdf.write_pdf`: the same safe URL fetcher, bundled
fonts and PDF/UA-1 settings as the standard pack.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    Strong,
    Text,
    plain_text,
)
from casebook.diagnostics import ContentError, Diagnostic
from casebook.document import CaseEntry, Document
from casebook.layout import Layout, shortened, text_widths
from casebook.pdf import (
    LayOut,
    RenderError,
    TemplateError,
    line_with,
    render_template,
    write_pdf,
)

if TYPE_CHECKING:
    import jinja2

__all__ = ["SIZES", "render", "template_html"]

#: The font sizes a card may be set at, in points, largest first; the last is the smallest
#: size the cards ever use.
SIZES = (10.0, 9.75, 9.5, 9.25, 9.0, 8.75, 8.5)

_TEMPLATE = "cards.html.j2"
# Layout rounding: a card's content may end this far (CSS px) below its foot and still fit.
_TOLERANCE = 0.01
# Measured on the report's longest cases: their room goes with size ** 1.6.
_AREA_EXPONENT = 1 / 1.6
# A paragraph broken between the columns keeps at least this many lines on each side.
_LINES_KEPT = 2
# A card's foot (cards.css): its size, and the room for the source and the pack's title on
# its line: an A4 sheet's width less the card's side padding and the card's number, less a
# little in hand (glyph advances leave out kerning).
_FOOT_SIZE_PT = 7.5
_FOOT_ROOM_MM = (210.0 - 2 * 11.0 - 25.0) * 0.97


@dataclass(frozen=True)
class _Card:
    case: CaseEntry
    size: float  # points
    first: bool  # the pack's first card, which opens with the pack's header
    # The case's blocks in each column: one column while the card is measured.
    columns: tuple[tuple[Block, ...], ...]

    @property
    def id(self) -> str:
        return self.case.anchor


@dataclass(frozen=True)
class _Break:
    """Where the first column could end: before block ``block``, or inside it after ``count``
    of its lines (a paragraph, ``chars`` being the letters on them) or items (a list)."""

    end: float  # the foot of the first column's last box
    start: float  # the head of the second column's first box
    block: int
    count: int = 0
    chars: int = 0


def render(document: Document, layout: Layout, content_dir: Path) -> tuple[bytes, int | None]:
    """The case cards of ``document`` as a tagged PDF, and its number of A4 sheets.

    Raises ContentError naming a case too long for a card, RenderError as the PDF renderer.
    """
    first = document.cases[0].anchor if document.cases else None

    def compose(lay_out: LayOut) -> Any:
        sizes = {case.anchor: SIZES[0] for case in document.cases}
        while True:
            cards = _fitted(document, layout, lay_out, sizes, first, content_dir)
            rendered = lay_out(_html(document, layout, cards, measuring=False))
            over = _overflowing(_card_boxes(rendered, cards, _LAID_OUT, document, layout))
            if not over:
                return rendered
            # Not as measured (a layout rounding): step those cards down and lay out again.
            for anchor, ratio in over.items():  # pragma: no cover - measures hold
                sizes[anchor] = _smaller(sizes[anchor], ratio, document, anchor, content_dir)

    return write_pdf(document, layout, content_dir, compose)


def template_html(
    document: Document, layout: Layout, env: jinja2.Environment | None = None
) -> tuple[str, ...]:
    """The HTML of ``document``'s cards as measured (their words in one column) and as
    sheets (their blocks shared between two columns), every card at the largest size, for
    checking the template without laying it out (``env``: see
    :func:`casebook.pdf.render_template`). Raises RenderError (TemplateError for a
    template's own mistake)."""
    first = document.cases[0].anchor if document.cases else None

    def card(case: CaseEntry, *columns: tuple[Block, ...]) -> _Card:
        return _Card(case, SIZES[0], case.anchor == first, columns)

    half = {case.anchor: (len(case.blocks) + 1) // 2 for case in document.cases}
    measured = tuple(card(case, case.blocks) for case in document.cases)
    sheets = tuple(
        card(case, case.blocks[: half[case.anchor]], case.blocks[half[case.anchor] :])
        for case in document.cases
    )
    pages = (
        _html(document, layout, measured, measuring=True, env=env),
        _html(document, layout, sheets, measuring=False, env=env),
    )
    for page, cards, parts in ((pages[0], measured, _MEASURED), (pages[1], sheets, _LAID_OUT)):
        _require_parts(_parts_in_html(page), cards, parts, document, layout)
    return pages


def _fitted(
    document: Document,
    layout: Layout,
    lay_out: LayOut,
    sizes: dict[str, float],
    first: str | None,
    content_dir: Path,
) -> tuple[_Card, ...]:
    """Every card of ``document`` at the largest size (from ``sizes`` down) its measure says
    it fits, its blocks shared between the two columns; ``sizes`` is updated."""
    planned: dict[str, _Card] = {}
    todo = list(document.cases)
    while todo:
        measuring = tuple(
            _Card(case, sizes[case.anchor], case.anchor == first, (case.blocks,)) for case in todo
        )
        measured = lay_out(_html(document, layout, measuring, measuring=True))
        again = []
        for card, (columns, needed, room) in zip(
            measuring,
            _measures(_card_boxes(measured, measuring, _MEASURED, document, layout), measuring),
            strict=True,
        ):
            if needed > room + _TOLERANCE:
                ratio = needed / room
                sizes[card.id] = _smaller(card.size, ratio, document, card.id, content_dir)
                again.append(card.case)
            else:
                planned[card.id] = dataclasses.replace(card, columns=columns)
        todo = again
    return tuple(planned[case.anchor] for case in document.cases)


def _html(
    document: Document,
    layout: Layout,
    cards: Sequence[_Card],
    *,
    measuring: bool,
    env: jinja2.Environment | None = None,
) -> str:
    return render_template(
        document,
        layout,
        _TEMPLATE,
        env=env,
        cards=tuple(cards),
        measuring=measuring,
        foot="" if measuring else _foot(document, layout),
    )


def _foot(document: Document, layout: Layout) -> str:
    """What a card's foot says before its number: the source, then the pack's title, cut
    short with an ellipsis where the line cannot hold it (the first card's header gives the
    title whole). Whole when the brand's font cannot be read: the stylesheet keeps it to one
    line, clipping a title too long for it."""
    width = text_widths(layout)
    source = f"{document.short_citation} · "

    def fits(text: str) -> bool:
        return width is None or width(source + text, _FOOT_SIZE_PT) <= _FOOT_ROOM_MM

    return source + shortened(document.title, fits)


def _smaller(
    size: float, ratio: float, document: Document, anchor: str, content_dir: Path
) -> float:
    """The next size to try for a card that needed ``ratio`` times its room at ``size``.

    Text takes room roughly in proportion to the square of its size (taller lines, fewer
    words to a line; less than that, as lines break at words and headings keep their lines),
    so the size that fits is about ``size / ratio ** (1 / 1.6)``: take the largest step at or
    below it, and always at least one step down; below the last step, the last step, so that
    a case too long for any card is measured at that size before it is reported. Raises
    ContentError when the card was already at the last step.
    """
    aim = size / ratio**_AREA_EXPONENT
    for step in SIZES:
        if step < size and step <= aim + _TOLERANCE:
            return step
    if size > SIZES[-1]:
        return SIZES[-1]
    [case] = [case for case in document.cases if case.anchor == anchor]
    # The first card opens with the pack's title, so a long title leaves it less room.
    first = (
        "; the first card also holds the pack's title" if anchor == document.cases[0].anchor else ""
    )
    # Figures take a card's room fast: name them, as shrinking them is the first thing to try.
    figures = sum(isinstance(block, Figure) and block.src is not None for block in case.blocks)
    parts = "text, figures" if figures > 1 else "text, figure" if figures else "text"
    from casebook.content_files import body_line

    path = content_dir / "cases" / f"{case.case_id}.md"
    raise ContentError(
        [
            Diagnostic(
                str(path),
                body_line(path, content_dir),
                f"too long for a case card: its {parts}, prompts and citation need "
                f"{math.ceil((ratio - 1) * 100)}% more room than one A5 card has at "
                f"{SIZES[-1]:g} pt, the smallest size cards use (case cards of "
                f"{document.pack_id}{first})",
            )
        ]
    )


def _measures(
    boxes: Mapping[str, Mapping[str, list[Any]]], cards: Sequence[_Card]
) -> Iterator[tuple[tuple[tuple[Block, ...], ...], float, float]]:
    """For each card measured with its words in one column (its ``boxes``, as
    :func:`_card_boxes` finds them): its blocks shared between the two columns at the best
    break, the height its content then needs and the height of its card's content area
    (CSS px)."""
    for card in cards:
        found = boxes[card.id]
        top = found["card"][0].content_box_y()
        room = found["card"][0].height
        content, *carried = found["card-content"]
        if carried:  # pragma: no cover - longer than a 20 m measuring page: far too long
            height = content.position_y - top + content.border_height()
            yield (card.case.blocks,), height + sum(b.border_height() for b in carried), room
            continue
        [column] = found["card-column"]
        column_top = column.content_box_y()
        column_height = column.height
        children = [box for box in column.children if getattr(box, "element_tag", None)]
        blocks = card.case.blocks
        # One box a block, then the citation.
        if len(children) != len(blocks) + 1:  # pragma: no cover
            raise RenderError(f"{card.id}: a case card's blocks were not laid out one box each")
        best = min(
            _breaks(blocks, children),
            key=lambda at: (_tallest(at, column_top, column_height), at.block),
            default=None,
        )
        columns = (blocks,) if best is None else _split(blocks, best)
        height = column_height if best is None else _tallest(best, column_top, column_height)
        bottom = content.position_y + content.border_height() - column_height + height
        yield columns, bottom - top, room


def _tallest(at: _Break, top: float, height: float) -> float:
    """The height of the taller column when a column from ``top``, ``height`` tall, is
    broken in two at ``at``."""
    return float(max(at.end - top, top + height - at.start))


def _breaks(blocks: tuple[Block, ...], children: list[Any]) -> Iterator[_Break]:
    """Every place the first column may end, with where the columns would end and begin."""
    from weasyprint.formatting_structure.boxes import LineBox

    def foot(box: Any) -> float:
        return float(box.border_box_y() + box.border_height())

    def head(box: Any) -> float:
        return float(box.border_box_y())

    for n, block in enumerate(blocks):
        box = children[n]
        if n > 0 and not isinstance(blocks[n - 1], Heading):
            yield _Break(foot(children[n - 1]), head(box), n)
        if isinstance(block, Paragraph):
            lines = [child for child in box.children if isinstance(child, LineBox)]
            letters = _letters(plain_text(block.children))
            shown = ""
            for count, line in enumerate(lines[: len(lines) - _LINES_KEPT], start=1):
                shown += _letters(_line_text(line))
                if (
                    count >= _LINES_KEPT
                    and letters.startswith(shown)
                    and _at_word_end(block.children, len(shown))
                ):
                    yield _Break(foot(line), head(lines[count]), n, count, len(shown))
        elif isinstance(block, BulletList | OrderedList):
            items = [child for child in box.children if getattr(child, "element_tag", None)]
            for count in range(1, len(items)):
                yield _Break(foot(items[count - 1]), head(items[count]), n, count)
    if blocks and not isinstance(blocks[-1], Heading):  # before the citation
        yield _Break(foot(children[-2]), head(children[-1]), len(blocks))


def _split(blocks: tuple[Block, ...], at: _Break) -> tuple[tuple[Block, ...], ...]:
    """``blocks`` in two columns, broken at ``at``."""
    before, after = blocks[: at.block], blocks[at.block :]
    if at.count == 0:
        return before, after
    block, rest = after[0], after[1:]
    match block:
        case Paragraph(children=children):
            ending, opening = _split_inlines(children, at.chars)
            return (*before, Paragraph(ending)), (Paragraph(opening), *rest)
        case BulletList(items=items):
            return (
                (*before, BulletList(items[: at.count])),
                (BulletList(items[at.count :]), *rest),
            )
        case OrderedList(start=start, items=items):
            return (
                (*before, OrderedList(start, items[: at.count])),
                (OrderedList(start + at.count, items[at.count :]), *rest),
            )
    raise TypeError(f"not a block that breaks: {block!r}")  # pragma: no cover


def _split_inlines(
    nodes: tuple[Inline, ...], letters: int
) -> tuple[tuple[Inline, ...], tuple[Inline, ...]]:
    """``nodes`` cut after their first ``letters`` letters (characters other than spaces):
    the words before, and the words after without the spaces or line breaks between."""
    head: list[Inline] = []
    tail: list[Inline] = []
    left = letters
    for node in nodes:
        if left == 0:
            tail.append(node)
            continue
        match node:
            case Text(text=text) | Code(text=text):
                if len(_letters(text)) <= left:
                    head.append(node)
                    left -= len(_letters(text))
                else:
                    cut = _cut(text, left)
                    head.append(dataclasses.replace(node, text=text[:cut].rstrip()))
                    tail.append(dataclasses.replace(node, text=text[cut:].lstrip()))
                    left = 0
            case Emphasis(children=children) | Strong(children=children) | Link(children=children):
                inside = len(_letters(plain_text(children)))
                if inside <= left:
                    head.append(node)
                    left -= inside
                else:
                    ending, opening = _split_inlines(children, left)
                    head.append(dataclasses.replace(node, children=ending))
                    tail.append(dataclasses.replace(node, children=opening))
                    left = 0
            case LineBreak():
                head.append(node)
    return tuple(head), _opening(tuple(tail))


def _opening(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """``nodes`` without the spaces and line breaks they begin with."""
    if not nodes:
        return nodes
    first, rest = nodes[0], nodes[1:]
    match first:
        case LineBreak():
            return _opening(rest)
        case Text(text=text) if not text.strip():
            return _opening(rest)
        case Text(text=text):
            return (Text(text.lstrip()), *rest)
        case Emphasis(children=children) | Strong(children=children) | Link(children=children):
            return (dataclasses.replace(first, children=_opening(children)), *rest)
    return nodes


def _cut(text: str, letters: int) -> int:
    """The index in ``text`` just after its ``letters``-th letter."""
    seen = 0
    for index, char in enumerate(text):
        if not char.isspace():
            seen += 1
            if seen == letters:
                return index + 1
    return len(text)


def _at_word_end(nodes: tuple[Inline, ...], letters: int) -> bool:
    """Whether the ``letters``-th letter of ``nodes`` ends a word (a space or line break
    follows), so that breaking there splits no word."""
    text = plain_text(nodes)
    index = _cut(text, letters)
    return index < len(text) and text[index].isspace()


def _letters(text: str) -> str:
    return "".join(text.split())


def _line_text(line: Any) -> str:
    from weasyprint.formatting_structure.boxes import TextBox

    return "".join(box.text for box in line.descendants() if isinstance(box, TextBox))


def _overflowing(boxes: Mapping[str, Mapping[str, list[Any]]]) -> dict[str, float]:
    """The cards whose content runs past the foot of their card (or was carried on to the
    next page), each with how many times its room the content needs, in document order
    (``boxes``: the cards' boxes, as :func:`_card_boxes` finds them)."""
    over: dict[str, float] = {}
    for ident, found in boxes.items():
        card = found["card"][0]
        top, room = card.content_box_y(), card.height
        first, *carried = found["card-content"]
        needed = first.position_y - top + first.border_height()
        needed += sum(box.border_height() for box in carried)
        if carried or needed > room + _TOLERANCE:
            over[ident] = needed / room
    return over


#: The parts of a card the template must make, by class: its element, and in it the
#: content (the part that must fit) and, while it is measured, its one column of words.
_LAID_OUT = ("card", "card-content")
_MEASURED = (*_LAID_OUT, "card-column")


def _card_boxes(
    rendered: Any,
    cards: Sequence[_Card],
    parts: tuple[str, ...],
    document: Document,
    layout: Layout,
) -> dict[str, dict[str, list[Any]]]:
    """The boxes of every card in ``rendered``, by card id, then by class (``parts``), in
    document order. Raises TemplateError if one of ``cards`` lacks one of its ``parts``."""
    found: dict[str, dict[str, list[Any]]] = {}
    for page in rendered.pages:
        for box in _boxes(page._page_box):
            classes = str(box.element.get("class", "")).split()
            for name in parts:
                if name in classes:
                    ident = str(box.element.get("id") or box.element.get("data-card"))
                    found.setdefault(ident, {}).setdefault(name, []).append(box)
    _require_parts(found, cards, parts, document, layout)
    return found


class _CardParts(HTMLParser):
    """Collects the card parts an HTML page has, as :func:`_card_boxes` finds them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, set[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in (values.get("class") or "").split():
            if name in _MEASURED:
                ident = str(values.get("id") or values.get("data-card"))
                self.found.setdefault(ident, set()).add(name)


def _parts_in_html(page: str) -> dict[str, set[str]]:
    parser = _CardParts()
    parser.feed(page)
    parser.close()
    return parser.found


def _require_parts(
    found: Mapping[str, Mapping[str, object] | set[str]],
    cards: Sequence[_Card],
    parts: tuple[str, ...],
    document: Document,
    layout: Layout,
) -> None:
    """Raise TemplateError if one of ``cards`` lacks one of ``parts`` in ``found`` (the
    parts of each card, by card id), naming the part."""
    for card in cards:
        has = found.get(card.id, ())
        for part in parts:
            if part not in has:
                path = layout.root / "pdf" / _TEMPLATE
                raise TemplateError(
                    document.pack_id,
                    str(path),
                    line_with(path, f'class="{part}'),
                    f'a card in the page it makes has no element of class "{part}": each '
                    'card is an element of class "card" with id="{{ card.id }}", holding one '
                    'of class "card-content" and the columns of its text, class "card-column", '
                    'both with data-card="{{ card.id }}"',
                )


def _boxes(root: Any) -> Iterator[Any]:
    """The boxes under ``root`` that belong to an element, in document order."""
    stack = [root]
    while stack:
        box = stack.pop()
        if getattr(box, "element", None) is not None and getattr(box, "element_tag", None):
            yield box
        stack.extend(reversed(getattr(box, "children", ())))
