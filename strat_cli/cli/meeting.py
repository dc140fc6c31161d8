"""Commands about the record itself: schema, agendas, show, list."""

import contextlib
import sys
from pathlib import Path

import typer

from ._app import ID_ARG, JSON_OPT, add_columns, app, console, print_json, state, warn


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
    as_json: bool = JSON_OPT,
) -> None:
    """List the agendas (local procedures) strat knows, shipped and configured.

    Example:  strat agendas --json
    """
    from ..agenda import load_agendas
    from ..rulebook import rules_for

    found = load_agendas(state(ctx).settings.extra_agenda_dirs)
    for agenda in found.values():
        rules_for(agenda)  # an override naming no rule is an error, naming the file
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
    add_columns(
        table,
        [
            ("id", True),
            ("name", False),
            ("items", True),
            ("nation", True),
            ("ICPC", False),
            ("file", False),
        ],
    )
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
    console(markup=False).print(table)  # names and paths come from council files


@app.command()
def show(
    ctx: typer.Context,
    meeting_id: str = ID_ARG,
    as_json: bool = typer.Option(False, "--json", help="Print the stored record as JSON."),
) -> None:
    """Show a meeting record readably: attendance, decisions, actions, deadlines.

    Example:  strat show SD-2026-0001
    """
    st = state(ctx)
    if as_json:  # the whole record leaves strat: that is an export, and is audited
        meeting = st.store.record_export(meeting_id, "record as JSON", who=st.settings.actor)
        print_json(meeting.model_dump(mode="json"))
        return
    meeting = st.store.load(meeting_id)
    from ..followup import readable
    from ..register import later_discussions
    from ..screen import show_meeting

    later = later_discussions(st.index, meeting_id)
    show_meeting(
        console(markup=False, page=True),
        meeting,
        st.settings,
        later=later,
        later_records=readable(later, st.store.load),
    )


@app.command("list")
def list_meetings(
    ctx: typer.Context,
    status: str = typer.Option(None, "--status", help="draft, ended or authorised."),
    agenda: str = typer.Option(None, "--agenda", help="Agenda (area) id, e.g. national."),
    date_from: str = typer.Option(None, "--from", help="Held on or after this date."),
    date_to: str = typer.Option(None, "--to", help="Held on or before this date."),
    outcome: str = typer.Option(
        None, "--outcome", help="An outcome decided for any child: s47, s17, nfa, early-help…"
    ),
    child: str = typer.Option(
        None, "--child", metavar="REF", help="A child's case reference (or C-id)."
    ),
    limit: int = typer.Option(
        None, "--limit", min=0, help="At most N meetings (table default 100; 0 for all)."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """List the meetings in the store, newest first, from the register's index.

    Children are shown by reference only, never by name.

    Example:  strat list --status ended --from 2026-11-01 --outcome s47 --json
    """
    # Answered from the SQLite index without loading the model: keep this path light.
    from ..errors import InputError
    from ..index import local_date
    from ..outcomes import SHORT
    from ..register import STATUSES, MeetingFilter, count_meetings, rows_json
    from ..register import list_meetings as query

    if status and status not in STATUSES:
        raise InputError(f"--status {status!r}: use one of {', '.join(STATUSES)}")
    st = state(ctx)
    index = st.index
    filtered = any((status, agenda, date_from, date_to, outcome, child))
    table_limit = (100 if limit is None else limit) or None
    rows, problems = query(
        index,
        MeetingFilter(
            status=status,
            agenda=agenda,
            date_from=local_date(date_from) if date_from else None,
            date_to=local_date(date_to) if date_to else None,
            outcome=outcome,
            child=child,
            # Unfiltered, the table needs only its rows and a count: not 20,000 dicts.
            limit=limit if as_json else (table_limit if not filtered else None),
        ),
    )
    for p in problems:
        warn(p)
    if as_json:
        sys.stdout.write(rows_json(rows))
        return
    if not rows:
        console(markup=False).print(
            "No meetings match."
            if filtered
            else f"No meetings in {index.meetings}. Start one with: strat new"
        )
        return
    from rich.markup import escape
    from rich.table import Table

    shown = rows[:table_limit]
    total = len(rows) if filtered or table_limit is None else count_meetings(index)
    table = Table(title=f"Meetings in {escape(str(index.meetings))}", title_justify="left")
    add_columns(
        table,
        [
            ("reference", True),
            ("agenda", True),
            ("started", True),
            ("status", True),
            ("children", False),
            ("outcomes", False),
            ("open actions", False),
        ],
    )
    for r in shown:
        table.add_row(
            *(
                escape(str(v))  # shown literally: a '[' in a hand-edited file is not markup
                for v in (
                    r["id"],
                    r["agenda"],
                    (r["started_at"] or "")[:16].replace("T", " "),
                    r["status"],
                    ", ".join(r["child_refs"]) or "-",
                    ", ".join(SHORT.get(o, o) for o in r["outcomes"]) or "-",
                    r["open_actions"],
                )
            )
        )
    console().print(table)
    if len(shown) < total:
        console().print(f"Showing {len(shown)} of {total}; --limit 0 shows all.")


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

    from ..model import LONDON
    from ..store import parse_meeting
    from ..yamlfile import read_outside

    meeting = parse_meeting(read_outside(file), file, stored=False)
    store = state(ctx).store
    if new_id:
        meeting.id = store.new_id(datetime.now(LONDON).year)
    meeting.log("imported", "from a file", who=state(ctx).settings.actor)  # names can be case names
    from ..errors import StratError

    try:
        store.create(meeting)
    except StratError as exc:
        if new_id or not store.exists(meeting.id):
            raise
        raise StratError(
            f"{exc.message}; to import it under the next free reference: "
            f"strat import {file} --new-id"
        ) from None
    typer.echo(f"Imported {meeting.id} into {store.where}")


@app.command()
def edit(
    ctx: typer.Context,
    meeting_id: str = ID_ARG,
) -> None:
    """Tidy a record after the meeting in your editor: typos, fuller notes, an email address.

    The record opens as YAML in $VISUAL or $EDITOR (Notepad on Windows). It is checked like
    every save before it replaces the saved one, and the audit trail names the fields changed.
    An authorised record cannot be edited: add to it with strat amend.

    Example:  strat edit SD-2026-0001
    """
    from ..editing import from_text, to_text
    from ..errors import NoTerminal, StratError
    from ..prompts import edit_in_editor
    from . import _app

    if not _app.stdin_is_terminal():
        raise NoTerminal(
            "strat edit opens your editor and needs a terminal; "
            f"without one, see the record with: strat show {meeting_id} --json"
        )
    st = state(ctx)
    with st.store.edit(meeting_id) as meeting:
        text = to_text(meeting)
        copies = st.settings.store / "tmp"  # private, like the record; never the shared /tmp
        for left in copies.glob(f".{meeting_id}.edit.*.yaml"):  # a copy a SIGKILL left behind
            with contextlib.suppress(OSError):
                left.unlink()
        while True:
            edited_text = edit_in_editor(
                text, suffix=".yaml", folder=copies, prefix=f".{meeting_id}.edit."
            )
            if edited_text.strip() == text.strip():
                typer.echo(f"No change: {meeting_id} is as it was.")
                return
            try:
                edited, changed = from_text(edited_text, meeting, source=f"{meeting_id} (edited)")
            except StratError as exc:
                ask = _app.terminal_prompts()
                ask.say(f"Not saved: {exc.message}")
                if ask.confirm("Open the editor again to put it right?", default=True):
                    text = edited_text
                    continue
                raise type(exc)(
                    f"{exc.message}; nothing saved, {meeting_id} is as it was"
                ) from None
            break
        if not changed:
            typer.echo(f"No change: {meeting_id} is as it was.")
            return
        edited.log("edited", ", ".join(changed), who=st.settings.actor)
        st.store.save(edited)
    typer.echo(f"Saved {meeting_id}; changed: {', '.join(changed)}.")
