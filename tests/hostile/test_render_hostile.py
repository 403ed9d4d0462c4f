"""Even if hostile content reached a renderer, nothing outside layouts/ and content/media/ is
fetched or embedded, no script or attachment reaches the PDF, and text survives intact."""

from __future__ import annotations

import dataclasses
import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from casebook.blocks import Block, Figure, Link, Paragraph, Text
from casebook.cards import render as render_cards
from casebook.content import load_corpus
from casebook.document import Document, compose_pack
from casebook.largeprint import render as render_large_print
from casebook.layout import load_layout
from casebook.model import Pack
from casebook.pdf import RenderError, render_pdf
from casebook.word import render_docx

ROOT = Path(__file__).parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini" / "content"
LAYOUTS = ROOT / "layouts"
SECRET = "TOP-SECRET-FILE-CONTENT-1234"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "content")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (tmp_path / "secret.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>{SECRET}'
        "</text></svg>",
        encoding="utf-8",
    )
    return tmp_path


def document_with(project: Path, blocks: tuple[Block, ...]) -> Document:
    """The mini corpus's first case, its body replaced by ``blocks`` (no validation)."""
    corpus = load_corpus(project / "content")
    case = dataclasses.replace(corpus.cases[0], body=blocks)
    return compose_pack(Pack(id="hostile", kind="all", title="Hostile", cases=(case,)), corpus)


def pdf_objects(pdf: bytes) -> list[object]:
    """Every object in the PDF's cross-reference table, parsed by pypdf (streams decoded, not
    grepped)."""
    reader = PdfReader(io.BytesIO(pdf))
    numbers = {(num, gen) for gen, table in reader.xref.items() for num in table}
    numbers |= {(num, 0) for num in reader.xref_objStm}
    objects = [reader.get_object(IndirectObject(num, gen, reader)) for num, gen in sorted(numbers)]
    assert len(objects) > 20  # a real pack has pages, fonts and structure
    return [obj for obj in objects if obj is not None]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def assert_clean_pdf(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    assert "/Names" not in catalog or "/EmbeddedFiles" not in catalog["/Names"]
    assert "/OpenAction" not in catalog and "/AA" not in catalog
    for obj in pdf_objects(pdf):
        if not hasattr(obj, "get"):
            continue
        assert obj.get("/Type") != "/EmbeddedFile"
        assert obj.get("/Subtype") != "/FileAttachment"
        assert obj.get("/S") not in ("/JavaScript", "/Launch", "/ImportData", "/SubmitForm")
        assert "/JS" not in obj
        uri = obj.get("/URI")
        assert uri is None or str(uri).startswith(("https:", "mailto:")), uri
    assert SECRET not in pdf_text(pdf)


def pack_pdf(document: Document, content: Path) -> bytes:
    return render_pdf(document, load_layout(LAYOUTS), media_root=content)


def cards_pdf(document: Document, content: Path) -> bytes:
    return render_cards(document, load_layout(LAYOUTS), content)[0]


def large_print_pdf(document: Document, content: Path) -> bytes:
    return render_large_print(document, load_layout(LAYOUTS), content)[0]


# Every PDF format goes through the same fetcher.
PDF_FORMATS = pytest.mark.parametrize("render", [pack_pdf, cards_pdf, large_print_pdf])


@PDF_FORMATS
@pytest.mark.parametrize(
    "src",
    ["media/../../secret.svg", "media/../../../../../../etc/passwd", "/etc/passwd"],
)
def test_figure_outside_media_fails_the_pack_by_name(
    project: Path, src: str, render: Callable[[Document, Path], bytes]
) -> None:
    document = document_with(project, (Figure("a diagram", src),))
    with pytest.raises(RenderError, match=r"^hostile: figure .*not a file under media/|^hostile:"):
        render(document, project / "content")


@PDF_FORMATS
def test_media_symlink_out_of_the_project_is_not_read(
    project: Path, render: Callable[[Document, Path], bytes]
) -> None:
    (project / "content" / "media" / "logo.svg").symlink_to(project / "secret.svg")
    document = document_with(project, (Figure("a diagram", "media/logo.svg"),))
    with pytest.raises(RenderError, match=r"^hostile: .*media/logo\.svg"):
        render(document, project / "content")


def test_unsafe_links_and_markup_in_text_are_inert(project: Path) -> None:
    blocks: tuple[Block, ...] = (
        Paragraph(
            (
                Text('<script>alert(1)</script><link rel="attachment" href="../secret.txt">'),
                Link("javascript:alert(1)", (Text("click"),)),
                Text(" "),
                Link("file:///etc/passwd", (Text("local"),)),
                Text(" "),
                Link("https://example.org/safe", (Text("safe"),)),
            )
        ),
        Paragraph((Text('<img src="../secret.svg"> @import url(../secret.txt);'),)),
    )
    document = document_with(project, blocks)
    layout = load_layout(LAYOUTS)
    for render in (pack_pdf, cards_pdf, large_print_pdf):
        pdf = render(document, project / "content")
        assert_clean_pdf(pdf)
        text = pdf_text(pdf)
        assert "<script>alert(1)</script>" in text, render  # shown as the words, never run
    docx = render_docx(document, layout, media_root=project / "content")
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        rels = "".join(package.read(n).decode() for n in package.namelist() if n.endswith(".rels"))
        body = package.read("word/document.xml").decode()
    assert "javascript:" not in rels and "file:" not in rels
    assert 'Target="https://example.org/safe"' in rels
    assert "&lt;script&gt;" in body


def test_every_script_in_the_world_survives_extraction(project: Path) -> None:
    words = "Croeso i’r ŵyl a’r ŷd, 10\u00a0km. Teulu 👨‍👩‍👧 hapus. مرحبا بالعائلات. שלום."
    document = document_with(project, (Paragraph((Text(words),)),))
    layout = load_layout(LAYOUTS)
    pdf = render_pdf(document, layout, media_root=project / "content")
    text = pdf_text(pdf)
    for word in ("Croeso", "ŵyl", "ŷd", "Teulu", "hapus"):
        assert word in text
    # Right-to-left runs come back in logical order from pypdf or in visual order; accept both.
    for rtl in ("مرحبا", "שלום"):
        assert rtl in text or rtl[::-1] in text
    docx = render_docx(document, layout, media_root=project / "content")
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        body = package.read("word/document.xml").decode()
    for word in ("ŵyl", "ŷd", "👨‍👩‍👧", "مرحبا", "שלום", "10\u00a0km"):
        assert word in body


def test_every_word_of_a_long_case_is_on_the_page(project: Path) -> None:
    """Nothing is clipped: long words, URLs and a long paragraph all reach the text layer."""
    long_word = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch" * 3
    url = "https://example.org/" + "a-very-long-path-segment/" * 8
    paragraph = " ".join(f"word{i}" for i in range(600))
    blocks: tuple[Block, ...] = (
        Paragraph((Text(long_word),)),
        Paragraph((Link(url, (Text(url),)),)),
        Paragraph((Text(paragraph),)),
    )
    document = document_with(project, blocks)
    pdf = render_pdf(document, load_layout(LAYOUTS), media_root=project / "content")
    squashed = "".join(pdf_text(pdf).split())
    assert long_word in squashed
    assert url in squashed
    for i in range(600):
        assert f"word{i}" in squashed


def test_a_huge_svg_figure_is_drawn_in_the_word_file_at_the_size_it_is_shown(
    project: Path,
) -> None:
    (project / "content" / "media" / "huge.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="50000">'
        '<rect width="100000" height="50000" fill="#1f4e79"/></svg>',
        encoding="utf-8",
    )
    document = document_with(project, (Figure("a huge diagram", "media/huge.svg"),))
    data = render_docx(document, load_layout(LAYOUTS), project / "content")
    word = docx.Document(io.BytesIO(data))
    shape = list(word.inline_shapes)[-1]  # the figure, after the cover's logo
    assert shape.width.mm == pytest.approx(2 * shape.height.mm, rel=0.01)
    assert shape.width.mm <= 180


# A white pixel, written out in the stylesheet as a data: address.
PIXEL = "data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="


def with_background(project: Path, address: str) -> Path:
    """A copy of layouts/ whose PDF stylesheets give the page body ``address`` as a
    background image."""
    layouts = project / "layouts"
    shutil.copytree(LAYOUTS, layouts)
    for css in (layouts / "pdf").glob("*.css"):
        if css.name != "fonts.css":
            rule = f'\nbody {{ background: url("{address}") no-repeat }}\n'
            css.write_text(css.read_text(encoding="utf-8") + rule, encoding="utf-8")
    return layouts


@pytest.mark.parametrize("render", [render_pdf, render_cards, render_large_print])
def test_an_image_a_pdf_stylesheet_writes_out_as_data_is_drawn(
    project: Path, render: Callable[..., object]
) -> None:
    layouts = with_background(project, PIXEL)
    document = document_with(project, (Paragraph((Text("A plain case."),)),))
    made = render(document, load_layout(layouts), project / "content")
    pdf = made if isinstance(made, bytes) else made[0]  # type: ignore[index]
    images = [o for o in pdf_objects(pdf) if hasattr(o, "get") and o.get("/Subtype") == "/Image"]
    assert images  # the pixel, and the mask of its transparency
    assert {(image["/Width"], image["/Height"]) for image in images} == {(1, 1)}


def test_a_data_address_that_holds_no_data_fails_the_pack_by_name(project: Path) -> None:
    layouts = with_background(project, "data:image/gif;base64,R0l!")
    document = document_with(project, (Paragraph((Text("A plain case."),)),))
    with pytest.raises(RenderError) as info:
        render_pdf(document, load_layout(layouts), project / "content")
    assert "data:image/gif;base64,R0l!: not a valid data: address" in str(info.value)
