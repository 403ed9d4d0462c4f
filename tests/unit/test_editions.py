"""Editions: the records in content/editions/, publishing one, what changed between two, and
the provenance a Word pack carries (see docs/editions.md)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import docx
import pytest

from casebook.adapt import compare_copy, refresh_copy
from casebook.content import load_corpus
from casebook.diagnostics import ContentError
from casebook.document import compose_pack
from casebook.editions import edition_changes, publish_edition, text_diff, whats_new, word_diff
from casebook.layout import load_layout
from casebook.model import Corpus
from casebook.packs import select_packs
from casebook.provenance import element_words, marked_ranges
from casebook.word import render_docx

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini" / "content"
LAYOUTS = ROOT / "layouts"
CAERPHILLY = "caerphilly-vision-for-change"
NEWHAM = "newham-the-50-steps-to-a-healthier-borough"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(MINI, folder)
    return folder


def _problems(content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_corpus(content)
    return [str(d) for d in caught.value.diagnostics]


def _publish(corpus: Corpus, label: str, date: str) -> Corpus:
    path, text = publish_edition(corpus, label, date)
    path.write_text(text, encoding="utf-8")
    return load_corpus(Path(corpus.root))


def _with_prompts(corpus: Corpus, case_id: str, prompts: tuple[str, ...]) -> Corpus:
    cases = tuple(replace(c, prompts=prompts) if c.id == case_id else c for c in corpus.cases)
    return replace(corpus, cases=cases)


def test_the_latest_edition_is_what_packs_print(content: Path) -> None:
    corpus = load_corpus(content)
    assert [e.label for e in corpus.editions] == ["Test edition"]
    assert (corpus.source.edition.label, corpus.source.edition.date) == (
        "Test edition",
        "2026-01-15",
    )
    record = corpus.editions[0].case(CAERPHILLY)
    assert record is not None and record.heading == "Caerphilly: Vision for change"
    assert record.text.startswith("Caerphilly worked with Public Health Wales")
    assert record.citation.endswith("page 19")

    (content / "cases" / f"{NEWHAM}.md").unlink()
    second = _publish(load_corpus(content), "Second edition", "2026-02-01")
    assert second.source.edition.label == "Second edition"
    [pack] = [p for p in select_packs(second) if p.id == "all-cases"]
    document = compose_pack(pack, second)
    assert document.cover.edition == "Second edition, 1 February 2026"
    assert document.whats_new is not None
    assert document.toc()[1].title == "What’s new in this edition"


def test_source_yaml_edition_field_is_refused_with_where_editions_live(content: Path) -> None:
    source = content / "source.yaml"
    source.write_text(
        source.read_text() + 'edition:\n  label: Old\n  date: "2026-01-01"\n', encoding="utf-8"
    )
    [problem] = _problems(content)
    assert problem.startswith(f"{source}:11: edition: editions are recorded in content/editions/")


def test_no_edition_is_an_error_naming_the_command(content: Path) -> None:
    shutil.rmtree(content / "editions")
    assert _problems(content) == [
        f"{content / 'editions'}:0: no edition has been published yet; publish the first with: "
        'python build.py edition "First edition" --date YYYY-MM-DD'
    ]
    assert load_corpus(content, unpublished=True).editions == ()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("label: Test edition", "label:", "4: label: is empty"),
        ("date: '2026-01-15'", "date: 15/01/2026", "5: date: '15/01/2026' is not a date"),
        ("  page: 19\n", "  page: nineteen\n", "10: page: expected a whole number, got text"),
        ("  title: Vision for change\n", "  titel: Vision\n", "8: unknown field 'titel'"),
    ],
)
def test_a_damaged_edition_record_is_reported_at_its_line(
    content: Path, old: str, new: str, message: str
) -> None:
    [record] = (content / "editions").glob("*.yaml")
    text = record.read_text(encoding="utf-8")
    assert old in text
    record.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = _problems(content)
    assert any(p.startswith(f"{record}:{message}") for p in problems), problems


def test_an_edition_record_that_links_out_of_the_content_folder_is_not_read(
    content: Path, tmp_path: Path
) -> None:
    [record] = (content / "editions").glob("*.yaml")
    outside = tmp_path / "elsewhere.yaml"
    record.rename(outside)
    record.symlink_to(outside)
    assert f"{record}:0: is a link to a file outside the content folder" in _problems(content)


def test_publishing_refuses_a_taken_label_or_date_an_earlier_date_and_no_change(
    content: Path,
) -> None:
    corpus = load_corpus(content)
    [record] = corpus.editions
    with pytest.raises(ContentError) as taken:
        publish_edition(corpus, "test EDITION", "2026-03-01")
    assert str(taken.value) == (
        f"{record.path}:4: label: 'Test edition' is already published (2026-01-15); "
        "choose another label"
    )
    with pytest.raises(ContentError) as alike:
        publish_edition(corpus, "Test-édition", "2026-03-01")
    assert str(alike.value) == (
        f"{record.path}:4: label: 'Test edition' is already published (2026-01-15) "
        "('Test-édition' differs from it only in capitals, accents, spaces or punctuation); "
        "choose another label"
    )
    with pytest.raises(ContentError) as nothing:
        publish_edition(corpus, "Second edition", "2026-03-01")
    assert "no case has changed since Test edition; there is nothing to publish" in str(
        nothing.value
    )
    changed = _with_prompts(corpus, CAERPHILLY, ("What is our vision?", "Who shares it?"))
    with pytest.raises(ContentError) as same_day:
        publish_edition(changed, "Second edition", "2026-01-15")
    assert "date: 2026-01-15 is already the date of Test edition" in str(same_day.value)
    with pytest.raises(ContentError) as earlier:
        publish_edition(changed, "Second edition", "2025-12-31")
    assert "date: 2025-12-31 is earlier than the last edition, Test edition (2026-01-15)" in str(
        earlier.value
    )
    path, text = publish_edition(changed, "Second edition", "2026-03-01")
    assert path.name == "002-second-edition.yaml"
    assert "  prompts:\n  - What is our vision?\n  - Who shares it?\n" in text
    # A label's accented letters name its file without their accents.
    path, _ = publish_edition(changed, "Argraffiad Gŵyl Dewi", "2026-03-01")
    assert path.name == "002-argraffiad-gwyl-dewi.yaml"


def test_a_published_record_changed_by_hand_is_reported_at_its_seal(content: Path) -> None:
    corpus = _with_prompts(load_corpus(content), CAERPHILLY, ("What is our vision?",))
    path, text = publish_edition(corpus, "Second edition", "2026-03-01")
    path.write_text(text, encoding="utf-8")
    assert [e.label for e in load_corpus(content).editions] == ["Test edition", "Second edition"]
    seal = text.splitlines().index(next(line for line in text.splitlines() if "seal:" in line))
    # Set out another way (quoted, folded, with a comment), it says the same: still sealed.
    path.write_text(
        text.replace("label: Second edition", "label: 'Second edition'  # ours"), encoding="utf-8"
    )
    assert [e.label for e in load_corpus(content).editions] == ["Test edition", "Second edition"]
    # A word of a case's recorded text changed: it no longer says what was published.
    assert "silo working" in text
    path.write_text(text.replace("silo working", "working in silos"), encoding="utf-8")
    assert _problems(content) == [
        f"{path}:{seal + 1}: seal: this record no longer says what was published: it was "
        "changed after `python build.py edition` wrote it; put it back as it was written, as "
        "later editions and adapted Word copies are compared with it"
    ]


def _unsealed(text: str, *marks: str) -> str:
    return "".join(line for line in text.splitlines(True) if not any(m in line for m in marks))


def test_a_record_whose_seal_was_taken_away_is_reported(content: Path) -> None:
    advice = (
        ": the record was changed after `python build.py edition` wrote it; put it back as it "
        "was written, as later editions and adapted Word copies are compared with it"
    )
    # The fixture's first record predates seals; every record written since has one.
    assert "seal" not in (content / "editions" / "001-test-edition.yaml").read_text()
    corpus = _with_prompts(load_corpus(content), CAERPHILLY, ("What is our vision?",))
    second, text = publish_edition(corpus, "Second edition", "2026-03-01")
    # Its seal taken away, its header still speaks of one.
    second.write_text(_unsealed(text, "seal:"), encoding="utf-8")
    lines = len(_unsealed(text, "seal:").splitlines())
    assert _problems(content) == [
        f"{second}:{lines}: seal: missing, though its header says it ends with one{advice}"
    ]
    second.write_text(text, encoding="utf-8")
    later = _with_prompts(load_corpus(content), CAERPHILLY, ("Who shares it?",))
    third, text = publish_edition(later, "Third edition", "2026-04-01")
    third.write_text(text, encoding="utf-8")
    assert len(load_corpus(content).editions) == 3
    # Header and seal both gone: the record before it is sealed, so this one was too.
    third.write_text(_unsealed(text, "seal"), encoding="utf-8")
    lines = len(_unsealed(text, "seal").splitlines())
    assert _problems(content) == [
        f"{third}:{lines}: seal: missing, though {second} before it is sealed, as is every "
        f"record written since then{advice}"
    ]


def test_labels_in_another_alphabet_are_told_apart_by_their_letters(content: Path) -> None:
    corpus = _with_prompts(load_corpus(content), CAERPHILLY, ("What is our vision?",))
    path, text = publish_edition(corpus, "Выпуск 2", "2026-03-01")
    path.write_text(text, encoding="utf-8")
    second = _with_prompts(load_corpus(content), CAERPHILLY, ("Who shares our vision?",))
    with pytest.raises(ContentError) as alike:
        publish_edition(second, "ВЫПУСК-2", "2026-04-01")
    assert "('ВЫПУСК-2' differs from it only in capitals, accents, spaces or punctuation)" in (
        str(alike.value)
    )
    path, text = publish_edition(second, "Издание 2", "2026-04-01")
    assert path.name == "003-2.yaml"
    # Marks that make other letters of a letter are not accents to leave off: a dakuten
    # ("ガ" is not "カ"), a Devanagari virama ("क्ष" is not "कष").
    labels = ["カイド 2", "ガイド 2", "संस्करण 2", "संसकरण 2"]
    for n, label in enumerate(labels):
        path.write_text(text, encoding="utf-8")
        corpus = _with_prompts(load_corpus(content), CAERPHILLY, (f"Prompt {n}?",))
        path, text = publish_edition(corpus, label, f"2026-05-0{n + 1}")
    path.write_text(text, encoding="utf-8")
    assert [e.label for e in load_corpus(content).editions][-4:] == labels


def test_changes_list_fields_word_diffs_and_packs(content: Path) -> None:
    case = content / "cases" / f"{CAERPHILLY}.md"
    case.write_text(case.read_text().replace("silo working", "working in silos"), encoding="utf-8")
    (content / "cases" / "north-wales-regional-population-needs-assessment.md").unlink()
    loaded = load_corpus(content)
    [newham] = [c for c in loaded.cases if c.id == NEWHAM]
    *kept, dropped = newham.prompts
    corpus = _with_prompts(loaded, NEWHAM, tuple(kept))

    found = edition_changes(corpus, None)

    assert found is not None and found.since.label == "Test edition" and found.until is None
    by_id = {c.id: c for c in found.cases}
    assert by_id[CAERPHILLY].fields == ("text",)
    assert dict(by_id[CAERPHILLY].diffs)["text"].endswith(
        "a lack of consistency and [-silo working.-] {+working in silos.+}"
    )
    assert by_id[CAERPHILLY].packs == ("insight-01-strategic-planning", "nation-wales", "all-cases")
    assert by_id[NEWHAM].fields == ("prompts",)
    assert dict(by_id[NEWHAM].diffs)["prompts"].endswith(f"[-{len(kept) + 1}. {dropped}-]")
    withdrawn = by_id["north-wales-regional-population-needs-assessment"]
    assert withdrawn.change == "withdrawn" and "needs-and-assets" in withdrawn.packs
    with pytest.raises(KeyError):
        edition_changes(corpus, "Third edition")


# Caerphilly's text is two paragraphs of one line each.
SECOND_PARAGRAPH = "\n\nThe approach responded"


def test_spaces_and_blank_lines_that_print_nothing_are_no_change(content: Path) -> None:
    case = content / "cases" / f"{CAERPHILLY}.md"
    text = case.read_text(encoding="utf-8")
    assert SECOND_PARAGRAPH in text
    head, body = text.split("\n---\n", 1)
    # A space at a line's start and end, spaces on the blank line between the paragraphs and
    # blank lines after the text, before and after it.
    body = body.replace(SECOND_PARAGRAPH, " \n  \n\n  The approach responded")
    case.write_text(f"{head}\n---\n\n {body.rstrip()}  \n\n\n", encoding="utf-8")
    corpus = load_corpus(content)

    assert edition_changes(corpus, None) is None
    with pytest.raises(ContentError) as nothing:
        publish_edition(corpus, "Second edition", "2026-03-01")
    assert "no case has changed since Test edition; there is nothing to publish" in str(
        nothing.value
    )


@pytest.mark.parametrize(
    ("joined", "shown"),
    [
        ("\nThe approach responded", "[-(new paragraph)-]"),  # one paragraph, not two
        # one paragraph with a line break in it
        ("  \nThe approach responded", "[-(new paragraph)-] {+(line break)+}"),
    ],
)
def test_the_same_words_printed_differently_are_a_change_to_the_text(
    content: Path, joined: str, shown: str
) -> None:
    case = content / "cases" / f"{CAERPHILLY}.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace(SECOND_PARAGRAPH, joined), encoding="utf-8"
    )

    found = edition_changes(load_corpus(content), None)

    assert found is not None
    assert [(c.id, c.change, c.fields) for c in found.cases] == [(CAERPHILLY, "edited", ("text",))]
    # The diff says how the same words are set out now.
    assert found.cases[0].diffs == (
        (
            "text",
            "the same words, set out differently: … approach to improve services and "
            f"outcomes. {shown} The approach responded to feedback from …",
        ),
    )


def test_word_diff_keeps_a_little_context() -> None:
    old = "one two three four five six seven eight nine ten eleven twelve"
    new = "one two three four five six SEVEN eight nine ten eleven twelve"
    assert word_diff(old, new, context=2) == "… five six [-seven-] {+SEVEN+} eight nine …"


LINKED = "It grew.\n\nSee the [plan](https://example.org/f)."


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        # Words added as a list, with emphasis and a link: as the packs print them.
        (
            "It grew.",
            "It grew.\n\nThe plan:\n\n- a shared **vision**\n- a [framework](https://example.org/f)",
            "It grew. {+(new paragraph) The plan: (bullet point) a shared vision (bullet point) "
            "a framework (https://example.org/f)+}",
        ),
        # A link's new address, where the pack prints it.
        (
            LINKED,
            LINKED.replace("/f)", "/g)"),
            "It grew. (new paragraph) See the plan [-(https://example.org/f).-] "
            "{+(https://example.org/g).+}",
        ),
        # What the printed words do not show is shown in Markdown.
        (
            LINKED,
            LINKED.replace("[plan](https://example.org/f)", "**[plan](https://example.org/f)**"),
            "It grew. See the [-[plan](https://example.org/f).-] "
            "{+**[plan](https://example.org/f)**.+}",
        ),
    ],
)
def test_a_text_diff_shows_the_words_as_the_packs_print_them(
    old: str, new: str, shown: str
) -> None:
    assert text_diff(old, new) == shown


def test_whats_new_names_each_changed_case_of_the_pack_once(content: Path) -> None:
    case = content / "cases" / f"{CAERPHILLY}.md"
    case.write_text(case.read_text().replace("page: 19", "page: 20"), encoding="utf-8")
    second = _publish(load_corpus(content), "Second edition", "2026-02-01")
    packs = {p.id: p for p in select_packs(second)}

    found = whats_new(packs["insight-01-strategic-planning"], second)

    assert found is not None
    assert found[0].label == "Test edition"
    assert found[1] == ("Updated: Caerphilly: Vision for change (page)",)
    assert whats_new(packs["nation-england"], second) is None


def _docx(corpus: Corpus, pack_id: str, out: Path) -> Path:
    [pack] = [p for p in select_packs(corpus) if p.id == pack_id]
    out.write_bytes(render_docx(compose_pack(pack, corpus), load_layout(LAYOUTS), MINI))
    return out


def test_provenance_and_prompts_through_compare_and_refresh(content: Path, tmp_path: Path) -> None:
    first = _with_prompts(load_corpus(content), NEWHAM, ("Which step is ours?", "Who leads it?"))
    download = _docx(first, "insight-01-strategic-planning", tmp_path / "download.docx")
    properties = docx.Document(str(download))
    assert properties.core_properties.identifier == "insight-01-strategic-planning"
    comparison = compare_copy(download, first)
    assert [c.status for c in comparison.cases] == ["current"] * 3
    assert not comparison.out_of_date

    later = _with_prompts(first, NEWHAM, ("Which step is ours?", "Who will lead it here?"))
    comparison = compare_copy(download, later)
    assert {c.id: c.status for c in comparison.cases}[NEWHAM] == "updated"
    assert comparison.out_of_date

    refreshed = refresh_copy(download, tmp_path / "new.docx", later, _render)
    (tmp_path / "new.docx").write_bytes(refreshed.data)
    texts = [p.text for p in docx.Document(str(tmp_path / "new.docx")).paragraphs]
    assert "Who will lead it here?" in texts and "Who leads it?" not in texts
    assert [c.status for c in compare_copy(tmp_path / "new.docx", later).cases] == ["current"] * 3


def test_a_case_with_a_link_printed_with_its_address_is_current_and_refreshed_whole(
    content: Path, tmp_path: Path
) -> None:
    # Word prints an https: link's address after its words where they do not show it: the
    # words recorded for the case must be those, or an untouched case reads as edited, its
    # mark runs on over its notes, and refresh leaves the old notes behind the new case.
    case = content / "cases" / f"{NEWHAM}.md"
    text = case.read_text(encoding="utf-8")
    linked = (
        "to work together, as its [strategy](https://example.org/newham) sets out with "
        "**partners** and [the team](mailto:team@example.org)."
    )
    case.write_text(text.replace("to work together.", linked), encoding="utf-8")
    first = load_corpus(content)
    download = _docx(first, "insight-01-strategic-planning", tmp_path / "download.docx")

    comparison = compare_copy(download, first)
    assert [c.status for c in comparison.cases] == ["current"] * 3
    [newham] = [c for c in comparison.cases if c.id == NEWHAM]
    body = docx.Document(str(download)).element.body
    last = marked_ranges(body)[newham.number][-1]
    prompt = next(c for c in first.cases if c.id == NEWHAM).prompts[-1]
    assert " ".join(element_words(last)) == prompt  # not the notes after it

    case.write_text(text.replace("to work together.", linked.replace("sets", "spells")), "utf-8")
    later = load_corpus(content)
    assert {c.id: c.status for c in compare_copy(download, later).cases}[NEWHAM] == "updated"
    refreshed = refresh_copy(download, tmp_path / "new.docx", later, _render)
    (tmp_path / "new.docx").write_bytes(refreshed.data)
    texts = [p.text for p in docx.Document(str(tmp_path / "new.docx")).paragraphs]
    assert [t for t in texts if t.startswith("Notes on Newham")] == [
        "Notes on Newham: The 50 Steps to a healthier borough"
    ]
    assert any("(https://example.org/newham) spells out" in t for t in texts)
    assert {c.status for c in compare_copy(tmp_path / "new.docx", later).cases} == {"current"}


def test_a_conflict_in_the_prompts_shows_the_current_prompts(content: Path, tmp_path: Path) -> None:
    first = _with_prompts(load_corpus(content), NEWHAM, ("Which step is ours?", "Who leads it?"))
    download = _docx(first, "insight-01-strategic-planning", tmp_path / "download.docx")
    copy = docx.Document(str(download))
    [retyped] = [p for p in copy.paragraphs if p.text == "Who leads it?"]
    retyped.runs[0].text = "Who leads it in our borough?"
    del retyped.runs[1:]
    copy.save(str(download))
    later = _with_prompts(first, NEWHAM, ("Which step is ours?", "Who will lead it here?"))

    [newham] = [c for c in compare_copy(download, later).cases if c.id == NEWHAM]

    assert newham.status == "conflict"
    assert [c.field for c in newham.diff] == ["prompts"]
    # What to work in by hand: the prompts as published now, not the text, which is as it was.
    assert newham.current_lines == [
        "Discussion prompts",
        "1. Which step is ours?",
        "2. Who will lead it here?",
    ]


def test_a_conflict_in_the_text_shows_it_as_printed_with_its_list_numbers(
    content: Path, tmp_path: Path
) -> None:
    first = load_corpus(content)
    download = _docx(first, "insight-01-strategic-planning", tmp_path / "download.docx")
    copy = docx.Document(str(download))
    [local] = [p for p in copy.paragraphs if p.text.startswith("The 50 Steps is described")]
    local.add_run(" Our borough joined in 2021.")
    copy.save(str(download))
    case = content / "cases" / f"{NEWHAM}.md"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("work together.", "work together closely."), "utf-8")

    [newham] = [c for c in compare_copy(download, load_corpus(content)).cases if c.id == NEWHAM]

    assert newham.status == "conflict"
    assert newham.current_lines[1:5] == [
        "1. promote and support healthy pregnancies, childbirth and postnatal care for parents",
        "2. give every child in Newham the best start to life",
        "3. improve rates of childhood immunisations",
        "The 50 Steps is described as a call to action to partners, the council and the wider "
        "community to work together closely.",
    ]


def _render(document: object) -> bytes:
    return render_docx(document, load_layout(LAYOUTS), MINI)  # type: ignore[arg-type]


def test_every_real_case_in_an_untouched_download_is_current(tmp_path: Path) -> None:
    # The real cases hold lists, links, tables and figures: the digest recorded for each must
    # be the one its words in the Word file give.
    real = ROOT / "content"
    corpus = load_corpus(real)
    [pack] = [p for p in select_packs(corpus) if p.id == "all-cases"]
    download = tmp_path / "all-cases.docx"
    download.write_bytes(render_docx(compose_pack(pack, corpus), load_layout(LAYOUTS), real))
    comparison = compare_copy(download, corpus)
    assert len(comparison.cases) == len(corpus.cases)
    assert {c.status for c in comparison.cases} == {"current"}
    assert comparison.added == () and comparison.new_cases == ()


def test_refresh_gives_a_copy_without_a_newer_style_the_style_it_is_based_on(
    content: Path, tmp_path: Path
) -> None:
    # A copy made before Casebook gave a list's last item a style of its own: a case taken
    # into it keeps its last item a list item (List Number, the style List Number Last is
    # based on), not a plain paragraph.
    first = _with_prompts(load_corpus(content), NEWHAM, ("Which step is ours?", "Who leads it?"))
    download = _docx(first, "insight-01-strategic-planning", tmp_path / "download.docx")
    copy = docx.Document(str(download))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for style in list(copy.styles.element):
        if style.get(f"{w}styleId") in ("ListNumberLast", "ListBulletLast"):
            copy.styles.element.remove(style)
    copy.save(str(tmp_path / "older.docx"))
    later = _with_prompts(first, NEWHAM, ("Which step is ours?", "Who will lead it here?"))

    refreshed = refresh_copy(tmp_path / "older.docx", tmp_path / "new.docx", later, _render)
    (tmp_path / "new.docx").write_bytes(refreshed.data)
    styles = {p.text: p.style.name for p in docx.Document(str(tmp_path / "new.docx")).paragraphs}
    assert "Who will lead it here?" in styles
    assert styles["give every child in Newham the best start to life"] == "List Number"
    assert styles["improve rates of childhood immunisations"] == "List Number"


def test_a_file_in_the_editions_folder_that_is_not_read_is_reported(content: Path) -> None:
    # An edition saved as .YAML was once skipped without a word: the packs printed the
    # edition before it, and its changes showed as not yet published.
    editions = content / "editions"
    [record] = editions.glob("*.yaml")
    record.rename(editions / f"{record.stem}.YAML")
    (editions / "002-second.yaml.txt").write_text("label: Second\n", encoding="utf-8")
    (editions / "old").mkdir()
    (editions / ".gitkeep").touch()  # litter is left alone
    assert _problems(content) == [
        f"{editions}/{record.stem}.YAML:0: is not read: an edition file's name ends in "
        "'.yaml' or '.yml', in lower case",
        f"{editions}/002-second.yaml.txt:0: is not read: an edition file's name ends in "
        "'.yaml' or '.yml', in lower case",
        f"{editions}/old:0: folders inside {editions} are not read; move its files up a level",
    ]
