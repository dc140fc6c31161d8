"""The minutes hold every field of the record, and the family version all but what is withheld.

The record is filled from the model itself: every text field gets its own marker, so a field
added to `strat_cli/model.py` tomorrow is checked the day it is added, and fails here until a
document shows it or `views.NOT_IN_MINUTES` says why it is left out.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from strat_cli import model as m
from strat_cli.agenda import get_agenda
from strat_cli.model import LONDON, Attendance, Meeting, YesNo
from strat_cli.render import render_documents
from strat_cli.resources import DOCUMENTS as DOCS
from strat_cli.settings import Settings
from strat_cli.views import NOT_IN_MINUTES, WITHHELD_FROM_FAMILY, build_view

from .test_render import docx_text

AT = datetime(2026, 11, 19, 10, 0, tzinfo=LONDON)
BORN = date(2019, 4, 3)

# Values a marker cannot stand in for, or that make a field show at all. Each is a field name
# and the value the filled record gets; text values here are still checked like markers.
CHOSEN: dict[str, Any] = {
    "Meeting.id": "SD-2026-0777",  # a reference has a fixed shape
    "Meeting.status": m.Status.ended,  # authorised follows from the authorisation filled in
    "Child.subject": False,  # "how they may be affected" is asked of other children only
    "Participant.attendance": Attendance.report_sent,  # the reason given shows then
    "Decision.parents_informed": YesNo.no,  # the reason for not telling them shows then
    "Medical.needed": YesNo.yes,
    "Action.status": m.ActionStatus.done,  # the completion note shows then
    "PartnerGap.agency_kind": m.AgencyKind.police,  # a statutory partner, missing (report sent)
}


class Filler:
    """Builds a record with one of everything, each text field holding a distinct marker."""

    def __init__(self) -> None:
        self.markers: dict[str, str] = {}  # marker → "Class.field"

    def marker(self, where: str) -> str:
        text = f"zq{len(self.markers):03d}x"
        self.markers[text] = where
        return text

    def build(self, cls: type[BaseModel]) -> Any:
        values = {}
        for name, field in cls.model_fields.items():
            where = f"{cls.__name__}.{name}"
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            shaped = self.reference(str(extra["pattern"]), where) if "pattern" in extra else None
            values[name] = shaped or self.value(field.annotation, where)
        # Each reference is its own marker, so a decision's child is not one of the children:
        # the record is taken as kept, where references are not checked against each other.
        return cls.model_validate(values, context=m.STORED)

    def reference(self, pattern: str, where: str) -> str | None:
        """A marker of a reference's shape (C9003, SD-2099-9004:A9004), or None where a marker
        already has the shape (an agenda's id, an item's key)."""
        number = 9000 + len(self.markers)
        meeting = f"SD-2099-{number}"
        shapes = {
            f"^{m.MEETING_ID}$": meeting,
            f"^{m.MEETING_ID}:{m.short_id('A')}$": f"{meeting}:A{number}",
        }
        for prefix in ("AD", "A", "C", "P", "I", "D", "G"):
            shapes[f"^{m.short_id(prefix)}$"] = f"{prefix}{number}"
        text = shapes.get(pattern)
        if text is not None:
            self.markers[text] = where
        return text

    def value(self, annotation: Any, where: str) -> Any:
        if where in CHOSEN:
            chosen = CHOSEN[where]
            if isinstance(chosen, str) and not isinstance(chosen, Enum):
                self.markers[chosen] = where
            return chosen
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            for meta in args[1:]:
                pattern = (getattr(meta, "json_schema_extra", None) or {}).get("pattern")
                if pattern and (shaped := self.reference(pattern, where)):
                    return shaped
            return self.value(args[0], where)
        if origin in (typing.Union, types.UnionType):
            (inner,) = [a for a in args if a is not type(None)]
            return self.value(inner, where)
        if origin is typing.Literal:
            return args[-1]  # a closed set of words: the last, usually the most telling
        if origin is list:
            return [self.value(args[0], where)]
        if origin is dict:
            return {self.value(args[0], f"{where} (key)"): self.value(args[1], where)}
        if isinstance(annotation, type):
            if issubclass(annotation, BaseModel):
                return self.build(annotation)
            if issubclass(annotation, Enum):
                return next(iter(annotation))
            if annotation is str:
                return self.marker(where)
            if annotation is bool:
                return True
            if annotation is int:
                return m.SCHEMA_VERSION
            if annotation is datetime:
                return AT
            if annotation is date:
                return BORN
        raise AssertionError(f"{where}: the filler does not know {annotation!r}; teach it")


def filled() -> tuple[Meeting, dict[str, str]]:
    filler = Filler()
    meeting = filler.build(Meeting)
    return meeting, filler.markers


def test_the_left_out_lists_name_real_fields() -> None:
    """A renamed or removed field must not linger in the lists of what is left out."""
    _, markers = filled()
    models = [c for c in vars(m).values() if isinstance(c, type) and issubclass(c, BaseModel)]
    fields = {f"{model.__name__}.{name}" for model in models for name in model.model_fields}
    known = set(markers.values()) | fields  # a half-given answer's outcome is not text
    for name in [*NOT_IN_MINUTES, *WITHHELD_FROM_FAMILY]:
        assert name in known, f"{name} is not a field of the record"
    for name, reason in [*NOT_IN_MINUTES.items(), *WITHHELD_FROM_FAMILY.items()]:
        assert len(reason) > 20, f"{name}: say why it is left out"


def test_every_field_of_the_record_is_in_the_minutes(settings: Settings, tmp_path: Path) -> None:
    meeting, markers = filled()
    (path,) = render_documents(
        meeting, get_agenda("pan-lancashire"), settings, ["minutes"], tmp_path
    )
    text = docx_text(path)
    missing = sorted(
        {where for marker, where in markers.items() if where not in NOT_IN_MINUTES}
        - {where for marker, where in markers.items() if marker in text}
    )
    assert not missing, f"recorded but not in the minutes: {missing}"


def test_the_family_version_leaves_out_only_what_is_withheld(
    settings: Settings, tmp_path: Path
) -> None:
    meeting, markers = filled()
    (path,) = render_documents(
        meeting, get_agenda("pan-lancashire"), settings, ["minutes"], tmp_path, family=True
    )
    text = docx_text(path)
    shown = {where for marker, where in markers.items() if marker in text}
    leaked = sorted(shown & set(WITHHELD_FROM_FAMILY))
    assert not leaked, f"withheld from the family but in their version: {leaked}"
    expected = {w for w in markers.values() if w not in NOT_IN_MINUTES | WITHHELD_FROM_FAMILY}
    missing = sorted(expected - shown)
    assert not missing, f"left out of the family version though not withheld: {missing}"


# What a manager deciding on the case needs on one sheet: who took part and who sent a report
# (with the reason), the children and their needs, the risk, each decision with its basis and
# its reasons (medical, parents not told, legal advice, seen alone, interpreter, police
# agreement), what is done first, disagreements, how actions are reviewed, and who authorised.
DECISION_SHEET_NEEDS = {
    "Meeting.id",
    "Meeting.reason",
    "Meeting.referrer",
    "Meeting.chair",
    "Meeting.minute_taker",
    "Participant.name",
    "Participant.agency",
    "Participant.apology_reason",
    "PartnerGap.reason",
    "PartnerGap.escalation",
    "Child.name",
    "Child.school",
    "Child.communication_needs",
    "Risk.summary",
    "Risk.immediate_safety",
    "Decision.rationale",
    "Medical.reason",
    "Medical.by",
    "Medical.contingency",
    "Decision.parents_not_informed_reason",
    "Decision.legal_detail",
    "Decision.seen_alone",
    "Decision.interpreter",
    "PoliceAgreement.officer",
    "PoliceAgreement.note",
    "Action.what",
    "Action.owner",
    "Disagreement.raised_by",
    "Disagreement.about",
    "Disagreement.resolution",
    "Disagreement.escalation",
    "Meeting.review_mechanism",
    "Authorisation.by",
    "Authorisation.role",
    "Authorisation.override_reason",
}


def test_the_decision_sheet_holds_what_a_decision_maker_needs(
    settings: Settings, tmp_path: Path
) -> None:
    meeting, markers = filled()
    (path,) = render_documents(
        meeting, get_agenda("pan-lancashire"), settings, ["decision-sheet"], tmp_path
    )
    text = docx_text(path)
    shown = {where for marker, where in markers.items() if marker in text}
    assert not DECISION_SHEET_NEEDS - set(markers.values()), "a listed field no longer exists"
    missing = sorted(DECISION_SHEET_NEEDS - shown)
    assert not missing, f"not on the Decision Sheet: {missing}"


def test_no_family_version_shows_what_is_withheld(settings: Settings, tmp_path: Path) -> None:
    meeting, markers = filled()
    paths = render_documents(
        meeting, get_agenda("pan-lancashire"), settings, ["all"], tmp_path, family=True
    )
    for path in paths:
        text = docx_text(path)
        shown = {where for marker, where in markers.items() if marker in text}
        assert not sorted(shown & set(WITHHELD_FROM_FAMILY)), path.name


def test_the_family_version_never_says_a_parent_is_not_to_be_told(
    settings: Settings, tmp_path: Path
) -> None:
    """The rulebook's 'please note' is for professionals: a finding about a parent who is not to
    be told (with no reason yet) must not reach the family's copy of any document."""
    from strat_cli.model import Informing
    from strat_cli.samples import typical

    meeting = typical()
    parent = next(a for a in meeting.adults if a.parental_responsibility)
    parent.informed = Informing.not_told
    professional = build_view(meeting, get_agenda("national"), settings)
    assert any("not to be told" in w for w in professional["warnings"])
    for path in render_documents(
        meeting, get_agenda("national"), settings, list(DOCS), tmp_path, family=True
    ):
        assert "not to be told" not in docx_text(path), path.name
