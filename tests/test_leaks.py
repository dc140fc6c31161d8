"""Issue 12: no child's name, no typed value and no free text leaves the record files: not in an
error message, the register's index, a calendar file, a file name or a temporary file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.errors import InvalidRecord
from strat_cli.samples import typical
from strat_cli.store import Store, parse_meeting

from .test_answers import answers, run

NAME = "Ellie Marsh"  # the first child of examples/answers.yaml


def _refused(data: dict[str, Any]) -> str:
    with pytest.raises(InvalidRecord) as caught:
        parse_meeting(json.dumps(data), "SD-2026-0001.json")
    return caught.value.message


# --- error messages -----------------------------------------------------------------------------


def test_an_unknown_key_that_is_a_childs_name_is_never_repeated() -> None:
    """`field children.0.Mia: Extra inputs` repeated the key: a name typed where a field was."""
    data = json.loads(typical().model_dump_json())
    data["children"][0]["Mia"] = "sister"
    message = _refused(data)
    assert "field children.0.(key not shown): Extra inputs" in message
    assert "Mia" not in message and "sister" not in message


def test_a_known_field_name_is_still_named() -> None:
    data = json.loads(typical().model_dump_json())
    data["children"][0]["date_of_birth"] = NAME
    message = _refused(data)
    assert "field children.0.date_of_birth" in message and "Ellie" not in message


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["notes"].update({NAME: "at school"}), "notes (key 1): not an agenda item"),
        (lambda d: d["actions"][0].update(due=f"when {NAME} is home"), "actions[0].due: cannot"),
        (lambda d: d["children"][0].update(Mia="sister"), "children[0].(key not shown): Extra"),
        (lambda d: d.update({NAME: "x"}), "top-level key 1: not a field strat knows"),
        (lambda d: d.update(ended_at=f"{NAME} left"), "ended_at: not a time"),
    ],
)
def test_answers_file_errors_name_the_place_never_the_text(
    tmp_path: Path, store: Store, change: Any, where: str
) -> None:
    data = answers()
    change(data)
    result = run(tmp_path, data)
    assert result.exit_code == 1
    assert where in result.output, result.output
    assert "Ellie" not in result.output and "Mia" not in result.output
    assert "Traceback" not in result.output


def test_actions_done_twice_never_repeats_the_completion_note(
    runner: CliRunner, store: Store
) -> None:
    store.save(typical())
    note = f"{NAME} seen alone at school"
    assert runner.invoke(app, ["actions", "done", "SD-2026-0001:A1", "--note", note]).exit_code == 0
    again = runner.invoke(app, ["actions", "done", "SD-2026-0001:A1"])
    assert again.exit_code == 1
    assert "SD-2026-0001:A1 is done, not open" in again.output
    assert "Ellie" not in again.output and "school" not in again.output


def test_a_bad_clock_time_in_an_answers_file_is_not_repeated(tmp_path: Path, store: Store) -> None:
    data = answers()
    data["participants"][2]["joined_at"] = f"when {NAME} arrived"
    result = run(tmp_path, data)
    assert result.exit_code == 1 and "participants[2].joined_at" in result.output
    assert "Ellie" not in result.output


def test_the_example_answers_file_still_loads(tmp_path: Path, store: Store) -> None:
    """The guard against the names above is not a guard against the file itself."""
    assert yaml.safe_load(yaml.safe_dump(answers()))
    assert run(tmp_path, answers()).exit_code == 0
