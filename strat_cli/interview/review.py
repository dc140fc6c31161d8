"""A follow-up's review of the open actions of earlier discussions (see followup.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import timeutil
from ..errors import Busy, NotFound, StratError
from ..model import (
    ActionReview,
    ActionStatus,
    Meeting,
    ReviewOutcome,
)
from . import actions

if TYPE_CHECKING:
    from .walk import Interview


def review_earlier_actions(iv: Interview) -> None:
    """Each open action of the earlier discussions: done, carried (new due) or cancelled.

    Only actions not yet reviewed in this meeting are asked about, so a review cut short by
    Ctrl-C carries on at `strat resume`. Each review is saved in this meeting first (so a
    carried action is never lost), then in the earlier one. When that second write did not
    happen (a crash between the two, or the earlier record open in another strat process),
    the next pass completes it from what this meeting recorded, without asking again. An
    earlier discussion that cannot be read is named and left out: the meeting goes on.
    """
    from ..deadlines import format_uk
    from ..followup import open_actions, review_action

    earlier: dict[str, Meeting] = {}
    for ref in iv.m.previous:
        try:
            earlier[ref] = iv.store.load(ref)
        except StratError as exc:
            why = (
                "not found in this store"
                if isinstance(exc, NotFound)
                else f"cannot be read ({exc.message.splitlines()[0] if exc.message else exc})"
            )
            iv.say(f"  Earlier discussion {ref}: {why}; its actions are not reviewed here.")
    complete_recorded_reviews(iv, list(earlier.values()))
    reviewed = {r.ref for r in iv.m.reviewed_actions}
    pending = [o for o in open_actions(list(earlier.values())) if o.ref not in reviewed]
    if not pending:
        return
    iv.say(f"\nReview of earlier actions: {len(pending)} still open.")
    for n, o in enumerate(pending, start=1):
        a = o.action
        late = "  OVERDUE" if timeutil.before(a.due, iv.clock()) else ""
        iv.say(f"\n[{n}/{len(pending)}] {o.ref}: {a.what}")
        iv.say(
            f"  Owner: {a.owner}{' (' + a.agency + ')' if a.agency else ''}; due {format_uk(a.due)}{late}"
        )
        outcome = ReviewOutcome(
            iv.pick(
                "What happened to it?",
                [
                    (ReviewOutcome.done.value, "Done"),
                    (ReviewOutcome.carried.value, "Carry it forward with a new due time"),
                    (ReviewOutcome.cancelled.value, "Cancel it (say why)"),
                ],
            )
        )
        note, rule, new_due = "", "", None
        if outcome == ReviewOutcome.done:
            note = iv.ask("What was done? (optional)")
        elif outcome == ReviewOutcome.cancelled:
            note = iv.ask("Why is it cancelled?", required="A cancelled action needs its reason.")
        else:
            rule, new_due = actions.ask_due(iv, "New due time")
        review = review_action(  # on the copy read above; the earlier file is written below
            iv.m,
            earlier[o.meeting_id],
            a.id,
            outcome,
            iv.clock(),
            note=note,
            new_due=new_due,
            due_rule=rule,
            by=iv.actor,
        )
        iv.save()  # this meeting first: the review (and a carried action) is never lost
        update_earlier(iv, o.meeting_id, [review])


def complete_recorded_reviews(iv: Interview, earlier: list[Meeting]) -> None:
    """Reviews recorded here whose earlier action is still open: write the earlier side."""
    from ..followup import review_source

    for before in earlier:
        todo: list[ActionReview] = []
        for r in iv.m.reviewed_actions:
            source, action_id = review_source(r)
            old = before.action(action_id) if source == before.id else None
            if old is not None and old.status == ActionStatus.open:
                todo.append(r)
        if todo:
            refs = ", ".join(r.ref for r in todo)
            iv.say(f"  Completing in {before.id} the review already recorded here: {refs}")
            update_earlier(iv, before.id, todo)


def update_earlier(iv: Interview, meeting_id: str, reviews: list[ActionReview]) -> None:
    """Close the reviewed actions in the earlier record, under its lock.

    A busy or unwritable earlier record does not stop the meeting: the review is already
    saved here, and `complete_recorded_reviews` finishes the job on the next pass.
    """
    from ..followup import apply_review_to_earlier

    later = "its action will be updated when you resume or run the review again"
    try:
        # an authorised earlier record takes its actions' follow-up as any record does
        with iv.store.edit(meeting_id, allow_locked=True) as before:
            changed = [
                apply_review_to_earlier(before, iv.m.id, r, iv.clock(), by=iv.actor)
                for r in reviews
            ]
            if any(changed):
                iv.store.save(before)
    except Busy:
        iv.say(f"  {meeting_id}: open in another strat process; {later}.")
    except StratError as exc:
        first = exc.message.splitlines()[0] if exc.message else str(exc)
        iv.say(f"  {meeting_id}: cannot be updated now ({first}); {later}.")
