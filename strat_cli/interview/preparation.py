"""Before the call: the concern, children, adults and invitees, and who the procedure says to invite."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from .. import questions, timeutil
from ..agenda import Agenda
from ..attendance import include_officers
from ..errors import InputError
from ..model import (
    LONDON,
    Adult,
    Attendance,
    Concern,
    InviteCondition,
    InviteNote,
    Meeting,
    MeetingFormat,
    date_problem,
)
from ..rulebook import invites_arising
from . import attendance, information
from .commands import TOOLBAR

if TYPE_CHECKING:
    from .walk import Interview


def prepare(iv: Interview) -> None:
    """The convener's questions: the concern, who chairs, the children, adults, invitees."""
    m = iv.m
    iv.p.toolbar = " Enter on its own ends a list · Ctrl-C pauses (all saved)"
    m.reason = iv.answer(questions.REASON, default=m.reason)
    iv.save()
    m.referrer = iv.answer(questions.REFERRER, default=m.referrer)
    iv.save()
    if not m.concerns:  # decides who the procedure asks to invite (a prefill may say)
        picked = iv.p.checkbox(
            "What is the concern about? (tick all that apply; Enter for none yet)",
            [(c.value, c.value) for c in Concern],
        )
        m.concerns = [Concern(v) for v in picked]
        iv.save()
    m.chair = iv.answer(questions.CHAIR, default=m.chair or iv.user)
    iv.save()
    m.minute_taker = iv.answer(questions.MINUTE_TAKER, default=m.minute_taker)
    iv.save()
    m.format = MeetingFormat(
        iv.pick("Format", [(f.value, f.value) for f in MeetingFormat], default=m.format.value)
    )
    officers = include_officers(m)
    iv.save()
    for officer in officers:
        what = "chair" if officer.is_chair else "minute taker"
        officer.email = iv.ask(f"{officer.name} ({what}): email, to receive the record")
        iv.save()
    while True:
        name = iv.ask(
            "Child's name (Enter on its own when all are listed)",
            required="" if m.children else "At least one child is needed.",
        )
        if not name:
            break
        child = information.add_child(iv, name, subject=True)  # saved there
        born = iv.ask(f"{name}: date of birth (DD/MM/YYYY), or 'unborn DD/MM/YYYY'")
        try:
            if born.lower().startswith("unborn"):
                child.unborn = True
                rest = born[6:].strip()
                child.expected_date = parse_day(rest) if rest else None
            elif born:
                child.date_of_birth = parse_day(born, born=True)
        except InputError as exc:
            iv.say(f"  {exc.message}: left blank")
        iv.save()
        child.school = iv.answer(questions.SCHOOL, who=name)
        iv.save()
        flags = iv.p.checkbox(
            f"{name}: anything that changes who to invite? (Enter for none)",
            [
                ("in_hospital", "in hospital"),
                ("out_of_area", "lives out of area"),
                ("interpreter", "needs an interpreter"),
            ],
        )
        child.in_hospital = "in_hospital" in flags
        child.out_of_area = "out_of_area" in flags
        child.interpreter = "interpreter" in flags
        iv.save()
        if child.interpreter:
            child.language = iv.answer(questions.LANGUAGE, who=name)
            iv.save()
    while True:
        name = iv.ask("Adult in the child's life (Enter on its own when done)")
        if not name:
            break
        adult = Adult(id=m.next_id("AD", [a.id for a in m.adults]), name=name)
        m.adults.append(adult)
        iv.save()
        adult.relationship = iv.answer(questions.RELATIONSHIP, who=name)
        iv.save()
        flags = iv.p.checkbox(
            f"{name}: tick what applies",
            [
                ("pr", "parental responsibility"),
                ("household", "lives in the household"),
                ("alleged", "alleged perpetrator"),
                ("staff", "risk to staff (violence or threats)"),
            ],
        )
        adult.parental_responsibility = "pr" in flags
        adult.household_member = "household" in flags
        adult.alleged_perpetrator = "alleged" in flags
        adult.risk_to_staff = "staff" in flags
        iv.save()
    for role in iv.agenda.required_roles:
        iv.say(f"  Must take part: {role.text}")
    for line in invite_advice(m, iv.agenda):
        iv.say(f"  Invite: {line}")
    while True:
        name = iv.ask("Invitee's name (Enter on its own when all are listed)")
        if not name:
            break
        attendance.add_participant(iv, name, how=Attendance.invited)
    record_invites(iv, only_open=True)
    iv.p.toolbar = TOOLBAR


def record_invites(iv: Interview, *, only_open: bool = False) -> None:
    """For each invite rule of the agenda this case meets (other than 'always'): who was
    invited, or why no one was (the rulebook's invite.not_considered). Saved as answered."""
    m = iv.m
    arising: dict[str, list[str]] = {}
    for rule in invites_arising(m, iv.agenda):
        if rule.when != InviteCondition.always:
            arising.setdefault(rule.when, []).append(rule.invite)
    noted = {n.when for n in m.invites}
    for when, texts in arising.items():
        if only_open and when in noted:
            continue
        for text in texts:
            iv.say(f"  The procedure asks, when {InviteCondition(when).words}: {text}")
        who = iv.answer(questions.INVITED)
        reason = "" if who else iv.answer(questions.NOT_INVITED)
        note = InviteNote(when=InviteCondition(when), invited=bool(who), who=who, reason=reason)
        m.invites = [n for n in m.invites if n.when != when] + [note]
        iv.save()
    if not arising and not only_open:
        iv.say("  No invite rule of this agenda applies to the case as recorded.")


def parse_day(text: str, *, born: bool = False) -> date:
    """A date typed as DD/MM/YYYY, in the years a record may hold; `born`: not in the future."""
    try:
        day = timeutil.read_day(text)
    except ValueError:
        raise InputError("not a date: type it as DD/MM/YYYY") from None  # never the typed text
    if why := date_problem(day):
        raise InputError(f"that date {why}")
    if born and day > datetime.now(LONDON).date():
        raise InputError("a date of birth cannot be in the future (unborn: 'unborn DD/MM/YYYY')")
    return day


def invite_advice(meeting: Meeting, agenda: Agenda) -> list[str]:
    """The agenda's invite rules that apply to this case (the rulebook decides which)."""
    return [r.invite for r in invites_arising(meeting, agenda)]
