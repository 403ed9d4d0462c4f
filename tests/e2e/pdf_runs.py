"""Text of a PDF as it is drawn: each run of text with its page, position, size and font,
and each page's text, read with PDFium, the PDF engine of Chromium (what a reader sees, not
what the HTML said)."""

from __future__ import annotations

import ctypes
import io
import math
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image
from pypdf import PdfReader

#: An A4 page, in PDF points.
A4 = (595.276, 841.89)


@dataclass(frozen=True)
class Run:
    page: int  # from 0
    text: str
    x: float
    y: float  # baseline, from the foot of the page
    size: float  # points, as drawn
    font: str  # base font name, e.g. "/ABCDEF+Noto-Sans-Bold"


def text_runs(pdf: bytes | Path, pages: int | None = None) -> list[Run]:
    """Every non-blank run of text in ``pdf`` (in its first ``pages`` pages, if given), page
    by page, in drawing order. A run is one text object of the page: WeasyPrint draws one for
    each piece of a line in one font and size."""
    return [
        run for number, textpage in _text_pages(pdf, pages) for run in _page_runs(number, textpage)
    ]


def _text_pages(pdf: bytes | Path, pages: int | None) -> Iterator[tuple[int, Any]]:
    """Each page's number (from 0) and PDFium's text of it, in the first ``pages`` pages (all
    if None); each is closed once the next is asked for."""
    document = pdfium.PdfDocument(pdf)
    try:
        for number in range(len(document) if pages is None else min(pages, len(document))):
            page = document[number]
            textpage = page.get_textpage()
            try:
                yield number, textpage
            finally:
                textpage.close()
                page.close()
    finally:
        document.close()


def _page_runs(number: int, textpage: Any) -> list[Run]:
    """The runs of page ``number``: each text object's characters, with the spaces PDFium
    reads after them (not its line ends), at its first character's origin."""
    raw = textpage.raw
    objects: list[tuple[int | None, list[int]]] = []  # each text object, its characters
    for i in range(textpage.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(raw, i):
            if objects and pdfium_c.FPDFText_GetUnicode(raw, i) == 0x20:
                objects[-1][1].append(i)  # a space PDFium reads between words
            continue
        owner = pdfium_c.FPDFText_GetTextObject(raw, i)
        where = ctypes.cast(owner, ctypes.c_void_p).value
        if objects and objects[-1][0] == where:
            objects[-1][1].append(i)
        else:
            objects.append((where, [i]))
    runs = []
    for _, chars in objects:
        text = "".join(_char(raw, i) for i in chars)
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        if text.strip():
            runs.append(_run(raw, number, text, chars[0]))
    return runs


def _char(raw: Any, i: int) -> str:
    # PDFium reads a hyphen that ends a line as U+0002; the page shows a hyphen.
    return "-" if pdfium_c.FPDFText_IsHyphen(raw, i) else chr(pdfium_c.FPDFText_GetUnicode(raw, i))


def _run(raw: Any, number: int, text: str, first: int) -> Run:
    name = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    matrix = pdfium_c.FS_MATRIX()
    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDFText_GetFontInfo(raw, first, name, len(name), ctypes.byref(flags))
    pdfium_c.FPDFText_GetMatrix(raw, first, ctypes.byref(matrix))
    pdfium_c.FPDFText_GetCharOrigin(raw, first, ctypes.byref(x), ctypes.byref(y))
    size = pdfium_c.FPDFText_GetFontSize(raw, first) * math.hypot(matrix.c, matrix.d)
    return Run(number, text, x.value, y.value, round(size, 2), "/" + name.value.decode("latin-1"))


def page_lines(pdf: bytes | Path, pages: int | None = None) -> list[list[str]]:
    """The lines of text of each page of ``pdf`` (of its first ``pages``, if given), as PDFium
    reads them; a hyphen that ends a line ends its line, as on the page."""
    return [
        textpage.get_text_bounded().replace("\x02", "-\n").splitlines()
        for _, textpage in _text_pages(pdf, pages)
    ]


def page_texts(pdf: bytes | Path) -> list[str]:
    """The text of each page of ``pdf``, squashed (see :func:`squash`)."""
    return [squash(" ".join(lines)) for lines in page_lines(pdf)]


def squash(text: str) -> str:
    """Text with every run of whitespace as one space (line breaks fall anywhere in print)."""
    return " ".join(text.split())


def outline_titles(pdf: bytes) -> list[str]:
    """The titles of the PDF's bookmarks, depth first."""

    def titles(items: list[Any]) -> list[str]:
        found: list[str] = []
        for item in items:
            found.extend(titles(item) if isinstance(item, list) else [item.title])
        return found

    return titles(PdfReader(io.BytesIO(pdf)).outline)


# Each grey as 1 where it is dark (under 200), else 0.
_DARK = bytes(int(grey < 200) for grey in range(256))


@dataclass(frozen=True)
class Pixels:
    """A page as poppler prints it, in grey (0 black to 255 white)."""

    width: int
    height: int
    data: bytes

    def row(self, y: int, xs: range) -> list[int]:
        """The greys of row ``y`` (from the top) at ``xs``, darkest first."""
        return sorted(self.data[y * self.width + x] for x in xs)

    def ruled(self, y: int, xs: range) -> bool:
        """Whether row ``y`` is ruled across ``xs``: nine pixels in ten are dark (darker
        than 200), counted by bytes' own methods, as tests ask it of thousands of rows."""
        start = y * self.width
        greys = self.data[start + xs.start : start + xs.stop : xs.step]
        return greys.translate(_DARK).count(1) > len(xs) * 9 // 10


def page_pixels(
    pdf: Path, page: int, dpi: int, out: Path, foot_points: float | None = None
) -> Pixels:
    """Page ``page`` (from 0) of ``pdf`` printed by poppler's pdftoppm at ``dpi``, in grey
    (only its lowest ``foot_points`` of an A4 page, if given: printing less is quicker);
    the image is written to ``out`` (a path without its ``.png``)."""
    first = str(page + 1)
    options = ["-gray", "-png", "-r", str(dpi), "-singlefile", "-f", first, "-l", first]
    if foot_points is not None:
        width, height = (round(side * dpi / 72) for side in A4)
        foot = round(foot_points * dpi / 72)
        options += ["-x", "0", "-y", str(height - foot), "-W", str(width), "-H", str(foot)]
    subprocess.run(["pdftoppm", *options, str(pdf), str(out)], check=True, timeout=60)
    with Image.open(f"{out}.png") as image:
        grey = image.convert("L")
    return Pixels(grey.width, grey.height, grey.tobytes())
