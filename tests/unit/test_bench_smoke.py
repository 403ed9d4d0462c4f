"""The benchmark's synthetic content is content Casebook accepts, with the size asked for."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from casebook.blocks import Paragraph, Text
from casebook.content import load_corpus
from casebook.packs import select_packs

ROOT = Path(__file__).resolve().parents[2]


def _synth() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_synth", ROOT / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("count", [54, 70])
def test_synthetic_content_loads_with_the_count_asked_for(tmp_path: Path, count: int) -> None:
    real = load_corpus(ROOT / "content")
    out = _synth().generate(ROOT / "content", tmp_path / "content", count)
    corpus = load_corpus(out)
    assert len(corpus.cases) == count
    assert not {c.id for c in corpus.cases} & {c.id for c in real.cases}
    assert not {p for c in corpus.cases for p in c.places} & {p.name for p in real.places}
    packs = {p.id: len(p.cases) for p in select_packs(corpus)}
    assert packs["all-cases"] == count
    # Every pack the real content makes exists at every size.
    assert set(packs) == {p.id for p in select_packs(real)}


def test_synthetic_copies_keep_page_insight_and_nation(tmp_path: Path) -> None:
    real = load_corpus(ROOT / "content")
    corpus = load_corpus(_synth().generate(ROOT / "content", tmp_path / "content", 108))
    by_id = {c.id: c for c in real.cases}
    for case in corpus.cases:
        copy, original = case.id.split("-", 1)
        source = by_id[original]
        assert copy in ("syn1", "syn2")
        assert (case.page, case.insight) == (source.page, source.insight)
        # The text is the original's, and from the second copy on, a line naming the copy.
        said = (Paragraph((Text(f"(Copy {copy.removeprefix('syn')}.)"),)),)
        assert case.body == source.body + (said if copy == "syn2" else ())
        assert corpus.nations_of(case) == real.nations_of(source)
