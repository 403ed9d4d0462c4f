"""Text of a PDF as it is drawn: each run of text with its page, position, size and font,
read with pypdf's text visitor (what a reader sees, not what the HTML said)."""

from __future__ import annotations

import io
import math
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def _times(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def text_runs(pdf: bytes, pages: int | None = None) -> list[Run]:
    """Every non-blank run of text in ``pdf`` (in its first ``pages`` pages, if given), page
    by page, in drawing order."""
    runs: list[Run] = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages[:pages]):

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            font: Any,
            size: float,
            number: int = number,
        ) -> None:
            if not text.strip():
                return
            m = _times([float(v) for v in tm], [float(v) for v in cm])
            name = str(font.get("/BaseFont", "")) if font else ""
            scale = math.hypot(m[2], m[3])
            runs.append(Run(number, text, m[4], m[5], round(size * scale, 2), name))

        page.extract_text(visitor_text=visit)
    return runs


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
