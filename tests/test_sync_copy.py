"""`strat sync` and `strat store copy` (issue 16): what the journal kept reaches the server, a
record the server moved on from is never overwritten (both copies kept, named), and a store's
records move to another store whole, checked by hash, safely run twice."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.journal import JournalledStore, entry_path, journal_folder
from strat_cli.model import Meeting
from strat_cli.samples import typical
from strat_cli.store import FolderStore, parse_meeting, record_hash

from .fakeserver import FakeServer

pytestmark = pytest.mark.one_store  # its stores are its own: folders and a fake server

A, B = "SD-2026-0001", "SD-2026-0002"
URL = "postgresql://fake.example/strat"


@pytest.fixture
def server(isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    """The team's server every command of this test opens (STRAT_STORE names it)."""
    fake = FakeServer(tmp_path / "server", isolated_home)
    monkeypatch.setenv("STRAT_STORE", URL)
    monkeypatch.setattr("strat_cli.stores.open_server", lambda settings: fake)
    return fake


def answered_offline(server: FakeServer, local: Path, *ids: str) -> None:
    """A chair recorded these meetings while the server was down, then closed the laptop."""
    for meeting_id in ids:
        server.create(typical(meeting_id))
    live = JournalledStore(server, journal_folder(local), retry_after=0.05)
    with contextlib.ExitStack() as held:
        meetings = []
        for meeting_id in ids:
            held.enter_context(live.hold(meeting_id))
            meetings.append(live.load(meeting_id))
        server.online = False  # the server goes down mid-meeting
        for meeting in meetings:
            for n in (1, 2, 3):
                meeting.notes["reason"] = f"offline answer {n}"
                live.save(meeting)
        assert live.settle(1) == 3 * len(ids)
        live.close(wait=10)  # no push still on its way
    server.online = True


def test_sync_pushes_every_answer_the_journal_kept(
    server: FakeServer, isolated_home: Path, runner: CliRunner
) -> None:
    answered_offline(server, isolated_home, A, B)
    result = runner.invoke(app, ["sync"])
    assert result.exit_code == 0, result.output
    assert "2 pushed, 0 kept apart, 0 failed." in result.output
    for meeting_id in (A, B):
        assert server.folder.load(meeting_id).notes["reason"] == "offline answer 3"
        assert not entry_path(journal_folder(isolated_home), meeting_id).exists()
    again = runner.invoke(app, ["sync"])
    assert again.exit_code == 0 and "Nothing to sync" in again.output


def test_sync_refuses_a_taken_over_record_keeps_both_copies_and_syncs_the_others(
    server: FakeServer, isolated_home: Path, tmp_path: Path, runner: CliRunner
) -> None:
    answered_offline(server, isolated_home, A, B)
    other = FakeServer(server.root, tmp_path / "other", client="laptop-2", user="Sam Reyes")
    with other.hold(A, take_over=True):  # Sam took the meeting over and is still in it
        theirs = other.load(A)
        theirs.notes["reason"] = "Sam's answer"
        other.save(theirs)
        result = runner.invoke(app, ["sync", "--json"])
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert report["pushed"] == [B]
    [kept] = report["kept_apart"]
    assert kept["id"] == A and "taken over by Sam Reyes" in kept["reason"]
    assert "offline answer" not in result.output  # never the record's text
    # both copies: the server's stays on the server, this computer's in the file named
    assert server.folder.load(A).notes["reason"] == "Sam's answer"
    ours = parse_meeting(Path(kept["kept"]).read_bytes(), kept["kept"])
    assert ours.notes["reason"] == "offline answer 3"
    assert server.folder.load(B).notes["reason"] == "offline answer 3"
    assert not entry_path(journal_folder(isolated_home), A).exists()


def test_sync_refuses_a_record_saved_by_someone_else_since(
    server: FakeServer, isolated_home: Path, tmp_path: Path, runner: CliRunner
) -> None:
    answered_offline(server, isolated_home, A)
    other = FakeServer(server.root, tmp_path / "other", client="laptop-2", user="Sam Reyes")
    theirs = other.load(A)
    theirs.minute_taker = "Kim Other"
    other.save(theirs)
    result = runner.invoke(app, ["sync"])
    assert result.exit_code == 3
    assert "0 pushed, 1 kept apart, 0 failed." in result.output
    assert "kept in" in result.output and "stays on the server" in result.output
    assert server.folder.load(A).minute_taker == "Kim Other"


def test_sync_while_the_server_is_down_loses_nothing(
    server: FakeServer, isolated_home: Path, runner: CliRunner
) -> None:
    answered_offline(server, isolated_home, A)
    server.online = False
    result = runner.invoke(app, ["sync"])
    assert result.exit_code == 4
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
    assert "the answers stay on this computer" in result.output
    assert entry_path(journal_folder(isolated_home), A).exists()
    server.online = True
    assert runner.invoke(app, ["sync"]).exit_code == 0
    assert server.folder.load(A).notes["reason"] == "offline answer 3"


# --- store copy ----------------------------------------------------------------------------------


def three_records(store: FolderStore) -> list[Meeting]:
    meetings = [typical(f"SD-2026-000{n}") for n in (1, 2, 3)]
    for m in meetings:
        m.log("exported", "decision sheet", who="Kim Minute")
        store.save(m)
    return [store.load(m.id) for m in meetings]


def test_store_copy_folder_to_folder_keeps_every_record_and_audit_trail_by_hash(
    store: FolderStore, tmp_path: Path, runner: CliRunner
) -> None:
    originals = three_records(store)
    dest = tmp_path / "new-store"
    result = runner.invoke(app, ["store", "copy", "--to", str(dest)])
    assert result.exit_code == 0, result.output
    assert "3 copied, 0 already there (same), 0 failed" in result.output
    copy = FolderStore(dest)
    for m in originals:
        assert record_hash(copy.load(m.id)) == record_hash(m)
        assert copy.load(m.id).audit == m.audit and copy.load(m.id).updated_at == m.updated_at
    again = runner.invoke(app, ["store", "copy", "--to", str(dest), "--json"])
    assert again.exit_code == 0
    assert json.loads(again.stdout) | {"to": ""} == {
        "to": "",
        "copied": 0,
        "same": 3,
        "failed": [],
    }


def test_store_copy_reads_each_record_back_once_whether_copied_or_already_there(
    store: FolderStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hash check has one home (storecopy), so a copy loads each record from the
    destination once, not once in `copy_in` and again to check it."""
    from strat_cli.storecopy import copy_records

    ids = [m.id for m in three_records(store)]
    dest = FolderStore(tmp_path / "dest")
    loaded: list[str] = []
    load = dest.load

    def counted(meeting_id: str) -> Meeting:
        loaded.append(meeting_id)
        return load(meeting_id)

    monkeypatch.setattr(dest, "load", counted)
    assert copy_records(store, dest).copied == 3
    assert copy_records(store, dest).same == 3
    assert loaded == ids + ids


def test_store_copy_refuses_a_different_record_under_the_same_reference(
    store: FolderStore, tmp_path: Path, runner: CliRunner
) -> None:
    three_records(store)
    dest = FolderStore(tmp_path / "theirs")
    different = typical("SD-2026-0002")
    different.minute_taker = "Someone Else"
    dest.save(different)
    result = runner.invoke(app, ["store", "copy", "--to", str(dest.root)])
    assert result.exit_code == 1
    assert "SD-2026-0002: a different record with this reference is already in" in result.output
    assert "2 copied, 0 already there (same), 1 failed" in result.output
    assert dest.load("SD-2026-0002").minute_taker == "Someone Else"  # left as it was


def test_store_copy_to_itself_is_refused(store: FolderStore, runner: CliRunner) -> None:
    three_records(store)
    result = runner.invoke(app, ["store", "copy", "--to", str(store.root)])
    assert result.exit_code == 1 and "is the store being copied" in result.output


def test_store_copy_to_itself_through_a_link_is_refused(
    store: FolderStore, runner: CliRunner, tmp_path: Path
) -> None:
    three_records(store)
    link = tmp_path / "same-store"
    link.symlink_to(store.root, target_is_directory=True)
    result = runner.invoke(app, ["--store", str(link), "store", "copy", "--to", str(store.root)])
    assert result.exit_code == 1 and "is the store being copied" in result.output


def test_store_copy_refuses_a_password_in_the_url(store: FolderStore, runner: CliRunner) -> None:
    result = runner.invoke(app, ["store", "copy", "--to", "postgresql://u:secret@db/strat"])
    assert result.exit_code != 0
    assert "must not hold a password" in result.output and "secret" not in result.output


def test_folder_to_fake_server_and_back_hashes_equal(
    store: FolderStore, tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    originals = three_records(store)
    fake = FakeServer(tmp_path / "server", store.root)
    monkeypatch.setattr("strat_cli.stores.open_server", lambda s: fake)
    result = runner.invoke(app, ["store", "copy", "--to", URL])
    assert result.exit_code == 0, result.output
    assert [record_hash(fake.load(m.id)) for m in originals] == [record_hash(m) for m in originals]


# --- strat resume on a server ----------------------------------------------------------------------


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("strat_cli.cli._app.stdin_is_terminal", lambda: True)
    monkeypatch.setattr("strat_cli.cli._app.stdout_is_terminal", lambda: True)


def chair_presses_ctrl_c(monkeypatch: pytest.MonkeyPatch) -> None:
    from .test_interview import Script

    script = Script([("reopen", True), ("", KeyboardInterrupt)])  # the samples have ended
    monkeypatch.setattr("strat_cli.cli._app.terminal_prompts", lambda: script)


def test_resume_pushes_this_computers_answers_first(
    server: FakeServer,
    isolated_home: Path,
    runner: CliRunner,
    at_a_terminal: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answered_offline(server, isolated_home, A)
    chair_presses_ctrl_c(monkeypatch)
    result = runner.invoke(app, ["resume", A])
    assert result.exit_code == 130, result.output
    assert server.folder.load(A).notes["reason"] == "offline answer 3"
    assert server.folder.load(A).audit[-1].event == "resumed"  # pushed at the end of the walk
    assert not entry_path(journal_folder(isolated_home), A).exists()


def test_resume_offline_says_the_answers_are_kept_here_and_to_run_sync(
    server: FakeServer,
    isolated_home: Path,
    runner: CliRunner,
    at_a_terminal: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answered_offline(server, isolated_home, A)
    server.online = False
    chair_presses_ctrl_c(monkeypatch)
    monkeypatch.setattr("strat_cli.journal.FINAL_PUSH_TIMEOUT", 0.5)
    result = runner.invoke(app, ["resume", A])
    assert result.exit_code == 130, result.output
    assert "4 answers not yet on the server are kept on this computer" in result.output
    assert "run strat sync" in result.output
    assert entry_path(journal_folder(isolated_home), A).exists()


def test_resume_take_over_reaches_the_server_and_a_busy_record_is_named(
    server: FakeServer,
    isolated_home: Path,
    tmp_path: Path,
    runner: CliRunner,
    at_a_terminal: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server.create(typical(A))
    other = FakeServer(server.root, tmp_path / "other", client="laptop-2", user="Sam Reyes")
    chair_presses_ctrl_c(monkeypatch)
    with other.hold(A):  # Sam's laptop holds the lease and went quiet
        busy = runner.invoke(app, ["resume", A])
        assert busy.exit_code == 3 and f"{A} is open by Sam Reyes since" in busy.output
        taken = runner.invoke(app, ["resume", A, "--take-over"])
        assert taken.exit_code == 130, taken.output
    assert server.taken_over == [A]  # only with --take-over
    assert server.folder.load(A).audit[-1].event == "resumed"


def test_take_over_changes_nothing_on_a_folder_store(
    store: FolderStore, runner: CliRunner, at_a_terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(typical(A))
    chair_presses_ctrl_c(monkeypatch)
    result = runner.invoke(app, ["resume", A, "--take-over"])
    assert result.exit_code == 130
    assert store.load(A).audit[-1].event == "resumed"
    assert "changes nothing" in runner.invoke(app, ["resume", "--help"]).output


def test_a_damaged_journal_entry_is_named_in_one_line_and_left_as_it_is(
    server: FakeServer,
    isolated_home: Path,
    runner: CliRunner,
    at_a_terminal: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answered_offline(server, isolated_home, A, B)
    damaged = entry_path(journal_folder(isolated_home), A)
    damaged.write_bytes(damaged.read_bytes()[:200])  # cut short by hand, say
    before = damaged.read_bytes()
    result = runner.invoke(app, ["sync"])
    assert result.exit_code == 1
    assert f"{damaged}: not a journal entry" in result.output
    assert "1 pushed, 0 kept apart, 1 failed." in result.output
    assert "offline answer" not in result.output
    assert damaged.read_bytes() == before
    chair_presses_ctrl_c(monkeypatch)
    resumed = runner.invoke(app, ["resume", A])
    assert resumed.exit_code == 1 and f"{damaged}: not a journal entry" in resumed.output
    assert "Traceback" not in resumed.output


def test_new_from_answers_on_a_server_lands_on_the_server(
    server: FakeServer, isolated_home: Path, runner: CliRunner
) -> None:
    from .conftest import EXAMPLES

    result = runner.invoke(app, ["new", "--answers", str(EXAMPLES / "answers.yaml"), "--no-input"])
    assert result.exit_code == 0, result.output
    [meeting_id] = server.folder.ids()
    assert server.folder.load(meeting_id).notes  # the whole meeting, pushed before exit
    assert not list(journal_folder(isolated_home).glob("SD-*.json"))
