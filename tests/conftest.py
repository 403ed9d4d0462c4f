"""Shared fixtures: small projects in a temporary folder and a way to run ``build.py``."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from casebook.renderers import BUILTIN

ROOT = Path(__file__).resolve().parents[1]
BUILD_PY = ROOT / "build.py"
MINI_CONTENT = ROOT / "tests" / "fixtures" / "mini" / "content"
REAL_CONTENT = ROOT / "content"
LAYOUTS = ROOT / "layouts"
SEED_NAME = "eif-case-examples.txt"

#: The built-in formats' names and the endings of their files, in the registry's order. Tests
#: derive what a build writes from these, so a new built-in format needs no test edits.
FORMATS = tuple(spec.name for spec in BUILTIN)
SUFFIXES = tuple(spec.suffix for spec in BUILTIN)
#: Options for builds in tests about building (incremental builds, faults, the command line)
#: rather than about formats: two formats keep them quick.
TWO_FORMATS = ("pdf", "docx")
TWO_FORMAT_OPTIONS = ("--format", "pdf", "--format", "docx")
TWO_SUFFIXES = tuple(spec.suffix for spec in BUILTIN if spec.name in TWO_FORMATS)

RunCli = Callable[..., subprocess.CompletedProcess[str]]
#: In the built mini project: what its first build printed.
FIRST_BUILD_LOG = "first-build.txt"


@pytest.fixture
def seed_file() -> Path:
    """The EIF case-examples text, kept beside the tests."""
    return ROOT / "tests" / "fixtures" / "seed" / SEED_NAME


def _mini(project: Path) -> Path:
    shutil.copytree(MINI_CONTENT, project / "content")
    shutil.copytree(LAYOUTS, project / "layouts")
    return project


@pytest.fixture
def mini_project(tmp_path: Path) -> Path:
    """A project folder with the mini fixture as content/ and the real layouts/."""
    return _mini(tmp_path / "project")


@pytest.fixture(scope="session")
def _built_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project built once for the whole run: the test workers of one run
    (pytest-xdist) share it, the first to need it building it while the others wait."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's own folder, above each worker's
    with (shared / "built-mini.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        project = shared / "built-mini" / "project"
        if not (project / FIRST_BUILD_LOG).is_file():
            shutil.rmtree(project.parent, ignore_errors=True)
            _build_mini(_mini(project))
        return project


def _build_mini(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BUILD_PY)],
        cwd=project,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (project / FIRST_BUILD_LOG).write_text(result.stdout, encoding="utf-8")


@pytest.fixture
def built_mini_project(_built_mini: Path, tmp_path: Path) -> Path:
    """The mini project after one full build: content/, layouts/ and dist/ (a copy)."""
    project = tmp_path / "project"
    shutil.copytree(_built_mini, project, ignore=shutil.ignore_patterns(".lock"))
    return project


@pytest.fixture
def real_project(tmp_path: Path) -> Path:
    """A project folder with a copy of the real content and layouts."""
    project = tmp_path / "project"
    shutil.copytree(REAL_CONTENT, project / "content")
    shutil.copytree(LAYOUTS, project / "layouts")
    return project


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A fixed environment for builds: no terminal, fixed clock, hash seed and locale."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOOK_")}
    env.update(
        {
            "SOURCE_DATE_EPOCH": "1767225600",
            "PYTHONHASHSEED": "0",
            "LC_ALL": "C.UTF-8",
            "TZ": "UTC",
            "COLUMNS": "120",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update(extra or {})
    return env


def beside(cwd: Path) -> dict[str, str]:
    """The temporary folder for a build in ``cwd`` that a test may kill: ``cwd``'s sibling
    ``tmp``, in the test's own folder, where what a build killed outright leaves (its
    workers' folder) goes with the test's files, not into the system's."""
    scratch = cwd.parent / "tmp"
    scratch.mkdir(exist_ok=True)
    return {"TMPDIR": str(scratch)}


def run_script(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -c SCRIPT ARGS`` in ``cwd`` with this checkout's casebook importable, in
    the builds' fixed environment; returns the completed process (text)."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=cwd,
        env=cli_env({"PYTHONPATH": str(ROOT), **beside(cwd)}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def run_cli() -> RunCli:
    """Run ``python build.py ARGS`` in ``cwd``; returns the completed process (text)."""

    def run(
        *args: str,
        cwd: Path,
        env: dict[str, str] | None = None,
        python_flags: tuple[str, ...] = (),
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *python_flags, str(BUILD_PY), *args],
            cwd=cwd,
            env=cli_env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run


StartCli = Callable[..., "subprocess.Popen[str]"]


@pytest.fixture
def start_cli() -> StartCli:
    """Start ``python build.py ARGS`` in ``cwd`` without waiting (pipes for both streams)."""

    def start(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(BUILD_PY), *args],
            cwd=cwd,
            env=cli_env({**beside(cwd), **(env or {})}),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    return start
