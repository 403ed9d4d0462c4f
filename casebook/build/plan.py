"""Gather everything before anything is written: the corpus, its packs, the outputs asked for
and each output's fingerprint.

Content and layouts are loaded and validated first, every problem reported at once; then each
chosen pack is composed into its Document once and given one job per chosen format.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import casebook
from casebook.blocks import plain_text
from casebook.build import BuildError, UsageError
from casebook.build.fingerprints import (
    FileHashes,
    code_digest,
    digest_files,
    digest_media,
    media_of,
    module_sources,
    source_of,
    value_digest,
    versions,
)
from casebook.build.manifest import RESERVED
from casebook.diagnostics import ContentError, Diagnostic
from casebook.document import Document, compose_pack
from casebook.layout import Layout, load_layout
from casebook.model import Case, Corpus, Pack, PackRecipe
from casebook.renderers import RendererSpec, choose, layout_files

__all__ = ["BuildOptions", "Job", "Plan", "gather", "input_stamp"]


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where; paths are relative to the current directory."""

    content_dir: Path = Path("content")
    layouts_dir: Path = Path("layouts")
    out_dir: Path = Path("dist")
    brand: str | None = None
    only: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("all",)  # renderer names, or "all"
    jobs: int | None = None  # None: one worker per core
    force: bool = False
    wait_for_lock: bool = True
    time_limit: float = 300.0  # seconds per output
    memory_limit: int = 2 * 1024**3  # bytes of address space per worker; 0: no limit
    debug: bool = False  # include tracebacks in failure messages
    date: str | None = None  # ISO date printed as the edition date; None: the content's own


@dataclass(frozen=True)
class Job:
    """One output to produce: a pack in one format."""

    pack: Pack
    document: Document
    renderer: RendererSpec
    path: Path  # the target file, inside the out dir: <pack id><suffix>
    fingerprint: str
    weight: int  # estimated cost, for largest-first scheduling
    media: tuple[Path, ...]  # media files the document's figures read

    @property
    def format(self) -> str:
        """The renderer's name."""
        return self.renderer.name


@dataclass(frozen=True)
class Plan:
    """Everything gathered before rendering: the corpus, its packs and the outputs wanted."""

    options: BuildOptions
    corpus: Corpus
    layout: Layout
    renderers: tuple[RendererSpec, ...]  # every registered format, in registry order
    packs: tuple[Pack, ...]  # every pack, in build order
    jobs: tuple[Job, ...]  # the outputs asked for (all, or --only / --format), build order
    content_fingerprint: str
    site_inputs: str  # digest of the downloads page's template files


def gather(
    options: BuildOptions,
    renderers: Sequence[RendererSpec],
    warnings: list[Diagnostic] | None = None,
) -> Plan:
    """Load, select, compose and fingerprint everything for ``renderers`` (every registered
    format); raise ContentError, BuildError or UsageError. Problems that do not stop a build
    are appended to ``warnings``."""
    from casebook.content import load_corpus
    from casebook.packs import check_pack_ids, select_packs

    chosen_formats = choose(renderers, options.formats)
    _check_out_dir(options)
    problems: list[Diagnostic] = []
    corpus: Corpus | None = None
    layout: Layout | None = None
    try:
        corpus = load_corpus(options.content_dir, warnings)
    except ContentError as error:
        problems.extend(error.diagnostics)
    try:
        layout = load_layout(options.layouts_dir, options.brand)
    except ContentError as error:
        problems.extend(error.diagnostics)
    if problems or corpus is None or layout is None:
        raise ContentError(problems)  # every problem in content and layouts at once
    packs = select_packs(corpus)
    check_pack_ids(packs, options.out_dir)
    _check_file_names(packs, renderers, options.out_dir)
    known = [p.id for p in packs]
    unknown = [i for i in options.only if i not in known]
    if unknown:
        named = "no pack with id" if len(unknown) == 1 else "no packs with ids"
        raise UsageError(
            f"{named} {', '.join(repr(i) for i in unknown)}; the packs are: {', '.join(known)}"
        )
    chosen = [p for p in packs if not options.only or p.id in options.only]

    hashes = FileHashes()
    parsed: dict[Path, str] = {}
    basis: dict[str, dict[str, object]] = {}
    for spec in chosen_formats:
        basis[spec.name] = {
            "format": spec.name,
            "suffix": spec.suffix,
            "layout": digest_files(hashes, layout_files(spec, layout), options.layouts_dir),
            "code": code_digest(module_sources(spec.modules), parsed),
            "libraries": versions(spec.packages),
        }
    jobs: list[Job] = []
    for pack in chosen:
        document = compose_pack(pack, corpus, options.date)
        shown = value_digest(document)
        media = media_of(document, options.content_dir)
        media_digest = digest_media(hashes, media, options.content_dir)
        size = sum(len(plain_text(c.blocks)) for c in document.cases) + 2000
        for spec in chosen_formats:
            inputs = {**basis[spec.name], "document": shown, "media": media_digest}
            text = json.dumps(inputs, sort_keys=True)
            jobs.append(
                Job(
                    pack=pack,
                    document=document,
                    renderer=spec,
                    path=options.out_dir / f"{pack.id}{spec.suffix}",
                    fingerprint=hashlib.sha256(text.encode()).hexdigest(),
                    weight=size * spec.weight,
                    media=media,
                )
            )
    site_dir = options.layouts_dir / "site"
    site_files = sorted(f for f in site_dir.rglob("*") if f.is_file()) if site_dir.is_dir() else []
    return Plan(
        options=options,
        corpus=corpus,
        layout=layout,
        renderers=tuple(renderers),
        packs=packs,
        jobs=tuple(jobs),
        content_fingerprint=_content_fingerprint(corpus),
        site_inputs=digest_files(hashes, tuple(site_files), options.layouts_dir),
    )


def _content_fingerprint(corpus: Corpus) -> str:
    """Everything published, whichever packs this build renders: the content as read, not
    where it was read from or on which line."""
    unplaced = {"path", "digest", "root"}
    basis = {
        "source": corpus.source,
        "insights": corpus.insights,
        "places": corpus.places,
        "tags": corpus.tags,
        "cases": [_without(c, unplaced) for c in corpus.cases],
        "recipes": [_without(r, unplaced) for r in corpus.recipes],
        "guide": [corpus.guide_title, corpus.guide],
    }
    return value_digest(basis)


def _without(value: Case | PackRecipe, names: set[str]) -> dict[str, object]:
    return {f.name: getattr(value, f.name) for f in fields(value) if f.name not in names}


def _check_out_dir(options: BuildOptions) -> None:
    """Outputs are written, replaced and pruned: never where content or layouts live."""
    out = options.out_dir.resolve()
    for name, given in (("content", options.content_dir), ("layouts", options.layouts_dir)):
        other = given.resolve()
        if out == other or out in other.parents:
            where = f"would hold the {name} directory {given}"
        elif other in out.parents:
            where = f"is inside the {name} directory {given}"
        else:
            continue
        raise BuildError(f"the output directory {options.out_dir} {where}; choose another --out")


def _check_file_names(
    packs: Sequence[Pack], renderers: Sequence[RendererSpec], out_dir: Path
) -> None:
    """Raise ContentError if an output would take the name of the manifest or the downloads
    page (a pack called ``index`` with a format whose suffix is ``.html``)."""
    problems = []
    for pack in packs:
        for spec in renderers:
            name = f"{pack.id}{spec.suffix}"
            if name in RESERVED:
                where = pack.recipe.path if pack.recipe is not None else str(out_dir)
                problems.append(
                    Diagnostic(
                        where,
                        0,
                        f"pack id {pack.id!r} would write {out_dir / name} as its "
                        f"{spec.label}, which Casebook keeps for itself; rename the pack",
                    )
                )
    if problems:
        raise ContentError(problems)


def input_stamp(options: BuildOptions, renderers: Sequence[RendererSpec]) -> str:
    """What a whole build reads, by name, size and time of change: equal stamps mean the
    last complete build already saw exactly these files. Empty when it does not apply."""
    if options.only or choose(renderers, options.formats) != tuple(renderers):
        return ""
    brand_dir = options.layouts_dir / "brands" / (options.brand or "")
    if options.brand is not None and not (
        re.fullmatch(r"[a-z0-9][a-z0-9-]*", options.brand) and brand_dir.is_dir()
    ):
        return ""  # a brand outside layouts/ is not stamped: let the fingerprints decide
    package = Path(casebook.__file__).parent
    entries: list[tuple[str, int, int]] = []
    for label, root, pattern in (
        ("content", options.content_dir, "**/*"),
        ("layouts", options.layouts_dir, "**/*"),
        ("casebook", package, "**/*.py"),
    ):
        if not root.is_dir():
            return ""
        for path in sorted(root.glob(pattern)):
            try:
                info = path.stat()
            except OSError:
                return ""
            if path.is_file():
                name = f"{label}/{path.relative_to(root).as_posix()}"
                entries.append((name, info.st_size, info.st_mtime_ns))
    outside: list[tuple[str, int, int]] = []
    for spec in renderers:
        for module in spec.modules:
            if module == "casebook" or module.startswith("casebook."):
                continue  # covered by the casebook files above
            source = source_of(module)
            if source is not None:
                info = source.stat()
                outside.append((str(source), info.st_size, info.st_mtime_ns))
    basis = {
        "files": entries,
        "plugin_files": outside,
        "brand": options.brand,
        "date": options.date,
        "paths": [str(p.resolve()) for p in (options.content_dir, options.layouts_dir)],
        "casebook": casebook.__version__,
        "renderers": [
            [r.name, r.suffix, r.label, r.target, versions(r.packages)] for r in renderers
        ],
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()
