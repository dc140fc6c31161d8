"""Shared fixtures: every test gets its own store, and nothing reads the real user's files."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.model import CirculationEntry, Meeting
from strat_cli.samples import large, typical
from strat_cli.settings import Settings, load_settings
from strat_cli.store import FolderStore

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """STRAT_HOME points at a fresh folder; no config or editor from the developer's machine."""
    home = tmp_path / "store"
    monkeypatch.setenv("STRAT_HOME", str(home))
    # COLUMNS: pytest-xdist workers set 80; listings through a pipe print whole lines instead
    for var in ("STRAT_CONFIG", "STRAT_USER", "EDITOR", "VISUAL", "STRAT_SMTP_PASSWORD", "COLUMNS"):
        monkeypatch.delenv(var, raising=False)
    yield home


@pytest.fixture
def settings(isolated_home: Path) -> Settings:
    return load_settings(isolated_home)


@pytest.fixture
def store(isolated_home: Path) -> FolderStore:
    s = FolderStore(isolated_home)
    s.ensure()
    return s


@pytest.fixture
def typical_meeting() -> Meeting:
    return typical()


@pytest.fixture
def large_meeting() -> Meeting:
    return large()


@pytest.fixture
def saved(store: FolderStore, typical_meeting: Meeting) -> Meeting:
    """The typical example, saved in the store as SD-2026-0001."""
    store.save(typical_meeting)
    return typical_meeting


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def strat_executable() -> str:
    """The installed `strat` of the interpreter running the tests (the venv's)."""
    here = Path(sys.executable).parent
    for name in ("strat", "strat.exe"):
        if (here / name).exists():
            return str(here / name)
    found = shutil.which("strat")
    if not found:
        pytest.skip("the strat command is not installed")
    return found


def sent_to_everyone(meeting: Meeting, at: datetime, method: str = "smtp") -> CirculationEntry:
    """A delivery that reached every participant with an address, the others recorded as
    having none: what a complete circulation looks like in the log."""
    emails = [p.email for p in meeting.participants if p.email]
    return CirculationEntry(
        at=at,
        by="Tom Aske",
        method=method,
        recipients=emails,
        delivered=emails,
        unreachable={p.id: "no email address" for p in meeting.participants if not p.email},
    )


__all__ = ["EXAMPLES", "REPO", "app", "sent_to_everyone", "strat_executable"]
