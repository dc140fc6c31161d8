"""Start-up: `strat` builds only the command a run uses (cli._for_this_run); what a person sees
must be exactly what the whole app gives, for every way of calling it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from strat_cli.cli import _for_this_run, app
from strat_cli.model import Meeting


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["-h"],
        ["--store", "{store}", "--help"],
        ["--store={store}", "-h"],
        ["--store", "{store}", "list"],
        ["--store={store}", "list", "--json"],
        ["list", "--help"],
        ["render", "--help"],
        ["list", "--limit", "-1"],  # a bad value: Typer's own message
        ["list", "--bogus"],
        ["lst"],  # an unknown command: Typer's suggestion
        ["--bogus", "list"],
        ["--store"],  # the folder is missing
        ["--store", "{store}"],  # no command
        ["--help", "list"],
        ["show", "SD-2026-0001"],
        ["show", "SD-2026-0404"],  # an unknown meeting: the one error line
    ],
)
def test_a_run_shows_what_the_whole_app_shows(
    runner: CliRunner, saved: Meeting, isolated_home: object, args: list[str]
) -> None:
    args = [a.replace("{store}", str(isolated_home)) for a in args]
    whole = runner.invoke(app, args)
    this_run = runner.invoke(_for_this_run(args), args)
    assert (this_run.exit_code, this_run.stdout, this_run.stderr) == (
        whole.exit_code,
        whole.stdout,
        whole.stderr,
    )


def test_a_run_builds_only_its_own_command() -> None:
    assert [c.callback.__name__ for c in _for_this_run(["list"]).registered_commands] == [  # type: ignore[union-attr]
        "list_meetings"
    ]
    assert _for_this_run(["lst"]) is app  # unknown: the whole app, for Typer's suggestion
    assert len(app.registered_commands) > 1  # the shared app itself is never narrowed
