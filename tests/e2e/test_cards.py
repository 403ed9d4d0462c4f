"""Case cards, read back from the PDF: one card per case on its own half of an A4 sheet, the
whole case, its prompts and citation on it, nothing across the cut, nothing too small."""

from __future__ import annotations

import dataclasses
import io
import math
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import LAYOUTS, MINI_CONTENT, REAL_CONTENT
from pdf_runs import A4, Run, outline_titles, page_pixels, squash, text_runs
from pypdf import PdfReader

from casebook.blocks import (
    Emphasis,
    Figure,
    Link,
    ListItem,
    OrderedList,
    Paragraph,
    Text,
    plain_text,
)
from casebook.cards import SIZES, render
from casebook.content import load_corpus
from casebook.diagnostics import ContentError
from casebook.document import CaseEntry, Document, compose_pack, with_first_case
from casebook.layout import Layout, load_layout
from casebook.packs import select_packs

CUT = A4[1] / 2
EDGE = 8 * 72 / 25.4
# A card's foot (the source, the pack and the card's number) is set at 7.5 pt, as a pack
# page's footer, a little nearer the edge than its text: still clear of the 4 to 5 mm a
# printer may leave blank.
FOOT = 7.5
FOOT_EDGE = 5.5 * 72 / 25.4
# The foot's line begins 9.5 mm above the lower edge of its card (cards.css).
FOOT_ZONE = 9.5 * 72 / 25.4
# A list's marker, drawn as a run of its own (and read after the rest of the page's text).
MARKER = re.compile(r"\s*(?:[•◦▪]|\d+\.)\s*")
# What a card or a page may show between a case's words besides: a missing figure's label.
FIGURE_LABEL = "Figurenotavailableinthisedition"

# Two or three prompts a case, of the length our prompts have.
PROMPTS = (
    (
        "What would a picture like this one tell you about the families your services do "
        "not yet reach?",
        "Who in your area holds the data this case draws on, and how would you bring them "
        "to the same table?",
        "Which one change from this case could you try in your own area within the next six "
        "months, and who would lead it?",
    ),
    (
        "Which partners would you need around the table to do this where you work?",
        "What would families notice first if your area did the same?",
    ),
)


def with_prompts(document: Document) -> Document:
    """``document`` with two or three prompts on every case that has none."""
    groups = tuple(
        dataclasses.replace(
            group,
            cases=tuple(
                dataclasses.replace(case, prompts=case.prompts or PROMPTS[n % 2])
                for n, case in enumerate(group.cases)
            ),
        )
        for group in document.groups
    )
    return dataclasses.replace(document, groups=groups)


def pack_document(content: Path, pack_id: str) -> Document:
    corpus = load_corpus(content)
    [pack] = [p for p in select_packs(corpus) if p.id == pack_id]
    return with_prompts(compose_pack(pack, corpus, "2026-01-01"))


def card_of(runs: list[Run], heading: str) -> tuple[int, bool]:
    """The page and half (True for the top) of the card headed ``heading`` (on one line)."""
    lines: dict[tuple[int, float], list[Run]] = {}
    for r in runs:
        lines.setdefault((r.page, round(r.y, 1)), []).append(r)
    [where] = {
        (page, y > CUT)
        for (page, y), line in lines.items()
        if squash(" ".join(r.text for r in sorted(line, key=lambda r: r.x))) == heading
    }
    return where


def half(runs: list[Run], page: int, top: bool) -> list[Run]:
    return [r for r in runs if r.page == page and (r.y > CUT) == top]


def not_feet(runs: list[Run]) -> list[Run]:
    """The runs of the cards' text: all but their feet, the 7.5 pt line at the foot of each
    card (a run that size anywhere else on a card is text, and counts as such)."""
    return [r for r in runs if not is_foot(r)]


def is_foot(run: Run) -> bool:
    """Whether ``run`` is on a card's foot: 7.5 pt, its baseline within the foot's 9.5 mm
    above the lower edge of its half of the sheet."""
    bottom = CUT if run.y > CUT else 0
    return run.size == FOOT and run.y - bottom < FOOT_ZONE


def card_text(document: Document, case: CaseEntry) -> list[str]:
    """What a card must show, in order."""
    return [
        case.heading,
        " · ".join(case.meta),
        squash(plain_text(case.blocks)),
        case.citation,
        case.prompts_title,
        *case.prompts,
    ]


@pytest.fixture(scope="module")
def layout() -> Layout:
    return load_layout(LAYOUTS)


@pytest.fixture(scope="module")
def document() -> Document:
    return pack_document(MINI_CONTENT, "all-cases")


@pytest.fixture(scope="module")
def cards(document: Document, layout: Layout) -> tuple[bytes, int | None]:
    return render(document, layout, MINI_CONTENT)


@pytest.fixture(scope="module")
def runs(cards: tuple[bytes, int | None]) -> list[Run]:
    return text_runs(cards[0])


def assert_cards_hold_their_cases(document: Document, pdf: bytes, runs: list[Run]) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == math.ceil(len(document.cases) / 2)
    for page in reader.pages:
        assert [round(float(v), 1) for v in page.mediabox] == [0, 0, 595.3, 841.9]
    places = [card_of(runs, case.heading) for case in document.cases]
    # In pack order, two to a sheet: top, bottom, top, bottom...
    assert places == [(n // 2, n % 2 == 0) for n in range(len(document.cases))]
    # The first card opens with the pack's header, which names the brand as the PDF does.
    assert reader.metadata is not None
    header = unspaced(
        f"{document.title} · Case cards · {document.cover.edition} · {reader.metadata.author}"
    )
    for n, (case, (page, top)) in enumerate(zip(document.cases, places, strict=True)):
        # Every word, in order, compared without spaces (a link is a run of its own), with
        # nothing between them but a missing figure's label, and nothing after them: no word
        # left out, repeated or added, no other card's text.
        text = words_of(not_feet(half(runs, page, top)))
        extras = (FIGURE_LABEL, header) if n == 0 else (FIGURE_LABEL,)
        end = read_in_order(text, card_text(document, case), 0, extras, case.case_id)
        assert end == len(text), (case.case_id, text[end:])


def read_in_order(
    text: str, parts: Sequence[str], start: int, extras: tuple[str, ...], where: str
) -> int:
    """Where in ``text`` (without spaces) the words of ``parts`` end, read one after another
    from ``start``, with nothing between two words but one of ``extras``."""
    position = start
    for word in " ".join(parts).split():
        found = text.find(word, position)
        assert found >= 0, (where, word, text[position : position + 200])
        skipped = text[position:found]
        assert not skipped or skipped in extras, (where, word, skipped)
        position = found + len(word)
    return position


def words_of(runs: Sequence[Run]) -> str:
    """The text of ``runs`` without spaces or lists' markers."""
    return unspaced("".join(r.text for r in runs if not MARKER.fullmatch(r.text)))


def unspaced(text: str) -> str:
    """``text`` without whitespace: a line may break after a hyphen ("multi-agency"), and the
    extracted text then has a space there."""
    return "".join(text.split())


def assert_inside_halves(runs: list[Run]) -> None:
    """No run of ``runs`` crosses the cut or comes near the edge of the paper."""
    for run in runs:
        # A run's glyphs rise less than its size above the baseline and fall a third below.
        assert run.y - run.size / 3 > CUT or run.y + run.size < CUT, run
        # At least 8 mm (23 pt) inside the paper's edges, well clear of the 4 to 5 mm a
        # printer may leave blank there: the pack's header on the first sheet too.
        edge = FOOT_EDGE if is_foot(run) else EDGE
        assert run.y - run.size / 3 > edge and run.y + run.size < A4[1] - edge, run
        assert EDGE < run.x < A4[0] - EDGE, run


def test_one_card_per_case_two_to_a_sheet_with_everything_on_it(
    document: Document, cards: tuple[bytes, int | None], runs: list[Run]
) -> None:
    pdf, pages = cards
    assert pages == math.ceil(len(document.cases) / 2)
    assert_cards_hold_their_cases(document, pdf, runs)


def test_no_text_crosses_the_cut_or_the_edge_of_the_paper(runs: list[Run]) -> None:
    assert_inside_halves(runs)


def test_no_text_is_smaller_than_8_5_pt_but_the_cards_feet(runs: list[Run]) -> None:
    assert min(r.size for r in not_feet(runs)) >= 8.5
    body = [r.size for r in not_feet(runs) if not r.font.endswith("Bold")]
    assert max(body) == SIZES[0]
    assert min(r.size for r in runs) == FOOT


def test_each_card_s_foot_names_the_pack_and_the_source_and_numbers_the_card(
    document: Document, runs: list[Run]
) -> None:
    # Cut from its sheet, a card still says where it comes from, and which card it is.
    count = len(document.cases)
    for n, case in enumerate(document.cases):
        page, top = card_of(runs, case.heading)
        on_card = half(runs, page, top)
        foot = [r for r in on_card if is_foot(r)]
        assert squash(" ".join(r.text for r in foot)) == (
            f"{document.short_citation} · {document.title} card {n + 1} of {count}"
        ), case.case_id
        # Below everything else on the card, its glyphs clear of the lowest line's.
        lowest = min(r.y - r.size / 3 for r in on_card if not is_foot(r))
        assert max(r.y + r.size for r in foot) < lowest, case.case_id


def test_the_first_sheet_names_the_pack_and_edition(document: Document, runs: list[Run]) -> None:
    head = squash(" ".join(r.text for r in runs if r.page == 0 and r.y > A4[1] - 40))
    assert document.title in head and document.cover.edition in head
    assert not any(r.page > 0 and document.cover.edition in r.text for r in runs)


def test_a_pack_title_of_two_lines_stays_clear_of_the_first_card(
    document: Document, layout: Layout
) -> None:
    # Custom packs may have long titles (up to 200 characters): the header takes two lines,
    # and the first card's heading starts below them.
    title = (
        "Early help, family hubs and the first thousand days of a child's life, as twenty "
        "places in England and Wales learned them"
    )
    titled = dataclasses.replace(document, title=title)
    pdf, _ = render(titled, layout, MINI_CONTENT)
    runs = [r for r in text_runs(pdf) if r.page == 0 and r.y > CUT]
    heading = document.cases[0].heading
    head = [r for r in runs if r.size == 8.5 and r.y > A4[1] - 60]
    assert title.split()[-1] in squash(" ".join(r.text for r in head))
    assert len({round(r.y) for r in head}) == 2  # the header takes two lines
    first = [r for r in runs if r.size > 10 and r.text.strip() and r.text.strip() in heading]
    assert first
    # The heading's capitals (under its size above the baseline) end below the header's
    # descenders (a third of their size below the baseline).
    assert max(r.y + r.size for r in first) < min(r.y - r.size / 3 for r in head)
    assert_cards_hold_their_cases(titled, pdf, text_runs(pdf))


def test_a_pack_title_too_long_for_a_card_s_foot_ends_in_an_ellipsis(
    document: Document, layout: Layout
) -> None:
    # A one-line field holds up to 200 characters: the foot stays one line, clear of the
    # cut and the edge, with the source whole and the card's number.
    title = ("Early help and family hubs in the first thousand days " * 4)[:200].strip()
    pdf, _ = render(dataclasses.replace(document, title=title), layout, MINI_CONTENT)
    runs = text_runs(pdf)
    for n, case in enumerate(document.cases):
        page, top = card_of(runs, case.heading)
        foot = [r for r in half(runs, page, top) if is_foot(r)]
        assert len({round(r.y) for r in foot}) == 1, case.case_id
        said = squash(" ".join(r.text for r in foot))
        assert said.startswith(f"{document.short_citation} · Early help and family hubs")
        assert said.endswith(f"… card {n + 1} of {len(document.cases)}"), said
        assert all(r.y - r.size / 3 > FOOT_EDGE + (CUT if top else 0) for r in foot)


def test_tagged_with_language_title_and_a_bookmark_per_card(
    document: Document, cards: tuple[bytes, int | None]
) -> None:
    reader = PdfReader(io.BytesIO(cards[0]))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert reader.metadata is not None
    assert reader.metadata.title == f"{document.title}: case cards"
    assert outline_titles(cards[0]) == [case.heading for case in document.cases]


def test_a_long_case_steps_down_and_still_fits(document: Document, layout: Layout) -> None:
    # The report's longest case, with three prompts, on the bottom half of a sheet.
    real = pack_document(REAL_CONTENT, "insight-01-strategic-planning")
    [longest] = [c for c in real.cases if c.case_id == "islington-bright-start-profile"]
    longest = dataclasses.replace(longest, prompts=PROMPTS[0])
    first, *rest = document.groups
    group = dataclasses.replace(first, cases=(first.cases[0], longest, *first.cases[1:]))
    doc = dataclasses.replace(document, groups=(group, *rest))
    pdf, _ = render(doc, layout, MINI_CONTENT)
    runs = text_runs(pdf)
    assert_cards_hold_their_cases(doc, pdf, runs)
    sizes = {r.size for r in not_feet(half(runs, 0, False)) if not r.font.endswith("Bold")}
    assert max(sizes) < SIZES[0] and min(sizes) >= 8.5
    top = [r for r in not_feet(half(runs, 0, True)) if r.y < A4[1] - 40]  # not the pack's header
    assert {r.size for r in top if not r.font.endswith("Bold")} == {SIZES[0]}


def test_a_paragraph_runs_on_from_the_first_column_into_the_second(
    document: Document, layout: Layout
) -> None:
    # One long paragraph, with emphasis and links throughout so that the break falls inside
    # them or beside them: the words go down the first column and on at the top of the second,
    # every word once and in order, the two columns ending level.
    case = document.cases[0]
    parts: list[Text | Emphasis | Link] = []
    for n in range(18):
        parts += [
            Text(f"Sentence {n} of the paragraph names "),
            Emphasis((Text(f"emphasised words {n}"),)),
            Text(" and "),
            Link("https://www.eif.org.uk/report", (Text(f"a linked report {n}"),)),
            Text(" before it ends. "),
        ]
    long = dataclasses.replace(case, blocks=(Paragraph(tuple(parts)),))
    doc = with_first_case(document, long)
    pdf, _ = render(doc, layout, MINI_CONTENT)
    runs = text_runs(pdf)
    assert_cards_hold_their_cases(doc, pdf, runs)
    middle = A4[0] / 2
    card = [r for r in not_feet(half(runs, 0, True)) if r.y < A4[1] - 40]  # not the pack's header
    body = [r for r in card if any(w in r.text for w in ("Sentence", "emphasised", "linked"))]
    left = [r for r in body if r.x < middle]
    right = [r for r in card if r.x > middle]  # the second column: words, then the citation
    assert left and [r for r in body if r.x > middle]
    assert abs(max(r.y for r in left) - max(r.y for r in right)) < 2  # both begin at the top
    assert abs(min(r.y for r in left) - min(r.y for r in right)) < 13  # and end level


def test_a_numbered_list_broken_between_the_columns_keeps_its_numbers(
    document: Document, layout: Layout
) -> None:
    case = document.cases[0]
    items = tuple(
        ListItem((Paragraph((Text(f"Step {n} of the plan, with a few words about it."),)),))
        for n in range(1, 25)
    )
    doc = with_first_case(document, dataclasses.replace(case, blocks=(OrderedList(1, items),)))
    pdf, _ = render(doc, layout, MINI_CONTENT)
    runs = text_runs(pdf)
    assert_cards_hold_their_cases(doc, pdf, runs)
    middle = A4[0] / 2
    card = [r for r in half(runs, 0, True) if r.y < A4[1] - 40]
    steps = [r for r in card if r.text.strip().startswith("Step")]
    assert {r.x < middle for r in steps} == {True, False}  # in both columns
    numbers = [r.text.strip() for r in card if r.text.strip().rstrip(".").isdigit()]
    assert numbers[: len(items)] == [f"{n}." for n in range(1, len(items) + 1)]


def test_a_case_too_long_for_a_card_is_an_error_naming_it(
    document: Document, layout: Layout
) -> None:
    case = document.cases[0]
    long = dataclasses.replace(
        case, blocks=(*case.blocks, Paragraph((Text("Six more words of the case. " * 150),)))
    )
    with pytest.raises(ContentError) as error:
        render(with_first_case(document, long), layout, MINI_CONTENT)
    [diagnostic] = error.value.diagnostics
    assert diagnostic.path == str(MINI_CONTENT / "cases" / f"{case.case_id}.md")
    # At the line where the case's text starts, just after its front matter.
    lines = Path(diagnostic.path).read_text(encoding="utf-8").split("\n")
    assert lines[diagnostic.line - 2] == "---" and diagnostic.line > 2
    assert lines[diagnostic.line - 1].startswith(plain_text(case.blocks[:1])[:30])
    assert diagnostic.message.startswith("too long for a case card: ")
    assert (
        "8.5 pt" in diagnostic.message
        and "(case cards of all-cases; the first card also holds" in diagnostic.message
    )


def test_a_missing_figure_s_box_is_solid_not_dashed_like_the_cut_line(
    document: Document, layout: Layout, tmp_path: Path
) -> None:
    # On a sheet cut along a dashed line, a dashed box reads as a second place to cut.
    words = Paragraph((Text("A diagram of the plan."),))
    case = dataclasses.replace(document.cases[0], blocks=(words, Figure("The plan", None)))
    pdf, _ = render(with_first_case(document, case), layout, MINI_CONTENT)
    path = tmp_path / "cards.pdf"
    path.write_bytes(pdf)
    label = next(r for r in text_runs(pdf) if r.text.startswith("Figure not available"))
    dpi = 150
    pixels = page_pixels(path, label.page, dpi, tmp_path / "sheet")
    px = dpi / 72
    # The box's top border, within 6 mm above the label, across the label's first words.
    xs = range(round(label.x * px), round((label.x + 60) * px))
    baseline = round((A4[1] - label.y) * px)
    rows = range(baseline - round(6 / 25.4 * dpi), baseline - round(label.size * px))
    assert [y for y in rows if pixels.ruled(y, xs)], "no solid border above the label"


def test_a_case_too_long_for_a_card_names_its_figures(
    document: Document, layout: Layout, tmp_path: Path
) -> None:
    from PIL import Image

    content = tmp_path / "content"
    shutil.copytree(MINI_CONTENT, content)
    (content / "media").mkdir(exist_ok=True)
    Image.new("RGB", (400, 600), (40, 90, 160)).save(content / "media" / "tall.png")
    case = document.cases[0]
    tall = Figure("A tall chart", "media/tall.png")
    crowded = dataclasses.replace(case, blocks=(*case.blocks, tall, tall, tall))
    with pytest.raises(ContentError) as error:
        render(with_first_case(document, crowded), layout, content)
    [diagnostic] = error.value.diagnostics
    assert diagnostic.message.startswith(
        "too long for a case card: its text, figures, prompts and citation need "
    )


def test_valley_council_cards_carry_its_name(document: Document) -> None:
    layout = load_layout(LAYOUTS, "valley-council")
    pdf, _ = render(document, layout, MINI_CONTENT)
    runs = text_runs(pdf)
    assert_cards_hold_their_cases(document, pdf, runs)
    assert "Valley Council Early Years Partnership" in " ".join(r.text for r in runs)


@pytest.mark.parametrize(
    "title",
    [
        "Get the most out of evidence-based interventions in practice",
        "Get the most out of evidence-based interventions in practice with our families",
    ],
)
def test_the_pack_s_header_breaks_between_its_parts(document: Document, title: str) -> None:
    # With a longer brand's name, the header takes two lines: the edition and the brand's
    # name each stay whole ("Valley Council Early Years" / "Partnership" read as a slip).
    layout = load_layout(LAYOUTS, "valley-council")
    titled = dataclasses.replace(document, title=title)
    pdf, _ = render(titled, layout, MINI_CONTENT)
    runs = [r for r in text_runs(pdf) if r.page == 0 and r.size == 8.5 and r.y > A4[1] - 60]
    lines: dict[float, list[Run]] = {}
    for r in runs:
        lines.setdefault(round(r.y), []).append(r)
    said = [squash(" ".join(r.text for r in line)) for _, line in sorted(lines.items())[::-1]]
    assert len(said) == 2, said  # the title is long enough to take the header to two lines
    assert squash(" ".join(said)) == (
        f"{title} · Case cards · {document.cover.edition} · Valley Council Early Years Partnership"
    )
    for part in (document.cover.edition, "Valley Council Early Years Partnership"):
        assert any(part in line for line in said), (part, said)


@pytest.mark.clients
def test_pdfua_qpdf_and_poppler_accept_the_cards(
    cards: tuple[bytes, int | None], tmp_path: Path
) -> None:
    path = tmp_path / "all-cases.cards.pdf"
    path.write_bytes(cards[0])
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows and all(row.split()[-5:-2] == ["yes", "yes", "yes"] for row in rows), rows
    pdfua = shutil.which("pdfua") or str(Path(__import__("sys").executable).parent / "pdfua")
    report = subprocess.run([pdfua, "check", str(path)], capture_output=True, text=True)
    assert "ERROR" not in report.stdout, report.stdout
    assert "result: PASS" in report.stdout, report.stdout
