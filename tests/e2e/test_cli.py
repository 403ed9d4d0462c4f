"""The command-line contract: commands, exit status 0/1/2, and the exact messages people see."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BUILD_PY, FORMATS, run_script

RunCli = Callable[..., subprocess.CompletedProcess[str]]

CASE = "caerphilly-vision-for-change"


def content_counts(project: Path) -> tuple[int, int, int]:
    content = project / "content"
    cases = len(list((content / "cases").glob("*.md")))
    insights = len(yaml.safe_load((content / "insights.yaml").read_text()))
    places = len(yaml.safe_load((content / "places.yaml").read_text()))
    return cases, insights, places


def listing(run_cli: RunCli, project: Path) -> list[dict[str, Any]]:
    result = run_cli("list", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def test_check_prints_a_one_line_summary_when_the_content_is_clean(
    mini_project: Path, run_cli: RunCli
) -> None:
    result = run_cli("check", cwd=mini_project)
    cases, insights, places = content_counts(mini_project)
    packs = len(listing(run_cli, mini_project))
    assert result.returncode == 0
    assert result.stdout == (
        f"{cases} cases, {insights} insights, {places} places, {packs} packs: no problems\n"
    )
    assert result.stderr == ""


def test_check_reports_each_problem_as_path_line_message_and_exits_1(
    mini_project: Path, run_cli: RunCli
) -> None:
    case = mini_project / "content" / "cases" / f"{CASE}.md"
    lines = case.read_text().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("insight:"))
    lines[number - 1] = "insight: stratgic-planning\n"
    case.write_text("".join(lines))

    result = run_cli("check", cwd=mini_project)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"content/cases/{CASE}.md:{number}: insight: 'stratgic-planning' is not one of: "
    )
    assert "Traceback" not in result.stderr
    # build stops at the same problem before rendering anything.
    built = run_cli(cwd=mini_project)
    assert built.returncode == 1
    assert built.stderr == result.stderr
    assert not (mini_project / "dist").exists()


def test_a_case_s_own_mistake_is_reported_once_not_again_at_a_recipe_naming_it(
    mini_project: Path, run_cli: RunCli
) -> None:
    recipe = mini_project / "content" / "packs" / "picked.yaml"
    recipe.write_text(f"title: Picked by hand\nselect:\n  cases: [{CASE}]\n")
    case = mini_project / "content" / "cases" / f"{CASE}.md"
    case.write_text(case.read_text().replace("insight: strategic-planning", "insight: strategic"))

    result = run_cli("check", cwd=mini_project)

    assert result.returncode == 1
    assert result.stderr == (
        f"content/cases/{CASE}.md:5: insight: 'strategic' is not one of: strategic-planning, "
        "whole-local-resource (did you mean 'strategic-planning'?)\n"
    )


def test_a_recipe_naming_no_case_says_what_a_case_is_not_every_case(
    real_project: Path, run_cli: RunCli
) -> None:
    recipe = real_project / "content" / "packs" / "x.yaml"
    recipe.write_text(
        "title: Test\nselect:\n  cases: [caerphilly-vision-for-chang, newham-50-step]\n"
    )

    result = run_cli("check", cwd=real_project)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "content/packs/x.yaml:3: cases: 'caerphilly-vision-for-chang' is not a case file's "
        "name in content/cases, without .md (did you mean 'caerphilly-vision-for-change'?)\n"
        "content/packs/x.yaml:3: cases: 'newham-50-step' is not a case file's name in "
        "content/cases, without .md (did you mean "
        "'newham-the-50-steps-to-a-healthier-borough'?)\n"
    )
    built = run_cli(cwd=real_project)
    assert built.returncode == 1
    assert built.stderr == result.stderr
    assert not (real_project / "dist").exists()


def test_a_bad_brand_is_a_content_error(mini_project: Path, run_cli: RunCli) -> None:
    result = run_cli("check", "--brand", "no-such-brand", cwd=mini_project)
    assert result.returncode == 1
    assert result.stderr.startswith("layouts/brands:0: brand: 'no-such-brand' is neither")
    assert "Traceback" not in result.stderr


def test_a_content_or_layouts_folder_that_is_missing_or_a_file_is_named(
    tmp_path: Path, run_cli: RunCli
) -> None:
    result = run_cli("check", "--content", "nowhere", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "nowhere:0: content folder does not exist (run Casebook in the project folder, or "
        "give --content FOLDER)" in result.stderr.splitlines()
    )
    (tmp_path / "notes.txt").write_text("not a folder")
    result = run_cli("check", "--content", "notes.txt", cwd=tmp_path)
    assert result.returncode == 1
    assert "notes.txt:0: is a file, not the content folder" in result.stderr.splitlines()
    result = run_cli("check", "--layouts", "notes.txt", cwd=tmp_path)
    assert "notes.txt:0: is a file, not the layouts folder" in result.stderr.splitlines()
    result = run_cli("check", "--layouts", "nowhere", cwd=tmp_path)
    assert (
        "nowhere:0: layouts folder does not exist (run Casebook in the project folder, or "
        "give --layouts FOLDER)" in result.stderr.splitlines()
    )


def test_list_json_gives_every_pack_with_its_cases_in_order(
    mini_project: Path, run_cli: RunCli
) -> None:
    packs = listing(run_cli, mini_project)
    stems = {p.stem for p in (mini_project / "content" / "cases").glob("*.md")}
    recipes = sorted(p.stem for p in (mini_project / "content" / "packs").glob("*.yaml"))
    insights = yaml.safe_load((mini_project / "content" / "insights.yaml").read_text())

    for pack in packs:
        assert set(pack) == {"id", "title", "kind", "cases"}
        assert set(pack["cases"]) <= stems
    ids = [p["id"] for p in packs]
    insight_ids = [f"insight-{i['number']:02d}-{i['id']}" for i in insights]
    assert ids[: len(insight_ids)] == insight_ids
    assert ids[len(insight_ids) :] == ["nation-england", "nation-wales", "all-cases", *recipes]
    everything = next(p for p in packs if p["id"] == "all-cases")
    assert everything["kind"] == "all"
    assert set(everything["cases"]) == stems
    assert [p["kind"] for p in packs] == (
        ["insight"] * len(insight_ids) + ["nation", "nation", "all"] + ["custom"] * len(recipes)
    )


def test_list_prints_each_pack_then_its_cases(mini_project: Path, run_cli: RunCli) -> None:
    result = run_cli("list", cwd=mini_project)
    assert result.returncode == 0
    blocks = result.stdout.strip().split("\n\n")
    packs = listing(run_cli, mini_project)
    assert len(blocks) == len(packs)
    for block, pack in zip(blocks, packs, strict=True):
        lines = block.splitlines()
        count = len(pack["cases"])
        assert lines[0] == f"{pack['id']}  ({pack['kind']}, {count} case{'s' * (count != 1)})"
        assert lines[1] == f"  {pack['title']}"
        assert [line.strip() for line in lines[2:]] == pack["cases"]


@pytest.mark.parametrize(
    ("typed", "hint"),
    [("insight-99", ""), ("all-case", " (did you mean 'all-cases'?)")],
)
def test_an_unknown_pack_id_is_bad_usage_that_lists_the_ids_and_names_the_closest(
    mini_project: Path, run_cli: RunCli, typed: str, hint: str
) -> None:
    result = run_cli("build", "--only", typed, cwd=mini_project)
    ids = ", ".join(p["id"] for p in listing(run_cli, mini_project))
    assert result.returncode == 2
    assert result.stderr == (
        f"build.py: error: no pack with id '{typed}'{hint}; the packs are: {ids}\n"
    )
    assert not (mini_project / "dist").exists()


def test_an_unknown_format_is_bad_usage_and_lists_the_formats(
    mini_project: Path, run_cli: RunCli
) -> None:
    result = run_cli("build", "--format", "pdf", "--format", "odt", cwd=mini_project)
    assert result.returncode == 2
    assert result.stderr == (
        f"build.py: error: no format 'odt'; the formats are: {', '.join(FORMATS)} (or all)\n"
    )
    assert not (mini_project / "dist").exists()


@pytest.mark.parametrize(
    ("label", "why"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        (
            "...",
            "must contain a letter from A to Z (accents allowed) or a digit: the edition's "
            "file is named after them",
        ),
        (
            "第二版",
            "must contain a letter from A to Z (accents allowed) or a digit: the edition's "
            "file is named after them",
        ),
    ],
)
def test_an_edition_label_that_cannot_name_an_edition_is_bad_usage(
    mini_project: Path, run_cli: RunCli, label: str, why: str
) -> None:
    editions = mini_project / "content" / "editions"
    before = sorted(editions.iterdir()) if editions.is_dir() else []
    result = run_cli("edition", label, cwd=mini_project)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: build.py edition ")
    assert result.stderr.endswith(f"build.py edition: error: argument LABEL: {label!r} {why}\n")
    assert (sorted(editions.iterdir()) if editions.is_dir() else []) == before


def test_debug_still_reports_a_mistake_on_the_command_line_in_one_line(
    mini_project: Path, run_cli: RunCli
) -> None:
    # --debug shows tracebacks for unexpected errors, not for a misspelled pack id.
    result = run_cli("build", "--debug", "--only", "insight-99", cwd=mini_project)
    ids = ", ".join(p["id"] for p in listing(run_cli, mini_project))
    assert result.returncode == 2
    assert result.stderr == (
        f"build.py: error: no pack with id 'insight-99'; the packs are: {ids}\n"
    )


UNFORESEEN = """
import sys
import casebook.check
def broken(*args, **kwargs):
    raise RuntimeError("something unforeseen")
casebook.check.check_project = broken
from casebook.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("args", [[], ["--debug"], ["--debug", "check"], ["check", "--debug"]])
def test_debug_before_or_after_the_command_shows_the_traceback_of_an_unexpected_error(
    tmp_path: Path, args: list[str]
) -> None:
    command = args if "check" in args else [*args, "check"]
    result = run_script(UNFORESEEN, *command, cwd=tmp_path)
    assert result.returncode == 1
    if args:
        assert result.stderr.startswith("Traceback (most recent call last):")
        assert result.stderr.endswith("RuntimeError: something unforeseen\n")
    else:
        assert result.stderr == (
            "build.py: error: RuntimeError: something unforeseen (run with --debug for details)\n"
        )


def test_one_format_option_takes_several_names(mini_project: Path, run_cli: RunCli) -> None:
    result = run_cli(
        "build", "--format", "docx", "cards", "--only", "nation-wales", cwd=mini_project
    )
    assert result.returncode == 0, result.stderr
    built = sorted(p.name for p in (mini_project / "dist").glob("nation-wales*"))
    assert built == ["nation-wales.cards.pdf", "nation-wales.docx"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["build", "--jobs", "0"],
            "build.py build: error: argument --jobs: must be at least 1: '0'",
        ),
        (["publish"], "build.py: error: argument COMMAND: invalid choice: 'publish'"),
        # Shown with the usage of the command it was given to.
        (["list", "--everything"], "build.py list: error: unrecognized arguments: --everything"),
        (["--bogus"], "usage: build.py build [-h]"),
        (
            ["compare", "a.docx", "b.docx"],
            "build.py compare: error: unrecognized arguments: b.docx",
        ),
        (
            ["import-seed"],
            "build.py import-seed: error: the following arguments are required: FILE",
        ),
    ],
)
def test_bad_usage_exits_2_with_argparse_message(
    mini_project: Path, run_cli: RunCli, args: list[str], message: str
) -> None:
    result = run_cli(*args, cwd=mini_project)
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.startswith("usage: build.py")


@pytest.mark.parametrize(
    ("command", "option"),
    [
        ("build", "--only ID [ID ...]"),
        ("check", "--layouts DIR"),
        ("list", "--json"),
        ("import-seed", "FILE"),
    ],
)
def test_every_command_has_help(tmp_path: Path, run_cli: RunCli, command: str, option: str) -> None:
    result = run_cli(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: build.py {command}")
    assert option in result.stdout


def test_top_level_help_names_the_commands(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("    ")}
    assert {"build", "check", "list", "import-seed"} <= listed


def test_build_is_the_default_command(mini_project: Path, run_cli: RunCli) -> None:
    result = run_cli("--format", "docx", "--only", "nation-england", cwd=mini_project)
    assert result.returncode == 0, result.stderr
    assert (mini_project / "dist" / "nation-england.docx").is_file()
    assert not (mini_project / "dist" / "nation-england.pdf").exists()
    assert "built   dist/nation-england.docx" in result.stdout


def test_out_content_and_layouts_can_be_elsewhere(
    mini_project: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli(
        "build",
        "--content", str(mini_project / "content"),
        "--layouts", str(mini_project / "layouts"),
        "--out", "packs",
        "--format", "docx",
        "--only", "nation-wales",
        cwd=elsewhere,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (elsewhere / "packs").iterdir()) == [
        ".lock",
        "index.html",
        "manifest.json",
        "nation-wales.docx",
    ]


@pytest.mark.parametrize(
    ("out", "problem"),
    [
        (".", "would hold the content directory content"),
        ("layouts/dist", "is inside the layouts directory layouts"),
    ],
)
def test_the_output_folder_stays_clear_of_content_and_layouts(
    mini_project: Path, run_cli: RunCli, out: str, problem: str
) -> None:
    result = run_cli("build", "--out", out, cwd=mini_project)
    assert result.returncode == 2
    assert result.stderr == (
        f"build.py: error: the output directory {out} {problem}; choose another --out\n"
    )
    assert not (mini_project / "layouts" / "dist").exists()


def test_an_output_folder_that_is_a_file_is_named(mini_project: Path, run_cli: RunCli) -> None:
    (mini_project / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = run_cli("build", "--out", "notes.txt", "--format", "docx", cwd=mini_project)
    assert result.returncode == 2
    assert result.stderr == (
        "build.py: error: notes.txt: is a file, not a folder; give --out a folder\n"
    )
    assert (mini_project / "notes.txt").read_text(encoding="utf-8") == "mine\n"


COUNCIL_PAGE = b"<html><body>Valley Council: bins, libraries, schools</body></html>\n"
REFUSED = "and a build would replace it; choose another --out folder, or move the file"


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` and what it holds."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize(
    ("name", "written", "what"),
    [
        ("index.html", COUNCIL_PAGE, "not a downloads page Casebook wrote"),
        (
            "manifest.json",
            b'{"name": "Valley Council", "start_url": "/"}\n',
            "not a Casebook manifest",
        ),
        ("manifest.json", b"[1, 2]\n", "not a Casebook manifest"),
    ],
    ids=["website-page", "web-app-manifest", "json-list"],
)
def test_an_output_folder_holding_another_program_s_page_or_manifest_is_refused_untouched(
    mini_project: Path, run_cli: RunCli, name: str, written: bytes, what: str
) -> None:
    site = mini_project / "website"
    site.mkdir()
    (site / name).write_bytes(written)
    (site / "style.css").write_bytes(b"body { margin: 0 }\n")
    before = folder_files(site)

    result = run_cli("build", "--out", "website", "--format", "docx", cwd=mini_project)

    assert result.returncode == 1
    assert result.stderr == f"build.py: error: website/{name}: {what}, {REFUSED}\n"
    assert result.stdout == ""
    assert folder_files(site) == before  # nothing replaced, nothing rendered, no lock left
    assert sorted(p.name for p in site.iterdir()) == sorted(before)


def test_a_page_put_in_place_of_casebook_s_is_refused_before_anything_is_rebuilt(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    dist = built_mini_project / "dist"
    (dist / "index.html").write_bytes(COUNCIL_PAGE)
    before = folder_files(dist)

    result = run_cli("--force", cwd=built_mini_project)

    assert result.returncode == 1
    assert result.stderr == (
        f"build.py: error: dist/index.html: not a downloads page Casebook wrote, {REFUSED}\n"
    )
    assert result.stdout == ""
    assert folder_files(dist) == before


@pytest.mark.parametrize("page", ["this-version", "before-the-generator-tag"])
def test_casebook_s_own_page_is_replaced_even_without_its_manifest(
    built_mini_project: Path, run_cli: RunCli, page: str
) -> None:
    dist = built_mini_project / "dist"
    (dist / "manifest.json").unlink()
    index = dist / "index.html"
    text = index.read_text(encoding="utf-8")
    assert '<meta name="generator" content="Casebook ' in text
    if page == "before-the-generator-tag":
        lines = text.splitlines(keepends=True)
        index.write_text("".join(x for x in lines if 'name="generator"' not in x))

    result = run_cli("--format", "docx", cwd=built_mini_project)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    # Written again, for the files the new manifest records.
    page = index.read_text(encoding="utf-8")
    assert '<meta name="generator" content="Casebook ' in page
    assert 'href="nation-england.docx"' in page
    assert 'href="nation-england.pdf"' not in page
    assert (dist / "manifest.json").is_file()


def test_import_seed_writes_the_cases_it_reports(
    mini_project: Path, run_cli: RunCli, seed_file: Path
) -> None:
    content = mini_project / "content"
    real = Path(__file__).resolve().parents[2] / "content"
    for name in ("insights.yaml", "places.yaml", "tags.yaml"):
        (content / name).write_bytes((real / name).read_bytes())
    for case in (content / "cases").glob("*.md"):
        case.unlink()

    result = run_cli("import-seed", str(seed_file), cwd=mini_project)

    assert result.returncode == 0, result.stderr
    written = sorted((content / "cases").glob("*.md"))
    assert written
    assert result.stdout == f"{len(written)} cases imported into content/cases\n"


def test_import_seed_of_a_missing_or_binary_file_is_an_error(
    mini_project: Path, run_cli: RunCli
) -> None:
    (mini_project / "seed.bin").write_bytes(b"\x7fELF\x02\x01\xd0\xff")
    missing = run_cli("import-seed", "no-such-seed.txt", cwd=mini_project)
    binary = run_cli("import-seed", "seed.bin", cwd=mini_project)
    assert missing.returncode == binary.returncode == 1
    assert missing.stderr == (
        "no-such-seed.txt:0: cannot read the seed: No such file or directory\n"
    )
    assert binary.stderr == "seed.bin:0: cannot read the seed: it is not UTF-8 text\n"


def test_check_reads_the_downloads_page_template(mini_project: Path, run_cli: RunCli) -> None:
    template = mini_project / "layouts" / "site" / "index.html.j2"
    lines = template.read_text().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if "{% for card in cards %}" in line)
    lines[number - 1] = "{% for card in cards %\n"
    template.write_text("".join(lines))

    result = run_cli("check", cwd=mini_project)

    assert result.returncode == 1
    assert result.stderr.startswith("layouts/site/index.html.j2:")
    assert "Traceback" not in result.stderr


SITE_TEMPLATE = "layouts/site/index.html.j2"


def test_a_downloads_page_template_without_the_generator_tag_is_named(
    mini_project: Path, run_cli: RunCli
) -> None:
    template = mini_project / SITE_TEMPLATE
    lines = template.read_text(encoding="utf-8").splitlines(keepends=True)
    template.write_text("".join(x for x in lines if 'name="generator"' not in x))
    expected = (
        f"{SITE_TEMPLATE}:0: the page must say "
        '<meta name="generator" content="{{ generator }}"> in its <head>: '
        "a build replaces only a downloads page that says so\n"
    )

    check = run_cli("check", cwd=mini_project)
    build = run_cli("--format", "docx", cwd=mini_project)

    assert (check.returncode, check.stderr) == (1, expected)
    assert (build.returncode, build.stderr) == (1, expected)
    assert not (mini_project / "dist").exists()


def break_site_template(project: Path, after: str, mistake: str) -> int:
    """Put ``mistake`` on a line of its own after the first line of the downloads page's
    template that holds ``after``; the number of the line it is on."""
    template = project / SITE_TEMPLATE
    lines = template.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if after in line) + 1
    lines.insert(number - 1, f"{mistake}\n")
    template.write_text("".join(lines), encoding="utf-8")
    return number


@pytest.mark.parametrize(
    ("mistake", "message"),
    [
        pytest.param("{{ nosuch_thing.x }}", "'nosuch_thing' is undefined", id="undefined"),
        pytest.param(
            "{{ card.cases // 0 }}", "integer division or modulo by zero", id="arithmetic"
        ),
        pytest.param(
            "{{ cards.__class__ }}",
            "access to attribute '__class__' of 'list' object is unsafe.",
            id="unsafe",
        ),
    ],
)
def test_a_mistake_in_the_downloads_page_template_is_reported_at_its_line(
    mini_project: Path, run_cli: RunCli, mistake: str, message: str
) -> None:
    line = break_site_template(mini_project, "{% for card in cards %}", mistake)

    result = run_cli("--format", "docx", cwd=mini_project)

    assert result.returncode == 1
    assert result.stderr == f"{SITE_TEMPLATE}:{line}: {message}\n"


@pytest.mark.parametrize(
    ("after", "mistake"),
    [
        pytest.param("{% for card in cards %}", "{{ nosuch_thing.x }}", id="every-pack"),
        pytest.param("{% for d in card.downloads %}", "{{ nosuch_thing.x }}", id="every-file"),
        pytest.param(
            "{% for d in card.downloads %}",
            "{% if d.stale %}{{ nosuch_thing.x }}{% endif %}",
            id="a-file-not-yet-updated",
        ),
        pytest.param('class="missing"', "{{ nosuch_thing.x }}", id="a-pack-not-yet-built"),
    ],
)
def test_check_runs_the_downloads_page_template_with_the_packs(
    mini_project: Path, run_cli: RunCli, after: str, mistake: str
) -> None:
    """A mistake in the part of the page drawn for each pack and each of its files is found
    before a build, as in the PDF templates."""
    line = break_site_template(mini_project, after, mistake)

    result = run_cli("check", cwd=mini_project)

    assert result.returncode == 1
    assert result.stderr == f"{SITE_TEMPLATE}:{line}: 'nosuch_thing' is undefined\n"


@pytest.mark.parametrize(
    ("template", "after"),
    [
        ("pack.html.j2", "{% for case in group.cases %}"),
        ("cards.html.j2", "{% for card in cards %}"),
    ],
)
def test_a_python_error_in_a_pdf_template_is_reported_at_its_line(
    mini_project: Path, run_cli: RunCli, template: str, after: str
) -> None:
    # Not Jinja's own errors: what an expression raises, as a division by zero.
    path = mini_project / "layouts" / "pdf" / template
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines, 1) if after in text) + 1
    lines.insert(line - 1, "{{ 1 // 0 }}\n")
    path.write_text("".join(lines), encoding="utf-8")

    result = run_cli("check", cwd=mini_project)

    assert result.returncode == 1
    assert result.stderr == f"layouts/pdf/{template}:{line}: integer division or modulo by zero\n"


@pytest.mark.parametrize(
    ("template", "formats"),
    [("pack.html.j2", ("pdf", "large-print")), ("cards.html.j2", ("cards",))],
)
def test_a_pdf_template_mistake_is_reported_once_by_the_build_as_check_reports_it(
    mini_project: Path, run_cli: RunCli, template: str, formats: tuple[str, ...]
) -> None:
    path = mini_project / "layouts" / "pdf" / template
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "{{ 1 // 0 }}\n", encoding="utf-8")
    line = text.count("\n") + 1
    packs = [p["id"] for p in listing(run_cli, mini_project)]
    options = [arg for name in formats for arg in ("--format", name)]

    checked = run_cli("check", cwd=mini_project)
    built = run_cli(*options, "--jobs", "2", cwd=mini_project)

    message = f"layouts/pdf/{template}:{line}: integer division or modulo by zero\n"
    assert checked.returncode == 1
    assert checked.stderr == message
    # Every output that uses the template fails, and is named; the mistake is said once.
    assert built.returncode == 1
    assert built.stderr == message
    failed = len(packs) * len(formats)
    assert built.stdout.count("failed  dist/") == failed
    assert f"\n0 built, 0 up to date, {failed} failed in " in built.stdout
    assert not [p.name for p in (mini_project / "dist").iterdir() if p.suffix == ".pdf"]


LANGUAGE_MESSAGE = (
    "the page it makes does not say its language, which a tagged PDF must: its root element "
    'needs one, as in <html lang="{{ doc.lang }}">'
)
CARD_MESSAGE = (
    'a card in the page it makes has no element of class "{part}": each card is an element of '
    'class "card" with id="{{{{ card.id }}}}", holding one of class "card-content" and the '
    'columns of its text, class "card-column", both with data-card="{{{{ card.id }}}}"'
)


@pytest.mark.parametrize(
    ("template", "change", "formats", "message"),
    [
        ("pack.html.j2", ("*", ""), ("pdf", "large-print"), f"1: {LANGUAGE_MESSAGE}"),
        (
            "pack.html.j2",
            ('<html lang="{{ doc.lang }}">', "<html>"),
            ("pdf", "large-print"),
            f"2: {LANGUAGE_MESSAGE}",
        ),
        ("cards.html.j2", ("*", ""), ("cards",), f"1: {LANGUAGE_MESSAGE}"),
        (
            "cards.html.j2",
            ("*", '<html lang="{{ doc.lang }}">\n<body></body>\n</html>\n'),
            ("cards",),
            f"1: {CARD_MESSAGE.format(part='card')}",
        ),
        (
            "cards.html.j2",
            ('<div class="card-column" data-card="{{ card.id }}">', '<div class="card-column">'),
            ("cards",),
            f"49: {CARD_MESSAGE.format(part='card-column')}",
        ),
    ],
    ids=["empty-pack", "pack-without-lang", "empty-cards", "no-cards", "cards-without-column-ids"],
)
def test_a_pdf_template_that_makes_an_unusable_page_fails_check_as_it_fails_the_build(
    mini_project: Path,
    run_cli: RunCli,
    template: str,
    change: tuple[str, str],
    formats: tuple[str, ...],
    message: str,
) -> None:
    # Runs without a mistake, but makes a page the PDF cannot be made from.
    path = mini_project / "layouts" / "pdf" / template
    text = path.read_text(encoding="utf-8")
    old, new = change
    assert old == "*" or old in text
    path.write_text(new if old == "*" else text.replace(old, new), encoding="utf-8")
    options = [arg for name in formats for arg in ("--format", name)]

    checked = run_cli("check", cwd=mini_project)
    built = run_cli(*options, "--jobs", "2", cwd=mini_project)

    assert checked.returncode == 1
    assert checked.stderr == f"layouts/pdf/{template}:{message}\n"
    assert built.returncode == 1
    assert built.stderr == f"layouts/pdf/{template}:{message}\n"
    assert not [p.name for p in (mini_project / "dist").iterdir() if p.suffix == ".pdf"]


@pytest.mark.parametrize("damage", ["missing", "damaged"])
def test_a_font_fault_is_reported_once_by_the_build_as_check_reports_it(
    mini_project: Path, run_cli: RunCli, damage: str
) -> None:
    font = mini_project / "layouts" / "fonts" / "NotoSans-Bold.ttf"
    if damage == "missing":
        font.unlink()
        css = (mini_project / "layouts" / "pdf" / "fonts.css").read_text(encoding="utf-8")
        line = css[: css.index("NotoSans-Bold.ttf")].count("\n") + 1
        message = (
            f"layouts/pdf/fonts.css:{line}: src: ../fonts/NotoSans-Bold.ttf "
            "(for Noto Sans 700 normal) does not exist\n"
        )
    else:
        font.write_text("not a font\n")
        message = (
            "layouts/fonts/NotoSans-Bold.ttf:0: is damaged or not a font: "
            "Not a TrueType or OpenType font (not enough data)\n"
        )
    packs = [p["id"] for p in listing(run_cli, mini_project)]

    checked = run_cli("check", cwd=mini_project)
    built = run_cli("--format", "pdf", "--format", "large-print", "--jobs", "2", cwd=mini_project)

    assert checked.returncode == 1
    assert checked.stderr == message
    # Every PDF fails, and is named; what they share is said once, where check says it.
    assert built.returncode == 1
    assert built.stderr == message
    assert built.stdout.count("failed  dist/") == 2 * len(packs)
    assert not [p.name for p in (mini_project / "dist").iterdir() if p.suffix == ".pdf"]


def test_a_missing_file_a_stylesheet_names_is_reported_once_by_the_build_at_its_line(
    mini_project: Path, run_cli: RunCli
) -> None:
    css = mini_project / "layouts" / "pdf" / "pack.css"
    text = css.read_text(encoding="utf-8")
    css.write_text(text + '\nh1 { background: url("../images/band.png") }\n', encoding="utf-8")
    message = (
        f"layouts/pdf/pack.css:{text.count(chr(10)) + 2}: url(../images/band.png): no such file\n"
    )
    packs = [p["id"] for p in listing(run_cli, mini_project)]

    checked = run_cli("check", cwd=mini_project)
    built = run_cli("--format", "pdf", "--jobs", "2", cwd=mini_project)

    assert checked.returncode == 1
    assert checked.stderr == message
    assert built.returncode == 1
    assert built.stderr == message
    assert built.stdout.count("failed  dist/") == len(packs)


def test_warnings_are_printed_but_do_not_fail(mini_project: Path, run_cli: RunCli) -> None:
    case = mini_project / "content" / "cases" / f"{CASE}.md"
    case.write_text(case.read_text() + "\nA bell\x07 pasted from a web page.\n")

    checked = run_cli("check", cwd=mini_project)
    built = run_cli("--format", "docx", "--only", "all-cases", cwd=mini_project)

    assert checked.returncode == 0
    assert checked.stdout.endswith(": no problems, 1 warning\n")
    warning = checked.stderr.strip()
    assert warning.startswith(f"content/cases/{CASE}.md:")
    assert ": warning: " in warning
    assert built.returncode == 0, built.stderr
    assert built.stderr.strip() == warning


@pytest.mark.parametrize("command", ["check", "build"])
def test_content_and_layout_problems_are_reported_together(
    mini_project: Path, run_cli: RunCli, command: str
) -> None:
    case = mini_project / "content" / "cases" / f"{CASE}.md"
    case.write_text(case.read_text().replace("insight: strategic-planning", "insight: nowhere"))

    result = run_cli(command, "--brand", "no-such-brand", cwd=mini_project)

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"content/cases/{CASE}.md:") for line in lines)
    assert any(line.startswith("layouts/brands:0: brand: 'no-such-brand'") for line in lines)


def test_a_reader_that_stops_early_is_not_an_error(mini_project: Path) -> None:
    # ``build.py list | head -1`` under ``set -o pipefail`` must not fail the script; a
    # reader that reads nothing at all closes the pipe before the first line is written.
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{sys.executable} {BUILD_PY} list | true"],
        cwd=mini_project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert result.stderr == ""
