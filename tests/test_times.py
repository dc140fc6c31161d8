"""Times a person can trust: the hour the clocks go back (BST→GMT, last Sunday of October),
whole working days in `due --within`, and calendar-day phrases that land on a day off."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from strat_cli.agenda import Agenda, get_agenda
from strat_cli.answers import build_meeting
from strat_cli.cli import app
from strat_cli.deadlines import (
    describe_due,
    format_uk,
    meeting_deadlines,
    non_working_day,
    resolve_due,
)
from strat_cli.editing import from_text, to_text
from strat_cli.errors import InputError, InvalidRecord
from strat_cli.index import Index, save_hook
from strat_cli.interview import actions
from strat_cli.model import LONDON, Action
from strat_cli.register import ActionFilter, due_meetings, open_actions
from strat_cli.rules import parse_clock
from strat_cli.samples import typical
from strat_cli.settings import Settings
from strat_cli.store import FolderStore
from strat_cli.timeutil import elapsed

from .conftest import EXAMPLES

# 25 Oct 2026: at 02:00 BST the clocks go back to 01:00 GMT, so 01:00-02:00 happens twice.
BST_0130 = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON)  # fold=0: the first, BST
GMT_0100 = datetime(2026, 10, 25, 1, 0, tzinfo=LONDON, fold=1)
GMT_0130 = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1)


def in_nation(nation: str) -> Agenda:
    agenda = get_agenda("national")
    timescales = agenda.timescales.model_copy(update={"nation": nation})
    return agenda.model_copy(update={"timescales": timescales})


# --- the hour the clocks go back ---------------------------------------------------------------


def test_in_30_minutes_at_0130_bst_is_0100_gmt_and_not_already_passed() -> None:
    due = resolve_due("in 30 minutes", BST_0130, get_agenda("national"))
    assert due.astimezone(UTC) == datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    assert format_uk(due) == "Sun 25 Oct 2026 01:00 GMT"
    assert describe_due(due, BST_0130) == "Sun 25 Oct 2026 01:00 GMT (today, in 30 min)"


def test_within_1_hour_at_0130_bst_is_an_hour_not_0_min() -> None:
    due = resolve_due("within 1 hour", BST_0130, get_agenda("national"))
    assert elapsed(BST_0130, due) == timedelta(hours=1)
    assert describe_due(due, BST_0130) == "Sun 25 Oct 2026 01:30 GMT (today, in 1 h)"


def test_a_time_in_the_repeated_hour_shows_its_zone_and_others_do_not() -> None:
    assert format_uk(BST_0130) == "Sun 25 Oct 2026 01:30 BST"
    assert format_uk(GMT_0130) == "Sun 25 Oct 2026 01:30 GMT"
    assert format_uk(datetime(2026, 10, 25, 2, 30, tzinfo=LONDON)) == "Sun 25 Oct 2026 02:30"


def test_an_end_of_0115_after_a_start_at_0130_bst_is_0115_gmt_45_minutes_later() -> None:
    end = parse_clock("01:15", BST_0130.date(), after=BST_0130)
    assert elapsed(BST_0130, end) == timedelta(minutes=45)
    # said outright, the zone decides
    assert parse_clock("01:15 BST", BST_0130.date()).utcoffset() == timedelta(hours=1)
    assert parse_clock("01:15 GMT", BST_0130.date()).utcoffset() == timedelta(0)


def test_an_answers_file_meeting_across_the_change_keeps_its_45_minutes(store: FolderStore) -> None:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "answers.yaml").read_text("utf-8"))
    data.update(started_at="2026-10-25 01:30", ended_at="01:15")
    data["actions"] = [{"what": "Send the summary", "owner": "Tom Aske", "due": "in 30 minutes"}]
    meeting = build_meeting(data, get_agenda("national"), store, source="notes.yaml")
    assert meeting.ended_at is not None
    assert elapsed(meeting.started_at, meeting.ended_at) == timedelta(minutes=45)
    assert elapsed(meeting.ended_at, meeting.actions[0].due) == timedelta(minutes=30)
    saved = store.load(meeting.id)  # and read back from the file the same
    assert saved.ended_at is not None
    assert elapsed(saved.started_at, saved.ended_at) == timedelta(minutes=45)


# 29 Mar 2026: at 01:00 GMT the clocks go forward to 02:00 BST, so 01:00-01:59 never happens.
SPRING = date(2026, 3, 29)


@pytest.mark.parametrize("typed", ["01:30", "01:00", "1:59am", "01:30 GMT", "01:30 BST"])
def test_a_time_in_the_hour_the_clocks_skip_is_refused_not_moved(typed: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_clock(typed, SPRING)
    assert refused.value.message == (
        "that time does not exist on Sun 29 Mar 2026: UK clocks go forward an hour at 01:00, "
        "straight to 02:00 BST"
    )
    # either side of the skipped hour is read as typed
    assert parse_clock("00:59", SPRING) == datetime(2026, 3, 29, 0, 59, tzinfo=UTC)
    assert parse_clock("02:00", SPRING) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_an_answers_file_meeting_in_the_skipped_hour_is_refused_by_its_field(
    store: FolderStore,
) -> None:
    """Read as 02:30 BST, a start at 01:30 and an end at 02:30 would be a meeting of no
    minutes; the file is refused with the field named, and nothing is saved."""
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "answers.yaml").read_text("utf-8"))
    data.update(started_at="2026-03-29 01:30", ended_at="02:30")
    with pytest.raises(InputError) as refused:
        build_meeting(data, get_agenda("national"), store, source="notes.yaml")
    assert "started_at" in refused.value.message
    assert "does not exist on Sun 29 Mar 2026" in refused.value.message
    assert store.ids() == []


GAP_WORDS = "does not exist on Sun 29 Mar 2026: UK clocks go forward an hour at 01:00"


def test_an_imported_time_in_the_skipped_hour_is_refused_by_its_field(
    store: FolderStore, tmp_path: Path
) -> None:
    data = json.loads((EXAMPLES / "typical.json").read_text(encoding="utf-8"))
    data["started_at"] = "2026-03-29T01:30:00"
    path = tmp_path / "colleague.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(path)])
    assert result.exit_code != 0
    assert "started_at" in result.output and GAP_WORDS in result.output
    assert store.ids() == []
    data["started_at"] = "2026-03-29T01:30:00Z"  # with a zone it names a moment: 02:30 BST
    path.write_text(json.dumps(data), encoding="utf-8")
    assert CliRunner().invoke(app, ["import", str(path)]).exit_code == 0


def test_an_edited_time_in_the_skipped_hour_is_refused_by_its_field() -> None:
    m = typical()
    text = re.sub(r"(?m)^started_at: .*$", "started_at: 2026-03-29 01:30", to_text(m))
    with pytest.raises(InvalidRecord, match="started_at") as refused:
        from_text(text, m, source="SD-2026-0001 (edited)")
    assert GAP_WORDS in refused.value.message
    kept = re.sub(r"(?m)^started_at: .*$", "started_at: 2026-03-29 02:30", to_text(m))
    assert from_text(kept, m, source="t")[0].started_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_a_due_time_in_the_skipped_hour_is_refused(settings: Settings) -> None:
    now = datetime(2026, 3, 28, 12, 0, tzinfo=LONDON)
    with pytest.raises(InputError, match="does not exist on Sun 29 Mar 2026"):
        resolve_due("29/03/2026 01:30", now, get_agenda("national"))
    assert resolve_due("29/03/2026 02:30", now, get_agenda("national")) == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )


def test_the_24_hour_window_is_24_real_hours_across_the_change(settings: Settings) -> None:
    m = typical()
    m.started_at = datetime(2026, 10, 24, 9, 0, tzinfo=LONDON)  # Saturday, BST
    m.ended_at = datetime(2026, 10, 24, 10, 0, tzinfo=LONDON)
    devon = get_agenda("devon-mash")
    assert devon.timescales.minutes_authorised_within_hours == 24
    due = meeting_deadlines(m, devon).minutes_authorised_due
    assert due is not None
    assert elapsed(m.ended_at, due) == timedelta(hours=24)
    assert format_uk(due) == "Sun 25 Oct 2026 09:00"  # 24 real hours: the clocks went back

    from strat_cli.views import build_view

    in_24 = m.ended_at + timedelta(hours=24)  # wall clock 10:00 on Sunday: 25 real hours
    m.actions = [
        m.actions[0].model_copy(
            update={"id": "A1", "due": datetime(2026, 10, 25, 9, 0, tzinfo=LONDON)}
        ),
        m.actions[0].model_copy(update={"id": "A2", "due": in_24}),
    ]
    view = build_view(m, devon, settings)
    assert [a["number"] for a in view["immediate_actions"]] == ["A1"]


# --- whole working days in windows -------------------------------------------------------------


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_due_within_1_on_a_friday_before_a_bank_holiday_monday_reaches_all_of_tuesday(
    store: FolderStore,
) -> None:
    """Fri 28 Aug 2026; Mon 31 Aug is the summer bank holiday in England. One working day
    from Friday is Tuesday, and the whole of Tuesday is inside the window."""
    store.after_save.append(save_hook(store.root))
    m = typical()
    m.started_at = datetime(2026, 8, 28, 9, 0, tzinfo=LONDON)
    m.ended_at = datetime(2026, 8, 28, 10, 0, tzinfo=LONDON)
    base: Action = m.actions[0]
    m.actions = [
        base.model_copy(update={"id": "A1", "due": datetime(2026, 9, 1, 16, 0, tzinfo=LONDON)}),
        base.model_copy(update={"id": "A2", "due": datetime(2026, 9, 2, 9, 0, tzinfo=LONDON)}),
    ]
    store.save(m)
    friday_noon = datetime(2026, 8, 28, 12, 0, tzinfo=LONDON)
    index = Index(store.root)
    rows, _ = due_meetings(index, friday_noon, within_working_days=1)
    circulation = [r for r in rows if r["deadline"] == "circulation"]
    assert [(r["due_text"], r["state"]) for r in circulation] == [("Tue 1 Sep 2026 23:59", "near")]
    actions, _ = open_actions(index, ActionFilter(due_within=1), friday_noon)
    assert [a["action"] for a in actions] == ["A1"]  # Tuesday 16:00 in, Wednesday 09:00 out


# --- calendar-day phrases on a day the office is shut ------------------------------------------


@pytest.mark.parametrize(
    ("nation", "typed", "now", "says"),
    [
        # England and Wales: Easter Monday (not a holiday in Scotland)
        (
            "ENG",
            "tomorrow 12:00",
            datetime(2027, 3, 28, 10, 0),
            "Mon 29 Mar 2027 is a bank holiday (Easter Monday) in England",
        ),
        (
            "WLS",
            "tomorrow 12:00",
            datetime(2027, 3, 28, 10, 0),
            "Mon 29 Mar 2027 is a bank holiday (Easter Monday) in Wales",
        ),
        # Scotland: 2 January and St Andrew's Day
        ("SCT", "fri 10:00", datetime(2025, 12, 29, 10, 0), "Fri 2 Jan 2026 is a bank holiday"),
        (
            "SCT",
            "mon 10:00",
            datetime(2026, 11, 26, 10, 0),
            "Mon 30 Nov 2026 is a bank holiday (Saint Andrew's Day) in Scotland",
        ),
        # Northern Ireland: 12 July and St Patrick's Day
        ("NIR", "3 days", datetime(2027, 7, 9, 10, 0), "Mon 12 Jul 2027 is a bank holiday"),
        (
            "NIR",
            "17/03/2027 10:00",
            datetime(2027, 3, 1, 10, 0),
            "Wed 17 Mar 2027 is a bank holiday (Saint Patrick's Day) in Northern Ireland",
        ),
        # everywhere: New Year's Day, and weekends
        (
            "ENG",
            "tomorrow 12:00",
            datetime(2026, 12, 31, 10, 0),
            "Fri 1 Jan 2027 is a bank holiday (New Year's Day) in England",
        ),
        ("ENG", "3 days", datetime(2026, 11, 25, 10, 0), "Sat 28 Nov 2026 is a Saturday"),
    ],
)
def test_a_calendar_phrase_on_a_day_off_is_said(
    nation: str, typed: str, now: datetime, says: str
) -> None:
    agenda = in_nation(nation)
    due = resolve_due(typed, now.replace(tzinfo=LONDON), agenda)
    reason = non_working_day(typed, due, nation)
    assert reason is not None and reason.startswith(says)


@pytest.mark.parametrize(
    ("nation", "typed", "now"),
    [
        ("SCT", "tomorrow 12:00", datetime(2027, 3, 28, 10, 0)),  # Easter Monday: not in Scotland
        ("ENG", "mon 10:00", datetime(2026, 11, 26, 10, 0)),  # St Andrew's Day: Scotland only
        ("ENG", "3 days", datetime(2027, 7, 9, 10, 0)),  # 12 July: Northern Ireland only
        ("NIR", "2 working days", datetime(2027, 7, 9, 10, 0)),  # counts working days itself
        ("ENG", "in 30 minutes", datetime(2026, 11, 27, 23, 50)),  # hours, not days
    ],
)
def test_a_working_day_or_a_working_day_rule_is_not_flagged(
    nation: str, typed: str, now: datetime
) -> None:
    due = resolve_due(typed, now.replace(tzinfo=LONDON), in_nation(nation))
    assert non_working_day(typed, due, nation) is None


def test_an_answers_file_flags_a_due_day_off_and_keeps_what_was_written(store: FolderStore) -> None:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "answers.yaml").read_text("utf-8"))
    data.update(started_at="2026-12-31 10:00", ended_at="2026-12-31 11:00")
    warnings: list[str] = []
    meeting = build_meeting(
        data, get_agenda("national"), store, source="notes.yaml", warnings=warnings
    )
    shared = next(a for a in meeting.actions if a.due_rule == "tomorrow 12:00")
    assert shared.due == datetime(2027, 1, 1, 12, 0, tzinfo=LONDON)
    n = meeting.actions.index(shared)
    # A discussion six weeks after the concern is also flagged, by its rule (discussion.late).
    assert [w for w in warnings if not w.endswith("[discussion.late]")] == [
        f"notes.yaml: actions[{n}].due: Fri 1 Jan 2027 is a bank holiday (New Year's Day) in "
        "England; the next working day is Mon 4 Jan 2027 12:00"
    ]


def test_the_live_prompt_offers_the_next_working_day_for_a_bank_holiday(store: FolderStore) -> None:
    from strat_cli.interview import Interview

    from .test_interview import Script, draft

    m = draft(store)
    new_years_eve = datetime(2026, 12, 31, 10, 0, tzinfo=LONDON)
    s = Script(
        [
            ("due", "tomorrow 12:00"),
            ("fri 1 jan 2027 is a bank holiday (new year's day) in england", "next"),
        ]
    )
    chat = Interview(
        m, get_agenda("national"), store, s, user="Dana Okafor", clock=lambda: new_years_eve
    )
    rule, due = actions.ask_due(chat)
    s.done()
    assert due == datetime(2027, 1, 4, 12, 0, tzinfo=LONDON)
    assert rule == "tomorrow 12:00 (moved to the next working day)"


def test_an_action_due_in_the_repeated_hour_is_exported_in_utc() -> None:
    from strat_cli.calendar_export import meeting_calendar

    m = typical()
    m.actions = [m.actions[0].model_copy(update={"due": GMT_0130})]
    data = meeting_calendar(m, meeting_deadlines(m, get_agenda("national")), now=GMT_0130)
    assert b"DTSTART:20261025T013000Z" in data  # 01:30 GMT, not the earlier 01:30 BST


def test_a_clock_time_typed_in_the_repeated_hour_is_the_reading_not_yet_passed() -> None:
    national = get_agenda("national")
    now = datetime(2026, 10, 25, 1, 20, tzinfo=LONDON, fold=1)  # 01:20 GMT, the second time
    due = resolve_due("01:30", now, national)
    assert due.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT
    with pytest.raises(InputError, match="already passed"):
        resolve_due("01:30 BST", now, national)  # said outright: that one has passed


def test_the_chair_ends_at_0115_after_a_0130_bst_start_and_the_documents_say_which(
    store: FolderStore, settings: Settings
) -> None:
    from strat_cli.interview import Interview
    from strat_cli.views import build_view

    from .test_interview import Script, draft, notes_agenda

    agenda = notes_agenda(get_agenda("national"))
    m = draft(store)
    m.started_at = BST_0130
    m.progress.done = [i.key for i in agenda.items]
    store.save(m)
    s = Script([("end the meeting", "end"), ("end time", "01:15")])
    clock = datetime(2026, 10, 25, 1, 16, tzinfo=LONDON, fold=1)
    chat = Interview(m, agenda, store, s, user="Dana Okafor", clock=lambda: clock)
    assert chat.run() == "ended"
    saved = store.load(m.id)
    assert saved.ended_at is not None
    assert elapsed(saved.started_at, saved.ended_at) == timedelta(minutes=45)
    assert "Ended at Sun 25 Oct 2026 01:15 GMT" in s.screen
    view = build_view(saved, agenda, settings)
    assert view["meeting"]["time"] == "01:30 BST to 01:15 GMT"


# Every minute from 23:00 BST on Saturday to 03:00 GMT on Sunday, the night the clocks go back.
_NIGHT = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
_minutes = st.integers(min_value=0, max_value=5 * 60)


@given(start=_minutes, length=st.integers(min_value=1, max_value=180))
def test_in_n_minutes_is_n_real_minutes_any_time_that_night(start: int, length: int) -> None:
    now = (_NIGHT + timedelta(minutes=start)).astimezone(LONDON)
    due = resolve_due(f"in {length} minutes", now, get_agenda("national"))
    assert elapsed(now, due) == timedelta(minutes=length)


@given(start=_minutes)
def test_a_time_shown_that_night_reads_back_as_the_same_moment(start: int) -> None:
    from strat_cli.timeutil import clock_text

    moment = (_NIGHT + timedelta(minutes=start)).astimezone(LONDON)
    back = parse_clock(clock_text(moment), moment.date())
    assert back.astimezone(UTC) == moment.astimezone(UTC)


# --- one reading of a clock: a time and a due time read '9.30 pm' alike --------------------

CLOCKS = {
    "9am": (9, 0),
    "9 am": (9, 0),
    "9.30 pm": (21, 30),
    "12am": (0, 0),
    "12pm": (12, 0),
    "noon": (12, 0),
    "midday": (12, 0),
    "00:00": (0, 0),
    "23:59": (23, 59),
    "17.05": (17, 5),
}
NO_SUCH_CLOCK = ["25:00", "13pm", "0am", "12:60", "9.75am"]


@pytest.mark.parametrize("typed", list(CLOCKS))
def test_a_time_and_a_due_time_read_a_clock_alike(typed: str) -> None:
    national = get_agenda("national")
    now = datetime(2026, 11, 19, 8, 0, tzinfo=LONDON)
    at = parse_clock(typed, date(2026, 11, 20))
    due = resolve_due(f"tomorrow {typed}", now, national)
    assert (at.hour, at.minute) == (due.hour, due.minute) == CLOCKS[typed]


@pytest.mark.parametrize("typed", NO_SUCH_CLOCK)
def test_a_time_and_a_due_time_refuse_the_same_impossible_clock(typed: str) -> None:
    national = get_agenda("national")
    now = datetime(2026, 11, 19, 8, 0, tzinfo=LONDON)
    with pytest.raises(InputError, match="not a time of day"):
        parse_clock(typed, date(2026, 11, 20))
    with pytest.raises(InputError, match="no such time"):
        resolve_due(f"tomorrow {typed}", now, national)
