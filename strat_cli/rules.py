"""What the live prompts and answers files share in reading what a chair types: times as typed,
agency kinds guessed from names. What a record must hold is the rulebook's (`rulebook`)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from .agenda import Agenda, agency_named
from .errors import InputError
from .model import LONDON, AgencyKind, date_problem
from .timeutil import read_clock, split_zone, wall

# --- times typed by the chair ------------------------------------------------------------------

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
    try:
        clock = read_clock(raw)
    except ValueError:
        raise InputError("not a time of day: type it like 10:25 or 2pm") from None
    if clock is None:
        try:
            value = datetime.fromisoformat(raw.upper())
        except ValueError:
            raise InputError("not a time: type it like 10:25 or 2pm") from None
        if value.tzinfo:
            return value.astimezone(LONDON)
        return wall(value.date(), value.time(), zone=zone, after=after)
    return wall(day, clock, zone=zone, after=after)


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


def guess_kind(agency: str, agenda: Agenda | None = None) -> AgencyKind:
    """A sensible default agency kind from how the agency is named (the agenda's words and
    the shipped ones, English and Welsh: agenda.agency_named)."""
    kind = agency_named(agency, agenda)
    return AgencyKind.other if kind is None else kind
