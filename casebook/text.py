"""Text hygiene for what people paste from Word and the web: one place decides what is kept."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "BIDI_CONTROLS",
    "ZERO_WIDTH",
    "clean_text",
    "decode_utf8",
    "invisible_marks",
    "is_slug",
    "shows",
    "unprintable",
]

# Word's Shift+Enter arrives as a vertical tab; form feed as a page break. Both mean "new line".
LINE_BREAKS = "\v\f"
# Other C0/C1 controls and DEL carry nothing a reader can see.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that print nothing (a soft hyphen, only where a line breaks at it): in a
# one-line field (a title, a name, an id) they make two names that look the same differ.
ZERO_WIDTH = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{i}" for i in range(1, 10)]
    + [f"lpt{i}" for i in range(1, 10)]
)


#: What a file that is not UTF-8 is told, at the line of its first bad byte.
NOT_UTF8 = "is not valid UTF-8 text; save it as UTF-8"


def decode_utf8(data: bytes) -> tuple[str, int | None]:
    """Decode ``data`` as UTF-8 (BOM dropped). On failure return the text up to the bad byte
    and the 1-based line of the bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8", errors="replace")
        return good, good.count("\n") + 1


def clean_text(text: str) -> tuple[str, list[tuple[int, str]]]:
    """NFC-normalise ``text``, unify newlines and drop invisible control characters.

    Returns the cleaned text and, for each character removed, its 1-based line and a name.
    Vertical tab and form feed are kept: the Markdown reader turns them into line breaks.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    removed: list[tuple[int, str]] = []
    if _CONTROL.search(text):
        for lineno, line in enumerate(text.split("\n"), start=1):
            for match in _CONTROL.finditer(line):
                removed.append((lineno, f"U+{ord(match.group()):04X}"))
        text = _CONTROL.sub("", text)
    return text, removed


def is_slug(name: str, max_length: int = 80) -> str | None:
    """Why ``name`` cannot be an id (file stem) for a case or pack, or None when it can."""
    if not _SLUG.fullmatch(name):
        return (
            "must be lowercase letters, digits and single hyphens (e.g. 'devon-leadership-roles')"
        )
    if len(name) > max_length:
        return f"is longer than {max_length} characters"
    if name in _WINDOWS_RESERVED:
        return "is a name Windows reserves for devices"
    return None


def invisible_marks(text: str, one_line: bool) -> str | None:
    """What in ``text`` changes how it reads without showing, as the end of a sentence
    starting with the field ("holds ..."), or None: bidirectional controls, and in a
    one-line field (a title, a name, an id) the characters that print nothing."""
    bad = sorted({f"U+{ord(c):04X}" for c in text if c in BIDI_CONTROLS})
    if one_line:
        bad += sorted({f"U+{ord(c):04X}" for c in text if c in ZERO_WIDTH})
    if not bad:
        return None
    return (
        f"holds invisible characters ({', '.join(bad)}) that change how text is read or "
        "matched; remove them"
    )


def unprintable(text: str, keep: str = "\t\n\v\f") -> str | None:
    """What in ``text`` no renderer can print faithfully, as the end of a sentence starting
    with the field or "text" ("holds ..."), or None. ``keep`` lists controls allowed here.

    Such characters arrive through escapes (``&#0;`` in Markdown, ``"\\x1b"`` in YAML) after
    the file's own text was cleaned; they would be dropped or drawn as a box, so they are
    refused rather than lost silently."""
    found: dict[str, list[str]] = {}
    for ch in text:
        code = ord(ch)
        if ch in keep:
            continue
        if ch == "\ufffd":
            kind = "lost"
        elif unicodedata.category(ch) == "Cc":
            kind = "control"
        elif unicodedata.category(ch) == "Cs":
            kind = "surrogate"
        elif 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
            kind = "nonchar"
        elif unicodedata.category(ch) == "Co":
            kind = "private"
        else:
            continue
        names = found.setdefault(kind, [])
        if f"U+{code:04X}" not in names:
            names.append(f"U+{code:04X}")
    if not found:
        return None
    kind, names = next(iter(found.items()))
    listed = ", ".join(names[:5])
    return {
        "lost": "holds U+FFFD (\ufffd), the mark of a lost character: an invalid reference "
        "such as &#0; or text damaged in copying; write the character meant",
        "control": f"holds control characters ({listed}) that cannot be printed; remove them",
        "surrogate": f"holds half of a character ({listed}, a lone surrogate); write the whole "
        "character",
        "nonchar": f"holds code points that are not characters ({listed}); remove them",
        "private": f"holds private-use characters ({listed}) that no font in the packs draws; "
        "write the character meant",
    }[kind]


def shows(char: str) -> bool:
    """Whether ``char`` puts ink on the page of its own: it is not a space, a separator, a
    control character or a format character (such as a zero-width space)."""
    return not char.isspace() and unicodedata.category(char) not in _INK_LESS


# The Unicode categories of characters that draw nothing of their own.
_INK_LESS = ("Zs", "Zl", "Zp", "Cc", "Cf")
