"""Casebook: themed workshop packs from the EIF early childhood case examples."""

__version__ = "0.1.0"

__all__ = ["__version__"]
