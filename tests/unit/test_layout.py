"""Loading brands: the default, a named brand, a brand by path, and every mistake an editor
can make in brand.yaml reported as ``path:line: message``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casebook.diagnostics import ContentError
from casebook.layout import bundled_families, load_layout

ROOT = Path(__file__).resolve().parents[2]
LAYOUTS = ROOT / "layouts"

GOOD = """\
name: Test Borough Family Hubs
colours:
  primary: "#1f4e79"
  accent: "#b04a2f"
  text: "#1a1a1a"
  muted: "#4f4f4f"
logo: logo.svg
fonts:
  body: Noto Sans
  headings: Noto Sans
paper: Letter
margins_mm: [20, 18, 24, 18]
"""


@pytest.fixture
def layouts(tmp_path: Path) -> Path:
    """A copy of the real layouts with an extra brand folder ``test`` to edit."""
    root = tmp_path / "layouts"
    shutil.copytree(LAYOUTS, root)
    brand = root / "brands" / "test"
    brand.mkdir()
    shutil.copy(LAYOUTS / "logo.svg", brand / "logo.svg")
    (brand / "brand.yaml").write_text(GOOD, encoding="utf-8")
    return root


def messages(error: pytest.ExceptionInfo[ContentError]) -> list[str]:
    return [str(d) for d in error.value.diagnostics]


def write_brand(layouts: Path, text: str) -> Path:
    path = layouts / "brands" / "test" / "brand.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_brand_is_the_one_in_layouts() -> None:
    layout = load_layout(LAYOUTS)
    assert layout.brand.name == "Casebook workshop packs"
    assert layout.brand.paper == "A4"
    assert layout.brand_dir == LAYOUTS
    assert layout.logo_path() == LAYOUTS / "logo.svg"
    assert layout.brand.colour("primary").startswith("#")
    assert layout.brand.font("body") in bundled_families(LAYOUTS)


def test_second_brand_by_name_differs_from_the_default() -> None:
    default = load_layout(LAYOUTS)
    valley = load_layout(LAYOUTS, "valley-council")
    assert valley.brand.name == "Valley Council Early Years Partnership"
    assert valley.brand_dir == LAYOUTS / "brands" / "valley-council"
    assert valley.brand.colours != default.brand.colours
    assert valley.logo_path().read_bytes() != default.logo_path().read_bytes()
    assert valley.root == LAYOUTS  # fonts and templates still come from layouts/


def test_brand_by_folder_path_and_by_file_path(layouts: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    shutil.copytree(layouts / "brands" / "test", outside)
    by_folder = load_layout(layouts, str(outside))
    by_file = load_layout(layouts, str(outside / "brand.yaml"))
    assert by_folder.brand.name == by_file.brand.name == "Test Borough Family Hubs"
    assert by_folder.brand.paper == "Letter"
    assert by_folder.logo_path() == outside / "logo.svg"
    assert by_folder.brand.margins_mm == (20.0, 18.0, 24.0, 18.0)


def test_unknown_brand_names_the_brands_there_are(layouts: Path) -> None:
    with pytest.raises(ContentError) as error:
        load_layout(layouts, "nowhere")
    assert messages(error) == [
        f"{layouts / 'brands'}:0: brand: 'nowhere' is neither a brand folder nor a brand.yaml; "
        "brands here: test, valley-council"
    ]


def test_a_brand_file_too_large_to_be_a_brand_gives_its_size(layouts: Path) -> None:
    path = write_brand(layouts, GOOD + "# padding\n" * 8000)  # 80,000 bytes more
    with pytest.raises(ContentError) as error:
        load_layout(layouts, "test")
    size = path.stat().st_size
    assert messages(error) == [
        f"{path}:0: is {size / 1024:.1f} KiB, larger than the limit of 64 KiB; a brand needs a "
        "few lines"
    ]


def test_pdf_inputs_cover_brand_logo_templates_and_fonts() -> None:
    layout = load_layout(LAYOUTS, "valley-council")
    inputs = layout.pdf_inputs()
    assert inputs[0] == LAYOUTS / "brands" / "valley-council" / "brand.yaml"
    assert LAYOUTS / "brands" / "valley-council" / "logo.svg" in inputs
    assert LAYOUTS / "pdf" / "pack.html.j2" in inputs
    assert LAYOUTS / "pdf" / "pack.css" in inputs
    assert LAYOUTS / "fonts" / "NotoSans-Regular.ttf" in inputs


def test_every_css_family_is_bundled_with_its_licence() -> None:
    css = (LAYOUTS / "pdf" / "fonts.css").read_text(encoding="utf-8")
    fonts = LAYOUTS / "fonts"
    for line in css.splitlines():
        if 'url("../fonts/' in line:
            name = line.split('url("../fonts/')[1].split('"')[0]
            assert (fonts / name).is_file(), name
    assert "SIL Open Font License" in (fonts / "OFL.txt").read_text(encoding="utf-8")
    assert set(bundled_families(LAYOUTS)) == {
        "Noto Sans",
        "Noto Sans Arabic",
        "Noto Sans Hebrew",
        "Noto Sans Math",
        "Noto Sans Symbols2",
        "Noto Emoji",
    }
    size = sum(f.stat().st_size for f in fonts.iterdir())
    assert size < 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'primary: "#1f4e79"',
            'primary: "blue"',
            "3: colours: primary: 'blue' is not a #rrggbb colour",
        ),
        (
            'primary: "#1f4e79"',
            "primary: #1f4e79",
            '3: colours: primary: no colour given; put it in quotes, as in primary: "#1f4e79" '
            "(unquoted, YAML reads # and what follows as a comment)",
        ),
        (
            'accent: "#b04a2f"',
            'accent: "#ffee00"',
            "4: colours: accent: #ffee00 has contrast 1.2:1 with white paper; "
            "it needs at least 3:1 to stay legible in print and greyscale",
        ),
        ("paper: Letter", "paper: A5", "11: paper: 'A5' is not one of: A4, Letter"),
        (
            "  body: Noto Sans",
            "  body: Comic Sans MS",
            "9: fonts: body: 'Comic Sans MS' is not a bundled font; "
            "bundled: Noto Emoji, Noto Sans, Noto Sans Arabic, Noto Sans Hebrew, Noto Sans Math, "
            "Noto Sans Symbols2",
        ),
        (
            "  body: Noto Sans",
            "  body: Noto Sans Arabic",
            "9: fonts: body: 'Noto Sans Arabic' has no Latin letters, so the packs' text would "
            "be set in another font; choose one made for text: Noto Sans, Noto Sans Math",
        ),
        (
            "  body: Noto Sans",
            "  body: Noto Sans Hebrew",
            "9: fonts: body: 'Noto Sans Hebrew' has no Latin letters or digits, so the packs' "
            "text would be set in another font; choose one made for text: Noto Sans, "
            "Noto Sans Math",
        ),
        (
            "  headings: Noto Sans",
            "  headings: Noto Emoji",
            "10: fonts: headings: 'Noto Emoji' has no Latin letters, so the packs' text would "
            "be set in another font; choose one made for text: Noto Sans, Noto Sans Math",
        ),
        ("logo: logo.svg", "logo: missing.svg", "7: logo: 'missing.svg' not found in "),
        ("logo: logo.svg", "logo: logo.png", "7: logo: 'logo.png' must be an SVG file (.svg)"),
        (
            "logo: logo.svg",
            "logo: ../../logo.svg",
            "7: logo: '../../logo.svg' must be a file inside the brand's folder",
        ),
        (
            "margins_mm: [20, 18, 24, 18]",
            "margins_mm: [20, 18, 2, 18]",
            "12: margins_mm: expected four numbers (top, right, bottom, left) from 10 to 40",
        ),
        (
            "margins_mm: [20, 18, 24, 18]",
            "margins_mm: [20, .nan, 24, 18]",
            "12: margins_mm: expected four numbers (top, right, bottom, left) from 10 to 40",
        ),
        (
            "paper: Letter",
            "paper: Letter\ncolour: red",
            "12: colour: unknown key; expected one of: name, colours, logo, fonts, paper, "
            "margins_mm",
        ),
        ("name: Test Borough Family Hubs", "name: [a, b]", "1: name: expected text"),
        (
            "name: Test Borough Family Hubs",
            "name: Test Borough Family Hubs #1 in the region",
            "1: name: YAML reads ' #' and what follows it on the line ('#1 in the region') as a "
            "comment, so the name would end at 'Test Borough Family Hubs'; to print it all, put "
            "the whole name in double quotes; for a note, put it on a line of its own",
        ),
        (
            "paper: Letter",
            "paper: Letter\npaper: A4",
            "12: duplicate key 'paper' (first given on line 11)",
        ),
        (
            "name: Test Borough Family Hubs",
            'name: "Test Borough \u202eFamily Hubs"',
            "1: name: holds invisible characters (U+202E) that change how text is read or "
            "matched; remove them",
        ),
        (
            "name: Test Borough Family Hubs",
            'name: "Test Borough\u200b Family Hubs"',
            "1: name: holds invisible characters (U+200B) that change how text is read or "
            "matched; remove them",
        ),
        (
            "name: Test Borough Family Hubs",
            'name: "Test Borough \\x85Family Hubs"',
            "1: name: holds control characters (U+0085) that cannot be printed; remove them",
        ),
    ],
)
def test_brand_mistakes_are_reported_at_their_line(
    layouts: Path, old: str, new: str, expected: str
) -> None:
    assert old in GOOD
    path = write_brand(layouts, GOOD.replace(old, new))
    with pytest.raises(ContentError) as error:
        load_layout(layouts, "test")
    found = messages(error)
    assert len(found) == 1, found
    assert found[0].startswith(f"{path}:{expected}")


def test_missing_keys_are_all_reported(layouts: Path) -> None:
    path = write_brand(layouts, "name: Only a name\n")
    with pytest.raises(ContentError) as error:
        load_layout(layouts, "test")
    assert messages(error) == [
        f"{path}:1: {key}: missing (a brand needs: name, colours, logo, fonts)"
        for key in ("colours", "logo", "fonts")
    ]


def test_a_missing_colour_role_is_named(layouts: Path) -> None:
    path = write_brand(layouts, GOOD.replace('  muted: "#4f4f4f"\n', ""))
    with pytest.raises(ContentError) as error:
        load_layout(layouts, "test")
    assert messages(error) == [
        f"{path}:3: colours: muted: missing (needed: primary, accent, text, muted)"
    ]


def test_yaml_syntax_error_has_its_line(layouts: Path) -> None:
    path = write_brand(layouts, GOOD.replace("paper: Letter", "paper: [Letter"))
    with pytest.raises(ContentError) as error:
        load_layout(layouts, "test")
    assert messages(error) == [
        f"{path}:11: YAML syntax: the list opened with '[' on this line is not closed "
        "(expected ',' or ']', but got ':' on line 12)"
    ]


def test_python_tags_are_not_loaded(layouts: Path) -> None:
    path = write_brand(
        layouts, GOOD.replace("name: Test Borough Family Hubs", "name: !!python/name:os.system")
    )
    with pytest.raises(ContentError) as error:
        load_layout(layouts, "test")
    assert messages(error) == [
        f"{path}:1: YAML tags such as '!!python/name:os.system' are not allowed; write plain values"
    ]


def test_a_logo_with_entities_is_refused(layouts: Path) -> None:
    logo = layouts / "brands" / "test" / "logo.svg"
    logo.write_text('<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>')
    with pytest.raises(ContentError) as error:
        load_layout(layouts, "test")
    assert messages(error) == [
        f"{layouts / 'brands' / 'test' / 'brand.yaml'}:7: logo: 'logo.svg' cannot be drawn: "
        "it defines entities (<!ENTITY ...>), which are not drawn"
    ]


def test_an_empty_brand_file(layouts: Path) -> None:
    path = write_brand(layouts, "")
    with pytest.raises(ContentError) as error:
        load_layout(layouts, "test")
    assert messages(error) == [f"{path}:0: brand.yaml: empty"]


def test_deep_nesting_is_a_diagnostic_not_a_traceback(layouts: Path) -> None:
    path = write_brand(layouts, "name: " + "[" * 20000 + "]" * 20000 + "\n")
    with pytest.raises(ContentError) as error:
        load_layout(layouts, "test")
    assert messages(error) == [f"{path}:1: nested more than 12 levels deep"]


def test_an_edited_template_is_used_by_the_next_render_in_the_same_process(
    layouts: Path,
) -> None:
    from casebook.content import load_corpus
    from casebook.document import compose_pack
    from casebook.model import Pack
    from casebook.pdf import render_html

    corpus = load_corpus(ROOT / "tests" / "fixtures" / "mini" / "content")
    pack = Pack(id="one", kind="all", title="One", cases=corpus.cases[:1])
    document = compose_pack(pack, corpus)
    layout = load_layout(layouts)
    template = layouts / "pdf" / "pack.html.j2"
    first = render_html(document, layout)
    # An edit of the same length, made between two renders in one process.
    template.write_text(template.read_text(encoding="utf-8").replace("<html", "<HTML", 1))
    second = render_html(document, layout)
    assert "<html" in first and "<HTML" not in first
    assert "<HTML" in second
