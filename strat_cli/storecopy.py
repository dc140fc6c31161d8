"""`strat store copy`: moving a team's records from one store to another (a folder, a server),
each with its audit trail as it was, checked by hash after copying, safe to run again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Offline, StratError
from .store import record_hash
from .storeapi import CopyTarget, RecordStore


@dataclass
class Copied:
    """What one run did: counts, and one line per record that could not be copied."""

    copied: int = 0
    same: int = 0
    failed: list[str] = field(default_factory=list)

    def summary(self, where: str) -> str:
        line = f"{self.copied} copied, {self.same} already there (same), "
        return line + f"{len(self.failed)} failed; to {where}"


def copy_records(
    source: RecordStore,
    destination: CopyTarget,
    progress: Callable[[int, int], None] | None = None,
) -> Copied:
    """Every record of `source` into `destination` through its `copy_in` (verbatim; a record
    already there is left as it is), then read back from the destination and compared by
    `record_hash`, the one check of both: the copy just written is whole, and a record that was
    there is the same ("same") or a different one under that reference (refused). A record that
    fails is named and the others still go; an unreachable server stops the run (`Offline`),
    and running it again carries on."""
    if _same(source, destination):
        raise StratError(f"{destination.where}: is the store being copied; name another")
    destination.ensure()
    ids: list[str] = source.ids()
    result = Copied()
    for n, meeting_id in enumerate(ids, 1):
        try:
            meeting = source.load(meeting_id)
            written = destination.copy_in(meeting)  # `meeting` now as the destination keeps it
            same = record_hash(destination.load(meeting_id)) == record_hash(meeting)
            if same and written:
                result.copied += 1
            elif same:
                result.same += 1
            elif written:
                raise StratError(
                    f"{meeting_id}: its copy in {destination.where} differs from the original "
                    "(hash check failed); the original is untouched"
                )
            else:
                raise StratError(
                    f"{meeting_id}: a different record with this reference is already in "
                    f"{destination.where}; it was not replaced"
                )
        except Offline:
            raise
        except StratError as exc:
            result.failed.append(exc.message)
        if progress is not None:
            progress(n, len(ids))
    return result


def _same(source: RecordStore, destination: RecordStore) -> bool:
    """The same store, however its folder was named (relative, through a link)."""
    if source.where == destination.where:
        return True
    here, there = (getattr(s, "meetings", None) for s in (source, destination))
    if isinstance(here, Path) and isinstance(there, Path):  # two folder stores
        return here.resolve() == there.resolve()
    return False
