"""A file brought in from outside (`strat import`, answers and prefill files) is read once, up to
a size limit, strictly: a key written twice is refused, a folder, a pipe, /dev/zero and a number
of 5,001 digits each get one line that says what is wrong and where."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.yamlfile import MAX_FILE_BYTES

from .conftest import EXAMPLES

POSIX = os.name == "posix"
TYPICAL = (EXAMPLES / "typical.json").read_text(encoding="utf-8")


def one_error_line(result: Any) -> str:
    assert result.exit_code != 0
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: ")
    return str(line)


def test_a_key_written_twice_in_an_imported_file_is_refused(store: Any, tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    # the second "reason" would silently replace the first
    path.write_text(TYPICAL.replace('"reason": ', '"reason": "first",\n "reason": ', 1), "utf-8")
    second = (
        path.read_text("utf-8")
        .splitlines()
        .index(' "reason": ' + json.dumps(json.loads(TYPICAL)["reason"]) + ",")
        + 1
    )
    line = one_error_line(CliRunner().invoke(app, ["import", str(path)]))
    assert line == (
        f"Error: {path}: line {second}: field 'reason' appears twice; the file was left as it is"
    )
    assert not store.exists("SD-2026-0001")


def test_a_name_written_twice_as_a_key_is_not_repeated(store: Any, tmp_path: Path) -> None:
    data = json.loads(TYPICAL)
    text = json.dumps(data).replace(
        '"notes": {', '"notes": {"Ellie Marsh": "a", "Ellie Marsh": "b", '
    )
    path = tmp_path / "twice.json"
    path.write_text(text, encoding="utf-8")
    line = one_error_line(CliRunner().invoke(app, ["import", str(path)]))
    assert "a field appears twice" in line and "Ellie" not in line


def test_a_folder_is_named_as_a_folder(store: Any, tmp_path: Path) -> None:
    for args in (["import", str(tmp_path)], ["new", "--answers", str(tmp_path), "--no-input"]):
        line = one_error_line(CliRunner().invoke(app, args))
        assert line == f"Error: {tmp_path}: is a folder, not a file"


def test_a_missing_file_is_named_as_missing(store: Any, tmp_path: Path) -> None:
    line = one_error_line(CliRunner().invoke(app, ["import", str(tmp_path / "nowhere.json")]))
    assert line == f"Error: {tmp_path / 'nowhere.json'}: no such file"


@pytest.mark.skipif(not POSIX, reason="a named pipe")
def test_a_pipe_is_read_once_as_process_substitution_gives_it(store: Any, tmp_path: Path) -> None:
    fifo = tmp_path / "meeting.json"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("w", encoding="utf-8") as handle:
            handle.write(TYPICAL)

    writer = threading.Thread(target=write)
    writer.start()
    result = CliRunner().invoke(app, ["import", str(fifo)])
    writer.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert store.exists("SD-2026-0001")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_as_too_large_without_reading_it_all(store: Any) -> None:
    line = one_error_line(CliRunner().invoke(app, ["import", "/dev/zero"]))
    assert line.startswith("Error: /dev/zero: is larger than 20 MB")


@pytest.mark.parametrize("kind", ["import", "answers", "prefill"])
def test_a_file_over_the_limit_is_refused_in_one_line(
    store: Any, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / ("big.json" if kind == "import" else "big.yaml")
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    args = {
        "import": ["import", str(path)],
        "answers": ["new", "--answers", str(path), "--no-input"],
        "prefill": ["new", "--prefill", str(path)],
    }[kind]
    line = one_error_line(CliRunner().invoke(app, args))
    assert line.startswith(f"Error: {path}: is larger than 20 MB")


def test_a_number_of_5001_digits_is_named_with_its_line(store: Any, tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    text = json.dumps(json.loads(TYPICAL), indent=1)
    text = text.replace('"schema_version": 1', '"schema_version": ' + "9" * 5001, 1)
    path.write_text(text, encoding="utf-8")
    line = one_error_line(CliRunner().invoke(app, ["import", str(path)]))
    assert line == (
        f"Error: {path}: line 2: a number is too long (more than 4,300 digits); "
        "the file was left as it is"
    )
    answers = tmp_path / "long-answers.json"
    answers.write_text('{\n"agenda": "national",\n"type": ' + "1" * 5001 + "}", "utf-8")
    line = one_error_line(CliRunner().invoke(app, ["new", "--answers", str(answers), "--no-input"]))
    assert line == f"Error: {answers}: line 3: a number is too long (more than 4,300 digits)"


def test_importing_an_example_twice_says_how_to_import_it_again(store: Any) -> None:
    """A new user looking around after a first `strat new` (SD-2026-0001 taken) is told how."""
    runner = CliRunner()
    typical = EXAMPLES / "typical.json"
    assert runner.invoke(app, ["import", str(typical)]).exit_code == 0
    line = one_error_line(runner.invoke(app, ["import", str(typical)]))
    assert line.startswith("Error: SD-2026-0001 already exists in ")
    assert line.endswith(
        f"; to import it under the next free reference: strat import {typical} --new-id"
    )
    again = runner.invoke(app, ["import", str(typical), "--new-id"])
    assert again.exit_code == 0, again.output
    assert store.exists("SD-2026-0002")
