"""Whether an agenda item is answered, asked of one function (rulebook.item_answered): the live
walk's "still open" and `strat check`'s item.empty must give the same answer for every record.

Risk: the log must hold "an assessment of risk to the child(ren)" (seed 000), so a level alone
leaves the item open and the written assessment answers it. What is shared with the family: the
discussion must "Determine what information ... will be shared with the family, unless such
information sharing may place a child at increased risk of harm or jeopardise any criminal
investigation" (seed 001), so what is withheld (and why) answers it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from strat_cli.agenda import Agenda, get_agenda
from strat_cli.check import check_meeting
from strat_cli.cli import app
from strat_cli.interview.closing import closing_summary, open_items
from strat_cli.model import FamilySharing, Meeting, RiskLevel
from strat_cli.rulebook import item_answered
from strat_cli.samples import START, typical
from strat_cli.store import FolderStore

from .conftest import sent_to_everyone
from .test_interview import Script, draft, interview

pytestmark = pytest.mark.one_store  # about the record, not where it is kept

NOW = START + timedelta(minutes=90)


def _risk(
    level: RiskLevel | None, summary: str = "", safety: str = ""
) -> Callable[[Meeting], None]:
    def change(m: Meeting) -> None:
        m.risk.level, m.risk.summary, m.risk.immediate_safety = level, summary, safety

    return change


def _family(shared: str = "", withheld: str = "", reason: str = "") -> Callable[[Meeting], None]:
    def change(m: Meeting) -> None:
        m.family = FamilySharing(shared=shared, withheld=withheld, withheld_reason=reason)

    return change


def _noted(key: str, then: Callable[[Meeting], None]) -> Callable[[Meeting], None]:
    def change(m: Meeting) -> None:
        then(m)
        m.notes[key] = "Discussed; see the police log of the call."

    return change


def _no_note(key: str, then: Callable[[Meeting], None]) -> Callable[[Meeting], None]:
    def change(m: Meeting) -> None:
        then(m)
        m.notes.pop(key, None)

    return change


# (agenda, item key, change to the typical record, answered?)
CASES = {
    "risk: a level alone": ("national", "risk", _risk(RiskLevel.high), False),
    "risk: the assessment with no level": (
        "national",
        "risk",
        _risk(None, "Bruising seen at school; the partner is still in the home."),
        True,
    ),
    "risk: level and assessment": (
        "national",
        "risk",
        _risk(RiskLevel.low, "Low: no injury."),
        True,
    ),
    "risk: only the immediate safety plan": (
        "national",
        "risk",
        _risk(RiskLevel.high, safety="Stays with the grandmother tonight."),
        False,
    ),
    "risk: a note under the item": ("national", "risk", _noted("risk", _risk(None)), True),
    "risk: nothing": ("national", "risk", _risk(None), False),
    "risk, Devon 'impact': a level alone": ("devon-mash", "impact", _risk(RiskLevel.medium), False),
    "risk, Pan-Lancashire 'immediate_safety': a level alone": (
        "pan-lancashire",
        "immediate_safety",
        _no_note("immediate_safety", _risk(RiskLevel.immediate, safety="With the grandmother.")),
        False,
    ),
    "family: what is shared": (
        "national",
        "family",
        _family("Mother told of the s47 today."),
        True,
    ),
    "family: all withheld, with why": (
        "national",
        "family",
        _family(withheld="Everything for now", reason="Would alert the suspect before interview"),
        True,
    ),
    "family: withheld, no reason (family.withheld_reason says so)": (
        "national",
        "family",
        _family(withheld="The police history"),
        True,
    ),
    "family: only a reason": ("national", "family", _family(reason="Police investigation"), False),
    "family: nothing, though each parent's informing is decided": (
        "national",
        "family",
        _family(),
        False,
    ),
    "family: a note under the item": ("national", "family", _noted("family", _family()), True),
    "family, Devon 'pr_informed': withheld with why": (
        "devon-mash",
        "pr_informed",
        _family(withheld="The s47 enquiry, for now", reason="Would undermine the police enquiry"),
        True,
    ),
    "family, Devon 'pr_informed': nothing": ("devon-mash", "pr_informed", _family(), False),
}


def _record(agenda_id: str, change: Callable[[Meeting], None]) -> Meeting:
    m = typical(agenda=agenda_id)
    change(m)
    m.circulation.append(sent_to_everyone(m, START + timedelta(minutes=100)))
    return m


@pytest.mark.parametrize("case", CASES)
def test_the_walk_and_the_check_agree_whether_an_item_is_answered(case: str) -> None:
    agenda_id, key, change, answered = CASES[case]
    agenda = get_agenda(agenda_id)
    item = agenda.item(key)
    assert item is not None and item.required
    m = _record(agenda_id, change)
    m.progress.done = [i.key for i in agenda.items]  # the walk has gone through every item

    assert item_answered(m, item) is answered
    walk_open = item in open_items(m, agenda)
    gaps = check_meeting(m, agenda, now=NOW).gaps
    empty = [g for g in gaps if g.code == "item.empty" and f"'{key}'" in g.message]
    assert walk_open is (not answered)
    assert bool(empty) is (not answered)
    assert (item.title in closing_summary(m, agenda).split("Open agenda items: ")[1]) is (
        not answered
    )


def test_withheld_with_no_reason_is_answered_but_the_reason_is_still_asked_for() -> None:
    m = _record("national", _family(withheld="The police history"))
    gaps = {(g.code, g.where) for g in check_meeting(m, get_agenda("national"), now=NOW).gaps}
    assert ("family.withheld_reason", "family.withheld_reason") in gaps
    assert not any(code == "item.empty" for code, _ in gaps)


@pytest.mark.parametrize(
    ("case", "where"),
    [
        ("risk: a level alone", "risk.summary"),
        ("risk: the assessment with no level", None),
        ("family: all withheld, with why", None),
        ("family: nothing, though each parent's informing is decided", "family.shared"),
    ],
)
def test_strat_check_on_the_saved_record(
    runner: CliRunner, store: FolderStore, case: str, where: str | None
) -> None:
    agenda_id, _, change, _ = CASES[case]
    m = _record(agenda_id, change)
    store.save(m)
    result = runner.invoke(app, ["check", m.id, "--json"])
    empty = [g["where"] for g in json.loads(result.output)["gaps"] if g["code"] == "item.empty"]
    assert empty == ([where] if where else [])
    assert result.exit_code == (1 if where else 0), result.output


# --- the live walk: what the chair sees after going through the item --------------------------


def _at(store: FolderStore, national: Agenda, key: str) -> tuple[Meeting, Agenda]:
    agenda = national.model_copy(
        update={"items": [national.item(k) for k in ("introductions", key, "review")]}
    )
    m = draft(store)
    m.progress.done = ["introductions"]
    m.progress.current = key
    store.save(m)
    return m, agenda


def _walk(m: Meeting, agenda: Agenda, store: FolderStore, steps: list[tuple[str, object]]) -> str:
    s = Script([*steps, ("review", KeyboardInterrupt)])
    with pytest.raises(KeyboardInterrupt):
        interview(m, agenda, store, s).run()
    s.done()
    return s.screen


@pytest.mark.parametrize(
    ("level", "summary", "answered"),
    [("high", "", False), ("none", "Bruising seen at school; partner in the home.", True)],
)
def test_walking_the_risk_item(
    store: FolderStore, level: str, summary: str, answered: bool
) -> None:
    national = get_agenda("national")
    m, agenda = _at(store, national, "risk")
    screen = _walk(
        m,
        agenda,
        store,
        [("level of risk", level), ("assessment", summary), ("immediate safeguarding", "")],
    )
    saved = store.load(m.id)
    item = agenda.item("risk")
    assert ("Still open: this item needs the assessment of risk written down" in screen) is (
        not answered
    )
    assert (item in open_items(saved, agenda)) is (not answered)
    empty = {g.where for g in check_meeting(saved, agenda, now=NOW).gaps if g.code == "item.empty"}
    assert ("risk.summary" in empty) is (not answered)


@pytest.mark.parametrize(
    ("shared", "withheld", "reason", "answered"),
    [
        ("", "", None, False),
        ("", "All of it for now", "Would alert the suspect", True),
        ("Mother told of the s47 today", "", None, True),
    ],
)
def test_walking_the_family_item(
    store: FolderStore, shared: str, withheld: str, reason: str | None, answered: bool
) -> None:
    national = get_agenda("national")
    m, agenda = _at(store, national, "family")
    steps: list[tuple[str, object]] = [("shared with the family", shared), ("withheld", withheld)]
    if reason is not None:
        steps.append(("why is it withheld", reason))
    screen = _walk(m, agenda, store, steps)
    saved = store.load(m.id)
    assert ("Still open: this item needs what is shared with the family" in screen) is (
        not answered
    )
    assert (agenda.item("family") in open_items(saved, agenda)) is (not answered)
    empty = {g.where for g in check_meeting(saved, agenda, now=NOW).gaps if g.code == "item.empty"}
    assert ("family.shared" in empty) is (not answered)


def test_goto_ticks_only_what_is_answered(store: FolderStore) -> None:
    national = get_agenda("national")
    m, agenda = _at(store, national, "risk")
    m.risk.level = RiskLevel.high
    m.progress.done = ["introductions", "risk"]
    m.progress.current = "review"
    store.save(m)
    seen: list[list[str]] = []

    class Picking(Script):
        def select(self, message: str, choices: object, *, default: str | None = None) -> str:
            seen.append([label for _, label in choices])  # type: ignore[attr-defined]
            return super().select(message, choices, default=default)  # type: ignore[arg-type]

    s = Picking(
        [("review", "/goto"), ("go to which item", "review"), ("review", KeyboardInterrupt)]
    )
    with pytest.raises(KeyboardInterrupt):
        interview(m, agenda, store, s).run()
    assert seen[0][0].endswith(" ✓") and not seen[0][1].endswith(" ✓")
