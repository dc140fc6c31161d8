"""The team's store on PostgreSQL (issue 16): being built; see stores.RecordStore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import StratError


class PostgresStore:
    def __init__(self, url: str, *, local: Path, agenda_dirs: list[Path]) -> None:
        raise StratError("[store] url: the PostgreSQL store is not available in this version")


class PostgresRegister:
    def __init__(self, url: str, *, local: Path, agenda_dirs: list[Path]) -> None:
        raise StratError("[store] url: the PostgreSQL store is not available in this version")

    def __getattr__(self, name: str) -> Any:  # pragma: no cover
        raise AttributeError(name)
