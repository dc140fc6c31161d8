"""One bad record, or one bad input file, never costs another record or the whole register
(issue 12): a file whose name and reference disagree, duplicate keys and alias bombs in answers
files, placeholder dates, a read-only or full store, a huge agenda."""

from __future__ import annotations

import copy
import errno
import json
import os
import re
import shutil
import sqlite3
import tempfile
import types
import typing
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from typer.testing import CliRunner

from strat_cli import agenda as agenda_module
from strat_cli import index as index_module
from strat_cli.agenda import NoSuchAgenda, get_agenda, load_agenda
from strat_cli.answers import apply_prefill, load_file
from strat_cli.cli import app
from strat_cli.editing import from_text, to_text
from strat_cli.errors import AgendaError, InputError, InvalidRecord
from strat_cli.index import Index
from strat_cli.interview import parse_day
from strat_cli.model import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    LONDON,
    ActionReview,
    Amendment,
    Authorisation,
    CirculationEntry,
    Meeting,
    Pending,
    PoliceAgreement,
)
from strat_cli.register import (
    ActionFilter,
    MeetingFilter,
    due_meetings,
    list_meetings,
    open_actions,
)
from strat_cli.resources import shipped_dir
from strat_cli.rules import parse_clock
from strat_cli.samples import typical
from strat_cli.store import FolderStore, describe_validation_error
from strat_cli.views import sorted_actions

from .conftest import EXAMPLES
from .test_interview import Script, at_reason, interview, notes_agenda

ID, OTHER = "SD-2026-0001", "SD-2026-0002"


def _one_error_line(result: object, *, code: int = 1) -> str:
    output = result.output  # type: ignore[attr-defined]
    assert "Traceback" not in output, output
    assert result.exit_code == code, output  # type: ignore[attr-defined]
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    return str(lines[0])


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
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_file_whose_name_and_reference_disagree_is_refused_and_the_other_file_never_written(
    runner: CliRunner,
    store: FolderStore,
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


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_strat_list_warns_about_a_file_whose_name_and_reference_disagree(
    runner: CliRunner, store: FolderStore, saved: Meeting
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
    runner: CliRunner, store: FolderStore, tmp_path: Path
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
    runner: CliRunner, store: FolderStore, tmp_path: Path
) -> None:
    path = tmp_path / "answers.json"
    path.write_text('{"agenda": "national", "reason": "a", "reason": "b"}', encoding="utf-8")
    result = runner.invoke(app, ["new", "--answers", str(path), "--no-input"])
    assert _one_error_line(result) == f"Error: {path}: line 1: field 'reason' appears twice"
    assert store.ids() == []


def test_a_repeated_field_in_a_prefill_is_refused_with_its_line(
    runner: CliRunner, store: FolderStore, tmp_path: Path
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
    runner: CliRunner, store: FolderStore, tmp_path: Path, option: str
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
    runner: CliRunner, store: FolderStore, tmp_path: Path, key: str
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


def test_a_date_that_does_not_exist_written_without_quotes_is_refused_by_its_line(
    runner: CliRunner, store: FolderStore, saved: Meeting, tmp_path: Path
) -> None:
    """PyYAML reads `2019-02-29` itself and raised a bare ValueError: strat edit crashed (and
    the edit was lost), answers and prefill files said only 'cannot be used'."""
    answers = tmp_path / "answers.yaml"
    answers.write_text("agenda: national\nreason: a\nchildren:\n  - {date_of_birth: 2019-02-29}\n")
    result = runner.invoke(app, ["new", "--answers", str(answers), "--no-input"])
    assert _one_error_line(result) == f"Error: {answers}: line 4: not a real date or time"
    prefill = tmp_path / "prefill.yaml"
    prefill.write_text("agenda: national\nreferral_received_at: 2026-02-30 09:10:00\n")
    result = runner.invoke(app, ["new", "--prefill", str(prefill)])
    assert _one_error_line(result) == f"Error: {prefill}: line 2: not a real date or time"
    assert store.ids() == [saved.id]
    lines = to_text(saved).splitlines()
    line_no = next(n for n, line in enumerate(lines, 1) if line.startswith("started_at:"))
    lines[line_no - 1] = "started_at: 2026-02-30 10:00:00"
    with pytest.raises(InputError) as caught:
        from_text("\n".join(lines), saved, source="SD-2026-0001 (edited)")
    assert caught.value.message == f"SD-2026-0001 (edited): line {line_no}: not a real date or time"


# --- placeholder and extreme dates ---------------------------------------------------------------


def _date_paths(
    cls: type[BaseModel], prefix: tuple[str | int, ...] = ()
) -> Iterator[tuple[str | int, ...]]:
    """Every date and datetime field of the record, found by walking the model (a list's
    items as index 0), so a field added later is covered without touching this test."""
    for name, info in cls.model_fields.items():
        yield from _walk(info.annotation, (*prefix, name))


def _walk(tp: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        yield from _walk(typing.get_args(tp)[0], path)
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            yield from _walk(arg, path)
    elif origin is list:
        yield from _walk(typing.get_args(tp)[0], (*path, 0))
    elif isinstance(tp, type) and issubclass(tp, BaseModel):
        yield from _date_paths(tp, path)
    elif tp in (date, datetime):
        yield path


DATE_PATHS = sorted(set(_date_paths(Meeting)), key=str)


def _full_record() -> dict[str, Any]:
    """The typical meeting with every optional part that holds a date filled in."""
    m = typical()
    at = m.started_at
    m.decisions[0].police_agreement = PoliceAgreement(officer="DS Priya Lamb", agreed=True, at=at)
    m.reviewed_actions.append(
        ActionReview(
            ref="SD-2025-0001:A1", what="Visit", owner="Sam Whitlow", outcome="done", at=at
        )
    )
    m.circulation.append(CirculationEntry(at=at, method="smtp", delivered=["a@b.example"]))
    m.amendments.append(Amendment(at=at, by="Kim Osei", text="A correction."))
    m.authorisation = Authorisation(by="Kim Osei", role="Team manager", at=at)
    agreed = PoliceAgreement(officer="DS Priya Lamb", agreed=True, at=at)
    m.progress.pending.append(Pending(kind="decision", child_ids=["C1"], police_agreement=agreed))
    return m.model_dump(mode="json")


def _set(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    node: Any = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def test_the_full_record_holds_every_date_field_of_the_model() -> None:
    """Otherwise the hypothesis test below would not reach a new field: add it to _full_record."""
    data = _full_record()
    for path in DATE_PATHS:
        _set(copy.deepcopy(data), path, "2026-11-19")
    assert len(DATE_PATHS) >= 23


EXTREME_YEARS = st.one_of(st.integers(1, EARLIEST_YEAR - 1), st.integers(LATEST_YEAR + 1, 9999))


def _extreme(
    path: tuple[str | int, ...], year: int, draw_time: datetime, offset: str = "+00:00"
) -> str:
    is_date = path[-1] in ("date_of_birth", "expected_date")
    day = date(year, draw_time.month, min(draw_time.day, 28))
    return day.isoformat() if is_date else f"{day.isoformat()}T{draw_time:%H:%M}:00{offset}"


def _store_with_a_bad_second_record(home: Path, data: dict[str, Any]) -> FolderStore:
    store = FolderStore(home)
    store.ensure()
    store.save(typical())
    data["id"] = OTHER
    store.path(OTHER).write_text(json.dumps(data), encoding="utf-8")
    return store


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    path=st.sampled_from(DATE_PATHS),
    year=st.one_of(st.sampled_from([1, 1753, 1899, 2101, 9999]), EXTREME_YEARS),
    moment=st.datetimes(datetime(2000, 1, 1), datetime(2000, 12, 31, 23, 59)),
    offset=st.sampled_from(["+00:00", "-05:00", "+14:00", "-23:59", "Z"]),
)
def test_any_date_field_with_an_extreme_value_is_refused_at_entry_and_never_breaks_the_register(
    tmp_path_factory: pytest.TempPathFactory,
    path: tuple[str | int, ...],
    year: int,
    moment: datetime,
    offset: str,
) -> None:
    """Entry (answers, prefill, import, edit, prompts: all validate without STORED) refuses the
    date naming the field, never the value; a record saved before the check still reads, and
    the register's index, listings and deadlines go on past it."""
    value = _extreme(path, year, moment, offset)
    data = _full_record()
    _set(data, path, value)
    where = ".".join(str(p) for p in path)
    with pytest.raises(ValidationError) as caught:
        Meeting.model_validate(data)
    message = describe_validation_error(caught.value, "f")
    assert message.startswith(f"f: field {where}: "), (where, message)
    assert value[:10] not in message
    store = _store_with_a_bad_second_record(tmp_path_factory.mktemp("store"), data)
    try:
        store.load(OTHER)  # kept as saved, or one named fault (a time beyond the calendar)
    except InvalidRecord as exc:
        assert exc.message.startswith(f"{store.path(OTHER)}: field {where}: "), exc.message
    index = Index(store.root, [])
    now = datetime(2026, 11, 20, 9, 0, tzinfo=LONDON)
    try:
        index.rebuild()
        index.complete()
        list_meetings(index, MeetingFilter())
        open_actions(index, ActionFilter(), now)
        due_meetings(index, now)
    finally:
        index.close()


@pytest.mark.parametrize("year", [9999, 1])
@pytest.mark.parametrize(
    "where",
    [
        "concern_identified_at",
        "started_at",
        "ended_at",
        "s47_started_at",
        "next_discussion",
        "circulation.0.at",
        "actions.0.due",
        "children.0.date_of_birth",
    ],
)
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_placeholder_date_saved_earlier_never_breaks_a_command_on_the_register(
    runner: CliRunner, tmp_path: Path, where: str, year: int
) -> None:
    """31/12/9999 in one record used to make list, due, actions, show of any meeting and
    reindex exit 70 (OverflowError counting its deadlines)."""
    path = tuple(int(p) if p.isdigit() else p for p in where.split("."))
    data = _full_record()
    _set(data, path, _extreme(path, year, datetime(2000, 12, 31, 10, 0)))
    store = _store_with_a_bad_second_record(tmp_path / "store", data)
    env = {"STRAT_HOME": str(store.root)}
    for args in (["list"], ["due"], ["actions"], ["show", "SD-2026-0001"], ["reindex"]):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, (args, result.output)
        assert "internal problem" not in result.output
    for args in (["show", OTHER], ["check", OTHER], ["ics", OTHER], ["summary", OTHER]):
        result = runner.invoke(app, args, env=env)
        assert "internal problem" not in result.output and "Traceback" not in result.output
        lines = result.output.strip().splitlines()
        if result.exit_code != 0 and not (args[0] == "check" and "error(s)" in lines[-1]):
            assert result.exit_code == 1 and len(lines) == 1, (args, result.output)
            assert OTHER in result.output


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_placeholder_date_is_named_by_due_and_reindex_and_the_record_is_shown(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = _full_record()
    data["authorisation"] = None
    data["status"] = "ended"
    data["concern_identified_at"] = "9999-12-31T10:00:00+00:00"
    store = _store_with_a_bad_second_record(tmp_path / "store", data)
    env = {"STRAT_HOME": str(store.root)}
    named = (
        f"{OTHER}: deadlines not counted: field concern_identified_at is outside the years "
        f"1900-2100 (a placeholder for 'no date'? leave it empty); correct it with: "
        f"strat edit {OTHER}"
    )
    for args in (["due"], ["reindex"]):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0 and f"Warning: {named}" in result.output, result.output
    result = runner.invoke(app, ["show", OTHER], env=env)
    assert result.exit_code == 0 and "Warning: deadlines not counted" in result.output
    result = runner.invoke(app, ["check", OTHER], env=env)
    assert _one_error_line(result) == f"Error: {named.removeprefix(OTHER + ': ')}"


ANSWERS_TEXT = (EXAMPLES / "answers.yaml").read_text(encoding="utf-8")
NEXT_YEAR = datetime.now(LONDON).year + 1


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('concern_identified_at: "2026-11-19 09:10"', 'concern_identified_at: "31/12/9999 10:00"',
         "concern_identified_at: that date is outside the years 1900-2100"),
        ('concern_identified_at: "2026-11-19 09:10"', "concern_identified_at: 0001-01-01 10:00:00",
         "concern_identified_at: is outside the years 1900-2100"),
        ('started_at: "2026-11-19 10:00"', 'started_at: "31/12/9999 10:00"',
         "started_at: that date is outside the years 1900-2100"),
        ("date_of_birth: 2019-03-14", "date_of_birth: 9999-12-31",
         "children[0].date_of_birth: is outside the years 1900-2100"),
        ("date_of_birth: 2019-03-14", f"date_of_birth: {NEXT_YEAR}-03-14",
         "children[0].date_of_birth: is in the future"),
        ("due: today 16:00", 'due: "31/12/9999 17:00"', "actions[0].due: the due time"),
    ],
    ids=["concern 9999", "concern year 1", "started 9999", "birth 9999", "birth next year",
         "due 9999"],
)  # fmt: skip
def test_a_placeholder_date_in_an_answers_file_is_refused_with_one_line(
    runner: CliRunner, store: FolderStore, tmp_path: Path, old: str, new: str, where: str
) -> None:
    assert old in ANSWERS_TEXT
    path = tmp_path / "answers.yaml"
    path.write_text(ANSWERS_TEXT.replace(old, new, 1), encoding="utf-8")
    result = runner.invoke(app, ["new", "--answers", str(path), "--no-input"])
    line = _one_error_line(result)
    assert line.startswith(f"Error: {path}: {where}"), line
    assert store.ids() == []


def test_a_placeholder_date_in_a_prefill_is_refused_before_a_reference_is_taken(
    runner: CliRunner, store: FolderStore, tmp_path: Path
) -> None:
    path = tmp_path / "prefill.yaml"
    path.write_text('agenda: national\nconcern_identified_at: "31/12/9999 09:00"\n', "utf-8")
    result = runner.invoke(app, ["new", "--prefill", str(path)])
    assert _one_error_line(result).startswith(
        f"Error: {path}: concern_identified_at: that date is outside the years 1900-2100"
    )
    assert store.ids() == []


def test_importing_a_file_with_a_placeholder_date_is_refused_with_one_line(
    runner: CliRunner, store: FolderStore, tmp_path: Path
) -> None:
    data = typical().model_dump(mode="json")
    data["children"][0]["date_of_birth"] = "9999-12-31"
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["import", str(path)])
    assert _one_error_line(result) == (
        f"Error: {path}: field children.0.date_of_birth: is outside the years "
        "1900-2100 (a placeholder for 'no date'? leave it empty)"
    )
    assert store.ids() == []


def test_strat_edit_refuses_a_placeholder_date(saved: Meeting) -> None:
    text = re.sub(
        r"^concern_identified_at: .*$",
        "concern_identified_at: '9999-12-31T10:00:00'",
        to_text(saved),
        flags=re.MULTILINE,
    )
    assert "9999" in text
    with pytest.raises(InvalidRecord, match=r"field concern_identified_at: .*1900-2100"):
        from_text(text, saved, source="edited")


@pytest.mark.parametrize("typed", ["31/12/9999 10:00", "01/01/0001 10:00", "9999-12-31T10:00"])
def test_the_live_prompt_refuses_a_placeholder_time(typed: str) -> None:
    with pytest.raises(InputError, match=r"^that date is outside the years 1900-2100"):
        parse_clock(typed, date(2026, 11, 19))


def test_the_live_prompt_refuses_a_placeholder_or_future_date_of_birth() -> None:
    with pytest.raises(InputError, match=r"^that date is outside the years 1900-2100"):
        parse_day("31/12/9999", born=True)
    with pytest.raises(InputError, match=r"^a date of birth cannot be in the future"):
        parse_day(f"01/01/{NEXT_YEAR}", born=True)
    assert parse_day(f"01/01/{NEXT_YEAR}") == date(NEXT_YEAR, 1, 1)  # an expected date


# --- a read-only store, a full disk ------------------------------------------------------------


def _read_only_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """A store on a read-only volume, simulated so it also holds as root (who writes through
    chmod): the index opens read-only, and no file can be created or replaced."""
    real_connect = sqlite3.connect
    real_open = os.open

    def connect(where: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if str(where) == ":memory:":
            conn: sqlite3.Connection = real_connect(where, *args, **kwargs)
            return conn
        conn = real_connect(f"file:{where}?mode=ro", *args, uri=True, **kwargs)
        return conn

    def read_only_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_CREAT | os.O_WRONLY | os.O_RDWR):
            raise OSError(errno.EROFS, "Read-only file system", path)
        return real_open(path, flags, *args, **kwargs)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(sqlite3, "connect", connect)
    monkeypatch.setattr(os, "open", read_only_open)
    monkeypatch.setattr(tempfile, "mkstemp", refuse)


def _changed_outside_strat(store: FolderStore, meeting_id: str) -> None:
    """A file changed since the index last saw it: a listing must re-read it."""
    path = store.path(meeting_id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["reason"] = "Changed by hand."
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [["list"], ["due"], ["actions"], ["show", "SD-2026-0001"], ["list", "--json"]],
    ids=" ".join,
)
@pytest.mark.parametrize("index", ["current", "stale", "missing", "without deadlines"])
@pytest.mark.folder_only(reason="a full disk or read-only folder under the folder store")
def test_reading_commands_work_on_a_read_only_store(
    runner: CliRunner,
    store: FolderStore,
    saved: Meeting,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    index: str,
) -> None:
    store.save(typical(OTHER))
    assert runner.invoke(app, ["reindex"]).exit_code == 0
    if index == "stale":
        _changed_outside_strat(store, OTHER)
    elif index == "missing":
        (store.root / "index.sqlite").unlink()
    elif index == "without deadlines":  # rows read outside a save: `due` fills them in
        with sqlite3.connect(store.root / "index.sqlite") as conn:
            conn.execute("UPDATE meetings SET deadlines_ok = 0")
        conn.close()
    before = {p: p.read_bytes() for p in store.meetings.iterdir() if p.is_file()}
    _read_only_store(monkeypatch)
    result = runner.invoke(app, args)
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    assert "internal problem" not in result.output and "Traceback" not in result.output
    if args == ["list", "--json"]:
        assert OTHER in result.output
    if (index == "stale" and args[0] != "show") or (index, args) == ("without deadlines", ["due"]):
        # said once, on stderr, by the listings
        assert result.output.count("cannot be updated (the store is read-only") == 1
    assert {p: p.read_bytes() for p in store.meetings.iterdir() if p.is_file()} == before


@pytest.mark.folder_only(reason="a full disk or read-only folder under the folder store")
def test_reindex_on_a_read_only_store_is_one_line(
    runner: CliRunner, store: FolderStore, saved: Meeting, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(app, ["reindex"]).exit_code == 0
    _read_only_store(monkeypatch)
    result = runner.invoke(app, ["reindex"])
    monkeypatch.undo()
    line = _one_error_line(result)
    assert line.startswith(f"Error: {store.root / 'index.sqlite'}: ") and "read-only" in line


@pytest.mark.folder_only(reason="a full disk or read-only folder under the folder store")
def test_reindex_on_a_full_disk_is_one_line_and_the_old_index_still_answers(
    runner: CliRunner, store: FolderStore, saved: Meeting, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills while reindex writes: SQLite says 'database or disk is full' and has
    rolled back already, so a second ROLLBACK used to hide it behind an internal error."""
    assert runner.invoke(app, ["reindex"]).exit_code == 0  # a small index
    for n in range(2, 40):  # files the index has not seen (a Store made here has no save hook)
        store.save(typical(f"SD-2026-{n:04d}"))
    real_connect = sqlite3.connect

    def full(where: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn: sqlite3.Connection = real_connect(where, *args, **kwargs)
        if str(where) != ":memory:":
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages}")  # no room to grow
        return conn

    monkeypatch.setattr(sqlite3, "connect", full)
    result = runner.invoke(app, ["reindex"])
    line = _one_error_line(result)
    assert "the disk is full" in line, line
    listed = runner.invoke(app, ["list", "--json"])
    monkeypatch.undo()
    assert listed.exit_code == 0 and "SD-2026-0039" in listed.output, listed.output


# --- odd digits in the live meeting ------------------------------------------------------------


@pytest.mark.parametrize("typed", ["²", "³", "①", "9²", "1½"])
def test_goto_with_a_character_that_only_looks_like_a_digit_is_one_line_not_a_crash(
    store: FolderStore, typed: str
) -> None:
    """`'²'.isdigit()` is True but `int('²')` fails: the live meeting used to exit 70."""
    agenda = notes_agenda(get_agenda("national"))
    m = at_reason(store)
    s = Script([("reason", f"/goto {typed}"), ("reason", KeyboardInterrupt)])
    with pytest.raises(KeyboardInterrupt):
        interview(m, agenda, store, s).run()
    assert "No such item: items are numbered 1 to 6." in s.screen  # never what was typed


def test_goto_with_another_scripts_digits_goes_to_that_item(store: FolderStore) -> None:
    agenda = notes_agenda(get_agenda("national"))
    m = at_reason(store)
    s = Script([("reason", "/goto ٣"), ("criminal", KeyboardInterrupt)])  # Arabic-Indic 3
    with pytest.raises(KeyboardInterrupt):
        interview(m, agenda, store, s).run()


def test_ids_with_superscript_digits_never_stop_numbering_or_sorting() -> None:
    m = typical()
    m.actions[0].id = "A²"
    assert m.next_id("C", ["C²", "C2"]) == "C3"
    assert [a.id for a in sorted_actions(m)]  # no ValueError


# --- a huge or broken agenda in the council's folder ---------------------------------------------

SMALL_AGENDA = (
    "id: {id}\nname: {id}\nitems:\n"
    "  - {{key: attendance, title: Attendance, kind: attendance}}\n"
    "  - {{key: decisions, title: Decisions, kind: decisions}}\n"
    "  - {{key: actions, title: Actions, kind: actions}}\n"
)


def _huge_agenda(items: int) -> str:
    rows = "".join(f"  - {{key: item_{n}, title: Item {n}}}\n" for n in range(items))
    return SMALL_AGENDA.format(id="huge") + rows


def _council_folder(tmp_path: Path, home: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "council"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'[agendas]\nfolder = "{folder.as_posix()}"\n', "utf-8")
    return folder


def test_an_agenda_of_10000_items_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(_huge_agenda(10_000), encoding="utf-8")
    with pytest.raises(AgendaError) as caught:
        load_agenda(path)
    assert re.fullmatch(
        rf"{re.escape(str(path))}: \d+ KB is too big for an agenda \(at most 256 KB\)",
        caught.value.message,
    ), caught.value.message


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ("".join(f"  - {{key: item_{n}, title: Item {n}}}\n" for n in range(300)), "items"),
        ("  - {key: long, title: " + "x" * 400 + "}\n", "item 4 (long), title"),
        ("  - {key: long, title: T, guidance: " + "x" * 6000 + "}\n", "item 4 (long), guidance"),
    ],
    ids=["300 items", "long title", "long guidance"],
)
def test_agenda_sizes_are_checked_with_one_line_naming_the_place(
    tmp_path: Path, extra: str, where: str
) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(SMALL_AGENDA.format(id="big") + extra, encoding="utf-8")
    with pytest.raises(AgendaError, match=rf"^{re.escape(str(path))}: {re.escape(where)}: "):
        load_agenda(path)


def test_only_the_agenda_a_command_needs_is_read(
    runner: CliRunner,
    store: FolderStore,
    saved: Meeting,
    tmp_path: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A huge or broken agenda of another area never slows or stops work on this one."""
    _council_folder(
        tmp_path,
        isolated_home,
        {
            "huge.yaml": _huge_agenda(10_000),
            "broken.yaml": "id: broken\nname: [unclosed\n",
            "other.yaml": SMALL_AGENDA.format(id="other"),
        },
    )
    read: list[str] = []
    real = agenda_module.load_agenda

    def spy(path: Path) -> Any:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(agenda_module, "load_agenda", spy)
    index_module._AGENDA_CACHE.clear()
    for args in (["show", saved.id], ["check", saved.id], ["summary", saved.id], ["due"]):
        result = runner.invoke(app, args)
        assert "Error" not in result.output and "internal" not in result.output, result.output
    assert read and set(read) == {"national.yaml"}, read
    result = runner.invoke(app, ["agendas"])  # the listing reads them all, and names the fault
    line = _one_error_line(result)
    assert "broken.yaml" in line or "huge.yaml" in line, line


def test_an_agenda_in_the_council_folder_still_overrides_a_shipped_one_by_id(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "council"
    folder.mkdir()
    text = (shipped_dir("agendas") / "national.yaml").read_text(encoding="utf-8")
    (folder / "ours.yaml").write_text(text, "utf-8")
    assert get_agenda("national", [folder]).path == folder / "ours.yaml"
    with pytest.raises(NoSuchAgenda, match=r"^no agenda by that id \(known: .*national.*\)$"):
        get_agenda("nowhere", [folder])


def test_yaml_nested_thousands_deep_is_one_line_for_answers_and_agendas(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("items: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"deep\.yaml: the file is nested too deeply$"):
        load_file(path)
    with pytest.raises(AgendaError, match=r"deep\.yaml: the file is nested too deeply$"):
        load_agenda(path)


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_strat_edit_puts_a_placeholder_date_right_even_if_strats_own_history_holds_one(
    store: FolderStore,
) -> None:
    """A hand-edited file with 31/12/9999 in the concern time and in a circulation entry (which
    only strat writes): the edit that corrects the concern time is accepted."""
    data = _full_record()
    data["authorisation"] = None
    data["status"] = "ended"
    data["concern_identified_at"] = "9999-12-31T10:00:00+00:00"
    data["circulation"][0]["at"] = "9999-12-31T10:00:00+00:00"
    store.path(ID).write_text(json.dumps(data), encoding="utf-8")
    stored = store.load(ID)
    text = to_text(stored)
    with pytest.raises(InvalidRecord, match=r"field concern_identified_at: .*1900-2100"):
        from_text(text, stored, source="edited")  # untouched: still refused
    fixed = re.sub(
        r"^concern_identified_at: .*$",
        "concern_identified_at: '2026-11-19T09:10:00'",
        text,
        flags=re.MULTILINE,
    )
    edited, changed = from_text(fixed, stored, source="edited")
    assert changed == ["concern_identified_at"]
    store.save(edited)
    assert store.load(ID).concern_identified_at == datetime(2026, 11, 19, 9, 10, tzinfo=LONDON)
