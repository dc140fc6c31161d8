"""Record items: disagreements, what is shared with the family and each person with PR, review."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import questions
from ..agenda import Item
from ..model import (
    Disagreement,
    Informing,
)
from ..prompts import Choice
from ..timeutil import typed_form
from . import attendance
from .commands import Cancel

if TYPE_CHECKING:
    from .walk import Interview


def step_disagreements(iv: Interview, item: Item) -> None:
    if iv.agenda.rules.disagreements:
        iv.say(f"  This area: {iv.agenda.rules.disagreements}")
    while True:
        about = iv.answer(questions.ABOUT, required="", ending=" (Enter on its own if none)")
        if not about:
            return
        add_disagreement(iv, about)


def add_disagreement(iv: Interview, about: str) -> None:
    """Kept from what it is about on: each later answer saved before the next question."""
    m = iv.m
    dg = Disagreement(
        id=m.next_id("G", [d.id for d in m.disagreements]), raised_by="", about=about, at=iv.clock()
    )
    m.disagreements.append(dg)
    iv.log("disagreement recorded", dg.id)
    iv.save()
    pid = iv.pick(
        "Raised by", attendance.present_choices(iv, [("other", "Someone else (type a name)")])
    )
    p = m.participant(pid) if pid != "other" else None
    try:
        dg.raised_by = p.name if p else iv.answer(questions.RAISED_BY)
    except Cancel:  # /cancel drops the disagreement begun here, as if never recorded
        m.disagreements = [d for d in m.disagreements if d.id != dg.id]
        iv.log("disagreement removed", f"{dg.id} (/cancel)")
        iv.save()
        raise
    iv.save()
    dg.resolution = iv.answer(questions.RESOLUTION)
    iv.save()
    if iv.p.confirm("Escalated?", default=not dg.resolution):
        dg.escalated = True
        iv.save()
        dg.escalation = iv.answer(questions.ESCALATION, hint=iv.agenda.rules.disagreements[:80])
        iv.save()


def step_family(iv: Interview, item: Item) -> None:
    f = iv.m.family
    f.shared = iv.answer(questions.FAMILY_SHARED, default=f.shared)
    iv.save()
    f.withheld = iv.answer(questions.WITHHELD, default=f.withheld)
    iv.save()
    if questions.WITHHELD_REASON.wanted(iv.m, iv.agenda):  # the rulebook's family.withheld_reason
        f.withheld_reason = iv.answer(questions.WITHHELD_REASON, default=f.withheld_reason)
        iv.save()
    if any(a.parental_responsibility for a in iv.m.adults):
        # Each person with parental responsibility, absent parents included (Devon MASH):
        # told, to be told later, or not told, and why (the rulebook's parents.each).
        iv.say("  Each person with parental responsibility:")
        record_informing(iv)


def step_review(iv: Interview, item: Item) -> None:
    from ..deadlines import format_uk

    m = iv.m
    m.review_mechanism = iv.answer(questions.REVIEW, default=m.review_mechanism)
    iv.save()

    # Offered in a form its own check reads back; kept as it is when left unchanged (even
    # once that time has passed), so Enter never turns the saved answer into an error.
    saved = m.next_discussion
    offered = typed_form(saved) if saved else ""

    def check(text: str) -> str | None:
        if offered and text.strip() == offered:
            return None
        return questions.NEXT.problem(text, iv.given())

    typed = iv.ask(
        questions.NEXT.prompt(),
        default=offered,
        hint=f"e.g. 26/11 10:00 · 5 working days{f' · now {format_uk(saved)}' if saved else ''}",
        validate=check,
    )
    if typed != offered:
        m.next_discussion = questions.NEXT.read(typed, iv.given())
    iv.save()


def record_informing(iv: Interview) -> None:
    """Each adult with parental responsibility, absent parents included: told (when, by
    whom), to be told later (when, why) or not told (why) (the rulebook's parents.each)."""
    m = iv.m
    holders = [a for a in m.adults if a.parental_responsibility]
    if not holders:
        iv.say("  No adult with parental responsibility is recorded (add them at preparation).")
        return
    choices: list[Choice] = [(i.value, i.value) for i in Informing]
    for a in holders:
        a.informed = Informing(iv.pick(f"{a.name}: told?", choices, default=a.informed.value))
        iv.save()
        if a.informed in (Informing.told, Informing.later):
            a.informed_at = iv.answer(
                questions.INFORMED_AT,
                default=typed_form(a.informed_at) if a.informed_at else "",
            )
            iv.save()
            a.informed_by = iv.answer(questions.INFORMED_BY, default=a.informed_by)
            iv.save()
        if a.informed in (Informing.later, Informing.not_told):
            a.informed_reason = iv.answer(
                questions.INFORMED_WHY, who=a.name, default=a.informed_reason
            )
        iv.save()
