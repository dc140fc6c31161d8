"""The rulebook: every rule a record is held to, once, as a table.

Each rule has a stable code, the field it is about, a condition (a small function over the
record, the agenda and the deadlines that yields where the rule is broken), a severity, a message
and the seed procedure it comes from. An area's agenda may switch a rule off, re-grade or re-word
it, or let it wait until after authorisation (`rules.overrides`), and sets the policies the
conditions read (`rules:` in the agenda). The closing screen, answers files, `strat check`,
`strat authorise`, `strat email` and the documents' "please note" all ask `findings`, so they
cannot disagree (after yamllint's rule registry: one table, graded by configuration).

A message never repeats what was typed into the record (names, free text): it names the record's
short ids (C1, D2, A3) and the field, so it is safe on a screen, in a log or in a report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from .agenda import Agenda, InviteRule, Item, ItemKind, RuleOverride, Severity, agency_named
from .attendance import contributed, missing_partners, present, unexplained_gaps
from .deadlines import icpc_in_time, met_in_time
from .errors import AgendaError
from .model import (
    LONDON,
    ActionStatus,
    AgencyKind,
    Attendance,
    Concern,
    Informing,
    InviteCondition,
    Meeting,
    Outcome,
    Status,
    YesNo,
)
from .timeutil import before, format_uk, format_uk_date

if TYPE_CHECKING:
    from .circulation import Coverage
    from .deadlines import Deadlines

# "record": what the discussion itself must hold (the closing screen, answers files and the
# documents report these); "after": what follows it (status, authorisation, circulation, ICPC).
Stage = Literal["record", "after"]

# The seed procedures (see shared/seeds/README.md), by the name a rule cites them with.
SEEDS = {
    "local": "000_06754fcebb0d65f9.txt",
    "pan-lancashire": "001_d768591e94105ce1.txt",
    "devon": "002_09d088c1fca7363e.txt",
    "salford": "003_63cde50303cf02dc.txt",
    "west-midlands": "004_dfcbb56cc43d74cf.txt",
}


@dataclass(frozen=True)
class Seed:
    """Where a rule comes from: the seed procedure and a short quote of what it requires."""

    procedure: str  # a key of SEEDS
    quote: str  # verbatim from the seed file (a test checks it is there)

    @property
    def file(self) -> str:
        return SEEDS[self.procedure]


@dataclass(frozen=True)
class Gap:
    """One finding: how serious, a stable code for scripts, and where in the record it is."""

    severity: Severity
    code: str
    where: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Hit:
    """Where a condition found the rule broken; `values` fill the message (ids, never text).
    `severity` is the condition's own grade where it depends on the record (an s47 decision
    makes a missing medical decision an error); the agenda's override wins over it."""

    where: str
    values: dict[str, str] = field(default_factory=dict)
    severity: Severity | None = None


class Context:
    """What a condition may read: the record, its agenda, the time now and its deadlines."""

    def __init__(
        self,
        meeting: Meeting,
        agenda: Agenda,
        now: datetime | None = None,
        deadlines: Deadlines | None = None,
    ) -> None:
        self.meeting = meeting
        self.agenda = agenda
        self.policy = agenda.rules
        self.now = now or datetime.now(LONDON)
        self._deadlines = deadlines

    @cached_property
    def deadlines(self) -> Deadlines:
        if self._deadlines is not None:
            return self._deadlines
        from .deadlines import meeting_deadlines

        return meeting_deadlines(self.meeting, self.agenda)

    @cached_property
    def coverage(self) -> Coverage:
        """Who has the record, asked once for every circulation rule."""
        from .circulation import coverage

        return coverage(self.meeting.participants, self.meeting.circulation)

    @cached_property
    def circulation_overdue(self) -> bool:
        """Past its time: circulated late, or not yet complete after the area's working days."""
        dl = self.deadlines
        return dl.circulated_on_time is False or (
            dl.circulated_on_time is None
            and dl.circulation_due is not None
            and before(dl.circulation_due, self.now)
        )


Condition = Callable[[Context], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    code: str
    field: str  # the part of the record the rule is about
    severity: Severity
    message: str  # str.format template over the hit's values
    seed: Seed
    condition: Condition
    stage: Stage = "record"
    may_wait: bool = False  # may stay open when the manager authorises
    doc: str = ""  # what the rule checks, in a sentence (the traceability table)
    on: bool = True  # off by default: only areas whose procedure asks for it switch it on


@dataclass(frozen=True)
class Graded:
    """A rule as one area applies it: the table's rule with the agenda's override."""

    rule: Rule
    enabled: bool
    severity: Severity | None  # None: the rule's own grade (or the condition's)
    message: str
    may_wait: bool


# --- helpers the conditions share ------------------------------------------------------------


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def _items_of(agenda: Agenda, kind: ItemKind) -> list[Item]:
    return [i for i in agenda.items if i.kind == kind]


def _required(agenda: Agenda, kind: ItemKind) -> bool:
    return any(i.required for i in _items_of(agenda, kind))


def _grade(required: bool) -> Severity:
    return "error" if required else "warning"


def attendance_marked(meeting: Meeting) -> bool:
    return meeting.progress.attendance_taken or any(
        p.attendance != Attendance.invited for p in meeting.participants
    )


def item_answered(meeting: Meeting, item: Item) -> bool:
    """Whether an agenda item holds an answer: the one test the walk, answers files, the check
    and the documents use. A note under the item always counts.

    Risk is answered by the assessment written down, not by a level alone: the log must hold
    "an assessment of risk to the child(ren)" (seed 000, "How to ensure an effective strategy
    discussion"), and a grade says how much, not what the harm is or how urgent. What is shared
    with the family is answered by what is shared, or by what is withheld (its reason is held by
    family.withheld_reason): the discussion must "Determine what information from the Strategy
    Discussion will be shared with the family, unless such information sharing may place a child
    at increased risk of harm or jeopardise any criminal investigation" (seed 001, "Agenda for
    Strategy Discussion"), so sharing nothing yet, and saying so, is a determination. Telling
    each person with parental responsibility is held per decision and per adult by the
    parents.* rules, as each child's voice is by voice.missing.
    """
    if not _blank(meeting.notes.get(item.key)):
        return True
    m = meeting
    kind = item.kind
    if kind == ItemKind.attendance:
        return attendance_marked(m)
    if kind == ItemKind.information:
        return bool(m.information)
    if kind == ItemKind.risk:
        return not _blank(m.risk.summary)
    if kind == ItemKind.voice:
        return any(not _blank(c.voice) for c in m.children)
    if kind == ItemKind.other_children:
        return any(not c.subject for c in m.children)
    if kind == ItemKind.decisions:
        return bool(m.decisions)
    if kind == ItemKind.actions:
        return bool(m.actions)
    if kind == ItemKind.disagreements:
        return bool(m.disagreements)
    if kind == ItemKind.family:
        return not (_blank(m.family.shared) and _blank(m.family.withheld))
    if kind == ItemKind.review:
        return not _blank(m.review_mechanism)
    return False


# What answers an item of each kind, said where one is left unanswered (the walk): the words
# follow item_answered.
WHAT_ANSWERS: dict[ItemKind, str] = {
    ItemKind.risk: "the assessment of risk written down (a level alone is not an assessment)",
    ItemKind.family: "what is shared with the family, or what is withheld and why",
}


def item_empty(meeting: Meeting, item: Item) -> str | None:
    """Where a required item shows as empty, or None: the check's item.empty and the walk's
    "still open" both ask this, so the chair's screen and `strat check` cannot disagree. Voice,
    other children and disagreements are reported by their own rules (per child, or none raised
    being a valid record)."""
    kind = item.kind
    if not item.required or kind in (
        ItemKind.voice,
        ItemKind.other_children,
        ItemKind.disagreements,
    ):
        return None
    if item_answered(meeting, item):
        return None
    return {
        ItemKind.attendance: "participants",
        ItemKind.information: "information",
        ItemKind.risk: "risk.summary",
        ItemKind.decisions: "decisions",
        ItemKind.actions: "actions",
        ItemKind.family: "family.shared",
        ItemKind.review: "review_mechanism",
    }.get(kind, f"notes.{item.key}")


def _live_actions(meeting: Meeting) -> list:  # type: ignore[type-arg]
    return [a for a in meeting.actions if a.status != ActionStatus.cancelled]


# Outcomes after which no enquiry or plan continues, so there is nothing for a contingency to
# back up.
STEP_DOWN = (Outcome.nfa, Outcome.early_help)


def contingency_needed(meeting: Meeting, agenda: Agenda) -> bool:
    """The area requires a contingency plan and some child's outcome continues the work."""
    if not agenda.rules.requires_contingency_plan or not meeting.decisions:
        return False
    return any(d.outcome not in STEP_DOWN for d in meeting.decisions)


# --- who must be invited, and who must take part ----------------------------------------------

# The concerns that make each invite condition of the agenda format arise ("always" always does;
# "medical_possible" also when a decision says a medical is needed, "legal" when legal advice is).
CONDITION_CONCERNS: dict[str, tuple[Concern, ...]] = {
    "child_in_hospital": (Concern.in_hospital,),
    "medical_possible": (Concern.physical_injury, Concern.sexual_abuse),
    "pre_birth": (Concern.pre_birth,),
    "out_of_area": (Concern.out_of_area,),
    "legal": (),
    "adult_issues": (Concern.domestic_abuse,),
    "sexual_abuse": (Concern.sexual_abuse,),
    "exploitation": (Concern.exploitation,),
    "looked_after": (Concern.looked_after,),
    "staff_allegation": (Concern.staff_allegation,),
    "expertise": (Concern.sexual_abuse, Concern.fabricated_illness, Concern.exploitation),
    "missing": (Concern.missing,),
    "youth_justice": (Concern.youth_justice,),
}


def invite_conditions(meeting: Meeting) -> set[str]:
    """The invite conditions this case meets, from its concerns, children and decisions."""
    m = meeting
    on = {"always"} | {
        when for when, concerns in CONDITION_CONCERNS.items() if set(concerns) & set(m.concerns)
    }
    if any(c.in_hospital for c in m.children):
        on.add("child_in_hospital")
    if any(c.unborn for c in m.children):
        on.add("pre_birth")
    if any(c.out_of_area for c in m.children):
        on.add("out_of_area")
    if any(d.medical.needed == YesNo.yes for d in m.decisions):
        on.add("medical_possible")
    if any(d.legal_advice == YesNo.yes for d in m.decisions):
        on.add("legal")
    return on


def invites_arising(meeting: Meeting, agenda: Agenda) -> list[InviteRule]:
    """The agenda's invite rules that apply to this case, in the agenda's order (shown to the
    chair at preparation and when a decision changes them)."""
    on = invite_conditions(meeting)
    return [r for r in agenda.invite if r.when in on]


def role_met(meeting: Meeting, check: str) -> bool:
    """Whether the record shows the role the agenda names (Role.check) taking part."""
    m = meeting
    here = present(m)
    social = [p for p in here if p.agency_kind == AgencyKind.social_care]
    if check == "chair_social_care":
        chair = next((p for p in here if p.is_chair), None)
        if chair is None and not _blank(m.chair):
            chair = next((p for p in here if p.name.strip() == m.chair.strip()), None)
        return chair is not None and chair.agency_kind == AgencyKind.social_care
    if check == "social_care_two":  # a social worker and a manager: two people, not one, and
        # not the one taking the minutes
        return len({p.name.strip().lower() for p in social if not p.is_minute_taker}) >= 2
    if check == "minute_taker":
        return not _blank(m.minute_taker) or any(p.is_minute_taker for p in m.participants)
    if check == "police":
        return any(p.agency_kind == AgencyKind.police for p in here)
    if check == "referring_agency":
        ref = m.referrer.strip().lower()
        if not ref:
            return False
        return any(
            (p.agency.strip() and (p.agency.strip().lower() in ref or ref in p.agency.lower()))
            or (p.name.strip() and p.name.strip().lower() in ref)
            for p in contributed(m)
        )
    return True


# --- the conditions --------------------------------------------------------------------------


def _in_progress(c: Context) -> Iterator[Hit]:
    if c.meeting.status == Status.draft:
        yield Hit("status")


def _entry_unfinished(c: Context) -> Iterator[Hit]:
    for n, entry in enumerate(c.meeting.progress.pending):
        kind = "an action" if entry.kind == "action" else "a decision"
        yield Hit(f"progress.pending.{n}", {"kind": kind, "ref": c.meeting.id})


def _partner_missing(c: Context) -> Iterator[Hit]:
    if not attendance_marked(c.meeting):
        return  # reported once, as the required attendance item
    for kind in unexplained_gaps(c.meeting, c.agenda.statutory_partners):
        yield Hit(f"partner_gaps.{kind.value}", {"kind": kind.value})


def _partner_gaps(c: Context) -> Iterator[tuple[str, object]]:
    if not attendance_marked(c.meeting):
        return
    gaps = {g.agency_kind: g for g in c.meeting.partner_gaps}
    for kind in missing_partners(c.meeting, c.agenda.statutory_partners):
        if kind in gaps:
            yield kind.value, gaps[kind]


def _partner_not_escalated(c: Context) -> Iterator[Hit]:
    for kind, gap in _partner_gaps(c):
        if not _blank(gap.reason) and not gap.escalated:  # type: ignore[attr-defined]
            yield Hit(f"partner_gaps.{kind}", {"kind": kind})


def _partner_escalation_incomplete(c: Context) -> Iterator[Hit]:
    for kind, gap in _partner_gaps(c):
        if gap.escalated and (_blank(gap.reason) or _blank(gap.escalation)):  # type: ignore[attr-defined]
            yield Hit(f"partner_gaps.{kind}", {"kind": kind})


def _invite_open(c: Context) -> Iterator[Hit]:
    noted = {
        n.when
        for n in c.meeting.invites
        if (n.invited and not _blank(n.who)) or not _blank(n.reason)
    }
    for when in dict.fromkeys(r.when for r in invites_arising(c.meeting, c.agenda)):
        if when != "always" and when not in noted:
            yield Hit(f"invites.{when}", {"when": InviteCondition(when).words})


def _roles(c: Context) -> Iterator[Hit]:
    if not attendance_marked(c.meeting):
        return  # reported once, as the required attendance item
    for n, role in enumerate(c.agenda.required_roles, start=1):
        if role.check and not role_met(c.meeting, role.check):
            yield Hit(f"roles.{n}", {"role": role.text, "check": role.check})


def _no_children(c: Context) -> Iterator[Hit]:
    if not c.meeting.subject_children:
        yield Hit("children")


def _voice(c: Context) -> Iterator[Hit]:
    grade = _grade(_required(c.agenda, ItemKind.voice))
    for ch in c.meeting.subject_children:
        if not ch.unborn and _blank(ch.voice):  # an unborn child has no voice to record
            yield Hit(f"children.{ch.id}.voice", {"id": ch.id}, grade)


def _others_not_considered(c: Context) -> Iterator[Hit]:
    m = c.meeting
    items = _items_of(c.agenda, ItemKind.other_children)
    if any(not ch.subject for ch in m.children):
        return
    if any(not _blank(m.notes.get(i.key)) for i in items):
        return
    key = items[0].key if items else "other_children"
    yield Hit(f"notes.{key}", {}, _grade(_required(c.agenda, ItemKind.other_children)))


def _others_how(c: Context) -> Iterator[Hit]:
    for ch in c.meeting.children:
        if not ch.subject and _blank(ch.considered):
            yield Hit(f"children.{ch.id}.considered", {"id": ch.id})


def _no_decision(c: Context) -> Iterator[Hit]:
    decided = {d.child_id for d in c.meeting.decisions}
    for ch in c.meeting.subject_children:
        if ch.id not in decided:
            yield Hit(f"children.{ch.id}", {"id": ch.id})


def _unknown_child(c: Context) -> Iterator[Hit]:
    for d in c.meeting.decisions:
        if c.meeting.child(d.child_id) is None:
            yield Hit(f"decisions.{d.id}.child_id", {"id": d.id})


def _no_rationale(c: Context) -> Iterator[Hit]:
    for d in c.meeting.decisions:
        if _blank(d.rationale):
            yield Hit(f"decisions.{d.id}.rationale", {"id": d.id})


def _police_agreement(c: Context) -> Iterator[Hit]:
    for d in c.meeting.decisions:
        if not c.policy.needs_police_agreement(d.outcome):
            continue
        pa = d.police_agreement
        if pa is None or not pa.agreed or _blank(pa.officer):
            yield Hit(
                f"decisions.{d.id}.police_agreement",
                {"id": d.id, "outcome": d.outcome.value, "area": c.agenda.name},
            )


def _injury(meeting: Meeting) -> bool:
    return Concern.physical_injury in meeting.concerns


def _medical_undecided(c: Context) -> Iterator[Hit]:
    injury = _injury(c.meeting)
    for d in c.meeting.decisions:
        if d.medical.needed != YesNo.undecided:
            continue
        must = d.outcome.is_s47 or (injury and d.outcome == Outcome.further_strategy)
        yield Hit(f"decisions.{d.id}.medical.needed", {"id": d.id}, _grade(must))


def _medical_reason(c: Context) -> Iterator[Hit]:
    for d in c.meeting.decisions:
        if d.medical.needed != YesNo.undecided and _blank(d.medical.reason):
            yield Hit(
                f"decisions.{d.id}.medical.reason", {"id": d.id, "needed": d.medical.needed.value}
            )


def _medical_by(c: Context) -> Iterator[Hit]:
    for d in c.meeting.decisions:
        if d.medical.needed == YesNo.yes and _blank(d.medical.by):
            yield Hit(f"decisions.{d.id}.medical.by", {"id": d.id})


def _parents_reason(c: Context) -> Iterator[Hit]:
    for d in c.meeting.decisions:
        if d.parents_informed == YesNo.no and _blank(d.parents_not_informed_reason):
            yield Hit(f"decisions.{d.id}.parents_not_informed_reason", {"id": d.id})


def _parents_undecided(c: Context) -> Iterator[Hit]:
    for d in c.meeting.decisions:
        if d.parents_informed == YesNo.undecided:
            yield Hit(f"decisions.{d.id}.parents_informed", {"id": d.id})


def _each_parent(c: Context) -> Iterator[Hit]:
    """Each adult with parental responsibility, absent parents included: told (when, by whom),
    to be told later (when and why), or not told (why)."""
    for a in c.meeting.adults:
        if not a.parental_responsibility:
            continue
        if a.informed == Informing.undecided:
            gap = "whether they are told is not decided"
        elif a.informed == Informing.told and (_blank(a.informed_by) or a.informed_at is None):
            gap = "told, but not when or by whom"
        elif a.informed == Informing.later and (a.informed_at is None or _blank(a.informed_reason)):
            gap = "to be told later, but not when or why"
        elif a.informed == Informing.not_told and _blank(a.informed_reason):
            gap = "not to be told, with no reason"
        else:
            continue
        yield Hit(f"adults.{a.id}.informed", {"id": a.id, "gap": gap})


def _legal_proceedings(c: Context) -> Iterator[Hit]:
    for d in c.meeting.decisions:
        if d.legal_proceedings and (d.legal_advice != YesNo.yes or _blank(d.legal_approved_by)):
            yield Hit(f"decisions.{d.id}.legal_approved_by", {"id": d.id})


def _no_challenge(c: Context) -> Iterator[Hit]:
    if _blank(c.meeting.challenge):
        yield Hit("challenge")


def _not_an_owner(c: Context) -> set[str]:
    return {w.strip().lower() for w in c.policy.not_an_owner}


def _action_owner(c: Context) -> Iterator[Hit]:
    nobody = _not_an_owner(c)
    for a in _live_actions(c.meeting):
        if a.owner.strip().lower() in nobody:
            yield Hit(f"actions.{a.id}.owner", {"id": a.id})


def _action_owner_agency(c: Context) -> Iterator[Hit]:
    """An owner that names an agency ("Children's Social Care", "Police", "Heddlu") and is not
    a participant: the action has no one accountable person."""
    nobody = _not_an_owner(c)
    names = {p.name.strip().lower() for p in c.meeting.participants}
    for a in _live_actions(c.meeting):
        owner = a.owner.strip().lower()
        if a.owner_participant_id or owner in nobody or owner in names:
            continue
        if agency_named(owner, c.agenda) is not None:
            yield Hit(f"actions.{a.id}.owner", {"id": a.id})


def _action_due_before(c: Context) -> Iterator[Hit]:
    for a in _live_actions(c.meeting):
        if before(a.due, c.meeting.started_at):
            yield Hit(f"actions.{a.id}.due", {"id": a.id})


def _no_contingency(c: Context) -> Iterator[Hit]:
    if contingency_needed(c.meeting, c.agenda) and not any(
        a.contingency for a in _live_actions(c.meeting)
    ):
        yield Hit("actions")


def _disagreement_open(c: Context) -> Iterator[Hit]:
    later = c.policy.disagreement_policy == "after_enquiry"
    for g in c.meeting.disagreements:
        if _blank(g.resolution) and not (g.escalated and not _blank(g.escalation)):
            yield Hit(f"disagreements.{g.id}.resolution", {"id": g.id}, _grade(not later))


def _disagreement_route(c: Context) -> Iterator[Hit]:
    for g in c.meeting.disagreements:
        if not _blank(g.resolution) and g.escalated and _blank(g.escalation):
            yield Hit(f"disagreements.{g.id}.escalation", {"id": g.id})


def _withheld_reason(c: Context) -> Iterator[Hit]:
    f = c.meeting.family
    if not _blank(f.withheld) and _blank(f.withheld_reason):
        yield Hit("family.withheld_reason")


def _items_empty(c: Context) -> Iterator[Hit]:
    for item in c.agenda.items:
        if where := item_empty(c.meeting, item):
            yield Hit(where, {"key": item.key})


def _held_late(c: Context) -> Iterator[Hit]:
    due = c.deadlines.discussion_due
    if due is not None and before(due, c.meeting.started_at) and _blank(c.meeting.late_reason):
        yield Hit("late_reason", {"due": format_uk(due)})


def _minutes_late(c: Context) -> Iterator[Hit]:
    due = c.deadlines.minutes_authorised_due
    if due is None:
        return
    auth = c.meeting.authorisation
    if auth is not None and not met_in_time(auth.at, due):
        yield Hit(
            "authorisation",
            {"due": format_uk(due), "state": f"authorised {format_uk(auth.at)}, late"},
            "warning",
        )
    elif auth is None and before(due, c.now):
        yield Hit("authorisation", {"due": format_uk(due), "state": "not yet authorised"}, "error")


def _summary_late(c: Context) -> Iterator[Hit]:
    """The action summary goes out with the first delivery of the record."""
    due = c.deadlines.summary_due
    if due is None:
        return
    first = c.coverage.first_delivery_at
    if first is not None and not met_in_time(first, due):
        yield Hit("circulation", {"due": format_uk(due), "state": f"sent {format_uk(first)}, late"})
    elif first is None and before(due, c.now):
        yield Hit("circulation", {"due": format_uk(due), "state": "not yet sent"})


def _circulated_unauthorised(c: Context) -> Iterator[Hit]:
    if not c.policy.authorise_first(c.meeting.format):
        return
    from .circulation import is_delivery

    auth = c.meeting.authorisation
    for entry in c.meeting.circulation:
        if is_delivery(entry) and (auth is None or before(entry.at, auth.at)):
            yield Hit("circulation")
            return


def _circulation(c: Context) -> Iterator[Hit]:
    from .circulation import describe_missing

    m, dl = c.meeting, c.deadlines
    days = c.agenda.timescales.circulate_within_working_days
    cov = c.coverage
    if dl.circulated_on_time is False:
        due = f": due {format_uk(dl.circulation_due)}" if dl.circulation_due else ""
        done = f" (complete {format_uk(cov.complete_at)})" if cov.complete_at else ""
        state = f"was not circulated within {days} working day(s)"
        yield Hit("circulation", {"state": state, "detail": f"{due}{done}"})
    elif c.circulation_overdue and dl.circulation_due is not None:
        state = (
            "has not reached every participant; still missing: "
            + describe_missing(m.participants, cov.missing)
            if cov.first_delivery_at is not None
            else "has not been circulated"
        )
        yield Hit(
            "circulation",
            {"state": state, "detail": f"; it was due {format_uk(dl.circulation_due)}"},
        )


def _circulation_incomplete(c: Context) -> Iterator[Hit]:
    from .circulation import describe_missing

    m, cov = c.meeting, c.coverage
    if not c.circulation_overdue and cov.missing and cov.first_delivery_at is not None:
        yield Hit("circulation", {"who": describe_missing(m.participants, cov.missing)})


def _not_emailed(c: Context) -> Iterator[Hit]:
    from .circulation import describe_missing

    m = c.meeting
    cov = c.coverage
    if cov.not_emailed:
        yield Hit("circulation", {"who": describe_missing(m.participants, cov.not_emailed)})


def _unsettled(c: Context) -> Iterator[Hit]:
    from .circulation import is_unsettled

    for entry in c.meeting.circulation:
        if is_unsettled(entry):  # said until someone says what became of it
            yield Hit("circulation", {"at": format_uk(entry.at), "ref": c.meeting.id})
            return


def _icpc_late(c: Context) -> Iterator[Hit]:
    held, target = c.meeting.icpc_held_on, c.deadlines.icpc_target
    if held is not None and target is not None and not icpc_in_time(held, target):
        yield Hit("icpc_held_on", {"held": format_uk_date(held), "target": format_uk_date(target)})


def _icpc_no_target(c: Context) -> Iterator[Hit]:
    if c.meeting.s47_decided and c.deadlines.icpc_target is None:
        yield Hit("s47_started_at")


# --- the table -------------------------------------------------------------------------------

_S = Seed

RULES: tuple[Rule, ...] = (
    Rule(
        "status.in_progress", "status", "error",
        "the discussion is still in progress: end it before it is authorised",
        _S("devon", "will be completed and authorised within 24 hours"),
        _in_progress, stage="after",
        doc="A record is ended before a manager authorises it.",
    ),
    Rule(
        "entry.unfinished", "progress.pending", "error",
        "{kind} was being recorded when the walk stopped and is not finished: finish it "
        "with strat resume {ref}",
        _S("local", "A clear log of the meeting should be made"),
        _entry_unfinished,
        doc="An action or a decision the chair began live (its answers kept as given) is "
        "finished or dropped, never left half-recorded.",
    ),
    Rule(
        "partner.missing", "partner_gaps", "error",
        "statutory partner {kind} took no part, with no reason or escalation recorded",
        _S("salford", "The quality of information sharing is impacted by nonattendance"),
        _partner_missing,
        doc="A statutory partner who took no part has a reason or an escalation recorded.",
    ),
    Rule(
        "partner.not_escalated", "partner_gaps", "warning",
        "statutory partner {kind} took no part (reason recorded); not escalated",
        _S("salford", "Non-attendance of statutory partners at the strat meeting can also be escalated"),
        _partner_not_escalated,
        doc="An absent statutory partner may be escalated; the chair is reminded.",
    ),
    Rule(
        "partner.escalation_incomplete", "partner_gaps", "error",
        "statutory partner {kind} absence escalated, but the reason for the absence or the "
        "route (to whom) is not recorded",
        _S("salford", "the disagreement must be addressed by more senior staff through line management structures"),
        _partner_escalation_incomplete,
        doc="An escalated absence says why the partner was absent and to whom it went.",
    ),
    Rule(
        "invite.not_considered", "invites", "warning",
        "the procedure asks who to invite when {when}: record who was invited, or why no one was",
        _S("pan-lancashire", "Where required, a legal adviser should be invited or legal advice sought"),
        _invite_open,
        doc="Each invite rule of the agenda that the case meets (other than 'always') is "
        "answered: who was invited, or why no one was.",
    ),
    Rule(
        "role.missing", "participants", "error",
        "the procedure requires: {role}; the record does not show it",
        _S("salford", "social worker, social work manager, relevant health professionals"),
        _roles,
        doc="Each required role the agenda says how to check (chair from social care, a social "
        "worker and a manager, minute taker, referring agency, police) took part.",
    ),
    Rule(
        "children.none", "children", "error", "no subject child recorded",
        _S("local", "an assessment of risk to the child(ren)"),
        _no_children,
        doc="Every record names the child (or children) it is about.",
    ),
    Rule(
        "child.voice", "children.voice", "warning",
        "{id}: the child's voice and lived experience are not recorded",
        _S("salford", "Consider the Voice of the Child"),
        _voice,
        doc="Each born subject child's voice is recorded (an error where the agenda requires it).",
    ),
    Rule(
        "other_children.not_considered", "children", "warning",
        "other children who may be affected were not considered "
        "(add them, or note that there are none)",
        _S("local", "The discussion must consider the needs of other children who may be affected"),
        _others_not_considered,
        doc="Siblings and other children are considered, or it is noted there are none.",
    ),
    Rule(
        "other_children.how", "children.considered", "warning",
        "{id}: how this child may be affected is not recorded",
        _S("pan-lancashire", "Consider the needs of any other children who may be affected"),
        _others_how,
        doc="For each other child, how they may be affected is recorded.",
    ),
    Rule(
        "decision.missing", "decisions", "error",
        "{id}: no decision recorded for this child",
        _S("devon", "The decisions made at the strategy meeting are multi agency decisions"),
        _no_decision,
        doc="Every subject child has a decision.",
    ),
    Rule(
        "decision.unknown_child", "decisions.child_id", "error",
        "{id}: refers to a child who is not in the record",
        _S("devon", "The decisions made at the strategy meeting are multi agency decisions"),
        _unknown_child,
        doc="A decision is about a child in the record.",
    ),
    Rule(
        "decision.rationale", "decisions.rationale", "error", "{id}: no rationale",
        _S("local", "The rationale for this decision needs to be clearly recorded"),
        _no_rationale,
        doc="Every decision records its rationale.",
    ),
    Rule(
        "decision.nfa_agreement", "decisions.police_agreement", "error",
        "{id}: '{outcome}' needs the agreement of the police officer in charge in {area}, "
        "and none is recorded",
        _S("pan-lancashire", "the Officer in Charge of the Police Child Abuse Investigation Unit and the reasons recorded"),
        _police_agreement,
        doc="Outcomes the area lists (no further action, a step down) have the police "
        "officer in charge's agreement.",
    ),
    Rule(
        "medical.undecided", "decisions.medical.needed", "warning",
        "{id}: no decision on a medical examination",
        _S("devon", "Consider whether or not the child needs a medical and the reason"),
        _medical_undecided,
        doc="A medical is decided: an error for s47, and for an injury going to a further "
        "discussion.",
    ),
    Rule(
        "medical.reason", "decisions.medical.reason", "error",
        "{id}: the medical decision ({needed}) has no reason",
        _S("devon", "Consider whether or not the child needs a medical and the reason"),
        _medical_reason,
        doc="A medical decision, yes or no, gives its reason.",
    ),
    Rule(
        "medical.by", "decisions.medical.by", "warning",
        "{id}: who carries out the medical, and when, is not recorded",
        _S("salford", "the timing of medical assessments"),
        _medical_by,
        doc="A medical that is needed says who carries it out and when.",
    ),
    Rule(
        "parents.reason", "decisions.parents_not_informed_reason", "error",
        "{id}: parents or PR holders are not to be told, with no reason recorded",
        _S("devon", "Whether the people with Parental Responsibility (PR) should be informed"),
        _parents_reason,
        doc="Not telling those with parental responsibility has a reason.",
    ),
    Rule(
        "parents.undecided", "decisions.parents_informed", "warning",
        "{id}: whether parents or PR holders are told is not decided",
        _S("devon", "this must include absent parents/ carers"),
        _parents_undecided,
        doc="Whether those with parental responsibility are told is decided.",
    ),
    Rule(
        "parents.each", "adults.informed", "warning",
        "{id}: holds parental responsibility; {gap}",
        _S("devon", "this must include absent parents/ carers"),
        _each_parent,
        doc="Each adult with parental responsibility, absent parents included, is told (when, "
        "by whom), to be told later (when, why) or not told (why).",
    ),
    Rule(
        "legal.proceedings", "decisions.legal_approved_by", "error",
        "{id}: legal proceedings need legal advice and a Children's Social Care manager's "
        "approval, and the record does not show both",
        _S("pan-lancashire", "legal advice must be obtained and the approval of a Children's Social Care Manager"),
        _legal_proceedings,
        doc="A decision to start legal proceedings has legal advice and a manager's approval.",
    ),
    Rule(
        "challenge.not_recorded", "challenge", "warning",
        "no evidence of professional challenge is recorded (who challenged what, or that "
        "there was none)",
        _S("salford", "plus evidence of professional challenge"),
        _no_challenge, on=False,
        doc="Where the area asks for it (Salford), the record holds evidence of professional "
        "challenge.",
    ),
    Rule(
        "action.owner", "actions.owner", "error", "{id}: no one person owns this action",
        _S("salford", "agreed roles and responsibilities"),
        _action_owner,
        doc="Every action has an owner (not 'TBC', 'all').",
    ),
    Rule(
        "action.owner_agency", "actions.owner", "error",
        "{id}: owned by an agency, not a named person (name who in that agency does it)",
        _S("salford", "Agree further SMART actions"),
        _action_owner_agency,
        doc="An action's owner is a named person, not an agency.",
    ),
    Rule(
        "action.due_before_meeting", "actions.due", "error",
        "{id}: due before the discussion started",
        _S("salford", "timescales"),
        _action_due_before,
        doc="No action is due before the discussion started.",
    ),
    Rule(
        "contingency.missing", "actions", "error",
        "no contingency plan: the area requires one (mark an action as a contingency)",
        _S("salford", "action points (inc contingency planning)"),
        _no_contingency,
        doc="Where work continues (not every child NFA or early help), a contingency action "
        "is recorded.",
    ),
    Rule(
        "disagreement.unresolved", "disagreements.resolution", "error",
        "{id}: disagreement with neither a resolution nor an escalation recorded",
        _S("salford", "differences are resolved at practitioner level by discussion between agencies (and recorded)"),
        _disagreement_open,
        doc="A disagreement is resolved or escalated (a warning where the area resolves "
        "after the enquiry).",
    ),
    Rule(
        "disagreement.escalation", "disagreements.escalation", "warning",
        "{id}: escalated, but not to whom or by what route",
        _S("salford", "through line management structures"),
        _disagreement_route,
        doc="An escalation says to whom and by what route.",
    ),
    Rule(
        "family.withheld_reason", "family.withheld_reason", "error",
        "information is withheld from the family with no reason recorded",
        _S("pan-lancashire", "unless such information sharing may place a child at increased risk of harm"),
        _withheld_reason,
        doc="Withholding from the family has a reason.",
    ),
    Rule(
        "item.empty", "notes", "error",
        "required agenda item '{key}' is empty",
        _S("local", "A clear log of the meeting should be made"),
        _items_empty,
        doc="Every item the area marks required holds an answer.",
    ),
    Rule(
        "discussion.late", "late_reason", "error",
        "the discussion was held after its due time ({due}) and no reason is recorded",
        _S("local", "it is expected that it will take place within 24 hours"),
        _held_late,
        doc="A discussion held after the area's timescale says why.",
    ),
    Rule(
        "minutes.authorised_late", "authorisation", "warning",
        "the minutes were due to be authorised by {due}: {state}",
        _S("devon", "will be completed and authorised within 24 hours"),
        _minutes_late, stage="after", may_wait=True,
        doc="Where the area sets a time to authorise the minutes, missing it stays visible.",
    ),
    Rule(
        "summary.late", "circulation", "warning",
        "the action summary was due by {due}: {state}",
        _S("devon", "A summary of the agreed actions will be available within 1 hour"),
        _summary_late, stage="after", may_wait=True,
        doc="The action summary goes out within the area's hours; missing it stays visible.",
    ),
    Rule(
        "circulation.before_authorisation", "circulation", "warning",
        "the record was sent before a manager authorised it, where the area authorises first",
        _S("pan-lancashire", "must be authorised by the manager and should then be sent to all participants"),
        _circulated_unauthorised, stage="after", may_wait=True,
        doc="Where the area authorises first, a record sent before authorisation shows.",
    ),
    Rule(
        "circulation.late", "circulation", "error",
        "the record {state}{detail}",
        _S("salford", "Circulate the notes of the meeting to all parties within one working day"),
        _circulation, stage="after", may_wait=True,
        doc="The record reaches every participant within the area's working days.",
    ),
    Rule(
        "circulation.incomplete", "circulation", "warning",
        "the record has not reached every participant; still missing: {who}",
        _S("pan-lancashire", "circulated to all parties within one working day"),
        _circulation_incomplete, stage="after", may_wait=True,
        doc="Everyone who has not yet received the record is named.",
    ),
    Rule(
        "circulation.not_emailed", "circulation", "warning",
        "not emailed (no usable address), so the record must reach them another way: {who}",
        _S("pan-lancashire", "circulated to all parties within one working day"),
        _not_emailed, stage="after", may_wait=True,
        doc="A participant strat could not email is named until reached.",
    ),
    Rule(
        "circulation.unsettled", "circulation", "warning",
        "the send of {at} was cut off and its outcome is unknown; ask the recipients, then "
        "run: strat email {ref} --unsettled delivered (or resend)",
        _S("pan-lancashire", "circulated to all parties within one working day"),
        _unsettled, stage="after", may_wait=True,
        doc="A send whose outcome is unknown is said until settled.",
    ),
    Rule(
        "icpc.late", "icpc_held_on", "warning",
        "the conference was held on {held}, after its target of {target}",
        _S("pan-lancashire", "within 15 working days of the last Strategy Discussion"),
        _icpc_late, stage="after",
        doc="A conference held after its target shows.",
    ),
    Rule(
        "icpc.no_target", "s47_started_at", "error",
        "s47 was decided but there is no ICPC target date "
        "(record when the discussion that initiated s47 was held)",
        _S("west-midlands", "within 15 working days of the strategy meeting that decided to initiate"),
        _icpc_no_target, stage="after",
        doc="Where s47 was decided, the ICPC target can be counted.",
    ),
)  # fmt: skip

BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}


_NO_OVERRIDE = RuleOverride()


def rules_for(agenda: Agenda) -> list[Graded]:
    """The table as this area applies it. The agenda's overrides are validated here, in one
    place: an unknown code is an error naming the file and the code."""
    overrides = agenda.rules.overrides
    unknown = sorted(set(overrides) - set(BY_CODE))
    if unknown:
        where = agenda.path or agenda.id
        raise AgendaError(
            f"{where}: rules, overrides: no rule {unknown[0]!r} (known: {', '.join(BY_CODE)})"
        )
    for code, o in overrides.items():
        if o.message is not None and (why := _message_problem(o.message)):
            where = agenda.path or agenda.id
            raise AgendaError(f"{where}: rules, overrides, {code}, message: {why}")
    out: list[Graded] = []
    for rule in RULES:
        o = overrides.get(rule.code, _NO_OVERRIDE)
        may_wait = rule.may_wait if o.may_wait is None else o.may_wait
        enabled = rule.on if o.enabled is None else o.enabled
        out.append(Graded(rule, enabled, o.severity, o.message or rule.message, may_wait))
    return out


def _message_problem(message: str) -> str | None:
    """Why an area's wording for a rule cannot be used, or None: only plain {name} fields (the
    rule's values), never an index, an attribute, a conversion or a format spec."""
    import string

    try:
        parts = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(message)]
    except ValueError:
        return "a { or } without its pair (write {{ or }} for a brace)"
    for name, spec, conv in parts:
        if name is not None and (not name.isidentifier() or spec or conv):
            return "only plain fields such as {id} may be used"
    return None


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:  # an area's message may name a value not given
        return "{" + key + "}"


def findings(
    meeting: Meeting,
    agenda: Agenda,
    *,
    now: datetime | None = None,
    deadlines: Deadlines | None = None,
    stage: Stage | None = None,
) -> list[Gap]:
    """Every gap the area's rules find in the record, in table order; `stage` limits them to
    what the discussion holds ("record") or what follows it ("after")."""
    ctx = Context(meeting, agenda, now, deadlines)
    gaps: list[Gap] = []
    seen: set[tuple[str, str]] = set()
    for g in rules_for(agenda):
        if not g.enabled or (stage is not None and g.rule.stage != stage):
            continue
        for hit in g.rule.condition(ctx):
            if (g.rule.code, hit.where) in seen:
                continue
            seen.add((g.rule.code, hit.where))
            severity = g.severity or hit.severity or g.rule.severity
            gaps.append(
                Gap(severity, g.rule.code, hit.where, g.message.format_map(_Values(hit.values)))
            )
    return gaps


def waits(agenda: Agenda) -> set[str]:
    """Codes that may stay open when the manager authorises (fixed after)."""
    return {g.rule.code for g in rules_for(agenda) if g.may_wait}


def closing_warnings(meeting: Meeting, agenda: Agenda) -> list[str]:
    """What the chair hears before ending: every gap in what the discussion holds. Nothing is
    refused; each is saved and flagged."""
    return [f"{g.message} [{g.code}]" for g in findings(meeting, agenda, stage="record")]


def decision_gaps(meeting: Meeting, agenda: Agenda, decision_ids: Iterable[str]) -> list[Gap]:
    """The gaps of these decisions, for the live prompts' immediate hint: the rulebook is asked
    once, however many children the decision covers."""
    prefixes = tuple(f"decisions.{d}." for d in decision_ids)
    return [g for g in findings(meeting, agenda, stage="record") if g.where.startswith(prefixes)]


def traceability(test_of: Callable[[str], str]) -> str:
    """docs/rules.md: each rule with its seed, the requirement quoted and the test that proves
    it (`test_of(code)`), generated from the table so it cannot drift from it."""
    lines = [
        "# The rulebook: each rule, the procedure it comes from, and its test",
        "",
        "Generated from `strat_cli/rulebook.py` (`RULES`); do not edit by hand. Regenerate with",
        "`STRAT_UPDATE_DOCS=1 pytest tests/test_rulebook.py`. An area's agenda may switch a rule",
        "off, change its severity or wording, or let it wait until after authorisation",
        "(`rules: overrides:`), and sets the policies the conditions read (`rules:`).",
        "",
        "| rule | field | severity | on | waits | seed | requirement (quoted) | checks | test |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in RULES:
        cells = [
            f"`{r.code}`",
            f"`{r.field}`",
            r.severity,
            "yes" if r.on else "where the area asks",
            "yes" if r.may_wait else "no",
            f"{r.seed.procedure} (`{r.seed.file}`)",
            f"“{r.seed.quote}”",
            r.doc,
            f"`{test_of(r.code)}`",
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    from .agenda import Rules, Timescales

    lines += [
        "",
        "## The area's policies (agenda `rules:` and `timescales:`)",
        "",
        "| key | default | what it decides |",
        "|---|---|---|",
    ]
    for section, model in (("rules", Rules), ("timescales", Timescales)):
        for name, info in model.model_fields.items():
            if not info.description:
                continue
            default = info.get_default(call_default_factory=True)
            shown = str(getattr(default, "value", default)).replace("|", "\\|")
            if len(shown) > 40:
                shown = shown[:37] + "..."
            lines.append(f"| `{section}.{name}` | `{shown}` | {info.description} |")
    return "\n".join(lines) + "\n"
