"""Strict YAML for content people edit: safe, no anchors or tags, no duplicate keys, no
type guessing. Values come back as :class:`Node` trees that remember their line."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from casebook.diagnostics import ContentError, Diagnostic

__all__ = ["MAX_DEPTH", "Node", "cut_short", "parse_yaml"]

MAX_DEPTH = 12
_NULLS = frozenset(["", "~", "null", "Null", "NULL"])


@dataclass(frozen=True)
class Node:
    """A YAML value: ``kind`` is "scalar" (``value`` a str), "seq" (a list of Node),
    "map" (a dict of str → Node, ``key_lines`` the line of each key) or "null"."""

    kind: str
    value: object
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)
    # For text without quotes: what follows it on its line after " #", which YAML reads as
    # a comment, so not as part of the text ("title: Test #1 of the system" is "Test").
    comment: str = ""
    # The line the text itself starts on: below ``line`` for a block ("intro: |").
    text_line: int = 0
    # A block's lines as written, their indentation removed (and those of text without
    # quotes over several lines): what Markdown reads, so that folded text ("intro: >")
    # keeps its writer's paragraphs and each line its number.
    written: str = ""
    folded: bool = False  # folded text: a ">" block, or plain, whose lines YAML joins
    # For quoted text that runs over several lines (YAML joins them with spaces, and makes
    # each blank line a line break): the line each line of the text starts on, from the
    # first. Empty where that cannot be told (an escaped line break in double quotes).
    text_lines: tuple[int, ...] = ()
    # For text without quotes that runs on to a line starting "- " (an item of its list
    # indented too far, which YAML reads as more of this text): that line, else 0.
    stray_item: int = 0

    @property
    def text(self) -> str:
        """The scalar's text (only valid for scalars)."""
        assert isinstance(self.value, str)
        return self.value

    @property
    def items(self) -> list[Node]:
        """The sequence's items (only valid for sequences)."""
        assert isinstance(self.value, list)
        return self.value

    @property
    def mapping(self) -> dict[str, Node]:
        """The mapping's entries (only valid for mappings)."""
        assert isinstance(self.value, dict)
        return self.value

    def plain(self) -> object:
        """The value alone, as str, list, dict or None: without the lines it was read from,
        so that a moved line or an added comment leaves it the same."""
        if self.kind == "seq":
            return [item.plain() for item in self.items]
        if self.kind == "map":
            return {key: value.plain() for key, value in self.mapping.items()}
        return self.value

    def describe(self) -> str:
        """What kind of value this is, for messages."""
        return {"scalar": "text", "seq": "a list", "map": "a mapping", "null": "nothing"}[self.kind]


def cut_short(node: Node, key: str, what: str) -> str | None:
    """What to tell an editor whose text ``node`` (the value of ``key``, called ``what``)
    YAML cut short at " #", reading the rest of its line as a comment; None if it was not."""
    if not node.comment:
        return None
    rest = node.comment if len(node.comment) <= 40 else node.comment[:40].rstrip() + "…"
    return (
        f"{key}: YAML reads ' #' and what follows it on the line ('#{rest}') as a comment, so "
        f"the {what} would end at '{str(node.value).strip()}'; to print it all, put the whole "
        f"{what} in double quotes; for a note, put it on a line of its own"
    )


def parse_yaml(text: str, path: str, line_offset: int = 0, *, fast: bool = False) -> Node:
    """Parse one YAML document. ``line_offset`` is added to every line (front matter starts
    below the file's first line). Raises ContentError with ``path:line`` diagnostics.

    Text is parsed with libyaml where PyYAML has it (ten times quicker); text libyaml refuses
    as YAML, text with a tab (libyaml takes tabs as spaces in places where PyYAML refuses
    them) and text with characters PyYAML's own reader refuses are parsed by PyYAML's reader,
    so what is accepted and how a syntax error is worded do not depend on libyaml.
    ``fast`` keeps libyaml's wording (large files Casebook writes itself, such as edition
    records)."""
    quick: Any = getattr(yaml, "CSafeLoader", None)
    if quick is not None and (fast or ("\t" not in text and not _UNREADABLE.search(text))):
        try:
            return _parse(text, path, line_offset, quick)
        except _NotYaml as error:
            if fast:
                raise error.error from None
    try:
        return _parse(text, path, line_offset, yaml.SafeLoader)
    except _NotYaml as error:
        raise error.error from None


# A bracket or quote left open is noticed lines below it, at the next key or the end of the
# text: such an error is reported where it was opened, saying where it was noticed.
_OPENED = {
    "while parsing a flow sequence": "the list opened with '[' on this line",
    "while parsing a flow mapping": "the mapping opened with '{' on this line",
    "while scanning a quoted scalar": "the quoted text that starts on this line",
}

# How the text after an open bracket or quote tells it was never closed: YAML ran on to the
# end, or to the next key (its ':').
_RAN_ON = ("end of stream", "'<stream end>'", "'<document start>'")
_NEXT_KEY = ("got ':'", "found ':'")

# What YAML says of a field indented by mistake under a list or a quoted value.
_INDENTED = "expected <block end>, but found '<block mapping start>'"
_TAB = "found character '\\t' that cannot start any token"

# YAML's words for the commonest slips, in an editor's.
_PLAIN_WORDS = {
    "mapping values are not allowed here": "': ' inside a value starts another field in YAML; "
    "put the whole value in double quotes",
    _TAB: "a tab character; YAML lines are indented and spaced with spaces, never tabs",
}

# A comment straight after a value on its line.
_COMMENT = re.compile(r"[ \t]+#(.*)")

# The characters PyYAML's reader refuses (its NON_PRINTABLE test, applied to the whole text).
_UNREADABLE = yaml.reader.Reader.NON_PRINTABLE


class _NotYaml(Exception):
    """The text is not YAML (a syntax or reader error), as ``error`` says."""

    def __init__(self, error: ContentError) -> None:
        super().__init__(str(error))
        self.error = error


def _parse(text: str, path: str, line_offset: int, loader: Any) -> Node:

    def where(mark: Any) -> int:
        return (mark.line + 1 if mark is not None else 1) + line_offset

    # First pass over the event stream: refuse what we never accept before anything is built,
    # so an alias bomb or a deep nest costs nothing.
    problems: list[Diagnostic] = []
    try:
        depth = 0
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                problems.append(
                    Diagnostic(
                        path, where(event.start_mark), "YAML aliases (*name) are not allowed"
                    )
                )
            elif isinstance(event, yaml.NodeEvent) and event.anchor is not None:
                problems.append(
                    Diagnostic(
                        path, where(event.start_mark), "YAML anchors (&name) are not allowed"
                    )
                )
            if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent) and (
                event.tag is not None and event.tag != "!"
            ):
                problems.append(
                    Diagnostic(
                        path,
                        where(event.start_mark),
                        f"YAML tags such as '{_short_tag(event.tag)}' are not allowed; "
                        "write plain values",
                    )
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ContentError(
                        [
                            Diagnostic(
                                path,
                                where(event.start_mark),
                                f"nested more than {MAX_DEPTH} levels deep",
                            )
                        ]
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"YAML syntax: {exc.problem or exc.context}"
        opened = _OPENED.get(exc.context or "")
        if opened and exc.context_mark is not None and where(exc.context_mark) != where(mark):
            problem = exc.problem or ""
            if problem.endswith(_RAN_ON):
                end = "the front matter" if line_offset else "the file"
                message = f"YAML syntax: {opened} is not closed: it runs on to the end of {end}"
                mark = exc.context_mark
            elif problem.endswith(_NEXT_KEY):
                message = f"YAML syntax: {opened} is not closed ({problem} on line {where(mark)})"
                mark = exc.context_mark
            else:  # a closed list lacking a comma, say: the problem's own line
                message = f"YAML syntax: {problem} (in {opened.removesuffix(' on this line')} "
                message += f"on line {where(exc.context_mark)})"
        elif mark is not None and (quoted := _ran_on_to(text, loader, mark.line)) is not None:
            # A quote left open closes at the next quote, lines below: YAML fails there.
            message = (
                f"YAML syntax: the quoted text that starts on this line runs on to line "
                f"{where(mark)}, where YAML can read no further: is its closing quote missing?"
            )
            mark = quoted
        elif mark is not None and (slip := _slip(text, mark.line, loader)) is not None:
            line_index, words = slip
            message = f"YAML syntax: {words}"
            mark = yaml.Mark("", 0, line_index, 0, "", 0)  # the slip's own line
        elif exc.problem in _PLAIN_WORDS or exc.problem == _INDENTED:
            message = f"YAML syntax: {_PLAIN_WORDS.get(exc.problem or '', exc.problem)}"
            if mark is not None and exc.problem != _TAB and _indented_key(text, mark):
                message = (
                    "YAML syntax: this field is indented under the line above, so YAML reads "
                    "it as more of that line's value; start it in the same column as the "
                    "other fields"
                )
            elif mark is not None and _curly_quoted(text, mark):
                message += (
                    ' (straight quotes, "like this": curly ones, “like this”, are text to YAML)'
                )
        raise _NotYaml(ContentError([Diagnostic(path, where(mark), message)])) from None
    except yaml.YAMLError as exc:  # reader errors: characters YAML cannot hold
        raise _NotYaml(ContentError([Diagnostic(path, 1 + line_offset, f"YAML: {exc}")])) from None
    if problems:
        raise ContentError(problems)

    try:
        documents = list(yaml.compose_all(text, Loader=loader))
    except yaml.MarkedYAMLError as exc:  # pragma: no cover - the event pass catches these
        raise ContentError(
            [Diagnostic(path, where(exc.problem_mark), f"YAML syntax: {exc.problem}")]
        ) from None
    if len(documents) > 1:
        raise ContentError([Diagnostic(path, 1 + line_offset, "holds more than one YAML document")])
    if not documents or documents[0] is None:
        return Node("null", None, 1 + line_offset)
    errors: list[Diagnostic] = []
    node = _convert(documents[0], path, where, errors, text.splitlines())
    if errors:
        raise ContentError(errors)
    return node


# Slips YAML reports a line or two below them, in its own words; each is looked for on the
# lines up to the one YAML stopped at, nearest first.
_NBSP_AFTER_KEY = re.compile(r"\s*(?:-[ \u00a0]+)?([A-Za-z_][\w-]*):\u00a0")
_NBSP_INDENT = re.compile(r"[ ]*\u00a0")
# A line at the left edge that YAML reads as it is meant: a field, a list item, a comment or
# the front matter's fence.
_TOP_LEVEL = re.compile(r"[A-Za-z_][\w-]*:(\s|$)|-(\s|$)|#|---|\.\.\.")
# "page:20": a field's name and value with no space between ("page:20" is one word to YAML).
_NO_SPACE_AFTER_KEY = re.compile(r"\s*(?:-[ ]+)?([A-Za-z_][\w-]*):(?=[^\s:/])")
_ITEM = re.compile(r"([ ]*)- ")
_NO_SPACE_ITEM = re.compile(r"([ ]*)-[^\s-]")
_ITEM_FIELD = re.compile(r"- ([A-Za-z_][\w-]*):(\s|$)")
# 'title: "Acting" on feedback': a value whose first words alone are quoted.
_PART_QUOTED = re.compile(
    r"""(\s*(?:-[ ]+)?[A-Za-z_][\w-]*:[ ]+)(("[^"]*"|'[^']*')[ ]*[^\s#].*)$"""
)


def _slip(text: str, line: int, loader: Any) -> tuple[int, str] | None:
    """A slip of the pen on one of the lines up to ``line`` (0-based) that explains the
    syntax error YAML found at ``line``: that line and what to tell the editor, or None. A
    slip explains the error only if YAML, with that line mended, reads past ``line``."""
    lines = text.splitlines()
    items = {m.group(1) for row in lines if (m := _ITEM.match(row))}
    for index in range(min(line, len(lines) - 1), max(line - _BLOCK_LINES, -1), -1):
        # A slip within three lines of the error; a line of text that lost its indent further
        # up too, as YAML reads on through a folded block until the next field.
        if index > line - 3:
            for mended, message in _mended(lines[index], items):
                if _reads_past([*lines[:index], mended, *lines[index + 1 :]], line, loader):
                    return index, message
        if (told := _unindented(lines, index, line, loader)) is not None:
            return index, told
    return None


# How far up a line of text that lost its indent is looked for: a pack's introduction.
_BLOCK_LINES = 40
# "page 20", "tags [a, b]": a field's name and a short value, without the colon between
# them; not a line of wrapped text, which runs longer or ends in a mark.
_NO_COLON = re.compile(r"([a-z_][\w-]*)[ \t]+(\S+(?:[ \t]+\S+){0,3})(?<![,.;:?!])")
_NO_INDENT = "this line has no indent, so YAML does not read it as part of the text it belongs to"
_LESS_INDENT = (
    "this line is indented less than the text it belongs to, so YAML does not read it as part "
    "of that text"
)
# A field's name and its colon, at the start of a line's text.
_FIELD_ROW = re.compile(r"[A-Za-z_][\w-]*:(\s|$)")


def _unindented(lines: list[str], index: int, line: int, loader: Any) -> str | None:
    """What to tell the editor of a line indented less than YAML needs to read it as it is
    meant, when indenting it as the text around it is (a prompt or an intro wrapped by hand,
    a field of a list item), or writing a colon after its first word ("page 20"), lets YAML
    read past ``line``; None otherwise."""
    row = lines[index]
    text = row.lstrip(" ")
    depth = len(row) - len(text)
    field = _FIELD_ROW.match(text) is not None
    if not text.strip() or (_TOP_LEVEL.match(text) and not field) or text[0] in "\t\u00a0":
        return None

    def reads(mended: str) -> bool:
        return _reads_past([*lines[:index], mended, *lines[index + 1 :]], line, loader)

    # The nearest lines with text below and above, and the indent of each; the text of a
    # list item ("  - ") starts two further in than its dash.
    below = next((r for r in lines[index + 1 :] if r.strip()), "")
    above = next((r for r in reversed(lines[:index]) if r.strip()), "")
    indents: list[int] = []
    for near in (below, above):
        indent = len(near) - len(near.lstrip(" "))
        indents += [indent, indent + 2] if near.lstrip().startswith("- ") else [indent]
    deeper = [n for n in dict.fromkeys(indents) if n > depth]
    indented = any(reads(" " * n + text) for n in deeper)
    if field:
        # A field of a list item written at the item's dash or further out.
        if indented and above.lstrip().startswith("- "):
            return (
                "this field is indented less than the other fields of the list item above, so "
                "YAML does not read it as one of them: start it in the same column as they are"
            )
        return None
    if depth:
        return (
            f"{_LESS_INDENT}: indent it as the other lines of that text are" if indented else None
        )
    comment = _COMMENT.search(row)
    bare, after = (row[: comment.start()], row[comment.start() :]) if comment else (row, "")
    named = _NO_COLON.fullmatch(bare)
    colon = named is not None and reads(f"{named.group(1)}: {named.group(2)}{after}")
    if indented and colon:
        assert named is not None
        return (
            f"{_NO_INDENT}, and no ':' after '{named.group(1)}', so not as a field either: "
            "indent it as the other lines of that text are if it is more of that text, or "
            f"write '{named.group(1)}:' if it is a field"
        )
    if indented:
        return f"{_NO_INDENT}: indent it as the other lines of that text are"
    if colon:
        assert named is not None
        return f"'{named.group(1)}' needs a ':' after it to be read as a field"
    return None


def _mended(row: str, items: set[str]) -> Iterator[tuple[str, str]]:
    """Each slip ``row`` may hold: the row mended, and what to tell the editor of it."""
    if found := _NBSP_AFTER_KEY.match(row):
        yield (
            row[: found.end() - 1] + " " + row[found.end() :],
            (
                f"the space after '{found.group(1)}:' is a non-breaking space (U+00A0), which "
                "YAML does not read as a space; type an ordinary space there"
            ),
        )
    if _NBSP_INDENT.match(row):
        text = row.lstrip(" \u00a0")
        yield (
            " " * (len(row) - len(text)) + text,
            (
                "this line is indented with a non-breaking space (U+00A0), which YAML does not "
                "read as a space; indent it with ordinary spaces"
            ),
        )
    if found := _NO_SPACE_AFTER_KEY.match(row):
        yield (
            row[: found.end()] + " " + row[found.end() :],
            f"'{found.group(1)}:' needs a space after its colon",
        )
    if (found := _NO_SPACE_ITEM.match(row)) and found.group(1) in items:
        dash = found.end(1) + 1
        yield row[:dash] + " " + row[dash:], "a list item needs a space after its '-'"
    if found := _PART_QUOTED.match(row):
        yield (
            f"{found.group(1)}'{found.group(2).replace(chr(39), chr(39) * 2)}'",
            (
                "this value starts with a quoted part, and YAML reads a quoted value only up to "
                "its closing quote: put the whole value in quotes (single quotes keep double "
                "ones inside), or leave the quotes out"
            ),
        )
    if _ITEM_FIELD.match(row):
        yield (
            row[2:],
            (
                "this field starts with '- ', which makes it an item of a list; write fields "
                "without it"
            ),
        )


def _reads_past(lines: list[str], line: int, loader: Any) -> bool:
    """Whether YAML reads ``lines`` without a syntax error at or above ``line`` (0-based)."""
    try:
        for _event in yaml.parse("\n".join(lines), Loader=loader):
            pass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return mark is not None and mark.line > line
    except yaml.YAMLError:
        return False
    return True


def _curly_quoted(text: str, mark: Any) -> bool:
    """Whether the value on the line at ``mark`` starts with a curly quote, which a word
    processor puts where the editor typed a straight one."""
    lines = text.splitlines()
    if mark.line >= len(lines):
        return False
    return re.match(r"\s*(?:- )?(?:[\w-]+:[ ]+)?[“‘„]", lines[mark.line]) is not None


def _indented_key(text: str, mark: Any) -> bool:
    """Whether the line at ``mark`` is a field indented by mistake ("  page: 20" under
    "title: ..."), rather than a value holding ': '."""
    lines = text.splitlines()
    if mark.line >= len(lines):
        return False
    return re.match(r"[ ]+[A-Za-z_][\w-]*:(\s|$)", lines[mark.line]) is not None


def _ran_on_to(text: str, loader: Any, line: int) -> Any:
    """Where a quoted text that spans lines and ends on ``line`` (0-based) starts, or None."""
    found = None
    try:
        for token in yaml.scan(text, Loader=loader):
            if token.start_mark.line > line:
                break
            if (
                isinstance(token, yaml.ScalarToken)
                and token.style in ('"', "'")
                and token.start_mark.line < token.end_mark.line == line
            ):
                found = token.start_mark
    except yaml.YAMLError:
        pass
    return found


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _plain_lines(node: yaml.ScalarNode, lines: list[str]) -> str:
    """The lines of ``node``, text without quotes over several lines, as written, each
    without the spaces around it (which YAML drops as it joins them)."""
    start, end = node.start_mark, node.end_mark
    if end.line >= len(lines):
        return ""
    written = [lines[start.line][start.column :]]
    written += lines[start.line + 1 : end.line]
    written.append(lines[end.line][: end.column])
    return "\n".join(line.strip() for line in written)


def _folded_lines(node: yaml.ScalarNode, line: int, lines: list[str]) -> tuple[int, ...]:
    """The line each line of the text of ``node`` (quoted, over several lines, its
    first on ``line``) starts on: YAML joins its lines, and makes each blank line a line
    break, so a line of the text starts after each blank line. Empty if the text has line
    breaks of another kind (an escaped one, in double quotes)."""
    starts = [line]
    for index in range(node.start_mark.line + 1, min(node.end_mark.line + 1, len(lines))):
        if not lines[index].strip():
            starts.append(line + index - node.start_mark.line + 1)  # the text goes on below
    return tuple(starts) if len(starts) == node.value.count("\n") + 1 else ()


def _convert(
    node: yaml.Node, path: str, where: object, errors: list[Diagnostic], lines: list[str]
) -> Node:
    line = where(node.start_mark)  # type: ignore[operator]
    if isinstance(node, yaml.ScalarNode):
        # A plain scalar has no style: None from PyYAML's parser, "" from libyaml's.
        if not node.style and node.value in _NULLS:
            return Node("null", None, line)
        comment = ""
        if not node.style and node.end_mark.line < len(lines):
            after = _COMMENT.match(lines[node.end_mark.line], node.end_mark.column)
            comment = after.group(1).rstrip() if after else ""
        block = node.style in ("|", ">")
        written = ""
        if block:
            # The block's lines run from the one after its indicator to its end mark, which
            # is at the start of the next line (or at the end of the block's last line).
            end = node.end_mark.line + (node.end_mark.column > 0)
            written = textwrap.dedent("\n".join(lines[node.start_mark.line + 1 : end]))
        text_lines: tuple[int, ...] = ()
        if not node.style and node.end_mark.line > node.start_mark.line:
            # Over several lines without quotes: YAML folds them as it folds a ">" block.
            written = _plain_lines(node, lines)
        elif not block and node.end_mark.line > node.start_mark.line:
            text_lines = _folded_lines(node, line, lines)
        stray_item = 0
        if not node.style and node.end_mark.line > node.start_mark.line:
            for index in range(node.start_mark.line + 1, node.end_mark.line + 1):
                if index < len(lines) and lines[index].lstrip(" ").startswith("- "):
                    stray_item = line + index - node.start_mark.line
                    break
        return Node(
            "scalar",
            node.value,
            line,
            comment=comment,
            text_line=line + block,
            written=written,
            folded=node.style == ">" or bool(written and not block),
            text_lines=text_lines,
            stray_item=stray_item,
        )
    if isinstance(node, yaml.SequenceNode):
        return Node("seq", [_convert(n, path, where, errors, lines) for n in node.value], line)
    assert isinstance(node, yaml.MappingNode)
    values: dict[str, Node] = {}
    key_lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key_line = where(key_node.start_mark)  # type: ignore[operator]
        if not isinstance(key_node, yaml.ScalarNode):
            errors.append(Diagnostic(path, key_line, "a key must be plain text"))
            continue
        key = key_node.value
        if key in values:
            errors.append(
                Diagnostic(
                    path, key_line, f"duplicate key '{key}' (first given on line {key_lines[key]})"
                )
            )
            continue
        key_lines[key] = key_line
        values[key] = _convert(value_node, path, where, errors, lines)
    return Node("map", values, line, key_lines)
