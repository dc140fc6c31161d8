"""Manager oversight of a record: authorisation, amendments, and closing actions.

Every decision is authorised by a CSC manager; once authorised the record is locked, and
later facts go in as dated, attributed amendments, so what was authorised is never rewritten
(the store refuses any save that would). Each step is written to the audit trail.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING

from .check import Report
from .errors import InputError, Locked, NotFound, StratError
from .model import ActionStatus, Amendment, Authorisation, Meeting, Status, short_id
from .text import checked
from .timeutil import format_uk, format_uk_date

if TYPE_CHECKING:
    from .agenda import Agenda

ACTION_REF_HELP = "action references look like SD-2026-0001:A3"


def done_at(meeting: Meeting, at: datetime, now: datetime, what: str) -> datetime:
    """A time something was done outside strat (--at on authorise and email --sent): not in
    the future, and not before the meeting ended (or started, if it has no end yet)."""
    from .timeutil import before

    if before(now, at):
        raise InputError(
            f"--at {format_uk(at)} is in the future (now {format_uk(now)}): "
            f"give the time it was {what}"
        )
    floor = meeting.ended_at or meeting.started_at
    if before(at, floor):
        moment = "ended" if meeting.ended_at else "started"
        raise InputError(
            f"--at {format_uk(at)} is before {meeting.id} {moment} ({format_uk(floor)}): "
            f"it cannot have been {what} then"
        )
    return at


AT_FORMS = "e.g. '16:40', 'yesterday 16:40' or '27/11/2026 16:40' (BST or GMT may follow)"


def read_done_at(meeting: Meeting, text: str, now: datetime, what: str) -> datetime:
    """--at as typed, read (rules.parse_past) and checked (done_at); a time strat cannot read
    is refused without repeating it."""
    from .rules import parse_past

    try:
        at = parse_past(text, now, after=meeting.ended_at or meeting.started_at)
    except InputError:
        raise InputError(f"--at is not a time strat can read: {AT_FORMS}") from None
    return done_at(meeting, at, now, what)


def authorise(
    meeting: Meeting,
    report: Report,
    *,
    by: str,
    role: str,
    now: datetime,
    override: str = "",
    at: datetime | None = None,
) -> Authorisation:
    """Record the manager's authorisation; refused while the check finds errors, unless the
    manager overrides with a reason, which is kept with the authorisation and in the audit.
    `at`: when the manager authorised (by phone, say), if earlier than `now` (see done_at)."""
    if meeting.locked and meeting.authorisation is not None:
        a = meeting.authorisation
        raise Locked(
            f"{meeting.id} was already authorised by {a.by} ({a.role}) on "
            f"{format_uk(a.at)}; add to it with: strat amend {meeting.id}"
        )
    if not by.strip() or not role.strip():
        raise InputError("authorisation needs the manager's name and role (--by, --role)")
    by = checked("--by", by)
    role = checked("--role", role)
    override = checked("--override", override, one_line=False)
    errors = report.blocking
    if errors and not override.strip():
        first = "; ".join(f"{g.where}: {g.message}" for g in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise StratError(
            f"{meeting.id} has {len(errors)} error(s) in the quality check: {first}{more}. "
            f"Fix them (see: strat check {meeting.id}), or authorise anyway with "
            '--override "reason"'
        )
    given = done_at(meeting, at, now, "authorised") if at is not None else now
    auth = Authorisation(
        by=by.strip(), role=role.strip(), at=given, override_reason=override.strip()
    )
    meeting.authorisation = auth
    meeting.status = Status.authorised
    detail = f"as {auth.role}"
    if at is not None:
        detail += f", given {format_uk(given)} (recorded later)"
    if errors:
        codes = ", ".join(sorted({f"{g.code}@{g.where}" for g in errors}))
        detail += f"; override of {len(errors)} error(s) ({codes}): {auth.override_reason}"
    meeting.log("authorised", detail, who=auth.by, at=now)
    return auth


def amend(meeting: Meeting, *, by: str, text: str, now: datetime) -> Amendment:
    """Add a dated, attributed addendum to an authorised record; nothing else changes."""
    if not meeting.locked:
        raise InputError(
            f"{meeting.id} is not authorised yet: change the record itself "
            f"(strat resume {meeting.id}); amendments are for authorised records"
        )
    if not by.strip():
        raise InputError("an amendment needs the name of who makes it (--by)")
    if not text.strip():
        raise InputError("the amendment is empty: nothing was added")
    by = checked("--by", by)
    text = checked("the amendment", text, one_line=False)
    amendment = Amendment(at=now, by=by.strip(), text=text.strip())
    meeting.amendments.append(amendment)
    meeting.log("amended", f"amendment {len(meeting.amendments)}", who=amendment.by, at=now)
    return amendment


def split_action_ref(ref: str) -> tuple[str, str]:
    """'SD-2026-0001:A3' → ('SD-2026-0001', 'A3')."""
    meeting_id, sep, action_id = ref.strip().partition(":")
    action_id = action_id.strip().upper()
    if not sep or not meeting_id or not re.fullmatch(short_id("A"), action_id):
        raise InputError(f"not an action reference: {ACTION_REF_HELP}")  # typed: not repeated
    return meeting_id, action_id


def mark_done(
    meeting: Meeting, action_id: str, *, now: datetime, note: str = "", by: str = ""
) -> None:
    """Close an open action. Allowed on an authorised record: the follow-up of actions is not
    authorised content."""
    note = checked("--note", note, one_line=False)
    by = checked("--by", by)
    action = meeting.action(action_id)
    if action is None:
        raise NotFound(f"{meeting.id} has no action {action_id}")
    if action.status != ActionStatus.open:
        when = f" (since {format_uk(action.completed_at)})" if action.completed_at else ""
        raise InputError(  # never the completion note: it is record text
            f"{meeting.id}:{action_id} is {action.status.value}, not open{when}"
        )
    action.status = ActionStatus.done
    action.completed_at = now
    action.completion_note = note.strip()
    meeting.log(
        "action done",
        f"{action_id}" + (f": {action.completion_note}" if action.completion_note else ""),
        who=by,
        at=now,
    )


def record_icpc(meeting: Meeting, agenda: Agenda, held: date, *, who: str, now: datetime) -> str:
    """Record the day the conference was held; returns the rulebook's icpc.late finding (with
    the working days it took) when it was after the target.

    The conference follows an s47 enquiry, so a discussion that neither decided nor continued
    s47 has none, and a conference cannot precede the enquiry's start nor lie in the future.
    """
    from .deadlines import meeting_deadlines, s47_start_day, working_days_between
    from .model import LONDON

    dl = meeting_deadlines(meeting, agenda)
    if dl.icpc_target is None or dl.icpc_counted_from is None:
        raise InputError(
            f"{meeting.id} has no ICPC target (no s47 enquiry decided or under way); record the "
            "conference on the discussion that decided or continued s47"
        )
    start = s47_start_day(meeting)
    today = now.astimezone(LONDON).date()
    if held > today:
        raise InputError("--held: the conference date is in the future")
    if held < start:
        raise InputError(
            f"--held: the conference date is before the s47 enquiry started ({format_uk_date(start)})"
        )
    earlier = meeting.icpc_held_on
    meeting.icpc_held_on = held
    meeting.log(
        "conference recorded",
        f"ICPC held {held.isoformat()}" + (f" (was {earlier.isoformat()})" if earlier else ""),
        who=who,
        at=now,
    )
    from .rulebook import findings

    late = [g for g in findings(meeting, agenda, now=now, deadlines=dl) if g.code == "icpc.late"]
    if not late:
        return ""
    # counted as the target is (deadlines.icpc_clock_start), not from the s47 start
    clock = dl.icpc_counted_from.date()
    days = working_days_between(clock, held, agenda.timescales.nation)
    return (
        f"{late[0].message}: {days} working days after the discussion of "
        f"{format_uk_date(clock)} the target counts from, where the area allows "
        f"{agenda.timescales.icpc_within_working_days}"
    )
