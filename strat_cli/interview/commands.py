"""The any-time commands a chair types at a text prompt (/action, /who, /back…) and the signals they raise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..model import (
    LONDON,
)

Clock = Callable[[], datetime]


def london_now() -> datetime:
    return datetime.now(LONDON)


# --- the any-time commands ---------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    help: str


COMMANDS: tuple[Command, ...] = (
    Command("action", "/action", "add an action (what, owner, due)"),
    Command("decision", "/decision", "record a decision for one or more children"),
    Command("who", "/who", "add or update a participant: late joiner, early leaver"),
    Command("info", "/info", "note information shared by an agency"),
    Command("disagree", "/disagree", "record a disagreement or escalation"),
    Command("child", "/child", "add a child to the discussion"),
    Command("invite", "/invite", "record who was invited under the procedure, or why not"),
    Command("inform", "/inform", "record, per person with parental responsibility, who tells them"),
    Command("open", "/open", "list the agenda items still open"),
    Command("back", "/back", "go back to the previous item"),
    Command("skip", "/skip", "skip this item for now (it stays open)"),
    Command("goto", "/goto N", "jump to item N (or pick from a list)"),
    Command("end", "/end", "go to the closing screen and end the meeting"),
    Command("edit", "/edit", "write this answer in your $EDITOR"),
    Command("cancel", "/cancel", "drop the step you are in (action, decision…)"),
    Command("help", "/help", "show these commands"),
)
_BY_NAME = {c.name: c for c in COMMANDS}
ALIASES = {"a": "action", "d": "decision", "w": "who", "i": "info", "g": "goto", "?": "help"}
TOOLBAR = (
    " /action /decision /who /info /disagree /child · /back /skip /goto N /open /end "
    "· /help · Ctrl-C pauses (all saved)"
)
NAVIGATION = ("back", "skip", "goto", "end")


def find_command(word: str) -> Command | None:
    """An exact name, an alias, or an unambiguous start (`/dec` → /decision)."""
    word = word.lower()
    word = ALIASES.get(word, word)
    if word in _BY_NAME:
        return _BY_NAME[word]
    starts = [c for c in COMMANDS if c.name.startswith(word)] if word else []
    return starts[0] if len(starts) == 1 else None


class Navigate(Exception):
    """Leave the current agenda item: back, skip, goto or end."""

    def __init__(self, where: str, arg: str = "") -> None:
        super().__init__(where)
        self.where = where
        self.arg = arg


class Cancel(Exception):
    """The chair dropped a side step with /cancel."""


class Pause(Exception):
    """The chair chose to stop and reconvene (e.g. a statutory partner is missing)."""
