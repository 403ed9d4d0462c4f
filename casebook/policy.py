"""What content may point at: the link schemes published and the media files read.

One home for both rules, used by the Markdown reader (so ``check`` reports a problem at its
line), by both renderers and by the build.
"""

from __future__ import annotations

import io
import re
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit
from xml.parsers import expat

from casebook.reading import FileRefused, inside, read_bounded, real_path

__all__ = [
    "IMAGE_SUFFIXES",
    "LINK_SCHEMES",
    "MEDIA_LIMIT",
    "MediaRefused",
    "image_problem",
    "link_allowed",
    "link_shows_address",
    "media_file",
    "media_syntax",
    "normalise_link",
    "printed_address",
    "read_media",
    "svg_problem",
]

#: Link schemes a pack may carry, compared without regard to case (``HTTPS:`` is ``https:``).
LINK_SCHEMES = ("https", "mailto")
#: Figures live here, inside the content folder.
MEDIA_FOLDER = "media"
#: Image formats every renderer can draw (Word cannot show WebP or TIFF).
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif")
#: The largest figure read: a page-wide picture at print resolution is a few MiB.
MEDIA_LIMIT = 20 * 1024 * 1024
_SVG_NS = "http://www.w3.org/2000/svg"


class MediaRefused(Exception):
    """A figure that cannot be used; the message says why (the caller names file and line)."""


def link_allowed(href: str) -> bool:
    """Whether ``href`` is a link a pack publishes: an https: address with a host, or a
    mailto: address."""
    scheme, colon, rest = href.partition(":")
    if not colon or scheme.lower() not in LINK_SCHEMES or not rest.strip():
        return False
    if scheme.lower() == "https":
        try:
            return bool(urlsplit(href).netloc)
        except ValueError:  # a malformed address, such as an unclosed [IPv6 literal
            return False
    return True


def link_shows_address(words: str, href: str) -> bool:
    """Whether a link's words are its address, give or take the scheme, ``www.`` and a last
    slash (a printed pack then need not print the address again)."""

    def bare(url: str) -> str:
        for prefix in ("https://", "http://", "mailto:", "www."):
            url = url.removeprefix(prefix)
        return url.rstrip("/").lower()

    return bare(words.strip()) == bare(href)


def printed_address(words: str, href: str) -> str | None:
    """The address a pack prints in brackets after a link's ``words``, as a printed page
    cannot be clicked: an https: link's, where its words do not already show it. None for
    any other link (a mailto: link's words name whom to write to)."""
    if href.startswith("https:") and link_allowed(href) and not link_shows_address(words, href):
        return href
    return None


def normalise_link(href: str) -> str:
    """``href`` with its scheme in lower case, as every renderer and reader expects it."""
    scheme, colon, rest = href.partition(":")
    return f"{scheme.lower()}{colon}{rest}" if colon else href


def media_syntax(src: str) -> str | None:
    """Why ``src`` cannot name a figure (``media/<name>``, an image), or None."""
    pure = PurePosixPath(src)
    if (
        ":" in src
        or "\\" in src
        or "\x00" in src
        or pure.is_absolute()
        or ".." in pure.parts
        or len(pure.parts) < 2
        or pure.parts[0] != MEDIA_FOLDER
    ):
        return "must be a file under content/media/, written as media/<name>"
    if pure.suffix.lower() not in IMAGE_SUFFIXES:
        shown = ", ".join(s[1:].upper() for s in IMAGE_SUFFIXES if s != ".jpeg")
        return f"must be an image every format can show ({shown})"
    return None


def media_file(content_root: Path, src: str) -> Path:
    """The file a figure's ``src`` (``media/<name>``, relative to ``content_root``) names,
    links followed; raises MediaRefused unless it is a plain file inside content/media/."""
    problem = media_syntax(src)
    if problem:
        raise MediaRefused(problem)
    media = content_root / MEDIA_FOLDER
    if not inside(media, content_root):
        raise MediaRefused("content/media is a link to a folder outside the content folder")
    target = content_root / src
    if not inside(target, media):
        raise MediaRefused("points outside content/media/")
    resolved = real_path(target)
    if not resolved.exists():
        raise MediaRefused("does not exist" + _media_like(target, src))
    if not resolved.is_file():
        raise MediaRefused("is not a plain file")
    return resolved


def _media_like(target: Path, src: str) -> str:
    """A hint naming the file in the figure's folder that ``target`` most likely means: the
    same name in other capitals (a server's file names are case-sensitive), or a close one."""
    import difflib

    try:
        names = sorted(p.name for p in target.parent.iterdir() if p.is_file())
    except OSError:
        return ""
    same = [n for n in names if n.casefold() == target.name.casefold()]
    close = same or difflib.get_close_matches(target.name, names, n=1, cutoff=0.7)
    if not close:
        return ""
    shown = f"{src.rsplit('/', 1)[0]}/{close[0]}"
    return f" (did you mean '{shown}'?" + (" Capitals count in file names)" if same else ")")


def read_media(content_root: Path, src: str) -> bytes:
    """The bytes of the figure ``src``, checked as :func:`media_file` does and at most
    MEDIA_LIMIT; raises MediaRefused."""
    path = media_file(content_root, src)
    try:
        return read_bounded(path, MEDIA_LIMIT, content_root / MEDIA_FOLDER, "content/media/")
    except FileRefused as error:
        raise MediaRefused(str(error)) from None
    except OSError as error:
        raise MediaRefused(f"cannot be read: {error.strerror or error}") from None


def image_problem(data: bytes, suffix: str) -> str | None:
    """Why an image cannot be drawn in every format, or None. SVG is parsed with expat (no
    entity definitions, an ``<svg>`` root); raster images are opened with Pillow."""
    if suffix.lower() == ".svg":
        return svg_problem(data)
    from PIL import Image, UnidentifiedImageError  # installed with WeasyPrint

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except Image.DecompressionBombError:
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        return (
            f"has more than {limit:,} pixels, too many to draw safely; make it smaller "
            "(3000 pixels across is plenty for an A4 page)"
        )
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return f"is not a readable {suffix[1:].upper()} image"
    expected = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF"}
    if kind != expected.get(suffix.lower()):
        named = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif"}.get(kind or "")
        if named is not None:  # one Casebook reads: renaming it is enough
            return (
                f"is a {kind} image named {suffix}; rename it to end in {named}, and the "
                "picture's address with it"
            )
        return f"is a {kind} image named {suffix}; save it as {suffix[1:].upper()}"
    return None


def svg_problem(data: bytes) -> str | None:
    """Why ``data`` is not an SVG image every renderer can draw, or None."""
    parser = expat.ParserCreate(namespace_separator=" ")
    roots: list[str] = []
    root_attributes: dict[str, str] = {}
    open_elements: list[str] = []
    sheet: list[str] = []  # the text of the <style> element being read

    def refuse_outside(attribute: str, value: str) -> None:
        outside = _outside_reference(attribute, value)
        if outside:
            raise _Refused(f"refers to {outside!r} outside itself; draw everything inside it")

    def refuse_entities(*_: object) -> None:
        raise _Refused("defines entities (<!ENTITY ...>), which are not drawn")

    def refuse_external(*_: object) -> int:
        raise _Refused("refers to an outside file")

    def start(name: str, attributes: dict[str, str]) -> None:
        if not roots:
            roots.append(name)
            root_attributes.update((a.rpartition(" ")[2], v) for a, v in attributes.items())
        element = name.rpartition(" ")[2]
        open_elements.append(element)
        for attribute, value in attributes.items():
            local = attribute.rpartition(" ")[2]
            if not (element == "a" and local == "href"):  # a link is followed by no one
                refuse_outside(local, value)

    def end(name: str) -> None:
        if open_elements.pop() == "style":  # its @import and url() reach other files
            refuse_outside("style", "".join(sheet))
            sheet.clear()

    def text(data: str) -> None:
        if open_elements[-1:] == ["style"]:
            sheet.append(data)

    def instruction(target: str, data: str) -> None:
        if target == "xml-stylesheet":
            raise _Refused("refers to a style sheet outside itself (<?xml-stylesheet ...?>)")

    parser.EntityDeclHandler = refuse_entities
    parser.UnparsedEntityDeclHandler = refuse_entities
    parser.ExternalEntityRefHandler = refuse_external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.ProcessingInstructionHandler = instruction
    try:
        parser.Parse(data, True)
    except _Refused as error:
        return str(error)
    except expat.ExpatError as error:
        return (
            f"is not a well-formed SVG file (line {error.lineno}: {expat.ErrorString(error.code)})"
        )
    namespace, _, local = roots[0].rpartition(" ") if roots else ("", "", "")
    if local != "svg" or namespace not in ("", _SVG_NS):
        return "is not an SVG image (its outermost element is not <svg>)"
    return _no_size(root_attributes)


# A length in SVG: a number, then perhaps a unit.
_LENGTH = re.compile(r"\s*([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*[a-zA-Z%]*\s*")


def _no_size(attributes: dict[str, str]) -> str | None:
    """Why an SVG whose outermost element has ``attributes`` would be drawn as nothing (a
    width, a height or a viewBox of no size), or None."""
    for key in ("width", "height"):
        value = attributes.get(key)
        found = _LENGTH.fullmatch(value) if value is not None else None
        if found and float(found.group(1)) <= 0:
            return (
                f'has no size ({key}="{value}"), so it would print as nothing; give it a '
                "width and height greater than zero"
            )
    box = attributes.get("viewBox", "")
    numbers = re.split(r"[\s,]+", box.strip())
    try:
        size = [float(n) for n in numbers]
    except ValueError:
        return None  # not a viewBox any renderer reads: it is left out, as if not given
    if len(size) == 4 and (size[2] <= 0 or size[3] <= 0):
        return (
            f'has no size (viewBox="{box}"), so it would print as nothing; give its viewBox '
            "a width and height greater than zero"
        )
    return None


class _Refused(Exception):
    pass


# url(...) and @import in an attribute or a <style> sheet; a reference to "#id" stays inside.
_CSS_REFERENCE = re.compile(
    r"""url\(\s*(['"]?)\s*(?P<url>[^'")\s]*)|@import\s+(?:url\(\s*)?['"]?(?P<sheet>[^'")\s;]*)""",
    re.IGNORECASE,
)


def _outside_reference(attribute: str, value: str) -> str | None:
    """The reference to something outside the SVG file that an attribute (or a style sheet's
    text, as ``style``) makes, or None. Only references to the file's own elements
    (``#id``) are kept: WeasyPrint would fetch any other, and a Word reader cannot."""
    if attribute == "href":
        target = value.strip()
        return None if target.startswith("#") else target or None
    for match in _CSS_REFERENCE.finditer(value):
        target = match.group("url") or match.group("sheet") or ""
        if match.group("sheet") is not None or not target.startswith("#"):
            return target or match.group(0)
    return None
