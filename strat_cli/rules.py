"""Rules for what a record must hold, shared by the live prompts and answers files, so a
meeting typed live and one built from notes are held to the same standard: times as a chair
types them, agency kinds guessed from names, and what a decision or a closing needs."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from .agenda import Agenda
from .attendance import unexplained_gaps
from .errors import InputError
from .model import LONDON, AgencyKind, Decision, Meeting, Outcome, YesNo, date_problem
from .timeutil import split_zone, wall

# --- times typed by the chair ------------------------------------------------------------------

_CLOCK_RE = re.compile(r"^(\d{1,2})[:.](\d{2})\s*(am|pm)?$|^(\d{1,2})\s*(am|pm)$")
_DATE_CLOCK_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})\s+(.+)$")


def parse_clock(text: str, day: date, *, after: datetime | None = None) -> datetime:
    """'10:25', '10.25', '2pm', '19/11/2026 10:25' or ISO → a UK local time, in the years a
    record may hold (a placeholder such as 31/12/9999 is refused here, where it is typed).

    In the hour the clocks go back a time may end in BST or GMT; without, it is the first
    reading unless that is before `after` (timeutil.wall): an end of 01:15 after a 01:30 start.
    """
    try:
        value = _parse_clock(text, day, after=after)
    except OverflowError:  # 9999-12-31 23:30 with an offset runs past the last year Python has
        raise InputError("that date is beyond the dates strat can hold") from None
    if why := date_problem(value):
        raise InputError(f"that date {why}")
    return value


def _parse_clock(text: str, day: date, *, after: datetime | None = None) -> datetime:
    raw, zone = split_zone(text.strip().lower())
    if m := _DATE_CLOCK_RE.match(raw):
        try:
            day = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            raise InputError("not a real date") from None  # never the typed text
        raw = m.group(4).strip()
    m = _CLOCK_RE.match(raw)
    if not m:
        try:
            value = datetime.fromisoformat(raw.upper())
        except ValueError:
            raise InputError("not a time: type it like 10:25 or 2pm") from None
        if value.tzinfo:
            return value.astimezone(LONDON)
        return wall(value.date(), value.time(), zone=zone, after=after)
    hour = int(m.group(1) or m.group(4))
    minute = int(m.group(2) or 0)
    half = m.group(3) or m.group(5)
    if half == "pm" and hour < 12:
        hour += 12
    if half == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise InputError("not a time of day: type it like 10:25 or 2pm")
    return wall(day, time(hour, minute), zone=zone, after=after)


_DAY_MONTH_RE = re.compile(r"^(\d{1,2})/(\d{1,2})\s+(.+)$")


def parse_past(text: str, now: datetime, *, after: datetime | None = None) -> datetime:
    """A moment something already happened (--at): '16:40' (today), 'yesterday 16:40',
    '27/11 16:40' (this year), '27/11/2026 16:40' or ISO; BST or GMT may follow the time."""
    raw = " ".join(text.strip().lower().split())
    day = now.astimezone(LONDON).date()
    if raw.startswith("yesterday "):
        day, raw = day - timedelta(days=1), raw.removeprefix("yesterday ")
    elif raw.startswith("today "):
        raw = raw.removeprefix("today ")
    elif m := _DAY_MONTH_RE.match(raw):
        try:
            day = date(day.year, int(m.group(2)), int(m.group(1)))
        except ValueError:
            raise InputError("not a real date: type it as DD/MM/YYYY") from None
        raw = m.group(3)
    return parse_clock(raw, day, after=after)


def guess_kind(agency: str) -> AgencyKind:
    """A sensible default agency kind from how the agency is named."""
    a = agency.lower()
    # Education before health, so a "Nursery" or a "Hospital School" is not taken for health.
    table = (
        (("police", "caiu", "constabulary"), AgencyKind.police),
        (("school", "academy", "college", "nursery", "education"), AgencyKind.education),
        (
            ("nhs", "health", "hospital", "gp", "midwi", "nurse", "paediatric", "camhs"),
            AgencyKind.health,
        ),
        (
            ("social care", "children's services", "csc", "mash", "social work"),
            AgencyKind.social_care,
        ),
        (("legal", "solicitor"), AgencyKind.legal),
        (("probation",), AgencyKind.probation),
        (("youth justice", "yot"), AgencyKind.youth_justice),
        (("housing",), AgencyKind.housing),
        (("adult",), AgencyKind.adult_services),
    )
    for words, kind in table:
        if any(re.search(rf"\b{w}", a) for w in words):  # at a word start: "gp" not in "agpx"
            return kind
    return AgencyKind.other


# --- rules shared by the prompts and answers files ----------------------------------------------


def police_agreement_needed(agenda: Agenda, outcome: Outcome) -> bool:
    return outcome == Outcome.nfa and agenda.rules.nfa_requires_police_agreement


def decision_problems(decision: Decision, agenda: Agenda) -> list[str]:
    """What makes a decision unacceptable under the area's rules (empty: fine)."""
    problems: list[str] = []
    if not decision.rationale.strip():
        problems.append("rationale: a decision needs its rationale")
    if decision.medical.needed == YesNo.no and not decision.medical.reason.strip():
        problems.append("medical.reason: say why no medical examination is needed")
    if decision.parents_informed == YesNo.no and not decision.parents_not_informed_reason.strip():
        problems.append("parents_not_informed_reason: say why parents/PR holders are not told")
    if police_agreement_needed(agenda, decision.outcome) and not (
        decision.police_agreement
        and decision.police_agreement.agreed
        and decision.police_agreement.officer.strip()
    ):
        problems.append(
            "police_agreement: this area needs the police officer in charge to agree to NFA"
        )
    return problems


def closing_warnings(meeting: Meeting, agenda: Agenda) -> list[str]:
    """What a careful chair would want to hear before ending."""
    out: list[str] = []
    if not meeting.progress.attendance_taken:
        out.append("attendance was not taken")
    for kind in unexplained_gaps(meeting, agenda.statutory_partners):
        out.append(f"statutory partner missing with no reason recorded: {kind.value}")
    for child in meeting.subject_children:
        if not meeting.decisions_for(child.id):
            out.append(f"no decision for {child.id} {child.name}")
    for d in meeting.decisions:
        for problem in decision_problems(d, agenda):
            out.append(f"decision for {d.child_id}: {problem.split(': ', 1)[1]}")
    if not meeting.actions:
        out.append("no actions recorded")
    elif agenda.rules.requires_contingency_plan and not any(a.contingency for a in meeting.actions):
        out.append("no contingency action recorded")
    done = set(meeting.progress.done)
    for item in agenda.items:
        if item.required and item.key not in done:
            out.append(f"required item still open: {item.title}")
    return out
