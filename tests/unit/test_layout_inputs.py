"""Which layout files each PDF format reads, for its fingerprint."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import LAYOUTS

from casebook.layout import load_layout


def names(paths: tuple[Path, ...], root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in paths if p.is_relative_to(root)}


def test_each_pdf_format_reads_its_own_files_and_the_shared_ones(tmp_path: Path) -> None:
    root = tmp_path / "layouts"
    shutil.copytree(LAYOUTS, root)
    (root / "pdf" / "extra.css").write_text("p {}", encoding="utf-8")
    layout = load_layout(root)
    pdf = names(layout.pdf_inputs(), root)
    cards = names(layout.cards_inputs(), root)
    large = names(layout.large_print_inputs(), root)
    assert {"brand.yaml", "logo.svg", "pdf/fonts.css", "fonts/NotoSans-Regular.ttf"} <= (
        pdf & cards & large
    )
    assert {"pdf/pack.html.j2", "pdf/pack.css", "pdf/extra.css"} <= pdf & large
    assert {"pdf/cards.html.j2", "pdf/cards.css"} <= cards
    assert "pdf/large-print.css" in large
    assert not {n for n in pdf if n.startswith(("pdf/cards.", "pdf/large-print."))}
    assert not {n for n in cards if n.startswith(("pdf/pack.", "pdf/large-print.", "pdf/extra"))}
    assert not {n for n in large if n.startswith("pdf/cards.")}
