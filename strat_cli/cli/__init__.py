"""strat's command line: thin Typer commands over the library modules.

Each module registers its commands on the one `app`; the order here is the order in `--help`.
The modules here do not use `from __future__ import annotations`: Typer would then `eval` every
parameter's annotation at each start-up (a third of what strat adds to `strat --help`).
"""

from . import documents, interview, mail, meeting, oversight  # noqa: F401  (register commands)
from ._app import app


def main() -> None:
    app()
