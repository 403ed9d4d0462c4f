"""Adapted Word copies: compare a pack a local area has edited with the content now, and
refresh it, taking the current text of every case they left untouched and keeping everything
else they did (see docs/editions.md).

Each case of a copy has one status: ``current`` (untouched locally, unchanged since),
``updated`` (untouched locally, changed since), ``edited`` (changed locally, unchanged since),
``conflict`` (changed locally and changed since), ``removed`` (deleted locally) or
``withdrawn`` (no longer in the content, or no longer in the copy's pack). A copy is out of
date when a case is ``updated``, ``conflict`` or ``withdrawn``, or its pack is no longer
published. A case edited locally whose copy also makes every change published since (worked
in by hand) is ``edited``, or ``current`` when it now reads as published.
"""

from __future__ import annotations

import copy as copying
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from casebook.document import (
    CONTENTS_TITLE,
    WHATS_NEW_TITLE,
    CaseEntry,
    Document,
    case_entry,
    compose_pack,
)
from casebook.editions import (
    case_record,
    differs,
    field_diff,
    record_case,
    whats_new_case,
    whats_new_line,
    word_diff,
)
from casebook.model import CaseRecord, Corpus, EditionRecord, Pack
from casebook.provenance import (
    BASE,
    BOOKMARK_PREFIX,
    EDITION,
    EDITION_DATE,
    PACK,
    Provenance,
    case_bookmark,
    case_digest,
    case_words,
    element_words,
    heading_elements,
    marked_ranges,
    normalised_words,
    printed_lines,
    provenance_of,
    read_properties,
    words_digest,
    write_properties,
)

__all__ = [
    "OUT_OF_DATE",
    "STATUSES",
    "CaseStatus",
    "Comparison",
    "CopyError",
    "FieldChange",
    "Refreshed",
    "compare_copy",
    "refresh_copy",
]

STATUSES = ("current", "updated", "edited", "conflict", "removed", "withdrawn")
OUT_OF_DATE = frozenset({"updated", "conflict", "withdrawn"})
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


class CopyError(Exception):
    """A Word copy that cannot be compared or refreshed: ``FILE: message``."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class FieldChange:
    """One field of a case that changed in the content since the edition a copy's case is
    of."""

    # "title", "places", "insight", "tags", "page", "citation", "prompts", "text", or "printed":
    # the words the case prints as a whole, where they changed though none of its fields did
    field: str
    words: str  # what changed, word by word, as compare prints it after "<field>: "; never
    # empty (a change of spacing or of how the text is set out says so)
    old: str | int | tuple[str, ...]  # the value then (the text as Markdown)
    new: str | int | tuple[str, ...]  # the value now

    def to_json(self) -> dict[str, object]:
        def value(v: object) -> object:
            return list(v) if isinstance(v, tuple) else v

        return {
            "field": self.field,
            "words": self.words,
            "old": value(self.old),
            "new": value(self.new),
        }


@dataclass(frozen=True)
class CaseStatus:
    """One case recorded in a copy, and where it stands."""

    number: int  # its place in the copy's record
    id: str
    heading: str
    status: str  # one of STATUSES
    # What changed in the content since the edition the copy's case is of (``base``), field
    # by field (empty: nothing, or not known).
    diff: tuple[FieldChange, ...]
    current: str  # what the case says now, as printed, a line a paragraph (for conflicts)
    # The copy, edited locally, also says everything published since its record was made:
    # worked in by hand. A refresh records the case as it is published now.
    merged: bool = False
    # The edition whose words the copy's record of the case is of, where the case changed
    # since ("" where not looked for, or not found): what ``diff`` is counted from.
    base: str = ""

    @property
    def since(self) -> str:
        """What changed since, one line a field (``text: … {+across services+} …``)."""
        return "\n".join(f"{c.field}: {c.words}" for c in self.diff)

    @property
    def current_lines(self) -> list[str]:
        """The current text as compare prints it for a conflict: a line a paragraph."""
        return [line for line in self.current.splitlines() if line.strip()]

    def to_json(self) -> dict[str, object]:
        """The case in the ``compare --json`` object."""
        return {
            "id": self.id,
            "heading": self.heading,
            "status": self.status,
            "since": (self.base or None) if self.diff else None,
            "diff": [c.to_json() for c in self.diff],
            "current_text": self.current_lines,
        }


@dataclass(frozen=True)
class Comparison:
    """A copy compared with the content now."""

    path: Path
    provenance: Provenance
    current_edition: str
    cases: tuple[CaseStatus, ...]
    added: tuple[str, ...]  # headings of sections the local area added
    new_cases: tuple[str, ...]  # headings of cases the pack has now that the copy never had
    pack_published: bool = True  # False when the content no longer makes the copy's pack

    @property
    def out_of_date(self) -> bool:
        """Whether a case is updated, in conflict or withdrawn, or the pack is no longer
        published."""
        return not self.pack_published or any(c.status in OUT_OF_DATE for c in self.cases)

    def to_json(self) -> dict[str, object]:
        """The ``compare --json`` object."""
        return {
            "pack": self.provenance.pack,
            "edition": self.provenance.edition,
            "current_edition": self.current_edition,
            "cases": [c.to_json() for c in self.cases],
            "added": list(self.added),
            "new": list(self.new_cases),
            "pack_published": self.pack_published,
        }


@dataclass(frozen=True)
class _Opened:
    word: Any
    provenance: Provenance


def _open(path: Path) -> _Opened:
    """The python-docx document at ``path`` and its provenance; CopyError otherwise."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if not path.exists():
        raise CopyError(path, "no such file")
    if path.is_dir():
        raise CopyError(path, "is a folder, not a Word file")
    try:
        word = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile):
        raise CopyError(path, _other_kind(path) or "is not a Word .docx file") from None
    except OSError as error:
        raise CopyError(path, f"cannot be read: {error.strerror or error}") from None
    except Exception as error:  # damaged parts: python-docx and lxml raise many types
        why = _other_kind(path) or f"is damaged and cannot be read as a Word file ({error})"
        raise CopyError(path, why) from None
    try:
        properties = read_properties(word)
    except Exception:  # a damaged custom properties part
        properties = {}
    provenance = provenance_of(properties)
    if provenance is None:
        raise CopyError(
            path,
            "records no Casebook pack: it was not made by Casebook, or its document "
            "properties were removed",
        )
    return _Opened(word, provenance)


# What a file python-docx cannot open may be instead, by how it starts, and how to make it
# the .docx that compare and refresh read.
_SAVE_AS = "open it in Word or LibreOffice and save it as a Word document (.docx)"
_OTHER_KINDS = (
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        f"is an older Word or Office file (.doc), not a .docx: {_SAVE_AS}",
    ),
    (b"{\\rtf", f"is a Rich Text file (.rtf), not a .docx: {_SAVE_AS}"),
    (b"%PDF", "is a PDF; compare and refresh read the Word file (.docx) of a pack"),
)


def _other_kind(path: Path) -> str | None:
    """What the file at ``path`` is, when it is a document of another kind than .docx."""
    import zipfile

    try:
        with path.open("rb") as file:
            start = file.read(8)
        for magic, what in _OTHER_KINDS:
            if start.startswith(magic):
                return what
        with zipfile.ZipFile(path) as package:
            mimetype = package.read("mimetype")[:100].decode("ascii", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        return (
            "is an OpenDocument file (.odt, LibreOffice's own format), not a .docx: open it "
            "in LibreOffice and save it as Word 2007-365 (.docx)"
        )
    return None


def _current_entries(corpus: Corpus) -> dict[str, CaseEntry]:
    """Every case as a pack shows it now (a case looks the same in every pack)."""
    from casebook.packs import ALL_CASES_ID, select_packs

    [everything] = [p for p in select_packs(corpus) if p.id == ALL_CASES_ID]
    return {c.case_id: c for c in compose_pack(everything, corpus).cases}


def _current(entry: CaseEntry, since: tuple[FieldChange, ...]) -> str:
    """What a conflict's case says now, to work in by hand, a line a paragraph or list item
    as the pack prints it: its text, and its prompts (under their heading) where they
    changed; both where what changed is not known."""
    fields = {change.field for change in since}
    prompts = bool(entry.prompts) and ("prompts" in fields or "printed" in fields or not fields)
    lines = [] if fields == {"prompts"} else printed_lines(entry.blocks)
    if prompts:
        lines += [entry.prompts_title, *(f"{n}. {p}" for n, p in enumerate(entry.prompts, 1))]
    return "\n".join(lines)


def _compare(path: Path, opened: _Opened, corpus: Corpus) -> Comparison:
    provenance = opened.provenance
    body = opened.word.element.body
    ranges = marked_ranges(body)
    entries = _current_entries(corpus)
    then = next(
        (e for e in corpus.editions if e.label.casefold() == provenance.edition.casefold()),
        None,
    )
    pack = _pack(corpus, provenance.pack)
    in_pack = {c.id for c in pack.cases} if pack is not None else set(entries)
    statuses: list[CaseStatus] = []
    in_cases: set[Any] = set()
    for number, ident, digest in provenance.cases:
        merged = False
        elements = ranges.get(number)
        entry = entries.get(ident)
        record: CaseRecord | None = then.case(ident) if then is not None else None
        in_copy = ""
        if elements:
            in_cases.update(elements)
            in_copy = " ".join(element_words(elements[0]))
        heading = entry.heading if entry else in_copy or (record.heading if record else "") or ident
        since: tuple[FieldChange, ...] = ()
        base: EditionRecord | None = None
        printed: list[str] | None = None  # the words the copy's record is of, where known
        labels = (provenance.base(number), provenance.edition)
        if elements is None or not elements:
            status = "removed"
        elif entry is None:
            status = "withdrawn"
        elif ident not in in_pack:  # its insight, places or tags took it out of the pack
            status = "withdrawn"
            base, _ = _base(corpus, ident, digest, labels)
        else:
            words = [w for e in elements for w in element_words(e)]
            local = words_digest(words) != digest
            changed = case_digest(entry) != digest
            base_words: list[str] | None = None
            if changed:
                base, base_words = _base(corpus, ident, digest, labels)
            # Untouched in the copy, its words are the words its record is of.
            printed = base_words if base_words is not None or local else words
            if local and changed:
                # Worked in by hand: the copy says what is published now, or makes every
                # change since as well as its own.
                merged = _merged(words, entry, base_words)
                changed = not merged
                local = words_digest(words) != case_digest(entry)
            status = {
                (False, False): "current",
                (False, True): "updated",
                (True, False): "edited",
                (True, True): "conflict",
            }[(local, changed)]
            if not changed:
                base = None
        was = base.case(ident) if base is not None else None
        if was is not None and entry is not None:
            since = _since(was, case_record(_case(corpus, ident), corpus))
        if entry is not None and status in ("updated", "conflict") and not since:
            since = (_printed_since(printed, case_words(entry), fields_compared=was is not None),)
        current = _current(entry, since) if entry is not None and status == "conflict" else ""
        label = base.label if base is not None else ""
        statuses.append(CaseStatus(number, ident, heading, status, since, current, merged, label))
    published = {_key(s) for s in provenance.sections}
    published |= {_key(e.heading) for e in entries.values()}
    added = tuple(
        text
        for p in heading_elements(body, opened.word)
        if p not in in_cases
        and (text := " ".join(element_words(p)))
        and _key(text) not in published
    )
    had = {ident for _, ident, _ in provenance.cases}
    new_cases = tuple(
        entries[c.id].heading for c in (pack.cases if pack else ()) if c.id not in had
    )
    return Comparison(
        path=path,
        provenance=provenance,
        current_edition=corpus.source.edition.label,
        cases=tuple(statuses),
        added=added,
        new_cases=new_cases,
        pack_published=pack is not None,
    )


def _base(
    corpus: Corpus, ident: str, digest: str, labels: tuple[str, ...]
) -> tuple[EditionRecord | None, list[str] | None]:
    """The edition whose words of case ``ident`` a copy records the digest of (``digest``),
    and those words: the first of the editions named ``labels`` (the one the copy records
    for the case, then the copy's own) that gave them, else the latest edition that did. A
    copy refreshed before refresh recorded a case's edition records the words of an earlier
    edition than its own for a case it kept as edited locally; this finds that edition.
    When no edition gave them (a place or an insight renamed since, say), the first of the
    editions named ``labels`` the content has, and no words."""
    from casebook.markdown import parse_markdown

    insights = {i.id for i in corpus.insights}
    places = {p.name for p in corpus.places}
    named = [
        e for label in labels for e in corpus.editions if e.label.casefold() == label.casefold()
    ]
    tried: set[int] = set()
    for edition in [*named, *reversed(corpus.editions)]:
        if id(edition) in tried:
            continue
        tried.add(id(edition))
        record = edition.case(ident)
        # A place or insight the content no longer has: not a case this content can show.
        if record is None or record.insight not in insights or not places >= set(record.places):
            continue
        blocks, problems = parse_markdown(record.text, ident, 1)
        words = case_words(case_entry(record_case(ident, record, corpus, blocks), corpus))
        if not problems and words_digest(words) == digest:
            return edition, words
    return next(iter(named), None), None


def _merged(copy: list[str], entry: CaseEntry, base: list[str] | None) -> bool:
    """Whether ``copy``, edited locally from the published words ``base``, also makes every
    change that turned ``base`` into ``entry``'s words: each changed run of words is in the
    copy between the same unchanged neighbours. Unknown (False) without a base, or where the
    local edits touch those neighbours."""
    import difflib

    current = case_words(entry)
    if copy == current:
        return True
    if base is None:
        return False
    at = {}  # a base word's place in the copy, where the copy left it as it was
    for block in difflib.SequenceMatcher(None, base, copy, autojunk=False).get_matching_blocks():
        at.update({block.a + k: block.b + k for k in range(block.size)})
    at[-1], at[len(base)] = -1, len(copy)
    changes = difflib.SequenceMatcher(None, base, current, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in changes:
        if tag == "equal":
            continue
        before, after = at.get(i1 - 1), at.get(i2)
        if before is None or after is None or copy[before + 1 : after] != current[j1:j2]:
            return False
    return True


def _key(text: str) -> str:
    return " ".join(normalised_words(text)).casefold()


def _case(corpus: Corpus, ident: str) -> Any:
    return next(c for c in corpus.cases if c.id == ident)


def _pack(corpus: Corpus, pack_id: str) -> Pack | None:
    from casebook.packs import select_packs

    return next((p for p in select_packs(corpus) if p.id == pack_id), None)


def _since(old: CaseRecord, new: CaseRecord) -> tuple[FieldChange, ...]:
    """What changed in a case between two records, field by field, word by word."""
    out = []
    for field in ("title", "places", "insight", "tags", "page", "citation", "prompts", "text"):
        if not differs(old, new, field):
            continue
        a, b = getattr(old, field), getattr(new, field)
        then, now = (" / ".join(v) if isinstance(v, tuple) else str(v) for v in (a, b))
        out.append(FieldChange(field, field_diff(field, then, now), a, b))
    return tuple(out)


#: What compare says of a case whose printed words changed though none of its own fields did,
#: where the words it printed before are not known.
PRINTED_CHANGED = (
    "the words printed with the case changed, not the case itself (its insight's title or "
    "its places' nation, say)"
)


#: What compare says of a changed case where neither its fields nor its words then are known
#: (the edition its copy's record is of is not found).
CHANGE_UNKNOWN = "changed since your copy was made; the edition it is of is not known here"


def _printed_since(then: list[str] | None, now: list[str], fields_compared: bool) -> FieldChange:
    """What changed in the words a case prints (heading, places line, text, citation and
    prompts), ``then`` as its copy's record is of (None: not known) and ``now``, where none
    of the case's own fields changed (``fields_compared``: the title of its insight, say) or
    they could not be compared."""
    if then is None:
        why = PRINTED_CHANGED if fields_compared else CHANGE_UNKNOWN
        return FieldChange("printed", why, "", " ".join(now))
    old, new = " ".join(then), " ".join(now)
    return FieldChange("printed", word_diff(old, new), old, new)


def compare_copy(path: Path, corpus: Corpus) -> Comparison:
    """Compare the Word copy at ``path`` with ``corpus``; raises CopyError for a file that is
    not a Casebook Word pack."""
    return _compare(path, _open(path), corpus)


# --- refresh ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Refreshed:
    """What refresh did: the comparison it acted on and the file it wrote."""

    comparison: Comparison
    out: Path
    data: bytes
    edition: str = ""  # the edition line printed now, e.g. "Second edition, 1 March 2027"
    # Where the copy prints its edition: places whose line was as Casebook printed it and
    # now says ``edition``, and places whose line the local area changed, left as they are.
    # Both empty when the copy prints the current edition already.
    edition_updated: tuple[str, ...] = ()
    edition_kept: tuple[str, ...] = ()
    # What became of the copy's "What's new in this edition" (see _renew_whats_new): "" when
    # nothing was to be done, else "updated", "added" (either with " in part" where lines of
    # cases the copy did not take were left out), "not added", "removed", "unpublished",
    # "none taken" or "kept".
    whats_new: str = ""


def refresh_copy(
    path: Path,
    out: Path,
    corpus: Corpus,
    render: Any,
    force: bool = False,
    date: str | None = None,
) -> Refreshed:
    """Refresh the copy at ``path`` into the bytes of a new .docx, to be written to ``out``:
    every ``updated`` case takes its current words in the pack's styles, everything else stays
    as the local area left it. ``render(document) -> bytes`` renders a Document as a Word file
    (the pack as published now, from which the updated cases are taken); ``date`` (ISO)
    overrides the edition's date, as in a build. Never writes."""
    if out.resolve() == path.resolve():
        raise CopyError(out, "is the copy being refreshed; write the refreshed copy elsewhere")
    if out.exists() and not force:
        raise CopyError(out, "already exists; use --force to replace it")
    opened = _open(path)
    comparison = _compare(path, opened, corpus)
    updated = [c for c in comparison.cases if c.status == "updated"]
    word = opened.word
    digests = {ident: digest for _, ident, digest in opened.provenance.cases}
    merged = [c.id for c in comparison.cases if c.merged]
    if merged:
        now = _current_entries(corpus)
        digests.update({ident: case_digest(now[ident]) for ident in merged})
    rendered: dict[str, Any] = {}

    def fresh_of(document: Document) -> Any:
        """``document`` rendered as Word (once), opened with python-docx."""
        if document.pack_id not in rendered:
            import docx

            rendered[document.pack_id] = docx.Document(io.BytesIO(render(document)))
        return rendered[document.pack_id]

    own = _pack(corpus, opened.provenance.pack)
    mine = None if own is None else compose_pack(own, corpus, date)
    sections = list(opened.provenance.sections)
    # What's new lists the edition's changes this copy has: not those of cases it kept as the
    # local area edited them though they changed (conflicts), nor of cases it deleted, nor
    # the cases new to the pack, which refresh does not add.
    left = {c.heading for c in comparison.cases if c.status in ("conflict", "removed")}
    left.update(comparison.new_cases)
    whats_new = _renew_whats_new(word, mine, corpus, sections, fresh_of, left)
    if updated:
        wanted = {c.id for c in updated}
        pack = own
        if pack is None or not wanted <= {c.id for c in pack.cases}:
            from casebook.packs import ALL_CASES_ID

            pack = _pack(corpus, ALL_CASES_ID)
        assert pack is not None
        document: Document = (
            mine if mine is not None and pack is own else compose_pack(pack, corpus, date)
        )
        fresh = fresh_of(document)
        fresh_numbers = {
            ident: n
            for n, ident, _ in provenance_of(read_properties(fresh)).cases  # type: ignore[union-attr]
        }
        fresh_ranges = marked_ranges(fresh.element.body)
        ranges = marked_ranges(word.element.body)
        adopter = _Adopter(fresh, word)
        entries = {e.case_id: e for e in document.cases}
        for case in updated:
            new = [copying.deepcopy(e) for e in fresh_ranges[fresh_numbers[case.id]]]
            adopter.adopt(new)
            old = ranges[case.number]
            was = replace(entries[case.id], heading=" ".join(element_words(old[0])))
            _replace(word.element.body, old, new, case.number)
            named = entries[case.id].notes_heading
            _rename_notes(word, new[-1].getnext(), was.notes_heading, named)
            digests[case.id] = case_digest(entries[case.id])
    provenance = opened.provenance
    edition = _reprint_edition(word, provenance, corpus, date, mine)
    properties = [
        (PACK, provenance.pack),
        (EDITION, corpus.source.edition.label),
        (EDITION_DATE, date or corpus.source.edition.date),
    ]
    # A case kept as the local area edited it, though it changed since, keeps its digest of
    # the words of an earlier edition than the one the copy now records: record which, so
    # that compare still shows what changed since then, until the changes are worked in.
    label = corpus.source.edition.label
    bases = {
        c.number: c.base
        for c in comparison.cases
        if c.status in ("conflict", "withdrawn") and c.base and c.base != label
    }
    for number, ident, _ in provenance.cases:
        properties += [
            (f"Casebook case {number:03d}", ident),
            (f"Casebook digest {number:03d}", digests[ident]),
        ]
        if number in bases:
            properties.append((BASE.format(number), bases[number]))
    properties += [(f"Casebook section {n:02d}", t) for n, t in enumerate(sections, 1)]
    write_properties(word, properties)
    buffer = io.BytesIO()
    word.save(buffer)
    return Refreshed(comparison, out, buffer.getvalue(), *edition, whats_new=whats_new)


def _renew_whats_new(
    word: Any,
    document: Document | None,
    corpus: Corpus,
    sections: list[str],
    fresh: Any,
    left: set[str],
) -> str:
    """Make the copy's "What's new in this edition" the one ``document`` (the copy's pack as
    published now; None when it is no longer published) prints, as a fresh download would
    have it: its lines replaced where they still read as Casebook printed them for some
    edition, the section taken out where the pack has none now (else it would tell an older
    edition's changes as this one's), and put in before the contents where the pack has one
    now and the copy never had one. A section the local area deleted stays deleted, and one
    they wrote in stays as they wrote it. The lines of cases the copy left as they were
    (the headings ``left``) are left out, and the section too where that leaves no case.
    ``sections`` (the copy's published section headings) is updated; ``fresh(document)`` is
    ``document`` rendered as Word. Returns what was done: "updated", "added", "not added",
    "removed", "unpublished", "none taken", "kept" or "" (with " in part" after "updated" and
    "added" where lines were left out)."""
    body = word.element.body
    found = _section(word, WHATS_NEW_TITLE)
    wanted = document is not None and document.whats_new is not None
    section: list[Any] = []  # the pack's section now: its heading and the lines this copy takes
    part = ""
    if wanted:
        assert document is not None
        title, *printed = _section(fresh(document), WHATS_NEW_TITLE) or [None]
        taken = [e for e in printed if _case_of(e) not in left]
        part = " in part" if len(taken) < len(printed) else ""
        if any(_case_of(e) is not None for e in taken):
            section = [title, *taken]
    if found is None:
        published = _key(WHATS_NEW_TITLE) in {_key(t) for t in sections}
        if not section or published:
            return ""
        assert document is not None
        contents = next(_contents(word), None)
        if contents is None:
            return "not added"
        made = fresh(document)
        new = [copying.deepcopy(e) for e in section]
        line = next(_contents_lines(made.element.body, section[0]), None) if section else None
        adopter = _Adopter(made, word)
        adopter.adopt(new)
        for element in new:
            # The contents link to bookmarks by position ("_Toc00000002"): this one's name
            # may be another heading's in the copy.
            for mark in list(element.iter(_w("bookmarkStart"), _w("bookmarkEnd"))):
                mark.getparent().remove(mark)
            contents.addprevious(element)
        if new and line is not None:
            _list_in_contents(body, new[0], copying.deepcopy(line), adopter)
        sections.append(WHATS_NEW_TITLE)
        return "added" + part
    heading, *rest = found
    lines = [e for e in rest if e.tag in (_w("p"), _w("tbl"))]
    if not all(_printed_line(e, corpus) for e in lines):
        return "kept"
    if not section:
        _drop_contents_lines(body, heading)
        for element in [heading, *lines]:
            element.getparent().remove(element)
        sections[:] = [t for t in sections if _key(t) != _key(WHATS_NEW_TITLE)]
        return "none taken" if wanted else "removed" if document is not None else "unpublished"
    assert document is not None
    made = fresh(document)
    now = section[1:]
    if [w for e in now for w in element_words(e)] == [w for e in lines for w in element_words(e)]:
        return ""
    now = [copying.deepcopy(e) for e in now]
    _Adopter(made, word).adopt(now)
    for element in lines:
        element.getparent().remove(element)
    for element in reversed(now):
        heading.addnext(element)
    return "updated" + part


def _case_of(element: Any) -> str | None:
    """The heading of the case a line of "What's new in this edition" is about, or None."""
    return whats_new_case(" ".join(element_words(element)))


def _printed_line(element: Any, corpus: Corpus) -> bool:
    """Whether ``element`` is a line of "What's new in this edition" as Casebook prints it
    for some edition of ``corpus`` (or an empty paragraph, as Enter after the last line
    leaves): a paragraph with nothing else in it, no picture, no section break."""
    if element.tag != _w("p") or any(
        True for _ in element.iter(_w("sectPr"), _w("drawing"), _w("pict"), _w("object"))
    ):
        return False
    words = element_words(element)
    return not words or whats_new_line(" ".join(words), corpus)


def _section(word: Any, title: str) -> list[Any] | None:
    """The top-level elements of ``word``'s section headed ``title`` (in any capitals)
    outside its cases: the heading, then everything up to the next level 1 or 2 heading, the
    contents or the end of the body; None when there is no such section."""
    body = word.element.body
    in_cases = _in_cases(body)
    headings = {e for e in heading_elements(body, word) if e not in in_cases}
    contents = set(_contents(word))
    found: list[Any] | None = None
    for child in body:
        if found is None:
            if child in headings and _key(" ".join(element_words(child))) == _key(title):
                found = [child]
        elif (
            child in headings
            or child in contents
            or child in in_cases
            or child.tag in (_w("sdt"), _w("sectPr"))
        ):
            break
        else:
            found.append(child)
    return found


def _in_cases(body: Any) -> set[Any]:
    """The top-level elements of ``body`` that belong to a case (within its bookmark)."""
    return {e for elements in marked_ranges(body).values() for e in elements}


def _contents(word: Any) -> Iterator[Any]:
    """The top-level elements of the copy's contents, outside its cases, in order: its heading
    (as printed, or in a contents style) and lines (in a contents style, or holding the
    contents field), or the block Word and LibreOffice wrap them in."""
    names = {
        style.get(_w("styleId")): (name.get(_w("val")) or "").casefold()
        for style in word.styles.element.findall(_w("style"))
        if (name := style.find(_w("name"))) is not None
    }
    body = word.element.body
    in_cases = _in_cases(body)
    for child in body:
        if child in in_cases:
            continue
        if child.tag == _w("sdt"):
            if _holds_contents_field(child):
                yield child
            continue
        if child.tag != _w("p"):
            continue
        style = child.find(f"{_w('pPr')}/{_w('pStyle')}")
        name = names.get(style.get(_w("val")) if style is not None else None, "")
        if (
            name.startswith("toc")
            or _holds_contents_field(child)
            or element_words(child) == [CONTENTS_TITLE]
        ):
            yield child


def _holds_contents_field(element: Any) -> bool:
    """Whether ``element`` holds the instruction of a contents (TOC) field."""
    return any(" TOC " in f" {t.text} " for t in element.iter(_w("instrText")))


def _next_bookmark_id(body: Any) -> str:
    """A bookmark id no bookmark in ``body`` has."""
    used = [int(i) for i in body.xpath("//w:bookmarkStart/@w:id") if str(i).isdigit()]
    return str(max(used, default=0) + 1)


def _contents_lines(body: Any, heading: Any) -> Iterator[Any]:
    """The contents' lines (paragraphs, in the body or in the block the contents are wrapped
    in) that link to ``heading``."""
    names = {m.get(_w("name")) for m in heading.iter(_w("bookmarkStart"))}
    for link in list(body.iter(_w("hyperlink"))):
        if link.get(_w("anchor")) in names:
            line = next(link.iterancestors(_w("p")), None)
            if line is not None:
                yield line


def _list_in_contents(body: Any, heading: Any, line: Any, adopter: _Adopter) -> None:
    """Put ``line`` (a contents line copied from a fresh pack) in the copy's contents after
    the line of the nearest heading before ``heading`` that has one, linked to ``heading``
    by a bookmark of its own, so that the contents list the section before they are next
    updated. Where no heading before it has a line, the contents are left to Word."""
    if not _fields_closed(line):
        return  # the line that starts or ends the contents field: not one to copy
    before = heading.getprevious()
    while before is not None:
        found = next(_contents_lines(body, before), None) if before.tag == _w("p") else None
        if found is not None:
            names = set(body.xpath("//w:bookmarkStart/@w:name"))
            number = 1
            while f"_TocWhatsNew{number}" in names:
                number += 1
            name = f"_TocWhatsNew{number}"
            ident = _next_bookmark_id(body)
            start = heading.makeelement(_w("bookmarkStart"), {_w("id"): ident, _w("name"): name})
            at = 1 if heading.find(_w("pPr")) is not None else 0
            heading.insert(at, start)
            heading.append(heading.makeelement(_w("bookmarkEnd"), {_w("id"): ident}))
            for link in line.iter(_w("hyperlink")):
                link.set(_w("anchor"), name)
            adopter.adopt([line])
            found.addnext(line)
            return
        before = before.getprevious()


def _drop_contents_lines(body: Any, heading: Any) -> None:
    """Take out the contents' lines that link to ``heading``, fields of their own (the page
    number Word and LibreOffice put in each line) and all, but not a line that holds the
    contents field's own start or end."""
    for line in list(_contents_lines(body, heading)):
        if _fields_closed(line) and not _holds_contents_field(line):
            line.getparent().remove(line)


def _fields_closed(line: Any) -> bool:
    """Whether every field that begins in ``line`` ends in it, and none ends that began
    before it."""
    depth = 0
    for mark in line.iter(_w("fldChar")):
        kind = mark.get(_w("fldCharType"))
        depth += {"begin": 1, "end": -1}.get(kind, 0)
        if depth < 0:
            return False
    return depth == 0


# Where a pack prints its edition: the cover's line ("First edition, 26 November 2026") and
# About the source's last paragraph (the same, then ". Content version <12 hex digits>.").
_COVER, _ABOUT = "on the cover", "in About the source"


def _reprint_edition(
    word: Any,
    provenance: Provenance,
    corpus: Corpus,
    date: str | None,
    mine: Document | None,
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Make the edition the copy prints the current one, wherever its line is still as
    Casebook printed it for some edition (a line the local area reworded is theirs): (the new
    cover line, places updated, places kept as the local area worded them). ``mine`` is the
    copy's pack as published now, None when it is no longer published."""
    from casebook.blocks import plain_text
    from casebook.packs import ALL_CASES_ID

    edition = corpus.source.edition
    shown = _pack(corpus, ALL_CASES_ID) if mine is None else None
    current = mine or compose_pack(shown, corpus, date)  # type: ignore[arg-type]
    new = current.cover.edition
    # The content version names the pack's content; a pack no longer published has none.
    about = plain_text(current.about.blocks[-1:]).strip() if mine else f"{new}."
    # A line as printed for any edition, "<label>, <day> <Month> <year>": a copy refreshed
    # before refresh reprinted the edition records the current one but prints an older one.
    labels = sorted({e.label for e in corpus.editions} | {provenance.edition, edition.label})
    printed = "(?:" + "|".join(re.escape(label) for label in labels if label) + ")"
    printed += r", \d{1,2} [A-Z][a-z]+ \d{4}"
    lines = {
        _COVER: (re.compile(printed), new),
        _ABOUT: (re.compile(printed + r"\. Content version [0-9a-f]{12}\."), about),
    }
    done: dict[str, str] = {}  # place -> "current", "updated" or "kept"
    for paragraph in word.paragraphs:
        text = paragraph.text
        for place, (pattern, line) in lines.items():
            if place not in done and pattern.fullmatch(text):
                if text == line:
                    done[place] = "current"
                else:
                    done[place] = "updated" if _retext(paragraph, line) else "kept"
                break
    # A copy that records an older edition and prints none: the local area reworded it.
    older = (provenance.edition, provenance.edition_date) != (edition.label, date or edition.date)
    for place in lines:
        if place not in done and provenance.edition and older:
            done[place] = "kept"
    updated = tuple(p for p in lines if done.get(p) == "updated")
    kept = tuple(p for p in lines if done.get(p) == "kept")
    return new, updated, kept


def _rename_notes(word: Any, element: Any, was: str, now: str) -> None:
    """The notes heading after a case that took its current text names the case as it is
    now, if it still reads as printed for the case it replaced (``was``)."""
    from docx.text.paragraph import Paragraph

    if element is None or element.tag != _w("p"):
        return
    if element_words(element) == normalised_words(was):
        _retext(Paragraph(element, word._body), now)


def _retext(paragraph: Any, text: str) -> bool:
    """Put ``text`` in ``paragraph`` in its first run's formatting; False (and nothing
    changed) when the paragraph holds more than plain runs, e.g. a link or a field."""
    runs = paragraph.runs
    if not runs or "".join(r.text for r in runs) != paragraph.text:
        return False
    runs[0].text = text
    for run in runs[1:]:
        run._r.getparent().remove(run._r)
    return True


def _replace(body: Any, old: list[Any], new: list[Any], number: int) -> None:
    """Put ``new`` where ``old`` was, carrying the old heading's other bookmarks (the
    contents link to them) and marking the case again as number ``number``."""
    kept: list[Any] = []
    for element in old:
        for mark in element.iter(_w("bookmarkStart"), _w("bookmarkEnd")):
            name = mark.get(_w("name"), "")
            if mark.tag == _w("bookmarkStart") and name.startswith(BOOKMARK_PREFIX):
                continue
            kept.append(mark)
    starts = {m.get(_w("id")) for m in kept if m.tag == _w("bookmarkStart")}
    kept = [m for m in kept if m.tag == _w("bookmarkStart") or m.get(_w("id")) in starts]
    for element in new:
        for mark in list(element.iter(_w("bookmarkStart"), _w("bookmarkEnd"))):
            mark.getparent().remove(mark)
    anchor = old[0]
    for element in new:
        anchor.addprevious(element)
    for element in old:
        body.remove(element)
    start, end = case_bookmark(number, _next_bookmark_id(body))
    first, last = new[0], new[-1]
    at = 1 if first.find(_w("pPr")) is not None else 0
    for mark in [start, *[copying.deepcopy(m) for m in kept]]:
        first.insert(at, mark)
        at += 1
    last.append(end)


_STYLE_REFERENCES = (("pStyle", "paragraph"), ("rStyle", "character"), ("tblStyle", "table"))


class _Adopter:
    """Makes elements copied from a freshly rendered pack at home in a local copy: styles by
    name (another program may have renamed their ids), list numbering restarted in the
    copy's own lists, links and pictures related in the copy's package."""

    def __init__(self, fresh: Any, word: Any) -> None:
        self.fresh = fresh
        self.word = word
        self.styles, self.nearest = self._style_map()
        self.numbers: dict[str, str] = {}

    def _style_map(
        self,
    ) -> tuple[dict[tuple[str, str], str | None], dict[tuple[str, str], str | None]]:
        """Each fresh style's id in the copy (None where the copy lacks it), and the same with
        a style the copy lacks replaced by the nearest style it is based on that the copy has
        (a list's last item, which a later Casebook added, as a list item)."""

        def table(doc: Any) -> dict[tuple[str, str], str]:
            out = {}
            for style in doc.styles.element.findall(_w("style")):
                name = style.find(_w("name"))
                key = (
                    style.get(_w("type"), "paragraph"),
                    (name.get(_w("val")) if name is not None else "").casefold(),
                )
                out[(key[0], style.get(_w("styleId")))] = key[1]
                based = style.find(_w("basedOn"))
                if based is not None:
                    bases[(key[0], style.get(_w("styleId")))] = based.get(_w("val"))
            return out

        bases: dict[tuple[str, str], str] = {}
        fresh = table(self.fresh)
        fresh_bases = dict(bases)
        mine = table(self.word)
        by_name = {(kind, name): sid for (kind, sid), name in mine.items()}

        def match(kind: str, sid: str) -> str | None:
            name = fresh[(kind, sid)]
            if mine.get((kind, sid)) == name:
                return sid
            return by_name.get((kind, name))

        out: dict[tuple[str, str], str | None] = {}
        nearest: dict[tuple[str, str], str | None] = {}
        for kind, sid in fresh:
            found = out[(kind, sid)] = match(kind, sid)
            seen, at = {sid}, sid
            while found is None and (kind, at) in fresh_bases:
                at = fresh_bases[(kind, at)]
                if at in seen or (kind, at) not in fresh:
                    break
                seen.add(at)
                found = match(kind, at)
            nearest[(kind, sid)] = found
        return out, nearest

    def adopt(self, elements: list[Any]) -> None:
        """Rewrite ``elements`` (copied from the fresh pack) for the copy, in place."""
        normal = self.styles.get(("paragraph", "Normal"))
        for element in elements:
            # A paragraph in the default style says so: LibreOffice saves copies in which no
            # style is marked the default, and Word would then not know which one is meant.
            for p in element.iter(_w("p")):
                if normal and p.find(f"{_w('pPr')}/{_w('pStyle')}") is None:
                    p.get_or_add_pPr().get_or_add_pStyle().val = normal
            for tag, kind in (
                ("pStyle", "paragraph"),
                ("rStyle", "character"),
                ("tblStyle", "table"),
            ):
                for ref in list(element.iter(_w(tag))):
                    sid = self.nearest.get((kind, ref.get(_w("val"))))
                    if sid is None:
                        ref.getparent().remove(ref)
                    else:
                        ref.set(_w("val"), sid)
            for num in list(element.iter(_w("numPr"))):
                self._number(num)
            self._relations(element)
        self._restart_prompts(elements)

    def _restart_prompts(self, elements: list[Any]) -> None:
        """A case's prompts are numbered by their style, from 1 under each case heading; in a
        copy whose Heading 2 is in no list (made by an earlier Casebook, or restyled), the
        adopted case's prompts get a list of their own that starts at 1, as the copy's other
        cases have."""
        prompt = self.styles.get(("paragraph", "Prompt"))
        heading = self.styles.get(("paragraph", "Heading2"))
        if prompt is None or heading is None or self._num_pr(heading) is not None:
            return
        abstract = self._abstract_of_style(prompt)
        style_num = self._num_pr(prompt)
        if abstract is None or style_num is None:
            return
        ilvl = style_num.find(_w("ilvl"))
        level = int(ilvl.get(_w("val"))) if ilvl is not None else 0
        paragraphs = [
            p
            for element in elements
            for p in element.iter(_w("p"))
            if p.find(f"{_w('pPr')}/{_w('numPr')}") is None
            and (style := p.find(f"{_w('pPr')}/{_w('pStyle')}")) is not None
            and style.get(_w("val")) == prompt
        ]
        if not paragraphs:
            return
        num = self.word.part.numbering_part.element.add_num(abstract)
        num.add_lvlOverride(ilvl=level).add_startOverride(1)
        for paragraph in paragraphs:
            num_pr = paragraph.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = level
            num_pr.get_or_add_numId().val = num.numId

    def _num_pr(self, style_id: str) -> Any:
        """The numbering of the copy's paragraph style ``style_id``, or None."""
        style = self.word.styles.element.find(f"{_w('style')}[@{_w('styleId')}='{style_id}']")
        return None if style is None else style.find(f"{_w('pPr')}/{_w('numPr')}")

    def _number(self, num_pr: Any) -> None:
        num_id = num_pr.find(_w("numId"))
        paragraph = num_pr.getparent().getparent()
        style = paragraph.find(f"{_w('pPr')}/{_w('pStyle')}")
        if num_id is None or style is None:
            num_pr.getparent().remove(num_pr)
            return
        fresh_id = num_id.get(_w("val"))
        if fresh_id not in self.numbers:
            abstract = self._abstract_of_style(style.get(_w("val")))
            if abstract is None:
                num_pr.getparent().remove(num_pr)
                return
            numbering = self.word.part.numbering_part.element
            num = numbering.add_num(abstract)
            for override in self._overrides(fresh_id):
                num.append(copying.deepcopy(override))
            self.numbers[fresh_id] = str(num.numId)
        num_id.set(_w("val"), self.numbers[fresh_id])

    def _overrides(self, fresh_id: str) -> list[Any]:
        numbering = self.fresh.part.numbering_part.element
        for num in numbering.findall(_w("num")):
            if num.get(_w("numId")) == fresh_id:
                return list(num.findall(_w("lvlOverride")))
        return []

    def _abstract_of_style(self, style_id: str) -> int | None:
        num_pr = self._num_pr(style_id)
        ref = None if num_pr is None else num_pr.find(_w("numId"))
        if ref is None:
            return None
        numbering = self.word.part.numbering_part.element
        for num in numbering.findall(_w("num")):
            if num.get(_w("numId")) == ref.get(_w("val")):
                abstract = num.find(_w("abstractNumId"))
                if abstract is not None:
                    return int(abstract.get(_w("val")))
        return None

    def _relations(self, element: Any) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        for link in element.iter(_w("hyperlink")):
            rel_id = link.get(f"{{{R_NS}}}id")
            if rel_id is None:
                continue
            target = self.fresh.part.rels[rel_id].target_ref
            link.set(f"{{{R_NS}}}id", self.word.part.relate_to(target, RT.HYPERLINK, True))
        used = [int(i) for i in self.word.element.xpath("//wp:docPr/@id") if str(i).isdigit()]
        next_id = max(used, default=0)
        for blip in element.iter(f"{{{A_NS}}}blip"):
            rel_id = blip.get(f"{{{R_NS}}}embed")
            if rel_id is None:
                continue
            blob = self.fresh.part.related_parts[rel_id].blob
            new_id, _ = self.word.part.get_or_add_image(io.BytesIO(blob))
            blip.set(f"{{{R_NS}}}embed", new_id)
        for doc_pr in element.iter(f"{{{WP_NS}}}docPr"):
            next_id += 1
            doc_pr.set("id", str(next_id))
