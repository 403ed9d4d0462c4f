"""The build engine: from content to ``dist/``, rebuilding only what changed.

- :mod:`casebook.build.plan`: gather every pack, the outputs asked for and their fingerprints;
- :mod:`casebook.build.manifest`: ``dist/manifest.json``, the record of what was built;
- :mod:`casebook.build.workers`: render outputs in worker processes with time and memory limits;
- :mod:`casebook.build.engine`: :func:`~casebook.build.engine.build`, which runs them in order.

This module defines only the errors every part raises, and imports nothing, so importing a
part never imports the others.
"""

from __future__ import annotations

__all__ = ["BuildError", "UsageError"]


class BuildError(Exception):
    """A build cannot start or finish for a reason that is not in the content (lock, usage)."""


class UsageError(BuildError):
    """The command line asks for something that does not exist (an unknown pack or format)."""
