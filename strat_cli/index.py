"""The register's index: one SQLite file (standard library) beside the meeting files.

The JSON files stay the source of truth; the index is a cache that answers `strat list`,
`strat actions` and `strat due` across thousands of meetings without opening each file. It is
updated after every save (a `Store.after_save` hook), refreshed row by row for files changed on
disk outside strat (mtime and size are kept per row; the folder is only scanned when its own
mtime moved, see `_folder_mtime`), and rebuilt in full by `strat reindex`.

Answering from the index imports neither the model nor pydantic's validation, so `strat list`
starts fast. Only files changed outside strat are re-read, through the store, so they are
validated exactly as `strat show` reads them (a damaged file is reported, never listed as
sound). Deadlines are asked of `deadlines` whenever a row is written; `complete` fills in any
row that still lacks them (e.g. its agenda was missing then). Each row keeps the mtime and size
of the agenda file its deadlines came from, so `stale_agendas` can send rows whose agenda was
edited since back to `complete` (no `strat reindex` needed after changing timescales).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .timeutil import LONDON as LONDON  # re-exported: the one zone, defined in timeutil

if TYPE_CHECKING:
    from .agenda import Agenda
    from .model import Meeting

INDEX_VERSION = 5  # bump when the tables change: an older index is dropped and rebuilt
MEETING_FILE_RE = re.compile(r"\A(SD-[0-9]{4}-[0-9]{4,6})\.json\Z")  # as model.MEETING_ID_RE
SEP = "\x1f"  # between the parts of a list kept in one column (outcomes, child refs, previous)

TABLES = """
CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    error TEXT,
    agenda TEXT, status TEXT, type TEXT, format TEXT, chair TEXT,
    started_at TEXT, started_ts REAL, started_date TEXT, ended_ts REAL,
    previous TEXT, children INTEGER, subject_children INTEGER, child_refs TEXT,
    outcomes TEXT, s47 INTEGER,
    authorised_by TEXT, authorised_ts REAL, circulated_ts REAL, summarised INTEGER,
    open_actions INTEGER,
    deadlines_ok INTEGER NOT NULL DEFAULT 0, deadlines_error TEXT, nation TEXT,
    summary_due_ts REAL, minutes_due_ts REAL, circulation_due_ts REAL,
    icpc_target TEXT, icpc_from TEXT, circulated_on_time INTEGER, icpc_held TEXT,
    agenda_path TEXT, agenda_stamp TEXT
);
CREATE TABLE children (
    meeting_id TEXT NOT NULL, child_id TEXT NOT NULL, local_ref TEXT, subject INTEGER
);
CREATE TABLE decisions (meeting_id TEXT NOT NULL, child_id TEXT, outcome TEXT);
CREATE TABLE actions (
    meeting_id TEXT NOT NULL, action_id TEXT NOT NULL, what TEXT, owner TEXT, agency TEXT,
    due TEXT, due_ts REAL, status TEXT, contingency INTEGER, completed_at TEXT,
    carried_from TEXT
);
CREATE INDEX meetings_started ON meetings (started_ts);
CREATE INDEX children_meeting ON children (meeting_id);
CREATE INDEX children_ref ON children (local_ref);
CREATE INDEX decisions_meeting ON decisions (meeting_id);
CREATE INDEX actions_meeting ON actions (meeting_id);
CREATE INDEX actions_open ON actions (status, due_ts);
-- Small partial indexes for the questions every `strat due` asks of all rows (each was a
-- scan of the whole table, ~13 ms per 100,000 meetings).
CREATE INDEX meetings_agenda ON meetings (agenda_path, agenda_stamp) WHERE deadlines_ok = 1;
CREATE INDEX meetings_incomplete ON meetings (id) WHERE deadlines_ok = 0 AND error IS NULL;
CREATE INDEX meetings_followups ON meetings (id) WHERE previous != '';
CREATE INDEX meetings_held ON meetings (id) WHERE icpc_held IS NOT NULL;
CREATE INDEX meetings_errors ON meetings (id) WHERE error IS NOT NULL;
CREATE TABLE scanned (folder_mtime_ns INTEGER NOT NULL, at_ns INTEGER NOT NULL);
"""
CHILD_TABLES = ("children", "decisions", "actions")


def split(value: str | None) -> list[str]:
    """A list kept in one column, back as a list."""
    return value.split(SEP) if value else []


def parse_time(value: Any) -> datetime | None:
    """A stored time as an aware datetime; a time without a zone is UK local, as in the model."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


def _ts(value: Any) -> float | None:
    moment = parse_time(value)
    return moment.timestamp() if moment else None


@dataclass
class Rows:
    """What one meeting file contributes to the index."""

    meeting: dict[str, Any]
    children: list[tuple[Any, ...]] = field(default_factory=list)
    decisions: list[tuple[Any, ...]] = field(default_factory=list)
    actions: list[tuple[Any, ...]] = field(default_factory=list)


def rows_from_record(data: dict[str, Any]) -> Rows:
    """Index rows from a meeting as its JSON data. Names of people are never copied here."""
    mid = str(data["id"])
    started = parse_time(data.get("started_at"))
    # Only deliveries count (sent by strat, or a draft recorded as sent): a draft alone is only
    # prepared, exactly as deadlines._circulated_on_time reads the log.
    circulation = [
        t
        for t in (_ts(c.get("at")) for c in data.get("circulation") or [] if c.get("delivered"))
        if t
    ]
    auth = data.get("authorisation") or None
    decisions = data.get("decisions") or []
    actions = data.get("actions") or []
    children = data.get("children") or []
    outcomes = sorted({str(d.get("outcome", "")) for d in decisions})
    meeting = {
        "id": mid,
        "error": None,
        "agenda": data.get("agenda"),
        "status": data.get("status", "draft"),
        "type": data.get("type", "initial"),
        "format": data.get("format", ""),
        "chair": data.get("chair", ""),
        "started_at": started.isoformat() if started else None,
        "started_ts": started.timestamp() if started else None,
        "started_date": started.astimezone(LONDON).date().isoformat() if started else None,
        "ended_ts": _ts(data.get("ended_at")),
        "previous": SEP.join(data.get("previous") or []),
        "children": len(children),
        "subject_children": sum(1 for c in children if c.get("subject", True)),
        # children by reference only: the case-management reference, else the C-id
        "child_refs": SEP.join(str(c.get("local_ref") or c.get("id")) for c in children),
        "outcomes": SEP.join(outcomes),
        "s47": int(any(o.startswith("s47") for o in outcomes)),
        "authorised_by": auth.get("by") if auth else None,
        "authorised_ts": _ts(auth.get("at")) if auth else None,
        "circulated_ts": min(circulation) if circulation else None,
        # the action summary is sent with every circulation (it is the email's body), so it
        # counts as sent once anything was delivered; a local render or a draft is not sending
        "summarised": int(bool(circulation)),
        "open_actions": sum(1 for a in actions if a.get("status", "open") == "open"),
        "icpc_held": data.get("icpc_held_on"),
    }
    return Rows(
        meeting=meeting,
        children=[
            (mid, c.get("id"), c.get("local_ref") or "", int(c.get("subject", True)))
            for c in children
        ],
        decisions=[(mid, d.get("child_id"), d.get("outcome")) for d in decisions],
        actions=[
            (
                mid,
                a.get("id"),
                a.get("what", ""),
                a.get("owner", ""),
                a.get("agency", ""),
                a.get("due"),
                _ts(a.get("due")),
                a.get("status", "open"),
                int(bool(a.get("contingency"))),
                a.get("completed_at"),
                a.get("carried_from"),
            )
            for a in actions
        ],
    )


def deadline_columns(meeting: Meeting, agenda: Agenda) -> dict[str, Any]:
    """The deadline columns, asked of the deadlines module (never computed here)."""
    from .deadlines import meeting_deadlines

    dl = meeting_deadlines(meeting, agenda)

    def ts(moment: datetime | None) -> float | None:
        return moment.timestamp() if moment else None

    return {
        "deadlines_ok": 1,
        "deadlines_error": None,
        "nation": agenda.timescales.nation,
        "summary_due_ts": ts(dl.summary_due),
        "minutes_due_ts": ts(dl.minutes_authorised_due),
        "circulation_due_ts": ts(dl.circulation_due),
        "icpc_target": dl.icpc_target.isoformat() if dl.icpc_target else None,
        "icpc_from": dl.icpc_counted_from.isoformat() if dl.icpc_counted_from else None,
        "circulated_on_time": None if dl.circulated_on_time is None else int(dl.circulated_on_time),
        "agenda_path": str(agenda.path) if agenda.path else None,
        "agenda_stamp": _AGENDA_STAMPS.get(agenda.path) if agenda.path else None,
    }


@dataclass
class Refreshed:
    """What a refresh found: files re-read, rows dropped, and files that could not be read."""

    updated: int = 0
    removed: int = 0
    problems: list[str] = field(default_factory=list)


class Index:
    """The index of one store. Pass the store folder; agendas are only needed for deadlines."""

    def __init__(self, root: Path, agenda_dirs: list[Path] | None = None) -> None:
        self.root = root
        self.meetings = root / "meetings"
        self.path = root / "index.sqlite"
        self.agenda_dirs = list(agenda_dirs or [])
        self._conn: sqlite3.Connection | None = None

    # --- the connection -----------------------------------------------------------------

    def connect(self) -> sqlite3.Connection:
        """Open (or create) the index; an index of another version or a damaged one is remade."""
        if self._conn is not None:
            return self._conn
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)  # private, like the store
            conn = self._open(self.path)
        except sqlite3.DatabaseError:
            with contextlib.suppress(OSError):
                self.path.unlink()
            try:
                conn = self._open(self.path)
            except sqlite3.Error:
                conn = self._open(":memory:")  # read-only store: answer from memory this once
        except OSError:
            conn = self._open(":memory:")
        self._conn = conn
        return conn

    @staticmethod
    def _open(where: Path | str) -> sqlite3.Connection:
        conn = sqlite3.connect(str(where), timeout=10, isolation_level=None)
        conn.row_factory = sqlite3.Row
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != INDEX_VERSION:
            conn.execute("BEGIN IMMEDIATE")
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            ).fetchall():
                conn.execute(f'DROP TABLE IF EXISTS "{name}"')
            conn.executescript(TABLES)  # executescript commits the open transaction first
            conn.execute(f"PRAGMA user_version = {INDEX_VERSION}")
        if where != ":memory:" and os.name == "posix":
            with contextlib.suppress(OSError):
                os.chmod(where, 0o600)
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self.connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # --- keeping rows current -------------------------------------------------------------

    def _put(
        self, conn: sqlite3.Connection, rows: Rows, stat: tuple[int, int], extra: dict[str, Any]
    ) -> None:
        mid = rows.meeting["id"]
        self._drop(conn, mid)
        values = {**rows.meeting, **extra, "mtime_ns": stat[0], "size": stat[1]}
        cols = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        conn.execute(f"INSERT INTO meetings ({cols}) VALUES ({marks})", values)
        conn.executemany("INSERT INTO children VALUES (?, ?, ?, ?)", rows.children)
        conn.executemany("INSERT INTO decisions VALUES (?, ?, ?)", rows.decisions)
        conn.executemany(
            "INSERT INTO actions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows.actions
        )

    @staticmethod
    def _drop(conn: sqlite3.Connection, meeting_id: str) -> None:
        conn.execute("DELETE FROM meetings WHERE id = ?", (meeting_id,))
        for table in CHILD_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE meeting_id = ?", (meeting_id,))

    def _file_stat(self, meeting_id: str) -> tuple[int, int] | None:
        try:
            st = (self.meetings / f"{meeting_id}.json").stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def update(self, meeting: Meeting) -> None:
        """After a save: index the record just written, deadlines included."""
        stat = self._file_stat(meeting.id)
        if stat is None:
            return
        rows = rows_from_record(meeting.model_dump(mode="json"))
        extra = self._deadlines_for(meeting)
        with self._write() as conn:
            self._put(conn, rows, stat, extra)

    def _deadlines_for(self, meeting: Meeting) -> dict[str, Any]:
        from .errors import StratError

        try:
            agenda = _agendas(tuple(self.agenda_dirs)).get(meeting.agenda)
            if agenda is None:
                return {"deadlines_ok": 0, "deadlines_error": f"no agenda {meeting.agenda!r}"}
            return deadline_columns(meeting, agenda)
        except StratError as exc:
            return {"deadlines_ok": 0, "deadlines_error": exc.message}

    def _read_file(self, meeting_id: str) -> tuple[Rows | None, dict[str, Any], str]:
        """Rows (and deadlines) from a file changed outside strat, validated exactly as the
        store reads it, so a file `strat show` refuses is reported, never listed as sound.

        This is the slow path (it loads the model); a listing only takes it for files that
        changed since the index last saw them.
        """
        from .errors import StratError
        from .store import Store

        path = self.meetings / f"{meeting_id}.json"
        try:
            meeting = Store(self.root).load(meeting_id)
        except StratError as exc:
            return None, {}, exc.message
        except (ValueError, RecursionError, MemoryError) as exc:  # never let one file stop a list
            return None, {}, f"{path}: not a meeting file ({type(exc).__name__})"
        if meeting.id != meeting_id:
            return None, {}, f"{path}: holds {meeting.id}, not {meeting_id}"
        rows = rows_from_record(meeting.model_dump(mode="json"))
        return rows, self._deadlines_for(meeting), ""

    def scan(self) -> dict[str, tuple[int, int]]:
        """Every meeting file on disk with its mtime and size (one directory read)."""
        found: dict[str, tuple[int, int]] = {}
        try:
            entries = os.scandir(self.meetings)
        except OSError:
            return found
        with entries:
            for entry in entries:
                name = entry.name
                if not (name.startswith("SD-") and name.endswith(".json")):
                    continue
                m = MEETING_FILE_RE.match(name)
                if not m:
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                found[m.group(1)] = (st.st_mtime_ns, st.st_size)
        return found

    def refresh(self) -> Refreshed:
        """Bring the index level with the files: rows for new or changed files are re-read,
        rows for deleted files dropped. Cheap when nothing changed (one directory scan)."""
        conn = self.connect()
        folder = self._folder_mtime()
        if folder is not None and self._unchanged_since_scan(conn, folder):
            result = Refreshed()
            result.problems.extend(
                r[0]
                for r in conn.execute(
                    "SELECT error FROM meetings WHERE error IS NOT NULL AND error != '' ORDER BY id"
                )
            )
            return result
        started = time.time_ns()
        on_disk = self.scan()
        known = {
            r["id"]: (r["mtime_ns"], r["size"], r["error"])
            for r in conn.execute("SELECT id, mtime_ns, size, error FROM meetings")
        }
        stale = [mid for mid, st in on_disk.items() if known.get(mid, (None, None, None))[:2] != st]
        gone = [mid for mid in known if mid not in on_disk]
        result = Refreshed()
        if stale or gone:
            with self._write() as conn:
                for mid in gone:
                    self._drop(conn, mid)
                    result.removed += 1
                for mid in sorted(stale):
                    self._index_file(conn, mid, on_disk[mid], result)
        result.problems.extend(
            str(err) for mid, (_, _, err) in sorted(known.items()) if err and mid not in stale
        )
        if folder is not None:
            self._mark_scanned(folder, started)
        return result

    # --- one stat instead of one per meeting ----------------------------------------------
    # Every file strat writes in the meetings folder is renamed into place (store.atomic_write),
    # and a rename, a new file or a deleted one updates the folder's mtime. So when the folder's
    # mtime is the one seen at the last full scan, no file was added, replaced or removed since,
    # and the scan (a stat per meeting, ~0.3 s over 100,000) is skipped. A file rewritten in
    # place by another program is seen at the next change to the folder, or by `strat reindex`.

    def _folder_mtime(self) -> int | None:
        """The meetings folder's mtime; None where it is not trusted. On Windows the scan
        costs no stat per file (the directory listing carries them), and a FAT folder's time
        does not follow its entries, so there the scan always runs."""
        if os.name != "posix":
            return None
        try:
            return os.stat(self.meetings).st_mtime_ns
        except OSError:
            return None

    @staticmethod
    def _unchanged_since_scan(conn: sqlite3.Connection, folder: int) -> bool:
        """The folder's time is the one the last scan saw, and was already 2 s old then: a
        change after the scan cannot share its time on a filesystem with coarse timestamps
        (FAT keeps 2 s), so an equal time means no change."""
        row = conn.execute("SELECT folder_mtime_ns, at_ns FROM scanned").fetchone()
        return row is not None and row[0] == folder and folder < row[1] - 2_000_000_000

    def _mark_scanned(self, folder: int, started: int) -> None:
        """Remember the folder's time as of a full scan; an index that cannot be written
        simply scans again next time."""
        with contextlib.suppress(sqlite3.Error), self._write() as conn:
            conn.execute("DELETE FROM scanned")
            conn.execute("INSERT INTO scanned VALUES (?, ?)", (folder, started))

    def _index_file(
        self, conn: sqlite3.Connection, mid: str, stat: tuple[int, int], result: Refreshed
    ) -> None:
        rows, deadlines, problem = self._read_file(mid)
        if rows is None:
            self._drop(conn, mid)
            conn.execute(
                "INSERT INTO meetings (id, mtime_ns, size, error) VALUES (?, ?, ?, ?)",
                (mid, stat[0], stat[1], problem),
            )
            result.problems.append(problem)
        else:
            self._put(conn, rows, stat, deadlines)
        result.updated += 1

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> Refreshed:
        """Forget every row and read every file again, with deadlines; `progress(done, total)`."""
        on_disk = self.scan()
        with self._write() as conn:
            conn.execute("DELETE FROM meetings")
            for table in CHILD_TABLES:
                conn.execute(f"DELETE FROM {table}")
        result = Refreshed()
        ids = sorted(on_disk)
        batch = 500
        for start in range(0, len(ids), batch):
            with self._write() as conn:
                for mid in ids[start : start + batch]:
                    self._index_file(conn, mid, on_disk[mid], result)
            if progress:
                progress(min(start + batch, len(ids)), len(ids))
        if progress and not ids:
            progress(0, 0)
        return result

    def complete(
        self,
        ids: Iterable[str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[str]:
        """Fill in the deadlines of rows that lack them (rows read outside a save).

        This is the one slow path: it validates the records and loads the agendas and holiday
        calendars. Returns the problems met, one line each.
        """
        conn = self.connect()
        if ids is None:
            todo = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM meetings WHERE deadlines_ok = 0 AND error IS NULL"
                )
            ]
        else:
            todo = list(ids)
        if not todo:
            return []
        from .errors import StratError
        from .store import Store

        store = Store(self.root)
        problems: list[str] = []
        updates: list[tuple[str, dict[str, Any]]] = []
        for n, mid in enumerate(todo, start=1):
            try:
                meeting = store.load(mid)
            except StratError as exc:
                problems.append(exc.message)
                continue
            cols = self._deadlines_for(meeting)
            if cols.get("deadlines_error"):
                problems.append(f"{mid}: {cols['deadlines_error']}")
            updates.append((mid, cols))
            if len(updates) >= 500 or n == len(todo):
                self._set_columns(updates)
                updates = []
                if progress:
                    progress(n, len(todo))
        self._set_columns(updates)
        return problems

    def stale_agendas(self) -> int:
        """Send rows whose agenda file changed (or went) since their deadlines were computed
        back to `complete`; returns how many. One stat per agenda file in use: cheap."""
        conn = self.connect()
        in_use = conn.execute(
            "SELECT DISTINCT agenda_path, agenda_stamp FROM meetings "
            "WHERE deadlines_ok = 1 AND agenda_path IS NOT NULL"
        ).fetchall()
        changed = [path for path, stamp in in_use if _file_stamp(Path(path)) != stamp]
        if not changed:
            return 0
        _AGENDA_CACHE.clear()  # this process may hold the old timescales
        _AGENDA_STAMPS.clear()
        count = 0
        with self._write() as conn:
            for path in changed:
                cur = conn.execute(
                    "UPDATE meetings SET deadlines_ok = 0 WHERE agenda_path = ?", (path,)
                )
                count += cur.rowcount
        return count

    def _set_columns(self, updates: list[tuple[str, dict[str, Any]]]) -> None:
        if not updates:
            return
        with self._write() as conn:
            for mid, cols in updates:
                sets = ", ".join(f"{k} = :{k}" for k in cols)
                conn.execute(f"UPDATE meetings SET {sets} WHERE id = :id", {**cols, "id": mid})


_AGENDA_CACHE: dict[tuple[Path, ...], dict[str, Agenda]] = {}
_AGENDA_STAMPS: dict[Path, str | None] = {}  # each agenda file's mtime and size when it was read


def _file_stamp(path: Path) -> str | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return f"{st.st_mtime_ns}:{st.st_size}"


def _agendas(dirs: tuple[Path, ...]) -> dict[str, Agenda]:
    """The agendas, read once per process: a save in the interview should not re-read YAML."""
    if dirs not in _AGENDA_CACHE:
        from .agenda import agenda_dirs, load_agendas

        # stamped before reading: a file edited while it is read looks changed next time
        before: dict[Path, str | None] = {}
        for folder in agenda_dirs(list(dirs)):
            with contextlib.suppress(OSError):
                for path in folder.glob("*.y*ml"):
                    before[path] = _file_stamp(path)
        agendas = load_agendas(list(dirs))
        for agenda in agendas.values():
            if agenda.path is not None:
                _AGENDA_STAMPS[agenda.path] = before.get(agenda.path, _file_stamp(agenda.path))
        _AGENDA_CACHE[dirs] = agendas
    return _AGENDA_CACHE[dirs]


def save_hook(root: Path, agenda_dirs: list[Path] | None = None) -> Callable[[Meeting], None]:
    """A `Store.after_save` hook keeping the index current. A failure here never fails a save:
    the row keeps its old mtime, so the next listing re-reads the file."""
    index = Index(root, agenda_dirs)

    def hook(meeting: Meeting) -> None:
        try:
            index.update(meeting)
        except sqlite3.Error:
            pass
        finally:
            index.close()

    return hook


def local_date(value: str) -> date:
    """A date typed as 2026-11-19 or 19/11/2026."""
    value = value.strip()
    try:
        if "/" in value:
            d, m, y = (int(x) for x in value.split("/"))
            return date(y if y > 99 else 2000 + y, m, d)
        return date.fromisoformat(value)
    except ValueError:
        from .errors import InputError

        raise InputError(f"cannot read date {value!r}: use 2026-11-19 or 19/11/2026") from None
