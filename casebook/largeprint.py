"""Large print: the standard PDF pack, restyled to the RNIB's clear-print guidance.

The same template, the same content and the same tagged, bookmarked PDF/UA structure as
:mod:`casebook.pdf`, with ``layouts/pdf/large-print.css`` linked after the pack's own styles:
body text 16 pt and headings larger, left-aligned, no italics (emphasis is bold), generous
line spacing, a footer and page numbers at a readable size, and notes rules spaced for
handwriting at that size. Written through :func:`casebook.pdf.write_pdf`: the same safe URL
fetcher, bundled fonts and PDF/UA-1 settings as the standard pack.
"""

from __future__ import annotations

from pathlib import Path

from casebook.document import Document
from casebook.layout import Layout
from casebook.pdf import render_html as render_pack_html
from casebook.pdf import write_pdf

__all__ = ["MIN_MARGINS_MM", "STYLESHEET", "render", "render_html"]

#: The stylesheet that turns a pack into its large-print edition, relative to ``layouts/``.
STYLESHEET = "pdf/large-print.css"
#: The least top and bottom page margins (mm), whatever the brand's: room above the text for
#: the running head and page number, and below it for a footer of two lines, at 16 pt and
#: clear of the strip at the paper's edge that printers leave blank.
MIN_MARGINS_MM = (20.0, 24.0)


def render(document: Document, layout: Layout, content_dir: Path) -> tuple[bytes, int | None]:
    """The large-print PDF of ``document`` and its number of pages (one layout pass)."""
    html = render_html(document, layout)
    return write_pdf(document, layout, content_dir, lambda lay_out: lay_out(html))


def render_html(document: Document, layout: Layout) -> str:
    """The HTML WeasyPrint is given for the large-print edition of ``document``."""
    top, right, bottom, left = layout.brand.margins_mm
    least_top, least_bottom = MIN_MARGINS_MM
    margins = (max(top, least_top), right, max(bottom, least_bottom), left)
    return render_pack_html(document, layout, stylesheets=(STYLESHEET,), margins_mm=margins)
