"""Commands: `strat new` and `strat resume`, the live meeting."""

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from . import _app
from ._app import EXIT_INTERRUPTED, ID_ARG, app, state, warn

if TYPE_CHECKING:
    from ..agenda import Agenda
    from ..interview import Interview
    from ..stores import RecordStore

NON_INTERACTIVE = "strat new --answers FILE --no-input (see examples/answers.yaml)"


def _need_terminal(what: str) -> None:
    """Interactive prompts need a terminal; say how to work without one instead of hanging."""
    from ..errors import NoTerminal

    if not (_app.stdin_is_terminal() and _app.stdout_is_terminal()):
        raise NoTerminal(
            f"{what} asks questions and needs a terminal (stdin is not one). "
            f"To build a meeting from a file, run: {NON_INTERACTIVE}"
        )


def _settle(store: "RecordStore") -> None:
    """On a server store, one last push of the journal (short timeout); what did not reach the
    server is named in one line, with the command that sends it later."""
    from ..journal import JournalledStore, answers

    if not isinstance(store, JournalledStore):
        return
    left = store.settle()
    store.close(wait=1.0)  # a push still on its way ends before the interpreter does
    if left:
        typer.echo(
            f"{answers(left)} not yet on the server are kept on this computer "
            f"({store.journal}); run strat sync when the server can be reached",
            err=True,
        )


def _run(interview: "Interview", *, prepare: bool = False) -> None:
    """Run the walk and report; Ctrl-C exits 130 with the exact command to continue."""
    from ..interview import resume_hint, run_interview

    meeting_id = interview.m.id
    try:
        try:
            result = run_interview(interview, prepare=prepare)
        finally:
            _settle(interview.store)
    except KeyboardInterrupt:
        typer.echo(
            f"\nPaused: everything answered is saved in {meeting_id}. "
            f"Continue with:\n  {resume_hint(meeting_id)}",
            err=True,
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if result == "paused":
        typer.echo(f"Saved as a draft. Continue with:\n  {resume_hint(meeting_id)}")
    else:
        typer.echo(f"Next: strat show {meeting_id}   ·   strat render {meeting_id}")


def _pick_agenda(
    agenda_id: str | None, extra: list[Path], ask: bool, where: str = "--agenda"
) -> "Agenda":
    """The agenda asked for; `where` names where its id came from in an error ('--agenda', or
    a file's `agenda` field)."""
    from ..agenda import get_agenda, load_agendas

    if agenda_id:  # NoSuchAgenda names `where`; a faulty agenda file is named as it is
        return get_agenda(agenda_id, extra, where=where)
    found = load_agendas(extra)
    if len(found) == 1 or not ask:
        return found.get("national") or next(iter(found.values()))

    choice = _app.terminal_prompts().select(
        "Which area's procedure (agenda)?",
        [(a.id, f"{a.name}  [{a.id}]") for a in found.values()],
        default="national" if "national" in found else None,
    )
    return found[choice]


@app.command()
def new(
    ctx: typer.Context,
    agenda_id: str | None = typer.Option(
        None, "--agenda", "-a", help="Agenda id (see `strat agendas`); asked if not given."
    ),
    prefill: Path | None = typer.Option(
        None, "--prefill", help="YAML/JSON file with the concern, children, adults and invitees."
    ),
    answers: Path | None = typer.Option(
        None, "--answers", help="YAML/JSON file with the whole meeting (see examples/answers.yaml)."
    ),
    no_input: bool = typer.Option(
        False, "--no-input", help="Never prompt: build the meeting from --answers only."
    ),
    follow_up: str | None = typer.Option(
        None,
        "--follow-up",
        metavar="ID",
        help="Start the next discussion of the case of ID: children, adults and invitees carry "
        "over, and its open actions are reviewed one by one.",
    ),
) -> None:
    """Start a strategy discussion and record it live; every answer is saved as you go.

    Walks the area's agenda: attendance first (missing statutory partners named), then each
    item. At any text prompt type /help for commands (/action, /decision, /who, /back, /skip,
    /goto N, /end…). Ctrl-C pauses; `strat resume ID` continues.

    Examples:

    \b
      strat new
      strat new --agenda national --prefill examples/prefill.yaml
      strat new --answers examples/answers.yaml --no-input
      strat new --follow-up SD-2026-0001
    """
    from datetime import datetime

    from ..errors import InputError
    from ..interview import Interview, new_meeting
    from ..model import LONDON

    st = state(ctx)
    settings = st.settings
    store = st.live_store
    if no_input and answers is None:
        raise InputError(f"--no-input needs --answers FILE: {NON_INTERACTIVE}")
    if answers is not None:
        from ..answers import build_meeting, load_file

        data = load_file(answers)
        where = "--agenda" if agenda_id else f"{answers}: agenda"
        agenda = _pick_agenda(
            agenda_id or _str(data.get("agenda")), settings.extra_agenda_dirs, False, where
        )
        notes: list[str] = []
        meeting = build_meeting(
            data, agenda, store, source=str(answers), user=settings.actor, warnings=notes
        )
        if no_input or meeting.ended_at is not None:
            _settle(store)
        typer.echo(f"Saved {meeting.id} ({meeting.status.value}) from {answers}.")
        for note in notes:
            warn(note)
        if meeting.ended_at is not None:
            from ..interview import deadlines_text

            typer.echo(deadlines_text(meeting, agenda))
        if no_input or meeting.ended_at is not None:
            return
        _need_terminal("strat new")
        with store.edit(meeting.id) as held:
            _run(
                Interview(
                    held,
                    agenda,
                    store,
                    _app.terminal_prompts(),
                    user=settings.user,
                    actor=settings.actor,
                )
            )
        return

    if follow_up is not None:
        _need_terminal("strat new --follow-up")
        _start_follow_up(
            store, settings.user, follow_up, settings.extra_agenda_dirs, actor=settings.actor
        )
        return

    prefill_data = None
    where = "--agenda"
    if prefill is not None:
        from ..answers import check_prefill, load_file

        prefill_data = load_file(prefill)
        if not agenda_id:
            agenda_id, where = _str(prefill_data.get("agenda")), f"{prefill}: agenda"
        check_prefill(prefill_data, str(prefill))
    _need_terminal("strat new")
    agenda = _pick_agenda(agenda_id, settings.extra_agenda_dirs, True, where)

    prompts = _app.terminal_prompts()
    now = datetime.now(LONDON)
    meeting = new_meeting(store, agenda, user=settings.user, now=now)
    with store.hold(meeting.id):
        if prefill_data is not None:
            from ..answers import apply_prefill

            apply_prefill(prefill_data, meeting, source=str(prefill), agenda=agenda)
            store.save(meeting)
        typer.echo(
            f"New strategy discussion {meeting.id} ({agenda.name}). Saved after every answer."
        )
        interview = Interview(
            meeting, agenda, store, prompts, user=settings.user, actor=settings.actor
        )
        _run(interview, prepare=prefill_data is None)


def _start_follow_up(
    store: "RecordStore", user: str, earlier_id: str, extra: list[Path], *, actor: str
) -> None:
    """The next discussion of a case: carried over from the last one, then the usual walk."""
    from datetime import datetime

    from ..agenda import get_agenda
    from ..followup import start_follow_up
    from ..interview import Interview
    from ..model import LONDON

    earlier = store.load(earlier_id)
    agenda = get_agenda(earlier.agenda, extra)
    now = datetime.now(LONDON)
    meeting = start_follow_up(earlier, store.new_id(now.year), now, by=actor)
    store.create(meeting)
    with store.hold(meeting.id):
        typer.echo(
            f"Follow-up discussion {meeting.id} to {earlier_id} ({agenda.name}). "
            "Children, adults and invitees carried over; saved after every answer."
        )
        _run(Interview(meeting, agenda, store, _app.terminal_prompts(), user=user, actor=actor))


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@app.command()
def resume(
    ctx: typer.Context,
    meeting_id: str = ID_ARG,
    take_over: bool = typer.Option(
        False,
        "--take-over",
        help="On a team server: take the meeting over from a holder who stopped renewing its "
        "lease (a closed laptop); the take-over is audited. On a folder store it changes "
        "nothing (a dead process's lock frees itself).",
    ),
) -> None:
    """Continue a meeting where it stopped: after Ctrl-C, a closed terminal, a crash or kill -9.

    On a team server, answers this computer kept while the server could not be reached are
    pushed first.

    Examples:

    \b
      strat resume SD-2026-0003
      strat resume SD-2026-0003 --take-over
    """
    from ..agenda import get_agenda
    from ..interview import Interview
    from ..model import Status

    st = state(ctx)
    settings = st.settings
    store = st.live_store
    _need_terminal("strat resume")
    with store.edit(meeting_id, take_over=take_over) as meeting:
        agenda = get_agenda(meeting.agenda, settings.extra_agenda_dirs)
        prompts = _app.terminal_prompts()
        if meeting.status == Status.ended:
            ended = meeting.ended_at.strftime("%H:%M %d/%m/%Y") if meeting.ended_at else "?"
            if not prompts.confirm(
                f"{meeting_id} ended at {ended}. Reopen it to add to the record?", default=False
            ):
                return
            # ended_at stays: a Ctrl-C straight after reopening must not lose when it ended, and
            # the closing screen offers it again as the end time.
            meeting.status = Status.draft
            meeting.log("reopened", f"ended at {ended}", who=settings.actor)
        where = meeting.progress.current or "the start"
        meeting.log("resumed", f"at {where}", who=settings.actor)
        store.save(meeting)
        typer.echo(f"Resuming {meeting_id} ({agenda.name}) at {where}.")
        _run(Interview(meeting, agenda, store, prompts, user=settings.user, actor=settings.actor))
