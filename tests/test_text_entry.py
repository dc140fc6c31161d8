"""What is entered as one line (a name, a role, an agency) holds no line break or control
character, and free text no control character but line breaks and tabs: refused at the door
(an option, an answers or imported file, the live prompt) in one line naming where, never the
text. A record kept before the check is read as it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from strat_cli.agenda import get_agenda
from strat_cli.cli import app
from strat_cli.interview import actions
from strat_cli.model import Meeting
from strat_cli.store import FolderStore

from .conftest import EXAMPLES
from .test_interview import Script, draft, interview

ONE_LINE = "must be one line of text, without line breaks or control characters"
FREE_TEXT = "must be text without control characters (line breaks and tabs are fine)"


def one_error_line(result: Any) -> str:
    assert result.exit_code != 0
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: ")
    assert "Ruth" not in line and "Bcc" not in line and "\x1b" not in line
    return str(line)


BY_IS_THE_LOGIN = "on a team server the login's name is written, whatever --by says"


@pytest.mark.folder_only(reason=BY_IS_THE_LOGIN)
@pytest.mark.parametrize(
    ("by", "role", "where"),
    [
        ("Ruth\r\nBcc: x@y.example \x1b[2J", "Team Manager", "--by"),
        ("Ruth Adeyemi", "\x1b[31mx", "--role"),
        ("Ruth\u2028Adeyemi", "Team Manager", "--by"),
        ("Ruth\x85Adeyemi", "Team Manager", "--by"),
    ],
)
def test_authorise_refuses_a_line_break_or_escape_in_by_and_role(
    store: Any, saved: Meeting, by: str, role: str, where: str
) -> None:
    before = store.load(saved.id)
    args = ["authorise", saved.id, "--by", by, "--role", role, "--override", "tested"]
    line = one_error_line(CliRunner().invoke(app, args))
    assert line == f"Error: {where}: {ONE_LINE}"
    assert store.load(saved.id) == before


def test_authorise_refuses_an_escape_in_the_role_on_any_store(store: Any, saved: Meeting) -> None:
    before = store.load(saved.id)
    args = ["authorise", saved.id, "--by", "Ruth Adeyemi", "--role", "\x1b[31mManager"]
    line = one_error_line(CliRunner().invoke(app, [*args, "--override", "tested"]))
    assert line == f"Error: --role: {ONE_LINE}"
    assert store.load(saved.id) == before


@pytest.mark.folder_only(reason=BY_IS_THE_LOGIN)
def test_ordinary_unicode_in_a_name_is_welcome(store: Any, saved: Meeting) -> None:
    args = ["authorise", saved.id, "--by", "Siân O'Connor-Nguyễn", "--role", "Team Manager"]
    result = CliRunner().invoke(app, [*args, "--override", "tested"])
    assert result.exit_code == 0, result.output
    assert store.load(saved.id).authorisation.by == "Siân O'Connor-Nguyễn"


def answers(tmp_path: Path, **changes: Any) -> Any:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "answers.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "notes.json"
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    return CliRunner().invoke(app, ["new", "--answers", str(path), "--no-input"])


@pytest.mark.parametrize(
    ("change", "where", "why"),
    [
        ({"chair": "Dana\r\nBcc: x@y.example"}, "chair", ONE_LINE),
        ({"referrer": "Ruth \x1b[2J"}, "referrer", ONE_LINE),
        ({"late_reason": "Ruth was \x07 away"}, "late_reason", FREE_TEXT),
        ({"challenge": "Ruth\x00"}, "challenge", FREE_TEXT),
        ({"review_mechanism": "Ruth \x1b[31m"}, "review_mechanism", FREE_TEXT),
    ],
)
def test_an_answers_file_with_a_control_character_is_refused_naming_the_field(
    store: Any, tmp_path: Path, change: dict[str, str], where: str, why: str
) -> None:
    line = one_error_line(answers(tmp_path, **change))
    assert line.endswith(f"notes.json: {where}: {why}")
    assert not store.exists("SD-2026-0001")


def test_free_text_keeps_its_lines_and_tabs(store: Any, tmp_path: Path) -> None:
    result = answers(tmp_path, challenge="First line\r\n\tindented second line")
    assert result.exit_code == 0, result.output
    assert store.load("SD-2026-0001").challenge == "First line\n\tindented second line"


def test_import_refuses_an_escape_in_a_childs_name(store: Any, tmp_path: Path) -> None:
    data = json.loads((EXAMPLES / "typical.json").read_text(encoding="utf-8"))
    data["children"][0]["name"] = "Ruth \x1b]8;;http://evil.example/\x07link"
    path = tmp_path / "colleague.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    line = one_error_line(CliRunner().invoke(app, ["import", str(path)]))
    assert line == f"Error: {path}: field children.0.name: {ONE_LINE}"


@pytest.mark.folder_only(reason="a record written straight into the folder store")
def test_a_record_kept_with_control_characters_is_still_read(
    store: FolderStore, saved: Meeting
) -> None:
    saved.children[0].name = "Kept \x1b[2J before"
    store.save(saved)  # as an earlier strat kept it
    assert store.load(saved.id).children[0].name == "Kept \x1b[2J before"
    assert CliRunner().invoke(app, ["show", saved.id]).exit_code == 0


def test_the_live_prompt_refuses_a_pasted_escape_and_asks_again(store: FolderStore) -> None:
    m = draft(store)
    s = Script(
        [
            ("owner", "other"),
            ("owner's name", "Kim \x1b[2JDuffy"),  # pasted with an escape sequence
            ("owner's name", "Kim Duffy"),
            ("agency", "Northshire\r\nBcc: x@y.example"),  # a line break pasted into one line
            ("agency", "Northshire Housing"),
            ("due", "today 17:00"),
            ("due thu 19 nov 2026 17:00", True),
            ("which children", ["C1"]),
            ("contingency", False),
        ],
        not_kept=["Kim \x1b[2JDuffy", "Northshire\r\nBcc: x@y.example"],  # refused as typed
    )
    action = actions.add_action(interview(m, get_agenda("national"), store, s), "Visit")
    s.done()
    assert s.said.count(f"  This answer {ONE_LINE}: type it again.") == 2
    assert (action.owner, action.agency) == ("Kim Duffy", "Northshire Housing")


def test_a_name_typed_as_an_action_reference_is_not_repeated(store: Any, saved: Meeting) -> None:
    before = store.load(saved.id)
    result = CliRunner().invoke(app, ["actions", "done", f"{saved.id}:Ruth Adeyemi"])
    line = one_error_line(result)
    assert line == "Error: not an action reference: action references look like SD-2026-0001:A3"
    assert store.load(saved.id) == before


def test_a_note_closing_an_action_refuses_an_escape(store: Any, saved: Meeting) -> None:
    before = store.load(saved.id)
    args = ["actions", "done", f"{saved.id}:A1", "--note", "seen \x1b[2J"]
    line = one_error_line(CliRunner().invoke(app, args))
    assert line == f"Error: --note: {FREE_TEXT}"
    assert store.load(saved.id) == before
