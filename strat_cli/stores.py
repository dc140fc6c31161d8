"""Which store this person works on, chosen in one place: a folder of their own (the default),
or the council's PostgreSQL server when `[store] url` (or `STRAT_STORE`) names one.

Every command asks `open_store` and `open_register` and works the same on either: the store is
one interface (`RecordStore`, whose home is `storeapi`) with two implementations. The folder
store is `store.FolderStore`; the server store lives in `pgstore` and is imported only when a
URL is set (psycopg is not imported by anyone working on a folder).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .storeapi import RecordStore, ServerStore

if TYPE_CHECKING:
    from .settings import Settings

__all__ = ["RecordStore", "open_live_store", "open_register", "open_server", "open_store"]


def open_server(settings: Settings) -> ServerStore:
    """The team's server store named by `[store] url` (set: the caller checked)."""
    from .pgstore import PostgresStore

    return PostgresStore(
        settings.store_url, local=settings.store, agenda_dirs=settings.extra_agenda_dirs
    )


def open_store(settings: Settings) -> RecordStore:
    """The store every command uses; the register's index follows every save."""
    if settings.store_url:
        return open_server(settings)
    from .index import save_hook
    from .store import FolderStore

    store = FolderStore(settings.store)
    store.after_save.append(save_hook(settings.store, settings.extra_agenda_dirs))
    return store


def open_live_store(settings: Settings) -> RecordStore:
    """The live meeting's store (`new`, `resume`): the folder store as it is; on a server, the
    server store behind this person's offline journal, so an answer never waits on the network."""
    if not settings.store_url:
        return open_store(settings)
    from .journal import JournalledStore, journal_folder

    return JournalledStore(open_server(settings), journal_folder(settings.store))


def open_register(settings: Settings) -> Any:
    """The register's index (`list`, `actions`, `due`): SQLite beside a folder store, SQL on the
    server for a server store. Neither loads records to answer."""
    if url := settings.store_url:
        from .pgstore import PostgresRegister

        return PostgresRegister(url, local=settings.store, agenda_dirs=settings.extra_agenda_dirs)
    from .index import Index

    return Index(settings.store, settings.extra_agenda_dirs)
