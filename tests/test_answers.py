"""Answers and prefill files: the same rules as the prompts, every error naming file and field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from strat_cli.answers import build_meeting, load_file
from strat_cli.cli import app
from strat_cli.model import Outcome, Status
from strat_cli.store import FolderStore

from .conftest import EXAMPLES


def answers(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "answers.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def run(tmp_path: Path, data: dict[str, Any], name: str = "notes.yaml") -> Any:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return CliRunner().invoke(app, ["new", "--answers", str(path), "--no-input"])


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_example_answers_build_a_whole_ended_meeting(store: FolderStore) -> None:
    result = CliRunner().invoke(
        app, ["new", "--answers", str(EXAMPLES / "answers.yaml"), "--no-input"]
    )
    assert result.exit_code == 0, result.output
    assert "Saved SD-2026-0001 (ended)" in result.output
    assert "ICPC target date" in result.output
    m = store.load("SD-2026-0001")
    assert m.status == Status.ended and m.progress.attendance_taken
    assert [d.outcome for d in sorted(m.decisions, key=lambda d: d.child_id)] == [
        Outcome.s47_joint,
        Outcome.s47_single,
    ]
    assert len(m.actions) == 6 and any(a.contingency for a in m.actions)
    a1 = m.actions[0]
    assert (a1.owner, a1.owner_participant_id, a1.due_rule) == (
        "Dr Owen Hartley",
        "P4",
        "today 16:00",
    )
    assert a1.due.strftime("%Y-%m-%d %H:%M") == "2026-11-19 16:00"
    assert m.participant("P3").joined_at.strftime("%H:%M") == "10:12"  # type: ignore[union-attr]
    events = [e.event for e in m.audit]
    assert events[0] == "created" or "created" in events
    assert {"attendance taken", "decision recorded", "action added", "ended"} <= set(events)
    assert "Ellie" not in str(store.path(m.id))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["actions"][1].pop("owner"), "actions[1].owner: an action needs an owner"),
        (lambda d: d["actions"][2].update(due=""), "actions[2].due: an action needs a due time"),
        (lambda d: d["actions"][0].update(due="when pigs fly"), "actions[0].due:"),
        (
            lambda d: d["decisions"][0].update(outcome="maybe"),
            "decisions[0].outcome: Input should be",
        ),
        (
            lambda d: d["decisions"][1].update(children=["C9"]),
            "decisions[1].children[0]: matches no child of this meeting (children: C1, C2, C3)",
        ),
        (
            lambda d: d["participants"][2].update(attendance="did not attend"),
            "partner_gaps: police is a statutory partner",
        ),
        (
            lambda d: d["participants"][6].update(apology_reason=""),
            "participants[6].apology_reason: apologies need a reason",
        ),
        (lambda d: d["notes"].update(nonsense="x"), "notes (key 3): not an agenda item of"),
        (lambda d: d.update(colour="blue"), "colour: not a field strat knows"),
        (lambda d: d["children"][0].pop("name"), "children[0].name: Field required"),
    ],
)
def test_answers_errors_name_the_file_and_field(
    tmp_path: Path, store: FolderStore, change: Any, message: str
) -> None:
    data = answers()
    change(data)
    result = run(tmp_path, data)
    assert result.exit_code == 1
    assert f"notes.yaml: {message}" in result.output, result.output
    assert store.ids() == []  # nothing half-built is saved


def test_nfa_in_an_area_needing_police_agreement(tmp_path: Path, store: FolderStore) -> None:
    from strat_cli.agenda import get_agenda
    from strat_cli.answers import fill_meeting, flags
    from strat_cli.model import Meeting

    national = get_agenda("national")
    lancs = national.model_copy(
        update={"rules": national.rules.model_copy(update={"nfa_requires_police_agreement": True})}
    )
    data = answers()
    data["decisions"] = [
        {
            "children": ["C1", "C2"],
            "outcome": "nfa",
            "rationale": "Injury explained",
            "medical": {"needed": False, "reason": "none"},
        }
    ]

    def fresh() -> Meeting:
        from datetime import datetime

        from strat_cli.model import LONDON

        return Meeting(
            id="SD-2026-0001",
            agenda="national",
            started_at=datetime(2026, 11, 19, 10, tzinfo=LONDON),
        )

    unagreed = fresh()
    fill_meeting(data, lancs, unagreed, source="f.yaml")  # saved, and flagged by its rule
    assert [f for f in flags(unagreed, lancs, "f.yaml") if "[decision.nfa_agreement]" in f] == [
        "f.yaml: decisions.D1.police_agreement: D1: 'no further action' needs the agreement of "
        f"the police officer in charge in {lancs.name}, and none is recorded "
        "[decision.nfa_agreement]",
        "f.yaml: decisions.D2.police_agreement: D2: 'no further action' needs the agreement of "
        f"the police officer in charge in {lancs.name}, and none is recorded "
        "[decision.nfa_agreement]",
    ]
    data["decisions"][0]["police_agreement"] = {"officer": "DI Ravi Kohli", "agreed": True}
    m = fresh()
    fill_meeting(data, lancs, m, source="f.yaml")
    assert all(
        d.police_agreement and d.police_agreement.officer == "DI Ravi Kohli" for d in m.decisions
    )


@pytest.mark.parametrize(
    ("change", "flag"),
    [
        (
            lambda d: d["decisions"][0].update(rationale=" "),
            "decisions.D1.rationale: D1: no rationale [decision.rationale]",
        ),
        (
            lambda d: d["decisions"][1]["medical"].update(reason=""),
            "the medical decision (no) has no reason [medical.reason]",
        ),
        (
            lambda d: d["disagreements"].append(
                {"raised_by": "P2", "about": "s47", "escalated": True}
            ),
            "neither a resolution nor an escalation recorded [disagreement.unresolved]",
        ),
    ],
)
def test_an_incomplete_answer_is_saved_and_flagged_by_its_rule(
    tmp_path: Path, store: FolderStore, change: Any, flag: str
) -> None:
    """Only what is not well-formed is refused; a gap is saved and named by its rule code."""
    data = answers()
    data.setdefault("disagreements", [])
    change(data)
    result = run(tmp_path, data)
    assert result.exit_code == 0, result.output
    assert "Saved SD-2026-0001" in result.output
    assert flag in " ".join(result.output.split())


def test_json_answers_and_draft_without_end(tmp_path: Path, store: FolderStore) -> None:
    import json

    data = answers()
    del data["ended_at"]
    path = tmp_path / "notes.json"
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    result = CliRunner().invoke(app, ["new", "--answers", str(path), "--no-input"])
    assert result.exit_code == 0, result.output
    assert store.load("SD-2026-0001").status == Status.draft


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("reason: fine\nchildren: [\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["new", "--answers", str(path), "--no-input"])
    assert result.exit_code == 1
    assert "broken.yaml: line" in result.output


def test_no_input_without_answers_says_what_to_do() -> None:
    result = CliRunner().invoke(app, ["new", "--no-input"])
    assert result.exit_code == 1
    assert "--no-input needs --answers FILE" in result.output


def test_without_a_terminal_new_says_how_to_run_non_interactively() -> None:
    result = CliRunner().invoke(app, ["new"], input="")
    assert result.exit_code == 2
    assert "needs a terminal" in result.output
    assert "strat new --answers FILE --no-input" in result.output
    assert "Traceback" not in result.output


def test_without_a_terminal_resume_says_so(store: FolderStore) -> None:
    result = CliRunner().invoke(app, ["resume", "SD-2026-0001"], input="")
    assert result.exit_code == 2 and "needs a terminal" in result.output


def test_prefill_example_fills_the_meeting(store: FolderStore) -> None:
    from datetime import datetime

    from strat_cli.answers import apply_prefill, load_file
    from strat_cli.model import LONDON, AgencyKind, Meeting

    m = Meeting(
        id="SD-2026-0001", agenda="national", started_at=datetime(2026, 11, 19, 10, tzinfo=LONDON)
    )
    apply_prefill(load_file(EXAMPLES / "prefill.yaml"), m, source="prefill.yaml")
    assert [c.id for c in m.children] == ["C1", "C2"]
    assert m.adults[1].alleged_perpetrator
    assert [p.agency_kind for p in m.participants][:3] == [
        AgencyKind.social_care,
        AgencyKind.social_care,
        AgencyKind.police,
    ]
    assert all(p.attendance.value == "invited" for p in m.participants)
    assert m.concern_identified_at is not None and m.concern_identified_at.hour == 9
    store.save(m)  # valid as a record


def test_answers_relative_due_times_count_from_the_end_of_the_meeting(store: FolderStore) -> None:
    """'within 1 hour' agreed at a meeting that ended at 11:05 is due at 12:05, not 11:00."""
    from strat_cli.agenda import get_agenda

    data = load_file(EXAMPLES / "answers.yaml")
    meeting = build_meeting(data, get_agenda("national"), store, source="answers.yaml")
    summary = next(a for a in meeting.actions if a.due_rule == "within 1 hour")
    assert meeting.ended_at is not None
    assert summary.due == meeting.ended_at + timedelta(hours=1)


@pytest.mark.folder_only(
    reason="expects the configured name; on a server the login names it (test_pgstore)"
)
def test_the_audit_says_when_a_file_was_entered_not_that_it_was_typed_live(
    store: FolderStore,
) -> None:
    from strat_cli.agenda import get_agenda

    data = load_file(EXAMPLES / "answers.yaml")
    meeting = build_meeting(
        data, get_agenda("national"), store, source="Mia case notes.yaml", user="Tom Aske"
    )
    assert all(e.at > meeting.ended_at for e in meeting.audit)  # type: ignore[operator]
    assert {e.who for e in meeting.audit} == {"Tom Aske"}
    assert not any("case notes" in e.detail for e in meeting.audit)


def test_a_prefill_guesses_an_invitees_agency_with_the_areas_own_words() -> None:
    """A file and the live walk name an agency's kind alike: with the area's words first."""
    from datetime import datetime

    from strat_cli.agenda import get_agenda
    from strat_cli.answers import apply_prefill
    from strat_cli.model import LONDON, AgencyKind, Meeting

    national = get_agenda("national")
    area = national.model_copy(
        update={
            "rules": national.rules.model_copy(
                update={"agency_words": {AgencyKind.police: ["brigade"]}}
            )
        }
    )
    row = {"name": "Sgt Ada Quell", "agency": "Northshire Brigade"}
    m = Meeting(
        id="SD-2026-0001", agenda="national", started_at=datetime(2026, 11, 19, 10, tzinfo=LONDON)
    )
    apply_prefill({"invitees": [row]}, m, source="prefill.yaml", agenda=area)
    assert m.participants[0].agency_kind == AgencyKind.police
