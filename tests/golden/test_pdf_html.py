"""Golden tests: the HTML fed to WeasyPrint for the mini fixture's packs, against reviewed
files in tests/golden/pdf/. After a deliberate change to the templates or the document model,
regenerate with ``CASEBOOK_UPDATE_GOLDEN=1`` (``nox -s update_golden``) and review the diff."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from goldenfiles import compare_or_update

from casebook.blocks import (
    BulletList,
    Code,
    Emphasis,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListItem,
    OrderedList,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
)
from casebook.content import load_corpus
from casebook.document import compose_pack, with_first_case
from casebook.layout import load_layout
from casebook.packs import select_packs
from casebook.pdf import render_html

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini" / "content"
GOLDEN = Path(__file__).parent / "pdf"


@pytest.mark.parametrize(
    ("pack_id", "brand"),
    [("all-cases", None), ("needs-and-assets", "valley-council")],
)
def test_html_matches_the_reviewed_file(pack_id: str, brand: str | None) -> None:
    corpus = load_corpus(MINI)
    [pack] = [p for p in select_packs(corpus) if p.id == pack_id]
    layout = load_layout(ROOT / "layouts", brand)
    html = render_html(compose_pack(pack, corpus), layout, MINI)
    golden = GOLDEN / f"{pack_id}{'.' + brand if brand else ''}.html"
    compare_or_update(golden, html)
    # No machine's paths in the HTML: the same file must match in any clone.
    assert str(ROOT) not in html


def para(*inlines: Inline) -> Paragraph:
    return Paragraph(inlines)


def test_every_block_type_as_html() -> None:
    blocks = (
        Heading(3, (Text("What they did"),)),
        para(
            Text("A "),
            Emphasis((Text("quiet"),)),
            Text(" & "),
            Strong((Text("<bold>"),)),
            LineBreak(),
            Code("x < y"),
            Text(" "),
            Link("https://example.org/a?b=1&c=2", (Text("the guide"),)),
            Text(" "),
            Link("https://example.org/", (Text("example.org"),)),
            Text(" "),
            Link("javascript:alert(1)", (Text("not a link"),)),
        ),
        OrderedList(
            3,
            (
                ListItem((para(Text("three")),)),
                ListItem(
                    (
                        para(Text("four")),
                        BulletList((ListItem((para(Text("nested")),)),)),
                    )
                ),
            ),
        ),
        Quote((para(Text("Said once.")),)),
        Figure("A chart of <things>", "media/chart.svg"),
        Figure("Gone", None),
        Table(((Text("Area"),), (Text("Cases"),)), (((Text("Wales"),), (Text("3"),)),)),
    )
    corpus = load_corpus(MINI)
    [pack] = [p for p in select_packs(corpus) if p.id == "all-cases"]
    document = compose_pack(pack, corpus)
    first = replace(document.cases[0], blocks=blocks)
    document = with_first_case(document, first)
    html = render_html(document, load_layout(ROOT / "layouts"), MINI)
    expected = """<div class="case-body">
<h3>What they did</h3>
<p>A <em>quiet</em> &amp; <strong>&lt;bold&gt;</strong><br><code>x &lt; y</code> \
<a href="https://example.org/a?b=1&amp;c=2">the guide</a><span class="address"> (\
<span class="keep-together">https://example.org/</span><wbr>\
<span class="keep-together">a?b=1&amp;c=2</span>)</span> \
<a href="https://example.org/" class="url">\
<span class="keep-together">example.org</span></a> not a link</p>
<ol start="3" style="counter-reset: list-item 2">
<li>three</li>
<li><p>four</p>
<ul>
<li>nested</li>
</ul></li>
</ol>
<blockquote>
<p>Said once.</p>
</blockquote>
<figure><img src="content:media/chart.svg" alt="A chart of &lt;things&gt;"></figure>
<div class="figure-missing" role="note"><p class="figure-missing-label">Figure not available \
in this edition</p><p>Gone</p></div>
<table class="content-table">
<thead><tr><th scope="col">Area</th><th scope="col">Cases</th></tr></thead>
<tbody>
<tr><td>Wales</td><td>3</td></tr>
</tbody>
</table>
</div>"""
    assert expected in html
