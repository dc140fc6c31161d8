"""One bad record, or one bad input file, never costs another record or the whole register
(issue 12): a file whose name and reference disagree, duplicate keys and alias bombs in answers
files, placeholder dates, a read-only or full store, a huge agenda."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.model import Meeting
from strat_cli.store import Store

OTHER = "SD-2026-0002"


def _one_error_line(result: object, *, code: int = 1) -> str:
    output = result.output  # type: ignore[attr-defined]
    assert "Traceback" not in output, output
    assert result.exit_code == code, output  # type: ignore[attr-defined]
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    return lines[0]


# --- a file whose name and reference disagree ------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["show", OTHER],
        ["show", OTHER, "--json"],
        ["actions", "done", f"{OTHER}:A1", "--note", "done"],
        ["render", OTHER, "--out", "{out}"],
        ["edit", OTHER],
        ["check", OTHER],
        ["log", OTHER],
        ["summary", OTHER],
        ["ics", OTHER, "--out", "{out}/x.ics"],
        ["amend", OTHER, "--text", "x", "--by", "Kim Osei"],
        ["authorise", OTHER, "--by", "Kim Osei", "--role", "Team manager"],
        ["resume", OTHER],
        ["email", OTHER, "--out", "{out}"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_file_whose_name_and_reference_disagree_is_refused_and_the_other_file_never_written(
    runner: CliRunner,
    store: Store,
    saved: Meeting,
    tmp_path: Path,
    args: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A copy made by hand (SD-2026-0002.json holding SD-2026-0001) must not let a command on
    one reference write the other meeting's file while holding only the first one's lock."""
    monkeypatch.setattr("strat_cli.cli._app.stdin_is_terminal", lambda: True)
    monkeypatch.setattr("strat_cli.cli.interview._need_terminal", lambda what: None)
    copy = store.path(OTHER)
    shutil.copyfile(store.path(saved.id), copy)
    original, copied = store.path(saved.id).read_bytes(), copy.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    args = [a.replace("{out}", str(out)) for a in args]
    result = runner.invoke(app, args, env={"EDITOR": "true", "VISUAL": "true"})
    line = _one_error_line(result)
    assert f"{copy}: holds {saved.id}, not {OTHER}" in line, line
    assert store.path(saved.id).read_bytes() == original
    assert copy.read_bytes() == copied
    assert list(out.iterdir()) == []


def test_strat_list_warns_about_a_file_whose_name_and_reference_disagree(
    runner: CliRunner, store: Store, saved: Meeting
) -> None:
    shutil.copyfile(store.path(saved.id), store.path(OTHER))
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    assert re.search(rf"Warning: .*{OTHER}\.json: holds {saved.id}, not {OTHER}", result.output)
