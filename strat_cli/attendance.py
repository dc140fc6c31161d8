"""Who took part, and which statutory partners are missing: asked by the interview, the
documents and the quality check alike, so they never disagree."""

from __future__ import annotations

from .model import AgencyKind, Meeting, Participant


def present(meeting: Meeting) -> list[Participant]:
    return [p for p in meeting.participants if p.attendance.took_part]


def contributed(meeting: Meeting) -> list[Participant]:
    """Present, or sent a report: the people whose information is in the record."""
    return [
        p for p in meeting.participants if p.attendance.took_part or p.attendance == "report sent"
    ]


def missing_partners(meeting: Meeting, statutory: list[AgencyKind]) -> list[AgencyKind]:
    """Statutory partner agencies with nobody present (a report sent does not count as present)."""
    kinds = {p.agency_kind for p in present(meeting)}
    return [k for k in statutory if k not in kinds]


def unexplained_gaps(meeting: Meeting, statutory: list[AgencyKind]) -> list[AgencyKind]:
    """Missing partners with neither a recorded reason nor an escalation."""
    explained = {g.agency_kind for g in meeting.partner_gaps if g.reason.strip() or g.escalated}
    return [k for k in missing_partners(meeting, statutory) if k not in explained]
