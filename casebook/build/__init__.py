"""The build engine: from content to ``dist/``, rebuilding only what changed.

- :mod:`casebook.build.plan`: gather every pack, the outputs asked for and their fingerprints;
- :mod:`casebook.build.manifest`: ``dist/manifest.json``, the record of what was built;
- :mod:`casebook.build.workers`: render outputs in worker processes with time and memory limits;
- :mod:`casebook.build.engine`: :func:`~casebook.build.engine.build`, which runs them in order.

This module defines what every part shares (the options of a build, the outcome of one
output, the errors) and imports nothing from Casebook, so importing a part never imports the
others: a build with nothing to do loads neither the content nor the workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["BuildError", "BuildOptions", "Outcome", "UsageError"]


class BuildError(Exception):
    """A build cannot start or finish for a reason that is not in the content (lock, usage)."""


class UsageError(BuildError):
    """The command line asks for something that does not exist (an unknown pack or format)."""


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
class Outcome:
    """What happened to one output."""

    pack: str
    format: str
    path: Path
    status: str  # "built", "skipped" or "failed"
    pages: int | None = None
    bytes: int | None = None
    seconds: float = 0.0
    messages: tuple[str, ...] = ()
