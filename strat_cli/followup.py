"""Follow-up discussions: the next discussion of the same case starts from what is known.

Children, adults and participants carry over (participants as invitees, attendance unmarked);
open actions from every earlier discussion in the chain are reviewed one by one: done, carried
with a new due time, or cancelled with a reason. The ICPC clock keeps the discussion that first
started s47 while the enquiry is under way (deadlines.s47_start_carried), so an area counting
from the *initiating* discussion never loses it, and an enquiry ended by NFA starts afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .errors import InputError
from .model import (
    STORED,
    Action,
    ActionReview,
    ActionStatus,
    Attendance,
    Meeting,
    MeetingType,
    Progress,
    ReviewOutcome,
)
from .timeutil import before


def readable(ids: list[str], load: Callable[[str], Meeting]) -> list[Meeting]:
    """The discussions of `ids` that can be read, in order: one damaged or missing record
    does not stop `show` or `ics` of another (the damaged one is reported by `strat list`)."""
    from .errors import StratError

    out = []
    for meeting_id in ids:
        try:
            out.append(load(meeting_id))
        except StratError:
            continue
    return out


def start_follow_up(earlier: Meeting, new_id: str, now: datetime, by: str = "") -> Meeting:
    """A new draft discussion of the same case, carrying over who and what is already known."""
    children = [c.model_copy(update={"voice": ""}, deep=True) for c in earlier.children]
    participants = [
        p.model_copy(
            update={
                "attendance": Attendance.invited,
                "apology_reason": "",
                "joined_at": None,
                "left_at": None,
                "contributed": False,
            },
            deep=True,
        )
        for p in earlier.participants
    ]
    from .deadlines import s47_start_carried

    meeting = Meeting(
        id=new_id,
        agenda=earlier.agenda,
        type=MeetingType.follow_up,
        format=earlier.format,
        started_at=now,
        concern_identified_at=earlier.concern_identified_at,
        reason=f"Follow-up to {earlier.id}",
        referrer=earlier.referrer,
        chair=earlier.chair,
        chair_role=earlier.chair_role,
        minute_taker=earlier.minute_taker,
        previous=[*earlier.previous, earlier.id],
        children=children,
        adults=[a.model_copy(deep=True) for a in earlier.adults],
        participants=participants,
        s47_started_at=s47_start_carried(earlier),
        progress=Progress(),
    )
    meeting.log("created", f"follow-up to {earlier.id}", who=by or earlier.chair, at=now)
    return meeting


@dataclass(frozen=True)
class OpenAction:
    """An action still open in an earlier discussion, named across meetings."""

    meeting_id: str
    action: Action

    @property
    def ref(self) -> str:
        return f"{self.meeting_id}:{self.action.id}"


def open_actions(earlier: list[Meeting]) -> list[OpenAction]:
    """Open actions of the earlier discussions, soonest due first."""
    found = [
        OpenAction(m.id, a) for m in earlier for a in m.actions if a.status == ActionStatus.open
    ]
    return sorted(found, key=lambda o: o.action.due)


def review_action(
    meeting: Meeting,
    earlier: Meeting,
    action_id: str,
    outcome: ReviewOutcome,
    now: datetime,
    *,
    note: str = "",
    new_due: datetime | None = None,
    due_rule: str = "",
    by: str = "",
) -> ActionReview:
    """Record the review of one earlier action in both meetings.

    The earlier meeting only gets its action's follow-up fields changed (allowed even once it is
    authorised); the new meeting records the review and, when carried, the new action.
    """
    old = earlier.action(action_id)
    if old is None:
        raise InputError(f"{earlier.id} has no action {action_id}")
    ref = f"{earlier.id}:{old.id}"
    if any(r.ref == ref for r in meeting.reviewed_actions):
        raise InputError(f"{ref} was already reviewed at {meeting.id}")
    if old.status != ActionStatus.open:
        raise InputError(f"{ref} is not open: it is {old.status.value}")
    new_action_id = None
    if outcome == ReviewOutcome.cancelled and not note.strip():
        raise InputError(f"{ref}: a cancelled action needs the reason it was cancelled")
    if outcome == ReviewOutcome.carried:
        if new_due is None:
            raise InputError(f"{ref}: a carried action needs a new due date and time")
        if not before(now, new_due):
            raise InputError(f"{ref}: the new due time must be in the future")
        new_action_id = meeting.next_id("A", [a.id for a in meeting.actions])
        meeting.actions.append(
            old.model_copy(
                update={
                    "id": new_action_id,
                    "due": new_due,
                    "due_rule": due_rule,
                    "status": ActionStatus.open,
                    "completed_at": None,
                    "completion_note": "",
                    "created_at": now,
                    "carried_from": ref,
                },
                deep=True,
            )
        )
    # what and owner are the earlier record's text, and its action's id what that record kept
    # (perhaps before today's checks): read as a kept record is, never refused here
    review = ActionReview.model_validate(
        {
            "ref": ref,
            "what": old.what,
            "owner": old.owner,
            "outcome": outcome,
            "note": note,
            "new_action_id": new_action_id,
            "at": now,
        },
        context=STORED,
    )
    meeting.reviewed_actions.append(review)
    who = by or meeting.chair
    meeting.log("action reviewed", f"{ref} {outcome.value}", who=who, at=now)
    apply_review_to_earlier(earlier, meeting.id, review, now, by=who)
    return review


def review_source(review: ActionReview) -> tuple[str, str]:
    """The earlier meeting and action a recorded review is about: 'SD-2026-0001:A2'."""
    meeting_id, _, action_id = review.ref.rpartition(":")
    return meeting_id, action_id


def apply_review_to_earlier(
    earlier: Meeting, meeting_id: str, review: ActionReview, now: datetime, *, by: str = ""
) -> bool:
    """The earlier side of a review recorded in meeting `meeting_id`: close the earlier action.

    Idempotent: an action no longer open (or not in `earlier`) is left alone and False is
    returned, so a review recorded in the new meeting but never written to the earlier one (a
    crash between the two saves, or the earlier record busy) can be completed later without
    asking again. The action is dated by the review, the audit entry by `now`.
    """
    source, action_id = review_source(review)
    old = earlier.action(action_id) if source == earlier.id else None
    if old is None or old.status != ActionStatus.open:
        return False
    if review.outcome == ReviewOutcome.carried:
        old.status = ActionStatus.carried
        old.completion_note = f"Carried to {meeting_id}:{review.new_action_id}"
    elif review.outcome == ReviewOutcome.done:
        old.status = ActionStatus.done
        old.completed_at = review.at or now
        old.completion_note = review.note or f"Confirmed done at {meeting_id}"
    else:
        old.status = ActionStatus.cancelled
        old.completed_at = review.at or now
        old.completion_note = review.note
    detail = f"{review.ref} {review.outcome.value} at {meeting_id}"
    earlier.log("action reviewed", detail, who=by or earlier.chair, at=now)
    return True
