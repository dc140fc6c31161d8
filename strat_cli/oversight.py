"""Manager oversight of a record: authorisation, amendments, and closing actions.

Every decision is authorised by a CSC manager; once authorised the record is locked, and
later facts go in as dated, attributed amendments, so what was authorised is never rewritten
(the store refuses any save that would). Each step is written to the audit trail.
"""

from __future__ import annotations

from datetime import datetime

from .check import Gap, Report
from .errors import InputError, Locked, NotFound, StratError
from .model import ActionStatus, Amendment, Authorisation, Meeting, Status

ACTION_REF_HELP = "action references look like SD-2026-0001:A3"


# Gaps in what follows the authorisation: procedures have the manager authorise the record and
# then circulate it (Pan-Lancashire 3.3), so these are reported but never block the sign-off.
AFTER_AUTHORISATION = ("circulation.",)


def blocking(report: Report) -> list[Gap]:
    """The check's errors that must be fixed (or overridden) before a manager authorises."""
    return [g for g in report.errors if not g.code.startswith(AFTER_AUTHORISATION)]


def authorise(
    meeting: Meeting,
    report: Report,
    *,
    by: str,
    role: str,
    now: datetime,
    override: str = "",
) -> Authorisation:
    """Record the manager's authorisation; refused while the check finds errors, unless the
    manager overrides with a reason, which is kept with the authorisation and in the audit."""
    if meeting.locked and meeting.authorisation is not None:
        a = meeting.authorisation
        raise Locked(
            f"{meeting.id} was already authorised by {a.by} ({a.role}) on "
            f"{a.at:%d/%m/%Y %H:%M}; add to it with: strat amend {meeting.id}"
        )
    if not by.strip() or not role.strip():
        raise InputError("authorisation needs the manager's name and role (--by, --role)")
    errors = blocking(report)
    if errors and not override.strip():
        first = "; ".join(f"{g.where}: {g.message}" for g in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise StratError(
            f"{meeting.id} has {len(errors)} error(s) in the quality check: {first}{more}. "
            f"Fix them (see: strat check {meeting.id}), or authorise anyway with "
            '--override "reason"'
        )
    auth = Authorisation(by=by.strip(), role=role.strip(), at=now, override_reason=override.strip())
    meeting.authorisation = auth
    meeting.status = Status.authorised
    detail = f"as {auth.role}"
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
    amendment = Amendment(at=now, by=by.strip(), text=text.strip())
    meeting.amendments.append(amendment)
    meeting.log("amended", f"amendment {len(meeting.amendments)}", who=amendment.by, at=now)
    return amendment


def split_action_ref(ref: str) -> tuple[str, str]:
    """'SD-2026-0001:A3' → ('SD-2026-0001', 'A3')."""
    meeting_id, sep, action_id = ref.strip().partition(":")
    if not sep or not meeting_id or not action_id:
        raise InputError(f"{ref!r} is not an action reference: {ACTION_REF_HELP}")
    return meeting_id, action_id.strip().upper()


def mark_done(
    meeting: Meeting, action_id: str, *, now: datetime, note: str = "", by: str = ""
) -> None:
    """Close an open action. Allowed on an authorised record: the follow-up of actions is not
    authorised content."""
    action = meeting.action(action_id)
    if action is None:
        raise NotFound(f"{meeting.id} has no action {action_id}")
    if action.status != ActionStatus.open:
        when = f" (since {action.completed_at:%d/%m/%Y %H:%M})" if action.completed_at else ""
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
