"""The downloads page, ``dist/index.html``: every pack, its formats, sizes and page counts.

It shows exactly what the manifest records; each format's link is named with its renderer's
label, which the manifest keeps with each output."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from casebook import __version__
from casebook.build.manifest import Manifest, OutputRecord, PackRecord, corpus_manifest
from casebook.diagnostics import ContentError, Diagnostic
from casebook.document import long_date
from casebook.layout import (
    TEMPLATE_MISTAKES,
    Layout,
    layout_text,
    template_loader,
    template_position,
)
from casebook.model import PACK_KINDS, Corpus, Pack, count_places

if TYPE_CHECKING:
    from casebook.renderers import RendererSpec

__all__ = [
    "SITE_TEMPLATE",
    "STALE",
    "is_downloads_page",
    "render_site",
    "render_site_in_time",
    "sample_manifests",
    "size_text",
]

SITE_TEMPLATE = "index.html.j2"
#: Said on the downloads page of a file made before the latest changes to what it shows.
STALE = "not yet updated with the latest changes"
SITE_STYLES = "site.css"
#: What every downloads page says in its head (its template must write it), by which a build
#: knows a page in the output folder as one it may replace.
GENERATOR = '<meta name="generator" content="Casebook'
#: What pages written before the generator tag say in their foot, with the default template.
_EARLIER_PAGES = "Built by Casebook "

# By the last part of a file's suffix (".cards.pdf" is a PDF). A fixed table, not the
# system's mimetypes database, so that the page is the same on every machine.
MIME_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".epub": "application/epub+zip",
    ".html": "text/html",
    ".md": "text/markdown",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".txt": "text/plain",
}


@dataclass(frozen=True)
class _Download:
    href: str
    format: str
    name: str  # "PDF", "Word file"
    mime: str
    label: str  # the link's accessible name: "<format>, <detail> – <pack>"
    detail: str  # size and pages
    # Said of a file made before the latest changes to what it shows, else "".
    stale: str = ""


@dataclass(frozen=True)
class _Card:
    id: str
    title: str
    kind: str
    kind_label: str
    places: tuple[str, ...]
    from_places: str  # "20 local authorities and 1 region"
    cases: int
    downloads: tuple[_Download, ...]
    whats_new: tuple[str, ...] = ()  # one line per case changed in this edition


def render_site(manifest: Manifest, layout: Layout) -> str:
    """The downloads page for ``manifest``, drawn with ``layouts/site``; raises ContentError."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    site_dir = layout.root / "site"
    styles = layout_text(site_dir / SITE_STYLES, layout.root)
    if "</" in styles:
        # The styles are inlined in a <style> element; a closing tag would end it early.
        raise ContentError(
            [Diagnostic(str(site_dir / SITE_STYLES), 0, "must not contain '</' (it is inlined)")]
        )
    env = SandboxedEnvironment(
        loader=template_loader(site_dir, layout.root),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    values = {
        "manifest": manifest,
        "cards": [_card(p, manifest) for p in manifest.packs],
        "jumps": _jumps(manifest),
        "formats": {output.format for output in manifest.outputs},
        "edition": long_date(manifest.edition),
        "brand": layout.brand,
        "primary": _colour(layout, "primary", "#1f4e79"),
        "accent": _colour(layout, "accent", "#b04a2f"),
        "styles": styles,
        "generator": f"Casebook {__version__}",
    }
    try:
        page = env.get_template(SITE_TEMPLATE).render(values)
    except jinja2.TemplateNotFound as error:
        raise ContentError(
            [Diagnostic(str(site_dir / str(error.name)), 0, "template not found")]
        ) from None
    except (jinja2.TemplateError, *TEMPLATE_MISTAKES) as error:
        where, line = template_position(error, site_dir / SITE_TEMPLATE)
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        raise ContentError([Diagnostic(where, line, message)]) from None
    if GENERATOR not in page:
        # Without it the next build would take the page for another program's and refuse
        # the folder.
        raise ContentError(
            [
                Diagnostic(
                    str(site_dir / SITE_TEMPLATE),
                    0,
                    'the page must say <meta name="generator" content="{{ generator }}"> in '
                    "its <head>: a build replaces only a downloads page that says so",
                )
            ]
        )
    return page


def is_downloads_page(page: bytes) -> bool:
    """Whether ``page`` (an ``index.html`` found in the output folder) is a downloads page
    Casebook wrote, this version or an earlier one, and not another program's."""
    text = page.decode("utf-8", errors="replace")
    return GENERATOR in text or _EARLIER_PAGES in text


def render_site_in_time(manifest: Manifest, layout: Layout, seconds: float) -> str:
    """``render_site`` within ``seconds`` (at least one): a runaway loop in the template
    must not hang ``check`` or the build. Raises ContentError naming the template when it
    takes longer."""
    from casebook.templates import in_time

    where = str(layout.root / "site" / SITE_TEMPLATE)
    return in_time(lambda: render_site(manifest, layout), seconds, where, "the downloads page")


def _jumps(manifest: Manifest) -> list[tuple[str, str]]:
    """A link to the first pack of each kind, in the page's order, named for the kind and how
    many packs it has ("Insight packs (10)"); none when every pack is of one kind."""
    firsts: dict[str, str] = {}
    counts: dict[str, int] = {}
    for pack in manifest.packs:
        firsts.setdefault(pack.kind, pack.id)
        counts[pack.kind] = counts.get(pack.kind, 0) + 1
    if len(firsts) < 2:
        return []
    jumps = []
    for kind, first in firsts.items():
        label = PACK_KINDS[kind].label if kind in PACK_KINDS else kind
        jumps.append((first, label if counts[kind] == 1 else f"{label}s ({counts[kind]})"))
    return jumps


def _card(pack: PackRecord, manifest: Manifest) -> _Card:
    downloads = [
        _download(pack, output, output.path in manifest.out_of_date)
        for output in manifest.outputs_of(pack.id)
    ]
    return _Card(
        id=pack.id,
        title=pack.title,
        kind=pack.kind,
        kind_label=PACK_KINDS[pack.kind].tag if pack.kind in PACK_KINDS else pack.kind,
        places=pack.places,
        from_places=count_places(pack.place_kinds),
        cases=len(pack.cases),
        downloads=tuple(downloads),
        whats_new=pack.whats_new,
    )


def _download(pack: PackRecord, output: OutputRecord, out_of_date: bool) -> _Download:
    facts = [size_text(output.bytes)]
    if output.pages is not None and output.format == "cards":
        # What a facilitator counts out for a card sort: the cards, and the sheets to print.
        facts.append(f"{_count(len(pack.cases), 'card')} on {_count(output.pages, 'sheet')}")
    elif output.pages is not None:
        facts.append(_count(output.pages, "page"))
    detail = ", ".join(facts)
    name = output.label
    stale = STALE if out_of_date else ""
    return _Download(
        href=output.path,
        format=output.format,
        name=name,
        mime=MIME_TYPES.get(Path(output.path).suffix, "application/octet-stream"),
        # The words on the button first, in their order, so that "click PDF" finds it by
        # voice; then the pack, which the button leaves to its heading.
        label=f"{name}, {detail}{', ' + stale if stale else ''} \N{EN DASH} {pack.title}",
        detail=detail,
        stale=stale,
    )


def _count(n: int, thing: str) -> str:
    """``n`` things: "1 page", "13 sheets"."""
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def size_text(n: int) -> str:
    """A file size as people read it: ``840 kB``, ``1.2 MB``."""
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.0f} kB"
    return f"{n / 1_000_000:.1f} MB"


def _colour(layout: Layout, role: str, default: str) -> str:
    return dict(layout.brand.colours).get(role, default)


def sample_manifests(
    corpus: Corpus,
    packs: Sequence[Pack],
    renderers: Sequence[RendererSpec],
    date: str | None = None,
) -> tuple[Manifest, ...]:
    """Manifests such as a build of ``packs`` in ``renderers``' formats writes, to run the
    downloads page's template along every path a build takes through it before anything is
    built: one with a file of every format for every pack, the first of them not yet updated
    with the latest changes (when there are two or more), and one with no file yet (as
    before a first build). Sizes and page counts are made up; ``date`` is the build's."""
    outputs = tuple(
        OutputRecord(
            path=f"{pack.id}{spec.suffix}",
            pack=pack.id,
            format=spec.name,
            label=spec.label,
            bytes=123_456,
            pages=None if spec.name == "docx" else 12,  # Word's pages are the reader's
            sha256="",
            fingerprint="",
        )
        for pack in packs
        for spec in renderers
    )
    base = corpus_manifest(corpus, packs, date)
    stale = tuple(o.path for o in outputs[:1]) if len(outputs) > 1 else ()
    return replace(base, outputs=outputs, out_of_date=stale), base
