"""Comparing with the reviewed golden files, and rewriting them only on request."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UPDATE = os.environ.get("CASEBOOK_UPDATE_GOLDEN") == "1"


def compare_or_update(golden: Path, made: str) -> None:
    """Pass only if ``made`` equals the reviewed file ``golden``. With
    CASEBOOK_UPDATE_GOLDEN=1 a different file is rewritten and the test is skipped, never
    passed, so that the change is reviewed (``git diff``) before it is committed."""
    reviewed = golden.read_text(encoding="utf-8") if golden.is_file() else None
    if made == reviewed:
        return
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(made, encoding="utf-8", newline="\n")
        pytest.skip(f"rewrote {golden.relative_to(ROOT)}: review it with git diff")
    assert reviewed is not None, f"{golden} missing: run with CASEBOOK_UPDATE_GOLDEN=1, review it"
    assert made == reviewed
