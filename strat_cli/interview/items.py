"""Record items: disagreements, what is shared with the family and each person with PR, review."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..agenda import Item
from ..errors import InputError
from ..model import (
    Disagreement,
    Informing,
)
from ..prompts import Choice
from ..rules import (
    parse_clock,
)
from ..timeutil import typed_form
from .commands import LATER

if TYPE_CHECKING:
    from .walk import Interview


def step_disagreements(iv: Interview, item: Item) -> None:
    if iv.agenda.rules.disagreements:
        iv.say(f"  This area: {iv.agenda.rules.disagreements}")
    while True:
        about = iv.ask("A disagreement: what is it about? (Enter on its own if none)")
        if not about:
            return
        iv.add_disagreement(about)


def add_disagreement(iv: Interview, about: str) -> None:
    m = iv.m
    pid = iv.pick("Raised by", iv.present_choices([("other", "Someone else (type a name)")]))
    p = m.participant(pid) if pid != "other" else None
    raised_by = p.name if p else iv.ask("Raised by (name)", required="Say who raised it.")
    dg = Disagreement(
        id=m.next_id("G", [d.id for d in m.disagreements]),
        raised_by=raised_by,
        about=about,
        at=iv.clock(),
    )
    m.disagreements.append(dg)
    iv.log("disagreement recorded", f"{dg.id} raised by {raised_by}")
    iv.save()
    dg.resolution = iv.ask("How was it resolved? (Enter if it was not)")
    iv.save()
    if iv.p.confirm("Escalated?", default=not dg.resolution):
        dg.escalated = True
        dg.escalation = iv.ask(
            "Escalated to whom, and how?",
            hint=iv.agenda.rules.disagreements[:80],
            required="Say how it is escalated.",
        )
        iv.save()


def step_family(iv: Interview, item: Item) -> None:
    f = iv.m.family
    f.shared = iv.ask(
        "What will be shared with the family, and by whom?", default=f.shared, multiline=True
    )
    iv.save()
    f.withheld = iv.ask(
        "What is withheld from the family? (Enter if nothing)",
        default=f.withheld,
        multiline=True,
    )
    iv.save()
    if f.withheld.strip():
        f.withheld_reason = iv.ask(
            "Why is it withheld?",
            default=f.withheld_reason,
            required="Record why it is withheld.",
        )
        iv.save()
    if any(a.parental_responsibility for a in iv.m.adults):
        # Each person with parental responsibility, absent parents included (Devon MASH):
        # told, to be told later, or not told, and why (the rulebook's parents.each).
        iv.say("  Each person with parental responsibility:")
        iv.record_informing()


def step_review(iv: Interview, item: Item) -> None:
    from ..deadlines import format_uk, resolve_due

    m = iv.m
    m.review_mechanism = iv.ask(
        "How will completion of the actions be reviewed?", default=m.review_mechanism
    )
    iv.save()

    # Offered in a form its own check reads back; kept as it is when left unchanged (even
    # once that time has passed), so Enter never turns the saved answer into an error.
    saved = m.next_discussion
    offered = typed_form(saved) if saved else ""

    def check(text: str) -> str | None:
        if offered and text.strip() == offered:
            return None
        try:
            resolve_due(text, iv.clock(), iv.agenda, m)
        except InputError as exc:
            return exc.message
        return None

    typed = iv.ask(
        "Next discussion (date and time; Enter if none planned)",
        default=offered,
        hint=f"e.g. 26/11 10:00 · 5 working days{f' · now {format_uk(saved)}' if saved else ''}",
        validate=check,
    )
    if typed != offered:
        m.next_discussion = resolve_due(typed, iv.clock(), iv.agenda, m) if typed else None
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
        if a.informed in (Informing.told, Informing.later):
            day = iv.clock().date()

            def readable(text: str, day: date = day) -> str | None:
                try:
                    parse_clock(text, day)
                except InputError as exc:
                    return exc.message
                return None

            when = iv.ask(
                "When (e.g. 15:00 or 20/11/2026 10:00; Enter if not known)",
                default=typed_form(a.informed_at) if a.informed_at else "",
                validate=readable,
            )
            a.informed_at = parse_clock(when, day) if when else None
            a.informed_by = iv.ask("By whom?", default=a.informed_by)
        if a.informed in (Informing.later, Informing.not_told):
            a.informed_reason = iv.ask("Why?", default=a.informed_reason, hint=LATER)
        iv.save()
