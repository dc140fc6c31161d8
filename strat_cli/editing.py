"""Tidying a record after the meeting: the record as YAML in the minute taker's own editor.

YAML keeps long notes readable as blocks of lines. What comes back is checked exactly like any
save; the reference, the audit trail, the circulation log and the authorisation are not offered
for editing, so the history of the record can only be added to, never rewritten.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from .errors import InputError, InvalidRecord
from .model import STORED, STRAT_WRITES, Meeting, meeting_fields
from .store import describe_validation_error

# Kept as they are: strat's own history of the record, and what identifies it.
NOT_EDITABLE = meeting_fields(STRAT_WRITES)

HEADER = """\
# {id}: edit, save and close the editor; strat checks the record before it replaces the saved one.
# Close without saving (or change nothing) to leave it as it was. Keep the quotes around values
# like 'yes', 'no' and times. Lines starting with # are ignored.
# Not here, because only strat writes them: {hidden}.
"""


class _Dumper(yaml.SafeDumper):
    """Multi-line text as `|` blocks, so notes read as they were typed."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def to_text(meeting: Meeting) -> str:
    """The editable part of the record as YAML, in the model's order."""
    data = meeting.model_dump(mode="json", exclude=set(NOT_EDITABLE))
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return HEADER.format(id=meeting.id, hidden=", ".join(NOT_EDITABLE)) + body


def from_text(text: str, meeting: Meeting, *, source: str) -> tuple[Meeting, list[str]]:
    """The edited record and the top-level fields that changed; a fault names line or field."""
    from .yamlfile import load_yaml, problem

    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        line, why = problem(exc)
        raise InputError(f"{source}:{f' line {line}:' if line else ''} {why}") from None
    if not isinstance(data, dict):
        raise InputError(f"{source}: the record must be a mapping of fields")
    kept = sorted(set(data) & set(NOT_EDITABLE))
    if kept:
        raise InputError(f"{source}: {kept[0]}: only strat writes this field; take it out")
    merged: dict[str, Any] = {
        **meeting.model_dump(mode="json", include=set(NOT_EDITABLE)),
        **data,
    }
    try:
        # What the person can type is checked as at entry (dates in range, no birth in the
        # future); strat's own history is taken as stored, so an odd date there never blocks
        # the edit that puts a typed one right.
        Meeting.model_validate({**data, "id": meeting.id})
        edited = Meeting.model_validate(merged, context=STORED)
    except ValidationError as exc:
        raise InvalidRecord(describe_validation_error(exc, source)) from None
    changed = [f for f in Meeting.model_fields if getattr(edited, f) != getattr(meeting, f)]
    return edited, changed
