"""The meeting record: one model, round-tripped through JSON, with its schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from strat_cli.model import LONDON, Action, Meeting, json_schema
from strat_cli.samples import large, typical


@pytest.mark.parametrize("build", [typical, large])
def test_record_round_trips_through_json_unchanged(build) -> None:  # type: ignore[no-untyped-def]
    meeting = build()
    again = Meeting.model_validate_json(meeting.model_dump_json())
    assert again == meeting
    assert again.model_dump_json() == meeting.model_dump_json()


def test_times_without_a_zone_are_taken_as_uk_time() -> None:
    m = Meeting(id="SD-2026-0009", agenda="national", started_at=datetime(2026, 7, 1, 9, 30))
    assert m.started_at.tzinfo is not None
    assert m.started_at.utcoffset() == timedelta(hours=1)  # BST in July


@pytest.mark.parametrize("bad", ["Mia-Fenwick", "SD-26-1", "../SD-2026-0001", "SD-2026-0001/x"])
def test_reference_never_holds_anything_but_the_pattern(bad: str) -> None:
    with pytest.raises(ValidationError, match="SD-2026-0001"):
        Meeting(id=bad, agenda="national", started_at=datetime(2026, 1, 5, 9, tzinfo=LONDON))


def test_an_action_needs_an_owner_and_a_what() -> None:
    with pytest.raises(ValidationError, match="owner"):
        Action(id="A1", what="Visit", owner="  ", due=datetime(2026, 1, 5, 17, tzinfo=LONDON))


def test_schema_describes_every_top_level_field() -> None:
    schema = json_schema()
    assert set(Meeting.model_fields) <= set(schema["properties"])
    assert schema["properties"]["schema_version"]["default"] == 1
    json.dumps(schema)  # publishable as JSON


def test_unknown_fields_are_errors_so_typos_show() -> None:
    data = json.loads(typical().model_dump_json())
    data["childern"] = []
    with pytest.raises(ValidationError, match="childern"):
        Meeting.model_validate(data)


def test_every_time_is_held_in_uk_time_whatever_offset_it_came_with() -> None:
    """A file written in UTC shows the clock the meeting was held by, summer or winter."""
    m = Meeting(
        id="SD-2027-0001", agenda="national", started_at=datetime(2027, 6, 10, 9, 0, tzinfo=UTC)
    )
    assert (m.started_at.hour, m.started_at.utcoffset()) == (10, timedelta(hours=1))
    again = Meeting.model_validate_json(m.model_dump_json())
    assert again.started_at.hour == 10 and again.started_at == m.started_at


def test_authorised_is_never_just_a_word_in_a_file() -> None:
    data = json.loads(typical().model_dump_json())
    data["status"] = "authorised"
    with pytest.raises(ValidationError, match="no authorisation"):
        Meeting.model_validate(data)
    data["authorisation"] = {
        "by": "Ruth Ellery",
        "role": "Service Manager",
        "at": "2026-11-20T09:00:00Z",
    }
    data["status"] = "ended"
    assert Meeting.model_validate(data).status.value == "authorised"


def test_every_field_of_the_meeting_has_a_decided_role() -> None:
    """A new field must say whether strat alone writes it, whether it may change after
    authorisation, whether documents show it, and which files may give it."""
    from strat_cli.model import (
        AFTER_AUTHORISATION,
        ANSWERS,
        MEETING_FIELD_ROLES,
        NOT_CONTENT,
        PREFILL,
        STRAT_WRITES,
    )

    assert set(MEETING_FIELD_ROLES) == set(Meeting.model_fields)
    known = {STRAT_WRITES, AFTER_AUTHORISATION, NOT_CONTENT, PREFILL, ANSWERS}
    for name, roles in MEETING_FIELD_ROLES.items():
        assert roles <= known, name
        assert not (roles & {PREFILL, ANSWERS} and STRAT_WRITES in roles), name
        assert NOT_CONTENT not in roles or AFTER_AUTHORISATION in roles, name
