"""Issue class 15: whatever the previous manifest said, every build leaves a manifest and
an index.html that describe exactly the files in dist/."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from conftest import TWO_FORMAT_OPTIONS, RunCli, run_script


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


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("not json {", "it is not JSON"),
        ('{\n  "edition_label": "Second edition",\n  "packs": [\n    {', "it is not JSON"),
        ('{"casebook_version": "0.1.0"}', "it has no 'packs'"),
        ('{"packs": [], "outputs": [{"path": "x.pdf"}]}', "it has no 'pack'"),
        (
            '{"packs": [], "outputs": [{"path": "x.pdf", "pack": "x", "format": "pdf", '
            '"bytes": "many", "pages": 1, "sha256": "", "fingerprint": ""}]}',
            "its records are not as Casebook writes them",
        ),
    ],
    ids=["not-json", "cut-short", "no-packs", "no-pack", "bad-record"],
)
def test_a_damaged_manifest_is_named_in_plain_words_and_everything_rebuilt(
    mini_project: Path, run_cli: RunCli, written: str, why: str
) -> None:
    (mini_project / "dist").mkdir()
    (mini_project / "dist" / "manifest.json").write_text(written, encoding="utf-8")

    result = run_cli("--format", "docx", cwd=mini_project)

    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"dist/manifest.json:0: warning: unreadable ({why}); rebuilding everything"
    )
    assert_truthful(mini_project)


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

    result = run_cli(*TWO_FORMAT_OPTIONS, cwd=project)

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


def break_site_template(
    project: Path, mistake: str = "{{ nosuch_thing.x }}"
) -> tuple[Path, str, int]:
    """``mistake`` on a line of its own in the part of the downloads page's template drawn
    for each pack: the template, what it said before and the number of that line."""
    template = project / "layouts" / "site" / "index.html.j2"
    original = template.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if "{% for card in cards %}" in line) + 1
    lines.insert(number - 1, f"{mistake}\n")
    template.write_text("".join(lines), encoding="utf-8")
    return template, original, number


def dist_files(project: Path) -> dict[str, bytes]:
    """Every file in dist/ and what it holds, but the lock a build takes."""
    dist = project / "dist"
    return {p.name: p.read_bytes() for p in dist.iterdir() if p.is_file() and p.name != ".lock"}


@pytest.mark.parametrize("change", ["an-edited-case", "a-deleted-recipe"])
def test_a_mistake_in_the_downloads_page_template_stops_the_build_before_anything_changes(
    built_mini_project: Path, run_cli: RunCli, change: str
) -> None:
    # The template is run before anything is built: the build stops at its mistake with
    # every file in dist/ as it was, the page and the manifest among them.
    project = built_mini_project
    if change == "an-edited-case":
        case = project / "content" / "cases" / "newham-the-50-steps-to-a-healthier-borough.md"
        case.write_text(case.read_text(encoding="utf-8") + "\nA sentence added.\n")
        expected = "built   dist/nation-england.docx"
    else:
        (project / "content" / "packs" / "needs-and-assets.yaml").unlink()
        expected = "removed dist/needs-and-assets.docx (its pack no longer exists)"
    before = dist_files(project)
    template, original, line = break_site_template(project)

    result = run_cli("--format", "docx", cwd=project)

    assert result.returncode == 1
    assert result.stderr == f"layouts/site/index.html.j2:{line}: 'nosuch_thing' is undefined\n"
    assert result.stdout == ""
    assert dist_files(project) == before

    template.write_text(original, encoding="utf-8")
    again = run_cli("--format", "docx", cwd=project)

    assert again.returncode == 0, again.stderr
    assert expected in again.stdout
    assert dist_files(project)["index.html"] != before["index.html"]
    assert_truthful(project)


def test_a_page_that_fails_only_on_what_the_build_made_is_removed_not_left_to_lie(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    # A mistake the template makes only with a real file's checksum passes the run before the
    # build; after it, the page cannot be made, and the previous page would give the old
    # size of the file rebuilt: no page, rather than one that lies.
    project = built_mini_project
    case = project / "content" / "cases" / "newham-the-50-steps-to-a-healthier-borough.md"
    case.write_text(case.read_text(encoding="utf-8") + "\nA sentence added.\n")
    mistake = "{% for o in manifest.outputs %}{% if o.sha256 %}{{ nosuch_thing.x }}{% endif %}"
    template, original, line = break_site_template(project, mistake + "{% endfor %}")

    result = run_cli("--format", "docx", cwd=project)

    assert result.returncode == 1
    assert "built   dist/nation-england.docx" in result.stdout
    assert result.stderr == f"layouts/site/index.html.j2:{line}: 'nosuch_thing' is undefined\n"
    assert not (project / "dist" / "index.html").exists()
    assert "removed dist/index.html (it could not be made to describe the files now)" in (
        result.stdout
    )
    assert sorted(str(o["path"]) for o in outputs(project)) == sorted(packs_on_disk(project))
    for record in outputs(project):
        path = project / "dist" / str(record["path"])
        assert hashlib.sha256(path.read_bytes()).hexdigest() == record["sha256"]
    assert manifest(project)["site_fingerprint"] == ""

    template.write_text(original, encoding="utf-8")
    again = run_cli("--format", "docx", cwd=project)

    assert again.returncode == 0, again.stderr
    assert "0 built" in again.stdout
    assert manifest(project)["site_fingerprint"] != ""
    assert_truthful(project)


def test_a_failing_downloads_page_with_nothing_rebuilt_keeps_the_old_page(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    project = built_mini_project
    index = project / "dist" / "index.html"
    before = index.read_bytes()
    template = project / "layouts" / "site" / "index.html.j2"
    template.write_text(template.read_text(encoding="utf-8") + "{{ no_such_value }}\n")

    result = run_cli(*TWO_FORMAT_OPTIONS, cwd=project)

    assert result.returncode == 1
    assert result.stderr.startswith("layouts/site/index.html.j2:")
    assert "Traceback" not in result.stderr
    # Every file it lists is as it describes it: the page still tells the truth.
    assert index.read_bytes() == before
    assert_truthful(project)


@pytest.mark.parametrize("stop_at", ["index.html", "manifest.json"])
def test_a_build_stopped_around_the_downloads_page_leaves_it_to_the_next_build(
    mini_project: Path, monkeypatch: pytest.MonkeyPatch, stop_at: str
) -> None:
    """Stopped as it writes the page, or as it writes the manifest just after the page, and
    then the template is put back: the next build's page is the template's."""
    from casebook import cli
    from casebook.build import engine

    monkeypatch.chdir(mini_project)
    assert cli.main(["build", "--format", "docx"]) == 0
    template = mini_project / "layouts" / "site" / "index.html.j2"
    original = template.read_text(encoding="utf-8")
    template.write_text(original + "<!-- second look -->\n", encoding="utf-8")
    written = engine.write_atomic
    page_written = False

    def stopped(target: Path, data: bytes) -> None:
        nonlocal page_written
        if target.name == stop_at and (stop_at == "index.html" or page_written):
            raise KeyboardInterrupt  # the build is stopped here
        written(target, data)
        page_written = page_written or target.name == "index.html"

    monkeypatch.setattr(engine, "write_atomic", stopped)
    monkeypatch.setattr("casebook.build.manifest.write_atomic", stopped)
    assert cli.main(["build", "--format", "docx"]) != 0
    monkeypatch.undo()
    monkeypatch.chdir(mini_project)
    template.write_text(original, encoding="utf-8")

    assert cli.main(["build", "--format", "docx"]) == 0
    page = (mini_project / "dist" / "index.html").read_text(encoding="utf-8")
    assert "<!-- second look -->" not in page
    recorded = sorted(str(o["path"]) for o in outputs(mini_project))
    assert recorded == sorted(packs_on_disk(mini_project))
    assert links(mini_project) == set(recorded)


def assert_refused(project: Path, run_cli: RunCli, stderr: str) -> None:
    """A build stops before it writes anything, saying exactly ``stderr``."""
    before = dist_files(project)
    result = run_cli(*TWO_FORMAT_OPTIONS, cwd=project)
    assert result.returncode == 1
    assert (result.stdout, result.stderr) == ("", stderr)
    assert dist_files(project) == before


def assert_builds_cleanly(
    project: Path, run_cli: RunCli, options: tuple[str, ...] = TWO_FORMAT_OPTIONS
) -> None:
    """A build (of two formats, unless ``options`` say otherwise) succeeds without a word on
    stderr, and leaves nothing pending in the manifest."""
    result = run_cli(*options, cwd=project)
    assert (result.returncode, result.stderr) == (0, "")
    assert "written" not in manifest(project)
    assert_truthful(project)


def edit_a_case(project: Path) -> None:
    """A new sentence in a case that the two nation packs do not both show."""
    case = project / "content" / "cases" / "newport-mapping-local-assets.md"
    case.write_text(case.read_text(encoding="utf-8") + "\nA sentence added.\n", encoding="utf-8")


CHANGED_WALES_DOCX = (
    "build.py: error: dist/nation-wales.docx: changed since Casebook wrote it, and a build "
    "would replace it; move it out of dist/, or delete it to have it built again\n"
)


def test_an_output_changed_since_it_was_built_is_never_written_over(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    # Someone opened the Word file in dist/ and saved their own version over it.
    project = built_mini_project
    adapted = project / "dist" / "nation-wales.docx"
    adapted.write_bytes(adapted.read_bytes() + b"our own notes")
    edit_a_case(project)

    assert_refused(project, run_cli, CHANGED_WALES_DOCX)

    # Moved out of the way, the build makes the file again and the edit goes through.
    adapted.rename(project / "nation-wales-ours.docx")
    again = run_cli(*TWO_FORMAT_OPTIONS, cwd=project)
    assert again.returncode == 0, again.stderr
    assert "built   dist/nation-wales.docx" in again.stdout
    assert (project / "nation-wales-ours.docx").read_bytes().endswith(b"our own notes")
    assert_truthful(project)


def test_a_build_of_other_formats_warns_of_a_changed_file_and_still_knows_it(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    project = built_mini_project
    adapted = project / "dist" / "nation-wales.docx"
    original = adapted.read_bytes()
    adapted.write_bytes(original + b"our own notes")

    pdf_only = run_cli("--format", "pdf", cwd=project)

    # Not built now, so not refused: said, and no longer listed, as it is not what was built.
    assert pdf_only.returncode == 0, pdf_only.stderr
    assert pdf_only.stderr == (
        "dist/nation-wales.docx:0: warning: changed since Casebook wrote it, so it is no longer "
        "listed on the downloads page; to have it built again, move it out of dist/ or delete "
        "it\n"
    )
    assert "nation-wales.docx" not in {str(o["path"]) for o in outputs(project)}
    assert "nation-wales.docx" not in links(project)
    # A build of it still knows it for a file changed since Casebook wrote it...
    edit_a_case(project)
    before = dist_files(project)
    refused = run_cli(*TWO_FORMAT_OPTIONS, cwd=project)
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        "build.py: error: dist/nation-wales.docx: changed since Casebook wrote it"
    )
    assert dist_files(project) == before
    # ...and, put back as Casebook wrote it, for Casebook's own.
    adapted.write_bytes(original)
    assert_builds_cleanly(project, run_cli)


SAVED_WHILE_RENDERING = """
import sys
from pathlib import Path
import casebook.build.workers as workers
from casebook.cli import main

real = workers.render_all


def render_all(*args, **kwargs):
    # Someone saves their own version into dist/ while the outputs are being made.
    Path("dist/nation-wales.docx").write_bytes(b"our own version")
    real(*args, **kwargs)


workers.render_all = render_all
sys.exit(main(["--jobs", "1"]))
"""


def test_a_file_saved_into_dist_while_it_is_being_built_is_not_written_over(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    project = built_mini_project
    saved = project / "dist" / "nation-wales.docx"
    edit_a_case(project)

    result = run_script(SAVED_WHILE_RENDERING, cwd=project)

    assert result.returncode == 1, result.stderr
    assert result.stderr == (
        "dist/nation-wales.docx: saved there while the build ran, and a build would "
        "replace it; move it out of dist/, or delete it to have it built again\n"
    )
    assert saved.read_bytes() == b"our own version"
    assert "nation-wales.docx" not in {str(o["path"]) for o in outputs(project)}
    assert "nation-wales.docx" not in links(project)
    assert "built   dist/nation-wales.pdf" in result.stdout
    # The next build still knows it for a file changed since Casebook wrote it.
    again = run_cli(*TWO_FORMAT_OPTIONS, cwd=project)
    assert again.returncode == 1
    assert again.stderr == CHANGED_WALES_DOCX
    saved.unlink()
    assert_builds_cleanly(project, run_cli)


def test_a_record_edited_by_hand_still_keeps_a_changed_file(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    # The record no longer matches its seal, so it is not trusted to say what the file was
    # built from; its checksum still tells the file was changed since.
    project = built_mini_project
    data = manifest(project)
    record = next(o for o in data["outputs"] if o["path"] == "nation-wales.docx")  # type: ignore[attr-defined]
    record["bytes"] += 1
    (project / "dist" / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    adapted = project / "dist" / "nation-wales.docx"
    adapted.write_bytes(adapted.read_bytes() + b"our own notes")

    assert_refused(project, run_cli, CHANGED_WALES_DOCX)


def test_files_casebook_did_not_write_are_all_named_before_anything_is_built(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    project = built_mini_project
    dist = project / "dist"
    # Files the manifest has no record of (as if built before with other formats), put
    # there by hand.
    pdf = dist / "nation-england.pdf"
    pdf.write_bytes(b"%PDF-1.7 someone's own file")
    docx = dist / "all-cases.docx"
    docx.write_bytes(b"PK someone's own file")
    data = manifest(project)
    data["outputs"] = [  # type: ignore[index]
        o for o in outputs(project) if o["path"] not in ("nation-england.pdf", "all-cases.docx")
    ]
    (dist / "manifest.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    before = dist_files(project)

    result = run_cli(*TWO_FORMAT_OPTIONS, cwd=project)

    assert result.returncode == 1
    assert result.stderr == (
        "build.py: error: dist/nation-england.pdf: not written by Casebook, and a build would "
        "replace it\n"
        "dist/all-cases.docx: not written by Casebook, and a build would replace it\n"
        "move these files out of dist/, or delete them to have them built again\n"
    )
    assert result.stdout == ""
    assert dist_files(project) == before


# The build, killed outright the moment its first PDF is in place: before the manifest can
# record it.
KILLED_IN_PLACE = """
import os, signal, sys
from casebook.cli import main

real = os.replace


def replace(source, target):
    real(source, target)
    if str(target).endswith(".pdf"):
        os.kill(os.getpid(), signal.SIGKILL)


os.replace = replace
sys.exit(main(["--jobs", "1", *sys.argv[1:]]))
"""


def kill_as_a_file_is_put_in_place(project: Path, *args: str) -> None:
    """Edit a case, and kill the build that follows (with ``args``) just after it puts a PDF
    in place."""
    edit_a_case(project)
    killed = run_script(KILLED_IN_PLACE, *args, cwd=project)
    assert killed.returncode == -9, killed.stderr


def test_a_file_a_killed_build_had_just_put_in_place_is_known_as_casebook_s(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    project = built_mini_project
    dist = project / "dist"

    kill_as_a_file_is_put_in_place(project)

    # The manifest names the file being replaced, with the checksum of its replacement.
    pending = manifest(project)["written"]
    assert isinstance(pending, list)
    [name] = {r["path"] for r in pending}
    now = hashlib.sha256((dist / name).read_bytes()).hexdigest()
    assert now in {r["sha256"] for r in pending}
    assert name not in {str(o["path"]) for o in outputs(project)}

    assert_builds_cleanly(project, run_cli, options=())


def test_a_build_removes_only_files_named_as_outputs_whatever_the_manifest_says(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    # A manifest edited by hand to say Casebook wrote a file of someone's own.
    project = built_mini_project
    notes = project / "dist" / "notes.txt"
    notes.write_text("Our own notes on the packs.\n", encoding="utf-8")
    path = project / "dist" / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    digest = hashlib.sha256(notes.read_bytes()).hexdigest()
    data["written"] = [{"path": "notes.txt", "sha256": digest}]
    path.write_text(json.dumps(data), encoding="utf-8")
    edit_a_case(project)

    result = run_cli(*TWO_FORMAT_OPTIONS, cwd=project)

    assert (result.returncode, result.stderr) == (0, "")
    assert notes.read_text(encoding="utf-8") == "Our own notes on the packs.\n"
    assert_truthful(project)


def test_a_file_being_replaced_is_known_from_an_earlier_casebook_s_manifest(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    # An earlier Casebook listed the files it was replacing under "replacing".
    project = built_mini_project
    kill_as_a_file_is_put_in_place(project)
    path = project / "dist" / "manifest.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"written"', '"replacing"'))
    assert "written" not in manifest(project)

    assert_builds_cleanly(project, run_cli, options=())


def test_a_killed_build_s_file_is_still_known_after_a_build_of_other_formats(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    project = built_mini_project
    kill_as_a_file_is_put_in_place(project)
    [name] = {r["path"] for r in manifest(project)["written"]}  # type: ignore[attr-defined]
    assert name.endswith(".pdf")

    # A build that does not make the PDFs leaves what was known of that one as it was.
    docx = run_cli("--format", "docx", cwd=project)
    assert docx.returncode == 0, docx.stderr
    assert docx.stderr == ""
    assert name in {r["path"] for r in manifest(project)["written"]}  # type: ignore[attr-defined]

    assert_builds_cleanly(project, run_cli, options=())


def test_the_file_of_a_pack_gone_is_kept_if_it_was_changed_since_it_was_built(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    project = built_mini_project
    dist = project / "dist"
    changed = dist / "needs-and-assets.docx"
    original = changed.read_bytes()
    changed.write_bytes(original + b"our own notes")
    recipe = project / "content" / "packs" / "needs-and-assets.yaml"
    kept_recipe = recipe.read_bytes()
    recipe.unlink()
    warning = (
        "dist/needs-and-assets.docx:0: warning: left in place, as it was changed since "
        "Casebook wrote it (its pack no longer exists); delete it if it is not needed\n"
    )

    result = run_cli(*TWO_FORMAT_OPTIONS, cwd=project)

    assert result.returncode == 0, result.stderr
    assert result.stderr == warning
    assert "removed dist/needs-and-assets.pdf (its pack no longer exists)" in result.stdout
    assert changed.read_bytes().endswith(b"our own notes")
    assert not (dist / "needs-and-assets.pdf").exists()
    assert "needs-and-assets.docx" not in {str(o["path"]) for o in outputs(project)}
    assert "needs-and-assets.docx" not in links(project)
    # Said again by every build while it is there, and still known for a changed file...
    edit_a_case(project)
    again = run_cli(*TWO_FORMAT_OPTIONS, cwd=project)
    assert (again.returncode, again.stderr) == (0, warning)
    assert changed.read_bytes().endswith(b"our own notes")
    # ...so that with its pack back, a build stops at it as at any changed file...
    recipe.write_bytes(kept_recipe)
    refused = run_cli(*TWO_FORMAT_OPTIONS, cwd=project)
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        "build.py: error: dist/needs-and-assets.docx: changed since Casebook wrote it"
    )
    # ...and takes it for its own once it is put back as Casebook wrote it.
    changed.write_bytes(original)
    assert_builds_cleanly(project, run_cli)


def test_the_file_of_a_pack_gone_that_a_killed_build_left_is_removed(
    built_mini_project: Path, run_cli: RunCli
) -> None:
    # A build killed just as it put a file of the pack in place leaves it with no record.
    project = built_mini_project
    kill_as_a_file_is_put_in_place(project, "--only", "needs-and-assets")
    [name] = {r["path"] for r in manifest(project)["written"]}  # type: ignore[attr-defined]
    assert name.startswith("needs-and-assets.")
    (project / "content" / "packs" / "needs-and-assets.yaml").unlink()

    result = run_cli(*TWO_FORMAT_OPTIONS, cwd=project)

    assert (result.returncode, result.stderr) == (0, "")
    assert f"removed dist/{name} (its pack no longer exists)" in result.stdout
    assert not (project / "dist" / name).exists()
    assert "written" not in manifest(project)
    assert_truthful(project)
