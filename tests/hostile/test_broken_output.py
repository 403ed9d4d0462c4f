"""Issue class 6: a figure or logo that cannot be drawn is a `path:line` error found by
`check`, never a blank picture in a pack; and the time limit holds even inside WeasyPrint's
SVG code, which catches every exception."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest
from conftest import TWO_FORMAT_OPTIONS, RunCli

from casebook.content import load_corpus
from casebook.diagnostics import ContentError
from casebook.document import compose_pack
from casebook.layout import load_layout
from casebook.packs import select_packs
from casebook.word import render_docx

ROOT = Path(__file__).parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini" / "content"
LAYOUTS = ROOT / "layouts"
GOOD_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60">'
    '<rect width="120" height="60" fill="#1f4e79"/></svg>'
)
FIGURE_CASE = """\
---
title: A figure
places: [Newham]
page: 20
insight: strategic-planning
tags: [strategy, integration]
prompts: ["What would a chart like this show in your area?", "Who would draw it where you work?"]
---
Before the chart.

![A chart of staff numbers](media/chart.svg)
"""


def slow_svg(levels: int) -> str:
    """An SVG whose every level draws the one below twice: quick to read, slow to draw."""
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="100" height="100"><defs><g id="a0"><rect width="1" height="1"/></g>'
    ]
    for i in range(1, levels):
        parts.append(
            f'<g id="a{i}"><use xlink:href="#a{i - 1}"/><use xlink:href="#a{i - 1}" x="1"/></g>'
        )
    parts.append(f'</defs><use xlink:href="#a{levels - 1}"/></svg>')
    return "".join(parts)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "project" / "content")
    shutil.copytree(LAYOUTS, tmp_path / "project" / "layouts")
    (tmp_path / "project" / "content" / "cases" / "newham-figure.md").write_text(FIGURE_CASE)
    return tmp_path / "project"


def load_errors(content: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_corpus(content)
    return [str(d).replace(str(content), "content") for d in info.value.diagnostics]


@pytest.mark.parametrize(
    ("svg", "problem"),
    [
        (GOOD_SVG[:50], "it is not a well-formed SVG file (line 1: unclosed token)"),
        (
            '<!DOCTYPE svg [<!ENTITY w "120">]><svg xmlns="http://www.w3.org/2000/svg" '
            'width="&w;" height="60"/>',
            "it defines entities (<!ENTITY ...>), which are not drawn",
        ),
        ("<html><body>not a picture</body></html>", "it is not an SVG image"),
        (
            GOOD_SVG.replace("<rect", '<image href="file:///etc/passwd"/><rect'),
            "it refers to 'file:///etc/passwd' outside itself",
        ),
        (
            GOOD_SVG.replace("<svg", '<svg xmlns:xlink="http://www.w3.org/1999/xlink"').replace(
                "<rect", '<use xlink:href="../../secret.svg#a"/><rect'
            ),
            "it refers to '../../secret.svg#a' outside itself",
        ),
        (
            GOOD_SVG.replace('fill="#1f4e79"', "style=\"fill: url('https://example.org/p')\""),
            "it refers to 'https://example.org/p' outside itself",
        ),
        (
            GOOD_SVG.replace("<rect", "<style>@import 'theme.css';</style><rect"),
            "it refers to 'theme.css' outside itself",
        ),
        (
            '<?xml-stylesheet href="theme.css"?>' + GOOD_SVG,
            "it refers to a style sheet outside itself",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" width="0" height="60"/>',
            'it has no size (width="0"), so it would print as nothing',
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 0"/>',
            'it has no size (viewBox="0 0 120 0"), so it would print as nothing',
        ),
    ],
)
def test_a_figure_that_cannot_be_drawn_is_reported_by_check(
    project: Path, svg: str, problem: str
) -> None:
    (project / "content" / "media" / "chart.svg").write_text(svg)
    [message] = load_errors(project / "content")
    assert message.startswith(
        f"content/cases/newham-figure.md:11: image 'media/chart.svg' cannot be drawn: {problem}"
    )


def test_a_figure_drawn_from_its_own_parts_and_words_that_mention_urls_is_accepted(
    project: Path,
) -> None:
    svg = GOOD_SVG.replace(
        "<rect",
        '<defs><linearGradient id="g"/><style>rect { fill: url(#g) }</style></defs>'
        '<text>see url(www.example.org) and @import</text><rect stroke="url(#g)"',
    )
    (project / "content" / "media" / "chart.svg").write_text(svg)
    load_corpus(project / "content")


def test_a_broken_raster_figure_is_reported_by_check(project: Path) -> None:
    case = project / "content" / "cases" / "newham-figure.md"
    case.write_text(case.read_text().replace("chart.svg", "chart.png"))
    (project / "content" / "media" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    assert load_errors(project / "content") == [
        "content/cases/newham-figure.md:11: image 'media/chart.png' cannot be drawn: it is not "
        "a readable PNG image"
    ]


def test_a_png_named_jpg_is_told_to_be_renamed(project: Path) -> None:
    from PIL import Image

    case = project / "content" / "cases" / "newham-figure.md"
    case.write_text(case.read_text().replace("chart.svg", "chart.jpg"))
    Image.new("RGB", (8, 8)).save(project / "content" / "media" / "chart.jpg", format="PNG")
    assert load_errors(project / "content") == [
        "content/cases/newham-figure.md:11: image 'media/chart.jpg' cannot be drawn: it is a "
        "PNG image named .jpg; rename it to end in .png, and the picture's address with it"
    ]


def test_a_raster_figure_with_too_many_pixels_is_reported_as_too_large(project: Path) -> None:
    case = project / "content" / "cases" / "newham-figure.md"
    case.write_text(case.read_text().replace("chart.svg", "chart.png"))

    # A PNG that says it is 20,000 pixels square: refused from its header, never decoded.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 0, 0, 0, 0)
    png = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    (project / "content" / "media" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + png)
    assert load_errors(project / "content") == [
        "content/cases/newham-figure.md:11: image 'media/chart.png' cannot be drawn: it has "
        "more than 178,956,970 pixels, too many to draw safely; make it smaller (3000 pixels "
        "across is plenty for an A4 page)"
    ]


def test_a_logo_that_cannot_be_drawn_is_reported_at_its_brand_line(project: Path) -> None:
    (project / "layouts" / "logo.svg").write_text(GOOD_SVG[:60])
    with pytest.raises(ContentError) as info:
        load_layout(project / "layouts")
    [message] = [str(d) for d in info.value.diagnostics]
    brand = project / "layouts" / "brand.yaml"
    line = next(
        n for n, text in enumerate(brand.read_text().splitlines(), 1) if text.startswith("logo:")
    )
    assert message.startswith(
        f"{brand}:{line}: logo: 'logo.svg' cannot be drawn: it is not a well-formed SVG file"
    )


def test_the_word_renderer_refuses_a_figure_damaged_after_check(project: Path) -> None:
    (project / "content" / "media" / "chart.svg").write_text(GOOD_SVG)
    corpus = load_corpus(project / "content")
    pack = next(p for p in select_packs(corpus) if p.id == "nation-england")
    document = compose_pack(pack, corpus)
    (project / "content" / "media" / "chart.svg").write_text(GOOD_SVG[:50])
    with pytest.raises(ContentError) as info:
        render_docx(document, load_layout(project / "layouts"), project / "content")
    assert str(info.value).startswith(
        f"{project / 'content' / 'media' / 'chart.svg'}:0: cannot be drawn: it is not a "
        "well-formed SVG file"
    )


@pytest.mark.slow
def test_the_time_limit_holds_inside_svg_drawing_in_both_formats(
    project: Path, run_cli: RunCli
) -> None:
    (project / "content" / "media" / "chart.svg").write_text(slow_svg(17))
    result = run_cli(
        "--only",
        "nation-england",
        *TWO_FORMAT_OPTIONS,
        "--jobs",
        "1",
        cwd=project,
        env={"CASEBOOK_TIME_LIMIT": "4"},
        timeout=600,
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    for fmt in ("pdf", "docx"):
        assert (
            f"dist/nation-england.{fmt}: render failed: took longer than the limit of 4 seconds"
            in lines
        ), result.stderr
    assert not (project / "dist" / "nation-england.docx").exists()
    assert "Traceback" not in result.stderr
