"""Reproducible builds: the same content gives the same bytes, whatever the checkout, clock,
time zone, locale or hash seed; SOURCE_DATE_EPOCH sets the date the packs carry."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import docx
import yaml
from conftest import LAYOUTS, MINI_CONTENT, SUFFIXES
from pypdf import PdfReader

RunCli = Callable[..., subprocess.CompletedProcess[str]]

# Files in dist/ that belong to the checkout, not to the content: the build lock, and the
# stamp of input file times that lets a no-op build skip loading the content.
LOCAL = {".lock", ".inputs-stamp"}


def clone(where: Path, mtime: datetime.datetime) -> Path:
    """A fresh copy of the mini project, every file and folder dated ``mtime``."""
    project = where / "project"
    shutil.copytree(MINI_CONTENT, project / "content")
    shutil.copytree(LAYOUTS, project / "layouts")
    (project / "content" / "media").mkdir(exist_ok=True)
    stamp = mtime.timestamp()
    for path in [project, *project.rglob("*")]:
        os.utime(path, (stamp, stamp))
    return project


def published(project: Path) -> dict[str, bytes]:
    """Every file of dist/ that is published, by name."""
    dist = project / "dist"
    return {p.name: p.read_bytes() for p in dist.iterdir() if p.name not in LOCAL}


def pdf_names(files: dict[str, bytes], pack: str) -> list[str]:
    """The PDF files of ``pack`` among ``files``: the pack, and its other printed formats."""
    names = [f"{pack}{suffix}" for suffix in SUFFIXES if suffix.endswith(".pdf")]
    assert set(names) <= set(files)
    return names


def test_two_clones_built_apart_give_byte_identical_files(tmp_path: Path, run_cli: RunCli) -> None:
    first = clone(tmp_path / "a", datetime.datetime(2001, 1, 1, tzinfo=datetime.UTC))
    second = clone(tmp_path / "b", datetime.datetime(2031, 5, 5, 12, tzinfo=datetime.UTC))

    # Two packs (every case, and a recipe) in every format, as a reader downloads them.
    only = ("--only", "all-cases", "needs-and-assets")
    one = run_cli(*only, cwd=first, env={"TZ": "UTC", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0"})
    other = run_cli(
        *only, "--jobs", "1",
        cwd=second,
        env={
            "TZ": "Pacific/Auckland",
            "LC_ALL": "",
            "LANG": "cy_GB.UTF-8",
            "LC_TIME": "POSIX",
            "PYTHONHASHSEED": "4242",
        },
    )  # fmt: skip

    assert one.returncode == 0, one.stderr
    assert other.returncode == 0, other.stderr
    files = published(first)
    expected = {f"{pack}{suffix}" for pack in only[1:] for suffix in SUFFIXES}
    assert set(files) == expected | {"manifest.json", "index.html"}
    assert sorted(published(second)) == sorted(files)
    different = [name for name, data in published(second).items() if data != files[name]]
    assert different == []


def test_source_date_epoch_sets_the_packs_date_in_every_time_zone(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # 1700000000 is 2023-11-14 22:13:20 UTC, already 2023-11-15 in New Zealand.
    when = datetime.date(2023, 11, 14)
    projects = []
    for name, zone in (("utc", "UTC"), ("nz", "Pacific/Auckland")):
        project = clone(tmp_path / name, datetime.datetime.now(tz=datetime.UTC))
        result = run_cli(
            "--only", "nation-england",
            cwd=project,
            env={"SOURCE_DATE_EPOCH": "1700000000", "TZ": zone},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        projects.append(project)

    for project in projects:
        for name in pdf_names(published(project), "nation-england"):
            info = PdfReader(project / "dist" / name).metadata
            assert info is not None, name
            assert info.creation_date is not None and info.creation_date.date() == when, name
            assert info.modification_date is not None, name
            assert info.modification_date.date() == when, name
        core = docx.Document(str(project / "dist" / "nation-england.docx")).core_properties
        assert core.created is not None and core.created.date() == when
        assert core.modified is not None and core.modified.date() == when
    assert published(projects[0]) == published(projects[1])


def test_without_source_date_epoch_the_edition_date_is_used_and_rebuilds_are_identical(
    mini_project: Path, run_cli: RunCli
) -> None:
    [record] = (mini_project / "content" / "editions").glob("*.yaml")
    edition = datetime.date.fromisoformat(yaml.safe_load(record.read_text())["date"])
    args = ("--only", "nation-england", "--force")
    no_epoch = {"SOURCE_DATE_EPOCH": ""}

    first = run_cli(*args, cwd=mini_project, env=no_epoch)
    assert first.returncode == 0, first.stderr
    before = published(mini_project)
    again = run_cli(*args, cwd=mini_project, env={**no_epoch, "TZ": "America/Los_Angeles"})
    assert again.returncode == 0, again.stderr

    assert published(mini_project) == before
    for name in pdf_names(before, "nation-england"):
        info = PdfReader(mini_project / "dist" / name).metadata
        assert info is not None and info.creation_date is not None, name
        assert info.creation_date.date() == edition, name
    core = docx.Document(str(mini_project / "dist" / "nation-england.docx")).core_properties
    assert core.created is not None and core.created.date() == edition
