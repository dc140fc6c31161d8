"""SMART actions: what, who and by when, with due times as a chair types them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .. import questions
from ..agenda import Item
from ..errors import InputError
from ..model import (
    Action,
)
from ..prompts import Choice
from ..rulebook import contingency_needed
from ..safetext import for_record
from ..timeutil import typed_form
from . import attendance

if TYPE_CHECKING:
    from .walk import Interview


def step_actions(iv: Interview, item: Item) -> None:
    m = iv.m
    iv.carry_on("action")  # one a stopped walk (or /skip) left part-given
    while True:
        iv.say(f"  {len(m.actions)} actions so far.")
        what = iv.answer(questions.WHAT, required="", ending=" (Enter on its own when done)")
        if not what:
            break
        add_action(iv, what)
    if contingency_needed(m, iv.agenda) and m.actions and not any(a.contingency for a in m.actions):
        iv.say("  Note: no contingency action yet (this area expects a contingency plan).")


def ask_due(
    iv: Interview, message: str = "", *, default: str = "", slot: int | None = None
) -> tuple[str, datetime]:
    """A due time typed naturally, resolved against the area's calendar and shown back.

    A day counted in calendar days ('tomorrow', 'Fri', '3 days', a date) that lands on a
    weekend or bank holiday is said so, with the next working day offered instead. For an
    action being given (`slot` in progress.pending) the time as typed is kept before it is
    shown back, so a kill at the confirmation loses nothing."""
    from ..deadlines import describe_due, format_uk, next_working_moment, non_working_day

    q = questions.DUE
    rule = default
    while True:
        rule = iv.ask(
            message or q.prompt(),
            default=rule,
            hint=q.help,
            validate=lambda text: q.problem(text, iv.given()),
            required=q.required,
        )
        now = iv.clock()
        try:
            candidate: datetime = q.read(rule, iv.given())
        except InputError as exc:
            iv.say(f"  {exc.message}")
            continue
        if slot is not None:
            iv.hold(slot, due_rule=rule)
        nation = iv.agenda.timescales.nation
        shut = non_working_day(rule, candidate, nation)
        if shut is not None:
            instead = next_working_moment(candidate, nation)
            choice = iv.pick(
                f"Due {describe_due(candidate, now)}: {shut}.",
                [
                    ("next", f"Use {format_uk(instead)} instead (next working day)"),
                    ("keep", f"Keep {format_uk(candidate)}"),
                    ("again", "Type the due time again"),
                ],
                default="next",
            )
            if choice == "next":
                return f"{rule} (moved to the next working day)", instead
            if choice == "keep":
                return rule, candidate
            continue
        if iv.p.confirm(f"Due {describe_due(candidate, now)}: right?", default=True):
            return rule, candidate


def add_action(iv: Interview, what: str, *, slot: int | None = None) -> Action:
    """Owner and due are required; the due rule is resolved and shown back before saving.

    Until the due time is confirmed the answers are kept in progress.pending (`slot`), each
    saved before the next question; a stopped walk's entry is carried on (`slot` given) with
    its answers offered again, so Enter keeps them."""
    m = iv.m
    if slot is None:
        slot = iv.begin("action", what=what)
    given = m.progress.pending[slot].model_copy()
    extra: list[Choice] = [("other", "Someone else (type a name)")]
    choices = attendance.present_choices(iv, extra)
    picked = given.owner_pick if given.owner_pick in [c for c, _ in choices] else None
    owner_id = iv.pick("Owner", choices, default=picked)
    p = m.participant(owner_id) if owner_id != "other" else None
    if p is not None:
        # a participant kept before the text checks may hold a control character: strat's copy
        # into the action is cleaned (safetext), never refused mid-call
        owner, agency = for_record(p.name, one_line=True), for_record(p.agency, one_line=True)
        iv.hold(slot, owner_pick=owner_id, owner=owner, agency=agency)
    else:
        typed = given.owner_pick == "other"
        iv.hold(slot, owner_pick="other")
        owner = iv.answer(questions.OWNER, default=given.owner if typed else "")
        iv.hold(slot, owner=owner)
        agency = iv.answer(questions.OWNER_AGENCY, who=owner, default=given.agency if typed else "")
        iv.hold(slot, agency=agency)

    rule, due = ask_due(iv, default=given.due_rule, slot=slot)
    action = Action(
        id=m.next_id("A", [a.id for a in m.actions]),
        what=what,
        owner=owner,
        owner_participant_id=p.id if p else None,
        agency=agency,
        due=due,
        due_rule=rule,
        created_at=iv.clock(),
    )
    m.actions.append(action)
    iv.settle(slot)  # the entry is the action now: one save holds it, never both or neither
    iv.log("action added", f"{action.id}: {owner}, due {typed_form(due)}")
    iv.save()
    if len(m.children) > 1:
        action.child_ids = iv.p.checkbox(
            "For which children? (Enter for the whole family)",
            [(c.id, f"{c.id} {c.name}") for c in m.children],
        )
        iv.save()
    action.contingency = iv.p.confirm("A contingency action (if the plan fails)?", default=False)
    iv.save()
    return action
