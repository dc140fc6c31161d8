"""strat's command line: thin Typer commands over the library modules.

Each module registers its commands on the one `app`; the order here is the order in `--help`.
The modules here do not use `from __future__ import annotations`: Typer would then `eval` every
parameter's annotation at each start-up (a third of what strat adds to `strat --help`).
"""

# The order of registration is the order of `strat --help`: the chair's commands first.
# isort: off
from . import interview  # noqa: F401  new, resume
from . import meeting  # noqa: F401  schema, agendas, show, list, import, edit
from . import documents  # noqa: F401  render, summary, templates
from . import mail  # noqa: F401  email
from . import oversight  # noqa: F401  check, authorise, amend, log, actions, due, reindex, ics
from . import report  # noqa: F401  report, icpc
from . import admin  # noqa: F401  admin init, migrate, add-user
from . import team  # noqa: F401  sync, store copy
from ._app import app

__all__ = ["app", "main"]

# isort: on


def main() -> None:
    app()
