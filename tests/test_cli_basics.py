"""The command line: one error path, one line per error, --help everywhere."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.model import Meeting
from strat_cli.store import FolderStore

from .conftest import EXAMPLES


def test_every_command_has_help_with_an_example(runner: CliRunner) -> None:
    import typer.main

    group = typer.main.get_command(app)
    for name in group.commands:  # type: ignore[attr-defined]
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output, f"strat {name} --help shows no example"


def test_schema_prints_json_schema(runner: CliRunner) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "Strategy discussion record"


def test_unknown_meeting_is_one_line_and_exit_1(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "SD-2026-0404"])
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: no meeting SD-2026-0404")
    assert "Traceback" not in result.output


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_corrupt_file_message_names_the_file_and_line(
    runner: CliRunner, store: FolderStore, saved: Meeting
) -> None:
    store.path(saved.id).write_text('{"id": "SD-2026-0001",', encoding="utf-8")
    result = runner.invoke(app, ["show", saved.id])
    assert result.exit_code == 1
    assert "SD-2026-0001.json: line 1 column" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("example", ["typical.json", "large.json"])
def test_examples_import_and_show(runner: CliRunner, example: str) -> None:
    result = runner.invoke(app, ["import", str(EXAMPLES / example), "--new-id"])
    assert result.exit_code == 0, result.output
    meeting_id = result.output.split()[1]
    shown = runner.invoke(app, ["show", meeting_id])
    assert shown.exit_code == 0, shown.output
    assert "Decisions" in shown.output


def test_list_json_holds_each_meeting(runner: CliRunner, saved: Meeting) -> None:
    result = runner.invoke(app, ["list", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == [saved.id]


def test_a_reader_that_stops_early_is_not_an_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`strat new --answers … | head -1`: no traceback, no crash message; quiet exit 1, as Click
    does when the pipe breaks at its final flush."""
    import os
    import subprocess

    from .conftest import strat_executable

    env = {**os.environ, "STRAT_HOME": str(tmp_path / "home")}
    argv = [strat_executable(), "new", "--answers", str(EXAMPLES / "answers.yaml"), "--no-input"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader leaves, as `head -1` does
    _, err = proc.communicate(timeout=30)
    assert b"internal problem" not in err and b"Traceback" not in err
    assert proc.returncode in (0, 1)
