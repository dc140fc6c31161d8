"""Deadlines: working days per UK nation, a meeting's statutory dates, and typed due times.

Every `now` is fixed; nothing here reads the clock.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from strat_cli.agenda import Agenda, get_agenda
from strat_cli.deadlines import (
    add_working_days,
    calendar,
    describe_due,
    format_uk,
    format_uk_date,
    is_working_day,
    meeting_deadlines,
    next_working_day_on_or_after,
    resolve_due,
)
from strat_cli.errors import InputError
from strat_cli.model import LONDON, Child, CirculationEntry, Decision, Meeting, Outcome

NATIONS = ("ENG", "WLS", "SCT", "NIR")


def at(y: int, mo: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON)


def area(nation: str = "ENG", **timescales: Any) -> Agenda:
    """The national agenda with the given nation and timescales."""
    base = get_agenda("national")
    ts = base.timescales.model_copy(update={"nation": nation, **timescales})
    return base.model_copy(update={"timescales": ts})


def meeting(start: datetime, s47: bool = False, **fields: Any) -> Meeting:
    decisions = (
        [Decision(id="D1", child_id="C1", outcome=Outcome.s47_joint, rationale="Bruising.")]
        if s47
        else []
    )
    children = [Child(id="C1", name="Pip Zephyrine")] if s47 else []
    return Meeting(
        id="SD-2026-0042",
        agenda="national",
        started_at=start,
        children=children,
        decisions=decisions,
        **fields,
    )


# --- bank holidays by nation -----------------------------------------------------------------


def test_calendar_is_cached_per_nation_and_refuses_unknown_nations() -> None:
    assert calendar("ENG") is calendar("ENG")
    assert calendar("ENG") is not calendar("SCT")
    with pytest.raises(InputError, match="unknown nation 'GB'"):
        calendar("GB")


@pytest.mark.parametrize("nation", NATIONS)
def test_christmas_and_boxing_day_with_weekend_substitutes(nation: str) -> None:
    # 2026: Christmas is a Friday, Boxing Day a Saturday -> Monday 28 Dec is the substitute.
    assert not is_working_day(date(2026, 12, 25), nation)
    assert not is_working_day(date(2026, 12, 28), nation)
    assert is_working_day(date(2026, 12, 29), nation)
    # 2027: both fall at the weekend -> Monday 27 and Tuesday 28 Dec are substitutes.
    assert not is_working_day(date(2027, 12, 27), nation)
    assert not is_working_day(date(2027, 12, 28), nation)
    assert add_working_days(at(2027, 12, 24, 15), 1, nation) == at(2027, 12, 29, 15)


@pytest.mark.parametrize("nation", NATIONS)
def test_good_friday_is_a_holiday_everywhere(nation: str) -> None:
    assert not is_working_day(date(2026, 4, 3), nation)


@pytest.mark.parametrize("nation", ["ENG", "WLS", "NIR"])
def test_easter_monday_is_a_holiday_outside_scotland(nation: str) -> None:
    assert not is_working_day(date(2026, 4, 6), nation)
    assert add_working_days(at(2026, 4, 2), 1, nation) == at(2026, 4, 7)


def test_easter_monday_is_a_working_day_in_scotland() -> None:
    assert is_working_day(date(2026, 4, 6), "SCT")
    assert add_working_days(at(2026, 4, 2), 1, "SCT") == at(2026, 4, 6)


def test_scotland_has_2_january_and_st_andrews_day() -> None:
    assert not is_working_day(date(2026, 1, 2), "SCT")
    assert is_working_day(date(2026, 1, 2), "ENG")
    assert not is_working_day(date(2026, 11, 30), "SCT")  # a Monday
    assert is_working_day(date(2026, 11, 30), "ENG")
    # 30 Nov 2025 is a Sunday: Monday 1 December is the substitute in Scotland only.
    assert not is_working_day(date(2025, 12, 1), "SCT")
    assert is_working_day(date(2025, 12, 1), "ENG")


def test_scotland_takes_the_first_monday_of_august_not_the_last() -> None:
    assert not is_working_day(date(2026, 8, 3), "SCT")
    assert is_working_day(date(2026, 8, 31), "SCT")
    assert is_working_day(date(2026, 8, 3), "ENG")
    assert not is_working_day(date(2026, 8, 31), "ENG")


def test_northern_ireland_has_st_patricks_day_and_the_twelfth() -> None:
    assert not is_working_day(date(2026, 3, 17), "NIR")
    assert is_working_day(date(2026, 3, 17), "ENG")
    assert not is_working_day(date(2027, 7, 12), "NIR")
    # 12 July 2026 is a Sunday: Monday 13 July is the substitute.
    assert not is_working_day(date(2026, 7, 13), "NIR")
    assert is_working_day(date(2026, 7, 13), "WLS")


def test_next_working_day_on_or_after_skips_weekends_and_holidays() -> None:
    assert next_working_day_on_or_after(date(2026, 11, 23), "ENG") == date(2026, 11, 23)
    assert next_working_day_on_or_after(date(2026, 11, 21), "ENG") == date(2026, 11, 23)
    assert next_working_day_on_or_after(date(2026, 12, 25), "ENG") == date(2026, 12, 29)


def test_add_working_days_keeps_the_clock_time_and_counts_a_weekend_start_from_monday() -> None:
    assert add_working_days(at(2026, 11, 20, 14, 30), 1, "ENG") == at(2026, 11, 23, 14, 30)
    assert add_working_days(at(2026, 11, 21, 14, 30), 1, "ENG") == at(2026, 11, 23, 14, 30)
    assert add_working_days(at(2026, 11, 21, 14, 30), 0, "ENG") == at(2026, 11, 23, 14, 30)
    assert add_working_days(at(2026, 11, 23, 9), 5, "ENG") == at(2026, 11, 30, 9)


# --- a meeting's deadlines -------------------------------------------------------------------


def test_icpc_counts_15_working_days_over_christmas_and_new_year() -> None:
    m = meeting(at(2026, 12, 14), s47=True)
    assert meeting_deadlines(m, area("ENG")).icpc_target == date(2027, 1, 7)
    # Scotland also closes on 4 January 2027 (2 January falls on a Saturday).
    assert meeting_deadlines(m, area("SCT")).icpc_target == date(2027, 1, 8)


@pytest.mark.parametrize("nation", NATIONS)
def test_icpc_target_never_falls_on_a_weekend_or_bank_holiday(nation: str) -> None:
    rules = area(nation)
    day = date(2026, 1, 1)
    while day < date(2028, 1, 1):
        start = at(day.year, day.month, day.day)
        target = meeting_deadlines(meeting(start, s47=True), rules).icpc_target
        assert target is not None
        assert is_working_day(target, nation), (day, target)
        day += timedelta(days=1)


def test_icpc_counts_from_the_last_discussion_when_the_area_says_last() -> None:
    m = meeting(at(2026, 11, 19), s47=True, s47_started_at=at(2026, 11, 5))
    d = meeting_deadlines(m, area(icpc_from="last"))
    assert d.icpc_counted_from == at(2026, 11, 19)
    assert d.icpc_target == date(2026, 12, 10)


def test_icpc_counts_from_the_initiating_discussion_when_the_area_says_initiating() -> None:
    m = meeting(at(2026, 11, 19), s47=True, s47_started_at=at(2026, 11, 5))
    d = meeting_deadlines(m, area(icpc_from="initiating"))
    assert d.icpc_counted_from == at(2026, 11, 5)
    assert d.icpc_target == date(2026, 11, 26)


def test_initiating_falls_back_to_this_meeting_when_it_started_s47() -> None:
    d = meeting_deadlines(meeting(at(2026, 11, 19), s47=True), area(icpc_from="initiating"))
    assert d.icpc_counted_from == at(2026, 11, 19)


def test_no_icpc_target_without_an_s47_decision() -> None:
    d = meeting_deadlines(meeting(at(2026, 11, 19)), area())
    assert d.icpc_target is None
    assert d.icpc_counted_from is None


def test_summary_minutes_and_circulation_count_from_the_end_of_the_meeting() -> None:
    m = meeting(at(2026, 11, 20, 15), ended_at=at(2026, 11, 20, 16, 10))
    d = meeting_deadlines(m, area(minutes_authorised_within_hours=24))
    assert d.summary_due == at(2026, 11, 20, 17, 10)
    assert d.minutes_authorised_due == at(2026, 11, 21, 16, 10)
    assert d.circulation_due == at(2026, 11, 23, 23, 59)  # Friday -> end of Monday


def test_deadlines_count_from_the_start_while_the_meeting_is_running() -> None:
    d = meeting_deadlines(meeting(at(2026, 11, 20, 15)), area())
    assert d.summary_due == at(2026, 11, 20, 16)
    assert d.minutes_authorised_due is None  # the national agenda sets no such rule


def test_hour_deadlines_are_elapsed_hours_across_the_clock_change() -> None:
    # Clocks go back at 02:00 on Sunday 25 October 2026: 24 hours later is 11:00 on the clock.
    m = meeting(at(2026, 10, 24, 11), ended_at=at(2026, 10, 24, 12))
    d = meeting_deadlines(m, area(minutes_authorised_within_hours=24))
    assert d.minutes_authorised_due == at(2026, 10, 25, 11)


def test_circulation_on_time_is_judged_from_the_first_real_circulation() -> None:
    m = meeting(at(2026, 11, 20, 15), ended_at=at(2026, 11, 20, 16))
    assert meeting_deadlines(m, area()).circulated_on_time is None
    m.circulation.append(CirculationEntry(at=at(2026, 11, 20, 16, 30), method="draft"))
    assert meeting_deadlines(m, area()).circulated_on_time is None  # nobody to send it to
    m.circulation.append(
        CirculationEntry(at=at(2026, 11, 23, 23, 59), method="smtp", delivered=["a@x.example"])
    )
    assert meeting_deadlines(m, area()).circulated_on_time is True


def test_circulation_after_the_working_day_is_late() -> None:
    m = meeting(at(2026, 11, 20, 15), ended_at=at(2026, 11, 20, 16))
    m.circulation.append(
        CirculationEntry(
            at=at(2026, 11, 24, 9),
            method="smtp",
            recipients=["a@x.example"],
            delivered=["a@x.example"],
        )
    )
    assert meeting_deadlines(m, area()).circulated_on_time is False


def test_a_draft_is_not_circulation_until_it_is_recorded_as_sent() -> None:
    m = meeting(at(2026, 11, 20, 15), ended_at=at(2026, 11, 20, 16))
    m.circulation.append(
        CirculationEntry(at=at(2026, 11, 20, 17), method="draft", recipients=["a@x.example"])
    )
    assert meeting_deadlines(m, area()).circulated_on_time is None
    m.circulation.append(
        CirculationEntry(
            at=at(2026, 11, 20, 17, 30),
            method="draft sent",
            recipients=["a@x.example"],
            delivered=["a@x.example"],
        )
    )
    assert meeting_deadlines(m, area()).circulated_on_time is True


def test_discussion_due_within_hours_of_the_concern() -> None:
    m = meeting(at(2026, 11, 20, 15), concern_identified_at=at(2026, 11, 19, 9))
    assert meeting_deadlines(m, area()).discussion_due == at(2026, 11, 20, 9)


def test_discussion_due_within_working_days_of_the_concern() -> None:
    m = meeting(at(2026, 11, 20, 15), concern_identified_at=at(2026, 11, 19, 9))
    rules = area(discussion_within_hours=None, discussion_within_working_days=3)
    assert meeting_deadlines(m, rules).discussion_due == at(2026, 11, 24, 23, 59)


def test_no_discussion_due_without_the_concern_time() -> None:
    assert meeting_deadlines(meeting(at(2026, 11, 20)), area()).discussion_due is None


# --- what the chair types --------------------------------------------------------------------

MONDAY = at(2026, 11, 23, 10, 30)  # Monday 23 November 2026, 10:30


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("today 17:00", at(2026, 11, 23, 17)),
        ("tomorrow 9am", at(2026, 11, 24, 9)),
        ("tomorrow 09:30", at(2026, 11, 24, 9, 30)),
        ("Tomorrow", at(2026, 11, 24, 17)),
        ("noon tomorrow", at(2026, 11, 24, 12)),
        ("17:00", at(2026, 11, 23, 17)),
        ("4.30pm", at(2026, 11, 23, 16, 30)),
        ("within 1 hour", at(2026, 11, 23, 11, 30)),
        ("within 2 hours", at(2026, 11, 23, 12, 30)),
        ("in 30 minutes", at(2026, 11, 23, 11)),
        ("2 working days", at(2026, 11, 25, 17)),
        ("within 2 working days", at(2026, 11, 25, 17)),
        ("2 working days 12:00", at(2026, 11, 25, 12)),
        ("3 days", at(2026, 11, 26, 17)),
        ("end of day", at(2026, 11, 23, 17)),
        ("EOD", at(2026, 11, 23, 17)),
        ("next working day", at(2026, 11, 24, 17)),
        ("monday 10:00", at(2026, 11, 30, 10)),
        ("fri 16:00", at(2026, 11, 27, 16)),
        ("by Friday", at(2026, 11, 27, 17)),
        ("25/11 17:00", at(2026, 11, 25, 17)),
        ("25/11/2026 17:00", at(2026, 11, 25, 17)),
        ("2026-11-25 17:00", at(2026, 11, 25, 17)),
        ("25 Nov 17:00", at(2026, 11, 25, 17)),
        ("25 November 2026", at(2026, 11, 25, 17)),
        ("5/1", at(2027, 1, 5, 17)),  # a day already past this year means next year
    ],
)
def test_resolve_due_understands_what_a_chair_types(typed: str, expected: datetime) -> None:
    due = resolve_due(typed, MONDAY, area())
    assert due == expected
    assert due.tzinfo == LONDON


def test_working_day_rules_skip_the_areas_bank_holidays() -> None:
    christmas_eve = at(2026, 12, 24, 10)
    assert resolve_due("2 working days", christmas_eve, area("ENG")) == at(2026, 12, 30, 17)
    assert resolve_due("next working day", christmas_eve, area("NIR")) == at(2026, 12, 29, 17)
    maundy_thursday = at(2026, 4, 2, 10)
    assert resolve_due("next working day", maundy_thursday, area("ENG")) == at(2026, 4, 7, 17)
    assert resolve_due("next working day", maundy_thursday, area("SCT")) == at(2026, 4, 6, 17)


def test_before_icpc_is_nine_on_the_icpc_target_day() -> None:
    m = meeting(at(2026, 11, 19), s47=True)
    assert resolve_due("before ICPC", MONDAY, area(), m) == at(2026, 12, 10, 9)


def test_before_icpc_without_s47_is_refused() -> None:
    with pytest.raises(InputError, match="no ICPC target because no s47"):
        resolve_due("before ICPC", MONDAY, area(), meeting(at(2026, 11, 19)))


def test_before_next_discussion_uses_the_meetings_next_discussion() -> None:
    m = meeting(at(2026, 11, 19), next_discussion=at(2026, 11, 26, 14))
    assert resolve_due("before next discussion", MONDAY, area(), m) == at(2026, 11, 26, 14)
    with pytest.raises(InputError, match="no next discussion is set"):
        resolve_due("before next discussion", MONDAY, area(), meeting(at(2026, 11, 19)))


@pytest.mark.parametrize(
    "typed",
    [
        "banana",
        "soonish",
        "25/13",
        "31/02",
        "25:00",
        "",
        "tomorrow 13pm",
        "when Ellie Marsh is home",
    ],
)
def test_nonsense_is_refused_with_examples_but_never_repeats_the_typed_text(typed: str) -> None:
    """What was typed may name a child: the message names the problem, not the text."""
    with pytest.raises(InputError) as caught:
        resolve_due(typed, MONDAY, area())
    message = caught.value.message
    assert "tomorrow 9am" in message
    assert "\n" not in message
    if typed:
        assert repr(typed) not in message and "Ellie" not in message


@pytest.mark.parametrize("typed", ["09:00", "end of day", "20/11/2026", "2026-11-23 10:00"])
def test_times_already_past_are_refused(typed: str) -> None:
    late_monday = at(2026, 11, 23, 17, 30)
    with pytest.raises(InputError, match="has already passed"):
        resolve_due(typed, late_monday, area())


def test_a_naive_now_is_taken_as_uk_time() -> None:
    assert resolve_due("within 1 hour", datetime(2026, 11, 23, 10), area()) == at(2026, 11, 23, 11)


# --- showing dates ---------------------------------------------------------------------------


def test_uk_formats() -> None:
    assert format_uk_date(date(2026, 11, 24)) == "Tue 24 Nov 2026"
    assert format_uk(at(2026, 11, 24, 17)) == "Tue 24 Nov 2026 17:00"
    utc_summer = datetime.fromisoformat("2026-07-01T16:00:00+00:00")
    assert format_uk(utc_summer) == "Wed 1 Jul 2026 17:00"


def test_describe_due_says_how_far_off_the_date_is() -> None:
    assert describe_due(at(2026, 11, 24, 17), MONDAY) == "Tue 24 Nov 2026 17:00 (tomorrow)"
    assert (
        describe_due(at(2026, 11, 23, 12), MONDAY) == "Mon 23 Nov 2026 12:00 (today, in 1 h 30 min)"
    )
    assert describe_due(at(2026, 11, 27, 16), MONDAY) == "Fri 27 Nov 2026 16:00 (in 4 days)"
    assert describe_due(at(2026, 11, 20, 9), MONDAY) == "Fri 20 Nov 2026 09:00 (3 days ago)"


def test_bank_holidays_are_cached_per_nation_and_year(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later process answers from the cache without importing the holidays package."""
    from strat_cli import deadlines

    deadlines.use_cache(tmp_path / "cache")
    try:
        assert not is_working_day(date(2026, 12, 28), "ENG")  # Boxing Day substitute
        (cached,) = (tmp_path / "cache").glob("holidays-gb-*.json")
        assert "2026-12-28" in json.loads(cached.read_text(encoding="utf-8"))["ENG:2026"]

        deadlines._holidays_in.cache_clear()  # as a new process would start

        def no_package(nation: str) -> None:
            raise AssertionError("the holidays package was asked again")

        monkeypatch.setattr(deadlines, "calendar", no_package)
        assert not is_working_day(date(2026, 12, 25), "ENG")
        assert is_working_day(date(2026, 12, 29), "ENG")
    finally:
        deadlines.use_cache(None)


def test_a_damaged_holiday_cache_is_asked_again(tmp_path: Path) -> None:
    from strat_cli import deadlines

    deadlines.use_cache(tmp_path)
    try:
        assert not is_working_day(date(2026, 4, 6), "ENG")  # Easter Monday
        (cached,) = tmp_path.glob("holidays-gb-*.json")
        cached.write_text('{"ENG:2026": ["not a date"]', encoding="utf-8")
        deadlines._holidays_in.cache_clear()
        assert not is_working_day(date(2026, 4, 6), "ENG")
        assert is_working_day(date(2026, 4, 6), "SCT")  # not a holiday in Scotland
    finally:
        deadlines.use_cache(None)


def test_only_the_first_discussion_of_a_concern_has_a_discussion_deadline() -> None:
    m = meeting(at(2026, 11, 20, 15), concern_identified_at=at(2026, 11, 19, 9))
    assert meeting_deadlines(m, area()).discussion_due is not None
    m.previous = ["SD-2026-0001"]
    assert meeting_deadlines(m, area()).discussion_due is None


# --- the ICPC target of a follow-up (s47 under way, nothing decided yet) -----------------------


def _follow_up_of_typical(days_later: int) -> tuple[Meeting, Meeting]:
    from strat_cli.followup import start_follow_up
    from strat_cli.samples import START, typical

    first = typical()
    assert first.s47_decided
    follow = start_follow_up(first, "SD-2026-0002", START + timedelta(days=days_later))
    assert not follow.decisions  # a draft follow-up has decided nothing yet
    return first, follow


def test_a_follow_up_keeps_the_icpc_target_of_the_initiating_discussion() -> None:
    first, follow = _follow_up_of_typical(7)  # Thu 26 Nov 2026
    rules = area(icpc_from="initiating")
    d = meeting_deadlines(follow, rules)
    assert d.icpc_counted_from == first.started_at
    assert d.icpc_target == meeting_deadlines(first, rules).icpc_target == date(2026, 12, 10)


def test_a_follow_up_counts_the_icpc_from_itself_when_the_area_says_last() -> None:
    _, follow = _follow_up_of_typical(7)  # Thu 26 Nov 2026
    d = meeting_deadlines(follow, area(icpc_from="last"))
    assert d.icpc_counted_from == follow.started_at
    assert d.icpc_target == date(2026, 12, 17)  # 15 working days after 26 Nov


def test_before_icpc_works_in_a_follow_up_before_any_decision() -> None:
    _, follow = _follow_up_of_typical(7)
    due = resolve_due("before ICPC", at(2026, 11, 26, 11), area(icpc_from="initiating"), follow)
    assert due == at(2026, 12, 10, 9)


# --- typed due times too far ahead are refused, not a crash ----------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "99999999 days",
        "99999999 weeks",
        "99999999 working days",
        "within 99999999 hours",
        "9" * 400 + " hours",
        "9" * 5000 + " days",
    ],
)
def test_a_due_time_too_far_ahead_is_refused(typed: str) -> None:
    with pytest.raises(InputError, match="too far ahead"):
        resolve_due(typed, MONDAY, area())


def test_a_follow_up_that_decides_no_s47_ends_the_icpc_clock() -> None:
    """Under way while the follow-up has no decisions; none once it decides no s47 for anyone."""
    from strat_cli.followup import start_follow_up
    from strat_cli.model import Decision, Outcome
    from strat_cli.samples import typical

    later = start_follow_up(typical(), "SD-2026-0002", at(2026, 11, 25, 10))
    rules = get_agenda("national")
    assert meeting_deadlines(later, rules).icpc_target is not None
    later.decisions = [
        Decision(
            id=f"D{n}", child_id=c, outcome=Outcome.s17, rationale="Concerns not substantiated"
        )
        for n, c in enumerate(("C1", "C2"), start=1)
    ]
    assert meeting_deadlines(later, rules).icpc_target is None


@pytest.mark.parametrize("nation", ["ENG", "WLS", "SCT", "NIR"])
def test_working_days_agree_with_the_holidays_library_for_every_day_of_2025_to_2027(
    nation: str,
) -> None:
    """strat counts working days over its cached bank holidays (no `holidays` import on the
    path of a command); the library's own counting is the reference it must agree with."""
    import holidays

    from strat_cli.deadlines import _nth_working_day_after

    reference = holidays.country_holidays("GB", subdiv=nation, years=range(2025, 2029))
    day = date(2025, 1, 1)
    while day <= date(2027, 12, 31):
        for n in (1, 3, 15):
            assert _nth_working_day_after(day, n, nation) == reference.get_nth_working_day(day, n)
        day += timedelta(days=1)
