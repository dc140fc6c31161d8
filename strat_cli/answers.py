"""Prefill and answers files: a meeting prepared, or written up whole, in YAML or JSON.

`strat new --prefill FILE` takes what the convener knows before the call (the concern,
children, adults, invitees). `strat new --answers FILE --no-input` builds a whole meeting with
the same rules as the prompts: a rationale for every decision, an owner and a due time for every
action (due rules resolved against the area's bank holidays, from the meeting's end), reasons
for missing statutory partners. Every error names the file and the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from . import questions
from .agenda import Agenda
from .attendance import include_officers, missing_partners
from .errors import InputError
from .model import (
    ANSWERS,
    LONDON,
    MEETING_ID_RE,
    PREFILL,
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
    error_text,
    meeting_fields,
)
from .questions import Given, Question
from .rulebook import findings, item_answered
from .rules import guess_kind
from .store import field_path
from .timeutil import typed_form
from .yamlfile import FIELD_NAME, JsonProblem, load_json, load_yaml, read_outside
from .yamlfile import problem as yaml_problem

if TYPE_CHECKING:
    from .stores import RecordStore

M = TypeVar("M", bound=BaseModel)

# The fields each kind of file may give (model.MEETING_FIELD_ROLES), and `invitees`: people
# listed before the call, who become participants.
PREFILL_KEYS = {*meeting_fields(PREFILL), "invitees"}
ANSWER_KEYS = PREFILL_KEYS | set(meeting_fields(ANSWERS))


def load_file(path: Path) -> dict[str, Any]:
    """Read a YAML or JSON file into a mapping, strictly (a field written twice, or aliases
    that expand without bound, are refused); faults name the file and line."""
    raw = read_outside(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: byte {exc.start + 1} is not UTF-8 text") from None
    try:
        data = load_json(raw) if path.suffix.lower() == ".json" else load_yaml(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except JsonProblem as exc:
        raise InputError(f"{path}:{f' line {exc.line}:' if exc.line else ''} {exc.why}") from None
    except RecursionError:
        raise InputError(f"{path}: the file is nested too deeply") from None
    except yaml.YAMLError as exc:
        line, why = yaml_problem(exc)
        raise InputError(f"{path}:{f' line {line}:' if line else ''} {why}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: the file must hold a mapping of fields at the top level")
    return data


class Reader:
    """Builds parts of the record from file data, naming `file: field` in every error."""

    def __init__(self, source: str, meeting: Meeting, agenda: Agenda | None = None) -> None:
        self.source = source
        self.meeting = meeting
        self.agenda = agenda

    def given(
        self, *, now: datetime | None = None, after: datetime | None = None, now_is: str = "now"
    ) -> Given:
        """What a file's answer is read against: a clock time alone is on the meeting's day."""
        start = self.meeting.started_at
        return Given(
            self.meeting, self.agenda, now or start, start.date(), after=after, now_is=now_is
        )

    def take(self, q: Question, value: Any, where: str, given: Given | None = None) -> Any:
        """A file's answer to a question, read as the live prompt reads it (`Question.take`)."""
        try:
            return q.take(value, given or self.given())
        except InputError as exc:
            why = exc.message
            if q.required and why == q.refusal and q.help:
                why += f" ({q.help})"
            raise self.fail(where, why) from None

    def fail(self, where: str, why: str) -> InputError:
        return InputError(f"{self.source}: {where}: {why}")

    def invalid(self, exc: ValidationError, where: str = "") -> InputError:
        """The first fault pydantic found, named by its field under `where` (an unknown key may
        be a name: never repeated), or the top level."""
        err = exc.errors()[0]
        field = field_path(err["loc"])
        named = f"{where}.{field}" if where and field else where or field or "top level"
        return self.fail(named, error_text(err))

    def model(self, cls: type[M], data: Any, where: str) -> M:
        if not isinstance(data, dict):
            raise self.fail(where, "must be a mapping of fields")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise self.invalid(exc, where) from None

    def items(self, data: dict[str, Any], key: str) -> list[Any]:
        value = data.get(key) or []
        if not isinstance(value, list):
            raise self.fail(key, "must be a list")
        return value


def _take(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: row[k] for k in keys if k in row}


def apply_prefill(
    data: dict[str, Any],
    meeting: Meeting,
    *,
    source: str,
    keys: set[str] = PREFILL_KEYS,
    agenda: Agenda | None = None,
) -> None:
    """What is known before the call: concern, chair, children, adults, invitees. An invitee's
    kind of agency is guessed with the area's words, as the live walk guesses it.

    `keys` are the fields the file may hold: a prefill's own, or (from `fill_meeting`) all the
    answers keys. A field of the meeting itself in a prefill is refused, never dropped."""
    unknown = sorted(set(data) - keys, key=str)
    if unknown:
        key = str(unknown[0])
        if key in ANSWER_KEYS:
            raise InputError(
                f"{source}: {key}: a prefill holds only what is known before the call; "
                "record it in the meeting, or build the whole meeting with --answers FILE"
            )
        shown = key if FIELD_NAME.match(key) else "(a field not shown)"
        raise InputError(f"{source}: {shown}: not a field strat knows (see examples/prefill.yaml)")
    r = Reader(source, meeting)
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
        "concerns",
        "invites",
    )
    if head:
        merged = meeting.model_dump() | head
        try:
            updated = Meeting.model_validate(merged)
        except ValidationError as exc:
            raise r.invalid(exc) from None
        for key in head:
            setattr(meeting, key, getattr(updated, key))
    if "concern_identified_at" in data:
        meeting.concern_identified_at = r.take(
            questions.CONCERN_IDENTIFIED, data["concern_identified_at"], "concern_identified_at"
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
            if "informed_at" in row:
                row["informed_at"] = r.take(
                    questions.INFORMED_AT, row["informed_at"], f"adults[{n}].informed_at"
                )
        meeting.adults.append(r.model(Adult, row, f"adults[{n}]"))
    key = "participants" if "participants" in data else "invitees"
    for n, row in enumerate(r.items(data, key)):
        where = f"{key}[{n}]"
        if not isinstance(row, dict):
            raise r.fail(where, "must be a mapping of fields")
        row = dict(row)
        row.setdefault("id", meeting.next_id("P", [p.id for p in meeting.participants]))
        if "agency_kind" not in row and row.get("agency"):
            row["agency_kind"] = guess_kind(str(row["agency"]), agenda).value
        for q in (questions.JOINED, questions.LEFT):  # as /who reads them
            if q.name in row:
                row[q.name] = r.take(
                    q, row[q.name], f"{where}.{q.name}", r.given(after=meeting.started_at)
                )
        p = r.model(Participant, row, where)
        if p.attendance == Attendance.apologies and not p.apology_reason.strip():
            raise r.fail(f"{where}.apology_reason", "apologies need a reason")
        if p.attendance == Attendance.report_sent:
            p.contributed = True
        meeting.participants.append(p)
    include_officers(meeting)
    _check_unique(r, meeting)


def check_prefill(data: dict[str, Any], source: str) -> None:
    """Refuse a faulty prefill before a reference is taken and a file created for it."""
    probe = Meeting(id="SD-0000-0000", agenda="prefill", started_at=datetime.now(LONDON))
    apply_prefill(data, probe, source=source)


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
    data: dict[str, Any],
    agenda: Agenda,
    store: RecordStore,
    *,
    source: str,
    user: str = "",
    warnings: list[str] | None = None,
) -> Meeting:
    """A whole meeting from an answers file, validated as the prompts would, then saved.
    What is saved but worth a look (a due day the office is shut) is added to `warnings`."""
    now = datetime.now(LONDON)
    meeting = Meeting(id="SD-0000-0000", agenda=agenda.id, started_at=now, chair=user)
    started = Reader(source, meeting).take(questions.START, data.get("started_at"), "started_at")
    meeting.started_at = started or now
    fill_meeting(
        data, agenda, meeting, source=source, user=user, load=_loader(store), warnings=warnings
    )
    if warnings is not None:  # saved, and flagged by the rule that finds each gap
        warnings += flags(meeting, agenda, source)
    meeting.id = store.new_id(started.year)
    meeting.log("created", "from an answers file", who=user or meeting.chair, at=now)
    meeting.audit.sort(key=lambda e: e.at)
    store.create(meeting)
    return meeting


def flags(meeting: Meeting, agenda: Agenda, source: str) -> list[str]:
    """What an answers file leaves incomplete: saved, and named by the rule (its code)."""
    return [
        f"{source}: {g.where}: {g.message} [{g.code}]"
        for g in findings(meeting, agenda, stage="record")
    ]


# What "now" is when an answers file's relative times are resolved: the meeting's end, or its
# start when the file has no end (keyed by "no end").
_FROM = {False: "the meeting's end", True: "the meeting's start"}


def _loader(store: RecordStore) -> Callable[[str], Meeting | None]:
    def load(meeting_id: str) -> Meeting | None:
        """An earlier discussion in the store; another system's reference is simply not there."""
        if not MEETING_ID_RE.match(meeting_id) or not store.exists(meeting_id):
            return None
        return store.load(meeting_id)

    return load


def _chain(
    r: Reader, data: dict[str, Any], m: Meeting, load: Callable[[str], Meeting | None]
) -> bool:
    """Link a follow-up to its case as the live --follow-up path does: the earlier discussions
    of the one named last in `previous`, and when s47 started (deadlines.s47_start_carried).
    `s47_started_at` in the file says it outright, for a chain whose start is not in the store.
    True when the chain is known (found in the store, said outright, or no earlier discussion).
    """
    from .deadlines import s47_start_carried
    from .timeutil import before

    explicit = r.take(questions.S47_STARTED, data.get("s47_started_at"), "s47_started_at")
    if explicit is not None and before(m.started_at, explicit):
        raise r.fail(
            "s47_started_at", "is after started_at: s47 started at this or an earlier discussion"
        )
    carried = None
    earlier = load(m.previous[-1]) if m.previous else None
    if earlier is not None:
        m.previous = [*(p for p in earlier.previous if p not in m.previous), *m.previous]
        carried = s47_start_carried(earlier)
    m.s47_started_at = explicit or carried
    return earlier is not None or explicit is not None or not m.previous


def fill_meeting(
    data: dict[str, Any],
    agenda: Agenda,
    meeting: Meeting,
    *,
    source: str,
    user: str = "",
    load: Callable[[str], Meeting | None] | None = None,
    warnings: list[str] | None = None,
) -> None:
    """Everything in an answers file, onto `meeting` (not saved); raises on the first fault.

    `load` finds earlier discussions named in `previous` (None, or a missing one: not known)."""
    from .deadlines import format_uk, next_working_moment, non_working_day
    from .timeutil import before

    m = meeting
    apply_prefill(data, m, source=source, keys=ANSWER_KEYS, agenda=agenda)
    r = Reader(source, m, agenda)
    chain_known = _chain(r, data, m, load or (lambda _id: None))
    who = user or m.chair
    start = m.started_at
    entered = datetime.now(LONDON)

    def log(event: str, detail: str) -> None:
        """Audit entries say when and by whom the file was entered, not the meeting's times
        (those are in the record): the trail never claims it was typed live."""
        m.log(event, detail, who=who, at=entered)

    if "ended_at" in data:
        m.ended_at = r.take(questions.END, data["ended_at"], "ended_at", r.given(after=start))
        if m.ended_at is not None and before(m.ended_at, start):
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
        row["outcome"] = r.take(questions.OUTCOME, row.get("outcome"), f"{where}.outcome")
        # none is saved and flagged (the rulebook's decision.rationale)
        row["rationale"] = r.take(questions.RATIONALE, row.get("rationale"), f"{where}.rationale")
        for q in (questions.TOLD, questions.LEGAL_ADVICE):
            if q.name in row:
                row[q.name] = r.take(q, row[q.name], f"{where}.{q.name}")
        if isinstance(row.get("medical"), dict) and "needed" in row["medical"]:
            needed = r.take(questions.MEDICAL, row["medical"]["needed"], f"{where}.medical.needed")
            row["medical"] = {**row["medical"], "needed": needed}
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
            m.decisions = [x for x in m.decisions if x.child_id != cid]
            m.decisions.append(d)
            log("decision recorded", f"{d.id} {cid}: {d.outcome.value}")

    # actions: owner and due required; due rules resolved from the meeting's start
    for n, row in enumerate(r.items(data, "actions")):
        where = f"actions[{n}]"
        if not isinstance(row, dict):
            raise r.fail(where, "must be a mapping of fields")
        row = dict(row)
        for q in (questions.WHAT, questions.OWNER, questions.OWNER_AGENCY):
            if q.required or q.name in row:
                row[q.name] = r.take(q, row.get(q.name), f"{where}.{q.name}")
        due = row.get("due")
        # "within 1 hour" counts from the end of the meeting, where it is known
        from_end = r.given(now=m.ended_at or start, now_is=_FROM[m.ended_at is None])
        row["due"] = r.take(questions.DUE, due, f"{where}.due", from_end)
        if isinstance(due, str):
            row.setdefault("due_rule", due)
            shut = non_working_day(str(due), row["due"], agenda.timescales.nation)
            if shut is not None and warnings is not None:
                instead = format_uk(next_working_moment(row["due"], agenda.timescales.nation))
                warnings.append(f"{source}: {where}.due: {shut}; the next working day is {instead}")
        owner = _person(m, row["owner"])
        if owner is not None:
            row.update(owner=owner.name, owner_participant_id=owner.id)
            row.setdefault("agency", owner.agency)
        row["child_ids"] = _child_ids(r, m, row.pop("children", None), f"{where}.children")
        row.setdefault("id", m.next_id("A", [a.id for a in m.actions]))
        row.setdefault("created_at", start)
        action = r.model(Action, row, where)
        m.actions.append(action)
        log("action added", f"{action.id}: {action.owner}, due {typed_form(action.due)}")

    for n, row in enumerate(r.items(data, "disagreements")):
        where = f"disagreements[{n}]"
        if isinstance(row, dict):
            row = {**row, "id": row.get("id") or m.next_id("G", [d.id for d in m.disagreements])}
        dg = r.model(Disagreement, row, where)
        m.disagreements.append(dg)
    if "family" in data:
        m.family = r.model(FamilySharing, data["family"], "family")
    m.review_mechanism = r.take(questions.REVIEW, data.get("review_mechanism"), "review_mechanism")
    m.late_reason = str(data.get("late_reason") or "")
    m.challenge = str(data.get("challenge") or "")
    if "next_discussion" in data:
        m.next_discussion = r.take(
            questions.NEXT, data["next_discussion"], "next_discussion", r.given(now_is=_FROM[True])
        )

    initiating = agenda.timescales.icpc_from == "initiating"
    if not chain_known and m.s47_decided and initiating and warnings is not None:
        warnings.append(
            f"{source}: previous: the discussion named last is not in strat, so the ICPC target "
            "is counted from this one; if s47 started earlier, give s47_started_at"
        )
    m.progress.done = [i.key for i in agenda.items if item_answered(m, i)]
    if m.ended_at is not None:
        m.status = Status.ended
        m.progress.current = None
        log("ended", f"at {m.ended_at:%H:%M} (from the answers file)")
    try:  # the whole record as entered: its text, and references that name something in it
        checked_record = Meeting.model_validate(m.model_dump())
    except ValidationError as exc:
        raise r.invalid(exc) from None
    for name in Meeting.model_fields:  # as entered: a CRLF in free text is a line feed
        setattr(m, name, getattr(checked_record, name))
