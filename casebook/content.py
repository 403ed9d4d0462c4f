"""Load and validate ``content/``: every problem is gathered, then reported at once."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from casebook.blocks import Block
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

TAGS_PER_CASE = (2, 5)
PROMPTS_PER_CASE = (2, 3)
# A sentence ends inside a prompt where a full stop, question or exclamation mark (perhaps
# closed by a quote or bracket) is followed by a space.
_SENTENCE_BREAK = re.compile(r"[.!?…][’”'\")\]]*\s")


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
        cases = self.cases(insights, places, tags)
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

    def cases(
        self,
        insights: tuple[Insight, ...] | None,
        places: tuple[Place, ...] | None,
        tags: tuple[tuple[str, str], ...] | None,
    ) -> tuple[Case, ...]:
        """Load every case; checks against a list file that failed to load are skipped, so
        one broken file does not bury its own problem under a diagnostic per case."""
        folder = self.root / "cases"
        if not folder.is_dir():
            self.problems.error(self.files.rel(folder), 0, "cases folder does not exist")
            return ()
        insight_ids = tuple(i.id for i in insights) if insights is not None else None
        place_names = tuple(p.name for p in places) if places is not None else None
        tag_ids = tuple(t for t, _ in tags) if tags is not None else None
        chapters = (
            (min(i.pages[0] for i in insights), max(i.pages[1] for i in insights))
            if insights
            else None
        )
        out: list[Case] = []
        headings: dict[str, str] = {}
        # Every prompt seen so far (normalised) -> the file that has it, in file-name order,
        # so a copied prompt is reported at the second file, naming the first. The insights'
        # prompts are in it too: a case shows only its own prompts.
        prompts_seen: dict[str, str] = {
            _prompt_key(prompt): f"insight '{insight.id}' in insights.yaml"
            for insight in insights or ()
            for prompt in insight.prompts
        }
        for path in self.files.listing(folder, (".md",), "case"):
            case = self.case(
                path, insights, insight_ids, place_names, tag_ids, chapters, prompts_seen
            )
            if case is None:
                continue
            key = case.heading.casefold()
            if key in headings:
                self.problems.error(
                    case.path, 2, f"title: '{case.heading}' is also the title of {headings[key]}"
                )
                continue
            headings[key] = case.path
            out.append(case)
        if not out and not self.problems.has_errors():
            self.problems.error(self.files.rel(folder), 0, "there are no cases (*.md files)")
        return tuple(sorted(out, key=lambda c: (c.page, c.id)))

    def case(
        self,
        path: Path,
        insights: tuple[Insight, ...] | None,
        insight_ids: tuple[str, ...] | None,
        place_names: tuple[str, ...] | None,
        tag_ids: tuple[str, ...] | None,
        chapters: tuple[int, int] | None,
        prompts_seen: dict[str, str],
    ) -> Case | None:
        shown = self.files.rel(path)
        if why := is_slug(path.stem):
            self.problems.error(shown, 0, f"file name '{path.stem}' {why}")
            return None
        split = self.files.front_matter(path)
        if split is None:
            return None
        _, node, body, first = split
        keys = ("title", "places", "page", "insight", "tags", "prompts")
        f = Fields(self.problems, shown, node, keys, "front matter")
        title = f.text("title")
        case_places = f.texts("places")
        page = f.integer("page")
        insight = f.text("insight")
        case_tags = f.texts("tags")
        case_prompts = self.case_prompts(shown, f, prompts_seen)
        if case_places is not None:
            known(self.problems, shown, f.line("places"), "places", case_places, place_names)
            if not case_places:
                self.problems.error(shown, f.line("places"), "places: name at least one place")
            self.once_each(shown, f.line("places"), "places", case_places)
        if insight is not None and not known(
            self.problems, shown, f.line("insight"), "insight", (insight,), insight_ids
        ):
            insight = None
        if case_tags is not None:
            known(self.problems, shown, f.line("tags"), "tags", case_tags, tag_ids)
            if not TAGS_PER_CASE[0] <= len(case_tags) <= TAGS_PER_CASE[1]:
                self.problems.error(
                    shown,
                    f.line("tags"),
                    f"tags: give {TAGS_PER_CASE[0]} to {TAGS_PER_CASE[1]} tags "
                    f"(found {len(case_tags)})",
                )
            if len(set(case_tags)) != len(case_tags):
                self.problems.error(shown, f.line("tags"), "tags: a tag is listed twice")
        if page is not None and chapters is not None and not chapters[0] <= page <= chapters[1]:
            self.problems.error(
                shown,
                f.line("page"),
                f"page: {page} is outside the report's insight chapters "
                f"(pages {chapters[0]}–{chapters[1]})",
            )
        elif page is not None and insight is not None and insights:
            chapter = next(i for i in insights if i.id == insight)
            if not chapter.pages[0] <= page <= chapter.pages[1]:
                home = next((i for i in insights if i.pages[0] <= page <= i.pages[1]), None)
                hint = f"; page {page} is in insight '{home.id}'" if home else ""
                self.problems.error(
                    shown,
                    f.line("page"),
                    f"page: {page} is outside insight '{insight}' (pages "
                    f"{chapter.pages[0]}–{chapter.pages[1]}){hint}",
                )
        if not body.strip():
            self.problems.error(shown, first, "the case has no body text")
            return None
        blocks = self.files.markdown(body, shown, first)
        values = (title, case_places, page, insight, case_tags, case_prompts)
        if any(v is None for v in values) or not case_places:
            return None
        assert title and case_places and page and insight and case_tags is not None
        assert case_prompts is not None
        # Hash the normalised text, so a file re-saved in another Unicode form or with other
        # line endings is the same case. The front matter holds the prompts, so editing a
        # prompt changes the digest like editing the text does.
        digest = hashlib.sha256(f"{node!r}\n{body}".encode()).hexdigest()
        return Case(
            path.stem,
            shown,
            title,
            case_places,
            page,
            insight,
            case_tags,
            blocks,
            digest,
            case_prompts,
            text=body.strip("\n"),
        )

    def case_prompts(
        self, path: str, f: Fields, prompts_seen: dict[str, str]
    ) -> tuple[str, ...] | None:
        """The case's discussion prompts: 2 or 3, each one question, each its own."""
        value = f.get("prompts", True)
        if value is None:
            return None
        if value.kind != "seq":
            self.problems.error(
                path,
                value.line,
                f"prompts: expected a list of questions, one '- ' line each, got "
                f"{value.describe()}",
            )
            return None
        low, high = PROMPTS_PER_CASE
        if not low <= len(value.items) <= high:
            self.problems.error(
                path,
                f.line("prompts"),
                f"prompts: give {low} to {high} discussion prompts (found {len(value.items)})",
            )
        out: list[str] = []
        for item in value.items:
            if item.kind == "null" or (item.kind == "scalar" and not item.text.strip()):
                self.problems.error(path, item.line, "prompts: this prompt is empty")
                continue
            if item.kind != "scalar":
                hint = " (put a prompt that holds ': ' in quotes)" if item.kind == "map" else ""
                self.problems.error(
                    path, item.line, f"prompts: expected text, got {item.describe()}{hint}"
                )
                continue
            text = f.checked_text(item.line, "prompts", item.text, True)
            if text is None:
                continue
            if not text.endswith("?"):
                self.problems.error(
                    path,
                    item.line,
                    "prompts: this prompt is not a question; write it as one sentence "
                    "ending in '?'",
                )
                continue
            if _SENTENCE_BREAK.search(text[:-1]):
                self.problems.error(
                    path,
                    item.line,
                    "prompts: this prompt is more than one sentence; write it as one "
                    "question ending in '?'",
                )
                continue
            key = _prompt_key(text)
            first = prompts_seen.get(key)
            if first is not None:
                self.problems.error(
                    path,
                    item.line,
                    "prompts: this prompt is listed twice"
                    if first == path
                    else f"prompts: this prompt is also in {first}; give each case prompts of "
                    "its own",
                )
                continue
            prompts_seen[key] = path
            out.append(text)
        return tuple(out)

    def once_each(self, path: str, line: int, key: str, values: tuple[str, ...]) -> None:
        """Report a value listed twice (a place named twice prints twice in the pack)."""
        for value in sorted({v for v in values if values.count(v) > 1}):
            self.problems.error(path, line, f"{key}: '{value}' is listed twice")

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


def _prompt_key(prompt: str) -> str:
    """What makes two prompts the same: their words, whatever the case, spacing or quotes."""
    prompt = prompt.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(prompt.casefold().split())


def _nation_lookup(places: tuple[Place, ...]) -> Callable[[Case], tuple[str, ...]]:
    nations = {p.name: p.nation for p in places}
    return lambda case: tuple(dict.fromkeys(nations[p] for p in case.places if p in nations))
