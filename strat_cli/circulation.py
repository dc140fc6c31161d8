"""Who has the record, read from the circulation log: the one rule for `show`, `due`, `check`,
the minutes and the register's index.

Circulation is complete only when every participant has the record in a delivery (sent by
strat, or a draft the user says they sent), or is recorded as not receiving it with a reason
(no usable address). A draft alone is prepared, not sent; a refused recipient is still missing;
an attempt left unsettled ('sending' after a kill or a full disk, 'unknown' after the server went
quiet) may have arrived, but proves nothing, so it counts for neither.

Works on the meeting model and on its JSON alike, so the index need not load the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .addresses import address_key


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def is_delivery(entry: Any) -> bool:
    """A settled entry that reached someone (a draft alone never does)."""
    return not _get(entry, "state", "") and bool(_get(entry, "delivered") or [])


def is_unsettled(entry: Any) -> bool:
    return bool(_get(entry, "state", ""))


@dataclass(frozen=True)
class Coverage:
    """Where circulation stands: `complete_at` is when the last participant was covered."""

    first_delivery_at: Any  # datetime (model) or ISO text (JSON); None when nothing went out
    complete_at: Any
    missing: tuple[str, ...]  # participant ids with neither a delivery nor a recorded reason
    not_emailed: dict[str, str]  # participant id → why the record was not emailed to them
    reached: int  # distinct addresses the record was delivered to

    @property
    def complete(self) -> bool:
        return self.complete_at is not None


def coverage(participants: Iterable[Any], circulation: Iterable[Any]) -> Coverage:
    """Walk the deliveries in time order until every participant is covered."""
    people = [
        (str(_get(p, "id", "")), address_key(str(_get(p, "email", "") or ""))) for p in participants
    ]
    entries = sorted(
        (e for e in circulation if is_delivery(e)), key=lambda e: str(_sortable(_get(e, "at")))
    )
    delivered: set[str] = set()
    reasons: dict[str, str] = {}
    complete_at = None
    first = _get(entries[0], "at") if entries else None

    def missing() -> list[str]:
        return [pid for pid, addr in people if pid not in reasons and addr not in delivered]

    for e in entries:
        delivered |= {address_key(a) for a in _get(e, "delivered") or []}
        reasons.update(_get(e, "unreachable") or {})
        if complete_at is None and not missing():
            complete_at = _get(e, "at")
    left = missing()
    not_emailed = {
        pid: why
        for pid, why in reasons.items()
        if pid not in {p for p, a in people if a in delivered}
    }
    return Coverage(first, complete_at, tuple(left), not_emailed, len(delivered))


def _sortable(at: Any) -> Any:
    """UTC ISO text for a datetime, the text itself for JSON (already ISO with offset)."""
    if hasattr(at, "astimezone"):
        from datetime import UTC

        return at.astimezone(UTC).isoformat()
    if isinstance(at, str):
        from datetime import UTC, datetime

        try:
            return datetime.fromisoformat(at).astimezone(UTC).isoformat()
        except ValueError:
            return at
    return ""


def describe_missing(participants: Iterable[Any], missing: Iterable[str]) -> str:
    """'Jo Bloggs (Police), P4': names for the chair, who must reach them another way."""
    by_id = {str(_get(p, "id", "")): p for p in participants}
    out = []
    for pid in missing:
        p = by_id.get(pid)
        if p is None:
            out.append(pid)
            continue
        extra = ", ".join(x for x in (_get(p, "role", ""), _get(p, "agency", "")) if x)
        out.append(f"{_get(p, 'name', pid)} ({extra})" if extra else str(_get(p, "name", pid)))
    return "; ".join(out)
