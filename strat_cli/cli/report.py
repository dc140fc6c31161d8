"""Commands for the partnership's picture: the report across discussions, and the conference
date it counts."""

from datetime import UTC, date, datetime
from pathlib import Path

import typer

from ._app import ID_ARG, JSON_OPT, app, console, print_json, state, warn


def _write(path: Path, data: bytes) -> None:
    """A report file: written whole or not at all, its folder made private if strat makes it."""
    from ..errors import StratError
    from ..files import private_folder
    from ..store import atomic_write, export_place

    export_place(path, folder=False, consequence="the report was not written")
    try:
        private_folder(path.parent)  # every level strat makes is 0700, not only the last
    except OSError as exc:
        raise StratError(f"{path.parent}: cannot create the folder ({exc.strerror})") from None
    atomic_write(path, data, export="the report was not written")


def _day(text: str, option: str) -> date:
    from ..errors import InputError
    from ..timeutil import read_day

    try:
        return read_day(text)
    except ValueError:
        raise InputError(f"{option}: not a date; use DD/MM/YYYY or YYYY-MM-DD") from None


@app.command()
def report(
    ctx: typer.Context,
    date_from: str = typer.Option(..., "--from", metavar="DATE", help="First day (DD/MM/YYYY)."),
    date_to: str = typer.Option(..., "--to", metavar="DATE", help="Last day (DD/MM/YYYY)."),
    agenda: str = typer.Option(None, "--agenda", help="Only discussions under this agenda id."),
    out: Path = typer.Option(None, "--out", help="Write the HTML report to this file."),
    csv_dir: Path = typer.Option(None, "--csv", metavar="DIR", help="Write each table as CSV."),
    suppress_small: int = typer.Option(
        0,
        "--suppress-small",
        metavar="N",
        min=0,
        max=100,
        help="Show counts below N as '<N', as published statistics do.",
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Figures across discussions for a manager or a partnership board; no one is named.

    Volume and outcomes by month, timeliness against the area's own timescales, ICPC timing as
    the national statistics count it, statutory partner attendance and escalations, actions
    by agency, the check's most frequent gaps and repeat discussions of a case. Every figure is
    a count with its denominator; drafts and unreadable records are left out and listed.

    Example:  strat report --from 01/04/2026 --to 30/06/2026 --out q1.html
    """
    from ..errors import InputError
    from ..model import LONDON
    from ..report import as_json as report_json
    from ..report import build_report, csv_files, store_sources

    first, last = _day(date_from, "--from"), _day(date_to, "--to")
    if last < first:
        raise InputError("--to is before --from")
    if out is None and csv_dir is None and not as_json:
        raise InputError("say where the report goes: --out FILE.html, --csv DIR or --json")
    from ..store import export_place

    for place, folder in ((out, False), (csv_dir, True)):  # said now, before records are read
        if place is not None:
            export_place(place, folder=folder, consequence="nothing was written")
    st = state(ctx)
    now = datetime.now(LONDON)
    total, sources = store_sources(
        st.store,
        st.index,
        date_from=first,
        date_to=last,
        agenda=agenda,
        now=now,
        agenda_dirs=st.settings.extra_agenda_dirs,
    )
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("Reading records"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console(stderr=True),
        transient=True,
        disable=total < 500,
    ) as progress:
        task = progress.add_task("read", total=total)
        result = build_report(
            sources,
            date_from=first,
            date_to=last,
            agenda=agenda,
            now=now,
            step=lambda: progress.advance(task),
        )
    result.suppress_below = suppress_small
    written: list[str] = []
    if out is not None:
        from ..report_page import page

        _write(out, page(result).encode("utf-8"))
        written.append(str(out))
    if csv_dir is not None:
        for name, text in csv_files(result).items():
            _write(csv_dir / name, text.encode("utf-8-sig"))  # Excel reads UTF-8 by BOM
        written.append(f"{csv_dir} ({len(result.tables)} CSV files)")
    if as_json:
        print_json(report_json(result))
    if result.left_out:
        warn(
            f"{len(result.left_out)} record(s) left out (drafts or unreadable); listed in the report"
        )
    for w in written:
        typer.echo(f"Report: {w}", err=as_json)


@app.command()
def icpc(
    ctx: typer.Context,
    meeting_id: str = ID_ARG,
    held: str = typer.Option(
        ..., "--held", metavar="DATE", help="The day the conference was held (DD/MM/YYYY)."
    ),
) -> None:
    """Record the day the Initial Child Protection Conference was held.

    `strat due` then stops counting down to it, and `strat report` counts its timing.
    Record it on the discussion whose ICPC target it meets (any discussion of the case that
    decided or continued s47). A conference held after the target is flagged by `strat check`.

    Example:  strat icpc SD-2026-0001 --held 21/12/2026
    """
    from ..oversight import record_icpc

    day = _day(held, "--held")
    st = state(ctx)
    with st.store.edit(meeting_id, allow_locked=True) as meeting:
        from ..agenda import get_agenda

        agenda = get_agenda(meeting.agenda, st.settings.extra_agenda_dirs)
        late = record_icpc(meeting, agenda, day, who=st.settings.actor, now=datetime.now(UTC))
        st.store.save(meeting)
    from ..timeutil import format_uk_date

    typer.echo(f"Recorded the conference for {meeting_id} on {format_uk_date(day)}.")
    if late:
        warn(late)
