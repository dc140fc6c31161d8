"""Commands: email (circulate the record to every participant, as a draft or over SMTP)."""

from datetime import datetime
from pathlib import Path

import typer

from ..resources import DOC_CHOICES
from ._app import ID_ARG, State, app, console, state, warn


@app.command()
def email(
    ctx: typer.Context,
    meeting_id: str = ID_ARG,
    doc: list[str] = typer.Option(
        ["all"],
        "--doc",
        help=f"Document to attach: {DOC_CHOICES} (repeatable).",
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder for the documents and the .eml draft (default: documents.out, else here).",
        show_default=False,
    ),
    send: bool = typer.Option(
        False, "--send", help="Send through the SMTP server in the settings."
    ),
    retry: bool = typer.Option(
        False,
        "--retry",
        help="Send only to those who have not yet received the current documents (implies --send).",
    ),
    again: bool = typer.Option(
        False, "--again", help="With --send: send to everyone, even those who already have it."
    ),
    sent: bool = typer.Option(
        False,
        "--sent",
        help="Record that you sent the last draft from Outlook, so the record shows it went out.",
    ),
    at: str = typer.Option(
        None,
        "--at",
        help="With --sent: when you sent it, e.g. '16:40' or 'yesterday 16:40' (default: now).",
    ),
    unsettled: str = typer.Option(
        "",
        "--unsettled",
        help=(
            "After a send that was cut off (its outcome unknown): 'delivered' records that "
            "they have it; 'resend' sends it to them again (implies --retry)."
        ),
        show_default=False,
        metavar="delivered|resend",
    ),
    only: list[str] = typer.Option(
        [],
        "--only",
        help="Only this participant id or address (repeatable), e.g. --only P3.",
        show_default=False,
    ),
) -> None:
    """Email the documents to every participant, and record who received them.

    Without --send, saves an .eml draft that Outlook opens as a new message ready to send.
    The subject holds the reference, never a child's name. The password comes from the
    environment variable named in [smtp] password_env, or a hidden prompt.

    A draft counts as circulated only once you say you sent it: strat email ID --sent.

    Each send is recorded before it starts. If it is cut off (a kill, a full disk, a server
    that stops answering), a retry does not send it again to those who may have it: it names
    them, and --unsettled delivered or --unsettled resend says what happened.

    Example:  strat email SD-2026-0001 --send
    """
    import os

    from ..mail import circulate, record_draft_sent, resolve_password

    st = state(ctx)
    settings = st.settings
    if sent:
        if send or retry or again:
            raise typer.BadParameter("--sent records a draft you sent yourself; leave out --send")
        if unsettled:
            raise typer.BadParameter("--sent and --unsettled are separate steps; run one")
        entry = record_draft_sent(
            st.store,
            meeting_id,
            by=settings.actor,
            at=_sent_at(st, meeting_id, at),
            agenda_dirs=settings.extra_agenda_dirs,
        )
        from ..timeutil import format_uk

        console().print(
            f"Recorded: the draft went to {len(entry.delivered)} recipient(s) "
            f"on {format_uk(entry.at)}."
        )
        return
    if at is not None:
        raise typer.BadParameter("--at goes with --sent: the time you sent the draft yourself")
    if again and retry:
        raise typer.BadParameter("--again and --retry contradict each other")
    send_now = send or retry or bool(unsettled)
    out_dir = out or settings.out_dir or Path.cwd()

    from . import _app

    interactive = _app.stdin_is_terminal()

    def password() -> str | None:
        return resolve_password(
            settings.smtp, os.environ, prompt=_app.ask_password if interactive else None
        )

    result = circulate(
        st.store,
        meeting_id,
        settings,
        docs=doc,
        out_dir=out_dir,
        send_now=send_now,
        again=again,
        only=only or None,
        unsettled=unsettled,
        password=password,
        warn=warn,
    )
    rec = result.recipients
    from rich.markup import escape  # addresses and file names are the user's text

    con = console()
    if result.rerendered:
        con.print(
            f"Rendered (new or changed since the last render): {', '.join(result.rerendered)}"
        )
    for name in result.documents:
        con.print(f"Attached: {escape(name)}")
    con.print(f"Draft saved: {escape(str(result.draft))}")
    if not send_now:
        con.print("Open it in Outlook (or your mail program), check it and press Send.")
        if not rec.all:
            warn("no participant has an email address; add them in the draft")
        return
    if result.skipped:
        con.print(f"Already had these documents: {escape(', '.join(result.skipped))}")
    if not result.delivered:
        if result.possibly:
            con.print("Nobody sent to: the rest may already have it (see the warning above).")
        else:
            con.print(
                "Nobody left to send to: everyone has the current documents (--again resends)."
            )
        return
    con.print(f"Sent to {len(result.delivered)}: {escape(', '.join(result.delivered))}")


def _sent_at(st: State, meeting_id: str, at: str | None) -> datetime | None:
    """--at of `email --sent`, checked as authorise's is (oversight.done_at)."""
    if at is None:
        return None
    from ..model import LONDON
    from ..oversight import read_done_at

    return read_done_at(st.store.load(meeting_id), at, datetime.now(LONDON), "sent")
