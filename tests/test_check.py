"""The quality check: one fictional record per gap it must flag, and a complete record it passes.

Every record starts from the typical example (which passes) and breaks one thing. Times are
fixed (`NOW`), never the clock.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from strat_cli.agenda import Agenda, get_agenda
from strat_cli.check import Report, check_meeting
from strat_cli.deadlines import meeting_deadlines
from strat_cli.model import (
    AgencyKind,
    Attendance,
    CirculationEntry,
    FamilySharing,
    Meeting,
    Outcome,
    PartnerGap,
    PoliceAgreement,
    Status,
    YesNo,
)
from strat_cli.samples import START, typical

from .conftest import sent_to_everyone

NOW = START + timedelta(minutes=90)  # just after the discussion: nothing yet due


@pytest.fixture(scope="module")
def national() -> Agenda:
    return get_agenda("national")


def found(report: Report) -> set[tuple[str, str, str]]:
    return {(g.severity, g.code, g.where) for g in report.gaps}


def run(meeting: Meeting, agenda: Agenda, **kw: object) -> set[tuple[str, str, str]]:
    return found(check_meeting(meeting, agenda, now=kw.pop("now", NOW), **kw))  # type: ignore[arg-type]


def with_rules(agenda: Agenda, **rules: object) -> Agenda:
    return agenda.model_copy(update={"rules": agenda.rules.model_copy(update=rules)})


def test_the_typical_record_passes_with_nothing_to_report(national: Agenda) -> None:
    report = check_meeting(typical(), national, now=NOW)
    assert report.gaps == []
    assert report.ok


def test_statutory_partner_absent_without_reason_or_escalation(national: Agenda) -> None:
    m = typical()
    police = next(p for p in m.participants if p.agency_kind == AgencyKind.police)
    police.attendance = Attendance.absent
    assert ("error", "partner.missing", "partner_gaps.police") in run(m, national)
    m.partner_gaps.append(PartnerGap(agency_kind=AgencyKind.police, reason="Officer in court"))
    gaps = run(m, national)
    assert ("error", "partner.missing", "partner_gaps.police") not in gaps
    assert ("warning", "partner.not_escalated", "partner_gaps.police") in gaps


def test_statutory_partners_come_from_the_agenda(national: Agenda) -> None:
    m = typical()
    for p in m.participants:
        if p.agency_kind == AgencyKind.health:
            p.attendance = Attendance.apologies
    local = national.model_copy(update={"statutory_partners": [AgencyKind.social_care]})
    assert ("error", "partner.missing", "partner_gaps.health") in run(m, national)
    assert not any(code == "partner.missing" for _, code, _ in run(m, local))


def test_decision_without_rationale(national: Agenda) -> None:
    m = typical()
    m.decisions[1].rationale = "  "
    assert ("error", "decision.rationale", "decisions.D2.rationale") in run(m, national)


def test_nfa_without_the_police_agreement_the_area_requires(national: Agenda) -> None:
    m = typical()
    m.decisions[2].outcome = Outcome.nfa
    assert not any(c == "decision.nfa_agreement" for _, c, _ in run(m, national))
    strict = with_rules(national, nfa_requires_police_agreement=True)
    assert ("error", "decision.nfa_agreement", "decisions.D3.police_agreement") in run(m, strict)
    m.decisions[2].police_agreement = PoliceAgreement(officer="DS Priya Lamb", agreed=True)
    assert not any(c == "decision.nfa_agreement" for _, c, _ in run(m, strict))


def test_no_decision_on_a_medical_examination(national: Agenda) -> None:
    m = typical()
    m.decisions[0].medical.needed = YesNo.undecided
    assert ("error", "medical.undecided", "decisions.D1.medical.needed") in run(m, national)


def test_a_medical_decision_without_its_reason(national: Agenda) -> None:
    m = typical()
    m.decisions[1].medical.reason = ""
    assert ("error", "medical.reason", "decisions.D2.medical.reason") in run(m, national)


def test_parents_not_to_be_told_without_a_reason(national: Agenda) -> None:
    m = typical()
    m.decisions[2].parents_not_informed_reason = ""
    gaps = run(m, national)
    assert ("error", "parents.reason", "decisions.D3.parents_not_informed_reason") in gaps


def test_an_action_without_an_owner(national: Agenda) -> None:
    m = typical()
    m.actions[3].owner = "TBC"
    assert ("error", "action.owner", "actions.A4.owner") in run(m, national)


def test_an_action_due_before_the_meeting(national: Agenda) -> None:
    m = typical()
    m.actions[3].due = m.started_at - timedelta(days=1)
    assert ("error", "action.due_before_meeting", "actions.A4.due") in run(m, national)


def test_no_icpc_target_where_s47_was_decided(national: Agenda) -> None:
    m = typical()
    assert m.s47_decided
    dl = dataclasses.replace(meeting_deadlines(m, national), icpc_target=None)
    assert ("error", "icpc.no_target", "s47_started_at") in run(m, national, deadlines=dl)


def test_other_children_not_considered(national: Agenda) -> None:
    m = typical()
    m.children = [c for c in m.children if c.subject]
    m.decisions = [d for d in m.decisions if d.child_id != "C3"]
    m.actions[6].child_ids = []
    assert ("error", "other_children.not_considered", "notes.other_children") in run(m, national)
    m.notes["other_children"] = "No other children in the household; none visit."
    assert not any(c == "other_children.not_considered" for _, c, _ in run(m, national))


def test_the_childs_voice_not_recorded(national: Agenda) -> None:
    m = typical()
    m.children[0].voice = ""
    assert ("error", "child.voice", "children.C1.voice") in run(m, national)
    optional = national.model_copy(
        update={
            "items": [
                i.model_copy(update={"required": False}) if i.kind == "voice" else i
                for i in national.items
            ]
        }
    )
    assert ("warning", "child.voice", "children.C1.voice") in run(m, optional)


def test_no_contingency_plan(national: Agenda) -> None:
    m = typical()
    for a in m.actions:
        a.contingency = False
    assert ("error", "contingency.missing", "actions") in run(m, national)
    relaxed = with_rules(national, requires_contingency_plan=False)
    assert not any(c == "contingency.missing" for _, c, _ in run(m, relaxed))


def test_a_disagreement_without_resolution_or_escalation(national: Agenda) -> None:
    m = typical()
    m.disagreements[0].resolution = ""
    assert ("error", "disagreement.unresolved", "disagreements.G1.resolution") in run(m, national)
    m.disagreements[0].escalated = True
    m.disagreements[0].escalation = "To the Head of Service under the escalation policy"
    assert not any(c.startswith("disagreement") for _, c, _ in run(m, national))


def test_record_not_circulated_within_one_working_day(national: Agenda) -> None:
    m = typical()  # Thursday; due by the end of Friday
    later = START + timedelta(days=4)
    assert ("error", "circulation.late", "circulation") in run(m, national, now=later)
    m.circulation.append(sent_to_everyone(m, START + timedelta(days=4)))
    assert ("error", "circulation.late", "circulation") in run(m, national, now=later)
    m.circulation[0].at = START + timedelta(hours=3)
    assert not any(c == "circulation.late" for _, c, _ in run(m, national, now=later))


def test_circulation_is_late_while_anyone_is_missing_and_names_them(national: Agenda) -> None:
    m = typical()  # Thursday; due by the end of Friday
    reached = sent_to_everyone(m, START + timedelta(hours=3))
    lamb = next(p for p in m.participants if p.email.startswith("lamb@"))
    reached.delivered.remove(lamb.email)
    reached.refused[lamb.email] = "550 5.1.1 No such mailbox here"
    m.circulation.append(reached)
    soon = check_meeting(m, national, now=START + timedelta(hours=4))
    assert [g.message for g in soon.gaps if g.code == "circulation.incomplete"] == [
        "the record has not reached every participant; still missing: "
        "DS Priya Lamb (Detective Sergeant, CAIU, Northshire Police)"
    ]
    late = check_meeting(m, national, now=START + timedelta(days=4))
    [message] = [g.message for g in late.gaps if g.code == "circulation.late"]
    assert message.startswith("the record has not reached every participant; still missing: DS")
    m.circulation.append(sent_to_everyone(m, START + timedelta(hours=5)))
    done = check_meeting(m, national, now=START + timedelta(days=4))
    assert not [g for g in done.gaps if g.code.startswith("circulation")]


def test_a_participant_never_emailed_is_named_until_reached(national: Agenda) -> None:
    m = typical()
    m.participants[7].email = ""  # Rita Mensah
    m.circulation.append(sent_to_everyone(m, START + timedelta(hours=3)))
    report = check_meeting(m, national, now=START + timedelta(days=4))
    assert [(g.code, g.message) for g in report.gaps if g.code.startswith("circulation")] == [
        (
            "circulation.not_emailed",
            "not emailed (no usable address), so the record must reach them another way: "
            "Rita Mensah (Independent Domestic Violence Adviser, Northshire IDVA Service)",
        )
    ]


def test_late_circulation_names_the_first_delivery_not_an_earlier_draft(national: Agenda) -> None:
    m = typical()  # Thursday 19 Nov 2026; due by the end of Friday
    m.circulation.append(  # prepared in time, but a draft is not sending
        CirculationEntry(at=START + timedelta(hours=2), method="draft", recipients=["a@x.example"])
    )
    m.circulation.append(  # Monday 23 Nov, 10:00
        sent_to_everyone(m, START + timedelta(days=4), method="draft sent")
    )
    report = check_meeting(m, national, now=START + timedelta(days=5))
    late = [g.message for g in report.gaps if g.code == "circulation.late"]
    assert len(late) == 1
    assert "complete Mon 23 Nov 2026 10:00" in late[0]
    assert "Thu 19 Nov" not in late[0]


@pytest.mark.parametrize(
    ("breaks", "where"),
    [
        (lambda m: m.notes.pop("reason"), "notes.reason"),
        (lambda m: m.information.clear(), "information"),
        (lambda m: setattr(m.risk, "summary", ""), "risk.summary"),
        (lambda m: setattr(m, "family", FamilySharing()), "family.shared"),
        (lambda m: setattr(m, "review_mechanism", ""), "review_mechanism"),
    ],
)
def test_agenda_items_the_area_requires_left_empty(
    national: Agenda, breaks: object, where: str
) -> None:
    m = typical()
    breaks(m)  # type: ignore[operator]
    assert ("error", "item.empty", where) in run(m, national)


def test_a_notes_item_required_by_a_local_agenda(national: Agenda) -> None:
    m = typical()
    m.notes.pop("legal")
    assert ("error", "item.empty", "notes.legal") not in run(m, national)
    local = national.model_copy(
        update={
            "items": [
                i.model_copy(update={"required": True}) if i.key == "legal" else i
                for i in national.items
            ]
        }
    )
    assert ("error", "item.empty", "notes.legal") in run(m, local)


def test_a_discussion_still_in_progress(national: Agenda) -> None:
    m = typical()
    m.status = Status.draft
    assert ("error", "status.in_progress", "status") in run(m, national)


def test_withheld_from_the_family_without_a_reason(national: Agenda) -> None:
    m = typical()
    m.family.withheld_reason = ""
    gaps = run(m, national)
    assert ("error", "family.withheld_reason", "family.withheld_reason") in gaps


def test_a_subject_child_without_a_decision(national: Agenda) -> None:
    m = typical()
    m.decisions = [d for d in m.decisions if d.child_id != "C2"]
    assert ("error", "decision.missing", "children.C2") in run(m, national)


def test_warnings_alone_leave_the_record_ok(national: Agenda) -> None:
    m = typical()
    m.decisions[0].parents_informed = YesNo.undecided
    report = check_meeting(m, national, now=NOW)
    assert report.ok and report.warnings
    assert report.as_dict()["gaps"][0]["where"] == "decisions.D1.parents_informed"
