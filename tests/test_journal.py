"""The live meeting on a team server never waits on the network (issue 16): every answer is
written whole to this computer's journal first and pushed in the background. These tests try
to break that against a fault-injecting server (tests/fakeserver.py): offline, slow, stuck,
changed by someone else, a full disk at the journal write, the chair's process killed."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from strat_cli.errors import StratError
from strat_cli.journal import JournalledStore, entry_path, read_entry
from strat_cli.model import Meeting
from strat_cli.samples import typical
from strat_cli.store import record_hash

from .fakeserver import FakeServer

pytestmark = pytest.mark.one_store  # its stores are its own: a fake server over a folder

ID = "SD-2026-0001"


def until(condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Wait for the background pusher (never a timing assertion: only a bound on a hang)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never came true")
        time.sleep(0.01)


@pytest.fixture
def server(tmp_path: Path) -> FakeServer:
    return FakeServer(tmp_path / "server", tmp_path / "local")


@pytest.fixture
def live(server: FakeServer, tmp_path: Path) -> JournalledStore:
    """A meeting on the server, opened live through the journal."""
    server.create(typical(ID))
    store = JournalledStore(server, tmp_path / "local" / "journal", retry_after=0.05)
    store.load(ID)
    return store


def answer(store: JournalledStore, meeting: Meeting, n: int) -> None:
    meeting.notes["reason"] = f"answer {n}"
    store.save(meeting)


def test_answers_typed_offline_all_reach_the_server_when_it_returns(
    server: FakeServer, live: JournalledStore
) -> None:
    meeting = live.load(ID)
    server.online = False
    for n in range(1, 8):
        answer(live, meeting, n)
    until(lambda: live.banner())
    assert live.banner() == "offline: 7 answers not yet on the server"
    entry = read_entry(entry_path(live.journal, ID))
    assert entry.unpushed == 7 and entry.meeting.notes["reason"] == "answer 7"

    server.online = True
    assert live.settle(10) == 0
    assert live.banner() == ""
    assert server.folder.load(ID).notes["reason"] == "answer 7"
    assert record_hash(server.folder.load(ID)) == record_hash(meeting)
    assert not entry_path(live.journal, ID).exists()  # the server has that version


def test_an_answer_never_calls_the_server_so_a_stuck_server_does_not_hold_it_up(
    server: FakeServer, live: JournalledStore
) -> None:
    meeting = live.load(ID)
    server.gate = threading.Event()  # every save on the server waits until this is set
    server.calls.clear()
    for n in range(1, 21):
        answer(live, meeting, n)  # would hang here if an answer waited for the server
    assert server.main_thread_calls("save") == []
    assert all(t != "MainThread" for _, t in server.calls)
    assert read_entry(entry_path(live.journal, ID)).meeting.notes["reason"] == "answer 20"
    server.gate.set()
    assert live.settle(10) == 0
    assert server.folder.load(ID).notes["reason"] == "answer 20"


def test_saves_made_while_a_push_is_on_the_way_coalesce_into_the_latest_copy(
    server: FakeServer, live: JournalledStore
) -> None:
    meeting = live.load(ID)
    server.gate = threading.Event()
    answer(live, meeting, 1)
    until(lambda: ("save", "strat-push") in server.calls)
    for n in range(2, 30):
        answer(live, meeting, n)
    server.gate.set()
    assert live.settle(10) == 0
    pushes = [c for c in server.calls if c == ("save", "strat-push")]
    assert len(pushes) < 29  # not one push per answer
    assert server.folder.load(ID).notes["reason"] == "answer 29"
    assert not entry_path(live.journal, ID).exists()


def test_a_full_disk_at_the_journal_write_leaves_the_earlier_copy_whole(
    server: FakeServer, live: JournalledStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting = live.load(ID)
    server.online = False
    answer(live, meeting, 1)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    # the last write: the temporary file is made and written, then flushing it to disk fails
    monkeypatch.setattr("strat_cli.files.os.fsync", full)
    with pytest.raises(StratError, match="the disk is full") as caught:
        answer(live, meeting, 2)
    assert "answer" not in caught.value.message  # never the record's text
    monkeypatch.undo()
    entry = read_entry(entry_path(live.journal, ID))
    assert entry.meeting.notes["reason"] == "answer 1" and entry.unpushed == 1
    assert [p.name for p in live.journal.iterdir()] == [f"{ID}.json"]  # no temporary left


def test_the_journal_is_private(server: FakeServer, live: JournalledStore) -> None:
    meeting = live.load(ID)
    server.online = False  # the entry stays until pushed: a push would remove it under the test
    answer(live, meeting, 1)
    if os.name == "posix":
        assert live.journal.stat().st_mode & 0o777 == 0o700
        assert entry_path(live.journal, ID).stat().st_mode & 0o777 == 0o600


def test_a_copy_the_server_moved_on_from_stays_on_this_computer(
    server: FakeServer, live: JournalledStore, tmp_path: Path
) -> None:
    meeting = live.load(ID)
    other = FakeServer(server.root, tmp_path / "other", client="laptop-2", user="Sam Reyes")
    theirs = other.load(ID)
    theirs.notes["reason"] = "their answer"
    other.save(theirs)
    answer(live, meeting, 1)
    until(lambda: live.banner().startswith("not on the server"))
    assert "kept on this computer" in live.banner()
    assert live.settle(2) == 1
    assert server.folder.load(ID).notes["reason"] == "their answer"  # theirs is not overwritten
    assert read_entry(entry_path(live.journal, ID)).meeting.notes["reason"] == "answer 1"


def test_resuming_with_unpushed_answers_pushes_them_first(
    server: FakeServer, live: JournalledStore, tmp_path: Path
) -> None:
    meeting = live.load(ID)
    server.online = False
    answer(live, meeting, 1)
    answer(live, meeting, 2)
    assert live.settle(2) == 2
    live.close(wait=10)  # no push still on its way
    server.online = True

    later = JournalledStore(FakeServer(server.root, server.local), live.journal, retry_after=0.05)
    assert later.load(ID).notes["reason"] == "answer 2"
    assert server.folder.load(ID).notes["reason"] == "answer 2"
    assert not entry_path(live.journal, ID).exists()


def test_resuming_offline_carries_on_from_this_computers_copy(
    server: FakeServer, live: JournalledStore
) -> None:
    meeting = live.load(ID)
    server.online = False
    answer(live, meeting, 1)
    live.settle(1)
    live.close(wait=10)  # no push still on its way

    later = JournalledStore(FakeServer(server.root, server.local), live.journal, retry_after=0.05)
    with later.hold(ID):
        again = later.load(ID)
        assert again.notes["reason"] == "answer 1"
        assert later.banner() == "offline: 1 answer not yet on the server"
        answer(later, again, 2)
        assert later.banner() == "offline: 2 answers not yet on the server"
        server.online = True
        assert later.settle(10) == 0
    assert server.folder.load(ID).notes["reason"] == "answer 2"


CHAIR = """
import sys, time
from pathlib import Path
sys.path.insert(0, {tests!r})
from fakeserver import FakeServer
from strat_cli.journal import JournalledStore

server = FakeServer(Path({root!r}), Path({local!r}))
store = JournalledStore(server, Path({journal!r}), retry_after=0.05)
with store.hold({id!r}):
    meeting = store.load({id!r})
    for n in range(1, 1000):
        meeting.notes["reason"] = f"answer {{n}}"
        store.save(meeting)
        print(n, flush=True)
        if n == 3 and {drop}:
            server.online = False  # the server goes down mid-meeting
        if n == {stop}:
            time.sleep(3600)
"""


@pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")
@pytest.mark.parametrize("online", [False, True])
def test_a_chair_killed_mid_meeting_loses_nothing_when_resumed_from_another_process(
    server: FakeServer, tmp_path: Path, online: bool
) -> None:
    server.create(typical(ID))
    journal = tmp_path / "local" / "journal"
    script = CHAIR.format(
        tests=str(Path(__file__).parent),
        root=str(server.root),
        local=str(server.local),
        journal=str(journal),
        id=ID,
        stop=7,
        drop=not online,
    )
    chair = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert chair.stdout is not None
    for line in chair.stdout:
        if line.strip() == "7":
            break
    chair.send_signal(signal.SIGKILL)
    chair.wait()
    if not online:
        assert read_entry(entry_path(journal, ID)).meeting.notes["reason"] == "answer 7"
        assert server.folder.load(ID).notes["reason"] != "answer 7"

    server.online = True
    resumed = JournalledStore(FakeServer(server.root, server.local), journal, retry_after=0.05)
    with resumed.hold(ID):  # the same client gets its own lease back
        assert resumed.load(ID).notes["reason"] == "answer 7"
    assert server.folder.load(ID).notes["reason"] == "answer 7"
    assert not entry_path(journal, ID).exists()


def test_journal_entries_name_their_base_and_count(
    server: FakeServer, live: JournalledStore
) -> None:
    meeting = live.load(ID)
    server.online = False
    answer(live, meeting, 1)
    data = json.loads(entry_path(live.journal, ID).read_text())
    assert data["base_version"] == 1 and data["unpushed"] == 1 and data["record"]["id"] == ID


def test_the_interview_shows_one_offline_line_and_carries_on(
    server: FakeServer, live: JournalledStore
) -> None:
    from strat_cli.agenda import get_agenda

    from .test_interview import Script, interview, notes_agenda

    agenda = notes_agenda(get_agenda("national"))
    meeting = live.load(ID)
    meeting.progress.attendance_taken = True
    meeting.progress.done = ["introductions"]
    meeting.progress.current = "reason"
    server.online = False
    live.save(meeting)
    until(lambda: live.banner())
    script = Script(
        [("reason", "Disclosure at school"), ("criminal", "None yet"), ("legal", KeyboardInterrupt)]
    )
    with pytest.raises(KeyboardInterrupt):
        interview(meeting, agenda, live, script).run()  # type: ignore[arg-type]
    offline = [line.strip() for line in script.said if "offline" in line]
    assert offline[0] == "offline: 2 answers not yet on the server"
    assert offline[-1].endswith("answers not yet on the server")
    server.online = True
    assert live.settle(10) == 0
    assert server.folder.load(ID).notes["criminal_investigation"] == "None yet"


def test_exports_and_the_servers_names_in_the_audit_trail_never_block_a_push(
    server: FakeServer, live: JournalledStore, tmp_path: Path
) -> None:
    """The server names who did each audit entry (as the login) and adds an export made by
    someone else while the chair holds the record; the chair's copy knows neither, and its
    answers still reach the server with every audit entry kept."""
    minute_taker = FakeServer(server.root, tmp_path / "kim", client="laptop-2", user="Kim Minute")
    with live.hold(ID):
        meeting = live.load(ID)
        meeting.log("resumed", "at reason", who="chair as configured")
        answer(live, meeting, 1)
        assert live.settle(10) == 0
        minute_taker.record_export(ID, "decision sheet")  # waits for the chair's next save
        server.online = False
        meeting.log("note", "offline", who="chair as configured")
        answer(live, meeting, 2)
        answer(live, meeting, 3)
        server.online = True
        assert live.settle(10) == 0
        answer(live, meeting, 4)
        assert live.settle(10) == 0
    kept = server.folder.load(ID)
    assert kept.notes["reason"] == "answer 4"
    events = [(e.event, e.who) for e in kept.audit]
    assert ("resumed", "Dana Okafor (login)") in events and (
        "note",
        "Dana Okafor (login)",
    ) in events
    assert [e for e, _ in events].count("exported") == 1
    assert live.banner() == ""


def test_a_second_process_on_this_computer_is_kept_out_as_on_a_folder_store(
    server: FakeServer, live: JournalledStore
) -> None:
    """The server gives this computer its own lease back (after a kill -9), so the journal's
    own lock keeps a second terminal out: two would write one journal entry."""
    from strat_cli.errors import Busy

    second = JournalledStore(FakeServer(server.root, server.local), live.journal)
    refused = pytest.raises(Busy, match="open in another strat process on this computer")
    with live.hold(ID), refused, second.hold(ID):
        pass
    with second.hold(ID):  # free again once the first let go
        pass


def test_the_offline_line_is_said_as_the_count_grows_and_once_when_back(
    server: FakeServer, live: JournalledStore
) -> None:
    from strat_cli.agenda import get_agenda

    from .test_interview import Script, interview

    meeting = live.load(ID)
    iv = interview(meeting, get_agenda("national"), live, Script([]))  # type: ignore[arg-type]
    server.online = False
    live.save(meeting)  # an answer whose push finds the server gone
    until(lambda: live.banner())
    iv.save()
    iv.save()  # said again as the count grows
    server.online = True
    assert live.settle(10) == 0
    iv.save()
    said = [line.strip() for line in iv.p.said]  # type: ignore[attr-defined]
    assert said == [
        "offline: 2 answers not yet on the server",
        "offline: 3 answers not yet on the server",
        "back online: answers are reaching the server again",
    ]
