"""Which code an output's fingerprint covers: the Casebook modules a module imports when it
runs, wherever the import statement stands, and its code without docstrings."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

from casebook.build.fingerprints import CodeIndex, _imports, _without_docstrings

MODULE = '''
"""A module's docstring."""
from typing import TYPE_CHECKING

import casebook.text

if TYPE_CHECKING:
    from casebook.word import render
else:
    from casebook.files import is_plain_file


def load():
    """A function's docstring."""
    try:
        from casebook.pdf import render_html
    except ImportError:
        import casebook.cards
    finally:
        pass


class Reader:
    """A class's docstring."""

    def read(self, kind):
        """A method's docstring."""
        match kind:
            case "large":
                from casebook import largeprint
        with open("x") as f:
            for line in f:
                while line:
                    from casebook.glyphs import uncovered_characters
'''


def test_imports_count_wherever_they_stand_but_under_type_checking() -> None:
    tree = ast.parse(MODULE)
    assert set(_imports(tree, "casebook.example", Path("example.py"))) == {
        "casebook",
        "casebook.text",
        "casebook.files",
        "casebook.pdf",
        "casebook.cards",
        "casebook.largeprint",
        "casebook.glyphs",
    }


def test_docstrings_do_not_count_and_code_does() -> None:
    def digest(source: str) -> str:
        return hashlib.sha256(ast.dump(_without_docstrings(ast.parse(source))).encode()).hexdigest()

    without = "\n".join(line for line in MODULE.splitlines() if "docstring" not in line)
    assert digest(MODULE) == digest(without)
    assert digest(MODULE) != digest(MODULE.replace("while line:", "while not line:"))


def test_a_renderer_s_code_is_its_modules_and_what_they_import() -> None:
    code = CodeIndex()
    sources = code.sources(["casebook.word"])
    assert {"casebook.word", "casebook.blocks", "casebook.provenance"} <= set(sources)
    assert "casebook.pdf" not in sources  # the Word file's code is not the PDF's
    assert code.digest(["casebook.word"]) != code.digest(["casebook.pdf"])
    assert code.digest(["casebook.word"]) == CodeIndex().digest(["casebook.word"])
