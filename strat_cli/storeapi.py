"""What a store is, as types: the interface every command works through (`RecordStore`), what
the offline journal needs of the server store it wraps (`ServerStore`), and what `store copy`
needs of a destination (`CopyTarget`).

Its own module, below everything that implements or uses a store (`store`, `pgstore`,
`journal`, `storecopy`, `stores`), so each can name these types without importing another:
`stores` chooses the store and imports the journal, which types its server with `ServerStore`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .model import Meeting


class RecordStore(Protocol):
    """What every command needs of a store. Errors are `errors.StratError`s with one line."""

    local: Path
    """This person's private folder on this machine: tmp, cache, drafts, the offline journal.
    On a folder store it is the store itself; on a server store it holds no records."""

    where: str
    """How messages name the store: its folder, or the server's URL (never a password)."""

    after_save: list[Callable[[Meeting], None]]
    """Called after every successful save."""

    def ensure(self) -> None: ...

    def exists(self, meeting_id: str) -> bool: ...

    def ids(self) -> list[str]: ...

    def new_id(self, year: int) -> str:
        """The next free reference of the year, reserved for this caller (never given twice)."""
        ...

    def load(self, meeting_id: str) -> Meeting: ...

    def save(self, meeting: Meeting, *, now: datetime | None = None) -> object:
        """Validate and keep the record whole or not at all; a stale write is refused."""
        ...

    def create(self, meeting: Meeting) -> object:
        """Save a new meeting; refuse a reference that already exists."""
        ...

    def hold(self, meeting_id: str, *, take_over: bool = False) -> AbstractContextManager[None]:
        """One writer at a time: keep others away from the meeting while this one edits it.
        `errors.Busy` names who holds it and since when."""
        ...

    def edit(
        self, meeting_id: str, *, allow_locked: bool = False, take_over: bool = False
    ) -> AbstractContextManager[Meeting]:
        """The meeting loaded under `hold`; refused if authorised unless `allow_locked`."""
        ...

    def record_export(self, meeting_id: str, detail: str, *, who: str = "") -> Meeting: ...


@runtime_checkable
class CopyTarget(RecordStore, Protocol):
    """A store `strat store copy` writes into (the folder store, the server store)."""

    def copy_in(self, meeting: Meeting) -> bool:
        """Keep a record copied from another store verbatim (its audit trail and times as they
        were); True when written, False when a record under its reference is there already
        (left as it is: `storecopy` reads it back and compares, for either outcome)."""
        ...


@dataclass(frozen=True)
class Lease:
    """Who holds a record's lease: their display name, since when, when last renewed."""

    holder: str
    since: datetime
    renewed: datetime
    is_mine: bool


class ServerStore(RecordStore, Protocol):
    """The team's server store as the offline journal uses it (`pgstore.PostgresStore`): a
    version per record, so a copy saved on this computer is pushed against the version it was
    based on, and leases that can be read."""

    def version_of(self, meeting_id: str) -> int | None:
        """The version this store last read or wrote of the record."""
        ...

    def lease_of(self, meeting_id: str) -> Lease | None:
        """Who holds the record's lease now (None: nobody)."""
        ...

    def save(
        self, meeting: Meeting, *, now: datetime | None = None, base_version: int | None = None
    ) -> object:
        """Write the record if the server still has `base_version` (else the version this store
        read); else `errors.Stale`, and nothing is overwritten."""
        ...
