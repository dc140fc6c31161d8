"""The live meeting: walk an agenda with the chair, saving every answer before the next question.

The walk follows the area's order, but a call is not linear: from any text prompt the chair can
type a short command (`/action`, `/who`, `/back`, …) that runs a side step and returns to the
same question, or moves to another item. Where the chair is lives in `meeting.progress`, so
`strat resume` continues at the same place after Ctrl-C, a closed terminal or `kill -9`.

Nothing here imports questionary or typer: prompts come in through `prompts.Prompts`.
"""

from .closing import attendance_summary, closing_summary, deadlines_text
from .commands import COMMANDS, Cancel, Command, Navigate, Pause, find_command, london_now
from .preparation import invite_advice, parse_day
from .session import InputClosed, new_meeting, resume_hint, run_interview
from .walk import Interview

__all__ = [
    "COMMANDS",
    "Cancel",
    "Command",
    "InputClosed",
    "Interview",
    "Navigate",
    "Pause",
    "attendance_summary",
    "closing_summary",
    "deadlines_text",
    "find_command",
    "invite_advice",
    "london_now",
    "new_meeting",
    "parse_day",
    "resume_hint",
    "run_interview",
]
