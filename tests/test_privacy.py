"""Privacy: the store is the user's alone, and no child's name leaks into a file name, an error
message or the crash log's one-line notice."""

from __future__ import annotations

import json
import os
import re
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.errors import InvalidRecord
from strat_cli.model import Meeting
from strat_cli.samples import typical
from strat_cli.settings import store_permission_warning
from strat_cli.store import FolderStore, parse_meeting

from .conftest import EXAMPLES

POSIX = os.name == "posix"
posix_only = pytest.mark.skipif(not POSIX, reason="POSIX permissions")
NAME = "Zephyrine Quillfeather"  # a child's name that appears nowhere else


def _child_names(meeting: Meeting) -> set[str]:
    parts = {p for c in meeting.children for p in c.name.split() if len(p) > 2}
    return parts | {c.name for c in meeting.children}


@pytest.fixture
def open_umask() -> Iterator[None]:
    """umask 000: any mode strat does not set itself would come out world-readable."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _use_everything(runner: CliRunner, store: FolderStore, out: Path) -> list[str]:
    """Create, list, show, lock, render: every kind of file strat keeps in its store."""
    ids = []
    for _ in range(2):
        result = runner.invoke(app, ["import", str(EXAMPLES / "typical.json"), "--new-id"])
        assert result.exit_code == 0, result.output
        ids.append(result.output.split()[1])
    for args in (["list"], ["show", ids[0]], ["render", ids[0], "--out", str(out)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output[-500:])
    with store.hold(ids[1]):
        pass
    return ids


def _modes(root: Path) -> tuple[list[str], dict[str, int]]:
    """Everything under `root` that is not 0700 (folders) or 0600 (files), and counts."""
    wrong: list[str] = []
    seen = {"folders": 0, "files": 0, "locks": 0}
    for here, _folders, files in os.walk(root):
        if (mode := stat.S_IMODE(os.stat(here).st_mode)) != 0o700:
            wrong.append(f"{Path(here).relative_to(root)}/ {oct(mode)}")
        seen["folders"] += 1
        for name in files:
            path = Path(here) / name
            if (mode := stat.S_IMODE(os.stat(path).st_mode)) != 0o600:
                wrong.append(f"{path.relative_to(root)} {oct(mode)}")
            seen["files"] += 1
            seen["locks"] += name.endswith(".lock")
    return wrong, seen


@posix_only
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_every_folder_is_0700_and_every_file_0600_even_with_umask_000(
    runner: CliRunner, store: FolderStore, tmp_path: Path, open_umask: None
) -> None:
    """Meetings, lock files and the register's index, created by strat under umask 000."""
    store.meetings.rmdir()
    store.root.rmdir()  # let strat create the store itself
    _use_everything(runner, store, tmp_path / "out")
    wrong, seen = _modes(store.root)
    assert [w for w in wrong if not w.startswith("cache")] == []
    assert seen["folders"] >= 2 and seen["files"] >= 4 and seen["locks"] >= 2, seen
    for document in (tmp_path / "out").iterdir():  # the documents written outside the store
        assert stat.S_IMODE(document.stat().st_mode) == 0o600, document


@posix_only
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_the_render_cache_is_private_too(
    runner: CliRunner, store: FolderStore, tmp_path: Path, open_umask: None
) -> None:
    _use_everything(runner, store, tmp_path / "out")
    wrong, _seen = _modes(store.root)
    assert [w for w in wrong if w.startswith("cache")] == []


@posix_only
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_no_file_name_holds_a_childs_name(
    runner: CliRunner, store: FolderStore, tmp_path: Path
) -> None:
    _use_everything(runner, store, tmp_path / "out")
    names = _child_names(typical())
    for folder in (store.root, tmp_path / "out"):
        for path in folder.rglob("*"):
            for name in names:
                assert name.lower() not in path.name.lower(), path


@posix_only
@pytest.mark.parametrize("command", [["show", "SD-2026-0001"], ["list"], ["agendas"]])
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_strat_warns_once_on_stderr_when_others_can_read_the_store(
    runner: CliRunner, store: FolderStore, saved: Meeting, command: list[str]
) -> None:
    os.chmod(store.root, 0o755)
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output[-300:]
    warning = (
        f"Warning: {store.root} can be read by other users of this computer; "
        f"run: chmod 700 '{store.root}'\n"
    )
    assert result.stderr.count(warning) == 1, result.stderr
    assert "Warning" not in result.stdout  # stdout stays clean for --json and pipes


@posix_only
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_no_warning_for_a_private_store_and_one_line_when_others_can_read_it(
    runner: CliRunner, store: FolderStore, saved: Meeting
) -> None:
    assert "Warning" not in runner.invoke(app, ["show", saved.id]).stderr
    os.chmod(store.meetings, 0o750)
    assert str(store.meetings) in (store_permission_warning(store.root) or "")
    assert str(store.meetings) in runner.invoke(app, ["show", saved.id]).stderr


@posix_only
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_saving_takes_others_rights_away_but_never_gives_the_owner_new_ones(
    store: FolderStore, saved: Meeting
) -> None:
    """The meetings folder is strat's own; the store folder, once it exists, may not be (a
    home folder given as STRAT_HOME), so it is never chmod-ed: strat warns instead."""
    os.chmod(store.root, 0o755)
    os.chmod(store.meetings, 0o775)
    store.save(saved)
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o755
    assert stat.S_IMODE(store.meetings.stat().st_mode) == 0o700
    assert store_permission_warning(store.root) is not None


# --- the crash log ------------------------------------------------------------------------------


def _crash(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError(f"while showing {NAME}, aged 7, of 12 Quarry Lane")


@posix_only
def test_an_internal_error_says_one_line_without_record_content_and_logs_privately(
    runner: CliRunner, saved: Meeting, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("strat_cli.screen.show_meeting", _crash)
    result = runner.invoke(app, ["show", saved.id])
    assert result.exit_code == 70
    line = result.stderr.strip()
    assert "\n" not in line and NAME not in line and "Quarry" not in line
    assert line.startswith("Error: strat hit an internal problem (RuntimeError)")
    log = Path(line.rsplit("Details for support: ", 1)[1])
    try:
        assert stat.S_IMODE(log.stat().st_mode) == 0o600
        assert "Traceback" in log.read_text(encoding="utf-8")
        assert NAME not in log.name
    finally:
        log.unlink()


# --- validation errors name the field, never the value ------------------------------------------


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON document: containers and leaves."""
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


VALUES_WITH_A_NAME: list[Any] = [
    NAME,
    f"{NAME}\n{NAME}",
    [NAME],
    {NAME: NAME},
    {"name": NAME, "id": 5},
]


def test_validation_errors_name_the_field_path_never_the_value() -> None:
    """The child's name put in every place of a record, as text, list and object: whenever the
    record is refused, the message names file and field and never quotes what was there."""
    base: dict[str, Any] = json.loads(typical().model_dump_json())
    refused = 0
    for path in list(_leaves(base)):
        for value in VALUES_WITH_A_NAME:
            data = json.loads(json.dumps(base))
            _set(data, path, value)
            try:
                parse_meeting(json.dumps(data), "SD-2026-0001.json")
            except InvalidRecord as exc:
                refused += 1
                assert NAME not in exc.message and "Zephyrine" not in exc.message, exc.message
                assert re.match(r"SD-2026-0001\.json: (field |top level)", exc.message)
    assert refused > 1000


@pytest.mark.parametrize("also_a_surrogate", [False, True])
def test_a_refused_save_names_the_field_and_warns_nothing_with_the_value(
    store: FolderStore, also_a_surrogate: bool
) -> None:
    """pydantic's serializer warning quotes the value (input_value='…') on stderr: not here."""
    meeting = typical()
    meeting.children[0].date_of_birth = NAME  # type: ignore[assignment]
    if also_a_surrogate:
        meeting.reason = "pasted \udc80"
    with warnings.catch_warnings(record=True) as caught_warnings:
        warnings.simplefilter("always")
        with pytest.raises(InvalidRecord) as caught:
            store.save(meeting)
    assert "children.0.date_of_birth" in caught.value.message
    assert NAME not in caught.value.message
    assert [str(w.message) for w in caught_warnings if NAME in str(w.message)] == []
    assert not store.exists(meeting.id)


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_the_cli_names_the_field_not_the_value(
    runner: CliRunner, store: FolderStore, saved: Meeting
) -> None:
    path = store.path(saved.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["children"][0]["subject"] = NAME
    data["children"][1]["name"] = NAME
    path.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["show", saved.id])
    assert result.exit_code == 1
    assert "field children.0.subject" in result.stderr and NAME not in result.output


@pytest.mark.parametrize(
    ("args", "detail"),
    [
        (["summary"], "action summary printed"),
        (["ics"], "calendar (.ics) to standard output"),
        (["show", "--json"], "record as JSON"),
        (["render", "--doc", "decision-sheet", "--out", "{tmp}"], "decision-sheet"),
        (["email", "--out", "{tmp}"], "SD-2026-0001-email.eml"),
    ],
)
def test_every_export_and_email_of_a_record_is_audited(
    args: list[str], detail: str, store: FolderStore, tmp_path: Path
) -> None:
    meeting = typical()
    store.save(meeting)
    argv = [args[0], meeting.id, *(a.replace("{tmp}", str(tmp_path)) for a in args[1:])]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    last = store.load(meeting.id).audit[-1]
    assert last.event in ("exported", "rendered", "email draft")
    assert detail in last.detail


@pytest.mark.folder_only(
    reason="expects the configured name; on a server the login names it (test_pgstore)"
)
def test_the_audit_never_names_the_chair_for_what_someone_else_did(
    store: FolderStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no name configured, the computer login is recorded, not a name from the record."""
    monkeypatch.setenv("USER", "mtaker")
    monkeypatch.setenv("LOGNAME", "mtaker")
    meeting = typical()
    store.save(meeting)
    runner = CliRunner()
    assert runner.invoke(app, ["actions", "done", f"{meeting.id}:A1"]).exit_code == 0
    assert runner.invoke(app, ["summary", meeting.id]).exit_code == 0
    audit = store.load(meeting.id).audit
    assert [e.who for e in audit[-2:]] == ["mtaker", "mtaker"]
    monkeypatch.setenv("STRAT_USER", "Tom Aske")
    assert runner.invoke(app, ["summary", meeting.id]).exit_code == 0
    assert store.load(meeting.id).audit[-1].who == "Tom Aske"


@posix_only
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_listing_on_a_new_store_creates_it_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    home = tmp_path / "fresh"
    monkeypatch.setenv("STRAT_HOME", str(home))
    assert CliRunner().invoke(app, ["list"]).exit_code == 0
    assert home.stat().st_mode & 0o777 == 0o700


@posix_only
def test_every_folder_strat_makes_for_a_new_store_is_private_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    """The register and the caches make their folders through the one helper (files.private_folder),
    so a store in folders that do not exist yet is private all the way down."""
    home = tmp_path / "new" / "deeper" / "store"
    monkeypatch.setenv("STRAT_HOME", str(home))
    old = os.umask(0)
    try:
        assert runner.invoke(app, ["list"]).exit_code == 0
        from strat_cli.files import keep

        keep(home / "cache" / "docx" / "entry", b"x")
    finally:
        os.umask(old)
    for folder in (
        tmp_path / "new",
        tmp_path / "new" / "deeper",
        home,
        home / "cache",
        home / "cache" / "docx",
    ):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
