"""End to end: the installed `strat` in a pseudo-terminal, driven key by key as a chair would.

Few but real: a whole meeting through the Pan-Lancashire agenda, a late joiner, a missing
statutory partner, Ctrl-C then resume, kill -9 then resume. Everything else is tested in-process
through the prompt seam (test_interview.py).
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLES, strat_executable

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")

PREFILL = str(EXAMPLES / "prefill.yaml")


class Chair:
    """One `strat` process in a pty; `q` waits for a question, then types the answer."""

    def __init__(
        self,
        home: Path,
        *args: str,
        env: dict[str, str] | None = None,
        program: list[str] | None = None,
        timeout: float = 15,
    ) -> None:
        """`env` adds to the chair's environment; `program` runs instead of the installed
        `strat` (a launcher), given `args` after its own."""
        environ = dict(os.environ)
        environ.update(
            STRAT_HOME=str(home),
            TERM="xterm-256color",
            PROMPT_TOOLKIT_NO_CPR="1",
            STRAT_USER="Dana Okafor",
        )
        environ.update(env or {})
        for var in ("STRAT_CONFIG", "EDITOR", "VISUAL"):
            environ.pop(var, None)
        command = program or [strat_executable()]
        self.child = pexpect.spawn(
            command[0],
            [*command[1:], *args],
            env=environ,
            encoding="utf-8",
            timeout=timeout,
            dimensions=(50, 200),
        )
        self.child.delaybeforesend = 0.01  # every answer waits for its question anyway
        self.shown = io.StringIO()
        self.child.logfile_read = self.shown  # everything the screen showed

    def q(self, question: str, keys: str) -> None:
        self.child.expect_exact(question)
        self.child.send(keys)

    def note(self, title: str, keys: str) -> None:
        """A notes item: wait for its prompt line (title and finishing hint), not its header."""
        self.child.expect(re.escape(title) + r"[^\n]{0,60}Enter on an empty line finishes")
        self.child.send(keys)

    def see(self, text: str) -> None:
        self.child.expect_exact(text)

    def finish(self) -> int:
        """The exit status, waited for: the process may still be ending when the terminal
        closes (a last push to a team server given up, say)."""
        self.child.expect(pexpect.EOF)
        status = self.child.wait()
        self.child.close()
        assert self.child.signalstatus is None, f"ended by signal {self.child.signalstatus}"
        return int(status if status is not None else -1)

    def kill(self) -> None:
        """kill -9, as a laptop's battery or a crashed terminal would."""
        os.kill(self.child.pid, signal.SIGKILL)
        self.child.expect(pexpect.EOF)
        self.child.close()
        assert self.child.signalstatus == signal.SIGKILL


def record(home: Path, ref: str = "SD-2026-0001") -> dict:  # type: ignore[type-arg]
    data: dict = json.loads((home / "meetings" / f"{ref}.json").read_text(encoding="utf-8"))  # type: ignore[type-arg]
    return data


def mark_all_present(chair: Chair, police: str = "\r") -> None:
    """The six invitees of examples/prefill.yaml; Enter takes phone/video (a video call)."""
    chair.q("Dana Okafor (", "\r")
    chair.q("Sam Whitlow (", "\r")
    chair.q("DS Priya Lamb (", police)
    chair.q("Dr Owen Hartley (", "\r")
    chair.q("Leah Brennan (", "1\r")  # in person
    chair.q("Tom Aske (", "\r")
    chair.q("Anyone else on the call?", "\r")


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_whole_meeting_through_pan_lancashire_with_a_late_joiner(tmp_path: Path) -> None:
    home = tmp_path / "store"
    c = Chair(home, "new", "--agenda", "pan-lancashire", "--prefill", PREFILL)
    c.see("New strategy discussion SD-2026-0001")
    c.see("item 1 of 22")
    mark_all_present(c)
    c.see("Statutory partners present")
    # information: Dr Hartley (4th in the list) shares, then a late joiner via /who
    c.q("Who is sharing information?", "4\r")
    c.q(
        "What did Dr Owen Hartley share?",
        "No hospital attendances.\rNoah's development on track.\r\r",
    )
    c.q("Anything to flag?", "\r")
    c.q("Who is sharing information?", "8\r")  # finished
    c.q("Any general notes", "n")
    c.note("Ellie Marsh: voice and lived experience", "/who\r")
    c.q("Add or update who?", "1\r")  # someone joining
    c.q("Name", "Jo Castell\r")
    c.q("how are they taking part?", "2\r")
    c.q("Jo Castell joined at (HH:MM)", "\r")  # now
    c.q("Jo Castell: job role", "Health Visitor\r")
    c.q("Jo Castell: agency", "Northshire Community Health\r")
    c.q("kind of agency", "\r")  # guessed: health
    c.q("email (optional)", "\r")
    c.note("Ellie Marsh: voice and lived experience", "Scared when Jason shouts.\r\r")
    # the item's title names seeing the child alone and identity: asked for each child
    c.q("Ellie Marsh: when, and by whom, will they be seen alone?", "At school by SW\r")
    c.q("Ellie Marsh: ethnicity", "\r")
    c.q("Ellie Marsh: first language", "English\r")
    c.q("Ellie Marsh: disability or communication needs", "\r")
    c.q("Ellie Marsh: interpreter needed?", "\r")
    c.note("Noah Marsh: voice and lived experience", "\r")
    c.q("Noah Marsh: when, and by whom, will they be seen alone?", "\r")
    for question in ("ethnicity", "first language", "disability or communication needs"):
        c.q(f"Noah Marsh: {question}", "\r")
    c.q("Noah Marsh: interpreter needed?", "\r")
    c.q("Another child who may be affected?", "\r")
    # decisions: one decision for both children
    c.q("Which children does this decision cover?", "\r")  # both pre-ticked
    c.q("Outcome", "2\r")  # s47 joint with police
    c.note("Rationale", "Disclosure of being hit with a belt and a bruise.\r\r")
    c.q("Medical examination needed?", "1\r")
    c.q("Why is a medical needed, or not needed?", "Document the bruise\r")
    c.q("Who will carry it out", "Dr Hartley today\r")
    c.q("Plan if consent is refused", "Legal advice\r")
    c.q("Parents / PR holders informed", "1\r")
    c.q("Legal advice needed?", "2\r")
    c.q("seen alone?", "At school by SW and DS Lamb\r")
    c.q("Interpreter arrangements", "\r")
    c.q("Does the decision differ", "\r")
    c.q("Decisions", "\r")  # done
    for title in ("Plan the section 47 enquiry", "Single-agency or joint enquiry"):
        c.note(title, "\r")
    c.q("Level of risk", "2\r")  # high
    c.note("Risk and urgency", "High: injury with an implement.\r\r")
    c.note("Immediate safeguarding", "\r")
    for title in (
        "Urgent removal",
        "Child in hospital",
        "Contingency if the child cannot be found",
        "Criminal investigation and interviews",
        "Consents to interviews",
        "Support for the child and family",
    ):
        c.note(title, "\r")
    c.note("What will be shared with the family", "Mother told by SW at the visit.\r\r")
    c.note("What is withheld", "\r")
    c.q("Kerry Marsh: told?", "\x1b[B\r")  # each person with parental responsibility: told
    c.q("When (e.g.", "\r")
    c.q("By whom?", "Sam Whitlow\r")
    for title in ("Race, ethnicity and language in working", "Legal action", "Press strategy"):
        c.note(title, "\r")
    c.q("Action: what exactly needs doing?", "Child protection medical for Ellie\r")
    c.q("Owner", "4\r")  # Dr Owen Hartley
    c.q("Due", "2 working days\r")
    c.see("working days")  # the rule as typed is echoed back
    c.q("right?", "\r")
    c.q("For which children?", " \r")  # Ellie
    c.q("A contingency action", "n")
    c.q("Action: what exactly needs doing?", "Remove Jason if he returns to the address\r")
    c.q("Owner", "3\r")  # DS Priya Lamb
    c.q("Due", "within 1 hour\r")
    c.q("right?", "\r")
    c.q("For which children?", "\r")
    c.q("A contingency action", "y")
    c.q("Action: what exactly needs doing?", "\r")
    c.note("Violence or threats towards professionals", "\r")
    c.q("How will completion of the actions be reviewed?", "SW reports to the chair at 17:00\r")
    c.q("Next discussion", "\r")
    c.q("Disagreement: what is it about?", "\r")
    c.see("Closing the discussion")
    c.see("Jo Castell (Northshire Community Health): phone/video, joined")
    c.q("End the meeting?", "1\r")
    c.q("End time", "\r")
    c.see("Deadlines that follow:")
    c.see("ICPC target date")
    assert c.finish() == 0

    m = record(home)
    assert m["status"] == "ended" and m["agenda"] == "pan-lancashire"
    assert [d["outcome"] for d in m["decisions"]] == ["s47 joint with police"] * 2
    assert m["decisions"][0]["rationale"] == "Disclosure of being hit with a belt and a bruise."
    assert [a["owner"] for a in m["actions"]] == ["Dr Owen Hartley", "DS Priya Lamb"]
    assert m["actions"][0]["child_ids"] == ["C1"] and m["actions"][1]["contingency"] is True
    jo = m["participants"][-1]
    assert (jo["name"], jo["agency_kind"], jo["joined_at"] is not None) == (
        "Jo Castell",
        "health",
        True,
    )
    assert m["children"][0]["voice"] == "Scared when Jason shouts."
    assert (m["children"][0]["seen_alone"], m["children"][0]["language"]) == (
        "At school by SW",
        "English",
    )
    kerry = m["adults"][0]
    assert (kerry["informed"], kerry["informed_by"]) == ("told", "Sam Whitlow")
    assert (
        m["information"][0]["summary"] == "No hospital attendances.\nNoah's development on track."
    )
    events = [e["event"] for e in m["audit"]]
    for event in (
        "created",
        "attendance taken",
        "participant added",
        "decision recorded",
        "action added",
        "ended",
    ):
        assert event in events


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_missing_partner_then_ctrl_c_then_resume(tmp_path: Path) -> None:
    home = tmp_path / "store"
    c = Chair(home, "new", "--agenda", "national", "--prefill", PREFILL)
    mark_all_present(c, police="5\r")  # did not attend
    c.see("Statutory partner missing: police")
    c.q("Without police: how do you proceed?", "1\r")
    c.q("Why is police not taking part", "No CAIU officer free; DS Lamb to be briefed by 12:00\r")
    c.note("Reason for the discussion", "Disclosure at school this morning.\r\r")
    c.q("Who is sharing information?", "\x03")
    c.see("strat resume SD-2026-0001")
    assert c.finish() == 130

    m = record(home)
    assert m["notes"]["reason"] == "Disclosure at school this morning."
    gap = m["partner_gaps"][0]
    assert (gap["agency_kind"], gap["proceeded"]) == ("police", True)
    assert m["progress"]["current"] == "information"

    c = Chair(home, "resume", "SD-2026-0001")
    c.see("Resuming SD-2026-0001")
    c.see("Information sharing by each agency")
    c.q("Who is sharing information?", "\x03")
    assert c.finish() == 130
    m = record(home)
    assert m["notes"]["reason"] == "Disclosure at school this morning."
    assert "resumed" in [e["event"] for e in m["audit"]]


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_kill_9_then_resume_loses_nothing(tmp_path: Path) -> None:
    home = tmp_path / "store"
    c = Chair(home, "new", "--agenda", "national", "--prefill", PREFILL)
    mark_all_present(c)
    c.note("Reason for the discussion", "Bruise seen at school.\rMother unaware.\r\r")
    c.see("Who is sharing information?")
    second = Chair(home, "resume", "SD-2026-0001")  # while the chair holds the meeting
    second.see("open in another strat process")
    assert second.finish() == 3
    os.kill(c.child.pid, signal.SIGKILL)
    c.child.expect(pexpect.EOF)
    c.child.close()
    assert c.child.signalstatus == signal.SIGKILL

    m = record(home)
    assert m["notes"]["reason"] == "Bruise seen at school.\nMother unaware."
    assert m["progress"]["attendance_taken"] is True

    c = Chair(home, "resume", "SD-2026-0001")  # the lock died with the process
    c.see("Resuming SD-2026-0001")
    c.q("Who is sharing information?", "8\r")  # finished
    c.q("Any general notes", "n")
    c.note("Ellie Marsh: voice and lived experience", "/goto 2\r")
    c.note("Reason for the discussion", "\r\r")  # the saved notes come back as they were
    c.note("Ellie Marsh: voice and lived experience", "\x03")
    assert c.finish() == 130
    m = record(home)
    assert m["notes"]["reason"] == "Bruise seen at school.\nMother unaware."
    assert "information" in m["progress"]["done"]


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_reopen_then_ctrl_c_keeps_the_end_time_and_ending_again_offers_it(
    tmp_path: Path,
) -> None:
    home = tmp_path / "store"
    built = Chair(home, "new", "--answers", str(EXAMPLES / "answers.yaml"), "--no-input")
    built.see("Saved SD-2026-0001 (ended)")
    assert built.finish() == 0
    ended = record(home)["ended_at"]
    assert ended is not None

    c = Chair(home, "resume", "SD-2026-0001")
    c.q("Reopen it to add to the record?", "y")
    c.q("End the meeting?", "\x03")  # straight to the closing screen; Ctrl-C there
    assert c.finish() == 130
    m = record(home)
    assert (m["status"], m["ended_at"]) == ("draft", ended)
    assert "reopened" in [e["event"] for e in m["audit"]]

    c = Chair(home, "resume", "SD-2026-0001")  # a draft now: no reopen question
    c.q("End the meeting?", "1\r")
    c.see("End time (HH:MM)")
    c.see("19/11/2026 11:05")  # the first end time is offered, with its date
    c.child.send("\r")
    c.see("Deadlines that follow:")
    assert c.finish() == 0
    m = record(home)
    assert (m["status"], m["ended_at"]) == ("ended", ended)
