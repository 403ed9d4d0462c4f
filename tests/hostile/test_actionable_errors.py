"""Issue classes 4 and 16: a planted lock link writes nothing outside dist/, and every
mistake reaches the user as `path:line: message` or a usage error naming what to fix,
never as a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli


def test_a_lock_file_that_is_a_link_is_refused_and_nothing_is_created_outside(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    dist = mini_project / "dist"
    dist.mkdir()
    target = tmp_path / "planted"
    (dist / ".lock").symlink_to(target)
    result = run_cli("--only", "nation-england", "--format", "pdf", cwd=mini_project)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "build.py: error: dist/.lock is a link; remove it (the build makes its own)"
    )
    assert not target.exists()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "CASEBOOK_TIME_LIMIT",
            "inf",
            "CASEBOOK_TIME_LIMIT='inf' must be a number of seconds above 0, at most 86,400",
        ),
        (
            "CASEBOOK_TIME_LIMIT",
            "nan",
            "CASEBOOK_TIME_LIMIT='nan' must be a number of seconds above 0, at most 86,400",
        ),
        (
            "CASEBOOK_TIME_LIMIT",
            "1e30",
            "CASEBOOK_TIME_LIMIT='1e30' must be a number of seconds above 0, at most 86,400",
        ),
        (
            "CASEBOOK_TIME_LIMIT",
            "0",
            "CASEBOOK_TIME_LIMIT='0' must be a number of seconds above 0, at most 86,400",
        ),
        (
            "CASEBOOK_MEMORY_LIMIT_MB",
            "1e30",
            "CASEBOOK_MEMORY_LIMIT_MB='1e30' must be a number of MiB (0: no limit) from 0, "
            "at most 1,048,576",
        ),
        ("CASEBOOK_MEMORY_LIMIT_MB", "lots", "CASEBOOK_MEMORY_LIMIT_MB='lots' is not a number"),
        (
            "CASEBOOK_MEMORY_LIMIT",
            "4096",
            "CASEBOOK_MEMORY_LIMIT is not a setting of Casebook; did you mean "
            "CASEBOOK_MEMORY_LIMIT_MB?",
        ),
        (
            "Casebook_Time_Limits",
            "600",
            "Casebook_Time_Limits is not a setting of Casebook; did you mean CASEBOOK_TIME_LIMIT?",
        ),
        (
            "SOURCE_DATE_EPOC",
            "1700000000",
            "SOURCE_DATE_EPOC is not a setting of Casebook; did you mean SOURCE_DATE_EPOCH?",
        ),
        (
            "SOURCE_DATE_EPOCH",
            "１７００",
            "SOURCE_DATE_EPOCH='１７００' is not a whole number of seconds",
        ),
    ],
)
def test_bad_settings_in_the_environment_are_usage_errors_naming_the_variable(
    mini_project: Path, run_cli: RunCli, name: str, value: str, message: str
) -> None:
    result = run_cli("--only", "nation-england", cwd=mini_project, env={name: value})
    assert result.returncode == 2
    assert result.stderr.strip() == f"build.py: error: {message}"
    assert not (mini_project / "dist").exists()


@pytest.mark.parametrize(
    "command",
    [("check",), ("edition", "Second edition"), ("refresh", "copy.docx", "--out", "new.docx")],
)
def test_every_command_that_reads_a_setting_refuses_a_misspelt_one(
    mini_project: Path, run_cli: RunCli, command: tuple[str, ...]
) -> None:
    editions = sorted((mini_project / "content" / "editions").iterdir())
    result = run_cli(*command, cwd=mini_project, env={"SOURCE_DATE_EPOC": "1700000000"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "build.py: error: SOURCE_DATE_EPOC is not a setting of Casebook; did you mean "
        "SOURCE_DATE_EPOCH?"
    )
    assert sorted((mini_project / "content" / "editions").iterdir()) == editions


def test_a_variable_unlike_any_setting_is_left_alone(mini_project: Path, run_cli: RunCli) -> None:
    result = run_cli(
        "--only", "nation-england", "--format", "docx", cwd=mini_project, env={"CASEBOOK_HOME": "x"}
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert (mini_project / "dist" / "nation-england.docx").is_file()


def test_a_lone_surrogate_in_a_title_is_reported_at_its_line(
    mini_project: Path, run_cli: RunCli
) -> None:
    case = mini_project / "content" / "cases" / "newport-mapping-local-assets.md"
    lines = case.read_text(encoding="utf-8").split("\n")
    assert lines[1].startswith("title:")
    lines[1] = 'title: "Mapping \\ud800 assets"'
    case.write_text("\n".join(lines), encoding="utf-8")
    result = run_cli("check", cwd=mini_project)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "content/cases/newport-mapping-local-assets.md:2: title: holds half of a character "
        "(U+D800, a lone surrogate); write the whole character"
    )


def test_superscript_digits_in_pages_are_reported_at_their_line(
    mini_project: Path, run_cli: RunCli
) -> None:
    insights = mini_project / "content" / "insights.yaml"
    text = insights.read_text(encoding="utf-8")
    first = next(line for line in text.split("\n") if "pages:" in line)
    insights.write_text(text.replace(first, first.split("pages:")[0] + "pages: [19, 25²]", 1))
    line = text.split("\n").index(first) + 1
    result = run_cli("check", cwd=mini_project)
    assert result.returncode == 1
    assert f"content/insights.yaml:{line}: pages: expected [first, last], e.g. [19, 25]" in (
        result.stderr.splitlines()
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "field", "message"),
    [
        (
            "cases/newport-mapping-local-assets.md",
            "page",
            "page: 0 is outside the report's insight chapters (pages 19–32)",
        ),
        ("insights.yaml", "- number", "number: expected 1 (insights are numbered in order)"),
        ("source.yaml", "year", "year: 0 is not a year of publication (1900–2100)"),
    ],
)
def test_a_zero_is_reported_at_its_line(
    mini_project: Path, run_cli: RunCli, name: str, field: str, message: str
) -> None:
    path = mini_project / "content" / name
    lines = path.read_text(encoding="utf-8").split("\n")
    line = next(i for i, text in enumerate(lines, 1) if text.startswith(f"{field}:"))
    lines[line - 1] = f"{field}: 0"
    path.write_text("\n".join(lines), encoding="utf-8")
    for command in (["check"], ["--only", "nation-wales", "--format", "docx"]):
        result = run_cli(*command, cwd=mini_project)
        assert result.returncode == 1
        assert f"content/{name}:{line}: {message}" in result.stderr.splitlines()
        assert "Traceback" not in result.stderr
        assert "AssertionError" not in result.stderr


def test_a_symlink_loop_in_content_is_reported_not_a_traceback(
    mini_project: Path, run_cli: RunCli
) -> None:
    loop = mini_project / "content" / "cases" / "newham-loop.md"
    loop.symlink_to(loop)
    media_loop = mini_project / "content" / "media" / "loop.png"
    media_loop.symlink_to(media_loop)
    result = run_cli("check", cwd=mini_project)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "content/cases/newham-loop.md:0: cannot be read: Too many levels of symbolic links"
    )
    build = run_cli("--only", "nation-england", "--format", "pdf", cwd=mini_project)
    assert build.returncode == 1
    assert "Traceback" not in build.stderr
    assert "RuntimeError" not in build.stderr


# --- 9: the downloads page's template runs under the time limit ---------------------------

RUNAWAY = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}\n"


def test_a_runaway_downloads_page_template_stops_check_and_build_at_the_time_limit(
    mini_project: Path, run_cli: RunCli
) -> None:
    template = mini_project / "layouts" / "site" / "index.html.j2"
    template.write_text(RUNAWAY + template.read_text(encoding="utf-8"), encoding="utf-8")
    expected = (
        "layouts/site/index.html.j2:0: the downloads page took longer than 2 seconds to render"
    )
    check = run_cli("check", cwd=mini_project, env={"CASEBOOK_TIME_LIMIT": "2"})
    assert check.returncode == 1
    assert check.stderr.strip() == expected
    build = run_cli(
        "--only",
        "nation-england",
        "--format",
        "docx",
        cwd=mini_project,
        env={"CASEBOOK_TIME_LIMIT": "2"},
    )
    assert build.returncode == 1
    assert build.stderr.strip().splitlines()[-1] == expected
    assert not (mini_project / "dist" / "index.html").exists()


# --- check: the fonts a build would fail on, or silently replace --------------------------

REGULAR = 'url("../fonts/NotoSans-Regular.ttf")'


@pytest.mark.parametrize(
    ("src", "message"),
    [
        (
            'local("Noto Sans")',
            'src: names no font file for Noto Sans 400 normal; give url("../fonts/<file>") '
            "(a font installed on one computer is not on another)",
        ),
        (
            'url("../fonts/NotoSans-Regulr.ttf")',
            "src: ../fonts/NotoSans-Regulr.ttf (for Noto Sans 400 normal) does not exist",
        ),
    ],
)
def test_check_reports_a_font_face_without_its_file(
    mini_project: Path, run_cli: RunCli, src: str, message: str
) -> None:
    css = mini_project / "layouts" / "pdf" / "fonts.css"
    text = css.read_text(encoding="utf-8")
    line = text[: text.index(REGULAR)].count("\n") + 1
    css.write_text(text.replace(REGULAR, src, 1), encoding="utf-8")
    result = run_cli("check", cwd=mini_project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"layouts/pdf/fonts.css:{line}: {message}"]


def test_check_reports_a_truncated_font(mini_project: Path, run_cli: RunCli) -> None:
    font = mini_project / "layouts" / "fonts" / "NotoSans-Bold.ttf"
    font.write_bytes(font.read_bytes()[:200_000])
    result = run_cli("check", cwd=mini_project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "layouts/fonts/NotoSans-Bold.ttf:0: is damaged or not a font: "
        "its glyf table runs past the end of the file"
    ]


# --- check: the PDF templates are run, not only compiled --------------------------------


@pytest.mark.parametrize("template", ["pack.html.j2", "cards.html.j2"])
def test_check_reports_a_value_a_pdf_template_lacks_at_its_line(
    mini_project: Path, run_cli: RunCli, template: str
) -> None:
    path = mini_project / "layouts" / "pdf" / template
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "{{ no_such_value }}\n", encoding="utf-8")
    line = text.count("\n") + 1
    result = run_cli("check", cwd=mini_project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"layouts/pdf/{template}:{line}: 'no_such_value' is undefined"
    ]


@pytest.mark.parametrize("name", ["pack.css", "cards.css", "large-print.css"])
def test_check_reports_a_stylesheet_the_pdf_links_that_is_not_there(
    mini_project: Path, run_cli: RunCli, name: str
) -> None:
    (mini_project / "layouts" / "pdf" / name).unlink()
    result = run_cli("check", cwd=mini_project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"layouts/pdf/{name}:0: stylesheet not found (the PDF links it)"
    ]


@pytest.mark.parametrize("template", ["pack.html.j2", "cards.html.j2"])
def test_check_reports_a_picture_a_pdf_template_shows_that_is_missing_or_outside(
    mini_project: Path, run_cli: RunCli, template: str
) -> None:
    path = mini_project / "layouts" / "pdf" / template
    text = path.read_text(encoding="utf-8")
    (mini_project / "banner.png").write_bytes(b"not read")
    (mini_project / "layouts" / "pdf" / "linked.png").symlink_to(mini_project / "banner.png")
    pictures = '<img src="pdf/missing.png" alt=""><img src="pdf/linked.png" alt="">'
    path.write_text(text.replace("<body>", "<body>" + pictures, 1), encoding="utf-8")
    result = run_cli("check", cwd=mini_project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "layouts/pdf/linked.png:0: is a link to a file outside layouts/, which the PDF does "
        "not read; put the picture itself in layouts/",
        "layouts/pdf/missing.png:0: picture not found (the PDF shows it)",
    ]


@pytest.mark.parametrize("name", ["pack.css", "cards.css", "large-print.css"])
def test_check_reports_a_stylesheet_the_pdf_links_that_is_a_link_out_of_layouts(
    mini_project: Path, run_cli: RunCli, name: str
) -> None:
    sheet = mini_project / "layouts" / "pdf" / name
    outside = mini_project / name
    sheet.rename(outside)
    sheet.symlink_to(outside)
    result = run_cli("check", cwd=mini_project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"layouts/pdf/{name}:0: is a link to a file outside layouts/, which the PDF does not "
        "read; put the stylesheet itself in layouts/"
    ]


@pytest.mark.parametrize(
    ("name", "rule", "message"),
    [
        (
            "pack.css",
            '.cover { background: url("../images/band.png"); }',
            "url(../images/band.png): no such file",
        ),
        ("cards.css", "@import 'extra.css';", "@import extra.css: no such file"),
        (
            "pack.css",
            'body { background: url("https://[oops/x.png") }',
            "url(https://[oops/x.png): not a valid address",
        ),
        (
            "large-print.css",
            "h1 { background-image: url(https://example.org/band.png) }",
            "url(https://example.org/band.png): the PDF reads only files in layouts/; save "
            "the file there and name it by its path",
        ),
        (
            "pack.css",
            '.x { background: url("../../content/places.yaml") }',
            "url(../../content/places.yaml): not a file inside layouts/",
        ),
        (
            "pack.css",
            '.x { background: url("data:image/png;base64,") }',
            "url(data:image/png;base64,): not a valid data: address",
        ),
        (
            "pack.css",
            '.x { background: url("data:image/gif;BASE64,R0lG OD!!lh") }',
            "url(data:image/gif;BASE64,R0lG OD!!lh): not a valid data: address",
        ),
        (
            "cards.css",
            '.x { background: url("data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5B!") }',
            "url(data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5B!): not a valid data: address",
        ),
    ],
)
def test_check_reports_a_file_a_pdf_stylesheet_names_that_the_pdf_cannot_read(
    mini_project: Path, run_cli: RunCli, name: str, rule: str, message: str
) -> None:
    css = mini_project / "layouts" / "pdf" / name
    text = css.read_text(encoding="utf-8")
    line = text.count("\n") + 2
    css.write_text(f"{text}\n{rule}\n/* url(not-read.png) in a comment */\n", encoding="utf-8")
    result = run_cli("check", cwd=mini_project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"layouts/pdf/{name}:{line}: {message}"]


def test_check_accepts_the_files_and_data_a_pdf_stylesheet_names(
    mini_project: Path, run_cli: RunCli
) -> None:
    css = mini_project / "layouts" / "pdf" / "pack.css"
    rules = (
        '.a { background: url("../logo.svg") }\n'
        ".b { background: url(data:image/gif;base64,R0lGODlhAQABAAAAACw=) }\n"
    )
    css.write_text(css.read_text(encoding="utf-8") + rules, encoding="utf-8")
    result = run_cli("check", cwd=mini_project)
    assert (result.returncode, result.stderr) == (0, "")


def test_check_warns_of_what_weasyprint_ignores_in_a_pdf_stylesheet_at_its_line(
    mini_project: Path, run_cli: RunCli
) -> None:
    css = mini_project / "layouts" / "pdf" / "large-print.css"
    text = css.read_text(encoding="utf-8")
    line = text.count("\n") + 2
    css.write_text(text + "\nh2 { colr: red; margin: 3qq }\n@pagee { }\n", encoding="utf-8")
    result = run_cli("check", cwd=mini_project)
    assert result.returncode == 0
    where = f"layouts/pdf/large-print.css:{line}: warning:"
    assert result.stderr.splitlines() == [
        f"{where} Ignored `colr: red`, unknown property; the PDF is made without it",
        f"{where} Ignored `margin: 3qq`, invalid value; the PDF is made without it",
        f"layouts/pdf/large-print.css:{line + 1}: warning: Unknown rule <AtRule @pagee … "
        "{ … }>; the PDF is made without it",
    ]
    assert "no problems, 3 warnings" in result.stdout


# --- characters no bundled font has ------------------------------------------------------


def _no_font_has(where: str, characters: str) -> str:
    return (
        f"{where}: warning: no bundled font has {characters}: the PDF would show them in "
        "whatever font the computer building it has, or as empty boxes; add a font that has "
        "them to layouts/fonts/ and layouts/pdf/fonts.css"
    )


def test_characters_no_bundled_font_has_are_a_warning_at_their_line(
    mini_project: Path, run_cli: RunCli
) -> None:
    case = mini_project / "content" / "cases" / "newport-mapping-local-assets.md"
    text = case.read_text(encoding="utf-8")
    # Welsh, an emoji with its skin tone and Arabic are in the bundled fonts; Chinese is not.
    case.write_text(text + "\nŴyr 👶🏽 مرحبا and 早期干预 and 早.\n", encoding="utf-8")
    line = text.count("\n") + 2
    warning = _no_font_has(
        f"content/cases/newport-mapping-local-assets.md:{line}",
        "早 (U+65E9), 期 (U+671F), 干 (U+5E72), 预 (U+9884)",
    )
    checked = run_cli("check", cwd=mini_project)
    built = run_cli("--only", "nation-wales", "--format", "docx", cwd=mini_project)
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.splitlines() == [warning]
    assert checked.stdout.endswith(": no problems, 1 warning\n")
    assert built.returncode == 0, built.stderr
    assert warning in built.stderr.splitlines()


def test_characters_no_bundled_font_has_in_the_brand_s_name_are_a_warning_at_its_line(
    mini_project: Path, run_cli: RunCli
) -> None:
    brand = mini_project / "layouts" / "brand.yaml"
    text = brand.read_text(encoding="utf-8")
    name = next(line for line in text.splitlines() if line.startswith("name:"))
    line = text.splitlines().index(name) + 1
    brand.write_text(
        "# 品牌: a comment is never printed\n" + text.replace(name, "name: 早期 Family Hubs"),
        encoding="utf-8",
    )
    warning = _no_font_has(f"layouts/brand.yaml:{line + 1}", "早 (U+65E9), 期 (U+671F)")

    checked = run_cli("check", cwd=mini_project)
    built = run_cli("--only", "nation-wales", "--format", "docx", cwd=mini_project)

    assert (checked.returncode, checked.stderr.splitlines()) == (0, [warning])
    assert built.returncode == 0, built.stderr
    assert warning in built.stderr.splitlines()


def test_a_logo_named_in_another_script_is_no_warning_as_its_name_is_not_printed(
    mini_project: Path, run_cli: RunCli
) -> None:
    layouts = mini_project / "layouts"
    (layouts / "logo.svg").rename(layouts / "标志.svg")
    brand = layouts / "brand.yaml"
    text = brand.read_text(encoding="utf-8")
    brand.write_text(text.replace("logo: logo.svg", "logo: 标志.svg"), encoding="utf-8")
    checked = run_cli("check", cwd=mini_project)
    assert (checked.returncode, checked.stderr) == (0, "")


def test_characters_no_bundled_font_has_count_in_yaml_values_not_in_comments(
    mini_project: Path, run_cli: RunCli
) -> None:
    content = mini_project / "content"
    case = content / "cases" / "newport-mapping-local-assets.md"
    text = case.read_text(encoding="utf-8")
    # A comment after the page number, a comment on a line of its own, then a prompt whose
    # second line holds a character no bundled font has.
    text = text.replace("page: 26\n", "page: 26  # 评\n", 1)
    case.write_text(
        text.replace(
            "prompts:\n",
            "# 注释: comments are never printed\nprompts:\n"
            "  - Which of these would you\n    try first, 早 or later?\n",
            1,
        ),
        encoding="utf-8",
    )
    insights = content / "insights.yaml"
    text = insights.read_text(encoding="utf-8")
    assert "  summary: >-\n" in text
    # A comment at the head of the file, and one after a block's indicator.
    text = text.replace("  summary: >-\n", "  summary: >- # 摘要\n", 1)
    insights.write_text("# 第一 — the insights\n" + text, encoding="utf-8")
    result = run_cli("check", cwd=mini_project)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        _no_font_has("content/cases/newport-mapping-local-assets.md:10", "早 (U+65E9)")
    ]


@pytest.mark.parametrize("name", ["pack.html.j2", "cards.html.j2"])
def test_a_runaway_pdf_template_stops_check_at_the_time_limit(
    mini_project: Path, run_cli: RunCli, name: str
) -> None:
    template = mini_project / "layouts" / "pdf" / name
    template.write_text(RUNAWAY + template.read_text(encoding="utf-8"), encoding="utf-8")
    check = run_cli("check", cwd=mini_project, env={"CASEBOOK_TIME_LIMIT": "2"})
    assert check.returncode == 1
    assert check.stderr.strip() == (
        "layouts/pdf:0: the PDF templates took longer than 2 seconds to render"
    )


def test_check_accepts_a_woff2_font_and_reports_a_damaged_character_map(
    mini_project: Path, run_cli: RunCli
) -> None:
    from fontTools.ttLib import TTFont

    fonts = mini_project / "layouts" / "fonts"
    css = mini_project / "layouts" / "pdf" / "fonts.css"
    hebrew = TTFont(fonts / "NotoSansHebrew-Regular.ttf")
    hebrew.flavor = "woff2"
    hebrew.save(fonts / "NotoSansHebrew-Regular.woff2")
    text = css.read_text(encoding="utf-8")
    assert "NotoSansHebrew-Regular.ttf" in text
    css.write_text(text.replace("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Regular.woff2"))
    assert run_cli("check", cwd=mini_project).returncode == 0

    bold = fonts / "NotoSans-Bold.ttf"
    data = bytearray(bold.read_bytes())
    entry = TTFont(bold, lazy=True).reader.tables["cmap"]
    data[entry.offset : entry.offset + 64] = b"\xff" * 64
    bold.write_bytes(bytes(data))
    result = run_cli("check", cwd=mini_project)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("layouts/fonts/NotoSans-Bold.ttf:0: is damaged or not a font: ")


NOT_UTF8 = "is not valid UTF-8 text; save it as UTF-8"


def spoil_line(path: Path, line: int) -> None:
    """Put a Latin-1 "é", which is not UTF-8, at the end of ``path``'s line ``line``."""
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] += b" \xe9"
    path.write_bytes(b"\n".join(lines))


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("pdf/pack.css", 3),
        ("pdf/cards.css", 2),
        ("pdf/large-print.css", 2),
        ("pdf/fonts.css", 1),
        ("site/site.css", 2),
        ("pdf/pack.html.j2", 5),
        ("brand.yaml", 3),
    ],
)
def test_a_layout_file_that_is_not_utf8_is_named_at_its_line(
    mini_project: Path, run_cli: RunCli, name: str, line: int
) -> None:
    # Read as UTF-8 with replacement, a stylesheet once printed "p\ufffdge 2 of 7" in every
    # PDF, and a spoilt fonts.css was blamed on the brand's fonts.
    spoil_line(mini_project / "layouts" / name, line)
    result = run_cli("check", cwd=mini_project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"layouts/{name}:{line}: {NOT_UTF8}"]


def test_a_build_reading_a_stylesheet_that_is_not_utf8_says_so_once_and_keeps_the_pdfs(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    dist = built_mini_project / "dist"
    before = {p.name: p.read_bytes() for p in dist.glob("*.pdf")}
    spoil_line(built_mini_project / "layouts" / "pdf" / "pack.css", 14)
    result = run_cli("build", "--format", "pdf", "--jobs", "1", cwd=built_mini_project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"layouts/pdf/pack.css:14: {NOT_UTF8}"]
    assert {p.name: p.read_bytes() for p in dist.glob("*.pdf")} == before
