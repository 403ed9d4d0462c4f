"""The records at the top of ``content/``: the source report, its insights, places and tags,
the facilitator's guide, and the editions published so far."""

from __future__ import annotations

import re
import string

from casebook.blocks import Block
from casebook.content_files import ContentFiles, Problems
from casebook.fields import Fields, did_you_mean
from casebook.model import NATIONS, PLACE_KINDS, Edition, EditionRecord, Insight, Place, Source
from casebook.text import is_slug
from casebook.yamlfile import Node

__all__ = [
    "PROMPTS_PER_INSIGHT",
    "read_editions",
    "read_guide",
    "read_insights",
    "read_places",
    "read_source",
    "read_tags",
]

PROMPTS_PER_INSIGHT = (3, 5)
_NUMBER = re.compile(r"[0-9]{1,6}")
_YEARS = (1900, 2100)  # the years a source may have been published in


def read_source(files: ContentFiles) -> Source | None:
    """The source report (``source.yaml``): its title, authors, rights and citation."""
    problems = files.problems
    parsed = files.yaml_file("source.yaml")
    if parsed is None:
        return None
    path, node = parsed
    keys = (
        "title",
        "short_citation",
        "publisher",
        "authors",
        "year",
        "url",
        "rights",
        "citation",
    )
    if node.kind == "map" and "edition" in node.key_lines:
        problems.error(
            path,
            node.key_lines["edition"],
            "edition: editions are recorded in content/editions/ now; remove this field "
            "and publish one with: python build.py edition LABEL --date YYYY-MM-DD",
        )
        node = Node(
            "map",
            {k: v for k, v in node.mapping.items() if k != "edition"},
            node.line,
            {k: v for k, v in node.key_lines.items() if k != "edition"},
        )
    f = Fields(problems, path, node, keys, "source.yaml")
    title = f.text("title")
    short = f.text("short_citation")
    publisher = f.text("publisher")
    authors = f.texts("authors")
    year = f.integer("year")
    url = f.text("url")
    rights = f.text("rights", one_line=False)
    citation = f.text("citation")
    if year is not None and not _YEARS[0] <= year <= _YEARS[1]:
        problems.error(
            path,
            f.line("year"),
            f"year: {year} is not a year of publication ({_YEARS[0]}–{_YEARS[1]})",
        )
        year = None
    if url is not None and not url.startswith("https://"):
        problems.error(path, f.line("url"), f"url: '{url}' must be an https:// address")
    if citation is not None:
        problem = _citation_problem(citation)
        if problem:
            problems.error(path, f.line("citation"), f"citation: {problem}")
            citation = None
    values = (title, short, publisher, authors, year, url, rights, citation)
    if any(v is None for v in values) or not authors:
        return None
    assert title and short and publisher and authors and year is not None and url and rights
    assert citation
    # The edition comes from content/editions/ (see read_editions()); none until one is.
    return Source(title, short, publisher, authors, year, url, rights, citation, Edition("", ""))


def read_insights(
    files: ContentFiles, lines: dict[str, int] | None = None
) -> tuple[Insight, ...] | None:
    """The insights (``insights.yaml``), numbered in order, each with its pages and prompts;
    ``lines``, if given, gets the line of each insight's id."""
    problems = files.problems
    path, nodes = files.list_file("insights.yaml")
    if nodes is None:
        return None
    out: list[Insight] = []
    seen: dict[str, int] = {} if lines is None else lines  # each id, at its line
    keys = ("number", "id", "title", "pages", "summary", "prompts")
    before: tuple[int, tuple[int, int]] | None = None  # the last chapter read: number, pages
    for index, node in enumerate(nodes, start=1):
        f = Fields(problems, path, node, keys, "an insight")
        number = f.integer("number")
        ident = f.text("id", printed=False)
        title = f.text("title")
        pages = f.get("pages", True)
        summary = f.text("summary", one_line=False)
        prompts = f.texts("prompts")
        items = f.node.mapping["prompts"].items if prompts is not None else ()
        for item in items:
            if not item.text.strip().endswith("?"):  # as a case's prompts are
                problems.error(
                    path,
                    item.line,
                    "prompts: this prompt is not a question; write it as a question ending in '?'",
                )
                prompts = None
        if number is not None and number != index:
            problems.error(
                path,
                f.line("number"),
                f"number: expected {index} (insights are numbered in order)",
            )
        if ident is not None and (why := is_slug(ident)):
            problems.error(path, f.line("id"), f"id: '{ident}' {why}")
            ident = None
        if ident is not None and ident in seen:
            problems.error(
                path, f.line("id"), f"id: '{ident}' is used twice (first on line {seen[ident]})"
            )
        elif ident is not None:
            seen[ident] = f.line("id")
        span = _page_range(problems, path, pages)
        if span is not None and before is not None and span[0] <= before[1][1]:
            shown = f"[{before[1][0]}, {before[1][1]}]"
            problems.error(
                path,
                pages.line if pages is not None else node.line,
                f"pages: {span[0]} is within insight {before[0]}'s pages {shown}; "
                "chapters follow each other without overlapping",
            )  # the insight is kept, so that its cases are not reported for it too
        if span is not None:
            before = (number if number is not None else index, span)
        if prompts is not None and not (
            PROMPTS_PER_INSIGHT[0] <= len(prompts) <= PROMPTS_PER_INSIGHT[1]
        ):
            problems.error(
                path,
                f.line("prompts"),
                f"prompts: give {PROMPTS_PER_INSIGHT[0]} to {PROMPTS_PER_INSIGHT[1]} "
                f"prompts (found {len(prompts)})",
            )
        if None in (number, ident, title, span, summary, prompts):
            continue
        assert number is not None and ident and title and span and summary and prompts
        out.append(Insight(number, ident, title, span, summary, prompts))
    # An insight left out for a mistake in it would make each of its cases a mistake too,
    # reported above the one that matters: until every insight reads, cases are not checked
    # against them.
    return tuple(out) if len(out) == len(nodes) else None


def read_places(files: ContentFiles) -> tuple[Place, ...] | None:
    """The places (``places.yaml``), each in one of the nations."""
    problems = files.problems
    path, nodes = files.list_file("places.yaml")
    if nodes is None:
        return None
    out: list[Place] = []
    for node in nodes:
        f = Fields(problems, path, node, ("name", "nation", "kind"), "a place")
        name = f.text("name")
        nation = f.text("nation", printed=False)
        kind = f.text("kind", printed=False)
        if nation is not None and nation not in NATIONS:
            problems.error(
                path,
                f.line("nation"),
                f"nation: '{nation}' is not one of: {', '.join(NATIONS)}"
                + did_you_mean(nation, NATIONS),
            )
            nation = None
        if kind is not None and kind not in PLACE_KINDS:
            problems.error(
                path,
                f.line("kind"),
                f"kind: '{kind}' is not one of: {', '.join(PLACE_KINDS)}"
                + did_you_mean(kind, list(PLACE_KINDS)),
            )
            kind = None
        if name is not None and any(p.name == name for p in out):
            problems.error(path, f.line("name"), f"name: '{name}' is listed twice")
            name = None
        if name and nation and kind:
            out.append(Place(name, nation, kind))
    # As with insights: a place left out for a mistake in it would make each of its cases a
    # mistake too, reported above the one that matters.
    return tuple(out) if len(out) == len(nodes) else None


def read_tags(files: ContentFiles) -> tuple[tuple[str, str], ...] | None:
    """The tags (``tags.yaml``): (id, label) pairs in file order."""
    problems = files.problems
    path, nodes = files.list_file("tags.yaml")
    if nodes is None:
        return None
    out: dict[str, str] = {}
    for node in nodes:
        f = Fields(problems, path, node, ("id", "label"), "a tag")
        ident = f.text("id", printed=False)
        label = f.text("label")
        if ident is not None and (why := is_slug(ident)):
            problems.error(path, f.line("id"), f"id: '{ident}' {why}")
            continue
        if ident is not None and ident in out:
            problems.error(path, f.line("id"), f"id: '{ident}' is listed twice")
            continue
        if ident and label:
            out[ident] = label
    return tuple(out.items()) if len(out) == len(nodes) else None  # as for places


def read_guide(files: ContentFiles) -> tuple[str, tuple[Block, ...]] | None:
    """The facilitator's guide (``guide.md``): its title and text."""
    problems = files.problems
    split = files.front_matter(files.root / "guide.md")
    if split is None:
        return None
    path, node, body, first = split
    f = Fields(problems, path, node, ("title",), "front matter")
    title = f.text("title")
    blocks = files.markdown(body, path, first)
    if not blocks:
        problems.error(path, first, "the guide has no text")
    return (title, blocks) if title else None


def read_editions(files: ContentFiles, unpublished: bool) -> tuple[EditionRecord, ...]:
    """The published editions (content/editions/); the latest is what packs print."""
    from casebook.editions import EDITIONS_DIR, load_editions

    editions, found = load_editions(files.root)
    files.problems.extend(found)
    if not editions and not found and not unpublished:
        files.problems.error(
            files.rel(files.root / EDITIONS_DIR),
            0,
            "no edition has been published yet; publish the first with: "
            'python build.py edition "First edition" --date YYYY-MM-DD',
        )
    return editions


def _page_range(problems: Problems, path: str, node: Node | None) -> tuple[int, int] | None:
    if node is None:
        return None
    if (
        node.kind != "seq"
        or len(node.items) != 2
        # [0-9], not str.isdigit(): that accepts "²" and other digits int() refuses.
        or not all(i.kind == "scalar" and _NUMBER.fullmatch(i.text) for i in node.items)
    ):
        problems.error(path, node.line, "pages: expected [first, last], e.g. [19, 25]")
        return None
    first, last = (int(i.text) for i in node.items)
    if first < 1:  # reported; the range is kept, so that its cases are not reported too
        problems.error(path, node.line, "pages: the first page is 1 or more")
    if first > last:
        problems.error(path, node.line, f"pages: first page {first} is after last page {last}")
        return None
    return first, last


def _citation_problem(template: str) -> str | None:
    """Why ``template`` cannot be the citation, or None: only a plain ``{title}`` and
    ``{page}`` may stand in braces, and ``{page}`` must."""
    try:
        parts = [(n, spec, conv) for _, n, spec, conv in string.Formatter().parse(template)]
    except ValueError:
        return "unbalanced braces; write {{ and }} for a literal brace"
    fields = [(n, spec, conv) for n, spec, conv in parts if n is not None]
    if any(n not in ("title", "page") or spec or conv for n, spec, conv in fields):
        return "only {title} and {page} may stand in braces, written plainly"
    if "page" not in [n for n, _, _ in fields]:
        return "must contain {page}"
    return None
