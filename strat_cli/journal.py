"""The live meeting's offline journal (issue 16): an answer never waits on the network.

On a server store every save of the live meeting is first written whole to a private file on
this computer (`<store>/journal/SD-….json`, durable, atomic), with the server version the copy
is based on and how many answers are not yet on the server; a background thread then pushes the
latest copy to the server (saves made meanwhile coalesce into one push). When the server cannot
be reached the meeting carries on and the interview shows one line ("offline: 7 answers not yet
on the server"); the next push that gets through catches up. An entry is removed only once the
server holds that version. `strat sync` pushes whatever a meeting left behind; a copy the server
moved on from (its lease taken over, or saved by someone else) is refused and kept as a file.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .errors import Busy, InvalidRecord, Locked, Offline, Stale, StratError
from .files import private_folder
from .model import LONDON, STORED, AuditEvent, Meeting
from .store import (
    atomic_write,
    check_id,
    keep_private,
    parse_meeting,
    record_hash,
    record_json,
    stamp,
)
from .storeapi import ServerStore
from .timeutil import format_uk

FORMAT = 1
RETRY_AFTER = 3.0  # seconds between pushes while the server cannot be reached
FINAL_PUSH_TIMEOUT = 8.0  # the last push at the end of a walk (connect timeout ≈ 3 s)


def journal_folder(local: Path) -> Path:
    """Where this person's journal lives: inside their private folder, never on the server."""
    return local / "journal"


def conflicts_folder(local: Path) -> Path:
    """Where `sync` keeps a local copy the server moved on from."""
    return local / "kept"


def answers(n: int) -> str:
    return f"{n} answer{'' if n == 1 else 's'}"


@dataclass
class Entry:
    """One meeting's copy in the journal, newer than the server's."""

    path: Path
    meeting: Meeting
    base_version: int | None
    unpushed: int
    stamps: list[str]  # `updated_at` of every copy saved since the base: a push of ours has one


def ensure_private(folder: Path) -> None:
    """Create the folder 0700 and take others' rights away (it holds record text)."""
    try:
        private_folder(folder)
        keep_private(folder)
    except OSError as exc:
        raise StratError(f"{folder}: cannot create the journal ({exc.strerror})") from None


def entry_path(journal: Path, meeting_id: str) -> Path:
    return journal / f"{check_id(meeting_id)}.json"


def write_entry(
    journal: Path,
    meeting_id: str,
    text: str,
    *,
    base_version: int | None,
    unpushed: int,
    stamps: list[str],
) -> Path:
    """The whole record and its bookkeeping in one file, replaced in one durable step: a crash
    or a full disk leaves the earlier entry whole."""
    ensure_private(journal)
    head = json.dumps(
        {
            "journal": FORMAT,
            "id": meeting_id,
            "base_version": base_version,
            "unpushed": unpushed,
            "stamps": stamps,
        }
    )
    path = entry_path(journal, meeting_id)
    atomic_write(path, f'{head[:-1]}, "record": {text}}}\n'.encode())
    return path


def read_entry(path: Path) -> Entry:
    """A journal entry, checked like any record; a damaged one is named and left as it is."""
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise StratError(f"{path}: cannot read ({exc.strerror})") from None
    except ValueError:
        raise InvalidRecord(
            f"{path}: not a journal entry (not valid JSON); left as it is"
        ) from None
    if not isinstance(data, dict) or data.get("journal") != FORMAT:
        raise InvalidRecord(f"{path}: not a journal entry this strat reads; left as it is")
    base, unpushed, record = data.get("base_version"), data.get("unpushed"), data.get("record")
    stamps = data.get("stamps", [])
    if not (base is None or type(base) is int) or type(unpushed) is not int:
        raise InvalidRecord(f"{path}: field base_version or unpushed: not a whole number")
    if not isinstance(stamps, list) or not all(isinstance(t, str) for t in stamps):
        raise InvalidRecord(f"{path}: field stamps: not a list of times")
    if not isinstance(record, dict):
        raise InvalidRecord(f"{path}: field record: missing")
    meeting = parse_meeting(json.dumps(record), path)
    if path.stem != meeting.id:
        raise InvalidRecord(f"{path}: holds {meeting.id}, not {path.stem}; left as it is")
    return Entry(path, meeting, base, unpushed, stamps)


def entries(journal: Path) -> list[Path]:
    """Every entry's file, by reference."""
    if not journal.is_dir():
        return []
    return sorted(p for p in journal.glob("SD-*.json") if p.is_file())


def push_entry(server: ServerStore, entry: Entry) -> None:
    """Push one entry against the version it was based on, then remove it (the server has it).
    Refused with `Stale` when the server's copy moved on or its lease is another's."""
    meeting_id = entry.meeting.id
    lease = server.lease_of(meeting_id)
    if lease is not None and not lease.is_mine:
        holder = lease.holder or "someone else"
        raise Stale(f"{meeting_id} was taken over by {holder} since {format_uk(lease.since)}")
    push_copy(server, entry.meeting, entry.base_version, entry.stamps)
    with contextlib.suppress(OSError):
        entry.path.unlink()


def push_copy(
    server: ServerStore,
    meeting: Meeting,
    base: int | None,
    stamps: list[str],
    server_audit: list[AuditEvent] | None = None,
) -> None:
    """Save a journal copy on the server against the version it was based on.

    The server names who did each new audit entry and adds exports made meanwhile, and its
    audit trail is only ever added to: the copy's trail is laid on the server's (`rebase`),
    from `server_audit` when this process knows it, else from the server's copy read now. When
    the server moved on only by a push of this journal's own (the process died before it could
    note the new version), the server's copy carries the time of one of this journal's saves:
    the copy goes on top of it. Anything else is someone else's change: `Stale`, nothing
    overwritten."""
    if server_audit is not None:
        rebase(meeting, server_audit)
        try:
            _server_save(server, meeting, base)
            return
        except (Stale, Locked):  # moved on, or the trail differs: look at the server's copy
            pass
    current = server.load(meeting.id)  # the server now remembers its latest version
    version = server.version_of(meeting.id)
    if version != base:
        if record_hash(current) == record_hash(meeting):
            return  # already there
        ours = {_when(t) for t in stamps}
        if current.updated_at is None or current.updated_at not in ours:
            raise Stale(
                f"{meeting.id} was saved on the server since this computer's copy was read "
                f"(version {version}, this copy {base})"
            )
    rebase(meeting, current.audit)
    _server_save(server, meeting, version)


def rebase(meeting: Meeting, server_audit: list[AuditEvent]) -> None:
    """The server's audit trail, then this copy's entries it does not have yet (matched by
    time, event and detail: the server may have named who differently)."""

    def key(e: AuditEvent) -> tuple[object, str, str]:
        return (e.at, e.event, e.detail)

    there = {key(e) for e in server_audit}
    meeting.audit = [e.model_copy() for e in server_audit] + [
        e for e in meeting.audit if key(e) not in there
    ]


def _trail(meeting: Meeting) -> list[AuditEvent]:
    return [e.model_copy() for e in meeting.audit]


def _when(stamp: str) -> datetime | None:
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        return None


def _server_save(server: ServerStore, meeting: Meeting, base: int | None) -> None:
    server.save(meeting, now=meeting.updated_at, base_version=base)


def keep_apart(local: Path, entry: Entry) -> Path:
    """The local copy the server moved on from, as a plain record file beside the journal (it
    leaves the journal, so nothing pushes it by mistake); the path is named to the user."""
    folder = conflicts_folder(local)
    ensure_private(folder)
    stamp = datetime.now(LONDON).strftime("%Y%m%d-%H%M%S")
    path = folder / f"{entry.meeting.id}-local-{stamp}.json"
    atomic_write(path, record_json(entry.meeting).encode("utf-8"))
    with contextlib.suppress(OSError):
        entry.path.unlink()
    return path


@dataclass
class _Live:
    """One meeting's push state in this process."""

    base: int | None
    seq: int = 0  # saves made in this process
    pushed: int = 0  # the save the server last took
    carried: int = 0  # answers left unpushed by an earlier process
    text: str = ""
    stamps: list[str] = field(default_factory=list)  # times of the saves since `base`
    server_audit: list[AuditEvent] | None = None  # the trail of the server's copy at `base`
    problem: str = ""  # the server refused the copy: stop pushing, keep it locally
    entry: Path | None = field(default=None)

    @property
    def unpushed(self) -> int:
        return self.carried + self.seq - self.pushed


class JournalledStore:
    """The live meeting's store on a server: `save` writes the journal and returns; a
    background thread pushes. Every other method is the server's."""

    def __init__(
        self, server: ServerStore, journal: Path, *, retry_after: float = RETRY_AFTER
    ) -> None:
        self.server = server
        self.journal = journal
        self.local = server.local
        self.where = server.where
        self.after_save: list[Callable[[Meeting], None]] = []
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._live: dict[str, _Live] = {}
        self._offline = ""  # why the last push failed to reach the server
        self._started = 0  # push attempts begun
        self._settling = False  # the last push is wanted now: no pause after a failure
        self._failed = 0  # the number of the last attempt the server could not be reached for
        self._not_before = 0.0
        self._closed = False
        self._thread: threading.Thread | None = None

    # --- the server's, unchanged ----------------------------------------------------------

    def ensure(self) -> None:
        self.server.ensure()

    def exists(self, meeting_id: str) -> bool:
        return self.server.exists(meeting_id)

    def ids(self) -> list[str]:
        return self.server.ids()

    def new_id(self, year: int) -> str:
        return self.server.new_id(year)

    def record_export(self, meeting_id: str, detail: str, *, who: str = "") -> Meeting:
        return self.server.record_export(meeting_id, detail, who=who)

    @contextlib.contextmanager
    def hold(self, meeting_id: str, *, take_over: bool = False) -> Iterator[None]:
        """The server's lease; while the server cannot be reached, a meeting whose answers this
        computer's journal holds carries on without it (its pushes are still checked against
        the version they were based on, so nothing of someone else's is overwritten)."""
        with contextlib.ExitStack() as stack:
            stack.enter_context(self._local_lock(meeting_id))
            try:
                stack.enter_context(self.server.hold(meeting_id, take_over=take_over))
            except Offline as exc:
                if not entry_path(self.journal, meeting_id).is_file():
                    raise
                with self._lock:
                    self._offline = exc.message
            yield

    @contextlib.contextmanager
    def _local_lock(self, meeting_id: str) -> Iterator[None]:
        """One process per meeting on this computer, as on a folder store: the server's lease
        is this computer's (a second terminal would get it back), and both would write the
        same journal entry. The system frees it when a process dies."""
        from filelock import FileLock, Timeout

        ensure_private(self.journal)
        lock = FileLock(str(self.journal / f".{check_id(meeting_id)}.lock"), timeout=0, mode=0o600)
        try:
            lock.acquire()
        except Timeout:
            raise Busy(
                f"{meeting_id} is open in another strat process on this computer; finish there "
                "first (or close that terminal), then try again"
            ) from None
        except OSError as exc:
            raise StratError(f"{self.journal}: cannot lock {meeting_id} ({exc.strerror})") from None
        try:
            yield
        finally:
            lock.release()

    def create(self, meeting: Meeting) -> object:
        done = self.server.create(meeting)
        with self._lock:
            self._live[meeting.id] = _Live(
                base=self.server.version_of(meeting.id), server_audit=_trail(meeting)
            )
        return done

    # --- reading: what this computer kept comes first ----------------------------------------

    def load(self, meeting_id: str) -> Meeting:
        """The server's record, after pushing what this computer's journal holds for it; while
        the server cannot be reached, the journal's copy (the meeting carries on offline)."""
        path = entry_path(self.journal, meeting_id)
        if path.is_file():
            entry = read_entry(path)
            try:
                push_entry(self.server, entry)
            except Offline as exc:
                with self._lock:
                    self._offline = exc.message
                    self._live[meeting_id] = _Live(
                        base=entry.base_version,
                        carried=entry.unpushed,
                        stamps=list(entry.stamps),
                        entry=path,
                    )
                return entry.meeting
            except Stale as exc:
                raise Stale(
                    f"{exc.message}; this computer holds answers of {meeting_id} that are not on "
                    f"the server ({path}): run strat sync to keep both copies apart"
                ) from None
        meeting = self.server.load(meeting_id)
        with self._lock:
            self._live[meeting_id] = _Live(
                base=self.server.version_of(meeting_id), server_audit=_trail(meeting)
            )
        return meeting

    def edit(
        self, meeting_id: str, *, allow_locked: bool = False, take_over: bool = False
    ) -> contextlib.AbstractContextManager[Meeting]:
        from .store import edit_held

        return edit_held(self, meeting_id, allow_locked=allow_locked, take_over=take_over)

    # --- writing: the journal now, the server in the background -----------------------------

    def save(self, meeting: Meeting, *, now: datetime | None = None) -> Path:
        """Write the journal (the only wait of an answer) and hand the copy to the pusher."""
        saved_at = stamp(meeting, now)
        text = record_json(meeting)
        with self._lock:
            live = self._live.get(meeting.id)
            if live is None:
                live = self._live[meeting.id] = _Live(base=self.server.version_of(meeting.id))
            stamps = [*live.stamps, saved_at.isoformat()]
            path = write_entry(
                self.journal,
                meeting.id,
                text,
                base_version=live.base,
                unpushed=live.unpushed + 1,
                stamps=stamps,
            )
            live.stamps = stamps
            live.seq += 1
            live.text = text
            live.entry = path
            self._changed.notify_all()
        self._start()
        for hook in self.after_save:
            hook(meeting)
        return path

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._pusher, name="strat-push", daemon=True)
            self._thread.start()

    def _due(self) -> tuple[str, _Live] | None:
        for meeting_id, live in self._live.items():
            if not live.problem and live.unpushed > 0:
                return meeting_id, live
        return None

    def _pusher(self) -> None:
        """Push the latest copy of each meeting until the process ends."""
        while True:
            with self._lock:
                while True:
                    if self._closed:
                        return
                    due = self._due()
                    wait = self._not_before - time.monotonic()
                    if due is not None and wait <= 0:
                        break
                    self._changed.wait(wait if due is not None else None)
                meeting_id, live = due
                seq, text, base, entry = live.seq, live.text, live.base, live.entry
                stamps, trail = list(live.stamps), live.server_audit
                self._started += 1
                attempt = self._started
            self._push(meeting_id, seq, text, base, stamps, trail, entry, attempt)

    def _push(
        self,
        meeting_id: str,
        seq: int,
        text: str,
        base: int | None,
        stamps: list[str],
        trail: list[AuditEvent] | None,
        entry: Path | None,
        attempt: int,
    ) -> None:
        problem = ""
        version: int | None = None
        kept: list[AuditEvent] | None = None
        try:
            if text:
                meeting = Meeting.model_validate_json(text, context=STORED)
                push_copy(self.server, meeting, base, stamps, trail)
                kept = _trail(meeting)  # the server's save made the copy what it kept
            elif entry is not None:  # an earlier process's answers, nothing new typed yet
                push_entry(self.server, read_entry(entry))
            version = self.server.version_of(meeting_id)
        except Offline as exc:
            with self._lock:
                self._offline = exc.message
                self._failed = attempt
                pause = 0.0 if self._settling else self.retry_after
                self._not_before = time.monotonic() + pause
                self._changed.notify_all()
            return
        except StratError as exc:
            problem = exc.message
        except Exception as exc:  # a bug must not stop the meeting: the copy stays local
            problem = f"strat hit an internal problem pushing ({type(exc).__name__})"
        with self._lock:
            live = self._live[meeting_id]
            if problem:
                live.problem = problem
                self._changed.notify_all()
                return
            self._offline = ""
            live.base, live.pushed, live.carried = version, seq, 0
            live.server_audit = kept
            live.stamps = live.stamps[len(stamps) :]
            try:
                if live.seq == seq:  # the server has the latest: the entry has done its work
                    with contextlib.suppress(FileNotFoundError):
                        entry_path(self.journal, meeting_id).unlink()
                    live.entry = None
                else:  # newer answers wait: based on the version just pushed
                    write_entry(
                        self.journal,
                        meeting_id,
                        live.text,
                        base_version=version,
                        unpushed=live.unpushed,
                        stamps=live.stamps,
                    )
            except (OSError, StratError):
                pass  # the entry stays as it was: the next push or `strat sync` settles it
            self._changed.notify_all()

    # --- what the chair sees ------------------------------------------------------------------

    def _unpushed(self) -> int:  # under self._lock
        return sum(live.unpushed for live in self._live.values())

    def banner(self) -> str:
        """One line for the interview screen, or "" while every answer is on the server."""
        with self._lock:
            n = self._unpushed()
            problem = next((live.problem for live in self._live.values() if live.problem), "")
            if problem:
                return f"not on the server: {problem}; {answers(n)} kept on this computer"
            if self._offline and n:
                return f"offline: {answers(n)} not yet on the server"
            return ""

    def settle(self, timeout: float = FINAL_PUSH_TIMEOUT) -> int:
        """One last push (now, not after the retry pause), waiting at most `timeout` seconds;
        returns how many answers are still only on this computer."""
        deadline = time.monotonic() + timeout
        self._start()
        with self._lock:
            started = self._started  # an attempt already on its way may fail: not the last one
            self._settling = True
            self._not_before = 0.0
            self._changed.notify_all()
            try:
                while True:
                    left = self._unpushed()
                    stuck = self._due() is None  # nothing more the pusher will try
                    wait = deadline - time.monotonic()
                    if not left or stuck or self._failed > started or wait <= 0:
                        return left
                    self._changed.wait(wait)
            finally:
                self._settling = False

    def close(self, wait: float = 0.0) -> None:
        """No more pushes; a push on its way still ends (within `wait` seconds if given)."""
        with self._lock:
            self._closed = True
            self._changed.notify_all()
        if wait and self._thread is not None:
            self._thread.join(wait)


# --- strat sync ---------------------------------------------------------------------------------


@dataclass
class Synced:
    """What `strat sync` did with one journal entry."""

    meeting_id: str
    outcome: str  # "pushed", "kept apart" (the server moved on; both copies kept) or "failed"
    message: str = ""
    kept: str = ""  # where this computer's copy was kept, when kept apart


def sync_journal(
    server: ServerStore, local: Path, progress: Callable[[int, int], None] | None = None
) -> list[Synced]:
    """Push every meeting this computer's journal holds. A record whose lease another holds,
    or that the server changed since the journal's copy was based on it, is refused: the
    server's copy stays, this one is kept as a file, and the others still sync. An unreachable
    server stops the whole run (`Offline`): nothing was lost, the journal is as it was."""
    paths = entries(journal_folder(local))
    done: list[Synced] = []
    for n, path in enumerate(paths, 1):
        meeting_id = path.stem
        try:
            entry = read_entry(path)
            push_entry(server, entry)
            done.append(Synced(meeting_id, "pushed", f"{answers(entry.unpushed)} pushed"))
        except Offline:
            raise
        except Stale as exc:
            kept = keep_apart(local, entry)
            done.append(
                Synced(
                    meeting_id,
                    "kept apart",
                    f"{exc.message}: the server's copy stays on the server; this computer's "
                    f"copy is kept in {kept}",
                    str(kept),
                )
            )
        except StratError as exc:
            done.append(Synced(meeting_id, "failed", exc.message))
        if progress is not None:
            progress(n, len(paths))
    return done
