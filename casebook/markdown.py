"""Read Markdown bodies into typed blocks (markdown-it-py), reporting what we do not publish."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt, rules_inline
from markdown_it.rules_block.table import escapedSplit
from markdown_it.rules_inline import StateInline
from markdown_it.tree import SyntaxTreeNode

from casebook.blocks import (
    Block,
    BulletList,
    Code,
    Emphasis,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListItem,
    OrderedList,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
)
from casebook.diagnostics import Diagnostic
from casebook.policy import (
    MediaRefused,
    image_problem,
    link_allowed,
    media_syntax,
    normalise_link,
    read_media,
)
from casebook.text import BIDI_CONTROLS, unprintable

__all__ = ["LIMITS", "Limits", "parse_markdown"]


@dataclass(frozen=True)
class Limits:
    """Size limits for a body, so a pasted document fails clearly instead of hanging a render.
    The report's longest case is about 2,400 characters, its longest paragraph about 1,100
    and its longest list 7 items; the limits leave room many times over."""

    body_chars: int = 20_000
    paragraph_chars: int = 4_000
    list_items: int = 40
    list_depth: int = 3
    table_columns: int = 6
    table_rows: int = 40
    # Deeper quotes print as an ever narrower column; Markdown itself stops reading at 20
    # levels of nesting and drops what lies deeper, so the limit also keeps every word.
    quote_depth: int = 3


LIMITS = Limits()
_CSS = re.compile(r"@import\b|\burl\s*\(|expression\s*\(", re.IGNORECASE)
# Link or picture syntax Markdown did not read as one (a space in the address, say), left in
# the text: it would be printed as typed.
_UNREAD_LINK = re.compile(r"!?\[[^\]\n]+\]\((?P<address>[^)\n]*)\)")
# A footnote reference or definition ("[^1]"), which CommonMark does not have.
_FOOTNOTE = re.compile(r"\[\^[^\]\s]+\]")


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    # Let every link through the parser so that the validator, not the parser, decides and
    # names the file and line; markdown-it would otherwise turn javascript: links into text.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    # A code span, link or picture may run over lines, and markdown-it keeps no trace of the
    # line ends inside a code span, a link's address or its title: count them as it reads
    # them, so that what follows is reported at its own line.
    for name, rule in (
        ("backticks", rules_inline.backtick),
        ("link", rules_inline.link),
        ("image", rules_inline.image),
    ):
        md.inline.ruler.at(name, _counting_breaks(rule))
    return md


# Two words a zero-width space runs together.
_JOINED = re.compile(r"(\w+)\u200b(\w+)")
# Bullets a word processor types, which Markdown reads as text.
_BULLETS = ("•", "◦", "▪", "‣", "●", "○", "■", "□", "➢", "\uf0b7")  # U+F0B7: Symbol font


_COUNTED = ("code_inline", "link_open", "image")


def _counting_breaks(rule: Callable[[StateInline, bool], bool]) -> Callable[..., bool]:
    """``rule``, also noting in its token's meta the line ends in the source it read."""

    def counted(state: StateInline, silent: bool) -> bool:
        start, first = state.pos, len(state.tokens)
        read = rule(state, silent)
        if read and not silent:
            # (A run of backticks with no closing run is read as text: no token to note.)
            for token in state.tokens[first:]:
                if token.type in _COUNTED:
                    token.meta["breaks"] = state.src.count("\n", start, state.pos)
                    break
        return read

    return counted


_MD = _parser()


def parse_markdown(
    text: str,
    path: str,
    first_line: int,
    content_root: Path | None = None,
    limits: Limits = LIMITS,
) -> tuple[tuple[Block, ...], list[Diagnostic]]:
    """Parse ``text`` (which starts at line ``first_line`` of ``path``) into blocks.

    Problems come back as diagnostics; the blocks never hold raw HTML or unsafe links.
    Figure sources are checked against ``content_root``/media when it is given.
    """
    reader = _Reader(path, first_line, content_root, limits, text.split("\n"))
    if len(text) > limits.body_chars:
        reader.error(
            0,
            f"body is {len(text):,} characters; the limit is {limits.body_chars:,} — "
            "split it into two cases",
        )
        return (), reader.diagnostics
    root = SyntaxTreeNode(_MD.parse(text))
    blocks = reader.blocks(root.children, depth=0)
    return blocks, reader.diagnostics


class _Reader:
    def __init__(
        self, path: str, first_line: int, root: Path | None, limits: Limits, lines: list[str]
    ) -> None:
        self.path = path
        self.first_line = first_line
        self.root = root
        self.limits = limits
        self.lines = lines
        self.quotes = 0  # how many quotes enclose the block being read
        self.diagnostics: list[Diagnostic] = []

    def error(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, self.first_line + line, message))

    def warn(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, self.first_line + line, message, "warning"))

    def blocks(self, nodes: list[SyntaxTreeNode], depth: int) -> tuple[Block, ...]:
        out: list[Block] = []
        for node in nodes:
            block = self.block(node, depth)
            if block is not None:
                out.append(block)
        return tuple(out)

    def block(self, node: SyntaxTreeNode, depth: int) -> Block | None:
        line = node.map[0] if node.map else 0
        kind = node.type
        if kind == "paragraph":
            inlines = self.inlines(node.children[0], line, paragraph=True)
            if len(inlines) == 1 and isinstance(inlines[0], Figure):
                return inlines[0]
            if any(isinstance(i, Figure) for i in inlines):
                self.error(line, "an image must stand alone in its own paragraph")
                return None
            if not inlines:
                return None
            size = sum(len(_flat(i)) for i in inlines if not isinstance(i, Figure))
            if size > self.limits.paragraph_chars:
                self.error(
                    line,
                    f"paragraph is {size:,} characters; the limit is "
                    f"{self.limits.paragraph_chars:,} — break it into shorter paragraphs",
                )
            return Paragraph(tuple(i for i in inlines if not isinstance(i, Figure)))
        if kind == "heading":
            level = int(node.tag[1])
            if level != 3:
                written = (  # a line underlined with '===' or '---' is a heading too
                    f"a line underlined with '{node.markup[0] * 3}'"
                    if node.markup in ("=", "-")
                    else f"'{'#' * level} ...'"
                )
                self.error(
                    line,
                    f"heading level {level} ({written}) is not allowed in a body: "
                    "use '### ' (levels 1 and 2 are the pack's own sections and cases)",
                )
                return None
            return Heading(3, self.inline_only(node.children[0], line))
        if kind in ("bullet_list", "ordered_list"):
            if depth >= self.limits.list_depth:
                self.error(line, f"lists nest more than {self.limits.list_depth} levels deep")
                return None
            if len(node.children) > self.limits.list_items:
                self.error(
                    line,
                    f"list has {len(node.children)} items; the limit is {self.limits.list_items}",
                )
            items = tuple(ListItem(self.blocks(item.children, depth + 1)) for item in node.children)
            if kind == "bullet_list":
                return BulletList(items)
            return OrderedList(int(node.attrs.get("start", 1)), items)
        if kind == "blockquote":
            if self.quotes >= self.limits.quote_depth:
                self.error(
                    line,
                    f"quotes nest more than {self.limits.quote_depth} levels deep "
                    "(lines starting '> > > >'); remove the extra '>' marks",
                )
                return None
            self.quotes += 1
            try:
                return Quote(self.blocks(node.children, depth))
            finally:
                self.quotes -= 1
        if kind == "table":
            return self.table(node, line)
        if kind == "html_block":
            self.error(
                line,
                f"raw HTML is not allowed (found {_snippet(node.content)}); "
                "write the text in Markdown",
            )
            return None
        if kind == "code_block":
            self.error(
                line,
                "code blocks are not supported; lines indented by four or more spaces are "
                "read as code — remove the indentation",
            )
            return None
        if kind == "fence":
            self.error(
                line,
                f"code blocks are not supported; a line of {node.markup} starts one — "
                "remove it and the line that closes it",
            )
            return None
        if kind == "hr":
            self.error(line, "horizontal rules ('---', '***') are not supported in a body")
            return None
        self.error(line, f"unsupported Markdown ({kind})")  # pragma: no cover - all kinds above
        return None

    def table(self, node: SyntaxTreeNode, line: int) -> Table | None:
        rows: list[tuple[tuple[Inline, ...], ...]] = []
        header_width = len(node.children[0].children[0].children)
        for section in node.children:
            for tr in section.children:
                if self.row_cells(tr) > header_width:
                    here = tr.map[0] if tr.map else line
                    self.error(
                        here,
                        f"table row has {self.row_cells(tr)} cells but the header has "
                        f"{header_width}; add the missing header cells or remove the extra "
                        "'|' cells (they would not be printed)",
                    )
                    return None
                row_line = tr.map[0] if tr.map else line  # each cell at its row's line
                rows.append(
                    tuple(
                        self.inline_only(cell.children[0], row_line) if cell.children else ()
                        for cell in tr.children
                    )
                )
        width = max(len(r) for r in rows)
        if width > self.limits.table_columns:
            self.error(
                line,
                f"table has {width} columns; the limit is {self.limits.table_columns} "
                "(wider tables cannot be printed legibly on the page)",
            )
            return None
        if len(rows) - 1 > self.limits.table_rows:
            self.error(
                line, f"table has {len(rows) - 1} rows; the limit is {self.limits.table_rows}"
            )
            return None
        return Table(rows[0], tuple(rows[1:]))

    def row_cells(self, tr: SyntaxTreeNode) -> int:
        """How many cells a table row's source line holds, split as markdown-it splits it
        (markdown-it keeps only as many as the header has)."""
        if not tr.map or tr.map[0] >= len(self.lines):
            return 0
        text = re.sub(r"^[ \t>]*", "", self.lines[tr.map[0]]).rstrip()
        cells = escapedSplit(text)
        if cells and cells[0].strip() == "":
            cells.pop(0)
        if cells and cells[-1].strip() == "":
            cells.pop()
        return len(cells)

    def inlines(
        self, inline: SyntaxTreeNode, line: int, paragraph: bool = False
    ) -> tuple[Inline | Figure, ...]:
        """The inlines of ``inline`` (starting at ``line``); ``paragraph`` when it is a whole
        paragraph, whose lines may start with a bullet pasted from a word processor."""
        out: list[Inline | Figure] = []
        offset = 0
        starts_line = paragraph
        for child in inline.children:
            kind = child.type
            here = line + offset
            offset += _line_breaks(child)  # what follows starts below them
            if kind == "text" and starts_line and child.content.lstrip().startswith(_BULLETS):
                self.error(
                    here,
                    f"a line starting with '{child.content.lstrip()[0]}' is not an item of a "
                    "list to Markdown (it would be printed as it stands, run on with the lines "
                    "around it): start each item with '- ' (a hyphen and a space), after a "
                    "blank line",
                )
            starts_line = paragraph and kind in ("softbreak", "hardbreak")
            if kind == "text":
                self.text(child.content, here, out)
            elif kind == "softbreak":
                self.text(" ", here, out)
            elif kind == "hardbreak":
                out.append(LineBreak())
            elif kind == "code_inline":
                self.characters(child.content, here)
                out.append(Code(child.content))
            elif kind == "em":
                out.append(Emphasis(self.inline_only(child, here)))
            elif kind == "strong":
                out.append(Strong(self.inline_only(child, here)))
            elif kind == "link":
                href = str(child.attrs.get("href", ""))
                children = self.inline_only(child, here)
                words = "".join(_flat(c) for c in children)
                if _FOOTNOTE.fullmatch(f"[{words}]"):
                    # "[^1]" made a link by a definition "[^1]: https://…" below it.
                    self.error(
                        here,
                        f"footnotes ([{words}]) are not supported; put the note in the text, "
                        "in brackets",
                    )
                elif self.link_ok(href, here) and children:
                    out.append(Link(normalise_link(href), children))
                elif not children:
                    self.error(here, f"link to '{href}' has no text; say where it goes")
            elif kind == "image":
                alt = "".join(_flat(c) for c in self.inline_only(child, here))
                # markdown-it writes the address %-encoded (a space as %20, é as %C3%A9);
                # a figure names a file, so keep the file's own name.
                raw = str(child.attrs.get("src", ""))
                src = unquote(raw) if "%" in raw else raw
                if not alt.strip():
                    self.error(here, "an image needs a description: ![what it shows](media/...)")
                elif self.media_ok(src, raw, here):
                    out.append(Figure(alt, src or None))
            elif kind == "html_inline":
                self.error(
                    here,
                    f"raw HTML is not allowed (found {_snippet(child.content)}); "
                    "write the text in Markdown",
                )
            else:  # pragma: no cover - commonmark has no other inline kinds
                self.error(here, f"unsupported Markdown ({kind})")
        return _merge(out)

    def inline_only(self, inline: SyntaxTreeNode, line: int) -> tuple[Inline, ...]:
        out: list[Inline] = []
        for node in self.inlines(inline, line):
            if isinstance(node, Figure):
                self.error(line, "an image must stand alone in its own paragraph")
            else:
                out.append(node)
        return tuple(out)

    def text(self, text: str, line: int, out: list[Inline | Figure]) -> None:
        unread = _UNREAD_LINK.search(text)
        if unread:
            kind = "picture" if unread.group().startswith("!") else "link"
            why = (
                "Markdown allows no space in an address: write each space as %20"
                + (" or rename the file" if kind == "picture" else "")
                if " " in unread.group("address").strip()
                else "check its brackets"
            )
            self.error(
                line,
                f"'{_clip(unread.group())}' would be printed as it stands, not read as a {kind}: "
                f"{why}",
            )
        footnote = _FOOTNOTE.search(text)
        if footnote:
            self.error(
                line,
                f"footnotes ({footnote.group()}) are not supported; put the note in the text, "
                "in brackets",
            )
        if _CSS.search(text):
            self.error(
                line,
                f"text looks like CSS ({_snippet(_CSS.search(text).group())}); "  # type: ignore[union-attr]
                "style comes from the layouts, not from the content",
            )
        if any(ch in BIDI_CONTROLS for ch in text):
            self.error(
                line,
                "text holds invisible bidirectional control characters "
                "(U+202A–U+202E, U+2066–U+2069); remove them",
            )
            text = "".join(ch for ch in text if ch not in BIDI_CONTROLS)
        if joined := _JOINED.search(text):
            # Pasted from a web page, say, where it stood for a space: the words print as one.
            self.warn(
                line,
                f"a zero-width space (U+200B) joins '{joined.group(1)}' and "
                f"'{joined.group(2)}', which print as one word, "
                f"'{joined.group(1)}{joined.group(2)}'; type a space there if one is meant, "
                "or remove it",
            )
        self.characters(text, line)
        # A vertical tab or form feed pasted from Word is a line break the author meant.
        parts = re.split("[\v\f]", text)
        for i, part in enumerate(parts):
            if i:
                out.append(LineBreak())
            if part:
                out.append(Text(part))

    def characters(self, text: str, line: int) -> None:
        """Refuse characters no renderer can show faithfully: they would be dropped or
        printed as a replacement box."""
        found = unprintable(text)
        if found:
            self.error(line, f"text {found}")

    def link_ok(self, href: str, line: int) -> bool:
        if link_allowed(href):
            return True
        self.error(
            line,
            f"link target '{_clip(href)}' is not allowed: use an https: or mailto: address",
        )
        return False

    def media_ok(self, src: str, raw: str, line: int) -> bool:
        if src == "":
            return True  # the figure is not available; only its description is printed
        problem = media_syntax(src)
        if problem is None and self.root is not None:
            try:
                problem = image_problem(read_media(self.root, src), Path(src).suffix)
            except MediaRefused as error:
                problem = str(error)
                if raw != src and (self.root / raw).exists():
                    problem += (
                        f" (a file named '{_clip(raw)}' does, but '%' in a Markdown address "
                        "starts an escape: rename the file without '%')"
                    )
            else:
                problem = problem and f"cannot be drawn: it {problem}"
        if problem:
            self.error(line, f"image '{_clip(src)}' {problem}")
            return False
        return True


def _line_breaks(node: SyntaxTreeNode) -> int:
    """The line ends in the source of the inline ``node`` (a code span, emphasis, a link or
    raw HTML may run over lines)."""
    if node.type in ("softbreak", "hardbreak"):
        return 1
    if node.type in ("code_inline", "link", "image"):
        return int(node.meta.get("breaks", 0))
    if node.type == "html_inline":
        return node.content.count("\n")
    return sum(_line_breaks(child) for child in node.children)


def _flat(node: Inline) -> str:
    match node:
        case Text(text=t) | Code(text=t):
            return t
        case LineBreak():
            return "\n"
        case Emphasis(children=c) | Strong(children=c) | Link(children=c):
            return "".join(_flat(x) for x in c)
    return ""  # pragma: no cover


def _merge(nodes: list[Inline | Figure]) -> tuple[Inline | Figure, ...]:
    merged: list[Inline | Figure] = []
    for node in nodes:
        if isinstance(node, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + node.text)
        else:
            merged.append(node)
    return tuple(merged)


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _snippet(text: str) -> str:
    return repr(_clip(text.strip().splitlines()[0] if text.strip() else text, 40))
