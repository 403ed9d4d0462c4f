"""End to end: ``python build.py`` on the mini fixture project, as an editor runs it."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import FIRST_BUILD_LOG, SUFFIXES, TWO_FORMAT_OPTIONS, TWO_FORMATS, TWO_SUFFIXES
from pypdf import PdfReader

from casebook.renderers import BUILTIN

RunCli = Callable[..., subprocess.CompletedProcess[str]]
StartCli = Callable[..., "subprocess.Popen[str]"]


def manifest(project: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((project / "dist" / "manifest.json").read_text())
    return data


def outputs(project: Path) -> dict[str, dict[str, object]]:
    entries = manifest(project)["outputs"]
    assert isinstance(entries, list)
    return {str(o["path"]): o for o in entries}


def packs(run_cli: RunCli, project: Path) -> list[dict[str, Any]]:
    listing = run_cli("list", "--json", cwd=project)
    assert listing.returncode == 0, listing.stderr
    data: list[dict[str, Any]] = json.loads(listing.stdout)
    return data


def built(stdout: str) -> set[str]:
    """The outputs a build's log says it rendered."""
    return set(re.findall(r"^built\s+dist/(\S+) ", stdout, re.MULTILINE))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def assert_consistent(project: Path) -> None:
    """The manifest describes exactly the files on disk, and no temporary file is left."""
    dist = project / "dist"
    for name, record in outputs(project).items():
        assert (dist / name).is_file(), name
        assert sha256(dist / name) == record["sha256"], name
        assert (dist / name).stat().st_size == record["bytes"], name
    assert not list(dist.glob(".*.tmp-*"))


def test_first_build_writes_every_pack_and_a_noop_rebuild_renders_nothing(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    mini_project = built_mini_project  # the first build is the shared one
    first = (mini_project / FIRST_BUILD_LOG).read_text(encoding="utf-8")
    expected = {f"{p['id']}{suffix}" for p in packs(run_cli, mini_project) for suffix in SUFFIXES}
    assert built(first) == expected
    assert set(outputs(mini_project)) == expected
    assert_consistent(mini_project)
    labels = {spec.name: spec.label for spec in BUILTIN}
    for record in outputs(mini_project).values():
        assert record["label"] == labels[str(record["format"])]
        if str(record["path"]).endswith(".pdf"):
            assert isinstance(record["pages"], int)
            assert (
                len(PdfReader(mini_project / "dist" / str(record["path"])).pages)
                == (record["pages"])
            )
        else:
            assert record["pages"] is None
    # The packs and the downloads page are not touched (the manifest may record a new stamp).
    files = [mini_project / "dist" / name for name in [*expected, "index.html"]]
    mtimes = {p.name: p.stat().st_mtime_ns for p in files}

    noop = run_cli(cwd=mini_project, python_flags=("-X", "importtime"))
    assert noop.returncode == 0, noop.stderr
    assert built(noop.stdout) == set()
    assert f"0 built, {len(expected)} up to date" in noop.stdout
    imported = {line.split("|")[-1].strip() for line in noop.stderr.splitlines() if "|" in line}
    assert "weasyprint" not in imported
    assert "docx" not in imported
    assert not {module for spec in BUILTIN for module in spec.modules} & imported
    after = {p.name: p.stat().st_mtime_ns for p in files}
    assert after == mtimes


def test_saving_a_file_without_changing_it_renders_nothing(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    case = next((built_mini_project / "content" / "cases").glob("*.md"))
    case.write_bytes(case.read_bytes())  # an editor saves without changing anything
    os.utime(case, ns=(time.time_ns(), time.time_ns()))
    result = run_cli(cwd=built_mini_project, python_flags=("-X", "importtime"))
    assert result.returncode == 0, result.stderr
    assert built(result.stdout) == set()
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "casebook.content" in imported  # the content was read again, not trusted
    assert "weasyprint" not in imported and "docx" not in imported
    assert_consistent(built_mini_project)


def test_editing_one_case_rebuilds_exactly_the_packs_that_show_it(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    before = outputs(built_mini_project)
    case_id = "newham-the-50-steps-to-a-healthier-borough"
    holding = {str(p["id"]) for p in packs(run_cli, built_mini_project) if case_id in p["cases"]}
    assert holding and len(holding) < len(packs(run_cli, built_mini_project))

    path = built_mini_project / "content" / "cases" / f"{case_id}.md"
    path.write_text(path.read_text() + "\nA sentence an editor added in Newham.\n")
    result = run_cli(cwd=built_mini_project)

    assert result.returncode == 0, result.stderr
    expected = {f"{pack}{suffix}" for pack in holding for suffix in SUFFIXES}
    assert built(result.stdout) == expected
    after = outputs(built_mini_project)
    changed = {name for name in after if after[name]["sha256"] != before[name]["sha256"]}
    assert changed == expected
    for name in sorted(n for n in expected if n.endswith(".pdf")):
        text = " ".join(pdf_text(built_mini_project / "dist" / name).split())
        assert "A sentence an editor added in Newham." in text, name
    assert_consistent(built_mini_project)


def test_a_build_of_some_formats_is_a_noop_like_a_whole_one_and_never_hides_the_rest(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    def imported(result: subprocess.CompletedProcess[str]) -> set[str]:
        return {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}

    importtime = ("-X", "importtime")
    assert built(run_cli(cwd=built_mini_project).stdout) == set()  # the stamp for this folder
    pdfs = run_cli("--format", "pdf", cwd=built_mini_project, python_flags=importtime)
    assert pdfs.returncode == 0, pdfs.stderr
    names = [p["id"] for p in packs(run_cli, built_mini_project)]
    assert f"0 built, {len(names)} up to date" in pdfs.stdout
    assert "casebook.content" not in imported(pdfs)
    whole = run_cli(cwd=built_mini_project, python_flags=importtime)
    assert "casebook.content" not in imported(whole)  # the shortcut outlives the part build

    case_id = "north-wales-regional-population-needs-assessment"
    holding = {str(p["id"]) for p in packs(run_cli, built_mini_project) if case_id in p["cases"]}
    path = built_mini_project / "content" / "cases" / f"{case_id}.md"
    path.write_text(path.read_text() + "\nA sentence an editor added.\n")
    words = run_cli("--format", "docx", cwd=built_mini_project)
    assert built(words.stdout) == {f"{pack}.docx" for pack in holding}
    # The files not built yet are said to be older, in the manifest and on the downloads page.
    older = {f"{pack}{suffix}" for pack in holding for suffix in SUFFIXES if suffix != ".docx"}
    assert set(manifest(built_mini_project)["out_of_date"]) == older  # type: ignore[arg-type]
    assert stale_links(built_mini_project) == older
    # A build of some formats never records the stamp: the whole build after it renders the
    # edited packs' other formats.
    rest = run_cli(cwd=built_mini_project)
    assert rest.returncode == 0, rest.stderr
    assert built(rest.stdout) == older
    assert manifest(built_mini_project)["out_of_date"] == []
    assert stale_links(built_mini_project) == set()
    assert built(run_cli(cwd=built_mini_project).stdout) == set()
    assert_consistent(built_mini_project)


def stale_links(project: Path) -> set[str]:
    """The files the downloads page says are not yet updated with the latest changes."""
    import lxml.html

    page = lxml.html.parse(str(project / "dist" / "index.html")).getroot()
    found = set()
    for link in page.iterfind(".//a[@href]"):
        if "download" not in (link.get("class") or "").split():
            continue
        said = " ".join(link.text_content().split())
        if "Not yet updated with the latest changes" in said:
            assert "not yet updated with the latest changes" in link.get("aria-label")
            found.add(link.get("href"))
    return found


def test_editing_one_prompt_rebuilds_exactly_the_packs_that_show_its_case(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    before = outputs(built_mini_project)
    case_id = "north-wales-regional-population-needs-assessment"
    holding = {str(p["id"]) for p in packs(run_cli, built_mini_project) if case_id in p["cases"]}
    assert holding and len(holding) < len(packs(run_cli, built_mini_project))

    path = built_mini_project / "content" / "cases" / f"{case_id}.md"
    old = "who used it?"
    new = "who in your area has read it since?"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    result = run_cli(*TWO_FORMAT_OPTIONS, cwd=built_mini_project)

    assert result.returncode == 0, result.stderr
    expected = {f"{pack}{suffix}" for pack in holding for suffix in TWO_SUFFIXES}
    assert built(result.stdout) == expected
    after = outputs(built_mini_project)
    changed = {name for name in after if after[name]["sha256"] != before[name]["sha256"]}
    assert changed == expected
    for pack in holding:
        text = " ".join(pdf_text(built_mini_project / "dist" / f"{pack}.pdf").split())
        assert new in text and old not in text
    assert_consistent(built_mini_project)


def test_changing_a_layout_file_rebuilds_what_reads_it(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    from casebook.layout import load_layout
    from casebook.renderers import layout_files

    css = built_mini_project / "layouts" / "pdf" / "pack.css"
    layout = load_layout(built_mini_project / "layouts")
    reading = {
        spec.name
        for spec in BUILTIN
        if css.resolve() in {f.resolve() for f in layout_files(spec, layout)}
    }
    assert "pdf" in reading and "docx" not in reading
    css.write_text(css.read_text() + "\n/* an editor's change */\n")
    result = run_cli(*TWO_FORMAT_OPTIONS, cwd=built_mini_project)
    assert result.returncode == 0, result.stderr
    assert built(result.stdout) == {
        name
        for name, record in outputs(built_mini_project).items()
        if record["format"] in reading and record["format"] in TWO_FORMATS
    }


@pytest.mark.parametrize(
    ("name", "formats"),
    [
        ("cards.css", {"cards"}),
        ("large-print.css", {"large-print"}),
        ("pack.css", {"pdf", "large-print"}),  # large print is the pack, restyled
    ],
)
def test_changing_a_print_format_s_stylesheet_rebuilds_that_format_only(
    built_mini_project: Path, run_cli: RunCli, name: str, formats: set[str]
) -> None:
    css = built_mini_project / "layouts" / "pdf" / name
    css.write_text(css.read_text() + "\n/* an editor's change */\n")
    result = run_cli("build", cwd=built_mini_project)
    assert result.returncode == 0, result.stderr
    assert built(result.stdout) == {
        path for path, record in outputs(built_mini_project).items() if record["format"] in formats
    }


def test_a_comment_line_in_a_case_rebuilds_nothing(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    # It moves every field below it a line down: the case is the same case.
    case = built_mini_project / "content" / "cases" / "newport-mapping-local-assets.md"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("---\n", "---\n# checked against the report\n", 1))
    result = run_cli(*TWO_FORMAT_OPTIONS, cwd=built_mini_project)
    assert result.returncode == 0, result.stderr
    assert built(result.stdout) == set()


def test_spaces_and_blank_lines_that_print_nothing_rebuild_nothing(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    case = built_mini_project / "content" / "cases" / "newport-mapping-local-assets.md"
    text = case.read_text(encoding="utf-8")
    record = (built_mini_project / "dist" / "manifest.json").read_bytes()
    # A space at the start of a line and at the end of another, and blank lines at the end.
    respaced = text.replace("\n3. use", "\n 3. use").replace("programme:\n", "programme: \n")
    case.write_text(respaced + "\n\n", encoding="utf-8")
    result = run_cli(*TWO_FORMAT_OPTIONS, cwd=built_mini_project)
    assert result.returncode == 0, result.stderr
    assert built(result.stdout) == set()
    assert (built_mini_project / "dist" / "manifest.json").read_bytes() == record

    # The same words printed otherwise: "3." joins the list item before it.
    case.write_text(text.replace("\n3. use", "\n   3. use"), encoding="utf-8")
    result = run_cli(*TWO_FORMAT_OPTIONS, cwd=built_mini_project)
    assert result.returncode == 0, result.stderr
    holding = [p["id"] for p in packs(run_cli, built_mini_project) if case.stem in p["cases"]]
    assert built(result.stdout) == {f"{p}{s}" for p in holding for s in TWO_SUFFIXES}


def test_a_comment_in_brand_yaml_rebuilds_nothing_and_a_colour_rebuilds_every_output(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    # brand.yaml counts by the brand it gives, as the content files do.
    brand = built_mini_project / "layouts" / "brand.yaml"
    text = brand.read_text(encoding="utf-8")
    assert "paper: A4" in text and 'primary: "#1f4e79"' in text
    brand.write_text(
        text.replace("paper: A4", "# Letter in the United States\npaper: A4  # checked"),
        encoding="utf-8",
    )
    noted = run_cli(*TWO_FORMAT_OPTIONS, cwd=built_mini_project)
    brand.write_text(text.replace('primary: "#1f4e79"', 'primary: "#1f4e78"'), encoding="utf-8")
    recoloured = run_cli(*TWO_FORMAT_OPTIONS, cwd=built_mini_project)

    assert noted.returncode == 0, noted.stderr
    assert built(noted.stdout) == set()
    assert recoloured.returncode == 0, recoloured.stderr
    assert built(recoloured.stdout) == {
        name
        for name, record in outputs(built_mini_project).items()
        if record["format"] in TWO_FORMATS
    }


CARDS_NOTE = (
    "Case cards print two cards to an A4 sheet: cut along the dashed line. Each card holds "
    "one case, its prompts and where it comes from, for groups to read, sort and compare."
)
LARGE_PRINT_NOTE = (
    "Large print is the PDF pack set in 16 pt type or larger, for anyone who asks for it."
)


def _page_text(project: Path) -> str:
    page = (project / "dist" / "index.html").read_text(encoding="utf-8")
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_the_downloads_page_says_how_to_use_cards_and_large_print(
    built_mini_project: Path,
) -> None:
    every_format = _page_text(built_mini_project)
    assert CARDS_NOTE in every_format
    assert LARGE_PRINT_NOTE in every_format


def test_the_downloads_page_explains_only_the_formats_it_lists(
    mini_project: Path, run_cli: RunCli
) -> None:
    result = run_cli("--format", "docx", cwd=mini_project)
    assert result.returncode == 0, result.stderr
    word_only = _page_text(mini_project)
    assert "Word files keep real headings" in word_only
    assert "Case cards" not in word_only
    assert "Large print" not in word_only


def test_deleting_a_recipe_removes_its_outputs(built_mini_project: Path, run_cli: RunCli) -> None:
    recipe = next((built_mini_project / "content" / "packs").glob("*.yaml"))
    pack_id = recipe.stem
    assert (built_mini_project / "dist" / f"{pack_id}.pdf").is_file()

    recipe.unlink()
    result = run_cli(cwd=built_mini_project)

    assert result.returncode == 0, result.stderr
    page = (built_mini_project / "dist" / "index.html").read_text()
    for suffix in SUFFIXES:
        assert not (built_mini_project / "dist" / f"{pack_id}{suffix}").exists()
        assert f"removed dist/{pack_id}{suffix} (its pack no longer exists)" in result.stdout
        assert f'href="{pack_id}{suffix}"' not in page
    assert not any(name.startswith(f"{pack_id}.") for name in outputs(built_mini_project))
    packs_listed = manifest(built_mini_project)["packs"]
    assert isinstance(packs_listed, list)
    assert pack_id not in {p["id"] for p in packs_listed}
    assert built(result.stdout) == set()
    assert_consistent(built_mini_project)


def test_a_figure_that_is_not_an_image_stops_the_build_before_anything_is_written(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    before = {p.name: p.read_bytes() for p in (built_mini_project / "dist").glob("*.*")}
    # An editor adds a figure whose file turns out not to be an image at all.
    case_id = "newport-mapping-local-assets"
    (built_mini_project / "content" / "media" / "assets-map.svg").write_text("not an image\n")
    case = built_mini_project / "content" / "cases" / f"{case_id}.md"
    case.write_text(case.read_text() + "\n![A map of local assets](media/assets-map.svg)\n")
    line = case.read_text().split("\n").index("![A map of local assets](media/assets-map.svg)") + 1
    # ... and, in the same edit, a change to the guide that every pack shows.
    guide = built_mini_project / "content" / "guide.md"
    guide.write_text(guide.read_text() + "\nBring a printed copy for every two people.\n")

    result = run_cli(*TWO_FORMAT_OPTIONS, cwd=built_mini_project)

    # Found before rendering, like any content error: every previous file is kept.
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"content/cases/{case_id}.md:{line}: image 'media/assets-map.svg' cannot be drawn: it "
        "is not a well-formed SVG file (line 1: syntax error)"
    ]
    after = {p.name: p.read_bytes() for p in (built_mini_project / "dist").glob("*.*")}
    assert {n: d for n, d in after.items() if n != ".lock"} == before
    assert_consistent(built_mini_project)
    # Once the figure is a picture, the next build brings every pack up to date.
    (built_mini_project / "content" / "media" / "assets-map.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" '
        'height="20"/></svg>'
    )
    retry = run_cli(*TWO_FORMAT_OPTIONS, cwd=built_mini_project)
    assert retry.returncode == 0, retry.stderr
    assert "Bring a printed copy" in pdf_text(built_mini_project / "dist" / "all-cases.pdf")


def test_a_case_too_long_for_a_card_fails_its_cards_and_keeps_the_previous_ones(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    # An editor adds five paragraphs to a case: more than a card holds at its smallest size.
    case_id = "caerphilly-vision-for-change"
    case = built_mini_project / "content" / "cases" / f"{case_id}.md"
    more = "".join(f"\n{'Six more words of the case here. ' * 40}\n" for _ in range(5))
    text = case.read_text()
    case.write_text(text + more)
    # Reported where the case's text starts, after its front matter: line 11.
    start = 11
    assert text.split("\n")[start - 1].startswith("Caerphilly worked with Public Health Wales")
    dist = built_mini_project / "dist"
    showing = [p["id"] for p in packs(run_cli, built_mini_project) if case_id in p["cases"]]
    before = {pack: (dist / f"{pack}.cards.pdf").read_bytes() for pack in showing}

    result = run_cli("build", cwd=built_mini_project)

    # The cards of each pack that shows the case fail, each naming the case's file; nothing
    # is clipped: the previous cards stay, listed and shown as out of date. The other
    # formats are brought up to date.
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "too long for a case card" in line]
    assert len(errors) == len(showing)
    for pack, error in zip(sorted(showing), sorted(errors), strict=True):
        assert re.fullmatch(
            re.escape(
                f"content/cases/{case_id}.md:{start}: too long for a case card: its text, "
                "prompts and "
                "citation need 999% more room than one A5 card has at 8.5 pt, the smallest "
                f"size cards use (case cards of {pack}; the first card also holds the pack's "
                "title)"
            ).replace("999", r"\d+"),
            error,
        ), error
    for pack in showing:
        assert (dist / f"{pack}.cards.pdf").read_bytes() == before[pack], pack
        assert "Six more words" in pdf_text(dist / f"{pack}.large-print.pdf"), pack
    assert sorted(manifest(built_mini_project)["out_of_date"]) == sorted(  # type: ignore[arg-type]
        f"{pack}.cards.pdf" for pack in showing
    )
    page = (dist / "index.html").read_text(encoding="utf-8")
    assert page.count("Not yet updated with the latest changes") == len(showing)
    assert_consistent(built_mini_project)


def test_a_build_waits_for_another_build_holding_the_lock(
    mini_project: Path, start_cli: StartCli
) -> None:
    dist = mini_project / "dist"
    dist.mkdir()
    with open(dist / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        waiting = start_cli("--format", "pdf", "--only", "nation-england", cwd=mini_project)
        assert waiting.stderr is not None
        line = waiting.stderr.readline()
        assert line == "another build is writing dist/ (lock held): waiting\n"
        time.sleep(0.5)
        assert waiting.poll() is None
        assert not (dist / "nation-england.pdf").exists()
    _stdout, stderr = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, stderr
    assert (dist / "nation-england.pdf").is_file()


def test_two_concurrent_builds_leave_a_consistent_dist(
    mini_project: Path, run_cli: RunCli, start_cli: StartCli
) -> None:
    assert run_cli("--format", "pdf", cwd=mini_project).returncode == 0
    case = mini_project / "content" / "cases" / "caerphilly-vision-for-change.md"
    case.write_text(case.read_text() + "\nA late correction.\n")
    procs = [
        start_cli(*args, cwd=mini_project)
        for args in (["--force", *TWO_FORMAT_OPTIONS], ["--format", "pdf"])
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert_consistent(mini_project)
    expected = {f"{p['id']}{s}" for p in packs(run_cli, mini_project) for s in TWO_SUFFIXES}
    assert set(outputs(mini_project)) == expected
    final = run_cli(*TWO_FORMAT_OPTIONS, cwd=mini_project)
    assert final.returncode == 0
    assert built(final.stdout) == set()


def test_temporary_files_left_by_a_killed_build_are_removed(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    leftover = built_mini_project / "dist" / ".all-cases.pdf.tmp-k1ll3d"
    leftover.write_bytes(b"%PDF-1.7 half a file")
    result = run_cli("--format", "pdf", cwd=built_mini_project)
    assert result.returncode == 0
    assert not leftover.exists()
    assert built(result.stdout) == set()


def test_a_build_leaves_nothing_in_the_temporary_folder(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = run_cli(*TWO_FORMAT_OPTIONS, cwd=mini_project, env={"TMPDIR": str(scratch)})
    assert result.returncode == 0, result.stderr
    assert built(result.stdout)
    assert os.listdir(scratch) == []


def test_a_render_over_the_time_limit_fails_with_a_clear_message(
    mini_project: Path, run_cli: RunCli
) -> None:
    result = run_cli(
        "--format", "pdf", "--only", "all-cases",
        cwd=mini_project,
        env={"CASEBOOK_TIME_LIMIT": "0.001"},
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "dist/all-cases.pdf: render failed: took longer than the limit of 0.001 seconds\n"
    )
    assert not (mini_project / "dist" / "all-cases.pdf").exists()
    assert sorted(os.listdir(mini_project / "dist")) == [".lock", "index.html", "manifest.json"]


def test_an_interrupted_build_keeps_dist_consistent_and_the_next_build_finishes_the_work(
    built_mini_project: Path, run_cli: RunCli, start_cli: StartCli
) -> None:
    case_id = "caerphilly-vision-for-change"
    holding = {str(p["id"]) for p in packs(run_cli, built_mini_project) if case_id in p["cases"]}
    case = built_mini_project / "content" / "cases" / f"{case_id}.md"
    case.write_text(case.read_text() + "\nA correction made during a build.\n")
    build = start_cli(*TWO_FORMAT_OPTIONS, cwd=built_mini_project)
    assert build.stdout is not None
    assert build.stdout.readline().startswith("rendering ")
    build.send_signal(signal.SIGTERM)
    stdout, stderr = build.communicate(timeout=120)
    assert build.returncode == 130
    assert stderr.endswith("build.py: interrupted\n")
    assert_consistent(built_mini_project)

    after = run_cli(*TWO_FORMAT_OPTIONS, cwd=built_mini_project)

    assert after.returncode == 0, after.stderr
    expected = {f"{pack}{suffix}" for pack in holding for suffix in TWO_SUFFIXES}
    assert built(stdout) | built(after.stdout) == expected
    assert built(after.stdout)  # the interrupted build did not finish everything
    for pack in holding:
        assert "A correction made during a build." in " ".join(
            pdf_text(built_mini_project / "dist" / f"{pack}.pdf").split()
        )
    assert_consistent(built_mini_project)


def test_pack_ids_must_be_safe_unique_file_names() -> None:
    from casebook.diagnostics import ContentError
    from casebook.model import Pack, PackRecipe, Selection
    from casebook.packs import check_pack_ids

    def recipe(pack_id: str) -> Pack:
        made = PackRecipe(pack_id, f"content/packs/{pack_id}.yaml", "T", (), Selection())
        return Pack(id=pack_id, kind="custom", title="T", cases=(), recipe=made)

    packs = [
        Pack(id="all-cases", kind="all", title="All", cases=()),
        recipe("all-cases"),
        recipe("../outside"),
        recipe("Capitals"),
        recipe("nul"),
        recipe("x" * 81),
        recipe("fine-pack"),
    ]
    try:
        check_pack_ids(packs, Path("dist"))
    except ContentError as error:
        messages = [str(d) for d in error.diagnostics]
    else:
        raise AssertionError("unsafe pack ids were accepted")
    # The same rule, in the same words, as for the file names of cases and recipes.
    unsafe = (
        "is not a safe file name: must be lowercase letters, digits and single hyphens "
        "(e.g. 'devon-leadership-roles')"
    )
    assert messages == [
        f"content/packs/../outside.yaml:0: pack id '../outside' {unsafe}",
        f"content/packs/Capitals.yaml:0: pack id 'Capitals' {unsafe}",
        "content/packs/all-cases.yaml:0: pack id 'all-cases' is also used by the all pack: "
        "both would write their files as dist/all-cases.*; rename one",
        "content/packs/nul.yaml:0: pack id 'nul' is not a safe file name: "
        "is a name Windows reserves for devices",
        f"content/packs/{'x' * 81}.yaml:0: pack id '{'x' * 81}' is not a safe file name: "
        "is longer than 80 characters",
    ]


def test_a_brand_outside_layouts_is_never_skipped_on_the_input_stamp(
    mini_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casebook.build import BuildOptions
    from casebook.build.stamp import input_stamp
    from casebook.renderers import BUILTIN

    monkeypatch.chdir(mini_project)
    shutil.copytree(mini_project / "layouts" / "brands" / "valley-council", "acme")
    # A folder beside the project is read as a brand, but it is not among the files the
    # stamp covers, so a change to it must be found by the outputs' fingerprints.
    assert input_stamp(BuildOptions(brand="acme"), BUILTIN) == ""
    assert input_stamp(BuildOptions(brand="valley-council"), BUILTIN) != ""


def test_building_another_brand_gives_every_format_its_name(
    mini_project: Path, run_cli: RunCli
) -> None:
    name = "Valley Council Early Years Partnership"
    result = run_cli(
        "build",
        "--brand",
        "valley-council",
        "--out",
        "valley",
        "--only",
        "all-cases",
        cwd=mini_project,
    )
    assert result.returncode == 0, result.stderr
    out = mini_project / "valley"
    for spec in BUILTIN:
        path = out / f"all-cases{spec.suffix}"
        assert path.is_file(), path.name
        if path.suffix == ".pdf":
            metadata = PdfReader(path).metadata
            assert metadata is not None and metadata.author == name, path.name
    # The brand's name where a reader sees it: the cover of the pack and of its large print,
    # the head of the first card.
    for suffix in (".pdf", ".large-print.pdf", ".cards.pdf"):
        first = PdfReader(out / f"all-cases{suffix}").pages[0].extract_text()
        assert name in " ".join(first.split()), suffix
    assert not (mini_project / "dist").exists()  # the default brand's folder is not touched
