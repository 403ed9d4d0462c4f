"""The renderer registry: every output format, built in or added by a plug-in.

A format is described by a :class:`RendererSpec` that the build engine reads without
importing the renderer: its ``--format`` name, the file suffix of its outputs
(``<pack-id><suffix>``), the label of its link on the downloads page, what its fingerprint
depends on, and where its render function lives. The render function is imported only in the
worker that renders, so a build with nothing to do imports neither WeasyPrint nor
python-docx.

Built-in renderers have the signature
``render(document: Document, layout: Layout, content_dir: Path) -> tuple[bytes, int | None]``
(the file and its page count, if the format has pages of its own); adding one is a new module
with that function and one entry in :data:`BUILTIN`.

Other packages add formats through the entry-point group ``casebook.renderers``: each entry
point loads an object (or a zero-argument callable returning one) with ``name``, ``suffix``,
``label`` and ``render(document, layout) -> bytes``. See docs/renderers.md.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casebook.build import BuildError, UsageError

if TYPE_CHECKING:
    from casebook.document import Document
    from casebook.layout import Layout

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "PLUGIN_MODULES",
    "Render",
    "RendererSpec",
    "choose",
    "layout_files",
    "load_render",
    "registered",
]

ENTRY_POINT_GROUP = "casebook.renderers"

#: What a plug-in's output depends on in Casebook besides its own module: the public API it
#: is given (``from casebook import Document, Layout, plain_text``) and what that uses.
PLUGIN_MODULES = ("casebook",)

_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# One or more dot-separated parts, e.g. ".txt", ".cards.pdf": a safe end for a file name.
_SUFFIX = re.compile(r"(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+")

Render = Callable[["Document", "Layout", Path], tuple[bytes, "int | None"]]


@dataclass(frozen=True)
class RendererSpec:
    """An output format, as the engine, the command line and the downloads page know it."""

    name: str  # the --format value: "pdf", "docx", "large-print"
    suffix: str  # the end of each output's file name: ".pdf", ".cards.pdf"
    label: str  # the downloads page's name for the file: "PDF", "Word file"
    packages: tuple[str, ...] = ()  # distributions whose versions go into the fingerprint
    # Modules whose code goes into the fingerprint, with every casebook module they import.
    modules: tuple[str, ...] = ()
    weight: int = 1  # relative cost of one output, for largest-first scheduling
    # "module:function" for a built-in (imported in the worker), the entry point's value
    # ("module:object") for a plug-in.
    target: str = ""
    # The Layout method (or "module:function" taking a Layout) naming the layout files the
    # renderer reads, for the fingerprint.
    layout_inputs: str = "brand_inputs"
    plugin: bool = False  # target is a plug-in object: render(document, layout) -> bytes


#: The formats Casebook makes itself, in the order the downloads page lists them.
BUILTIN: tuple[RendererSpec, ...] = (
    RendererSpec(
        name="pdf",
        suffix=".pdf",
        label="PDF",
        packages=("weasyprint", "pydyf", "fonttools"),
        modules=("casebook.pdf",),
        weight=5,  # a PDF costs several times what a Word file of the same text does
        target="casebook.pdf:render_pdf_pages",
        layout_inputs="pdf_inputs",
    ),
    RendererSpec(
        name="docx",
        suffix=".docx",
        label="Word file",
        # WeasyPrint draws SVG logos and figures for Word too.
        packages=("python-docx", "lxml", "weasyprint", "pydyf", "fonttools", "tinycss2"),
        modules=("casebook.word",),
        weight=1,
        target="casebook.word:render",
        layout_inputs="docx_inputs",
    ),
    RendererSpec(
        name="cards",
        suffix=".cards.pdf",
        label="Case cards (A5, 2 per A4 sheet)",
        packages=("weasyprint", "pydyf", "fonttools"),
        modules=("casebook.cards",),
        weight=6,  # every card measured in one column, then the sheets laid out once
        target="casebook.cards:render",
        layout_inputs="cards_inputs",
    ),
    RendererSpec(
        name="large-print",
        suffix=".large-print.pdf",
        label="Large print",
        packages=("weasyprint", "pydyf", "fonttools"),
        modules=("casebook.largeprint",),
        weight=7,  # the PDF's text on nearly twice the pages
        target="casebook.largeprint:render",
        layout_inputs="large_print_inputs",
    ),
)


def registered() -> tuple[RendererSpec, ...]:
    """The built-in formats, then those of installed plug-ins (sorted by name).

    Raises BuildError naming the entry point when a plug-in cannot be loaded or breaks the
    contract (a name or suffix already taken, a suffix that is not a safe file-name ending).
    """
    specs = list(BUILTIN)
    plugins = [
        (_plugin_spec(entry), _describe(entry))
        for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    ]
    for spec, where in sorted(plugins, key=lambda p: p[0].name):
        for other in specs:
            if other.name == spec.name:
                raise BuildError(f"{where}: the format name {spec.name!r} is already taken")
            if other.suffix == spec.suffix:
                raise BuildError(
                    f"{where}: the suffix {spec.suffix!r} is already used by the "
                    f"{other.name!r} format"
                )
        specs.append(spec)
    return tuple(specs)


def choose(specs: Sequence[RendererSpec], names: Sequence[str]) -> tuple[RendererSpec, ...]:
    """The formats named (``all`` for every one), in registry order; raise UsageError for a
    name no renderer has."""
    if not names or "all" in names:
        return tuple(specs)
    known = [s.name for s in specs]
    unknown = [n for n in dict.fromkeys(names) if n not in known]
    if unknown:
        named = "no format" if len(unknown) == 1 else "no formats"
        raise UsageError(
            f"{named} {', '.join(repr(n) for n in unknown)}; the formats are: "
            f"{', '.join(known)} (or all)"
        )
    return tuple(s for s in specs if s.name in names)


def load_render(spec: RendererSpec) -> Render:
    """Import the render function of ``spec`` (in the worker, just before rendering)."""
    if spec.plugin:
        plugin = _plugin_object(spec.target)
        render = plugin.render

        def render_plugin(
            document: Document, layout: Layout, content_dir: Path
        ) -> tuple[bytes, None]:
            data = render(document, layout)
            if not isinstance(data, bytes):
                raise TypeError(f"render() returned {type(data).__name__}, not bytes")
            return data, None

        return render_plugin
    module, _, function = spec.target.partition(":")
    found: Render = getattr(importlib.import_module(module), function)
    return found


def layout_files(spec: RendererSpec, layout: Layout) -> tuple[Path, ...]:
    """The layout files ``spec``'s renderer reads."""
    if ":" in spec.layout_inputs:
        module, _, function = spec.layout_inputs.partition(":")
        files: tuple[Path, ...] = tuple(getattr(importlib.import_module(module), function)(layout))
        return files
    method: Callable[[], tuple[Path, ...]] = getattr(layout, spec.layout_inputs)
    return tuple(method())


def _plugin_object(value: str) -> Any:
    """The object an entry point's ``value`` names, called first if it is a factory."""
    loaded = importlib.metadata.EntryPoint("", value, ENTRY_POINT_GROUP).load()
    if not hasattr(loaded, "render") and callable(loaded):
        loaded = loaded()
    return loaded


def _describe(entry: importlib.metadata.EntryPoint) -> str:
    """How messages name a plug-in: its entry point and the distribution it came from."""
    where = f"plug-in renderer {entry.value!r}"
    if entry.dist is not None:
        where += f" (from {entry.dist.metadata['Name']} {entry.dist.version})"
    return where


def _plugin_spec(entry: importlib.metadata.EntryPoint) -> RendererSpec:
    where = _describe(entry)
    dist = entry.dist
    try:
        plugin = _plugin_object(entry.value)
    except Exception as error:
        raise BuildError(f"{where}: cannot be loaded: {type(error).__name__}: {error}") from error
    values: dict[str, str] = {}
    for field in ("name", "suffix", "label"):
        value = getattr(plugin, field, None)
        if not isinstance(value, str) or not value.strip():
            raise BuildError(f"{where}: {field} must be a non-empty string, not {value!r}")
        values[field] = value
    if not callable(getattr(plugin, "render", None)):
        raise BuildError(f"{where}: has no render(document, layout) method")
    if not _NAME.fullmatch(values["name"]) or values["name"] == "all":
        raise BuildError(
            f"{where}: name {values['name']!r} must be lower-case letters, digits and single "
            "hyphens (and not 'all')"
        )
    if not _SUFFIX.fullmatch(values["suffix"]):
        raise BuildError(
            f"{where}: suffix {values['suffix']!r} must be a dot and lower-case letters, "
            "digits and hyphens, e.g. '.txt' or '.notes.txt'"
        )
    module = entry.value.partition(":")[0].strip()
    return RendererSpec(
        name=values["name"],
        suffix=values["suffix"],
        label=values["label"].strip(),
        packages=(dist.metadata["Name"],) if dist is not None else (),
        modules=(module, *PLUGIN_MODULES),
        weight=1,
        target=entry.value,
        layout_inputs="brand_inputs",
        plugin=True,
    )
