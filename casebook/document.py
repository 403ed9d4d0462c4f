"""Compose a pack into the one ``Document`` that both renderers walk, section by section."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import asdict, dataclass, replace

from casebook.blocks import Block, BulletList, Link, ListItem, Paragraph, Text
from casebook.model import PACK_KINDS, Case, Corpus, Pack, count_places

__all__ = [
    "CONTENTS_TITLE",
    "INSIGHT_PROMPTS_TITLE",
    "WHATS_NEW_TITLE",
    "ActionSheet",
    "CaseEntry",
    "CaseGroup",
    "Cover",
    "Document",
    "Section",
    "TocEntry",
    "case_entry",
    "compose_pack",
    "document_digest",
    "long_date",
    "with_first_case",
]

#: The section a pack opens with from its second edition on, where its cases changed.
WHATS_NEW_TITLE = "What’s new in this edition"
#: The heading of a pack's contents.
CONTENTS_TITLE = "Contents"

ACTION_COLUMNS = (
    "What will we do?",
    "Who will lead it?",
    "By when?",
    "How will we know it has worked?",
)


@dataclass(frozen=True)
class Cover:
    title: str
    subtitle: str  # kind of pack, number of cases, nations
    kind_label: str
    edition: str  # e.g. "First edition, 26 November 2026"


@dataclass(frozen=True)
class Section:
    """A titled run of blocks: the guide, the introduction, about the source."""

    anchor: str
    title: str
    blocks: tuple[Block, ...]
    # A single-insight pack's introduction closes with the questions on the insight, in the
    # box an insight section gives them in a pack that spans insights.
    prompts_title: str = ""
    prompts: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseEntry:
    anchor: str
    case_id: str
    heading: str  # "Caerphilly: Vision for change"
    meta: tuple[str, ...]  # places, nation(s), insight, shown as "a · b · c"
    blocks: tuple[Block, ...]
    citation: str
    prompts_title: str
    prompts: tuple[str, ...]
    notes_title: str
    notes_lines: int  # room for notes in Word; a PDF rules the rest of the case's last page

    @property
    def notes_heading(self) -> str:
        """The notes' heading where no running head names the case (Word), since the notes
        may start a page of their own: "Notes on Caerphilly: Vision for change"."""
        return f"{self.notes_title} on {self.heading}"


@dataclass(frozen=True)
class CaseGroup:
    """The cases of one insight. In a pack that spans insights (or a custom pack) each group
    opens with a section: the insight's title, our summary and the insight's prompts, once.
    A single-insight pack has one group without an opener (``title`` is empty): its
    introduction is the insight."""

    anchor: str  # "" when the group has no opener
    title: str  # "Insight 2: Plan with the whole local resource in mind", or ""
    blocks: tuple[Block, ...]  # the summary and any other text of the opener
    prompts_title: str
    prompts: tuple[str, ...]  # the insight's prompts, shown once in the opener
    cases: tuple[CaseEntry, ...]


@dataclass(frozen=True)
class ActionSheet:
    anchor: str
    title: str
    intro: str
    columns: tuple[str, ...]
    rows: int


@dataclass(frozen=True)
class TocEntry:
    anchor: str
    title: str
    level: int  # 1 for sections, 2 for cases
    children: tuple[TocEntry, ...] = ()  # the cases under a section, in ``toc_tree`` only


@dataclass(frozen=True)
class Document:
    """A finished pack, independent of format. Renderers read only this."""

    pack_id: str
    kind: str
    title: str
    lang: str
    date: str  # ISO date of the edition, used for metadata
    subject: str
    keywords: tuple[str, ...]
    short_citation: str  # footer text between the title and the page number
    cover: Cover
    guide: Section
    contents_title: str
    introduction: Section
    groups: tuple[CaseGroup, ...]
    action_sheet: ActionSheet
    about: Section
    # "What's new in this edition": from the second edition on, where the pack's cases changed.
    whats_new: Section | None = None
    edition_label: str = ""  # the edition the pack is published in, e.g. "Second edition"

    @property
    def cases(self) -> tuple[CaseEntry, ...]:
        """Every case entry in pack order, whatever groups them."""
        return tuple(c for g in self.groups for c in g.cases)

    def toc(self) -> tuple[TocEntry, ...]:
        """The contents, in page order: sections at level 1, cases at level 2 beneath their
        insight section (or beneath the introduction in a single-insight pack)."""
        entries = [TocEntry(self.guide.anchor, self.guide.title, 1)]
        if self.whats_new is not None:
            entries.append(TocEntry(self.whats_new.anchor, self.whats_new.title, 1))
        entries.append(TocEntry(self.introduction.anchor, self.introduction.title, 1))
        for group in self.groups:
            if group.title:
                entries.append(TocEntry(group.anchor, group.title, 1))
            entries += [TocEntry(c.anchor, c.heading, 2) for c in group.cases]
        entries += [
            TocEntry(self.action_sheet.anchor, self.action_sheet.title, 1),
            TocEntry(self.about.anchor, self.about.title, 1),
        ]
        return tuple(entries)

    def toc_tree(self) -> tuple[TocEntry, ...]:
        """The contents as a two-level list: each section with the cases beneath it."""
        tree: list[TocEntry] = []
        for entry in self.toc():
            if entry.level == 1 or not tree:
                tree.append(entry)
            else:
                tree[-1] = replace(tree[-1], children=(*tree[-1].children, entry))
        return tuple(tree)


def with_first_case(document: Document, case: CaseEntry) -> Document:
    """``document`` with its first case replaced by ``case`` (for tests and benchmarks)."""
    first, *rest = document.groups
    group = replace(first, cases=(case, *first.cases[1:]))
    return replace(document, groups=(group, *rest))


def document_digest(document: Document) -> str:
    """A sha256 of everything a document shows: the content half of an output's fingerprint."""
    data = json.dumps(asdict(document), sort_keys=True, ensure_ascii=False, default=_tagged)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _tagged(value: object) -> object:  # pragma: no cover - asdict leaves no other objects
    return repr(value)


def _para(text: str) -> Paragraph:
    return Paragraph((Text(text),))


INSIGHT_PROMPTS_TITLE = "Questions on the insight as a whole, for the close of the session"


def _bullets(lines: list[str]) -> BulletList:
    return BulletList(tuple(ListItem((_para(line),)) for line in lines))


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _places_in(corpus: Corpus, cases: tuple[Case, ...]) -> list[str]:
    return sorted({p for c in cases for p in c.places})


def _introduction(pack: Pack, corpus: Corpus) -> Section:
    places = _places_in(corpus, pack.cases)
    from_places = count_places(corpus.place(p).kind for p in places)
    blocks: list[Block] = []
    prompts: tuple[str, ...] = ()
    if pack.kind == "insight" and pack.insight is not None:
        insight = pack.insight
        title = f"Insight {insight.number}: {insight.title}"
        blocks.append(_para(insight.summary))
        blocks.append(
            _para(
                f"The cases in this pack come from chapter {insight.number} of the report "
                f"(pages {insight.pages[0]}–{insight.pages[1]})."
            )
        )
        prompts = insight.prompts
    elif pack.kind == "nation" and pack.nation is not None:
        title = f"Introduction: {pack.nation}"
        blocks.append(
            _para(
                f"This pack gathers the report’s case examples from {pack.nation}: "
                f"{_count(len(pack.cases), 'case')} from {from_places}, "
                "in a section for each insight they illustrate, in the report’s order:"
            )
        )
        blocks.append(_insights_drawn_on(pack, corpus))
    elif pack.kind == "custom" and pack.recipe is not None:
        title = "Introduction"
        blocks.extend(pack.recipe.intro)
        blocks.append(
            _para(
                f"This pack holds {_count(len(pack.cases), 'case')} from "
                f"{from_places}, in a section for each insight they "
                "illustrate, in the report’s order:"
            )
        )
        blocks.append(_insights_drawn_on(pack, corpus))
    else:
        title = "Introduction"
        blocks.append(
            _para(
                f"This pack holds every case example in the report: "
                f"{_count(len(pack.cases), 'case')} from {from_places}, "
                "in a section for each of the report’s insights:"
            )
        )
        blocks.append(_insights_drawn_on(pack, corpus))
    blocks.append(_para("Places represented in this pack:"))
    blocks.append(_bullets([f"{p} ({corpus.place(p).nation})" for p in places]))
    return Section(
        "introduction", title, tuple(blocks), INSIGHT_PROMPTS_TITLE if prompts else "", prompts
    )


def _insights_drawn_on(pack: Pack, corpus: Corpus) -> BulletList:
    """The insights a pack's cases illustrate, in the report's order, with how many cases
    each section holds."""
    lines = []
    for insight in corpus.insights:
        n = sum(1 for c in pack.cases if c.insight == insight.id)
        if n:
            # No-break spaces keep "(4 cases)" on one line, after the title's last word: on
            # a line of its own it reads as an afterthought.
            count = _count(n, "case").replace(" ", "\u00a0")
            lines.append(f"Insight {insight.number}: {insight.title}\u00a0({count})")
    return _bullets(lines)


def case_entry(case: Case, corpus: Corpus) -> CaseEntry:
    """``case`` as a pack shows it."""
    insight = corpus.insight(case.insight)
    nations = corpus.nations_of(case)
    return CaseEntry(
        anchor=f"case-{case.id}",
        case_id=case.id,
        heading=case.heading,
        meta=(
            " and ".join(case.places),
            " and ".join(nations),
            f"Insight {insight.number}: {insight.title}",
        ),
        blocks=case.body,
        citation=corpus.source.cite(case.page),
        prompts_title="Discussion prompts",
        prompts=case.prompts,
        notes_title="Notes",
        notes_lines=8,
    )


def _groups(pack: Pack, corpus: Corpus) -> tuple[CaseGroup, ...]:
    """The pack's cases by insight, in the report's order. An insight pack is one group whose
    opener is the pack's introduction."""
    if pack.kind == "insight":
        cases = tuple(case_entry(c, corpus) for c in pack.cases)
        return (CaseGroup("", "", (), "", (), cases),)
    groups: list[CaseGroup] = []
    for insight in corpus.insights:
        cases = tuple(case_entry(c, corpus) for c in pack.cases if c.insight == insight.id)
        if cases:
            groups.append(
                CaseGroup(
                    anchor=f"insight-{insight.id}",
                    title=f"Insight {insight.number}: {insight.title}",
                    blocks=(
                        _para(insight.summary),
                        _para(
                            f"{'This case comes' if len(cases) == 1 else 'These cases come'} "
                            f"from chapter {insight.number} of the report "
                            f"(pages {insight.pages[0]}–{insight.pages[1]})."
                        ),
                    ),
                    prompts_title=INSIGHT_PROMPTS_TITLE,
                    prompts=insight.prompts,
                    cases=cases,
                )
            )
    return tuple(groups)


def _about(corpus: Corpus, content_version: str, iso: str) -> Section:
    source = corpus.source
    authors = source.authors
    names = ", ".join(authors[:-1]) + f" and {authors[-1]}" if len(authors) > 1 else authors[0]
    blocks: tuple[Block, ...] = (
        _para(f"{names} ({source.year}). {source.title}. {source.publisher}."),
        Paragraph(
            (
                Text(f"The case examples are published online by the {source.publisher}: "),
                Link(source.url, (Text(f"{source.title}: case examples"),)),
                Text("."),
            )
        ),
        _para(source.rights),
        _para(
            "Every case in this pack is quoted from the report and followed by a citation "
            "to the report page it comes from. The introduction, summaries, discussion "
            "prompts, facilitator’s guide and action-planning sheet are written for these "
            "workshop packs and are not part of the report."
        ),
        _para(f"{source.edition.label}, {long_date(iso)}. Content version {content_version}."),
    )
    return Section("about", "About the source", blocks)


# Not strftime("%B"): what is printed must not depend on the machine's locale.
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(iso: str) -> str:
    """``2026-11-26`` as ``26 November 2026``, the same in every locale; text that is not an
    ISO date is returned as it is."""
    try:
        day = datetime.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def compose_pack(pack: Pack, corpus: Corpus, date: str | None = None) -> Document:
    """Compose ``pack`` into a Document. ``date`` (ISO) overrides the edition date."""
    source = corpus.source
    iso = date or source.edition.date
    nations = sorted({n for c in pack.cases for n in corpus.nations_of(c)})
    subtitle = (
        f"{PACK_KINDS[pack.kind].label} · {_count(len(pack.cases), 'case example')} · "
        f"{' and '.join(nations)}"
    )
    # The content version names what this pack shows, so one pack's edition changes only
    # when its own content does.
    version_basis = json.dumps(
        [pack.id, [c.digest for c in pack.cases], asdict(source)], sort_keys=True
    )
    content_version = hashlib.sha256(version_basis.encode("utf-8")).hexdigest()[:12]
    keywords = tuple(
        dict.fromkeys(
            ["early childhood", "case examples", "workshop"]
            + [corpus.tag_label(t) for c in pack.cases for t in c.tags]
        )
    )
    return Document(
        pack_id=pack.id,
        kind=pack.kind,
        title=pack.title,
        lang="en-GB",
        date=iso,
        subject=f"Case examples from {source.title} ({source.year})",
        keywords=keywords,
        short_citation=source.short_citation,
        cover=Cover(
            title=pack.title,
            subtitle=subtitle,
            kind_label=PACK_KINDS[pack.kind].label,
            edition=f"{source.edition.label}, {long_date(iso)}",
        ),
        guide=Section("guide", corpus.guide_title, corpus.guide),
        contents_title=CONTENTS_TITLE,
        introduction=_introduction(pack, corpus),
        groups=_groups(pack, corpus),
        action_sheet=ActionSheet(
            anchor="action-plan",
            title="Action-planning sheet",
            intro=(
                "Agree two or three actions before you close the session. Name one person "
                "for each, set a date, and say what you will look at to know it has worked."
            ),
            columns=ACTION_COLUMNS,
            rows=6,
        ),
        about=_about(corpus, content_version, iso),
        whats_new=_whats_new(pack, corpus),
        edition_label=source.edition.label,
    )


def _whats_new(pack: Pack, corpus: Corpus) -> Section | None:
    """One line per case of the pack added, updated or withdrawn since the edition before
    this one; None in a first edition or where none of the pack's cases changed."""
    from casebook.editions import WHATS_NEW_SINCE, whats_new

    found = whats_new(pack, corpus)
    if found is None:
        return None
    previous, lines = found
    blocks: tuple[Block, ...] = (
        _para(WHATS_NEW_SINCE.format(label=previous.label, date=long_date(previous.date))),
        _bullets(list(lines)),
    )
    return Section("whats-new", WHATS_NEW_TITLE, blocks)
