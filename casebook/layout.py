"""Layouts: the brand (``brand.yaml``) and the files each renderer reads from ``layouts/``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Brand", "Layout", "load_layout"]


@dataclass(frozen=True)
class Brand:
    """How a pack looks: who publishes it, colours, logo, fonts, paper."""

    name: str  # organisation name shown on the cover and in document properties
    colours: tuple[tuple[str, str], ...]  # (role, "#rrggbb"): primary, accent, text, muted...
    logo: str  # path of an SVG, relative to the brand's folder
    fonts: tuple[tuple[str, str], ...]  # (role, family): body, headings
    paper: str  # "A4" or "Letter"
    margins_mm: tuple[float, float, float, float]  # top, right, bottom, left
    path: str  # the brand.yaml this came from

    def colour(self, role: str) -> str:
        """The colour for ``role`` (e.g. "primary")."""
        return dict(self.colours)[role]

    def font(self, role: str) -> str:
        """The font family for ``role`` (e.g. "body")."""
        return dict(self.fonts)[role]


@dataclass(frozen=True)
class Layout:
    """A layouts folder and the brand chosen in it."""

    root: Path  # the layouts/ folder
    brand: Brand
    brand_dir: Path  # the folder holding brand.yaml (layouts/ itself, or layouts/brands/NAME)

    def logo_path(self) -> Path:
        """The brand's logo file."""
        return self.brand_dir / self.brand.logo

    def pdf_inputs(self) -> tuple[Path, ...]:
        """Every file a PDF render reads, for fingerprints."""
        files = sorted((self.root / "pdf").rglob("*")) + sorted((self.root / "fonts").rglob("*"))
        return (Path(self.brand.path), self.logo_path(), *(f for f in files if f.is_file()))

    def docx_inputs(self) -> tuple[Path, ...]:
        """Every file a Word render reads, for fingerprints."""
        files = sorted((self.root / "docx").rglob("*"))
        return (Path(self.brand.path), self.logo_path(), *(f for f in files if f.is_file()))


def load_layout(root: Path, brand: str | None = None) -> Layout:
    """Load ``root``/brand.yaml, or the brand named ``brand`` (a folder under
    ``root``/brands, or a path to a brand folder or brand.yaml). Raises ContentError."""
    raise NotImplementedError
