"""Select cases into packs: one per insight, one per nation, all cases, and custom recipes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from casebook.diagnostics import ContentError, Diagnostic
from casebook.model import NATIONS, Case, Corpus, Insight, Pack, Selection
from casebook.text import is_slug

__all__ = ["ALL_CASES_ID", "builtin_pack_ids", "check_pack_ids", "select_cases", "select_packs"]

ALL_CASES_ID = "all-cases"


def _insight_pack_id(insight: Insight) -> str:
    return f"insight-{insight.number:02d}-{insight.id}"


def _nation_pack_id(nation: str) -> str:
    return f"nation-{nation.lower()}"


def builtin_pack_ids(insights: tuple[Insight, ...]) -> frozenset[str]:
    """The ids of the packs Casebook makes itself, which a custom recipe may not take."""
    ids = {_insight_pack_id(i) for i in insights} | {_nation_pack_id(n) for n in NATIONS}
    return frozenset(ids | {ALL_CASES_ID})


def select_cases(
    selection: Selection, cases: tuple[Case, ...], nations_of: Callable[[Case], tuple[str, ...]]
) -> tuple[Case, ...]:
    """The cases a selection takes, in report order. Criteria combine with AND, the values
    of one criterion with OR; ``cases`` adds named cases whatever the criteria say."""
    criteria = (selection.insights, selection.nations, selection.places, selection.tags)

    def matches(case: Case) -> bool:
        if not any(criteria):
            return False
        return (
            (not selection.insights or case.insight in selection.insights)
            and (not selection.nations or bool(set(nations_of(case)) & set(selection.nations)))
            and (not selection.places or bool(set(case.places) & set(selection.places)))
            and (not selection.tags or bool(set(case.tags) & set(selection.tags)))
        )

    return tuple(c for c in cases if matches(c) or c.id in selection.cases)


def select_packs(corpus: Corpus) -> tuple[Pack, ...]:
    """Every pack, in a stable order: insights, nations, all cases, then custom recipes."""
    packs: list[Pack] = []
    for insight in corpus.insights:
        cases = tuple(c for c in corpus.cases if c.insight == insight.id)
        if cases:
            packs.append(
                Pack(
                    id=_insight_pack_id(insight),
                    kind="insight",
                    title=insight.title,
                    cases=cases,
                    insight=insight,
                )
            )
    for nation in NATIONS:
        cases = tuple(c for c in corpus.cases if nation in corpus.nations_of(c))
        if cases:
            packs.append(
                Pack(
                    id=_nation_pack_id(nation),
                    kind="nation",
                    title=f"Case examples from {nation}",
                    cases=cases,
                    nation=nation,
                )
            )
    packs.append(Pack(id=ALL_CASES_ID, kind="all", title="All case examples", cases=corpus.cases))
    for recipe in corpus.recipes:
        cases = select_cases(recipe.selection, corpus.cases, corpus.nations_of)
        packs.append(
            Pack(id=recipe.id, kind="custom", title=recipe.title, cases=cases, recipe=recipe)
        )
    return tuple(packs)


def check_pack_ids(packs: Sequence[Pack], out_dir: Path) -> None:
    """Raise ContentError unless every pack id is a safe, unique file name (the rule of
    ``text.is_slug``, the same as for the file names of cases and recipes)."""
    problems: list[Diagnostic] = []
    seen: dict[str, Pack] = {}
    for pack in packs:
        where = pack.recipe.path if pack.recipe is not None else str(out_dir)
        reason = is_slug(pack.id)
        if reason is not None:
            problems.append(
                Diagnostic(where, 0, f"pack id {pack.id!r} is not a safe file name: {reason}")
            )
            continue
        if pack.id in seen:
            first = seen[pack.id]
            first_where = (
                first.recipe.path if first.recipe is not None else f"the {first.kind} pack"
            )
            problems.append(
                Diagnostic(
                    where,
                    0,
                    f"pack id {pack.id!r} is also used by {first_where}: both would write "
                    f"their files as {out_dir / pack.id}.*; rename one",
                )
            )
            continue
        seen[pack.id] = pack
    if problems:
        raise ContentError(problems)
