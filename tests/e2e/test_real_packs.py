"""Every real pack, built from the committed content: each PDF shows each of its cases with
its citation and the footer, each Word file carries the same cases and citations, and every
format's file of every pack is in the manifest and linked from the downloads page."""

from __future__ import annotations

import functools
import html
import io
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import BUILD_PY, LAYOUTS, REAL_CONTENT, SUFFIXES, cli_env
from docx import Document as WordDocument
from pdf_runs import (
    A4,
    Pixels,
    Run,
    outline_titles,
    page_lines,
    page_pixels,
    squash,
    text_runs,
)
from pdf_runs import page_texts as read_page_texts
from pypdf import PdfReader
from test_cards import (
    FIGURE_LABEL,
    assert_cards_hold_their_cases,
    assert_inside_halves,
    card_text,
    not_feet,
    read_in_order,
    unspaced,
    words_of,
)
from test_large_print import case_runs

from casebook.blocks import BulletList, plain_text
from casebook.content import load_corpus
from casebook.document import compose_pack
from casebook.largeprint import MIN_MARGINS_MM
from casebook.largeprint import render as render_large_print
from casebook.layout import load_layout
from casebook.model import Insight
from casebook.packs import select_packs
from casebook.renderers import BUILTIN

pytestmark = pytest.mark.slow

CORPUS = load_corpus(REAL_CONTENT)
PACKS = {p.id: p for p in select_packs(CORPUS)}
# What the downloads page calls the printed formats besides the PDF.
LABELS = {"cards": "Case cards (A5, 2 per A4 sheet)", "large-print": "Large print"}


@functools.cache
def page_texts(path: Path) -> tuple[str, ...]:
    """The text of each page of the PDF at ``path``, squashed; read once per file, however
    many tests look at it."""
    return tuple(read_page_texts(path))


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("real") / "project"
    shutil.copytree(REAL_CONTENT, project / "content")
    shutil.copytree(LAYOUTS, project / "layouts")
    result = subprocess.run(
        [sys.executable, str(BUILD_PY), "build", "--jobs", "2"],
        cwd=project,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return project / "dist"


def size_text(n: int) -> str:
    return f"{n} B" if n < 1000 else f"{n / 1000:.0f} kB" if n < 10**6 else f"{n / 10**6:.1f} MB"


def test_every_pack_has_a_file_of_every_format_in_the_manifest(dist: Path) -> None:
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    listed = {o["path"] for o in manifest["outputs"]}
    assert listed == {f"{pack}{suffix}" for pack in PACKS for suffix in SUFFIXES}
    assert len(PACKS) == 14
    assert {s.name: s.label for s in BUILTIN if s.name in LABELS} == LABELS


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_each_format_of_each_pack_is_recorded_and_linked_with_its_size_and_pages(
    dist: Path, pack_id: str
) -> None:
    pack = PACKS[pack_id]
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    records = {o["path"]: o for o in manifest["outputs"]}
    page = (dist / "index.html").read_text(encoding="utf-8")
    for spec in BUILTIN:
        name = f"{pack_id}{spec.suffix}"
        path = dist / name
        assert path.is_file(), name
        record = records[name]
        assert (record["pack"], record["format"], record["label"]) == (
            pack_id,
            spec.name,
            spec.label,
        )
        assert record["bytes"] == path.stat().st_size, name
        facts = [size_text(path.stat().st_size)]
        if name.endswith(".pdf"):
            pages = len(page_texts(path))  # as PDFium counts them
            assert record["pages"] == pages, name
            if spec.name == "cards":  # one card per case, two to a sheet
                facts.append(f"{len(pack.cases)} cards on {pages} sheets")
            else:
                facts.append("1 page" if pages == 1 else f"{pages} pages")
        else:
            assert record["pages"] is None, name
        [(label, link)] = re.findall(
            rf'<a class="download [^"]*" href="{re.escape(name)}"[^>]* aria-label="([^"]*)">'
            r"(.*?)</a>",
            page,
        )
        # On the button: the format, then size and pages. Its name says the same words in
        # the same order (so that a voice command of what it shows finds it), then the pack.
        text = squash(html.unescape(re.sub(r"<[^>]+>", "", link)))
        assert text == f"{spec.label} {', '.join(facts)}", name
        assert html.unescape(label) == f"{spec.label}, {', '.join(facts)} \u2013 {pack.title}"


# The edition date the build prints: the day its fixed clock gives (cli_env).
BUILT = datetime.fromtimestamp(int(cli_env()["SOURCE_DATE_EPOCH"]), UTC).date().isoformat()


@functools.cache
def runs_of(path: Path) -> tuple[Run, ...]:
    """The runs of text of the PDF at ``path``, read once per file."""
    return tuple(text_runs(path.read_bytes()))


def assert_tagged_with_a_bookmark_per_case(path: Path, pack_id: str) -> None:
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB", path.name
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root, path.name
    headings = [case.heading for case in PACKS[pack_id].cases]
    titles = outline_titles(path.read_bytes())
    assert [title for title in titles if title in headings] == headings, path.name


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_each_pack_s_cards_hold_each_case_whole_on_its_own_half(dist: Path, pack_id: str) -> None:
    # One card per case, in pack order, two to a sheet (ceil(cases / 2) sheets); on each, the
    # case's heading, places, every word of its text in order, its citation and prompts, and
    # nothing else; no text across the cut or near the paper's edge; none under 8.5 pt but
    # the cards' feet.
    document = compose_pack(PACKS[pack_id], CORPUS, BUILT)
    path = dist / f"{pack_id}.cards.pdf"
    runs = list(runs_of(path))
    assert_cards_hold_their_cases(document, path.read_bytes(), runs)
    assert_inside_halves(runs)
    assert min(r.size for r in not_feet(runs)) >= 8.5
    assert_tagged_with_a_bookmark_per_case(path, pack_id)


def body_runs(path: Path) -> list[Run]:
    """The runs of the large-print PDF at ``path`` inside its pages' margins, in reading
    order: not the running heads and page numbers above them nor the footers below, so that
    a case's text reads on over a page break."""
    top, _, bottom, _ = load_layout(LAYOUTS).brand.margins_mm
    least_top, least_bottom = MIN_MARGINS_MM
    mm = 72 / 25.4
    head, foot = A4[1] - max(top, least_top) * mm, max(bottom, least_bottom) * mm
    return [r for r in runs_of(path) if foot < r.y < head]


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_each_pack_s_large_print_holds_each_case_at_16_pt(dist: Path, pack_id: str) -> None:
    document = compose_pack(PACKS[pack_id], CORPUS, BUILT)
    path = dist / f"{pack_id}.large-print.pdf"
    runs = list(runs_of(path))
    # Every case, as in the standard PDF: its heading, places, every word of its text in
    # order, its citation and prompts, with nothing between them but a missing figure's
    # label, the page's furniture aside.
    text = words_of(body_runs(path))
    # From the introduction's first words on: the cases' headings come first in the contents.
    position = text.index(unspaced(plain_text(document.introduction.blocks[:1]))[:60])
    for case in document.cases:
        start = text.index(unspaced(case.heading), position)
        position = read_in_order(
            text, card_text(document, case), start, (FIGURE_LABEL,), case.case_id
        )
    # At least 95% of the case text's characters at 16 pt or more; nothing in italic.
    words = case_runs(document, runs)
    large = sum(len(r.text) for r in words if r.size >= 16)
    assert large / sum(len(r.text) for r in words) >= 0.95
    assert not [r for r in runs if "Italic" in r.font]
    # The footer and the page number on every page but the cover, as in the standard PDF.
    pages = page_texts(path)
    for number, page in enumerate(pages[1:], start=2):
        assert f"{document.title} · {document.short_citation}" in page, number
        assert f"page {number} of {len(pages)}" in page, number
    # Set as large as the text, the footer must not read as the text's next line: on every
    # page, its first line stands more than 1.6 of the text's lines (24 pt apart) below the
    # text's last (it stood 1.5 below, and read as the next line).
    inside = set(body_runs(path))
    for page in range(1, len(pages)):
        text = [r.y for r in runs if r.page == page and r in inside]
        foot = [r.y for r in runs if r.page == page and r not in inside and r.y < 100]
        assert foot, page
        assert not text or min(text) - max(foot) > 1.6 * 24, (page, min(text) - max(foot))
    assert_tagged_with_a_bookmark_per_case(path, pack_id)


def test_large_print_leaves_no_more_than_six_lines_white_where_a_case_s_text_goes_over(
    dist: Path,
) -> None:
    # Large print keeps two lines of a paragraph either side of a page break: a case's last
    # paragraph of four lines, kept whole with its citation, went over whole and left a third
    # of a page white (nation-wales, Newport). Where a case's text runs on to its next page,
    # the page it leaves is filled to within six lines (of 24 pt) of its foot, unless what
    # goes over is the prompts, kept whole under their heading.
    headings = [case.heading for case in CORPUS.cases]
    for pack_id in PACKS:
        path = dist / f"{pack_id}.large-print.pdf"
        runs = body_runs(path)
        foot = min(r.y for r in runs)  # the last line of the fullest page
        for page in range(1, len(page_texts(path)) - 1):
            # A page that continues a case has the case's heading (cut short with an ellipsis
            # if long) as its running head, beside the page number.
            top = [r for r in runs_of(path) if r.page == page + 1 and r.y > A4[1] / 2]
            [number] = [r for r in top if r.text.startswith("page ")]
            heads = [squash(r.text).rstrip("…") for r in top if r.y == number.y and r != number]
            continued = any(h.startswith(head) for head in heads for h in headings)
            # (A page of ruled lines alone, under the running head, is the notes going over.)
            following = [r.text for r in runs if r.page == page + 1] or ["Notes"]
            if not continued or following[0].startswith(("Discussion prompts", "Notes")):
                continue
            lowest = min(r.y for r in runs if r.page == page)
            assert lowest - foot <= 6 * 24, (pack_id, page + 1, round(lowest - foot))


def test_cover_titles_break_between_words_and_leave_no_word_alone(dist: Path) -> None:
    # The covers' titles at 30 pt: broken neither at a hyphen ("evidence- / based") nor
    # before a last word left alone on its line ("Make multi-agency working / work").
    broken = 0
    for pack_id, pack in PACKS.items():
        cover = text_runs((dist / f"{pack_id}.pdf").read_bytes(), pages=1)
        runs = [r for r in cover if r.size == 30]
        lines = [
            squash("".join(r.text for r in runs if r.y == y))
            for y in sorted({r.y for r in runs}, reverse=True)
        ]
        # (A space between two spans is a run of its own, which the runs leave out.)
        assert "".join(lines).replace(" ", "") == pack.title.replace(" ", ""), pack_id
        assert not [line for line in lines if line.endswith(("-", "\u2013"))], lines
        assert len(lines) == 1 or len(lines[-1].split()) > 1, lines
        broken += len(lines) > 1
    assert broken >= 5  # the test has titles to look at


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_each_pdf_shows_its_cases_citations_and_footer(dist: Path, pack_id: str) -> None:
    pack = PACKS[pack_id]
    pages = page_texts(dist / f"{pack_id}.pdf")
    text = " ".join(pages)
    for case in pack.cases:
        assert case.heading in text, case.id
        assert CORPUS.source.cite(case.page) in text, case.id
    for number, page in enumerate(pages[1:], start=2):
        assert pack.title in page and CORPUS.source.short_citation in page, number
        assert f"page {number} of {len(pages)}" in page
    # The citations come in the pack's own order, one under each case.
    positions = [text.index(case.heading) for case in pack.cases]
    assert positions == sorted(positions)


# The head of a page that continues the contents.
CONTINUED = "Contents (continued)"


def pdf_pages(dist: Path, pack_id: str) -> list[str]:
    """The text of each page without its footer, so that text running on over a page break
    reads on."""
    footer = re.compile(
        rf" ?{re.escape(PACKS[pack_id].title)} · {re.escape(CORPUS.source.short_citation)}"
        r" page \d+ of \d+$"
    )
    return [footer.sub("", page) for page in page_texts(dist / f"{pack_id}.pdf")]


def introduction_page(pages: list[str], pack_id: str) -> int:
    """The index of the introduction's page: the body starts there, after the contents."""
    title = compose_pack(PACKS[pack_id], CORPUS).introduction.title
    contents = next(n for n, page in enumerate(pages) if page.startswith("Contents"))
    return next(n for n, page in enumerate(pages) if n > contents and page.startswith(title))


def insights_of(pack_id: str) -> list[Insight]:
    """The insights a pack draws on, in the report's order."""
    drawn = {c.insight for c in PACKS[pack_id].cases}
    return [i for i in CORPUS.insights if i.id in drawn]


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_each_case_has_its_own_prompts_and_no_insight_prompts_under_it(
    dist: Path, pack_id: str
) -> None:
    pack = PACKS[pack_id]
    pages = pdf_pages(dist, pack_id)
    # A case's pages run from the first that starts with its heading to the next case's,
    # the next insight section's or the action sheet.
    titles = [
        *(f"Insight {i.number}: {i.title}" for i in CORPUS.insights),
        *(c.heading for c in pack.cases),
        "Action-planning sheet",
    ]
    body = introduction_page(pages, pack_id)
    starts = {
        next(n for n, page in enumerate(pages) if n > body and page.startswith(title))
        for title in titles
        if any(page.startswith(title) for page in pages[body + 1 :])
    }
    under: dict[str, str] = {}
    for case in pack.cases:
        first = min(n for n in starts if pages[n].startswith(case.heading))
        end = min(n for n in starts if n > first)
        found = re.findall(r"Discussion prompts (.*?) Notes ", " ".join(pages[first:end]))
        assert len(found) == 1, f"{case.id}: no prompts, or more than one set"
        # A page's list numbers are extracted after its text: when the notes open the next
        # page, the prompts' numbers come between them and "Notes".
        under[case.id] = unspaced(re.sub(r"(\s\d+\.)+$", "", found[0]))
        assert under[case.id] == unspaced(" ".join(case.prompts)), case.id
    assert len(set(under.values())) == len(under), "two cases print the same prompts"
    for insight in CORPUS.insights:
        for prompt in insight.prompts:
            for case_id, text in under.items():
                assert unspaced(prompt) not in text, (case_id, insight.id)


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_each_insight_summary_is_printed_once(dist: Path, pack_id: str) -> None:
    pages = pdf_pages(dist, pack_id)
    body = unspaced(" ".join(pages[introduction_page(pages, pack_id) :]))
    for insight in insights_of(pack_id):
        assert body.count(unspaced(insight.summary)) == 1, insight.id


def test_about_the_source_says_each_thing_once(dist: Path) -> None:
    about = unspaced(pdf_pages(dist, "all-cases")[-1])
    assert about.startswith(unspaced("About the source"))
    # The source's rights and Casebook's own note on what is quoted sit one after the other.
    assert about.count(unspaced("not part of the report")) == 1
    assert about.count(unspaced("citation")) == 1
    assert about.count(unspaced("word for word")) == 1
    assert "'" not in about  # typographic apostrophes, as in the report's words


def test_the_complete_pack_counts_its_places_as_the_report_does(dist: Path) -> None:
    # Beside the report's title ("…10 insights from 20 places…"), "21 places" read as a
    # mistake: the cases come from 20 local authorities and North Wales, a region where
    # several of them work together.
    said = "54 cases from 20 local authorities and 1 region"
    assert any(unspaced(said) in unspaced(page) for page in pdf_pages(dist, "all-cases"))
    word = WordDocument(str(dist / "all-cases.docx"))
    assert any(said in p.text for p in word.paragraphs)
    site = squash(html.unescape(re.sub(r"<[^>]+>", " ", (dist / "index.html").read_text("utf-8"))))
    assert said in site
    assert "21 places" not in site


@pytest.mark.parametrize("suffix", [".pdf", ".large-print.pdf"])
def test_an_insight_s_count_of_cases_is_never_parted_from_its_number(
    dist: Path, suffix: str
) -> None:
    # The introduction lists the insights a pack draws on: "Insight 5: … (4 cases)". The
    # count stays with its number, and with the title's last word: on a line of its own it
    # read as an afterthought.
    for pack_id in [p for p in PACKS if PACKS[p].kind != "insight"]:
        for lines in page_lines(dist / f"{pack_id}{suffix}", pages=16):
            parted = [line for line in lines if re.search(r"\(\d+$", line)]
            assert not parted, (pack_id, suffix, parted)
            alone = [line for line in lines if re.fullmatch(r"\s*\(\d+\s+cases?\)\s*", line)]
            assert not alone, (pack_id, suffix, alone)


def heading_lines(pdf: Path, headings: list[str]) -> dict[str, list[str]]:
    """The lines each of ``headings`` is set on in ``pdf``, where it is set whole in lines of
    its own (a case heading, an insight's title; not a contents line or a running head)."""
    lines: dict[tuple[int, float], list[str]] = {}
    for run in runs_of(pdf):
        lines.setdefault((run.page, round(run.y, 1)), []).append(run.text)
    texts = [squash(" ".join(line)) for line in lines.values()]
    found: dict[str, list[str]] = {}
    for n in range(len(texts)):
        for heading in headings:
            for m in range(n + 1, min(n + 6, len(texts) + 1)):
                if squash(" ".join(texts[n:m])) == heading:
                    found.setdefault(heading, texts[n:m])
    return found


@pytest.mark.parametrize("suffix", [".pdf", ".large-print.pdf", ".cards.pdf"])
def test_a_heading_breaks_where_a_line_is_full_not_before(dist: Path, suffix: str) -> None:
    # Kept together, a heading's last two words once made WeasyPrint break its first line
    # far too early: "Carmarthenshire / and Ceredigion: Early years / integrated system".
    # Two words always fit on a heading's line, so no line but the last holds one alone (the
    # last may, when the last two words are too long to keep together).
    headings = [c.heading for c in PACKS["all-cases"].cases]
    if suffix != ".cards.pdf":
        headings += [f"Insight {i.number}: {i.title}" for i in CORPUS.insights]
    found = heading_lines(dist / f"all-cases{suffix}", headings)
    assert len(found) == len(headings)
    alone = {h: lines for h, lines in found.items() if any(" " not in x for x in lines[:-1])}
    assert not alone
    # A case heading's last line holds two words where they have at most 28 letters between
    # them: "Newport: Key workers and 'What Matters' / conversations" left one alone.
    short = [
        c.heading for c in PACKS["all-cases"].cases if len("".join(c.heading.split()[-2:])) <= 28
    ]
    last_alone = {h: found[h] for h in short if len(found[h]) > 1 and " " not in found[h][-1]}
    assert not last_alone


@pytest.mark.parametrize("suffix", [".pdf", ".large-print.pdf"])
def test_a_case_s_places_and_insight_leave_no_word_alone_on_a_line(dist: Path, suffix: str) -> None:
    # "Caerphilly · Wales · Insight 1: Drive the quality of local strategic / planning": at
    # 16 pt the line under a case's heading often wraps; its last line holds two words.
    cases = compose_pack(PACKS["all-cases"], CORPUS, BUILT).cases
    metas = list(dict.fromkeys(" · ".join(case.meta) for case in cases))
    found = heading_lines(dist / f"all-cases{suffix}", metas)
    assert len(found) == len(metas)
    wrapped = {m: lines for m, lines in found.items() if len(lines) > 1}
    if suffix == ".large-print.pdf":
        assert len(wrapped) > 10  # the test has wrapped lines to look at
    assert not {m: lines for m, lines in wrapped.items() if " " not in lines[-1]}


@pytest.mark.parametrize("pack_id", ["all-cases", "nation-england", "nation-wales"])
def test_contents_show_each_insight_with_its_cases_beneath(dist: Path, pack_id: str) -> None:
    pages = pdf_pages(dist, pack_id)
    body = introduction_page(pages, pack_id)
    first = next(n for n, page in enumerate(pages) if page.startswith("Contents"))
    # (Without the head of each page after the first, which says what the page is.)
    contents = " ".join(pages[first:body]).replace(f" {CONTINUED}", "")

    def page_of(title: str) -> int:
        return 1 + next(n for n, page in enumerate(pages) if n >= body and page.startswith(title))

    # Every insight the pack draws on, in the report's order, each followed by its cases
    # (with the page each starts on) and then the next insight: no case out of its section.
    expected = []
    for insight in insights_of(pack_id):
        title = f"Insight {insight.number}: {insight.title}"
        expected.append(f"{title} {page_of(title)}")
        expected += [
            f"{c.heading} {page_of(c.heading)}"
            for c in PACKS[pack_id].cases
            if c.insight == insight.id
        ]
    expected.append(f"Action-planning sheet {page_of('Action-planning sheet')}")
    assert " ".join(expected) in contents
    drawn = {i.id for i in insights_of(pack_id)}
    for insight in CORPUS.insights:
        if insight.id not in drawn:
            assert f"Insight {insight.number}: " not in contents
    # An insight's entries are never split over two pages, in print or in large print: each
    # page of the contents after the first opens with an insight, not a case or a section.
    introduction = compose_pack(PACKS[pack_id], CORPUS).introduction.title
    for path in (dist / f"{pack_id}.pdf", dist / f"{pack_id}.large-print.pdf"):
        texts = page_texts(path)
        start = next(n for n, page in enumerate(texts) if page.startswith("Contents"))
        end = next(n for n, page in enumerate(texts) if page.startswith(introduction))
        for page in texts[start + 1 : end]:
            assert re.match(r"Insight \d+: ", page), (path.name, page)
        # A page of the contents after the first says, at its head, that it continues them.
        heads = [CONTINUED in page for page in texts[start:end]]
        assert heads == [False] + [True] * (end - start - 1), (path.name, heads)
        assert end - start > 1  # the test has a page that continues the contents


@pytest.mark.parametrize("pack_id", ["all-cases", "nation-england", "nation-wales"])
def test_large_print_opens_each_insight_with_its_questions_on_the_same_page(
    dist: Path, pack_id: str
) -> None:
    texts = page_texts(dist / f"{pack_id}.large-print.pdf")
    assert_questions_share_their_insight_s_page(texts, pack_id)


def assert_questions_share_their_insight_s_page(texts: tuple[str, ...], pack_id: str) -> None:
    for group in compose_pack(PACKS[pack_id], CORPUS).groups:
        summary = unspaced(plain_text(group.blocks))[:80]
        [opener] = [page for page in texts if summary in unspaced(page)]
        assert unspaced(group.prompts_title) in unspaced(opener), group.title


@pytest.mark.parametrize("suffix", [".pdf", ".large-print.pdf"])
def test_the_places_in_a_pack_are_listed_on_one_page_under_their_lead_in(
    dist: Path, suffix: str
) -> None:
    for pack_id in PACKS:
        texts = page_texts(dist / f"{pack_id}{suffix}")
        intro = compose_pack(PACKS[pack_id], CORPUS).introduction
        lead_in, places = intro.blocks[-2:]
        assert isinstance(places, BulletList)
        [page] = [page for page in texts if squash(plain_text((lead_in,))) in page]
        for item in places.items:  # "Wrexham (Wales)"
            assert unspaced(plain_text(item.blocks)) in unspaced(page), (pack_id, suffix)


# The resolution pages are printed at to find their rules.
RULED_DPI = 50


@functools.cache
def pixels_of(pdf: Path, page: int) -> Pixels:
    """Page ``page`` (from 0) of ``pdf`` as poppler prints it, printed once per page."""
    with tempfile.TemporaryDirectory() as folder:
        return page_pixels(pdf, page, RULED_DPI, Path(folder) / "page")


def ruled_rows(pdf: Path, page: int, top: float, bottom: float) -> list[int]:
    """The rows of pixels, between ``top`` and ``bottom`` points above the foot of page
    ``page`` (from 0) as poppler prints it, that are ruled across the middle half of the page."""
    pixels = pixels_of(pdf, page)
    xs = range(pixels.width // 4, 3 * pixels.width // 4, 2)
    per_point = RULED_DPI / 72
    rows = range(pixels.height - round(top * per_point), pixels.height - round(bottom * per_point))
    return [y for y in rows if pixels.ruled(y, xs)]


def test_no_bare_rules_where_a_case_s_notes_go_over_whole(dist: Path) -> None:
    # Where not even the "Notes" heading and two lines fit under the prompts, the notes start
    # the next page; the room left under the prompts is white, not rules without a heading.
    # (Large print has such pages: 12 in the complete pack; the standard PDF, 2.)
    checked: list[tuple[str, int]] = []
    for pack_id in ("all-cases", "nation-england", "nation-wales"):
        path = dist / f"{pack_id}.large-print.pdf"
        texts = page_texts(path)
        footer = f"{PACKS[pack_id].title} · {CORPUS.source.short_citation}"
        runs = runs_of(path)
        for number, (page, following) in enumerate(itertools.pairwise(texts)):
            if "Discussion prompts" not in page or " Notes " in f" {page}":
                continue
            if " Notes " not in f" {following}" or "Discussion prompts" in following:
                continue
            on_page = [run for run in runs if run.page == number]
            # The footer's citation (large print has the page number at the head).
            in_footer = [run for run in on_page if squash(run.text) in footer]
            page_number = re.compile(r"page \d+ of \d+")
            below = [
                run
                for run in on_page
                if run not in in_footer and not page_number.fullmatch(run.text.strip())
            ]
            body_foot = min(run.y - 0.3 * run.size for run in below)
            footer_top = max(run.y + run.size for run in in_footer)
            assert not ruled_rows(path, number, body_foot, footer_top), (
                path.name,
                number + 1,
            )
            checked.append((pack_id, number + 1))
    assert len(checked) >= 8, checked  # a test that found no such page would prove nothing


@pytest.mark.parametrize(
    ("suffix", "pitch_mm", "least"), [(".pdf", 9, 40), (".large-print.pdf", 13, 30)]
)
def test_two_lines_show_under_a_notes_heading_that_stays_on_the_case_s_page(
    dist: Path, suffix: str, pitch_mm: float, least: int
) -> None:
    # The white under a case must not hide the notes' own lines, and a heading never stands
    # at the foot of a page over a single line: under the "Notes" heading, a rule within
    # each of the next two rules' pitch (13 mm in large print).
    path = dist / f"all-cases{suffix}"
    runs = runs_of(path)
    pitch = pitch_mm / 25.4 * 72
    checked = 0
    for number, page in enumerate(page_texts(path)):
        if "Discussion prompts" not in page or " Notes " not in f"{page} ":
            continue
        [heading] = [run for run in runs if run.page == number and run.text.strip() == "Notes"]
        foot = heading.y - 0.3 * heading.size
        for line in range(2):
            top, bottom = foot - line * pitch, foot - (line + 1) * pitch - 2
            assert ruled_rows(path, number, top, bottom), (number + 1, line + 1)
        checked += 1
    assert checked >= least, checked


@pytest.fixture(scope="module")
def valley_large_print() -> tuple[str, ...]:
    """The complete pack in large print in the valley-council brand, whose deeper margins
    once left the guide's closing paragraph and the contents' last entry on pages alone."""
    pdf, _ = render_large_print(
        compose_pack(PACKS["all-cases"], CORPUS),
        load_layout(LAYOUTS, "valley-council"),
        REAL_CONTENT,
    )
    return tuple(read_page_texts(pdf))


def test_large_print_in_a_brand_with_deeper_margins_keeps_the_questions_too(
    valley_large_print: tuple[str, ...],
) -> None:
    assert_questions_share_their_insight_s_page(valley_large_print, "all-cases")


def test_the_guide_takes_the_same_pages_under_a_brand_s_deeper_margins(
    dist: Path, valley_large_print: tuple[str, ...]
) -> None:
    # Under the valley-council brand's margins the guide once ran on to a fifth page holding
    # its last bullet and closing paragraph alone.
    for texts in (page_texts(dist / "all-cases.large-print.pdf"), valley_large_print):
        contents = next(n for n, page in enumerate(texts) if page.startswith("Contents"))
        assert contents == 5, [page[:60] for page in texts[1:contents]]


def test_no_closing_paragraph_or_last_entry_stands_alone(
    valley_large_print: tuple[str, ...],
) -> None:
    document = compose_pack(PACKS["all-cases"], CORPUS)
    closing = squash(plain_text(document.guide.blocks[-1:]))
    [page] = [page for page in valley_large_print if closing[:60] in page]
    assert page.index(closing[:60]) > 0  # something comes before it on its page
    # The contents' last page holds the action-planning sheet and the source with the last
    # insight's entries, not "About the source" on its own.
    ending = r"Action-planning sheet \d+ About the source \d+"
    [last] = [page for page in valley_large_print if re.search(ending, page)]
    assert re.search(r"Insight 10: .* " + ending, last), last


@pytest.mark.parametrize("pack_id", ["all-cases", "nation-england", "nation-wales"])
def test_word_sections_are_insights_with_their_summary_and_questions_once(
    dist: Path, pack_id: str
) -> None:
    word = WordDocument(io.BytesIO((dist / f"{pack_id}.docx").read_bytes()))
    paragraphs = [(p.style.name if p.style is not None else "", p.text) for p in word.paragraphs]
    # An insight opens its section with an Insight Heading (a Heading 1, larger), as in the PDF.
    sections = [text for style, text in paragraphs if style == "Insight Heading"]
    insights = insights_of(pack_id)
    titles = [f"Insight {i.number}: {i.title}" for i in insights]
    assert sections == titles
    assert not [t for s, t in paragraphs if s == "Heading 1" and t.startswith("Insight ")]
    # Each insight's questions under their own heading style, in the primary colour as in
    # the PDF (the guide's Subheadings are in the text colour).
    questions = compose_pack(PACKS[pack_id], CORPUS).groups[0].prompts_title
    assert [t for s, t in paragraphs if s == "Questions Heading"] == [questions] * len(insights)
    text = "\n".join(t for _, t in paragraphs)
    for insight in insights:
        assert text.count(insight.summary) == 1, insight.id
        for prompt in insight.prompts:
            assert text.count(prompt) == 1, prompt


@pytest.mark.clients
def test_pdfua_finds_nothing_in_any_pack_and_evaluates_its_rules(dist: Path) -> None:
    pdfua = shutil.which("pdfua") or str(Path(sys.executable).parent / "pdfua")
    files = sorted(str(p) for p in dist.glob("*.pdf"))
    pdf_formats = [s for s in BUILTIN if s.suffix.endswith(".pdf")]
    assert len(files) == len(PACKS) * len(pdf_formats)  # the pack, its cards, large print
    result = subprocess.run(
        [pdfua, "check", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    # 3 is pdfua's exit code for findings at ERROR severity; 4 an unreadable file.
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    reports = []  # one JSON object a file, one after another
    decoder, text, at = json.JSONDecoder(), result.stdout, 0
    while text[at:].strip():
        at += len(text[at:]) - len(text[at:].lstrip())
        report, at = decoder.raw_decode(text, at)
        reports.append(report)
    assert sorted(r["file"] for r in reports) == files
    for report in reports:
        assert report["findings"] == [], (report["file"], report["findings"])
        # A rule pdfua could not evaluate proves nothing. Only UA-14-001 (empty headings)
        # is left out, on every file: pdfua 0.1.3 fails on a pikepdf array reading it.
        skipped = [(s["rule_id"], s["reason"]) for s in report["skipped"]]
        assert all(rule == "UA-14-001" and "pikepdf" in reason for rule, reason in skipped), (
            report["file"],
            skipped,
        )
        assert report["summary"]["rules_run"] >= 11, report["summary"]


@pytest.mark.clients
def test_qpdf_and_poppler_accept_every_pdf_with_its_fonts_embedded(dist: Path) -> None:
    for path in sorted(dist.glob("*.pdf")):
        check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, (path.name, check.stdout[-2000:] + check.stderr)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
        rows = fonts.stdout.splitlines()[2:]
        # Every font embedded, subset and with a Unicode map: text prints and copies.
        assert rows and all(row.split()[-5:-2] == ["yes", "yes", "yes"] for row in rows), (
            path.name,
            rows,
        )


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_each_word_file_carries_the_same_cases_and_citations(dist: Path, pack_id: str) -> None:
    pack = PACKS[pack_id]
    word = WordDocument(io.BytesIO((dist / f"{pack_id}.docx").read_bytes()))
    headings = [
        p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 2"
    ]
    citations = [
        p.text for p in word.paragraphs if p.style is not None and p.style.name == "Case Citation"
    ]
    assert headings == [c.heading for c in pack.cases]
    assert citations == [CORPUS.source.cite(c.page) for c in pack.cases]


@pytest.mark.clients
def test_libreoffice_opens_every_word_file(dist: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed for the client checks"
    files = sorted(dist.glob("*.docx"))
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "out"),
            *map(str, files),
        ],
        capture_output=True,
        timeout=600,
        check=False,
    )
    # soffice exits 0 even when it cannot load a file: look at what it wrote.
    for docx in files:
        pdf = tmp_path / "out" / f"{docx.stem}.pdf"
        assert pdf.is_file(), docx.name
        assert len(PdfReader(pdf).pages) > 5, docx.name
