"""The team's store on PostgreSQL (issue 16): records, the audit trail, leases, references and
the register, on the council's server.

The database enforces the rules, not strat: no strat role writes a table directly; every write
goes through the SECURITY DEFINER functions of the migrations in `strat_cli/sql/`, which check the
caller's role, the version the caller read (a stale write is refused, never lost), that
authorised content never changes, that amendments and the audit trail are only added to, and
name the audit entries by the display name of the login (`strat admin add-user`).

psycopg is imported inside the functions: nobody working on a folder imports it. Every failure
to reach the server is `errors.Offline` with one line naming it (never a password).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Busy, InvalidRecord, Locked, NotFound, Offline, Stale, StratError
from .files import private_folder
from .index import Refreshed, deadlines_for, rows_from_record, table_columns
from .resources import migrations_dir
from .storeapi import Lease
from .timeutil import LONDON

if TYPE_CHECKING:  # the register's listings import neither pydantic's models nor the store
    import psycopg

    from .model import Meeting

LEASE_STALE_AFTER = 90.0  # seconds without a renewal after which a lease may be taken over
HEARTBEAT = 20.0  # seconds between renewals while a lease is held
CONNECT_TIMEOUT = 3  # seconds: a server that does not answer is offline, quickly
ROLES = {"reader": "strat_reader", "member": "strat_member", "manager": "strat_manager"}
_MIGRATION_RE = re.compile(r"\A([0-9]{4})_[a-z0-9_]+\.sql\Z")
_LOGIN_RE = re.compile(r"\A[A-Za-z0-9_.@\\-]{1,63}\Z")


def where_of(url: str) -> str:
    """The server as messages name it: scheme, user, host, port and database, never a
    password or the query (which may name files)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        user = f"{parts.username}@" if parts.username else ""
        port = f":{parts.port}" if parts.port else ""
        return f"postgresql://{user}{parts.hostname or 'localhost'}{port}{parts.path}"
    except ValueError:
        return "the team's server"


class _Exists(StratError):
    """The server already holds a record of that reference (SR005): `create` names where."""


# libpq's words for a server that answered but would not let this login in
_REFUSED_LOGIN = (
    "authentication",
    "no password supplied",
    "does not exist",
    "pg_hba",
    "gssapi",
    "kerberos",
)


def _failure(exc: Exception, where: str) -> StratError:
    """One line for a psycopg error: our own refusals say what they are; a lost connection is
    Offline; anything else names its SQLSTATE only (a server message may quote a value)."""
    import psycopg

    state = getattr(exc, "sqlstate", None) or ""
    diag = getattr(exc, "diag", None)
    said = (getattr(diag, "message_primary", None) or "").splitlines()[0:1]
    message = said[0] if said else ""
    mine: dict[str, type[StratError]] = {
        "SR001": Stale,
        "SR002": Locked,
        "SR003": NotFound,
        "SR004": StratError,
        "SR005": _Exists,
        "42501": StratError,
    }
    if state in mine and message:
        return mine[state](message)
    if state in ("3F000", "42P01", "42883"):
        return StratError(
            f"{where}: holds no strat schema, or an older one: an admin runs "
            "strat admin init (or strat admin migrate)"
        )
    if state.startswith("28") or state == "3D000":  # authentication; no such database
        return StratError(f"{where}: the server refused this login ({message or state})")
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError) and (
        not state or state.startswith(("08", "57"))
    ):
        text = str(exc).lower()
        lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
        said = [line for line in lines if " failed: " in line] or lines or [""]
        why = said[-1].rsplit(" failed: ", 1)[-1][:120]  # libpq's reason, not its preamble
        if any(w in text for w in _REFUSED_LOGIN):
            return StratError(
                f"{where}: the server refused this login ({why}); the password comes from "
                "libpq's password file or a service file, or Kerberos signs in"
            )
        # the certificate or TLS set-up, not any line naming SSL: a network dropped under TLS
        # reads "SSL SYSCALL error: EOF detected", and that server is only out of reach
        if any(w in text for w in _IDENTITY):
            return StratError(f"{where}: the server's identity could not be checked ({why})")
        return Offline(
            f"{where}: the team's server cannot be reached ({why}); nothing saved was lost"
        )
    return StratError(f"{where}: the server refused the request ({state or type(exc).__name__})")


_IDENTITY = ("certificate", "sslmode", "does not support ssl", "ssl negotiation")


def connect(url: str, where: str | None = None) -> psycopg.Connection[Any]:
    """A connection in autocommit (each function call is its own transaction)."""
    import psycopg

    try:
        return psycopg.connect(
            url, connect_timeout=CONNECT_TIMEOUT, autocommit=True, application_name="strat"
        )
    except psycopg.Error as exc:
        raise _failure(exc, where or where_of(url)) from None


# --- the schema: migrations ------------------------------------------------------------------


def migrations() -> list[tuple[int, Path]]:
    """The shipped migrations, in order."""
    found = []
    for path in migrations_dir().glob("*.sql"):
        if m := _MIGRATION_RE.match(path.name):
            found.append((int(m.group(1)), path))
    return sorted(found)


LATEST = max(v for v, _ in migrations())


def migrate(url: str, *, create_roles: bool = False) -> list[str]:
    """Apply the migrations the server lacks, in order, in one transaction; write the rules the
    functions are held to from strat's own model. Run by the database owner. Returns the names
    of the migrations applied."""
    import psycopg
    from psycopg import sql

    from .model import AFTER_AUTHORISATION, FOLLOW_UP_FIELDS, meeting_fields

    where = where_of(url)
    conn = connect(url, where)
    applied: list[str] = []
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(7216001)")
            if create_roles:
                for role in ROLES.values():
                    if not conn.execute(
                        "SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)
                    ).fetchone():
                        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
                conn.execute("GRANT strat_reader TO strat_member")
                conn.execute("GRANT strat_member TO strat_manager")
            conn.execute("CREATE SCHEMA IF NOT EXISTS strat")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS strat.migrations (version integer PRIMARY KEY, "
                "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {r[0] for r in conn.execute("SELECT version FROM strat.migrations")}
            if done and max(done) > LATEST:
                raise StratError(
                    f"{where}: the schema is version {max(done)}, newer than this strat "
                    f"knows ({LATEST}): upgrade strat"
                )
            for version, path in migrations():
                if version in done:
                    continue
                conn.execute(path.read_text(encoding="utf-8").encode("utf-8"))
                conn.execute(
                    "INSERT INTO strat.migrations (version, name) VALUES (%s, %s)",
                    (version, path.name),
                )
                applied.append(path.name)
            conn.execute(
                "INSERT INTO strat.rules (after_authorisation, follow_up, lease_stale_after) "
                "VALUES (%s, %s, %s) ON CONFLICT (one) DO UPDATE SET "
                "after_authorisation = EXCLUDED.after_authorisation, "
                "follow_up = EXCLUDED.follow_up, lease_stale_after = EXCLUDED.lease_stale_after",
                (
                    list(meeting_fields(AFTER_AUTHORISATION)),
                    list(FOLLOW_UP_FIELDS),
                    LEASE_STALE_AFTER,
                ),
            )
            conn.execute("GRANT SELECT ON strat.migrations TO PUBLIC")
    except psycopg.Error as exc:
        raise _failure(exc, where) from None
    finally:
        conn.close()
    return applied


def add_user(url: str, login: str, name: str, role: str) -> bool:
    """Give a login a strat role and a display name (creating the login role when missing:
    its password, if any, is set by the admin outside strat). Returns True if it was created."""
    import psycopg
    from psycopg import sql

    where = where_of(url)
    if not _LOGIN_RE.match(login):
        raise StratError(f"{login!r}: not a login name strat accepts (letters, digits, _ . @ -)")
    if role not in ROLES:
        raise StratError(f"--role: must be one of {', '.join(ROLES)}")
    if not name.strip() or "\n" in name:
        raise StratError("--name: the display name must be one line, not empty")
    conn = connect(url, where)
    try:
        with conn.transaction():
            made = not conn.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)
            ).fetchone()
            if made:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login)))
            for other in ROLES.values():
                conn.execute(
                    sql.SQL("REVOKE {} FROM {}").format(
                        sql.Identifier(other), sql.Identifier(login)
                    )
                )
            conn.execute(
                sql.SQL("GRANT {} TO {}").format(sql.Identifier(ROLES[role]), sql.Identifier(login))
            )
            conn.execute(
                "INSERT INTO strat.people (login, display_name) VALUES (%s, %s) "
                "ON CONFLICT (login) DO UPDATE SET display_name = EXCLUDED.display_name",
                (login, name.strip()),
            )
    except psycopg.Error as exc:
        raise _failure(exc, where) from None
    finally:
        conn.close()
    return made


# --- the store -------------------------------------------------------------------------------


def _store() -> Any:
    """The folder store's module, for what both stores share (reading and writing a record's
    JSON, references): imported when a record is, so the register's listings stay light."""
    from . import store

    return store


_NUL = re.compile("\x00")  # PostgreSQL's text cannot hold U+0000


def _server_json(meeting: Meeting) -> str:
    """The record's JSON as the server keeps it (store.record_json, validated), U+0000 replaced
    (store.replace_unwritable) in the caller's copy too, so the copy in memory and the one kept
    stay equal."""
    text: str = _store().record_json(meeting, indent=None)
    if "\\u0000" in text:
        from .model import STORED, Meeting

        data = _store().replace_unwritable(json.loads(text), _NUL)
        _store().replace_fields(meeting, Meeting.model_validate(data, context=STORED))
        text = _store().record_json(meeting, indent=None)
    return text


def register_rows(meeting: Meeting, data: dict[str, Any], agenda_dirs: list[Path]) -> str:
    """The register's rows of a record as JSON for the server (references, codes, times; no
    names), made by the same code as the folder's index (index.rows_from_record)."""
    rows = rows_from_record(data)
    payload: dict[str, Any] = {
        "meeting": {**rows.meeting, **deadlines_for(meeting, agenda_dirs)},
        **{
            table: [dict(zip(table_columns(table), row, strict=True)) for row in found]
            for table, found in (
                ("children", rows.children),
                ("decisions", rows.decisions),
                ("actions", rows.actions),
            )
        },
    }
    return json.dumps(payload)


def client_id(local: Path) -> str:
    """This machine's id for leases, kept in `<local>/client-id`: the same person on the same
    machine (after a kill -9, say) gets their own lease back without taking it over."""
    path = local / "client-id"
    with contextlib.suppress(OSError):
        text = path.read_text(encoding="ascii").strip()
        if re.fullmatch(r"[0-9a-f]{32}", text):
            return text
    private_folder(local)
    new = secrets.token_hex(16)
    try:
        fd = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
        )
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise StratError(f"{path}: cannot be written ({exc.strerror})") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(new + "\n")
    return new


def _now_text() -> str:
    """Now, written as the record's model writes a time (an entry the server adds must read
    back and be written again unchanged, or the audit trail would look rewritten)."""
    from .model import AuditEvent

    return str(AuditEvent(at=datetime.now(LONDON), event="-").model_dump(mode="json")["at"])


def server_time(moment: datetime) -> str:
    """10:02 27/11/2026 (UK time): how the server writes a time in words it makes itself (a
    stale save's refusal, a take-over's audit entry: `to_char(… AT TIME ZONE 'Europe/London',
    'HH24:MI DD/MM/YYYY')`), and so how strat writes a lease's time; test_pgstore checks the
    two agree."""
    return f"{moment.astimezone(LONDON):%H:%M %d/%m/%Y}"


def _clock(moment: datetime) -> str:
    """10:02 today, else as the server writes a time (10:02 27/11/2026)."""
    local = moment.astimezone(LONDON)
    if local.date() == datetime.now(LONDON).date():
        return f"{local:%H:%M}"
    return server_time(local)


class PostgresStore:
    """The team's records on the server (storeapi.ServerStore). One connection, opened at first
    use; the lease heartbeat has its own."""

    def __init__(self, url: str, *, local: Path, agenda_dirs: list[Path]) -> None:
        self.url = url
        self.local = local
        self.agenda_dirs = list(agenda_dirs)
        self.where = where_of(url)
        self.after_save: list[Callable[[Meeting], None]] = []
        self._conn: psycopg.Connection[Any] | None = None
        self._actor: str | None = None
        self._client: str | None = None
        self._versions: dict[str, int] = {}
        self._audit_seen: dict[str, int] = {}
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    # --- the connection -----------------------------------------------------------------

    def _db(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            conn = connect(self.url, self.where)
            try:
                row = conn.execute(
                    "SELECT strat.whoami(), (SELECT max(version) FROM strat.migrations)"
                ).fetchone()
            except Exception as exc:
                conn.close()
                raise _failure(exc, self.where) from None
            assert row is not None
            if row[1] != LATEST:
                conn.close()
                action = (
                    "upgrade strat"
                    if (row[1] or 0) > LATEST
                    else "an admin runs strat admin migrate"
                )
                raise StratError(
                    f"{self.where}: the server's schema is version {row[1]}, this strat "
                    f"works with {LATEST}: {action}"
                )
            self._actor = str(row[0])
            self._conn = conn
        return self._conn

    def _run(self, query: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """One statement; its rows. Any failure is one line (Offline when the server went)."""
        import psycopg

        with self._lock:
            conn = self._db()
            try:
                return conn.execute(query, args).fetchall()
            except psycopg.Error as exc:
                if conn.broken or isinstance(exc, psycopg.OperationalError):
                    with contextlib.suppress(Exception):
                        conn.close()
                    self._conn = None
                raise _failure(exc, self.where) from None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def actor(self) -> str:
        """The display name of the login: who the audit trail names (asked once)."""
        if self._actor is None:
            self._db()
        return self._actor or ""

    @property
    def client(self) -> str:
        if self._client is None:
            self._client = client_id(self.local)
        return self._client

    # --- reading ------------------------------------------------------------------------

    def ensure(self) -> None:
        try:
            private_folder(self.local)
        except OSError as exc:
            raise StratError(f"{self.local}: cannot create the folder ({exc.strerror})") from None

    def exists(self, meeting_id: str) -> bool:
        _store().check_id(meeting_id)
        return bool(self._run("SELECT 1 FROM strat.meetings WHERE id = %s", (meeting_id,)))

    def ids(self) -> list[str]:
        return [r[0] for r in self._run("SELECT id FROM strat.meetings ORDER BY id")]

    def new_id(self, year: int) -> str:
        return str(self._run("SELECT strat.next_reference(%s)", (year,))[0][0])

    def load(self, meeting_id: str) -> Meeting:
        _store().check_id(meeting_id)
        rows = self._run(
            "SELECT record::text, version FROM strat.meetings WHERE id = %s", (meeting_id,)
        )
        if not rows:
            raise NotFound(f"no meeting {meeting_id} on {self.where}")
        meeting: Meeting = _store().parse_meeting(rows[0][0], f"{self.where} {meeting_id}")
        self._versions[meeting_id] = int(rows[0][1])
        self._audit_seen[meeting_id] = len(meeting.audit)
        return meeting

    def version_of(self, meeting_id: str) -> int | None:
        """The version this store last read or wrote of the record."""
        return self._versions.get(meeting_id)

    def lease_of(self, meeting_id: str) -> Lease | None:
        rows = self._run(
            "SELECT holder, since, renewed, db_user = session_user AND client_id = %s "
            "FROM strat.leases WHERE meeting_id = %s",
            (self.client, meeting_id),
        )
        if not rows:
            return None
        holder, since, renewed, mine = rows[0]
        return Lease(str(holder), since, renewed, bool(mine))

    # --- writing ------------------------------------------------------------------------

    def _payload(self, meeting: Meeting) -> tuple[str, str]:
        """The record's JSON (validated) and the register's rows (references, codes, times;
        no names), computed here with the same code as the folder's index."""
        actor = self.actor
        for event in meeting.audit[self._audit_seen.get(meeting.id, 0) :]:
            event.who = actor  # the server names them so too: the copy in memory stays equal
        return self._kept(meeting)

    def _kept(self, meeting: Meeting) -> tuple[str, str]:
        """The record's JSON as the server keeps it and its register rows, for a save or a
        copy."""
        text = _server_json(meeting)
        return text, register_rows(meeting, json.loads(text), self.agenda_dirs)

    def save(
        self,
        meeting: Meeting,
        *,
        now: datetime | None = None,
        base_version: int | None = None,
        create: bool = False,
    ) -> int:
        """Write the record if the server still has the version this store read (or
        `base_version`); else `errors.Stale`, and nothing is overwritten. Returns the new
        version."""
        _store().stamp(meeting, now)
        base = None if create else base_version
        if base is None and not create:
            base = self._versions.get(meeting.id)
        text, rows = self._payload(meeting)
        version, kept = self._run(
            "SELECT * FROM strat.save_meeting(%s, %s::jsonb, %s, %s::jsonb, %s)",
            (meeting.id, text, base, rows, create),
        )[0]
        if kept is not None:  # the server named who did it, or added waiting audit entries
            _store().replace_fields(
                meeting, _store().parse_meeting(kept, f"{self.where} {meeting.id}")
            )
        self._versions[meeting.id] = int(version)
        self._audit_seen[meeting.id] = len(meeting.audit)
        for hook in self.after_save:
            hook(meeting)
        return int(version)

    def create(self, meeting: Meeting) -> int:
        """Save a new meeting; refuse a reference that already exists on the server."""
        try:
            return self.save(meeting, create=True)
        except _Exists:
            raise StratError(f"{meeting.id} already exists in {self.where}") from None

    def copy_in(self, meeting: Meeting) -> bool:
        """Keep a record copied from another store verbatim (its audit trail as it was); False,
        and nothing written, when the server has a record of that reference already
        (`storecopy` compares the two). Manager only."""
        text, payload = self._kept(meeting)  # a copy holding U+0000 is kept as a save keeps it
        made = self._run(
            "SELECT strat.copy_in(%s, %s::jsonb, %s::jsonb)",
            (meeting.id, text, payload),
        )[0][0]
        return bool(made)

    def record_export(self, meeting_id: str, detail: str, *, who: str = "") -> Meeting:
        """Every export leaves an audit entry, by any strat role, named by the login (`who` is
        ignored: the server knows who). While the record is leased the entry joins its copy at
        the holder's next save; the audit table has it at once."""
        _store().check_id(meeting_id)
        self._run(
            "SELECT strat.record_export(%s, %s, %s)",
            (meeting_id, _now_text(), detail),
        )
        return self.load(meeting_id)

    # --- one writer at a time -------------------------------------------------------------

    @contextlib.contextmanager
    def hold(self, meeting_id: str, *, take_over: bool = False) -> Iterator[None]:
        """The record's lease, renewed in the background while held and released on exit.
        Another holder: `errors.Busy` naming them and since when."""
        _store().check_id(meeting_id)
        if self._held.get(meeting_id):  # already held by this store: nested
            self._held[meeting_id] += 1
            try:
                yield
            finally:
                self._held[meeting_id] -= 1
            return
        got, holder, since, stale = self._run(
            "SELECT * FROM strat.take_lease(%s, %s, %s, %s)",
            (meeting_id, self.client, take_over, _now_text()),
        )[0]
        if not got:
            if stale:
                raise Busy(
                    f"{meeting_id} is open by {holder} since {_clock(since)}, who has not been "
                    f"seen for a while; take it over with: strat resume {meeting_id} --take-over"
                )
            if take_over:  # asked to take over a lease its holder is still renewing
                raise Busy(
                    f"{meeting_id} is open by {holder} since {_clock(since)} and still in use "
                    f"there; it can be taken over once it has not been renewed for "
                    f"{LEASE_STALE_AFTER:.0f} seconds"
                )
            raise Busy(f"{meeting_id} is open by {holder} since {_clock(since)}")
        self._held[meeting_id] = 1
        beat = _Heartbeat(self.url, meeting_id, self.client)
        beat.start()
        try:
            yield
        finally:
            self._held.pop(meeting_id, None)
            beat.stop()
            with contextlib.suppress(StratError):  # offline: the lease goes stale by itself
                self._run("SELECT strat.release_lease(%s, %s)", (meeting_id, self.client))

    def edit(
        self, meeting_id: str, *, allow_locked: bool = False, take_over: bool = False
    ) -> contextlib.AbstractContextManager[Meeting]:
        from .store import edit_held

        return edit_held(self, meeting_id, allow_locked=allow_locked, take_over=take_over)


class _Heartbeat:
    """Renews a lease every HEARTBEAT seconds on its own connection, until stopped. A renewal
    that fails (offline) is tried again at the next beat; the lease goes stale meanwhile."""

    def __init__(self, url: str, meeting_id: str, client: str) -> None:
        self.url, self.meeting_id, self.client = url, meeting_id, client
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease {meeting_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=CONNECT_TIMEOUT + 1)

    def _run(self) -> None:
        conn: Any = None
        while not self._stop.wait(HEARTBEAT):
            try:
                if conn is None or conn.closed:
                    conn = connect(self.url)
                conn.execute("SELECT strat.renew_lease(%s, %s)", (self.meeting_id, self.client))
            except Exception:  # offline now: try again at the next beat
                with contextlib.suppress(Exception):
                    conn.close()
                conn = None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()


# --- the register ----------------------------------------------------------------------------


class _Row(tuple[Any, ...]):
    """A row read by position or by column name, as sqlite3.Row is."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def _rows(cursor: Any) -> Callable[[Any], _Row]:
    names = {c.name: i for i, c in enumerate(cursor.description or [])}

    def make(values: Any) -> _Row:
        row = _Row(values)
        row.names = names
        return row

    return make


class _Connection:
    """The register's queries, one text for SQLite and PostgreSQL: `?` placeholders become
    psycopg's `%s`, rows answer by position and by name."""

    def __init__(self, conn: psycopg.Connection[Any], where: str) -> None:
        self.conn = conn
        self.where = where

    def execute(self, query: str, args: Iterable[Any] = ()) -> Any:
        import psycopg

        text = query.replace("%", "%%").replace("?", "%s")
        try:
            cursor = self.conn.cursor(row_factory=_rows)
            return cursor.execute(text, tuple(args))
        except psycopg.Error as exc:
            raise _failure(exc, self.where) from None


class PostgresRegister:
    """The register on the server (`list`, `actions`, `due`, the report): SQL over the tables
    every save fills; nothing to refresh or rebuild on this side."""

    facts_cache = False  # the report's facts are not kept on the server

    def __init__(self, url: str, *, local: Path, agenda_dirs: list[Path]) -> None:
        self.url = url
        self.local = local
        self.agenda_dirs = list(agenda_dirs)
        self.where = where_of(url)
        self.meetings = self.path = self.where  # how listings name where they looked
        self._conn: _Connection | None = None
        self.warnings: list[str] = []

    def connect(self) -> _Connection:
        if self._conn is None:
            conn = connect(self.url, self.where)
            try:
                conn.execute("SET search_path = strat_register, pg_temp")
            except Exception as exc:
                conn.close()
                raise _failure(exc, self.where) from None
            self._conn = _Connection(conn, self.where)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.conn.close()
            self._conn = None

    def refresh(self) -> Refreshed:
        self.connect()
        return Refreshed()

    def stale_agendas(self) -> int:
        return 0

    def complete(
        self,
        ids: Iterable[str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[str]:
        """Deadlines are computed by whoever saves; a record whose deadlines could not be
        (its agenda missing on that machine) is named, one line each, until it is saved again."""
        rows = self.connect().execute(
            "SELECT id, deadlines_error FROM meetings WHERE deadlines_ok = 0 AND error IS NULL"
            + (" AND id = ANY(?)" if ids is not None else "")
            + " ORDER BY id",
            (list(ids),) if ids is not None else (),
        )
        return [f"{mid}: {why or 'no deadlines'}" for mid, why in rows]

    def action_texts_of(self, meeting_ids: Iterable[str]) -> dict[str, dict[str, tuple[str, str]]]:
        """What each action says and who owns it, read from the records' jsonb for the rows
        shown only (the register's tables hold neither)."""
        wanted = list(meeting_ids)
        found: dict[str, dict[str, tuple[str, str]]] = {mid: {} for mid in wanted}
        if not wanted:
            return found
        rows = self.connect().execute(
            "SELECT m.id, a ->> 'id', coalesce(a ->> 'what', ''), coalesce(a ->> 'owner', '') "
            "FROM strat.meetings m, jsonb_array_elements(m.record -> 'actions') a "
            "WHERE m.id = ANY(?)",
            (wanted,),
        )
        for mid, aid, what, owner in rows:
            found[mid][str(aid)] = (what, owner)
        return found

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> Refreshed:
        """Write every record's register rows again from the records (strat reindex)."""
        store = PostgresStore(self.url, local=self.local, agenda_dirs=self.agenda_dirs)
        result = Refreshed()
        ids = store.ids()
        for n, mid in enumerate(ids, start=1):
            try:
                meeting = store.load(mid)
            except InvalidRecord as exc:
                result.problems.append(exc.message)
                continue
            rows = register_rows(meeting, meeting.model_dump(mode="json"), self.agenda_dirs)
            store._run("SELECT strat.reindex(%s, %s::jsonb)", (mid, rows))
            result.updated += 1
            if progress:
                progress(n, len(ids))
        store.close()
        return result
