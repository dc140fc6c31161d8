"""A follow-up discussion carries the case forward and reviews every open action."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from strat_cli.errors import InputError
from strat_cli.followup import open_actions, review_action, start_follow_up
from strat_cli.model import (
    LONDON,
    STORED,
    ActionStatus,
    Attendance,
    Meeting,
    MeetingType,
    ReviewOutcome,
)
from strat_cli.store import FolderStore

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)


def test_follow_up_carries_children_adults_and_invitees(saved: Meeting) -> None:
    nxt = start_follow_up(saved, "SD-2026-0002", NOW)
    assert nxt.type == MeetingType.follow_up
    assert nxt.previous == [saved.id]
    assert [c.name for c in nxt.children] == [c.name for c in saved.children]
    assert all(c.voice == "" for c in nxt.children)  # heard afresh at each discussion
    assert [a.name for a in nxt.adults] == [a.name for a in saved.adults]
    assert {p.attendance for p in nxt.participants} == {Attendance.invited}
    assert nxt.actions == [] and nxt.decisions == []


def test_icpc_clock_keeps_the_discussion_that_started_s47(saved: Meeting) -> None:
    nxt = start_follow_up(saved, "SD-2026-0002", NOW)
    assert nxt.s47_started_at == saved.started_at
    third = start_follow_up(nxt, "SD-2026-0003", NOW + timedelta(days=3))
    assert third.s47_started_at == saved.started_at
    assert third.previous == [saved.id, nxt.id]


def test_open_actions_are_reviewed_one_by_one(store: FolderStore, saved: Meeting) -> None:
    nxt = start_follow_up(saved, "SD-2026-0002", NOW)
    pending = open_actions([saved])
    assert pending[0].ref == "SD-2026-0001:A1"  # soonest due first
    review_action(nxt, saved, "A1", ReviewOutcome.done, NOW, note="Seen alone at school")
    review_action(
        nxt,
        saved,
        "A3",
        ReviewOutcome.carried,
        NOW,
        new_due=NOW + timedelta(days=2),
        due_rule="2 working days",
    )
    review_action(nxt, saved, "A6", ReviewOutcome.cancelled, NOW, note="Records already shared")
    store.save(saved)
    store.save(nxt)

    earlier = store.load(saved.id)
    assert earlier.action("A1").status == ActionStatus.done  # type: ignore[union-attr]
    assert earlier.action("A3").status == ActionStatus.carried  # type: ignore[union-attr]
    assert earlier.action("A6").completion_note == "Records already shared"  # type: ignore[union-attr]
    carried = store.load(nxt.id).actions[0]
    assert carried.carried_from == "SD-2026-0001:A3"
    assert carried.owner == "DS Priya Lamb" and carried.status == ActionStatus.open
    assert [r.outcome for r in store.load(nxt.id).reviewed_actions] == [
        ReviewOutcome.done,
        ReviewOutcome.carried,
        ReviewOutcome.cancelled,
    ]
    assert "SD-2026-0001:A3" not in [o.ref for o in open_actions([earlier])]


def test_a_cancelled_action_needs_a_reason_and_a_carried_one_a_future_due(saved: Meeting) -> None:
    nxt = start_follow_up(saved, "SD-2026-0002", NOW)
    with pytest.raises(InputError, match="reason"):
        review_action(nxt, saved, "A1", ReviewOutcome.cancelled, NOW)
    with pytest.raises(InputError, match="future"):
        review_action(
            nxt, saved, "A1", ReviewOutcome.carried, NOW, new_due=NOW - timedelta(hours=1)
        )
    assert saved.action("A1").status == ActionStatus.open  # type: ignore[union-attr]


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_strat_show_shows_the_chain_of_discussions(store: FolderStore, saved: Meeting) -> None:
    from typer.testing import CliRunner

    from strat_cli.cli import app
    from strat_cli.cli._app import State

    st = State(store_override=store.root)
    second = start_follow_up(saved, "SD-2026-0002", NOW)
    st.store.save(second)
    st.store.save(start_follow_up(second, "SD-2026-0003", NOW + timedelta(days=3)))
    result = CliRunner().invoke(app, ["show", "SD-2026-0002"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "SD-2026-0001 → SD-2026-0002 (this one) → SD-2026-0003" in result.output


def test_the_earlier_side_of_a_recorded_review_can_be_applied_later_and_only_once(
    saved: Meeting,
) -> None:
    """A crash between the two saves: the new meeting has the review, the earlier copy on disk
    does not; applying the recorded review to it again closes the action exactly once."""
    from strat_cli.followup import apply_review_to_earlier

    on_disk = saved.model_copy(deep=True)  # the earlier record as the crash left it
    nxt = start_follow_up(saved, "SD-2026-0002", NOW)
    later = NOW + timedelta(hours=3)
    done = review_action(nxt, saved, "A1", ReviewOutcome.done, NOW, note="Seen alone at school")
    carried = review_action(
        nxt, saved, "A3", ReviewOutcome.carried, NOW, new_due=NOW + timedelta(days=2)
    )
    cancelled = review_action(nxt, saved, "A6", ReviewOutcome.cancelled, NOW, note="Not needed")
    assert on_disk.action("A1").status == ActionStatus.open  # type: ignore[union-attr]

    for review in (done, carried, cancelled):
        assert apply_review_to_earlier(on_disk, nxt.id, review, later)
        assert not apply_review_to_earlier(on_disk, nxt.id, review, later)  # already applied
    for action_id in ("A1", "A3", "A6"):
        healed, direct = on_disk.action(action_id), saved.action(action_id)
        assert healed is not None and direct is not None
        assert (healed.status, healed.completed_at, healed.completion_note) == (
            direct.status,
            direct.completed_at,
            direct.completion_note,
        )
    assert on_disk.action("A3").completion_note == "Carried to SD-2026-0002:A1"  # type: ignore[union-attr]
    assert on_disk.action("A1").completed_at == NOW  # type: ignore[union-attr]  # when reviewed
    assert len(nxt.actions) == 1


def test_an_action_is_reviewed_once_per_meeting(saved: Meeting) -> None:
    nxt = start_follow_up(saved, "SD-2026-0002", NOW)
    fresh = saved.model_copy(deep=True)
    review_action(nxt, saved, "A3", ReviewOutcome.carried, NOW, new_due=NOW + timedelta(days=2))
    with pytest.raises(InputError, match="already reviewed"):
        review_action(nxt, fresh, "A3", ReviewOutcome.carried, NOW, new_due=NOW + timedelta(days=2))
    with pytest.raises(InputError, match="not open"):
        review_action(
            start_follow_up(saved, "SD-2026-0003", NOW), saved, "A3", ReviewOutcome.done, NOW
        )
    assert len(nxt.actions) == 1  # never a second carried copy


def test_strat_show_lists_the_review_of_earlier_actions(store: FolderStore, saved: Meeting) -> None:
    from typer.testing import CliRunner

    from strat_cli.cli import app

    later = start_follow_up(saved, "SD-2026-0002", NOW)
    review_action(later, saved, "A6", ReviewOutcome.cancelled, NOW, note="Records already shared")
    review_action(later, saved, "A3", ReviewOutcome.carried, NOW, new_due=NOW + timedelta(days=2))
    store.save(later)
    result = CliRunner().invoke(app, ["show", later.id], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Actions from earlier discussions" in result.output
    assert "Records already shared" in result.output and "now A1" in result.output


def test_an_action_kept_with_a_control_character_is_still_reviewed(
    store: FolderStore, saved: Meeting
) -> None:
    """A record kept before the text checks may hold a control character in an action's words
    or owner: the review copies them as they were kept, never crashes on them."""
    data = saved.model_dump(mode="json")
    data["actions"][0]["what"] = "Visit\x1b[2J the home"
    data["actions"][0]["owner"] = "DS Priya\x07 Lamb"
    kept = Meeting.model_validate(data, context=STORED)
    nxt = start_follow_up(kept, "SD-2026-0002", NOW)
    review = review_action(nxt, kept, kept.actions[0].id, ReviewOutcome.done, NOW, note="Seen")
    assert review.owner == "DS Priya\x07 Lamb"
    store.save(nxt)
    assert store.load(nxt.id).reviewed_actions[0].what == "Visit\x1b[2J the home"
