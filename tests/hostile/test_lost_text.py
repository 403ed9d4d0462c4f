"""Issue classes 12-14: no text or file is lost silently. What a renderer cannot show
faithfully is refused by `check` at its file and line; what it can show is kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casebook.blocks import Link, Paragraph, plain_text
from casebook.content import load_corpus
from casebook.diagnostics import ContentError
from casebook.markdown import parse_markdown

MINI = Path(__file__).parents[1] / "fixtures" / "mini" / "content"

CASE = """\
---
title: {title}
places: {places}
page: 20
insight: strategic-planning
tags: [strategy, integration]
prompts: ["What would {name} change in your area?", "Who would lead {name} where you work?"]
---
{body}
"""

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    return root


def add_case(
    root: Path,
    body: str = "Some text.",
    title: str = "Hostile",
    name: str = "newham-hostile",
    places: str = "[Newham]",
) -> Path:
    path = root / "cases" / f"{name}.md"
    path.write_text(CASE.format(title=title, body=body, places=places, name=name), encoding="utf-8")
    return path


def errors(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_corpus(root)
    return [str(d).replace(str(root), "content") for d in info.value.diagnostics]


# --- 12: text lost with no error ---------------------------------------------------------


def test_quotes_nested_deeper_than_markdown_reads_are_refused(content: Path) -> None:
    add_case(content, "Intro.\n\n" + "> " * 25 + "The deepest words.")
    assert errors(content) == [
        "content/cases/newham-hostile.md:11: quotes nest more than 3 levels deep "
        "(lines starting '> > > >'); remove the extra '>' marks"
    ]


def test_quotes_three_deep_keep_their_words(content: Path) -> None:
    add_case(content, "> > > Every word kept.")
    case = next(c for c in load_corpus(content).cases if c.id == "newham-hostile")
    assert plain_text(case.body) == "Every word kept.\n"


def test_table_rows_with_more_cells_than_the_header_are_refused(content: Path) -> None:
    add_case(content, "| Area | Staff |\n|---|---|\n| Newham | 12 |\n| Wrexham | 7 | lost |")
    assert errors(content) == [
        "content/cases/newham-hostile.md:12: table row has 3 cells but the header has 2; add the "
        "missing header cells or remove the extra '|' cells (they would not be printed)"
    ]


def test_a_table_with_escaped_pipes_in_a_cell_is_kept(content: Path) -> None:
    add_case(content, "| Area | Note |\n|---|---|\n| Newham | a \\| b |")
    case = next(c for c in load_corpus(content).cases if c.id == "newham-hostile")
    assert "a | b" in plain_text(case.body)


@pytest.mark.parametrize("scheme", ["HTTPS", "Https", "MAILTO"])
def test_link_schemes_are_compared_without_case_and_kept(scheme: str) -> None:
    target = "example.org/a" if scheme != "MAILTO" else "a@example.org"
    sep = "://" if scheme != "MAILTO" else ":"
    blocks, problems = parse_markdown(f"See [the page]({scheme}{sep}{target}).", "x.md", 1)
    assert problems == []
    paragraph = blocks[0]
    assert isinstance(paragraph, Paragraph)
    link = paragraph.children[1]
    assert isinstance(link, Link)
    assert link.href == f"{scheme.lower()}{sep}{target}"


def test_an_upper_case_https_link_is_a_link_in_both_formats(tmp_path: Path) -> None:
    from casebook.document import compose_pack
    from casebook.layout import load_layout
    from casebook.packs import select_packs
    from casebook.pdf import render_html
    from casebook.word import render_docx

    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    add_case(root, "See [the EIF site](HTTPS://www.eif.org.uk/report).")
    corpus = load_corpus(root)
    layouts = Path(__file__).parents[2] / "layouts"
    layout = load_layout(layouts)
    pack = next(p for p in select_packs(corpus) if p.id == "all-cases")
    document = compose_pack(pack, corpus)
    assert '<a href="https://www.eif.org.uk/report">the EIF site</a>' in render_html(
        document, layout
    )
    import io
    import zipfile

    docx = render_docx(document, layout, root)
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        rels = package.read("word/_rels/document.xml.rels").decode()
    assert 'Target="https://www.eif.org.uk/report" TargetMode="External"' in rels


@pytest.mark.parametrize(
    ("reference", "found"),
    [
        ("&#0;", "holds U+FFFD"),
        ("&#xD800;", "holds U+FFFD"),
        ("&#x110000;", "holds U+FFFD"),
        ("&#1;", "holds U+FFFD"),
        ("&#xFFFF;", "holds U+FFFD"),
    ],
)
def test_character_references_that_are_no_character_are_refused(
    content: Path, reference: str, found: str
) -> None:
    add_case(content, f"Before\n{reference} after.")
    [message] = errors(content)
    assert message.startswith(f"content/cases/newham-hostile.md:10: text {found}")


def test_private_use_characters_are_refused_in_bodies_and_titles(content: Path) -> None:
    add_case(content, "A logo \ue000 here.", title="Title \uf8ff")
    assert errors(content) == [
        "content/cases/newham-hostile.md:2: title: holds private-use characters (U+F8FF) that no "
        "font in the packs draws; write the character meant",
        "content/cases/newham-hostile.md:9: text holds private-use characters (U+E000) that no "
        "font in the packs draws; write the character meant",
    ]


@pytest.mark.parametrize(
    ("escape", "message"),
    [
        ("\\n", "must be one line, but it holds a line break (written as an escape such as \\n)"),
        ("\\u2028", "must be one line, but it holds a line break"),
        ("\\x1b", "holds control characters (U+001B) that cannot be printed; remove them"),
        ("\\0", "holds control characters (U+0000) that cannot be printed; remove them"),
    ],
)
def test_yaml_escapes_cannot_bring_controls_or_breaks_into_one_line_fields(
    content: Path, escape: str, message: str
) -> None:
    add_case(content, title=f'"First{escape}second"')
    [found] = errors(content)
    assert found.startswith(f"content/cases/newham-hostile.md:2: title: {message}")


def test_a_yaml_escape_in_a_place_name_is_refused_too(content: Path) -> None:
    add_case(content, places='["New\\x07ham"]')
    assert errors(content) == [
        "content/cases/newham-hostile.md:3: places: holds control characters (U+0007) that "
        "cannot be printed; remove them"
    ]


def test_a_multi_line_summary_keeps_its_line_breaks(content: Path) -> None:
    path = content / "insights.yaml"
    text = path.read_text(encoding="utf-8")
    assert "summary:" in text
    load_corpus(content)  # still valid: folded and literal summaries hold newlines


# --- 13: files silently ignored -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("newham-upper.MD", "is not read: a case file's name ends in '.md', in lower case"),
        ("newham-text.md.txt", "is not read: a case file's name ends in '.md', in lower case"),
        (".md", "a hidden file is not read as a case; rename it"),
        (".newham-hidden.md", "a hidden file is not read as a case; rename it"),
    ],
)
def test_case_files_under_another_name_are_reported(content: Path, name: str, message: str) -> None:
    source = add_case(content)
    source.rename(content / "cases" / name)
    assert errors(content) == [f"content/cases/{name}:0: {message}"]


def test_what_editors_and_systems_leave_beside_a_case_is_not_content(content: Path) -> None:
    # Backups, swap and lock files, macOS's metadata copies on a shared drive, Windows's
    # folder files: never a case, so they neither stop the build nor count as cases.
    source = add_case(content)
    text = source.read_bytes()
    litter = [
        "newham-hostile.md~",
        "newham-hostile.md.bak",
        "newham-hostile.md.orig",
        "newham-hostile.md.swp",
        "._newham-hostile.md",
        ".#newham-hostile.md",
        "Thumbs.db",
        "desktop.ini",
    ]
    for name in litter:
        (content / "cases" / name).write_bytes(text)
    corpus = load_corpus(content)
    assert [c.id for c in corpus.cases].count("newham-hostile") == 1
    assert len(corpus.cases) == len(list((MINI / "cases").glob("*.md"))) + 1


def test_a_folder_inside_cases_is_reported(content: Path) -> None:
    (content / "cases" / "wales").mkdir()
    add_case(content).rename(content / "cases" / "wales" / "newham-hostile.md")
    assert errors(content) == [
        "content/cases/wales:0: folders inside content/cases are not read; move its files up a "
        "level"
    ]


def test_editor_clutter_is_ignored(content: Path) -> None:
    (content / "cases" / ".DS_Store").write_bytes(b"\0\0")
    (content / "cases" / ".gitkeep").write_text("")
    load_corpus(content)


def test_a_pack_recipe_with_an_upper_case_suffix_is_reported(content: Path) -> None:
    recipe = next((content / "packs").iterdir())
    recipe.rename(recipe.with_name(recipe.stem + ".YAML"))
    assert errors(content) == [
        f"content/packs/{recipe.stem}.YAML:0: is not read: a pack file's name ends in '.yaml' "
        "or '.yml', in lower case"
    ]


# --- 14: duplicates and media names ---------------------------------------------------------


def test_a_place_listed_twice_is_refused(content: Path) -> None:
    add_case(content, places="[Newham, Newham]")
    assert errors(content) == [
        "content/cases/newham-hostile.md:3: places: 'Newham' is listed twice"
    ]


def test_a_place_listed_twice_over_lines_is_reported_where_it_is_listed_again(
    content: Path,
) -> None:
    add_case(content, places="\n  - Newham\n  - Newport\n  - Newham\n  - Newham")
    assert errors(content) == [
        "content/cases/newham-hostile.md:6: places: 'Newham' is listed twice (first on line 4)"
    ]


def test_a_media_file_with_a_space_and_an_accent_is_found(content: Path) -> None:
    (content / "media" / "café chart.png").write_bytes(PNG)
    add_case(content, "![A chart of staff numbers](<media/café chart.png>)")
    case = next(c for c in load_corpus(content).cases if c.id == "newham-hostile")
    assert case.body[0].src == "media/café chart.png"  # type: ignore[union-attr]


def test_a_media_file_named_with_percent_escapes_is_reported_by_check(content: Path) -> None:
    (content / "media" / "caf%C3%A9.png").write_bytes(PNG)
    add_case(content, "![A chart](media/caf%C3%A9.png)")
    assert errors(content) == [
        "content/cases/newham-hostile.md:9: image 'media/café.png' does not exist (a file "
        "named 'media/caf%C3%A9.png' does, but '%' in a Markdown address starts an escape: "
        "rename the file without '%')"
    ]


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("media/chart.png", " (did you mean 'media/Chart.png'? Capitals count in file names)"),
        ("media/Chrat.png", " (did you mean 'media/Chart.png'?)"),
        ("media/other.png", ""),
    ],
)
def test_a_media_file_named_a_little_differently_is_suggested(
    content: Path, written: str, hint: str
) -> None:
    (content / "media" / "Chart.png").write_bytes(PNG)
    add_case(content, f"![A chart]({written})")
    assert errors(content) == [
        f"content/cases/newham-hostile.md:9: image '{written}' does not exist{hint}"
    ]


def test_a_media_file_with_an_accent_renders_in_both_formats(tmp_path: Path) -> None:
    from casebook.document import compose_pack
    from casebook.layout import load_layout
    from casebook.packs import select_packs
    from casebook.pdf import render_pdf
    from casebook.word import render_docx

    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    (root / "media" / "café chart.png").write_bytes(PNG)
    add_case(root, "![A chart of staff numbers](<media/café chart.png>)")
    corpus = load_corpus(root)
    layout = load_layout(Path(__file__).parents[2] / "layouts")
    pack = next(p for p in select_packs(corpus) if p.id == "all-cases")
    document = compose_pack(pack, corpus)
    assert render_pdf(document, layout, root).startswith(b"%PDF")
    assert render_docx(document, layout, root).startswith(b"PK")
