"""Case cards: one card per case, A5 landscape, two to an A4 portrait sheet.

Each card carries the case's heading, its places · nation · insight, the report's words, the
citation and the case's own prompts, in the brand's colours and fonts, laid out by
``layouts/pdf/cards.html.j2`` and ``cards.css``. Cards are set at 10 pt; a case too long for
that steps down a quarter point at a time, never below 8.5 pt, and a case that does not fit
even then is a content error naming the case. Text is never clipped.

Fitting costs one layout of the pack and a few small ones: the whole pack is laid out once
at 10 pt and every card measured in it (WeasyPrint's boxes say how much room its content
took). Only the cards that overflowed get a smaller size, chosen from that measure, and only
the sheets that hold them are laid out again and put in place of their first pages, until
every card fits.

The PDF is written by :func:`casebook.pdf.write_pdf`: the same safe URL fetcher, bundled
fonts and PDF/UA-1 settings as the standard pack.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casebook.diagnostics import ContentError, Diagnostic
from casebook.document import CaseEntry, Document
from casebook.layout import Layout
from casebook.pdf import LayOut, RenderError, render_template, write_pdf

__all__ = ["SIZES", "render", "render_html"]

#: The font sizes a card may be set at, in points, largest first; the last is the smallest
#: size the cards ever use.
SIZES = (10.0, 9.75, 9.5, 9.25, 9.0, 8.75, 8.5)

_TEMPLATE = "cards.html.j2"
_PER_SHEET = 2
# Layout rounding: a card's content may end this far (CSS px) below its foot and still fit.
_TOLERANCE = 0.01
# Measured on the report's longest cases: their room goes with size ** 1.6.
_AREA_EXPONENT = 1 / 1.6


@dataclass(frozen=True)
class _Card:
    case: CaseEntry
    id: str  # the card's element id: the case's anchor, or a measuring copy's own id
    size: float  # points


def render(document: Document, layout: Layout, content_dir: Path) -> tuple[bytes, int | None]:
    """The case cards of ``document`` as a tagged PDF, and its number of A4 sheets.

    Raises ContentError naming a case too long for a card, RenderError as the PDF renderer.
    """

    def compose(lay_out: LayOut) -> Any:
        sizes = {case.anchor: SIZES[0] for case in document.cases}
        rendered = lay_out(render_html(document, layout))
        pages = list(rendered.pages)
        over = _overflowing(rendered)
        while over:
            for anchor, ratio in over.items():
                sizes[anchor] = _smaller(sizes[anchor], ratio, document, anchor, content_dir)
            cards = _cards(document, sizes)
            index = {card.id: n for n, card in enumerate(cards)}
            sheets = sorted({index[anchor] // _PER_SHEET for anchor in over})
            again = [c for sheet in sheets for c in cards[sheet * _PER_SHEET :][:_PER_SHEET]]
            patch = lay_out(_html(document, layout, again, header=sheets[0] == 0))
            if len(patch.pages) != len(sheets):  # pragma: no cover - cards never move
                raise RenderError(f"{document.pack_id}: case cards did not keep to their sheets")
            for sheet, page in zip(sheets, patch.pages, strict=True):
                pages[sheet] = page
            over = _overflowing(patch)
        return rendered.copy(pages) if pages != rendered.pages else rendered

    return write_pdf(document, layout, content_dir, compose)


def render_html(document: Document, layout: Layout) -> str:
    """The HTML WeasyPrint is first given for the cards of ``document``: every card at the
    largest size, the pack's header on the first sheet."""
    sizes = {case.anchor: SIZES[0] for case in document.cases}
    return _html(document, layout, _cards(document, sizes), header=True)


def _html(document: Document, layout: Layout, cards: Sequence[_Card], *, header: bool) -> str:
    return render_template(document, layout, _TEMPLATE, cards=tuple(cards), header=header)


def _cards(document: Document, sizes: dict[str, float]) -> tuple[_Card, ...]:
    return tuple(_Card(case, case.anchor, sizes[case.anchor]) for case in document.cases)


def _smaller(
    size: float, ratio: float, document: Document, anchor: str, content_dir: Path
) -> float:
    """The next size to try for a card that needed ``ratio`` times its room at ``size``.

    Text takes room roughly in proportion to the square of its size (taller lines, fewer
    words to a line; less than that, as lines break at words and headings keep their lines),
    so the size that fits is about ``size / ratio ** (1 / 1.6)``: take the largest step at or
    below it, and always at least one step down. Raises ContentError below the last step.
    """
    aim = size / ratio**_AREA_EXPONENT
    for step in SIZES:
        if step < size and step <= aim + _TOLERANCE:
            return step
    smaller = [step for step in SIZES if step < size]
    if smaller and ratio <= 1 + _TOLERANCE:  # pragma: no cover - overflow by a rounding
        return smaller[0]
    [case] = [case for case in document.cases if case.anchor == anchor]
    raise ContentError(
        [
            Diagnostic(
                str(content_dir / "cases" / f"{case.case_id}.md"),
                0,
                f"too long for a case card: its text, prompts and citation need "
                f"{math.ceil((ratio - 1) * 100)}% more room than one A5 card has at "
                f"{SIZES[-1]:g} pt, the smallest size cards use (case cards of "
                f"{document.pack_id})",
            )
        ]
    )


def _overflowing(rendered: Any) -> dict[str, float]:
    """The cards whose content runs past the foot of their card (or was carried on to the
    next page), each with how many times its room the content needs, in document order."""
    feet: dict[str, tuple[float, float]] = {}  # card id: (top, foot) of its content area
    needed: dict[str, float] = {}
    broken: set[str] = set()
    for page in rendered.pages:
        for box in _boxes(page._page_box):
            element = box.element
            classes = str(element.get("class", "")).split()
            if "card" in classes:
                top = box.content_box_y()
                feet[str(element.get("id"))] = (top, top + box.height)
            elif "card-content" in classes:
                ident = str(element.get("data-card"))
                if ident in needed:
                    broken.add(ident)
                    needed[ident] += box.border_height()
                else:
                    top, _ = feet[ident]
                    needed[ident] = box.position_y - top + box.border_height()
    over: dict[str, float] = {}
    for ident, height in needed.items():
        top, foot = feet[ident]
        if ident in broken or top + height > foot + _TOLERANCE:
            over[ident] = height / (foot - top)
    return over


def _boxes(root: Any) -> Iterator[Any]:
    """The boxes under ``root`` that belong to an element, in document order."""
    stack = [root]
    while stack:
        box = stack.pop()
        if getattr(box, "element", None) is not None and getattr(box, "element_tag", None):
            yield box
        stack.extend(reversed(getattr(box, "children", ())))
