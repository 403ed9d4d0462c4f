"""Issue class 15: whatever the previous manifest said, every build leaves a manifest and
an index.html that describe exactly the files in dist/."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from conftest import RunCli


def manifest(project: Path) -> dict[str, object]:
    return json.loads((project / "dist" / "manifest.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def outputs(project: Path) -> list[dict[str, object]]:
    return manifest(project)["outputs"]  # type: ignore[return-value]


def packs_on_disk(project: Path) -> set[str]:
    return {p.name for p in (project / "dist").iterdir() if p.suffix in (".pdf", ".docx")}


def links(project: Path) -> set[str]:
    page = (project / "dist" / "index.html").read_text(encoding="utf-8")
    return set(re.findall(r'href="([^"#]+\.(?:pdf|docx))"', page))


def assert_truthful(project: Path) -> None:
    """The manifest lists each file in dist/ once, as it is, and index.html links exactly
    those files."""
    on_disk = packs_on_disk(project)
    recorded = outputs(project)
    assert sorted(str(o["path"]) for o in recorded) == sorted(on_disk)
    for record in recorded:
        path = project / "dist" / str(record["path"])
        assert str(record["path"]).startswith(f"{record['pack']}.")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == record["sha256"]
    assert links(project) == on_disk


def test_hand_edited_records_do_not_survive_a_build(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    project = built_mini_project
    data = manifest(project)
    records = data["outputs"]
    assert isinstance(records, list)
    docx = next(r for r in records if r["path"] == "nation-england.docx")
    docx["format"] = "pdf"
    docx["pack"] = "nation-wales"
    pdf = next(r for r in records if r["path"] == "nation-wales.pdf")
    pages = pdf["pages"]
    pdf["pages"] = 999  # otherwise a true record of a file that is there
    records.append({**records[0], "path": "ghost.pdf", "pack": "ghost"})
    records.append({**records[0], "path": "../outside.pdf"})
    (project / "dist" / "manifest.json").write_text(json.dumps(data), encoding="utf-8")

    result = run_cli(cwd=project)

    assert result.returncode == 0, result.stderr
    assert "built   dist/nation-england.docx" in result.stdout
    assert "built   dist/nation-wales.pdf" in result.stdout
    assert next(r for r in outputs(project) if r["path"] == "nation-wales.pdf")["pages"] == pages
    assert_truthful(project)


def test_a_deleted_output_is_not_listed_after_building_another_format(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    project = built_mini_project
    (project / "dist" / "nation-england.pdf").unlink()

    result = run_cli("--format", "docx", cwd=project)

    assert result.returncode == 0, result.stderr
    assert "nation-england.pdf" not in {str(o["path"]) for o in outputs(project)}
    assert_truthful(project)


def test_a_failing_downloads_page_after_a_prune_leaves_no_page_linking_pruned_files(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    project = built_mini_project
    assert (project / "dist" / "needs-and-assets.pdf").exists()
    (project / "content" / "packs" / "needs-and-assets.yaml").unlink()
    template = project / "layouts" / "site" / "index.html.j2"
    template.write_text(template.read_text(encoding="utf-8") + "{{ no_such_value }}\n")

    result = run_cli(cwd=project)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert not (project / "dist" / "needs-and-assets.pdf").exists()
    assert not (project / "dist" / "index.html").exists()
    assert sorted(str(o["path"]) for o in outputs(project)) == sorted(packs_on_disk(project))


def test_a_failing_downloads_page_with_nothing_rebuilt_keeps_the_old_page(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    project = built_mini_project
    index = project / "dist" / "index.html"
    before = index.read_bytes()
    template = project / "layouts" / "site" / "index.html.j2"
    template.write_text(template.read_text(encoding="utf-8") + "{{ no_such_value }}\n")

    result = run_cli(cwd=project)

    assert result.returncode == 1
    assert result.stderr.startswith("layouts/site/index.html.j2:")
    assert "Traceback" not in result.stderr
    # Every file it lists is as it describes it: the page still tells the truth.
    assert index.read_bytes() == before
    assert_truthful(project)
