"""The validator reports every problem at once, as path:line: message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casebook.content import load_corpus
from casebook.diagnostics import ContentError, Diagnostic

MINI = Path(__file__).parents[1] / "fixtures" / "mini" / "content"

GOOD_CASE = """\
---
title: A new case
places: [Newham]
page: 20
insight: strategic-planning
tags: [strategy, integration]
---
Some words from the report.
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    return root


def problems(root: Path) -> list[str]:
    """Every error as the user sees it, with the content root shortened to 'content'."""
    with pytest.raises(ContentError) as info:
        load_corpus(root)
    return [str(d).replace(str(root), "content") for d in info.value.diagnostics]


def write_case(root: Path, name: str, text: str) -> None:
    (root / "cases" / f"{name}.md").write_text(text, encoding="utf-8")


def test_the_mini_fixture_loads(content: Path) -> None:
    corpus = load_corpus(content)
    assert [c.id for c in corpus.cases] == [
        "caerphilly-vision-for-change",
        "newham-the-50-steps-to-a-healthier-borough",
        "north-wales-regional-population-needs-assessment",
        "newport-mapping-local-assets",
    ]
    assert corpus.nations_of(corpus.cases[0]) == ("Wales",)


def test_every_problem_is_reported_at_once_with_its_line(content: Path) -> None:
    write_case(
        content,
        "caerphilly-typo",
        "---\n"
        "title: Typo\n"
        "places: [Caerphily]\n"
        "page: 19\n"
        "insight: stratgic-planning\n"
        "tags: [strategy, integration]\n"
        "colour: red\n"
        "---\n"
        "Body.\n",
    )
    write_case(
        content,
        "newham-wrong-page",
        GOOD_CASE.replace("page: 20", "page: 30").replace("A new case", "Wrong page"),
    )
    write_case(content, "newham-no-body", GOOD_CASE.replace("Some words from the report.\n", ""))
    assert problems(content) == [
        "content/cases/caerphilly-typo.md:3: places: 'Caerphily' is not one of: Caerphilly, "
        "Newham, Newport, North Wales (did you mean 'Caerphilly'?)",
        "content/cases/caerphilly-typo.md:5: insight: 'stratgic-planning' is not one of: "
        "strategic-planning, whole-local-resource (did you mean 'strategic-planning'?)",
        "content/cases/caerphilly-typo.md:7: unknown field 'colour'; allowed fields: title, "
        "places, page, insight, tags",
        "content/cases/newham-no-body.md:8: the case has no body text",
        "content/cases/newham-wrong-page.md:4: page: 30 is outside insight "
        "'strategic-planning' (pages 19–25); page 30 is in insight 'whole-local-resource'",
    ]


def test_yaml_syntax_error_points_at_the_line_in_the_file(content: Path) -> None:
    write_case(content, "newham-bad-yaml", GOOD_CASE.replace("page: 20", "page: [20"))
    assert problems(content) == [
        "content/cases/newham-bad-yaml.md:5: YAML syntax: expected ',' or ']', but got ':'"
    ]


def test_missing_empty_and_wrongly_typed_fields(content: Path) -> None:
    write_case(
        content,
        "newham-fields",
        "---\ntitle:\nplaces: Newham\npage: twenty\ntags: [strategy, integration]\n---\nText.\n",
    )
    assert problems(content) == [
        "content/cases/newham-fields.md:2: title: is empty",
        "content/cases/newham-fields.md:2: missing required field 'insight'",
        "content/cases/newham-fields.md:3: places: expected a list such as [a, b], got text",
        "content/cases/newham-fields.md:4: page: expected a whole number, got 'twenty'",
    ]


def test_duplicate_keys_and_yaml_features_we_refuse(content: Path) -> None:
    write_case(content, "newham-dup", GOOD_CASE.replace("page: 20", "page: 20\npage: 21"))
    write_case(
        content,
        "newham-alias",
        GOOD_CASE.replace("title: A new case", "title: &t Alias\nplaces2: *t").replace(
            "tags: [strategy, integration]", "tags: !!python/object:os.system [strategy]"
        ),
    )
    assert problems(content) == [
        "content/cases/newham-alias.md:2: YAML anchors (&name) are not allowed",
        "content/cases/newham-alias.md:3: YAML aliases (*name) are not allowed",
        "content/cases/newham-alias.md:7: YAML tags such as '!!python/object:os.system' are "
        "not allowed; write plain values",
        "content/cases/newham-dup.md:5: duplicate key 'page' (first given on line 4)",
    ]


def test_text_that_yaml_would_guess_stays_text(content: Path) -> None:
    write_case(content, "newham-no", GOOD_CASE.replace("A new case", "NO"))
    write_case(content, "newham-version", GOOD_CASE.replace("A new case", "1.10"))
    corpus = load_corpus(content)
    titles = {c.id: c.title for c in corpus.cases}
    assert titles["newham-no"] == "NO"
    assert titles["newham-version"] == "1.10"


def test_duplicate_titles_and_unknown_tags(content: Path) -> None:
    write_case(
        content,
        "newham-again",
        GOOD_CASE.replace("A new case", "The 50 Steps to a healthier borough").replace(
            "[strategy, integration]", "[strategy, integraton]"
        ),
    )
    assert problems(content) == [
        "content/cases/newham-again.md:6: tags: 'integraton' is not one of: integration, "
        "needs-assessment, community-assets, strategy (did you mean 'integration'?)",
        "content/cases/newham-the-50-steps-to-a-healthier-borough.md:2: title: 'Newham: The 50 "
        "Steps to a healthier borough' is also the title of content/cases/newham-again.md",
    ]
    write_case(
        content,
        "newham-again",
        GOOD_CASE.replace("A new case", "The 50 Steps to a healthier borough"),
    )
    assert problems(content) == [
        "content/cases/newham-the-50-steps-to-a-healthier-borough.md:2: title: 'Newham: The 50 "
        "Steps to a healthier borough' is also the title of content/cases/newham-again.md",
    ]


def test_page_outside_the_report(content: Path) -> None:
    write_case(content, "newham-far", GOOD_CASE.replace("page: 20", "page: 300"))
    assert problems(content) == [
        "content/cases/newham-far.md:4: page: 300 is outside the report's insight chapters "
        "(pages 19–32)",
    ]


def test_raw_html_bad_links_and_control_characters(content: Path) -> None:
    body = (
        "Intro <b>bold</b>.\n\n"
        "<script>alert(1)</script>\n\n"
        "See [this](javascript:alert(1)) and [that](http://example.org).\n\n"
        "![diagram](../../etc/passwd)\n\n"
        "Pasted\x01 text with a\vline break.\n"
    )
    write_case(content, "newham-hostile", GOOD_CASE.replace("Some words from the report.\n", body))
    warnings: list[Diagnostic] = []
    with pytest.raises(ContentError) as info:
        load_corpus(content, warnings)
    shown = [str(d).replace(str(content), "content") for d in info.value.diagnostics]
    assert shown == [
        "content/cases/newham-hostile.md:8: raw HTML is not allowed (found '<b>'); write the "
        "text in Markdown",
        "content/cases/newham-hostile.md:8: raw HTML is not allowed (found '</b>'); write the "
        "text in Markdown",
        "content/cases/newham-hostile.md:10: raw HTML is not allowed (found "
        "'<script>alert(1)</script>'); write the text in Markdown",
        "content/cases/newham-hostile.md:12: link target 'javascript:alert(1)' is not allowed: "
        "use an https: or mailto: address",
        "content/cases/newham-hostile.md:12: link target 'http://example.org' is not allowed: "
        "use an https: or mailto: address",
        "content/cases/newham-hostile.md:14: image '../../etc/passwd' must be a file under "
        "content/media/, written as media/<name>",
    ]
    assert [str(w).replace(str(content), "content") for w in warnings] == [
        "content/cases/newham-hostile.md:16: warning: removed an invisible control character "
        "(U+0001)",
    ]


def test_vertical_tab_becomes_a_line_break(content: Path) -> None:
    write_case(content, "newham-vt", GOOD_CASE.replace("Some words", "Some\vwords"))
    case = next(c for c in load_corpus(content).cases if c.id == "newham-vt")
    assert repr(case.body[0]) == (
        "Paragraph(children=(Text(text='Some'), LineBreak(), Text(text='words from the report.')))"
    )


def test_recipe_problems(content: Path) -> None:
    (content / "packs" / "bad.yaml").write_text(
        "title: Bad\nselect:\n  tag: [strategy]\n  places: [Cardiff]\n", encoding="utf-8"
    )
    (content / "packs" / "all-cases.yaml").write_text(
        "title: Clash\nselect: {tags: [strategy]}\n", encoding="utf-8"
    )
    assert problems(content) == [
        "content/packs/all-cases.yaml:0: 'all-cases' is the id of a pack Casebook makes "
        "itself; rename the file",
        "content/packs/bad.yaml:3: unknown field 'tag' (did you mean 'tags'?); allowed fields: "
        "insights, nations, places, tags, cases",
        "content/packs/bad.yaml:4: places: 'Cardiff' is not one of: Caerphilly, Newham, "
        "Newport, North Wales",
    ]


def test_file_names_must_be_safe_ids(content: Path) -> None:
    write_case(content, "Bad Name", GOOD_CASE)
    write_case(content, "con", GOOD_CASE.replace("A new case", "Another"))
    assert problems(content) == [
        "content/cases/Bad Name.md:0: file name 'Bad Name' must be lowercase letters, digits "
        "and single hyphens (e.g. 'devon-leadership-roles')",
        "content/cases/con.md:0: file name 'con' is a name Windows reserves for devices",
    ]


def test_invalid_utf8_names_the_line(content: Path) -> None:
    (content / "cases" / "newham-latin1.md").write_bytes(
        GOOD_CASE.replace("Some words", "Caf\xe9").encode("latin-1")
    )
    assert problems(content) == [
        "content/cases/newham-latin1.md:8: is not valid UTF-8 text; save it as UTF-8"
    ]


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        (
            "From: {title.upper}, page {page}",
            "only {title} and {page} may stand in braces, written plainly",
        ),
        (
            "From: {title}, page {page!r}",
            "only {title} and {page} may stand in braces, written plainly",
        ),
        ("From: {title}", "must contain {page}"),
        ("From: {title, page {page}", "unbalanced braces; write {{ and }} for a literal brace"),
    ],
)
def test_the_citation_template_takes_only_title_and_page(
    content: Path, template: str, problem: str
) -> None:
    source = content / "source.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(
        text.replace('citation: "From: {title}, page {page}"', f"citation: '{template}'"),
        encoding="utf-8",
    )
    assert problems(content) == [f"content/source.yaml:10: citation: {problem}"]
