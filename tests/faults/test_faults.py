"""Faults while building: missing layout files, a read-only or full ``dist/``, a build killed
hard, a write that cannot land. Each fails with a message naming the file and exit 1, leaves
every previous output as it was and ``dist/`` consistent, and the next build recovers."""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from conftest import BUILD_PY, LAYOUTS, SUFFIXES, TWO_FORMAT_OPTIONS, cli_env, run_script

RunCli = Callable[..., subprocess.CompletedProcess[str]]
StartCli = Callable[..., "subprocess.Popen[str]"]

EDITED_CASE = "newham-the-50-steps-to-a-healthier-borough"  # shown by nation-england
EDIT = "\nA sentence added after the last build.\n"
# These tests are about faults, not formats: they build the PDF and Word files only.
FORMATS = TWO_FORMAT_OPTIONS


def edit_case(project: Path, case_id: str = EDITED_CASE) -> None:
    """Change one case, so the packs that show it must be written again."""
    path = project / "content" / "cases" / f"{case_id}.md"
    path.write_text(path.read_text() + EDIT)


def snapshot(project: Path) -> dict[str, bytes]:
    """Every file in dist/, by name."""
    return {p.name: p.read_bytes() for p in (project / "dist").iterdir() if p.is_file()}


def packs_of(files: dict[str, bytes]) -> dict[str, bytes]:
    """The packs' files (of every format) among ``files``."""
    return {name: data for name, data in files.items() if name.endswith(SUFFIXES)}


def records(project: Path) -> dict[str, dict[str, object]]:
    """The manifest's output records, by file name."""
    outputs = json.loads((project / "dist" / "manifest.json").read_text())["outputs"]
    return {str(o["path"]): o for o in outputs}


def temporaries(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "dist").glob(".*.tmp-*"))


def assert_consistent(project: Path) -> None:
    """Every file the manifest lists is the one it records, and no temporary file is left."""
    for name, record in records(project).items():
        path = project / "dist" / name
        assert path.is_file(), name
        assert path.stat().st_size == record["bytes"], name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == record["sha256"], name
    assert temporaries(project) == []


def run_build(
    project: Path,
    *args: str,
    prefix: Sequence[str] = (),
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python build.py ARGS`` in ``project``, optionally under a wrapper command or with
    limits set in the child before it starts."""
    return subprocess.run(
        [*prefix, sys.executable, str(BUILD_PY), *args],
        cwd=project,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        preexec_fn=preexec_fn,
    )


def brand_line(key: str) -> int:
    """The line of ``key:`` in the real layouts/brand.yaml."""
    lines = (LAYOUTS / "brand.yaml").read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(f"{key}:"))


def fonts_css_line(font: str) -> int:
    """The line of the real layouts/pdf/fonts.css that names ``font``."""
    lines = (LAYOUTS / "pdf" / "fonts.css").read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if font in line)


def truncate_half(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


# (layout file, how it breaks, the formats that fail, the message on stderr)
LAYOUT_FAULTS = [
    pytest.param(
        "fonts/NotoSans-Bold.ttf",
        Path.unlink,
        ("pdf",),
        lambda root: (
            f"layouts/pdf/fonts.css:{fonts_css_line('NotoSans-Bold.ttf')}: "
            "src: ../fonts/NotoSans-Bold.ttf (for Noto Sans 700 normal) does not exist"
        ),
        id="missing-font",
    ),
    pytest.param(
        "fonts/NotoSans-Regular.ttf",
        lambda path: path.write_text("not a font\n"),
        ("pdf",),
        lambda root: (
            "layouts/fonts/NotoSans-Regular.ttf:0: is damaged or not a font: "
            "Not a TrueType or OpenType font (not enough data)"
        ),
        id="damaged-font",
    ),
    pytest.param(
        "logo.svg",
        Path.unlink,
        ("pdf", "docx"),
        lambda root: (
            f"layouts/brand.yaml:{brand_line('logo')}: logo: 'logo.svg' not found in layouts"
        ),
        id="missing-logo",
    ),
    pytest.param(
        "pdf/pack.html.j2",
        Path.unlink,
        ("pdf",),
        lambda root: "layouts/pdf/pack.html.j2:0: template not found",
        id="missing-template",
    ),
    pytest.param(
        "docx/reference.docx",
        Path.unlink,
        ("docx",),
        lambda root: (
            "layouts/docx/reference.docx:0: Word reference template not found; "
            "create it with: python -m casebook.reference"
        ),
        id="missing-reference-docx",
    ),
    pytest.param(
        "docx/reference.docx",
        truncate_half,
        ("docx",),
        lambda root: (
            "layouts/docx/reference.docx:0: cannot open the Word reference template: "
            "it is not a Word .docx file (damaged, or saved in another format); restore it, or "
            "create it again with: python -m casebook.reference"
        ),
        id="corrupt-reference-docx",
    ),
]


@pytest.mark.parametrize(("name", "damage", "failing", "message"), LAYOUT_FAULTS)
def test_a_missing_or_damaged_layout_file_is_named_and_the_next_build_recovers(
    built_mini_project: Path,
    name: str,
    damage: Callable[[Path], None],
    failing: tuple[str, ...],
    message: Callable[[Path], str],
) -> None:
    project = built_mini_project
    before = snapshot(project)
    edit_case(project)
    damage(project / "layouts" / name)

    result = run_build(project, *FORMATS, "--only", "nation-england")

    assert result.returncode == 1
    assert message(project.resolve()) in result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    for fmt in failing:
        assert snapshot(project)[f"nation-england.{fmt}"] == before[f"nation-england.{fmt}"]
    assert_consistent(project)

    shutil.copyfile(LAYOUTS / name, project / "layouts" / name)
    again = run_build(project, *FORMATS, "--only", "nation-england")

    assert again.returncode == 0, again.stderr
    for fmt in failing:
        assert f"built   dist/nation-england.{fmt} " in again.stdout
        assert snapshot(project)[f"nation-england.{fmt}"] != before[f"nation-england.{fmt}"]
    assert_consistent(project)


def _without_file_permission_override() -> list[str]:
    """A command prefix under which a read-only folder refuses writes, or skip the test."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, and setpriv (util-linux) is not installed to drop the "
                    "capability that lets root write into a read-only folder")  # fmt: skip
    caps = "-dac_override,-dac_read_search,-fowner"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


def test_a_read_only_dist_fails_before_rendering_and_the_next_build_recovers(
    built_mini_project: Path,
) -> None:
    project = built_mini_project
    prefix = _without_file_permission_override()
    dist = project / "dist"
    (dist / ".lock").touch()  # as after any earlier build: taking the lock needs no new file
    before = snapshot(project)
    edit_case(project)
    dist.chmod(0o555)
    try:
        result = run_build(project, *FORMATS, prefix=prefix)
    finally:
        dist.chmod(0o755)

    assert result.returncode == 1
    assert result.stderr == "build.py: error: dist: cannot write: Permission denied\n"
    assert "rendering" not in result.stdout  # nothing is rendered that could not be kept
    assert snapshot(project) == before
    assert_consistent(project)

    again = run_build(project, *FORMATS, prefix=prefix)

    assert again.returncode == 0, again.stderr
    assert "built   dist/nation-england.pdf " in again.stdout
    assert_consistent(project)


def _disk_full_at(size: int) -> Callable[[], None]:
    """For the child: no file may grow past ``size`` bytes, and writing past it fails with
    EFBIG ("File too large") rather than killing the process, as on a full disk."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


_full_disk = _disk_full_at(16 * 1024)  # room for the manifest, not for a pack


def test_a_full_disk_fails_each_output_by_name_and_keeps_the_previous_files(
    built_mini_project: Path,
) -> None:
    project = built_mini_project
    before = snapshot(project)
    edit_case(project)
    # A downloads page that no longer fits either (a comment in its template makes it so).
    template = project / "layouts" / "site" / "index.html.j2"
    template.write_text(template.read_text() + "<!-- " + "room " * 4000 + "-->\n")

    result = run_build(
        project, *FORMATS, "--only", "nation-england", "all-cases", preexec_fn=_full_disk
    )

    assert result.returncode == 1
    failures = sorted(line for line in result.stderr.splitlines() if "File too large" in line)
    outputs = [
        f"{pack}.{fmt}" for pack in ("all-cases", "nation-england") for fmt in ("docx", "pdf")
    ]
    # The downloads page is named with the outputs, not instead of them.
    expected = sorted([*outputs, "index.html"])
    assert [line.split(":")[0] for line in failures] == [f"dist/{name}" for name in expected]
    # Word files are complete in memory and fail while being written into dist/.
    assert "dist/nation-england.docx: cannot write: File too large" in failures
    assert "dist/index.html: cannot write: File too large" in failures
    assert "Traceback" not in result.stderr
    assert packs_of(snapshot(project)) == packs_of(before)
    # Nothing was built or removed, so the page already there is still true, and kept.
    assert snapshot(project)["index.html"] == before["index.html"]
    assert_consistent(project)

    again = run_build(project, *FORMATS, "--only", "nation-england", "all-cases")

    assert again.returncode == 0, again.stderr
    assert all(f"built   dist/{name} " in again.stdout for name in outputs)
    assert "room room" in (project / "dist" / "index.html").read_text()  # written this time
    assert_consistent(project)


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(child) for child in listing.read().split()]


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_build_killed_hard_leaves_dist_consistent_and_the_next_build_finishes(
    built_mini_project: Path, start_cli: StartCli
) -> None:
    project = built_mini_project
    before = snapshot(project)
    edit_case(project, "caerphilly-vision-for-change")  # shown by four packs: eight outputs
    build = start_cli(*FORMATS, "--jobs", "2", cwd=project)
    assert build.stdout is not None
    first = ""
    while not first.startswith("built "):
        first = build.stdout.readline()
        assert first, build.communicate()[1]
    workers = _children(build.pid)
    assert workers
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=30)
    build.stdout.close()
    assert build.stderr is not None
    build.stderr.close()
    done = first.split()[1].removeprefix("dist/")

    # The workers die with the build instead of rendering on, holding dist/.lock.
    deadline = time.monotonic() + 10
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(w) for w in workers)
    # The output the build reported is complete and recorded; temporaries of renders that
    # were cut short may remain until the next build.
    recorded = records(project)
    assert snapshot(project)[done] != before[done]
    for name, record in recorded.items():
        data = (project / "dist" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == record["sha256"], name
    assert done in recorded

    again = run_build(project, *FORMATS)

    assert again.returncode == 0, again.stderr
    assert f"dist/{done} " not in again.stdout
    assert "built   dist/all-cases.pdf " in again.stdout or done == "all-cases.pdf"
    assert_consistent(project)


def test_a_file_that_cannot_be_replaced_fails_alone_and_the_next_build_recovers(
    built_mini_project: Path,
) -> None:
    project = built_mini_project
    edit_case(project)
    squatter = project / "dist" / "nation-england.pdf"
    squatter.unlink()
    squatter.mkdir()
    (squatter / "notes.txt").write_text("someone's notes\n")

    result = run_build(project, *FORMATS)

    assert result.returncode == 1
    assert result.stderr == "dist/nation-england.pdf: cannot write: Is a directory\n"
    assert "built   dist/nation-england.docx " in result.stdout
    assert "built   dist/all-cases.pdf " in result.stdout
    assert (squatter / "notes.txt").read_text() == "someone's notes\n"
    assert "nation-england.pdf" not in records(project)
    assert_consistent(project)

    shutil.rmtree(squatter)
    again = run_build(project, *FORMATS)

    assert again.returncode == 0, again.stderr
    assert "built   dist/nation-england.pdf " in again.stdout
    assert_consistent(project)


def test_a_render_over_the_time_limit_keeps_the_previous_file(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    project = built_mini_project
    before = snapshot(project)
    edit_case(project)

    result = run_cli(
        "--format", "pdf", "--only", "nation-england",
        cwd=project,
        env={"CASEBOOK_TIME_LIMIT": "0.001"},
    )  # fmt: skip

    assert result.returncode == 1
    assert result.stderr == (
        "dist/nation-england.pdf: render failed: took longer than the limit of 0.001 seconds\n"
    )
    assert snapshot(project)["nation-england.pdf"] == before["nation-england.pdf"]
    # The file kept is said to be an older one, as are the others the edit reaches.
    record = json.loads((project / "dist" / "manifest.json").read_text(encoding="utf-8"))
    assert "nation-england.pdf" in record["out_of_date"]
    page = (project / "dist" / "index.html").read_text(encoding="utf-8")
    assert re.search(
        r'aria-label="PDF, [^"]*, not yet updated with the latest changes '
        '\u2013 Case examples from England"',
        page,
    )
    assert_consistent(project)


def test_a_disk_too_full_for_the_manifest_names_it_and_keeps_the_previous_files(
    built_mini_project: Path,
) -> None:
    project = built_mini_project
    before = snapshot(project)
    edit_case(project)

    result = run_build(
        project, *FORMATS, "--only", "nation-england", preexec_fn=_disk_full_at(1000)
    )

    assert result.returncode == 1
    assert result.stderr == "build.py: error: dist/manifest.json: File too large\n"
    after = snapshot(project)
    del after[".lock"]  # made by this build: the copied project had none
    assert after == before
    assert_consistent(project)

    again = run_build(project, *FORMATS, "--only", "nation-england")

    assert again.returncode == 0, again.stderr
    assert_consistent(project)


FINALISERS = """
import os, tempfile
from casebook.build import workers

workers._start_worker(0, os.getppid(), tempfile.gettempdir())


class Alarmed:
    def __del__(self):
        raise workers._TimeLimit  # the time limit's alarm, landing in a finaliser


class Broken:
    def __del__(self):
        raise ValueError("a finaliser's own mistake")


Alarmed()
Broken()
print("rendered on")
"""


def test_a_time_limit_alarm_in_a_finaliser_prints_no_traceback(tmp_path: Path) -> None:
    # The alarm cannot stop a render inside a library's __del__ (the next one, a second
    # later, does), and Python printed it with a traceback under the build's own message.
    result = run_script(FINALISERS, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "rendered on\n"
    assert "_TimeLimit" not in result.stderr
    assert "ValueError: a finaliser's own mistake" in result.stderr  # others still said
