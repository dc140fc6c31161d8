"""`strat store copy`: moving a team's records from one store to another (a folder, a server),
each with its audit trail as it was, checked by hash after copying, safe to run again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Offline, StratError
from .store import record_hash


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
    source: Any, destination: Any, progress: Callable[[int, int], None] | None = None
) -> Copied:
    """Every record of `source` into `destination` through its `copy_in` (verbatim, or "same"
    when an equal one is there), then read back from the destination and compared by
    `record_hash`. A record that fails is named and the others still go; an unreachable server
    stops the run (`Offline`), and running it again carries on."""
    if _same(source, destination):
        raise StratError(f"{destination.where}: is the store being copied; name another")
    destination.ensure()
    ids: list[str] = source.ids()
    result = Copied()
    for n, meeting_id in enumerate(ids, 1):
        try:
            meeting = source.load(meeting_id)
            outcome = destination.copy_in(meeting)
            if record_hash(destination.load(meeting_id)) != record_hash(meeting):
                raise StratError(
                    f"{meeting_id}: its copy in {destination.where} differs from the original "
                    "(hash check failed); the original is untouched"
                )
            if outcome == "same":
                result.same += 1
            else:
                result.copied += 1
        except Offline:
            raise
        except StratError as exc:
            result.failed.append(exc.message)
        if progress is not None:
            progress(n, len(ids))
    return result


def _same(source: Any, destination: Any) -> bool:
    """The same store, however its folder was named (relative, through a link)."""
    if source.where == destination.where:
        return True
    here, there = (getattr(s, "meetings", None) for s in (source, destination))
    if isinstance(here, Path) and isinstance(there, Path):  # two folder stores
        return here.resolve() == there.resolve()
    return False
