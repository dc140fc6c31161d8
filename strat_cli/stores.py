"""Which store this person works on, chosen in one place: a folder of their own (the default),
or the council's PostgreSQL server when `[store] url` (or `STRAT_STORE`) names one.

Every command asks `open_store` and `open_register` and works the same on either: the store is
one interface (`RecordStore`) with two implementations. The folder store is `store.FolderStore`;
the server store lives in `pgstore` and is imported only when a URL is set (psycopg is not
imported by anyone working on a folder).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .model import Meeting
    from .settings import Settings


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


def open_store(settings: Settings) -> RecordStore:
    """The store every command uses; the register's index follows every save."""
    if url := settings.store_url:
        from .pgstore import PostgresStore

        return PostgresStore(url, local=settings.store, agenda_dirs=settings.extra_agenda_dirs)
    from .index import save_hook
    from .store import FolderStore

    store = FolderStore(settings.store)
    store.after_save.append(save_hook(settings.store, settings.extra_agenda_dirs))
    return store


def open_live_store(settings: Settings) -> RecordStore:
    """The live meeting's store (`new`, `resume`): the folder store as it is; on a server, the
    server store behind this person's offline journal, so an answer never waits on the network."""
    store = open_store(settings)
    if not settings.store_url:
        return store
    from .journal import JournalledStore, journal_folder

    return JournalledStore(store, journal_folder(settings.store))


def open_register(settings: Settings) -> Any:
    """The register's index (`list`, `actions`, `due`): SQLite beside a folder store, SQL on the
    server for a server store. Neither loads records to answer."""
    if url := settings.store_url:
        from .pgstore import PostgresRegister

        return PostgresRegister(url, local=settings.store, agenda_dirs=settings.extra_agenda_dirs)
    from .index import Index

    return Index(settings.store, settings.extra_agenda_dirs)
