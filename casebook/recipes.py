"""Custom pack recipes (``content/packs/*.yaml``): a title, an optional introduction and a
selection of cases by insight, nation, place, tag or name, checked against the content."""

from __future__ import annotations

import re
from collections.abc import Callable

from casebook.blocks import Block
from casebook.content_files import ContentFiles
from casebook.fields import Fields, known
from casebook.model import NATIONS, Case, Insight, PackRecipe, Place, Selection
from casebook.packs import builtin_pack_ids, select_cases
from casebook.text import is_slug
from casebook.yamlfile import Node

__all__ = ["read_recipes"]

_SELECT_KEYS = ("insights", "nations", "places", "tags", "cases")


def read_recipes(
    files: ContentFiles,
    insights: tuple[Insight, ...] | None,
    places: tuple[Place, ...] | None,
    tags: tuple[tuple[str, str], ...] | None,
    cases: tuple[Case, ...],
    case_files: tuple[str, ...],
) -> tuple[PackRecipe, ...]:
    """Every recipe in ``packs/``, in file-name order; none are read while the insights,
    places or tags they select from failed to load. ``cases`` are the cases read,
    ``case_files`` the ids of every case file, read or refused: a recipe may name a case
    whose file has a problem of its own, which is reported there, once."""
    folder = files.root / "packs"
    if not folder.is_dir() or insights is None or places is None or tags is None:
        return ()
    builtin = builtin_pack_ids(insights)
    allowed: dict[str, tuple[str, ...]] = {
        "insights": tuple(i.id for i in insights),
        "nations": NATIONS,
        "places": tuple(p.name for p in places),
        "tags": tuple(t for t, _ in tags),
        "cases": case_files,
    }
    # A selection that matches none of the cases read may match one refused: say so only
    # once every case file is read.
    every_case = len(cases) == len(case_files)
    nations_of = _nation_lookup(places)
    out: list[PackRecipe] = []
    for path in files.listing(folder, (".yaml", ".yml"), "pack"):
        shown = files.rel(path)
        if why := is_slug(path.stem):
            files.problems.error(shown, 0, f"file name '{path.stem}' {why}")
            continue
        if path.stem in builtin:
            files.problems.error(
                shown,
                0,
                f"'{path.stem}' is the id of a pack Casebook makes itself; rename the file",
            )
            continue
        text = files.read(path)
        parsed = files.parse(text, shown, 0) if text is not None else None
        if parsed is None:
            continue
        recipe = _read_recipe(
            files, shown, path.stem, parsed[1], allowed, cases if every_case else (), nations_of
        )
        if recipe is not None:
            out.append(recipe)
    return tuple(out)


# What starts a list, heading or quotation at the start of a Markdown line.
_BLOCK_START = re.compile(r"([ ]*)([-+*>#]|[0-9]{1,9}[.)])(?=[ \t]|$)")


def _as_folded(lines: str) -> str:
    """A folded block's lines for Markdown, read as YAML folds them: a line that follows
    another is more of its paragraph, even when it starts like a list item or a heading
    (its first mark escaped); a blank line still parts paragraphs."""
    out: list[str] = []
    for line in lines.split("\n"):
        follows = bool(out) and out[-1].strip() != ""
        if follows and (found := _BLOCK_START.match(line)):
            mark = found.group(2)  # its punctuation escaped: "\\-", "\\#", "1\\."
            line = f"{found.group(1)}{mark[:-1]}\\{mark[-1]}{line[found.end() :]}"
        out.append(line)
    return "\n".join(out)


def _read_recipe(
    files: ContentFiles,
    path: str,
    ident: str,
    node: Node,
    allowed: dict[str, tuple[str, ...]],
    cases: tuple[Case, ...],
    nations_of: Callable[[Case], tuple[str, ...]],
) -> PackRecipe | None:
    """The recipe in ``node``, its problems reported; a selection is checked to match one
    of ``cases`` when there are any (none while a case file is refused)."""
    problems = files.problems
    f = Fields(problems, path, node, ("title", "intro", "select"), "a pack")
    title = f.text("title")
    intro_text = f.text("intro", required=False, one_line=False)
    intro: tuple[Block, ...] = ()
    written = f.get("intro", False)
    if intro_text is not None and written is not None:
        # Errors in it at their own lines; a block ("intro: |") starts below the key, and
        # Markdown reads its lines as written, as a folded block's are not in its text.
        source = written.written or intro_text
        if written.folded:
            source = _as_folded(source)
        intro = files.markdown(source, path, written.text_line, written.text_lines)
    select = f.mapping("select", _SELECT_KEYS)
    if select is None:
        return None
    chosen: dict[str, tuple[str, ...]] = {}
    valid = True
    errors = problems.error_count()
    for key in _SELECT_KEYS:
        values = select.texts(key, required=False, printed=False)
        if values:
            valid &= known(
                problems,
                path,
                select.line(key),
                key,
                values,
                allowed[key],
                content=files.root,
                item_lines=select.item_lines(key),
            )
            chosen[key] = values
    if not chosen:
        # A misspelt field, or a field that is not a list of names, is reported already.
        if not select.unknown and problems.error_count() == errors:
            problems.error(
                path, f.line("select"), f"select: give at least one of: {', '.join(_SELECT_KEYS)}"
            )
        return None
    selection = Selection(**chosen)
    if valid and cases and not select_cases(selection, cases, nations_of):
        problems.error(path, f.line("select"), "select: no case matches this selection")
    if title is None:  # reported, as is every mistake in the selection
        return None
    return PackRecipe(ident, path, title, intro, selection)


def _nation_lookup(places: tuple[Place, ...]) -> Callable[[Case], tuple[str, ...]]:
    nations = {p.name: p.nation for p in places}
    return lambda case: tuple(dict.fromkeys(nations[p] for p in case.places if p in nations))
