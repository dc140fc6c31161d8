"""Find the shipped agendas and templates, installed (wheel) or from a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """`agendas` or `templates`: inside the wheel under _data/, else beside the package."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def migrations_dir() -> Path:
    """The team store's schema migrations (`NNNN_name.sql`), shipped inside the package."""
    return _PACKAGE / "sql"
