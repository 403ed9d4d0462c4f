"""Issue classes 3 and 13: `import-seed` never writes outside the content folder, never
through a link, never half a file, and never a hidden or nameless case file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casebook.diagnostics import ContentError
from casebook.importer import import_seed

MINI = Path(__file__).parents[1] / "fixtures" / "mini" / "content"

SEED = """\
Case examples

Newham: The 50 steps to a healthier borough

Direct link

Newham set out fifty steps.

From: Leading and delivering early childhood services: 10 insights, page 20
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    return root


def seed(tmp_path: Path, text: str = SEED) -> Path:
    path = tmp_path / "seed.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_never_writes_through_a_linked_case_file(tmp_path: Path, content: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    target = content / "cases" / "newham-the-50-steps-to-a-healthier-borough.md"
    target.unlink()
    target.symlink_to(victim)
    with pytest.raises(ContentError) as info:
        import_seed(seed(tmp_path), content)
    assert str(info.value) == (
        f"{target}:0: is a link; import-seed writes only plain files: remove it"
    )
    assert victim.read_text(encoding="utf-8") == "precious"


def test_import_refuses_a_cases_folder_linked_elsewhere(tmp_path: Path, content: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.move(content / "cases", elsewhere)
    (content / "cases").symlink_to(elsewhere)
    before = {p.name: p.read_bytes() for p in elsewhere.iterdir()}
    with pytest.raises(ContentError) as info:
        import_seed(seed(tmp_path), content)
    assert str(info.value) == (
        f"{content / 'cases'}:0: is a link to a folder outside the content folder"
    )
    assert {p.name: p.read_bytes() for p in elsewhere.iterdir()} == before


def test_import_reads_existing_tags_with_the_strict_reader(tmp_path: Path, content: Path) -> None:
    target = content / "cases" / "newham-the-50-steps-to-a-healthier-borough.md"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("tags:", "tags: &mine"), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        import_seed(seed(tmp_path), content)
    [message] = [str(d) for d in info.value.diagnostics]
    assert message.startswith(f"{target}:")
    assert message.endswith(
        "YAML anchors (&name) are not allowed; fix it to keep its tags and prompts"
    )
    assert target.read_text(encoding="utf-8") == text.replace("tags:", "tags: &mine")


def test_import_replaces_files_atomically_leaving_no_temporaries(
    tmp_path: Path, content: Path
) -> None:
    import_seed(seed(tmp_path), content)
    names = sorted(p.name for p in (content / "cases").iterdir())
    assert not [n for n in names if n.startswith(".")]
    target = content / "cases" / "newham-the-50-steps-to-a-healthier-borough.md"
    assert "Newham set out fifty steps." in target.read_text(encoding="utf-8")


def test_a_heading_with_no_ascii_letters_is_refused_not_written_hidden(
    tmp_path: Path, content: Path
) -> None:
    text = SEED.replace("Newham: The 50 steps to a healthier borough", "Ελλάδα: Τίτλος")
    with pytest.raises(ContentError) as info:
        import_seed(seed(tmp_path, text), content)
    assert str(info.value) == (
        f"{tmp_path / 'seed.txt'}:3: 'Ελλάδα: Τίτλος' gives no file name: write its place or "
        "title with letters a to z"
    )
    assert not (content / "cases" / ".md").exists()
