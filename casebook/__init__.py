"""Casebook: themed workshop packs from the EIF early childhood case examples.

The public API for renderers (see docs/renderers.md)::

    from casebook import Document, Layout, plain_text

is imported on first use, so ``import casebook`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from casebook.blocks import plain_text
    from casebook.document import Document
    from casebook.layout import Layout

__version__ = "0.1.0"

__all__ = ["Document", "Layout", "__version__", "plain_text"]


def __getattr__(name: str) -> Any:
    """Import ``Document``, ``Layout`` and ``plain_text`` when they are first asked for."""
    if name == "Document":
        from casebook.document import Document

        return Document
    if name == "Layout":
        from casebook.layout import Layout

        return Layout
    if name == "plain_text":
        from casebook.blocks import plain_text

        return plain_text
    raise AttributeError(f"module 'casebook' has no attribute {name!r}")
