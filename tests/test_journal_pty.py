"""The live meeting on a team server, end to end: the real `strat new` in a terminal (its server
the fault-injecting fake of tests/fakeserver.py), the server stopped mid-meeting, the chair's
process killed with SIGKILL, then `strat resume` from another process: nothing typed is lost."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from .fakeserver import FakeServer
from .test_e2e_pty import PREFILL, mark_all_present
from .test_e2e_pty import Chair as TerminalChair

pexpect = pytest.importorskip("pexpect")
pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX"),
    pytest.mark.one_store,  # its server is the fake one
]

LAUNCHER = str(Path(__file__).with_name("strat_on_fake_server.py"))
REASON = "Bruise seen at school.\nMother unaware."


class Chair(TerminalChair):
    """`strat` over the fake server in a pty (as tests/test_e2e_pty.Chair)."""

    def __init__(self, home: Path, server: Path, *args: str) -> None:
        fake = {"STRAT_STORE": "postgresql://fake.example/strat", "STRAT_FAKE_SERVER": str(server)}
        super().__init__(home, *args, env=fake, program=[sys.executable, LAUNCHER], timeout=20)


def on_server(server: FakeServer) -> dict:  # type: ignore[type-arg]
    data: dict = json.loads((server.folder.path("SD-2026-0001")).read_text())  # type: ignore[type-arg]
    return data


def test_server_stopped_then_chair_killed_then_resumed_elsewhere_loses_nothing(
    tmp_path: Path,
) -> None:
    home, root = tmp_path / "store", tmp_path / "server"
    server = FakeServer(root, home)
    c = Chair(home, root, "new", "--agenda", "national", "--prefill", PREFILL)
    c.see("New strategy discussion SD-2026-0001")
    mark_all_present(c)
    server.online = False  # the server stops mid-meeting
    c.note("Reason for the discussion", "Bruise seen at school.\rMother unaware.\r\r")
    c.q("Who is sharing information?", "8\r")  # finished
    c.q("Any general notes", "n")
    c.note("Ellie Marsh: voice and lived experience", "Scared when Jason shouts.\r\r")
    c.see("Noah Marsh")  # the next question: the voice note was saved
    assert "answers not yet on the server" in c.shown.getvalue()  # one line; it carried on
    c.kill()
    assert "reason" not in on_server(server)["notes"]  # only this computer has it

    server.online = True
    again = Chair(home, root, "resume", "SD-2026-0001")  # another process, the server back
    again.see("Resuming SD-2026-0001")
    assert on_server(server)["notes"]["reason"] == REASON  # pushed before the walk goes on
    again.q("Scared when Jason shouts.", "\x03")  # the answer typed offline comes back
    assert again.finish() == 130
    assert on_server(server)["notes"]["reason"] == REASON
    assert "Scared when Jason shouts." in json.dumps(on_server(server))
    assert not list((home / "journal").glob("SD-*.json"))


def test_the_walk_ends_offline_with_one_line_saying_to_sync(tmp_path: Path) -> None:
    home, root = tmp_path / "store", tmp_path / "server"
    server = FakeServer(root, home)
    c = Chair(home, root, "new", "--agenda", "national", "--prefill", PREFILL)
    mark_all_present(c)
    server.online = False
    c.note("Reason for the discussion", "Bruise seen at school.\rMother unaware.\r\r")
    c.q("Who is sharing information?", "\x03")
    c.see("not yet on the server are kept on this computer")
    c.see("run strat sync when the server can be reached")
    assert c.finish() == 130
    server.online = True
    sync = Chair(home, root, "sync")
    sync.see("1 pushed, 0 kept apart, 0 failed.")
    assert sync.finish() == 0
    assert on_server(server)["notes"]["reason"] == REASON
