"""The live meeting through the prompt seam, in-process: a scripted `Prompts` answers each
question, checking it was the question expected, and the store is read back after."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest

from strat_cli.agenda import Agenda, get_agenda
from strat_cli.interview import Interview, actions, attendance, decisions, find_command
from strat_cli.model import (
    LONDON,
    AgencyKind,
    Attendance,
    Child,
    Meeting,
    Outcome,
    Participant,
    Status,
    YesNo,
)
from strat_cli.prompts import Choice
from strat_cli.rules import parse_clock
from strat_cli.store import FolderStore

NOW = datetime(2026, 11, 19, 10, 30, tzinfo=LONDON)  # a Thursday
DEFAULT = object()  # take the prompt's default


class Script:
    """A fake `Prompts`: each question must contain the expected words; answers in order."""

    def __init__(self, steps: Sequence[tuple[str, Any]]) -> None:
        self.steps = list(steps)
        self.toolbar = ""
        self.said: list[str] = []
        self.asked: list[str] = []

    watching: Interview | None = None  # set by `interview()`: every answer must be saved first

    def _answer(self, kind: str, message: str, default: Any) -> Any:
        self.asked.append(message)
        if self.watching is not None:
            unsaved(self.watching, message)
        if not self.steps:
            raise AssertionError(f"unscripted {kind}: {message!r}")
        expect, answer = self.steps.pop(0)
        assert expect.lower() in message.lower(), f"expected {expect!r}, asked {message!r}"
        if answer is KeyboardInterrupt:
            raise KeyboardInterrupt
        return default if answer is DEFAULT else answer

    def text(self, message: str, *, default: str = "", hint: str = "", validate: Any = None) -> str:
        return str(self._answer("text", message, default))

    def multiline(self, message: str, *, default: str = "", hint: str = "") -> str:
        return str(self._answer("multiline", message, default))

    def select(self, message: str, choices: Sequence[Choice], *, default: str | None = None) -> str:
        answer = self._answer("select", message, default)
        values = [v for v, _ in choices]
        assert answer in values, f"{answer!r} is not a choice of {message!r}: {values}"
        return str(answer)

    def checkbox(
        self, message: str, choices: Sequence[Choice], *, checked: Sequence[str] = ()
    ) -> list[str]:
        return list(self._answer("checkbox", message, list(checked)))

    def confirm(self, message: str, *, default: bool = True) -> bool:
        return bool(self._answer("confirm", message, default))

    def say(self, text: str = "") -> None:
        self.said.append(text)

    @property
    def screen(self) -> str:
        return "\n".join(self.said)

    def done(self) -> None:
        assert not self.steps, f"unused answers: {self.steps}"


def people() -> list[Participant]:
    rows = [
        ("Dana Okafor", "Northshire Children's Social Care", AgencyKind.social_care),
        ("DS Priya Lamb", "Northshire Police", AgencyKind.police),
        ("Dr Owen Hartley", "Northshire NHS Trust", AgencyKind.health),
        ("Leah Brennan", "Elmfield Primary School", AgencyKind.education),
    ]
    return [
        Participant(id=f"P{n}", name=name, agency=agency, agency_kind=kind)
        for n, (name, agency, kind) in enumerate(rows, 1)
    ]


def draft(store: FolderStore, *, present: bool = True) -> Meeting:
    m = Meeting(
        id="SD-2026-0007",
        agenda="national",
        started_at=datetime(2026, 11, 19, 10, 0, tzinfo=LONDON),
        chair="Dana Okafor",
        children=[Child(id="C1", name="Ellie Marsh"), Child(id="C2", name="Noah Marsh")],
        participants=people(),
    )
    if present:
        for p in m.participants:
            p.attendance = Attendance.remote
        m.progress.attendance_taken = True
    store.save(m)
    return m


@pytest.fixture
def national() -> Agenda:
    return get_agenda("national")


@pytest.fixture
def lancs(national: Agenda) -> Agenda:
    """An area where NFA needs the police officer in charge's agreement (Pan-Lancashire 3.3)."""
    rules = national.rules.model_copy(update={"nfa_requires_police_agreement": True})
    return national.model_copy(update={"rules": rules})


def interview(m: Meeting, agenda: Agenda, store: FolderStore, script: Script) -> Interview:
    iv = Interview(m, agenda, store, script, user="Dana Okafor", clock=lambda: NOW)
    script.watching = iv
    return iv


def unsaved(iv: Interview, asking: str) -> None:
    """Every answer given is on disk before the next question is asked: a kill at any prompt
    loses nothing typed (only where the chair is, `progress`, may lag a question behind)."""
    kept = iv.store.load(iv.m.id).model_dump(mode="json", exclude={"updated_at", "progress"})
    held = iv.m.model_dump(mode="json", exclude={"updated_at", "progress"})
    changed = sorted(k for k in held if held[k] != kept.get(k))
    assert not changed, f"asking {asking!r} while {changed} are not saved"


# --- decisions ---------------------------------------------------------------------------------


def test_one_decision_applies_to_several_children_then_differs(
    store: FolderStore, national: Agenda
) -> None:
    m = draft(store)
    s = Script(
        [
            ("which children", ["C1", "C2"]),
            ("outcome", Outcome.s47_joint.value),
            ("rationale", "Disclosure and a bruise; both live in the household."),
            ("medical", "yes"),
            ("why is a medical", "Document the bruise"),
            ("who will carry", "Dr Hartley at 16:00"),
            ("consent is refused", "Seek legal advice"),
            ("parents", "no"),
            ("why are they not told", "Would alert the alleged perpetrator"),
            ("legal advice", "no"),
            ("seen alone", "At school today"),
            ("interpreter", ""),
            ("differ", ["C2"]),
            ("outcome", Outcome.s47_single.value),
            ("rationale", "No injury to Noah; same household."),
            ("medical", "no"),
            ("why is no medical", "No injury or disclosure"),
            ("parents", DEFAULT),
            ("why are they not told", DEFAULT),
            ("legal advice", DEFAULT),
            ("seen alone", "Not applicable, aged 3"),
            ("interpreter", DEFAULT),
        ]
    )
    decisions.record_decision(interview(m, national, store, s))
    s.done()
    saved = store.load(m.id)
    c1, c2 = saved.decisions_for("C1")[0], saved.decisions_for("C2")[0]
    assert c1.outcome == Outcome.s47_joint and c1.medical.needed == YesNo.yes
    assert c1.parents_not_informed_reason == "Would alert the alleged perpetrator"
    assert c2.outcome == Outcome.s47_single and c2.rationale == "No injury to Noah; same household."
    assert c2.medical.needed == YesNo.no and c2.medical.reason == "No injury or disclosure"
    assert c2.parents_informed == YesNo.no  # kept from the shared decision
    assert len(saved.decisions) == 2
    assert [e.event for e in saved.audit].count("decision recorded") == 2


def test_an_empty_rationale_is_saved_and_flagged_live(store: FolderStore, national: Agenda) -> None:
    m = draft(store)
    m.children = m.children[:1]
    store.save(m)
    s = Script(
        [
            ("outcome", Outcome.s17.value),
            ("rationale", "   "),
            ("medical", "not yet decided"),
            ("parents", "yes"),
            ("legal", "no"),
            ("seen alone", ""),
            ("interpreter", ""),
        ]
    )
    decisions.record_decision(interview(m, national, store, s))
    s.done()
    # Nothing the chair says is refused for being incomplete: saved, and flagged by its rule.
    assert store.load(m.id).decisions[0].outcome == Outcome.s17
    assert "! D1: no rationale [decision.rationale]" in s.screen


def test_nfa_needs_police_agreement_where_the_area_says_so(
    store: FolderStore, lancs: Agenda
) -> None:
    m = draft(store)
    m.children = m.children[:1]
    store.save(m)
    s = Script(
        [
            ("outcome", Outcome.nfa.value),
            ("police officer in charge", DEFAULT),  # the police participant is offered
            ("agree to no further action", False),
            ("outcome", Outcome.nfa.value),
            ("police officer in charge", "DI Ravi Kohli"),
            ("agree to no further action", True),
            ("reasons", "Accidental injury explained by the GP record"),
            ("rationale", "Injury explained; no further concerns from any agency."),
            ("medical", "no"),
            ("why is no medical", "GP already examined"),
            ("parents", "yes"),
            ("legal", "no"),
            ("seen alone", ""),
            ("interpreter", ""),
        ]
    )
    decisions.record_decision(interview(m, lancs, store, s))
    s.done()
    assert "no further action cannot be recorded without that agreement" in s.screen
    d = store.load(m.id).decisions[0]
    assert d.outcome == Outcome.nfa
    assert d.police_agreement is not None and d.police_agreement.agreed
    assert d.police_agreement.officer == "DI Ravi Kohli"


def test_police_officer_defaults_to_the_police_participant(
    store: FolderStore, lancs: Agenda
) -> None:
    m = draft(store)
    m.children = m.children[:1]
    store.save(m)
    seen: dict[str, str] = {}

    class Peek(Script):
        def text(
            self, message: str, *, default: str = "", hint: str = "", validate: Any = None
        ) -> str:
            if "officer in charge" in message:
                seen["default"] = default
            return super().text(message, default=default, hint=hint, validate=validate)

    s = Peek(
        [
            ("outcome", Outcome.nfa.value),
            ("officer", DEFAULT),
            ("agree", False),
            ("outcome", KeyboardInterrupt),
        ]
    )
    with pytest.raises(KeyboardInterrupt):
        decisions.record_decision(interview(m, lancs, store, s))
    assert seen["default"] == "DS Priya Lamb"


# --- actions -----------------------------------------------------------------------------------


def test_action_needs_owner_and_due_and_shows_the_resolved_date(
    store: FolderStore, national: Agenda
) -> None:
    m = draft(store)
    s = Script(
        [
            ("owner", "other"),
            ("owner's name", ""),  # refused: an action needs an owner
            ("owner's name", "Kim Duffy"),
            ("agency", "Northshire Housing"),
            ("due", ""),  # refused: an action needs a due time
            ("due", "whenever"),  # refused: not a due time
            ("due", "2 working days"),
            ("due mon 23 nov 2026", False),  # the chair sees the date and corrects it
            ("due", "today 17:00"),
            ("due thu 19 nov 2026 17:00", True),
            ("which children", ["C1"]),
            ("contingency", True),
        ]
    )
    action = actions.add_action(
        interview(m, national, store, s), "Check the housing file for the address"
    )
    s.done()
    assert "An action needs an owner." in s.screen
    assert "An action needs a due time." in s.screen
    saved = store.load(m.id).actions[0]
    assert saved == action
    assert (saved.owner, saved.agency, saved.due_rule) == (
        "Kim Duffy",
        "Northshire Housing",
        "today 17:00",
    )
    assert saved.due == datetime(2026, 11, 19, 17, 0, tzinfo=LONDON)
    assert saved.contingency and saved.child_ids == ["C1"]
    assert store.load(m.id).audit[-1].event == "action added"


def test_action_owner_picked_from_participants(store: FolderStore, national: Agenda) -> None:
    m = draft(store)
    s = Script(
        [("owner", "P2"), ("due", "within 1 hour"), ("due thu 19 nov 2026 11:30", True),
         ("which children", []), ("contingency", False)]
    )  # fmt: skip
    a = actions.add_action(interview(m, national, store, s), "Speak to the alleged perpetrator")
    s.done()
    assert (a.owner, a.owner_participant_id, a.agency) == (
        "DS Priya Lamb",
        "P2",
        "Northshire Police",
    )


# --- walking the agenda --------------------------------------------------------------------


def notes_agenda(national: Agenda) -> Agenda:
    """National agenda cut to attendance + three notes items + decisions + actions."""
    keep = ["introductions", "reason", "criminal_investigation", "legal", "decisions", "actions"]
    return national.model_copy(update={"items": [national.item(k) for k in keep]})


def at_reason(store: FolderStore) -> Meeting:
    """A draft with attendance taken, the walk at the 'reason' item."""
    m = draft(store)
    m.progress.done = ["introductions"]
    m.progress.current = "reason"
    return m


def run_to_ctrl_c(m: Meeting, agenda: Agenda, store: FolderStore, s: Script) -> None:
    """Walk until the script's Ctrl-C, then check every scripted answer was asked for."""
    with pytest.raises(KeyboardInterrupt):
        interview(m, agenda, store, s).run()
    s.done()


def test_skip_back_goto_open_and_long_notes(store: FolderStore, national: Agenda) -> None:
    agenda = notes_agenda(national)
    m = at_reason(store)
    long_note = "First line of the concern.\n\nSecond paragraph,\nwith a third line."
    s = Script(
        [
            ("reason for the discussion", "/skip"),
            ("criminal investigation", "/open"),
            ("criminal investigation", "/back"),
            ("reason for the discussion", long_note),
            ("criminal investigation", "ABE tomorrow\n/goto 4"),  # text kept, jump
            ("legal advice", "None needed"),
            ("criminal investigation", DEFAULT),  # the kept text comes back as default
            ("which children", KeyboardInterrupt),
        ]
    )
    iv = interview(m, agenda, store, s)
    with pytest.raises(KeyboardInterrupt):
        iv.run()
    saved = store.load(m.id)
    assert saved.notes["reason"] == long_note
    assert saved.notes["legal"] == "None needed"
    assert saved.notes["criminal_investigation"] == "ABE tomorrow"
    assert "Skipped: Reason for the discussion" in s.screen
    assert "Still open:" in s.screen and " 2. Reason for the discussion (skipped)" in s.screen
    assert saved.progress.done == ["introductions", "reason", "legal", "criminal_investigation"]
    assert saved.progress.current == "decisions"
    assert "item 2 of 6" in s.screen


def test_goto_bad_number_and_unknown_command(store: FolderStore, national: Agenda) -> None:
    agenda = notes_agenda(national)
    m = at_reason(store)
    s = Script(
        [
            ("reason", "/goto 99"),
            ("reason", "/frobnicate"),
            ("reason", "//not a command"),
            ("criminal", KeyboardInterrupt),
        ]
    )
    with pytest.raises(KeyboardInterrupt):
        interview(m, agenda, store, s).run()
    assert "No such item: items are numbered 1 to" in s.screen
    assert "Unknown command /frobnicate" in s.screen
    assert store.load(m.id).notes["reason"] == "/not a command"


def test_side_commands_return_to_the_same_question(store: FolderStore, national: Agenda) -> None:
    agenda = notes_agenda(national)
    m = at_reason(store)
    s = Script(
        [
            ("reason", "/help"),
            ("reason", "/act"),  # unambiguous start of /action
            ("what exactly", "/decision"),  # not inside another step
            ("what exactly", "/cancel"),
            ("reason", "/info"),
            ("who is sharing", "P3"),
            ("what did dr owen hartley share", "No hospital attendances."),
            ("flag", ["historical"]),
            ("reason", "/disagree"),
            ("what is it about", "Police want NFA"),
            ("raised by", "P2"),
            ("resolved", ""),
            ("escalated", True),
            ("to whom", "Service manager, per the escalation policy"),
            ("reason", "Concern from school"),
            ("criminal", KeyboardInterrupt),
        ]
    )
    run_to_ctrl_c(m, agenda, store, s)
    saved = store.load(m.id)
    assert "/action" in s.screen and "/who" in s.screen  # /help lists the commands
    assert "Finish this step first, or type /cancel" in s.screen
    assert "Action: dropped" in s.screen and saved.actions == []
    assert saved.information[0].by == "Dr Owen Hartley" and saved.information[0].historical
    assert saved.participant("P3") and saved.participant("P3").contributed  # type: ignore[union-attr]
    assert saved.disagreements[0].escalated and saved.disagreements[0].raised_by == "DS Priya Lamb"
    assert saved.notes["reason"] == "Concern from school"


def test_invite_records_who_the_procedure_asked_for_and_the_closing_screen_stops_asking(
    store: FolderStore, national: Agenda
) -> None:
    from strat_cli.model import Concern
    from strat_cli.rulebook import closing_warnings

    agenda = notes_agenda(national)
    m = at_reason(store)
    m.concerns = [Concern.sexual_abuse]
    store.save(m)
    assert any("[invite.not_considered]" in w for w in closing_warnings(m, agenda))
    s = Script(
        [
            ("reason", "/invite"),
            ("who was invited for this", "Dr Aziz, paediatrician"),  # medical possible
            ("who was invited for this", ""),  # sexual abuse: the SARC
            ("why was no one invited", "Disclosure is historic; SARC advice by phone"),
            ("who was invited for this", "Northshire SARC nurse"),  # expertise in that harm
            ("reason", "Concern from school"),
            ("criminal", KeyboardInterrupt),
        ]
    )
    run_to_ctrl_c(m, agenda, store, s)
    saved = store.load(m.id)
    assert {(n.when, n.invited) for n in saved.invites} == {
        ("medical_possible", True),
        ("sexual_abuse", False),
        ("expertise", True),
    }
    assert not any("[invite.not_considered]" in w for w in closing_warnings(saved, agenda))


def test_inform_records_each_person_with_parental_responsibility(
    store: FolderStore, national: Agenda
) -> None:
    from strat_cli.model import Adult, Informing

    agenda = notes_agenda(national)
    m = at_reason(store)
    m.adults = [
        Adult(id="AD1", name="Kerry Marsh", parental_responsibility=True),
        Adult(
            id="AD2",
            name="Lee Marsh",
            relationship="father, lives away",
            parental_responsibility=True,
        ),
        Adult(id="AD3", name="Jason Pryor"),  # no PR: not asked
    ]
    store.save(m)
    s = Script(
        [
            ("reason", "/inform"),
            ("kerry marsh: told", Informing.told.value),
            ("when", "15:00"),
            ("by whom", "Sam Whitlow"),
            ("lee marsh: told", Informing.later.value),
            ("when", ""),
            ("by whom", ""),
            ("why", ""),  # saved, and flagged
            ("reason", "Concern from school"),
            ("criminal", KeyboardInterrupt),
        ]
    )
    run_to_ctrl_c(m, agenda, store, s)
    kerry, lee, jason = store.load(m.id).adults
    assert kerry.informed == Informing.told and kerry.informed_by == "Sam Whitlow"
    assert kerry.informed_at is not None and kerry.informed_at.hour == 15
    assert lee.informed == Informing.later and jason.informed == Informing.undecided
    from strat_cli.rulebook import findings

    gaps = {(g.code, g.where) for g in findings(store.load(m.id), agenda)}
    assert ("parents.each", "adults.AD2.informed") in gaps
    assert ("parents.each", "adults.AD1.informed") not in gaps


def test_late_joiner_and_early_leaver(store: FolderStore, national: Agenda) -> None:
    m = draft(store)
    s = Script(
        [
            ("add or update who", "new"),
            ("name", "Jo Castell"),
            ("how are they taking part", "phone/video"),
            ("joined at", "10:25"),
            ("job role", "Health Visitor"),
            ("agency", "Northshire Community Health"),
            ("kind of agency", DEFAULT),  # guessed from the agency: health
            ("email", ""),
        ]
    )
    iv = interview(m, national, store, s)
    attendance.who(iv)
    s.done()
    s.steps = [("add or update who", "P2"), ("ds priya lamb", "left"), ("left at", "10:40")]
    attendance.who(iv)
    s.done()
    saved = store.load(m.id)
    jo = saved.participants[-1]
    assert (jo.name, jo.agency_kind, jo.attendance) == (
        "Jo Castell",
        AgencyKind.health,
        Attendance.remote,
    )
    assert jo.joined_at == datetime(2026, 11, 19, 10, 25, tzinfo=LONDON)
    assert saved.participant("P2").left_at == datetime(2026, 11, 19, 10, 40, tzinfo=LONDON)  # type: ignore[union-attr]
    assert "Nobody from police (a statutory partner) remains" in s.screen
    events = [e.event for e in saved.audit]
    assert "participant added" in events and "participant left" in events


def test_attendance_names_missing_partner_and_records_the_reason(
    store: FolderStore, national: Agenda
) -> None:
    m = draft(store, present=False)
    s = Script(
        [
            ("dana okafor", "phone/video"),
            ("ds priya lamb", "apologies"),
            ("reason for ds priya lamb", "In court"),
            ("owen hartley", DEFAULT),
            ("leah brennan", "in person"),
            ("anyone else", ""),
            ("without police", "escalate"),
            ("why is police not taking part", "In court; view given by phone before the call"),
            ("escalated to whom", "DI on duty, CAIU"),
        ]
    )
    attendance.step_attendance(interview(m, national, store, s), national.items[0])
    s.done()
    assert "Statutory partner missing: police" in s.screen
    saved = store.load(m.id)
    assert saved.progress.attendance_taken
    gap = saved.partner_gaps[0]
    assert (gap.agency_kind, gap.escalated, gap.proceeded) == (AgencyKind.police, True, True)
    assert gap.escalation == "DI on duty, CAIU"
    assert saved.participant("P3").attendance == Attendance.remote  # type: ignore[union-attr]


def test_missing_partner_can_stop_the_meeting_as_a_draft(
    store: FolderStore, national: Agenda
) -> None:
    m = draft(store, present=False)
    s = Script(
        [
            ("dana okafor", DEFAULT),
            ("ds priya lamb", DEFAULT),
            ("owen hartley", "did not attend"),
            ("leah brennan", DEFAULT),
            ("anyone else", ""),
            ("without health", "stop"),
            ("why is health not", "No answer from the named doctor"),
        ]
    )
    assert interview(m, national, store, s).run() == "paused"
    saved = store.load(m.id)
    assert saved.status == Status.draft and not saved.progress.attendance_taken
    assert saved.partner_gaps[0].proceeded is False


def test_ending_shows_the_closing_screen_and_deadlines(
    store: FolderStore, national: Agenda
) -> None:
    agenda = notes_agenda(national)
    m = draft(store)
    m.progress.done = [i.key for i in agenda.items]
    s = Script([("end the meeting", "end"), ("end time", "11:05")])
    assert interview(m, agenda, store, s).run() == "ended"
    saved = store.load(m.id)
    assert saved.status == Status.ended
    assert saved.ended_at == datetime(2026, 11, 19, 11, 5, tzinfo=LONDON)
    assert "C1: no decision recorded for this child [decision.missing]" in s.screen
    assert "Action summary due   Thu 19 Nov 2026 12:05" in s.screen
    assert "Circulate record by" in s.screen
    assert saved.audit[-1].event == "ended"


def test_ctrl_c_keeps_every_earlier_answer(store: FolderStore, national: Agenda) -> None:
    agenda = notes_agenda(national)
    m = at_reason(store)
    s = Script([("reason", "Disclosure at school"), ("criminal", KeyboardInterrupt)])
    with pytest.raises(KeyboardInterrupt):
        interview(m, agenda, store, s).run()
    saved = store.load(m.id)
    assert saved.notes["reason"] == "Disclosure at school"
    assert saved.progress.current == "criminal_investigation"


def test_eof_becomes_a_clear_message(store: FolderStore, national: Agenda) -> None:
    from strat_cli.interview import InputClosed, run_interview

    m = draft(store)
    m.progress.current = "reason"

    class Closed(Script):
        def multiline(self, message: str, *, default: str = "", hint: str = "") -> str:
            raise EOFError

    with pytest.raises(InputClosed, match="strat resume SD-2026-0007"):
        run_interview(interview(m, national, store, Closed([])))


def test_commands_and_clock_parsing() -> None:
    assert find_command("dec") is not None and find_command("dec").name == "decision"  # type: ignore[union-attr]
    assert find_command("d").name == "decision"  # type: ignore[union-attr]
    assert find_command("zz") is None
    day = NOW.date()
    assert parse_clock("2pm", day).hour == 14
    assert parse_clock("10.05", day).minute == 5
    assert parse_clock("20/11/2026 09:00", day).day == 20


PREPARATION: list[tuple[str, Any]] = [
    ("reason for the discussion", ""),  # refused: required
    ("reason for the discussion", "Bruise seen at school"),
    ("referred by", "Elmfield Primary School"),
    ("what is the concern about", ["physical injury"]),
    ("chair", DEFAULT),  # the user from settings
    ("minute taker", "Tom Aske"),
    ("format", "phone"),
    ("Dana Okafor (chair): email", "okafor@socialcare.northshire.example"),
    ("Tom Aske (minute taker): email", ""),
    ("child's name", "Ellie Marsh"),
    ("date of birth", "14/03/2019"),
    ("school", "Elmfield Primary"),
    ("changes who to invite", ["in_hospital"]),
    ("child's name", ""),
    ("adult", "Jason Pryor"),
    ("relationship", "mother's partner"),
    ("tick what applies", ["household", "alleged", "staff"]),
    ("adult", ""),
    ("invitee's name", "DS Priya Lamb"),
    ("job role", "Detective Sergeant"),
    ("agency", "Northshire Police"),
    ("kind of agency", DEFAULT),
    ("email", "lamb@police.northshire.example"),
    ("invitee's name", ""),
    ("who was invited for this", ""),  # the child in hospital: no one yet
    ("why was no one invited", "The ward consultant sends a report instead"),
    ("who was invited for this", "Dr Owen Hartley"),  # an injury: a medical possible
    ("start the discussion now", False),
]


def test_prepare_by_prompts_then_stop_before_the_call(store: FolderStore, national: Agenda) -> None:
    from strat_cli.interview import run_interview

    m = Meeting(id="SD-2026-0008", agenda="national", started_at=NOW)
    store.save(m)
    s = Script(PREPARATION)
    assert run_interview(interview(m, national, store, s), prepare=True) == "paused"
    s.done()
    assert "Invite: The consultant responsible for the child's care" in s.screen
    assert "The procedure asks, when the child is in hospital: The consultant" in s.screen
    saved = store.load(m.id)
    assert saved.concerns == ["physical injury"]
    [note] = [n for n in saved.invites if n.when == "child_in_hospital"]
    assert (note.when, note.invited) == ("child_in_hospital", False)
    assert note.reason == "The ward consultant sends a report instead"
    saved = store.load(m.id)
    assert saved.reason == "Bruise seen at school" and saved.chair == "Dana Okafor"
    assert saved.children[0].in_hospital and str(saved.children[0].date_of_birth) == "2019-03-14"
    assert saved.adults[0].alleged_perpetrator and saved.adults[0].risk_to_staff
    chair, minutes, p = saved.participants
    assert chair.is_chair and chair.email == "okafor@socialcare.northshire.example"
    assert minutes.is_minute_taker and chair.agency_kind == AgencyKind.social_care
    assert (p.agency_kind, p.attendance) == (AgencyKind.police, Attendance.invited)


def test_every_answer_is_on_disk_before_the_next_question_is_asked(
    store: FolderStore, national: Agenda
) -> None:
    """A kill at any prompt loses nothing typed: each time a question is asked, the record on
    disk holds every answer given so far (`unsaved`, checked by every scripted interview)."""
    from strat_cli.interview import run_interview

    m = Meeting(id="SD-2026-0009", agenda="national", started_at=NOW)
    store.save(m)
    checked: list[str] = []

    class Counting(Script):
        def _answer(self, kind: str, message: str, default: Any) -> Any:
            answer = super()._answer(kind, message, default)  # `unsaved` checks first
            checked.append(message)
            return answer

    s = Counting(PREPARATION)
    run_interview(interview(m, national, store, s), prepare=True)
    assert len(checked) == len(PREPARATION)
    m.referrer = "typed, not saved"
    with pytest.raises(AssertionError, match=r"\['referrer'\] are not saved"):
        unsaved(s.watching, "the next question")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("agency", "kind"),
    [
        ("Little Oaks Nursery", AgencyKind.education),
        ("Royal Northshire Hospital School", AgencyKind.education),
        ("Northshire NHS Trust", AgencyKind.health),
        ("Elm Street GP surgery", AgencyKind.health),
        ("Northshire Housing Group", AgencyKind.housing),
        ("Northshire Police", AgencyKind.police),
    ],
)
def test_agency_kind_is_guessed_from_whole_words(agency: str, kind: AgencyKind) -> None:
    from strat_cli.rules import guess_kind

    assert guess_kind(agency) == kind


def test_no_child_ticked_leaves_decisions_open(store: FolderStore, national: Agenda) -> None:
    agenda = notes_agenda(national)
    m = draft(store)
    m.progress.done = ["introductions", "reason", "criminal_investigation", "legal"]
    m.progress.current = "decisions"
    s = Script([("which children", []), ("action: what", KeyboardInterrupt)])
    with pytest.raises(KeyboardInterrupt):
        interview(m, agenda, store, s).run()
    assert "decisions stay open" in s.screen
    assert store.load(m.id).progress.skipped == ["decisions"]


def test_a_follow_up_reviews_each_earlier_open_action_then_walks_on(
    store: FolderStore, national: Agenda
) -> None:
    """Done, carried with a new due time, cancelled with a reason: both records say so."""
    from strat_cli.followup import start_follow_up
    from strat_cli.model import ActionStatus, ReviewOutcome
    from strat_cli.samples import typical

    earlier = typical()
    for a in earlier.actions[3:]:
        a.status = ActionStatus.done  # only A1-A3 still open
    store.save(earlier)
    later = start_follow_up(earlier, "SD-2026-0008", NOW)
    for p in later.participants:
        p.attendance = Attendance.remote
    later.progress.attendance_taken = True
    later.progress.done = ["introductions"]
    later.progress.current = "reason"
    store.save(later)
    script = Script(
        [
            ("What happened", ReviewOutcome.done.value),
            ("What was done", "Seen alone at school"),
            ("What happened", ReviewOutcome.carried.value),
            ("New due time", "2 working days"),
            ("right?", True),
            ("What happened", ReviewOutcome.cancelled.value),
            ("Why is it cancelled", ""),  # refused: a reason is required
            ("Why is it cancelled", "Interview no longer needed"),
            ("Reason for the discussion", KeyboardInterrupt),
        ]
    )
    interview = Interview(later, national, store, script, clock=lambda: NOW)
    with pytest.raises(KeyboardInterrupt):
        interview.run()
    script.done()
    assert "Review of earlier actions: 3 still open" in script.screen
    before = store.load("SD-2026-0001")
    assert [before.action(i).status for i in ("A1", "A2", "A3")] == [  # type: ignore[union-attr]
        ActionStatus.done,
        ActionStatus.carried,
        ActionStatus.cancelled,
    ]
    after = store.load("SD-2026-0008")
    assert [r.ref for r in after.reviewed_actions] == [
        "SD-2026-0001:A1",
        "SD-2026-0001:A2",
        "SD-2026-0001:A3",
    ]
    assert after.actions[0].carried_from == "SD-2026-0001:A2"
    assert after.actions[0].due == datetime(2026, 11, 23, 17, 0, tzinfo=LONDON)
    assert after.s47_started_at == earlier.started_at  # the ICPC clock follows the case


def test_edit_with_no_usable_editor_says_so_and_asks_again(
    store: FolderStore, national: Agenda, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "no-such-editor-here")
    agenda = notes_agenda(national)
    m = at_reason(store)
    s = Script(
        [
            ("reason for the discussion", "/edit"),
            ("reason for the discussion", "Typed here instead."),
            ("criminal investigation", KeyboardInterrupt),
        ]
    )
    run_to_ctrl_c(m, agenda, store, s)
    assert "cannot start the editor 'no-such-editor-here'" in s.screen
    assert store.load(m.id).notes["reason"] == "Typed here instead."


# --- what a crash, a closed terminal or a busy record must not lose ------------------------


def test_notes_typed_above_a_side_command_survive_ctrl_c_inside_it(
    store: FolderStore, national: Agenda
) -> None:
    agenda = notes_agenda(national)
    m = at_reason(store)
    s = Script(
        [
            ("reason for the discussion", "Dad left at 9pm.\nNeighbour heard shouting.\n/action"),
            ("what exactly", "Speak to the neighbour"),
            ("owner", KeyboardInterrupt),
        ]
    )
    run_to_ctrl_c(m, agenda, store, s)
    assert store.load(m.id).notes["reason"] == "Dad left at 9pm.\nNeighbour heard shouting."


def test_notes_above_a_side_command_come_back_after_it(
    store: FolderStore, national: Agenda
) -> None:
    agenda = notes_agenda(national)
    m = at_reason(store)
    s = Script(
        [
            ("reason for the discussion", "Dad left at 9pm.\n/open"),
            ("reason for the discussion", DEFAULT),  # the kept text is offered again
            ("criminal", KeyboardInterrupt),
        ]
    )
    run_to_ctrl_c(m, agenda, store, s)
    assert store.load(m.id).notes["reason"] == "Dad left at 9pm."


def follow_up_draft(store: FolderStore) -> Meeting:
    """SD-2026-0008, a follow-up to the typical SD-2026-0001 with its A1-A3 still open."""
    from strat_cli.followup import start_follow_up
    from strat_cli.model import ActionStatus
    from strat_cli.samples import typical

    earlier = typical()
    for a in earlier.actions[3:]:
        a.status = ActionStatus.done
    store.save(earlier)
    later = start_follow_up(earlier, "SD-2026-0008", NOW)
    for p in later.participants:
        p.attendance = Attendance.remote
    later.progress.attendance_taken = True
    later.progress.done = ["introductions"]
    later.progress.current = "reason"
    store.save(later)
    return later


def test_an_earlier_meeting_that_cannot_be_read_is_named_and_skipped(
    store: FolderStore, national: Agenda
) -> None:
    m = draft(store)
    m.previous = ["SD-2026-0099"]  # a wrong reference: no such meeting
    m.progress.done = ["introductions"]
    m.progress.current = "reason"
    store.save(m)
    s = Script(
        [("reason for the discussion", "Concern from school"), ("criminal", KeyboardInterrupt)]
    )
    with pytest.raises(KeyboardInterrupt):
        interview(m, notes_agenda(national), store, s).run()
    s.done()
    assert any("SD-2026-0099" in line and "\n" not in line.strip() for line in s.said)
    assert store.load(m.id).notes["reason"] == "Concern from school"


def test_a_crash_between_the_two_saves_of_a_review_is_completed_on_resume(
    store: FolderStore, national: Agenda, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review is in the new meeting, the earlier action still open: resume finishes it,
    without asking again and without a second carried copy."""
    from strat_cli.model import ActionStatus, ReviewOutcome

    later = follow_up_draft(store)
    real_save = store.save
    saves = {"earlier": 0}

    def save(meeting: Meeting, **kw: Any) -> Any:
        if meeting.id == "SD-2026-0001":
            saves["earlier"] += 1
            if saves["earlier"] == 2:  # the review of A2: killed before the earlier is written
                raise RuntimeError("killed")
        return real_save(meeting, **kw)

    monkeypatch.setattr(store, "save", save)
    s = Script(
        [
            ("What happened", ReviewOutcome.done.value),
            ("What was done", "Seen alone at school"),
            ("What happened", ReviewOutcome.carried.value),
            ("New due time", "2 working days"),
            ("right?", True),
        ]
    )
    with pytest.raises(RuntimeError, match="killed"):
        Interview(later, national, store, s, clock=lambda: NOW).run()
    s.done()
    half = store.load("SD-2026-0001")
    assert half.action("A2").status == ActionStatus.open  # type: ignore[union-attr]
    assert [r.ref for r in store.load("SD-2026-0008").reviewed_actions][-1] == "SD-2026-0001:A2"

    s = Script(  # resume: only A3 is asked about
        [
            ("What happened", ReviewOutcome.cancelled.value),
            ("Why is it cancelled", "Interview no longer needed"),
            ("Reason for the discussion", KeyboardInterrupt),
        ]
    )
    with pytest.raises(KeyboardInterrupt):
        Interview(store.load("SD-2026-0008"), national, store, s, clock=lambda: NOW).run()
    s.done()
    before = store.load("SD-2026-0001")
    assert [before.action(i).status for i in ("A1", "A2", "A3")] == [  # type: ignore[union-attr]
        ActionStatus.done,
        ActionStatus.carried,
        ActionStatus.cancelled,
    ]
    assert before.action("A2").completion_note == "Carried to SD-2026-0008:A1"  # type: ignore[union-attr]
    after = store.load("SD-2026-0008")
    assert [a.carried_from for a in after.actions] == ["SD-2026-0001:A2"]  # one copy only
    assert len(after.reviewed_actions) == 3


@pytest.mark.folder_only(reason="the folder store's file locks (the server's leases: test_pgstore)")
def test_an_earlier_meeting_open_elsewhere_does_not_end_the_review(
    store: FolderStore, national: Agenda
) -> None:
    from strat_cli.model import ActionStatus, ReviewOutcome

    later = follow_up_draft(store)
    s = Script(
        [
            ("What happened", ReviewOutcome.done.value),
            ("What was done", "Seen alone at school"),
            ("What happened", ReviewOutcome.carried.value),
            ("New due time", "2 working days"),
            ("right?", True),
            ("What happened", ReviewOutcome.cancelled.value),
            ("Why is it cancelled", "Interview no longer needed"),
            ("Reason for the discussion", KeyboardInterrupt),
        ]
    )
    other = FolderStore(store.root)  # another strat process (`strat email`, say) has it open
    with other.hold("SD-2026-0001"), pytest.raises(KeyboardInterrupt):
        Interview(later, national, store, s, clock=lambda: NOW).run()
    s.done()
    assert "SD-2026-0001: open in another strat process" in s.screen
    assert store.load("SD-2026-0001").action("A1").status == ActionStatus.open  # type: ignore[union-attr]
    assert len(store.load("SD-2026-0008").reviewed_actions) == 3

    s = Script([("Reason for the discussion", KeyboardInterrupt)])  # resume, nothing asked
    with pytest.raises(KeyboardInterrupt):
        Interview(store.load("SD-2026-0008"), national, store, s, clock=lambda: NOW).run()
    s.done()
    before = store.load("SD-2026-0001")
    assert [before.action(i).status for i in ("A1", "A2", "A3")] == [  # type: ignore[union-attr]
        ActionStatus.done,
        ActionStatus.carried,
        ActionStatus.cancelled,
    ]
    assert before.action("A1").completion_note == "Seen alone at school"  # type: ignore[union-attr]
    assert before.action("A3").completion_note == "Interview no longer needed"  # type: ignore[union-attr]
    assert len(store.load("SD-2026-0008").actions) == 1


def test_ending_again_after_reopening_offers_the_first_end_time(
    store: FolderStore, national: Agenda
) -> None:
    agenda = notes_agenda(national)
    m = draft(store)
    m.progress.done = [i.key for i in agenda.items]
    m.ended_at = datetime(2026, 11, 19, 11, 5, tzinfo=LONDON)  # reopened: still a draft
    store.save(m)
    s = Script([("end the meeting", "end"), ("end time", DEFAULT)])
    assert interview(m, agenda, store, s).run() == "ended"
    s.done()
    assert store.load(m.id).ended_at == datetime(2026, 11, 19, 11, 5, tzinfo=LONDON)


def test_ending_a_day_later_keeps_the_first_end_date(store: FolderStore, national: Agenda) -> None:
    agenda = notes_agenda(national)
    m = draft(store)
    m.progress.done = [i.key for i in agenda.items]
    m.ended_at = datetime(2026, 11, 19, 11, 5, tzinfo=LONDON)
    store.save(m)
    seen: dict[str, str] = {}

    class Peek(Script):
        def text(
            self, message: str, *, default: str = "", hint: str = "", validate: Any = None
        ) -> str:
            seen[message] = default
            return super().text(message, default=default, hint=hint, validate=validate)

    s = Peek([("end the meeting", "end"), ("end time", DEFAULT)])
    tomorrow = datetime(2026, 11, 20, 9, 0, tzinfo=LONDON)
    iv = Interview(m, agenda, store, s, user="Dana Okafor", clock=lambda: tomorrow)
    assert iv.run() == "ended"
    assert "19/11/2026 11:05" in seen.values()
    assert store.load(m.id).ended_at == datetime(2026, 11, 19, 11, 5, tzinfo=LONDON)
