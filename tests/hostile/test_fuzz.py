"""Property tests: whatever people type, Casebook builds both formats or says where the
problem is. Never a traceback, a hang or a corrupt file."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from casebook.content import load_corpus
from casebook.diagnostics import ContentError
from casebook.document import compose_pack
from casebook.layout import load_layout
from casebook.model import Corpus, Pack

ROOT = Path(__file__).parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini" / "content"
LAYOUTS = ROOT / "layouts"

MARKDOWN_BITS = [
    "# ",
    "### ",
    "- ",
    "* ",
    "1. ",
    "7) ",
    "> ",
    "**",
    "*",
    "_",
    "`",
    "\\",
    "\n",
    "\n\n",
    "    ",
    "[link](https://example.org/a b)",
    "[mail](mailto:a@example.org)",
    "![alt]()",
    "![alt](media/none.png)",
    "[bad](javascript:x)",
    "<b>",
    "<!-- c -->",
    "&amp;",
    "&#0;",
    "|a|b|\n|-|-|\n|1|2|\n",
    "---\n",
    "```\n",
    "\v",
    "\f",
    "\u00a0",
    "\u200d",
    "\u202e",
    "ŵ",
    "ŷ",
    "👩‍👧",
    "مرحبا",
    "שלום",
    "’",
    "–",
    "\x00",
    "\x1b",
    "\ufeff",
]
text_bits = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=30)
bodies = st.lists(st.one_of(st.sampled_from(MARKDOWN_BITS), text_bits), max_size=40).map("".join)
scalars = st.one_of(
    text_bits,
    st.sampled_from(
        [
            "NO",
            "yes",
            "1.10",
            "~",
            "",
            "[a",
            "{b: c}",
            "&x y",
            "*x",
            "!!str x",
            "'quoted'",
            '"q\\x00"',
            "20",
            "-1",
            "19",
            "2e3",
        ]
    ),
)
front_matter = st.fixed_dictionaries(
    {
        "title": scalars,
        "places": st.one_of(scalars, st.just("[Newham]"), st.just("[Newham, Nowhere]")),
        "page": st.one_of(scalars, st.integers(-5, 400).map(str)),
        "insight": st.one_of(scalars, st.just("strategic-planning")),
        "tags": st.one_of(scalars, st.just("[strategy, integration]")),
        "prompts": st.one_of(
            scalars,
            st.just('["Which part of this fuzzed case fits your area?", "Who would lead it?"]'),
            st.just('["A statement.", "Two? Questions?", "", "Four?"]'),
        ),
    }
)

FUZZ_SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


def _project() -> Path:
    root = Path(tempfile.mkdtemp(prefix="casebook-fuzz-")) / "content"
    shutil.copytree(MINI, root)
    return root


def _write(root: Path, fields: dict[str, str], body: str) -> None:
    head = "".join(f"{key}: {value}\n" for key, value in fields.items())
    (root / "cases" / "newham-fuzz.md").write_text(f"---\n{head}---\n{body}\n", encoding="utf-8")


def _load(root: Path) -> Corpus | None:
    """Load, or check that every problem is a path:line diagnostic."""
    try:
        return load_corpus(root)
    except ContentError as error:
        assert error.diagnostics
        for diagnostic in error.diagnostics:
            assert diagnostic.path.startswith(str(root))
            assert diagnostic.line >= 1
            assert diagnostic.message
            assert str(diagnostic).startswith(f"{diagnostic.path}:{diagnostic.line}: ")
        return None


@FUZZ_SETTINGS
@given(fields=front_matter, body=bodies)
def test_any_case_file_loads_or_gets_diagnostics(fields: dict[str, str], body: str) -> None:
    root = _project()
    try:
        _write(root, fields, body)
        _load(root)
    finally:
        shutil.rmtree(root.parent)


@pytest.mark.slow
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(body=bodies)
def test_any_accepted_body_renders_to_both_formats(body: str) -> None:
    from docx import Document as WordDocument
    from pypdf import PdfReader

    from casebook.pdf import render_pdf
    from casebook.word import render_docx

    root = _project()
    try:
        fields = {
            "title": "Fuzz",
            "places": "[Newham]",
            "page": "20",
            "insight": "strategic-planning",
            "tags": "[strategy, integration]",
            "prompts": '["Which part of this fuzzed case fits your area?", "Who would lead it?"]',
        }
        _write(root, fields, body)
        corpus = _load(root)
        assume(corpus is not None)  # a refused body is not an example of this property
        assert corpus is not None
        case = next(c for c in corpus.cases if c.id == "newham-fuzz")
        pack = Pack(id="fuzz", kind="all", title="Fuzz", cases=(case,))
        document = compose_pack(pack, corpus)
        layout = load_layout(LAYOUTS)
        pdf = render_pdf(document, layout, media_root=root)
        assert len(PdfReader(io.BytesIO(pdf)).pages) > 1
        docx = render_docx(document, layout, media_root=root)
        assert WordDocument(io.BytesIO(docx)).paragraphs
    finally:
        shutil.rmtree(root.parent)
