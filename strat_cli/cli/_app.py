"""The Typer app, its global options and the one place user errors become exit codes.

Command modules import `app` from here and register on it. Library modules never import typer.
Heavy libraries (pydantic models, docx, questionary, rich) are imported inside commands so that
`strat --help` stays fast.
"""

import functools
import sys
import traceback
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from rich.console import Console

    from ..index import Index
    from ..prompts import TerminalPrompts
    from ..settings import Settings
    from ..stores import RecordStore

EXIT_INTERRUPTED = 130


class StratGroup(TyperGroup):
    """Turns every StratError into `Error: …` on stderr and its exit code; nothing else does."""

    def invoke(self, ctx: Any) -> Any:
        from ..errors import StratError

        try:
            return super().invoke(ctx)
        except StratError as exc:
            echo(f"Error: {exc.message}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("\nInterrupted.", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except EOFError:  # the input closed while a question waited: nothing more was saved
            typer.echo("Error: the input ended before the question was answered", err=True)
            raise typer.Exit(1) from None
        except BrokenPipeError:  # `strat list | head`: the reader left; nothing is wrong
            import os

            # quiet, and exit 1, as Click does when the pipe breaks at the final flush
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug: keep the traceback for us, one line for the user
            if getattr(exc, "exit_code", None) is not None and type(exc).__module__.startswith(
                ("click", "typer")
            ):
                raise
            log = _crash_log(ctx)
            typer.echo(
                f"Error: strat hit an internal problem ({type(exc).__name__}); nothing saved was "
                f"lost. Details for support: {log}",
                err=True,
            )
            raise typer.Exit(70) from None


def _crash_log(ctx: Any) -> str:
    """The traceback may quote record text: a new file only this user can read (0600, created
    exclusively, so a planted file or link in the shared temp folder is never written through)."""
    import tempfile

    try:
        fd, name = tempfile.mkstemp(
            prefix=f"strat-crash-{datetime.now():%Y%m%d-%H%M%S}-", suffix=".log"
        )
        with open(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(traceback.format_exc())
    except OSError:
        return "(could not write a crash log)"
    return name


app = typer.Typer(
    cls=StratGroup,
    name="strat",
    help=(
        "Record child-safeguarding strategy discussions live, and produce the Decision Sheet, "
        "minutes and action summary.\n\n"
        "Start a meeting:  strat new        Continue one:  strat resume SD-2026-0001"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# Declared once: every command that takes a meeting, or prints a listing, says it the same way.
ID_ARG = typer.Argument(..., metavar="ID", help="Meeting reference, e.g. SD-2026-0001.")
JSON_OPT = typer.Option(False, "--json", help="Machine-readable output.")


class State:
    """What one run reads once: the settings and the store, when a command first asks. A plain
    class: a dataclass's generated code would cost `strat --help` a third of a millisecond."""

    def __init__(self, store_override: Path | None = None) -> None:
        self.store_override = store_override
        self._settings: Settings | None = None
        self._store: RecordStore | None = None
        self._actor: str | None = None

    @property
    def settings(self) -> "Settings":
        if self._settings is None:
            from ..settings import load_settings

            self._settings = load_settings(self.store_override)
            if self._settings.store_url:  # the audit names who logged in to the server
                from dataclasses import replace

                self._settings = replace(self._settings, server_actor=self._server_actor)
            from .. import cache  # bank holidays need not be recomputed by every command

            cache.use(self._settings.store / "cache")
            from ..settings import store_permission_warning  # once per command

            if message := store_permission_warning(self._settings.store):
                warn(message)
        return self._settings

    def _server_actor(self) -> str:
        """The server's name for this login, asked once. Offline, the configured name stands in
        (the server names the entries itself when they reach it)."""
        from ..errors import Offline
        from ..settings import login_name

        if self._actor is None:
            try:
                self._actor = str(getattr(self.store, "actor", "")) or login_name()
            except Offline:
                self._actor = (self._settings.user if self._settings else "") or login_name()
        return self._actor

    @property
    def store(self) -> "RecordStore":
        if self._store is None:
            from ..stores import open_store

            self._store = open_store(self.settings)
        return self._store

    @property
    def live_store(self) -> "RecordStore":
        """The live meeting's store: on a server, behind this person's offline journal. Asked
        first by `new` and `resume`, it is then also their `store`."""
        if self._store is None:
            from ..stores import open_live_store

            self._store = open_live_store(self.settings)
        return self._store

    @property
    def index(self) -> "Index":
        """The register over the store; answers listings without loading records."""
        from ..stores import open_register

        index: Index = open_register(self.settings)
        return index


@app.callback()
def _root(
    ctx: typer.Context,
    store: Path | None = typer.Option(
        None,
        "--store",
        help="Store folder (default: $STRAT_HOME, else your data folder).",
        show_default=False,
    ),
) -> None:
    ctx.obj = State(store_override=store)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):  # called without the root callback (tests)
        obj = State()
        ctx.find_root().obj = obj
    return obj


# Through a pipe (`strat list | grep SD-2026`), a table row is one whole line: no terminal
# width to fit, so no wrapping at rich's default of 80 columns. COLUMNS, when set, still rules.
PIPE_WIDTH = 10_000


# A record shown through a pipe (`strat show ID > notes.txt`) is boxes that fill the width: a
# page's width, not a listing's (its lines would be padded to 10,000 characters).
PAGE_WIDTH = 100


def console(stderr: bool = False, *, markup: bool = True, page: bool = False) -> "Console":
    """markup=False wherever record text is printed, so `[red]` or `[/]` typed by a user
    shows as typed instead of styling or crashing the output. page=True for a record's boxes.
    Every console made here shows a record's control characters as a placeholder
    (`_screen_console`), so no command can print one raw."""
    import os

    screen_console = _screen_console()
    con = screen_console(stderr=stderr, highlight=False, soft_wrap=False, markup=markup)
    if not con.is_terminal and not os.environ.get("COLUMNS"):
        width = PAGE_WIDTH if page else PIPE_WIDTH
        con = screen_console(
            stderr=stderr, highlight=False, soft_wrap=False, markup=markup, width=width
        )
    return con


@functools.cache
def _screen_console() -> "type[Console]":
    """A rich Console that never sends a record's control characters to the terminal (an ESC
    could clear the screen or hide a link; a bidi override reverses text): text is cleaned
    before it is laid out (`render_str` for strings, `render` for Text), and every segment on
    its way out, so a renderable built any other way is caught too. rich's own control
    segments (cursor moves, styles) are left alone. Built on first use: rich loads slowly."""
    from collections.abc import Iterable

    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.segment import Segment
    from rich.text import Text

    from ..safetext import UNSAFE, for_screen, same_length_for_screen

    class ScreenConsole(Console):
        def render_str(self, text: str, **kwargs: Any) -> Text:
            return super().render_str(for_screen(text), **kwargs)

        def render(
            self, renderable: RenderableType, options: ConsoleOptions | None = None
        ) -> Iterable[Segment]:
            if isinstance(renderable, Text) and UNSAFE.search(renderable.plain):
                renderable = renderable.copy()  # the caller's Text is left as it was
                renderable.plain = same_length_for_screen(renderable.plain)  # styles still fit
            for segment in super().render(renderable, options):
                if segment.control or not UNSAFE.search(segment.text):
                    yield segment
                else:
                    yield Segment(for_screen(segment.text), segment.style)

    return ScreenConsole


def add_columns(table: Any, columns: "list[tuple[str, bool]]") -> None:
    """Columns of a listing; `True` marks references, dates and codes, which never wrap or break
    mid-word (`SD-2026-0\n001` is not a reference anyone can copy). Text columns give way."""
    for name, code in columns:
        if code:
            table.add_column(name, no_wrap=True, min_width=len(name))
        else:
            table.add_column(name, overflow="fold")


def stdin_is_terminal() -> bool:
    """One place to ask, so tests can stand in for a person at a terminal."""
    return sys.stdin.isatty()


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def terminal_prompts() -> "TerminalPrompts":
    """The one seam for every question asked at the terminal (questionary), so tests stand in
    here and a Ctrl-C raised in any prompt is handled the same way."""
    from ..prompts import TerminalPrompts

    return TerminalPrompts()


def ask_password(label: str) -> str:
    """A hidden answer (the SMTP password), through the same seam as every other question."""
    return terminal_prompts().password(label)


def echo(text: str, *, err: bool = False) -> None:
    """A line of plain output that may quote a record or a file: its control characters are
    shown as a placeholder, as every console does (`_screen_console`)."""
    from ..safetext import for_screen

    typer.echo(for_screen(text), err=err)


def warn(message: str) -> None:
    echo(f"Warning: {message}", err=True)


def print_json(data: Any) -> None:
    import json

    from ..safetext import for_json

    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write(for_json(text) + "\n")
