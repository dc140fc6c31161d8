"""strat's command line: thin Typer commands over the library modules.

Each module registers its commands on the one `app`; the order here is the order in `--help`.
"""

from __future__ import annotations

from . import documents, interview, mail, meeting, oversight  # noqa: F401  (register commands)
from ._app import app


def main() -> None:
    app()
