"""The fields of content files: typed access to a YAML mapping, the limits a value keeps to,
and the check that a value is one of those allowed. Each problem names its field."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path

from casebook.content_files import Problems
from casebook.text import invisible_marks, unprintable
from casebook.yamlfile import Node, cut_short

__all__ = [
    "DEFAULT_LIST_LIMIT",
    "LINE_LIMIT",
    "LINE_LIMITS",
    "LIST_ALL_LIMIT",
    "LIST_LIMITS",
    "TEXT_LIMIT",
    "Fields",
    "did_you_mean",
    "known",
]

#: The longest one-line field (a title, name, label or citation): titles run on the cover,
#: in the contents and in every page's footer. The report's longest title is 100 characters.
LINE_LIMIT = 200
#: One-line fields allowed more: a discussion prompt is a whole question (the longest is
#: 193 characters).
LINE_LIMITS = {"prompts": 300}
#: The longest multi-line field (an insight's summary, the rights, a pack's introduction).
TEXT_LIMIT = 4_000
#: The most items a list field holds; any other list field holds at most DEFAULT_LIST_LIMIT.
LIST_LIMITS = {"places": 10, "authors": 20}
DEFAULT_LIST_LIMIT = 200
# Line breaks a one-line field cannot hold (YAML escapes such as "\n" bring them in).
_LINE_BREAKS = frozenset("\n\r\v\f\x85\u2028\u2029")


class Fields:
    """Typed access to one YAML mapping, reporting wrong, missing and unknown keys."""

    def __init__(
        self, problems: Problems, path: str, node: Node, keys: tuple[str, ...], what: str
    ) -> None:
        self.problems = problems
        self.path = path
        self.node = node
        self.ok = node.kind == "map"
        self.unknown = False  # a field not in ``keys`` was found (and reported)
        if not self.ok and node.kind == "null":  # nothing between the fences
            problems.error(
                path, node.line, f"{what} is empty; write its fields in it: {', '.join(keys)}"
            )
            return
        if not self.ok:
            problems.error(
                path, node.line, f"{what} must be a mapping of fields, got {node.describe()}"
            )
            return
        for key, line in node.key_lines.items():
            if key not in keys:
                self.unknown = True
                hint = did_you_mean(key, keys)
                problems.error(
                    path, line, f"unknown field '{key}'{hint}; allowed fields: {', '.join(keys)}"
                )

    def line(self, key: str) -> int:
        return self.node.key_lines.get(key, self.node.line) if self.ok else self.node.line

    def item_lines(self, key: str) -> tuple[int, ...]:
        """The line of each item of the list ``key``; none where it is no list."""
        value = self.node.mapping.get(key) if self.ok else None
        if value is None or value.kind != "seq":
            return ()
        return tuple(item.line for item in value.items)

    def get(self, key: str, required: bool) -> Node | None:
        if not self.ok:
            return None
        value = self.node.mapping.get(key)
        if value is None:
            if required:
                self.problems.error(self.path, self.node.line, f"missing required field '{key}'")
            return None
        if value.kind == "null":
            if required:
                self.problems.error(self.path, self.line(key), f"{key}: is empty")
            return None
        return value

    def text(
        self, key: str, required: bool = True, one_line: bool = True, printed: bool = True
    ) -> str | None:
        """The text of ``key``; ``printed`` False for an id, which a note after it on its
        line cuts nothing from."""
        value = self.get(key, required)
        if value is None:
            return None
        if value.kind != "scalar":
            self.problems.error(
                self.path, value.line, f"{key}: expected text, got {value.describe()}"
            )
            return None
        if printed and self.cut(value, key, key):
            return None
        return self.checked_text(value.line, key, value.text, one_line)

    def cut(self, value: Node, key: str, what: str) -> bool:
        """Report text YAML cut short at " #" (the rest of its line read as a comment): it
        would be printed without it. True when reported."""
        message = cut_short(value, key, what)
        if message is not None:
            self.problems.error(self.path, value.line, message)
        return message is not None

    def stray(self, item: Node, key: str) -> bool:
        """Report an item of the list ``key`` that runs on to a line starting "- ": the next
        item, indented too far, which YAML reads as more of this one. True when reported."""
        if item.stray_item:
            self.problems.error(
                self.path,
                item.stray_item,
                f"{key}: this item is indented further than the one above, so YAML reads it "
                "as more of that item; put its '-' in the same column as the others",
            )
        return item.stray_item > 0

    def integer(self, key: str, required: bool = True) -> int | None:
        value = self.get(key, required)
        if value is None:
            return None
        if value.kind != "scalar" or not re.fullmatch(r"[0-9]{1,6}", value.text.strip()):
            shown = repr(value.text) if value.kind == "scalar" else value.describe()
            digits = value.kind == "scalar" and value.text.strip().isascii()
            if digits and value.text.strip().isdigit():
                why = f"{key}: {shown} is too large; expected a whole number up to 999999"
            else:
                why = f"{key}: expected a whole number, got {shown}"
            self.problems.error(self.path, value.line, why)
            return None
        return int(value.text)

    def texts(
        self, key: str, required: bool = True, printed: bool = True, wanted: str = ""
    ) -> tuple[str, ...] | None:
        """The items of the list ``key``; ``printed`` as for :meth:`text`; ``wanted`` says
        how many to give when the list is empty ("2 to 5 tags")."""
        value = self.get(key, required)
        if value is None:
            return None
        if value.kind != "seq":
            self.problems.error(
                self.path,
                value.line,
                f"{key}: expected a list such as [a, b], got {value.describe()}",
            )
            return None
        out: list[str] = []
        limit = LIST_LIMITS.get(key, DEFAULT_LIST_LIMIT)
        if len(value.items) > limit:
            count = len(value.items)
            self.problems.error(
                self.path, value.line, f"{key}: lists {count} items; the limit is {limit}"
            )
            return None
        refused = False
        for item in value.items:
            if item.kind != "scalar" or not item.text.strip():
                self.problems.error(self.path, item.line, f"{key}: each item must be text")
                refused = True
                continue
            if printed and self.cut(item, key, "item"):
                refused = True
                continue
            # A printed item may hold a dash where its text wraps; an id never does.
            if not printed and self.stray(item, key):
                refused = True
                continue
            checked = self.checked_text(item.line, key, item.text, True)
            if checked is not None:
                out.append(checked)
            refused |= checked is None
        if required and not out and not value.items:
            give = f"; give {wanted}" if wanted else ""
            self.problems.error(self.path, value.line, f"{key}: is empty{give}")
            refused = True
        # A refused item (or list) is reported; checks of the list as a whole would only
        # repeat it.
        return None if refused else tuple(out)

    def mapping(self, key: str, keys: tuple[str, ...], required: bool = True) -> Fields | None:
        value = self.get(key, required)
        if value is None:
            return None
        fields = Fields(self.problems, self.path, value, keys, key)
        return fields if fields.ok else None

    def checked_text(self, line: int, key: str, text: str, one_line: bool) -> str | None:
        """``text`` stripped, or None when it is reported: empty, too long, a line break in
        a one-line field, or characters no renderer prints or that change how it is read."""
        text = text.strip()
        if not text:
            self.problems.error(self.path, line, f"{key}: is empty")
            return None
        problem = _field_problem(text, one_line, LINE_LIMITS.get(key, LINE_LIMIT))
        if problem:
            self.problems.error(self.path, line, f"{key}: {problem}")
            return None
        hidden = invisible_marks(text, one_line)
        if hidden:
            self.problems.error(self.path, line, f"{key}: {hidden}")
            return None
        return text


def known(
    problems: Problems,
    path: str,
    line: int,
    key: str,
    values: tuple[str, ...],
    allowed: tuple[str, ...] | None,
    listed_in: str = "",
    content: Path | None = None,
    item_lines: Sequence[int] = (),
) -> bool:
    """Whether every value is one of ``allowed``; each one that is not is reported, with the
    closest allowed value, or else where a new value is added (``listed_in``, a file of the
    content folder), if anywhere. ``allowed`` is None when its list failed to load (and is
    reported). Of a field that names something in the content folder ``content`` (cases,
    places, tags, insights), a list longer than LIST_ALL_LIMIT is not given: the message says
    what a value is, and names the values that start as the mistaken one does. A value is
    reported at its own line in ``item_lines`` (one for each value), else at ``line``."""
    if allowed is None:  # the list itself is broken and already reported
        return True
    ok = True
    what = _what_value(key, content) if len(allowed) > LIST_ALL_LIMIT else ""
    field_line = line
    for index, value in enumerate(values):
        if value in allowed:
            continue
        ok = False
        line = item_lines[index] if index < len(item_lines) else field_line
        parts = [p.strip() for p in re.split(r",| and ", value)]
        if key != "insight" and len(parts) > 1 and all(p in allowed for p in parts):
            problems.error(
                path,
                line,
                f"{key}: '{value}' is {len(parts)} names in one; list them apart: "
                f"[{', '.join(parts)}]",
            )
            continue
        hint = did_you_mean(value, allowed)
        if what:
            # An id typed only in part ("tower-hamlets-mat") is the start of the one meant.
            hint = _starting_with(value, allowed) or hint or _same_start(value, allowed)
            if not hint and listed_in:
                hint = " (a new one is added there first)"
            problems.error(path, line, f"{key}: '{value}' is not {what}{hint}")
            continue
        if not hint and listed_in:
            hint = f" (a new one is added to {listed_in} first)"
        problems.error(path, line, f"{key}: '{value}' is not one of: {', '.join(allowed)}{hint}")
    return ok


#: The most allowed values a mistake lists; above it, it says what a value is instead.
LIST_ALL_LIMIT = 12
#: What a value of each field naming something in the content folder is, and where it is.
_VALUE_KINDS = {
    "cases": ("cases", "a case file's name in {}, without .md"),
    "places": ("places.yaml", "a place's name in {}"),
    "tags": ("tags.yaml", "a tag's id in {}"),
    "insights": ("insights.yaml", "an insight's id in {}"),
    "insight": ("insights.yaml", "an insight's id in {}"),
}
# The suggestions a mistake names when they start as it does.
_SAME_START_MOST = 3
# A word of an id or a name: parted by hyphens or spaces.
_WORD = re.compile(r"[^-\s]+")


def _what_value(key: str, content: Path | None) -> str:
    """What a value of ``key`` is, with the file or folder of ``content`` it is in; nothing
    for a field whose values are not listed in the content folder."""
    if content is None or key not in _VALUE_KINDS:
        return ""
    name, what = _VALUE_KINDS[key]
    return what.format(content / name)


def did_you_mean(value: str, allowed: tuple[str, ...] | list[str]) -> str:
    """A hint naming the allowed value closest to a mistyped one, or nothing."""
    close = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _same_start(value: str, allowed: tuple[str, ...]) -> str:
    """A hint naming the allowed values that start with the most of ``value``'s first words
    (parted by hyphens or spaces) any of them starts with: at most _SAME_START_MOST of them,
    and how many more; nothing when none starts with its first word."""
    typed = list(_WORD.finditer(value))
    words = [w.group().casefold() for w in typed]
    for n in range(len(words), 0, -1):
        same = [a for a in allowed if _words(a)[:n] == words[:n]]
        if not same:
            continue
        return _suggested(same, value[typed[0].start() : typed[n - 1].end()])
    return ""


def _starting_with(value: str, allowed: tuple[str, ...]) -> str:
    """A hint naming the allowed values that start with all of ``value`` (case folded), or
    nothing."""
    start = value.casefold()
    same = [a for a in allowed if a.casefold().startswith(start)] if start.strip() else []
    return _suggested(same, value) if same else ""


def _suggested(same: list[str], start: str) -> str:
    """The hint " (did you mean 'a', 'b' or 'c'?)": the first _SAME_START_MOST of ``same``,
    and how many more start with ``start``."""
    named = [f"'{a}'" for a in same[:_SAME_START_MOST]]
    if more := len(same) - len(named):
        named.append(f"{'one' if more == 1 else f'one of {more}'} more starting '{start}'")
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"
    return f" (did you mean {listed}?)"


def _words(text: str) -> list[str]:
    """The words of ``text`` parted by hyphens or spaces, case folded."""
    return [w.casefold() for w in _WORD.findall(text)]


def _field_problem(text: str, one_line: bool, line_limit: int = LINE_LIMIT) -> str | None:
    """Why the text of a field cannot be published as it stands, or None: too long, a line
    break in a one-line field, or characters no renderer prints."""
    limit = line_limit if one_line else TEXT_LIMIT
    if len(text) > limit:
        kind = "one-line field" if one_line else "field"
        return f"is {len(text):,} characters; a {kind} holds at most {limit:,}"
    if one_line and any(c in _LINE_BREAKS for c in text):
        return "must be one line, but it holds a line break (written as an escape such as \\n)"
    return unprintable(text, keep="" if one_line else "\n\t")
