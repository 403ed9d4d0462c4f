"""The one error type every stage reports through: ``path:line: message``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ContentError", "Diagnostic", "folder_missing"]


@dataclass(frozen=True)
class Diagnostic:
    """A problem found in a file, at a 1-based line (0 when it concerns the whole file)."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        text = f"{self.path}:{self.line}: {prefix}{self.message}"
        # A lone surrogate quoted from a broken file cannot be printed; show it escaped.
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


class ContentError(Exception):
    """Raised by a stage when content or layouts are wrong; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        # By file and line; problems on one line keep the order they were found in.
        self.diagnostics = tuple(sorted(diagnostics, key=lambda d: (d.path, d.line)))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def folder_missing(root: Path, name: str) -> Diagnostic:
    """The error for the content or layouts folder (``name``) given as ``root`` when it is
    not a folder: missing, or a file."""
    if root.exists():
        why = f"is a file, not the {name} folder"
    else:
        why = (
            f"{name} folder does not exist (run Casebook in the project folder, or give "
            f"--{name} FOLDER)"
        )
    return Diagnostic(str(root), 0, why)
