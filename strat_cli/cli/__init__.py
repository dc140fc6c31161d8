"""strat's command line: thin Typer commands over the library modules."""

from __future__ import annotations

from . import meeting  # noqa: F401  (registers commands)
from ._app import app


def main() -> None:
    app()
