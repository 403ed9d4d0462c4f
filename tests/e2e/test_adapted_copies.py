"""Editions end to end: an editor publishes a second edition, a local area's adapted Word copy
is compared with it and refreshed (see docs/editions.md).

The scenario runs on the mini fixture with three more cases in insight 1, so that one insight
pack holds a case for every status:

- A, caerphilly-vision-for-change: edited by the local area and by the editor -> conflict
- B, newham-the-50-steps-to-a-healthier-borough: deleted by the local area -> removed
- C, newham-family-hubs: changed by the editor -> updated
- D, caerphilly-data-sharing: its prompts changed by the editor -> updated
- E, north-wales-regional-population-needs-assessment: withdrawn by the editor -> withdrawn
- F, newport-shared-outcomes: untouched by both -> current
"""

from __future__ import annotations

import datetime
import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

RunCli = Callable[..., subprocess.CompletedProcess[str]]

PACK = "insight-01-strategic-planning"
A = "caerphilly-vision-for-change"
B = "newham-the-50-steps-to-a-healthier-borough"
C = "newham-family-hubs"
D = "caerphilly-data-sharing"
E = "north-wales-regional-population-needs-assessment"
F = "newport-shared-outcomes"
SECTION = "Our area: family hubs"
FOOTER = "Valley Council family hubs · adapted for local use · Page "

_EXTRA = {
    C: (
        "Family hubs",
        "Newham",
        22,
        "Newham brought its children's centres together as family hubs, each with a named "
        "lead for early help and a shared front door for families.",
    ),
    D: (
        "Data sharing",
        "Caerphilly",
        23,
        "Caerphilly agreed a data-sharing protocol between health visiting and the local "
        "authority so that families tell their story once.",
    ),
    F: (
        "Shared outcomes",
        "Newport",
        24,
        "Newport partners agreed five shared outcomes for children under five and report "
        "on them together every quarter.",
    ),
}


def _case_file(title: str, place: str, page: int, text: str) -> str:
    prompts = "".join(
        f"  - {question}\n"
        for question in (
            f"What would {title.lower()} look like in your area?",
            f"Who would lead {title.lower()} where you work?",
        )
    )
    return (
        f"---\ntitle: {title}\nplaces: [{place}]\npage: {page}\ninsight: strategic-planning\n"
        f"tags: [strategy, integration]\nprompts:\n{prompts}---\n{text}\n"
    )


def _project(project: Path, run_cli: RunCli) -> Path:
    """The mini project with the three extra cases recorded in its first edition."""
    cases = project / "content" / "cases"
    for ident, fields in _EXTRA.items():
        (cases / f"{ident}.md").write_text(_case_file(*fields), encoding="utf-8")
    for old in (project / "content" / "editions").glob("*.yaml"):
        old.unlink()
    result = run_cli("edition", "First edition", "--date", "2026-01-15", cwd=project)
    assert result.returncode == 0, result.stderr
    return project


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _statuses(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    return {c["id"]: c["status"] for c in json.loads(result.stdout)["cases"]}


def _paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def _soffice(source: Path, out: Path, fmt: str, profile: Path) -> Path:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        check=False,
        timeout=300,
    )
    result = out / f"{source.stem}.{fmt.split(':')[0]}"
    assert result.is_file(), f"LibreOffice did not convert {source}"
    return result


def _adapt_locally(download: Path, adapted: Path, logo: bytes) -> None:
    """What a local area does in Word: edit case A, delete case B, add a section of its own,
    change the footer and put in its own logo."""
    word = docx.Document(str(download))
    paragraphs = word.paragraphs
    [a_text] = [p for p in paragraphs if p.text.startswith("Caerphilly worked with")]
    a_text.runs[0].text = a_text.runs[0].text.replace(
        "Caerphilly worked with", "In 2019 Caerphilly worked closely with"
    )
    body = word.element.body
    headings = [p for p in paragraphs if p.style is not None and p.style.name == "Heading 2"]
    [b_heading] = [p for p in headings if p.text.startswith("Newham: The 50 Steps")]
    following = headings[headings.index(b_heading) + 1]
    children = list(body)
    for element in children[children.index(b_heading._p) : children.index(following._p)]:
        body.remove(element)
    [action] = [
        p
        for p in paragraphs
        if p.text == "Action-planning sheet" and p.style is not None and p.style.name == "Heading 1"
    ]
    action.insert_paragraph_before(SECTION, style="Heading 1")
    action.insert_paragraph_before(
        "Our four family hubs open in September; bring their leads to the session."
    )
    footer = word.sections[0].footer.paragraphs[0]
    for field in footer._p.findall(qn("w:fldSimple"))[:1]:  # the pack title's TITLE field
        footer._p.remove(field)
    footer.runs[0].text = FOOTER
    cover = paragraphs[0]
    for run in list(cover._p.iter("{*}r")):
        run.getparent().remove(run)
    cover.add_run().add_picture(io.BytesIO(logo))
    word.save(str(adapted))


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 40), (200, 30, 60)).save(out, format="PNG")
    return out.getvalue()


def _cover_image(path: Path) -> bytes:
    word = docx.Document(str(path))
    [blip] = word.paragraphs[0]._p.xpath(".//a:blip")
    rel = blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
    return bytes(word.part.related_parts[rel].blob)


def test_compare_an_untouched_download_is_current(mini_project: Path, run_cli: RunCli) -> None:
    project = _project(mini_project, run_cli)
    built = run_cli("--only", PACK, "--format", "docx", "--jobs", "1", cwd=project)
    assert built.returncode == 0, built.stderr
    download = project / "dist" / f"{PACK}.docx"

    result = run_cli("compare", str(download), "--json", cwd=project)

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["pack"] == PACK
    assert data["edition"] == data["current_edition"] == "First edition"
    assert data["added"] == []
    assert _statuses(result) == {i: "current" for i in (A, B, C, D, F, E)}
    text = run_cli("compare", str(download), cwd=project)
    assert text.returncode == 0
    assert text.stdout.splitlines()[-1] == "up to date: no case in this copy has changed since"


def test_refresh_refuses_a_wrong_brand_or_name_even_with_nothing_to_update(
    mini_project: Path, run_cli: RunCli
) -> None:
    project = _project(mini_project, run_cli)
    built = run_cli("--only", PACK, "--format", "docx", "--jobs", "1", cwd=project)
    assert built.returncode == 0, built.stderr
    download = str(project / "dist" / f"{PACK}.docx")

    branded = run_cli("refresh", download, "--out", "new.docx", "--brand", "nope", cwd=project)
    named = run_cli("refresh", download, "--out", "new.pdf", cwd=project)
    (project / "folder.docx").mkdir()
    folder = run_cli("refresh", download, "--out", "folder.docx", "--force", cwd=project)
    nowhere = run_cli("refresh", download, "--out", "nowhere/new.docx", cwd=project)

    assert branded.returncode == 1
    assert branded.stderr == (
        "layouts/brands:0: brand: 'nope' is neither a brand folder nor a brand.yaml; "
        "brands here: valley-council\n"
    )
    assert named.returncode == 2
    assert named.stderr == (
        "build.py: error: --out new.pdf: the refreshed copy is a Word file; name it .docx\n"
    )
    assert folder.returncode == 2
    assert folder.stderr == (
        "build.py: error: --out folder.docx: is a folder; give the name of the file to write\n"
    )
    assert nowhere.returncode == 2
    assert nowhere.stderr == (
        "build.py: error: --out nowhere/new.docx: the folder nowhere does not exist; create it "
        "first, or write the copy elsewhere\n"
    )
    assert not (project / "new.docx").exists() and not (project / "new.pdf").exists()


def test_refresh_prints_the_new_edition_where_the_copy_still_prints_the_old_one(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    # run_cli sets SOURCE_DATE_EPOCH to 1 January 2026, which builds print as every
    # edition's date, and so must refresh.
    project = _project(mini_project, run_cli)
    built = run_cli("--only", PACK, "--format", "docx", "--jobs", "1", cwd=project)
    assert built.returncode == 0, built.stderr
    download = tmp_path / "download.docx"
    shutil.copyfile(project / "dist" / f"{PACK}.docx", download)
    reworded = tmp_path / "reworded.docx"
    word = docx.Document(str(download))
    [cover] = [p for p in word.paragraphs if p.text == "First edition, 1 January 2026"]
    cover.runs[0].text = "Adapted by Valley Council from the First edition"
    word.save(str(reworded))
    _edit(project / "content" / "cases" / f"{C}.md", "a shared front door", "one front door")
    published = run_cli("edition", "Second edition", "--date", "2026-06-01", cwd=project)
    assert published.returncode == 0, published.stderr
    rebuilt = run_cli("--only", PACK, "--format", "docx", "--jobs", "1", cwd=project)
    assert rebuilt.returncode == 0, rebuilt.stderr
    fresh = _paragraphs(project / "dist" / f"{PACK}.docx")

    untouched = run_cli("refresh", str(download), "--out", str(tmp_path / "a.docx"), cwd=project)
    kept = run_cli("refresh", str(reworded), "--out", str(tmp_path / "b.docx"), cwd=project)

    assert untouched.returncode == 0, untouched.stderr
    assert (
        "edition    now “Second edition, 1 January 2026” on the cover and in About the source"
        in untouched.stdout.splitlines()
    )
    a = _paragraphs(tmp_path / "a.docx")
    # The first edition is named only where "What's new in this edition" says since when.
    assert [p for p in a if "First edition" in p] == [
        "Since the First edition (15 January 2026), these cases in this pack have changed:"
    ]
    [about] = [p for p in a if p.startswith("Second edition, 1 January 2026. Content version ")]
    assert about in fresh  # the content version of the pack as published now
    assert a.index("Second edition, 1 January 2026") < a.index(about)
    assert kept.returncode == 0, kept.stderr
    assert [line for line in kept.stdout.splitlines() if line.startswith("edition")] == [
        "edition    now “Second edition, 1 January 2026” in About the source",
        "edition    kept as you worded it on the cover "
        "(the edition is now “Second edition, 1 January 2026”)",
    ]
    b = _paragraphs(tmp_path / "b.docx")
    assert "Adapted by Valley Council from the First edition" in b
    assert about in b and "Second edition, 1 January 2026" not in b

    # A copy refreshed before refresh reprinted the edition records the current one and
    # still prints the first on its cover; refreshing it again mends the cover alone, and a
    # copy that is current throughout is left as it is.
    word = docx.Document(str(tmp_path / "a.docx"))
    [cover] = [p for p in word.paragraphs if p.text == "Second edition, 1 January 2026"]
    cover.runs[0].text = "First edition, 1 January 2026"
    word.save(str(tmp_path / "older.docx"))
    older = run_cli("refresh", str(tmp_path / "older.docx"), "--out", "c.docx", cwd=project)
    current = run_cli("refresh", str(tmp_path / "a.docx"), "--out", "d.docx", cwd=project)
    assert older.returncode == current.returncode == 0, older.stderr + current.stderr
    assert [line for line in older.stdout.splitlines() if line.startswith("edition")] == [
        "edition    now “Second edition, 1 January 2026” on the cover"
    ]
    assert "Second edition, 1 January 2026" in _paragraphs(project / "c.docx")
    assert not any(line.startswith("edition") for line in current.stdout.splitlines())


def test_refresh_numbers_a_taken_case_s_prompts_from_1_in_a_copy_with_unlisted_headings(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    # A copy whose Heading 2 is in no list (restyled, or made before case headings restarted
    # their prompts) gets the taken case's prompts as a list of their own from 1.
    project = _project(mini_project, run_cli)
    built = run_cli("--only", PACK, "--format", "docx", "--jobs", "1", cwd=project)
    assert built.returncode == 0, built.stderr
    word = docx.Document(str(project / "dist" / f"{PACK}.docx"))
    heading = word.styles["Heading 2"].element
    heading.pPr.remove(heading.pPr.find(qn("w:numPr")))
    word.styles["Prompt"].element.pPr.find(qn("w:numPr")).find(qn("w:ilvl")).set(qn("w:val"), "0")
    copy = tmp_path / "restyled.docx"
    word.save(str(copy))
    _edit(project / "content" / "cases" / f"{C}.md", "a shared front door", "one front door")
    assert run_cli("edition", "Second edition", "--date", "2026-06-01", cwd=project).returncode == 0

    result = run_cli("refresh", str(copy), "--out", str(tmp_path / "new.docx"), cwd=project)

    assert result.returncode == 0, result.stderr
    refreshed = docx.Document(str(tmp_path / "new.docx"))
    paragraphs = refreshed.paragraphs
    start = next(
        i
        for i, p in enumerate(paragraphs)
        if p.text == "Newham: Family hubs" and p.style.name == "Heading 2"
    )
    end = next(i for i, p in enumerate(paragraphs) if i > start and p.style.name == "Heading 2")
    taken = [p for p in paragraphs[start:end] if p.style.name == "Prompt"]
    assert taken and all(p._p.pPr.numPr is not None for p in taken)
    [num_id] = {p._p.pPr.numPr.numId.val for p in taken}  # one list
    numbering = refreshed.part.numbering_part.element
    [num] = [n for n in numbering.findall(qn("w:num")) if n.numId == num_id]
    assert num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}").get(qn("w:val")) == "1"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.docx", b"just some text", "is not a Word .docx file"),
        ("pack.pdf", b"%PDF-1.7\n%...", "is a PDF; compare and refresh read the Word file"),
        (
            "saved.docx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "is an older Word or Office file (.doc), not a .docx: open it in Word or LibreOffice "
            "and save it as a Word document (.docx)",
        ),
        ("saved.rtf", b"{\\rtf1\\ansi Hello}", "is a Rich Text file (.rtf), not a .docx"),
        (
            "saved.odt",
            "odt",
            "is an OpenDocument file (.odt, LibreOffice's own format), not a .docx: open it in "
            "LibreOffice and save it as Word 2007-365 (.docx)",
        ),
        ("damaged.docx", None, "is damaged and cannot be read as a Word file"),
        ("other.docx", "plain", "records no Casebook pack"),
        ("missing.docx", "absent", "no such file"),
    ],
)
def test_compare_refuses_what_is_not_a_casebook_word_pack(
    mini_project: Path, run_cli: RunCli, name: str, data: bytes | str | None, message: str
) -> None:
    path = mini_project / name
    if data is None:  # a zip with a Word package's names but broken XML
        with zipfile.ZipFile(path, "w") as package:
            package.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                '2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/word/document.xml" ContentType="application/vnd.'
                'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
            )
            package.writestr(
                "_rels/.rels",
                '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                'Target="word/document.xml"/></Relationships>',
            )
            package.writestr("word/document.xml", "<w:document><w:body>")
    elif data == "plain":
        docx.Document().save(str(path))
    elif data == "odt":  # as LibreOffice saves by default
        with zipfile.ZipFile(path, "w") as package:
            package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            package.writestr("content.xml", "<office:document-content/>")
    elif isinstance(data, bytes):
        path.write_bytes(data)

    result = run_cli("compare", str(path), cwd=mini_project)

    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{path}: {message}"), line
    assert "Traceback" not in result.stderr


@pytest.mark.clients
def test_an_adapted_copy_is_compared_and_refreshed_after_a_second_edition(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    project = _project(mini_project, run_cli)
    profile = tmp_path / "lo-profile"
    # 1. Build; the local area downloads the insight pack.
    built = run_cli("--jobs", "1", cwd=project)
    assert built.returncode == 0, built.stderr
    download = tmp_path / "download" / f"{PACK}.docx"
    download.parent.mkdir()
    shutil.copyfile(project / "dist" / f"{PACK}.docx", download)
    published_logo = _cover_image(download)

    # 2. The local area adapts it in Word, then saves it again in LibreOffice.
    logo = _png()
    edited = tmp_path / "edited" / "ours.docx"
    edited.parent.mkdir()
    _adapt_locally(download, edited, logo)
    adapted = _soffice(edited, tmp_path / "adapted", "docx:MS Word 2007 XML", profile)

    # 3. The editor changes A and C, D's prompts, withdraws E, publishes and builds.
    cases = project / "content" / "cases"
    _edit(cases / f"{A}.md", "a lack of consistency", "a lack of consistency across services")
    _edit(cases / f"{C}.md", "a shared front door", "a single shared front door")
    _edit(
        cases / f"{D}.md", "Who would lead data sharing", "Who in your area would own data sharing"
    )
    (cases / f"{E}.md").unlink()
    published = run_cli("edition", "Second edition", "--date", "2026-06-01", cwd=project)
    assert published.returncode == 0, published.stderr
    assert "since First edition: 0 added, 3 edited, 1 withdrawn" in published.stdout
    rebuilt = run_cli("--jobs", "1", cwd=project)
    assert rebuilt.returncode == 0, rebuilt.stderr

    # 4. What changed, in the command line, the packs and the downloads page.
    changes = run_cli("changes", "--since", "First edition", "--json", cwd=project)
    assert changes.returncode == 0, changes.stderr
    data = json.loads(changes.stdout)
    assert data["since"] == "First edition"
    found = {c["id"]: c for c in data["cases"]}
    assert sorted(found) == sorted([A, C, D, E])
    assert found[A]["change"] == "edited" and found[A]["fields"] == ["text"]
    assert found[C]["packs"] == [PACK, "nation-england", "all-cases"]
    assert found[D]["fields"] == ["prompts"]
    assert found[E]["change"] == "withdrawn"
    assert found[E]["packs"] == [PACK, "nation-wales", "all-cases", "needs-and-assets"]
    pdf = subprocess.run(
        ["pdftotext", "-layout", str(project / "dist" / f"{PACK}.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    new = pdf[pdf.index("What’s new in this edition") : pdf.index("Contents\n")]
    assert "Since the First edition (15 January 2026)" in new
    assert "Updated: Caerphilly: Vision for change (text)" in new
    assert "Updated: Newham: Family hubs (text)" in new
    assert "Updated: Caerphilly: Data sharing (discussion prompts)" in new
    assert "Withdrawn: North Wales: Regional population needs assessment" in new
    england = subprocess.run(
        ["pdftotext", str(project / "dist" / "nation-england.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Updated: Newham: Family hubs (text)" in england
    assert "Caerphilly" not in england.split("Contents")[0]
    untouched = subprocess.run(
        ["pdftotext", str(project / "dist" / "insight-02-whole-local-resource.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "What’s new" not in untouched
    site = (project / "dist" / "index.html").read_text(encoding="utf-8")
    assert "Second edition" in site
    card = site[site.index(f'id="{PACK}"') : site.index('id="insight-02-whole-local-resource"')]
    assert "Changed in this edition" in card
    assert "Updated: Newham: Family hubs (text)" in card
    other = site[site.index('id="insight-02-whole-local-resource"') :]
    assert "Changed in this edition" not in other[: other.index("</li>")]

    # 5. Compare the adapted copy.
    compared = run_cli("compare", str(adapted), "--json", cwd=project)
    assert compared.returncode == 1, compared.stderr
    report = json.loads(compared.stdout)
    assert report["pack"] == PACK
    assert report["edition"] == "First edition"
    assert report["current_edition"] == "Second edition"
    assert _statuses(compared) == {
        A: "conflict",
        B: "removed",
        C: "updated",
        D: "updated",
        E: "withdrawn",
        F: "current",
    }
    assert report["added"] == [SECTION]
    headings = {c["id"]: c["heading"] for c in report["cases"]}
    assert headings[E] == "North Wales: Regional population needs assessment"
    text = run_cli("compare", str(adapted), cwd=project)
    assert "a lack of consistency {+across services+} and silo working." in text.stdout

    # Refresh it.
    before = adapted.read_bytes()
    refreshed = tmp_path / "refreshed.docx"
    result = run_cli("refresh", str(adapted), "--out", str(refreshed), cwd=project)
    assert result.returncode == 0, result.stderr
    assert adapted.read_bytes() == before
    lines = result.stdout.splitlines()
    assert (
        "updated    Newham: Family hubs: updated: took the current text, prompts and citation"
        in (lines)
    )
    assert any(line.startswith("conflict   Caerphilly: Vision for change: kept") for line in lines)
    assert any("the current text: Caerphilly worked with" in line for line in lines)
    assert f"kept       your section: {SECTION}" in lines
    assert (
        "edition    now “Second edition, 1 January 2026” on the cover and in About the source"
        in lines
    )
    paragraphs = _paragraphs(refreshed)
    assert any("a single shared front door" in p for p in paragraphs)  # C
    assert "Who in your area would own data sharing where you work?" in paragraphs  # D
    assert "Who would lead data sharing where you work?" not in paragraphs
    assert any(p.startswith("In 2019 Caerphilly worked closely with") for p in paragraphs)
    assert not any("across services" in p for p in paragraphs)  # A keeps the local text
    assert not any(p.startswith("Newham: The 50 Steps") for p in paragraphs)  # B stays deleted
    assert SECTION in paragraphs
    assert "Second edition, 1 January 2026" in paragraphs  # the cover, saved by LibreOffice
    # The first edition is named only where "What's new in this edition" says since when.
    assert [p for p in paragraphs if "First edition" in p] == [
        "Since the First edition (15 January 2026), these cases in this pack have changed:"
    ]
    word = docx.Document(str(refreshed))
    [c_text] = [p for p in word.paragraphs if "a single shared front door" in p.text]
    [c_heading] = [p for p in word.paragraphs if p.text == "Newham: Family hubs"]
    assert c_heading.style is not None and c_heading.style.name == "Heading 2"
    # The new text takes the style the copy gives the text of every other case.
    [f_text] = [p for p in word.paragraphs if p.text.startswith("Newport partners agreed")]
    assert c_text._p.style == f_text._p.style
    assert word.sections[0].footer.paragraphs[0].text.startswith(FOOTER)
    assert _cover_image(refreshed) == _cover_image(adapted) != published_logo
    # Refusals: an existing file without --force; the copy itself.
    again = run_cli("refresh", str(adapted), "--out", str(refreshed), cwd=project)
    assert again.returncode == 1
    assert again.stderr == f"{refreshed}: already exists; use --force to replace it\n"
    itself = run_cli("refresh", str(adapted), "--out", str(adapted), "--force", cwd=project)
    assert itself.returncode == 1 and adapted.read_bytes() == before

    # LibreOffice opens the refreshed copy, and it is up to date but for A and E.
    shown = _soffice(refreshed, tmp_path / "shown", "pdf", profile)
    shown_text = subprocess.run(
        ["pdftotext", str(shown), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "a single shared front door" in shown_text and SECTION in shown_text
    after = run_cli("compare", str(refreshed), "--json", cwd=project)
    assert _statuses(after) == {
        A: "conflict",
        B: "removed",
        C: "current",
        D: "current",
        E: "withdrawn",
        F: "current",
    }
    assert json.loads(after.stdout)["added"] == [SECTION]
    assert json.loads(after.stdout)["edition"] == "Second edition"


def test_edition_and_changes_on_the_command_line(mini_project: Path, run_cli: RunCli) -> None:
    bad_date = run_cli("edition", "Second edition", "--date", "1 March 2026", cwd=mini_project)
    assert bad_date.returncode == 2
    assert "not a date like 2027-03-01: '1 March 2026'" in bad_date.stderr
    today = datetime.datetime.now(datetime.UTC).date()
    typo = today.replace(year=today.year + 10, day=1).isoformat()
    far = run_cli("edition", "Second edition", "--date", typo, cwd=mini_project)
    assert far.returncode == 2
    assert (
        f"argument --date: {typo} is more than a year after today ({today.isoformat()}): "
        "is the year right?"
    ) in far.stderr
    unchanged = run_cli("edition", "Second edition", "--date", "2026-03-01", cwd=mini_project)
    assert unchanged.returncode == 1
    assert unchanged.stderr.endswith(
        "no case has changed since Test edition; there is nothing to publish\n"
    )
    assert not list((mini_project / "content" / "editions").glob("002-*"))
    none = run_cli("changes", cwd=mini_project)
    assert none.returncode == 0
    assert none.stdout == (
        "Only one edition has been published, Test edition (15 January 2026), and no case "
        "has changed since.\n"
    )
    none_json = run_cli("changes", "--json", cwd=mini_project)
    assert json.loads(none_json.stdout) == {"since": "Test edition", "cases": []}
    unknown = run_cli("changes", "--since", "Third edition", cwd=mini_project)
    assert unknown.returncode == 2
    assert unknown.stderr == (
        "build.py: error: no edition 'Third edition'; the editions are: 'Test edition'\n"
    )

    _edit(mini_project / "content" / "cases" / f"{A}.md", "silo working", "working in silos")
    pending = run_cli("changes", cwd=mini_project)
    assert pending.stdout.splitlines()[0] == (
        "Changes from Test edition (15 January 2026) to the content now (not yet published "
        "as an edition):"
    )
    published = run_cli("edition", "Second edition", "--date", "2026-03-01", cwd=mini_project)
    assert published.returncode == 0, published.stderr
    record = mini_project / "content" / "editions" / "002-second-edition.yaml"
    shown = Path("content/editions/002-second-edition.yaml")
    assert published.stdout.splitlines()[0] == f"published Second edition (1 March 2026): {shown}"
    assert "working in silos" in record.read_text(encoding="utf-8")
    since = run_cli("changes", "--json", cwd=mini_project)
    assert json.loads(since.stdout) == {
        "since": "Test edition",
        "cases": [
            {
                "id": A,
                "change": "edited",
                "fields": ["text"],
                "packs": ["insight-01-strategic-planning", "nation-wales", "all-cases"],
            }
        ],
    }
    again = run_cli("edition", "second EDITION", "--date", "2026-04-01", cwd=mini_project)
    assert again.returncode == 1
    assert again.stderr == (
        f"{Path('content/editions/002-second-edition.yaml')}:5: label: 'Second edition' is "
        "already published (2026-03-01); choose another label\n"
    )


def _respace(path: Path) -> None:
    """Spaces and blank lines that print nothing, as an editor's text editor leaves them: a
    space at the start of the body's first line and at the end of its last, and blank lines
    at the end of the file."""
    text = path.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    path.write_text(f"{head}\n---\n {body.rstrip()} \n\n\n", encoding="utf-8")


def test_spaces_and_blank_lines_that_print_nothing_are_not_a_change(
    mini_project: Path, run_cli: RunCli
) -> None:
    cases = mini_project / "content" / "cases"
    _respace(cases / f"{A}.md")
    _respace(cases / f"{B}.md")
    none = run_cli("changes", cwd=mini_project)
    assert none.stdout == (
        "Only one edition has been published, Test edition (15 January 2026), and no case "
        "has changed since.\n"
    )
    unchanged = run_cli("edition", "Second edition", "--date", "2026-03-01", cwd=mini_project)
    assert unchanged.returncode == 1
    assert unchanged.stderr.endswith(
        "no case has changed since Test edition; there is nothing to publish\n"
    )

    _edit(cases / f"{A}.md", "silo working", "working in silos")
    pending = run_cli("changes", cwd=mini_project)
    assert pending.stdout == (
        "Changes from Test edition (15 January 2026) to the content now (not yet published "
        "as an edition):\n"
        "\n"
        f"edited     Caerphilly: Vision for change  [{A}]\n"
        "           text: … inequality, a lack of consistency and [-silo working.-] "
        "{+working in silos.+}\n"
        "           packs: insight-01-strategic-planning, nation-wales, all-cases\n"
        "\n"
        "0 added, 1 edited, 0 withdrawn\n"
    )
    published = run_cli("edition", "Second edition", "--date", "2026-03-01", cwd=mini_project)
    assert published.returncode == 0, published.stderr
    assert "since Test edition: 0 added, 1 edited, 0 withdrawn" in published.stdout
    built = run_cli("--only", PACK, "--format", "docx", cwd=mini_project)
    assert built.returncode == 0, built.stderr
    paragraphs = _paragraphs(mini_project / "dist" / f"{PACK}.docx")
    start = paragraphs.index("What’s new in this edition")
    assert paragraphs[start + 1 : start + 3] == [
        "Since the Test edition (15 January 2026), these cases in this pack have changed:",
        "Updated: Caerphilly: Vision for change (text)",
    ]
    assert not any(p.startswith("Updated: Newham") for p in paragraphs)


def _append_to(path: Path, containing: str, words: str) -> None:
    """Add ``words`` to the end of the paragraph holding ``containing``, as a local area
    types in Word."""
    word = docx.Document(str(path))
    [paragraph] = [p for p in word.paragraphs if containing in p.text]
    paragraph.runs[-1].text += words
    word.save(str(path))


def _retype(path: Path, old: str, new: str) -> None:
    word = docx.Document(str(path))
    [run] = [r for p in word.paragraphs for r in p.runs if old in r.text]
    run.text = run.text.replace(old, new)
    word.save(str(path))


def _locally_edited_copy(project: Path, run_cli: RunCli, tmp_path: Path) -> tuple[Path, Path]:
    """The scenario's project, and a Word copy of its insight pack whose case A the local
    area has added a sentence to."""
    project = _project(project, run_cli)
    assert run_cli("--only", PACK, "--format", "docx", cwd=project).returncode == 0
    copy = tmp_path / "ours.docx"
    shutil.copyfile(project / "dist" / f"{PACK}.docx", copy)
    _append_to(copy, "a lack of consistency", " We heard the same here.")
    return project, copy


def _lines_of(output: str, first: str) -> list[str]:
    """The line of ``output`` that starts with ``first`` and the indented lines under it."""
    lines = output.splitlines()
    [start] = [n for n, line in enumerate(lines) if line.startswith(first)]
    end = start + 1
    while end < len(lines) and lines[end].startswith(" "):
        end += 1
    return lines[start:end]


def _second_edition_changing_a_c_and_f(
    project: Path, run_cli: RunCli, c_words: bool = False
) -> None:
    """The editor changes A's words, retitles C (and with ``c_words`` changes its words too),
    moves F to another insight, and publishes the second edition."""
    cases = project / "content" / "cases"
    _edit(cases / f"{A}.md", "a lack of consistency", "a lack of consistency across services")
    _edit(cases / f"{C}.md", "title: Family hubs", "title: Family hubs for all")
    if c_words:
        _edit(cases / f"{C}.md", "a shared front door", "a single shared front door")
    _edit(
        cases / f"{F}.md",
        "page: 24\ninsight: strategic-planning",
        "page: 27\ninsight: whole-local-resource",
    )
    assert run_cli("edition", "Second edition", "--date", "2026-06-01", cwd=project).returncode == 0


def test_a_conflict_worked_in_by_hand_a_case_moved_out_and_a_retitled_case(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    project, copy = _locally_edited_copy(mini_project, run_cli, tmp_path)
    # The editor changes A's words, retitles C, and moves F to another insight.
    _second_edition_changing_a_c_and_f(project, run_cli)
    assert run_cli("--format", "docx", cwd=project).returncode == 0

    compared = run_cli("compare", str(copy), "--json", cwd=project)
    assert compared.returncode == 1
    assert _statuses(compared) == {A: "conflict", B: "current", C: "updated", D: "current",
                                   E: "current", F: "withdrawn"}  # fmt: skip
    text = run_cli("compare", str(copy), cwd=project).stdout
    assert "insight: [-strategic-planning-] {+whole-local-resource+}" in text
    assert "(no longer in this pack: consider deleting it from your copy)" in text
    moved = _lines_of(text, "withdrawn  Newport: Shared outcomes")
    assert "           insight: [-strategic-planning-] {+whole-local-resource+}" in moved

    # The local area works the editor's change into its own text by hand: A is theirs again.
    _retype(copy, "a lack of consistency", "a lack of consistency across services")
    compared = run_cli("compare", str(copy), "--json", cwd=project)
    assert _statuses(compared)[A] == "edited"
    # Typed in beside the old words, or only half of it, is still a conflict.
    half = tmp_path / "half.docx"
    shutil.copyfile(copy, half)
    _retype(half, "across services", "across")
    assert _statuses(run_cli("compare", str(half), "--json", cwd=project))[A] == "conflict"

    refreshed = tmp_path / "refreshed.docx"
    result = run_cli("refresh", str(copy), "--out", str(refreshed), cwd=project)
    assert result.returncode == 0, result.stderr
    paragraphs = _paragraphs(refreshed)
    # C took its new title, and its notes heading names it so.
    assert "Newham: Family hubs for all" in paragraphs
    assert "Notes on Newham: Family hubs for all" in paragraphs
    assert "Notes on Newham: Family hubs" not in paragraphs
    assert any(
        p.endswith("across services and silo working. We heard the same here.") for p in paragraphs
    )
    after = run_cli("compare", str(refreshed), "--json", cwd=project)
    assert _statuses(after)[A] == "edited" and _statuses(after)[C] == "current"
    # F, kept in the refreshed copy, still says what took it out of the pack.
    shown = run_cli("compare", str(refreshed), cwd=project).stdout
    assert _lines_of(shown, "withdrawn  Newport: Shared outcomes") == moved

    # A third edition changes A again: the refreshed copy compares against the second.
    _edit(project / "content" / "cases" / f"{A}.md", "silo working", "working in silos")
    # Before it is published, compare and refresh say they take the content as it stands.
    draft = run_cli("compare", str(refreshed), cwd=project)
    assert draft.stderr == (
        "warning: 1 case changed since the Second edition was published and not yet in an "
        "edition: the content is taken as it stands (python build.py changes lists what "
        "changed; python build.py edition LABEL publishes it)\n"
    )
    assert run_cli("compare", str(copy), cwd=project).stderr == draft.stderr
    assert run_cli("edition", "Third edition", "--date", "2026-09-01", cwd=project).returncode == 0
    third = run_cli("compare", str(refreshed), cwd=project).stdout
    assert "conflict   Caerphilly: Vision for change" in third
    assert "[-silo working.-] {+working in silos.+}" in third
    assert "{+across services+}" not in third


def test_what_s_new_in_a_refreshed_copy_leaves_out_the_changes_it_did_not_take(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    # A, edited in the copy, changes in the second edition too (a conflict: kept as the local
    # area edited it); C is retitled and taken; F moves out of the pack.
    # A case new to the pack is published with them: refresh does not add it to the copy.
    project, copy = _locally_edited_copy(mini_project, run_cli, tmp_path)
    new_case = _case_file(
        "Early years forum", "Newport", 25, "Newport meets every term with early years leads."
    )
    (project / "content" / "cases" / "newport-early-years-forum.md").write_text(new_case)
    _second_edition_changing_a_c_and_f(project, run_cli)
    built = run_cli("--only", PACK, "--format", "docx", "--jobs", "1", cwd=project)
    assert built.returncode == 0, built.stderr
    fresh = _section_of(_paragraphs(project / "dist" / f"{PACK}.docx"), WHATS_NEW)
    assert any(line.startswith("Updated: Caerphilly: Vision for change") for line in fresh)
    assert "Added: Newport: Early years forum" in fresh

    done = run_cli("refresh", str(copy), "--out", str(tmp_path / "new.docx"), cwd=project)

    assert done.returncode == 0, done.stderr
    assert (
        "new        Newport: Early years forum: in the pack now, not added to your copy (a "
        "fresh download has it, to copy in if you want it)"
    ) in done.stdout.splitlines()
    assert (
        "section    “What’s new in this edition”: added before the contents, listing this "
        "edition’s changes this copy has (not those to cases you kept as you edited them or "
        "deleted, nor the cases new to the pack, which refresh does not add)"
    ) in done.stdout.splitlines()
    # The copy does not claim a change it does not have.
    assert _section_of(_paragraphs(tmp_path / "new.docx"), WHATS_NEW) == [
        line
        for line in fresh
        if not line.startswith(("Updated: Caerphilly", "Added: Newport: Early years forum"))
    ]


def test_a_copy_of_a_pack_no_longer_published_is_out_of_date(
    mini_project: Path, run_cli: RunCli
) -> None:
    project = mini_project
    built = run_cli("--only", "needs-and-assets", "--format", "docx", cwd=project)
    assert built.returncode == 0, built.stderr
    (project / "content" / "packs" / "needs-and-assets.yaml").unlink()
    copy = project / "dist" / "needs-and-assets.docx"

    compared = run_cli("compare", str(copy), "--json", cwd=project)

    assert compared.returncode == 1
    data = json.loads(compared.stdout)
    assert data["pack_published"] is False
    assert {c["status"] for c in data["cases"]} == {"current"}
    text = run_cli("compare", str(copy), cwd=project).stdout.splitlines()
    assert (
        "the pack needs-and-assets is no longer published: each case is compared with the "
        "content as it is now" in text
    )
    assert text[-1] == "out of date: the pack is no longer published"


def test_a_copy_compares_after_a_place_it_names_is_renamed(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    project, copy = _locally_edited_copy(mini_project, run_cli, tmp_path)
    content = project / "content"
    _edit(content / "places.yaml", "- name: Caerphilly\n", "- name: Caerphilly Borough\n")
    for case in (content / "cases").glob("caerphilly-*.md"):
        _edit(case, "places: [Caerphilly]", "places: [Caerphilly Borough]")

    compared = run_cli("compare", str(copy), "--json", cwd=project)

    assert "Traceback" not in compared.stderr, compared.stderr
    # The published words of A name a place the content no longer has: A, edited locally
    # and retitled since, is a conflict to look at by hand.
    assert _statuses(compared)[A] == "conflict"
    assert _statuses(compared)[D] == "updated"


WHATS_NEW = "What’s new in this edition"


def _links(path: Path) -> list[str]:
    """The words of every link to a place in the document (the contents' lines), wherever
    in the body they are."""
    body = docx.Document(str(path)).element.body
    return ["".join(link.xpath(".//w:t/text()")) for link in body.xpath("//w:hyperlink[@w:anchor]")]


def _section_of(paragraphs: list[str], title: str) -> list[str]:
    """The paragraphs from ``title`` up to the contents' heading."""
    start = paragraphs.index(title)
    return paragraphs[start : paragraphs.index("Contents", start)]


def test_refresh_keeps_what_s_new_in_this_edition_true_to_the_edition(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    project = _project(mini_project, run_cli)
    cases = project / "content" / "cases"

    def publish(label: str, date: str) -> None:
        published = run_cli("edition", label, "--date", date, cwd=project)
        assert published.returncode == 0, published.stderr
        built = run_cli("--only", PACK, "--format", "docx", "--jobs", "1", cwd=project)
        assert built.returncode == 0, built.stderr

    def refresh(copy: Path, out: str) -> tuple[list[str], list[str]]:
        done = run_cli("refresh", str(copy), "--out", str(tmp_path / out), cwd=project)
        assert done.returncode == 0, done.stderr
        said = [line for line in done.stdout.splitlines() if line.startswith("section")]
        return said, _paragraphs(tmp_path / out)

    built = run_cli("--only", PACK, "--format", "docx", "--jobs", "1", cwd=project)
    assert built.returncode == 0, built.stderr
    first = tmp_path / "first.docx"
    shutil.copyfile(project / "dist" / f"{PACK}.docx", first)
    assert WHATS_NEW not in _paragraphs(first)

    # A first-edition copy, refreshed to the second: the section a fresh download has now,
    # before the contents, and recorded as published (not reported as the local area's).
    _edit(cases / f"{C}.md", "a shared front door", "one front door")
    mapped = cases / "newport-mapping-local-assets.md"
    mapped.write_text(mapped.read_text(encoding="utf-8") + "\nIt was mapped again.\n", "utf-8")
    publish("Second edition", "2026-06-01")
    theirs = run_cli("--only", "needs-and-assets", "--format", "docx", "--jobs", "1", cwd=project)
    assert theirs.returncode == 0, theirs.stderr
    custom = tmp_path / "needs-and-assets.docx"
    shutil.copyfile(project / "dist" / "needs-and-assets.docx", custom)
    assert "Updated: Newport: Mapping local assets (text)" in _paragraphs(custom)
    said, second = refresh(first, "second.docx")
    assert said == [
        "section    “What’s new in this edition”: added before the contents, listing this "
        "edition’s changes"
    ]
    fresh = _paragraphs(project / "dist" / f"{PACK}.docx")
    assert (
        _section_of(second, WHATS_NEW)
        == _section_of(fresh, WHATS_NEW)
        == [
            WHATS_NEW,
            "Since the First edition (15 January 2026), these cases in this pack have changed:",
            "Updated: Newham: Family hubs (text)",
        ]
    )
    assert second.index("How to use this pack") < second.index(WHATS_NEW)
    # The contents list it too, after the guide, linked to it.
    listed = second[second.index("Contents") :]
    assert listed[1:3] == ["How to use this pack", WHATS_NEW]
    compared = run_cli("compare", str(tmp_path / "second.docx"), "--json", cwd=project)
    assert compared.returncode == 0, compared.stdout
    assert json.loads(compared.stdout)["added"] == []
    word = docx.Document(str(tmp_path / "second.docx"))
    [heading, entry] = [p for p in word.paragraphs if p.text == WHATS_NEW]
    assert heading.style is not None and heading.style.name == "Heading 1"
    assert entry.style is not None and entry.style.name.casefold() == "toc 1"
    [name] = heading._p.xpath("./w:bookmarkStart/@w:name")
    assert entry._p.xpath(".//w:hyperlink/@w:anchor") == [name]
    [line] = [p for p in word.paragraphs if p.text.startswith("Updated: Newham")]
    # The section's one line is its list's last item.
    assert line.style is not None and line.style.name == "List Bullet Last"
    ids = word.element.body.xpath("//w:bookmarkStart/@w:id")
    assert len(ids) == len(set(ids))

    # The same copy with a line of the local area's own in the section (worded as Casebook
    # words its lines), one with the section deleted, and one whose contents heading they
    # renamed; and a fresh download of the second edition.
    word = docx.Document(str(tmp_path / "second.docx"))
    [line] = [p for p in word.paragraphs if p.text.startswith("Updated: Newham")]
    line.insert_paragraph_before("Updated: our hubs timetable (see page 4)", line.style)
    word.save(str(tmp_path / "noted.docx"))
    word = docx.Document(str(tmp_path / "second.docx"))
    [line] = [p for p in word.paragraphs if p.text.startswith("Updated: Newham")]
    line.runs[0].text = "Updated: Newham: Family hubs (ours opens in May)"
    word.save(str(tmp_path / "reworded.docx"))
    word = docx.Document(str(tmp_path / "second.docx"))
    start = next(i for i, p in enumerate(word.paragraphs) if p.text == WHATS_NEW)
    for p in word.paragraphs[start : start + 3]:
        p._p.getparent().remove(p._p)
    [entry] = [p for p in word.paragraphs if p.text == WHATS_NEW]  # as F9 would
    entry._p.getparent().remove(entry._p)
    word.save(str(tmp_path / "deleted.docx"))
    word = docx.Document(str(tmp_path / "second.docx"))
    [contents] = [p for p in word.paragraphs if p.text == "Contents"]
    contents.runs[0].text = "In this pack"
    word.save(str(tmp_path / "renamed.docx"))
    downloaded = tmp_path / "downloaded.docx"
    shutil.copyfile(project / "dist" / f"{PACK}.docx", downloaded)
    assert _paragraphs(downloaded).count(WHATS_NEW) == 2  # the section and its contents line

    # A third edition changes another case of the pack: the section now tells its changes,
    # not the second edition's; the local area's wording and their deletion stand.
    _edit(cases / f"{F}.md", "every quarter", "every three months")
    (project / "content" / "packs" / "needs-and-assets.yaml").unlink()
    publish("Third edition", "2026-09-01")
    said, third = refresh(tmp_path / "second.docx", "third.docx")
    assert said == ["section    “What’s new in this edition”: now lists this edition’s changes"]
    assert _section_of(third, WHATS_NEW) == [
        WHATS_NEW,
        "Since the Second edition (1 June 2026), these cases in this pack have changed:",
        "Updated: Newport: Shared outcomes (text)",
    ]
    said, noted = refresh(tmp_path / "noted.docx", "noted-3.docx")
    assert said == [
        "section    “What’s new in this edition”: kept as you worded it; it may tell an "
        "earlier edition’s changes"
    ]
    assert "Updated: our hubs timetable (see page 4)" in noted
    assert "Updated: Newham: Family hubs (text)" in noted
    said, reworded = refresh(tmp_path / "reworded.docx", "reworded-3.docx")
    assert said[0].startswith("section    “What’s new in this edition”: kept as you worded it")
    assert "Updated: Newham: Family hubs (ours opens in May)" in reworded
    # A copy of a pack no longer published: no edition will tell its changes again.
    said, unpublished = refresh(custom, "needs-and-assets-3.docx")
    assert said == [
        "section    “What’s new in this edition”: taken out: this pack is no longer "
        "published, so no edition changes it"
    ]
    assert not any("What’s new" in p or p.startswith("Updated: ") for p in unpublished)
    said, deleted = refresh(tmp_path / "deleted.docx", "deleted-3.docx")
    assert said == [] and WHATS_NEW not in deleted
    said, renamed = refresh(tmp_path / "renamed.docx", "renamed-3.docx")
    assert said == ["section    “What’s new in this edition”: now lists this edition’s changes"]
    new = renamed[renamed.index(WHATS_NEW) : renamed.index("In this pack")]
    assert new == _section_of(third, WHATS_NEW)
    said, downloaded_3 = refresh(downloaded, "downloaded-3.docx")
    assert said == ["section    “What’s new in this edition”: now lists this edition’s changes"]
    assert downloaded_3.count(WHATS_NEW) == 2

    # A fourth edition changes no case of the pack: a fresh download has no such section,
    # and the refreshed copy loses it and its line in the contents.
    other = next(
        path for path in cases.glob("*.md") if "insight: whole-local-resource" in path.read_text()
    )
    text = other.read_text(encoding="utf-8")
    other.write_text(text.rstrip("\n") + " It was reviewed a year on.\n", encoding="utf-8")
    publish("Fourth edition", "2026-12-01")
    assert WHATS_NEW not in _paragraphs(project / "dist" / f"{PACK}.docx")
    said, fourth = refresh(tmp_path / "third.docx", "fourth.docx")
    assert said == [
        "section    “What’s new in this edition”: taken out: none of this pack’s cases "
        "changed in this edition"
    ]
    assert not any("What’s new" in p or p.startswith("Since the") for p in fourth)
    # A copy with the section's line in its contents loses that line too, its page number
    # field and all, as Word's update of the contents gives each line one.
    word = docx.Document(str(tmp_path / "downloaded-3.docx"))
    links = word.element.body.xpath("//w:hyperlink[@w:anchor]")
    for link in links:
        run = link.makeelement(qn("w:r"), {})
        for kind in ("begin", "separate", "end"):
            run.append(link.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind}))
        link.append(run)
    word.save(str(tmp_path / "downloaded-3.docx"))
    assert WHATS_NEW in _links(tmp_path / "downloaded-3.docx")
    said, downloaded_4 = refresh(tmp_path / "downloaded-3.docx", "downloaded-4.docx")
    assert said == [
        "section    “What’s new in this edition”: taken out: none of this pack’s cases "
        "changed in this edition"
    ]
    assert not any("What’s new" in p for p in downloaded_4)
    assert "How to use this pack" in _links(tmp_path / "downloaded-4.docx")
    assert WHATS_NEW not in _links(tmp_path / "downloaded-4.docx")
    assert "How to use this pack" in downloaded_4[downloaded_4.index("Contents") :]
    compared = run_cli("compare", str(tmp_path / "fourth.docx"), "--json", cwd=project)
    assert compared.returncode == 0, compared.stdout
    assert json.loads(compared.stdout)["added"] == []


A_CURRENT = (
    "Caerphilly worked with Public Health Wales to create an Early Years Logic Model which "
    "used a theory of change structure to describe the current challenges and set out a new "
    "integrated approach to improve services and outcomes.",
    "The approach responded to feedback from families about the need for more individualised "
    "support, and local concerns about inequality, a lack of consistency across services and "
    "silo working.",
)
UNTOUCHED = [
    "current    Newham: The 50 Steps to a healthier borough",
    "current    Newham: Family hubs",
    "current    Caerphilly: Data sharing",
    "current    Newport: Shared outcomes",
    "current    North Wales: Regional population needs assessment",
]


def _conflict_lines(*since: str, current: tuple[str, ...] = A_CURRENT) -> list[str]:
    """What compare prints for case A in conflict: what changed since, then its current text."""
    first, *rest = current
    return [
        "conflict   Caerphilly: Vision for change  (edited in your copy and changed since: "
        "compare the two by hand)",
        *(f"           {line}" for line in since),
        f"           the current text: {first}",
        *(f"                             {line}" for line in rest),
    ]


def _assert_a_conflict(
    run_cli: RunCli, project: Path, copy: Path, edition: str, since: str
) -> None:
    """``compare`` on ``copy`` (of ``edition``) reports case A in conflict, having changed
    ``since``, the other cases untouched, in words and in JSON, with exit status 1."""
    said = run_cli("compare", str(copy), cwd=project)
    assert said.returncode == 1, said.stderr
    assert said.stdout.splitlines() == [
        f"{copy}: pack {PACK}, {edition}; the current edition is Second edition.",
        *_conflict_lines(since),
        *UNTOUCHED,
        "out of date: 1 conflict",
    ]
    as_json = run_cli("compare", str(copy), "--json", cwd=project)
    assert as_json.returncode == 1
    field, words = since.split(": ", 1)
    assert json.loads(as_json.stdout) == _compare_json(
        edition,
        {A: "conflict"},
        {
            A: {
                "since": "First edition",
                "diff": [{"field": field, "words": words, "old": A_TEXT_FIRST, "new": A_TEXT}],
                "current_text": list(A_CURRENT),
            }
        },
    )


A_TEXT = "\n\n".join(A_CURRENT)  # A's text (Markdown) in the second edition
A_TEXT_FIRST = A_TEXT.replace("consistency across services and", "consistency and")
# What compare --json says of a case with nothing to show since.
NOTHING_SINCE = {"since": None, "diff": [], "current_text": []}


def _compare_json(
    edition: str, statuses: dict[str, str], shown: dict[str, dict[str, object]] | None = None
) -> dict[str, object]:
    headings = {
        A: "Caerphilly: Vision for change",
        B: "Newham: The 50 Steps to a healthier borough",
        C: "Newham: Family hubs",
        D: "Caerphilly: Data sharing",
        F: "Newport: Shared outcomes",
        E: "North Wales: Regional population needs assessment",
    }
    return {
        "pack": PACK,
        "edition": edition,
        "current_edition": "Second edition",
        "cases": [
            {
                "id": ident,
                "heading": heading,
                "status": statuses.get(ident, "current"),
                **(shown or {}).get(ident, NOTHING_SINCE),
            }
            for ident, heading in headings.items()
        ],
        "added": [],
        "new": [],
        "pack_published": True,
    }


def test_a_refreshed_copy_still_shows_what_changed_in_a_conflict(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    project, copy = _locally_edited_copy(mini_project, run_cli, tmp_path)
    cases = project / "content" / "cases"
    _edit(cases / f"{A}.md", "a lack of consistency", "a lack of consistency across services")
    assert run_cli("edition", "Second edition", "--date", "2026-06-01", cwd=project).returncode == 0
    since = "text: … about inequality, a lack of consistency {+across services+} and silo working."

    _assert_a_conflict(run_cli, project, copy, "First edition", since)

    refreshed = tmp_path / "ours-2027.docx"
    done = run_cli("refresh", str(copy), "--out", str(refreshed), cwd=project)
    assert done.returncode == 0, done.stderr
    first, second = A_CURRENT
    assert done.stdout.splitlines()[:4] == [
        "conflict   Caerphilly: Vision for change: kept as you edited it; it has also changed "
        "since, so compare by hand",
        f"           changed since: {since}",
        f"           the current text: {first}",
        f"                             {second}",
    ]

    # The refreshed copy records the second edition; its own version of A is still based on
    # the first, and compare shows what changed since then, as it did before the refresh.
    _assert_a_conflict(run_cli, project, refreshed, "Second edition", since)

    # Refreshed again, it still does.
    again = tmp_path / "ours-again.docx"
    assert run_cli("refresh", str(refreshed), "--out", str(again), cwd=project).returncode == 0
    assert run_cli("compare", str(again), cwd=project).stdout.splitlines()[1:-1] == [
        *_conflict_lines(since),
        *UNTOUCHED,
    ]

    # Once the local area works the change in, A is theirs: edited, and the copy up to date.
    _retype(refreshed, "a lack of consistency", "a lack of consistency across services")
    worked_in = run_cli("compare", str(refreshed), cwd=project)
    assert worked_in.returncode == 0, worked_in.stdout
    assert worked_in.stdout.splitlines()[1:] == [
        "edited     Caerphilly: Vision for change  (edited in your copy, unchanged since)",
        *UNTOUCHED,
        "up to date: no case in this copy has changed since",
    ]


def test_a_conflict_kept_through_a_refresh_shows_every_change_since_its_edition(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    project, copy = _locally_edited_copy(mini_project, run_cli, tmp_path)
    cases = project / "content" / "cases"
    _edit(cases / f"{A}.md", "a lack of consistency", "a lack of consistency across services")
    assert run_cli("edition", "Second edition", "--date", "2026-06-01", cwd=project).returncode == 0
    refreshed = tmp_path / "ours-2027.docx"
    assert run_cli("refresh", str(copy), "--out", str(refreshed), cwd=project).returncode == 0
    _edit(cases / f"{A}.md", "silo working", "working in silos")
    assert run_cli("edition", "Third edition", "--date", "2026-09-01", cwd=project).returncode == 0
    first, second = A_CURRENT

    result = run_cli("compare", str(refreshed), cwd=project)

    # Both editions' changes, as the local area's version of A has neither.
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"{refreshed}: pack {PACK}, Second edition; the current edition is Third edition.",
        *_conflict_lines(
            "text: … about inequality, a lack of consistency {+across services+} and "
            "[-silo working.-] {+working in silos.+}",
            current=(first, second.replace("silo working.", "working in silos.")),
        ),
        *UNTOUCHED,
        "out of date: 1 conflict",
    ]


def _drop_property(path: Path, name: str) -> None:
    """Take the custom document property ``name`` out of the Word file at ``path``, if it
    has one."""
    from lxml import etree

    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    root = etree.fromstring(parts["docProps/custom.xml"])
    for prop in [p for p in root if p.get("name") == name]:
        root.remove(prop)
    parts["docProps/custom.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for filename, data in parts.items():
            package.writestr(filename, data)


def test_a_conflict_in_a_copy_refreshed_by_an_earlier_casebook_still_shows_what_changed(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    # Casebook used to refresh a copy without recording which edition a conflict's words
    # were of: the edition is found again from the words the copy records.
    project, copy = _locally_edited_copy(mini_project, run_cli, tmp_path)
    cases = project / "content" / "cases"
    _edit(cases / f"{A}.md", "a lack of consistency", "a lack of consistency across services")
    assert run_cli("edition", "Second edition", "--date", "2026-06-01", cwd=project).returncode == 0
    older = tmp_path / "older.docx"
    assert run_cli("refresh", str(copy), "--out", str(older), cwd=project).returncode == 0
    _drop_property(older, "Casebook base 001")

    result = run_cli("compare", str(older), cwd=project)

    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"{older}: pack {PACK}, Second edition; the current edition is Second edition.",
        *_conflict_lines(
            "text: … about inequality, a lack of consistency {+across services+} and silo working."
        ),
        *UNTOUCHED,
        "out of date: 1 conflict",
    ]


def test_a_change_in_how_a_case_is_set_out_says_so_in_words(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    project = _project(mini_project, run_cli)
    assert run_cli("--only", PACK, "--format", "docx", cwd=project).returncode == 0
    copy = tmp_path / "ours.docx"
    shutil.copyfile(project / "dist" / f"{PACK}.docx", copy)
    # The editor changes how the words are set out, not the words: one of A's paragraphs
    # becomes two, two of B's list items become one, and a prompt of D gets a double space.
    cases = project / "content" / "cases"
    _edit(cases / f"{A}.md", "Logic Model which", "Logic Model\n\nwhich")
    _edit(cases / f"{B}.md", "for parents\n2. give", "for parents 2. give")
    _edit(cases / f"{D}.md", "Who would lead data sharing", "Who would lead data  sharing")
    assert run_cli("edition", "Second edition", "--date", "2026-06-01", cwd=project).returncode == 0

    changes = run_cli("changes", cwd=project)

    assert changes.returncode == 0, changes.stderr
    assert changes.stdout.splitlines() == [
        "Changes from First edition (15 January 2026) to Second edition (1 June 2026):",
        "",
        f"edited     Caerphilly: Vision for change  [{A}]",
        "           text: the same words, set out differently: … create an Early Years Logic "
        "Model {+(new paragraph)+} which used a theory of change …",
        "           packs: insight-01-strategic-planning, nation-wales, all-cases",
        "",
        f"edited     Newham: The 50 Steps to a healthier borough  [{B}]",
        "           text: set out differently: … childbirth and postnatal care for parents "
        "[-(item 2)-] {+2.+} give every child in Newham the best start to life [-(item 3)-] "
        "{+(item 2)+} improve rates of childhood immunisations (new paragraph) …",
        "           packs: insight-01-strategic-planning, nation-england, all-cases, "
        "needs-and-assets",
        "",
        f"edited     Caerphilly: Data sharing  [{D}]",
        "           prompts: the same words, spaced differently",
        "           packs: insight-01-strategic-planning, nation-wales, all-cases",
        "",
        "0 added, 3 edited, 0 withdrawn",
    ]

    # The copy prints A's and D's words as they are now: they are current. B's list now
    # prints "2." among its words: it is updated, and compare says how.
    compared = run_cli("compare", str(copy), cwd=project)

    b_since = (
        "set out differently: … childbirth and postnatal care for parents [-(item 2)-] {+2.+} "
        "give every child in Newham the best start to life [-(item 3)-] {+(item 2)+} improve "
        "rates of childhood immunisations (new paragraph) …"
    )
    assert compared.returncode == 1, compared.stderr
    assert compared.stdout.splitlines() == [
        f"{copy}: pack {PACK}, First edition; the current edition is Second edition.",
        "current    Caerphilly: Vision for change",
        "updated    Newham: The 50 Steps to a healthier borough  (changed since your copy, "
        "untouched in it: refresh takes the new text)",
        f"           text: {b_since}",
        *UNTOUCHED[1:],
        "out of date: 1 updated",
        f"bring it up to date: python build.py refresh {copy} --out NEW.docx",
    ]
    as_json = run_cli("compare", str(copy), "--json", cwd=project)
    assert as_json.returncode == 1
    shown = {c["id"]: c for c in json.loads(as_json.stdout)["cases"]}
    assert [(d["field"], d["words"]) for d in shown[B]["diff"]] == [("text", b_since)]
    assert "parents\n2. give" in shown[B]["diff"][0]["old"]
    assert "parents 2. give" in shown[B]["diff"][0]["new"]
    assert shown[A]["diff"] == shown[D]["diff"] == []


def test_compare_json_shows_what_changed_in_each_case_and_the_current_text(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    project, copy = _locally_edited_copy(mini_project, run_cli, tmp_path)
    # The editor changes A's words (in conflict with the local edit), retitles C and changes
    # its words (updated), and moves F to another insight (withdrawn from this pack).
    _second_edition_changing_a_c_and_f(project, run_cli, c_words=True)
    c_text = _EXTRA[C][3]
    cite = "From: Leading and delivering early childhood services: 10 insights from 20 places "
    cite += "across England and Wales, page "

    result = run_cli("compare", str(copy), "--json", cwd=project)

    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout) == {
        "pack": PACK,
        "edition": "First edition",
        "current_edition": "Second edition",
        "cases": [
            {
                "id": A,
                "heading": "Caerphilly: Vision for change",
                "status": "conflict",
                "since": "First edition",
                "diff": [
                    {
                        "field": "text",
                        "words": "… about inequality, a lack of consistency {+across services+} "
                        "and silo working.",
                        "old": A_TEXT_FIRST,
                        "new": A_TEXT,
                    }
                ],
                "current_text": list(A_CURRENT),
            },
            {
                "id": B,
                "heading": "Newham: The 50 Steps to a healthier borough",
                "status": "current",
                **NOTHING_SINCE,
            },
            {
                "id": C,
                "heading": "Newham: Family hubs for all",
                "status": "updated",
                "since": "First edition",
                "diff": [
                    {
                        "field": "title",
                        "words": "Family hubs {+for all+}",
                        "old": "Family hubs",
                        "new": "Family hubs for all",
                    },
                    {
                        "field": "text",
                        "words": "… lead for early help and a {+single+} shared front door "
                        "for families.",
                        "old": c_text,
                        "new": c_text.replace("a shared front door", "a single shared front door"),
                    },
                ],
                "current_text": [],
            },
            {"id": D, "heading": "Caerphilly: Data sharing", "status": "current", **NOTHING_SINCE},
            {
                "id": F,
                "heading": "Newport: Shared outcomes",
                "status": "withdrawn",
                "since": "First edition",
                "diff": [
                    {
                        "field": "insight",
                        "words": "[-strategic-planning-] {+whole-local-resource+}",
                        "old": "strategic-planning",
                        "new": "whole-local-resource",
                    },
                    {"field": "page", "words": "[-24-] {+27+}", "old": 24, "new": 27},
                    {
                        "field": "citation",
                        "words": "… places across England and Wales, page [-24-] {+27+}",
                        "old": cite + "24",
                        "new": cite + "27",
                    },
                ],
                "current_text": [],
            },
            {
                "id": E,
                "heading": "North Wales: Regional population needs assessment",
                "status": "current",
                **NOTHING_SINCE,
            },
        ],
        "added": [],
        "new": [],
        "pack_published": True,
    }


def test_a_case_whose_printed_words_changed_with_no_field_of_its_own_says_what_changed(
    mini_project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    project = _project(mini_project, run_cli)
    assert run_cli("--only", "nation-england", "--format", "docx", cwd=project).returncode == 0
    copy = tmp_path / "ours.docx"
    shutil.copyfile(project / "dist" / "nation-england.docx", copy)
    # An insight's title is printed with each of its cases, but is none of their fields.
    _edit(
        project / "content" / "insights.yaml",
        "title: Drive the quality of local strategic planning",
        "title: Drive the quality of strategic planning",
    )

    result = run_cli("compare", str(copy), cwd=project)

    assert result.returncode == 1, result.stderr
    assert _lines_of(result.stdout, "updated    Newham: Family hubs") == [
        "updated    Newham: Family hubs  (changed since your copy, untouched in it: refresh "
        "takes the new text)",
        "           printed: … Insight 1: Drive the quality of [-local-] strategic planning "
        "Newham brought its children's …",
    ]
    as_json = run_cli("compare", str(copy), "--json", cwd=project)
    [c] = [c for c in json.loads(as_json.stdout)["cases"] if c["id"] == C]
    assert c["since"] == "First edition"
    [diff] = c["diff"]
    assert diff["field"] == "printed"
    assert diff["words"] == (
        "… Insight 1: Drive the quality of [-local-] strategic planning Newham brought its "
        "children's …"
    )
    assert diff["old"].startswith(
        "Newham: Family hubs Newham · England · Insight 1: Drive the quality of local "
        "strategic planning Newham brought"
    )
    assert diff["new"] == diff["old"].replace("of local strategic", "of strategic")
