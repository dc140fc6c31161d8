"""Who took part: one wording everywhere, in UK time."""

from __future__ import annotations

from datetime import UTC, datetime

from strat_cli.attendance import how_taking_part, include_officers
from strat_cli.model import Attendance, Meeting, Participant


def test_joining_and_leaving_times_are_shown_in_uk_time() -> None:
    p = Participant(
        id="P1",
        name="DS Priya Lamb",
        attendance=Attendance.remote,
        joined_at=datetime(2026, 7, 1, 9, 20, tzinfo=UTC),  # 10:20 in British Summer Time
        left_at=datetime(2026, 7, 1, 10, 5, tzinfo=UTC),
    )
    assert how_taking_part(p) == "phone/video, joined 10:20, left 11:05"


def test_apologies_carry_their_reason_unless_a_column_holds_it() -> None:
    p = Participant(
        id="P2", name="Rita Mensah", attendance=Attendance.apologies, apology_reason="In court"
    )
    assert how_taking_part(p) == "apologies (In court)"
    assert how_taking_part(p, with_reason=False) == "apologies"


def test_chair_and_minute_taker_are_listed_once_each() -> None:
    m = Meeting(
        id="SD-2026-0100",
        agenda="national",
        started_at=datetime(2026, 11, 19, 10, tzinfo=UTC),
        chair="Dana Okafor",
        minute_taker="Tom Aske",
        participants=[Participant(id="P1", name="dana okafor", role="Team Manager")],
    )
    added = include_officers(m)
    assert [p.name for p in added] == ["Tom Aske"]
    assert m.participants[0].is_chair and m.participants[1].is_minute_taker
    assert include_officers(m) == []  # idempotent
