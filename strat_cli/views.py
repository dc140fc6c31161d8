"""What the documents and screens show: every value computed, worded and formatted here.

Templates stay dumb: they receive plain strings, booleans and lists of dicts from `build_view`,
so a council can re-word a template without knowing any logic, and the logic is tested once.
Every string in a view is cleaned of characters Word cannot hold (`clean`), so no user text can
break a document. Dates come from `deadlines` (UK style, working days); nothing here counts days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from .agenda import Agenda, ItemKind
from .attendance import how_taking_part, missing_partners
from .circulation import is_unsettled
from .model import (
    Action,
    ActionStatus,
    Adult,
    Decision,
    InformationShared,
    Informing,
    InviteCondition,
    Meeting,
    Method,
    Outcome,
    Pending,
    YesNo,
)
from .resources import DOC_TITLES as DOC_TITLES  # re-exported: defined with the documents
from .resources import DOCUMENTS as DOCUMENTS
from .safetext import XML_FORBIDDEN
from .settings import Settings
from .timeutil import elapsed

View = dict[str, Any]


NOT_AUTHORISED = "NOT YET AUTHORISED"
NOT_RECORDED = "Not recorded"
FAMILY_MARK = "FAMILY VERSION: shareable with the family"

# Fields of the record the minutes do not show, each with why. Every other text field is shown:
# tests/test_completeness.py fills each field of the model and looks for it in the minutes.
NOT_IN_MINUTES: dict[str, str] = {
    "Meeting.agenda": "the agenda's name is shown; its id only names a file",
    "Meeting.notes (key)": "an agenda item's key; the item's number and title are shown",
    "Meeting.rendered": "bookkeeping of which documents were made from which record",
    "Meeting.rendered (key)": "bookkeeping of which documents were made from which record",
    "Participant.id": "a reference linking information and actions to a person; the name shows",
    "Participant.email": "contact details say how the record reaches people, not what it says",
    "Participant.phone": "contact details say how the record reaches people, not what it says",
    "InformationShared.id": "a reference within the record; the information itself is shown",
    "InformationShared.participant_id": "a reference; the person's name (or 'by') is shown",
    "Decision.id": "a reference within the record; the child and the outcome head each decision",
    "Action.owner_participant_id": "a reference; the owner's name is shown",
    "Action.due_rule": "how the chair typed the deadline; the due date and time it gave show",
    "ActionReview.new_action_id": "a reference; the carried action's number and due date show",
    "Disagreement.id": "a reference within the record; who raised what is shown",
    "CirculationEntry.delivered": "the recipients are listed, and those not delivered to",
    "CirculationEntry.documents": "a checksum of each file sent, for checking, not reading",
    "CirculationEntry.record": "a checksum of the record sent, for checking, not reading",
    "CirculationEntry.unreachable (key)": "a reference; the person's name is shown with the reason",
    "AuditEvent.who": "the audit trail is the record's history (strat log), not the minutes",
    "AuditEvent.event": "the audit trail is the record's history (strat log), not the minutes",
    "AuditEvent.detail": "the audit trail is the record's history (strat log), not the minutes",
    "Progress.current": "where the chair was in the agenda while recording",
    "Progress.done": "where the chair was in the agenda while recording",
    "Progress.skipped": "where the chair was in the agenda while recording",
    **{
        f"Pending.{name}": "an action or decision half-given while recording (check flags it); "
        "it shows once it is whole"
        for name in Pending.model_fields
        if name != "kind"
    },
}

# What the family version leaves out (build_view with family=True), each with why. Information
# an agency marked as not for the family is left out too, item by item.
WITHHELD_FROM_FAMILY: dict[str, str] = {
    "Adult.risk_to_staff_detail": "a risk to staff is for the professionals who visit",
    "Adult.notes": "professionals' notes about an adult, which may hold third-party information",
    "Adult.informed_reason": "why a parent is told later or not at all could alert them",
    "Adult.informed_by": "who tells each parent, and whether they are told at all, is the plan",
    "Decision.parents_not_informed_reason": "why parents are not told could alert them",
    "FamilySharing.withheld": "what is withheld from the family, by definition",
    "FamilySharing.withheld_reason": "why it is withheld would say what it is",
    **{
        f"CirculationEntry.{name}": "who else received the record, and how, is not the family's"
        for name in (
            "by",
            "recipients",
            "refused",
            "refused (key)",
            "note",
            "documents (key)",
            "unreachable",
            "unreachable (key)",
        )
    },
}


def clean(text: str) -> str:
    """Text Word can hold: illegal control characters and lone surrogates removed, CR → LF."""
    return XML_FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_all(value: Any) -> Any:
    """`clean` every string in a nested view (dict keys too), leaving other values alone."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(str(k)): clean_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_all(v) for v in value]
    return value


# --- formatting ----------------------------------------------------------------------------


def when(value: datetime | date | None, empty: str = "") -> str:
    """A UK date or date and time, through the deadlines module so every document agrees."""
    from .deadlines import format_uk, format_uk_date

    if value is None:
        return empty
    if isinstance(value, datetime):
        return str(format_uk(value))
    return str(format_uk_date(value))


def day(value: date | None, empty: str = "") -> str:
    """A date of birth or expected delivery: '3 Apr 2019', no weekday (no form writes one)."""
    from .deadlines import format_uk_day

    return str(format_uk_day(value)) if value is not None else empty


def clock(value: datetime | None) -> str:
    """'10:25', with BST or GMT in the hour the clocks go back (it names two moments)."""
    from .timeutil import clock_text

    return clock_text(value) if value else ""


def _yes_no(value: YesNo, reason: str = "", extra: Iterable[tuple[str, str]] = ()) -> str:
    """'Yes: why' with follow-on lines, or 'Not yet decided' (said, never blank)."""
    head = value.value.capitalize()
    text = f"{head}: {reason}" if reason.strip() else head
    lines = [text] + [f"{label}: {v}" for label, v in extra if v.strip()]
    return "\n".join(lines)


def _or(text: str, empty: str = NOT_RECORDED) -> str:
    return text if text.strip() else empty


# --- parts of the view ---------------------------------------------------------------------


def _child_label(meeting: Meeting, child_id: str) -> str:
    child = meeting.child(child_id)
    return f"{child.name} ({child.id})" if child else child_id


def child_rows(meeting: Meeting) -> list[View]:
    """Each child as documents and `strat show` describe them: UK dates, needs in words."""
    out = []
    for c in meeting.children:
        if c.unborn:
            born = f"Unborn, due {day(c.expected_date, 'date not known')}"
        else:
            born = day(c.date_of_birth, NOT_RECORDED)
        where = [
            x
            for x, on in (("in hospital", c.in_hospital), ("lives out of area", c.out_of_area))
            if on
        ]
        needs = ["interpreter needed"] if c.interpreter else []
        if c.communication_needs.strip():
            needs.insert(0, c.communication_needs)
        out.append(
            {
                "ref": c.id,
                "name": c.name,
                "subject": c.subject,
                "role": "Subject of the concern" if c.subject else "Other child considered",
                "born": born,
                "gender": _or(c.gender),
                "ethnicity": _or(c.ethnicity),
                "language": _or(c.language),
                "needs": "; ".join(needs + where),
                "communication_needs": _or(c.communication_needs, "None recorded"),
                "interpreter": "Needed" if c.interpreter else "Not needed",
                "circumstances": "; ".join(where).capitalize(),
                "school": c.school,
                "local_ref": _or(c.local_ref),
                "voice": c.voice,
                "considered": _or(c.considered),
            }
        )
    return out


def _adults(meeting: Meeting, family: bool) -> list[View]:
    out = []
    for a in meeting.adults:
        flags = [
            x
            for x, on in (
                ("parental responsibility", a.parental_responsibility),
                ("lives in the household", a.household_member),
                ("alleged to have caused harm", a.alleged_perpetrator and not family),
                ("interpreter needed", a.interpreter),
            )
            if on
        ]
        risk = ""
        if a.risk_to_staff and not family:
            risk = "Risk to staff" + (
                f": {a.risk_to_staff_detail}" if a.risk_to_staff_detail else ""
            )
        notes = "" if family else a.notes
        flagged = "; ".join(flags).capitalize()
        recorded = a.informed != Informing.undecided or a.informed_by.strip()
        # who is told, and who not, is the professionals' plan: never in the family's copy
        if not family and (a.parental_responsibility or recorded or a.informed_reason.strip()):
            told = _informing(a)
            flags.append(told)
            flagged = f"{flagged}; {told}" if flagged else told[:1].upper() + told[1:]
        out.append(
            {
                "ref": a.id,
                "name": a.name,
                "relationship": a.relationship,
                "flags": "; ".join(flags),
                "risk_to_staff": risk,
                "notes": notes,
                "details": "\n".join(x for x in (flagged, notes) if x.strip()),
            }
        )
    return out


def _informing(a: Adult) -> str:
    """Whether one adult is told, when, by whom and why (each person with parental
    responsibility, absent parents included)."""
    text = a.informed.value
    if a.informed_at is not None:
        text += f" {when(a.informed_at)}"
    if a.informed_by.strip():
        text += f" by {a.informed_by}"
    if a.informed_reason.strip():
        text += f" ({a.informed_reason})"
    return text


def _participants(meeting: Meeting) -> list[View]:
    out = []
    for p in meeting.participants:
        how = how_taking_part(p, with_reason=False).capitalize()  # reasons have a column
        told = how_taking_part(p)  # the reason in brackets, where there is no column for it
        roles = [r for r, on in (("Chair", p.is_chair), ("Minute taker", p.is_minute_taker)) if on]
        out.append(
            {
                "name": p.name,
                "role": " ".join(
                    x for x in (p.role, f"({', '.join(roles)})" if roles else "") if x
                ),
                "agency": p.agency,
                "kind": p.agency_kind.value,
                "attendance": how,
                "attendance_reason": told[:1].upper() + told[1:],
                # apologies, a report sent instead, or did not attend: the reason given
                "apologies": p.apology_reason if not p.attendance.took_part else "",
                "present": p.attendance.took_part,
                "contributed": "Yes" if p.contributed else "No",
            }
        )
    return out


def _partners(meeting: Meeting, agenda: Agenda) -> View:
    """The statutory partners check: who must take part, who did not, and what was decided."""
    required = [k.value for k in agenda.statutory_partners]
    missing = missing_partners(meeting, agenda.statutory_partners)
    gaps = {g.agency_kind: g for g in meeting.partner_gaps}
    rows = []
    for kind in missing:
        g = gaps.get(kind)
        reason = g.reason if g else ""
        escalation = (g.escalation or "Escalated") if g and g.escalated else ""
        rows.append(
            {
                "agency": kind.value,
                "reason": _or(reason, "No reason recorded"),
                "escalation": escalation or "Not escalated",
                "proceeded": "Yes" if (g.proceeded if g else True) else "No",
            }
        )
    if missing:
        text = "Statutory partner(s) not present: " + ", ".join(k.value for k in missing)
    else:
        text = "All statutory partners took part (" + ", ".join(required) + ")"
    return {"required": ", ".join(required), "ok": not missing, "missing": rows, "text": text}


# What an item of information is flagged with: the documents' words, and the screen's shorter ones.
_INFO_FLAGS: tuple[tuple[str, str, Callable[[InformationShared], bool]], ...] = (
    ("historical", "historical", lambda i: i.historical),
    ("from another area", "other area", lambda i: i.other_area),
    ("not for sharing with the family", "not for family", lambda i: not i.shareable_with_family),
)


def information_flags(item: InformationShared, *, short: bool = False) -> list[str]:
    """The flags an item carries, in one order for the documents and the screen."""
    return [brief if short else words for words, brief, on in _INFO_FLAGS if on(item)]


def _information(meeting: Meeting, family: bool) -> tuple[list[View], list[View]]:
    """Items in the order shared, and grouped by agency (the minutes' 'information by agency')."""
    items = []
    for i in meeting.information:
        if family and not i.shareable_with_family:
            continue
        flags = information_flags(i)
        items.append(
            {
                "ref": i.id,
                "by": i.by
                or (p.name if (p := meeting.participant(i.participant_id or "")) else ""),
                "agency": i.agency or "Agency not recorded",
                "summary": i.summary,
                "flags": ", ".join(flags),
                "at": clock(i.at),
            }
        )
    groups: dict[str, list[View]] = {}
    for item in items:
        groups.setdefault(item["agency"], []).append(item)
    return items, [{"agency": k, "entries": v} for k, v in groups.items()]


def _decision(meeting: Meeting, d: Decision, family: bool) -> View:
    medical = _yes_no(
        d.medical.needed,
        d.medical.reason,
        [("By", d.medical.by), ("If consent is refused", d.medical.contingency)],
    )
    if d.parents_informed == YesNo.no and not family:
        told = _yes_no(d.parents_informed, _or(d.parents_not_informed_reason, "NO REASON RECORDED"))
    else:
        told = _yes_no(d.parents_informed)
    police = ""
    if d.police_agreement:
        pa = d.police_agreement
        police = ("Agreed" if pa.agreed else "Not agreed") + (
            f" by {pa.officer}" if pa.officer else ""
        )
        if pa.at:
            police += f", {when(pa.at)}"
        if pa.note:
            police += f"\n{pa.note}"
    elif d.outcome == Outcome.nfa:
        police = NOT_RECORDED
    child = _child_label(meeting, d.child_id)
    return {
        "ref": d.id,
        "child": child,
        "outcome": d.outcome.value,
        "s47": d.outcome.is_s47,
        "rationale": _or(d.rationale, "NO RATIONALE RECORDED"),
        "medical": medical,
        "parents_informed": told,
        "legal": _yes_no(d.legal_advice, d.legal_detail)
        + (
            "\nLegal proceedings to start; approved by "
            + _or(d.legal_approved_by, "NO APPROVAL RECORDED")
            if d.legal_proceedings or d.legal_approved_by.strip()
            else ""
        ),
        "seen_alone": _or(d.seen_alone, "Not applicable" if not d.outcome.is_s47 else NOT_RECORDED),
        "interpreter": _or(d.interpreter, "Not needed"),
        "police_agreement": _or(police, "Not applicable"),
        "line": f"{child}: {d.outcome.value}. {d.rationale}".strip(),
    }


def sorted_actions(meeting: Meeting) -> list[Action]:
    """By due time, then by number: the order every document and screen lists actions in."""

    def number(a: Action) -> int:
        digits = "".join(ch for ch in a.id if ch.isdecimal())  # int("²") fails
        return int(digits) if digits else 0

    return sorted(meeting.actions, key=lambda a: (a.due, number(a), a.id))


def _action(meeting: Meeting, a: Action) -> View:
    children = ", ".join(_child_label(meeting, c) for c in a.child_ids)
    status = a.status.value + (f": {a.completion_note}" if a.completion_note.strip() else "")
    remarks = [
        x
        for x, on in (
            ("contingency", a.contingency),
            (f"carried from {a.carried_from}", bool(a.carried_from)),
            (status, a.status != ActionStatus.open or bool(a.completion_note.strip())),
        )
        if on
    ]
    return {
        "number": a.id,
        "what": a.what,
        "owner": a.owner,
        "agency": a.agency,
        "owner_agency": a.owner + (f" ({a.agency})" if a.agency else ""),
        "due": when(a.due),
        "due_rule": a.due_rule,
        "child": children or "All",
        "status": a.status.value,
        "contingency": a.contingency,
        "kind": f"({'; '.join(remarks)})" if remarks else "",
        "line": f"{when(a.due)}: {a.what} ({a.owner}{', ' + a.agency if a.agency else ''})",
    }


def _reviewed(meeting: Meeting) -> list[View]:
    """A follow-up's review of the earlier discussions' open actions, one row each."""
    rows = []
    for r in meeting.reviewed_actions:
        note = r.note
        carried = meeting.action(r.new_action_id) if r.new_action_id else None
        if carried is not None:
            note = f"Now {carried.id}, due {when(carried.due)}" + (f". {note}" if note else "")
        rows.append(
            {
                "ref": r.ref,
                "what": r.what,
                "owner": r.owner,
                "outcome": r.outcome.value.capitalize(),
                "note": note,
                "line": f"{r.ref} {r.what} ({r.owner}): {r.outcome.value}"
                + (f"; {note}" if note else ""),
            }
        )
    return rows


def _seen_alone(meeting: Meeting) -> str:
    """What the record holds about seeing each child alone and what they need to be heard: the
    child's voice item (Pan-Lancashire: "seeing the child alone; race, ethnicity, language,
    disability, interpreter"), gathered from the children and the decisions about them."""
    lines = []
    for c in [c for c in meeting.children if c.subject or c.seen_alone.strip()]:
        decided = meeting.decisions_for(c.id)
        said = (c.seen_alone, *(d.seen_alone for d in decided))  # the voice item, the decisions
        seen = "; ".join(dict.fromkeys(x.strip() for x in said if x.strip())) or NOT_RECORDED
        arranged = next((d.interpreter for d in decided if d.interpreter.strip()), "")
        interpreter = "needed" if c.interpreter else "not needed"
        if arranged:
            interpreter += f" ({arranged})"
        lines.append(
            f"{c.name} ({c.id}): seen alone: {seen}; ethnicity: {_or(c.ethnicity)}; "
            f"first language: {_or(c.language)}; disability or communication needs: "
            f"{_or(c.communication_needs, 'none recorded')}; interpreter: {interpreter}."
        )
    lines.append("The child's voice is recorded under Risk and the child's voice.")
    return "\n".join(lines)


def _agenda_items(meeting: Meeting, agenda: Agenda) -> list[View]:
    """The discussion under each agenda item: titles from the agenda, notes from the record."""
    where = {
        ItemKind.attendance: "Recorded under Participants.",
        ItemKind.information: "Recorded under Information shared by agency.",
        ItemKind.risk: "Recorded under Risk and the child's voice.",
        ItemKind.other_children: "Recorded under Children.",
        ItemKind.decisions: "Recorded under Decisions.",
        ItemKind.actions: "Recorded under Actions.",
        ItemKind.disagreements: "Recorded under Disagreements and escalation.",
        ItemKind.family: "Recorded under What is shared with the family.",
        ItemKind.review: "Recorded under Review and next discussion.",
    }
    out = []
    for n, item in enumerate(agenda.items, start=1):
        notes = meeting.notes.get(item.key, "")
        if item.kind == ItemKind.voice:
            notes = "\n".join(x for x in (notes, _seen_alone(meeting)) if x.strip())
        if not notes.strip():
            if item.key in meeting.progress.skipped:
                notes = "Not discussed (skipped)."
            else:
                notes = where.get(item.kind, "No notes recorded.")
        out.append({"number": str(n), "key": item.key, "title": item.title, "notes": notes})
    # Notes under keys the agenda no longer has (an agenda edited after the meeting) still show.
    known = {i.key for i in agenda.items}
    for key, notes in meeting.notes.items():
        if key not in known and notes.strip():
            out.append(
                {
                    "number": str(len(out) + 1),
                    "key": key,
                    "title": key.replace("_", " ").capitalize(),
                    "notes": notes,
                }
            )
    return out


def _deadlines(
    meeting: Meeting, agenda: Agenda, later: Sequence[Meeting] = ()
) -> tuple[list[View], View]:
    """The statutory and local deadlines, as label/due rows, and the ICPC target on its own
    (marked when a later discussion of the case in `later` replaced it)."""
    from .deadlines import case_icpc, meeting_deadlines, replaced_text

    d = meeting_deadlines(meeting, agenda)
    replaced = replaced_text(case_icpc(meeting, agenda, later))

    def fmt(value: Any, empty: str = "When the discussion ends") -> str:
        if isinstance(value, datetime | date):
            return when(value)
        return str(value) if value not in (None, "") else empty

    rows = [
        {
            "label": "Discussion due (from when the concern was identified)",
            "due": fmt(d.discussion_due, ""),
            "next": False,
        },
        {"label": "Action summary to participants", "due": fmt(d.summary_due), "next": True},
        {"label": "Minutes authorised", "due": fmt(d.minutes_authorised_due, ""), "next": True},
        {
            "label": "Record circulated to all participants",
            "due": fmt(d.circulation_due),
            "next": True,
        },
    ]
    icpc: View = {
        "due": d.icpc_target is not None,
        "target": fmt(d.icpc_target, ""),
        "counted_from": fmt(d.icpc_counted_from, ""),
        "replaced": replaced,
        "text": "",
    }
    if icpc["due"]:
        icpc["text"] = f"Initial Child Protection Conference (if needed) by {icpc['target']}"
        if icpc["counted_from"]:
            icpc["text"] += f", counted from the discussion of {icpc['counted_from']}"
        if replaced:
            icpc["text"] += f"; {replaced}"
        rows.append(
            {
                "label": "Initial Child Protection Conference (if needed)",
                "due": f"{icpc['target']} ({replaced})" if replaced else icpc["target"],
                "next": True,
            }
        )
    if meeting.next_discussion:
        rows.append(
            {
                "label": "Next strategy discussion",
                "due": when(meeting.next_discussion),
                "next": True,
            }
        )
    rows = [r for r in rows if r["due"]]
    on_time = d.circulated_on_time
    icpc["circulated_on_time"] = (
        _not_yet(meeting) if on_time is None else ("Yes" if on_time else "No: circulated late")
    )
    return rows, icpc


def _not_yet(meeting: Meeting) -> str:
    """Not complete: who is still missing, when some have it already."""
    from .circulation import coverage, describe_missing

    cov = coverage(meeting.participants, meeting.circulation)
    if cov.first_delivery_at is None:
        return "Not yet circulated"
    return "Not yet: still missing " + describe_missing(meeting.participants, cov.missing)


def deadline_rows(meeting: Meeting, agenda: Agenda, later: Sequence[Meeting] = ()) -> list[View]:
    """The deadlines as label/due rows plus whether the record went out in time (`strat show`);
    `later` are the case's later discussions, which may have replaced the ICPC target."""
    rows, icpc = _deadlines(meeting, agenda, later)
    rows = [dict(r) for r in rows]
    rows.append({"label": "Circulated within the deadline", "due": icpc["circulated_on_time"]})
    return clean_all(rows)  # type: ignore[no-any-return]


_HOW = {
    Method.smtp: "Email sent",
    Method.draft: "Email draft prepared (not sent)",
    Method.draft_sent: "Draft sent from Outlook (as recorded)",
}


def _circulation(meeting: Meeting, on_time: str, days: int = 1) -> View:
    """The log as it happened: drafts are shown as prepared, an attempt whose outcome was
    never recorded as such, and the text says how many it reached and who is still missing."""
    from .circulation import coverage, describe_missing, is_delivery

    entries = []
    for c in meeting.circulation:
        refused = "; ".join(f"{k}: {v}" for k, v in c.refused.items())
        how = "Email send, outcome unknown" if is_unsettled(c) else _HOW.get(c.method, c.method)
        to = [", ".join(c.recipients)]
        if refused:
            to.append(f"Not delivered: {refused}")
        for pid, why in c.unreachable.items():
            person = meeting.participant(pid)
            to.append(f"Not emailed: {person.name if person else pid} ({why})")
        if c.note.strip():
            to.append(c.note)
        entries.append(
            {
                "at": when(c.at),
                "by": c.by,
                "method": how,
                "how": how + (f" by {c.by}" if c.by.strip() else ""),
                "to": "\n".join(x for x in to if x),
                "recipients": ", ".join(c.recipients),
                "delivered": ", ".join(c.delivered),
                "refused": refused,
                "documents": ", ".join(c.documents),
                "note": c.note,
            }
        )
    cov = coverage(meeting.participants, meeting.circulation)
    sends = sum(1 for c in meeting.circulation if is_delivery(c))
    if sends:
        text = f"Sent {sends} time(s), to {cov.reached} address(es)"
        if cov.complete:
            within = "one working day" if days == 1 else f"{days} working days"
            text += f"; every participant has it; within {within}: {on_time}"
        else:
            text += "; not yet received by: " + describe_missing(meeting.participants, cov.missing)
        if cov.not_emailed:
            text += "; not emailed (no usable address): " + describe_missing(
                meeting.participants, cov.not_emailed
            )
    elif any(is_unsettled(c) for c in meeting.circulation):
        text = "Not yet circulated"
    elif meeting.circulation:
        text = "Not yet circulated: an email draft was prepared but is not recorded as sent"
    else:
        text = "Not yet circulated"
    cut_off = [when(c.at) for c in meeting.circulation if is_unsettled(c)]
    if cut_off:
        text += (
            f"; the send of {', '.join(cut_off)} was cut off and its outcome is unknown "
            "(it may have arrived)"
        )
    return {"entries": entries, "done": bool(entries), "on_time": on_time, "text": text}


def _authorisation(meeting: Meeting) -> View:
    a = meeting.authorisation
    if a is None:
        return {
            "done": False,
            "by": "",
            "role": "",
            "at": "",
            "override_reason": "",
            "text": NOT_AUTHORISED,
        }
    return {
        "done": True,
        "by": a.by,
        "role": a.role,
        "at": when(a.at),
        "override_reason": a.override_reason,
        "text": f"Authorised by {a.by}, {a.role}, {when(a.at)}",
    }


def _invite(note: Any) -> str:
    """One invite rule the case met, as the minutes say it: invited whom, or why not."""
    when = InviteCondition(note.when).words.capitalize()
    who = f" {note.who}" if note.who.strip() else ""
    why = f" ({note.reason})" if note.reason.strip() else ""
    if note.invited:
        return f"{when}: invited{who}{why}"
    return f"{when}: not invited{who}{why or ' (no reason recorded)'}"


def _warnings(meeting: Meeting, agenda: Agenda, partners: View) -> list[str]:
    """What a reader must notice: an absent statutory partner, and every gap the area's
    rulebook finds in what the discussion holds (the same gaps the closing screen and
    strat check report)."""
    from .rulebook import findings

    out = []
    for row in partners["missing"]:
        out.append(f"Statutory partner not present: {row['agency']} ({row['reason']}).")
    for g in findings(meeting, agenda, stage="record"):
        out.append(f"{g.message[:1].upper()}{g.message[1:]} ({g.code}).")
    return out


def build_view(
    meeting: Meeting, agenda: Agenda, settings: Settings, *, family: bool = False, doc: str = ""
) -> View:
    """Everything a template may show, cleaned. `family` leaves out what the family must not see
    (WITHHELD_FROM_FAMILY says what and why) and the 'alleged to have caused harm' flag."""
    partners = _partners(meeting, agenda)
    information, by_agency = _information(meeting, family)
    decisions = [_decision(meeting, d, family) for d in meeting.decisions]
    actions = [_action(meeting, a) for a in sorted_actions(meeting)]
    deadlines, icpc = _deadlines(meeting, agenda)
    ended = meeting.ended_at
    immediate_within = timedelta(hours=agenda.rules.immediate_within_hours)
    immediate = [
        _action(meeting, a)
        for a in sorted_actions(meeting)
        if elapsed(ended or meeting.started_at, a.due) <= immediate_within  # real hours
    ]
    start = meeting.started_at
    view: View = {
        "marking": settings.marking,
        "family": family,
        "version_note": FAMILY_MARK if family else "",
        "document_title": DOC_TITLES.get(doc, "Strategy Discussion"),
        "agenda_name": agenda.name,
        "meeting": {
            "reference": meeting.id,
            "type": meeting.type.value.capitalize(),
            "format": meeting.format.value.capitalize(),
            "date": when(start.date()),
            "start": clock(start),
            "end": clock(ended) if ended else "Not ended",
            "time": f"{clock(start)} to {clock(ended)}" if ended else f"{clock(start)} (not ended)",
            "status": meeting.status.value.capitalize(),
            "reason": _or(meeting.reason),
            "referrer": _or(meeting.referrer),
            "concern_identified": when(meeting.concern_identified_at, NOT_RECORDED),
            "concerns": ", ".join(c.value for c in meeting.concerns) or NOT_RECORDED,
            "late_reason": _or(meeting.late_reason, "Not late, or no reason given"),
            "invites": "; ".join(_invite(n) for n in meeting.invites) or NOT_RECORDED,
            "challenge": _or(meeting.challenge, "None recorded"),
            "chair": _or(meeting.chair),
            "chair_role": meeting.chair_role,
            "chair_line": meeting.chair + (f", {meeting.chair_role}" if meeting.chair_role else ""),
            "minute_taker": _or(meeting.minute_taker),
            "previous": ", ".join(meeting.previous) or "None",
        },
        "children": child_rows(meeting),
        "children_line": ", ".join(f"{c.name} ({c.id})" for c in meeting.subject_children)
        or NOT_RECORDED,
        "adults": _adults(meeting, family),
        "participants": _participants(meeting),
        "partners": partners,
        "information": information,
        "information_by_agency": by_agency,
        "information_withheld": family
        and any(not i.shareable_with_family for i in meeting.information),
        "agenda_items": _agenda_items(meeting, agenda),
        "risk": {
            "level": meeting.risk.level.value.capitalize() if meeting.risk.level else "Not graded",
            "summary": _or(meeting.risk.summary),
            "immediate_safety": _or(meeting.risk.immediate_safety),
        },
        "voices": [
            {"child": f"{c.name} ({c.id})", "voice": c.voice}
            for c in meeting.children
            if c.voice.strip()
        ],
        "other_children": [
            {"child": f"{c.name} ({c.id})", "considered": _or(c.considered)}
            for c in meeting.children
            if not c.subject
        ],
        "decisions": decisions,
        "actions": actions,
        "reviewed_actions": _reviewed(meeting),
        "immediate_actions": immediate,
        "contingency_actions": [a for a in actions if a["contingency"]],
        "contingency_plans": [
            {"child": d["child"], "plan": dm.medical.contingency}
            for d, dm in zip(decisions, meeting.decisions, strict=True)
            if dm.medical.contingency.strip()
        ],
        "disagreements": [
            {
                "raised_by": g.raised_by,
                "about": g.about,
                "resolution": _or(g.resolution, "Unresolved"),
                "escalation": (g.escalation or "Escalated") if g.escalated else "Not escalated",
            }
            for g in meeting.disagreements
        ],
        "family_sharing": {
            "shared": _or(meeting.family.shared),
            "withheld": "" if family else meeting.family.withheld,
            "withheld_reason": "" if family else meeting.family.withheld_reason,
        },
        "review": {
            "mechanism": _or(meeting.review_mechanism),
            "next_discussion": when(meeting.next_discussion, "Not arranged"),
        },
        "deadlines": deadlines,
        "next_deadlines": [r for r in deadlines if r["next"]],
        "icpc": icpc,
        "circulation": _circulation(
            meeting, icpc["circulated_on_time"], agenda.timescales.circulate_within_working_days
        )
        if not family
        else {"entries": [], "done": False, "on_time": "", "text": ""},
        "amendments": [{"at": when(x.at), "by": x.by, "text": x.text} for x in meeting.amendments],
        "authorisation": _authorisation(meeting),
        # the gaps are for the professionals: one may say that a parent is not to be told
        "warnings": [] if family else _warnings(meeting, agenda, partners),
    }
    return clean_all(view)  # type: ignore[no-any-return]


# --- plain text ----------------------------------------------------------------------------


def _bullet(text: str) -> str:
    """A Markdown list item; continuation lines indented so a line break stays in the item."""
    return "- " + text.replace("\n", "\n  ")


def summary_text(meeting: Meeting, agenda: Agenda, settings: Settings) -> str:
    """The action summary as Markdown: pasted into an email or chat, and the email body."""
    v = build_view(meeting, agenda, settings, doc="summary")
    m = v["meeting"]
    lines = [
        f"**{v['marking']}**",
        "",
        f"# Strategy discussion {m['reference']}: action summary",
        "",
        f"{m['date']}, {m['time']}, {m['format'].lower()}. Chair: {m['chair_line']}. "
        f"Minute taker: {m['minute_taker']}.",
        f"Status: {v['authorisation']['text']}.",
        "",
        "## Actions (by due time)",
        "",
    ]
    for a in v["actions"]:
        flag = " [contingency]" if a["contingency"] else ""
        child = f" | {a['child']}" if a["child"] != "All" else ""
        lines.append(
            _bullet(
                f"{a['number']}: {a['what']}{flag} | {a['owner_agency']} | due {a['due']}{child}"
            )
        )
    if not v["actions"]:
        lines.append("- No actions recorded.")
    if v["reviewed_actions"]:
        lines += ["", "## Actions from earlier discussions", ""]
        lines += [_bullet(r["line"]) for r in v["reviewed_actions"]]
    lines += ["", "## Decisions", ""]
    lines += [_bullet(d["line"]) for d in v["decisions"]] or ["- No decisions recorded."]
    lines += ["", "## Next deadlines", ""]
    lines += [f"- {r['label']}: {r['due']}" for r in v["next_deadlines"]] or ["- None"]
    if v["warnings"]:
        lines += ["", "## Please note", ""]
        lines += [_bullet(w) for w in v["warnings"]]
    lines += ["", f"**{v['marking']}**", ""]
    return "\n".join(lines)
