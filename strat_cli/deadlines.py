"""Every date strat computes: working days, the area's statutory deadlines, and action due times.

One module so that the documents, the screens and the checks can never disagree about a date.
Working days skip weekends and the bank holidays of the area's nation (``timescales.nation``:
ENG, WLS, SCT or NIR, whose holidays differ), always through ``holidays`` with the subdivision.

Counting rule, used everywhere: "N working days after a moment" is the Nth working day after
that moment's date, so a discussion on Friday plus 1 working day is Monday, and one held on a
Saturday plus 1 working day is also Monday (weekend days are never counted). This gives the
earlier of the two readings of a weekend start, which is the safe side for a statutory deadline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache
from .errors import InputError
from .timeutil import add_hours, before, elapsed, read_clock, split_zone, utc, wall
from .timeutil import at as _at
from .timeutil import format_uk as format_uk  # re-exported: written for people in timeutil
from .timeutil import format_uk_date as format_uk_date
from .timeutil import format_uk_day as format_uk_day
from .timeutil import london as _london

if TYPE_CHECKING:
    from collections.abc import Sequence

    from holidays import HolidayBase

    from .agenda import Agenda
    from .model import Meeting

NATIONS = ("ENG", "WLS", "SCT", "NIR")
NATION_NAMES = {
    "ENG": "England",
    "WLS": "Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}
END_OF_DAY = time(23, 59)  # "within N working days" is met any time on that working day


# --- working days ----------------------------------------------------------------------------


@lru_cache(maxsize=8)
def calendar(nation: str) -> HolidayBase:
    """The bank holidays of one UK nation, years filled in on demand as dates are looked up.

    Always with ``subdiv``: ``country_holidays("GB")`` alone omits Easter Monday and the August
    holiday, which would put deadlines on days the office is shut.
    """
    if nation not in NATIONS:
        raise InputError(f"unknown nation {nation!r}: use one of {', '.join(NATIONS)}")
    import holidays

    return holidays.country_holidays("GB", subdiv=nation)


# Importing `holidays` costs ~100 ms, paid by every command that counts working days. Its
# answers for a nation and year are kept in the store's cache (set by the CLI), keyed by the
# installed UK holidays module, so an upgraded package is asked again.
def use_cache(folder: Path | None) -> None:
    """Keep looked-up bank holidays in `folder` (None: ask the holidays package every time)."""
    cache.use(folder)
    _holidays_in.cache_clear()


def _cache_file() -> Path | None:
    if cache.folder is None:
        return None
    made_by = cache.code_key("holidays-gb", files=("holidays/countries/united_kingdom.py",))
    return cache.folder / f"holidays-gb-{cache.entry_name(b'', made_by)}.json"


def _read_cache(path: Path) -> dict[str, list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(path: Path, data: dict[str, list[str]]) -> None:
    """Whole or not at all; a cache that cannot be written is simply not kept."""
    from .files import keep

    keep(path, json.dumps(data).encode("utf-8"))


@lru_cache(maxsize=64)
def _holidays_in(nation: str, year: int) -> frozenset[date]:
    """The bank holidays of one nation in one year: from the cache, else from `holidays`."""
    path = _cache_file()
    key = f"{nation}:{year}"
    cached = _read_cache(path) if path else {}
    if isinstance(found := cached.get(key), list):
        try:
            return frozenset(date.fromisoformat(d) for d in found)
        except (TypeError, ValueError):
            pass  # a damaged entry is asked again
    cal = calendar(nation)
    _ = date(year, 1, 1) in cal  # fills in the year
    days = frozenset(d for d in cal if d.year == year)
    if path:
        _write_cache(path, {**cached, key: sorted(d.isoformat() for d in days)})
    return days


def is_working_day(day: date, nation: str) -> bool:
    """Monday to Friday and not a bank holiday in that nation."""
    if nation not in NATIONS:
        raise InputError(f"unknown nation {nation!r}: use one of {', '.join(NATIONS)}")
    return day.weekday() < 5 and day not in _holidays_in(nation, day.year)


def next_working_day_on_or_after(day: date, nation: str) -> date:
    """The day itself if it is a working day, else the first working day after it."""
    while not is_working_day(day, nation):
        day += timedelta(days=1)
    return day


def _nth_working_day_after(day: date, days: int, nation: str) -> date:
    """The Nth working day after `day` (N = 0: the day itself, or the next working day)."""
    if days <= 0:
        return next_working_day_on_or_after(day, nation)
    for _ in range(days):
        day = next_working_day_on_or_after(day + timedelta(days=1), nation)
    return day


def working_days_between(start: date, end: date, nation: str) -> int:
    """Working days after `start` up to and including `end`, as the Children in Need
    statistics count the time from an s47 enquiry's start to its conference (0: same day)."""
    if end <= start:
        return 0
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day, nation)
        day += timedelta(days=1)
    return count


def add_working_days(start: datetime, days: int, nation: str) -> datetime:
    """Same clock time, `days` working days later, in UK local time.

    A start on a weekend or bank holiday is counted from the next working day (that day is
    working day 1), so Saturday + 1 working day is Monday. See the module docstring.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    local = _london(start)
    target = _nth_working_day_after(local.date(), days, nation)
    return _at(target, local.time().replace(tzinfo=None))


def working_day_window_end(now: datetime, days: int, nation: str) -> datetime:
    """The end of "within N working days" from `now`: the whole Nth working day after today
    (midnight after it), so a 23:59 deadline on that day is inside the window. N = 0: the end
    of today (or of the next working day, if today is not one)."""
    last = _nth_working_day_after(_london(now).date(), days, nation)
    return _at(last + timedelta(days=1), time(0, 0))


# --- the area's deadlines for one meeting ----------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    """The statutory deadlines of one meeting under its area's agenda.

    Every datetime is UK local time. Clock-hour rules (summary, minutes, discussion within
    hours) count elapsed hours from the meeting's end, or its start while it has not ended.
    Working-day rules end at 23:59 on the working day they fall on (``circulation_due``,
    ``discussion_due`` for working-day areas): "within one working day" is met any time that
    day. Circulation is on time if the first real circulation happened before 23:59 had
    passed, i.e. within that minute.
    """

    summary_due: datetime | None
    minutes_authorised_due: datetime | None
    circulation_due: datetime | None
    icpc_target: date | None
    icpc_counted_from: datetime | None
    discussion_due: datetime | None
    circulated_on_time: bool | None


def _countable(compute: Callable[[Meeting, Agenda], Deadlines]) -> Callable[..., Deadlines]:
    """A date outside the model's range (a placeholder such as 31/12/9999 saved before entry
    was checked) makes one record's deadlines uncountable: say which field, in one line that
    a listing can show as a warning, instead of overflowing the date arithmetic."""

    @wraps(compute)
    def guarded(meeting: Meeting, agenda: Agenda) -> Deadlines:
        from .model import date_problem

        used = {
            "started_at": meeting.started_at,
            "ended_at": meeting.ended_at,
            "concern_identified_at": meeting.concern_identified_at,
            "s47_started_at": meeting.s47_started_at,
            **{f"circulation.{n}.at": c.at for n, c in enumerate(meeting.circulation)},
        }
        problem = next(
            (f"field {k} {why}" for k, v in used.items() if v and (why := date_problem(v))), None
        )
        if problem is None:
            try:
                return compute(meeting, agenda)
            except OverflowError:  # a field not listed above
                problem = "a date is beyond the calendar"
        raise InputError(
            f"deadlines not counted: {problem}; correct it with: strat edit {meeting.id}"
        )

    return guarded


@_countable
def meeting_deadlines(meeting: Meeting, agenda: Agenda) -> Deadlines:
    """Compute every deadline of `meeting` from `agenda`'s timescales."""
    t = agenda.timescales
    nation = t.nation
    base = _london(meeting.ended_at or meeting.started_at)

    summary_due = add_hours(base, t.summary_within_hours)
    minutes_due = (
        add_hours(base, t.minutes_authorised_within_hours)
        if t.minutes_authorised_within_hours is not None
        else None
    )
    circulation_day = _nth_working_day_after(base.date(), t.circulate_within_working_days, nation)
    circulation_due = _at(circulation_day, END_OF_DAY)

    icpc_target, icpc_from = _icpc(meeting, agenda)
    discussion_due = _discussion_due(meeting, agenda)
    return Deadlines(
        summary_due=summary_due,
        minutes_authorised_due=minutes_due,
        circulation_due=circulation_due,
        icpc_target=icpc_target,
        icpc_counted_from=icpc_from,
        discussion_due=discussion_due,
        circulated_on_time=_circulated_on_time(meeting, circulation_due),
    )


# --- the ICPC target across a chain of discussions -------------------------------------------
#
# A case's discussions form a chain (each follow-up names the earlier ones in `previous`). s47
# starts at the discussion that first decides it; a follow-up carries that start in
# `s47_started_at` while the enquiry is under way; a discussion that records its decisions and
# decides no s47 for any child (NFA, step-down to s17 or early help) ends it, and a later
# discussion that decides s47 again starts a new enquiry and a new target. The latest
# discussion that has a target, or that ended the enquiry, replaces every earlier target.


def s47_start_carried(earlier: Meeting) -> datetime | None:
    """When the s47 enquiry still under way after `earlier` started, for the next discussion
    of the case: None if none is (never started, or ended at `earlier`)."""
    if earlier.s47_decided:
        return earlier.s47_started_at or earlier.started_at
    if earlier.decisions:  # decided, and no s47 for any child: the enquiry ended here
        return None
    return earlier.s47_started_at  # not decided yet: still as it was


def icpc_clock_start(meeting: Meeting, agenda: Agenda) -> datetime | None:
    """When this discussion's ICPC clock starts (UK time), or None if it sets no target: the one
    answer the target, `strat icpc`, `strat check` (icpc.late) and the report's "held by its ICPC
    target" count from.

    s47 decided here, or under way from an earlier discussion and not concluded here (once a
    follow-up records decisions with no s47, the enquiry has ended: no conference). The seeds
    differ, so the area says which (``timescales.icpc_from``): "last", this discussion (seed 001,
    "Purpose of Strategy Discussion": "Where an Initial Child Protection Conference is to be
    convened this must take place within 15 working days of the last Strategy Discussion");
    "initiating", the one that started s47 (seed 004, "Outcomes of the strategy meeting": "within
    15 working days of the strategy meeting that decided to initiate section 47 enquiries").
    The day is the UK date: a discussion at 23:59 starts the clock that day, one at 00:30 BST the
    next (whatever the stored offset).
    """
    under_way = meeting.s47_started_at is not None and not meeting.decisions
    if not (meeting.s47_decided or under_way):
        return None
    if agenda.timescales.icpc_from == "initiating" and meeting.s47_started_at is not None:
        return _london(meeting.s47_started_at)
    return _london(meeting.started_at)


def s47_start_day(meeting: Meeting) -> date:
    """The UK day the s47 enquiry this discussion decided or continued started: where the
    Children in Need statistics count "Duration between start of Section 47 enquiry and ICPC"
    from (table C4). A national measure, not the area's target (`icpc_clock_start`): where the
    area counts from the last discussion the two differ, and are named apart."""
    return _london(meeting.s47_started_at or meeting.started_at).date()


def icpc_in_time(held: date, target: date) -> bool:
    """A conference on its target day is in time ("within 15 working days" includes the 15th)."""
    return held <= target


def _icpc(meeting: Meeting, agenda: Agenda) -> tuple[date | None, datetime | None]:
    """The ICPC target this discussion sets, and the moment it is counted from."""
    t = agenda.timescales
    counted_from = icpc_clock_start(meeting, agenda)
    if counted_from is None:
        return None, None
    target = _nth_working_day_after(counted_from.date(), t.icpc_within_working_days, t.nation)
    return target, counted_from


def replaces_earlier_target(has_decisions: bool, has_target: bool) -> bool:
    """Whether a later discussion of the case replaces an earlier one's ICPC target: it sets
    its own (s47 continuing or decided again), or it ended the enquiry (decided, no s47). The
    register asks this of its index rows, `show` and `ics` of the records."""
    return has_decisions or has_target


@dataclass(frozen=True)
class CaseIcpc:
    """A discussion's ICPC target as the case now stands: its own, or replaced by a later one."""

    target: date | None
    counted_from: datetime | None
    replaced_by: str | None  # the later discussion that set its own target or ended s47
    ended: bool  # replaced because that discussion ended the s47 enquiry


def case_icpc(meeting: Meeting, agenda: Agenda, later: Sequence[Meeting] = ()) -> CaseIcpc:
    """The one answer to "what is this case's ICPC target, from this record's point of view":
    `later` are the case's later discussions (oldest first), from the store."""
    target, counted_from = _icpc(meeting, agenda)
    if target is not None:
        for nxt in later:
            own, _ = _icpc(nxt, agenda)
            if replaces_earlier_target(bool(nxt.decisions), own is not None):
                return CaseIcpc(target, counted_from, nxt.id, ended=own is None)
    return CaseIcpc(target, counted_from, None, ended=False)


def replaced_text(icpc: CaseIcpc) -> str:
    """'replaced by SD-…' for show, .ics and documents; empty while the target stands."""
    if icpc.replaced_by is None:
        return ""
    why = ", which ended s47" if icpc.ended else ""
    return f"replaced by {icpc.replaced_by}{why}"


def _discussion_due(meeting: Meeting, agenda: Agenda) -> datetime | None:
    """When the discussion should have been held; the stricter rule if an area sets both.

    Only for the first discussion of a concern: a follow-up is held when the plan says."""
    if meeting.concern_identified_at is None or meeting.previous:
        return None
    t = agenda.timescales
    concern = _london(meeting.concern_identified_at)
    candidates: list[datetime] = []
    if t.discussion_within_hours is not None:
        candidates.append(add_hours(concern, t.discussion_within_hours))
    if t.discussion_within_working_days is not None:
        day = _nth_working_day_after(concern.date(), t.discussion_within_working_days, t.nation)
        candidates.append(_at(day, END_OF_DAY))
    return min(candidates, key=utc) if candidates else None


def _circulated_on_time(meeting: Meeting, due: datetime) -> bool | None:
    """On time if every participant had the record (circulation.coverage: sent by strat, or a
    draft the user says they sent) before the deadline; None while someone is still missing.
    A draft alone is only prepared, so it does not count."""
    from .circulation import coverage

    done = coverage(meeting.participants, meeting.circulation).complete_at
    if done is None:
        return None
    return met_in_time(done, due)


def met_in_time(done: datetime, due: datetime) -> bool:
    """A deadline is met any time up to the end of its minute ("by 23:59" includes 23:59):
    one rule for circulation, the action summary and the minutes, in check, show and due."""
    return before(done, due + timedelta(minutes=1))


# --- what a chair types for an action's due time ---------------------------------------------

_EXAMPLES = "e.g. 'tomorrow 9am', 'within 2 hours', '2 working days', 'fri 16:00', '25/11 17:00'"

_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        (
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed", "weds"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        )
    )
    for name in names
}
_MONTH_NAMES = {
    name: i + 1
    for i, full in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        )
    )
    for name in {full, full[:3], full[:4]}
}

_TIME = r"(?P<time>\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)|\d{1,2}[:.]\d{2}|noon|midday)"
_OPT_TIME = rf"(?:\s+(?:at\s+)?{_TIME})?"
_RE_TIME = re.compile(rf"^{_TIME}$")
_RE_DURATION = re.compile(
    r"^(?:(?:with)?in\s+)?(?P<n>\d+(?:\.\d+)?|an?|one)\s*"
    r"(?P<unit>h|hr|hrs|hour|hours|m|min|mins|minute|minutes)$"
)
_RE_WORKING = re.compile(
    r"^(?:within\s+|in\s+)?(?P<n>\d+|one|a)\s*(?:(?:working|work|business)\s*days?|wds?)"
    rf"{_OPT_TIME}$"
)
_RE_DAYS = re.compile(
    rf"^(?:within\s+|in\s+)?(?P<n>\d+|one|a)\s*(?P<unit>days?|weeks?){_OPT_TIME}$"
)
_RE_RELATIVE_DAY = re.compile(rf"^(?P<day>today|tomorrow|tmrw|tmw){_OPT_TIME}$")
_RE_TIME_DAY = re.compile(rf"^{_TIME}\s+(?P<day>today|tomorrow|tmrw|tmw)$")
_RE_EOD = re.compile(r"^(?:end of (?:the )?day|eod|cob|close of (?:play|business)|cop)$")
_RE_NEXT_WD = re.compile(rf"^next\s+(?:working|work|business)\s+day{_OPT_TIME}$")
_RE_WEEKDAY = re.compile(rf"^(?:next\s+|this\s+)?(?P<wday>[a-z]+){_OPT_TIME}$")
_RE_DMY = re.compile(
    rf"^(?P<d>\d{{1,2}})[/.-](?P<m>\d{{1,2}})(?:[/.-](?P<y>\d{{2}}|\d{{4}}))?{_OPT_TIME}$"
)
_RE_ISO = re.compile(rf"^(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}}){_OPT_TIME}$")
_RE_ISO_T = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})t(?P<time>\d{1,2}:\d{2})$")
_RE_D_MON = re.compile(
    rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon>[a-z]+)\.?(?:\s+(?P<y>\d{{4}}))?{_OPT_TIME}$"
)
_RE_MON_D = re.compile(
    rf"^(?P<mon>[a-z]+)\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{{4}}))?{_OPT_TIME}$"
)
_RE_BEFORE_ICPC = re.compile(r"^(?:before|by)\s+(?:the\s+)?(?:icpc|conference)$")
_RE_BEFORE_NEXT = re.compile(
    r"^(?:before|by)\s+(?:the\s+)?next\s+(?:strategy\s+)?(?:discussion|meeting|strat)$"
)


# Longer than any action plan (about ten years): counting further is slow and pointless.
MAX_AHEAD_WORKING_DAYS = 2600


def _too_far(text: str) -> InputError:
    return InputError(
        "the due time is too far ahead: give a date within the next few years, "
        "e.g. '5 working days' or '25/11 17:00'"
    )


def _bad(text: str, why: str = "") -> InputError:
    reason = f" ({why})" if why else ""
    return InputError(f"cannot read the due time{reason}: {_EXAMPLES}")  # never the typed text


def _clock(raw: str | None, text: str) -> time | None:
    """'17:00', '9am', '9.30pm', 'noon' → a time; None when no time was typed."""
    if raw is None:
        return None
    raw = raw.replace(" ", "")
    try:
        clock = read_clock(raw)  # the one reading of a clock (timeutil)
    except ValueError:
        raise _bad(text, f"no such time {raw}") from None
    if clock is None:
        raise _bad(text)
    return clock


def _count(raw: str) -> int:
    return 1 if raw in ("a", "an", "one") else int(raw)


def _date(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _bad(text, f"no such date {day}/{month}/{year}") from None


def _month(raw: str, text: str) -> int:
    month = _MONTH_NAMES.get(raw)
    if month is None:
        raise _bad(text, "unknown month")
    return month


def _day_and_month(text: str, now: datetime, d: int, m: int, y: str | None) -> date:
    """A day and month; without a year, the next such date from today (05/01 typed in December
    is next January). A date in the past with a year given is left for the caller to refuse."""
    if y is not None:
        year = int(y)
        return _date(text, year + 2000 if year < 100 else year, m, d)
    for year in range(now.year, now.year + 9):  # 29/02 may need a few years
        try:
            day = date(year, m, d)
        except ValueError:
            continue
        if day >= now.date():
            return day
    raise _bad(text, f"no such date {d}/{m}")


def resolve_due(
    text: str,
    now: datetime,
    agenda: Agenda,
    meeting: Meeting | None = None,
    *,
    now_is: str = "now",
) -> datetime:
    """Turn a due time as typed by the chair into a UK local datetime, or raise InputError.

    Dates without a time mean 17:00; working days skip the area's bank holidays; anything that
    would be due before `now` (in real time) is refused rather than guessed at. A day and month
    without a year mean the next such date. `now_is` names what `now` is in that refusal
    ("now", or "the meeting's end" for an answers file). The forms: 17:00, today 17:00, eod;
    tomorrow 9am; within 1 hour, in 30 minutes, 2 hours; 2 working days (12:00), next working
    day; 3 days, 1 week; fri 16:00, monday; 25/11 17:00, 25/11/2026, 2026-11-25 17:00,
    25 Nov 17:00; before ICPC (09:00 on the target day); before next discussion.
    """
    now = _london(now)
    try:
        due = _parse_due(text, now, agenda, meeting)
    except (OverflowError, ValueError):  # date arithmetic past the year 9999
        raise _too_far(text) from None
    from .model import date_problem

    if date_problem(due):  # 31/12/9999 typed as a placeholder: beyond what a record holds
        raise _too_far(text)
    if before(due, now):
        raise InputError(
            f"the due time would be {format_uk(due)}, which has already passed "
            f"({now_is} {format_uk(now)}); give a later time, e.g. 'tomorrow 9am'"
        )
    return due


# Forms that count calendar days or name a day: they can land on a weekend or bank holiday.
_CALENDAR_FORMS = (_RE_DAYS, _RE_RELATIVE_DAY, _RE_TIME_DAY, _RE_ISO, _RE_ISO_T, _RE_DMY)


def _calendar_form(raw: str) -> bool:
    if any(form.match(raw) for form in _CALENDAR_FORMS):
        return True
    if (m := _RE_D_MON.match(raw)) or (m := _RE_MON_D.match(raw)):
        return m.group("mon") in _MONTH_NAMES
    return bool((m := _RE_WEEKDAY.match(raw)) and m.group("wday") in _WEEKDAYS)


def non_working_day(text: str, due: datetime, nation: str) -> str | None:
    """Why a due time typed as calendar days ('tomorrow 12:00', 'Fri 10:00', '3 days', a date)
    falls on a day the office is shut, e.g. 'Fri 25 Dec 2026 is a bank holiday (Christmas
    Day) in England'; None for a working day or a form that counts working days or hours."""
    raw = " ".join(text.strip().lower().split())
    if raw.startswith("by "):
        raw = raw[3:]
    if not _calendar_form(raw):
        return None
    day = _london(due).date()
    if is_working_day(day, nation):
        return None
    if day.weekday() >= 5:
        return f"{format_uk_date(day)} is a {'Saturday' if day.weekday() == 5 else 'Sunday'}"
    name = calendar(nation).get(day) or "bank holiday"
    return f"{format_uk_date(day)} is a bank holiday ({name}) in {NATION_NAMES[nation]}"


def next_working_moment(due: datetime, nation: str) -> datetime:
    """The same clock time on the next working day: what strat offers instead of a day off."""
    local = _london(due)
    day = next_working_day_on_or_after(local.date(), nation)
    return _at(day, local.time().replace(tzinfo=None))


def _parse_due(text: str, now: datetime, agenda: Agenda, meeting: Meeting | None) -> datetime:
    # a wall time in the hour the clocks go back is the reading not yet passed, unless the
    # chair says which ('01:30 GMT')
    raw, zone = split_zone(" ".join(text.strip().lower().split()))
    if raw.startswith("by ") and not _RE_BEFORE_ICPC.match(raw) and not _RE_BEFORE_NEXT.match(raw):
        raw = raw[3:]
    if not raw:
        raise InputError(f"no due time given: {_EXAMPLES}")
    nation = agenda.timescales.nation
    today = now.date()
    default_time = agenda.timescales.default_due_time  # a date without a time (17:00)

    def on(day: date, clock_raw: str | None) -> datetime:
        return wall(day, _clock(clock_raw, text) or default_time, zone=zone, after=now)

    if m := _RE_TIME.match(raw):
        clock = _clock(m.group("time"), text)
        assert clock is not None
        return wall(today, clock, zone=zone, after=now)
    if _RE_EOD.match(raw):
        return _at(today, default_time)
    if m := _RE_DURATION.match(raw):
        n = float(m.group("n")) if m.group("n")[0].isdigit() else 1.0
        hours = n if m.group("unit").startswith("h") else n / 60
        return add_hours(now, hours)
    if m := _RE_WORKING.match(raw):
        n = _count(m.group("n"))
        if n > MAX_AHEAD_WORKING_DAYS:
            raise _too_far(text)
        return on(_nth_working_day_after(today, n, nation), m.group("time"))
    if m := _RE_NEXT_WD.match(raw):
        return on(_nth_working_day_after(today, 1, nation), m.group("time"))
    if m := _RE_DAYS.match(raw):
        n = _count(m.group("n")) * (7 if m.group("unit").startswith("week") else 1)
        return on(today + timedelta(days=n), m.group("time"))
    if (m := _RE_RELATIVE_DAY.match(raw)) or (m := _RE_TIME_DAY.match(raw)):
        offset = 0 if m.group("day") == "today" else 1
        return on(today + timedelta(days=offset), m.group("time"))
    if _RE_BEFORE_ICPC.match(raw):
        return _before_icpc(text, meeting, agenda)
    if _RE_BEFORE_NEXT.match(raw):
        if meeting is None or meeting.next_discussion is None:
            raise InputError(
                "the due time: no next discussion is set for this meeting yet; "
                "set it first or give a date, e.g. '2 working days'"
            )
        return _london(meeting.next_discussion)
    if m := _RE_ISO_T.match(raw):
        day = _date(text, int(m.group("y")), int(m.group("m")), int(m.group("d")))
        return on(day, m.group("time"))
    if m := _RE_ISO.match(raw):
        day = _date(text, int(m.group("y")), int(m.group("m")), int(m.group("d")))
        return on(day, m.group("time"))
    if m := _RE_DMY.match(raw):
        day = _day_and_month(text, now, int(m.group("d")), int(m.group("m")), m.group("y"))
        return on(day, m.group("time"))
    if (m := _RE_D_MON.match(raw)) and m.group("mon") in _MONTH_NAMES:
        month = _month(m.group("mon"), text)
        return on(
            _day_and_month(text, now, int(m.group("d")), month, m.group("y")), m.group("time")
        )
    if (m := _RE_MON_D.match(raw)) and m.group("mon") in _MONTH_NAMES:
        month = _month(m.group("mon"), text)
        return on(
            _day_and_month(text, now, int(m.group("d")), month, m.group("y")), m.group("time")
        )
    if (m := _RE_WEEKDAY.match(raw)) and m.group("wday") in _WEEKDAYS:
        ahead = (_WEEKDAYS[m.group("wday")] - today.weekday() - 1) % 7 + 1
        return on(today + timedelta(days=ahead), m.group("time"))
    raise _bad(text)


def _before_icpc(text: str, meeting: Meeting | None, agenda: Agenda) -> datetime:
    target = meeting_deadlines(meeting, agenda).icpc_target if meeting is not None else None
    if target is None:
        raise InputError(
            "the due time: there is no ICPC target because no s47 enquiry has been "
            "decided; give a date instead, e.g. '5 working days'"
        )
    return _at(target, agenda.timescales.icpc_due_time)


# --- showing dates -----------------------------------------------------------------------------


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    if hours:
        return f"{hours} h"
    return f"{minutes} min"


def describe_due(due: datetime, now: datetime) -> str:
    """'Tue 24 Nov 2026 17:00 (tomorrow)': the full date plus how far off it is, so the chair
    sees at once whether strat understood what was typed."""
    due_l, now_l = _london(due), _london(now)
    days = (due_l.date() - now_l.date()).days
    delta = elapsed(now_l, due_l)  # real time: the hour the clocks go back counts
    if days == 0:
        relative = (
            f"today, in {_span(delta)}" if delta >= timedelta(0) else f"today, {_span(delta)} ago"
        )
    elif days == 1:
        relative = "tomorrow"
    elif days == -1:
        relative = "yesterday"
    elif days > 1:
        relative = f"in {days} days"
    else:
        relative = f"{-days} days ago"
    return f"{format_uk(due_l)} ({relative})"
