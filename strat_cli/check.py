"""The quality check: compares a record with its area's procedure and lists every gap.

The rules themselves live in one table (`rulebook`); this module runs all of them, for
`strat check`, `strat authorise` and the partnership report. Which items an area requires, which
partners are statutory and how each rule is graded come from the agenda file, never from code
here. Deadlines are asked of `deadlines`, never computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .agenda import Agenda, Severity
from .model import Meeting
from .rulebook import Gap, findings, waits

if TYPE_CHECKING:
    from .deadlines import Deadlines

__all__ = ["Gap", "Report", "Severity", "check_meeting"]


@dataclass
class Report:
    meeting_id: str
    agenda_id: str
    gaps: list[Gap]
    # Codes the area lets wait until after authorisation (circulation, late minutes…).
    waiting: frozenset[str] = field(default_factory=frozenset)

    @property
    def blocking(self) -> list[Gap]:
        """The errors a manager must fix (or override) before authorising."""
        return [g for g in self.errors if g.code not in self.waiting]

    @property
    def errors(self) -> list[Gap]:
        return [g for g in self.gaps if g.severity == "error"]

    @property
    def warnings(self) -> list[Gap]:
        return [g for g in self.gaps if g.severity == "warning"]

    @property
    def ok(self) -> bool:
        """No errors: warnings alone do not stop authorisation."""
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.meeting_id,
            "agenda": self.agenda_id,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "gaps": [g.as_dict() for g in self.gaps],
        }


def check_meeting(
    meeting: Meeting,
    agenda: Agenda,
    *,
    now: datetime | None = None,
    deadlines: Deadlines | None = None,
) -> Report:
    """Every gap between the record and the area's procedure, in the rulebook's order.

    `deadlines` may be passed in (tests, or a caller that already has them); otherwise they are
    asked of the deadlines module.
    """
    gaps = findings(meeting, agenda, now=now, deadlines=deadlines)
    return Report(meeting.id, agenda.id, gaps, frozenset(waits(agenda)))
