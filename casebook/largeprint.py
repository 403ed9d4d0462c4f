"""Large print: the standard PDF pack, restyled to the RNIB's clear-print guidance.

The same template, the same content and the same tagged, bookmarked PDF/UA structure as
:mod:`casebook.pdf`, with ``layouts/pdf/large-print.css`` linked after the pack's own styles:
body text 16 pt and headings larger, left-aligned, no italics (emphasis is bold), generous
line spacing, a footer and page numbers at a readable size, and notes rules spaced for
handwriting at that size. Written through :func:`casebook.pdf.write_pdf`: the same safe URL
fetcher, bundled fonts and PDF/UA-1 settings as the standard pack.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from casebook.document import Document
from casebook.layout import PAPER_SIZES, Layout, shortened, text_widths
from casebook.pdf import render_html as render_pack_html
from casebook.pdf import write_pdf

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "MIN_MARGINS_MM",
    "NOTES_RULE_MM",
    "STYLESHEET",
    "render",
    "render_html",
    "running_heads",
]

#: The stylesheet that turns a pack into its large-print edition, relative to ``layouts/``.
STYLESHEET = "pdf/large-print.css"
#: The least top and bottom page margins (mm), whatever the brand's: room above the text for
#: the running head and page number, and below it for a footer of two lines, at 16 pt and
#: clear of the strip at the paper's edge that printers leave blank.
MIN_MARGINS_MM = (20.0, 28.0)
#: The running head of a continued case: its size, the page number's set width beside it
#: (large-print.css), and the share of the rest the text may fill (glyph advances leave out
#: kerning, so a little is kept in hand).
HEAD_SIZE_PT = 16.0
PAGE_NUMBER_MM = 52.0
HEAD_ROOM = 0.97
#: The running footer's size (large-print.css), and the cover's side margins (pack.css), as
#: the short citation is measured for both.
FOOT_SIZE_PT = 16.0
COVER_SIDE_MM = 18.0
#: The action-planning sheet's forms, one an action: the sheet asks for two or three, and
#: handwriting at this size needs the width of the page, not a column of a table.
ACTION_FORMS = 3
#: Large print's notes rules (mm, as large-print.css draws them): their pitch, and where in
#: each pitch a rule begins and ends.
NOTES_RULE_MM = (13.0, 11.6, 12.3)


def render(document: Document, layout: Layout, content_dir: Path) -> tuple[bytes, int | None]:
    """The large-print PDF of ``document`` and its number of pages (one layout pass)."""
    html = render_html(document, layout)
    return write_pdf(document, layout, content_dir, lambda lay_out: lay_out(html))


def render_html(document: Document, layout: Layout, env: jinja2.Environment | None = None) -> str:
    """The HTML WeasyPrint is given for the large-print edition of ``document`` (``env``:
    see :func:`casebook.pdf.render_template`)."""
    top, right, bottom, left = layout.brand.margins_mm
    least_top, least_bottom = MIN_MARGINS_MM
    margins = (max(top, least_top), right, max(bottom, least_bottom), left)
    line_mm = PAPER_SIZES[layout.brand.paper][0] - left - right
    width = text_widths(layout)
    return render_pack_html(
        document,
        layout,
        stylesheets=(STYLESHEET,),
        margins_mm=margins,
        running_heads=running_heads(document, width, line_mm - PAGE_NUMBER_MM),
        edition_name="large print",  # the window title tells it from the standard PDF
        action_forms=ACTION_FORMS,
        notes_rule=NOTES_RULE_MM,
        # The footer's second line holds the whole citation where the pack's title and the
        # citation each fit a line: "… · EIF (2022), Leading / and delivering …" read as two
        # broken halves. The cover prints it too, at the same size, between its own margins.
        citation_whole=width is not None
        and width(f"{document.title} ·", FOOT_SIZE_PT) <= line_mm * HEAD_ROOM
        and width(document.short_citation, FOOT_SIZE_PT)
        <= min(line_mm, PAPER_SIZES[layout.brand.paper][0] - 2 * COVER_SIDE_MM) * HEAD_ROOM,
        env=env,
    )


def running_heads(
    document: Document, width: Callable[[str, float], float] | None, width_mm: float
) -> dict[str, str]:
    """Each case's running head where its heading is too long for the line beside the page
    number: the heading cut after its last whole word that leaves room for an ellipsis, as
    measured by ``width`` (:func:`casebook.layout.text_widths`: the brand's body font) at
    the head's size. Headings that fit are left out, and so is everything when the font
    cannot be read (the stylesheet's ellipsis, which may cut a word, then ends a long
    head)."""
    if width is None:
        return {}
    room = width_mm * HEAD_ROOM

    def fits(text: str) -> bool:
        return width(text, HEAD_SIZE_PT) <= room

    heads = {}
    for case in document.cases:
        head = shortened(case.heading, fits)
        if head != " ".join(case.heading.split()):
            heads[case.anchor] = head
    return heads
