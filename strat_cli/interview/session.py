"""Starting and running a live meeting: a new record, the resume hint, and the run that saves on Ctrl-C."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..agenda import Agenda
from ..errors import StratError
from ..model import Meeting
from ..settings import login_name
from . import preparation

if TYPE_CHECKING:
    from ..stores import RecordStore
    from .walk import Interview


# --- sessions -----------------------------------------------------------------------------


def new_meeting(store: RecordStore, agenda: Agenda, *, user: str, now: datetime) -> Meeting:
    """A fresh draft with the next free reference, saved at once (the file holds no name)."""
    meeting = Meeting(
        id=store.new_id(now.year), agenda=agenda.id, started_at=now, chair=user, created_at=now
    )
    meeting.log("created", f"agenda {agenda.id}", who=user or login_name(), at=now)
    store.create(meeting)
    return meeting


def resume_hint(meeting_id: str) -> str:
    return f"strat resume {meeting_id}"


class InputClosed(StratError):
    """Input ended (EOF) in the middle of the interview: everything is saved."""

    exit_code = 2


def run_interview(interview: Interview, *, prepare: bool = False) -> str:
    """Run the walk; closed input becomes a clear message, Ctrl-C propagates after saving."""
    try:
        if prepare:
            interview.preparing = True
            try:
                preparation.prepare(interview)
            finally:
                interview.preparing = False
            if not interview.p.confirm("Start the discussion now (mark attendance)?", default=True):
                return "paused"
        return interview.run()
    except EOFError:
        interview.save()
        raise InputClosed(
            f"input closed; everything so far is saved. Continue in a terminal with: "
            f"{resume_hint(interview.m.id)}"
        ) from None
