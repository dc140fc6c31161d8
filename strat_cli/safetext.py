"""Which characters of typed text are unsafe where it is shown: one home for every output.

A record's text comes from a person, a file or a server, so it may hold control characters (ESC
starts a terminal's escape sequence: clearing the screen, a hidden link; BEL rings; CR returns
over the line; NUL ends a C string) and bidirectional overrides that show text in another order
than it is stored. Each output names here which of them it cannot carry: the terminal shows a
placeholder where one was (the reader sees that something was there); the files strat writes
(Word, HTML, CSV, calendar) leave them out.
"""

from __future__ import annotations

import re

# C0 controls but tab, line feed and carriage return (each output decides about CR itself).
C0 = "\x00-\x08\x0b\x0c\x0e-\x1f"
# DEL and the C1 controls: U+009B is a one-character CSI to some terminals.
C1 = "\x7f-\x9f"
# Embeddings, overrides and isolates (U+202A-202E, U+2066-2069): text shown in another order.
_BIDI = "\u202a-\u202e\u2066-\u2069"
# Lone surrogates cannot be encoded at all: printing one raises instead of showing the rest.
_SURROGATES = "\ud800-\udfff"
# The Unicode line and paragraph separators: several renderers and terminals break a line there.
SEPARATORS = "\u2028\u2029"

# XML 1.0 forbids these (Word's .docx is XML; python-docx refuses them, PITFALLS.md).
XML_FORBIDDEN = re.compile(f"[{C0}\ufffe\uffff{_SURROGATES}]")
# HTML forbids the controls, C1 included.
HTML_FORBIDDEN = re.compile(f"[{C0}{C1}{_SURROGATES}]")
# Text a person reads in a terminal, a spreadsheet or a calendar: every control but tab and line
# feed, and the bidirectional overrides, which could make one text look like another.
UNSAFE = re.compile(f"[{C0}\r{C1}{_BIDI}{_SURROGATES}]")

# What the terminal shows where an unsafe character was: visible, one column, harmless.
PLACEHOLDER = "\ufffd"


def lines(text: str) -> str:
    """Line breaks typed on Windows (CR LF) are line breaks, not a control to flag: the one
    home of that rule, for what is shown and what is kept (text.py) alike."""
    return text.replace("\r\n", "\n") if "\r" in text else text


def for_screen(text: str) -> str:
    """Text for the terminal: every unsafe character becomes the placeholder."""
    if not UNSAFE.search(text):  # the common case, without a copy
        return text
    return UNSAFE.sub(PLACEHOLDER, lines(text))


def same_length_for_screen(text: str) -> str:
    """`for_screen` one character for one, so styles laid over `text` by position still fit."""
    return UNSAFE.sub(PLACEHOLDER, text) if UNSAFE.search(text) else text


def for_file(text: str) -> str:
    """Text for a CSV or calendar file: unsafe characters left out, CR LF kept as a line feed."""
    if not UNSAFE.search(text):
        return text
    return UNSAFE.sub("", lines(text))


_BREAKS = re.compile(f"[\t\n{SEPARATORS}]+")
_SEPARATOR = re.compile(f"[{SEPARATORS}]")


def for_record(text: str, *, one_line: bool) -> str:
    """Text strat writes into a record itself that may quote outside text (a mail server's
    reply in the audit trail): what a record may not hold is left out, so strat's own writing
    is never refused (text.py says what a record holds). One line: breaks and tabs become a
    space; free text: a line or paragraph separator becomes a line feed."""
    text = for_file(text)
    return _BREAKS.sub(" ", text) if one_line else _SEPARATOR.sub("\n", text)


# A spreadsheet reads a cell beginning with one of these as a formula (OWASP, CSV injection):
# `=HYPERLINK(...)` sends data away when clicked, `+1+cmd|...` runs a program in old Excel.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def for_spreadsheet(text: str) -> str:
    """A text cell of a CSV file: unsafe characters left out, and a `'` before a formula's first
    character, so Excel and LibreOffice show the text instead of running it. Only for text:
    numbers are written as numbers (a `-3` is not a formula)."""
    text = for_file(text)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def for_json(text: str) -> str:
    """JSON text with every unsafe character written as its escape (`\\u202e`): the data read
    back is the same, and the terminal the JSON is printed on never receives the character."""
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
