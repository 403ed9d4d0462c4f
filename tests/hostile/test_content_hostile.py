"""Hostile and broken content is refused by `check` with a diagnostic naming file and line."""

from __future__ import annotations

import shutil
import time
import unicodedata
from pathlib import Path

import pytest

from casebook.blocks import plain_text
from casebook.content import load_corpus
from casebook.diagnostics import ContentError, Diagnostic

MINI = Path(__file__).parents[1] / "fixtures" / "mini" / "content"

CASE = """\
---
title: {title}
places: [Newham]
page: 20
insight: strategic-planning
tags: [strategy, integration]
prompts: ["What would {name} change in your area?", "Who would lead {name} where you work?"]
---
{body}
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    return root


def add_case(root: Path, body: str, title: str = "Hostile", name: str = "newham-hostile") -> Path:
    path = root / "cases" / f"{name}.md"
    path.write_text(CASE.format(title=title, body=body, name=name), encoding="utf-8")
    return path


def errors(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_corpus(root)
    return [str(d).replace(str(root), "content") for d in info.value.diagnostics]


RAW_HTML = [
    ("<script>alert(1)</script>", "'<script>alert(1)</script>'"),
    (
        '<iframe src="https://example.org"></iframe>',
        "'<iframe src=\"https://example.org\"></ifr…'",
    ),
    ("<img src=file:///etc/passwd>", "'<img src=file:///etc/passwd>'"),
    ('<link rel=attachment href="/etc/passwd">', "'<link rel=attachment href=\"/etc/passwd\">'"),
    (
        "<style>@import url(https://x.org/a.css)</style>",
        "'<style>@import url(https://x.org/a.css)…'",
    ),
]


@pytest.mark.parametrize(("html", "shown"), RAW_HTML)
def test_raw_html_blocks_are_refused(content: Path, html: str, shown: str) -> None:
    add_case(content, f"Before.\n\n{html}\n\nAfter.")
    assert errors(content) == [
        f"content/cases/newham-hostile.md:11: raw HTML is not allowed (found {shown}); "
        "write the text in Markdown"
    ]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            "    indented = code",
            "code blocks are not supported; lines indented by four or more spaces are read as "
            "code — remove the indentation",
        ),
        (
            "```\ncode\n```",
            "code blocks are not supported; a line of ``` starts one — remove it and the line "
            "that closes it",
        ),
        (
            "~~~~\ncode\n~~~~",
            "code blocks are not supported; a line of ~~~~ starts one — remove it and the line "
            "that closes it",
        ),
    ],
)
def test_code_blocks_are_refused_saying_what_starts_them(
    content: Path, block: str, message: str
) -> None:
    add_case(content, f"Before.\n\n{block}\n\nAfter.")
    assert errors(content) == [f"content/cases/newham-hostile.md:11: {message}"]


def test_inline_html_is_refused(content: Path) -> None:
    add_case(content, 'Text <img src="file:///etc/passwd"> more.')
    assert errors(content) == [
        "content/cases/newham-hostile.md:9: raw HTML is not allowed (found "
        "'<img src=\"file:///etc/passwd\">'); write the text in Markdown"
    ]


@pytest.mark.parametrize("css", ["@import 'https://x.org/a.css';", "background: url(/etc/passwd)"])
def test_css_in_text_is_refused(content: Path, css: str) -> None:
    add_case(content, f"Some text {css}")
    assert errors(content)[0].startswith("content/cases/newham-hostile.md:9: text looks like CSS")


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "file:///etc/passwd",
        "vbscript:msgbox",
        "http://example.org",
        "../secret.pdf",
    ],
)
def test_only_https_and_mailto_links(content: Path, href: str) -> None:
    add_case(content, f"See [the page]({href}).")
    assert errors(content) == [
        f"content/cases/newham-hostile.md:9: link target '{href}' is not allowed: use an "
        "https: or mailto: address"
    ]


def test_https_and_mailto_links_are_kept(content: Path) -> None:
    add_case(content, "See [the page](https://example.org/a) or [write](mailto:a@example.org).")
    corpus = load_corpus(content)
    case = next(c for c in corpus.cases if c.id == "newham-hostile")
    assert plain_text(case.body) == "See the page or write.\n"


@pytest.mark.parametrize(
    "src",
    [
        "/etc/passwd",
        "file:///etc/passwd",
        "media/../../secret.png",
        "https://x.org/a.png",
        "img.png",
    ],
)
def test_images_only_from_content_media(content: Path, src: str) -> None:
    add_case(content, f"![a picture]({src})")
    assert errors(content) == [
        f"content/cases/newham-hostile.md:9: image '{src}' must be a file under content/media/, "
        "written as media/<name>"
    ]


def test_media_symlink_pointing_out_is_refused(content: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for print")
    (content / "media" / "link.png").symlink_to(secret)
    add_case(content, "![a picture](media/link.png)")
    assert errors(content) == [
        "content/cases/newham-hostile.md:9: image 'media/link.png' points outside content/media/"
    ]


def test_case_symlink_pointing_out_is_refused(content: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(CASE.format(title="Outside", body="Text.", name="outside"), encoding="utf-8")
    (content / "cases" / "newham-outside.md").symlink_to(outside)
    assert errors(content) == [
        "content/cases/newham-outside.md:0: is a link to a file outside the content folder"
    ]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("aux", "is a name Windows reserves for devices"),
        (
            "bad\x07name",
            "must be lowercase letters, digits and single hyphens (e.g. 'devon-leadership-roles')",
        ),
        (
            "My Pack",
            "must be lowercase letters, digits and single hyphens (e.g. 'devon-leadership-roles')",
        ),
    ],
)
def test_recipe_file_names_must_be_safe(content: Path, name: str, why: str) -> None:
    (content / "packs" / f"{name}.yaml").write_text(
        "title: T\nselect: {tags: [strategy]}\n", encoding="utf-8"
    )
    assert errors(content) == [f"content/packs/{name}.yaml:0: file name '{name}' {why}"]


def test_nfd_text_is_normalised_to_nfc(content: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Caffi’r Cwm, ŵyn a ŷd")
    add_case(content, decomposed, title=decomposed)
    case = next(c for c in load_corpus(content).cases if c.id == "newham-hostile")
    assert case.title == unicodedata.normalize("NFC", decomposed)
    assert plain_text(case.body) == unicodedata.normalize("NFC", decomposed) + "\n"


def test_same_text_in_another_unicode_form_hashes_the_same(content: Path) -> None:
    text = "Ysgol ŵyn"
    add_case(content, unicodedata.normalize("NFC", text))
    first = next(c for c in load_corpus(content).cases if c.id == "newham-hostile").digest
    add_case(content, unicodedata.normalize("NFD", text))
    second = next(c for c in load_corpus(content).cases if c.id == "newham-hostile").digest
    assert first == second


def test_control_characters_are_removed_with_a_warning(content: Path) -> None:
    add_case(content, "Pasted\x00 from\x1b Word\x7f.")
    warnings: list[Diagnostic] = []
    case = next(c for c in load_corpus(content, warnings).cases if c.id == "newham-hostile")
    assert plain_text(case.body) == "Pasted from Word.\n"
    assert [str(w).replace(str(content), "content") for w in warnings] == [
        f"content/cases/newham-hostile.md:9: warning: removed an invisible control character "
        f"({name})"
        for name in ("U+0000", "U+001B", "U+007F")
    ]


def test_lone_surrogate_bytes_are_a_diagnostic(content: Path) -> None:
    path = add_case(content, "Text")
    path.write_bytes(path.read_bytes().replace(b"Text", b"Te\xed\xa0\x80xt"))
    assert errors(content) == [
        "content/cases/newham-hostile.md:9: is not valid UTF-8 text; save it as UTF-8"
    ]


@pytest.mark.parametrize(
    ("char", "name"),
    [("\u202e", "U+202E"), ("\u2066", "U+2066"), ("\u200b", "U+200B"), ("\u00ad", "U+00AD")],
)
def test_invisible_characters_in_titles_are_diagnostics(
    content: Path, char: str, name: str
) -> None:
    add_case(content, "Text.", title=f"Hid{char}den")
    assert errors(content) == [
        f"content/cases/newham-hostile.md:2: title: holds invisible characters ({name}) that "
        "change how text is read or matched; remove them"
    ]


def test_a_soft_hyphen_in_a_place_s_name_is_a_diagnostic(content: Path) -> None:
    # "New\u00adham" looks like Newham, and no case naming Newham would match it.
    places = content / "places.yaml"
    text = places.read_text(encoding="utf-8")
    assert "- name: Newham\n" in text
    places.write_text(text.replace("- name: Newham\n", "- name: New\u00adham\n"), "utf-8")
    line = text[: text.index("- name: Newham")].count("\n") + 1
    assert (
        f"content/places.yaml:{line}: name: holds invisible characters (U+00AD) that change "
        "how text is read or matched; remove them"
    ) in errors(content)


def test_bidi_override_in_a_body_is_a_diagnostic(content: Path) -> None:
    add_case(content, "Price \u202e0001\u202c today.")
    assert errors(content) == [
        "content/cases/newham-hostile.md:9: text holds invisible bidirectional control "
        "characters (U+202A–U+202E, U+2066–U+2069); remove them"
    ]


def test_welsh_emoji_nbsp_and_rtl_text_are_accepted(content: Path) -> None:
    body = "Croeso i’r ŵyl a’r ŷd.\u00a0Family 👨‍👩‍👧 support. مرحبا بالعائلات. שלום."
    add_case(content, body)
    case = next(c for c in load_corpus(content).cases if c.id == "newham-hostile")
    assert plain_text(case.body) == body + "\n"


def test_python_tags_are_refused(content: Path) -> None:
    path = add_case(content, "Text.")
    path.write_text(
        path.read_text().replace("page: 20", "page: !!python/object/apply:os.system [ls]"),
        encoding="utf-8",
    )
    assert errors(content) == [
        "content/cases/newham-hostile.md:4: YAML tags such as "
        "'!!python/object/apply:os.system' are not allowed; write plain values"
    ]


def test_alias_bomb_is_refused_before_it_expands(content: Path) -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    (content / "tags.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.process_time()
    found = errors(content)
    # Expanding the aliases would take hours and gigabytes; refusing them takes milliseconds.
    assert time.process_time() - started < 1
    assert found[0] == "content/tags.yaml:1: YAML anchors (&name) are not allowed"


def test_deep_nesting_is_a_diagnostic_not_a_recursion_error(content: Path) -> None:
    (content / "tags.yaml").write_text("x: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert errors(content) == ["content/tags.yaml:1: nested more than 12 levels deep"]


def test_oversized_front_matter(content: Path) -> None:
    big = "".join(f"k{i}: {'x' * 60}\n" for i in range(1200))
    (content / "cases" / "newham-big.md").write_text(f"---\ntitle: Big\n{big}---\nText.\n")
    assert errors(content) == ["content/cases/newham-big.md:2: front matter is larger than 64 KiB"]


def test_body_size_limit(content: Path) -> None:
    add_case(content, "\n\n".join(["word " * 700] * 6))
    assert errors(content) == [
        "content/cases/newham-hostile.md:9: body is 21,011 characters; the limit is 20,000 — "
        "split it into two cases"
    ]


def test_paragraph_list_and_table_limits(content: Path) -> None:
    long_paragraph = "word " * 900
    long_list = "\n".join(f"- item {i}" for i in range(41))
    wide_table = (
        "| " + " | ".join("abcdefg") + " |\n|" + "---|" * 7 + "\n| " + " | ".join("1234567") + " |"
    )
    add_case(content, f"{long_paragraph}\n\n{long_list}\n\n{wide_table}")
    assert errors(content) == [
        "content/cases/newham-hostile.md:9: paragraph is 4,499 characters; the limit is 4,000 "
        "— break it into shorter paragraphs",
        "content/cases/newham-hostile.md:11: list has 41 items; the limit is 40",
        "content/cases/newham-hostile.md:53: table has 7 columns; the limit is 6 (wider tables "
        "cannot be printed legibly on the page)",
    ]
