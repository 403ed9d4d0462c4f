"""The templates a build uses, checked before anything is rendered: ``check`` reports here
what would otherwise fail every output of the build.

- the Jinja2 templates of the PDF and of the downloads page compile (read through the
  loader that stays inside ``layouts/``); ``check`` also runs them (``casebook.check``),
  each within a time limit (:func:`in_time`);
- the Word reference template is a Word package with the styles the packs use and no
  relationship to anything outside it (an attached template at ``http://...`` would be
  fetched by Word whenever a pack is opened);
- every ``@font-face`` of ``pdf/fonts.css`` names a font file (not ``local()``), that file
  exists, is a plain file inside ``layouts/`` (the PDF's fetcher would refuse a pipe or a
  link elsewhere) and is a whole font, not one truncated or damaged;
- every other file a stylesheet of ``pdf/`` names, with ``url()`` or ``@import``, is a file
  of ``layouts/`` that exists: the PDF's fetcher reads nothing else, so a missing picture
  or an address on the web would fail every PDF;
- WeasyPrint understands every rule and declaration of those stylesheets: one it ignores
  (a misspelt property, a value it cannot read) is a warning at its line
  (:func:`style_warnings`), as the PDF would silently be without it.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from casebook.diagnostics import ContentError, Diagnostic
from casebook.layout import (
    LAYOUT_FILE_LIMIT,
    Layout,
    font_errors,
    font_face_rules,
    layout_text,
    read_layout_file,
    template_loader,
)
from casebook.reading import SHOWN_LENGTH, FileRefused, read_data_address, shown_address
from casebook.reference import reference_problems
from casebook.text import NOT_UTF8, decode_utf8

__all__ = [
    "Overtime",
    "check_templates",
    "font_problems",
    "in_time",
    "pdf_style_problems",
    "reference_problems",
    "style_warnings",
]

T = TypeVar("T")

_TEMPLATE_FOLDERS = ("pdf", "site")
# The PDF's main template; the downloads page's is checked by rendering it.
_MAIN_TEMPLATES = {"pdf": "pack.html.j2", "site": None}
# The tables a font must have for its text to be drawn and measured.
_NEEDED_TABLES = ("head", "hhea", "maxp", "cmap", "hmtx")
# Those read whole while checking, with the character map (hmtx, the widths, is large).
_READ_TABLES = ("head", "hhea", "maxp")
# Where WeasyPrint says it ignored part of a stylesheet: "... at 336:6, unknown property."
_IGNORED_AT = re.compile(r" at (\d+):\d+")
_QUOTED_SPACE = re.compile(r"`([^`]*?)\s+`")


def check_templates(layout: Layout) -> list[Diagnostic]:
    """Every problem in the templates ``layout`` provides, as diagnostics."""
    problems: list[Diagnostic] = []
    from jinja2.sandbox import SandboxedEnvironment

    from casebook.pdf import template_environment

    site = layout.root / "site"
    environments = {
        "pdf": template_environment(layout),
        "site": SandboxedEnvironment(loader=template_loader(site, layout.root), autoescape=True),
    }
    for name in _TEMPLATE_FOLDERS:
        problems.extend(
            _jinja_problems(environments[name], layout.root / name, _MAIN_TEMPLATES[name])
        )
    problems.extend(reference_problems(layout.root / "docx" / "reference.docx", layout.root))
    problems.extend(pdf_style_problems(layout.root))
    return problems


class Overtime(ContentError):
    """A template ran longer than the time limit."""


def in_time(run: Callable[[], T], seconds: float, where: str, what: str) -> T:
    """``run()`` within ``seconds`` (at least one): templates run in the calling process, so
    a runaway loop in one must not hang ``check`` or the build. Raises Overtime (a
    ContentError) at ``where`` saying that ``what`` took longer."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return run()  # alarms reach the main thread only
    if not hasattr(signal, "setitimer"):  # Windows: no interval timers
        return run()
    seconds = max(seconds, 1.0)

    def on_alarm(signum: int, frame: object) -> None:
        message = f"{what} took longer than {seconds:g} seconds to render"
        raise Overtime([Diagnostic(where, 0, message)])

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return run()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def font_problems(root: Path) -> list[Diagnostic]:
    """Every font ``layouts/pdf/fonts.css`` declares that is missing, damaged or not a font
    file, at its line (or the font file's own path)."""
    css = root / "pdf" / "fonts.css"
    problems: list[Diagnostic] = []
    faces = font_face_rules(root)
    for face in faces:
        name = f"{face.family} {face.weight} {face.style}"
        if face.file is None:
            problems.append(
                Diagnostic(
                    str(css),
                    face.line,
                    f'src: names no font file for {name}; give url("../fonts/<file>") '
                    "(a font installed on one computer is not on another)",
                )
            )
        elif not face.file.exists() and not face.file.is_symlink():
            shown = os.path.relpath(face.file, css.parent)
            problems.append(
                Diagnostic(str(css), face.line, f"src: {shown} (for {name}) does not exist")
            )
    for path in sorted({face.file for face in faces if face.file is not None}):
        if not path.exists() and not path.is_symlink():
            continue
        try:
            data = read_layout_file(path, root, LAYOUT_FILE_LIMIT)
        except ContentError as error:
            problems.extend(error.diagnostics)
            continue
        damage = _font_damage(data)
        if damage:
            problems.append(Diagnostic(str(path), 0, f"is damaged or not a font: {damage}"))
    return problems


def pdf_style_problems(root: Path, failure: str | None = None) -> list[Diagnostic]:
    """What in the stylesheets of ``layouts/pdf`` would fail a PDF: the fonts of
    ``fonts.css`` (:func:`font_problems`, which every PDF reads) and every other file a
    stylesheet names that is missing or not one the PDF may read, at its line; and a
    stylesheet that cannot be read as UTF-8 text (which the PDF would read with its
    characters replaced).

    Given the ``failure`` a render reported, only what explains it: the fonts, and the
    files and addresses the failure names (a PDF reads only some of the stylesheets)."""
    problems = font_problems(root)
    for css in sorted((root / "pdf").glob("*.css")):
        try:
            _, bad_line = decode_utf8(read_layout_file(css, root))
        except ContentError:
            continue  # a file the PDF may not read: reported where the template links it
        if bad_line is not None:
            if failure is None or str(css.resolve()) in failure:
                problems.append(Diagnostic(str(css), bad_line, NOT_UTF8))
            continue
        for problem, named in _reference_problems(css, root):
            if failure is None or named in failure:
                problems.append(problem)
    return problems


def style_warnings(root: Path) -> list[Diagnostic]:
    """What WeasyPrint ignores in the stylesheets of ``layouts/pdf`` (a property it does not
    know, a value it cannot read, an unknown @-rule), as warnings at their lines in its own
    words: the PDF is made without them, so a typo would otherwise go unnoticed. Reads each
    stylesheet as WeasyPrint does when it makes a PDF, fetching nothing."""
    import weasyprint

    warnings: list[Diagnostic] = []
    ignored: list[logging.LogRecord] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno == logging.WARNING:
                ignored.append(record)

    def fetch_nothing(url: str, *args: object, **kwargs: object) -> dict[str, bytes]:
        return {"string": b""}

    handler = _Collect(level=logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        for css in sorted((root / "pdf").glob("*.css")):
            try:
                text = layout_text(css, root)
            except ContentError:
                continue  # reported by pdf_style_problems
            ignored.clear()
            weasyprint.CSS(string=text, base_url=css.resolve().as_uri(), url_fetcher=fetch_nothing)
            for record in ignored:
                said = record.getMessage().strip()
                at = _IGNORED_AT.search(said)
                if at is None:
                    continue
                said = (said[: at.start()] + said[at.end() :]).rstrip(".")
                said = _QUOTED_SPACE.sub(r"`\1`", said)  # "`margin: 3qq `": as it was written
                warnings.append(
                    Diagnostic(
                        str(css), int(at.group(1)), f"{said}; the PDF is made without it", "warning"
                    )
                )
    finally:
        logger.removeHandler(handler)
    return warnings


def _reference_problems(css: Path, root: Path) -> list[tuple[Diagnostic, str]]:
    """Every ``url()`` and ``@import`` of the stylesheet ``css`` that names no readable file
    of the layouts folder ``root``, each with what the PDF's fetcher would name in refusing
    it (the file's absolute path, or the address). The ``@font-face`` rules of ``fonts.css``
    are left to :func:`font_problems`; a stylesheet that cannot be read is reported where it
    is loaded."""
    import tinycss2  # type: ignore[import-untyped]

    try:
        text = layout_text(css, root)
    except ContentError:
        return []  # reported by pdf_style_problems
    layouts = root.resolve()
    problems: list[tuple[Diagnostic, str]] = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True):
        if rule.type not in ("qualified-rule", "at-rule"):
            continue
        keyword = getattr(rule, "lower_at_keyword", None)
        if keyword == "font-face" and css.name == "fonts.css":
            continue
        importing = keyword == "import"
        for line, address in _addresses([*rule.prelude, *(rule.content or [])], importing):
            shown = shown_address(address)
            what = f"@import {shown}" if importing else f"url({shown})"
            start = address[:SHOWN_LENGTH]  # what the fetcher's refusal begins with
            if address[:5].lower() == "data:":
                try:
                    read_data_address(address)
                except FileRefused as error:
                    problems.append((Diagnostic(str(css), line, f"{what}: {error}"), start))
                continue
            try:
                parts = urlsplit(address)
            except ValueError:  # "https://[oops": no address at all
                problems.append((Diagnostic(str(css), line, f"{what}: not a valid address"), start))
                continue
            if parts.scheme:
                said = (
                    f"{what}: the PDF reads only files in layouts/; save the file there and "
                    "name it by its path"
                )
                problems.append((Diagnostic(str(css), line, said), start))
                continue
            # As the PDF's fetcher names it: joined to the stylesheet's address, which
            # the HTML gives from the layouts folder with its links followed.
            folder = layouts / css.parent.relative_to(root)
            file = Path(os.path.normpath(folder / unquote(parts.path)))
            if not file.exists():
                problems.append((Diagnostic(str(css), line, f"{what}: no such file"), str(file)))
            elif not file.resolve().is_relative_to(layouts) or not file.resolve().is_file():
                said = f"{what}: not a file inside layouts/"
                problems.append((Diagnostic(str(css), line, said), str(file)))
    return problems


def _addresses(tokens: list[Any], importing: bool) -> Iterator[tuple[int, str]]:
    """(line, address) of every ``url()`` among ``tokens`` (in blocks and functions too),
    and of a plain string when they are the prelude of an ``@import``."""
    for token in tokens:
        if token.type == "url":
            yield token.source_line, str(token.value)
        elif token.type == "function" and token.lower_name == "url":
            address = next((a for a in token.arguments if a.type == "string"), None)
            if address is not None:
                yield token.source_line, str(address.value)
        elif token.type == "string" and importing:
            yield token.source_line, str(token.value)
        elif token.type == "function":
            yield from _addresses(token.arguments, False)
        elif token.type in ("() block", "[] block", "{} block"):
            yield from _addresses(token.content, False)


def _font_damage(data: bytes) -> str | None:
    """Why ``data`` is not a usable font file (truncated, not a font), or None. Reads the
    table directory and the tables every font has to map and measure characters, not the
    glyphs."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        if font.flavor is None:  # WOFF tables are compressed: their offsets are not the file's
            for tag, entry in font.reader.tables.items():
                if entry.offset + entry.length > len(data):
                    return f"its {tag.strip()} table runs past the end of the file"
        for tag in _NEEDED_TABLES:
            if tag not in font:
                return f"it has no {tag} table"
        for tag in _READ_TABLES:
            font[tag]  # decompiled now: a damaged table raises
        font.getBestCmap()
    except font_errors() as error:
        return str(error) or type(error).__name__
    return None


def _jinja_problems(env: Any, folder: Path, main: str | None) -> list[Diagnostic]:
    import jinja2

    if main is not None and not (folder / main).exists() and not (folder / main).is_symlink():
        return [Diagnostic(str(folder / main), 0, "template not found")]
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.j2") if not p.is_dir())
    problems: list[Diagnostic] = []
    for name in names:
        try:
            env.get_template(name)
        except ContentError as error:
            problems.extend(error.diagnostics)
        except jinja2.TemplateSyntaxError as error:
            where = error.filename or str(folder / name)
            problems.append(Diagnostic(where, error.lineno, error.message or "syntax error"))
        except jinja2.TemplateError as error:
            problems.append(Diagnostic(str(folder / name), 0, str(error)))
    return problems
