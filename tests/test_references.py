"""References are never people: every id in a record has the shape strat gives it (C1, P3,
SD-2026-0001:A3, an agenda's file name), and every reference names something in the record.

The register's index keeps these ids ("references, not people. No name"), so a child's name typed
where an id goes is refused at the door: by `strat import`, by an answers or prefill file, and by
`strat edit`, each with one line naming the file and the field, never the text that was there.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.model import Meeting

from .conftest import EXAMPLES, fake_editor

NAME = "Ellie Marsh"  # a child's name typed where an id goes


def typical_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "typical.json").read_text(encoding="utf-8"))
    return data


def import_file(tmp_path: Path, data: dict[str, Any]) -> Any:
    path = tmp_path / "colleague.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return CliRunner().invoke(app, ["import", str(path)])


def one_error_line(result: Any) -> str:
    assert result.exit_code != 0
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: ")
    assert "Ellie" not in line and "Marsh" not in line
    return str(line)


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parts, last = path.split(".")
    node: Any = data
    for part in parts:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value


NAMED_IDS = [
    ("children.0.id", NAME, "children.0.id"),
    ("adults.0.id", NAME, "adults.0.id"),
    ("participants.0.id", NAME, "participants.0.id"),
    ("information.0.id", NAME, "information.0.id"),
    ("decisions.0.id", NAME, "decisions.0.id"),
    ("decisions.0.child_id", NAME, "decisions.0.child_id"),
    ("actions.0.id", NAME, "actions.0.id"),
    ("actions.0.child_ids", [NAME], "actions.0.child_ids.0"),
    ("actions.0.carried_from", f"SD-2026-0001:{NAME}", "actions.0.carried_from"),
    ("actions.0.owner_participant_id", NAME, "actions.0.owner_participant_id"),
    ("information.0.participant_id", NAME, "information.0.participant_id"),
    ("disagreements.0.id", NAME, "disagreements.0.id"),
    ("previous", [NAME], "previous.0"),
    ("agenda", NAME, "agenda"),
    ("progress.current", NAME, "progress.current"),
]


@pytest.mark.parametrize(("path", "value", "field"), NAMED_IDS, ids=[p for p, _, _ in NAMED_IDS])
def test_a_name_where_an_id_goes_is_refused_by_import(
    store: Any, tmp_path: Path, path: str, value: Any, field: str
) -> None:
    data = typical_data()
    _set(data, path, value)
    line = one_error_line(import_file(tmp_path, data))
    assert "colleague.json" in line and f"field {field}:" in line
    assert not store.exists(data["id"])


DANGLING = [
    ("decisions.0.child_id", "C9", "decisions.0.child_id: names no child in this record"),
    ("actions.0.child_ids", ["C9"], "actions.0.child_ids.0: names no child in this record"),
    (
        "actions.0.owner_participant_id",
        "P99",
        "actions.0.owner_participant_id: names no participant in this record",
    ),
    (
        "information.0.participant_id",
        "P99",
        "information.0.participant_id: names no participant in this record",
    ),
    ("children.1.id", "C1", "children.1.id: is used by an earlier entry of this list"),
    ("actions.1.id", "A1", "actions.1.id: is used by an earlier entry of this list"),
]


@pytest.mark.parametrize(("path", "value", "why"), DANGLING, ids=[p for p, _, _ in DANGLING])
def test_a_reference_to_nothing_or_an_id_used_twice_is_refused_by_import(
    store: Any, tmp_path: Path, path: str, value: Any, why: str
) -> None:
    data = typical_data()
    _set(data, path, value)
    line = one_error_line(import_file(tmp_path, data))
    assert f"colleague.json: field {why}" in line
    assert not store.exists(data["id"])


@pytest.mark.folder_only(reason="reads the folder store's index")
def test_the_index_never_holds_a_name_typed_as_an_id(store: Any, tmp_path: Path) -> None:
    data = typical_data()
    data["children"][0]["id"] = NAME
    one_error_line(import_file(tmp_path, data))
    assert CliRunner().invoke(app, ["import", str(EXAMPLES / "typical.json")]).exit_code == 0
    assert CliRunner().invoke(app, ["list"]).exit_code == 0
    (index,) = Path(store.root).rglob("index.sqlite")
    dump = "\n".join(sqlite3.connect(index).iterdump())
    assert "Ellie" not in dump


@pytest.mark.folder_only(reason="the SQLite index beside the folder")
def test_a_record_kept_with_a_name_as_an_id_still_loads_and_the_index_holds_a_placeholder(
    store: Any,
) -> None:
    """Before the check `strat import` kept any id a file had: such a record is still read (it
    is not hidden), and the index writes a placeholder where the name was."""
    data = typical_data()
    data["children"][0]["id"] = NAME
    data["children"][1]["local_ref"] = NAME
    data["previous"] = [NAME]
    data["actions"][0]["id"] = NAME
    data["actions"][1]["carried_from"] = NAME
    data["decisions"][0]["child_id"] = NAME
    path = store.path(data["id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    runner = CliRunner()
    listed = runner.invoke(app, ["list"])
    assert listed.exit_code == 0, listed.output
    assert data["id"] in listed.output
    # the second child's bad case-management reference gives way to its own id, not to "?"
    assert data["children"][1]["id"] in listed.output.split(data["id"], 1)[1]
    shown = runner.invoke(app, ["show", data["id"]])
    assert shown.exit_code == 0, shown.output
    assert store.load(data["id"]).children[0].id == NAME  # read as it was kept
    window = ["--from", "01/11/2026", "--to", "30/11/2026"]
    for command in ([], ["report", "--json", *window], ["reindex"]):  # the report keeps facts
        if command:
            result = runner.invoke(app, command)
            assert result.exit_code == 0, result.output
        (index,) = Path(store.root).rglob("index.sqlite")
        dump = "\n".join(sqlite3.connect(index).iterdump())
        assert "Ellie" not in dump, [line[:300] for line in dump.splitlines() if "Ellie" in line]
        assert data["id"] in dump


def answers(tmp_path: Path, **changes: Any) -> Any:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "answers.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "notes.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return CliRunner().invoke(app, ["new", "--answers", str(path), "--no-input"])


def test_a_name_as_a_childs_id_in_an_answers_file_is_refused(store: Any, tmp_path: Path) -> None:
    children = [{"id": NAME, "name": NAME}]
    line = one_error_line(answers(tmp_path, children=children, decisions=[], actions=[]))
    assert "notes.yaml: children[0].id: must be a reference like C1, never a name" in line
    assert not store.exists("SD-2026-0001")


def test_a_name_in_previous_of_an_answers_file_is_refused(store: Any, tmp_path: Path) -> None:
    line = one_error_line(answers(tmp_path, type="follow-up", previous=[f"LCS-{NAME}"]))
    assert "notes.yaml: previous.0: must be a reference like SD-2026-0001" in line


def test_an_information_entry_naming_no_participant_is_refused(store: Any, tmp_path: Path) -> None:
    information = [{"participant_id": "P99", "summary": "Seen at school."}]
    line = one_error_line(answers(tmp_path, information=information))
    assert "notes.yaml: information.0.participant_id: names no participant" in line


def test_a_name_as_a_childs_id_in_a_prefill_is_refused(store: Any, tmp_path: Path) -> None:
    path = tmp_path / "before.yaml"
    path.write_text(yaml.safe_dump({"children": [{"id": NAME, "name": NAME}]}), encoding="utf-8")
    result = CliRunner().invoke(app, ["new", "--agenda", "national", "--prefill", str(path)])
    line = one_error_line(result)
    assert "before.yaml: children[0].id: must be a reference like C1" in line


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    edits = fake_editor(tmp_path, monkeypatch, count=1)
    monkeypatch.setattr("strat_cli.cli._app.terminal_prompts", lambda: _Declines())
    return edits


class _Declines:
    def say(self, text: str = "") -> None:
        pass

    def confirm(self, message: str, *, default: bool = True) -> bool:
        return False


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("- id: C1\n", f"- id: {NAME}\n", "children.0.id"),
        ("child_id: C1\n", "child_id: C7\n", "decisions.0.child_id"),
    ],
)
def test_strat_edit_refuses_a_name_as_an_id_and_a_reference_to_nothing(
    editor: Path, store: Any, saved: Meeting, old: str, new: str, field: str
) -> None:
    before = store.load(saved.id)
    editor.write_text(json.dumps([[old, new]]), encoding="utf-8")
    line = one_error_line(CliRunner().invoke(app, ["edit", saved.id]))
    assert f"field {field}:" in line
    assert store.load(saved.id) == before


def test_every_shipped_example_and_sample_holds_only_references() -> None:
    from strat_cli.samples import large, typical

    for meeting in (typical(), large()):
        Meeting.model_validate(meeting.model_dump())  # as entered: references checked
    for path in EXAMPLES.glob("*.json"):
        Meeting.model_validate_json(path.read_text(encoding="utf-8"))


def test_an_agenda_that_is_not_an_id_is_refused_without_repeating_it(
    store: Any, tmp_path: Path
) -> None:
    line = one_error_line(answers(tmp_path, agenda=NAME))
    assert "no agenda by that id: an agenda's id is its file name" in line
    assert "national" in line  # the known ones are listed


@pytest.mark.parametrize("given", ["file", "--agenda"])
def test_an_agenda_that_looks_like_an_id_is_refused_without_repeating_it_either(
    store: Any, tmp_path: Path, given: str
) -> None:
    """A surname in lower case is a well-formed id: it is still never repeated."""
    if given == "file":
        line = one_error_line(answers(tmp_path, agenda="marsh"))
        where = f"{tmp_path / 'notes.yaml'}: agenda"
    else:
        answers(tmp_path)  # writes notes.yaml; the option wins over the file's field
        result = CliRunner().invoke(
            app, ["new", "--answers", str(tmp_path / "notes.yaml"), "--agenda", "marsh"]
        )
        line, where = one_error_line(result), "--agenda"
    assert line.startswith(f"Error: {where}: no agenda by that id (known: ")
    assert "national" in line and "marsh" not in line.lower().replace(str(tmp_path).lower(), "")


def test_an_agenda_refused_in_an_answers_file_names_the_file_and_field(
    store: Any, tmp_path: Path
) -> None:
    line = one_error_line(answers(tmp_path, agenda=NAME))
    assert line.startswith(f"Error: {tmp_path / 'notes.yaml'}: agenda: no agenda by that id")


def test_a_name_as_a_case_management_reference_is_refused(store: Any, tmp_path: Path) -> None:
    """The index keeps a child's case-management reference (child_refs): never a name."""
    data = typical_data()
    data["children"][0]["local_ref"] = NAME
    line = one_error_line(import_file(tmp_path, data))
    assert "field children.0.local_ref: must be a case-management reference" in line
    children = [{"name": NAME, "local_ref": NAME}]
    line = one_error_line(answers(tmp_path, children=children, decisions=[], actions=[]))
    assert "notes.yaml: children[0].local_ref: must be a case-management reference" in line


@pytest.mark.parametrize("ref", ["LCS-40021", "MOSAIC 123456", "CP/2026/001", "40021"])
def test_case_management_references_as_councils_write_them_are_kept(
    store: Any, tmp_path: Path, ref: str
) -> None:
    data = typical_data()
    data["children"][0]["local_ref"] = ref
    result = import_file(tmp_path, data)
    assert result.exit_code == 0, result.output
    assert store.load(data["id"]).children[0].local_ref == ref
