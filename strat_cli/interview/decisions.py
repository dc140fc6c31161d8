"""Decisions for each child: outcome and rationale, medical, parents, legal, police agreement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import questions
from ..agenda import Item
from ..model import (
    AgencyKind,
    Child,
    Decision,
    Outcome,
    PoliceAgreement,
    YesNo,
)
from ..questions import LATER
from ..rulebook import decision_gaps
from . import information
from .commands import Cancel, Navigate

if TYPE_CHECKING:
    from .walk import Interview


def step_decisions(iv: Interview, item: Item) -> None:
    m = iv.m
    iv.carry_on("decision")  # one a stopped walk (or /skip) left part-given
    if not m.children:
        iv.say("  No child is recorded yet.")
        name = iv.answer(questions.CHILD_NAME, required="A decision needs a child.")
        information.add_child(iv, name, subject=True)
    while True:
        pending = [c for c in m.subject_children if not m.decisions_for(c.id)]
        for c in m.children:
            if m.decisions_for(c.id):
                iv.say(f"  {information.child_label(iv, c)}")
        if pending:
            iv.say("  Needing a decision: " + ", ".join(f"{c.id} {c.name}" for c in pending))
            record_decision(iv)
            continue
        choice = iv.pick(
            "Decisions",
            [
                ("done", "Done: every subject child has a decision"),
                ("more", "Record or change a decision"),
                ("child", "Add a child"),
            ],
            default="done",
        )
        if choice == "done":
            return
        if choice == "child":
            name = iv.answer(questions.CHILD_NAME, required="A name is needed.")
            information.add_child(
                iv, name, subject=iv.p.confirm("A subject of the concern?", default=True)
            )
        else:
            record_decision(iv)


def carry_on(iv: Interview, slot: int) -> None:
    """A decision a stopped walk left part-given (progress.pending): its children are kept,
    the answers given are offered again (Enter keeps them)."""
    m = iv.m
    ids = [cid for cid in m.progress.pending[slot].child_ids if m.child(cid) is not None]
    if not ids:  # its children were taken out of the record since: nothing left to decide
        iv.settle(slot)
        iv.save()
        return
    iv.say(
        "  A decision was being given when the walk stopped: carrying it on "
        "(Enter keeps each answer given)."
    )
    record_decision(iv, ids=ids, slot=slot)


def record_decision(
    iv: Interview, *, ids: list[str] | None = None, slot: int | None = None
) -> None:
    """One decision for one or more children, then where any child differs. `ids` and `slot`
    carry on a decision already begun (progress.pending)."""
    m = iv.m
    if ids is None and not m.children:
        name = iv.answer(questions.CHILD_NAME, required="A decision needs a child (or /cancel).")
        information.add_child(iv, name, subject=True)
    pending = [c.id for c in m.subject_children if not m.decisions_for(c.id)]
    ids = list(ids or [])
    while not ids:
        if len(m.children) == 1:
            ids = [m.children[0].id]
            break
        ids = iv.p.checkbox(
            "Which children does this decision cover?",
            [(c.id, information.child_label(iv, c)) for c in m.children],
            checked=pending,
        )
        if not ids:
            if iv.depth:
                raise Cancel
            iv.say("  No child ticked (Space ticks): decisions stay open for later.")
            raise Navigate("skip")
    group = decide(iv, ids, base=None, slot=slot)
    if len(group) > 1:
        differ = iv.p.checkbox(
            "Does the decision differ for any of them? Tick those (Enter for none)",
            [
                (
                    d.child_id,
                    information.child_label(
                        iv, m.child(d.child_id) or Child(id=d.child_id, name="?")
                    ),
                )
                for d in group
            ],
        )
        for cid in differ:
            base = next(d for d in group if d.child_id == cid)
            iv.say(f"  {cid}: change what differs; Enter keeps the shared answer.")
            decide(iv, [cid], base=base)


def decide(
    iv: Interview, ids: list[str], base: Decision | None, *, slot: int | None = None
) -> list[Decision]:
    """Ask each field, saving the decisions as soon as outcome and rationale are known; until
    then the answers are kept in progress.pending (`slot`), each before the next question."""
    m = iv.m
    if base is None and len(ids) == 1 and m.decisions_for(ids[0]):
        base = m.decisions_for(ids[0])[-1]
    names = ", ".join(f"{cid} {c.name}" for cid in ids if (c := m.child(cid)))
    iv.say(f"  Decision for {names}")
    if slot is None:
        slot = iv.begin("decision", child_ids=list(ids))
    given = m.progress.pending[slot].model_copy(deep=True)
    offer = given.outcome or (base.outcome if base else None)
    agreement: PoliceAgreement | None = None
    while True:
        outcome = Outcome(iv.choose(questions.OUTCOME, default=offer.value if offer else None))
        iv.hold(slot, outcome=outcome)
        if not iv.agenda.rules.needs_police_agreement(outcome):
            agreement = None
            break
        before = given.police_agreement or (base.police_agreement if base else None)
        agreement = ask_police_agreement(
            iv, before, outcome, slot=slot, agreed=given.police_agreement is not None
        )
        if agreement is not None:
            break
    iv.hold(slot, police_agreement=agreement)
    # none is saved and flagged (the rulebook's decision.rationale)
    rationale = iv.answer(questions.RATIONALE, default=base.rationale if base else "")
    now = iv.clock()
    group: list[Decision] = []
    for cid in ids:
        old = m.decisions_for(cid)
        decision_id = old[-1].id if old else m.next_id("D", [x.id for x in m.decisions])
        d = (base.model_copy(deep=True) if base else None) or Decision(
            id=decision_id, child_id=cid, outcome=outcome, rationale=rationale
        )
        d.id = decision_id
        d.child_id, d.outcome, d.rationale = cid, outcome, rationale
        d.police_agreement = agreement
        d.recorded_at = now
        m.decisions = [x for x in m.decisions if x.child_id != cid]
        m.decisions.append(d)
        group.append(d)
        iv.log("decision changed" if old else "decision recorded", f"{d.id} {cid}: {outcome.value}")
    iv.settle(slot)  # the entry is the decision now: one save holds it, never both or neither
    iv.save()

    def setall(**values: object) -> None:
        for d in group:
            for key, value in values.items():
                setattr(d, key, value)
        iv.save()

    first = group[0]
    med = first.medical.model_copy()

    def keep_medical() -> None:  # every answer saved before the next question
        for d in group:
            d.medical = med.model_copy()
        iv.save()

    med.needed = YesNo(iv.choose(questions.MEDICAL, default=med.needed.value))
    keep_medical()
    if med.needed == YesNo.no:
        med.reason = iv.answer(questions.MEDICAL_WHY, default=med.reason, hint=LATER)
    elif med.needed == YesNo.yes:
        med.reason = iv.answer(questions.MEDICAL_WHY, default=med.reason)
        keep_medical()
        med.by = iv.answer(questions.MEDICAL_BY, default=med.by)
        keep_medical()
        med.contingency = iv.answer(questions.MEDICAL_PLAN, default=med.contingency)
    keep_medical()
    told = YesNo(iv.choose(questions.TOLD, default=first.parents_informed.value))
    setall(parents_informed=told)
    why = ""
    if questions.NOT_TOLD.wanted(m, iv.agenda, first.id):  # the rulebook's parents.reason
        why = iv.answer(questions.NOT_TOLD, default=first.parents_not_informed_reason)
    setall(parents_not_informed_reason=why)
    legal = YesNo(iv.choose(questions.LEGAL_ADVICE, default=first.legal_advice.value))
    detail = ""
    if legal == YesNo.yes:
        detail = iv.answer(questions.LEGAL, default=first.legal_detail)
    setall(legal_advice=legal, legal_detail=detail)
    seen = iv.answer(
        questions.CHILD_SEEN_ALONE,
        default=first.seen_alone or getattr(m.child(first.child_id), "seen_alone", ""),
    )
    setall(seen_alone=seen)
    default_interp = first.interpreter
    if not default_interp:
        langs = [c.language for cid in ids if (c := m.child(cid)) and c.interpreter and c.language]
        default_interp = f"{', '.join(langs)} interpreter needed" if langs else ""
    interp = iv.answer(questions.INTERPRETER, default=default_interp)
    setall(interpreter=interp)
    # what the rulebook still finds: said now, saved either way
    for gap in decision_gaps(m, iv.agenda, [d.id for d in group]):
        iv.say(f"  ! {gap.message} [{gap.code}]")
    return group


def ask_police_agreement(
    iv: Interview,
    before: PoliceAgreement | None,
    outcome: Outcome = Outcome.nfa,
    *,
    slot: int | None = None,
    agreed: bool = False,
) -> PoliceAgreement | None:
    """This outcome needs the police officer in charge to agree here, with reasons recorded
    (the area's rules.police_agreement_for). Each answer is kept in the decision being given
    (`slot`); `agreed` offers the agreement that decision already had (a carried-on one)."""
    iv.say(
        f"  This area's procedure: {outcome.value} needs the agreement of the police "
        "officer in charge."
    )
    police = [
        p.name
        for p in iv.m.participants
        if p.agency_kind == AgencyKind.police and p.attendance.took_part
    ]
    officer = iv.answer(
        questions.OFFICER,
        default=(before.officer if before else "") or (police[0] if police else ""),
    )
    if slot is not None:
        iv.hold(slot, police_agreement=PoliceAgreement(officer=officer))
    yes = iv.p.confirm(
        f"Does {officer} agree to {outcome.value}?",
        default=agreed and before is not None and before.agreed,
    )
    if not yes:
        iv.say(
            f"  {outcome.value} cannot be recorded without that agreement. Choose another outcome; "
            "record the disagreement with /disagree."
        )
        return None
    at = (before.at if agreed and before is not None else None) or iv.clock()
    if slot is not None:
        iv.hold(slot, police_agreement=PoliceAgreement(officer=officer, agreed=True, at=at))
    note = iv.answer(questions.OFFICER_NOTE, default=before.note if before else "")
    return PoliceAgreement(officer=officer, agreed=True, at=at, note=note)
