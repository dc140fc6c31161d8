"""Commands for a team store: `strat sync` (what this computer kept while the server could not
be reached) and `strat store copy` (moving every record to another store)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast

import typer

from ._app import JSON_OPT, app, console, print_json, state, warn

if TYPE_CHECKING:
    from ..settings import Settings
    from ..storeapi import CopyTarget


@contextmanager
def _bar(what: str, shown: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr (gone when done: what stays is the summary)."""
    if not shown:
        yield lambda done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(what, total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield step


@app.command()
def sync(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Send the team's server the answers this computer kept while the server could not be
    reached (the live meeting's offline journal).

    A meeting whose lease is still yours has nothing to merge and is pushed. One the server moved
    on from (taken over by someone else, or saved by someone else since) is refused: the
    server's copy stays on the server, this computer's is kept as a file whose path is printed,
    and the others still sync. Exit 3 when a copy was kept apart, 4 when the server cannot be
    reached (nothing is lost: run it again later).

    Example:  strat sync
    """
    from ..errors import Offline, Stale
    from ..journal import entries, journal_folder, sync_journal

    st = state(ctx)
    settings = st.settings
    if not entries(journal_folder(settings.store)):
        message = "Nothing to sync: every answer is on the server."
        if not settings.store_url:
            message = "Nothing to sync: this store is a folder, where every answer is saved."
        if as_json:
            print_json({"pushed": [], "kept_apart": [], "failed": []})
        else:
            typer.echo(message)
        return
    if not settings.store_url:
        from ..errors import InputError

        raise InputError(
            f"{journal_folder(settings.store)}: holds answers for a team server, but no server "
            "is set; set [store] url (or STRAT_STORE) and run strat sync again"
        )
    from ..stores import open_server

    try:
        with _bar("Syncing", not as_json) as step:
            results = sync_journal(open_server(settings), settings.store, step)
    except Offline as exc:
        raise Offline(
            f"{exc.message}; the answers stay on this computer: run strat sync again later"
        ) from None
    groups = {k: [r for r in results if r.outcome == k] for k in ("pushed", "kept apart", "failed")}
    if as_json:
        print_json(
            {
                "pushed": [r.meeting_id for r in groups["pushed"]],
                "kept_apart": [
                    {"id": r.meeting_id, "reason": r.message, "kept": r.kept}
                    for r in groups["kept apart"]
                ],
                "failed": [{"id": r.meeting_id, "reason": r.message} for r in groups["failed"]],
            }
        )
    else:
        for r in groups["pushed"]:
            typer.echo(f"{r.meeting_id}: {r.message}.")
        for r in groups["kept apart"] + groups["failed"]:
            warn(r.message)
        typer.echo(
            f"{len(groups['pushed'])} pushed, {len(groups['kept apart'])} kept apart, "
            f"{len(groups['failed'])} failed."
        )
    if groups["kept apart"]:
        raise typer.Exit(Stale.exit_code)
    if groups["failed"]:
        raise typer.Exit(1)


store_app = typer.Typer(
    name="store",
    help=(
        "Move a team's records between stores (a folder, a PostgreSQL server).\n\n"
        "Example:  strat store copy --to postgresql://db.council.example/strat"
    ),
    no_args_is_help=True,
)
app.add_typer(store_app)


def _destination(settings: "Settings", to: str) -> "CopyTarget":
    """The store named by --to, opened the one way every store is (stores.open_store)."""
    from dataclasses import replace
    from pathlib import Path

    from ..errors import InputError
    from ..stores import open_store

    if "://" in to:
        from ..settings import _server_url

        try:
            url = _server_url(to)
        except ValueError as exc:
            raise InputError(f"--to: {exc}") from None
        store = open_store(replace(settings, store_url=url))
    else:
        store = open_store(replace(settings, store=Path(to).expanduser().resolve(), store_url=""))
    return cast("CopyTarget", store)  # every store open_store makes is one


@store_app.command("copy")
def copy(
    ctx: typer.Context,
    to: str = typer.Option(
        ...,
        "--to",
        metavar="URL|FOLDER",
        help="The store to copy into: a PostgreSQL URL (no password in it) or a folder.",
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Copy every record of the current store (chosen by --store, STRAT_HOME or STRAT_STORE, as
    for every command) into another, each with its audit trail as it was.

    Safe to run again: a record already there and equal is skipped ("same"); a different record
    under the same reference is refused and named. Each copy is read back and compared by hash.
    Exit 1 when a record could not be copied.

    Examples:

    \b
      strat store copy --to postgresql://db.council.example/strat?sslmode=verify-full
      strat --store ~/strat-backup store copy --to ~/strat
    """
    from ..storecopy import copy_records

    st = state(ctx)
    source = st.store
    destination = _destination(st.settings, to)
    with _bar("Copying", not as_json) as step:
        result = copy_records(source, destination, step)
    if as_json:
        print_json(
            {
                "to": destination.where,
                "copied": result.copied,
                "same": result.same,
                "failed": result.failed,
            }
        )
    else:
        for line in result.failed:
            warn(line)
        typer.echo(result.summary(destination.where) + ".")
    if result.failed:
        raise typer.Exit(1)
