"""The day the ICPC clock starts has one home (deadlines.icpc_clock_start): the target, `strat
check`'s icpc.late, `strat icpc` and the report's "Held by its ICPC target" count from it. The
report's national measure (working days from the s47 start, as the Children in Need statistics
count them) keeps its own start (deadlines.s47_start_day) under its own name.

Seed 001 counts the conference "within 15 working days of the last Strategy Discussion", seed 004
"within 15 working days of the strategy meeting that decided to initiate section 47 enquiries":
the area says which (timescales.icpc_from).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from strat_cli.agenda import Agenda, get_agenda
from strat_cli.check import check_meeting
from strat_cli.cli import app
from strat_cli.deadlines import icpc_clock_start, meeting_deadlines, s47_start_day
from strat_cli.model import LONDON, Meeting, Outcome
from strat_cli.oversight import record_icpc
from strat_cli.store import FolderStore

from .test_report import discussion, report_of, row

pytestmark = pytest.mark.one_store  # about dates, not where the record is kept

LATER = datetime(2027, 6, 1, 12, 0, tzinfo=LONDON)  # every conference below is in the past


def _in(nation: str) -> Agenda:
    national = get_agenda("national")
    return national.model_copy(
        update={"timescales": national.timescales.model_copy(update={"nation": nation})}
    )


def _s47(day: str, *, agenda: str = "national", held: str | None = None) -> Meeting:
    return discussion(
        "SD-2026-0001", day, agenda=agenda, outcomes=(Outcome.s47_joint,), icpc_held=held
    )


# --- where the clock starts, and its target, on the hard days ---------------------------------


@pytest.mark.parametrize(
    ("started", "nation", "day", "target"),
    [
        # Thu 24 Dec 2026, 23:59: 25 Dec, 28 Dec (Boxing Day's substitute) and 1 Jan are off
        ("2026-12-24T23:59", "ENG", date(2026, 12, 24), date(2027, 1, 19)),
        # Thu 31 Dec 2026, 23:59, across the year end: New Year's Day is off
        ("2026-12-31T23:59", "ENG", date(2026, 12, 31), date(2027, 1, 22)),
        # Scotland also has 2 January off (a Saturday in 2027: Mon 4 Jan instead)
        ("2026-12-31T23:59", "SCT", date(2026, 12, 31), date(2027, 1, 25)),
        # Thu 2 Apr 2026, 00:30 BST (23:30 UTC the day before): Good Friday, Easter Monday off
        ("2026-04-02T00:30", "ENG", date(2026, 4, 2), date(2026, 4, 27)),
    ],
)
def test_the_clock_starts_on_the_uk_day_of_the_discussion(
    started: str, nation: str, day: date, target: date
) -> None:
    m = _s47(started)
    m.started_at = m.started_at.astimezone(UTC)  # stored as UTC: the UK day still counts
    agenda = _in(nation)
    clock = icpc_clock_start(m, agenda)
    assert clock is not None and clock.date() == day
    assert s47_start_day(m) == day  # a first discussion: both measures start the same day
    dl = meeting_deadlines(m, agenda)
    assert dl.icpc_target == target
    assert dl.icpc_counted_from == clock


@pytest.mark.parametrize(
    ("started", "held", "cin_band", "in_time"),
    [
        ("2026-12-24T23:59", "2027-01-19", "11-15", True),  # the 15th working day: in time
        ("2026-12-24T23:59", "2027-01-20", "16-20", False),
        ("2026-04-02T00:30", "2026-04-27", "11-15", True),
        ("2026-04-02T00:30", "2026-04-28", "16-20", False),
    ],
)
def test_the_check_the_icpc_command_and_the_report_agree_on_the_hard_days(
    started: str, held: str, cin_band: str, in_time: bool
) -> None:
    m = _s47(started)
    m.started_at = m.started_at.astimezone(UTC)
    agenda = get_agenda("national")
    late = record_icpc(m, agenda, date.fromisoformat(held), who="Sol Marchetti", now=LATER)
    assert (late == "") is in_time
    flagged = any(g.code == "icpc.late" for g in check_meeting(m, agenda, now=LATER).gaps)
    assert flagged is (not in_time)
    month = date.fromisoformat(started[:10]).replace(day=1)
    r = report_of(m, date_from=month, date_to=month.replace(day=28))
    assert row(r, "icpc", cin_band)[1].count == 1
    assert row(r, "icpc", "Held by its ICPC target")[1].count == (1 if in_time else 0)
    assert row(r, "icpc", "Within 15 working days of the s47 start")[1].count == (
        1 if in_time else 0
    )


def test_a_late_conference_says_how_many_working_days_from_where_the_clock_started() -> None:
    m = _s47("2026-12-24T23:59")
    late = record_icpc(m, get_agenda("national"), date(2027, 1, 20), who="Sol Marchetti", now=LATER)
    assert late.endswith(
        ": 16 working days after the discussion of Thu 24 Dec 2026 the target counts from, "
        "where the area allows 15"
    )


# --- a follow-up: the area's clock and the national measure differ, under two names ----------


def _chain(agenda: str, held: str) -> Meeting:
    """s47 started Wed 2 Sep 2026; this follow-up on Wed 16 Sep continues it."""
    return discussion(
        "SD-2026-0002",
        "2026-09-16",
        agenda=agenda,
        outcomes=(Outcome.s47_joint,),
        s47_started="2026-09-02",
        previous=("SD-2026-0001",),
        icpc_held=held,
    )


@pytest.mark.parametrize(
    ("agenda", "clock", "target", "in_time"),
    [
        ("pan-lancashire", date(2026, 9, 16), date(2026, 10, 7), True),  # from the last
        ("west-midlands", date(2026, 9, 2), date(2026, 9, 23), False),  # from the initiating
        ("national", date(2026, 9, 2), date(2026, 9, 23), False),
    ],
)
def test_the_area_counts_from_its_discussion_and_the_report_names_the_two_measures_apart(
    agenda: str, clock: date, target: date, in_time: bool
) -> None:
    # held Wed 30 Sep: 20 working days after the s47 start, 10 after the follow-up
    m = _chain(agenda, "2026-09-30")
    ag = get_agenda(agenda)
    assert icpc_clock_start(m, ag).date() == clock  # type: ignore[union-attr]
    assert s47_start_day(m) == date(2026, 9, 2)  # the national measure never moves
    assert meeting_deadlines(m, ag).icpc_target == target
    flagged = any(g.code == "icpc.late" for g in check_meeting(m, ag, now=LATER).gaps)
    assert flagged is (not in_time)
    r = report_of(m)
    assert row(r, "icpc", "16-20")[1].count == 1  # counted from the s47 start, whatever the area
    assert row(r, "icpc", "Within 15 working days of the s47 start")[1].count == 0
    assert row(r, "icpc", "Held by its ICPC target")[1].count == (1 if in_time else 0)
    assert "Held by its ICPC target' is not this measure" in r.table("icpc").note


def test_strat_icpc_and_strat_check_on_a_follow_up_in_each_kind_of_area(
    runner: CliRunner, store: FolderStore
) -> None:
    for agenda, late in (("pan-lancashire", False), ("national", True)):
        m = _chain(agenda, "2026-09-30")
        m.icpc_held_on = None
        store.save(m)
        result = runner.invoke(app, ["icpc", m.id, "--held", "30/09/2026"])
        assert result.exit_code == 0, result.output
        said = "20 working days after the discussion of Wed 2 Sep 2026 the target counts from"
        assert (said in result.output) is late, result.output
        assert ("after its target of" in result.output) is late
        gaps = json.loads(runner.invoke(app, ["check", m.id, "--json"]).output)["gaps"]
        assert ("icpc.late" in {g["code"] for g in gaps}) is late


def test_a_conference_before_the_s47_start_is_refused_from_the_uk_day() -> None:
    # s47 decided Thu 2 Apr 2026 at 00:30 BST (1 Apr 23:30 UTC): 1 Apr is before it started
    m = _s47("2026-04-02T00:30")
    m.started_at = m.started_at.astimezone(UTC)
    from strat_cli.errors import InputError

    with pytest.raises(InputError, match=r"before the s47 enquiry started \(Thu 2 Apr 2026\)"):
        record_icpc(m, get_agenda("national"), date(2026, 4, 1), who="Sol Marchetti", now=LATER)
    record_icpc(m, get_agenda("national"), date(2026, 4, 2), who="Sol Marchetti", now=LATER)
    assert m.icpc_held_on == date(2026, 4, 2)
