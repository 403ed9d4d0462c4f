"""Load and validate ``content/``: every problem is gathered, then reported at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from casebook.blocks import Block
from casebook.cases import read_cases
from casebook.content_files import FILE_LIMIT, FRONT_MATTER_LIMIT, ContentFiles, Problems
from casebook.diagnostics import ContentError, Diagnostic
from casebook.fields import (
    LINE_LIMIT,
    LINE_LIMITS,
    LIST_LIMITS,
    TEXT_LIMIT,
    Fields,
    known,
)
from casebook.model import (
    NATIONS,
    Case,
    Corpus,
    Edition,
    Insight,
    PackRecipe,
    Place,
    Selection,
)
from casebook.records import (
    read_editions,
    read_guide,
    read_insights,
    read_places,
    read_source,
    read_tags,
)
from casebook.text import is_slug
from casebook.yamlfile import Node

__all__ = [
    "FILE_LIMIT",
    "FRONT_MATTER_LIMIT",
    "LINE_LIMIT",
    "LINE_LIMITS",
    "LIST_LIMITS",
    "NATIONS",
    "TEXT_LIMIT",
    "load_corpus",
]


def load_corpus(
    root: Path, warnings: list[Diagnostic] | None = None, *, unpublished: bool = False
) -> Corpus:
    """Load everything under ``root`` (a content folder). Raises ContentError listing every
    problem; problems that do not stop a build are appended to ``warnings``. ``unpublished``
    accepts content without a recorded edition (to publish the first one)."""
    loader = _Loader(root, unpublished)
    corpus = loader.load()
    errors = [d for d in loader.problems.diagnostics if d.severity == "error"]
    if warnings is not None:
        warnings.extend(d for d in loader.problems.diagnostics if d.severity == "warning")
    if errors or corpus is None:
        raise ContentError(errors or loader.problems.diagnostics)
    return corpus


class _Loader:
    def __init__(self, root: Path, unpublished: bool = False) -> None:
        self.root = root
        self.unpublished = unpublished
        self.problems = Problems()
        self.files = ContentFiles(root, self.problems)

    def load(self) -> Corpus | None:
        if not self.root.is_dir():
            self.problems.error(str(self.root), 0, "content folder does not exist")
            return None
        self.files.folder_links()
        source = read_source(self.files)
        insights = read_insights(self.files)
        places = read_places(self.files)
        tags = read_tags(self.files)
        guide = read_guide(self.files)
        cases = read_cases(self.files, insights, places, tags)
        recipes = self.recipes(insights, places, tags, cases)
        editions = read_editions(self.files, self.unpublished)
        if self.problems.has_errors():
            return None
        if editions:
            assert source is not None
            source = replace(source, edition=Edition(editions[-1].label, editions[-1].date))
        assert source and guide and insights is not None and places is not None
        assert tags is not None
        return Corpus(
            root=str(self.root),
            source=source,
            insights=insights,
            places=places,
            tags=tags,
            cases=cases,
            recipes=recipes,
            guide_title=guide[0],
            guide=guide[1],
            editions=editions,
        )

    def recipes(
        self,
        insights: tuple[Insight, ...] | None,
        places: tuple[Place, ...] | None,
        tags: tuple[tuple[str, str], ...] | None,
        cases: tuple[Case, ...],
    ) -> tuple[PackRecipe, ...]:
        folder = self.root / "packs"
        if not folder.is_dir() or insights is None or places is None or tags is None:
            return ()
        from casebook.packs import builtin_pack_ids  # packs builds on this module

        builtin = builtin_pack_ids(insights)
        out: list[PackRecipe] = []
        for path in self.files.listing(folder, (".yaml", ".yml"), "pack"):
            shown = self.files.rel(path)
            if why := is_slug(path.stem):
                self.problems.error(shown, 0, f"file name '{path.stem}' {why}")
                continue
            if path.stem in builtin:
                self.problems.error(
                    shown,
                    0,
                    f"'{path.stem}' is the id of a pack Casebook makes itself; rename the file",
                )
                continue
            text = self.files.read(path)
            parsed = self.files.parse(text, shown, 0) if text is not None else None
            if parsed is None:
                continue
            recipe = self.recipe(shown, path.stem, parsed[1], insights, places, tags, cases)
            if recipe is not None:
                out.append(recipe)
        return tuple(out)

    def recipe(
        self,
        path: str,
        ident: str,
        node: Node,
        insights: tuple[Insight, ...],
        places: tuple[Place, ...],
        tags: tuple[tuple[str, str], ...],
        cases: tuple[Case, ...],
    ) -> PackRecipe | None:
        f = Fields(self.problems, path, node, ("title", "intro", "select"), "a pack")
        title = f.text("title")
        intro_text = f.text("intro", required=False, one_line=False)
        intro: tuple[Block, ...] = ()
        if intro_text is not None:
            intro = self.files.markdown(intro_text, path, f.line("intro"))
        keys = ("insights", "nations", "places", "tags", "cases")
        select = f.mapping("select", keys)
        if select is None or title is None:
            return None
        allowed: dict[str, tuple[str, ...]] = {
            "insights": tuple(i.id for i in insights),
            "nations": NATIONS,
            "places": tuple(p.name for p in places),
            "tags": tuple(t for t, _ in tags),
            "cases": tuple(sorted(c.id for c in cases)),
        }
        chosen: dict[str, tuple[str, ...]] = {}
        valid = True
        for key in keys:
            values = select.texts(key, required=False)
            if values:
                valid &= known(self.problems, path, select.line(key), key, values, allowed[key])
                chosen[key] = values
        if not chosen:
            self.problems.error(
                path, f.line("select"), f"select: give at least one of: {', '.join(keys)}"
            )
            return None
        selection = Selection(**chosen)
        from casebook.packs import select_cases  # packs builds on this module

        if valid and cases and not select_cases(selection, cases, _nation_lookup(places)):
            self.problems.error(path, f.line("select"), "select: no case matches this selection")
        return PackRecipe(ident, path, title, intro, selection)


def _nation_lookup(places: tuple[Place, ...]) -> Callable[[Case], tuple[str, ...]]:
    nations = {p.name: p.nation for p in places}
    return lambda case: tuple(dict.fromkeys(nations[p] for p in case.places if p in nations))
