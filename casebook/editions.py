"""Editions: what every case said when an edition was published, and what changed since.

Each published edition is one plain-text file, ``content/editions/NNN-<label>.yaml``, written
by ``python build.py edition LABEL`` and reviewed in a diff like any other content: its label,
its date and, for every case, the title, places, page, insight, tags, citation, prompts and
text (the Markdown of the case file). The latest edition is the one packs print.

Comparing two states of the content (an edition against a later one, or against the content
as it is now) gives, for every case, whether it was added, withdrawn or edited, which fields
an edit touched, a word-level diff of its text and prompts, and the packs each change reaches.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass, replace
from pathlib import Path

import yaml

from casebook.blocks import (
    Block,
    BulletList,
    Code,
    Emphasis,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    OrderedList,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
    plain_text,
)
from casebook.content_files import list_folder
from casebook.diagnostics import ContentError, Diagnostic
from casebook.markdown import parse_markdown
from casebook.model import Case, CaseRecord, Corpus, EditionRecord, Pack
from casebook.packs import select_packs
from casebook.policy import printed_address
from casebook.reading import FileRefused, read_bounded
from casebook.text import NOT_UTF8, decode_utf8
from casebook.yamlfile import Node, parse_yaml

__all__ = [
    "EDITIONS_DIR",
    "WHATS_NEW_SINCE",
    "CaseChange",
    "Changes",
    "changes_since",
    "compare_records",
    "differs",
    "edition_changes",
    "field_diff",
    "load_editions",
    "publish_edition",
    "record_case",
    "records_of",
    "renamed_cases",
    "same_cases",
    "text_diff",
    "whats_new",
    "whats_new_case",
    "whats_new_line",
    "word_diff",
]

EDITIONS_DIR = "editions"
LABEL_LIMIT = 80
_FILE = re.compile(r"(\d{3})-[a-z0-9-]+\.yaml")
#: The largest edition file read: a record holds the text of every case (the report's 54
#: take about 100 kB).
EDITION_FILE_LIMIT = 16 * 1024 * 1024
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CASE_KEYS = ("id", "title", "places", "page", "insight", "tags", "citation", "prompts", "text")
# The fields a reader sees, in the order a change lists them.
FIELDS = ("title", "places", "page", "insight", "citation", "prompts", "text")
_HEADER = (
    "# A published edition of the workshop packs: its label, its date and what every case\n"
    "# said then. Written by `python build.py edition`; review it like any other content,\n"
    "# and do not edit it by hand: it is the record that later editions are compared with.\n"
    "# The seal at the end is a digest of what it says, by which a change is noticed.\n"
)
_HEADER_SEAL = "\n# The seal at the end is a digest of what it says"


# --- reading ---------------------------------------------------------------------------------


def load_editions(root: Path) -> tuple[tuple[EditionRecord, ...], list[Diagnostic]]:
    """Every edition recorded under ``root/editions``, oldest first, and the problems found.
    A missing folder is no editions (the caller decides whether that is an error)."""
    folder = root / EDITIONS_DIR
    if not folder.is_dir():
        return (), []
    records: list[EditionRecord] = []
    sealed_before = ""  # the last sealed record read: every record after it is sealed too
    paths, problems = list_folder(folder, (".yaml", ".yml"), "edition")
    for path in paths:
        shown = str(path)
        if not _FILE.fullmatch(path.name):
            problems.append(
                Diagnostic(
                    shown,
                    0,
                    "an edition's file is named NNN-label.yaml (three digits, then lower-case "
                    "letters, digits and hyphens), as 'python build.py edition' writes it",
                )
            )
            continue
        read = _read_edition(path, root, problems, sealed_before)
        if read is None:
            continue
        record, sealed = read
        if sealed:
            sealed_before = record.path
        for earlier in records:
            if earlier.label.casefold() == record.label.casefold():
                problems.append(
                    Diagnostic(shown, 0, f"label: '{record.label}' is also {earlier.path}'s label")
                )
            elif earlier.date == record.date:
                problems.append(
                    Diagnostic(shown, 0, f"date: {record.date} is also {earlier.path}'s date")
                )
        if records and record.date < records[-1].date:
            problems.append(
                Diagnostic(
                    shown,
                    0,
                    f"date: {record.date} is earlier than the edition before it "
                    f"({records[-1].label}, {records[-1].date})",
                )
            )
        records.append(record)
    return tuple(records), problems


class _Reader:
    """Typed access to an edition file's YAML, each problem reported at its line."""

    def __init__(self, path: str, problems: list[Diagnostic]) -> None:
        self.path = path
        self.problems = problems
        self.ok = True

    def error(self, line: int, message: str) -> None:
        self.problems.append(Diagnostic(self.path, line, message))
        self.ok = False

    def mapping(
        self, node: Node, keys: Sequence[str], what: str, optional: Sequence[str] = ()
    ) -> dict[str, Node] | None:
        if node.kind != "map":
            self.error(node.line, f"{what} must be a mapping of fields, got {node.describe()}")
            return None
        for key, line in node.key_lines.items():
            if key not in keys and key not in optional:
                allowed = ", ".join([*keys, *optional])
                self.error(line, f"unknown field '{key}'; allowed fields: {allowed}")
        for key in keys:
            if key not in node.mapping:
                self.error(node.line, f"{what}: missing required field '{key}'")
        return node.mapping

    def text(self, fields: dict[str, Node], key: str, allow_empty: bool = False) -> str:
        node = fields.get(key)
        if node is None:
            return ""
        if node.kind == "null" or (node.kind == "scalar" and not node.text.strip()):
            if not allow_empty:
                self.error(node.line, f"{key}: is empty")
            return ""
        if node.kind != "scalar":
            self.error(node.line, f"{key}: expected text, got {node.describe()}")
            return ""
        return node.text

    def texts(self, fields: dict[str, Node], key: str) -> tuple[str, ...]:
        node = fields.get(key)
        if node is None or node.kind == "null":
            return ()
        if node.kind != "seq" or any(i.kind != "scalar" for i in node.items):
            self.error(node.line, f"{key}: expected a list of text, got {node.describe()}")
            return ()
        return tuple(i.text for i in node.items)

    def integer(self, fields: dict[str, Node], key: str) -> int:
        node = fields.get(key)
        if node is None:
            return 0
        if node.kind != "scalar" or not re.fullmatch(r"[0-9]{1,6}", node.text):
            self.error(node.line, f"{key}: expected a whole number, got {node.describe()}")
            return 0
        return int(node.text)


def _read_edition(
    path: Path, root: Path, problems: list[Diagnostic], sealed_before: str
) -> tuple[EditionRecord, bool] | None:
    """The record ``path`` (a file of the content folder ``root``) holds and whether it is
    sealed, or None when it has problems. ``sealed_before`` names a sealed record before it
    (or is empty): Casebook has sealed every record since, so this one must be sealed too."""
    shown = str(path)
    try:
        data = read_bounded(path, EDITION_FILE_LIMIT, root, "the content folder")
    except FileRefused as error:
        problems.append(Diagnostic(shown, 0, str(error)))
        return None
    except OSError as error:
        problems.append(Diagnostic(shown, 0, f"cannot be read: {error.strerror}"))
        return None
    text, bad_line = decode_utf8(data)
    if bad_line is not None:
        problems.append(Diagnostic(shown, bad_line, NOT_UTF8))
        return None
    try:
        document = parse_yaml(text, shown, fast=True)
    except ContentError as error:
        problems.extend(error.diagnostics)
        return None
    reader = _Reader(shown, problems)
    top = reader.mapping(document, ("label", "date", "cases"), "an edition", optional=("seal",))
    if top is None:
        return None
    label = reader.text(top, "label")
    date = reader.text(top, "date")
    if date and label_problem(label) is None and not _is_date(date):
        reader.error(top["date"].line, f"date: '{date}' is not a date like 2026-11-26")
    elif label and (why := label_problem(label)):
        reader.error(top["label"].line, f"label: {why}")
    cases: list[tuple[str, CaseRecord]] = []
    node = top.get("cases")
    if node is not None and node.kind != "seq":
        reader.error(node.line, f"cases: expected a list of cases, got {node.describe()}")
    elif node is not None:
        seen: set[str] = set()
        for item in node.items:
            fields = reader.mapping(item, _CASE_KEYS, "a case")
            if fields is None:
                continue
            ident = reader.text(fields, "id")
            if ident in seen:
                reader.error(item.line, f"id: '{ident}' is recorded twice")
            seen.add(ident)
            record = CaseRecord(
                title=reader.text(fields, "title"),
                places=reader.texts(fields, "places"),
                page=reader.integer(fields, "page"),
                insight=reader.text(fields, "insight"),
                tags=reader.texts(fields, "tags"),
                citation=reader.text(fields, "citation"),
                prompts=reader.texts(fields, "prompts"),
                text=reader.text(fields, "text").strip("\n"),
            )
            cases.append((ident, record))
    if not reader.ok:
        return None
    # A record written before records were sealed has no seal: taken as it stands. One
    # written since (it follows a sealed one, or its header speaks of its seal) has lost it.
    seal = top.get("seal")
    if seal is None and (sealed_before or _HEADER_SEAL in text):
        why = (
            f"{sealed_before} before it is sealed, as is every record written since then"
            if sealed_before
            else "its header says it ends with one"
        )
        reader.error(
            len(text.splitlines()),
            f"seal: missing, though {why}: the record was changed after `python build.py "
            "edition` wrote it; put it back as it was written, as later editions and adapted "
            "Word copies are compared with it",
        )
        return None
    if seal is not None:
        given = reader.text(top, "seal")
        if reader.ok and given != _seal(label, date, cases):
            reader.error(
                seal.line,
                "seal: this record no longer says what was published: it was changed after "
                "`python build.py edition` wrote it; put it back as it was written, as later "
                "editions and adapted Word copies are compared with it",
            )
        if not reader.ok:
            return None
    return EditionRecord(label, date, shown, tuple(cases)), seal is not None


def _seal(label: str, date: str, cases: Iterable[tuple[str, CaseRecord]]) -> str:
    """A digest of what an edition's record says (not of how its file sets it out)."""
    said = [label, date, [[ident, *astuple(record)] for ident, record in cases]]
    return hashlib.sha256(json.dumps(said, ensure_ascii=False).encode()).hexdigest()


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def label_problem(label: str) -> str | None:
    """Why ``label`` cannot name an edition, or None."""
    if not label.strip():
        return "is empty"
    if label != label.strip() or any(not c.isprintable() for c in label):
        return "must be one line of text without leading or trailing spaces"
    if len(label) > LABEL_LIMIT:
        return f"is longer than {LABEL_LIMIT} characters"
    if not re.search(r"[a-z0-9]", _ascii(label.casefold())):
        return (
            "must contain a letter from A to Z (accents allowed) or a digit: the edition's "
            "file is named after them"
        )
    return None


# --- the content as records ----------------------------------------------------------------


def case_record(case: Case, corpus: Corpus) -> CaseRecord:
    """What ``case`` says now, as an edition records it."""
    return CaseRecord(
        title=case.title,
        places=case.places,
        page=case.page,
        insight=case.insight,
        tags=case.tags,
        citation=corpus.source.cite(case.page),
        prompts=case.prompts,
        text=case.text,
    )


def records_of(corpus: Corpus) -> tuple[tuple[str, CaseRecord], ...]:
    """What every case says now, in report order."""
    return tuple((c.id, case_record(c, corpus)) for c in corpus.cases)


def renamed_cases(cases: Sequence[Case], latest: EditionRecord) -> list[Diagnostic]:
    """A warning for each case not in ``latest`` (the latest edition) that reads as one of its
    cases the content no longer has: the same heading, or the same text. That is a case file
    renamed, and a case under a new name is a new case: the old one is withdrawn from every
    pack, "What's new" and adapted copy that had it."""
    ids = {c.id for c in cases}
    gone = [(ident, record) for ident, record in latest.cases if ident not in ids]
    if not gone:
        return []
    published = {ident for ident, _ in latest.cases}
    found = []
    for case in cases:
        if case.id in published:
            continue
        for ident, record in gone:
            same_heading = record.heading.casefold() == case.heading.casefold()
            if same_heading or record.text.split() == case.text.split():
                found.append(
                    Diagnostic(
                        case.path,
                        0,
                        f"reads as {ident}, published in the {latest.label} and no longer "
                        f"in the content: if this file was {ident}.md, give it that name "
                        "again, as a case under a new name is a new case and the old one is "
                        "withdrawn from every pack and adapted copy that had it",
                        "warning",
                    )
                )
                break
    return found


# --- publishing ------------------------------------------------------------------------------


def _slug(label: str) -> str:
    return _label_key(label)[:60].rstrip("-") or "edition"


def _label_key(label: str) -> str:
    """``label`` as its file name gives it: lower-case letters and digits without accents,
    hyphens between words ("Ail Argraffiad – Gŵyl" is "ail-argraffiad-gwyl")."""
    return re.sub(r"[^a-z0-9]+", "-", _ascii(label.casefold())).strip("-")


def _label_letters(label: str) -> str:
    """``label`` as readers tell labels apart: its letters of any alphabet and its digits,
    without capitals or the accents of letters A to Z ("Выпуск 2" is not "Издание 2", though
    both name a file "…-2.yaml"). Other marks are kept, as in other scripts they tell
    letters apart (a dakuten makes "ガ" of "カ"; a virama joins Devanagari letters)."""
    kept: list[str] = []
    for c in unicodedata.normalize("NFKD", label.casefold()):
        if not unicodedata.combining(c):
            kept.append(c if c.isalnum() else " ")
        elif not (kept and kept[-1].isascii() and kept[-1].isalpha()):
            kept.append(c)
    return "-".join("".join(kept).split())


def _ascii(text: str) -> str:
    """``text`` with its letters' accents left off ("gŵyl" is "gwyl")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _literal(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Several lines as a literal block, as a person would write them; PyYAML quotes instead
    # where a block cannot hold the text exactly.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class _Lines(list[str]):
    """A list written one item a line (prompts), where short lists stay on one line."""


def _lines(dumper: yaml.SafeDumper, value: _Lines) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(value), flow_style=False)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(str, _literal)
_Dumper.add_representer(_Lines, _lines)


def edition_text(label: str, date: str, cases: Iterable[tuple[str, CaseRecord]]) -> str:
    """The file that records an edition, sealed with a digest of what it says."""
    cases = [(ident, replace(r, text=r.text.strip("\n"))) for ident, r in cases]
    data = {
        "label": label,
        "date": date,
        "cases": [
            {
                "id": ident,
                "title": r.title,
                "places": list(r.places),
                "page": r.page,
                "insight": r.insight,
                "tags": list(r.tags),
                "citation": r.citation,
                "prompts": _Lines(r.prompts),
                "text": r.text + "\n",
            }
            for ident, r in cases
        ],
        "seal": _seal(label, date, cases),
    }
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=10_000,
        default_flow_style=None,
    )
    return _HEADER + body


def publish_edition(corpus: Corpus, label: str, date: str) -> tuple[Path, str]:
    """The path and text of the file that publishes ``corpus`` as edition ``label`` of
    ``date``. Raises ContentError when the label or date is taken, the date is earlier than
    the last edition's, or nothing changed since it."""
    root = Path(corpus.root)
    folder = root / EDITIONS_DIR
    where = str(folder)
    if why := label_problem(label):
        raise ContentError([Diagnostic(where, 0, f"label: '{label}' {why}")])
    if not _is_date(date):
        raise ContentError([Diagnostic(where, 0, f"date: '{date}' is not a date like 2026-11-26")])
    editions = corpus.editions
    for earlier in editions:
        # Labels are told apart by their letters and digits: "First-edition" beside "First
        # edition" would be two editions no reader could tell apart, with one file name.
        if _label_letters(earlier.label) == _label_letters(label):
            alike = (
                ""
                if earlier.label.casefold() == label.casefold()
                else f" ('{label}' differs from it only in capitals, accents, spaces or "
                "punctuation)"
            )
            raise ContentError(
                [
                    Diagnostic(
                        earlier.path,
                        _line_of(earlier.path, "label"),
                        f"label: '{earlier.label}' is already published ({earlier.date}){alike}; "
                        "choose another label",
                    )
                ]
            )
        if earlier.date == date:
            raise ContentError(
                [
                    Diagnostic(
                        earlier.path,
                        _line_of(earlier.path, "date"),
                        f"date: {date} is already the date of {earlier.label}; "
                        "give another date with --date",
                    )
                ]
            )
    now = records_of(corpus)
    if editions:
        last = editions[-1]
        if date < last.date:
            raise ContentError(
                [
                    Diagnostic(
                        last.path,
                        _line_of(last.path, "date"),
                        f"date: {date} is earlier than the last edition, {last.label} "
                        f"({last.date}); an edition's date is on or after the one before",
                    )
                ]
            )
        if same_cases(last.cases, now):
            raise ContentError(
                [
                    Diagnostic(
                        last.path,
                        0,
                        f"no case has changed since {last.label}; there is nothing to publish",
                    )
                ]
            )
    numbers = [int(Path(e.path).name[:3]) for e in editions]
    number = max(numbers, default=0) + 1
    path = folder / f"{number:03d}-{_slug(label)}.yaml"
    return path, edition_text(label, date, now)


def _line_of(path: str, key: str) -> int:
    """The line of a top-level key in an edition file (for messages), or 0."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    return next((n for n, line in enumerate(lines, 1) if line.startswith(f"{key}:")), 0)


# --- comparing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseChange:
    """One case that differs between two states of the content."""

    id: str
    change: str  # "added", "withdrawn" or "edited"
    heading: str  # as it reads now (as it read then, for a withdrawn case)
    fields: tuple[str, ...]  # for an edited case, which of FIELDS changed
    diffs: tuple[tuple[str, str], ...]  # (field, what changed, old to new) for each field
    packs: tuple[str, ...]  # the packs the change reaches, in build order


@dataclass(frozen=True)
class Changes:
    """What changed from the edition ``since`` to ``until`` (a later edition, or the content
    now when ``until`` is None)."""

    since: EditionRecord
    until: EditionRecord | None
    cases: tuple[CaseChange, ...]


def _join(values: Sequence[str]) -> str:
    return ", ".join(values)


def compare_records(
    old: Sequence[tuple[str, CaseRecord]], new: Sequence[tuple[str, CaseRecord]]
) -> list[tuple[str, str, tuple[str, ...]]]:
    """``(id, change, fields)`` for every case that differs, in the newer state's order with
    withdrawn cases last (in the older state's order)."""
    before, after = dict(old), dict(new)
    out: list[tuple[str, str, tuple[str, ...]]] = []
    for ident, record in new:
        previous = before.get(ident)
        if previous is None:
            out.append((ident, "added", ()))
            continue
        fields = tuple(f for f in FIELDS if differs(previous, record, f))
        if fields:
            out.append((ident, "edited", fields))
    out += [(ident, "withdrawn", ()) for ident, _ in old if ident not in after]
    return out


def differs(old: CaseRecord, new: CaseRecord, field: str) -> bool:
    """Whether ``field`` reads differently in two records of a case. The text differs only
    where it prints differently: a space at a line's start or end, or a blank line, that
    Markdown reads past is no change to it."""
    a, b = getattr(old, field), getattr(new, field)
    if field == "text":
        return a != b and _printed(a) != _printed(b)
    return bool(a.strip() != b.strip() if isinstance(a, str) else a != b)


def _printed(text: str) -> tuple[Block, ...]:
    """A case's text (Markdown) as the packs print it: its blocks."""
    return parse_markdown(text, "", 0)[0]


def same_cases(
    old: Sequence[tuple[str, CaseRecord]], new: Sequence[tuple[str, CaseRecord]]
) -> bool:
    """Whether two states of the content hold the same cases, in the same order, each
    saying the same (its text as printed, as :func:`differs` compares it)."""
    if [ident for ident, _ in old] != [ident for ident, _ in new]:
        return False
    keys = _CASE_KEYS[1:]  # every field a record has, after the id
    return not any(
        differs(a, b, key) for (_, a), (_, b) in zip(old, new, strict=True) for key in keys
    )


def _shown(record: CaseRecord, field: str) -> str:
    value = getattr(record, field)
    if field == "prompts":
        return "\n".join(f"{n}. {p}" for n, p in enumerate(value, 1))
    if field == "places":
        return _join(value)
    return str(value)


def word_diff(old: str, new: str, context: int = 6) -> str:
    """The words that changed from ``old`` to ``new``, as ``[-removed-]{+added+}`` with a few
    words of context either side ("…" where unchanged words are left out)."""
    return _token_diff(old.split(), new.split(), context)


def _token_diff(a: Sequence[str], b: Sequence[str], context: int) -> str:
    parts: list[str] = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            keep_head = 0 if first else context
            keep_tail = 0 if last else context
            if len(words) > keep_head + keep_tail:
                head = words[:keep_head]
                tail = words[len(words) - keep_tail :] if keep_tail else []
                parts.append(" ".join([*head, "…", *tail]))
            else:
                parts.append(" ".join(words))
            continue
        if i2 > i1:
            parts.append(f"[-{' '.join(a[i1:i2])}-]")
        if j2 > j1:
            parts.append(f"{{+{' '.join(b[j1:j2])}+}}")
    return " ".join(p for p in parts if p)


#: What a field's change says when its words are the same and only the spaces between
#: them changed (a title or a prompt).
SPACED_DIFFERENTLY = "the same words, spaced differently"
#: What a text's change starts with when its words are the same and only how they are set
#: out (paragraphs, line breaks, lists, headings) changed.
SET_OUT_DIFFERENTLY = "the same words, set out differently"


def field_diff(field: str, old: str, new: str, context: int = 6) -> str:
    """What changed in ``field`` from ``old`` to ``new`` (its value as text), word by word;
    never empty: a change of spacing alone says so, and a change of the text (Markdown)
    that leaves its words as they were says how they are set out now
    (:func:`text_diff`)."""
    if field == "text":
        return text_diff(old, new, context)
    if old.split() == new.split():
        return SPACED_DIFFERENTLY
    return word_diff(old, new, context)


def text_diff(old: str, new: str, context: int = 6) -> str:
    """What changed in a case's text from ``old`` to ``new`` (Markdown): its words as the
    packs print them (no Markdown marks; a link's address where it is printed), as
    :func:`word_diff` shows them, with where a paragraph, line break or list item starts in
    brackets among them (``{+(bullet point) a shared vision+}``). Where the words are the
    same and only how the packs set them out changed (a paragraph split in two or two made
    one, a line break, a list's items joined or split, a heading), it says so:
    ``the same words, set out differently: … structure {+(new paragraph)+} to describe …``.
    A change the printed words do not show (emphasis added, say) is shown in Markdown."""
    a, b = _set_out(_printed(old)), _set_out(_printed(new))
    if a == b:
        return SET_OUT_DIFFERENTLY if old.split() == new.split() else word_diff(old, new, context)
    diff = _token_diff(a, b, context).replace(_MARK, "")
    same = [w for w in a if not w.startswith(_MARK)] == [w for w in b if not w.startswith(_MARK)]
    if not same and old.split() != new.split():
        return diff  # the words changed
    return f"{SET_OUT_DIFFERENTLY if same else 'set out differently'}: {diff}"


_MARK = "\0"  # starts a token that stands for how the words are set out, not for a word


def _mark(words: str) -> str:
    return f"{_MARK}({words})"


def _set_out(blocks: Sequence[Block], depth: int = 0) -> list[str]:
    """The words of ``blocks`` as the packs print them, with a token in brackets where a
    paragraph, heading, list item, line break, quote, picture or table starts."""
    out: list[str] = []
    indent = "indented " * depth
    for block in blocks:
        match block:
            case Paragraph(children=c):
                out += [_mark("new paragraph")] if out else []
                out += _inline_words(c)
            case Heading(children=c):
                out += [_mark("heading"), *_inline_words(c)]
            case BulletList(items=items):
                for item in items:
                    out += [_mark(f"{indent}bullet point"), *_set_out(item.blocks, depth + 1)]
            case OrderedList(start=start, items=items):
                for number, item in enumerate(items, start):
                    out += [_mark(f"{indent}item {number}"), *_set_out(item.blocks, depth + 1)]
            case Quote(blocks=inner):
                out += [_mark("quotation"), *_set_out(inner, depth)]
            case Figure(alt=alt):
                out += [_mark("picture"), *alt.split()]
            case Table(header=header, rows=rows):
                out.append(_mark("table"))
                for row in (header, *rows):
                    out.append(_mark("table row"))
                    for cell in row:
                        out += _inline_words(cell)
    return out


def _inline_words(nodes: Sequence[Inline]) -> list[str]:
    """The words of ``nodes`` as printed (a link's address after its words where the pack
    prints it), a token for each line break; text runs on across emphasis and links, so
    ``**vision**,`` is the one word ``vision,``."""
    out: list[str] = []
    text: list[str] = []

    def gather(nodes: Sequence[Inline]) -> None:
        for node in nodes:
            match node:
                case Text(text=words) | Code(text=words):
                    text.append(words)
                case LineBreak():
                    out.extend("".join(text).split())
                    text.clear()
                    out.append(_mark("line break"))
                case Emphasis(children=c) | Strong(children=c):
                    gather(c)
                case Link(href=href, children=c):
                    gather(c)
                    if (address := printed_address(plain_text(c), href)) is not None:
                        text.append(f" ({address})")

    gather(nodes)
    return out + "".join(text).split()


def _diffs(old: CaseRecord, new: CaseRecord, fields: Sequence[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for field in fields:
        if field in ("text", "prompts", "title", "citation"):
            out.append((field, field_diff(field, _shown(old, field), _shown(new, field))))
        else:
            out.append((field, f"{_shown(old, field)} → {_shown(new, field)}"))
    return tuple(out)


def record_case(
    ident: str, record: CaseRecord, corpus: Corpus, body: tuple[Block, ...] = ()
) -> Case:
    """A case as ``record`` says it was, under the id ``ident``, naming only the places the
    content still has; ``body`` its text as blocks, if wanted."""
    known = {p.name for p in corpus.places}
    return Case(
        id=ident,
        path="",
        title=record.title,
        places=tuple(p for p in record.places if p in known),
        page=record.page,
        insight=record.insight,
        tags=record.tags,
        body=body,
        digest="",
        prompts=record.prompts,
        text=record.text,
    )


def _packs_reaching(
    corpus: Corpus, old: dict[str, CaseRecord], idents: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """For each case id, the packs that hold it now or held it as ``old`` recorded it (as
    today's pack definitions select), in build order."""
    marker = "\0then:"
    idents = list(idents)
    then = tuple(record_case(marker + i, old[i], corpus) for i in idents if i in old)
    packs = select_packs(replace(corpus, cases=corpus.cases + then))
    out: dict[str, tuple[str, ...]] = {}
    for ident in idents:
        out[ident] = tuple(
            p.id for p in packs if any(c.id in (ident, marker + ident) for c in p.cases)
        )
    return out


def _changes(
    corpus: Corpus,
    old: Sequence[tuple[str, CaseRecord]],
    new: Sequence[tuple[str, CaseRecord]],
) -> tuple[CaseChange, ...]:
    before, after = dict(old), dict(new)
    found = compare_records(old, new)
    reach = _packs_reaching(corpus, before, [i for i, _, _ in found])
    out = []
    for ident, change, fields in found:
        record = after.get(ident) or before[ident]
        diffs = _diffs(before[ident], after[ident], fields) if change == "edited" else ()
        out.append(CaseChange(ident, change, record.heading, fields, diffs, reach[ident]))
    return tuple(out)


def edition_changes(corpus: Corpus, since: str | None) -> Changes | None:
    """What changed since the edition labelled ``since``, up to the content now. Without a
    label: since the edition before the content now, that is the latest edition if the
    content has changed since it was published, else the one before that (None when there
    is no earlier edition to compare with). Raises KeyError for an unknown label."""
    editions = corpus.editions
    now = records_of(corpus)
    if since is not None:
        matches = [e for e in editions if e.label.casefold() == since.casefold()]
        if not matches:
            raise KeyError(since)
        base = matches[0]
    elif not editions:
        return None
    elif not same_cases(editions[-1].cases, now):
        base = editions[-1]
    elif len(editions) > 1:
        base = editions[-2]
    else:
        return None
    latest = editions[-1] if editions and same_cases(editions[-1].cases, now) else None
    until = latest if latest is not None and latest is not base else None
    return Changes(base, until, _changes(corpus, base.cases, now))


def changes_since(corpus: Corpus, base: EditionRecord) -> tuple[CaseChange, ...]:
    """Every case that changed from edition ``base`` to the content now."""
    return _changes(corpus, base.cases, records_of(corpus))


_CHANGE_WORDS = {"added": "Added", "edited": "Updated", "withdrawn": "Withdrawn"}
#: The line that opens a pack's "What's new in this edition", before its line a case.
WHATS_NEW_SINCE = "Since the {label} ({date}), these cases in this pack have changed:"
_OTHER_PACKS = "now in other packs"
_FIELD_WORDS = {
    "title": "title",
    "places": "places",
    "page": "page",
    "insight": "insight",
    "citation": "citation",
    "prompts": "discussion prompts",
    "text": "text",
}


_WORD = "|".join(re.escape(w) for w in _FIELD_WORDS.values())
_SINCE_LINE = re.compile(
    re.escape(WHATS_NEW_SINCE)
    .replace(re.escape("{label}"), "(.+)")
    .replace(re.escape("{date}"), r"\d{1,2} [A-Z][a-z]+ \d{4}")
)
_CASE_LINE = re.compile("(?:" + "|".join(_CHANGE_WORDS.values()) + r"): (.+)")
_WHAT_CHANGED = re.compile(
    rf"{re.escape(_OTHER_PACKS)}|(?:{_WORD})(?:, (?:{_WORD}))*(?: and (?:{_WORD}))?"
)


def whats_new_line(text: str, corpus: Corpus) -> bool:
    """Whether ``text`` reads as a line of a pack's "What's new in this edition" as
    :func:`whats_new` words it for ``corpus``: since which of its editions, or a change to
    a case some edition or the content has, with what changed in brackets."""
    since = _SINCE_LINE.fullmatch(text)
    if since is not None:
        return since.group(1) in {e.label for e in corpus.editions}
    line = _CASE_LINE.fullmatch(text)
    if line is None:
        return False
    headings = {c.heading for c in corpus.cases}
    headings |= {r.heading for e in corpus.editions for _, r in e.cases}
    return any(heading in headings for heading in _case_headings(line.group(1)))


def whats_new_case(text: str) -> str | None:
    """The heading of the case a line of "What's new in this edition" is about (as
    :func:`whats_new` words it), or None for any other text."""
    line = _CASE_LINE.fullmatch(text)
    return None if line is None else next(_case_headings(line.group(1)))


def _case_headings(rest: str) -> Iterator[str]:
    """What a case's line of "What's new" may name after "Updated: " (``rest``): the heading
    before what changed in brackets, where there is such a bracket, then the whole."""
    heading, bracket, what = rest.rpartition(" (")
    if bracket and what.endswith(")") and _WHAT_CHANGED.fullmatch(what[:-1]):
        yield heading
    yield rest


def whats_new(pack: Pack, corpus: Corpus) -> tuple[EditionRecord, tuple[str, ...]] | None:
    """The previous edition and one line per case of ``pack`` added, updated or withdrawn
    since it, for the pack's "What's new in this edition"; None before the second edition
    or when none of the pack's cases changed."""
    if len(corpus.editions) < 2:
        return None
    base = corpus.editions[-2]
    in_pack = {c.id for c in pack.cases}
    lines = []
    for change in changes_since(corpus, base):
        if change.id not in in_pack and pack.id not in change.packs:
            continue
        words = _CHANGE_WORDS[change.change]
        if change.change == "edited" and change.id not in in_pack:
            lines.append(f"Withdrawn: {change.heading} ({_OTHER_PACKS})")
            continue
        if change.change == "edited":
            # A new page changes the citation too: say it once.
            fields = [f for f in change.fields if not (f == "citation" and "page" in change.fields)]
            what = [_FIELD_WORDS[f] for f in fields]
            shown = ", ".join(what[:-1]) + " and " + what[-1] if len(what) > 1 else what[0]
            lines.append(f"{words}: {change.heading} ({shown})")
        else:
            lines.append(f"{words}: {change.heading}")
    return (base, tuple(lines)) if lines else None
