"""The ICPC target across a chain of discussions: which discussion it counts from, what replaces
it, and what `strat due`, `show` and `.ics` say at each step, in both counting rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from strat_cli.agenda import get_agenda
from strat_cli.answers import build_meeting
from strat_cli.cli import app
from strat_cli.deadlines import case_icpc, meeting_deadlines, resolve_due
from strat_cli.errors import InputError
from strat_cli.followup import start_follow_up
from strat_cli.index import Index
from strat_cli.model import LONDON, Meeting, Outcome, Status
from strat_cli.register import due_meetings
from strat_cli.samples import START, typical
from strat_cli.store import FolderStore

from .conftest import EXAMPLES

FOLLOW_UP = datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)  # Mon, 7 working days after START
NFA_AT = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
AGAIN_AT = datetime(2026, 12, 14, 10, 0, tzinfo=LONDON)

# 15 working days (England) after Thu 19 Nov 2026 is Thu 10 Dec; after Mon 30 Nov, Mon 21 Dec;
# after Mon 14 Dec, Thu 7 Jan 2027 (25 and 28 Dec and 1 Jan are bank holidays).
FROM_INITIAL = date(2026, 12, 10)
FROM_FOLLOW_UP = date(2026, 12, 21)
FROM_AGAIN = date(2027, 1, 7)

RULES = {"initiating": "national", "last": "pan-lancashire"}


def icpc_due(store: FolderStore, now: datetime) -> list[tuple[str, str, str]]:
    """What `strat due` lists as ICPC targets (20 working days ahead, 28 days back)."""
    rows, problems = due_meetings(Index(store.root), now, within_working_days=20)
    assert problems == []
    return [(r["id"], r["due"], r["state"]) for r in rows if r["deadline"] == "ICPC target"]


def held(m: Meeting, at: datetime, outcome: Outcome | None = None) -> Meeting:
    """`m` held at `at` for an hour, deciding what the typical meeting decided (s47 for one
    child, s17 for the other), or `outcome` for every child."""
    m.started_at, m.ended_at, m.status = at, at + timedelta(hours=1), Status.ended
    m.decisions = [d.model_copy(deep=True) for d in typical().decisions]
    for d in m.decisions:
        if outcome is not None:
            d.outcome = outcome
    return m


def follow_up_from_answers(store: FolderStore, agenda_id: str, earlier: str) -> Meeting:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "answers.yaml").read_text("utf-8"))
    data.update(
        agenda=agenda_id,
        type="follow-up",
        previous=[earlier],
        started_at="2026-11-30 10:00",
        ended_at="2026-11-30 11:05",
    )
    data.pop("notes")  # keyed by the national agenda's items
    return build_meeting(data, get_agenda(agenda_id), store, source="notes.yaml")


@pytest.mark.parametrize("how", ["live", "answers"])
@pytest.mark.parametrize("rule", ["initiating", "last"])
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_chain_initial_follow_up_nfa_and_s47_again(
    store: FolderStore, rule: str, how: str
) -> None:
    agenda_id = RULES[rule]
    agenda = get_agenda(agenda_id)
    assert agenda.timescales.icpc_from == rule

    # 1. the initial discussion decides s47: target 15 working days after it
    first = typical("SD-2026-0001", agenda_id)
    store.save(first)
    assert meeting_deadlines(first, agenda).icpc_target == FROM_INITIAL
    assert icpc_due(store, START + timedelta(hours=2)) == [
        (first.id, FROM_INITIAL.isoformat(), "near")
    ]

    # 2. a follow-up continues the enquiry: it carries when s47 started, however it is written
    if how == "live":
        second = held(start_follow_up(first, "SD-2026-0002", FOLLOW_UP), FOLLOW_UP)
        store.save(second)
    else:
        second = follow_up_from_answers(store, agenda_id, first.id)
    assert second.s47_started_at == first.started_at
    assert second.previous == [first.id]
    expected = FROM_INITIAL if rule == "initiating" else FROM_FOLLOW_UP
    assert meeting_deadlines(second, agenda).icpc_target == expected
    # the earlier record's own target gives way to the follow-up's, in due and in show
    assert icpc_due(store, FOLLOW_UP + timedelta(hours=2)) == [
        (second.id, expected.isoformat(), "near")
    ]
    assert case_icpc(first, agenda, [second]).replaced_by == second.id

    # 3. a further discussion decides NFA for every child: the enquiry has ended, no target
    third = held(start_follow_up(second, "SD-2026-0003", NFA_AT), NFA_AT, Outcome.nfa)
    store.save(third)
    assert meeting_deadlines(third, agenda).icpc_target is None
    assert icpc_due(store, NFA_AT + timedelta(hours=2)) == []
    assert icpc_due(store, datetime(2026, 12, 13, 10, tzinfo=LONDON)) == []  # never "passed"
    replaced = case_icpc(second, agenda, [third])
    assert replaced.replaced_by == third.id and replaced.ended

    # 4. s47 decided again later: a new enquiry, counted from the discussion that decided it
    fourth = start_follow_up(third, "SD-2026-0004", AGAIN_AT)
    assert fourth.s47_started_at is None
    held(fourth, AGAIN_AT)
    store.save(fourth)
    assert meeting_deadlines(fourth, agenda).icpc_target == FROM_AGAIN
    assert icpc_due(store, AGAIN_AT + timedelta(hours=2)) == [
        (fourth.id, FROM_AGAIN.isoformat(), "near")
    ]
    # and "before ICPC" at that discussion is 09:00 on the new target day, not refused
    due = resolve_due("before ICPC", AGAIN_AT + timedelta(hours=1), agenda, fourth)
    assert due == datetime(2027, 1, 7, 9, 0, tzinfo=LONDON)


def test_an_answers_file_gives_s47_started_at_when_the_earlier_discussion_is_not_in_strat(
    store: FolderStore,
) -> None:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "answers.yaml").read_text("utf-8"))
    data.update(
        type="follow-up",
        previous=["SD-2025-0042"],  # held before strat was used
        s47_started_at="2026-11-19 10:00",
        started_at="2026-11-30 10:00",
        ended_at="2026-11-30 11:05",
    )
    meeting = build_meeting(data, get_agenda("national"), store, source="notes.yaml")
    assert meeting.s47_started_at == START
    assert meeting_deadlines(meeting, get_agenda("national")).icpc_target == FROM_INITIAL


def test_an_s47_start_after_the_discussion_is_refused(store: FolderStore) -> None:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "answers.yaml").read_text("utf-8"))
    data.update(s47_started_at="2026-11-20 10:00")
    with pytest.raises(InputError, match=r"notes.yaml: s47_started_at: is after started_at"):
        build_meeting(data, get_agenda("national"), store, source="notes.yaml")


def test_show_and_ics_of_a_replaced_target_say_what_replaced_it(store: FolderStore) -> None:
    first = typical("SD-2026-0001")
    store.save(first)
    store.save(held(start_follow_up(first, "SD-2026-0002", NFA_AT), NFA_AT, Outcome.nfa))
    shown = CliRunner().invoke(app, ["show", first.id], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "replaced by SD-2026-0002" in shown.output
    ics = CliRunner().invoke(app, ["ics", first.id])
    assert ics.exit_code == 0, ics.output
    assert "replaced by SD-2026-0002" in ics.output.replace("\r\n ", "")


def test_answers_errors_name_the_meetings_end_not_now(tmp_path: Path, store: FolderStore) -> None:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "answers.yaml").read_text("utf-8"))
    data["actions"][0]["due"] = "today 09:00"  # before the end at 11:05
    with pytest.raises(InputError) as caught:
        build_meeting(data, get_agenda("national"), store, source="notes.yaml")
    assert "(the meeting's end Thu 19 Nov 2026 11:05)" in caught.value.message
    assert "(now" not in caught.value.message


def test_an_answers_follow_up_of_a_discussion_strat_does_not_hold_is_flagged(
    store: FolderStore,
) -> None:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "answers.yaml").read_text("utf-8"))
    data.update(type="follow-up", previous=["SD-2019-0042"])  # held before strat was used
    warnings: list[str] = []
    build_meeting(data, get_agenda("national"), store, source="notes.yaml", warnings=warnings)
    assert warnings == [
        "notes.yaml: previous: the discussion named last is not in strat, so the ICPC target is "
        "counted from this one; if s47 started earlier, give s47_started_at"
    ]


def test_the_closing_screen_says_which_discussion_the_icpc_counts_from(store: FolderStore) -> None:
    from strat_cli.interview import deadlines_text

    first = typical("SD-2026-0001")
    second = held(start_follow_up(first, "SD-2026-0002", FOLLOW_UP), FOLLOW_UP)
    text = deadlines_text(second, get_agenda("national"))
    assert "Thu 10 Dec 2026 (s47 decided, counted from Thu 19 Nov 2026)" in text
