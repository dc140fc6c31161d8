"""Tidying a record after the meeting, in the minute taker's editor."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.editing import from_text, to_text
from strat_cli.errors import InputError, InvalidRecord
from strat_cli.model import Meeting
from strat_cli.store import FolderStore

from .conftest import fake_editor


def test_unchanged_text_gives_back_the_same_record(typical_meeting: Meeting) -> None:
    again, changed = from_text(to_text(typical_meeting), typical_meeting, source="t")
    assert changed == []
    assert again == typical_meeting


def test_long_notes_read_as_blocks_of_lines(typical_meeting: Meeting) -> None:
    typical_meeting.notes["legal"] = "First line.\nSecond line."
    text = to_text(typical_meeting)
    assert "legal: |-\n    First line.\n    Second line." in text
    assert "audit:" not in text and "authorisation:" not in text


def test_an_edit_names_the_fields_it_changed(typical_meeting: Meeting) -> None:
    text = to_text(typical_meeting).replace("Little Acorns Nursery", "Little Acorns Day Nursery")
    edited, changed = from_text(text, typical_meeting, source="t")
    assert changed == ["children"]
    assert edited.children[1].school == "Little Acorns Day Nursery"
    assert edited.audit == typical_meeting.audit  # history is carried over untouched


def test_a_wrong_value_names_the_field(typical_meeting: Meeting) -> None:
    text = to_text(typical_meeting).replace("outcome: s47 joint with police", "outcome: maybe")
    with pytest.raises(
        InvalidRecord, match=r"SD-2026-0001 \(edited\): field decisions\.0\.outcome"
    ):
        from_text(text, typical_meeting, source="SD-2026-0001 (edited)")


def test_broken_yaml_names_the_line(typical_meeting: Meeting) -> None:
    with pytest.raises(InputError, match=r"t: line \d+"):
        from_text("reason: [unclosed\nchair: x\n", typical_meeting, source="t")


def test_history_cannot_be_edited(typical_meeting: Meeting) -> None:
    text = to_text(typical_meeting) + "audit: []\n"
    with pytest.raises(InputError, match="audit: only strat writes this field"):
        from_text(text, typical_meeting, source="t")


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return fake_editor(tmp_path, monkeypatch)


def test_strat_edit_saves_a_tidied_record_and_audits_it(
    editor: Path, store: FolderStore, saved: Meeting
) -> None:
    import json

    editor.write_text(json.dumps([["Rita Mensah", "Rita Mensah-Cole"]]), encoding="utf-8")
    result = CliRunner().invoke(app, ["edit", saved.id])
    assert result.exit_code == 0, result.output
    assert "changed: participants" in result.output
    back = store.load(saved.id)
    assert back.participants[7].name == "Rita Mensah-Cole"
    assert (back.audit[-1].event, back.audit[-1].detail) == ("edited", "participants")


class _Declines:
    """The person at the terminal, through the prompt seam: reads what is said, answers no."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.asked: list[str] = []

    def say(self, text: str = "") -> None:
        self.said.append(text)

    def confirm(self, message: str, *, default: bool = True) -> bool:
        self.asked.append(message)
        return False


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_strat_edit_with_a_mistake_keeps_the_record_as_it_was(
    editor: Path, store: FolderStore, saved: Meeting, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    person = _Declines()
    monkeypatch.setattr("strat_cli.cli._app.terminal_prompts", lambda: person)
    before = store.path(saved.id).read_bytes()
    editor.write_text(json.dumps([["outcome: s17", "outcome: s18"]]), encoding="utf-8")
    result = CliRunner().invoke(app, ["edit", saved.id])
    assert result.exit_code == 1
    assert "field decisions.2.outcome" in person.said[0]
    assert person.asked == ["Open the editor again to put it right?"]
    (line,) = result.output.strip().splitlines()  # one error line, from the one error path
    assert line.startswith("Error: ") and "nothing saved" in line
    assert store.path(saved.id).read_bytes() == before


def test_strat_edit_refuses_an_authorised_record(
    editor: Path, store: FolderStore, saved: Meeting
) -> None:
    from datetime import datetime

    from strat_cli.model import LONDON, Authorisation

    saved.authorisation = Authorisation(
        by="Ruth Ellery", role="Service Manager", at=datetime.now(LONDON)
    )
    store.save(saved)
    result = CliRunner().invoke(app, ["edit", saved.id])
    assert result.exit_code == 1
    assert f"strat amend {saved.id}" in result.output


def test_strat_edit_without_a_terminal_says_what_to_do(store: FolderStore, saved: Meeting) -> None:
    result = CliRunner().invoke(app, ["edit", saved.id])
    assert result.exit_code == 2
    assert "needs a terminal" in result.output


def test_status_is_not_offered_for_editing(typical_meeting: Meeting) -> None:
    text = to_text(typical_meeting)
    assert "\nstatus:" not in text
    with pytest.raises(InputError, match="status: only strat writes this field"):
        from_text(text + "status: authorised\n", typical_meeting, source="t")


def test_input_that_ends_while_a_question_waits_is_one_line_not_a_crash(
    store: FolderStore, saved: Meeting, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime

    from strat_cli.model import LONDON, Authorisation

    saved.authorisation = Authorisation(
        by="Ruth Ellery", role="Service Manager", at=datetime.now(LONDON)
    )
    store.save(saved)

    class Closed:
        def text(self, message: str, **kw: object) -> str:
            raise EOFError

    monkeypatch.setattr("strat_cli.cli._app.stdin_is_terminal", lambda: True)
    monkeypatch.setattr("strat_cli.cli._app.terminal_prompts", lambda: Closed())
    result = CliRunner().invoke(app, ["amend", saved.id, "--by", "Ruth Ellery"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: the input ended before the question was answered"
    assert store.load(saved.id).amendments == []
