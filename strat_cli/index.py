"""The register's index: one SQLite file (standard library) beside the meeting files.

The JSON files stay the source of truth; the index is a cache that answers `strat list`,
`strat actions` and `strat due` across thousands of meetings without opening each file. It is
updated after every save (a `FolderStore.after_save` hook), refreshed row by row for files changed on
disk outside strat (mtime and size are kept per row; the folder is only scanned when its own
mtime moved, see `_folder_mtime`), and rebuilt in full by `strat reindex`.

What the index may hold (it is a second copy, outside the record files, so it holds as little as
the listings need): references (meeting, action and child ids, a child's case-management
reference), codes (agenda, status, type, format, outcome, nation), agencies (organisations, not
people), times, deadlines, counts, and the error line of a file it could not read (which never
quotes record text). Never a person's name (no child, chair, owner or manager) and no free text
(no action text, note or reason): a listing that shows those reads them from the record files for
the rows it prints (`register.action_texts`). `tests/test_leaks.py` checks this after a full run.

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
import functools
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .circulation import coverage
from .files import private_folder
from .timeutil import LONDON as LONDON  # re-exported: the one zone, defined in timeutil

if TYPE_CHECKING:
    from .agenda import Agenda
    from .model import Meeting

INDEX_VERSION = 8  # bump when the tables (or what a column means) change: the index is rebuilt
MEETING_FILE_RE = re.compile(r"\A(SD-[0-9]{4}-[0-9]{4,6})\.json\Z")  # as model.MEETING_ID_RE
SEP = "\x1f"  # between the parts of a list kept in one column (outcomes, child refs, previous)

TABLES = """
CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    error TEXT,
    agenda TEXT, status TEXT, type TEXT, format TEXT,
    started_at TEXT, started_ts REAL, started_date TEXT, ended_ts REAL,
    previous TEXT, children INTEGER, subject_children INTEGER, child_refs TEXT,
    outcomes TEXT, s47 INTEGER,
    authorised_ts REAL, circulated_ts REAL, summarised INTEGER, summarised_ts REAL,
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
    meeting_id TEXT NOT NULL, action_id TEXT NOT NULL, agency TEXT,
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


T = TypeVar("T")


def sqlite_why(exc: sqlite3.Error) -> str:
    """Why SQLite could not write, in the words the store's own errors use."""
    text = str(exc).lower()
    if "full" in text:
        return "the disk is full"
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return "the store is read-only or not yours"
    if "locked" in text or "busy" in text:
        return "another strat process is writing it"
    return str(exc)


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


# Written for a reference a record kept in another shape than strat gives it (a name typed as a
# child's id before the check, say): the index holds references, never what was typed there.
NOT_A_REFERENCE = "?"


@functools.cache
def _shapes() -> dict[str, re.Pattern[str]]:
    """The model's reference shapes (its one home), when a row is made: the record is validated
    by then, so importing the model costs nothing that answering from the index pays."""
    from .model import ACTION_REF, AGENDA_ID, LOCAL_REF, MEETING_ID, short_id

    shapes = {
        "child": short_id("C"),
        "action": short_id("A"),
        "meeting": MEETING_ID,
        "carried": ACTION_REF,
        "local_ref": LOCAL_REF,
        "agenda": AGENDA_ID,
    }
    return {kind: re.compile(rf"\A(?:{pattern})\Z") for kind, pattern in shapes.items()}


def reference(kind: str, value: Any) -> Any:
    """`value` when it has the shape of a `kind` reference (or is empty), else the placeholder."""
    if value is None or value == "":
        return value
    return value if _shapes()[kind].match(str(value)) else NOT_A_REFERENCE


def rows_from_record(data: dict[str, Any]) -> Rows:
    """Index rows from a meeting as its JSON data: references, codes, agencies and times only;
    no person's name and no free text is copied here (see the module's docstring). A reference
    kept in another shape is written as the placeholder (`reference`)."""
    mid = str(data["id"])
    started = parse_time(data.get("started_at"))
    # Circulated once every participant has it (circulation.coverage, as deadlines reads the
    # log); the action summary counts as sent with the first delivery (it is the email's body).
    covered = coverage(data.get("participants") or [], data.get("circulation") or [])
    auth = data.get("authorisation") or None
    decisions = data.get("decisions") or []
    actions = data.get("actions") or []
    children = data.get("children") or []
    outcomes = sorted({str(d.get("outcome", "")) for d in decisions})
    meeting = {
        "id": mid,
        "error": None,
        "agenda": reference("agenda", data.get("agenda")),
        "status": data.get("status", "draft"),
        "type": data.get("type", "initial"),
        "format": data.get("format", ""),
        "started_at": started.isoformat() if started else None,
        "started_ts": started.timestamp() if started else None,
        "started_date": started.astimezone(LONDON).date().isoformat() if started else None,
        "ended_ts": _ts(data.get("ended_at")),
        "previous": SEP.join(reference("meeting", p) for p in data.get("previous") or []),
        "children": len(children),
        "subject_children": sum(1 for c in children if c.get("subject", True)),
        # children by reference only: the case-management reference, else the C-id
        "child_refs": SEP.join(
            ref
            if (ref := reference("local_ref", c.get("local_ref")))
            not in ("", None, NOT_A_REFERENCE)
            else reference("child", c.get("id"))
            for c in children
        ),
        "outcomes": SEP.join(outcomes),
        "s47": int(any(o.startswith("s47") for o in outcomes)),
        "authorised_ts": _ts(auth.get("at")) if auth else None,
        "circulated_ts": _ts(covered.complete_at),
        # a local render or a draft is not sending
        "summarised": int(covered.first_delivery_at is not None),
        # when the summary went (with the first delivery), so a summary sent late stays seen
        "summarised_ts": _ts(covered.first_delivery_at),
        "open_actions": sum(1 for a in actions if a.get("status", "open") == "open"),
        "icpc_held": data.get("icpc_held_on"),
    }
    return Rows(
        meeting=meeting,
        children=[
            (
                mid,
                reference("child", c.get("id")),
                reference("local_ref", c.get("local_ref")) or "",
                int(c.get("subject", True)),
            )
            for c in children
        ],
        decisions=[
            (mid, reference("child", d.get("child_id")), d.get("outcome")) for d in decisions
        ],
        actions=[
            (
                mid,
                reference("action", a.get("id")),
                a.get("agency", ""),
                a.get("due"),
                _ts(a.get("due")),
                a.get("status", "open"),
                int(bool(a.get("contingency"))),
                a.get("completed_at"),
                reference("carried", a.get("carried_from")),
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


def deadlines_for(meeting: Meeting, agenda_dirs: list[Path]) -> dict[str, Any]:
    """The deadline columns of a meeting, or why they could not be computed (no agenda)."""
    from .errors import StratError

    try:
        agenda = _agenda(tuple(agenda_dirs), meeting.agenda)
        if agenda is None:
            agenda_ref = reference("agenda", meeting.agenda)
            return {"deadlines_ok": 0, "deadlines_error": f"no agenda {agenda_ref!r}"}
        return deadline_columns(meeting, agenda)
    except StratError as exc:
        return {"deadlines_ok": 0, "deadlines_error": exc.message}


def table_columns(table: str) -> list[str]:
    """The columns of one of the register's tables, read from TABLES (their one home)."""
    if not _COLUMNS:
        conn = sqlite3.connect(":memory:")
        conn.executescript(TABLES)
        for name in (*CHILD_TABLES, "meetings"):
            _COLUMNS[name] = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
        conn.close()
    return _COLUMNS[table]


_COLUMNS: dict[str, list[str]] = {}


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
        self.in_memory = False  # the file could not take a write: a copy in memory answers
        self.warnings: list[str] = []  # said once, with the problems of the first refresh

    # --- the connection -----------------------------------------------------------------

    def connect(self) -> sqlite3.Connection:
        """Open (or create) the index; an index of another version or a damaged one is remade."""
        if self._conn is not None:
            return self._conn
        try:
            private_folder(self.root)  # private, like the store, whatever the umask
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
            # SQLite may have rolled back already (a full disk does): never hide why
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _or_in_memory(self, write: Callable[[], T]) -> T:
        """Run a write; if the index file cannot take it (a read-only store, a full disk, a
        lock held too long), go on with a copy in memory for the rest of this command. The
        meeting files are the truth: a reading command must not fail for want of saving a
        cache. The index file is left as it was, so the next command tries again."""
        try:
            return write()
        except sqlite3.OperationalError as exc:
            if self.in_memory:
                raise
            self._to_memory(exc)
            return write()

    def _to_memory(self, exc: sqlite3.OperationalError) -> None:
        memory = sqlite3.connect(":memory:", isolation_level=None)
        memory.row_factory = sqlite3.Row
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.backup(memory)
            self.close()
        if memory.execute("PRAGMA user_version").fetchone()[0] != INDEX_VERSION:
            memory.executescript(TABLES)
            memory.execute(f"PRAGMA user_version = {INDEX_VERSION}")
        self._conn = memory
        self.in_memory = True
        self.warnings.append(
            f"{self.path}: cannot be updated ({sqlite_why(exc)}); "
            "answered from the meeting files this time"
        )

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
        conn.executemany("INSERT INTO actions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows.actions)

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
        return deadlines_for(meeting, self.agenda_dirs)

    def action_texts_of(self, meeting_ids: Iterable[str]) -> dict[str, dict[str, tuple[str, str]]]:
        """What each action says and who owns it, by meeting and action id, read from the
        meeting files (the index holds neither). A file that cannot be read gives nothing."""
        import json

        found: dict[str, dict[str, tuple[str, str]]] = {}
        for mid in meeting_ids:
            found[mid] = {}
            try:
                data = json.loads((self.meetings / f"{mid}.json").read_bytes())
                for a in data.get("actions") or []:
                    found[mid][str(a.get("id"))] = (str(a.get("what", "")), str(a.get("owner", "")))
            except (OSError, ValueError, TypeError, AttributeError, RecursionError):
                pass
        return found

    def _read_file(self, meeting_id: str) -> tuple[Rows | None, dict[str, Any], str]:
        """Rows (and deadlines) from a file changed outside strat, validated exactly as the
        store reads it, so a file `strat show` refuses is reported, never listed as sound.

        This is the slow path (it loads the model); a listing only takes it for files that
        changed since the index last saw them.
        """
        from .errors import StratError
        from .store import FolderStore

        path = self.meetings / f"{meeting_id}.json"
        try:
            meeting = FolderStore(self.root).load(meeting_id)
        except StratError as exc:
            return None, {}, exc.message
        except (ValueError, RecursionError, MemoryError) as exc:  # never let one file stop a list
            return None, {}, f"{path}: not a meeting file ({type(exc).__name__})"
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
            result.problems[:0] = self.warnings
            self.warnings = []
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

        def write() -> None:
            result.updated = result.removed = 0
            result.problems.clear()
            with self._write() as conn:
                for mid in gone:
                    self._drop(conn, mid)
                    result.removed += 1
                for mid in sorted(stale):
                    self._index_file(conn, mid, on_disk[mid], result)

        if stale or gone:
            self._or_in_memory(write)
        result.problems.extend(
            str(err) for mid, (_, _, err) in sorted(known.items()) if err and mid not in stale
        )
        result.problems[:0] = self.warnings
        self.warnings = []
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
        from .errors import StratError

        on_disk = self.scan()
        result = Refreshed()
        ids = sorted(on_disk)
        batch = 500
        try:  # one transaction: a rebuild that fails (a full disk) leaves the old index whole
            with self._write() as conn:
                conn.execute("DELETE FROM meetings")
                for table in CHILD_TABLES:
                    conn.execute(f"DELETE FROM {table}")
                for start in range(0, len(ids), batch):
                    for mid in ids[start : start + batch]:
                        self._index_file(conn, mid, on_disk[mid], result)
                    if progress:
                        progress(min(start + batch, len(ids)), len(ids))
        except sqlite3.OperationalError as exc:
            raise StratError(
                f"{self.path}: cannot rebuild the index ({sqlite_why(exc)}); "
                "the meeting files and the index are as they were"
            ) from None
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
        from .store import FolderStore

        store = FolderStore(self.root)
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
        problems[:0] = self.warnings  # the index file could not take the new deadlines
        self.warnings = []
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

        def write() -> int:
            count = 0
            with self._write() as conn:
                for path in changed:
                    cur = conn.execute(
                        "UPDATE meetings SET deadlines_ok = 0 WHERE agenda_path = ?", (path,)
                    )
                    count += cur.rowcount
            return count

        return self._or_in_memory(write)

    def _set_columns(self, updates: list[tuple[str, dict[str, Any]]]) -> None:
        if not updates:
            return

        def write() -> None:
            with self._write() as conn:
                for mid, cols in updates:
                    sets = ", ".join(f"{k} = :{k}" for k in cols)
                    conn.execute(f"UPDATE meetings SET {sets} WHERE id = :id", {**cols, "id": mid})

        self._or_in_memory(write)


_AGENDA_CACHE: dict[tuple[Path, ...], dict[str, Agenda]] = {}
_AGENDA_STAMPS: dict[Path, str | None] = {}  # each agenda file's mtime and size when it was read


def _file_stamp(path: Path) -> str | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return f"{st.st_mtime_ns}:{st.st_size}"


def _agenda(dirs: tuple[Path, ...], agenda_id: str) -> Agenda | None:
    """One agenda, read once per process (a save in the interview should not re-read YAML)
    and only when a record needs it (a huge agenda of another area is never read)."""
    cache = _AGENDA_CACHE.setdefault(dirs, {})
    if agenda_id not in cache:
        from .agenda import NoSuchAgenda, agenda_files, get_agenda

        # stamped before reading: a file edited while it is read looks changed next time
        before = {path: _file_stamp(path) for path in agenda_files(list(dirs))}
        try:
            agenda = get_agenda(agenda_id, list(dirs))
        except NoSuchAgenda:
            return None
        if agenda.path is not None:
            _AGENDA_STAMPS[agenda.path] = before.get(agenda.path, _file_stamp(agenda.path))
        cache[agenda_id] = agenda
    return cache[agenda_id]


def save_hook(root: Path, agenda_dirs: list[Path] | None = None) -> Callable[[Meeting], None]:
    """A `FolderStore.after_save` hook keeping the index current. A failure here never fails a save:
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
    """A date typed as 2026-11-19 or 19/11/2026 (timeutil.read_day)."""
    from .timeutil import read_day

    try:
        return read_day(value)
    except ValueError:
        from .errors import InputError

        raise InputError("cannot read that date: use 2026-11-19 or 19/11/2026") from None
