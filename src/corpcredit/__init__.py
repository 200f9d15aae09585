"""corpcredit: an open, auditable corporate credit registry (organisations only)."""

__version__ = "0.1.0"

__all__ = ["__version__"]
