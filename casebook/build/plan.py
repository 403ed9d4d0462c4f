"""Gather everything before anything is written: the corpus, its packs, the outputs asked for
and each output's fingerprint.

Content and layouts are loaded and validated first, every problem reported at once; then every
pack is composed into its Document once and fingerprinted in every format (so that a file
this build does not make is known to be out of date), and each chosen pack is given one job
per chosen format.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

from casebook.blocks import plain_text
from casebook.build import BuildOptions, UsageError
from casebook.build.fingerprints import (
    CodeIndex,
    FileHashes,
    digest_files,
    digest_media,
    media_of,
    value_digest,
    versions,
)
from casebook.build.manifest import RESERVED
from casebook.diagnostics import ContentError, Diagnostic
from casebook.document import Document, compose_pack
from casebook.fields import did_you_mean
from casebook.layout import Layout, load_layout
from casebook.model import Case, Corpus, Pack, PackRecipe
from casebook.renderers import RendererSpec, choose, layout_files

__all__ = ["Job", "Plan", "gather"]


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
    # The fingerprint every output would have now, asked for or not (by file name): a file in
    # the out dir whose record differs was made before the latest changes.
    current: dict[str, str]
    content_fingerprint: str
    site_inputs: str  # digest of the downloads page's template files


def gather(
    options: BuildOptions,
    renderers: Sequence[RendererSpec],
    warnings: list[Diagnostic] | None = None,
) -> Plan:
    """Load, select, compose and fingerprint everything for ``renderers`` (every registered
    format); raise ContentError or UsageError. Problems that do not stop a build
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
    if warnings is not None:
        from casebook.glyphs import uncovered_characters

        warnings.extend(uncovered_characters(options.content_dir, layout))
    packs = select_packs(corpus)
    check_pack_ids(packs, options.out_dir)
    _check_file_names(packs, renderers, options.out_dir)
    known = [p.id for p in packs]
    unknown = [i for i in options.only if i not in known]
    if unknown:
        named = "no pack with id" if len(unknown) == 1 else "no packs with ids"
        hint = did_you_mean(unknown[0], known) if len(unknown) == 1 else ""
        raise UsageError(
            f"{named} {', '.join(repr(i) for i in unknown)}{hint}; "
            f"the packs are: {', '.join(known)}"
        )
    chosen = {p.id for p in packs if not options.only or p.id in options.only}

    hashes = FileHashes()
    code = CodeIndex()
    basis: dict[str, dict[str, object]] = {}
    # brand.yaml counts by the brand it gives, as content files do: a comment or a moved line
    # in it rebuilds nothing.
    brand_file = Path(layout.brand.path)
    brand = value_digest(replace(layout.brand, path=""))
    for spec in renderers:  # every format, so that a file not built now is known out of date
        files = tuple(f for f in layout_files(spec, layout) if f != brand_file)
        basis[spec.name] = {
            "format": spec.name,
            "suffix": spec.suffix,
            "brand": brand,
            "layout": digest_files(hashes, files, options.layouts_dir),
            "code": code.digest(spec.modules),
            "libraries": versions(spec.packages),
        }
    jobs: list[Job] = []
    current: dict[str, str] = {}
    for pack in packs:
        document = compose_pack(pack, corpus, options.date)
        shown = value_digest(document)
        media = media_of(document, options.content_dir)
        media_digest = digest_media(hashes, media, options.content_dir)
        for spec in renderers:
            inputs = {**basis[spec.name], "document": shown, "media": media_digest}
            text = json.dumps(inputs, sort_keys=True)
            current[f"{pack.id}{spec.suffix}"] = hashlib.sha256(text.encode()).hexdigest()
        if pack.id not in chosen:
            continue
        size = sum(len(plain_text(c.blocks)) for c in document.cases) + 2000
        for spec in chosen_formats:
            jobs.append(
                Job(
                    pack=pack,
                    document=document,
                    renderer=spec,
                    path=options.out_dir / f"{pack.id}{spec.suffix}",
                    fingerprint=current[f"{pack.id}{spec.suffix}"],
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
        current=current,
        content_fingerprint=_content_fingerprint(corpus),
        site_inputs=digest_files(hashes, tuple(site_files), options.layouts_dir),
    )


def _content_fingerprint(corpus: Corpus) -> str:
    """Everything published, whichever packs this build renders: the content as read, not
    where it was read from or on which line. A case's text counts as its blocks, as printed,
    not as the Markdown it was written in."""
    unplaced = {"path", "digest", "root", "text"}
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
        raise UsageError(f"the output directory {options.out_dir} {where}; choose another --out")


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
