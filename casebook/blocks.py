"""Typed blocks: Markdown parsed once, walked by both renderers.

Inline content is a tuple of :data:`Inline`; block content a tuple of :data:`Block`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = [
    "Block",
    "BulletList",
    "Code",
    "Emphasis",
    "Figure",
    "Heading",
    "Inline",
    "LineBreak",
    "Link",
    "ListItem",
    "OrderedList",
    "Paragraph",
    "Quote",
    "Strong",
    "Table",
    "Text",
    "plain_text",
    "walk_blocks",
]


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class LineBreak:
    """A hard line break inside a paragraph (Markdown's trailing backslash, Word's Shift+Enter)."""


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Emphasis:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Link:
    """A hyperlink; ``href`` is always ``https:`` or ``mailto:`` once validated."""

    href: str
    children: tuple[Inline, ...]


Inline = Text | LineBreak | Code | Emphasis | Strong | Link


@dataclass(frozen=True)
class Paragraph:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Heading:
    """A heading inside a body. Levels 1 and 2 belong to the pack's sections and cases,
    so a body's headings are level 3 (``### ...`` in Markdown)."""

    level: int
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class ListItem:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class BulletList:
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class OrderedList:
    start: int
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class Quote:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Figure:
    """An image standing alone. ``src`` is a path relative to ``content/``
    (``media/...``), or ``None`` when the image is not available in this edition and only
    its description survives (``alt`` is then printed in its place)."""

    alt: str
    src: str | None


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]


Block = Paragraph | Heading | BulletList | OrderedList | Quote | Figure | Table


def plain_text(nodes: tuple[Inline, ...] | tuple[Block, ...]) -> str:
    """The text a reader sees, blocks separated by newlines (for tests, search and metadata)."""
    parts: list[str] = []
    for node in nodes:
        match node:
            case Text(text=text) | Code(text=text):
                parts.append(text)
            case LineBreak():
                parts.append("\n")
            case Emphasis(children=c) | Strong(children=c) | Link(children=c):
                parts.append(plain_text(c))
            case Paragraph(children=c) | Heading(children=c):
                parts.append(plain_text(c) + "\n")
            case BulletList(items=items) | OrderedList(items=items):
                parts.extend(plain_text(item.blocks) for item in items)
            case Quote(blocks=b):
                parts.append(plain_text(b))
            case Figure(alt=alt):
                parts.append(alt + "\n")
            case Table(header=header, rows=rows):
                for row in (header, *rows):
                    parts.append(" ".join(plain_text(cell) for cell in row) + "\n")
    return "".join(parts)


def walk_blocks(blocks: Iterable[Block]) -> Iterator[Block]:
    """Every block in ``blocks`` and every block inside them (quotes, list items), in reading
    order. Raises TypeError on anything that is not a block, so a new block type cannot be
    skipped silently."""
    for block in blocks:
        match block:
            case Paragraph() | Heading() | Figure() | Table():
                yield block
            case Quote(blocks=inner):
                yield block
                yield from walk_blocks(inner)
            case BulletList(items=items) | OrderedList(items=items):
                yield block
                for item in items:
                    yield from walk_blocks(item.blocks)
            case _:
                raise TypeError(f"not a known block: {block!r}")
