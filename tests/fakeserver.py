"""A team server for the journal's tests, with faults on demand: a FolderStore underneath, with
the server store's contract on top (a version per record, `save(base_version=…)` refusing a
stale write, leases per client, `lease_of`, `version_of`, `copy_in`). Its state is in files, so
two processes see one server; the file `offline` in its folder makes every call fail as an
unreachable server does (`errors.Offline`), `delay` makes each call slow, and `gate` (an Event)
holds every save until it is set. Each call is logged with the thread that made it."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from filelock import FileLock

from strat_cli.errors import Busy, Locked, Offline, Stale
from strat_cli.model import LONDON, AuditEvent, Meeting
from strat_cli.store import FolderStore
from strat_cli.storeapi import Lease


def _write(path: Path, text: str) -> None:
    """Whole or not at all: the chair's process (which runs this fake) may be killed mid-way."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


class FakeServer:
    def __init__(
        self,
        root: Path,
        local: Path,
        *,
        client: str = "laptop-1",
        user: str = "Dana Okafor (login)",
    ) -> None:
        self.root = root
        self.folder = FolderStore(root)
        self.folder.ensure()
        self.local = local
        self.where = "postgresql://fake.example/strat"
        self.after_save: list[Callable[[Meeting], None]] = []
        self.client, self.user = client, user
        self.delay = 0.0
        self.gate: threading.Event | None = None
        self.calls: list[tuple[str, str]] = []  # (method, thread name)
        self._versions: dict[str, int] = {}
        self.taken_over: list[str] = []  # leases this client took from another

    # --- faults -----------------------------------------------------------------------------

    @property
    def online(self) -> bool:
        return not (self.root / "offline").exists()

    @online.setter
    def online(self, value: bool) -> None:
        if value:
            (self.root / "offline").unlink(missing_ok=True)
        else:
            (self.root / "offline").touch()

    def _call(self, method: str) -> None:
        self.calls.append((method, threading.current_thread().name))
        if self.delay:
            time.sleep(self.delay)
        if not self.online:
            raise Offline(f"{self.where}: the server cannot be reached (connection refused)")

    def main_thread_calls(self, method: str) -> list[str]:
        return [m for m, t in self.calls if m == method and t == "MainThread"]

    # --- versions and leases, kept in files ---------------------------------------------------

    def _lock(self) -> FileLock:
        return FileLock(str(self.root / "server.lock"), timeout=10)

    def _server_version(self, meeting_id: str) -> int:
        path = self.root / "versions" / meeting_id
        return int(path.read_text()) if path.exists() else 0

    def _set_version(self, meeting_id: str, version: int) -> None:
        (self.root / "versions").mkdir(exist_ok=True)
        _write(self.root / "versions" / meeting_id, str(version))

    def _lease_file(self, meeting_id: str) -> Path:
        return self.root / "leases" / f"{meeting_id}.json"

    def version_of(self, meeting_id: str) -> int | None:
        return self._versions.get(meeting_id)

    def lease_of(self, meeting_id: str) -> Lease | None:
        self._call("lease_of")
        path = self._lease_file(meeting_id)
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        since = datetime.fromisoformat(data["since"])  # this fake does not renew leases
        return Lease(data["holder"], since, since, data["client"] == self.client)

    # --- the store's methods ------------------------------------------------------------------

    def ensure(self) -> None:
        self._call("ensure")

    def exists(self, meeting_id: str) -> bool:
        self._call("exists")
        return self.folder.exists(meeting_id)

    def ids(self) -> list[str]:
        self._call("ids")
        return self.folder.ids()

    def new_id(self, year: int) -> str:
        self._call("new_id")
        return self.folder.new_id(year)

    def load(self, meeting_id: str) -> Meeting:
        self._call("load")
        with self._lock():
            meeting = self.folder.load(meeting_id)
            self._versions[meeting_id] = self._server_version(meeting_id)
        return meeting

    def save(
        self, meeting: Meeting, *, now: datetime | None = None, base_version: int | None = None
    ) -> Path:
        self._call("save")
        if self.gate is not None and not self.gate.wait(timeout=10):
            raise Offline(f"{self.where}: held up for 10 s (a test that waited on the server)")
        with self._lock():
            base = base_version if base_version is not None else self._versions.get(meeting.id)
            current = self._server_version(meeting.id)
            if base != current:
                raise Stale(f"{meeting.id} was changed on the server since it was read")
            old = self.folder.load(meeting.id).audit if self.folder.exists(meeting.id) else []
            if meeting.audit[: len(old)] != old:
                raise Locked(f"{meeting.id}: the audit trail can only be added to")
            for event in meeting.audit[len(old) :]:  # the server names who did it, as the login
                event.who = self.user
            pending = self.root / "pending" / f"{meeting.id}.jsonl"
            if pending.exists():  # exports made while the record was leased join it now
                lines = pending.read_text().splitlines()
                meeting.audit.extend(AuditEvent.model_validate_json(line) for line in lines)
                pending.unlink()
            path = self.folder.save(meeting, now=now)
            self._set_version(meeting.id, current + 1)
            self._versions[meeting.id] = current + 1
        return path

    def create(self, meeting: Meeting) -> Path:
        self._call("create")
        with self._lock():
            path = self.folder.create(meeting)
            self._set_version(meeting.id, 1)
            self._versions[meeting.id] = 1
        return path

    def copy_in(self, meeting: Meeting) -> bool:
        self._call("copy_in")
        with self._lock():
            written = self.folder.copy_in(meeting)
            if written:
                self._set_version(meeting.id, 1)
        return written

    @contextlib.contextmanager
    def hold(self, meeting_id: str, *, take_over: bool = False) -> Iterator[None]:
        self._call("hold")
        path = self._lease_file(meeting_id)
        with self._lock():
            if path.exists():
                data = json.loads(path.read_text())
                if data["client"] != self.client and not take_over:
                    raise Busy(
                        f"{meeting_id} is open by {data['holder']} since {data['since'][11:16]}"
                    )
                if data["client"] != self.client:
                    self.taken_over.append(meeting_id)
            path.parent.mkdir(exist_ok=True)
            since = datetime.now(LONDON).isoformat()
            _write(path, json.dumps({"client": self.client, "holder": self.user, "since": since}))
        try:
            yield
        finally:
            with self._lock():
                if path.exists() and json.loads(path.read_text())["client"] == self.client:
                    path.unlink()

    def edit(
        self, meeting_id: str, *, allow_locked: bool = False, take_over: bool = False
    ) -> contextlib.AbstractContextManager[Meeting]:
        raise AssertionError("the journalled store does not use the server's edit")

    def record_export(self, meeting_id: str, detail: str, *, who: str = "") -> Meeting:
        """As the server does: while another holds the lease, the entry waits for its next
        save (the version does not move); else it is saved at once."""
        self._call("record_export")
        event = AuditEvent(at=datetime.now(LONDON), who=self.user, event="exported", detail=detail)
        with self._lock():
            lease = self._lease_file(meeting_id)
            if lease.exists() and json.loads(lease.read_text())["client"] != self.client:
                (self.root / "pending").mkdir(exist_ok=True)
                with (self.root / "pending" / f"{meeting_id}.jsonl").open("a") as f:
                    f.write(event.model_dump_json() + "\n")
                return self.folder.load(meeting_id)
        meeting = self.load(meeting_id)
        meeting.audit.append(event)
        self.save(meeting)
        return meeting
