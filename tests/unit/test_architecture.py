"""The shape of the package: no import cycles, and the library and ``check`` work where
POSIX-only modules (``fcntl``, ``resource``) do not exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import ROOT, run_script

PACKAGE = ROOT / "casebook"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """Every casebook module ``path`` imports, anywhere in the file: at the top, inside
    functions, under ``if TYPE_CHECKING``."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from casebook import pdf`` imports the module casebook.pdf; ``from casebook
            # import __version__`` imports the package casebook.
            candidates = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        found.update(c for c in candidates if c in known and c != name)
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in ``graph``, as the path that closes it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    first = tmp_path / "first.py"
    first.write_text("from casebook import second\n")
    second = tmp_path / "second.py"
    second.write_text("def late():\n    import casebook.first\n")
    known = {"casebook.first": first, "casebook.second": second}
    graph = {name: imports_of(path, name, known) for name, path in known.items()}
    assert find_cycle(graph) == ["casebook.first", "casebook.second", "casebook.first"]


def test_no_casebook_module_imports_itself_through_others() -> None:
    known = modules()
    assert {"casebook", "casebook.cli", "casebook.build.engine", "casebook.word"} <= set(known)
    graph = {name: imports_of(path, name, known) for name, path in known.items()}
    assert "casebook.build.engine" in graph["casebook.cli"]  # a function-level import counts
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


# Run in a fresh interpreter where importing fcntl or resource fails and signal has no
# alarms, as on Windows.
WITHOUT_POSIX = """
import sys
sys.modules["fcntl"] = None
sys.modules["resource"] = None
import signal
del signal.setitimer, signal.SIGALRM  # no interval timers or alarms either
import casebook
from casebook import Document, Layout, plain_text
from casebook.blocks import Paragraph, Text
assert plain_text((Paragraph((Text("words"),)),)) == "words\\n"
assert Document.__name__ == "Document" and Layout.__name__ == "Layout"
from casebook.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_the_library_and_check_work_without_fcntl(mini_project: Path) -> None:
    result = run_script(WITHOUT_POSIX, "check", cwd=mini_project)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        r"\d+ cases, \d+ insights, \d+ places, \d+ packs: no problems\n", result.stdout
    )


def test_importing_casebook_loads_nothing_else(tmp_path: Path) -> None:
    script = (
        "import sys, casebook; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'casebook'))"
    )
    result = run_script(script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "['casebook']\n"
