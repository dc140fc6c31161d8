"""Prefill and answers files: a meeting prepared, or written up whole, in YAML or JSON.

`strat new --prefill FILE` takes what the convener knows before the call (the concern,
children, adults, invitees). `strat new --answers FILE --no-input` builds a whole meeting with
the same rules as the prompts: a rationale for every decision, an owner and a due time for every
action (due rules resolved against the area's bank holidays, from the meeting's end), reasons
for missing statutory partners. Every error names the file and the field.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .agenda import Agenda, ItemKind
from .attendance import include_officers, missing_partners
from .errors import InputError
from .model import (
    LONDON,
    Action,
    Adult,
    Attendance,
    Child,
    Decision,
    Disagreement,
    FamilySharing,
    InformationShared,
    Meeting,
    MeetingFormat,
    Participant,
    PartnerGap,
    Risk,
    Status,
)
from .rules import decision_problems, guess_kind, parse_clock, police_agreement_needed
from .store import field_path

if TYPE_CHECKING:
    from .store import Store

M = TypeVar("M", bound=BaseModel)

PREFILL_KEYS = {
    "agenda", "type", "format", "reason", "referrer", "concern_identified_at", "chair",
    "chair_role", "minute_taker", "previous", "children", "adults", "participants", "invitees",
}  # fmt: skip
ANSWER_KEYS = PREFILL_KEYS | {
    "started_at", "ended_at", "partner_gaps", "information", "notes", "risk", "decisions",
    "actions", "disagreements", "family", "review_mechanism", "next_discussion",
}  # fmt: skip
OUTCOME_ALIASES = {
    "s47": "s47 single-agency",
    "s47_single": "s47 single-agency",
    "s47-single": "s47 single-agency",
    "s47_joint": "s47 joint with police",
    "s47-joint": "s47 joint with police",
    "s17": "s17 child in need assessment",
    "early_help": "early help",
    "nfa": "no further action",
    "further_strategy": "further strategy discussion",
}


def load_file(path: Path) -> dict[str, Any]:
    """Read a YAML or JSON file into a mapping; faults name the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}:" if mark else ""
        raise InputError(
            f"{path}:{line} not valid YAML ({getattr(exc, 'problem', '') or exc})"
        ) from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: the file must hold a mapping of fields at the top level")
    return data


class Reader:
    """Builds parts of the record from file data, naming `file: field` in every error."""

    def __init__(self, source: str, day: date) -> None:
        self.source = source
        self.day = day

    def fail(self, where: str, why: str) -> InputError:
        return InputError(f"{self.source}: {where}: {why}")

    def model(self, cls: type[M], data: Any, where: str) -> M:
        if not isinstance(data, dict):
            raise self.fail(where, "must be a mapping of fields")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = field_path(err["loc"])  # an unknown key may be a name: never repeated
            raise self.fail(f"{where}.{field}" if field else where, err["msg"]) from None

    def items(self, data: dict[str, Any], key: str) -> list[Any]:
        value = data.get(key) or []
        if not isinstance(value, list):
            raise self.fail(key, "must be a list")
        return value

    def when(self, value: Any, where: str) -> datetime | None:
        """A datetime from YAML, ISO text or a clock time on the meeting's day."""
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=LONDON)
        if isinstance(value, str):
            try:
                return parse_clock(value, self.day)
            except InputError as exc:
                raise self.fail(where, exc.message) from None
        raise self.fail(where, "must be a date and time, e.g. 2026-11-19 10:25")


def _take(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: row[k] for k in keys if k in row}


def apply_prefill(data: dict[str, Any], meeting: Meeting, *, source: str) -> None:
    """What is known before the call: concern, chair, children, adults, invitees."""
    unknown = [n for n, key in enumerate(data, start=1) if key not in ANSWER_KEYS]
    if unknown:  # the key itself may be typed text, a name: named by its place and path only
        raise InputError(
            f"{source}: top-level key {unknown[0]}: not a field strat knows "
            "(see examples/prefill.yaml)"
        )
    r = Reader(source, meeting.started_at.date())
    head = _take(
        data,
        "type",
        "format",
        "reason",
        "referrer",
        "chair",
        "chair_role",
        "minute_taker",
        "previous",
    )
    if head:
        merged = meeting.model_dump() | head
        try:
            updated = Meeting.model_validate(merged)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise r.fail(".".join(str(p) for p in err["loc"]), err["msg"]) from None
        for key in head:
            setattr(meeting, key, getattr(updated, key))
    if "concern_identified_at" in data:
        meeting.concern_identified_at = r.when(
            data["concern_identified_at"], "concern_identified_at"
        )
    for n, row in enumerate(r.items(data, "children")):
        row = dict(row) if isinstance(row, dict) else row
        if isinstance(row, dict):
            row.setdefault("id", meeting.next_id("C", [c.id for c in meeting.children]))
        meeting.children.append(r.model(Child, row, f"children[{n}]"))
    for n, row in enumerate(r.items(data, "adults")):
        row = dict(row) if isinstance(row, dict) else row
        if isinstance(row, dict):
            row.setdefault("id", meeting.next_id("AD", [a.id for a in meeting.adults]))
        meeting.adults.append(r.model(Adult, row, f"adults[{n}]"))
    key = "participants" if "participants" in data else "invitees"
    for n, row in enumerate(r.items(data, key)):
        where = f"{key}[{n}]"
        if not isinstance(row, dict):
            raise r.fail(where, "must be a mapping of fields")
        row = dict(row)
        row.setdefault("id", meeting.next_id("P", [p.id for p in meeting.participants]))
        if "agency_kind" not in row and row.get("agency"):
            row["agency_kind"] = guess_kind(str(row["agency"])).value
        for t in ("joined_at", "left_at"):
            if t in row:
                row[t] = r.when(row[t], f"{where}.{t}")
        p = r.model(Participant, row, where)
        if p.attendance == Attendance.apologies and not p.apology_reason.strip():
            raise r.fail(f"{where}.apology_reason", "apologies need a reason")
        if p.attendance == Attendance.report_sent:
            p.contributed = True
        meeting.participants.append(p)
    include_officers(meeting)
    _check_unique(r, meeting)


def _check_unique(r: Reader, m: Meeting) -> None:
    for key, ids in (
        ("children", [c.id for c in m.children]),
        ("adults", [a.id for a in m.adults]),
        ("participants", [p.id for p in m.participants]),
    ):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise r.fail(key, f"id {dupes[0]} is used more than once")


def _person(m: Meeting, ref: Any) -> Participant | None:
    """A participant by id (P3) or by name, case-insensitive."""
    text = str(ref).strip().lower()
    return next((p for p in m.participants if text in (p.id.lower(), p.name.lower())), None)


def _child_ids(r: Reader, m: Meeting, refs: Any, where: str) -> list[str]:
    if refs is None:
        return []
    if not isinstance(refs, list):
        refs = [refs]
    out = []
    for n, ref in enumerate(refs):
        text = str(ref).strip().lower()
        child = next((c for c in m.children if text in (c.id.lower(), c.name.lower())), None)
        if child is None:  # what was typed may be a child's name: never echo it
            known = ", ".join(c.id for c in m.children) or "none"
            raise r.fail(f"{where}[{n}]", f"matches no child of this meeting (children: {known})")
        out.append(child.id)
    return out


def build_meeting(
    data: dict[str, Any], agenda: Agenda, store: Store, *, source: str, user: str = ""
) -> Meeting:
    """A whole meeting from an answers file, validated as the prompts would, then saved."""
    now = datetime.now(LONDON)
    probe = Reader(source, now.date())
    started = probe.when(data.get("started_at"), "started_at") or now
    meeting = Meeting(id="SD-0000-0000", agenda=agenda.id, started_at=started, chair=user)
    fill_meeting(data, agenda, meeting, source=source, user=user)
    meeting.id = store.new_id(started.year)
    meeting.log("created", "from an answers file", who=user or meeting.chair, at=now)
    meeting.audit.sort(key=lambda e: e.at)
    store.create(meeting)
    return meeting


def fill_meeting(
    data: dict[str, Any], agenda: Agenda, meeting: Meeting, *, source: str, user: str = ""
) -> None:
    """Everything in an answers file, onto `meeting` (not saved); raises on the first fault."""
    from .deadlines import resolve_due

    m = meeting
    apply_prefill(data, m, source=source)
    r = Reader(source, m.started_at.date())
    who = user or m.chair
    start = m.started_at
    entered = datetime.now(LONDON)

    def log(event: str, detail: str) -> None:
        """Audit entries say when and by whom the file was entered, not the meeting's times
        (those are in the record): the trail never claims it was typed live."""
        m.log(event, detail, who=who, at=entered)

    if "ended_at" in data:
        m.ended_at = r.when(data["ended_at"], "ended_at")
        if m.ended_at is not None and m.ended_at < start:
            raise r.fail("ended_at", "is before started_at")

    # attendance and statutory partners
    taken = any(p.attendance != Attendance.invited for p in m.participants)
    m.progress.attendance_taken = taken
    if taken:  # the chair and minute taker were there, whether or not the file says how
        for officer in m.participants:
            if (officer.is_chair or officer.is_minute_taker) and (
                officer.attendance == Attendance.invited
            ):
                remote = m.format != MeetingFormat.in_person
                officer.attendance = Attendance.remote if remote else Attendance.in_person
    for n, row in enumerate(r.items(data, "partner_gaps")):
        m.partner_gaps.append(r.model(PartnerGap, row, f"partner_gaps[{n}]"))
    if taken:
        log(
            "attendance taken", f"{sum(p.attendance.took_part for p in m.participants)} taking part"
        )
        explained = {g.agency_kind for g in m.partner_gaps if g.reason.strip() or g.escalated}
        for kind in missing_partners(m, agenda.statutory_partners):
            if kind not in explained:
                raise r.fail(
                    "partner_gaps",
                    f"{kind.value} is a statutory partner and nobody from it took part; add "
                    f"an entry with agency_kind: {kind.value} and a reason (or escalation)",
                )

    # information, notes, risk
    for n, row in enumerate(r.items(data, "information")):
        where = f"information[{n}]"
        if not isinstance(row, dict):
            raise r.fail(where, "must be a mapping of fields")
        row = dict(row)
        p = _person(m, row.get("by", "")) if row.get("by") else None
        if p is not None:
            row.update(participant_id=p.id, by=p.name, agency=row.get("agency") or p.agency)
            p.contributed = True
        row.setdefault("id", m.next_id("I", [i.id for i in m.information]))
        m.information.append(r.model(InformationShared, row, where))
    notes = data.get("notes") or {}
    if not isinstance(notes, dict):
        raise r.fail("notes", "must map agenda item keys to text")
    for n, (key, text) in enumerate(notes.items()):
        if agenda.item(str(key)) is None:  # what was typed as the key may be a name
            raise r.fail(
                f"notes (key {n + 1})",
                f"not an agenda item of {agenda.id} (its items: "
                f"{', '.join(i.key for i in agenda.items)})",
            )
        m.notes[str(key)] = str(text)
    if "risk" in data:
        m.risk = r.model(Risk, data["risk"], "risk")

    # decisions: one entry may cover several children; a later entry overrides a child
    for n, row in enumerate(r.items(data, "decisions")):
        where = f"decisions[{n}]"
        if not isinstance(row, dict):
            raise r.fail(where, "must be a mapping of fields")
        row = dict(row)
        refs = row.pop("children", None) or row.pop("child", None)
        ids = _child_ids(r, m, refs, f"{where}.children")
        if not ids:
            raise r.fail(f"{where}.children", "say which children the decision is for")
        outcome = str(row.get("outcome", "")).strip()
        row["outcome"] = OUTCOME_ALIASES.get(outcome.lower(), outcome)
        if not str(row.get("rationale", "")).strip():
            raise r.fail(f"{where}.rationale", "a decision needs its rationale")
        _yes_no(row, "parents_informed", "legal_advice")
        if isinstance(row.get("medical"), dict):
            row["medical"] = dict(row["medical"])
            _yes_no(row["medical"], "needed")
        for cid in ids:
            old = m.decisions_for(cid)
            values = {
                **row,
                "child_id": cid,
                "id": old[-1].id if old else m.next_id("D", [d.id for d in m.decisions]),
            }
            if isinstance(values.get("police_agreement"), dict):
                pa = dict(values["police_agreement"])
                pa.setdefault("at", start)
                values["police_agreement"] = pa
            values.setdefault("recorded_at", start)
            d = r.model(Decision, values, where)
            for problem in decision_problems(d, agenda):
                field, _, why = problem.partition(": ")
                if field == "police_agreement" and police_agreement_needed(agenda, d.outcome):
                    why += " (add police_agreement: {officer: NAME, agreed: true})"
                raise r.fail(f"{where}.{field}", why)
            m.decisions = [x for x in m.decisions if x.child_id != cid]
            m.decisions.append(d)
            log("decision recorded", f"{d.id} {cid}: {d.outcome.value}")

    # actions: owner and due required; due rules resolved from the meeting's start
    for n, row in enumerate(r.items(data, "actions")):
        where = f"actions[{n}]"
        if not isinstance(row, dict):
            raise r.fail(where, "must be a mapping of fields")
        row = dict(row)
        if not str(row.get("what", "")).strip():
            raise r.fail(f"{where}.what", "say what needs doing")
        if not str(row.get("owner", "")).strip():
            raise r.fail(f"{where}.owner", "an action needs an owner")
        due = row.get("due")
        if due in (None, ""):
            raise r.fail(
                f"{where}.due",
                "an action needs a due time (a date and time, or e.g. '2 working days')",
            )
        if isinstance(due, datetime):
            row["due"] = due if due.tzinfo else due.replace(tzinfo=LONDON)
        elif isinstance(due, date):
            raise r.fail(f"{where}.due", "give a time too, e.g. '24/11/2026 17:00'")
        else:
            try:  # "within 1 hour" counts from the end of the meeting, where it is known
                row["due"] = resolve_due(str(due), m.ended_at or start, agenda, m)
            except InputError as exc:
                raise r.fail(f"{where}.due", exc.message) from None
            row.setdefault("due_rule", str(due))
        owner = _person(m, row["owner"])
        if owner is not None:
            row.update(owner=owner.name, owner_participant_id=owner.id)
            row.setdefault("agency", owner.agency)
        row["child_ids"] = _child_ids(r, m, row.pop("children", None), f"{where}.children")
        row.setdefault("id", m.next_id("A", [a.id for a in m.actions]))
        row.setdefault("created_at", start)
        action = r.model(Action, row, where)
        m.actions.append(action)
        log("action added", f"{action.id}: {action.owner}, due {action.due:%d/%m/%Y %H:%M}")

    for n, row in enumerate(r.items(data, "disagreements")):
        where = f"disagreements[{n}]"
        if isinstance(row, dict):
            row = {**row, "id": row.get("id") or m.next_id("G", [d.id for d in m.disagreements])}
        dg = r.model(Disagreement, row, where)
        if dg.escalated and not dg.escalation.strip():
            raise r.fail(f"{where}.escalation", "say how it is escalated")
        m.disagreements.append(dg)
    if "family" in data:
        m.family = r.model(FamilySharing, data["family"], "family")
        if m.family.withheld.strip() and not m.family.withheld_reason.strip():
            raise r.fail("family.withheld_reason", "record why it is withheld")
    m.review_mechanism = str(data.get("review_mechanism") or "")
    nxt = data.get("next_discussion")
    if isinstance(nxt, str) and nxt.strip():
        try:
            m.next_discussion = resolve_due(nxt, start, agenda, m)
        except InputError as exc:
            raise r.fail("next_discussion", exc.message) from None
    elif nxt:
        m.next_discussion = r.when(nxt, "next_discussion")

    m.progress.done = [i.key for i in agenda.items if _answered(m, i.key, i.kind)]
    if m.ended_at is not None:
        m.status = Status.ended
        m.progress.current = None
        log("ended", f"at {m.ended_at:%H:%M} (from the answers file)")


def _yes_no(row: dict[str, Any], *keys: str) -> None:
    """YAML reads a bare yes/no as true/false: take it back to the words the record uses."""
    for key in keys:
        if isinstance(row.get(key), bool):
            row[key] = "yes" if row[key] else "no"


def _answered(m: Meeting, key: str, kind: ItemKind) -> bool:
    checks = {
        ItemKind.attendance: m.progress.attendance_taken,
        ItemKind.information: bool(m.information),
        ItemKind.risk: bool(m.risk.summary or m.risk.level),
        ItemKind.voice: any(c.voice for c in m.children),
        ItemKind.other_children: any(not c.subject for c in m.children),
        ItemKind.decisions: bool(m.decisions),
        ItemKind.actions: bool(m.actions),
        ItemKind.disagreements: bool(m.disagreements),
        ItemKind.family: bool(m.family.shared or m.family.withheld),
        ItemKind.review: bool(m.review_mechanism),
    }
    return bool(m.notes.get(key)) or checks.get(kind, False)
