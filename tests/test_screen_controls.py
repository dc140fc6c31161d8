"""A record's control characters never reach the terminal: an imported record whose every text
field holds escape sequences (clear the screen, a hidden link), a bell, NUL, CR and a bidi
override is shown by every command with a placeholder where each was, and the text around it."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.model import Meeting
from strat_cli.safetext import PLACEHOLDER, for_json, for_screen
from strat_cli.samples import typical

from .conftest import strat_executable
from .test_hostile import _text_slots

pytestmark = pytest.mark.folder_only(reason="what the terminal shows does not depend on the store")

# Around the controls, words that must still be shown (fictional).
BEFORE, AFTER = "Kestrel", "Wren"
HOSTILE = (
    f"{BEFORE}\x1b[2J\x1b[31m\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07\x07"
    f"\x00\r\u202e\u2066\x9b{AFTER}"
)
RAW = {
    "ESC": "\x1b",
    "BEL": "\x07",
    "NUL": "\x00",
    "CR": "\r",
    "RLO": "\u202e",
    "isolate": "\u2066",
    "CSI": "\x9b",
}


# References and codes are checked on import, not free text: they stay as they are.
NOT_TEXT = {"id", "agenda", "event", "gender", "email"}


def hostile_meeting() -> Meeting:
    """The typical example with the hostile text in every free-text field (emails too)."""
    meeting = typical()
    for obj, name in _text_slots(meeting):
        if name in NOT_TEXT or name.endswith("_id"):
            continue
        setattr(obj, name, HOSTILE)
    for p in meeting.participants:
        p.email = f"{BEFORE}\x1b]8;;http://evil.example/\x07@x\r.example{AFTER}"
    return meeting


def import_hostile(runner: CliRunner, tmp_path: Path) -> str:
    """A record already in the store holding every unsafe character: `strat import` now
    refuses them at the door, but a record saved by an older strat, or edited by hand on the
    server, may still hold them, and every screen must stay safe."""
    from strat_cli.settings import load_settings
    from strat_cli.stores import open_store

    meeting = hostile_meeting()
    open_store(load_settings()).save(meeting)
    result = runner.invoke(app, ["show", meeting.id])
    assert result.exit_code == 0, result.output
    return meeting.id


def raw_controls(text: str) -> dict[str, int]:
    return {name: text.count(char) for name, char in RAW.items() if char in text}


def test_the_sanitiser_replaces_each_unsafe_character_and_keeps_the_rest() -> None:
    shown = for_screen(HOSTILE)
    assert raw_controls(shown) == {}
    assert shown.startswith(BEFORE) and shown.endswith(AFTER)
    assert "[2J" in shown and "http://evil.example/" in shown  # visible, never acted on
    assert for_screen("line one\r\nline two\ttab") == "line one\nline two\ttab"
    assert for_screen("Amélie مرحبا 😀") == "Amélie مرحبا 😀"
    assert for_screen("\ud800") == PLACEHOLDER  # a lone surrogate would stop the print


def test_json_output_escapes_unsafe_characters_and_reads_back_the_same() -> None:
    text = json.dumps({"x": HOSTILE}, ensure_ascii=False)
    printed = for_json(text)
    assert raw_controls(printed) == {}
    assert json.loads(printed) == {"x": HOSTILE}


@pytest.mark.parametrize(
    "command",
    [
        ["show", "{id}"],
        ["show", "{id}", "--json"],
        ["list"],
        ["list", "--json"],
        ["actions"],
        ["actions", "--json"],
        ["log", "{id}"],
        ["summary", "{id}"],
        ["check", "{id}"],
        ["due"],
    ],
    ids=" ".join,
)
def test_every_listing_and_showing_command_prints_no_raw_control_character(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    meeting_id = import_hostile(runner, tmp_path)
    monkeypatch.setenv("COLUMNS", "1000")  # whole words on a line, to find them again
    result = runner.invoke(app, [part.format(id=meeting_id) for part in command])
    assert result.exit_code in (0, 1), result.output[-500:]  # check: 1 for errors found
    assert raw_controls(result.output) == {}
    if command[0] in ("show", "actions", "log", "summary"):
        assert BEFORE in result.output and AFTER in result.output


def test_show_keeps_the_text_around_each_control_with_a_placeholder_where_it_was(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting_id = import_hostile(runner, tmp_path)
    monkeypatch.setenv("COLUMNS", "1000")
    result = runner.invoke(app, ["show", meeting_id])
    assert f"{BEFORE}{PLACEHOLDER}[2J{PLACEHOLDER}[31m{PLACEHOLDER}]8;;http://evil" in result.output


def test_a_warning_quoting_a_record_shows_no_raw_control_character(
    runner: CliRunner, tmp_path: Path
) -> None:
    """`email` names the participants it leaves out: the hyperlink, bell and CR in an address
    and a name are not sent to the terminal."""
    meeting_id = import_hostile(runner, tmp_path)
    result = runner.invoke(app, ["email", meeting_id, "--out", str(tmp_path / "out")])
    assert "not a valid email address, left out:" in result.stderr
    assert raw_controls(result.stderr) == {}
    assert raw_controls(result.stdout) == {}
    assert BEFORE in result.stderr and AFTER in result.stderr


def test_an_error_message_is_cleaned_like_any_other_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", "SD-2026-0001\x1b[2J\u202e"])
    assert result.exit_code != 0
    assert result.stderr.startswith("Error: ")
    assert raw_controls(result.stderr) == {}


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize("command", [["show", "{id}"], ["actions"], ["log", "{id}"]], ids=" ".join)
def test_in_a_real_terminal_no_raw_control_character_reaches_the_screen(
    runner: CliRunner, tmp_path: Path, isolated_home: Path, command: list[str]
) -> None:
    """rich styles its output for a terminal (its own escapes, which are fine); the record's are
    not among them: no screen clear, no hyperlink, no bell, NUL, bare CR or bidi override."""
    pexpect = pytest.importorskip("pexpect")
    meeting_id = import_hostile(runner, tmp_path)
    environ = dict(os.environ, STRAT_HOME=str(isolated_home), TERM="xterm-256color")
    child = pexpect.spawn(
        strat_executable(),
        [part.format(id=meeting_id) for part in command],
        env=environ,
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 250),
    )
    shown = io.StringIO()
    child.logfile_read = shown
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, shown.getvalue()[-500:]
    screen = shown.getvalue()
    assert "\x1b" in screen  # a terminal: rich did style it
    assert "\x1b[2J" not in screen and "\x1b]8;;http://evil" not in screen
    on_screen = screen.replace("\r\n", "\n")  # the terminal's own line ends
    assert {k: v for k, v in raw_controls(on_screen).items() if k != "ESC"} == {}
    assert BEFORE in screen and AFTER in screen


def test_the_live_walk_shows_a_kept_records_controls_as_placeholders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`strat resume` says and asks with text from the record (a name in a question, an action
    carried on): a record kept before the entry checks must not repaint the chair's terminal."""
    from strat_cli.prompts import TerminalPrompts

    out = io.StringIO()
    p = TerminalPrompts(out=out)
    asked: list[Any] = []

    class Asked:
        def unsafe_ask(self) -> str:
            return "C1"

    def question(message: str, **options: Any) -> Asked:
        asked.append((message, [c.title for c in options.get("choices", [])]))
        return Asked()

    monkeypatch.setattr(p._q, "text", question)
    monkeypatch.setattr(p._q, "select", question)
    p.say(f"  Carrying on: {HOSTILE}")
    p.text(f"{HOSTILE}: email")
    p.select("Owner", [("C1", f"C1 {HOSTILE}")])
    shown = out.getvalue() + repr(asked)
    assert raw_controls(out.getvalue()) == {}
    assert all(raw_controls(m) == {} and all(raw_controls(t) == {} for t in ts) for m, ts in asked)
    assert BEFORE in shown and AFTER in shown
