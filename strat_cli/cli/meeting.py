"""Commands about the record itself: schema, agendas, show, list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ._app import app, console, print_json, state, warn


@app.command()
def schema() -> None:
    """Print the JSON Schema of a meeting file.

    Example:  strat schema > meeting.schema.json
    """
    from ..model import json_schema

    print_json(json_schema())


@app.command()
def agendas(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List the agendas (local procedures) strat knows, shipped and configured.

    Example:  strat agendas --json
    """
    from ..agenda import load_agendas

    found = load_agendas(state(ctx).settings.extra_agenda_dirs)
    if as_json:
        print_json(
            [
                {
                    "id": a.id,
                    "name": a.name,
                    "items": len(a.items),
                    "nation": a.timescales.nation,
                    "statutory_partners": [p.value for p in a.statutory_partners],
                    "path": str(a.path),
                }
                for a in found.values()
            ]
        )
        return
    from rich.table import Table

    table = Table(title="Agendas", title_justify="left")
    for col in ("id", "name", "items", "nation", "ICPC", "file"):
        table.add_column(col)
    for a in found.values():
        t = a.timescales
        table.add_row(
            a.id,
            a.name,
            str(len(a.items)),
            t.nation,
            f"{t.icpc_within_working_days} wd from {t.icpc_from}",
            str(a.path),
        )
    console().print(table)


@app.command()
def show(
    ctx: typer.Context,
    meeting_id: str = typer.Argument(
        ..., metavar="ID", help="Meeting reference, e.g. SD-2026-0001."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the stored record as JSON."),
) -> None:
    """Show a meeting record readably: attendance, decisions, actions, deadlines.

    Example:  strat show SD-2026-0001
    """
    st = state(ctx)
    meeting = st.store.load(meeting_id)
    if as_json:
        print_json(meeting.model_dump(mode="json"))
        return
    from ..screen import show_meeting

    show_meeting(console(), meeting, st.settings)


@app.command("list")
def list_meetings(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List the meetings in the store, newest first.

    Example:  strat list --json
    """
    st = state(ctx)
    store = st.store
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    for m in store.iter_meetings(on_error=lambda e: problems.append(e.message)):
        rows.append(
            {
                "id": m.id,
                "agenda": m.agenda,
                "started_at": m.started_at.isoformat(),
                "status": m.status.value,
                "type": m.type.value,
                "children": len(m.children),
                "outcomes": sorted({d.outcome.value for d in m.decisions}),
                "open_actions": sum(1 for a in m.actions if a.status.value == "open"),
            }
        )
    rows.sort(key=lambda r: r["started_at"], reverse=True)
    for p in problems:
        warn(p)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console().print(f"No meetings in {store.meetings}. Start one with: strat new")
        return
    from rich.table import Table

    table = Table(title=f"Meetings in {store.root}", title_justify="left")
    for col in ("reference", "agenda", "started", "status", "children", "outcomes", "open actions"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["id"],
            r["agenda"],
            r["started_at"][:16].replace("T", " "),
            r["status"],
            str(r["children"]),
            ", ".join(r["outcomes"]) or "-",
            str(r["open_actions"]),
        )
    console().print(table)


@app.command("import")
def import_meeting(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., exists=False, help="A meeting JSON file (e.g. from examples/)."
    ),
    new_id: bool = typer.Option(False, "--new-id", help="Give it the next free reference."),
) -> None:
    """Copy a meeting file into the store after checking it, e.g. an example or a colleague's.

    Example:  strat import examples/typical.json
    """
    from datetime import datetime

    from ..errors import NotFound
    from ..model import LONDON
    from ..store import parse_meeting

    if not file.is_file():
        raise NotFound(f"{file}: no such file")
    meeting = parse_meeting(file.read_bytes(), file)
    store = state(ctx).store
    if new_id:
        meeting.id = store.new_id(datetime.now(LONDON).year)
    meeting.log("imported", f"from {file.name}", who=state(ctx).settings.user)
    store.create(meeting)
    typer.echo(f"Imported {meeting.id} into {store.meetings}")
