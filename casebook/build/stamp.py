"""The input stamp: a no-op build's shortcut.

A stamp is the name, size and time of change of every file a whole build reads (content,
layouts, Casebook's code, plug-in modules) and the versions of the renderers' libraries. When
it equals the one recorded by the last complete build and every output is still the file
recorded, the build does nothing without loading the content or any renderer.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import casebook
from casebook.build import BuildOptions
from casebook.build.fingerprints import source_of, versions
from casebook.renderers import RendererSpec

__all__ = ["input_stamp"]


def input_stamp(options: BuildOptions, renderers: Sequence[RendererSpec]) -> str:
    """What a whole build reads, by name, size and time of change: equal stamps mean the
    last complete build already saw exactly these files. Empty when it does not apply.

    A build of some formats (``--format``) has the same stamp as a whole build: when nothing
    changed since the last complete build, its outputs are as current as all the others.
    Only a build of every pack in every format records the stamp (see the engine)."""
    if options.only:
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
        "renderers": [[r.name, r.suffix, r.label, r.target, list(r.packages)] for r in renderers],
        "libraries": versions(sorted({p for r in renderers for p in r.packages})),
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()
