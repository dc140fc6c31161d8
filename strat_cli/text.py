"""What text a record or a setting may hold: one home for the rule, read by the model, the
settings and the prompts alike.

A name, a role, an agency or an address is shown as one line (a table cell, an email header, a
calendar entry, the audit trail): a line break there starts a new line or a forged header, and an
escape sequence repaints a terminal. Free text (notes, a rationale) may run over lines and hold
tabs, never other control characters (ESC, NUL, BEL…). Ordinary Unicode is welcome in both.
"""

from __future__ import annotations

import re

from .errors import InputError
from .safetext import C0, C1, SEPARATORS, lines

# C0 controls (tab, line feed and CR too), DEL, C1 controls (NEL U+0085 among them), and the
# Unicode line and paragraph separators, which several renderers and terminals break a line at.
_NOT_ONE_LINE = re.compile(f"[\t\n\r{C0}{C1}{SEPARATORS}]")
# The same, less the line feed and the tab free text keeps; a CR is refused (a pasted CRLF is
# read as a line feed where a person types it: `problem`).
_NOT_FREE_TEXT = re.compile(f"[\r{C0}{C1}{SEPARATORS}]")

ONE_LINE = "one line of text, without line breaks or control characters"
FREE_TEXT = "text without control characters (line breaks and tabs are fine)"


def one_line_problem(value: str) -> str | None:
    """Why `value` cannot be one line of a record, or None; never repeats the text."""
    return f"must be {ONE_LINE}" if _NOT_ONE_LINE.search(value) else None


def free_text_problem(value: str) -> str | None:
    """Why `value` cannot be free text of a record, or None; never repeats the text."""
    return f"must be {FREE_TEXT}" if _NOT_FREE_TEXT.search(value) else None


def checked(where: str, value: str, *, one_line: bool = True) -> str:
    """`value` as a record keeps it (free text's CRLF read as a line feed, as `problem` does);
    else InputError naming `where` (an option such as `--by`), never the text. Keep what it
    returns, not what was given."""
    value, why = problem(value, one_line=one_line)
    if why:
        raise InputError(f"{where}: {why}")
    return value


def problem(value: str, *, one_line: bool) -> tuple[str, str | None]:
    """A typed answer as it will be kept (a pasted CRLF in free text read as a line feed) and
    why it cannot be, or None: the one check of the live prompt and a file's answer."""
    if one_line:
        return value, one_line_problem(value)
    value = lines(value)
    return value, free_text_problem(value)


def cleaned(value: str, *, one_line: bool) -> str:
    """`value` without the characters a record may not hold: what the prompt offers again."""
    return (_NOT_ONE_LINE if one_line else _NOT_FREE_TEXT).sub("", value)
