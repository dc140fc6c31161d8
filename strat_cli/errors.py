"""The errors a user sees. One type, one handler (in cli), one line on stderr."""

from __future__ import annotations


class StratError(Exception):
    """A problem the user can act on. The message names what was wrong and where."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(StratError):
    """No meeting, agenda, template or action by that name."""


class InvalidRecord(StratError):
    """A meeting file that does not parse or validate: never overwritten."""


class Busy(StratError):
    """Another strat process holds the meeting."""

    exit_code = 3


class Locked(StratError):
    """The record is authorised: amend it, do not edit it."""


class AgendaError(StratError):
    """An agenda file a council edited is not valid."""


class TemplateError(StratError):
    """A Word template is missing, broken, or refers to a field that does not exist."""


class InputError(StratError):
    """Something the user typed or passed could not be used."""


class MailError(StratError):
    """The message could not be prepared or sent."""


class NoTerminal(StratError):
    """Interactive commands need a terminal; say how to run without one."""

    exit_code = 2


class Stale(StratError):
    """Someone else saved the record since it was read: this write is refused, never lost."""

    exit_code = 3


class Offline(StratError):
    """The team's server cannot be reached; what was typed is kept in the local journal."""

    exit_code = 4
