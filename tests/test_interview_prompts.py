"""The terminal side of the prompt seam, driven in-process through prompt_toolkit pipe input."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from strat_cli.prompts import TerminalPrompts


@pytest.fixture
def keys() -> Iterator[tuple[TerminalPrompts, object]]:
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield TerminalPrompts(toolbar=" /help", out=io.StringIO()), pipe


def test_multiline_finishes_on_an_empty_line(keys: tuple[TerminalPrompts, object]) -> None:
    p, pipe = keys
    pipe.send_text("First line\rsecond line\r\r")  # type: ignore[attr-defined]
    assert p.multiline("Notes") == "First line\nsecond line"


def test_multiline_finishes_on_a_command_line(keys: tuple[TerminalPrompts, object]) -> None:
    p, pipe = keys
    pipe.send_text("Kept text\r/goto 3\r")  # type: ignore[attr-defined]
    assert p.multiline("Notes") == "Kept text\n/goto 3"


def test_multiline_keeps_the_default(keys: tuple[TerminalPrompts, object]) -> None:
    p, pipe = keys
    pipe.send_text("\r\r")  # type: ignore[attr-defined]
    assert p.multiline("Notes", default="Earlier notes") == "Earlier notes"


def test_ctrl_c_raises_keyboard_interrupt(keys: tuple[TerminalPrompts, object]) -> None:
    p, pipe = keys
    pipe.send_text("half typed\x03")  # type: ignore[attr-defined]
    with pytest.raises(KeyboardInterrupt):
        p.text("Reason")


def test_ctrl_c_in_a_list_raises_too(keys: tuple[TerminalPrompts, object]) -> None:
    p, pipe = keys
    pipe.send_text("\x03")  # type: ignore[attr-defined]
    with pytest.raises(KeyboardInterrupt):
        p.select("Outcome", [("a", "A"), ("b", "B")])


def test_select_by_shortcut_and_default(keys: tuple[TerminalPrompts, object]) -> None:
    p, pipe = keys
    pipe.send_text("3\r")  # type: ignore[attr-defined]
    assert p.select("How", [("x", "X"), ("y", "Y"), ("z", "Z")]) == "z"
    pipe.send_text("\r")  # type: ignore[attr-defined]
    assert p.select("How", [("x", "X"), ("y", "Y"), ("z", "Z")], default="y") == "y"


def test_text_validation_shows_the_problem_and_waits(keys: tuple[TerminalPrompts, object]) -> None:
    p, pipe = keys
    pipe.send_text("bad\r\x7f\x7f\x7fgood\r")  # type: ignore[attr-defined]
    assert p.text("Due", validate=lambda t: None if t == "good" else "not good") == "good"


def test_checkbox_and_confirm(keys: tuple[TerminalPrompts, object]) -> None:
    p, pipe = keys
    pipe.send_text(" \x1b[B \r")  # type: ignore[attr-defined]
    assert p.checkbox("Children", [("C1", "Ellie"), ("C2", "Noah")]) == ["C1", "C2"]
    pipe.send_text("n")  # type: ignore[attr-defined]
    assert p.confirm("Contingency?", default=True) is False


def test_long_notes_can_be_written_in_the_chairs_own_editor(tmp_path: Path) -> None:
    """$EDITOR gets the text so far in a file and what it saves comes back."""
    import sys

    from strat_cli.prompts import edit_in_editor

    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        "text = open(path, encoding='utf-8').read()\n"
        "open(path, 'w', encoding='utf-8').write(text + '\\nSecond line, from the editor.\\n')\n",
        encoding="utf-8",
    )
    got = edit_in_editor("First line.", env={"EDITOR": f'"{sys.executable}" "{editor}"'})
    assert got == "First line.\nSecond line, from the editor."


def test_a_missing_editor_is_named_so_the_user_can_set_one() -> None:
    from strat_cli.errors import InputError
    from strat_cli.prompts import edit_in_editor

    with pytest.raises(InputError, match="cannot start the editor 'no-such-editor-here'"):
        edit_in_editor("Kept.", env={"EDITOR": "no-such-editor-here"})
