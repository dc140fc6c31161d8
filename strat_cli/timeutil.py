"""UK time, one home: the zone, real-time arithmetic, and wall times around the clock change.

Two datetimes with the *same* ``ZoneInfo`` are subtracted and compared by their wall clocks:
on the last Sunday of October 01:15 GMT (``fold=1``) minus 01:30 BST is -15 minutes and
compares as earlier, though it is 45 real minutes later. So every difference and comparison
here goes through UTC, a wall time read in the repeated hour gets the ``fold`` that makes it
real, and a time shown in that hour carries its zone (BST or GMT), because "01:30" alone names
two moments. Light on purpose (standard library only): `strat actions` formats through here.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .errors import InputError

LONDON = ZoneInfo("Europe/London")
ZONES = {"bst": 0, "gmt": 1}  # the fold that a zone typed after a time in the repeated hour means
_ZONE_SUFFIX = re.compile(r"\s*\b(bst|gmt)$", re.IGNORECASE)


def london(moment: datetime) -> datetime:
    """Any datetime as UK local time; a naive one is taken to be UK local time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LONDON)
    return moment.astimezone(LONDON)


def utc(moment: datetime) -> datetime:
    """The same moment in UTC: the only safe form to subtract or compare."""
    return london(moment).astimezone(UTC)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time from `start` to `end` (negative if `end` is earlier), across the clock change."""
    return utc(end) - utc(start)


def before(a: datetime, b: datetime) -> bool:
    """`a` is a moment earlier than `b` in real time (not by the wall clock)."""
    return utc(a) < utc(b)


def latest(*moments: datetime) -> datetime:
    """The latest of `moments` in real time, as given."""
    return max(moments, key=utc)


def add_hours(start: datetime, hours: float) -> datetime:
    """Elapsed hours, correct across the clock change (computed in UTC, shown in UK time)."""
    return (utc(start) + timedelta(hours=hours)).astimezone(LONDON)


def at(day: date, clock: time, *, fold: int = 0) -> datetime:
    """`clock` on `day` in UK time; `fold=1` is the second (GMT) reading of the repeated hour."""
    return datetime.combine(day, clock.replace(tzinfo=None), tzinfo=LONDON).replace(fold=fold)


def ambiguous(moment: datetime) -> bool:
    """The local wall time of `moment` names two moments (or none): the hour clocks change."""
    local = london(moment).replace(tzinfo=None)
    first = local.replace(tzinfo=LONDON, fold=0)
    return first.utcoffset() != local.replace(tzinfo=LONDON, fold=1).utcoffset()


def real(moment: datetime) -> datetime:
    """The moment a UK wall time names, as UK time (its offset settled)."""
    return utc(moment).astimezone(LONDON)


def missing(moment: datetime) -> bool:
    """The wall time of `moment` is never shown on UK clocks: the hour skipped when they go
    forward (01:00-01:59 on the last Sunday of March)."""
    local = london(moment)
    return real(local).replace(tzinfo=None) != local.replace(tzinfo=None)


def gap_problem(day: date) -> str:
    """Why a wall time in the hour the clocks skip on `day` is refused: one wording for the
    prompt (`wall`) and a file's field (the model)."""
    return (
        f"that time does not exist on {format_uk_date(day)}: UK clocks go forward an "
        "hour at 01:00, straight to 02:00 BST"
    )


def wall(
    day: date, clock: time, *, zone: str | None = None, after: datetime | None = None
) -> datetime:
    """A wall time on `day` as the moment it means.

    In the repeated hour, a typed zone ('BST' or 'GMT') decides; otherwise the first reading,
    unless that is before `after` and the second is not (an end time of 01:15 after a start
    at 01:30 BST is 01:15 GMT, 45 minutes later).

    A wall time in the hour the clocks skip in spring names no moment: it is refused, never
    moved (read as 02:30 BST, a start at 01:30 and an end at 02:30 would be one moment).
    """
    if missing(at(day, clock)):
        raise InputError(gap_problem(day))
    if zone is not None:
        return real(at(day, clock, fold=ZONES[zone.lower()]))
    first = at(day, clock, fold=0)
    if after is not None and ambiguous(first) and before(first, after):
        second = at(day, clock, fold=1)
        if not before(second, after):
            return real(second)
    return real(first)


def split_zone(text: str) -> tuple[str, str | None]:
    """'01:30 GMT' → ('01:30', 'gmt'); text without a zone comes back as it was."""
    m = _ZONE_SUFFIX.search(text)
    if m is None:
        return text, None
    return text[: m.start()].rstrip(), m.group(1).lower()


def clock_text(moment: datetime) -> str:
    """'17:00', or '01:30 BST' / '01:30 GMT' when the wall time alone would name two moments."""
    local = london(moment)
    text = f"{local:%H:%M}"
    return f"{text} {local.tzname()}" if ambiguous(local) else text


# --- how times are written for people --------------------------------------------------------

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_uk_date(day: date) -> str:
    """'Tue 24 Nov 2026': fixed English names, whatever the machine's locale."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_uk_day(day: date) -> str:
    """'3 Apr 2019': a date of birth or expected delivery, which no form writes with a weekday."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_uk(moment: datetime) -> str:
    """'Tue 24 Nov 2026 17:00' in UK local time; in the hour the clocks go back, with the
    zone ('Sun 25 Oct 2026 01:30 GMT'), since the wall time alone names two moments."""
    local = london(moment)
    return f"{format_uk_date(local.date())} {clock_text(local)}"


# --- days as people type them ----------------------------------------------------------------

DAY_FORMS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y")  # 19/11/2026, 2026-11-19, 19/11/26


def read_day(text: str) -> date:
    """A day typed as 19/11/2026, 2026-11-19 or 19/11/26; ValueError otherwise (the caller says
    where, never what was typed)."""
    raw = text.strip()
    for form in DAY_FORMS:
        try:
            return datetime.strptime(raw, form).date()
        except ValueError:
            continue
    raise ValueError("not a date")


# --- times of day as people type them --------------------------------------------------------

_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def read_clock(text: str) -> time | None:
    """A time of day as typed: '17:00', '17.00', '9am', '9.30 pm', 'noon'. None when the text is
    not written as one (a bare number, a date); ValueError when it is but names no time
    ('25:00', '13pm'). The one reading of a clock, for times (rules) and due times (deadlines)."""
    raw = text.strip().lower()
    if raw in ("noon", "midday"):
        return time(12, 0)
    m = _CLOCK.match(raw)
    if m is None or (m.group(2) is None and m.group(3) is None):
        return None
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if minute > 59 or (half and not 1 <= hour <= 12) or hour > 23:
        raise ValueError("no such time")
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    return time(hour, minute)


def typed_form(moment: datetime) -> str:
    """'20/11/2026 10:00': a saved time offered back at a prompt in a form its check reads."""
    return f"{london(moment):%d/%m/%Y %H:%M}"
