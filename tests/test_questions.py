"""Questions as data: each question's label is its field's description, and a live answer and an
answers file's answer to the same question are read by one function, to the same value."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from strat_cli import questions
from strat_cli.agenda import Agenda, ItemKind, RuleOverride, get_agenda
from strat_cli.answers import Reader, apply_prefill
from strat_cli.errors import InputError
from strat_cli.interview import Interview, actions, items
from strat_cli.model import LONDON, Action, Adult, Child, Decision, Meeting, Outcome, YesNo
from strat_cli.questions import QUESTIONS, Given, Question
from strat_cli.store import FolderStore

from .test_interview import DEFAULT, NOW, Script, draft, interview

# What a chair might type into any question: empty, blank, a placeholder date, names in other
# scripts, rich markup, a time, a due phrase, a date and time, ISO, and text around them.
TYPED = [
    "",
    "   ",
    "31/12/9999",
    "01/01/0001",
    "Zoë Ñandú-Ōkafor",
    "[red]alert[/]",
    "[/]",
    "10:25",
    " 2pm ",
    "2 working days",
    "tomorrow 9am",
    "19/11/2026 10:25",
    "2026-11-19T10:25:00+00:00",
    "25/12/2026 10:00",
    "99:99",
    "within 1 hour",
]
PRIVATE = {"Zoë Ñandú-Ōkafor", "[red]alert[/]", "[/]"}


@pytest.fixture
def national() -> Agenda:
    return get_agenda("national")


def _name(q: Question) -> str:
    return f"{q.model.__name__}.{q.name}"


def test_there_are_questions_for_every_part_of_the_record_the_walk_fills() -> None:
    asked = {q.model.__name__ for q in QUESTIONS}
    assert {"Participant", "Child", "Decision", "Action", "Disagreement", "Meeting"} <= asked
    assert len({_name(q) for q in QUESTIONS}) == len(QUESTIONS), "a field is asked twice"


@pytest.mark.parametrize("q", QUESTIONS, ids=_name)
def test_each_label_is_the_description_of_the_field_it_fills(
    q: Question, monkeypatch: pytest.MonkeyPatch
) -> None:
    field = q.model.model_fields[q.name]
    assert field.description, f"{_name(q)} has no description to ask it by"
    before = q.prompt(who="Dana Okafor")
    assert q.label[1:] in before
    monkeypatch.setattr(field, "description", "Quite other words")
    after = q.prompt(who="Dana Okafor")
    assert after != before and "uite other words" in after


def test_a_changed_description_changes_what_the_chair_is_asked(
    store: FolderStore, national: Agenda, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Action.model_fields["owner"], "description", "Who will do it")
    m = draft(store)
    s = Script(
        [
            ("owner", "other"),
            ("who will do it", "Sam Whitlow"),
            ("agency (optional)", ""),
            ("due", "2 working days"),
            ("right?", True),
            ("for which children", []),
            ("contingency", False),
        ]
    )
    actions.add_action(interview(m, national, store, s), "Visit the home")
    assert "Who will do it" in s.asked
    assert m.actions[-1].owner == "Sam Whitlow"


def _given(m: Meeting, agenda: Agenda) -> Given:
    return Given(m, agenda, NOW, NOW.date(), after=m.started_at)


def _from_file(q: Question, typed: Any, m: Meeting, agenda: Agenda) -> tuple[str, Any]:
    """('value', v) or ('refused', message without the file and field)."""
    prefix = f"notes.yaml: {q.name}: "
    try:
        return "value", Reader("notes.yaml", m, agenda).take(q, typed, q.name, _given(m, agenda))
    except InputError as exc:
        assert exc.message.startswith(prefix)
        return "refused", exc.message.removeprefix(prefix)


def _live(q: Question, typed: str, iv: Interview, s: Script) -> tuple[str, Any]:
    """('value', v), or ('refused', what the chair was told) when the asker asked again."""
    try:
        return "value", iv.answer(q, who="Dana Okafor", given=_given(iv.m, iv.agenda))
    except KeyboardInterrupt:
        told = [line.strip() for line in s.said if line.strip()]
        return "refused", told[-1]


TYPED_QUESTIONS = [q for q in QUESTIONS if not q.choices]
PICKED_QUESTIONS = [q for q in QUESTIONS if q.choices]


@pytest.mark.one_store(reason="reading typed text is the same on either store; a draft only")
@pytest.mark.parametrize("typed", TYPED, ids=repr)
@pytest.mark.parametrize("q", TYPED_QUESTIONS, ids=_name)
def test_a_file_and_the_live_prompt_read_the_same_typed_text_alike(
    q: Question, typed: str, store: FolderStore, national: Agenda
) -> None:
    m = draft(store)
    s = Script([("", typed), ("", KeyboardInterrupt)], not_kept=[typed])  # read, maybe refused
    live = _live(q, typed, interview(m, national, store, s), s)
    filed = _from_file(q, typed, m, national)
    if live[0] == "value":
        assert filed == live
        assert len(s.asked) == 1
    else:
        assert filed[0] == "refused", f"the file took what the prompt refused: {live[1]}"
        if q.required and not typed.strip():  # the same words, less the chair's '/cancel'
            assert live[1] == q.required and filed[1].startswith(q.refusal)
        else:
            assert live[1] == filed[1]
    # an error never repeats a name or other text typed (a time it read back may be shown)
    if filed[0] == "refused" and typed in PRIVATE:
        assert typed.strip() not in filed[1]


@pytest.mark.parametrize("q", PICKED_QUESTIONS, ids=_name)
def test_a_file_gives_what_picking_the_same_value_gives(
    q: Question, store: FolderStore, national: Agenda
) -> None:
    m = draft(store)
    for value in q.choices:
        s = Script([(q.label, value)])
        live = interview(m, national, store, s).choose(q)
        assert live == value == _from_file(q, value, m, national)[1]
        assert s.asked == [q.label]
    if "yes" in q.choices:  # YAML's bare yes and no arrive as true and false
        assert [_from_file(q, flag, m, national)[1] for flag in (True, False)] == ["yes", "no"]


def test_an_outcome_is_read_from_the_words_people_use(store: FolderStore, national: Agenda) -> None:
    m = draft(store)
    assert _from_file(questions.OUTCOME, " NFA ", m, national) == ("value", "no further action")
    assert _from_file(questions.OUTCOME, "maybe", m, national) == ("value", "maybe")  # refused
    # by the record's own check, naming the field (tests/test_answers.py)


def test_a_placeholder_date_is_refused_by_every_timed_question(
    store: FolderStore, national: Agenda
) -> None:
    m = draft(store)
    for q in (q for q in QUESTIONS if q.timed):
        kind, why = _from_file(q, "31/12/9999", m, national)
        assert kind == "refused" and "9999" not in why, _name(q)


def test_a_file_may_give_when_a_parent_is_told_as_the_chair_types_it(tmp_path: Path) -> None:
    """`informed_at: '15:00'` was refused by a file though the chair could type it live."""
    m = Meeting(id="SD-2026-0001", agenda="national", started_at=NOW)
    adult = {"name": "Kim Marsh", "parental_responsibility": True, "informed": "told"}
    apply_prefill({"adults": [{**adult, "informed_at": "15:00"}]}, m, source="p.yaml")
    told = m.adults[0].informed_at
    assert told == datetime(2026, 11, 19, 15, 0, tzinfo=LONDON)
    assert isinstance(m.adults[0], Adult)


def test_a_file_names_the_field_a_bad_time_is_in_without_repeating_it() -> None:
    m = Meeting(id="SD-2026-0001", agenda="national", started_at=NOW)
    row = {"name": "Kim Marsh", "informed_at": "[red]teatime[/]"}
    with pytest.raises(InputError) as caught:
        apply_prefill({"adults": [row]}, m, source="p.yaml")
    assert caught.value.message.startswith("p.yaml: adults[0].informed_at: not a time")
    assert "teatime" not in caught.value.message


# --- when a question is asked: the rulebook says -------------------------------------------


def _switched_off(agenda: Agenda, code: str) -> Agenda:
    rules = agenda.rules.model_copy(update={"overrides": {code: RuleOverride(enabled=False)}})
    return agenda.model_copy(update={"rules": rules})


def test_the_rulebook_says_when_a_reason_for_withholding_is_wanted(national: Agenda) -> None:
    m = Meeting(id="SD-2026-0001", agenda="national", started_at=NOW)
    assert questions.WITHHELD_REASON.wanted(m, national) == []
    m.family.withheld = "The address of the refuge"
    m.family.withheld_reason = "Already given"  # asked again (offered), as the rule would flag
    assert questions.WITHHELD_REASON.wanted(m, national) == ["family.withheld_reason"]
    assert m.family.withheld_reason == "Already given", "the record itself is not touched"
    off = _switched_off(national, "family.withheld_reason")
    assert questions.WITHHELD_REASON.wanted(m, off) == []


def test_the_rulebook_says_which_decision_needs_why_parents_are_not_told(
    national: Agenda,
) -> None:
    m = Meeting(id="SD-2026-0001", agenda="national", started_at=NOW)
    m.children = [Child(id="C1", name="Ellie Marsh")]
    m.decisions = [Decision(id="D1", child_id="C1", outcome=Outcome.s47_joint, rationale="x")]
    for told, wanted in ((YesNo.yes, []), (YesNo.undecided, []), (YesNo.no, ["parents.reason"])):
        m.decisions[0].parents_informed = told
        assert questions.NOT_TOLD.wanted(m, national, "D1") == wanted


def test_an_area_that_switches_a_rule_off_is_not_asked_its_question(
    store: FolderStore, national: Agenda
) -> None:
    m = draft(store)
    m.family.withheld = "The address of the refuge"
    store.save(m)
    agenda = _switched_off(national, "family.withheld_reason")
    item = next(i for i in agenda.items if i.kind == ItemKind.family)
    s = Script([("shared with the family", "The plan"), ("withheld", DEFAULT)])
    items.step_family(interview(m, agenda, store, s), item)
    s.done()
    assert not any("withheld?" in q for q in s.asked)
    s = Script(
        [
            ("shared with the family", "The plan"),
            ("withheld", DEFAULT),
            ("why is it withheld?", ""),  # refused: the rule wants a reason
            ("why is it withheld?", "It would put the mother at risk"),
        ]
    )
    items.step_family(interview(m, national, store, s), item)
    s.done()
    assert "Record why it is withheld." in s.screen
    assert store.load(m.id).family.withheld_reason == "It would put the mother at risk"


# --- through the command line: an answers file refused with the question's words ------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("what", "   ", "actions[0].what: an action needs a description"),
        ("owner", "[/]", None),  # markup is a name like any other: kept as typed
        ("due", "31/12/9999 10:00", "actions[0].due: the due time is too far ahead"),
        ("due", "Zoë's birthday", "actions[0].due: cannot read the due time"),
        ("what", 42, "actions[0].what: must be text"),
    ],
)
def test_an_answers_file_is_refused_with_the_questions_own_words(
    tmp_path: Path, store: FolderStore, field: str, value: Any, message: str | None
) -> None:
    from .test_answers import answers, run

    data = answers()
    data["actions"][0][field] = value
    result = run(tmp_path, data)
    if message is None:
        assert result.exit_code == 0, result.output
        assert store.load(store.ids()[0]).actions[0].owner == value
        return
    assert result.exit_code == 1
    assert f"notes.yaml: {message}" in result.output, result.output
    assert "Zoë" not in result.output and "Traceback" not in result.output
    assert store.ids() == []


def test_no_step_asks_a_questions_label_as_a_hard_coded_string() -> None:
    """A prompt that fills a field is asked as its Question, so its words live in one place."""
    import ast

    from .conftest import REPO

    labels = {q.prompt(who="X").removeprefix("X: ").removeprefix("X ") for q in QUESTIONS}
    labels |= {q.label for q in QUESTIONS}
    found = []
    for path in sorted((REPO / "strat_cli" / "interview").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and text in labels:
                found.append(f"{path.name}: {text!r}")
    assert found == []
