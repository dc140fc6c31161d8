"""The store: one JSON file per meeting, written so that no crash, full disk or second process
can lose or corrupt what was already saved.

Every save validates the record, writes a temporary file in the same folder, fsyncs it and
replaces the old file in one step. A lock per meeting keeps a second strat process out.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from .errors import Busy, InvalidRecord, Locked, NotFound, StratError
from .files import private_folder, replace_whole
from .model import (
    AFTER_AUTHORISATION,
    FOLLOW_UP_FIELDS,
    LONDON,
    MEETING_ID_RE,
    SCHEMA_VERSION,
    STORED,
    AuditEvent,
    Meeting,
    error_text,
    meeting_fields,
)
from .storeapi import RecordStore

POSIX = os.name == "posix"
MAX_NUMBER = 999_999  # a reference's number has four to six digits (model.MEETING_ID_RE)


def reference_prefix(year: int) -> str:
    """What every reference of `year` begins with, SD-2026-."""
    return f"SD-{year}-"


def reference(year: int, number: int) -> str:
    """A meeting's reference, SD-2026-0001: its number has at least four digits. The server's
    `strat.next_reference` writes them so too (test_pgstore checks the two agree)."""
    return f"{reference_prefix(year)}{number:04d}"


# Upgrades from older schema versions: UPGRADES[n] turns a version-n dict into version n+1.
# Add a step here whenever SCHEMA_VERSION goes up, and a test that reads a file of the old shape.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def upgrade(data: dict[str, Any], source: Path | str = "record") -> dict[str, Any]:
    """Bring an older record up to the current schema, one version at a time."""
    version = data.get("schema_version")
    if not isinstance(version, int):
        raise InvalidRecord(f"{source}: field schema_version: missing or not a whole number")
    if version > SCHEMA_VERSION:
        raise InvalidRecord(
            f"{source}: schema_version {version} was written by a newer strat "
            f"(this one reads up to {SCHEMA_VERSION}): upgrade strat"
        )
    while version < SCHEMA_VERSION:
        step = UPGRADES.get(version)
        if step is None:
            raise InvalidRecord(f"{source}: schema_version {version} cannot be upgraded")
        try:
            data = step(dict(data))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            field = f" field {exc.args[0]}:" if isinstance(exc, KeyError) and exc.args else ""
            raise InvalidRecord(
                f"{source}:{field} cannot be upgraded from schema_version {version} "
                f"({type(exc).__name__}); the file was left as it is"
            ) from None
        version += 1
        data["schema_version"] = version
    return data


@lru_cache(maxsize=1)
def field_names() -> frozenset[str]:
    """Every field name of every record model: the only keys an error message may repeat."""
    from pydantic import BaseModel

    from . import model

    names: set[str] = set()
    for value in vars(model).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            names.update(value.model_fields)
    return frozenset(names)


def field_path(loc: Iterable[str | int]) -> str:
    """A field path such as `actions.3.due`. A key that is not one of the record's field names
    (an unknown key, a note's key) may be typed text, a child's name: it is never repeated."""
    known = field_names()
    return ".".join(str(p) if isinstance(p, int) or p in known else "(key not shown)" for p in loc)


def describe_validation_error(exc: ValidationError, source: Path | str) -> str:
    """One line naming the file and the field path, e.g. `actions.3.due`; never the value."""
    err = exc.errors()[0]
    field = field_path(err["loc"]) or "top level"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{source}: field {field}: {error_text(err)}{more}"


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_unwritable(value: Any, unwritable: re.Pattern[str]) -> Any:
    """Every character a store cannot keep (`unwritable`), in a JSON value's text and keys,
    becomes U+FFFD; the text around it is kept. One rule for both stores: a lone surrogate
    here, U+0000 on the server (pgstore)."""
    if isinstance(value, str):
        return unwritable.sub("\ufffd", value)
    if isinstance(value, list):
        return [replace_unwritable(v, unwritable) for v in value]
    if isinstance(value, dict):
        return {
            replace_unwritable(k, unwritable): replace_unwritable(v, unwritable)
            for k, v in value.items()
        }
    return value


def _without_surrogates(value: Any) -> Any:
    """Lone surrogates (from undecodable terminal bytes or a `\\udXXX` escape) cannot be
    written as UTF-8."""
    return replace_unwritable(value, _LONE_SURROGATE)


def _may_hold_surrogates(text: str | bytes) -> bool:
    """Cheap test first: valid UTF-8 holds none, so only a `\\udXXX` escape can bring one."""
    if isinstance(text, bytes):
        return b"\\ud" in text or b"\\uD" in text
    return "\\ud" in text or "\\uD" in text or _LONE_SURROGATE.search(text) is not None


def parse_meeting(text: str | bytes, source: Path | str, *, stored: bool = True) -> Meeting:
    """Parse and validate a meeting file's text; every fault names the file and the field.

    A file from the store keeps a date outside the model's range (it was saved before the check
    existed: refusing it would hide the record); a file brought in (`stored=False`) is refused,
    and is read strictly (a key written twice is refused: yamlfile.load_json)."""
    try:
        if stored:
            data = json.loads(text)
        else:
            from .yamlfile import load_json

            data = load_json(text.encode("utf-8") if isinstance(text, str) else text)
    except json.JSONDecodeError as exc:
        raise InvalidRecord(
            f"{source}: line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg}); "
            "the file was left as it is"
        ) from None
    except UnicodeDecodeError:
        raise InvalidRecord(f"{source}: not a text file; the file was left as it is") from None
    except RecursionError:
        raise InvalidRecord(
            f"{source}: not a meeting file (nested too deeply); the file was left as it is"
        ) from None
    except ValueError as exc:  # a key written twice, a number of more than 4,300 digits
        from .yamlfile import NUMBER_TOO_LONG, JsonProblem  # yaml: only when a file is bad

        why, line = (exc.why, exc.line) if isinstance(exc, JsonProblem) else (NUMBER_TOO_LONG, None)
        where = f" line {line}:" if line else ""
        raise InvalidRecord(f"{source}:{where} {why}; the file was left as it is") from None
    if not isinstance(data, dict):
        raise InvalidRecord(f"{source}: top level: a meeting file must hold one JSON object")
    data = upgrade(data, source)
    if _may_hold_surrogates(text):
        data = _without_surrogates(data)
    try:
        return Meeting.model_validate(data, context=STORED if stored else None)
    except ValidationError as exc:
        raise InvalidRecord(describe_validation_error(exc, source)) from None


# What may still change once a record is authorised (its home: model.AFTER_AUTHORISATION and
# model.FOLLOW_UP_FIELDS): how the record travelled, what happened later, the record's own
# bookkeeping and the follow-up of actions. Everything else is authorised content and is never
# rewritten.
BOOKKEEPING = set(meeting_fields(AFTER_AUTHORISATION))
ACTION_FOLLOW_UP = set(FOLLOW_UP_FIELDS)


def authorised_content(meeting: Meeting) -> dict[str, Any]:
    """The part of a record an authorisation covers."""
    data = meeting.model_dump(mode="json", exclude=BOOKKEEPING)
    for action in data["actions"]:
        for key in ACTION_FOLLOW_UP:
            action.pop(key, None)
    return data


def record_json(meeting: Meeting, *, indent: int | None = 1) -> str:
    """The record as the JSON a store keeps, validated first (InvalidRecord names the field).

    A lone surrogate (undecodable terminal input) becomes U+FFFD, in the caller's copy too, so
    the copy in memory and the one kept stay equal."""
    # warnings=False: pydantic's warning about a wrong-typed value quotes the value (a name,
    # say) on stderr; validation below refuses the record and names only the field.
    try:
        text: str | None = meeting.model_dump_json(
            indent=indent, exclude_none=False, warnings=False
        )
    except PydanticSerializationError:  # a lone surrogate in a value
        text = None
    try:
        if text is None or "\ufffd" in text:  # in a dict key pydantic writes 3 × U+FFFD
            raw = meeting.model_dump(warnings=False)  # mode="json" mangles keys the same way
            if (clean := _without_surrogates(raw)) != raw:  # keep the text, mark the gap
                replace_fields(meeting, Meeting.model_validate(clean, context=STORED))
            text = meeting.model_dump_json(indent=indent, exclude_none=False, warnings=False)
        Meeting.model_validate_json(text, context=STORED)  # dates: checked at entry
    except ValidationError as exc:
        raise InvalidRecord(describe_validation_error(exc, f"{meeting.id} (not saved)")) from None
    return text


def stamp(meeting: Meeting, now: datetime | None) -> datetime:
    """Every store's save: when this one was made (`now`, else the clock), and the first."""
    at = meeting.updated_at = now or datetime.now(LONDON)
    meeting.created_at = meeting.created_at or at
    return at


def replace_fields(meeting: Meeting, kept: Meeting) -> None:
    """Make the caller's copy equal to the record as kept, keeping the caller's own objects in
    every field that is already equal: a live interview holds the action or decision it is still
    asking about, and a replaced one would take its later answers nowhere (the server rewrites
    only the audit's names)."""
    for name in Meeting.model_fields:
        value = getattr(kept, name)
        if getattr(meeting, name) != value:
            setattr(meeting, name, value)


def record_hash(meeting: Meeting) -> str:
    """sha256 of the record's canonical JSON (keys sorted): a record and its copy hash equal on
    either store (jsonb reorders keys, so the model is hashed, never the bytes kept)."""
    import hashlib

    canonical = json.dumps(
        meeting.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def check_id(meeting_id: str) -> str:
    """Refuse anything that is not a plain reference, so an ID can never escape the store."""
    if not MEETING_ID_RE.match(meeting_id):
        # never repeated: `strat show Ellie Marsh` is a name typed where a reference goes
        raise NotFound("not a meeting reference: references look like SD-2026-0001")
    return meeting_id


def _wrong_kind(path: Path, *, folder: bool) -> str | None:
    """Why `path` is the wrong kind of place for what is written there (a folder where a file
    is wanted, a file on the way to it), else None. Decided from the filesystem, not from the
    error's number: Windows says ENOENT or EACCES where POSIX says ENOTDIR or EISDIR."""
    if not folder and path.is_dir():
        return "it is a folder; give a file name"
    on_the_way = (path, *path.parents) if folder else path.parents
    blocker = next((p for p in on_the_way if p.exists() and not p.is_dir()), None)
    return None if blocker is None else f"{blocker.name or blocker} is a file, not a folder"


def export_place(path: Path, *, folder: bool, consequence: str) -> None:
    """Refuse, before anything is recorded as done, the wrong kind of place for an export: a
    file (`folder=False`) or a folder of files (`folder=True`). `consequence` says what was not
    done. The one wording of it: a failed write says the same (_write_error)."""
    if (why := _wrong_kind(path, folder=folder)) is not None:
        raise StratError(f"{path}: cannot write there ({why}); {consequence}")


def _write_error(exc: OSError, path: Path, export: str = "") -> StratError:
    """A save of a record says the last saved version is intact; an export (`export` says what
    was not done) is not a save, and says so instead."""
    wrong_kind = None if exc.errno == errno.ENOSPC else _wrong_kind(path, folder=False)
    if exc.errno == errno.ENOSPC:
        why = "the disk is full"
    elif wrong_kind is not None:  # before read-only: Windows says EACCES for a folder
        why = wrong_kind
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        why = (
            "the folder is read-only or not yours"
            if export
            else "the store is read-only or not yours"
        )
    else:
        why = exc.strerror or str(exc)
    if export:
        return StratError(f"{path}: cannot write there ({why}); {export}")
    return StratError(f"{path}: could not save ({why}); the last saved version is intact")


def atomic_write(path: Path, data: bytes, *, tmp_dir: Path | None = None, export: str = "") -> None:
    """Write `data` to `path` so that a reader sees either the old file or the new one.
    `export` (what was not done, "the calendar was not written") marks a file made from a
    record, not the record: its failure is not worded as a failed save.

    `tmp_dir` (a private folder on the same disk) keeps the whole file out of `path`'s folder
    until the rename, so a process killed half-way leaves no copy where others may look; on
    another disk the rename cannot work and the file is written beside `path` instead."""
    written = False
    if tmp_dir is not None:
        try:
            replace_whole(path, data, tmp_dir=tmp_dir, durable=True)
            written = True
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.ENOENT, errno.EACCES, errno.EPERM):
                raise _write_error(exc, path, export) from None
    if not written:
        try:
            replace_whole(path, data, durable=True)
        except OSError as exc:
            raise _write_error(exc, path, export) from None


def keep_private(folder: Path) -> None:
    """Take others' rights away from a folder of strat's own (it holds record text); never give
    rights back. OSError for the caller to name."""
    mode = stat.S_IMODE(folder.stat().st_mode)
    if POSIX and mode & 0o077:
        os.chmod(folder, mode & 0o700)


def writable_folder(folder: Path, consequence: str) -> None:
    """Refuse, before anything is recorded as done, a folder a file cannot be written in."""
    if not folder.is_dir():
        raise StratError(f"{folder}: no such folder; {consequence}")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".strat-probe-")
    except OSError as exc:
        raise StratError(f"{folder}: cannot write there ({exc.strerror}); {consequence}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


class FolderStore:
    """The folder of meetings. Pass the folder in; nothing here reads the environment."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.local = root  # this person's private folder (tmp, cache): the store itself
        self.meetings = root / "meetings"
        self.where = str(self.meetings)
        # Called after every successful save (the index keeps itself current this way).
        self.after_save: list[Callable[[Meeting], None]] = []

    # --- folders and permissions --------------------------------------------------------

    def ensure(self) -> None:
        """Create the store private to this user (0700 on POSIX).

        The store folder is created 0700 but, once it exists, never chmod-ed: it may be a
        folder strat did not make (a home folder; `strat` warns when others can read it). A
        shared folder (others may write to it, or the sticky bit of /tmp) is refused. Others'
        rights are taken away from the meetings folder, strat's own."""
        try:
            mode = self.root.stat().st_mode if self.root.exists() else None
            if POSIX and mode is not None and mode & (stat.S_ISVTX | stat.S_IWOTH):
                raise StratError(
                    f"{self.root}: is a shared folder (other users can write to it); keep the "
                    f"store in a folder of your own, e.g. STRAT_HOME={self.root / 'strat'}"
                )
            private_folder(self.root)
            private_folder(self.meetings)
            keep_private(self.meetings)
        except OSError as exc:
            raise StratError(f"{self.root}: cannot create the store ({exc.strerror})") from None

    # --- names --------------------------------------------------------------------------

    def path(self, meeting_id: str) -> Path:
        return self.meetings / f"{check_id(meeting_id)}.json"

    def _lock(self, meeting_id: str) -> FileLock:
        return FileLock(str(self.meetings / f".{meeting_id}.lock"), timeout=0, mode=0o600)

    @contextlib.contextmanager
    def _store_lock(self, timeout: float) -> Iterator[None]:
        """The lock taken while a new reference is chosen or a new file created."""
        lock = FileLock(str(self.meetings / ".new.lock"), timeout=timeout, mode=0o600)
        try:
            lock.acquire()
        except Timeout:
            raise Busy(f"{self.meetings} is busy in another strat process; try again") from None
        except OSError as exc:
            raise _write_error(exc, self.meetings / ".new.lock") from None
        try:
            yield
        finally:
            lock.release()

    def exists(self, meeting_id: str) -> bool:
        return self.path(meeting_id).is_file()

    def ids(self) -> list[str]:
        if not self.meetings.is_dir():
            return []
        return sorted(
            p.stem for p in self.meetings.glob("SD-*.json") if MEETING_ID_RE.match(p.stem)
        )

    def _reservation(self, meeting_id: str) -> Path:
        return self.meetings / f".{meeting_id}.reserved"

    def new_id(self, year: int) -> str:
        """The next free reference for the year, reserved until `create` saves it.

        Under the store's lock, a `.SD-….reserved` file is made (exclusively) for the number
        chosen, so a second process choosing at the same moment takes the one after, even before
        the first has saved its meeting. The number follows the highest in use; when that is
        the last possible one (an imported SD-2026-999999), the lowest free number is taken
        instead, so one odd reference never blocks a year. A reservation left by a process that
        died before saving only leaves a gap in the numbers."""
        self.ensure()
        prefix = reference_prefix(year)
        with self._store_lock(timeout=60):
            used = {int(i.rsplit("-", 1)[1]) for i in self.ids() if i.startswith(prefix)}
            for left in self.meetings.glob(f".{prefix}*.reserved"):
                number = left.name[len(prefix) + 1 : -len(".reserved")]
                if number.isascii() and number.isdigit():
                    used.add(int(number))
            following = max(used, default=0) + 1
            if following <= MAX_NUMBER:
                choice = following
            else:
                choice = next((n for n in range(1, MAX_NUMBER + 1) if n not in used), 0)
                if not choice:
                    raise StratError(f"{self.meetings}: every reference of {year} is in use")
            meeting_id = reference(year, choice)
            try:
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                os.close(os.open(self._reservation(meeting_id), flags, 0o600))
            except OSError as exc:
                raise _write_error(exc, self._reservation(meeting_id)) from None
            return meeting_id

    # --- reading and writing ------------------------------------------------------------

    def load(self, meeting_id: str) -> Meeting:
        path = self.path(meeting_id)
        if path.is_symlink():
            raise InvalidRecord(f"{path}: is a symbolic link; strat reads only its own files")
        if path.exists() and not path.is_file():  # a folder or a pipe: never block on it
            raise InvalidRecord(f"{path}: is not a regular file; strat reads only its own files")
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"no meeting {meeting_id} in {self.meetings}") from None
        except OSError as exc:
            raise StratError(f"{path}: cannot read ({exc.strerror})") from None
        meeting = parse_meeting(raw, path)
        if meeting.id != meeting_id:  # a copy made by hand: a save would write the other file
            raise InvalidRecord(
                f"{path}: holds {meeting.id}, not {meeting_id} (a copy made by hand?); "
                "strat will not use this file until it is renamed or removed"
            )
        return meeting

    # --- audit entries waiting for a busy meeting ----------------------------------------

    def _pending(self, meeting_id: str) -> Path:
        return self.meetings / f".{check_id(meeting_id)}.audit-pending.jsonl"

    def _pending_lock(self, meeting_id: str) -> FileLock:
        return FileLock(str(self._pending(meeting_id)) + ".lock", timeout=10, mode=0o600)

    def _add_pending(self, meeting_id: str, event: AuditEvent) -> None:
        """Keep an audit entry for a meeting another process holds; its next save takes it."""
        line = (event.model_dump_json() + "\n").encode("utf-8")
        path = self._pending(meeting_id)
        with self._pending_lock(meeting_id):
            # never through a link planted at that name: O_NOFOLLOW where the system has it,
            # a check first elsewhere (Windows, where making a link needs special rights)
            if path.is_symlink():
                raise InvalidRecord(f"{path}: is a symbolic link; strat writes only its own files")
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
            try:
                fd = os.open(path, flags, 0o600)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise InvalidRecord(
                        f"{path}: is a symbolic link; strat writes only its own files"
                    ) from None
                raise _write_error(exc, path) from None
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)

    def _read_pending(self, meeting_id: str) -> list[AuditEvent]:
        events: list[AuditEvent] = []
        path = self._pending(meeting_id)
        if path.is_symlink():  # not strat's: never read, and removed with the pending file
            return events
        for line in path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValidationError, ValueError):
                events.append(AuditEvent.model_validate_json(line))
        return events

    def save(self, meeting: Meeting, *, now: datetime | None = None) -> Path:
        """Validate then write atomically. Raises before touching the file if invalid.

        Audit entries left by exports while this meeting was held elsewhere join it here."""
        self.ensure()
        pending = self._pending(meeting.id)
        if not (pending.is_file() or pending.is_symlink()):
            return self._save(meeting, now=now)
        with self._pending_lock(meeting.id):
            events = self._read_pending(meeting.id)
            meeting.audit.extend(events)
            try:
                path = self._save(meeting, now=now)
            except BaseException:
                del meeting.audit[len(meeting.audit) - len(events) :]
                raise
            self._pending(meeting.id).unlink(missing_ok=True)
            return path

    def _save(self, meeting: Meeting, *, now: datetime | None = None) -> Path:
        stamp(meeting, now)
        text = record_json(meeting)
        path = self.path(meeting.id)
        before = self._locked_on_disk(path) if path.is_file() else None
        if before is not None:
            if authorised_content(before) != authorised_content(meeting):
                raise Locked(
                    f"{meeting.id} is authorised: its content cannot change; "
                    f"add to it with: strat amend {meeting.id}"
                )
            # amendments and the audit trail of an authorised record are only ever added to
            if (
                meeting.amendments[: len(before.amendments)] != before.amendments
                or meeting.audit[: len(before.audit)] != before.audit
            ):
                raise Locked(
                    f"{meeting.id} is authorised: its amendments and audit trail can only be "
                    "added to"
                )
        atomic_write(path, text.encode("utf-8"))
        for hook in self.after_save:
            hook(meeting)
        return path

    def _locked_on_disk(self, path: Path) -> Meeting | None:
        """The saved record if it is authorised, judged from the file, not the caller's copy.

        strat writes `"authorisation": null` for a record not yet authorised (no other field has
        that name, and quotes inside text are escaped), so the live per-answer save only reads
        bytes; anything else is parsed in full. A damaged file is never overwritten.
        """
        raw = path.read_bytes()
        if b'"authorisation": null' in raw:
            return None
        before = parse_meeting(raw, path)
        return before if before.locked else None

    def create(self, meeting: Meeting) -> Path:
        """Save a new meeting, refusing to overwrite an existing one with the same reference."""
        self.ensure()
        # Under the store's creation lock, so two processes cannot both create one reference.
        with self._store_lock(timeout=60):
            if self.exists(meeting.id) or self.path(meeting.id).is_symlink():
                raise StratError(f"{meeting.id} already exists in {self.meetings}")
            path = self.save(meeting)
            self._reservation(meeting.id).unlink(missing_ok=True)  # new_id's, if it made one
            return path

    def copy_in(self, meeting: Meeting) -> bool:
        """Keep a record copied from another store verbatim (its audit trail and times as they
        were); False, and nothing written, when a file of that reference is here already
        (`storecopy` compares the two)."""
        self.ensure()
        path = self.path(meeting.id)
        text = record_json(meeting)
        with self._store_lock(timeout=60):
            if path.is_file() or path.is_symlink():
                return False
            atomic_write(path, text.encode("utf-8"))
        for hook in self.after_save:
            hook(meeting)
        return True

    @contextlib.contextmanager
    def hold(self, meeting_id: str, *, take_over: bool = False) -> Iterator[None]:
        """Keep other strat processes away from one meeting while this one edits it.

        `take_over` changes nothing here: the system frees a dead process's lock by itself."""
        self.ensure()
        lock = self._lock(check_id(meeting_id))
        try:
            lock.acquire()
        except Timeout:
            raise Busy(
                f"{meeting_id} is open in another strat process; finish there first "
                "(or close that terminal), then try again"
            ) from None
        except OSError as exc:  # a read-only store cannot hold a lock file
            raise _write_error(exc, self.path(meeting_id)) from None
        try:
            yield
        finally:
            lock.release()

    def edit(
        self, meeting_id: str, *, allow_locked: bool = False, take_over: bool = False
    ) -> contextlib.AbstractContextManager[Meeting]:
        """Load a meeting under its lock; the caller saves as often as it likes."""
        return edit_held(self, meeting_id, allow_locked=allow_locked, take_over=take_over)

    def record_export(self, meeting_id: str, detail: str, *, who: str = "") -> Meeting:
        """Every export of a record leaves an audit entry, authorised or not (issue 8).

        Reading needs no lock: while the meeting is open in another strat process (the chair
        still in `strat new`), the export goes ahead and its entry waits for that next save."""
        try:
            with self.edit(meeting_id, allow_locked=True) as meeting:
                meeting.log("exported", detail, who=who)
                self.save(meeting)
                return meeting
        except Busy:
            meeting = self.load(meeting_id)
            event = AuditEvent(at=datetime.now(LONDON), who=who, event="exported", detail=detail)
            self._add_pending(meeting_id, event)
            return meeting


@contextlib.contextmanager
def edit_held(
    store: RecordStore, meeting_id: str, *, allow_locked: bool = False, take_over: bool = False
) -> Iterator[Meeting]:
    """Every store's `edit`: the meeting loaded while `store.hold` keeps other writers away,
    refused if authorised (unless the caller only adds what may follow authorisation)."""
    with store.hold(meeting_id, take_over=take_over):
        meeting = store.load(meeting_id)
        if meeting.locked and not allow_locked:
            by = meeting.authorisation.by if meeting.authorisation else "?"
            raise Locked(
                f"{meeting_id} was authorised by {by} and is locked; "
                f"add to it with: strat amend {meeting_id}"
            )
        yield meeting
