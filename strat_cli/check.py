"""The quality check: compares a record with its area's procedure and lists every gap.

Case reviews keep finding the same gaps (partners missing, decisions without rationale, actions
without an owner or date, late circulation). Which items an area requires, which partners are
statutory and which rules apply all come from the agenda file, never from code here, so a council
changes the check by editing its YAML. Deadlines are asked of `deadlines`, never computed here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from .agenda import Agenda, Item, ItemKind
from .attendance import missing_partners, unexplained_gaps
from .model import LONDON, ActionStatus, Attendance, Meeting, Outcome, Status, YesNo
from .timeutil import before

if TYPE_CHECKING:
    from .deadlines import Deadlines

Severity = Literal["error", "warning"]

# An owner that names nobody: SMART actions have one accountable person.
NO_OWNER = {"", "tbc", "tbd", "tba", "unknown", "?", "-", "n/a", "na", "none", "all", "everyone"}


@dataclass(frozen=True)
class Gap:
    """One finding: how serious, a stable code for scripts, and where in the record it is."""

    severity: Severity
    code: str
    where: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class Report:
    meeting_id: str
    agenda_id: str
    gaps: list[Gap]

    @property
    def errors(self) -> list[Gap]:
        return [g for g in self.gaps if g.severity == "error"]

    @property
    def warnings(self) -> list[Gap]:
        return [g for g in self.gaps if g.severity == "warning"]

    @property
    def ok(self) -> bool:
        """No errors: warnings alone do not stop authorisation."""
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.meeting_id,
            "agenda": self.agenda_id,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "gaps": [g.as_dict() for g in self.gaps],
        }


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


class _Collector:
    def __init__(self) -> None:
        self.gaps: list[Gap] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, severity: Severity, code: str, where: str, message: str) -> None:
        if (code, where) in self._seen:  # one finding per place, whichever rule found it first
            return
        self._seen.add((code, where))
        self.gaps.append(Gap(severity, code, where, message))


def _items_of(agenda: Agenda, kind: ItemKind) -> list[Item]:
    return [i for i in agenda.items if i.kind == kind]


def _required(agenda: Agenda, kind: ItemKind) -> bool:
    return any(i.required for i in _items_of(agenda, kind))


def _note_under(meeting: Meeting, items: list[Item]) -> str:
    return next((meeting.notes[i.key] for i in items if not _blank(meeting.notes.get(i.key))), "")


def check_meeting(
    meeting: Meeting,
    agenda: Agenda,
    *,
    now: datetime | None = None,
    deadlines: Deadlines | None = None,
) -> Report:
    """Every gap between the record and the area's procedure, in record order.

    `deadlines` may be passed in (tests, or a caller that already has them); otherwise they are
    asked of the deadlines module.
    """
    now = now or datetime.now(LONDON)
    out = _Collector()
    _status(meeting, out)
    _partners(meeting, agenda, out)
    _children(meeting, agenda, out)
    _decisions(meeting, agenda, out)
    _actions(meeting, agenda, out)
    _disagreements(meeting, out)
    _family(meeting, out)
    _required_items(meeting, agenda, out)
    _deadlines(meeting, agenda, now, deadlines, out)
    return Report(meeting.id, agenda.id, out.gaps)


# --- the rules -------------------------------------------------------------------------------


def _status(meeting: Meeting, out: _Collector) -> None:
    if meeting.status == Status.draft:
        out.add(
            "error",
            "status.in_progress",
            "status",
            "the discussion is still in progress: end it before it is authorised",
        )


def _partners(meeting: Meeting, agenda: Agenda, out: _Collector) -> None:
    marked = meeting.progress.attendance_taken or any(
        p.attendance != Attendance.invited for p in meeting.participants
    )
    if not marked:
        return  # reported once, as the required attendance item, not once per partner
    unexplained = unexplained_gaps(meeting, agenda.statutory_partners)
    for kind in unexplained:
        out.add(
            "error",
            "partner.missing",
            f"partner_gaps.{kind.value}",
            f"statutory partner {kind.value} took no part, with no reason or escalation recorded",
        )
    gaps = {g.agency_kind: g for g in meeting.partner_gaps}
    for kind in missing_partners(meeting, agenda.statutory_partners):
        gap = gaps.get(kind)
        if kind not in unexplained and gap is not None and not gap.escalated:
            out.add(
                "warning",
                "partner.not_escalated",
                f"partner_gaps.{kind.value}",
                f"statutory partner {kind.value} took no part ({gap.reason.strip()}); "
                "not escalated",
            )


def _children(meeting: Meeting, agenda: Agenda, out: _Collector) -> None:
    if not meeting.subject_children:
        out.add("error", "children.none", "children", "no subject child recorded")
    voice_sev: Severity = "error" if _required(agenda, ItemKind.voice) else "warning"
    for c in meeting.subject_children:
        if c.unborn:
            continue  # an unborn child has no voice to record; the mother's view goes in notes
        if _blank(c.voice):
            out.add(
                voice_sev,
                "child.voice",
                f"children.{c.id}.voice",
                f"{c.id}: the child's voice and lived experience are not recorded",
            )
    others = [c for c in meeting.children if not c.subject]
    other_items = _items_of(agenda, ItemKind.other_children)
    other_sev: Severity = "error" if _required(agenda, ItemKind.other_children) else "warning"
    if not others and not _note_under(meeting, other_items):
        key = other_items[0].key if other_items else "other_children"
        out.add(
            other_sev,
            "other_children.not_considered",
            f"notes.{key}",
            "other children who may be affected were not considered "
            "(add them, or note that there are none)",
        )
    for c in others:
        if _blank(c.considered):
            out.add(
                "warning",
                "other_children.how",
                f"children.{c.id}.considered",
                f"{c.id}: how this child may be affected is not recorded",
            )
    decided = {d.child_id for d in meeting.decisions}
    for c in meeting.subject_children:
        if c.id not in decided:
            out.add(
                "error",
                "decision.missing",
                f"children.{c.id}",
                f"{c.id}: no decision recorded for this child",
            )


def _decisions(meeting: Meeting, agenda: Agenda, out: _Collector) -> None:
    for d in meeting.decisions:
        at = f"decisions.{d.id}"
        if meeting.child(d.child_id) is None:
            out.add(
                "error",
                "decision.unknown_child",
                f"{at}.child_id",
                f"{d.id}: refers to {d.child_id}, who is not in the record",
            )
        if _blank(d.rationale):
            out.add("error", "decision.rationale", f"{at}.rationale", f"{d.id}: no rationale")
        if d.outcome == Outcome.nfa and agenda.rules.nfa_requires_police_agreement:
            pa = d.police_agreement
            if pa is None or not pa.agreed or _blank(pa.officer):
                out.add(
                    "error",
                    "decision.nfa_agreement",
                    f"{at}.police_agreement",
                    f"{d.id}: no further action needs the agreement of the police officer in "
                    f"charge in {agenda.name}, and none is recorded",
                )
        med = d.medical
        if med.needed == YesNo.undecided:
            out.add(
                "error" if d.outcome.is_s47 else "warning",
                "medical.undecided",
                f"{at}.medical.needed",
                f"{d.id}: no decision on a medical examination",
            )
        elif _blank(med.reason):
            out.add(
                "error",
                "medical.reason",
                f"{at}.medical.reason",
                f"{d.id}: the medical decision ({med.needed.value}) has no reason",
            )
        if med.needed == YesNo.yes and _blank(med.by):
            out.add(
                "warning",
                "medical.by",
                f"{at}.medical.by",
                f"{d.id}: who carries out the medical, and when, is not recorded",
            )
        if d.parents_informed == YesNo.no and _blank(d.parents_not_informed_reason):
            out.add(
                "error",
                "parents.reason",
                f"{at}.parents_not_informed_reason",
                f"{d.id}: parents or PR holders are not to be told, with no reason recorded",
            )
        elif d.parents_informed == YesNo.undecided:
            out.add(
                "warning",
                "parents.undecided",
                f"{at}.parents_informed",
                f"{d.id}: whether parents or PR holders are told is not decided",
            )


def _actions(meeting: Meeting, agenda: Agenda, out: _Collector) -> None:
    live = [a for a in meeting.actions if a.status != ActionStatus.cancelled]
    for a in live:
        at = f"actions.{a.id}"
        if a.owner.strip().lower() in NO_OWNER:
            out.add(
                "error", "action.owner", f"{at}.owner", f"{a.id}: no one person owns this action"
            )
        if before(a.due, meeting.started_at):
            out.add(
                "error",
                "action.due_before_meeting",
                f"{at}.due",
                f"{a.id}: due {a.due:%d/%m/%Y %H:%M}, before the discussion started",
            )
    if agenda.rules.requires_contingency_plan and not any(a.contingency for a in live):
        out.add(
            "error",
            "contingency.missing",
            "actions",
            "no contingency plan: the area requires one (mark an action as a contingency)",
        )


def _disagreements(meeting: Meeting, out: _Collector) -> None:
    for g in meeting.disagreements:
        at = f"disagreements.{g.id}"
        if _blank(g.resolution) and not (g.escalated and not _blank(g.escalation)):
            out.add(
                "error",
                "disagreement.unresolved",
                f"{at}.resolution",
                f"{g.id}: disagreement with neither a resolution nor an escalation recorded",
            )
        elif g.escalated and _blank(g.escalation):
            out.add(
                "warning",
                "disagreement.escalation",
                f"{at}.escalation",
                f"{g.id}: escalated, but not to whom or by what route",
            )


def _family(meeting: Meeting, out: _Collector) -> None:
    if not _blank(meeting.family.withheld) and _blank(meeting.family.withheld_reason):
        out.add(
            "error",
            "family.withheld_reason",
            "family.withheld_reason",
            "information is withheld from the family with no reason recorded",
        )


def _required_items(meeting: Meeting, agenda: Agenda, out: _Collector) -> None:
    """Items the area marks required, each asked in the way its kind records data."""
    for item in agenda.items:
        if not item.required:
            continue
        where, empty = _item_empty(meeting, item)
        if empty:
            out.add(
                "error",
                "item.empty",
                where,
                f"required agenda item '{item.title}' is empty",
            )


def _item_empty(meeting: Meeting, item: Item) -> tuple[str, bool]:
    kind = item.kind
    note = not _blank(meeting.notes.get(item.key))
    if kind == ItemKind.notes:
        return f"notes.{item.key}", not note
    if kind == ItemKind.attendance:
        marked = meeting.progress.attendance_taken or any(
            p.attendance != Attendance.invited for p in meeting.participants
        )
        return "participants", not marked
    if kind == ItemKind.information:
        return "information", not meeting.information and not note
    if kind == ItemKind.risk:
        return "risk.summary", _blank(meeting.risk.summary)
    if kind == ItemKind.voice:
        # per child, reported by the voice rule; empty here only when there is no child at all
        return "children", not meeting.subject_children
    if kind == ItemKind.other_children:
        # reported by the other-children rule, under the same code and place
        return f"notes.{item.key}", False
    if kind == ItemKind.decisions:
        return "decisions", not meeting.decisions
    if kind == ItemKind.actions:
        return "actions", not meeting.actions
    if kind == ItemKind.disagreements:
        return f"notes.{item.key}", False  # none raised is a valid record
    if kind == ItemKind.family:
        return "family.shared", _blank(meeting.family.shared)
    if kind == ItemKind.review:
        return "review_mechanism", _blank(meeting.review_mechanism)
    return f"notes.{item.key}", not note


def _deadlines(
    meeting: Meeting,
    agenda: Agenda,
    now: datetime,
    given: Deadlines | None,
    out: _Collector,
) -> None:
    if given is None:
        from .deadlines import meeting_deadlines

        given = meeting_deadlines(meeting, agenda)
    dl = given
    from .deadlines import format_uk

    days = agenda.timescales.circulate_within_working_days
    from .circulation import coverage, describe_missing

    cov = coverage(meeting.participants, meeting.circulation)
    missing = describe_missing(meeting.participants, cov.missing)
    if dl.circulated_on_time is False:
        when = f" (complete {format_uk(cov.complete_at)})" if cov.complete_at else ""
        out.add(
            "error",
            "circulation.late",
            "circulation",
            f"the record was not circulated within {days} working day(s)"
            + (f": due {format_uk(dl.circulation_due)}" if dl.circulation_due else "")
            + when,
        )
    elif (
        dl.circulated_on_time is None
        and dl.circulation_due is not None
        and before(dl.circulation_due, now)
    ):
        out.add(
            "error",
            "circulation.late",
            "circulation",
            (
                f"the record has not reached every participant; still missing: {missing}"
                if cov.first_delivery_at is not None
                else "the record has not been circulated"
            )
            + f"; it was due {format_uk(dl.circulation_due)}",
        )
    elif cov.missing and cov.first_delivery_at is not None:
        out.add(
            "warning",
            "circulation.incomplete",
            "circulation",
            f"the record has not reached every participant; still missing: {missing}",
        )
    if cov.not_emailed:
        out.add(
            "warning",
            "circulation.not_emailed",
            "circulation",
            "not emailed (no usable address), so the record must reach them another way: "
            + describe_missing(meeting.participants, cov.not_emailed),
        )
    for c in meeting.circulation:
        if c.state:  # said until someone says what became of it
            out.add(
                "warning",
                "circulation.unsettled",
                "circulation",
                f"the send of {format_uk(c.at)} was cut off and its outcome is unknown; ask "
                f"the recipients, then run: strat email {meeting.id} --unsettled delivered "
                "(or resend)",
            )
    held = meeting.icpc_held_on
    if held is not None and dl.icpc_target is not None and held > dl.icpc_target:
        from .deadlines import format_uk_date

        out.add(
            "warning",
            "icpc.late",
            "icpc_held_on",
            f"the conference was held on {format_uk_date(held)}, after its "
            f"target of {format_uk_date(dl.icpc_target)}",
        )
    if meeting.s47_decided and dl.icpc_target is None:
        out.add(
            "error",
            "icpc.no_target",
            "s47_started_at",
            "s47 was decided but there is no ICPC target date "
            "(record when the discussion that initiated s47 was held)",
        )
