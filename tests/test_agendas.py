"""Agenda files: every shipped one loads, local rules come through, and a broken file says where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from strat_cli.agenda import Agenda, ItemKind, get_agenda, load_agenda, load_agendas
from strat_cli.cli import app
from strat_cli.errors import AgendaError
from strat_cli.model import AgencyKind
from strat_cli.resources import shipped_dir

SHIPPED = sorted(shipped_dir("agendas").glob("*.yaml"))
SEED_AGENDAS = ("pan-lancashire", "devon-mash", "salford", "west-midlands", "local-24h")

runner = CliRunner()


def write_agenda(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """\
id: {id}
name: "{name}"
items:
  - key: attendance
    title: Attendance
    kind: attendance
  - key: concern
    title: The concern
  - key: decisions
    title: Decisions
    kind: decisions
  - key: actions
    title: Actions
    kind: actions
"""


# --- the shipped agendas ---------------------------------------------------------------------


def test_there_is_a_national_agenda_and_one_per_seed_procedure() -> None:
    assert set(load_agendas()) >= {"national", *SEED_AGENDAS}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_agenda_loads_with_attendance_decisions_and_actions(path: Path) -> None:
    agenda = load_agenda(path)
    assert agenda.id == path.stem
    kinds = [i.kind for i in agenda.items]
    for needed in (ItemKind.attendance, ItemKind.decisions, ItemKind.actions):
        assert needed in kinds
        assert agenda.item(next(i.key for i in agenda.items if i.kind == needed))
    assert all(i.guidance.strip() for i in agenda.items), "every item explains itself"
    assert {AgencyKind.social_care, AgencyKind.police, AgencyKind.health} <= set(
        agenda.statutory_partners
    )


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_structured_step_appears_at_most_once(path: Path) -> None:
    """Two decision or attendance steps in one agenda would walk the chair through it twice."""
    structured = [i.kind for i in load_agenda(path).items if i.kind != ItemKind.notes]
    assert len(structured) == len(set(structured))


def test_pan_lancashire_needs_police_agreement_for_nfa_and_counts_icpc_from_the_last() -> None:
    agenda = get_agenda("pan-lancashire")
    assert agenda.rules.nfa_requires_police_agreement is True
    assert agenda.timescales.icpc_from == "last"
    assert agenda.timescales.circulate_within_working_days == 1
    assert any("referring agency" in r for r in (x.text for x in agenda.required_roles))
    whens = {rule.when for rule in agenda.invite}
    assert {
        "child_in_hospital",
        "medical_possible",
        "pre_birth",
        "out_of_area",
        "legal",
        "adult_issues",
        "expertise",
    } <= whens


def test_pan_lancashire_items_follow_the_procedures_agenda_order() -> None:
    keys = [i.key for i in get_agenda("pan-lancashire").items]
    in_order = ["information", "seen_alone", "other_children", "s47_decision", "s47_plan"]
    assert [k for k in keys if k in in_order] == in_order
    assert keys.index("press") < keys.index("actions") < keys.index("staff_safety")
    assert keys.index("staff_safety") < keys.index("feedback_next")


def test_no_other_agenda_needs_police_agreement_for_nfa() -> None:
    for agenda in load_agendas().values():
        if agenda.id != "pan-lancashire":
            assert not agenda.rules.nfa_requires_police_agreement, agenda.id


def test_devon_mash_authorises_minutes_in_24_hours_and_resolves_disagreements_after_s47() -> None:
    agenda = get_agenda("devon-mash")
    assert agenda.timescales.summary_within_hours == 1
    assert agenda.timescales.minutes_authorised_within_hours == 24
    assert "after the section 47 enquiry" in agenda.rules.disagreements
    keys = [i.key for i in agenda.items]
    decisions_list = ["impact", "who_seen", "medical", "pr_informed"]
    assert [k for k in keys if k in decisions_list] == decisions_list
    assert "absent parents" in (agenda.item("pr_informed") or pytest.fail()).guidance


def test_salford_requires_worker_and_manager_and_escalates_under_the_gm_policy() -> None:
    agenda = get_agenda("salford")
    assert any("social worker" in r.lower() for r in (x.text for x in agenda.required_roles))
    assert any("social work manager" in r.lower() for r in (x.text for x in agenda.required_roles))
    assert "Resolving Professional Disagreements" in agenda.rules.disagreements
    voice = next(i for i in agenda.items if i.kind == ItemKind.voice)
    assert "coercion" in voice.guidance


def test_west_midlands_counts_working_days_and_icpc_from_the_initiating_meeting() -> None:
    t = get_agenda("west-midlands").timescales
    assert t.discussion_within_working_days == 3
    assert t.discussion_within_hours is None
    assert t.icpc_from == "initiating"
    whens = {rule.when for rule in get_agenda("west-midlands").invite}
    assert {"exploitation", "missing", "youth_justice", "sexual_abuse"} <= whens


def test_local_24h_agenda_requires_a_medical_decision() -> None:
    agenda = get_agenda("local-24h")
    assert agenda.timescales.discussion_within_hours == 24
    medical = agenda.item("medical") or pytest.fail("no medical item")
    assert medical.required and "consent" in medical.guidance


# --- broken files say where ------------------------------------------------------------------


def test_bad_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    text = MINIMAL.format(id="broken", name="Broken").replace(
        "title: The concern", "title: The concern: what happened"
    )
    path = write_agenda(tmp_path, "broken.yaml", text)
    with pytest.raises(AgendaError) as caught:
        load_agenda(path)
    assert str(path) in caught.value.message
    assert "line 8" in caught.value.message


def test_unknown_field_names_the_item_and_field(tmp_path: Path) -> None:
    text = MINIMAL.format(id="typo", name="Typo").replace(
        "    title: Decisions\n", "    title: Decisions\n    requried: true\n"
    )
    path = write_agenda(tmp_path, "typo.yaml", text)
    with pytest.raises(AgendaError) as caught:
        load_agenda(path)
    message = caught.value.message
    assert message.startswith(f"{path}: item 3 (decisions), requried:")
    assert "Extra inputs are not permitted" in message


def test_reused_item_key_names_both_items(tmp_path: Path) -> None:
    text = MINIMAL.format(id="dupe", name="Dupe").replace("key: decisions", "key: concern")
    path = write_agenda(tmp_path, "dupe.yaml", text)
    with pytest.raises(AgendaError) as caught:
        load_agenda(path)
    assert caught.value.message == (
        f"{path}: item 3 (concern), key: 'concern' is already used by item 2"
    )


def test_field_written_twice_names_the_line(tmp_path: Path) -> None:
    text = MINIMAL.format(id="twice", name="Twice").replace(
        "    title: The concern\n", "    title: The concern\n    title: Again\n"
    )
    path = write_agenda(tmp_path, "twice.yaml", text)
    with pytest.raises(AgendaError) as caught:
        load_agenda(path)
    assert caught.value.message == f"{path}: line 9: field 'title' appears twice"


def test_wrong_timescale_type_names_the_field(tmp_path: Path) -> None:
    text = MINIMAL.format(id="slow", name="Slow") + (
        "timescales:\n  icpc_within_working_days: fifteen\n"
    )
    path = write_agenda(tmp_path, "slow.yaml", text)
    with pytest.raises(AgendaError) as caught:
        load_agenda(path)
    assert caught.value.message.startswith(f"{path}: timescales, icpc_within_working_days:")
    assert "integer" in caught.value.message


def test_unknown_invite_circumstance_names_the_rule(tmp_path: Path) -> None:
    text = MINIMAL.format(id="inv", name="Inv") + (
        "invite:\n  - when: always\n    invite: School\n  - when: full_moon\n    invite: Astrologer\n"
    )
    path = write_agenda(tmp_path, "inv.yaml", text)
    with pytest.raises(AgendaError, match=r"invite, 1, when: Input should be"):
        load_agenda(path)


def test_broken_errors_are_one_line(tmp_path: Path) -> None:
    path = write_agenda(tmp_path, "x.yaml", "id: x\nname: [\n")
    with pytest.raises(AgendaError) as caught:
        load_agenda(path)
    assert "\n" not in caught.value.message


# --- a council's own folder ------------------------------------------------------------------


def test_extra_folder_adds_an_agenda_and_overrides_a_shipped_one_by_id(tmp_path: Path) -> None:
    folder = tmp_path / "council"
    write_agenda(folder, "northshire.yaml", MINIMAL.format(id="northshire", name="Northshire"))
    write_agenda(folder, "ours.yaml", MINIMAL.format(id="salford", name="Salford, our edit"))
    agendas = load_agendas([folder])
    assert agendas["northshire"].name == "Northshire"
    assert agendas["salford"].name == "Salford, our edit"
    assert agendas["salford"].path == folder / "ours.yaml"
    assert agendas["national"].path is not None


def test_a_copy_of_a_shipped_agenda_is_a_valid_starting_point(tmp_path: Path) -> None:
    data = yaml.safe_load((shipped_dir("agendas") / "national.yaml").read_text(encoding="utf-8"))
    data["id"] = "northshire"
    path = write_agenda(tmp_path, "northshire.yaml", yaml.safe_dump(data))
    assert isinstance(load_agenda(path), Agenda)


def test_strat_agendas_json_lists_shipped_and_configured_agendas(
    tmp_path: Path, isolated_home: Path
) -> None:
    folder = tmp_path / "council"
    write_agenda(folder, "northshire.yaml", MINIMAL.format(id="northshire", name="Northshire"))
    isolated_home.mkdir(mode=0o700, parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(
        f'[agendas]\nfolder = "{folder.as_posix()}"\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["agendas", "--json"])
    assert result.exit_code == 0, result.output
    listed = {a["id"]: a for a in json.loads(result.stdout)}
    assert set(listed) >= {"national", "northshire", *SEED_AGENDAS}
    assert listed["pan-lancashire"]["nation"] == "ENG"
    assert listed["northshire"]["path"] == str(folder / "northshire.yaml")


def test_strat_agendas_reports_a_broken_council_agenda_in_one_line(
    tmp_path: Path, isolated_home: Path
) -> None:
    folder = tmp_path / "council"
    write_agenda(folder, "bad.yaml", "id: bad\nname: Bad\nitems: []\n")
    isolated_home.mkdir(mode=0o700, parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(
        f'[agendas]\nfolder = "{folder.as_posix()}"\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["agendas", "--json"])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: {folder / 'bad.yaml'}: top level: an agenda needs at least one item"]


def test_an_agenda_saved_in_windows_1252_is_named_with_how_to_fix_it(tmp_path: Path) -> None:
    text = (shipped_dir("agendas") / "national.yaml").read_text(encoding="utf-8")
    path = tmp_path / "northshire.yaml"
    path.write_bytes(
        text.replace("id: national", "id: northshire")
        .replace('name: "England', 'name: "Northshire\u2019s')
        .encode("cp1252", errors="replace")
    )
    with pytest.raises(AgendaError, match=r"northshire\.yaml: byte \d+ is not UTF-8 text; save"):
        load_agenda(path)


def test_a_field_name_that_is_not_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text("? [a, b]\n: 1\nid: odd\n", encoding="utf-8")
    with pytest.raises(AgendaError, match=r"odd\.yaml: line 1: a field name must be plain text"):
        load_agenda(path)
