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
from ..timeutil import typed_form
from . import attendance

if TYPE_CHECKING:
    from .walk import Interview


def step_actions(iv: Interview, item: Item) -> None:
    m = iv.m
    while True:
        iv.say(f"  {len(m.actions)} actions so far.")
        what = iv.answer(questions.WHAT, required="", ending=" (Enter on its own when done)")
        if not what:
            break
        add_action(iv, what)
    if contingency_needed(m, iv.agenda) and m.actions and not any(a.contingency for a in m.actions):
        iv.say("  Note: no contingency action yet (this area expects a contingency plan).")


def ask_due(iv: Interview, message: str = "") -> tuple[str, datetime]:
    """A due time typed naturally, resolved against the area's calendar and shown back.

    A day counted in calendar days ('tomorrow', 'Fri', '3 days', a date) that lands on a
    weekend or bank holiday is said so, with the next working day offered instead."""
    from ..deadlines import describe_due, format_uk, next_working_moment, non_working_day

    q = questions.DUE

    def check(text: str) -> str | None:
        try:
            q.read(text, iv.given())
        except InputError as exc:
            return exc.message
        return None

    rule = ""
    while True:
        rule = iv.ask(
            message or q.prompt(),
            default=rule,
            hint=q.help,
            validate=check,
            required=q.required,
        )
        now = iv.clock()
        try:
            candidate: datetime = q.read(rule, iv.given())
        except InputError as exc:
            iv.say(f"  {exc.message}")
            continue
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


def add_action(iv: Interview, what: str) -> Action:
    """Owner and due are required; the due rule is resolved and shown back before saving."""
    m = iv.m
    extra: list[Choice] = [("other", "Someone else (type a name)")]
    owner_id = iv.pick("Owner", attendance.present_choices(iv, extra))
    p = m.participant(owner_id) if owner_id != "other" else None
    owner = p.name if p else iv.answer(questions.OWNER)
    agency = p.agency if p else iv.answer(questions.OWNER_AGENCY, who=owner)

    rule, due = ask_due(iv)
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
