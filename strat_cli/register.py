"""The register: questions across all meetings, answered from the index.

`strat list`, `strat actions` and `strat due` call these; each returns plain dicts ready for
`--json` and for a table, so the CLI only prints. Children appear only by reference (their
case-management reference or C-id), never by name. The index holds no names and no free text
(see `index`): what an action says and who owns it are read from the meeting files, for the
rows asked for only (`action_texts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .index import LONDON, Index, split
from .outcomes import meant_by

STATUSES = ("draft", "ended", "authorised")


@dataclass
class MeetingFilter:
    status: str | None = None
    agenda: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    outcome: str | None = None
    child: str | None = None
    limit: int | None = None  # newest first; None or 0 for all


def list_meetings(index: Index, f: MeetingFilter) -> tuple[list[dict[str, Any]], list[str]]:
    """Meetings matching every filter given, newest first, and any files that could not be read."""
    refreshed = index.refresh()
    where = ["m.error IS NULL"]
    args: list[Any] = []
    if f.status:
        where.append("m.status = ?")
        args.append(f.status)
    if f.agenda:
        where.append("m.agenda = ?")
        args.append(f.agenda)
    if f.date_from:
        where.append("m.started_date >= ?")
        args.append(f.date_from.isoformat())
    if f.date_to:
        where.append("m.started_date <= ?")
        args.append(f.date_to.isoformat())
    if f.outcome:
        exact = meant_by(f.outcome)  # a word of outcomes.WORDS; else a prefix
        if exact:
            marks = ", ".join("?" for _ in exact)
            where.append(
                f"EXISTS (SELECT 1 FROM decisions d WHERE d.meeting_id = m.id "
                f"AND d.outcome IN ({marks}))"
            )
            args.extend(exact)
        else:
            where.append(
                "EXISTS (SELECT 1 FROM decisions d WHERE d.meeting_id = m.id "
                "AND lower(d.outcome) LIKE ? ESCAPE '\\')"
            )
            args.append(_like_prefix(f.outcome.strip().lower()))
    if f.child:
        where.append(
            "EXISTS (SELECT 1 FROM children c WHERE c.meeting_id = m.id "
            "AND (lower(c.local_ref) = lower(?) OR lower(c.child_id) = lower(?)))"
        )
        args.extend([f.child.strip(), f.child.strip()])
    sql = (
        "SELECT m.id, m.agenda, m.started_at, m.status, m.type, m.children, m.subject_children,"
        " m.child_refs, m.outcomes, m.open_actions, m.previous, m.authorised_ts"
        " FROM meetings m WHERE "
        + " AND ".join(where)
        + " ORDER BY m.started_ts DESC NULLS LAST, m.id DESC"
    )
    if f.limit:
        sql += f" LIMIT {int(f.limit)}"
    conn = index.connect()
    out = [
        {
            "id": r[0],
            "agenda": r[1],
            "started_at": r[2],
            "status": r[3],
            "type": r[4],
            "children": r[5],
            "subject_children": r[6],
            "child_refs": split(r[7]),
            "outcomes": split(r[8]),
            "open_actions": r[9],
            "previous": split(r[10]),
            "authorised_at": (
                datetime.fromtimestamp(r[11], LONDON).isoformat() if r[11] is not None else None
            ),
        }
        for r in conn.execute(sql, args)
    ]
    return out, refreshed.problems


def count_meetings(index: Index) -> int:
    """How many readable meetings the index holds (to say "showing 100 of 20000")."""
    row = index.connect().execute("SELECT count(*) FROM meetings WHERE error IS NULL").fetchone()
    return int(row[0])


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass
class ActionFilter:
    overdue: bool = False
    due_within: int | None = None  # working days
    owner: str | None = None  # matched in the meeting files: the index holds no names
    agency: str | None = None
    limit: int | None = None  # soonest due first; None or 0 for all
    texts: bool = True  # read what/owner from the meeting files for the rows returned


def open_actions(
    index: Index, f: ActionFilter, now: datetime
) -> tuple[list[dict[str, Any]], list[str]]:
    """Open actions across meetings, soonest due first. Overdue means past its due time."""
    problems = index.refresh().problems
    where = ["a.status = 'open'"]  # unreadable files have no action rows
    args: list[Any] = []
    now_ts = now.timestamp()
    if f.overdue:
        where.append("a.due_ts < ?")
        args.append(now_ts)
    if f.agency:
        where.append("lower(a.agency) LIKE ? ESCAPE '\\'")
        args.append("%" + _like_prefix(f.agency.strip().lower()))
    if f.due_within is not None:
        cutoffs = _working_day_cutoffs(index, now, f.due_within, problems)
        clauses = []
        for nation, cutoff in cutoffs.items():
            clauses.append(
                "(a.due_ts <= ? AND a.meeting_id IN (SELECT id FROM meetings WHERE "
                "nation = ? OR (nation IS NULL AND CAST(? AS TEXT) IS NULL)))"
            )
            args.extend([cutoff, nation, nation])
        where.append("(" + (" OR ".join(clauses) or "1 = 0") + ")")
    sql = (
        "SELECT a.meeting_id, a.action_id, a.agency, a.due, a.due_ts,"
        " a.contingency, a.carried_from FROM actions a WHERE "
        + " AND ".join(where)
        + " ORDER BY a.due_ts NULLS FIRST, a.meeting_id, a.action_id"
    )
    if f.limit and not f.owner:
        sql += f" LIMIT {int(f.limit)}"
    rows = [
        {
            "ref": f"{r[0]}:{r[1]}",
            "meeting": r[0],
            "action": r[1],
            "what": None,
            "owner": None,
            "agency": r[2],
            "due": r[3],  # as stored: ISO 8601 with the UK offset of the day
            "overdue": r[4] is not None and r[4] < now_ts,
            "contingency": bool(r[5]),
            "carried_from": r[6],
        }
        for r in index.connect().execute(sql, args)
    ]
    if f.owner:
        action_texts(index, rows)
        wanted = f.owner.strip().lower()
        rows = [r for r in rows if wanted in (r["owner"] or "").lower()]
        if f.limit:
            rows = rows[: f.limit]
    elif f.texts:
        action_texts(index, rows)
    return rows, problems


def action_texts(index: Index, rows: list[dict[str, Any]]) -> None:
    """Fill in `what` and `owner` of action rows from the meeting files (each read once).

    The index keeps no names or free text, so these come from the record itself, for the rows
    a person asked to see. A file the index could read validated then; one changed or damaged
    since leaves its rows' text as None rather than stopping the listing."""
    found = index.action_texts_of(dict.fromkeys(row["meeting"] for row in rows))
    for row in rows:
        row["what"], row["owner"] = found.get(row["meeting"], {}).get(row["action"], (None, None))


def _working_day_cutoffs(
    index: Index, now: datetime, days: int, problems: list[str]
) -> dict[str | None, float]:
    """The end of the window for each nation in use: working days differ by nation."""
    from .deadlines import working_day_window_end

    conn = index.connect()
    index.stale_agendas()  # an agenda's nation may have been changed since
    missing = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT m.id FROM meetings m JOIN actions a ON a.meeting_id = m.id "
            "WHERE (m.nation IS NULL OR m.deadlines_ok = 0) AND m.error IS NULL "
            "AND a.status = 'open'"
        )
    ]
    problems.extend(index.complete(missing))
    nations = [r[0] for r in conn.execute("SELECT DISTINCT nation FROM meetings")]
    cutoffs: dict[str | None, float] = {}
    for nation in nations:
        # a meeting whose agenda is gone is counted with England's holidays rather than dropped
        # the window holds the whole Nth working day; due_ts <= cutoff, so stop just before
        end = working_day_window_end(now, days, nation or "ENG").timestamp()
        cutoffs[nation] = end - 1e-6
    return cutoffs


def due_meetings(
    index: Index, now: datetime, within_working_days: int = 1, lookback_days: int = 28
) -> tuple[list[dict[str, Any]], list[str]]:
    """Deadlines near (within N working days: the whole Nth working day) or missed (in the
    last `lookback_days`).

    Summary, minutes authorisation and circulation count as missed while not done after their
    time, and once done late as met late (circulated late) while in the lookback, so a case
    review sees them after the fact. The ICPC target shows for the latest discussion of each
    case that has one until a conference is recorded (strat icpc). An earlier discussion's
    target gives way to a later discussion that sets its own or ended the enquiry
    (deadlines.replaces_earlier_target).
    """
    from functools import lru_cache

    from .deadlines import (
        format_uk,
        format_uk_date,
        met_in_time,
        replaces_earlier_target,
        working_day_window_end,
    )

    # Deadlines fall on the same few moments (a working day's 5 p.m.…): each is written once.
    written = lru_cache(maxsize=None)(format_uk)
    problems = index.refresh().problems
    index.stale_agendas()  # rows whose agenda's timescales were edited are computed again
    problems.extend(index.complete())
    conn = index.connect()
    floor = (now - timedelta(days=lookback_days)).timestamp()
    # ICPC targets are dates: one before the lookback's first day can neither have passed
    # within the lookback nor be near, so the query leaves them out (most of a big store).
    floor_day = (now - timedelta(days=lookback_days)).astimezone(LONDON).date()
    now_ts = now.timestamp()
    superseded: set[str] = set()
    for prev, outcomes, target in conn.execute(
        "SELECT previous, outcomes, icpc_target FROM meetings WHERE previous != '' "
        "AND error IS NULL AND deadlines_ok = 1"
    ):
        if replaces_earlier_target(bool(outcomes), target is not None):
            superseded.update(split(prev))
    # Conferences held (strat icpc), by discussion: a target met by a conference recorded on
    # the discussion or on an earlier one of the case, held after the count began, is done.
    held = dict(
        conn.execute("SELECT id, icpc_held FROM meetings WHERE icpc_held IS NOT NULL").fetchall()
    )
    horizon: dict[str | None, float] = {}

    def near_end(nation: str | None) -> float:
        if nation not in horizon:
            end = working_day_window_end(now, within_working_days, nation or "ENG")
            horizon[nation] = end.timestamp() - 1e-6  # compared with <=
        return horizon[nation]

    out: list[dict[str, Any]] = []
    rows = conn.execute(
        "SELECT * FROM meetings WHERE error IS NULL AND deadlines_ok = 1 AND ("
        "(summarised = 0 AND summary_due_ts >= ?) "
        "OR (authorised_ts IS NULL AND minutes_due_ts >= ?) "
        "OR (circulated_ts IS NULL AND circulation_due_ts >= ?) "
        "OR (circulated_on_time = 0 AND circulation_due_ts >= ?) "
        "OR (summarised_ts > summary_due_ts AND summary_due_ts >= ?) "
        "OR (authorised_ts > minutes_due_ts AND minutes_due_ts >= ?) "
        "OR icpc_target >= ?)",  # (a day early: the exact test is below, in London time)
        (floor, floor, floor, floor, floor, floor, (floor_day - timedelta(days=1)).isoformat()),
    ).fetchall()
    today = now.astimezone(LONDON).date()
    for r in rows:
        end = near_end(r["nation"])
        found: list[tuple[str, float, bool]] = []  # (what, due_ts, done)
        late: list[tuple[str, float, float | None]] = []  # (what, due_ts, done_ts)
        if r["summary_due_ts"] is not None:
            found.append(("action summary", r["summary_due_ts"], bool(r["summarised"])))
            late.append(("action summary", r["summary_due_ts"], r["summarised_ts"]))
        if r["minutes_due_ts"] is not None:
            found.append(
                ("minutes authorised", r["minutes_due_ts"], r["authorised_ts"] is not None)
            )
            late.append(("minutes authorised", r["minutes_due_ts"], r["authorised_ts"]))
        for what, due_ts, done_ts in late:  # met, but late: it stays seen (the rulebook's x.late)
            if (
                done_ts is not None
                and due_ts >= floor
                and not met_in_time(_utc(done_ts), _utc(due_ts))
            ):
                out.append(_due_row(r, what, due_ts, "met late", written))
        if r["circulation_due_ts"] is not None:
            late = r["circulated_on_time"] == 0
            found.append(("circulation", r["circulation_due_ts"], r["circulated_ts"] is not None))
            if late:
                out.append(
                    _due_row(r, "circulation", r["circulation_due_ts"], "circulated late", written)
                )
        for what, due_ts, done in found:
            if done or due_ts < floor:
                continue
            if due_ts < now_ts:
                out.append(_due_row(r, what, due_ts, "missed", written))
            elif due_ts <= end:
                out.append(_due_row(r, what, due_ts, "near", written))
        if r["icpc_target"] and r["id"] not in superseded and not _conference_held(r, held):
            target = date.fromisoformat(r["icpc_target"])
            target_ts = datetime.combine(target, datetime.min.time(), LONDON).timestamp()
            state = None
            if target < today and target_ts >= floor:
                state = "passed"
            elif today <= target and target_ts <= end:
                state = "near"
            if state:
                out.append(
                    {
                        "id": r["id"],
                        "agenda": r["agenda"],
                        "status": r["status"],
                        "deadline": "ICPC target",
                        "due": target.isoformat(),
                        "due_text": format_uk_date(target),
                        "state": state,
                    }
                )
    out.sort(key=lambda d: (d["due"], d["id"]))
    return out, problems


def _conference_held(r: Any, held: dict[str, str]) -> bool:
    start = (r["icpc_from"] or "")[:10]
    return any(
        held.get(ref, "") >= start and ref in held for ref in [r["id"], *split(r["previous"])]
    )


def _due_row(r: Any, what: str, due_ts: float, state: str, fmt: Any) -> dict[str, Any]:
    moment = datetime.fromtimestamp(due_ts, LONDON)
    return {
        "id": r["id"],
        "agenda": r["agenda"],
        "status": r["status"],
        "deadline": what,
        "due": moment.isoformat(),
        "due_text": fmt(moment),
        "state": state,
    }


def rows_json(rows: list[dict[str, Any]]) -> str:
    """A JSON array with one row per line: readable, and fast for 20,000 rows (the C encoder
    is only used without indentation). Unsafe characters are written as escapes (safetext):
    the rows read back the same, and a terminal the array is printed on never receives them."""
    import json

    from .safetext import for_json

    if not rows:
        return "[]\n"
    body = ",\n".join(json.dumps(r, ensure_ascii=False, default=str) for r in rows)
    return "[\n" + for_json(body) + "\n]\n"


def later_discussions(index: Index, meeting_id: str) -> list[str]:
    """Discussions that name `meeting_id` among their earlier ones, oldest first."""
    index.refresh()
    pattern = f"%{meeting_id}%"
    rows = index.connect().execute(
        "SELECT id, previous FROM meetings WHERE error IS NULL AND previous LIKE ? "
        "ORDER BY started_ts NULLS FIRST",
        (pattern,),
    )
    return [r[0] for r in rows if meeting_id in split(r[1])]


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
