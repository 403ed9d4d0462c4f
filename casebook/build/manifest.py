"""``dist/manifest.json``: what the output folder holds and what each file was built from.

The manifest is plain JSON whose bytes depend on the content alone. Beside it,
``dist/.inputs-stamp`` records the sizes and times of the files the last complete build read
(they differ from checkout to checkout), tied to the exact manifest bytes it goes with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from casebook.files import unlink_quietly, write_atomic

if TYPE_CHECKING:
    from casebook.model import Corpus, Pack

__all__ = [
    "INDEX",
    "LOCK",
    "MANIFEST",
    "RESERVED",
    "STAMP",
    "ForeignManifest",
    "Manifest",
    "OutputRecord",
    "PackRecord",
    "corpus_manifest",
    "read_manifest",
    "trusted",
    "write_manifest",
]

MANIFEST = "manifest.json"
STAMP = ".inputs-stamp"  # beside the manifest, not in it: it differs from checkout to checkout
INDEX = "index.html"
LOCK = ".lock"
#: Files of the output folder that no output may be named.
RESERVED = frozenset({MANIFEST, STAMP, INDEX, LOCK})
#: A JSON object with none of these keys is not a manifest Casebook wrote, damaged or not.
_OWN_KEYS = frozenset({"casebook_version", "packs", "outputs"})


class ForeignManifest(ValueError):
    """``manifest.json`` is well-formed JSON but not a Casebook manifest: another program's
    file, which a build must not replace."""


@dataclass(frozen=True)
class PackRecord:
    """A pack as the manifest and the downloads page list it."""

    id: str
    title: str
    kind: str
    cases: tuple[str, ...]
    places: tuple[str, ...]
    place_kinds: tuple[str, ...] = ()  # the kind of each of its places, in the same order
    whats_new: tuple[str, ...] = ()  # its cases added, updated or withdrawn in this edition


@dataclass(frozen=True)
class OutputRecord:
    """A file in the out dir, as written by a build."""

    path: str  # relative to the out dir: <pack id><suffix of its format>
    pack: str
    format: str  # the renderer's name, e.g. "pdf"
    label: str  # the renderer's label on the downloads page, e.g. "PDF"
    bytes: int
    pages: int | None  # None where pages depend on the application (Word) or do not exist
    sha256: str
    fingerprint: str


@dataclass(frozen=True)
class Manifest:
    """``dist/manifest.json``: what the out dir holds and what each file was built from."""

    edition_label: str = ""
    edition: str = ""  # ISO date
    previous_edition: str = ""  # the label of the edition before, which whats_new is since
    source_title: str = ""
    source_url: str = ""
    short_citation: str = ""
    publisher: str = ""
    casebook_version: str = ""
    content_fingerprint: str = ""
    site_fingerprint: str = ""
    # Lets a no-op build skip loading the content. It depends on file times and folders, so
    # it is kept in dist/.inputs-stamp, never in manifest.json, whose bytes depend on the
    # content alone.
    inputs_stamp: str = ""
    packs: tuple[PackRecord, ...] = ()
    outputs: tuple[OutputRecord, ...] = ()
    # The outputs (paths, as in ``outputs``) made before the latest changes to what they
    # show: not built since (``--only``, ``--format``) or their last build failed.
    out_of_date: tuple[str, ...] = ()
    # Files Casebook wrote that no record vouches for, by name and checksum: a file being
    # replaced (the one it replaces and the new one: a build stopped in between leaves either
    # in place, and the next build knows it for Casebook's) and a file changed by hand since
    # Casebook wrote it (what it wrote: put back, the file is Casebook's again). Written only
    # when there are any.
    written: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> str:
        """The manifest as stable, human-readable JSON (without the inputs stamp), each
        output's record with its seal."""
        data = asdict(self)
        del data["inputs_stamp"]
        if self.written:
            data["written"] = [{"path": p, "sha256": s} for p, s in self.written]
        else:
            del data["written"]
        for output, record in zip(data["outputs"], self.outputs, strict=True):
            output["seal"] = record_seal(record)
        return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"

    def output(self, path: str) -> OutputRecord | None:
        """The record of the output at ``path`` (relative to the out dir), if any."""
        return next((o for o in self.outputs if o.path == path), None)

    def written_here(self, path: str) -> frozenset[str]:
        """The checksums of the files Casebook wrote at ``path`` (relative to the out dir),
        as far as this manifest knows: its record's, and those of :attr:`written`. Empty
        where it knows none."""
        sums = {o.sha256 for o in self.outputs if o.path == path}
        sums.update(s for p, s in self.written if p == path)
        return frozenset(sums - {""})

    def outputs_of(self, pack: str) -> tuple[OutputRecord, ...]:
        """The outputs of the pack with id ``pack``, in manifest order."""
        return tuple(o for o in self.outputs if o.pack == pack)


def corpus_manifest(corpus: Corpus, packs: Sequence[Pack], date: str | None = None) -> Manifest:
    """What the manifest says of ``corpus`` and its ``packs`` before any file is recorded:
    the source, the edition (dated ``date`` when given) and each pack as the downloads page
    lists it."""
    import casebook
    from casebook.editions import whats_new

    source = corpus.source
    editions = corpus.editions
    records = tuple(
        PackRecord(
            id=p.id,
            title=p.title,
            kind=p.kind,
            cases=tuple(c.id for c in p.cases),
            places=(places := tuple(sorted({place for c in p.cases for place in c.places}))),
            place_kinds=tuple(corpus.place(place).kind for place in places),
            whats_new=new[1] if (new := whats_new(p, corpus)) else (),
        )
        for p in packs
    )
    return Manifest(
        edition_label=source.edition.label,
        edition=date or source.edition.date,
        previous_edition=editions[-2].label if len(editions) > 1 else "",
        source_title=source.title,
        source_url=source.url,
        short_citation=source.short_citation,
        publisher=source.publisher,
        casebook_version=casebook.__version__,
        packs=records,
    )


def record_seal(record: OutputRecord) -> str:
    """A digest of everything a record says, written beside it: a record edited by hand (its
    pages, size, pack or format) no longer matches its seal, and the build does not trust it."""
    facts = [getattr(record, f.name) for f in fields(OutputRecord)]
    return hashlib.sha256(json.dumps(facts).encode("utf-8")).hexdigest()


def _sealed(record: OutputRecord, seal: object) -> OutputRecord:
    """``record`` as read; without its fingerprint when the seal written beside it does not
    match what it says, so that no build takes it as up to date (see :func:`trusted`). Its
    checksum is kept: it still tells whether a file is the one Casebook wrote there (one
    edited too leaves the file taken for one changed by hand, which is kept)."""
    return record if seal == record_seal(record) else replace(record, fingerprint="")


def trusted(record: OutputRecord) -> bool:
    """Whether ``record`` says what Casebook wrote: its seal matched when it was read."""
    return bool(record.fingerprint)


def read_manifest(out_dir: Path) -> Manifest:
    """The manifest in ``out_dir``; an empty one if there is none. Raises ForeignManifest if
    the file is well-formed JSON that Casebook did not write, ValueError if it is damaged."""
    path = out_dir / MANIFEST
    try:
        raw = path.read_bytes()
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        return Manifest()
    except OSError as error:
        raise ValueError(f"cannot be read: {error.strerror or error}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        # A truncated manifest is not JSON either: whoever wrote it, it is rebuilt.
        raise ValueError("it is not JSON") from error
    if not isinstance(data, dict) or not data.keys() & _OWN_KEYS:
        raise ForeignManifest("not a Casebook manifest")
    try:
        packs = tuple(
            PackRecord(
                id=str(p["id"]),
                title=str(p["title"]),
                kind=str(p["kind"]),
                cases=tuple(str(c) for c in p["cases"]),
                places=tuple(str(c) for c in p["places"]),
                place_kinds=tuple(str(c) for c in p.get("place_kinds", ())),
                whats_new=tuple(str(c) for c in p.get("whats_new", ())),
            )
            for p in data["packs"]
        )
        outputs = tuple(
            _sealed(
                OutputRecord(
                    path=str(o["path"]),
                    pack=str(o["pack"]),
                    format=str(o["format"]),
                    label=str(o.get("label", o["format"])),
                    bytes=int(o["bytes"]),
                    pages=None if o["pages"] is None else int(o["pages"]),
                    sha256=str(o["sha256"]),
                    fingerprint=str(o["fingerprint"]),
                ),
                o.get("seal"),
            )
            for o in data["outputs"]
        )
        scalars = {
            name: str(data.get(name, ""))
            for name in (
                "edition_label",
                "edition",
                "previous_edition",
                "source_title",
                "source_url",
                "short_citation",
                "publisher",
                "casebook_version",
                "content_fingerprint",
                "site_fingerprint",
            )
        }
        out_of_date = tuple(str(p) for p in data.get("out_of_date", ()))
        # "replacing": what an earlier Casebook called the files it was replacing.
        written = tuple(
            (str(r["path"]), str(r["sha256"]))
            for key in ("written", "replacing")
            for r in data.get(key, ())
        )
    except KeyError as error:
        raise ValueError(f"it has no '{error.args[0]}'") from error
    except (TypeError, ValueError, AttributeError) as error:
        raise ValueError("its records are not as Casebook writes them") from error
    stamp = _read_stamp(out_dir, raw)
    return Manifest(
        packs=packs,
        outputs=outputs,
        out_of_date=out_of_date,
        written=written,
        inputs_stamp=stamp,
        **scalars,
    )


def _read_stamp(out_dir: Path, manifest: bytes) -> str:
    """The inputs stamp recorded with exactly these manifest bytes; empty if there is none."""
    try:
        data = json.loads((out_dir / STAMP).read_text(encoding="utf-8"))
        if data["manifest_sha256"] == hashlib.sha256(manifest).hexdigest():
            return str(data["inputs_stamp"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        pass
    return ""


def write_manifest(out_dir: Path, manifest: Manifest) -> None:
    """Write manifest.json if its text changed, then the inputs stamp that goes with it."""
    text = manifest.to_json().encode()
    try:
        current = (out_dir / MANIFEST).read_bytes()
    except OSError:
        current = b""
    if text != current:
        write_atomic(out_dir / MANIFEST, text)
    if not manifest.inputs_stamp:
        unlink_quietly(out_dir / STAMP)
        return
    stamp = {
        "inputs_stamp": manifest.inputs_stamp,
        "manifest_sha256": hashlib.sha256(text).hexdigest(),
    }
    write_atomic(out_dir / STAMP, (json.dumps(stamp, indent=2) + "\n").encode())
