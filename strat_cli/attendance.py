"""Who took part, and which statutory partners are missing: asked by the interview, the
documents and the quality check alike, so they never disagree."""

from __future__ import annotations

from .model import AgencyKind, Attendance, Meeting, Participant
from .timeutil import clock_text


def present(meeting: Meeting) -> list[Participant]:
    return [p for p in meeting.participants if p.attendance.took_part]


def contributed(meeting: Meeting) -> list[Participant]:
    """Who took part or sent a report: how a referring agency may play its part."""
    return [
        p
        for p in meeting.participants
        if p.attendance.took_part or p.attendance == Attendance.report_sent
    ]


def missing_partners(meeting: Meeting, statutory: list[AgencyKind]) -> list[AgencyKind]:
    """Statutory partner agencies with nobody present (a report sent does not count as present)."""
    kinds = {p.agency_kind for p in present(meeting)}
    return [k for k in statutory if k not in kinds]


def unexplained_gaps(meeting: Meeting, statutory: list[AgencyKind]) -> list[AgencyKind]:
    """Missing partners with neither a recorded reason nor an escalation."""
    explained = {g.agency_kind for g in meeting.partner_gaps if g.reason.strip() or g.escalated}
    return [k for k in missing_partners(meeting, statutory) if k not in explained]


def include_officers(meeting: Meeting) -> list[Participant]:
    """The chair and minute taker take part and must receive the record: list them.

    A participant of the same name is flagged rather than duplicated. Returns those added, so
    the caller can ask for their email.
    """
    added: list[Participant] = []
    roles = (  # the job role only: documents and screens add "(Chair)" / "(Minute taker)"
        (meeting.chair, "is_chair", meeting.chair_role),
        (meeting.minute_taker, "is_minute_taker", ""),
    )
    for name, flag, role in roles:
        if not name.strip():
            continue
        same = [p for p in meeting.participants if p.name.strip().lower() == name.strip().lower()]
        if same:
            setattr(same[0], flag, True)
            continue
        if any(getattr(p, flag) for p in meeting.participants):
            continue  # already listed under another spelling
        p = Participant(
            id=meeting.next_id("P", [x.id for x in meeting.participants]),
            name=name.strip(),
            role=role,
            agency_kind=AgencyKind.social_care,
            **{flag: True},
        )
        meeting.participants.append(p)
        added.append(p)
    return added


def how_taking_part(p: Participant, *, with_reason: bool = True) -> str:
    """'phone/video, joined 10:20' in UK time: one wording for screens and documents."""
    how = p.attendance.value
    if with_reason and p.apology_reason:
        how += f" ({p.apology_reason})"
    if p.joined_at:
        how += f", joined {clock_text(p.joined_at)}"
    if p.left_at:
        how += f", left {clock_text(p.left_at)}"
    return how
