"""Attendance: who takes part and how, late joiners, and the statutory-partner check."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from .. import questions
from ..agenda import Item
from ..attendance import missing_partners
from ..model import (
    AgencyKind,
    Attendance,
    MeetingFormat,
    Participant,
    PartnerGap,
)
from ..prompts import Choice
from ..questions import LATER, Question
from ..rules import guess_kind
from .closing import attendance_summary
from .commands import Cancel, Pause

if TYPE_CHECKING:
    from .walk import Interview


def _default_attendance(iv: Interview) -> Attendance:
    return Attendance.in_person if iv.m.format == MeetingFormat.in_person else Attendance.remote


def mark(iv: Interview, p: Participant) -> None:
    """Mark one invitee's attendance, saved at once."""
    how_choices: list[Choice] = [(a.value, a.value) for a in Attendance if a != Attendance.invited]
    default = p.attendance if p.attendance != Attendance.invited else _default_attendance(iv)
    label = f"{p.name}" + (f" ({p.role}, {p.agency})" if p.role or p.agency else "")
    how = Attendance(iv.pick(label, how_choices, default=default.value))
    p.attendance = how
    if how == Attendance.report_sent:
        p.contributed = True
    iv.save()
    if how == Attendance.apologies:
        p.apology_reason = iv.ask(
            f"Reason for {p.name}'s apologies",
            default=p.apology_reason,
            required="Record the reason for apologies.",
        )
        iv.save()


def step_attendance(iv: Interview, item: Item) -> None:
    m = iv.m
    if not m.progress.done and not m.progress.attendance_taken:
        m.started_at = iv.clock().replace(second=0, microsecond=0)
        iv.save()
    unmarked = [p for p in m.participants if p.attendance == Attendance.invited]
    if not m.participants:
        iv.say("  Nobody was invited in advance: add each person on the call.")
    elif not unmarked:
        iv.say(attendance_summary(m))
        while iv.p.confirm("Change anyone's attendance?", default=False):
            pid = iv.pick("Whose?", [(p.id, p.name) for p in m.participants])
            who = m.participant(pid)
            if who:
                mark(iv, who)
    else:
        iv.say("  How is each invitee taking part?")
        for p in unmarked:
            mark(iv, p)
    while True:
        name = iv.ask("Anyone else on the call? Name (Enter on its own when everyone is listed)")
        if not name:
            break
        add_participant(iv, name, how=None)
    check_partners(iv)
    if not m.progress.attendance_taken:
        m.progress.attendance_taken = True
        present = sum(1 for p in m.participants if p.attendance.took_part)
        iv.log("attendance taken", f"{present} taking part of {len(m.participants)} listed")
        iv.save()


def check_partners(iv: Interview) -> None:
    """Name each missing statutory partner and record why the chair proceeds, or stop."""
    m = iv.m
    missing = missing_partners(m, iv.agenda.statutory_partners)
    if not missing:
        iv.say(
            "  Statutory partners present: "
            + ", ".join(k.value for k in iv.agenda.statutory_partners)
        )
        return
    for kind in missing:
        known = next((g for g in m.partner_gaps if g.agency_kind == kind and g.proceeded), None)
        if known is not None:
            continue
        iv.say(
            f"  ! Statutory partner missing: {kind.value} (nobody from {kind.value} is taking part)"
        )
        choice = iv.pick(
            f"Without {kind.value}: how do you proceed?",
            [
                ("proceed", "Proceed, recording why"),
                ("escalate", "Proceed and escalate the non-attendance"),
                ("stop", f"Stop and reconvene when {kind.value} can attend"),
            ],
        )
        gap = PartnerGap(
            agency_kind=kind,
            escalated=choice == "escalate",
            proceeded=choice != "stop",
        )  # kept from the choice on: each later answer saved before the next question
        m.partner_gaps = [g for g in m.partner_gaps if g.agency_kind != kind] + [gap]
        iv.save()
        gap.reason = iv.ask(
            f"Why is {kind.value} not taking part, and why is that acceptable now?"
            if choice != "stop"
            else f"Why is {kind.value} not taking part?",
            hint=LATER,
        )
        iv.save()
        if choice == "escalate":
            gap.escalation = iv.answer(questions.PARTNER_ESCALATION)
        iv.log(
            "statutory partner missing",
            f"{kind.value}: {'stopped to reconvene' if choice == 'stop' else 'proceeded'}; "
            f"{gap.reason}",
        )
        iv.save()
        if choice == "stop":
            iv.say("  Stopped. The record is saved as a draft.")
            raise Pause


def add_participant(iv: Interview, name: str, *, how: Attendance | None) -> Participant:
    """Someone not on the invite list, kept from the name on (each later answer saved before
    the next question). `how=None` asks how they take part."""
    p = new_participant(iv, name)
    describe(iv, p)
    if how is None:
        p.attendance = _ask_how(iv, name)
    else:
        p.attendance = how
    iv.save()
    return p


def new_participant(iv: Interview, name: str) -> Participant:
    """A person added by name, saved at once: asked how they take part later (until then
    'invited', so a stopped walk's roll call asks it)."""
    m = iv.m
    p = Participant(id=m.next_id("P", [x.id for x in m.participants]), name=name)
    m.participants.append(p)
    iv.log("participant added", f"{p.id} {name}")
    iv.save()
    return p


def describe(iv: Interview, p: Participant) -> None:
    """A new participant's role, agency, kind of agency and email, each saved as given."""
    p.role = iv.answer(questions.ROLE, who=p.name)
    iv.save()
    p.agency = iv.answer(questions.AGENCY, who=p.name)
    iv.save()
    p.agency_kind = AgencyKind(
        iv.pick(
            f"{p.name}: kind of agency",
            [(k.value, k.value) for k in AgencyKind],
            default=guess_kind(p.agency, iv.agenda).value,
        )
    )
    iv.save()
    p.email = iv.answer(questions.EMAIL, who=p.name)
    iv.save()


def _ask_how(iv: Interview, name: str) -> Attendance:
    return Attendance(
        iv.pick(
            f"{name}: how are they taking part?",
            [(a.value, a.value) for a in (Attendance.in_person, Attendance.remote)],
            default=_default_attendance(iv).value,
        )
    )


def who(iv: Interview) -> None:
    """/who: a late joiner, an early leaver, or a correction."""
    m = iv.m
    choices: list[Choice] = [("new", "Someone joining who is not listed")]
    choices += [
        (p.id, f"{p.name} — {p.agency or p.agency_kind.value} ({p.attendance.value})")
        for p in m.participants
    ]
    choices.append(("cancel", "(cancel)"))
    pid = iv.pick("Add or update who?", choices)
    if pid == "cancel":
        raise Cancel
    now = iv.clock()

    def when(q: Question, who: str) -> datetime:
        at: datetime = iv.answer(
            q,
            who=who,
            default=now.strftime("%H:%M"),
            required="Give a time.",
            given=iv.given(after=m.started_at),
        )
        return at

    if pid == "new":
        name = iv.answer(questions.NAME)
        joiner = new_participant(iv, name)
        try:
            joiner.attendance = _ask_how(iv, name)
            iv.save()
            if m.progress.attendance_taken:
                joiner.joined_at = when(questions.JOINED, name)
                iv.log("participant joined", f"{joiner.id} {name} at {joiner.joined_at:%H:%M}")
                iv.save()
            describe(iv, joiner)
        except Cancel:  # /cancel drops the person begun here, as if never added
            m.participants = [x for x in m.participants if x.id != joiner.id]
            iv.log("participant removed", f"{joiner.id} (/cancel)")
            iv.save()
            raise
    else:
        p = m.participant(pid)
        assert p is not None
        what = iv.pick(
            p.name,
            [
                ("joined", "Joined now (late)"),
                ("left", "Left the call"),
                ("mark", "Change how they take part"),
                ("cancel", "(cancel)"),
            ],
        )
        if what == "cancel":
            raise Cancel
        if what == "joined":
            p.joined_at = when(questions.JOINED, p.name)
            if not p.attendance.took_part:
                p.attendance = _default_attendance(iv)
            iv.log("participant joined", f"{p.id} {p.name} at {p.joined_at:%H:%M}")
        elif what == "left":
            p.left_at = when(questions.LEFT, p.name)
            iv.log("participant left", f"{p.id} {p.name} at {p.left_at:%H:%M}")
            still = [
                x
                for x in m.participants
                if x.agency_kind == p.agency_kind and x.attendance.took_part and not x.left_at
            ]
            if p.agency_kind in iv.agenda.statutory_partners and not still:
                iv.say(
                    f"  ! Nobody from {p.agency_kind.value} (a statutory partner) remains on the call."
                )
        else:
            mark(iv, p)
            iv.log("participant updated", f"{p.id} {p.name}: {p.attendance.value}")
        iv.save()
    if m.progress.attendance_taken:
        depth, iv.depth = iv.depth, 0
        try:
            check_partners(iv)
        finally:
            iv.depth = depth


def present_choices(iv: Interview, extra: Sequence[Choice] = ()) -> list[Choice]:
    """Participants who took part or sent a report, for 'who said / who owns'."""
    people = [
        p
        for p in iv.m.participants
        if p.attendance.took_part or p.attendance == Attendance.report_sent
    ]
    return [(p.id, f"{p.name} — {p.agency or p.role}") for p in people] + list(extra)
