"""Where strat keeps what it can always recompute: compiled templates and bank holidays.

Set once by the command line to `<store>/cache`; None (the default, and in library use) means
nothing is kept. A module of its own so that setting it imports nothing.
"""

from __future__ import annotations

from pathlib import Path

folder: Path | None = None


def use(path: Path | None) -> None:
    global folder
    folder = path
