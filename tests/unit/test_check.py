"""The validator reports every problem at once, as path:line: message."""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest
from conftest import REAL_CONTENT as REAL
from conftest import RunCli

from casebook.blocks import Paragraph, plain_text
from casebook.content import load_corpus
from casebook.diagnostics import ContentError, Diagnostic
from casebook.packs import select_packs

MINI = Path(__file__).parents[1] / "fixtures" / "mini" / "content"

# The prompts name the title, so a case made from GOOD_CASE under another title has prompts of
# its own (no two cases may share a prompt).
GOOD_CASE = """\
---
title: A new case
places: [Newham]
page: 20
insight: strategic-planning
tags: [strategy, integration]
prompts: ["What would A new case change in your area?", "Who would lead A new case here?"]
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
    # Each case its own words: no two cases may share their text.
    text = text.replace("Some words from the report.", f"Some words from the report on {name}.")
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
        'prompts: ["What does a typo teach your area?", "Who checks your spelling?"]\n'
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
        "content/cases/caerphilly-typo.md:8: unknown field 'colour'; allowed fields: title, "
        "places, page, insight, tags, prompts",
        "content/cases/newham-no-body.md:9: the case has no body text",
        "content/cases/newham-wrong-page.md:4: page: 30 is outside insight "
        "'strategic-planning' (pages 19–25); page 30 is in insight 'whole-local-resource'",
    ]


def test_yaml_syntax_error_points_at_the_line_in_the_file(content: Path) -> None:
    bad = GOOD_CASE.replace("title: A new case", "title: Newham: a new case")
    write_case(content, "newham-bad-yaml", bad)
    assert problems(content) == [
        "content/cases/newham-bad-yaml.md:2: YAML syntax: ': ' inside a value starts another "
        "field in YAML; put the whole value in double quotes"
    ]


def test_an_unclosed_bracket_or_quote_is_reported_where_it_opens(content: Path) -> None:
    # YAML notices only at the next key, or at the end of the front matter.
    write_case(content, "newham-bracket", GOOD_CASE.replace("page: 20", "page: [20"))
    write_case(content, "newham-quote", GOOD_CASE.replace("tags:", "note: 'never closed\ntags:"))
    assert problems(content) == [
        "content/cases/newham-bracket.md:4: YAML syntax: the list opened with '[' on this "
        "line is not closed (expected ',' or ']', but got ':' on line 5)",
        "content/cases/newham-quote.md:6: YAML syntax: the quoted text that starts on this "
        "line is not closed: it runs on to the end of the front matter",
    ]


def test_a_field_indented_by_mistake_is_told_from_a_colon_in_a_value(content: Path) -> None:
    write_case(content, "newham-indent", GOOD_CASE.replace("\npage: 20", "\n  page: 20"))
    assert problems(content) == [
        "content/cases/newham-indent.md:4: YAML syntax: this field is indented under the line "
        "above, so YAML reads it as more of that line's value; start it in the same column as "
        "the other fields"
    ]


def test_a_quote_left_open_is_reported_where_it_opens_though_a_later_quote_closes_it(
    content: Path,
) -> None:
    # The quoted title runs on to the first quote of the prompts, three lines down, where
    # YAML fails.
    write_case(content, "newham-open", GOOD_CASE.replace("title: A new case", 'title: "A new'))
    assert problems(content) == [
        "content/cases/newham-open.md:2: YAML syntax: the quoted text that starts on this line "
        "runs on to line 7, where YAML can read no further: is its closing quote missing?"
    ]


def test_text_cut_short_by_a_yaml_comment_is_refused(content: Path) -> None:
    # " #" starts a comment in YAML: the rest of the line would not be printed.
    title = GOOD_CASE.replace("title: A new case", "title: Newham test #1 of the new system")
    write_case(content, "newham-title", title)
    prompts = (
        "prompts:\n  - What would Newham prompts change in your area?\n"
        "  - If partners (see #2) tested it, who would lead it?"
    )
    write_case(content, "newham-prompt", re.sub("prompts: .*", prompts, GOOD_CASE))
    places = GOOD_CASE.replace("places: [Newham]", "places:\n  - Newham #and more")
    write_case(content, "newham-place", places.replace("A new case", "Newham places"))
    assert problems(content) == [
        "content/cases/newham-place.md:4: places: YAML reads ' #' and what follows it on the "
        "line ('#and more') as a comment, so the item would end at 'Newham'; to print it all, "
        "put the whole item in double quotes; for a note, put it on a line of its own",
        "content/cases/newham-prompt.md:9: prompts: YAML reads ' #' and what follows it on the "
        "line ('#2) tested it, who would lead it?') as a comment, so the prompt would end at "
        "'If partners (see'; to print it all, put the whole prompt in double quotes; for a "
        "note, put it on a line of its own",
        "content/cases/newham-title.md:2: title: YAML reads ' #' and what follows it on the "
        "line ('#1 of the new system') as a comment, so the title would end at 'Newham test'; "
        "to print it all, put the whole title in double quotes; for a note, put it on a line "
        "of its own",
    ]


def test_a_comment_that_cuts_no_text_is_fine(content: Path) -> None:
    # After a number or an id, on a line of its own, after a quoted title; '#' inside a word.
    case = GOOD_CASE.replace("page: 20", "page: 20  # checked against the report\n# a note")
    case = case.replace("title: A new case", 'title: "A new case"  # quoted')
    case = case.replace("insight: strategic-planning", "insight: strategic-planning  # 1")
    case = case.replace(
        "tags: [strategy, integration]", "tags:\n  - strategy  # main\n  - integration"
    )
    write_case(content, "newham-notes", case)
    write_case(content, "newham-sharp", GOOD_CASE.replace("A new case", "Coding in C#"))
    titles = {c.id: c.title for c in load_corpus(content).cases}
    assert titles["newham-notes"] == "A new case"
    assert titles["newham-sharp"] == "Coding in C#"


def test_a_missing_comma_in_a_closed_list_is_reported_where_yaml_finds_it(
    content: Path,
) -> None:
    prompts = 'prompts: ["What would change?",\n  "Who would lead?"\n  "And when?"]'
    write_case(content, "newham-comma", re.sub("prompts: .*", prompts, GOOD_CASE))
    assert problems(content) == [
        "content/cases/newham-comma.md:9: YAML syntax: expected ',' or ']', but got "
        "'<scalar>' (in the list opened with '[' on line 7)"
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
        "content/cases/newham-fields.md:2: missing required field 'prompts'",
        "content/cases/newham-fields.md:3: places: expected a list such as [a, b], got text",
        "content/cases/newham-fields.md:4: page: expected a whole number, got 'twenty'",
    ]


def test_a_page_number_too_large_says_so(content: Path) -> None:
    write_case(content, "newham-page", GOOD_CASE.replace("page: 20", "page: 1234567"))
    assert problems(content) == [
        "content/cases/newham-page.md:4: page: '1234567' is too large; expected a whole "
        "number up to 999999",
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


def test_tilde_null_and_nothing_are_all_empty_and_a_tab_is_refused(content: Path) -> None:
    # The same whichever YAML parser reads the file (libyaml where installed, else PyYAML).
    for name, title in (("newham-tilde", "~"), ("newham-null", "null")):
        case = GOOD_CASE.replace("A new case", name).replace(f"title: {name}", f"title: {title}")
        write_case(content, name, case)
    write_case(content, "newham-tab", GOOD_CASE.replace("page: 20", "page: 20\t"))
    assert problems(content) == [
        "content/cases/newham-null.md:2: title: is empty",
        "content/cases/newham-tab.md:4: YAML syntax: a tab character; YAML lines are indented "
        "and spaced with spaces, never tabs",
        "content/cases/newham-tilde.md:2: title: is empty",
    ]


BLOCK_PROMPTS = GOOD_CASE.replace(
    'prompts: ["What would A new case change in your area?", "Who would lead A new case here?"]',
    "prompts:\n  - What would A new case change in your area?\n  - Who would lead A new case here?",
)


@pytest.mark.parametrize(
    ("slip", "fixed", "line", "message"),
    [
        (
            "page: 20",
            "page:\u00a020",
            4,
            "the space after 'page:' is a non-breaking space (U+00A0), which YAML does not read "
            "as a space; type an ordinary space there",
        ),
        (
            "  - Who",
            "\u00a0 - Who",
            9,
            "this line is indented with a non-breaking space (U+00A0), which YAML does not read "
            "as a space; indent it with ordinary spaces",
        ),
        ("  - Who", "  -Who", 9, "a list item needs a space after its '-'"),
        ("page: 20", "page:20", 4, "'page:' needs a space after its colon"),
        ("page: 20", "page 20", 4, "'page' needs a ':' after it to be read as a field"),
        (
            "  - What would A new case change in your area?",
            "  - What would A new case\nchange in your area?",
            9,
            "this line has no indent, so YAML does not read it as part of the text it belongs "
            "to: indent it as the other lines of that text are",
        ),
        ("title: A new", "title:A new", 2, "'title:' needs a space after its colon"),
        (
            "  - What would A new case change in your area?",
            "  - What would A new case\n  change in your area?",
            9,
            "this line is indented less than the text it belongs to, so YAML does not read it "
            "as part of that text: indent it as the other lines of that text are",
        ),
        (
            "title: A new case",
            'title: "A new" case',
            2,
            "this value starts with a quoted part, and YAML reads a quoted value only up to its "
            "closing quote: put the whole value in quotes (single quotes keep double ones "
            "inside), or leave the quotes out",
        ),
        (
            "page: 20",
            "page 20             # the report's page",
            4,
            "'page' needs a ':' after it to be read as a field",
        ),
        (
            "page: 20",
            "- page: 20",
            4,
            "this field starts with '- ', which makes it an item of a list; write fields without "
            "it",
        ),
    ],
)
def test_slips_yaml_reports_lines_below_are_named_at_their_own_line(
    content: Path, slip: str, fixed: str, line: int, message: str
) -> None:
    assert slip in BLOCK_PROMPTS
    write_case(content, "newham-slip", BLOCK_PROMPTS.replace(slip, fixed))
    assert problems(content) == [f"content/cases/newham-slip.md:{line}: YAML syntax: {message}"]


def test_a_field_of_a_list_item_at_its_dash_is_named_at_its_own_line(content: Path) -> None:
    places = content / "places.yaml"
    text = places.read_text(encoding="utf-8")
    first = text.index("- name: ")
    field = text.index("  nation: ", first)
    places.write_text(text[:field] + text[field + 2 :], encoding="utf-8")
    line = text[:field].count("\n") + 1
    assert problems(content) == [
        f"content/places.yaml:{line}: YAML syntax: this field is indented less than the other "
        "fields of the list item above, so YAML does not read it as one of them: start it in "
        "the same column as they are"
    ]


def test_an_intro_line_that_lost_its_indent_is_named_at_its_own_line(content: Path) -> None:
    (content / "packs" / "intro.yaml").write_text(
        "title: Intro\nintro: >-\n  First line,\nthen this one,\n  and more.\n\n"
        "  Another paragraph.\nselect: {tags: [strategy]}\n",
        encoding="utf-8",
    )
    assert problems(content) == [
        "content/packs/intro.yaml:4: YAML syntax: this line has no indent, so YAML does not "
        "read it as part of the text it belongs to: indent it as the other lines of that "
        "text are"
    ]


def test_a_line_that_is_wrapped_text_or_a_field_without_its_colon_is_told_both(
    content: Path,
) -> None:
    moved = BLOCK_PROMPTS.replace("tags: [strategy, integration]\n", "").replace(
        "  - Who would lead A new case here?\n",
        "  - Who would lead A new case here?\ntags strategy\n",
    )
    write_case(content, "newham-colon", moved)
    assert problems(content) == [
        "content/cases/newham-colon.md:9: YAML syntax: this line has no indent, so YAML does not "
        "read it as part of the text it belongs to, and no ':' after 'tags', so not as a field "
        "either: indent it as the other lines of that text are if it is more of that text, or "
        "write 'tags:' if it is a field"
    ]


def test_a_wrapped_insight_prompt_before_a_blank_line_is_named_at_its_line(
    content: Path,
) -> None:
    insights = content / "insights.yaml"
    text = insights.read_text(encoding="utf-8")
    wrapped = "    - What would we stop doing if our plan\nwere followed?\n\n"
    text = text.replace("    - What would we stop doing if our plan were followed?\n", wrapped)
    insights.write_text(text, encoding="utf-8")
    line = text[: text.index("were followed?")].count("\n") + 1
    assert problems(content) == [
        f"content/insights.yaml:{line}: YAML syntax: this line has no indent, so YAML does not "
        "read it as part of the text it belongs to: indent it as the other lines of that text "
        "are"
    ]


def test_a_prompt_wrapped_before_a_dash_is_still_one_prompt(content: Path) -> None:
    wrapped = "  - Who would lead A new case here, and who would follow\n    - in that order?"
    write_case(
        content,
        "newham-wrapped",
        BLOCK_PROMPTS.replace("  - Who would lead A new case here?", wrapped),
    )
    case = next(c for c in load_corpus(content).cases if c.id == "newham-wrapped")
    assert (
        case.prompts[1] == "Who would lead A new case here, and who would follow - in that order?"
    )


def test_a_value_in_curly_quotes_is_told_they_are_not_yaml_quotes(content: Path) -> None:
    write_case(content, "newham-curly", GOOD_CASE.replace("A new case", "“A case: new”", 1))
    assert problems(content) == [
        "content/cases/newham-curly.md:2: YAML syntax: ': ' inside a value starts another field "
        'in YAML; put the whole value in double quotes (straight quotes, "like this": curly '
        "ones, “like this”, are text to YAML)"
    ]
    prompt = "  - “Who leads: the council or the board?”"
    write_case(
        content,
        "newham-curly",
        BLOCK_PROMPTS.replace("  - Who would lead A new case here?", prompt),
    )
    assert problems(content) == [
        "content/cases/newham-curly.md:9: prompts: expected text, got a mapping (put a prompt "
        "that holds ': ' in straight quotes, \"like this\": curly ones, “like this”, are text "
        "to YAML)"
    ]


@pytest.mark.parametrize(
    ("before", "after", "line"),
    [
        # A list at the left edge, one item holding ': ': not a field written as an item.
        (
            "prompts:\n  - What would A new case change in your area?\n  - Who",
            "prompts:\n- What would A new case change in your area?\n- Who leads: the council: "
            "or the board?\n- Who",
            9,
        ),
        # A non-breaking space in a valid prompt above the line YAML cannot read.
        (
            "  - Who",
            "  - Note:\u00a0this matters?\n  - Who leads: the council: or the board?\n  - Who",
            10,
        ),
    ],
)
def test_a_line_yaml_reads_is_not_blamed_for_the_one_below(
    content: Path, before: str, after: str, line: int
) -> None:
    write_case(content, "newham-colon", BLOCK_PROMPTS.replace(before, after))
    assert problems(content) == [
        f"content/cases/newham-colon.md:{line}: YAML syntax: ': ' inside a value starts another "
        "field in YAML; put the whole value in double quotes"
    ]


def test_a_prompt_indented_too_far_is_named_at_its_own_line(content: Path) -> None:
    write_case(content, "newham-deep", BLOCK_PROMPTS.replace("  - Who", "    - Who"))
    assert problems(content) == [
        "content/cases/newham-deep.md:9: prompts: this item is indented further than the one "
        "above, so YAML reads it as more of that item; put its '-' in the same column as the "
        "others"
    ]


def test_text_that_yaml_would_guess_stays_text(content: Path) -> None:
    write_case(content, "newham-no", GOOD_CASE.replace("A new case", "NO"))
    write_case(content, "newham-version", GOOD_CASE.replace("A new case", "1.10"))
    corpus = load_corpus(content)
    titles = {c.id: c.title for c in corpus.cases}
    assert titles["newham-no"] == "NO"
    assert titles["newham-version"] == "1.10"


def test_a_duplicate_title_is_reported_on_the_new_case_not_the_published_one(
    content: Path,
) -> None:
    # "newham-again" sorts before the published case it copies; it is still the one told.
    clash = (
        "content/cases/newham-again.md:2: title: 'Newham: The 50 Steps to a healthier "
        "borough' is also the title of "
        "content/cases/newham-the-50-steps-to-a-healthier-borough.md"
    )
    write_case(
        content,
        "newham-again",
        GOOD_CASE.replace("A new case", "The 50 Steps to a healthier borough").replace(
            "[strategy, integration]", "[strategy, integraton]"
        ),
    )
    assert problems(content) == [
        clash,
        "content/cases/newham-again.md:6: tags: 'integraton' is not one of: integration, "
        "needs-assessment, community-assets, strategy (did you mean 'integration'?)",
    ]
    write_case(
        content,
        "newham-again",
        GOOD_CASE.replace("A new case", "The 50 Steps to a healthier borough"),
    )
    assert problems(content) == [clash]


def test_a_published_case_retitled_as_another_is_the_one_told(content: Path) -> None:
    # Both are published; the Caerphilly case, read first, is the one given another heading.
    caerphilly = content / "cases" / "caerphilly-vision-for-change.md"
    text = caerphilly.read_text(encoding="utf-8")
    caerphilly.write_text(
        text.replace("title: Vision for change", "title: Mapping local assets").replace(
            "places: [Caerphilly]", "places: [Newport]"
        ),
        encoding="utf-8",
    )
    assert problems(content) == [
        "content/cases/caerphilly-vision-for-change.md:2: title: 'Newport: Mapping local "
        "assets' is also the title of content/cases/newport-mapping-local-assets.md",
    ]


def test_a_published_case_given_another_published_case_s_prompt_is_the_one_told(
    content: Path,
) -> None:
    # Both are published; the Caerphilly case, read first, is the one given Newport's prompt.
    caerphilly = content / "cases" / "caerphilly-vision-for-change.md"
    newport = (content / "cases" / "newport-mapping-local-assets.md").read_text(encoding="utf-8")
    taken = newport.split("prompts:\n", 1)[1].splitlines()[0]
    lines = caerphilly.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[7].startswith("  - Caerphilly set out")
    lines[7] = taken + "\n"
    caerphilly.write_text("".join(lines), encoding="utf-8")
    assert problems(content) == [
        "content/cases/caerphilly-vision-for-change.md:8: prompts: this prompt is also in "
        "content/cases/newport-mapping-local-assets.md; give each case prompts of its own",
    ]


def test_a_published_case_given_another_published_case_s_text_is_the_one_told(
    content: Path,
) -> None:
    caerphilly = content / "cases" / "caerphilly-vision-for-change.md"
    newport = (content / "cases" / "newport-mapping-local-assets.md").read_text(encoding="utf-8")
    front = caerphilly.read_text(encoding="utf-8").split("---\n", 2)[1]
    body = newport.split("---\n", 2)[2]
    caerphilly.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    assert problems(content) == [
        "content/cases/caerphilly-vision-for-change.md:11: the text is the same as "
        "content/cases/newport-mapping-local-assets.md's, word for word; a new case needs its "
        "own words from the report",
    ]


def test_a_case_copied_without_new_text_is_reported_on_the_copy(content: Path) -> None:
    original = (content / "cases" / "newham-the-50-steps-to-a-healthier-borough.md").read_text()
    body = original.split("---\n", 2)[2]
    write_case(content, "a-newham-copy", GOOD_CASE.replace("Some words from the report.\n", body))
    assert problems(content) == [
        "content/cases/a-newham-copy.md:9: the text is the same as "
        "content/cases/newham-the-50-steps-to-a-healthier-borough.md's, word for word; a new "
        "case needs its own words from the report"
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
        "content/cases/newham-hostile.md:9: raw HTML is not allowed (found '<b>'); write the "
        "text in Markdown",
        "content/cases/newham-hostile.md:9: raw HTML is not allowed (found '</b>'); write the "
        "text in Markdown",
        "content/cases/newham-hostile.md:11: raw HTML is not allowed (found "
        "'<script>alert(1)</script>'); write the text in Markdown",
        "content/cases/newham-hostile.md:13: link target 'javascript:alert(1)' is not allowed: "
        "use an https: or mailto: address",
        "content/cases/newham-hostile.md:13: link target 'http://example.org' is not allowed: "
        "use an https: or mailto: address",
        "content/cases/newham-hostile.md:15: image '../../etc/passwd' must be a file under "
        "content/media/, written as media/<name>",
    ]
    assert [str(w).replace(str(content), "content") for w in warnings] == [
        "content/cases/newham-hostile.md:17: warning: removed an invisible control character "
        "(U+0001)",
    ]


def test_links_and_footnotes_markdown_would_print_as_typed_are_refused(content: Path) -> None:
    body = (
        "See ![A chart](media/my chart.png) here.\n\n"
        "Read [the site](https://example.org/a b) and [this](https://example.org).\n\n"
        "As noted[^1], it grew.\n\n"
        "Not a link: [sic] (2020).\n"
    )
    write_case(content, "newham-typed", GOOD_CASE.replace("Some words from the report.\n", body))
    assert problems(content) == [
        "content/cases/newham-typed.md:9: '![A chart](media/my chart.png)' would be printed as "
        "it stands, not read as a picture: Markdown allows no space in an address: write each "
        "space as %20 or rename the file",
        "content/cases/newham-typed.md:11: '[the site](https://example.org/a b)' would be "
        "printed as it stands, not read as a link: Markdown allows no space in an address: "
        "write each space as %20",
        "content/cases/newham-typed.md:13: footnotes ([^1]) are not supported; put the note in "
        "the text, in brackets",
    ]


@pytest.mark.parametrize("note", ["https://example.org/a", "note", "A note."])
def test_a_footnote_with_its_note_below_is_refused_as_a_footnote(content: Path, note: str) -> None:
    # "[^1]: https://..." is a link definition to Markdown: the "[^1]" above it a link.
    body = f"As noted[^1], it grew.\n\n[^1]: {note}\n"
    write_case(content, "newham-typed", GOOD_CASE.replace("Some words from the report.\n", body))
    assert problems(content)[0] == (
        "content/cases/newham-typed.md:9: footnotes ([^1]) are not supported; put the note in "
        "the text, in brackets"
    )


def test_errors_after_emphasis_over_lines_in_table_rows_and_in_an_intro_keep_their_line(
    content: Path,
) -> None:
    body = (
        "Some *words that\nrun on* from **one line\nto the next**,\n"
        "then <b>HTML</b>.\n\n"
        "| A | B |\n|---|---|\n| x | y |\n| <i>z</i> | w |\n"
    )
    write_case(content, "newham-lines", GOOD_CASE.replace("Some words from the report.\n", body))
    (content / "packs" / "intro.yaml").write_text(
        "title: Intro\nintro: |\n  First line.\n\n  Then <u>this</u>.\n"
        "select: {tags: [strategy]}\n",
        encoding="utf-8",
    )
    shown = problems(content)
    assert [line.split(" raw HTML")[0] for line in shown] == [
        "content/cases/newham-lines.md:12:",
        "content/cases/newham-lines.md:12:",
        "content/cases/newham-lines.md:17:",
        "content/cases/newham-lines.md:17:",
        "content/packs/intro.yaml:5:",
        "content/packs/intro.yaml:5:",
    ]


def test_an_insight_prompt_must_be_a_question_as_a_case_s_must(content: Path) -> None:
    insights = content / "insights.yaml"
    text = insights.read_text(encoding="utf-8")
    insights.write_text(
        text.replace("do we plan from today?", "do we plan from today."), encoding="utf-8"
    )
    assert problems(content) == [
        "content/insights.yaml:9: prompts: this prompt is not a question; write it as a "
        "question ending in '?'"
    ]


def test_a_misspelt_selection_or_an_empty_tag_list_is_told_once(content: Path) -> None:
    (content / "packs" / "typo.yaml").write_text(
        "title: Typo\nselect:\n  tag: [strategy]\n", encoding="utf-8"
    )
    write_case(content, "newham-untagged", GOOD_CASE.replace("[strategy, integration]", "[]"))
    assert problems(content) == [
        "content/cases/newham-untagged.md:6: tags: is empty; give 2 to 5 tags",
        "content/packs/typo.yaml:3: unknown field 'tag' (did you mean 'tags'?); allowed fields: "
        "insights, nations, places, tags, cases",
    ]


def test_a_selection_of_one_name_not_in_a_list_is_told_once(content: Path) -> None:
    # It was also told to give at least one selection, which it had.
    (content / "packs" / "one.yaml").write_text(
        "title: One\nselect:\n  cases: newham-family-hubs\n", encoding="utf-8"
    )
    (content / "packs" / "none.yaml").write_text(
        "title: None\nselect:\n  cases: []\n", encoding="utf-8"
    )
    assert problems(content) == [
        "content/packs/none.yaml:2: select: give at least one of: insights, nations, places, "
        "tags, cases",
        "content/packs/one.yaml:3: cases: expected a list such as [a, b], got text",
    ]


def test_a_zero_width_space_between_two_words_is_a_warning(content: Path) -> None:
    write_case(
        content,
        "newham-joined-words",
        GOOD_CASE.replace("Some words from the report.", "Some social\u200bmedia words."),
    )
    warnings: list[Diagnostic] = []
    load_corpus(content, warnings)
    assert [str(w).replace(str(content), "content") for w in warnings] == [
        "content/cases/newham-joined-words.md:9: warning: a zero-width space (U+200B) joins "
        "'social' and 'media', which print as one word, 'socialmedia'; type a space there if "
        "one is meant, or remove it"
    ]


def test_an_empty_front_matter_names_the_fields_it_needs(content: Path) -> None:
    (content / "guide.md").write_text("---\n---\nHow to run the session.\n", encoding="utf-8")
    assert problems(content) == [
        "content/guide.md:2: front matter is empty; write its fields in it: title"
    ]


def test_a_heading_underlined_or_marked_is_named_as_written(content: Path) -> None:
    body = "A title\n=======\n\nWords.\n\n## Two\n"
    write_case(content, "newham-headings", GOOD_CASE.replace("Some words from the report.\n", body))
    why = (
        "is not allowed in a body: use '### ' (levels 1 and 2 are the pack's own sections and "
        "cases)"
    )
    assert problems(content) == [
        f"content/cases/newham-headings.md:9: heading level 1 (a line underlined with '===') {why}",
        f"content/cases/newham-headings.md:14: heading level 2 ('## ...') {why}",
    ]


def test_bullets_pasted_from_a_word_processor_are_refused_at_their_lines(content: Path) -> None:
    body = "Partners include:\n•\tchildcare\n\uf0b7 health care\n\n● One more.\n"
    write_case(content, "newham-bullets", GOOD_CASE.replace("Some words from the report.\n", body))
    why = (
        "is not an item of a list to Markdown (it would be printed as it stands, run on with "
        "the lines around it): start each item with '- ' (a hyphen and a space), after a blank "
        "line"
    )
    assert problems(content) == [
        f"content/cases/newham-bullets.md:10: a line starting with '•' {why}",
        f"content/cases/newham-bullets.md:11: a line starting with '\uf0b7' {why}",
        "content/cases/newham-bullets.md:11: text holds private-use characters (U+F0B7) that "
        "no font in the packs draws; write the character meant",
        f"content/cases/newham-bullets.md:13: a line starting with '●' {why}",
    ]


def test_a_bullet_in_a_table_cell_or_inside_emphasis_is_text(content: Path) -> None:
    body = (
        "Services **● offered** here, and a [• list](https://example.org).\n\n"
        "| Service | Offered |\n|---|---|\n| Health visiting | ● |\n"
    )
    write_case(content, "newham-marks", GOOD_CASE.replace("Some words from the report.\n", body))
    assert any(c.id == "newham-marks" for c in load_corpus(content).cases)


def test_errors_after_code_links_and_html_over_lines_keep_their_line(content: Path) -> None:
    """markdown-it keeps no line ends of a code span, a link's address or title, so they are
    counted as it reads them."""
    body = (
        "A `code span\nover lines` then <b>one</b>,\n"
        "a [link](https://example.org\n'with a title\nover lines') then <i>two</i>,\n"
        "![A chart](media/chart.png\n'titled') and <u\nclass=x>three</u> and <s>four</s>.\n"
    )
    write_case(content, "newham-spans", GOOD_CASE.replace("Some words from the report.\n", body))
    shown = problems(content)
    html = [line for line in shown if "raw HTML" in line and "found '</" not in line]
    assert [line.split(" raw HTML")[0] for line in html] == [
        "content/cases/newham-spans.md:10:",  # <b>, below the code span's line end
        "content/cases/newham-spans.md:13:",  # <i>, below the link's two
        "content/cases/newham-spans.md:15:",  # <u, below the picture's one
        "content/cases/newham-spans.md:16:",  # <s>, below the line end inside <u ...>
    ]


@pytest.mark.parametrize("opening", [">-\n  ", ""], ids=["folded-block", "no-quotes"])
def test_a_folded_intro_keeps_its_paragraphs_and_its_errors_keep_their_lines(
    content: Path, opening: str
) -> None:
    # Under "intro: >-", or simply going on over the next lines: YAML folds both alike.
    recipe = content / "packs" / "folded.yaml"
    recipe.write_text(
        f"title: Folded\nintro: {opening}One paragraph,\n  over two lines.\n\n"
        "  Another, with a footnote\n  on its second line[^1].\nselect: {tags: [strategy]}\n",
        encoding="utf-8",
    )
    line = 6 + bool(opening)
    assert problems(content) == [
        f"content/packs/folded.yaml:{line}: footnotes ([^1]) are not supported; put the note "
        "in the text, in brackets"
    ]
    recipe.write_text(
        f"title: Folded\nintro: {opening}One paragraph,\n  over two lines.\n\n"
        "  Another,\n  - not a list.\nselect: {tags: [strategy]}\n",
        encoding="utf-8",
    )
    [read] = [r for r in load_corpus(content).recipes if r.id == "folded"]
    assert len(read.intro) == 2
    assert [plain_text(b.children) for b in read.intro if isinstance(b, Paragraph)] == [
        "One paragraph, over two lines.",
        "Another, - not a list.",
    ]


@pytest.mark.parametrize("quote", ["'", '"'])
def test_a_quoted_intro_over_several_lines_reports_errors_at_their_paragraph(
    content: Path, quote: str
) -> None:
    (content / "packs" / "quoted.yaml").write_text(
        f"title: Quoted\nintro: {quote}One paragraph,\n  over two lines.\n\n\n"
        f"  Another, with a footnote[^1]\n  on its first line.{quote}\n"
        "select: {tags: [strategy]}\n",
        encoding="utf-8",
    )
    assert problems(content) == [
        "content/packs/quoted.yaml:6: footnotes ([^1]) are not supported; put the note in the "
        "text, in brackets"
    ]


def test_a_listed_value_not_known_is_reported_at_its_own_line(content: Path) -> None:
    (content / "packs" / "listed.yaml").write_text(
        "title: Listed\nselect:\n  tags:\n    - strategy\n    - no-such-tag\n"
        "  places:\n    - Newham\n    - Nowhere\n",
        encoding="utf-8",
    )
    assert [line.split(" is not")[0] for line in problems(content)] == [
        "content/packs/listed.yaml:5: tags: 'no-such-tag'",
        "content/packs/listed.yaml:8: places: 'Nowhere'",
    ]


def test_a_folded_intro_joins_a_line_that_starts_like_a_list_or_heading_to_the_one_above(
    content: Path,
) -> None:
    (content / "packs" / "folded.yaml").write_text(
        "title: Folded\nintro: >-\n  Areas that plan together\n  - and with parents -\n"
        "  put # 1 first:\n  # 1 is families.\nselect: {tags: [strategy]}\n",
        encoding="utf-8",
    )
    [recipe] = [r for r in load_corpus(content).recipes if r.id == "folded"]
    assert [plain_text(b.children) for b in recipe.intro if isinstance(b, Paragraph)] == [
        "Areas that plan together - and with parents - put # 1 first: # 1 is families."
    ]
    assert len(recipe.intro) == 1


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


def test_a_pack_s_title_mistake_does_not_hide_its_selection_s(content: Path) -> None:
    (content / "packs" / "bad.yaml").write_text(
        'title: ""\nselect:\n  places: [Cardiff]\n', encoding="utf-8"
    )
    assert [p.split(": ", 1)[0] for p in problems(content)] == [
        "content/packs/bad.yaml:1",
        "content/packs/bad.yaml:3",
    ]


NEWPORT = "newport-mapping-local-assets"
# A recipe naming the Newport case, and only it, in its third line.
PICKED = f"title: Picked by hand\nselect:\n  cases: [{NEWPORT}]\n"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "insight: whole-local-resource",
            "insight: whole-local-resources",
            "5: insight: 'whole-local-resources' is not one of: strategic-planning, "
            "whole-local-resource (did you mean 'whole-local-resource'?)",
        ),
        ("page: 26\n", "", "2: missing required field 'page'"),
        (
            "places: [Newport]",
            "places: [[Newport]",
            "4: YAML syntax: expected ',' or ']', but got '<scalar>' (in the list opened with "
            "'[' on line 3)",
        ),
    ],
)
def test_a_recipe_naming_a_case_with_a_problem_of_its_own_is_not_blamed_for_it(
    content: Path, old: str, new: str, message: str
) -> None:
    (content / "packs" / "picked.yaml").write_text(PICKED, encoding="utf-8")
    case = content / "cases" / f"{NEWPORT}.md"
    text = case.read_text(encoding="utf-8")
    assert old in text
    case.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert problems(content) == [f"content/cases/{NEWPORT}.md:{message}"]


def test_a_recipe_naming_a_case_file_that_does_not_exist_is_told_the_closest(
    content: Path,
) -> None:
    ids = sorted(p.stem for p in (content / "cases").glob("*.md"))
    (content / "packs" / "picked.yaml").write_text(PICKED, encoding="utf-8")
    (content / "packs" / "typed.yaml").write_text(
        PICKED.replace(NEWPORT, "newport-mapping-assets"), encoding="utf-8"
    )
    (content / "cases" / f"{NEWPORT}.md").unlink()
    assert problems(content) == [
        f"content/packs/picked.yaml:3: cases: '{NEWPORT}' is not one of: "
        + ", ".join(i for i in ids if i != NEWPORT),
        "content/packs/typed.yaml:3: cases: 'newport-mapping-assets' is not one of: "
        + ", ".join(i for i in ids if i != NEWPORT),
    ]
    (content / "cases" / f"{NEWPORT}.md").write_text("no front matter\n", encoding="utf-8")
    assert problems(content) == [
        f"content/cases/{NEWPORT}.md:1: must start with front matter between two '---' lines",
        "content/packs/typed.yaml:3: cases: 'newport-mapping-assets' is not one of: "
        + ", ".join(ids)
        + f" (did you mean '{NEWPORT}'?)",
    ]


def test_a_new_place_or_tag_or_two_places_in_one_are_told_what_to_do(content: Path) -> None:
    write_case(content, "newham-new", GOOD_CASE.replace("[Newham]", "[Newham, Denbighshire]"))
    write_case(
        content,
        "newham-joined",
        GOOD_CASE.replace("[Newham]", "[Newham and Newport]").replace("A new case", "Joined"),
    )
    write_case(
        content,
        "newham-tag",
        GOOD_CASE.replace("integration]", "zebra-crossings]").replace("A new case", "Tagged"),
    )
    assert problems(content) == [
        "content/cases/newham-joined.md:3: places: 'Newham and Newport' is 2 names in one; "
        "list them apart: [Newham, Newport]",
        "content/cases/newham-new.md:3: places: 'Denbighshire' is not one of: Caerphilly, "
        "Newham, Newport, North Wales (a new one is added to places.yaml first)",
        "content/cases/newham-tag.md:6: tags: 'zebra-crossings' is not one of: "
        + ", ".join(t for t, _ in load_corpus(MINI).tags)
        + " (a new one is added to tags.yaml first)",
    ]


def test_a_value_missing_from_a_long_list_says_what_it_is_and_names_the_closest(
    tmp_path: Path,
) -> None:
    root = tmp_path / "content"
    shutil.copytree(REAL, root)
    (root / "packs" / "x.yaml").write_text(
        "title: Test\n"
        "select:\n"
        "  cases: [caerphilly-vision-for-chang, newham-50-step, cheshire-east, tower-hamlets-mat,"
        " zebra]\n"
        "  places: [Tower Hamlets East]\n"
        "  nations: [Scotland]\n",
        encoding="utf-8",
    )
    case = root / "cases" / "newham-the-50-steps-to-a-healthier-borough.md"
    text = case.read_text(encoding="utf-8")
    case.write_text(
        text.replace("places: [Newham]", "places: [Newham, Denbighshire]").replace(
            "maternity, partnerships]", "maternity, zebra-crossings]"
        ),
        encoding="utf-8",
    )
    where = "content/packs/x.yaml:3: cases: "
    kind = "is not a case file's name in content/cases, without .md"
    assert problems(root) == [
        "content/cases/newham-the-50-steps-to-a-healthier-borough.md:3: places: "
        "'Denbighshire' is not a place's name in content/places.yaml "
        "(a new one is added there first)",
        "content/cases/newham-the-50-steps-to-a-healthier-borough.md:6: tags: "
        "'zebra-crossings' is not a tag's id in content/tags.yaml "
        "(a new one is added there first)",
        f"{where}'caerphilly-vision-for-chang' {kind} "
        "(did you mean 'caerphilly-vision-for-change'?)",
        f"{where}'newham-50-step' {kind} "
        "(did you mean 'newham-the-50-steps-to-a-healthier-borough'?)",
        f"{where}'cheshire-east' {kind} (did you mean 'cheshire-east-child-health-hubs', "
        "'cheshire-east-information-sharing-agreements', 'cheshire-east-modelling-leadership' "
        "or one of 3 more starting 'cheshire-east'?)",
        # Typed in part: the one it starts, not the one difflib finds closest.
        f"{where}'tower-hamlets-mat' {kind} "
        "(did you mean 'tower-hamlets-maternity-and-early-years-governance'?)",
        f"{where}'zebra' {kind}",
        "content/packs/x.yaml:4: places: 'Tower Hamlets East' is not a place's name in "
        "content/places.yaml (did you mean 'Tower Hamlets'?)",
        # A short list is still given whole.
        "content/packs/x.yaml:5: nations: 'Scotland' is not one of: England, Wales",
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
        "content/cases/newham-latin1.md:9: is not valid UTF-8 text; save it as UTF-8"
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


# -- discussion prompts ---------------------------------------------------------------------

NEWHAM = "newham-the-50-steps-to-a-healthier-borough"
CAERPHILLY = "caerphilly-vision-for-change"


def prompt_lines(path: Path) -> tuple[list[str], int]:
    """A case file's lines and the 1-based number of its ``prompts:`` line."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return lines, next(n for n, line in enumerate(lines, 1) if line.startswith("prompts:"))


def edit_prompts(project: Path, case: str, prompts: list[str]) -> int:
    """Replace a case's prompt list with ``prompts`` (one ``  - `` line each); return the line
    of ``prompts:``."""
    path = project / "content" / "cases" / f"{case}.md"
    lines, at = prompt_lines(path)
    end = next(n for n in range(at, len(lines)) if not lines[n].startswith("  - "))
    lines[at:end] = [f"  - {p}\n" for p in prompts]
    path.write_text("".join(lines), encoding="utf-8")
    return at


def check_fails_with(run_cli: RunCli, project: Path, *expected: str) -> None:
    result = run_cli("check", cwd=project)
    assert result.stderr == "".join(f"{line}\n" for line in expected)
    assert result.returncode == 1
    assert result.stdout == ""


def test_check_refuses_a_case_with_one_prompt(mini_project: Path, run_cli: RunCli) -> None:
    at = edit_prompts(mini_project, NEWHAM, ["Who outside the council would answer this call?"])
    check_fails_with(
        run_cli,
        mini_project,
        f"content/cases/{NEWHAM}.md:{at}: prompts: give 2 to 3 discussion prompts (found 1)",
    )


def test_check_refuses_a_case_with_four_prompts(mini_project: Path, run_cli: RunCli) -> None:
    at = edit_prompts(
        mini_project,
        NEWHAM,
        [
            "Who outside the council would answer this call?",
            "Which step would be hardest here?",
            "Where does pregnancy appear in your plans?",
            "What would you add as a sixth step?",
        ],
    )
    check_fails_with(
        run_cli,
        mini_project,
        f"content/cases/{NEWHAM}.md:{at}: prompts: give 2 to 3 discussion prompts (found 4)",
    )


@pytest.mark.parametrize(
    ("prompt", "problem"),
    [
        (
            "Think about who outside the council would answer this call.",
            "this prompt is not a question; write it as one sentence ending in '?'",
        ),
        (
            "Who would answer this call? Why",
            "this prompt is not a question; write it as one sentence ending in '?'",
        ),
        (
            "Think of your own strategy. Who outside the council would answer its call?",
            "this prompt is more than one sentence; write it as one question ending in '?'",
        ),
        (
            "Would your partners answer? Who else would?",
            "this prompt is more than one sentence; write it as one question ending in '?'",
        ),
        ('""', "this prompt is empty"),
        ("", "this prompt is empty"),
    ],
)
def test_check_refuses_a_prompt_that_is_not_one_question(
    mini_project: Path, run_cli: RunCli, prompt: str, problem: str
) -> None:
    at = edit_prompts(mini_project, NEWHAM, ["Which step would be hardest here?", prompt])
    check_fails_with(
        run_cli, mini_project, f"content/cases/{NEWHAM}.md:{at + 2}: prompts: {problem}"
    )


def test_check_refuses_a_prompt_copied_from_another_case(
    mini_project: Path, run_cli: RunCli
) -> None:
    caerphilly = mini_project / "content" / "cases" / f"{CAERPHILLY}.md"
    lines, at = prompt_lines(caerphilly)
    copied = lines[at].removeprefix("  - ").rstrip("\n")
    # Capitals and spacing aside (a space before its '?', none after a comma), it is the
    # same prompt.
    retyped = copied.upper().replace("?", " ?").replace(", ", ",")
    assert retyped != copied.upper()
    newham_at = edit_prompts(mini_project, NEWHAM, ["Which step would be hardest here?", retyped])
    # Reported at the second file in name order, naming the first.
    check_fails_with(
        run_cli,
        mini_project,
        f"content/cases/{NEWHAM}.md:{newham_at + 2}: prompts: this prompt is also in "
        f"content/cases/{CAERPHILLY}.md; give each case prompts of its own",
    )


def test_a_prompt_twice_in_one_case_or_taken_from_an_insight_is_refused(content: Path) -> None:
    insight_prompt = "What shared picture of need do we plan from today?"  # insights.yaml
    write_case(
        content,
        "newham-repeats",
        GOOD_CASE.replace(
            'prompts: ["What would A new case change in your area?", '
            '"Who would lead A new case here?"]',
            f"prompts:\n  - Who would lead it?\n  - Who would  lead it?\n  - {insight_prompt}",
        ),
    )
    assert problems(content) == [
        "content/cases/newham-repeats.md:9: prompts: this prompt is listed twice",
        "content/cases/newham-repeats.md:10: prompts: this prompt is also in insight "
        "'strategic-planning' in insights.yaml; give each case prompts of its own",
    ]


def test_prompts_must_be_a_list_of_text(content: Path) -> None:
    write_case(
        content,
        "newham-shapes",
        GOOD_CASE.replace(
            'prompts: ["What would A new case change in your area?", '
            '"Who would lead A new case here?"]',
            "prompts:\n  - Who would lead it?\n  - Newport asks: what matters here?",
        ),
    )
    write_case(
        content,
        "newham-scalar",
        GOOD_CASE.replace("A new case", "Scalar").replace(
            'prompts: ["What would Scalar change in your area?", "Who would lead Scalar here?"]',
            "prompts: What would change here?",
        ),
    )
    assert problems(content) == [
        "content/cases/newham-scalar.md:7: prompts: expected a list of questions, one '- ' line "
        "each, got text",
        "content/cases/newham-shapes.md:9: prompts: expected text, got a mapping (put a prompt "
        "that holds ': ' in quotes)",
    ]


def test_a_case_without_prompts_is_refused(content: Path) -> None:
    write_case(
        content,
        "newham-unprompted",
        GOOD_CASE.replace(
            'prompts: ["What would A new case change in your area?", '
            '"Who would lead A new case here?"]\n',
            "",
        ),
    )
    write_case(
        content,
        "newham-new",
        GOOD_CASE.replace("A new case", "Imported").replace(
            'prompts: ["What would Imported change in your area?", '
            '"Who would lead Imported here?"]',
            "prompts: []",
        ),
    )
    assert problems(content) == [
        "content/cases/newham-new.md:7: prompts: give 2 to 3 discussion prompts (found 0)",
        "content/cases/newham-unprompted.md:2: missing required field 'prompts'",
    ]


def test_cases_carry_their_prompts_in_order(content: Path) -> None:
    case = next(c for c in load_corpus(content).cases if c.id == NEWHAM)
    assert case.prompts == (
        "Newham puts a healthy start in pregnancy first among its steps; where does pregnancy "
        "appear in your area’s plans for young children?",
        "Who outside the council would answer a call to action like Newham’s 50 Steps in your "
        "area?",
        "Which of Newham’s steps, such as childhood immunisations, would be hardest for your "
        "partners to move on?",
    )


def test_editing_a_prompt_changes_the_case_digest(content: Path) -> None:
    before = {c.id: c.digest for c in load_corpus(content).cases}
    path = content / "cases" / f"{NEWHAM}.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("hardest for your", "slowest for your"),
        encoding="utf-8",
    )
    after = {c.id: c.digest for c in load_corpus(content).cases}
    assert {i for i in before if before[i] != after[i]} == {NEWHAM}


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        ("---\nThe mapping exercise", "---\n The mapping exercise", True),
        ("programme:\n", "programme:   \n", True),
        ("programme:\n", "programme:\n\n\n", True),
        ("\n3. use statutory", "\n 3. use statutory", True),
        ("services\n", "services\n\n\n", True),
        ("programme:\n", "programme.\n", False),
        # The same words, one list item fewer: "3." now goes on the line before.
        ("\n3. use statutory", "\n   3. use statutory", False),
    ],
)
def test_the_case_digest_changes_only_with_what_the_case_shows(
    content: Path, old: str, new: str, same: bool
) -> None:
    path = content / "cases" / "newport-mapping-local-assets.md"
    before = {c.id: c.digest for c in load_corpus(content).cases}
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    after = {c.id: c.digest for c in load_corpus(content).cases}
    changed = {i for i in before if before[i] != after[i]}
    assert changed == (set() if same else {"newport-mapping-local-assets"})


def test_the_real_content_passes_check(real_project: Path, run_cli: RunCli) -> None:
    result = run_cli("check", cwd=real_project)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("54 cases, 10 insights, ")


def test_every_real_case_has_prompts_of_its_own() -> None:
    corpus = load_corpus(REAL)
    assert len(corpus.cases) == 54
    prompts = [(c.id, p) for c in corpus.cases for p in c.prompts]
    assert all(2 <= len(c.prompts) <= 3 for c in corpus.cases)
    # Not only different strings: no prompt reads like another case's or an insight's.
    insight_prompts = [(i.id, p) for i in corpus.insights for p in i.prompts]
    for n, (case, prompt) in enumerate(prompts):
        for other, text in prompts[n + 1 :] + insight_prompts:
            if other != case:
                words = difflib.SequenceMatcher(None, prompt.split(), text.split())
                assert words.ratio() < 0.6, (case, prompt, other, text)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("pages: [19, 25]", "pages: [0, 25]", "pages: the first page is 1 or more"),
        (
            "pages: [26, 32]",
            "pages: [25, 32]",
            "pages: 25 is within insight 1's pages [19, 25]; "
            "chapters follow each other without overlapping",
        ),
    ],
)
def test_insight_chapters_start_at_page_1_and_do_not_overlap(
    content: Path, old: str, new: str, message: str
) -> None:
    insights = content / "insights.yaml"
    text = insights.read_text(encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    insights.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert problems(content) == [f"content/insights.yaml:{line}: {message}"]


def test_a_mistake_in_an_insight_is_not_buried_under_its_cases(content: Path) -> None:
    insights = content / "insights.yaml"
    text = insights.read_text(encoding="utf-8")
    start = text.index("  prompts:")
    end = text.index("\n- number: 2")
    line = text[:start].count("\n") + 1
    insights.write_text(text[:start] + "  prompts: Some prompts\n" + text[end:], encoding="utf-8")
    assert problems(content) == [
        f"content/insights.yaml:{line}: prompts: expected a list such as [a, b], got text"
    ]


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        (
            "places.yaml",
            "nation: Wales",
            "nation: wales",
            "content/places.yaml:2: nation: 'wales' is not one of: England, Wales (did you mean "
            "'Wales'?)",
        ),
        (
            "places.yaml",
            "kind: region",
            "kind: regoin",
            "content/places.yaml:12: kind: 'regoin' is not one of: local "
            "authority, region (did you mean 'region'?)",
        ),
        (
            "tags.yaml",
            "label: Integrated services",
            "label:",
            "content/tags.yaml:2: label: is empty",
        ),
    ],
)
def test_a_mistake_in_a_place_or_tag_is_not_buried_under_its_cases(
    content: Path, name: str, old: str, new: str, message: str
) -> None:
    listed = content / name
    listed.write_text(listed.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    assert problems(content) == [message]


@pytest.mark.parametrize("body", ["&nbsp;\n", "\u200b\n", "\u00a0\u2060 \n"])
def test_a_case_whose_body_shows_nothing_is_refused(content: Path, body: str) -> None:
    write_case(content, "newham-blank", GOOD_CASE.replace("Some words from the report.\n", body))
    assert problems(content) == [
        "content/cases/newham-blank.md:9: the case has no body text (only invisible characters)"
    ]


def test_a_published_case_renamed_is_a_warning_naming_its_old_name(content: Path) -> None:
    cases = content / "cases"
    # Renamed; renamed and retitled (the same text); and a new case beside them.
    (cases / "caerphilly-vision-for-change.md").rename(cases / "caerphilly-vision.md")
    old = cases / "newham-the-50-steps-to-a-healthier-borough.md"
    text = old.read_text(encoding="utf-8")
    old.unlink()
    (cases / "newham-fifty-steps.md").write_text(
        text.replace("title: The 50 Steps to a healthier borough", "title: Fifty steps"),
        encoding="utf-8",
    )
    write_case(content, "newham-a-new-case", GOOD_CASE)
    # Renamed, its heading's capitals changed and its text edited.
    old = cases / "north-wales-regional-population-needs-assessment.md"
    text = old.read_text(encoding="utf-8")
    old.unlink()
    title = "title: Regional population needs assessment"
    assert title in text
    (cases / "north-wales-needs.md").write_text(
        text.replace(title, title.replace("Regional", "regional")) + "\nIt was revised.\n",
        encoding="utf-8",
    )
    warnings: list[Diagnostic] = []
    load_corpus(content, warnings)
    said = "published in the Test edition and no longer in the content: if this file was"
    tail = (
        "give it that name again, as a case under a new name is a new case and the old one "
        "is withdrawn from every pack and adapted copy that had it"
    )
    assert sorted(str(w).replace(str(content), "content") for w in warnings) == [
        "content/cases/caerphilly-vision.md:0: warning: reads as caerphilly-vision-for-change, "
        f"{said} caerphilly-vision-for-change.md, {tail}",
        "content/cases/newham-fifty-steps.md:0: warning: reads as "
        f"newham-the-50-steps-to-a-healthier-borough, {said} "
        f"newham-the-50-steps-to-a-healthier-borough.md, {tail}",
        "content/cases/north-wales-needs.md:0: warning: reads as "
        f"north-wales-regional-population-needs-assessment, {said} "
        f"north-wales-regional-population-needs-assessment.md, {tail}",
    ]


@pytest.mark.parametrize("platform", ["linux", "win32"])
def test_check_warns_of_an_ignored_declaration_in_either_process(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    # On Linux WeasyPrint reads the stylesheets in a second process; elsewhere in this one.
    import casebook.check
    from casebook.check import check_project

    layouts = tmp_path / "layouts"
    shutil.copytree(REAL.parent / "layouts", layouts)
    css = layouts / "pdf" / "pack.css"
    text = css.read_text(encoding="utf-8")
    css.write_text(text + "h1 { font-wieght: 700 }\n", encoding="utf-8")
    monkeypatch.setattr(casebook.check.sys, "platform", platform)
    warnings: list[Diagnostic] = []
    check_project(content, layouts, warnings=warnings)
    assert [str(w) for w in warnings] == [
        f"{css}:{text.count(chr(10)) + 1}: warning: Ignored `font-wieght: 700`, unknown "
        "property; the PDF is made without it"
    ]


def test_check_stops_waiting_for_weasyprint_stuck_on_a_stylesheet(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The second process is forked from this one, so it runs this stand-in for WeasyPrint.
    import time

    import casebook.check
    from casebook.check import check_project

    layouts = tmp_path / "layouts"
    shutil.copytree(REAL.parent / "layouts", layouts)
    monkeypatch.setattr(casebook.check.sys, "platform", "linux")
    monkeypatch.setattr(casebook.check, "style_warnings", lambda path: time.sleep(600))
    with pytest.raises(ContentError) as error:
        check_project(content, layouts, warnings=[], time_limit=3)
    assert [str(d) for d in error.value.diagnostics] == [
        f"{layouts / 'pdf'}:0: WeasyPrint took longer than 3 seconds to read the PDF "
        "stylesheets; a PDF build would stop at its time limit too"
    ]


THIRD_INSIGHT = """\
- number: 3
  id: leadership
  title: Lead across the system
  pages: [33, 40]
  summary: Leaders who share a vision.
  prompts:
    - Who leads our early childhood services today?
    - Where do leaders meet across agencies?
    - What would a shared vision change?
"""


def test_an_insight_with_no_case_is_a_warning_that_it_has_no_pack(content: Path) -> None:
    insights = content / "insights.yaml"
    text = insights.read_text(encoding="utf-8")
    insights.write_text(text + THIRD_INSIGHT, encoding="utf-8")
    line = text.count("\n") + 2
    warnings: list[Diagnostic] = []

    corpus = load_corpus(content, warnings)

    assert [str(w).replace(str(content), "content") for w in warnings] == [
        f"content/insights.yaml:{line}: warning: insight 'leadership' has no case yet, so it "
        "has no pack; a case joins it with 'insight: leadership' in its front matter"
    ]
    assert "leadership" not in {p.insight.id for p in select_packs(corpus) if p.insight}


def test_an_insight_id_used_twice_is_reported_even_when_the_first_has_a_mistake(
    content: Path,
) -> None:
    insights = content / "insights.yaml"
    text = insights.read_text(encoding="utf-8")
    twice = THIRD_INSIGHT.replace("id: leadership", "id: strategic-planning")
    insights.write_text(text.replace("pages: [19, 25]", "pages: [25, 19]") + twice, "utf-8")
    line = text.count("\n") + 2

    shown = problems(content)

    assert (
        f"content/insights.yaml:{line}: id: 'strategic-planning' is used twice (first on line 2)"
    ) in shown
    assert any(p.startswith("content/insights.yaml:4: pages:") for p in shown), shown


@pytest.mark.parametrize("name", ["packs", "media"])
def test_a_file_where_a_content_folder_belongs_is_reported(content: Path, name: str) -> None:
    shutil.rmtree(content / name)
    (content / name).write_text("title: A pack saved as the folder's name\n", encoding="utf-8")
    shown = problems(content)
    assert (
        f"content/{name}:0: is a file, not a folder, so nothing is read from it; {name}/ is a "
        "folder of files"
    ) in shown
