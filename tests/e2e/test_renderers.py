"""Formats through the renderer registry: a plug-in package adds one, and each output's
fingerprint follows its own renderer's code."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import BUILD_PY, FORMATS, ROOT, SUFFIXES, cli_env

RunCli = Callable[..., subprocess.CompletedProcess[str]]

TEXT_PLUGIN = '''
"""A plain-text format for Casebook, using only the public API."""
from casebook import Document, Layout, plain_text


class TextRenderer:
    name = "txt"
    suffix = ".txt"
    label = "Plain text"

    def render(self, document: Document, layout: Layout) -> bytes:
        lines = [document.title, "=" * len(document.title), ""]
        for case in document.cases:
            lines += [case.heading, "", plain_text(case.blocks), case.citation, ""]
            lines += [f"- {prompt}" for prompt in case.prompts] + [""]
        lines.append(f"Published by {layout.brand.name}")
        return "\\n".join(lines).encode("utf-8")


def renderer() -> TextRenderer:
    return TextRenderer()
'''


def install_plugin(
    site: Path, module: str, source: str, entry_points: dict[str, str], version: str = "1.0"
) -> Path:
    """Install a one-module distribution into ``site`` as pip would (module + dist-info)."""
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    dist = module.replace("_", "-")
    info = site / f"{module}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = [f"{name} = {value}" for name, value in entry_points.items()]
    (info / "entry_points.txt").write_text(
        "[casebook.renderers]\n" + "\n".join(lines) + "\n", encoding="utf-8"
    )
    return site


def manifest(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project / "dist" / "manifest.json").read_text())
    return data


def built(stdout: str) -> set[str]:
    return set(re.findall(r"^built\s+dist/(\S+) ", stdout, re.MULTILINE))


def packs(run_cli: RunCli, project: Path) -> list[dict[str, Any]]:
    listing = run_cli("list", "--json", cwd=project)
    assert listing.returncode == 0, listing.stderr
    data: list[dict[str, Any]] = json.loads(listing.stdout)
    return data


def test_a_plugin_adds_a_format_that_is_built_recorded_linked_skipped_and_pruned(
    built_mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    project = built_mini_project
    site = install_plugin(
        tmp_path / "site", "casebook_txt", TEXT_PLUGIN, {"txt": "casebook_txt:renderer"}
    )
    with_plugin = {"PYTHONPATH": str(site)}
    ids = [str(p["id"]) for p in packs(run_cli, project)]

    first = run_cli("build", "--format", "txt", cwd=project, env=with_plugin)
    assert first.returncode == 0, first.stderr
    assert built(first.stdout) == {f"{i}.txt" for i in ids}
    text = (project / "dist" / "all-cases.txt").read_text(encoding="utf-8")
    assert text.startswith("All case examples\n=================\n")
    assert "Newham: The 50 Steps to a healthier borough\n\nThe first priority in Newham’s" in text
    assert re.search(r"From: .+, page \d+", text)  # each case's citation
    assert text.endswith("Published by Casebook workshop packs")

    records = {o["path"]: o for o in manifest(project)["outputs"]}
    for pack_id in ids:
        record = records[f"{pack_id}.txt"]
        assert (record["format"], record["label"], record["pack"]) == ("txt", "Plain text", pack_id)
        assert record["pages"] is None
        assert record["bytes"] == (project / "dist" / f"{pack_id}.txt").stat().st_size
        assert {f"{pack_id}{suffix}" for suffix in SUFFIXES} <= set(records)  # still there
    page = (project / "dist" / "index.html").read_text(encoding="utf-8")
    for pack_id in ids:
        assert re.search(
            rf'<a class="download download-txt" href="{pack_id}\.txt" type="text/plain" '
            r'aria-label="Plain text, [^"]+"><span class="action">Plain text</span>',
            page,
        ), pack_id

    again = run_cli("build", cwd=project, env=with_plugin)
    assert again.returncode == 0, again.stderr
    assert built(again.stdout) == set()
    assert f"0 built, {(len(SUFFIXES) + 1) * len(ids)} up to date" in again.stdout

    case_id = "newham-the-50-steps-to-a-healthier-borough"
    holding = {str(p["id"]) for p in packs(run_cli, project) if case_id in p["cases"]}
    assert holding and len(holding) < len(ids)
    case = project / "content" / "cases" / f"{case_id}.md"
    case.write_text(case.read_text() + "\nA sentence an editor added in Newham.\n")
    edited = run_cli("build", "--format", "txt", cwd=project, env=with_plugin)
    assert edited.returncode == 0, edited.stderr
    assert built(edited.stdout) == {f"{i}.txt" for i in holding}
    assert "added in Newham" in (project / "dist" / "all-cases.txt").read_text()

    unknown = run_cli("build", "--format", "text", cwd=project, env=with_plugin)
    assert unknown.returncode == 2
    assert unknown.stderr == (
        f"build.py: error: no format 'text'; the formats are: {', '.join(FORMATS)}, txt (or all)\n"
    )

    # Uninstalled: its files go, with their records and links; nothing else is touched.
    shutil.rmtree(site)
    gone = run_cli("build", "--format", "pdf", cwd=project)
    assert gone.returncode == 0, gone.stderr
    assert not list((project / "dist").glob("*.txt"))
    for pack_id in ids:
        assert f"removed dist/{pack_id}.txt (format 'txt' is no longer installed)" in gone.stdout
    outputs = {o["path"] for o in manifest(project)["outputs"]}
    assert outputs == {f"{i}{suffix}" for i in ids for suffix in SUFFIXES}
    assert ".txt" not in (project / "dist" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "suffix", "message"),
    [
        ("pdf", ".text", "the format name 'pdf' is already taken"),
        ("txt", ".docx", "the suffix '.docx' is already used by the 'docx' format"),
        ("txt", "txt", "suffix 'txt' must be a dot and lower-case letters"),
        ("txt", "/../x.txt", "suffix '/../x.txt' must be a dot and lower-case letters"),
        ("all", ".all", "name 'all' must be lower-case letters, digits and single hyphens"),
    ],
)
def test_a_plugin_that_breaks_the_contract_is_named_and_nothing_is_built(
    mini_project: Path, run_cli: RunCli, tmp_path: Path, name: str, suffix: str, message: str
) -> None:
    source = f"""
    class Bad:
        name = {name!r}
        suffix = {suffix!r}
        label = "Bad"

        def render(self, document, layout):
            return b""

    bad = Bad()
    """
    site = install_plugin(tmp_path / "site", "casebook_bad", source, {name: "casebook_bad:bad"})
    result = run_cli("build", cwd=mini_project, env={"PYTHONPATH": str(site)})
    assert result.returncode == 1
    assert result.stderr.startswith(
        "build.py: error: plug-in renderer 'casebook_bad:bad' (from casebook-bad 1.0): " + message
    )
    assert len(result.stderr.splitlines()) == 1
    assert not (mini_project / "dist").exists()


def test_a_plugin_render_that_fails_fails_its_outputs_alone(
    built_mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    source = """
    class Broken:
        name = "broken"
        suffix = ".broken.txt"
        label = "Broken"

        def render(self, document, layout):
            raise ValueError(f"cannot draw {document.title}")

    broken = Broken()
    """
    site = install_plugin(
        tmp_path / "site", "casebook_broken", source, {"b": "casebook_broken:broken"}
    )
    result = run_cli("build", cwd=built_mini_project, env={"PYTHONPATH": str(site)})
    assert result.returncode == 1
    assert "dist/all-cases.broken.txt: render failed: cannot draw All case examples\n" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert built(result.stdout) == set()  # the PDF and Word files were current
    assert not list((built_mini_project / "dist").glob("*.broken.txt"))


def test_a_failed_render_keeps_its_own_message_beside_a_stylesheet_it_does_not_read(
    built_mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    # The case cards' stylesheet names a missing picture: that fails the cards, and says
    # so at its line, but it is not why this format's render failed.
    css = built_mini_project / "layouts" / "pdf" / "cards.css"
    css.write_text(css.read_text(encoding="utf-8") + '\nh2 { background: url("band.png") }\n')
    source = """
    from casebook.pdf import RenderError

    class Refusing:
        name = "refusing"
        suffix = ".refusing.txt"
        label = "Refusing"

        def render(self, document, layout):
            raise RenderError(f"{document.title}: media/chart.png: not found")

    refusing = Refusing()
    """
    site = install_plugin(
        tmp_path / "site", "casebook_refusing", source, {"r": "casebook_refusing:refusing"}
    )
    result = run_cli(
        "--only", "nation-wales", "--format", "refusing",
        cwd=built_mini_project,
        env={"PYTHONPATH": str(site)},
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "dist/nation-wales.refusing.txt: render failed: Case examples from Wales: "
        "media/chart.png: not found\n"
    )


def copy_casebook(project: Path) -> Path:
    """A copy of build.py and casebook/ in ``project``: ``python build.py`` there runs it."""
    shutil.copy(BUILD_PY, project / "build.py")
    shutil.copytree(
        ROOT / "casebook", project / "casebook", ignore=shutil.ignore_patterns("__pycache__")
    )
    return project / "build.py"


def run_copy(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(project / "build.py"), *args],
        cwd=project,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_each_output_depends_on_its_own_renderers_code(built_mini_project: Path) -> None:
    project = built_mini_project
    copy_casebook(project)
    # One pack is enough to see which formats a change rebuilds.
    ids = {"nation-wales"}
    only = ("--only", "nation-wales")
    # The same code from another folder: its outputs are current.
    moved = run_copy(project, *only)
    assert moved.returncode == 0, moved.stderr
    assert built(moved.stdout) == set()

    cli = project / "casebook" / "cli.py"
    cli.write_text(cli.read_text() + "\n# A comment an engineer added.\n")
    word = project / "casebook" / "word.py"
    word.write_text(word.read_text().replace('"""', '"""A docstring line.\n', 1) + "\n# Note.\n")
    untouched = run_copy(project, *only)
    assert untouched.returncode == 0, untouched.stderr
    assert built(untouched.stdout) == set()

    word.write_text(word.read_text() + "\n_SPARE_WIDTH_MM = 0.0\n")
    changed = run_copy(project, *only)
    assert changed.returncode == 0, changed.stderr
    assert built(changed.stdout) == {f"{i}.docx" for i in ids}

    cards = project / "casebook" / "cards.py"
    cards.write_text(cards.read_text() + "\n_SPARE_HEIGHT_MM = 0.0\n")
    changed = run_copy(project, *only)
    assert changed.returncode == 0, changed.stderr
    assert built(changed.stdout) == {f"{i}.cards.pdf" for i in ids}

    # The PDF's code is the three printed formats', not the Word file's (which once counted
    # it, through a check both run).
    pdf = project / "casebook" / "pdf.py"
    pdf.write_text(pdf.read_text() + "\n_SPARE_WIDTH_MM = 0.0\n")
    printed = run_copy(project, *only)
    assert printed.returncode == 0, printed.stderr
    assert built(printed.stdout) == {f"{i}{s}" for i in ids for s in SUFFIXES if s != ".docx"}

    blocks = project / "casebook" / "blocks.py"
    blocks.write_text(blocks.read_text() + "\n_SHARED = 0\n")  # every renderer uses it
    every = run_copy(project, *only)
    assert every.returncode == 0, every.stderr
    assert built(every.stdout) == {f"{i}{s}" for i in ids for s in SUFFIXES}


FAULTY_PLUGIN = """
import os
import signal


class Faulty:
    name = "faulty"
    suffix = ".faulty.txt"
    label = "Faulty text"

    def render(self, document, layout):
        fault = os.environ.get("FAULT", "")
        if fault == "memory":
            bytearray(64 * 2**30)  # far more than any limit below
        if fault == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        return document.title.encode()


faulty = Faulty()
"""


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("memory", "needed more than the memory limit of 512 MiB"),
        ("kill", "the worker process stopped unexpectedly (killed, or out of memory or time)"),
    ],
)
def test_a_render_over_the_memory_limit_or_killed_fails_and_keeps_the_previous_file(
    built_mini_project: Path, run_cli: RunCli, tmp_path: Path, fault: str, message: str
) -> None:
    site = install_plugin(
        tmp_path / "site", "casebook_faulty", FAULTY_PLUGIN, {"faulty": "casebook_faulty:faulty"}
    )
    env = {"PYTHONPATH": str(site), "CASEBOOK_MEMORY_LIMIT_MB": "512"}
    first = run_cli("--format", "faulty", cwd=built_mini_project, env=env)
    assert first.returncode == 0, first.stderr
    target = built_mini_project / "dist" / "nation-england.faulty.txt"
    before = target.read_bytes()
    result = run_cli(
        "--only", "nation-england", "--format", "faulty", "--force",
        cwd=built_mini_project,
        env={**env, "FAULT": fault},
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == f"dist/nation-england.faulty.txt: render failed: {message}\n"
    assert target.read_bytes() == before
    record = {o["path"]: o for o in manifest(built_mini_project)["outputs"]}[target.name]
    assert record["bytes"] == len(before)
    assert not list((built_mini_project / "dist").glob(".*.tmp-*"))
