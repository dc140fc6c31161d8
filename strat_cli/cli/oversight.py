"""Commands for oversight: the quality check, authorisation and amendments, the audit trail,
and the register across meetings (actions, deadlines, calendar, index)."""

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ._app import ID_ARG, JSON_OPT, add_columns, app, console, print_json, state, warn


def esc(text: str) -> str:
    """Record text shown literally: '[red]' typed by a chair is not rich markup."""
    from rich.markup import escape

    return escape(text)


if TYPE_CHECKING:
    from ..agenda import Agenda
    from ..check import Report
    from ..model import Meeting
    from ._app import State


def _now() -> datetime:
    from ..index import LONDON

    return datetime.now(LONDON)


def _agenda(st: "State", meeting: "Meeting") -> "Agenda":
    from ..agenda import get_agenda

    return get_agenda(meeting.agenda, st.settings.extra_agenda_dirs)


def _report(st: "State", meeting: "Meeting") -> "Report":
    from ..check import check_meeting

    return check_meeting(meeting, _agenda(st, meeting), now=_now())


def _who(st: "State", given: str | None, what: str) -> str:
    """Who did it: as given, else the configured name; on a team server always the login's
    name (the server writes that whatever is given)."""
    who = (st.settings.actor if st.settings.store_url else (given or st.settings.user)).strip()
    if not who:
        from ..errors import InputError

        raise InputError(f"say who {what}: --by NAME (or set [user] name in the config)")
    return who


def _problems(problems: list[str]) -> None:
    for p in problems:
        warn(p)


# --- check, authorise, amend, log --------------------------------------------------------------


@app.command()
def check(ctx: typer.Context, meeting_id: str = ID_ARG, as_json: bool = JSON_OPT) -> None:
    """Check a record against its area's procedure and list every gap, with where it is.

    Exit 1 when there are errors, 0 when there are only warnings (or nothing).

    Example:  strat check SD-2026-0001 --json
    """
    st = state(ctx)
    report = _report(st, st.store.load(meeting_id))
    if as_json:
        print_json(report.as_dict())
    else:
        _print_report(report)
    if report.errors:
        raise typer.Exit(1)


def _print_report(report: "Report") -> None:
    con = console()
    if not report.gaps:
        con.print(f"{report.meeting_id}: no gaps found against the {report.agenda_id} procedure.")
        return
    from rich.table import Table

    table = Table(
        title=f"{report.meeting_id} against the {report.agenda_id} procedure", title_justify="left"
    )
    add_columns(table, [("severity", True), ("where", False), ("code", True), ("gap", False)])
    for g in report.gaps:
        sev = "[red]error[/red]" if g.severity == "error" else "[yellow]warning[/yellow]"
        table.add_row(sev, esc(g.where), g.code, esc(g.message))
    con.print(table)
    con.print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s).")


@app.command()
def authorise(
    ctx: typer.Context,
    meeting_id: str = ID_ARG,
    by: str = typer.Option(None, "--by", help="The authorising manager's name."),
    role: str = typer.Option(..., "--role", help="Their role, e.g. 'Team Manager'."),
    override: str = typer.Option(
        "", "--override", help="Authorise despite errors in the check; the reason is recorded."
    ),
    at: str = typer.Option(
        None,
        "--at",
        help="When the manager authorised, if earlier (by phone): '16:40', 'yesterday 16:40', "
        "'27/11 16:40'. Not before the meeting ended, not in the future.",
    ),
) -> None:
    """Record the manager's authorisation; the record is then locked (amend it, never edit).

    Refused while `strat check` finds errors, unless --override "reason".

    Example:  strat authorise SD-2026-0001 --by "Ruth Ellery" --role "Service Manager"
    """
    from ..oversight import authorise as do_authorise
    from ..oversight import read_done_at

    st = state(ctx)
    who = _who(st, by, "authorises")
    with st.store.edit(meeting_id) as meeting:
        report = _report(st, meeting)
        now = _now()
        given = read_done_at(meeting, at, now, "authorised") if at is not None else None
        auth = do_authorise(
            meeting, report, by=who, role=role, now=now, override=override, at=given
        )
        st.store.save(meeting)
    overridden = report.blocking
    for g in report.gaps:
        if g not in overridden:
            warn(f"{g.where}: {g.message}")
    note = f" overriding {len(overridden)} error(s)" if overridden else ""
    typer.echo(f"Authorised {meeting_id} by {auth.by} ({auth.role}){note}; the record is locked.")


@app.command()
def amend(
    ctx: typer.Context,
    meeting_id: str = ID_ARG,
    by: str = typer.Option(None, "--by", help="Who adds the amendment."),
    text: str = typer.Option(
        None, "--text", help="The amendment; read from standard input when not given."
    ),
) -> None:
    """Add a dated, attributed amendment to an authorised record; what was authorised stays.

    Example:  strat amend SD-2026-0001 --by "Dana Okafor" --text "Medical moved to 11:00."
    """
    from ..oversight import amend as do_amend

    st = state(ctx)
    who = _who(st, by, "amends")
    if text is None:
        from . import _app

        if _app.stdin_is_terminal():
            text = _app.terminal_prompts().text("Amendment (one paragraph)")
        else:
            text = sys.stdin.read()
    with st.store.edit(meeting_id, allow_locked=True) as meeting:
        amendment = do_amend(meeting, by=who, text=text, now=_now())
        st.store.save(meeting)
    from ..timeutil import format_uk

    typer.echo(
        f"Amendment {len(meeting.amendments)} added to {meeting_id} by {amendment.by} "
        f"on {format_uk(amendment.at)}."
    )


@app.command()
def log(ctx: typer.Context, meeting_id: str = ID_ARG, as_json: bool = JSON_OPT) -> None:
    """Show the audit trail of a record: every event, when, and who.

    Example:  strat log SD-2026-0001
    """
    meeting = state(ctx).store.load(meeting_id)
    events = [
        {"at": e.at.isoformat(), "who": e.who, "event": e.event, "detail": e.detail}
        for e in sorted(meeting.audit, key=lambda e: e.at)
    ]
    if as_json:
        print_json(events)
        return
    from rich.table import Table

    from ..deadlines import format_uk

    table = Table(title=f"Audit trail of {meeting_id}", title_justify="left")
    for col in ("when", "who", "event", "detail"):
        table.add_column(col, overflow="fold")
    for e in sorted(meeting.audit, key=lambda e: e.at):
        table.add_row(format_uk(e.at), esc(e.who or "-"), esc(e.event), esc(e.detail or ""))
    console().print(table)
    for n, a in enumerate(meeting.amendments, start=1):
        console().print(f"Amendment {n}, {format_uk(a.at)}, {esc(a.by)}: {esc(a.text)}")


# --- the register --------------------------------------------------------------------------


actions_app = typer.Typer(
    name="actions",
    help=(
        "Open actions across all meetings, soonest due first.\n\n"
        "Example:  strat actions --overdue    strat actions done SD-2026-0001:A3"
    ),
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(actions_app)


@actions_app.callback()
def actions(
    ctx: typer.Context,
    overdue: bool = typer.Option(False, "--overdue", help="Only actions past their due time."),
    due_within: int = typer.Option(
        None,
        "--due-within",
        min=0,
        max=2600,
        metavar="N",
        help="Only actions due within N working days, the whole Nth day included (and overdue ones).",
    ),
    owner: str = typer.Option(None, "--owner", help="Owner's name contains this."),
    agency: str = typer.Option(None, "--agency", help="Agency contains this."),
    limit: int = typer.Option(
        None, "--limit", min=0, help="At most N actions (table default 100; 0 for all)."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Open actions across all meetings, soonest due first.

    Example:  strat actions --due-within 2 --agency police
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..register import ActionFilter, action_texts, open_actions, rows_json

    st = state(ctx)
    now = _now()
    rows, problems = open_actions(
        st.index,
        ActionFilter(
            overdue=overdue,
            due_within=due_within,
            owner=owner,
            agency=agency,
            limit=limit if as_json else None,
            texts=as_json,  # the table reads them for the rows it prints only, below
        ),
        now,
    )
    _problems(problems)
    if as_json:
        sys.stdout.write(rows_json(rows))
        return
    if not rows:
        console().print("No open actions match.")
        return
    from rich.table import Table

    shown = rows[: (100 if limit is None else limit) or None]
    action_texts(st.index, shown)  # the index holds no names or action text: from the files
    table = Table(title=f"Open actions ({len(rows)})", title_justify="left")
    add_columns(
        table,
        [("action", True), ("what", False), ("owner", False), ("agency", False), ("due", True)],
    )
    for r in shown:
        due = _short(r["due"])
        if r["overdue"]:
            due = f"[red]{due} overdue[/red]"
        what = (r["what"] or "-") + (" [contingency]" if r["contingency"] else "")
        table.add_row(
            esc(r["ref"]), esc(what), esc(r["owner"] or "-"), esc(r["agency"] or "-"), due
        )
    console().print(table)
    if len(shown) < len(rows):
        console().print(f"Showing {len(shown)} of {len(rows)}; --limit 0 shows all.")


def _short(iso: str | None) -> str:
    if not iso:
        return "-"
    from ..deadlines import format_uk

    return format_uk(datetime.fromisoformat(iso))


@actions_app.command("done")
def actions_done(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="ACTION-ID", help="e.g. SD-2026-0001:A3"),
    note: str = typer.Option("", "--note", help="What was done."),
    by: str = typer.Option(None, "--by", help="Who records it (default: the configured user)."),
) -> None:
    """Mark an action done (also on an authorised record: follow-up is not authorised content).

    Example:  strat actions done SD-2026-0001:A3 --note "ABE interview held"
    """
    from ..oversight import mark_done, split_action_ref

    st = state(ctx)
    meeting_id, action_id = split_action_ref(ref)
    with st.store.edit(meeting_id, allow_locked=True) as meeting:
        mark_done(meeting, action_id, now=_now(), note=note, by=(by or st.settings.actor))
        st.store.save(meeting)
    typer.echo(f"{meeting_id}:{action_id} marked done.")


@app.command()
def due(
    ctx: typer.Context,
    within: int = typer.Option(
        1,
        "--within",
        min=0,
        max=2600,
        metavar="N",
        help="Near means due within N working days, the whole Nth working day included.",
    ),
    lookback: int = typer.Option(
        28,
        "--lookback",
        min=0,
        max=3650,
        metavar="DAYS",
        help="Show missed deadlines of the last DAYS.",
    ),
    limit: int = typer.Option(
        None, "--limit", min=0, help="At most N deadlines (table default 100; 0 for all)."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Meetings whose summary, minutes, circulation or ICPC deadlines are near or missed.

    Example:  strat due --within 2 --json
    """
    from ..register import due_meetings

    st = state(ctx)
    rows, problems = due_meetings(st.index, _now(), within, lookback)
    _problems(problems)
    if as_json:
        print_json(rows[:limit] if limit else rows)
        return
    if not rows:
        console().print("No deadlines near or missed.")
        return
    from rich.table import Table

    table = Table(title="Deadlines near or missed", title_justify="left")
    add_columns(
        table,
        [("meeting", True), ("deadline", False), ("due", True), ("state", True), ("status", True)],
    )
    colour = {
        "missed": "red",
        "passed": "red",
        "circulated late": "red",
        "met late": "red",
        "near": "yellow",
    }
    shown = rows[: (100 if limit is None else limit) or None]
    for r in shown:
        c = colour.get(r["state"], "")
        table.add_row(
            r["id"], r["deadline"], r["due_text"], f"[{c}]{r['state']}[/{c}]", r["status"]
        )
    console().print(table)
    if len(shown) < len(rows):
        console().print(f"Showing {len(shown)} of {len(rows)}; --limit 0 shows all.")


@app.command()
def reindex(ctx: typer.Context) -> None:
    """Rebuild the register's index from the meeting files (they stay the source of truth).

    Example:  strat reindex
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    st = state(ctx)
    index = st.index
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console(stderr=True),
        transient=True,  # gone when done: what stays is the result, or the one error line
    ) as bar:
        reading = bar.add_task("Reading files", total=None)
        dating = bar.add_task("Deadlines", total=None, visible=False)

        def read_step(done: int, total: int) -> None:
            bar.update(reading, completed=done, total=total)

        def date_step(done: int, total: int) -> None:
            bar.update(dating, completed=done, total=total, visible=True)

        result = index.rebuild(read_step)
        problems = index.complete(progress=date_step)
    _problems(result.problems + problems)
    typer.echo(f"Indexed {result.updated - len(result.problems)} meeting(s) in {index.path}.")


@app.command()
def ics(
    ctx: typer.Context,
    meeting_id: str = ID_ARG,
    out: Path = typer.Option(
        None, "--out", help="File to write (default: print to standard output)."
    ),
    all_actions: bool = typer.Option(False, "--all", help="Include done and cancelled actions."),
) -> None:
    """Export a meeting's open actions and ICPC target date as a calendar (.ics) file.

    Example:  strat ics SD-2026-0001 --out SD-2026-0001.ics
    """
    from ..calendar_export import meeting_calendar
    from ..deadlines import case_icpc, meeting_deadlines
    from ..followup import readable
    from ..register import later_discussions

    st = state(ctx)
    meeting = st.store.load(meeting_id)
    agenda = _agenda(st, meeting)
    later = readable(later_discussions(st.index, meeting_id), st.store.load)
    data = meeting_calendar(
        meeting,
        meeting_deadlines(meeting, agenda),
        now=_now(),
        include_closed=all_actions,
        icpc=case_icpc(meeting, agenda, later),
    )
    where = "standard output" if out is None else out.name
    if out is not None:  # a folder that is missing or not writable: one line, and no audit entry
        from ..store import export_place, writable_folder

        export_place(out, folder=False, consequence="nothing was exported")
        writable_folder(out.parent, "nothing was exported")
    st.store.record_export(meeting_id, f"calendar (.ics) to {where}", who=st.settings.actor)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    from ..store import atomic_write

    atomic_write(out, data, export="the calendar was not written")
    typer.echo(f"Wrote {out}")
