"""The live meeting through the prompt seam, in-process: a scripted `Prompts` answers each
question, checking it was the question expected, and the store is read back after."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest

from strat_cli import questions
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


class Killed(BaseException):
    """kill -9 at a prompt: nothing after it runs (no handler saves, no `finally` helps)."""


class Script:
    """A fake `Prompts`: each question must contain the expected words; answers in order. An
    answer that is an exception class (KeyboardInterrupt, Killed) is raised at that question.

    Every text typed must also be on disk, word for word, when the next question is asked
    (`kept`): an answer held only in a variable fails it. `not_kept` names the texts a test
    types that are not kept as typed (refused, dropped by /cancel, or kept as a date)."""

    def __init__(self, steps: Sequence[tuple[str, Any]], *, not_kept: Sequence[str] = ()) -> None:
        self.steps = list(steps)
        self.toolbar = ""
        self.said: list[str] = []
        self.asked: list[str] = []
        self.typed: list[str] = []
        self.not_kept = set(not_kept)

    watching: Interview | None = None  # set by `interview()`: every answer must be saved first

    def _answer(self, kind: str, message: str, default: Any) -> Any:
        self.asked.append(message)
        if self.watching is not None:
            unsaved(self.watching, message)
            kept(self.watching, self.typed, message)
        if not self.steps:
            raise AssertionError(f"unscripted {kind}: {message!r}")
        expect, answer = self.steps.pop(0)
        assert expect.lower() in message.lower(), f"expected {expect!r}, asked {message!r}"
        if isinstance(answer, type) and issubclass(answer, BaseException):
            raise answer
        return default if answer is DEFAULT else answer

    def text(self, message: str, *, default: str = "", hint: str = "", validate: Any = None) -> str:
        typed = str(self._answer("text", message, default))
        if typed.strip() and not typed.startswith("/") and typed not in self.not_kept:
            self.typed.append(typed.strip())
        return typed

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
    loses nothing typed (only where the chair is in the agenda may lag a question behind; an
    action or a decision not yet whole, `progress.pending`, may not)."""
    lag: dict[str, Any] = {
        "updated_at": True,
        "progress": {"current", "done", "skipped", "attendance_taken"},
    }
    kept = iv.store.load(iv.m.id).model_dump(mode="json", exclude=lag)
    held = iv.m.model_dump(mode="json", exclude=lag)
    changed = sorted(k for k in held if held[k] != kept.get(k))
    assert not changed, f"asking {asking!r} while {changed} are not saved"


def kept(iv: Interview, typed: Sequence[str], asking: str) -> None:
    """Every text typed so far is in the record on disk (its interview progress included), so
    none is held only in a variable of the step asking the next question."""
    on_disk = json.dumps(iv.store.load(iv.m.id).model_dump(mode="json"), ensure_ascii=False)
    missing = [
        n
        for n, text in enumerate(typed)
        if json.dumps(text, ensure_ascii=False)[1:-1] not in on_disk
    ]
    assert not missing, (
        f"asking {asking!r} while typed answers {missing} are not on disk {[typed[n] for n in missing]}"
    )


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
            ("why is a medical", "No injury or disclosure"),
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
            ("why is a medical", "GP already examined"),
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
        ],
        not_kept=["whenever", "2 working days"],  # refused, and corrected by the chair
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


def test_an_owner_kept_with_a_control_character_is_picked_without_a_crash(
    store: FolderStore, national: Agenda
) -> None:
    """A participant kept before the text checks: the action's copy of the name is cleaned."""
    m = draft(store)
    m.participants[1].name = "DS Priya\x1b[2J Lamb"
    m.participants[1].agency = "Northshire\x07 Police"
    s = Script(
        [("owner", "P2"), ("due", "within 1 hour"), ("due thu 19 nov 2026 11:30", True),
         ("which children", []), ("contingency", False)]
    )  # fmt: skip
    a = actions.add_action(interview(m, national, store, s), "Speak to the alleged perpetrator")
    s.done()
    assert (a.owner, a.agency) == ("DS Priya[2J Lamb", "Northshire Police")
    assert store.load(m.id).actions[-1].owner == "DS Priya[2J Lamb"


def test_a_free_text_field_asked_on_one_line_takes_a_tab_as_its_file_would(
    store: FolderStore, national: Agenda
) -> None:
    """The field decides what an answer may hold, live as from a file: a reason is free text
    (a tab is kept), a relationship is one line (a tab is refused and asked again)."""
    m = draft(store)
    s = Script(
        [("why was no one invited", "On leave\tback Monday"),
         ("relationship", "Mother\tbirth"), ("relationship", "Mother")],
        not_kept=["On leave\tback Monday", "Mother\tbirth"],
    )  # fmt: skip
    iv = interview(m, national, store, s)
    assert iv.answer(questions.NOT_INVITED) == "On leave\tback Monday"
    assert iv.answer(questions.RELATIONSHIP, who="Kim") == "Mother"
    s.done()
    assert any("must be one line" in said for said in s.said)


# --- an action or a decision given part by part -----------------------------------------------


def only(agenda: Agenda, *keys: str) -> Agenda:
    """The agenda cut to these items, the walk at the first."""
    return agenda.model_copy(update={"items": [agenda.item(k) for k in keys]})


def walk_at(store: FolderStore, key: str, *, children: int = 2) -> Meeting:
    m = draft(store)
    m.children = m.children[:children]
    m.progress.current = key
    store.save(m)
    return m


def resume(store: FolderStore, meeting_id: str, agenda: Agenda, s: Script) -> None:
    """`strat resume` after a kill: a fresh load from the store (nothing held in memory
    survives), walked until the script stops it."""
    with pytest.raises((KeyboardInterrupt, Killed)):
        interview(store.load(meeting_id), agenda, store, s).run()
    s.done()


ACTION = [
    ("what exactly", "Check the housing file for the address"),
    ("owner", "other"),
    ("owner's name", "Kim Duffy"),
    ("agency", "Northshire Housing"),
    ("due", "today 17:00"),
]


@pytest.mark.parametrize("stop", [KeyboardInterrupt, Killed], ids=["ctrl-c", "kill"])
@pytest.mark.parametrize("given", [1, 3, 4], ids=["after-what", "after-owner", "after-agency"])
def test_an_action_stopped_part_way_is_carried_on_at_resume_with_nothing_lost(
    store: FolderStore, national: Agenda, stop: type[BaseException], given: int
) -> None:
    agenda = only(national, "actions")
    m = walk_at(store, "actions")
    s = Script([*ACTION[:given], (ACTION[given][0], stop)])
    with pytest.raises(stop):
        interview(m, agenda, store, s).run()
    s.done()
    [entry] = store.load(m.id).progress.pending
    assert (entry.kind, entry.what) == ("action", "Check the housing file for the address")
    assert entry.owner == ("Kim Duffy" if given >= 3 else "")

    # each answer given is offered again (Enter keeps it); the what is not asked again
    again = [
        ("owner", DEFAULT if given >= 3 else "other"),
        ("owner's name", DEFAULT if given >= 3 else "Kim Duffy"),
        ("agency", DEFAULT if given >= 4 else "Northshire Housing"),
        ("due", "today 17:00"),
        ("due thu 19 nov 2026 17:00", True),
        ("which children", []),
        ("contingency", False),
        ("what exactly", stop),  # the next action: the carried one is done
    ]
    s = Script(again)
    resume(store, m.id, agenda, s)
    assert (
        "An action was being given when the walk stopped: Check the housing file for the "
        "address. Carrying it on" in s.screen
    )
    saved = store.load(m.id)
    [a] = saved.actions
    assert (a.what, a.owner, a.agency, a.due_rule) == (
        "Check the housing file for the address",
        "Kim Duffy",
        "Northshire Housing",
        "today 17:00",
    )
    assert saved.progress.pending == []
    assert [e.event for e in saved.audit].count("action added") == 1


def test_an_unconfirmed_due_time_is_kept_and_offered_again(
    store: FolderStore, national: Agenda
) -> None:
    agenda = only(national, "actions")
    m = walk_at(store, "actions")
    s = Script([*ACTION, ("due thu 19 nov 2026 17:00", Killed)])
    with pytest.raises(Killed):
        interview(m, agenda, store, s).run()
    assert store.load(m.id).progress.pending[0].due_rule == "today 17:00"
    s = Script(
        [("owner", DEFAULT), ("owner's name", DEFAULT), ("agency", DEFAULT), ("due", DEFAULT),
         ("due thu 19 nov 2026 17:00", True), ("which children", []), ("contingency", False),
         ("what exactly", Killed)]
    )  # fmt: skip
    resume(store, m.id, agenda, s)
    assert store.load(m.id).actions[0].due_rule == "today 17:00"


def test_an_action_left_by_skip_is_carried_on_when_the_chair_walks_back(
    store: FolderStore, national: Agenda
) -> None:
    agenda = only(national, "actions", "reason")
    m = walk_at(store, "actions")
    s = Script(
        [
            ("what exactly", "Visit the home with the police"),
            ("owner", "P2"),
            ("due", "/skip"),  # leaves the item; the action's answers stay
            ("reason", "/goto 1"),
            ("owner", DEFAULT),
            ("due", "tomorrow 12:00"),
            ("due fri 20 nov 2026 12:00", True),
            ("which children", []),
            ("contingency", False),
            ("what exactly", KeyboardInterrupt),
        ],
    )
    run_to_ctrl_c(m, agenda, store, s)
    saved = store.load(m.id)
    assert [(a.what, a.owner_participant_id) for a in saved.actions] == [
        ("Visit the home with the police", "P2")
    ]
    assert saved.progress.pending == []


def test_cancel_drops_an_action_being_given(store: FolderStore, national: Agenda) -> None:
    agenda = notes_agenda(national)
    m = at_reason(store)
    s = Script(
        [
            ("reason", "/action"),
            ("what exactly", "Ask the GP for records"),
            ("owner", "other"),
            ("owner's name", "/cancel"),
            ("reason", KeyboardInterrupt),
        ],
        not_kept=["Ask the GP for records"],  # dropped by /cancel
    )
    run_to_ctrl_c(m, agenda, store, s)
    saved = store.load(m.id)
    assert saved.progress.pending == [] and saved.actions == []
    assert "Action: dropped" in s.screen


def test_cancel_drops_an_action_carried_on_at_resume(store: FolderStore, national: Agenda) -> None:
    agenda = only(national, "actions")
    m = walk_at(store, "actions")
    run_to_ctrl_c(m, agenda, store, Script([ACTION[0], ("owner", KeyboardInterrupt)]))
    s = Script([("owner", "other"), ("owner's name", "/cancel"), ("what exactly", Killed)])
    resume(store, m.id, agenda, s)
    saved = store.load(m.id)
    assert saved.progress.pending == [] and saved.actions == []
    assert "Action: dropped" in s.screen


DECIDED = [
    ("medical", "no"),
    ("why is a medical", "No injury"),
    ("parents", "yes"),
    ("legal", "no"),
    ("seen alone", ""),
    ("interpreter", ""),
]


@pytest.mark.parametrize("stop", [KeyboardInterrupt, Killed], ids=["ctrl-c", "kill"])
def test_a_decision_stopped_after_its_outcome_is_carried_on_at_resume(
    store: FolderStore, national: Agenda, stop: type[BaseException]
) -> None:
    agenda = only(national, "decisions")
    m = walk_at(store, "decisions")
    s = Script(
        [("which children", ["C1", "C2"]), ("outcome", Outcome.s17.value), ("rationale", stop)],
    )
    with pytest.raises(stop):
        interview(m, agenda, store, s).run()
    [entry] = store.load(m.id).progress.pending
    assert (entry.kind, entry.child_ids, entry.outcome) == ("decision", ["C1", "C2"], Outcome.s17)

    s = Script(
        [
            ("outcome", DEFAULT),  # the children are kept, not asked; the outcome is offered
            ("rationale", "Neglect of both children; an assessment is needed"),
            *DECIDED,
            ("differ", []),
            ("decisions", stop),  # both children decided: the step's own menu
        ],
    )
    resume(store, m.id, agenda, s)
    assert "A decision was being given when the walk stopped" in s.screen
    saved = store.load(m.id)
    assert [(d.child_id, d.outcome) for d in saved.decisions] == [
        ("C1", Outcome.s17),
        ("C2", Outcome.s17),
    ]
    assert saved.progress.pending == []


@pytest.mark.parametrize("given", [2, 3, 4], ids=["after-officer", "after-agreeing", "after-note"])
def test_a_police_agreement_being_given_is_carried_on_at_resume(
    store: FolderStore, lancs: Agenda, given: int
) -> None:
    agenda = only(lancs, "decisions")
    m = walk_at(store, "decisions", children=1)
    first = [
        ("outcome", Outcome.nfa.value),
        ("police officer in charge", "DI Ravi Kohli"),
        ("agree to no further action", True),
        ("reasons", "GP record explains the injury"),
        ("rationale", "Injury explained"),
    ]
    s = Script([*first[:given], (first[given][0], Killed)])
    with pytest.raises(Killed):
        interview(m, agenda, store, s).run()
    s = Script(
        [
            ("outcome", DEFAULT),
            ("police officer in charge", DEFAULT),
            ("agree to no further action", DEFAULT if given >= 3 else True),
            ("reasons", DEFAULT if given >= 4 else "GP record explains the injury"),
            ("rationale", "Injury explained"),
            *DECIDED,
            ("decisions", Killed),
        ],
    )
    resume(store, m.id, agenda, s)
    [d] = store.load(m.id).decisions
    assert d.outcome == Outcome.nfa and d.police_agreement is not None
    assert (d.police_agreement.officer, d.police_agreement.agreed, d.police_agreement.note) == (
        "DI Ravi Kohli",
        True,
        "GP record explains the injury",
    )


def test_check_flags_an_entry_left_part_given_and_authorising_is_refused(
    store: FolderStore, national: Agenda
) -> None:
    from strat_cli.check import check_meeting
    from strat_cli.errors import StratError
    from strat_cli.oversight import authorise

    agenda = only(national, "actions")
    m = walk_at(store, "actions")
    run_to_ctrl_c(m, agenda, store, Script([*ACTION[:2], ("owner's name", KeyboardInterrupt)]))
    kept = store.load(m.id)
    kept.status = Status.ended  # even once ended, it is not a whole record
    report = check_meeting(kept, agenda, now=NOW)
    [gap] = [g for g in report.gaps if g.code == "entry.unfinished"]
    assert gap.severity == "error" and gap.where == "progress.pending.0"
    assert gap.message == (
        "an action was being recorded when the walk stopped and is not finished: finish it "
        "with strat resume SD-2026-0007"
    )  # the record's own words are not repeated
    with pytest.raises(StratError, match=r"progress\.pending\.0"):
        authorise(kept, report, by="Ann Manager", role="Team manager", now=NOW)


def test_the_check_that_typed_answers_are_on_disk_catches_one_held_in_a_variable(
    store: FolderStore, national: Agenda
) -> None:
    m = walk_at(store, "actions")
    s = Script([])
    iv = interview(m, national, store, s)
    s.typed.append("Held only in a variable")
    with pytest.raises(AssertionError, match=r"typed answers \[0\] are not on disk"):
        kept(iv, s.typed, "the next question")


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


def test_cancel_drops_a_late_joiner_and_a_disagreement_begun_in_a_side_step(
    store: FolderStore, national: Agenda
) -> None:
    """Each is kept from its first answer on (the name, what it is about); /cancel drops it."""
    from strat_cli.interview import items

    m = draft(store)
    s = Script(
        [
            ("add or update who", "new"),
            ("name", "Jo Castell"),
            ("how are they taking part", "phone/video"),
            ("joined at", "/cancel"),
            ("raised by", "other"),
            ("raised by", "/cancel"),
        ],
        not_kept=["Jo Castell"],  # dropped by /cancel
    )
    iv = interview(m, national, store, s)
    with iv.side("Participant"):
        attendance.who(iv)
    with iv.side("Disagreement"):
        items.add_disagreement(iv, "Police want NFA")
    s.done()
    saved = store.load(m.id)
    assert [p.name for p in saved.participants] == [p.name for p in people()]
    assert saved.disagreements == []
    assert "Participant: dropped" in s.screen and "Disagreement: dropped" in s.screen


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


KEPT_AS_DATES = ["14/03/2019"]  # a date of birth is kept as a date, not as typed
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
    s = Script(PREPARATION, not_kept=KEPT_AS_DATES)
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


@pytest.mark.parametrize("command", ["/goto 5", "/skip", "/back", "/end"])
def test_moving_through_the_agenda_during_preparation_is_explained_not_a_crash(
    store: FolderStore, national: Agenda, command: str
) -> None:
    """Preparation comes before the agenda: /goto there raised an internal error."""
    from strat_cli.interview import run_interview

    m = Meeting(id="SD-2026-0010", agenda="national", started_at=NOW)
    store.save(m)
    s = Script(
        [
            ("reason for the discussion", "Bruise seen at school"),
            ("referred by", command),
            ("referred by", "Elmfield Primary School"),
            ("what is the concern about", KeyboardInterrupt),
        ],
        not_kept=[command],
    )
    with pytest.raises(KeyboardInterrupt):
        run_interview(interview(m, national, store, s), prepare=True)
    s.done()
    assert "moves through the agenda, which starts once these questions are answered" in s.screen
    assert store.load(m.id).referrer == "Elmfield Primary School"


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

    s = Counting(PREPARATION, not_kept=KEPT_AS_DATES)
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
