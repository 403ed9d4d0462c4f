"""Import the EIF case-examples page (as text) into ``content/cases/*.md``.

The importer is run once to create the case files; editors then edit them by hand. It is
deterministic (same seed, same bytes) and keeps each existing case file's ``tags:`` and
``prompts:`` so that re-importing never loses editors' tagging or discussion prompts; a new case
gets empty lists, which ``check`` then asks an editor to fill. It writes Markdown text and
does not depend on the loader: it reads only ``insights.yaml`` (to assign an insight from the
page) and ``places.yaml`` (to tell "Hammersmith and Fulham", one place, from "Wrexham and
Flintshire", two places).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from casebook.diagnostics import ContentError, Diagnostic
from casebook.files import write_atomic
from casebook.reading import FileRefused, inside, read_bounded
from casebook.yamlfile import Node, parse_yaml

__all__ = ["import_seed", "slugify"]

_DIRECT_LINK = "Direct link"
_FILE_LIMIT = 512 * 1024
_FROM = re.compile(r"^From: .+, page (\d+)\s*$")
_ORDERED = re.compile(r"^\s+(\d{1,9})[.)]\s+(.+?)\s*$")
_BULLET = re.compile(r"^\s*•\s+(.+?)\s*$")
_URL = re.compile(r"https?://[^\s<>\"]+")
_URL_TRAILING = ".,;:!?)’”'\""
# A figure that survives only as its caption: a paragraph starting like this with no
# sentence-ending punctuation (the North Wales "Schematic diagram of ..." strategy chart).
_CAPTION_STARTS = ("Schematic diagram ", "Diagram ", "Figure ")
_SENTENCE_END = ".!?:;’”)"
# Characters Markdown may interpret anywhere in a line.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# Line starts Markdown may read as a heading, quote, list, rule or setext underline.
_LINE_START_SPECIAL = re.compile(r"^([#>+\-=])")
_LINE_START_NUMBER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_YAML_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`‘’“”")
_FLOW_INDICATORS = set(",[]{}")


@dataclass(frozen=True)
class _Block:
    """One body block: ``kind`` is "paragraph", "bullets", "numbers" or "figure"."""

    kind: str
    lines: tuple[str, ...]
    start: int = 1


@dataclass(frozen=True)
class _SeedCase:
    heading: str
    line: int  # 1-based line of the heading in the seed
    page: int
    page_line: int  # 1-based line of its "From: ..., page N" line
    body: tuple[_Block, ...]


def import_seed(seed: Path, content_dir: Path) -> tuple[Path, ...]:
    """Write one ``cases/<id>.md`` per case in the seed text; return the paths in seed order."""
    seed_path = str(seed)
    try:
        text = seed.read_text(encoding="utf-8")
    except OSError as error:
        why = error.strerror or str(error)
        raise ContentError([Diagnostic(seed_path, 0, f"cannot read the seed: {why}")]) from None
    except UnicodeDecodeError:
        raise ContentError(
            [Diagnostic(seed_path, 0, "cannot read the seed: it is not UTF-8 text")]
        ) from None
    seed_cases = _parse_seed(text.splitlines(), seed_path)
    insights = _read_insight_ranges(content_dir / "insights.yaml")
    known_places = _read_place_names(content_dir / "places.yaml")

    problems: list[Diagnostic] = []
    planned: list[tuple[Path, str]] = []
    seen: dict[str, int] = {}
    cases_dir = content_dir / "cases"
    if cases_dir.exists() and not inside(cases_dir, content_dir):
        raise ContentError(
            [Diagnostic(str(cases_dir), 0, "is a link to a folder outside the content folder")]
        )
    for case in seed_cases:
        place_part, title = case.heading.split(": ", 1)
        places = _split_places(place_part, known_places)
        insight = next((i for i, (first, last) in insights if first <= case.page <= last), None)
        if insight is None:
            ranges = ", ".join(f"{i} {a}-{b}" for i, (a, b) in insights)
            problems.append(
                Diagnostic(
                    seed_path,
                    case.page_line,
                    f"page {case.page} of '{case.heading}' is in no insight's pages ({ranges})",
                )
            )
            continue
        case_id = slugify(f"{place_part} {title}")
        if not case_id:
            problems.append(
                Diagnostic(
                    seed_path,
                    case.line,
                    f"'{case.heading}' gives no file name: write its place or title with "
                    "letters a to z",
                )
            )
            continue
        seen[case_id] = seen.get(case_id, 0) + 1
        if seen[case_id] > 1:
            # Same place and title twice: later ones get -2, -3 ... in seed order (stable).
            case_id = f"{case_id}-{seen[case_id]}"
        path = cases_dir / f"{case_id}.md"
        try:
            tags, prompts = _existing_tags_and_prompts(path)
        except ContentError as error:
            problems.extend(error.diagnostics)
            continue
        planned.append(
            (path, _case_file(title, places, case.page, insight, tags, prompts, case.body))
        )
    if problems:
        raise ContentError(problems)

    cases_dir.mkdir(parents=True, exist_ok=True)
    for path, text_out in planned:
        data = text_out.encode("utf-8")
        if not path.exists() or _read_case(path) != data:
            # Written whole or not at all; a link in its place is replaced, never followed.
            write_atomic(path, data)
    return tuple(path for path, _ in planned)


def slugify(text: str) -> str:
    """A lowercase ASCII slug: ``"Caerphilly Vision for change"`` -> ``caerphilly-vision-...``."""
    text = re.sub(r"['’‘]", "", text)
    # Dashes, quotes and other punctuation separate words; accented letters lose their accent.
    text = "".join(c if unicodedata.category(c)[0] in "LN" else " " for c in text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# -- reading the seed ---------------------------------------------------------------------


def _parse_seed(lines: Sequence[str], seed_path: str) -> tuple[_SeedCase, ...]:
    """Find every case: a heading line, then (after blank lines) ``Direct link``."""
    starts = [i for i, line in enumerate(lines) if line.strip() and _next_is_direct_link(lines, i)]
    if not starts:
        raise ContentError(
            [
                Diagnostic(
                    seed_path, 0, "no cases found (a case is 'Place: Title', then 'Direct link')"
                )
            ]
        )
    problems: list[Diagnostic] = []
    cases: list[_SeedCase] = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        heading = lines[start].strip()
        if ": " not in heading:
            problems.append(
                Diagnostic(seed_path, start + 1, f"heading '{heading}' is not 'Place: Title'")
            )
            continue
        link = next(i for i in range(start + 1, end) if lines[i].strip() == _DIRECT_LINK)
        cite = next((i for i in range(link + 1, end) if _FROM.match(lines[i])), None)
        if cite is None:
            problems.append(
                Diagnostic(
                    seed_path,
                    start + 1,
                    f"'{heading}' has no 'From: ..., page N' line before the next case",
                )
            )
            continue
        page_match = _FROM.match(lines[cite])
        assert page_match is not None
        body = _parse_body(lines[link + 1 : cite])
        if not body:
            problems.append(Diagnostic(seed_path, start + 1, f"'{heading}' has no text"))
            continue
        cases.append(_SeedCase(heading, start + 1, int(page_match.group(1)), cite + 1, body))
    if problems:
        raise ContentError(problems)
    return tuple(cases)


def _next_is_direct_link(lines: Sequence[str], index: int) -> bool:
    following = (line.strip() for line in lines[index + 1 :])
    return next((line for line in following if line), None) == _DIRECT_LINK


def _parse_body(lines: Iterable[str]) -> tuple[_Block, ...]:
    """Group body lines into paragraphs, bullet lists, numbered lists and caption-only figures."""
    blocks: list[_Block] = []
    kind = ""
    current: list[str] = []
    start = 1

    def flush() -> None:
        nonlocal kind, current
        if current:
            blocks.append(_Block(kind, tuple(current), start))
        kind, current = "", []

    for raw in lines:
        if not raw.strip():
            flush()
            continue
        ordered = _ORDERED.match(raw)
        bullet = _BULLET.match(raw)
        if ordered:
            if kind != "numbers":
                flush()
                kind, start = "numbers", int(ordered.group(1))
            current.append(ordered.group(2))
        elif bullet:
            if kind != "bullets":
                flush()
                kind = "bullets"
            current.append(bullet.group(1))
        else:
            if kind != "paragraph":
                flush()
                kind = "paragraph"
            current.append(raw.strip())
    flush()
    return tuple(_as_figure(block) for block in blocks)


def _as_figure(block: _Block) -> _Block:
    if block.kind != "paragraph" or len(block.lines) != 1:
        return block
    line = block.lines[0]
    if line.startswith(_CAPTION_STARTS) and not line.endswith(tuple(_SENTENCE_END)):
        return _Block("figure", block.lines)
    return block


# -- reading content data -----------------------------------------------------------------


def _load_yaml(path: Path) -> Node:
    """A content list file, through the strict reader the loader uses."""
    root = path.parent
    try:
        data = read_bounded(path, _FILE_LIMIT, root, "the content folder")
    except FileNotFoundError:
        raise ContentError([Diagnostic(str(path), 0, "file not found")]) from None
    except FileRefused as error:
        raise ContentError([Diagnostic(str(path), 0, str(error))]) from None
    except OSError as error:
        raise ContentError([Diagnostic(str(path), 0, f"cannot read: {error.strerror}")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError([Diagnostic(str(path), 0, "is not UTF-8 text")]) from None
    return parse_yaml(text, str(path))


def _entries(node: Node) -> list[dict[str, Node]]:
    items = node.items if node.kind == "seq" else []
    return [item.mapping for item in items if item.kind == "map"]


def _read_insight_ranges(path: Path) -> tuple[tuple[str, tuple[int, int]], ...]:
    """``(id, (first, last))`` for each insight, to assign an insight from a page."""
    ranges: list[tuple[str, tuple[int, int]]] = []
    for entry in _entries(_load_yaml(path)):
        ident, pages = entry.get("id"), entry.get("pages")
        if (
            ident is not None
            and ident.kind == "scalar"
            and pages is not None
            and pages.kind == "seq"
            and len(pages.items) == 2
            and all(p.kind == "scalar" and re.fullmatch("[0-9]{1,6}", p.text) for p in pages.items)
        ):
            first, last = (int(p.text) for p in pages.items)
            ranges.append((ident.text, (first, last)))
    if not ranges:
        raise ContentError(
            [Diagnostic(str(path), 0, "no insights with 'id' and 'pages: [first, last]'")]
        )
    return tuple(ranges)


def _read_place_names(path: Path) -> frozenset[str]:
    return frozenset(
        e["name"].text
        for e in _entries(_load_yaml(path))
        if "name" in e and e["name"].kind == "scalar"
    )


def _split_places(text: str, known: frozenset[str]) -> tuple[str, ...]:
    """``"Wrexham and Flintshire"`` -> two places, ``"Hammersmith and Fulham"`` -> one,
    by the names in ``places.yaml``; unknown names split at every " and "."""
    parts = text.split(" and ")

    def cover(i: int) -> tuple[str, ...] | None:
        if i == len(parts):
            return ()
        for j in range(len(parts), i, -1):
            name = " and ".join(parts[i:j])
            if name in known:
                rest = cover(j)
                if rest is not None:
                    return (name, *rest)
        return None

    return cover(0) or tuple(parts)


def _read_case(path: Path) -> bytes:
    """The bytes of a case file already there; a link or anything but a plain file inside
    the cases folder is refused, so the import never reads or writes through it."""
    if path.is_symlink():
        raise ContentError(
            [Diagnostic(str(path), 0, "is a link; import-seed writes only plain files: remove it")]
        )
    try:
        return read_bounded(path, _FILE_LIMIT, path.parent, "the cases folder")
    except FileRefused as error:
        raise ContentError([Diagnostic(str(path), 0, str(error))]) from None
    except OSError as error:
        raise ContentError([Diagnostic(str(path), 0, f"cannot read: {error.strerror}")]) from None


def _existing_tags_and_prompts(path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ``tags:`` and ``prompts:`` of a case file already there (editors' work), or none."""
    if not path.exists() and not path.is_symlink():
        return (), ()
    try:
        text = _read_case(path).decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError([Diagnostic(str(path), 0, "is not UTF-8 text")]) from None
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return (), ()
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return (), ()
    try:
        front = parse_yaml("\n".join(lines[1:end]), str(path), 1)
    except ContentError as error:
        first = error.diagnostics[0]
        raise ContentError(
            [
                Diagnostic(
                    str(path),
                    first.line,
                    f"{first.message}; fix it to keep its tags and prompts",
                )
            ]
        ) from None
    fields = front.mapping if front.kind == "map" else {}

    def kept(key: str) -> tuple[str, ...]:
        values = fields.get(key)
        if values is None or values.kind != "seq":
            return ()
        return tuple(v.text for v in values.items if v.kind == "scalar")

    return kept("tags"), kept("prompts")


# -- writing Markdown ---------------------------------------------------------------------


def _case_file(
    title: str,
    places: tuple[str, ...],
    page: int,
    insight: str,
    tags: tuple[str, ...],
    prompts: tuple[str, ...],
    body: tuple[_Block, ...],
) -> str:
    front = [
        "---",
        f"title: {_yaml_scalar(title)}",
        f"places: {_yaml_flow_list(places)}",
        f"page: {page}",
        f"insight: {_yaml_scalar(insight)}",
        f"tags: {_yaml_flow_list(tags)}",
        *_yaml_block_list("prompts", prompts),
        "---",
    ]
    return "\n".join(front) + "\n" + "\n\n".join(_markdown(block) for block in body) + "\n"


def _markdown(block: _Block) -> str:
    if block.kind == "figure":
        return f"![{_escape_inline(block.lines[0])}]()"
    if block.kind == "bullets":
        return "\n".join(f"- {_escape_line(line)}" for line in block.lines)
    if block.kind == "numbers":
        return "\n".join(
            f"{block.start + n}. {_escape_line(line)}" for n, line in enumerate(block.lines)
        )
    return "\n".join(_escape_line(line) for line in block.lines)


def _escape_line(text: str) -> str:
    """Markdown for a line of seed text that renders back to exactly that text."""
    out: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        out.append(_escape_inline(text[position : match.start()]))
        href = "https://" + url.removeprefix("http://").removeprefix("https://")
        href = href.replace("(", "%28").replace(")", "%29")
        out.append(f"[{_escape_inline(url)}]({href})")
        position = match.start() + len(url)
    out.append(_escape_inline(text[position:]))
    line = "".join(out)
    line = _LINE_START_SPECIAL.sub(r"\\\1", line)
    return _LINE_START_NUMBER.sub(r"\1\\\2", line)


def _escape_inline(text: str) -> str:
    return _ENTITY.sub(r"\\&", _INLINE_SPECIAL.sub(r"\\\1", text))


def _yaml_block_list(key: str, items: Sequence[str]) -> list[str]:
    """``key: []``, or ``key:`` then one ``  - item`` line each (prompts are long)."""
    if not items:
        return [f"{key}: []"]
    return [f"{key}:", *(f"  - {_yaml_scalar(item)}" for item in items)]


def _yaml_flow_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(_yaml_scalar(item, flow=True) for item in items) + "]"


def _yaml_scalar(value: str, *, flow: bool = False) -> str:
    """``value`` plain when YAML reads it back as the same string, else double-quoted."""
    plain = (
        value != ""
        and value == value.strip()
        and value[0] not in _YAML_INDICATORS
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and value.isprintable()
        and not (flow and any(c in _FLOW_INDICATORS for c in value))
    )
    if plain:
        try:
            plain = yaml.safe_load(value) == value
        except yaml.YAMLError:
            plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)
