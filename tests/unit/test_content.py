"""The committed content: all 54 cases, each exactly the report's words, correctly placed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from casebook.blocks import plain_text
from casebook.content import load_corpus
from casebook.diagnostics import Diagnostic
from casebook.model import Corpus, count_places
from casebook.packs import select_packs

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
# The report's case-examples page as text, kept beside the tests so they need nothing else.
SEED = REPO / "tests" / "fixtures" / "seed" / "eif-case-examples.txt"

# The insights and their chapter pages, as DESIGN.md lists them from the report.
INSIGHT_PAGES = {
    "strategic-planning": (19, 25),
    "whole-local-resource": (26, 32),
    "leadership": (33, 38),
    "communities": (39, 43),
    "evidence-based-interventions": (44, 49),
    "multi-agency-working": (50, 54),
    "sharing-personal-data": (55, 58),
    "information-for-families": (59, 62),
    "outcomes-and-experience": (63, 70),
    "research-practice-partnership": (71, 74),
}
# The places in the report that are in Wales; every other place is in England.
WELSH_PLACES = {
    "Anglesey",
    "Caerphilly",
    "Cardiff",
    "Carmarthenshire",
    "Ceredigion",
    "Flintshire",
    "Newport",
    "North Wales",
    "Torfaen",
    "Vale of Glamorgan",
    "Wrexham",
}
# Headings naming two places; every other heading names one place.
TWO_PLACES = {
    "Carmarthenshire and Ceredigion": ("Carmarthenshire", "Ceredigion"),
    "Wrexham and Flintshire": ("Wrexham", "Flintshire"),
    "Calderdale and Kirklees": ("Calderdale", "Kirklees"),
}


@dataclass(frozen=True)
class SeedCase:
    heading: str
    page: int
    text: str  # whitespace-normalised, list markers removed


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _seed_cases() -> tuple[SeedCase, ...]:
    """The cases as the report's page prints them, read independently of the importer."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    cases = []
    for index, line in enumerate(lines):
        if line.strip() != "Direct link":
            continue
        heading = next(lines[i] for i in range(index - 1, -1, -1) if lines[i].strip())
        end = next(i for i in range(index, len(lines)) if lines[i].startswith("From: "))
        page = re.fullmatch(r"From: .*, page (\d+)", lines[end])
        assert page is not None
        body = [re.sub(r"^\s+(\d+\.|•)\s+", "", text) for text in lines[index + 1 : end]]
        cases.append(SeedCase(heading.strip(), int(page.group(1)), _normalise(" ".join(body))))
    return tuple(cases)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    warnings: list[Diagnostic] = []
    loaded = load_corpus(CONTENT, warnings)
    assert [str(w) for w in warnings] == []
    return loaded


@pytest.fixture(scope="module")
def seed_cases() -> tuple[SeedCase, ...]:
    return _seed_cases()


def test_there_are_54_case_files() -> None:
    assert len(list((CONTENT / "cases").glob("*.md"))) == 54


def test_every_seed_case_is_published_once(
    corpus: Corpus, seed_cases: tuple[SeedCase, ...]
) -> None:
    assert len(seed_cases) == 54
    assert sorted(c.heading for c in corpus.cases) == sorted(s.heading for s in seed_cases)


def test_each_case_has_the_seed_title_places_and_page(
    corpus: Corpus, seed_cases: tuple[SeedCase, ...]
) -> None:
    by_heading = {c.heading: c for c in corpus.cases}
    for seed in seed_cases:
        case = by_heading[seed.heading]
        place_part, title = seed.heading.split(": ", 1)
        assert case.title == title
        assert case.places == TWO_PLACES.get(place_part, (place_part,)), seed.heading
        assert case.page == seed.page, seed.heading


def test_each_case_body_is_the_seed_text(corpus: Corpus, seed_cases: tuple[SeedCase, ...]) -> None:
    by_heading = {c.heading: c for c in corpus.cases}
    for seed in seed_cases:
        assert _normalise(plain_text(by_heading[seed.heading].body)) == seed.text, seed.heading


def test_each_case_is_in_the_insight_whose_pages_hold_it(corpus: Corpus) -> None:
    assert {i.id: i.pages for i in corpus.insights} == INSIGHT_PAGES
    for case in corpus.cases:
        first, last = INSIGHT_PAGES[case.insight]
        assert first <= case.page <= last, case.id


def test_each_case_is_in_the_right_nation(corpus: Corpus) -> None:
    for case in corpus.cases:
        expected = tuple(
            dict.fromkeys("Wales" if p in WELSH_PLACES else "England" for p in case.places)
        )
        assert corpus.nations_of(case) == expected, case.id
    nations = {n for c in corpus.cases for n in corpus.nations_of(c)}
    assert nations == {"England", "Wales"}


def test_places_are_sorted_and_each_is_named_by_a_case(corpus: Corpus) -> None:
    names = [p.name for p in corpus.places]
    assert names == sorted(names)
    assert set(names) == {p for c in corpus.cases for p in c.places}
    assert corpus.place("North Wales").kind == "region"


def test_every_tag_in_the_controlled_list_is_used(corpus: Corpus) -> None:
    used = {t for c in corpus.cases for t in c.tags}
    assert used == {tag for tag, _ in corpus.tags}
    assert all(2 <= len(c.tags) <= 5 for c in corpus.cases)


def test_speech_language_communication_pack_spans_insights(corpus: Corpus) -> None:
    pack = next(p for p in select_packs(corpus) if p.id == "speech-language-communication")
    assert pack.title == "Speech, language and communication"
    assert len(pack.cases) >= 4
    assert len({c.insight for c in pack.cases}) >= 2
    assert "warrington-early-years-peer-challenge" in {c.id for c in pack.cases}


def test_the_figure_survives_as_its_description(corpus: Corpus) -> None:
    case = next(
        c for c in corpus.cases if c.id == "north-wales-regional-population-needs-assessment"
    )
    assert plain_text(case.body).endswith(
        "Schematic diagram of North Wales children and young strategy\n"
    )


def test_citation_names_the_report_and_page(corpus: Corpus) -> None:
    assert corpus.source.cite(19) == (
        "From: Leading and delivering early childhood services: "
        "10 insights from 20 places across England and Wales, page 19"
    )


def test_places_are_counted_by_kind_as_a_pack_says_them(corpus: Corpus) -> None:
    # Counted by kind, a region where local authorities work together is not one more
    # local authority.
    assert count_places(p.kind for p in corpus.places) == "20 local authorities and 1 region"
    assert count_places(["local authority"]) == "1 local authority"
    assert count_places(["region", "local authority", "region"]) == (
        "1 local authority and 2 regions"
    )
