"""The PDF renderer: Document → HTML (Jinja2, ``layouts/pdf``) → PDF (WeasyPrint).

WeasyPrint reads only what :class:`_Fetcher` serves: files under ``layouts/``, under the
content's ``media/`` folder, and the brand's logo. Anything else stops the render.

``media_root`` is the content folder that figure paths (``media/...``) are relative to, as
for the Word renderer; only its ``media/`` subfolder is ever read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from urllib.request import url2pathname

import jinja2
import jinja2.sandbox
from markupsafe import Markup, escape

from casebook import __version__
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
    OrderedList,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
    plain_text,
)
from casebook.document import Document
from casebook.layout import (
    LAYOUT_FILE_LIMIT,
    TEMPLATE_MISTAKES,
    Layout,
    template_loader,
    template_position,
)
from casebook.policy import (
    MEDIA_LIMIT,
    MediaRefused,
    link_allowed,
    link_shows_address,
    media_file,
    printed_address,
)
from casebook.reading import FileRefused, read_bounded, read_data_address, shown_address
from casebook.text import NOT_UTF8, decode_utf8

__all__ = [
    "MEDIA_SCHEME",
    "NOTES_RULE_MM",
    "LayOut",
    "RenderError",
    "TemplateError",
    "render_html",
    "render_pdf",
    "render_pdf_pages",
    "render_template",
    "template_environment",
    "write_pdf",
]

#: Figures point into the content's media folder through this scheme (``content:media/x.svg``),
#: so the HTML never carries a machine's absolute paths and the fetcher knows what is media.
MEDIA_SCHEME = "content"

_TEMPLATE = "pack.html.j2"
#: A case page's notes rules (mm, as pack.css draws them): their pitch, and where in each
#: pitch a rule begins and ends.
NOTES_RULE_MM = (9.0, 7.8, 8.4)
# Declared by suffix, not guessed from the machine's MIME database, so renders are the same
# everywhere.
_MEDIA_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


class RenderError(Exception):
    """A pack could not be rendered: a refused or failed fetch, or a WeasyPrint error."""


class TemplateError(RenderError):
    """A template of ``layouts/pdf`` failed: at ``where``, line ``line``, for ``reason``."""

    def __init__(self, pack_id: str, where: str, line: int, reason: str) -> None:
        at = f"template {where}:{line}" if line else where
        super().__init__(f"{pack_id}: {at}: {reason}")
        self.pack_id, self.where, self.line, self.reason = pack_id, where, line, reason

    def __reduce__(self) -> tuple[type[TemplateError], tuple[str, str, int, str]]:
        # As it was made, so that it crosses from a build worker to the build intact.
        return (TemplateError, (self.pack_id, self.where, self.line, self.reason))


def render_html(
    document: Document,
    layout: Layout,
    media_root: Path | None = None,
    stylesheets: Sequence[str] = (),
    margins_mm: Sequence[float] | None = None,
    running_heads: Mapping[str, str] | None = None,
    edition_name: str = "",
    action_forms: int = 0,
    notes_rule: tuple[float, float, float] = NOTES_RULE_MM,
    citation_whole: bool = False,
    env: jinja2.Environment | None = None,
) -> str:
    """The exact HTML WeasyPrint is given for ``document`` (relative URLs, no machine paths).

    ``stylesheets`` (paths relative to ``layouts/``) are linked after the pack's own styles,
    so they restyle the same pack (the large-print stylesheet does); ``margins_mm`` (top,
    right, bottom, left) replace the brand's page margins; ``running_heads`` (case anchor ->
    text) gives a case's continued pages a shorter head than its heading; ``edition_name``
    follows the pack's title in the PDF's own title ("All case examples: large print");
    ``action_forms``, when not 0, sets the action-planning sheet as that many forms, one an
    action, with room to write beside each question, instead of a table; ``notes_rule`` is
    the pitch of a case page's notes rules and where in it a rule begins and ends (mm), as
    the stylesheets draw them (see :data:`NOTES_RULE_MM`); ``citation_whole`` keeps the
    short citation, on the cover and in the footer, on one line (for a footer whose line holds
    it: it then breaks after the pack's title, not inside the citation).
    ``env`` is the template environment to use (see :func:`render_template`).
    """
    del media_root  # figures are written as content:media/... and resolved by the fetcher
    extra: dict[str, Any] = {} if margins_mm is None else {"margins": list(margins_mm)}
    if running_heads:
        extra["running_heads"] = dict(running_heads)
    return render_template(
        document,
        layout,
        _TEMPLATE,
        env=env,
        stylesheets=tuple(stylesheets),
        edition_name=edition_name,
        action_forms=action_forms,
        notes_rule=notes_rule,
        citation_whole=citation_whole,
        **extra,
    )


def template_environment(layout: Layout) -> jinja2.Environment:
    """The sandboxed Jinja2 environment of the PDF templates in ``layouts/pdf``, with the
    filters that turn blocks and inline text into escaped HTML (``blocks``, ``inlines``)
    and brand values into CSS (``css``)."""
    env = jinja2.sandbox.SandboxedEnvironment(
        loader=template_loader(layout.root / "pdf", layout.root),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["blocks"] = _blocks
    env.filters["inlines"] = _inlines
    env.filters["css"] = _css_value
    env.filters["keep_last_words"] = _keep_last_words
    return env


def render_template(
    document: Document,
    layout: Layout,
    name: str,
    *,
    env: jinja2.Environment | None = None,
    **context: Any,
) -> str:
    """Render ``layouts/pdf/<name>`` for ``document`` with the brand's values and
    ``context`` (which may replace them); raises RenderError naming the template and line.
    ``env``, from :func:`template_environment` for the same layout, lets several renders
    share compiled templates; by default each render reads and compiles its own."""
    env = template_environment(layout) if env is None else env
    brand = layout.brand
    try:
        template = env.get_template(name)
        values = {
            "doc": document,
            "toc": document.toc_tree(),
            "brand": brand,
            "logo_url": _logo_url(layout),
            "paper": brand.paper,
            "margins": brand.margins_mm,
            "colours": dict(brand.colours),
            "fonts": dict(brand.fonts),
            "generator": f"Casebook {__version__}",
            "running_heads": {},  # case anchor -> a shortened running head (large print)
            "edition_name": "",  # after the pack's title in the PDF's title: "large print"
            "action_forms": 0,  # the action sheet as forms, one an action (large print)
            "notes_rule": NOTES_RULE_MM,  # a notes rule's pitch, its top and foot in it
        }
        page = template.render({**values, **context})
    except jinja2.TemplateNotFound as error:
        missing = layout.root / "pdf" / str(error.name)
        raise TemplateError(document.pack_id, str(missing), 0, "template not found") from None
    except (jinja2.TemplateError, *TEMPLATE_MISTAKES) as error:
        where, line = template_position(error, layout.root / "pdf" / name)
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        raise TemplateError(document.pack_id, where, line, message) from None
    if not declared_language(page):
        path = layout.root / "pdf" / name
        raise TemplateError(
            document.pack_id,
            str(path),
            line_with(path, "<html"),
            "the page it makes does not say its language, which a tagged PDF must: "
            'its root element needs one, as in <html lang="{{ doc.lang }}">',
        )
    return page


class _FirstTag(Exception):
    """Raised by :class:`_RootLanguage` at the page's first element."""


class _RootLanguage(HTMLParser):
    """Reads an HTML page up to its first element, the root: its ``lang``, if any."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = (dict(attrs).get("lang") or "").strip()
        raise _FirstTag  # a page whose first element is not <html> has no language of its own


def declared_language(page: str) -> str:
    """The language an HTML page declares on its root element; empty if it declares none."""
    parser = _RootLanguage()
    try:
        parser.feed(page)
        parser.close()
    except _FirstTag:
        pass
    return parser.lang


def line_with(path: Path, text: str) -> int:
    """The number of the first line of the file at ``path`` that holds ``text`` (letter case
    aside); 1 where none does, 0 where the file cannot be read."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 0
    wanted = text.casefold()
    return next((n for n, line in enumerate(lines, 1) if wanted in line.casefold()), 1)


def render_pdf(document: Document, layout: Layout, media_root: Path | None = None) -> bytes:
    """Render ``document`` to a tagged PDF; raises RenderError naming the pack and resource."""
    return render_pdf_pages(document, layout, media_root)[0]


def render_pdf_pages(
    document: Document, layout: Layout, media_root: Path | None = None
) -> tuple[bytes, int]:
    """``render_pdf``, with the number of pages the layout made (no need to read the PDF
    back to count them).

    One layout pass: the notes area under each case is ruled to the foot of its page by the
    stylesheet, so nothing needs measuring and laying out again.
    """
    return write_pdf(
        document,
        layout,
        media_root,
        lambda lay_out: lay_out(render_html(document, layout, media_root)),
    )


#: Lays out one HTML string (URLs relative to ``layouts/``) and returns WeasyPrint's
#: rendered document, whose ``pages`` can be measured, combined and written.
LayOut = Callable[[str], Any]


def write_pdf(
    document: Document,
    layout: Layout,
    media_root: Path | None,
    compose: Callable[[LayOut], Any],
) -> tuple[bytes, int]:
    """The PDF of what ``compose`` lays out, and its number of pages.

    ``compose`` is given a function that lays out HTML through the safe fetcher with the
    bundled fonts and the PDF/UA settings; it may lay out several times (to measure) and
    returns the rendered document to write. Raises RenderError naming the pack for a refused
    or failed fetch and any error WeasyPrint logs.
    """
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetchingError

    fetcher = _make_fetcher(layout, media_root)
    fonts = FontConfiguration()  # shared by every pass, so fonts load and embed once
    base_url = _dir_url(layout.root)

    def lay_out(html: str) -> Any:
        page = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        return page.render(font_config=fonts, **_pdf_options())

    with _weasyprint_errors() as errors:
        try:
            rendered = compose(lay_out)
            # Defensive: the Document never produces raw HTML, but no attachment, linked
            # or annotated, may reach the PDF whatever the HTML held.
            rendered.metadata.attachments = []
            for page in rendered.pages:
                page.links[:] = [link for link in page.links if link[0] != "attachment"]
            pdf = rendered.write_pdf(finisher=_scope_header_cells, **_pdf_options())
        except (FatalURLFetchingError, URLFetchingError) as error:
            # A fetch WeasyPrint does not go on from (a colour profile's): said as refused.
            if not fetcher.refused:
                raise RenderError(f"{document.pack_id}: {error.__cause__ or error}") from None
    if fetcher.refused:  # each named once, though a measuring render meets it again
        raise RenderError(f"{document.pack_id}: {'; '.join(dict.fromkeys(fetcher.refused))}")
    if errors:
        raise RenderError(f"{document.pack_id}: WeasyPrint: {errors[0]}")
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf without a target
        raise RenderError(f"{document.pack_id}: WeasyPrint returned no PDF")
    return pdf, len(rendered.pages)


def pdf_options() -> dict[str, Any]:
    """The options ``render_pdf`` gives WeasyPrint's ``write_pdf`` (for measuring it)."""
    return _pdf_options()


def weasyprint_html(html: str, layout: Layout, media_root: Path | None = None) -> Any:
    """WeasyPrint's document for ``html`` (from ``render_html``) as ``render_pdf`` makes it:
    the layouts folder as base URL and the fetcher that allows only layout and media files.
    For measuring WeasyPrint alone; ``render_pdf`` is what renders a pack."""
    from weasyprint import HTML

    fetcher = _make_fetcher(layout, media_root)
    return HTML(string=html, base_url=_dir_url(layout.root), url_fetcher=fetcher)


def _pdf_options() -> dict[str, Any]:
    # PDF/UA-1 tags the structure and adds what pdf_tags alone lacks: XMP metadata and the
    # title shown as the window title. Measured on WeasyPrint 70: no slower, still
    # byte-for-byte reproducible.
    return {
        "pdf_variant": "pdf/ua-1",
        "pdf_tags": True,
        "uncompressed_pdf": False,
        "full_fonts": False,
        "attachments": [],
        "custom_metadata": False,
    }


def _scope_header_cells(rendered: Any, pdf: Any) -> None:
    """Give every header cell in the structure tree the scope of what it heads.

    WeasyPrint tags a ``<th>`` as /TH and links data cells to it with /Headers, but writes no
    /Scope, which PDF/UA checkers and screen readers look for first. A header cell in a
    table's head row (``<thead>``: the action sheet's and the content tables') heads its
    column; one in a body row (``<th scope="row">``: large print's action forms) heads its
    row.
    """
    del rendered

    def parent(element: Any) -> Any:
        reference = element.get("P")
        return pdf.objects[int(reference.split()[0])] if reference else None

    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/StructElem" and obj.get("S") == "/TH":
            row = parent(obj)
            group = None if row is None else parent(row)
            in_head = group is not None and group.get("S") == "/THead"
            obj["A"]["Scope"] = "/Column" if in_head else "/Row"


# --- HTML for blocks -------------------------------------------------------------------------

# A web address's scheme and host, with the slash after the host if there is one.
_SCHEME_AND_HOST = re.compile(r"(?:https?://)?[^/?#\s]+/?")
# The longest scheme and host kept on one line: well inside a case card's column at 10 pt
# (about 48 characters) and a large-print line.
_HOST_KEPT = 40
# The longest piece of an address's path kept on one line (see _breakable_address).
_PIECE_KEPT = 25


def _address(nodes: tuple[Inline, ...]) -> Markup:
    """A web address printed as a link's words, its scheme and host kept on one line when
    they are short: a line may break in its path, not after "http://" (nor a page turn come
    there). A longer host may break anywhere, as any long word does, rather than run over."""
    match nodes:
        case (Text(text=text),):
            found = _SCHEME_AND_HOST.match(text)
            if found is not None and len(found.group()) <= _HOST_KEPT:
                return Markup('<span class="keep-together">{}</span>{}').format(
                    found.group(), text[found.end() :]
                )
    return _inlines(nodes)


def _breakable_address(href: str) -> Markup:
    """A printed web address that breaks after its host or before a slash or a hyphen of its
    path, as style guides ask: a hyphen at a line's end would read as a word broken in two,
    and the reader would leave it out. A piece too long to keep on one line (a host over
    40 characters, a part of the path over 25) may break anywhere, as a long word does,
    rather than run off the page."""
    host = _SCHEME_AND_HOST.match(href)
    start = host.end() if host is not None else 0
    pieces = [href[:start], *re.split(r"(?=[/-])", href[start:])]
    return Markup("<wbr>").join(
        Markup('<span class="keep-together">{}</span>').format(piece)
        if len(piece) <= (_HOST_KEPT if n == 0 else _PIECE_KEPT)
        else escape(piece)
        for n, piece in enumerate(pieces)
        if piece
    )


def _inlines(nodes: tuple[Inline, ...]) -> Markup:
    """Inline nodes as HTML; every piece of text goes through ``escape``."""
    parts: list[Markup] = []
    for node in nodes:
        match node:
            case Text(text=text):
                parts.append(escape(text))
            case LineBreak():
                parts.append(Markup("<br>"))
            case Code(text=text):
                parts.append(Markup("<code>{}</code>").format(text))
            case Emphasis(children=children):
                parts.append(Markup("<em>{}</em>").format(_inlines(children)))
            case Strong(children=children):
                parts.append(Markup("<strong>{}</strong>").format(_inlines(children)))
            case Link(href=href, children=children):
                if link_allowed(href):
                    # A link whose words are its address needs no address printed after it.
                    if link_shows_address(plain_text(children), href):
                        parts.append(
                            Markup('<a href="{}" class="url">{}</a>').format(
                                href, _address(children)
                            )
                        )
                    else:
                        parts.append(Markup('<a href="{}">{}</a>').format(href, _inlines(children)))
                        if (address := printed_address(plain_text(children), href)) is not None:
                            # Printed packs cannot be clicked: the address follows in brackets
                            # where the stylesheet shows it (pack.css).
                            parts.append(
                                Markup('<span class="address"> ({})</span>').format(
                                    _breakable_address(address)
                                )
                            )
                else:  # not a link we publish: keep the words, drop the target
                    parts.append(_inlines(children))
    return Markup("").join(parts)


def _blocks(blocks: tuple[Block, ...]) -> Markup:
    """Blocks as HTML, one element a line."""
    return Markup("\n").join(_block(block) for block in blocks)


def _block(block: Block) -> Markup:
    match block:
        case Paragraph(children=children):
            return Markup("<p>{}</p>").format(_inlines(children))
        case Heading(level=level, children=children):
            tag = f"h{min(max(level, 3), 6)}"
            return Markup("<{0}>{1}</{0}>").format(Markup(tag), _inlines(children))
        case BulletList(items=items):
            lis = Markup("\n").join(Markup("<li>{}</li>").format(_item(i.blocks)) for i in items)
            return Markup("<ul>\n{}\n</ul>").format(lis)
        case OrderedList(start=start, items=items):
            lis = Markup("\n").join(Markup("<li>{}</li>").format(_item(i.blocks)) for i in items)
            if start == 1:
                return Markup("<ol>\n{}\n</ol>").format(lis)
            # WeasyPrint numbers from the list-item counter and ignores ``start``.
            return Markup(
                '<ol start="{0}" style="counter-reset: list-item {1}">\n{2}\n</ol>'
            ).format(int(start), int(start) - 1, lis)
        case Quote(blocks=inner):
            return Markup("<blockquote>\n{}\n</blockquote>").format(_blocks(inner))
        case Figure(alt=alt, src=None):
            return Markup(
                '<div class="figure-missing" role="note">'
                '<p class="figure-missing-label">Figure not available in this edition</p>'
                "<p>{}</p></div>"
            ).format(alt)
        case Figure(alt=alt, src=str(src)):
            return Markup('<figure><img src="{}" alt="{}"></figure>').format(_media_url(src), alt)
        case Table(header=header, rows=rows):
            head = Markup("").join(
                Markup('<th scope="col">{}</th>').format(_inlines(c)) for c in header
            )
            body = Markup("\n").join(
                Markup("<tr>{}</tr>").format(
                    Markup("").join(Markup("<td>{}</td>").format(_inlines(c)) for c in row)
                )
                for row in rows
            )
            return Markup(
                '<table class="content-table">\n<thead><tr>{}</tr></thead>\n'
                "<tbody>\n{}\n</tbody>\n</table>"
            ).format(head, body)
    raise TypeError(f"not a block: {block!r}")  # pragma: no cover - Block is closed


def _item(blocks: tuple[Block, ...]) -> Markup:
    # A tight list item is one paragraph: print its words without a <p> margin.
    if len(blocks) == 1 and isinstance(blocks[0], Paragraph):
        return _inlines(blocks[0].children)
    return _blocks(blocks)


def _media_url(src: str) -> str:
    # The file's own name, %-encoded as a URL needs (the fetcher decodes it again).
    return f"{MEDIA_SCHEME}:{quote(src, safe='/')}"


# The most letters the last two words of a heading may have and still be kept on one line:
# at large print's 22 pt, such a pair takes less than half a line.
_KEPT_WORDS = 20
# A word with a hyphen or en dash inside it.
_COMPOUND = re.compile(r"\w+(?:[-\u2013]\w+)+\W*")


def _keep_last_words(title: str, letters: int = _KEPT_WORDS) -> Markup:
    """``title`` as HTML with its last two words kept on one line (``keep-together``) when
    they have at most ``letters`` letters between them, so that a heading that wraps does
    not leave a short word alone on its last line. Its words and spaces are unchanged:
    bookmarks, tags and copied text read the same. The words before them are a span of their
    own: WeasyPrint, breaking a line before a ``nowrap`` span, can otherwise go back to the
    first break in the text before it ("Carmarthenshire / and Ceredigion: Early years /
    integrated system")."""
    words = title.rsplit(" ", 2)
    # Two short words only: a long pair kept on one line could overrun a narrow heading.
    if len(words) < 3 or not words[0].strip() or len(words[1]) + len(words[2]) > letters:
        return _keep_compounds(title)
    head, before, last = words
    return Markup('<span>{}</span> <span class="keep-together">{} {}</span>').format(
        _keep_compounds(head), before, last
    )


def _keep_compounds(text: str) -> Markup:
    """``text`` as HTML with each short hyphenated word ("evidence-based", "multi-agency")
    kept on one line: a heading broken at its hyphen reads as a word broken in two."""
    return Markup(" ").join(
        Markup('<span class="keep-together">{}</span>').format(word)
        if _COMPOUND.fullmatch(word) and len(word) <= _KEPT_WORDS
        else escape(word)
        for word in text.split(" ")
    )


def _css_value(value: object) -> Markup:
    """A brand value for the inline stylesheet: numbers, #rrggbb colours and family names
    only (load_layout validated them; this refuses anything that could end the rule)."""
    text = str(value)
    if not all(c.isalnum() or c in " #.-" for c in text):
        raise ValueError(f"not a safe CSS value: {text!r}")
    return Markup(text)


def _logo_url(layout: Layout) -> str:
    logo = layout.logo_path()
    try:
        return logo.relative_to(layout.root).as_posix()
    except ValueError:  # a brand folder outside layouts/ (--brand PATH)
        return logo.resolve().as_uri()


def _dir_url(path: Path) -> str:
    return path.resolve().as_uri().rstrip("/") + "/"


# --- fetching --------------------------------------------------------------------------------


def _make_fetcher(layout: Layout, media_root: Path | None) -> _Fetcher:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class _WeasyFetcher(URLFetcher, _Fetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            # A refused resource is only noted, so that the render goes on to find every
            # other one: write_pdf then fails the render naming them all.
            URLFetcher.__init__(self, allowed_protocols=(), allow_redirects=False)
            _Fetcher.__init__(self, layout, media_root)

        def fetch(self, url: str, headers: object = None) -> Any:
            if url[:5].lower() == "data:":  # written out in a stylesheet or an SVG: no file read
                data, kind = self.decode(url)
                return URLFetcherResponse(url, data, {"Content-Type": kind})
            path = self.resolve(url)
            kind = _MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
            return URLFetcherResponse(url, self.read(path), {"Content-Type": kind})

    return _WeasyFetcher()


class _Fetcher:
    """Maps a URL to a file WeasyPrint may read, or refuses it (and remembers why)."""

    def __init__(self, layout: Layout, media_root: Path | None) -> None:
        self.layouts = layout.root.resolve()
        self.content = media_root
        self.media: Path | None = None
        if media_root is not None:
            self.media = (media_root / "media").resolve()
        self.logo = layout.logo_path().resolve()
        self.refused: list[str] = []

    def read(self, path: Path) -> bytes:
        """The bytes of a file ``resolve`` allowed: a plain file, never too large."""
        media = self.media is not None and path.is_relative_to(self.media)
        try:
            data = read_bounded(path, MEDIA_LIMIT if media else LAYOUT_FILE_LIMIT)
        except FileRefused as error:
            self.refused.append(f"{path}: {error}")
            raise PermissionError(f"{path}: {error}") from None
        if path.suffix.lower() == ".css":
            # WeasyPrint would read it with a replacement character for each bad byte.
            _, bad_line = decode_utf8(data)
            if bad_line is not None:
                self.refused.append(f"{path}:{bad_line}: {NOT_UTF8}")
                raise PermissionError(f"{path}:{bad_line}: {NOT_UTF8}")
        return data

    def decode(self, url: str) -> tuple[bytes, str]:
        """The bytes and media type a ``data:`` address holds; refuses one that holds none."""
        try:
            return read_data_address(url)
        except FileRefused as error:
            shown = shown_address(url)
            self.refused.append(f"{shown}: {error}")
            raise PermissionError(f"{shown}: {error}") from None

    def resolve(self, url: str) -> Path:
        """The file ``url`` names, if it may be read; raises PermissionError otherwise."""
        try:
            path = self._path(url)
        except PermissionError as error:
            self.refused.append(str(error))
            raise
        return path

    def _path(self, url: str) -> Path:
        shown = url if len(url) <= 200 else url[:200] + "..."
        parts = urlsplit(url)
        if parts.scheme == MEDIA_SCHEME:
            rel = unquote(parts.path)
            what = f"figure {rel!r}"
            if self.content is None:
                raise PermissionError(f"{what}: no content folder was given to the renderer")
            try:
                return media_file(self.content, rel)
            except MediaRefused as error:
                raise PermissionError(f"{what}: {error}") from None
        if parts.scheme == "file" and parts.netloc in ("", "localhost"):
            if parts.query or parts.fragment or "\x00" in url:
                raise PermissionError(f"refused to read {shown}")
            candidate = Path(url2pathname(unquote(parts.path)))
            what = str(candidate)
            roots = (self.layouts,)
        else:
            raise PermissionError(f"refused to fetch {shown}: only layout and media files are read")
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            raise PermissionError(f"{what}: not found") from None
        allowed = resolved == self.logo or any(resolved.is_relative_to(r) for r in roots)
        if not allowed or not resolved.is_file():
            raise PermissionError(f"{what}: refused, outside layouts/ and content/media/")
        return resolved


@contextmanager
def _weasyprint_errors() -> Iterator[list[str]]:
    """Collect WeasyPrint's ERROR log records while rendering, and its warning that a
    bundled font cannot be loaded (it would silently set the text in another font)."""
    errors: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR:
                errors.append(record.getMessage().strip().rstrip(":"))
            elif record.msg == "Font-face %r cannot be loaded" and record.args:
                family = record.args[0] if isinstance(record.args, tuple) else record.args
                errors.append(
                    f"the font {family!r} declared in layouts/pdf/fonts.css cannot be loaded: "
                    "a font file in layouts/fonts/ is damaged or not a font"
                )

    handler = _Collect(level=logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield errors
    finally:
        logger.removeHandler(handler)
