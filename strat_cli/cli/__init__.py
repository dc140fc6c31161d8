"""strat's command line: thin Typer commands over the library modules.

Each module registers its commands on the one `app`; the order here is the order in `--help`.
The modules here do not use `from __future__ import annotations`: Typer would then `eval` every
parameter's annotation at each start-up (a third of what strat adds to `strat --help`).
"""

# The order of registration is the order of `strat --help`: the chair's commands first.
# isort: off
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    import typer


def main() -> None:
    import sys

    _for_this_run(sys.argv[1:])()


def _for_this_run(args: list[str]) -> "typer.Typer":
    """The app as this run needs it. Typer builds every command's Click object (its options,
    their types) at each start; one run uses one command, so only that one is built, and the
    list `strat --help` prints is built from each command's name and help alone. Anything
    unclear (an unknown command or option) gets the whole app, so its errors and suggestions
    are Typer's own."""
    import copy
    import inspect

    from typer.main import get_command_name
    from typer.models import OptionInfo

    commands = {
        info.name or get_command_name(info.callback.__name__): info
        for info in app.registered_commands
        if info.callback is not None
    }
    root = app.registered_callback.callback if app.registered_callback else None
    valued = {  # the root's options that take a value (`--store DIR`)
        decl
        for p in (inspect.signature(root).parameters.values() if root else ())
        if isinstance(p.default, OptionInfo) and p.annotation is not bool
        for decl in p.default.param_decls or ()
    }
    rest = args
    while rest and rest[0].split("=", 1)[0] in valued:
        if "=" not in rest[0] and len(rest) < 2:
            return app  # `strat --store` with no folder: Click says what is missing
        rest = rest[1:] if "=" in rest[0] else rest[2:]
    this_run = copy.copy(app)
    if not rest or rest[0] in (app.info.context_settings or {}).get(
        "help_option_names", ["--help"]
    ):
        listed = []
        for name, info in commands.items():
            entry = copy.copy(info)
            entry.name = name
            entry.help = inspect.getdoc(info.callback) if info.help is None else info.help
            entry.callback = _listed
            listed.append(entry)
        this_run.registered_commands = listed
        return this_run
    if rest[0] not in commands:
        return app
    this_run.registered_commands = [commands[rest[0]]]
    return this_run


def _listed() -> None:
    """Stands in for a command in `strat --help`'s list: never run (help exits first)."""
