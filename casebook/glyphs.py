"""Characters the bundled fonts cannot draw.

WeasyPrint draws a character that none of ``layouts/fonts`` has with whatever font the
computer building the pack happens to have, and with an empty box where it has none, so a
case quoting Chinese prints differently on each machine and blank on most. ``check`` and the
build warn about every such character, at the line of the content file that holds it.
"""

from __future__ import annotations

import io
from pathlib import Path

from casebook.content_files import ContentFiles, Problems, closing_fence, yaml_text
from casebook.diagnostics import Diagnostic
from casebook.layout import (
    LAYOUT_FILE_LIMIT,
    Layout,
    font_errors,
    font_face_rules,
    read_layout_file,
)
from casebook.reading import FileRefused, read_bounded
from casebook.text import shows

__all__ = ["uncovered_characters"]

# The content files whose words reach a pack; editions only record them.
_FILES = ("guide.md", "insights.yaml", "places.yaml", "source.yaml", "tags.yaml")
_FOLDERS = (("cases", (".md",), "case"), ("packs", (".yaml", ".yml"), "pack"))
# Variation selectors choose how the character before them looks, and draw nothing.
_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0))
_SHOWN = 5  # characters named in one warning


def uncovered_characters(content_dir: Path, layout: Layout) -> list[Diagnostic]:
    """A warning for each line of the content, and of the brand file, that holds a
    character no bundled font has."""
    lines: list[tuple[str, int, list[str]]] = []  # file, line, the characters it draws
    files = ContentFiles(content_dir, Problems())  # problems reading are the loader's to report
    paths = [content_dir / name for name in _FILES]
    for folder, suffixes, what in _FOLDERS:  # the files the loader reads, and only those
        if (content_dir / folder).is_dir():
            paths += files.listing(content_dir / folder, suffixes, what)
    texts: dict[str, str] = {}
    # And the brand, whose name is on every cover (read already, so readable).
    brand = Path(layout.brand.path)
    for file in [*paths, brand]:
        if file == brand:
            text = _brand_text(brand)
        else:
            text = (files.read(file) if file.is_file() else None) or ""
        texts[str(file)] = text
        # Of the brand file, only the name is printed (a logo's file name is not).
        name = set(layout.brand.name) if file == brand else None
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.isascii():
                drawn = list(
                    dict.fromkeys(c for c in line if _drawn(c) and (name is None or c in name))
                )
                lines.append((str(file), number, drawn))
    missing = _not_in_fonts({c for _, _, drawn in lines for c in drawn}, layout)
    flagged = [(path, n, drawn) for path, n, drawn in lines if missing.intersection(drawn)]
    # Only in a file with such a line, tell what YAML prints from its comments.
    values = {path: _yaml_values(texts[path], path) for path in {path for path, _, _ in flagged}}
    found = []
    for path, number, drawn in flagged:
        printed = values[path].get(number)
        shown = [c for c in drawn if c in missing and (printed is None or c in printed)]
        if shown:
            found.append(Diagnostic(path, number, _message(shown), "warning"))
    return found


def _brand_text(path: Path) -> str:
    """The text of the brand file at ``path``; empty if it cannot be read now."""
    try:
        data = read_bounded(path, LAYOUT_FILE_LIMIT)
    except (FileRefused, OSError):
        return ""
    return data.decode("utf-8", errors="replace")


def _yaml_values(text: str, path: str) -> dict[int, set[str]]:
    """For each line of the YAML in ``text`` (a YAML file's, or a Markdown file's front
    matter), the characters of the values on that line, so that a character only in a
    comment is not reported. Lines outside the YAML are absent, as are all of them when the
    YAML cannot be read: the loader reports that, and every line is then taken as printed."""
    import yaml

    lines = text.split("\n")
    first = 0
    if path.endswith(".md"):
        end = closing_fence(lines)
        if end is None:
            return {}
        first, lines = 1, lines[1:end]
    source = yaml_text("\n".join(lines))
    found: dict[int, set[str]] = {
        number: set() for number in range(first + 1, first + len(lines) + 1)
    }
    try:
        tokens = list(yaml.scan(source, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return {}
    for token in tokens:
        if not isinstance(token, yaml.ScalarToken):
            continue
        start, end = token.start_mark.index, token.end_mark.index
        line = first + source.count("\n", 0, start) + 1  # as the loader counts: at "\n"
        parts = source[start:end].split("\n")
        if token.style in ("|", ">"):  # a block's first line holds its indicator, and comments
            parts[0] = ""
        for offset, part in enumerate(parts):
            found[line + offset].update(part)
    return found


def _drawn(char: str) -> bool:
    if char.isascii() or any(ord(char) in selectors for selectors in _SELECTORS):
        return False
    return shows(char)


def _message(missing: list[str]) -> str:
    named = ", ".join(f"{c} (U+{ord(c):04X})" for c in missing[:_SHOWN])
    more = f" and {len(missing) - _SHOWN} more" if len(missing) > _SHOWN else ""
    return (
        f"no bundled font has {named}{more}: the PDF would show them in whatever font the "
        "computer building it has, or as empty boxes; add a font that has them to "
        "layouts/fonts/ and layouts/pdf/fonts.css"
    )


def _not_in_fonts(chars: set[str], layout: Layout) -> set[str]:
    """Those of ``chars`` that no font named in ``pdf/fonts.css`` maps; none when no font
    can be read (check reports that). Fonts are read in the order named, until every
    character is found: most often the body font alone."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    missing = set(chars)
    read = False
    files = dict.fromkeys(f.file for f in font_face_rules(layout.root) if f.file is not None)
    for path in files:
        if not missing:
            break
        try:
            data = read_layout_file(path, layout.root, LAYOUT_FILE_LIMIT)
            cmap = TTFont(io.BytesIO(data), lazy=True).getBestCmap() or {}
        except font_errors():
            continue
        read = True
        missing = {c for c in missing if ord(c) not in cmap}
    return missing if read else set()
