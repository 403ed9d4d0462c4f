"""The cases (``content/cases/*.md``): each case's front matter checked against the insights,
places and tags, and its discussion prompts against every prompt before it."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from casebook.blocks import Block, plain_text
from casebook.content_files import ContentFiles
from casebook.fields import LINE_LIMITS, Fields, known
from casebook.markdown import parse_markdown
from casebook.model import Case, CaseRecord, Insight, Place
from casebook.text import is_slug, shows

__all__ = ["PROMPTS_PER_CASE", "TAGS_PER_CASE", "read_cases"]

TAGS_PER_CASE = (2, 5)
PROMPTS_PER_CASE = (2, 3)
# A sentence ends inside a prompt where a full stop, question or exclamation mark (perhaps
# closed by a quote or bracket) is followed by a space.
_SENTENCE_BREAK = re.compile(r"[.!?…][’”'\")\]]*\s")


def read_cases(
    files: ContentFiles,
    insights: tuple[Insight, ...] | None,
    places: tuple[Place, ...] | None,
    tags: tuple[tuple[str, str], ...] | None,
    published: Mapping[str, CaseRecord] | None = None,
) -> tuple[tuple[Case, ...], tuple[str, ...]]:
    """Load every case, in report order, and give the id of every case file, read or
    refused (a recipe that names a refused case is not wrong: the case's own problem is the
    one to fix). Checks against a list file that failed to load are skipped, so one broken
    file does not bury its own problem under a diagnostic per case. The cases of the latest
    edition (``published``: what each said then, by id) are read first, so that a title,
    prompt or text also in a new case is reported on the new one, the copy; one that two
    published cases share is reported on the one that took it since."""
    published = published or {}
    folder = files.root / "cases"
    if not folder.is_dir():
        files.problems.error(files.rel(folder), 0, "cases folder does not exist")
        return (), ()
    reader = _CaseReader(files, insights, places, tags, published)
    out: list[Case] = []
    headings: dict[str, Case] = {}
    listed = files.listing(folder, (".md",), "case")

    def retitled(case: Case) -> bool:
        return case.id in published and published[case.id].heading != case.heading

    for path in sorted(listed, key=lambda p: p.stem not in published):
        case = reader.case(path)
        if case is None:
            continue
        key = case.heading.casefold()
        if key in headings:
            first = headings[key]
            # The first, published, took this one's title (a new case is always the copy).
            if retitled(first) and case.id in published and not retitled(case):
                out.remove(first)
                first, case = case, first
                headings[key] = first
                out.append(first)
            files.problems.error(
                case.path, 2, f"title: '{case.heading}' is also the title of {first.path}"
            )
            continue
        headings[key] = case
        out.append(case)
    if not out and not files.problems.has_errors():
        files.problems.error(files.rel(folder), 0, "there are no cases (*.md files)")
    return tuple(sorted(out, key=lambda c: (c.page, c.id))), tuple(sorted(p.stem for p in listed))


class _CaseReader:
    """Reads one case file after another against the lists a case refers to; each list is
    None when its file failed to load (and was reported)."""

    def __init__(
        self,
        files: ContentFiles,
        insights: tuple[Insight, ...] | None,
        places: tuple[Place, ...] | None,
        tags: tuple[tuple[str, str], ...] | None,
        published: Mapping[str, CaseRecord],
    ) -> None:
        self.files = files
        self.published = published
        self.problems = files.problems
        self.insights = insights
        self.insight_ids = tuple(i.id for i in insights) if insights is not None else None
        self.place_names = tuple(p.name for p in places) if places is not None else None
        self.tag_ids = tuple(t for t, _ in tags) if tags is not None else None
        self.chapters = (
            (min(i.pages[0] for i in insights), max(i.pages[1] for i in insights))
            if insights
            else None
        )
        # Every prompt seen so far (normalised) -> the file that has it, its line and the
        # case's id, in reading order (published cases first, then by file name), so a copied
        # prompt is reported at the copy, naming the first. The insights' prompts are in it
        # too: a case shows only its own prompts.
        self.prompts_seen: dict[str, tuple[str, int, str | None]] = {
            _prompt_key(prompt): (f"insight '{insight.id}' in insights.yaml", 0, None)
            for insight in insights or ()
            for prompt in insight.prompts
        }
        # Every case's words so far -> its file, the line its text starts and its id: a case
        # copied to start a new one whose text was never replaced.
        self.bodies_seen: dict[str, tuple[str, int, str]] = {}

    def case(self, path: Path) -> Case | None:
        problems = self.problems
        shown = self.files.rel(path)
        if why := is_slug(path.stem):
            problems.error(shown, 0, f"file name '{path.stem}' {why}")
            return None
        split = self.files.front_matter(path)
        if split is None:
            return None
        _, node, body, first = split
        keys = ("title", "places", "page", "insight", "tags", "prompts")
        f = Fields(problems, shown, node, keys, "front matter")
        title = f.text("title")
        case_places = f.texts("places")
        page = f.integer("page")
        insight = f.text("insight", printed=False)
        case_tags = f.texts(
            "tags", printed=False, wanted=f"{TAGS_PER_CASE[0]} to {TAGS_PER_CASE[1]} tags"
        )
        case_prompts = self.prompts(shown, f, path.stem)
        if case_places is not None:
            known(
                problems,
                shown,
                f.line("places"),
                "places",
                case_places,
                self.place_names,
                "places.yaml",
                self.files.root,
                f.item_lines("places"),
            )
            if not case_places:
                problems.error(shown, f.line("places"), "places: name at least one place")
            self.once_each(shown, f.item_lines("places"), "places", case_places)
        if insight is not None and not known(
            problems,
            shown,
            f.line("insight"),
            "insight",
            (insight,),
            self.insight_ids,
            content=self.files.root,
        ):
            insight = None
        if case_tags is not None:
            known(
                problems,
                shown,
                f.line("tags"),
                "tags",
                case_tags,
                self.tag_ids,
                "tags.yaml",
                self.files.root,
                f.item_lines("tags"),
            )
            if not TAGS_PER_CASE[0] <= len(case_tags) <= TAGS_PER_CASE[1]:
                problems.error(
                    shown,
                    f.line("tags"),
                    f"tags: give {TAGS_PER_CASE[0]} to {TAGS_PER_CASE[1]} tags "
                    f"(found {len(case_tags)})",
                )
            if len(set(case_tags)) != len(case_tags):
                problems.error(shown, f.line("tags"), "tags: a tag is listed twice")
        if page is not None:
            self.check_page(shown, f.line("page"), page, insight)
        if not body.strip():
            problems.error(shown, first, "the case has no body text")
            return None
        errors = problems.error_count()
        blocks = self.files.markdown(body, shown, first)
        # Only "&nbsp;" or a zero-width space, say; a figure refused is reported already.
        if not any(map(shows, plain_text(blocks))) and problems.error_count() == errors:
            problems.error(shown, first, "the case has no body text (only invisible characters)")
            return None
        words = _words(blocks)
        same, same_line, owner = self.bodies_seen.setdefault(words, (shown, first, path.stem))
        if same != shown:
            copy, line, original = (same, same_line, shown)
            if not self.took_text(owner, path.stem, words):
                copy, line, original = (shown, first, same)
            problems.error(
                copy,
                line,
                f"the text is the same as {original}'s, word for word; a new case needs its "
                "own words from the report",
            )
        values = (title, case_places, page, insight, case_tags, case_prompts)
        if any(v is None for v in values) or not case_places:
            return None
        assert title and case_places and page is not None and insight and case_tags is not None
        assert case_prompts is not None
        # Hash what the case shows: the front matter's values, not its lines, so a comment or
        # a moved line is the same case, and the body as Markdown reads it (its blocks), so a
        # file re-saved in another Unicode form or with other line endings, or a space or
        # blank line Markdown reads past, is too. The front matter holds the prompts, so
        # editing a prompt changes the digest like editing the text does.
        basis = json.dumps([node.plain(), repr(blocks)], sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(basis.encode()).hexdigest()
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

    def check_page(self, path: str, line: int, page: int, insight: str | None) -> None:
        """Report a page outside the insight chapters, or outside the case's own insight
        (naming the insight it is in)."""
        chapters = self.chapters
        if chapters is not None and not chapters[0] <= page <= chapters[1]:
            self.problems.error(
                path,
                line,
                f"page: {page} is outside the report's insight chapters "
                f"(pages {chapters[0]}–{chapters[1]})",
            )
        elif insight is not None and self.insights:
            chapter = next(i for i in self.insights if i.id == insight)
            if not chapter.pages[0] <= page <= chapter.pages[1]:
                home = next((i for i in self.insights if i.pages[0] <= page <= i.pages[1]), None)
                hint = f"; page {page} is in insight '{home.id}'" if home else ""
                self.problems.error(
                    path,
                    line,
                    f"page: {page} is outside insight '{insight}' (pages "
                    f"{chapter.pages[0]}–{chapter.pages[1]}){hint}",
                )

    def took_text(self, first: str, then: str, words: str) -> bool:
        """Whether the published case ``first``, read before ``then``, took the text
        (``words``) that ``then`` had at the edition: so it, not ``then``, is the copy."""
        was = self.published.get(first), self.published.get(then)
        if was[0] is None or was[1] is None:
            return False
        return _record_words(was[1]) == words and _record_words(was[0]) != words

    def took_prompt(self, first: str | None, then: str, key: str) -> bool:
        """Whether the published case ``first``, read before ``then``, took the prompt
        (``key``) that ``then`` had at the edition."""
        was = self.published.get(first or ""), self.published.get(then)
        if was[0] is None or was[1] is None:
            return False
        return key in map(_prompt_key, was[1].prompts) and key not in map(
            _prompt_key, was[0].prompts
        )

    def prompts(self, path: str, f: Fields, ident: str) -> tuple[str, ...] | None:
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
        # A prompt indented too far is read as more of the one above: say that, not the count
        # (a prompt that is still one question is only wrapped text with a dash in it).
        strays = [
            item
            for item in value.items
            if item.kind == "scalar" and _not_one_prompt(item.text) and f.stray(item, "prompts")
        ]
        if not strays and not low <= len(value.items) <= high:
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
                if item.kind == "map" and any(k[:1] in "“‘„" for k in item.mapping):
                    hint = (
                        " (put a prompt that holds ': ' in straight quotes, \"like this\": "
                        "curly ones, “like this”, are text to YAML)"
                    )
                self.problems.error(
                    path, item.line, f"prompts: expected text, got {item.describe()}{hint}"
                )
                continue
            if item in strays or f.cut(item, "prompts", "prompt"):
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
            seen = self.prompts_seen.get(key)
            if seen is not None:
                first, first_line, owner = seen
                copy, line, original = (path, item.line, first)
                if first != path and self.took_prompt(owner, ident, key):
                    copy, line, original = (first, first_line, path)
                self.problems.error(
                    copy,
                    line,
                    "prompts: this prompt is listed twice"
                    if first == path
                    else f"prompts: this prompt is also in {original}; give each case prompts "
                    "of its own",
                )
                continue
            self.prompts_seen[key] = (path, item.line, ident)
            out.append(text)
        return tuple(out)

    def once_each(self, path: str, lines: Sequence[int], key: str, values: tuple[str, ...]) -> None:
        """Report a value listed twice (a place named twice prints twice in the pack), at
        the line it is listed again (``lines``: each value's line)."""
        said: set[str] = set()
        for index, value in enumerate(values):
            if value in said or value not in values[:index]:
                continue  # not listed before, or said already
            said.add(value)
            at, first = (lines[i] if i < len(lines) else 0 for i in (index, values.index(value)))
            where = f" (first on line {first})" if first != at else ""
            self.problems.error(path, at, f"{key}: '{value}' is listed twice{where}")


def _not_one_prompt(text: str) -> bool:
    """Whether ``text`` is not one question a prompt may be: two sentences, no '?' at its
    end, or too long."""
    text = text.strip()
    return (
        not text.endswith("?")
        or _SENTENCE_BREAK.search(text[:-1]) is not None
        or len(text) > LINE_LIMITS["prompts"]
    )


def _words(blocks: tuple[Block, ...]) -> str:
    """What makes two cases' texts the same: their words, whatever the case and spacing."""
    return " ".join(plain_text(blocks).split()).casefold()


def _record_words(record: CaseRecord) -> str:
    """The words of a case's text as an edition recorded it (see :func:`_words`)."""
    return _words(parse_markdown(record.text, "", 0)[0])


def _prompt_key(prompt: str) -> str:
    """What makes two prompts the same: their words, whatever the case, spacing or quotes."""
    prompt = prompt.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    # A space before a mark ("your area ?") or none after one is still the same prompt.
    return " ".join(re.sub(r"\s*([,;:?!.])\s*", r"\1 ", prompt.casefold()).split())
