"""Layouts: the brand (``brand.yaml``) and the files each renderer reads from ``layouts/``."""

from __future__ import annotations

import io
import os
import re
import string
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casebook.diagnostics import ContentError, Diagnostic, folder_missing
from casebook.policy import svg_problem
from casebook.reading import FileRefused, inside, read_bounded
from casebook.text import NOT_UTF8, decode_utf8, invisible_marks, unprintable
from casebook.yamlfile import Node, cut_short, parse_yaml

__all__ = [
    "COLOUR_ROLES",
    "LAYOUT_FILE_LIMIT",
    "PAPER_SIZES",
    "TEMPLATE_LIMIT",
    "TEMPLATE_MISTAKES",
    "Brand",
    "FontFace",
    "Layout",
    "bundled_families",
    "font_errors",
    "font_face_rules",
    "font_faces",
    "load_layout",
    "paper_twips",
    "read_layout_file",
    "shortened",
    "template_loader",
    "template_position",
    "text_widths",
]

#: Colour roles every brand defines, with the least contrast each needs against white paper
#: (WCAG ratios; luminance contrast is what survives greyscale printing). White text is set
#: on ``primary`` on the cover, so it needs body-text contrast too.
COLOUR_ROLES: tuple[tuple[str, float], ...] = (
    ("primary", 4.5),
    ("accent", 3.0),
    ("text", 7.0),
    ("muted", 4.5),
)

#: The paper sizes a brand may choose, (width, height) in millimetres: the one table every
#: renderer takes page sizes from.
PAPER_SIZES: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}
_PAPERS = tuple(PAPER_SIZES)
_KEYS = ("name", "colours", "logo", "fonts", "paper", "margins_mm")
_OPTIONAL = ("paper", "margins_mm")
_FONT_ROLES = ("body", "headings")
_DEFAULT_MARGINS = (20.0, 18.0, 22.0, 18.0)
_MARGIN_RANGE = (10.0, 40.0)
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_FAMILY = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ]{0,60}")
_MAX_LOGO_BYTES = 512 * 1024
_MAX_BRAND_BYTES = 64 * 1024
# Files in layouts/pdf that only the case cards or the large-print packs read.
_OTHER_PDF_FORMATS = ("cards.", "large-print.")
#: The largest file read from layouts/ (the largest bundled font is about 2 MiB).
LAYOUT_FILE_LIMIT = 32 * 1024 * 1024
#: The largest template or stylesheet read from layouts/.
TEMPLATE_LIMIT = 1024 * 1024
# What every pack is written in: a body or heading font must have all of these.
_TEXT_CHARACTERS = (
    ("Latin letters", string.ascii_letters),
    ("digits", string.digits),
)
_NUMBER = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3})?")


@dataclass(frozen=True)
class Brand:
    """How a pack looks: who publishes it, colours, logo, fonts, paper."""

    name: str  # organisation name shown on the cover and in document properties
    colours: tuple[tuple[str, str], ...]  # (role, "#rrggbb"): primary, accent, text, muted...
    logo: str  # path of an SVG, relative to the brand's folder
    fonts: tuple[tuple[str, str], ...]  # (role, family): body, headings
    paper: str  # "A4" or "Letter"
    margins_mm: tuple[float, float, float, float]  # top, right, bottom, left
    path: str  # the brand.yaml this came from

    def colour(self, role: str) -> str:
        """The colour for ``role`` (e.g. "primary")."""
        return dict(self.colours)[role]

    def font(self, role: str) -> str:
        """The font family for ``role`` (e.g. "body")."""
        return dict(self.fonts)[role]


@dataclass(frozen=True)
class Layout:
    """A layouts folder and the brand chosen in it."""

    root: Path  # the layouts/ folder
    brand: Brand
    brand_dir: Path  # the folder holding brand.yaml (layouts/ itself, or layouts/brands/NAME)

    def logo_path(self) -> Path:
        """The brand's logo file."""
        return self.brand_dir / self.brand.logo

    def brand_inputs(self) -> tuple[Path, ...]:
        """The brand's own files (brand.yaml and the logo): what every renderer reads."""
        return (Path(self.brand.path), self.logo_path())

    def pdf_inputs(self) -> tuple[Path, ...]:
        """Every file a PDF render reads, for fingerprints: ``layouts/pdf`` but the files of
        the other PDF formats (``cards.*``, ``large-print.*``), and the fonts."""
        pack = [f for f in self._pdf_files() if not f.name.startswith(_OTHER_PDF_FORMATS)]
        return self._with_brand(*pack, *self._font_files())

    def cards_inputs(self) -> tuple[Path, ...]:
        """Every file a case-cards render reads: ``pdf/cards.*``, ``pdf/fonts.css``, fonts."""
        cards = [f for f in self._pdf_files() if f.name.startswith("cards.")]
        return self._with_brand(*cards, self.root / "pdf" / "fonts.css", *self._font_files())

    def large_print_inputs(self) -> tuple[Path, ...]:
        """Every file a large-print render reads: the PDF's, and ``pdf/large-print.*``."""
        large = [f for f in self._pdf_files() if f.name.startswith("large-print.")]
        return (*self.pdf_inputs(), *large)

    def _pdf_files(self) -> list[Path]:
        return [f for f in sorted((self.root / "pdf").rglob("*")) if f.is_file()]

    def _font_files(self) -> list[Path]:
        return [f for f in sorted((self.root / "fonts").rglob("*")) if f.is_file()]

    def _with_brand(self, *files: Path) -> tuple[Path, ...]:
        return (Path(self.brand.path), self.logo_path(), *files)

    def docx_inputs(self) -> tuple[Path, ...]:
        """Every file a Word render reads, for fingerprints: ``layouts/docx``, and the fonts
        it embeds (with ``pdf/fonts.css``, which names their faces)."""
        files = [f for f in sorted((self.root / "docx").rglob("*")) if f.is_file()]
        return self._with_brand(*files, self.root / "pdf" / "fonts.css", *self._font_files())


def paper_twips(paper: str) -> tuple[int, int]:
    """The (width, height) of ``paper`` in twentieths of a point, as Word records page sizes."""
    width, height = PAPER_SIZES[paper]
    return round(width / 25.4 * 1440), round(height / 25.4 * 1440)


def bundled_families(root: Path) -> tuple[str, ...]:
    """The font families declared by ``@font-face`` in ``root``/pdf/fonts.css, sorted."""
    return tuple(sorted({family for family, _, _ in font_faces(root)}))


def font_faces(root: Path) -> dict[tuple[str, int, str], Path]:
    """(family, weight, style) -> font file, from the ``@font-face`` rules of
    ``root``/pdf/fonts.css (the bundled fonts the brand may name); empty when that file
    cannot be read (loading the layout reports it)."""
    return {face.key: face.file for face in font_face_rules(root) if face.file is not None}


@dataclass(frozen=True)
class FontFace:
    """One ``@font-face`` rule of ``pdf/fonts.css``."""

    family: str
    weight: int
    style: str
    file: Path | None  # None when ``src`` names no file (``local()``, a malformed address)
    line: int  # of its ``src``

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.family, self.weight, self.style)


def font_face_rules(root: Path) -> tuple[FontFace, ...]:
    """The ``@font-face`` rules of ``root``/pdf/fonts.css that name a family and have a
    ``src``, in order; none when that file cannot be read (loading the layout reports it)."""
    import tinycss2  # type: ignore[import-untyped]

    css_path = root / "pdf" / "fonts.css"
    try:
        css = layout_text(css_path, root)
    except ContentError:
        return ()
    faces: list[FontFace] = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or not rule.content:
            continue
        fields: dict[str, Any] = {}
        for decl in tinycss2.parse_declaration_list(
            rule.content, skip_comments=True, skip_whitespace=True
        ):
            if decl.type == "declaration":
                fields[decl.lower_name] = decl
        values = {
            name: [t for t in decl.value if t.type != "whitespace"] for name, decl in fields.items()
        }
        family = " ".join(str(t.value) for t in values.get("font-family", []))
        if not family or "src" not in fields:
            continue
        weight = next(
            (int(t.value) for t in values.get("font-weight", []) if t.type == "number"), 400
        )
        style = next(
            (t.lower_value for t in values.get("font-style", []) if t.type == "ident"), "normal"
        )
        url = next(filter(None, map(_font_file, values["src"])), None)
        # As the file is named ("layouts/fonts/X.ttf"); readers check where it leads.
        file = None if url is None else Path(os.path.normpath(css_path.parent / url))
        faces.append(FontFace(family, weight, style, file, fields["src"].source_line))
    return tuple(faces)


def font_errors() -> tuple[type[Exception], ...]:
    """What reading a font file from the layouts may raise: a ContentError for a file refused
    or unreadable, and what fontTools raises for one damaged or truncated."""
    from fontTools.ttLib import TTLibError  # type: ignore[import-untyped]

    return (
        ContentError,
        TTLibError,
        OSError,
        ValueError,
        KeyError,
        IndexError,
        AssertionError,
        struct.error,
    )


def text_widths(layout: Layout) -> Callable[[str, float], float] | None:
    """A measure of text set on one line in the brand's body font (regular): the width in
    millimetres of a text at a size in points, from the font's advances (no kerning, so a
    little under what it sets). None when the font cannot be read."""
    from fontTools.ttLib import TTFont

    path = font_faces(layout.root).get((layout.brand.font("body"), 400, "normal"))
    if path is None:
        return None
    try:
        font = TTFont(io.BytesIO(read_layout_file(path, layout.root, LAYOUT_FILE_LIMIT)))
        cmap, advances = font.getBestCmap(), font["hmtx"].metrics
        em = font["head"].unitsPerEm
    except font_errors():
        return None
    fallback = advances.get(".notdef", (em // 2, 0))[0]

    def width(text: str, size_pt: float) -> float:
        units = sum(advances.get(cmap.get(ord(c), ""), (fallback, 0))[0] for c in text)
        return float(units / em * size_pt * 25.4 / 72)

    return width


def shortened(text: str, fits: Callable[[str], bool]) -> str:
    """``text`` with its spaces made single, whole if it ``fits``, else cut after its last
    whole word that leaves room for an ellipsis (and any stop before it), the ellipsis added;
    at least one word."""
    text = " ".join(text.split())
    if fits(text):
        return text
    words = text.split(" ")
    while len(words) > 1 and not fits(" ".join(words) + "…"):
        words.pop()
    return " ".join(words).rstrip(":;,·–—-") + "…"


def _font_file(token: Any) -> str | None:
    """The file a ``src`` token names: ``url(x)`` or ``url("x")``; None for anything else
    (``local()``, ``format()``, a malformed address), which names no file of the layouts."""
    if token.type == "url":
        return str(token.value)
    if token.type == "function" and token.lower_name == "url":
        return next((str(a.value) for a in token.arguments if a.type == "string"), None)
    return None


def read_layout_file(path: Path, root: Path, limit: int = TEMPLATE_LIMIT) -> bytes:
    """The bytes of a file under the layouts folder ``root``: a plain file inside it (links
    followed) of at most ``limit`` bytes. Raises ContentError naming the file."""
    try:
        return read_bounded(path, limit, root, "layouts/")
    except FileRefused as error:
        raise ContentError([Diagnostic(str(path), 0, str(error))]) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise ContentError([Diagnostic(str(path), 0, f"cannot read: {reason}")]) from None


def layout_text(path: Path, root: Path, limit: int = TEMPLATE_LIMIT) -> str:
    """The text of a file under the layouts folder ``root`` (as :func:`read_layout_file`
    reads it), a byte-order mark dropped. Raises ContentError naming the file, at the line
    of its first byte that is not UTF-8."""
    text, bad_line = decode_utf8(read_layout_file(path, root, limit))
    if bad_line is not None:
        raise ContentError([Diagnostic(str(path), bad_line, NOT_UTF8)])
    return text


def template_loader(folder: Path, root: Path) -> Any:
    """A Jinja2 loader for the templates in ``folder`` that reads only plain files inside
    the layouts folder ``root``: a template linked to a file elsewhere (or a pipe, or a
    device) is refused with a ContentError naming it, as WeasyPrint's fetcher refuses such
    files."""
    import jinja2

    class _LayoutLoader(jinja2.FileSystemLoader):
        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str, Any]:
            pieces = jinja2.loaders.split_template_path(template)
            path = folder.joinpath(*pieces)
            if not path.exists() and not path.is_symlink():
                raise jinja2.TemplateNotFound(template)
            source = layout_text(path, root)  # raises ContentError, which Jinja passes on
            return source, str(path), lambda: False

    return _LayoutLoader(str(folder))


#: What an expression in a template can raise besides Jinja's own errors: ``{{ 1 // 0 }}``,
#: ``{{ cards[99] }}`` on a list, ``{{ "a" + 1 }}``, a macro that calls itself for ever.
TEMPLATE_MISTAKES = (ArithmeticError, LookupError, TypeError, ValueError, RecursionError)


def template_position(error: BaseException, default: Path) -> tuple[str, int]:
    """Where a template went wrong, as (file, line): syntax errors carry it; errors while
    rendering are found in the traceback, whose frames Jinja maps back to template lines.
    ``default``, line 0, when neither tells."""
    where = getattr(error, "filename", None)
    line = getattr(error, "lineno", None)
    if where and line:
        return str(where), int(line)
    found = (str(default), 0)
    trace = error.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = (filename, trace.tb_lineno)
        trace = trace.tb_next
    return found


def load_layout(root: Path, brand: str | None = None) -> Layout:
    """Load ``root``/brand.yaml, or the brand named ``brand`` (a folder under
    ``root``/brands, or a path to a brand folder or brand.yaml). Raises ContentError."""
    if not root.is_dir():
        raise ContentError([folder_missing(root, "layouts")])
    brand_file = _brand_file(root, brand)
    text = _read_brand(brand_file, root, brand)
    where = str(brand_file)
    parsed = parse_yaml(text, where)  # the strict reader content uses: raises ContentError
    node = None if parsed.kind == "null" else parsed
    checker = _BrandChecker(where, brand_file.parent, root)
    return Layout(root=root, brand=checker.check(node), brand_dir=brand_file.parent)


def _brand_file(root: Path, brand: str | None) -> Path:
    if brand is None:
        return root / "brand.yaml"
    named = root / "brands" / brand
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", brand) and named.is_dir():
        return named / "brand.yaml"
    given = Path(brand)
    if given.is_dir():
        return given / "brand.yaml"
    if given.is_file():
        return given
    known = sorted(p.name for p in (root / "brands").glob("*") if (p / "brand.yaml").is_file())
    raise ContentError(
        [
            Diagnostic(
                str(root / "brands"),
                0,
                f"brand: {brand!r} is neither a brand folder nor a brand.yaml; "
                f"brands here: {', '.join(known) or 'none'}",
            )
        ]
    )


def _read_brand(brand_file: Path, root: Path, brand: str | None) -> str:
    where = str(brand_file)
    # A brand named on the command line by path may live anywhere; a brand in layouts/
    # may not link out of it.
    inside_root = brand is None or (
        re.fullmatch(r"[a-z0-9][a-z0-9-]*", brand) is not None
        and brand_file.parent == root / "brands" / brand
    )
    try:
        data = read_bounded(brand_file, _MAX_BRAND_BYTES, root if inside_root else None, "layouts/")
    except FileRefused as error:
        message = str(error)
        if "larger than" in message:
            message += "; a brand needs a few lines"
        raise ContentError([Diagnostic(where, 0, message)]) from None
    except OSError as error:
        raise ContentError([Diagnostic(where, 0, f"cannot read: {error.strerror}")]) from None
    text, bad_line = decode_utf8(data)
    if bad_line is not None:
        raise ContentError([Diagnostic(where, bad_line, NOT_UTF8)])
    return text


def _line(node: Node) -> int:
    return node.line


def _name_problem(name: str) -> str | None:
    """Why the brand's ``name`` cannot be printed as it stands, as content's one-line fields
    are refused: characters that change how it reads or that no renderer prints."""
    return invisible_marks(name, one_line=True) or unprintable(name, keep="")


class _BrandChecker:
    """Turns the composed YAML of a brand into a Brand, gathering every problem."""

    def __init__(self, where: str, brand_dir: Path, root: Path) -> None:
        self.where = where
        self.brand_dir = brand_dir
        self.root = root
        self.problems: list[Diagnostic] = []

    def problem(self, node: Node | None, message: str) -> None:
        self.problems.append(Diagnostic(self.where, _line(node) if node else 0, message))

    def check(self, node: Node | None) -> Brand:
        fields = self.mapping(node, "brand.yaml", _KEYS)
        for key in _KEYS:
            if key not in fields and key not in _OPTIONAL and node is not None:
                self.problem(node, f"{key}: missing (a brand needs: {', '.join(_KEYS[:4])})")
        name = self.text(fields.get("name"), "name")
        cut = fields.get("name")
        if cut is not None and (message := cut_short(cut, "name", "name")) is not None:
            self.problem(cut, message)  # printed on every cover
        elif cut is not None and (message := _name_problem(name)) is not None:
            self.problem(cut, f"name: {message}")
        colours = self.colours(fields.get("colours"))
        logo = self.logo(fields.get("logo"))
        fonts = self.fonts(fields.get("fonts"))
        paper = self.paper(fields.get("paper"))
        margins = self.margins(fields.get("margins_mm"))
        if self.problems:
            raise ContentError(self.problems)
        return Brand(
            name=name,
            colours=colours,
            logo=logo,
            fonts=fonts,
            paper=paper,
            margins_mm=margins,
            path=self.where,
        )

    def mapping(self, node: Node | None, what: str, allowed: tuple[str, ...]) -> dict[str, Node]:
        if node is None:
            self.problems.append(Diagnostic(self.where, 0, f"{what}: empty"))
            return {}
        if node.kind != "map":
            self.problem(node, f"{what}: expected keys and values")
            return {}
        fields: dict[str, Node] = {}
        for key, value_node in node.mapping.items():
            if key not in allowed:
                self.problems.append(
                    Diagnostic(
                        self.where,
                        node.key_lines[key],
                        f"{key}: unknown key; expected one of: {', '.join(allowed)}",
                    )
                )
            else:
                fields[key] = value_node
        return fields

    def text(self, node: Node | None, what: str) -> str:
        if node is None:
            return ""
        if node.kind != "scalar":
            self.problem(node, f"{what}: expected text")
            return ""
        value = node.text.strip()
        if not value or len(value) > 120 or any(ord(c) < 32 for c in value):
            self.problem(node, f"{what}: expected one line of 1 to 120 characters")
        return value

    def colours(self, node: Node | None) -> tuple[tuple[str, str], ...]:
        if node is None:
            return ()
        roles = tuple(role for role, _ in COLOUR_ROLES)
        fields = self.mapping(node, "colours", roles)
        result: list[tuple[str, str]] = []
        for role, least in COLOUR_ROLES:
            value_node = fields.get(role)
            if value_node is None:
                self.problem(node, f"colours: {role}: missing (needed: {', '.join(roles)})")
                continue
            if value_node.kind == "null":  # most often "#..." unquoted: YAML reads a comment
                self.problem(
                    value_node,
                    f"colours: {role}: no colour given; put it in quotes, as in "
                    f'{role}: "#1f4e79" (unquoted, YAML reads # and what follows as a comment)',
                )
                continue
            value = self.text(value_node, f"colours: {role}")
            if not _HEX.fullmatch(value):
                self.problem(value_node, f"colours: {role}: {value!r} is not a #rrggbb colour")
                continue
            ratio = _contrast_with_white(value)
            if ratio < least:
                self.problem(
                    value_node,
                    f"colours: {role}: {value} has contrast {ratio:.1f}:1 with white paper; "
                    f"it needs at least {least:g}:1 to stay legible in print and greyscale",
                )
            result.append((role, value.lower()))
        return tuple(result)

    def logo(self, node: Node | None) -> str:
        if node is None:
            return ""
        value = self.text(node, "logo")
        if not value:
            return ""
        path = self.brand_dir / value
        if Path(value).is_absolute() or not inside(path, self.brand_dir):
            self.problem(node, f"logo: {value!r} must be a file inside the brand's folder")
        elif path.suffix.lower() != ".svg":
            self.problem(node, f"logo: {value!r} must be an SVG file (.svg)")
        elif not path.is_file():
            self.problem(node, f"logo: {value!r} not found in {self.brand_dir}")
        else:
            try:
                problem = svg_problem(read_bounded(path, _MAX_LOGO_BYTES))
            except FileRefused as error:
                problem = str(error)
            except OSError as error:
                problem = f"cannot be read: {error.strerror}"
            if problem:
                self.problem(node, f"logo: {value!r} cannot be drawn: it {problem}")
        return value

    def fonts(self, node: Node | None) -> tuple[tuple[str, str], ...]:
        if node is None:
            return ()
        fields = self.mapping(node, "fonts", _FONT_ROLES)
        families = bundled_families(self.root)
        if not families:
            # No font is bundled when the file that declares them cannot be read: say that,
            # not that the brand's fonts are unknown.
            try:
                layout_text(self.root / "pdf" / "fonts.css", self.root)
            except ContentError as error:
                self.problems.extend(error.diagnostics)
                return ()
        result: list[tuple[str, str]] = []
        for role in _FONT_ROLES:
            value_node = fields.get(role)
            if value_node is None:
                self.problem(node, f"fonts: {role}: missing (needed: {', '.join(_FONT_ROLES)})")
                continue
            value = self.text(value_node, f"fonts: {role}")
            if not _FAMILY.fullmatch(value) or value not in families:
                self.problem(
                    value_node,
                    f"fonts: {role}: {value!r} is not a bundled font; "
                    f"bundled: {', '.join(families) or 'none'}",
                )
            elif lacking := _lacks_text(self.root, value):
                usable = [f for f in families if not _lacks_text(self.root, f)]
                self.problem(
                    value_node,
                    f"fonts: {role}: {value!r} has no {lacking}, so the packs' text would be "
                    f"set in another font; choose one made for text: {', '.join(usable) or 'none'}",
                )
            result.append((role, value))
        return tuple(result)

    def paper(self, node: Node | None) -> str:
        if node is None:
            return "A4"
        value = self.text(node, "paper")
        if value not in _PAPERS:
            self.problem(node, f"paper: {value!r} is not one of: {', '.join(_PAPERS)}")
            return "A4"
        return value

    def margins(self, node: Node | None) -> tuple[float, float, float, float]:
        if node is None:
            return _DEFAULT_MARGINS
        low, high = _MARGIN_RANGE
        message = (
            f"margins_mm: expected four numbers (top, right, bottom, left) from {low:g} to {high:g}"
        )
        if node.kind != "seq" or len(node.items) != 4:
            self.problem(node, message)
            return _DEFAULT_MARGINS
        values: list[float] = []
        for item in node.items:
            if item.kind != "scalar" or not _NUMBER.fullmatch(item.text.strip()):
                self.problem(item, message)  # .nan, .inf, 1e3 and words are not margins
                return _DEFAULT_MARGINS
            number = float(item.text)
            if not low <= number <= high:
                self.problem(item, message)
                return _DEFAULT_MARGINS
            values.append(number)
        return (values[0], values[1], values[2], values[3])


def _lacks_text(root: Path, family: str) -> str | None:
    """What of the Latin letters and digits every pack is written in the bundled ``family``
    lacks ("Latin letters", "digits" or both), judged by its regular face (or its first);
    None when it has them all, or when its file cannot be read (``check`` reports that)."""
    from fontTools.ttLib import TTFont

    faces = {key: path for key, path in font_faces(root).items() if key[0] == family}
    path = faces.get((family, 400, "normal"), next(iter(faces.values()), None))
    if path is None:
        return None
    try:
        font = TTFont(io.BytesIO(read_layout_file(path, root, LAYOUT_FILE_LIMIT)), lazy=True)
        have = font.getBestCmap() or {}
    except font_errors():
        return None
    gaps = [
        what for what, characters in _TEXT_CHARACTERS if any(ord(c) not in have for c in characters)
    ]
    return " or ".join(gaps) or None


def _contrast_with_white(colour: str) -> float:
    """The WCAG contrast ratio between ``colour`` (#rrggbb) and white."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)
