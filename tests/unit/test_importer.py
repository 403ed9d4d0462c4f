"""The seed importer: EIF case-examples text in, case Markdown files out."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import REAL_CONTENT, ROOT

from casebook.blocks import BulletList, Figure, Link, OrderedList, Paragraph, plain_text
from casebook.content import load_corpus
from casebook.diagnostics import ContentError, Diagnostic
from casebook.importer import import_seed, slugify
from casebook.markdown import parse_markdown

SEED = textwrap.dedent(
    """\
    Skip navigation
    Case study

    Leading and delivering early childhood services: Case examples

    Over 50 short case studies, from EIF's 2022 report.


    Hammersmith and Fulham: ‘Champions’: a test

    Direct link

    Hammersmith and Fulham fund a community champions programme – for ‘local people’.

    From: Leading and delivering early childhood services: 10 insights, page 12


    Wrexham and Flintshire: Steps and links

    Direct link

    The plan has three steps:

      3. start at three
      4. then four

    Core training includes:

      • relational practice
      • safeguarding children.

    Schematic diagram of the local strategy

    See Mark Friedman’s work: http://resultsaccountability.com/. Three questions follow.

    2022. A year of *stars*, _lines_, [brackets], <b>tags</b>, a|pipe and # hashes
    # not a heading
    - not a bullet

    From: Leading and delivering early childhood services: 10 insights, page 25

    About the authors

    Ben Lewing

    Ben is assistant director, policy & practice, at EIF.
    """
)

INSIGHTS = textwrap.dedent(
    """\
    - {number: 1, id: first-insight, title: First, pages: [10, 20]}
    - {number: 2, id: second-insight, title: Second, pages: [21, 30]}
    """
)

PLACES = textwrap.dedent(
    """\
    - {name: Flintshire, nation: Wales, kind: local authority}
    - {name: Hammersmith and Fulham, nation: England, kind: local authority}
    - {name: Wrexham, nation: Wales, kind: local authority}
    """
)

SEED_FILE = ROOT / "tests" / "fixtures" / "seed" / "eif-case-examples.txt"
CHAMPIONS = "hammersmith-and-fulham-champions-a-test.md"
STEPS = "wrexham-and-flintshire-steps-and-links.md"


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A seed file and a content folder holding only insights.yaml and places.yaml."""
    seed = tmp_path / "seed.txt"
    seed.write_text(SEED, encoding="utf-8")
    content = tmp_path / "content"
    content.mkdir()
    (content / "insights.yaml").write_text(INSIGHTS, encoding="utf-8")
    (content / "places.yaml").write_text(PLACES, encoding="utf-8")
    return seed, content


def _front_and_body(path: Path) -> tuple[dict[str, object], str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    loaded = yaml.safe_load(front)
    assert isinstance(loaded, dict)
    return loaded, body


def _blocks(path: Path) -> tuple[object, ...]:
    _, body = _front_and_body(path)
    blocks, problems = parse_markdown(body, str(path), 8)
    assert problems == []
    return blocks


def test_one_file_per_case_named_from_place_and_title(project: tuple[Path, Path]) -> None:
    seed, content = project
    paths = import_seed(seed, content)
    assert [p.name for p in paths] == [CHAMPIONS, STEPS]
    assert sorted(p.name for p in (content / "cases").iterdir()) == [CHAMPIONS, STEPS]


def test_front_matter_is_written_in_a_fixed_order_and_quoted_where_yaml_would_guess(
    project: tuple[Path, Path],
) -> None:
    seed, content = project
    import_seed(seed, content)
    text = (content / "cases" / CHAMPIONS).read_text(encoding="utf-8")
    assert text.splitlines()[:8] == [
        "---",
        'title: "‘Champions’: a test"',
        "places: [Hammersmith and Fulham]",
        "page: 12",
        "insight: first-insight",
        "tags: []",
        "prompts: []",
        "---",
    ]
    front, _ = _front_and_body(content / "cases" / STEPS)
    assert front == {
        "title": "Steps and links",
        "places": ["Wrexham", "Flintshire"],
        "page": 25,
        "insight": "second-insight",
        "tags": [],
        "prompts": [],
    }


def test_body_keeps_the_text_and_drops_direct_link_citation_header_and_tail(
    project: tuple[Path, Path],
) -> None:
    seed, content = project
    import_seed(seed, content)
    _, body = _front_and_body(content / "cases" / CHAMPIONS)
    assert body == (
        "Hammersmith and Fulham fund a community champions programme – for ‘local people’.\n"
    )
    _, steps = _front_and_body(content / "cases" / STEPS)
    for absent in ("Direct link", "From:", "About the authors", "Ben Lewing", "Skip navigation"):
        assert absent not in steps


def test_lists_figure_and_link_become_markdown(project: tuple[Path, Path]) -> None:
    seed, content = project
    import_seed(seed, content)
    _, body = _front_and_body(content / "cases" / STEPS)
    assert "\n3. start at three\n4. then four\n" in body
    assert "\n- relational practice\n- safeguarding children.\n" in body
    assert "\n![Schematic diagram of the local strategy]()\n" in body
    assert (
        "See Mark Friedman’s work: [http://resultsaccountability.com/]"
        "(https://resultsaccountability.com/). Three questions follow." in body
    )

    blocks = _blocks(content / "cases" / STEPS)
    ordered = next(b for b in blocks if isinstance(b, OrderedList))
    assert ordered.start == 3
    assert [plain_text(item.blocks) for item in ordered.items] == [
        "start at three\n",
        "then four\n",
    ]
    bullets = next(b for b in blocks if isinstance(b, BulletList))
    assert len(bullets.items) == 2
    assert Figure(alt="Schematic diagram of the local strategy", src=None) in blocks
    link_paragraph = next(
        b for b in blocks if isinstance(b, Paragraph) and "Friedman" in plain_text((b,))
    )
    link = next(c for c in link_paragraph.children if isinstance(c, Link))
    assert link.href == "https://resultsaccountability.com/"
    assert plain_text(link.children) == "http://resultsaccountability.com/"


def test_characters_markdown_would_interpret_are_escaped(project: tuple[Path, Path]) -> None:
    seed, content = project
    import_seed(seed, content)
    blocks = _blocks(content / "cases" / STEPS)
    assert all(isinstance(b, Paragraph | OrderedList | BulletList | Figure) for b in blocks)
    last = blocks[-1]
    assert isinstance(last, Paragraph)
    # One paragraph, three lines, exactly the seed's characters (soft breaks read as spaces).
    assert " ".join(plain_text((last,)).split()) == (
        "2022. A year of *stars*, _lines_, [brackets], <b>tags</b>, a|pipe and # hashes"
        " # not a heading - not a bullet"
    )


def test_reimport_writes_identical_bytes(project: tuple[Path, Path]) -> None:
    seed, content = project
    first = {p.name: p.read_bytes() for p in import_seed(seed, content)}
    second = {p.name: p.read_bytes() for p in import_seed(seed, content)}
    assert first == second


def test_reimport_keeps_editors_tags_and_restores_the_seed_text(
    project: tuple[Path, Path],
) -> None:
    seed, content = project
    import_seed(seed, content)
    path = content / "cases" / CHAMPIONS
    edited = path.read_text(encoding="utf-8").replace("tags: []", "tags: [volunteering, maternity]")
    path.write_text(edited.replace("champions", "CHAMPS"), encoding="utf-8")

    import_seed(seed, content)

    front, body = _front_and_body(path)
    assert front["tags"] == ["volunteering", "maternity"]
    assert "community champions programme" in body


def test_reimport_keeps_editors_prompts_one_per_line(project: tuple[Path, Path]) -> None:
    seed, content = project
    import_seed(seed, content)
    path = content / "cases" / CHAMPIONS
    prompts = [
        "Who in your area could act as a champion for new parents?",
        "Which venue: a children’s centre or a library, would suit them best?",
    ]
    listed = "".join(f"\n  - {json.dumps(p, ensure_ascii=False)}" for p in prompts)
    edited = path.read_text(encoding="utf-8").replace("prompts: []", f"prompts:{listed}")
    path.write_text(edited.replace("champions", "CHAMPS"), encoding="utf-8")

    import_seed(seed, content)

    front, body = _front_and_body(path)
    assert front["prompts"] == prompts
    assert "community champions programme" in body
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[6:10] == [
        "prompts:",
        "  - Who in your area could act as a champion for new parents?",
        '  - "Which venue: a children’s centre or a library, would suit them best?"',
        "---",
    ]
    again = path.read_bytes()
    import_seed(seed, content)
    assert path.read_bytes() == again


def test_reimporting_the_report_keeps_every_real_case_and_a_new_case_asks_for_prompts(
    tmp_path: Path,
) -> None:
    content = tmp_path / "content"
    shutil.copytree(REAL_CONTENT, content)
    new = content / "cases" / "hammersmith-and-fulham-community-champions.md"
    new.unlink()
    before = {p.name: p.read_bytes() for p in (content / "cases").iterdir()}

    import_seed(SEED_FILE, content)

    after = {p.name: p.read_bytes() for p in (content / "cases").iterdir()}
    assert {name: after[name] for name in before} == before
    with pytest.raises(ContentError) as caught:
        load_corpus(content)
    assert [str(d).replace(str(content), "content") for d in caught.value.diagnostics] == [
        f"content/cases/{new.name}:6: tags: is empty; give 2 to 5 tags",
        f"content/cases/{new.name}:7: prompts: give 2 to 3 discussion prompts (found 0)",
    ]


def test_a_page_in_no_insight_is_reported_at_its_citation_line(
    project: tuple[Path, Path],
) -> None:
    seed, content = project
    broken = SEED.replace("page 25", "page 99")
    seed.write_text(broken, encoding="utf-8")
    from_line = next(n for n, line in enumerate(broken.splitlines(), 1) if "page 99" in line)
    with pytest.raises(ContentError) as caught:
        import_seed(seed, content)
    assert caught.value.diagnostics == (
        Diagnostic(
            str(seed),
            from_line,
            "page 99 of 'Wrexham and Flintshire: Steps and links' is in no insight's pages "
            "(first-insight 10-20, second-insight 21-30)",
        ),
    )
    assert not (content / "cases").exists()


def test_a_case_without_its_citation_line_is_reported(project: tuple[Path, Path]) -> None:
    seed, content = project
    broken = SEED.replace(
        "From: Leading and delivering early childhood services: 10 insights, page 12\n", ""
    )
    seed.write_text(broken, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        import_seed(seed, content)
    assert [str(d) for d in caught.value.diagnostics] == [
        f"{seed}:9: 'Hammersmith and Fulham: ‘Champions’: a test' has no "
        "'From: ..., page N' line before the next case"
    ]


def test_missing_insights_file_is_reported(project: tuple[Path, Path]) -> None:
    seed, content = project
    (content / "insights.yaml").unlink()
    with pytest.raises(ContentError) as caught:
        import_seed(seed, content)
    assert [str(d) for d in caught.value.diagnostics] == [
        f"{content / 'insights.yaml'}:0: file not found"
    ]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Caerphilly Vision for change", "caerphilly-vision-for-change"),
        (
            "Tower Hamlets Practice–research partnership",
            "tower-hamlets-practice-research-partnership",
        ),
        ("Cheshire East ‘No app to replace your lap’", "cheshire-east-no-app-to-replace-your-lap"),
        ("Caerphilly A core offer, not a menu", "caerphilly-a-core-offer-not-a-menu"),
        ("Newport Key workers’ café", "newport-key-workers-cafe"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug
