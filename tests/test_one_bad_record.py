"""One bad record, or one bad input file, never costs another record or the whole register
(issue 12): a file whose name and reference disagree, duplicate keys and alias bombs in answers
files, placeholder dates, a read-only or full store, a huge agenda."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from strat_cli.agenda import load_agenda
from strat_cli.answers import apply_prefill, load_file
from strat_cli.cli import app
from strat_cli.editing import from_text, to_text
from strat_cli.errors import AgendaError, InputError
from strat_cli.model import LONDON, Meeting
from strat_cli.store import Store

from .conftest import EXAMPLES

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


# --- answers and prefill files are read strictly ----------------------------------------------


def _answers_with_a_second_actions_block() -> str:
    text = (EXAMPLES / "answers.yaml").read_text(encoding="utf-8")
    return text + "\nactions:\n  - {what: Visit, owner: Sam Whitlow, due: 1 working day}\n"


def test_a_second_actions_block_in_an_answers_file_is_refused_with_its_line(
    runner: CliRunner, store: Store, tmp_path: Path
) -> None:
    """yaml.safe_load keeps the second block and drops the first: six actions gone, silently."""
    path = tmp_path / "answers.yaml"
    text = _answers_with_a_second_actions_block()
    path.write_text(text, encoding="utf-8")
    line_no = text.splitlines().index("actions:", text.splitlines().index("actions:") + 1) + 1
    result = runner.invoke(app, ["new", "--answers", str(path), "--no-input"])
    line = _one_error_line(result)
    assert line == f"Error: {path}: line {line_no}: field 'actions' appears twice", line
    assert store.ids() == []


def test_a_repeated_field_in_a_json_answers_file_is_refused(
    runner: CliRunner, store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "answers.json"
    path.write_text('{"agenda": "national", "reason": "a", "reason": "b"}', encoding="utf-8")
    result = runner.invoke(app, ["new", "--answers", str(path), "--no-input"])
    assert "a field appears twice" in _one_error_line(result)
    assert store.ids() == []


def test_a_repeated_field_in_a_prefill_is_refused_with_its_line(
    runner: CliRunner, store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "prefill.yaml"
    path.write_text("agenda: national\nreason: a\nreason: b\n", encoding="utf-8")
    result = runner.invoke(app, ["new", "--prefill", str(path)])
    assert _one_error_line(result) == f"Error: {path}: line 3: field 'reason' appears twice"
    assert store.ids() == []


def test_a_repeated_name_that_is_not_a_field_name_is_not_echoed(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("notes:\n  Ellie Marsh: a\n  Ellie Marsh: b\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_file(path)
    assert caught.value.message == f"{path}: line 3: a field appears twice"


def _alias_bomb() -> str:
    """A few KB that expand to 10**30 values if aliases are followed without bound."""
    lines = ["agenda: national", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 30):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    lines.append("notes: {strategy_reason: *a29}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("option", ["--answers", "--prefill"])
def test_nested_aliases_in_an_answers_or_prefill_file_fail_fast_with_one_line(
    runner: CliRunner, store: Store, tmp_path: Path, option: str
) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb(), encoding="utf-8")
    assert path.stat().st_size < 6000
    args = ["new", option, str(path)] + (["--no-input"] if option == "--answers" else [])
    result = runner.invoke(app, args)
    line = _one_error_line(result)
    assert re.fullmatch(
        rf"Error: {re.escape(str(path))}: line \d+: the file expands to more than 200,000 values"
        r" \(aliases repeated\?\)",
        line,
    ), line
    assert store.ids() == []


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("notes: &a [*a]\n", encoding="utf-8")
    with pytest.raises(InputError, match="expands to more than"):
        load_file(path)


def test_an_agenda_with_nested_aliases_fails_fast_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb().replace("notes:", "items:"), encoding="utf-8")
    with pytest.raises(AgendaError, match=r"bomb\.yaml: line \d+: the file expands to more"):
        load_agenda(path)


@pytest.mark.parametrize("key", ["actions", "decisions", "notes", "started_at"])
def test_a_prefill_never_silently_drops_a_field_of_the_meeting(
    runner: CliRunner, store: Store, tmp_path: Path, key: str
) -> None:
    """A prefill with `actions:` used to be accepted and the actions dropped without a word."""
    path = tmp_path / "prefill.yaml"
    path.write_text(f"agenda: national\n{key}: []\n", encoding="utf-8")
    result = runner.invoke(app, ["new", "--prefill", str(path)])
    assert _one_error_line(result) == (
        f"Error: {path}: {key}: a prefill holds only what is known before the call; record it "
        "in the meeting, or build the whole meeting with --answers FILE"
    )
    assert store.ids() == []


def test_an_unknown_field_in_a_prefill_is_named_unless_it_may_be_typed_text(
    tmp_path: Path,
) -> None:
    m = Meeting(id="SD-2026-0001", agenda="national", started_at=datetime.now(LONDON))
    with pytest.raises(InputError, match=r"^p: chidren: not a field strat knows"):
        apply_prefill({"chidren": []}, m, source="p")
    with pytest.raises(InputError) as caught:
        apply_prefill({"Ellie Marsh": 7}, m, source="p")
    assert "Ellie" not in caught.value.message


def test_a_field_written_twice_in_strat_edit_is_refused_with_its_line(saved: Meeting) -> None:
    text = to_text(saved) + "reason: second\n"
    line_no = len(text.splitlines())
    with pytest.raises(InputError) as caught:
        from_text(text, saved, source="SD-2026-0001 (edited)")
    assert caught.value.message == (
        f"SD-2026-0001 (edited): line {line_no}: field 'reason' appears twice"
    )
