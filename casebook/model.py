"""The content model: typed, frozen objects built by the loader and read by everything after it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from casebook.blocks import Block

__all__ = [
    "NATIONS",
    "PACK_KINDS",
    "PLACE_KINDS",
    "Case",
    "CaseRecord",
    "Corpus",
    "Edition",
    "EditionRecord",
    "Insight",
    "Pack",
    "PackKind",
    "PackRecipe",
    "Place",
    "Selection",
    "Source",
    "count_places",
]


#: The nations a place can be in, in the order their packs are built.
NATIONS = ("England", "Wales")

#: The kinds of place a case can come from, each with its plural, in the order they are counted.
PLACE_KINDS = {"local authority": "local authorities", "region": "regions"}


def count_places(kinds: Iterable[str]) -> str:
    """How many places of each kind (each a key of PLACE_KINDS), for a sentence: "20 local
    authorities and 1 region".

    Counted by kind, so that a region where local authorities work together is not taken
    for one more local authority."""
    counts = Counter(kinds)
    parts = [
        f"{counts[kind]} {kind if counts[kind] == 1 else plural}"
        for kind, plural in PLACE_KINDS.items()
        if counts[kind]
    ]
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


@dataclass(frozen=True)
class Edition:
    """Which edition of the packs this is; ``date`` is ISO ``YYYY-MM-DD``."""

    label: str
    date: str


@dataclass(frozen=True)
class Source:
    """The report the cases come from (``content/source.yaml``)."""

    title: str
    short_citation: str  # the footer's citation, e.g. "EIF (2022), Leading and delivering ..."
    publisher: str
    authors: tuple[str, ...]
    year: int
    url: str  # the case-examples page
    rights: str
    citation: str  # template, e.g. "From: {title}, page {page}"
    edition: Edition

    def cite(self, page: int) -> str:
        """The citation printed under a case, identical in every format."""
        return self.citation.format(title=self.title, page=page)


@dataclass(frozen=True)
class Place:
    """A local area named by a case."""

    name: str
    nation: str  # "England" or "Wales"
    kind: str  # a key of PLACE_KINDS


@dataclass(frozen=True)
class Insight:
    """One of the report's ten insights (a chapter)."""

    number: int
    id: str
    title: str
    pages: tuple[int, int]
    summary: str
    prompts: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    """One case example: the report's words, with where they came from."""

    id: str  # the file stem
    path: str  # path of the source file, as given to the loader
    title: str
    places: tuple[str, ...]
    page: int
    insight: str
    tags: tuple[str, ...]
    body: tuple[Block, ...]
    digest: str  # sha256 of what the case shows: its front matter's values and its blocks
    prompts: tuple[str, ...] = ()  # the case's own discussion prompts, in our words
    text: str = ""  # the body as its file gives it (Markdown), which editions record

    @property
    def heading(self) -> str:
        """The case's heading as the report prints it: ``Place: Title``."""
        return f"{' and '.join(self.places)}: {self.title}"


@dataclass(frozen=True)
class CaseRecord:
    """What a case said at a published edition: everything a reader of a pack sees of it."""

    title: str
    places: tuple[str, ...]
    page: int
    insight: str
    tags: tuple[str, ...]  # not printed, but custom packs select by them
    citation: str
    prompts: tuple[str, ...]
    text: str  # the body, in Markdown

    @property
    def heading(self) -> str:
        """The case's heading, as :attr:`Case.heading` prints it."""
        return f"{' and '.join(self.places)}: {self.title}"


@dataclass(frozen=True)
class EditionRecord:
    """A published edition (``content/editions/NNN-<label>.yaml``): its label, its date and
    what every case said then."""

    label: str
    date: str  # ISO YYYY-MM-DD
    path: str
    cases: tuple[tuple[str, CaseRecord], ...]  # (case id, record), in report order

    def case(self, case_id: str) -> CaseRecord | None:
        """The record of a case at this edition, or None when it was not in it."""
        return dict(self.cases).get(case_id)


@dataclass(frozen=True)
class Selection:
    """Which cases a custom pack takes. Criteria combine with AND, values within one with OR;
    ``cases`` names cases to add whatever the criteria say."""

    insights: tuple[str, ...] = ()
    nations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()


@dataclass(frozen=True)
class PackRecipe:
    """A custom pack written down by an editor (``content/packs/<id>.yaml``)."""

    id: str
    path: str
    title: str
    intro: tuple[Block, ...]
    selection: Selection


@dataclass(frozen=True)
class Corpus:
    """Everything in ``content/``, loaded and validated."""

    root: str
    source: Source
    insights: tuple[Insight, ...]
    places: tuple[Place, ...]
    tags: tuple[tuple[str, str], ...]  # (tag, label), the controlled list
    cases: tuple[Case, ...]  # in report order: page, then id
    recipes: tuple[PackRecipe, ...]
    guide_title: str
    guide: tuple[Block, ...]
    editions: tuple[EditionRecord, ...] = ()  # published editions, oldest first

    def insight(self, insight_id: str) -> Insight:
        """The insight with this id."""
        return next(i for i in self.insights if i.id == insight_id)

    def place(self, name: str) -> Place:
        """The place with this name."""
        return next(p for p in self.places if p.name == name)

    def nations_of(self, case: Case) -> tuple[str, ...]:
        """The nations a case's places are in, in first-seen order."""
        return tuple(dict.fromkeys(self.place(p).nation for p in case.places))

    def tag_label(self, tag: str) -> str:
        """The human label of a tag."""
        return dict(self.tags)[tag]


@dataclass(frozen=True)
class PackKind:
    """How a kind of pack is named: on its cover and contents and in the downloads page's links
    to each kind (``label``), and as the short tag on its downloads-page card (``tag``, the
    label's first word, so that a link lands on a card that says the same)."""

    label: str
    tag: str


#: The kinds of pack, by ``Pack.kind``.
PACK_KINDS = {
    "insight": PackKind("Insight pack", "Insight"),
    "nation": PackKind("Nation pack", "Nation"),
    "all": PackKind("Complete pack", "Complete"),
    "custom": PackKind("Themed pack", "Themed"),
}


@dataclass(frozen=True)
class Pack:
    """A selection of cases to publish together."""

    id: str
    kind: str  # a key of PACK_KINDS
    title: str
    cases: tuple[Case, ...]
    insight: Insight | None = None
    nation: str | None = None
    recipe: PackRecipe | None = None
