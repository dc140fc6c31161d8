#!/usr/bin/env python3
"""strat's benchmarks: what a chair, a minute taker and a team with a big store feel.

Run from anywhere, with the Python that has strat installed (``pip install .`` is enough):

    python benchmarks/run.py                 # full run: 20,000 meetings, default rounds
    python benchmarks/run.py --quick         # a couple of minutes: 2,000 meetings, fewer rounds
    python benchmarks/run.py --only startup  # one pair (or group) by name
    python benchmarks/run.py --write-readme  # also write results + machine into README.md

Everything is generated into a temporary folder (fictional meetings built from
``strat_cli.samples``) and removed afterwards. Each pair runs alternately, A, B, A, B…, in one
run, so a noisy neighbour or a CPU frequency change hits both sides alike. Whole-process timings
are wall clock around the subprocess; peak memory is the child's own ``ru_maxrss`` (from
``os.wait4`` on POSIX; n/a on Windows). Only the standard library and strat's own dependencies
are used.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
POSIX = os.name == "posix"
MB = 1024 * 1024

# --- targets ---------------------------------------------------------------------------------

STARTUP_RATIO = 1.1
ANSWER_P95_MS = 20.0
RENDER_RATIO = 1.0
PDF_RATIO = 1.05  # `strat render --pdf` against LibreOffice converting the same .docx alone
STORE_SECONDS = 0.3
REPORT_SECONDS = 5.0  # `strat report` over the whole big store (issue 18)
PEAK_MB = 100.0
REPORT_PEAK_MB = 150.0  # the report holds the facts of every discussion at once (issue 18)
# Above this many meetings the naive loader is not run: it holds every validated meeting in
# memory (1.3 GB at 20,000; it would need ~7 GB and ~10 minutes a round at 100,000).
NAIVE_MAX = 20_000


# --- helpers: processes, timing, memory --------------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_bytes: int | None
    returncode: int
    stdout: bytes = b""
    stderr: bytes = b""
    cpu: float | None = None  # user + system seconds of the child (POSIX)


def _children_cpu() -> float | None:
    if not POSIX:
        return None
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_process(cmd: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> Run:
    """Run one process to the end: wall time around it, and its CPU time (which a busy machine
    inflates much less than wall time: both are reported)."""
    cpu0 = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), env=env, cwd=cwd, capture_output=True)
    seconds = time.perf_counter() - start
    cpu1 = _children_cpu()
    cpu = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
    return Run(seconds, None, proc.returncode, proc.stdout, proc.stderr, cpu)


# Peak memory is measured in separate, untimed runs through this tiny launcher: it forks and
# execs the command and reads the child's own rusage from wait4. Measuring from the harness
# itself would be wrong on Linux: a vfork'ed child inherits the parent's RSS high-water mark
# at exec, so every child would look at least as big as the harness (pydantic and all).
LAUNCHER = """\
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
factor = 1 if sys.platform == "darwin" else 1024
with open(sys.argv[1], "w") as out:
    out.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss * factor}")
"""


def measure_peak(cmd: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> int | None:
    """The peak RSS in bytes of one run of `cmd` (POSIX); None where it cannot be measured."""
    if not POSIX:
        return None
    fd, report = tempfile.mkstemp(prefix="strat-bench-rss-")
    os.close(fd)
    try:
        subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, report, *cmd],
            env=env,
            cwd=cwd,
            capture_output=True,
            check=False,
        )
        text = Path(report).read_text().split()
        if len(text) != 2 or text[0] != "0":
            return None
        return int(text[1])
    finally:
        os.unlink(report)


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank), enough for a benchmark report."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def fmt_s(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "n/a"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_mb(peak: int | None) -> str:
    return "n/a" if peak is None else f"{peak / MB:.0f} MB"


class Progress:
    """rich progress when a terminal is there, plain lines otherwise."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self._progress: Any = None
        if sys.stderr.isatty() and not quiet:
            try:
                from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

                self._progress = Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(),
                    transient=True,
                )
            except ImportError:
                self._progress = None

    def __enter__(self) -> Progress:
        if self._progress is not None:
            self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def task(self, description: str, total: int) -> Callable[[], None]:
        if self._progress is not None:
            tid = self._progress.add_task(description, total=total)
            return lambda: self._progress.advance(tid)
        self.log(f"{description} ({total} rounds)")
        return lambda: None

    def log(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.log(text)
        elif not self.quiet:
            print(text, file=sys.stderr, flush=True)


# --- results -----------------------------------------------------------------------------------


@dataclass
class Pair:
    name: str
    what: str
    a_label: str
    b_label: str
    target: str
    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)
    a_cpu: list[float] = field(default_factory=list)
    b_cpu: list[float] = field(default_factory=list)
    a_peak: int | None = None
    b_peak: int | None = None
    kind: str = "ratio"  # ratio | p95 | absolute
    limit: float = 0.0
    skipped: str = ""
    note: str = ""
    mem_target: bool = True  # False where the peak is another program's (LibreOffice)
    mem_limit: float = PEAK_MB

    @property
    def a_median(self) -> float:
        return statistics.median(self.a) if self.a else float("nan")

    @property
    def b_median(self) -> float:
        return statistics.median(self.b) if self.b else float("nan")

    @property
    def cpu_text(self) -> str:
        if not self.a_cpu:
            return "n/a"
        a = statistics.median(self.a_cpu)
        b = statistics.median(self.b_cpu) if self.b_cpu else 0.0
        return f"{fmt_s(a)} / {fmt_s(b)} ({a / b:.2f}×)" if b else fmt_s(a)

    @property
    def a_p95(self) -> float:
        return pct(self.a, 95)

    @property
    def ratio(self) -> float:
        return self.a_median / self.b_median if self.b and self.b_median else float("nan")

    @property
    def time_ok(self) -> bool | None:
        if self.skipped or not self.a:
            return None
        if self.kind == "ratio":
            return self.ratio <= self.limit
        if self.kind == "p95":
            return self.a_p95 * 1000 < self.limit
        if self.kind == "info":
            return None
        return self.a_median < self.limit

    @property
    def mem_ok(self) -> bool | None:
        if self.skipped or self.a_peak is None or not self.mem_target:
            return None
        return self.a_peak / MB < self.mem_limit


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def mem_verdict(p: Pair) -> str:
    ok = p.mem_ok
    return "n/a" if ok is None else f"{verdict(ok)} (< {p.mem_limit:.0f} MB)"


def results_table(pairs: list[Pair]) -> str:
    head = (
        "| pair | A (strat) median | A p95 | B (baseline) median | A/B | target | time | "
        "A peak mem | B peak mem | mem target | CPU A / B (median) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for p in pairs:
        if p.skipped:
            rows.append(f"| {p.name} | skipped: {p.skipped} | | | | {p.target} | n/a | | | | |")
            continue
        rows.append(
            f"| {p.name} | {fmt_s(p.a_median)} | {fmt_s(p.a_p95)} | {fmt_s(p.b_median)} "
            f"| {'' if math.isnan(p.ratio) else f'{p.ratio:.2f}×'} | {p.target} "
            f"| {verdict(p.time_ok)} | {fmt_mb(p.a_peak)} "
            f"| {fmt_mb(p.b_peak)} | {mem_verdict(p)} | {p.cpu_text} |"
        )
    return head + "\n".join(rows) + "\n"


def pair_legend(pairs: list[Pair]) -> str:
    lines = []
    for p in pairs:
        line = f"- **{p.name}**: A = {p.a_label}; B = {p.b_label}."
        if p.note:
            line += f" {p.note}"
        lines.append(line)
    return "\n".join(lines) + "\n"


# --- fictional data ----------------------------------------------------------------------------

DT_FIELDS_TOP = ("started_at", "ended_at", "concern_identified_at", "created_at", "updated_at")


def _shift(value: str | None, delta: timedelta) -> str | None:
    if not value:
        return value
    return (datetime.fromisoformat(value) + delta).isoformat()


def make_meetings(root: Path, count: int, seed: int = 7) -> dict[str, Any]:
    """Write `count` fictional meetings straight into <root>/meetings as JSON files.

    Built from strat_cli.samples (typical, and a large one now and then) with varied references,
    dates, statuses, outcomes and action states, in strat's own file format.
    """
    from strat_cli.model import ActionStatus, MeetingType, Outcome, Status
    from strat_cli.samples import START, large, typical

    rng = random.Random(seed)
    base_typical = typical().model_dump(mode="json")
    base_large = large().model_dump(mode="json")
    folder = root / "meetings"
    folder.mkdir(parents=True, exist_ok=True)
    if POSIX:
        os.chmod(root, 0o700)
        os.chmod(folder, 0o700)
    now = datetime.now(START.tzinfo)
    first = now - timedelta(days=3 * 365)
    numbers: dict[int, int] = {}
    outcomes = [o.value for o in Outcome]
    stats = {"meetings": count, "open_actions": 0, "overdue_actions": 0, "large": 0}
    # Spread meetings over three years, oldest first, so references rise with dates.
    offsets = sorted(rng.uniform(0, (now - first).total_seconds()) for _ in range(count))
    done_states = [ActionStatus.done.value] * 8 + [
        ActionStatus.cancelled.value,
        ActionStatus.carried.value,
    ]
    for offset in offsets:
        is_large = rng.random() < 0.01
        base = base_large if is_large else base_typical
        # Shallow copies: only what is changed below is copied; the rest is shared, read-only.
        data = dict(base)
        stats["large"] += is_large
        start = (first + timedelta(seconds=offset)).replace(microsecond=0)
        delta = start - START
        year = start.year
        numbers[year] = numbers.get(year, 0) + 1
        data["id"] = f"SD-{year}-{numbers[year]:04d}"
        for key in DT_FIELDS_TOP:
            data[key] = _shift(data.get(key), delta)
        data["next_discussion"] = _shift(data.get("next_discussion"), delta)
        data["audit"] = [{**e, "at": _shift(e["at"], delta)} for e in base["audit"]]
        age_days = (now - start).days
        data["type"] = rng.choice([MeetingType.initial.value] * 3 + [MeetingType.follow_up.value])
        roll = rng.random()
        if age_days < 2 and roll < 0.5:
            data["status"] = Status.draft.value
        elif roll < 0.7:
            data["status"] = Status.authorised.value
            data["authorisation"] = {
                "by": "Dana Okafor",
                "role": "Team Manager, MASH",
                "at": _shift(data["ended_at"], timedelta(days=1)),
                "override_reason": "",
            }
        else:
            data["status"] = Status.ended.value
        data["decisions"] = [{**d, "outcome": rng.choice(outcomes)} for d in base["decisions"]]
        # Most past actions are closed; the longer ago, the fewer stay open (a team's backlog).
        still_open = 0.25 if age_days < 14 else 0.05 if age_days < 90 else 0.002
        actions = []
        for a in base["actions"]:
            action = {**a, "due": _shift(a["due"], delta)}
            due = start + (datetime.fromisoformat(a["due"]) - START)
            if due < now and rng.random() > still_open:
                action["status"] = rng.choice(done_states)
                if action["status"] == ActionStatus.done.value:
                    action["completed_at"] = _shift(action["due"], timedelta(hours=-1))
            if action["status"] == ActionStatus.open.value:
                stats["open_actions"] += 1
                stats["overdue_actions"] += due < now
            actions.append(action)
        data["actions"] = actions
        # Compact JSON: the C encoder is ~10x faster than an indented dump (strat writes
        # indent=1, and reads either).
        text = json.dumps(data, ensure_ascii=False)
        (folder / f"{data['id']}.json").write_text(text, encoding="utf-8")
    return stats


# --- strat, its commands and its index ---------------------------------------------------------


@dataclass
class Strat:
    cmd: list[str]
    env: dict[str, str]
    commands: set[str]

    def __call__(self, *args: str, store: Path | None = None) -> list[str]:
        return [*self.cmd, *(["--store", str(store)] if store else []), *args]


def find_strat(env: dict[str, str]) -> Strat:
    """The installed `strat` console script run by this interpreter, else `python -m strat_cli`."""
    scripts = Path(sys.executable).parent
    candidates = [scripts / "strat", scripts / "strat.exe", scripts / "strat-script.py"]
    cmd = [sys.executable, "-m", "strat_cli"]
    for c in candidates:
        if c.is_file() and c.suffix != ".exe":
            head = c.read_bytes()[:200]
            if head.startswith(b"#!"):
                cmd = [sys.executable, str(c)]
                break
    out = subprocess.run([*cmd, "--help"], env=env, capture_output=True, text=True, check=True)
    commands = set()
    in_commands = False
    for line in out.stdout.splitlines():
        if line.strip().lower().startswith("commands"):
            in_commands = True
            continue
        if in_commands:
            m = re.match(r"^[\s│|]+([a-z][a-z-]*)\s", line)
            if m:
                commands.add(m.group(1))
    return Strat(cmd, env, commands)


def build_index(strat: Strat, store: Path, progress: Progress) -> str:
    """Build the SQLite register through strat's own reindex path; say how it was done."""
    index_mod: Any
    try:
        from strat_cli import index as index_mod
    except ImportError:
        index_mod = None
    if "reindex" in strat.commands:
        run = run_process(strat("reindex", store=store), strat.env)
        if run.returncode != 0:
            raise SystemExit(
                f"strat reindex failed ({run.returncode}): {run.stderr.decode(errors='replace')}"
            )
        return "strat reindex"
    if index_mod is not None:
        for name in ("reindex", "rebuild", "rebuild_index", "build"):
            fn = getattr(index_mod, name, None)
            if callable(fn):
                from strat_cli.store import FolderStore

                fn(FolderStore(store))
                return f"strat_cli.index.{name}"
    progress.log("no index yet (strat_cli.index / strat reindex missing): store pairs read JSON")
    return "none"


# --- baselines (tiny scripts generated into the temp folder) -----------------------------------

MINIMAL_TYPER = '''\
"""The floor for start-up: a Typer app with two commands, nothing else."""
import typer

# The same switches strat uses (no completion, no rich help): Typer's own floor.
app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


@app.command("list")
def list_() -> None:
    """List nothing."""
    typer.echo("nothing to list")


if __name__ == "__main__":
    app()
'''

NAIVE_LOADER = '''\
"""The naive way to answer a question over the store: read and validate every file."""
import json
import sys
from datetime import datetime
from pathlib import Path

from strat_cli.model import LONDON, Meeting

folder = Path(sys.argv[1]) / "meetings"
what = sys.argv[2]
meetings = []
for path in sorted(folder.glob("SD-*.json")):
    with open(path, encoding="utf-8") as handle:
        meetings.append(Meeting.model_validate(json.load(handle)))
now = datetime.now(LONDON)
if what == "overdue":
    rows = [(m.id, a.id, a.due) for m in meetings for a in m.actions
            if a.status.value == "open" and a.due < now]
    rows.sort(key=lambda r: r[2])
else:
    rows = sorted(((m.started_at, m.id, m.status.value) for m in meetings), reverse=True)
print(len(rows))
'''


# The same shape as `strat list` (a global --store, eight options) in a bare Typer app:
# shows how much of strat's start-up is Typer's own per-option work.
WIDE_TYPER = '''\
"""A bare Typer app shaped like `strat list`: Typer's cost for the same options."""
from pathlib import Path

import typer

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)


@app.callback()
def root(store: Path = typer.Option(None, "--store")) -> None:
    """Root."""


@app.command("list")
def list_(
    status: str = typer.Option(None, "--status"),
    agenda: str = typer.Option(None, "--agenda"),
    date_from: str = typer.Option(None, "--from"),
    date_to: str = typer.Option(None, "--to"),
    outcome: str = typer.Option(None, "--outcome"),
    child: str = typer.Option(None, "--child"),
    limit: int = typer.Option(None, "--limit", min=0),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List nothing."""
    typer.echo("nothing to list")


@app.command()
def other() -> None:
    """Another command, so that `list` is a subcommand as in strat."""


if __name__ == "__main__":
    app()
'''


def minutes_markdown(meeting: Any) -> str:
    """A Markdown version of the minutes (what pandoc gets), from the same record."""
    m = meeting
    out = [
        "---",
        f"title: Strategy discussion {m.id}",
        "---",
        "",
        "OFFICIAL-SENSITIVE",
        "",
        f"**Reference:** {m.id}  ",
        f"**Date:** {m.started_at:%d/%m/%Y %H:%M}  ",
        f"**Chair:** {m.chair}, {m.chair_role}  ",
        f"**Minutes:** {m.minute_taker}",
        "",
        "## Reason for the discussion",
        "",
        m.reason,
        "",
        "## Children",
        "",
        "| ref | name | date of birth | school |",
        "|---|---|---|---|",
    ]
    for c in m.children:
        dob = f"{c.date_of_birth:%d/%m/%Y}" if c.date_of_birth else ""
        out.append(f"| {c.id} | {c.name} | {dob} | {c.school} |")
    out += ["", "## Attendance", "", "| name | role | agency | attendance |", "|---|---|---|---|"]
    for p in m.participants:
        out.append(f"| {p.name} | {p.role} | {p.agency} | {p.attendance.value} |")
    out += ["", "## Information shared", ""]
    for i in m.information:
        out.append(f"- **{i.by}** ({i.agency}): {i.summary}")
    out += ["", "## Risk", "", m.risk.summary or "-", "", "## Decisions", ""]
    for d in m.decisions:
        child = m.child(d.child_id)
        out += [
            f"### {child.name if child else d.child_id}: {d.outcome.value}",
            "",
            d.rationale,
            "",
            f"Medical: {d.medical.needed.value}. {d.medical.reason}",
            "",
        ]
    out += ["## Actions", "", "| ref | action | owner | agency | due |", "|---|---|---|---|---|"]
    for a in m.actions:
        out.append(f"| {a.id} | {a.what} | {a.owner} | {a.agency} | {a.due:%d/%m/%Y %H:%M} |")
    out += ["", "## Disagreements", ""]
    for g in m.disagreements:
        out.append(f"- {g.raised_by}: {g.about}. {g.resolution}")
    out += [
        "",
        "## Sharing with the family",
        "",
        m.family.shared,
        "",
        "## Review",
        "",
        m.review_mechanism,
        "",
    ]
    return "\n".join(out)


# --- the per-answer path, in a worker process ---------------------------------------------------


def answer_worker(store_dir: Path, rounds: int) -> None:
    """Time Enter → answer saved → next prompt ready, alternating with the atomic write alone.

    Prints one JSON object {"a": [...], "b": [...], "how": "...", ...} on stdout (seconds).
    """
    import gc

    from strat_cli.samples import large

    store = cli_store(store_dir)
    meeting = large("SD-2026-0002")
    store.save(meeting)
    try:
        from strat_cli.interview import Interview  # noqa: F401
    except ImportError:
        result = answer_by_save(store, meeting, rounds)
    else:
        gc.collect()
        result = answer_by_interview(store, meeting, rounds)
    print(json.dumps(result))


def cli_store(store_dir: Path) -> Any:
    """The store exactly as the CLI builds it (index hook and all), else a plain FolderStore."""
    try:
        from strat_cli.cli._app import State

        store = State(store_override=store_dir).store
    except (ImportError, AttributeError, TypeError):
        from strat_cli.store import FolderStore

        store = FolderStore(store_dir)
    store.ensure()
    return store


class StopBench(Exception):
    """Raised by the fake prompts when enough answers were timed."""


class TimedPrompts:
    """A fake `prompts.Prompts` for the interview that answers at once and timestamps each
    question: the time from one answer being returned (Enter) to the next question being asked
    (the next prompt ready) is the chair's wait. In between questions it also times one
    `atomic_write` of the meeting's current bytes, so the two sides alternate."""

    def __init__(self, store: Any, meeting_id: str, rounds: int) -> None:
        self.toolbar = ""
        self.store = store
        self.path = store.path(meeting_id)
        self.rounds = rounds
        self.saves = 0
        self.answered_at: float | None = None
        self.saves_at_answer = 0
        self.all: list[float] = []  # every answer
        self.saving: list[float] = []  # answers that saved the record before the next prompt
        self.writes: list[float] = []
        self.n = 0

    def _ready(self) -> None:
        now = time.perf_counter()
        if self.answered_at is not None:
            wait = now - self.answered_at
            self.all.append(wait)
            if self.saves > self.saves_at_answer:
                self.saving.append(wait)
                from strat_cli.store import atomic_write

                data = self.path.read_bytes()
                t = time.perf_counter()
                atomic_write(self.path, data)
                self.writes.append(time.perf_counter() - t)
        if len(self.saving) >= self.rounds:
            raise StopBench
        self.n += 1

    def _answer(self, value: Any) -> Any:
        self.saves_at_answer = self.saves
        self.answered_at = time.perf_counter()
        return value

    def text(self, message: str, *, default: str = "", hint: str = "", validate: Any = None) -> str:
        self._ready()
        if message.startswith("Due"):
            answer = "2 working days"
        elif message.startswith("Action"):
            answer = f"Benchmark action {self.n}: check the school's records and report back"
        else:
            answer = default or "noted"
        self._answer(answer)
        if validate is not None:  # questionary validates on Enter, before returning
            validate(answer)
        return answer

    def multiline(self, message: str, *, default: str = "", hint: str = "") -> str:
        self._ready()
        return str(self._answer(default or "Notes taken during the benchmark."))

    def select(self, message: str, choices: Sequence[Any], *, default: str | None = None) -> str:
        self._ready()
        return str(self._answer(default or choices[self.n % len(choices)][0]))

    def checkbox(self, message: str, choices: Sequence[Any], *, checked: Sequence[str] = ()) -> Any:
        self._ready()
        return self._answer([choices[self.n % len(choices)][0]])

    def confirm(self, message: str, *, default: bool = True) -> bool:
        self._ready()
        return bool(self._answer(default))

    def say(self, text: str = "") -> None:
        pass


def answer_by_interview(store: Any, meeting: Any, rounds: int) -> dict[str, Any]:
    """Drive the real interview (its actions step, the busiest) through its prompt seam."""
    from strat_cli.agenda import get_agenda
    from strat_cli.interview import Interview
    from strat_cli.model import Status

    agenda = get_agenda(meeting.agenda)
    item = next(i for i in agenda.items if i.kind == "actions")
    meeting.status = Status.draft
    meeting.ended_at = None
    meeting.progress.current = item.key
    if item.key in meeting.progress.done:
        meeting.progress.done.remove(item.key)
    store.save(meeting)
    prompts = TimedPrompts(store, meeting.id, rounds)
    original = store.save

    def counting_save(*args: Any, **kwargs: Any) -> Any:
        prompts.saves += 1
        return original(*args, **kwargs)

    store.save = counting_save
    interview = Interview(meeting, agenda, store, prompts, user="Dana Okafor")
    with contextlib.suppress(StopBench):
        interview.run()
    return {
        "a": prompts.saving,
        "b": prompts.writes,
        "all": prompts.all,
        "actions": len(meeting.actions),
        "how": "the interview's actions step (strat_cli.interview.Interview) driven through "
        "its prompt seam; A counts answers that saved the record",
    }


def answer_by_save(store: Any, meeting: Any, rounds: int) -> dict[str, Any]:
    """Before the interview exists: the save step alone, alternating with the atomic write."""
    from strat_cli.store import atomic_write

    path = store.path(meeting.id)
    a: list[float] = []
    b: list[float] = []
    for n in range(rounds):
        meeting.notes["reason"] = f"Note written at answer {n}"
        t = time.perf_counter()
        store.save(meeting)
        a.append(time.perf_counter() - t)
        data = path.read_bytes()
        t = time.perf_counter()
        atomic_write(path, data)
        b.append(time.perf_counter() - t)
    return {"a": a, "b": b, "how": "FolderStore.save of the large meeting (no interview yet)"}


# --- the pairs ---------------------------------------------------------------------------------


@dataclass
class Context:
    tmp: Path
    strat: Strat
    env: dict[str, str]
    small_store: Path
    big_store: Path
    meetings: int
    rounds: int | None
    quick: bool
    progress: Progress
    index_how: str = ""
    notes: list[str] = field(default_factory=list)
    audit: list[str] = field(default_factory=list)
    load: list[str] = field(default_factory=list)

    def n(self, default: int, quick: int) -> int:
        if self.rounds:
            return self.rounds
        return quick if self.quick else default


def alternate(
    ctx: Context,
    pair: Pair,
    a_cmd: Sequence[str],
    b_cmd: Sequence[str] | None,
    rounds: int,
    warmup: int = 1,
    b_env: dict[str, str] | None = None,
    a_cwd: Path | None = None,
    b_cwd: Path | None = None,
) -> Pair:
    """A, B, A, B… for `rounds`; warm-up runs first (not counted); checks exit codes.
    Without `b_cmd`, A alone (a target that is absolute needs no baseline)."""
    both = [(a_cmd, ctx.env, a_cwd)] + ([(b_cmd, b_env or ctx.env, b_cwd)] if b_cmd else [])
    for _ in range(warmup):
        for cmd, env, cwd in both:
            r = run_process(cmd, env, cwd)
            if r.returncode != 0:
                raise SystemExit(
                    f"{pair.name}: {' '.join(cmd)} failed with {r.returncode}:\n"
                    f"{r.stderr.decode(errors='replace')[-2000:]}"
                )
    advance = ctx.progress.task(pair.name, rounds)
    for _ in range(rounds):
        runs = [(run_process(cmd, env, cwd), cmd) for cmd, env, cwd in both]
        for r, cmd in runs:
            if r.returncode != 0:
                raise SystemExit(
                    f"{pair.name}: {' '.join(cmd)} failed: {r.stderr.decode(errors='replace')}"
                )
        ra = runs[0][0]
        pair.a.append(ra.seconds)
        if ra.cpu is not None:
            pair.a_cpu.append(ra.cpu)
        if b_cmd:
            rb = runs[1][0]
            pair.b.append(rb.seconds)
            if rb.cpu is not None:
                pair.b_cpu.append(rb.cpu)
        advance()
    pair.a_peak = measure_peak(a_cmd, ctx.env, a_cwd)
    pair.b_peak = measure_peak(b_cmd, b_env or ctx.env, b_cwd) if b_cmd else None
    return pair


def bench_startup(ctx: Context) -> list[Pair]:
    script = ctx.tmp / "minimal_typer.py"
    script.write_text(MINIMAL_TYPER, encoding="utf-8")
    rounds = ctx.n(30, 10)
    help_pair = Pair(
        "startup-help",
        "strat --help",
        "`strat --help`",
        "a minimal Typer app with two commands, `--help`, same interpreter",
        f"≤ {STARTUP_RATIO}×",
        limit=STARTUP_RATIO,
    )
    alternate(ctx, help_pair, ctx.strat("--help"), [sys.executable, str(script), "--help"], rounds)
    wide = ctx.tmp / "wide_typer.py"
    wide.write_text(WIDE_TYPER, encoding="utf-8")
    list_pair = Pair(
        "startup-list",
        "strat list vs Typer with the same options",
        "`strat list` on a store with the two examples",
        "a bare Typer app with `strat list`'s options (a global `--store` and eight options)",
        f"≤ {STARTUP_RATIO}×",
        limit=STARTUP_RATIO,
    )
    alternate(
        ctx,
        list_pair,
        ctx.strat("list", store=ctx.small_store),
        [sys.executable, str(wide), "--store", str(ctx.small_store), "list"],
        rounds,
    )
    list_pair.note = (
        "What strat itself adds to `strat list`, once Typer's per-option cost is the same on "
        "both sides."
    )
    floor = ctx.tmp / "wide_typer_floor.py"
    floor.write_text(
        WIDE_TYPER.replace(
            '    typer.echo("nothing to list")',
            "    import sqlite3  # noqa: F401  the index's database\n"
            "    from strat_cli.settings import load_settings\n\n"
            "    load_settings()  # strat's settings, as every command reads them\n"
            '    typer.echo("nothing to list")',
        ),
        encoding="utf-8",
    )
    floor_pair = Pair(
        "startup-list-floor",
        "the least any strat listing loads, against the same bare Typer app",
        "the bare Typer app of startup-list that also reads strat's settings (pydantic) and "
        "imports sqlite3, and does nothing else",
        "the bare Typer app of startup-list",
        "(information)",
        kind="info",
    )
    alternate(
        ctx,
        floor_pair,
        [sys.executable, str(floor), "--store", str(ctx.small_store), "list"],
        [sys.executable, str(wide), "--store", str(ctx.small_store), "list"],
        rounds,
    )
    floor_pair.note = (
        "The floor under startup-list's target: what reading the settings and opening the "
        "index cost before a single meeting is listed."
    )
    shape_pair = Pair(
        "startup-list-minimal",
        "strat list vs a two-command Typer app",
        "`strat list` on a store with the two examples",
        "the minimal Typer app's `list` command (no options), informational",
        "(information)",
        kind="info",
    )
    alternate(
        ctx,
        shape_pair,
        ctx.strat("list", store=ctx.small_store),
        [sys.executable, str(script), "list"],
        rounds,
    )
    return [help_pair, list_pair, floor_pair, shape_pair]


def bench_answer(ctx: Context) -> list[Pair]:
    rounds = max(100, ctx.n(30, 10) * 10)  # a p95 needs enough answers
    pair = Pair(
        "answer",
        "answer saved → next prompt ready (large example)",
        "one answer, in-process",
        "`store.atomic_write` of the same bytes alone",
        f"p95 < {ANSWER_P95_MS:.0f} ms",
        kind="p95",
        limit=ANSWER_P95_MS,
    )
    store = ctx.tmp / "answer-store"
    done = ctx.progress.task("answer (one worker process)", 1)
    worker = [sys.executable, str(Path(__file__).resolve()), "--_answer-worker"]
    run = run_process([*worker, str(store), str(rounds)], ctx.env)
    done()
    if run.returncode != 0:
        raise SystemExit(f"answer worker failed:\n{run.stderr.decode(errors='replace')}")
    data = json.loads(run.stdout.decode().strip().splitlines()[-1])
    pair.a, pair.b = data["a"], data["b"]
    extra = ""
    if "all" in data:
        extra = (
            f" Over all {len(data['all'])} answers (those that only move to the next question "
            f"included) p95 is {fmt_s(pct(data['all'], 95))}; the meeting grew to "
            f"{data['actions']} actions."
        )
    pair.a_peak = measure_peak([*worker, str(ctx.tmp / "answer-store-2"), str(rounds)], ctx.env)
    pair.a_label = f"one answer, in-process, via {data['how']}"
    pair.note = (
        "Peak memory is the whole worker process (strat imported, the large meeting loaded, "
        f"{rounds} answers and writes)." + extra
    )
    return [pair]


def bench_render(ctx: Context) -> list[Pair]:
    pair = Pair(
        "render",
        "strat render ID --doc all (large example)",
        "`strat render SD-2026-0002 --doc all`, whole process",
        "`pandoc minutes.md -o minutes.docx` (a Markdown version of the same minutes)",
        f"≤ {RENDER_RATIO}×",
        limit=RENDER_RATIO,
    )
    if "render" not in ctx.strat.commands:
        pair.skipped = "`strat render` does not exist yet"
        return [pair]
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        pair.skipped = "pandoc is not installed (apt-get install pandoc)"
        return [pair]
    from strat_cli.samples import large

    md = ctx.tmp / "minutes.md"
    md.write_text(minutes_markdown(large("SD-2026-0002")), encoding="utf-8")
    out_dir = ctx.tmp / "rendered"
    out_dir.mkdir(exist_ok=True)
    rounds = ctx.n(15, 5)
    a_cmd = ctx.strat("render", "SD-2026-0002", "--doc", "all", store=ctx.small_store)
    if "--out" in render_help(ctx):
        a_cmd += ["--out", str(out_dir)]
    alternate(
        ctx,
        pair,
        a_cmd,
        [pandoc, str(md), "-o", str(ctx.tmp / "minutes.docx")],
        rounds,
        a_cwd=out_dir,
    )
    pair.note = (
        f"pandoc {pandoc_version(pandoc)}. Every run renders the record in full: nothing is kept "
        "per record. The templates were compiled by the warm-up run (the first render after "
        "installing strat or editing a template goes through docxtpl and compiles them: about "
        "twice the CPU, once)."
    )
    floor = Pair(
        "render-floor",
        "the least any strat render loads, against pandoc",
        "`python -c 'import strat_cli.model, jinja2.sandbox, lxml.etree'`: the record's model "
        "(pydantic) and the template engine, imported, nothing rendered",
        "the same pandoc run",
        "(information)",
        kind="info",
    )
    alternate(
        ctx,
        floor,
        [sys.executable, "-c", "import strat_cli.model, jinja2.sandbox, lxml.etree"],
        [pandoc, str(md), "-o", str(ctx.tmp / "minutes.docx")],
        rounds,
    )
    floor.note = (
        "The floor under the render target: a render must validate the record through its "
        "model and run the council's Jinja templates, and importing those alone is measured."
    )
    return [pair, floor, bench_render_pdf(ctx, a_cmd, out_dir)]


def bench_render_pdf(ctx: Context, render_cmd: list[str], out_dir: Path) -> Pair:
    """`--pdf` against the LibreOffice conversion strat runs, alone, on the same three files."""
    pair = Pair(
        "render-pdf",
        "strat render ID --doc all --pdf (large example)",
        "`strat render SD-2026-0002 --doc all --pdf`, whole process",
        "LibreOffice converting the three .docx to PDF alone, with a fresh profile (as strat "
        "runs it)",
        f"≤ {PDF_RATIO}×",
        limit=PDF_RATIO,
    )
    from strat_cli.pdf import find_soffice

    soffice = find_soffice()
    if soffice is None or not POSIX:
        pair.skipped = "LibreOffice is not installed" if soffice is None else "POSIX only"
        return pair
    if "--out" not in render_cmd:
        pair.skipped = "`strat render` has no --out"
        return pair
    docx = sorted(out_dir.glob("*.docx"))
    pdf_dir = ctx.tmp / "pdf-baseline"
    pdf_dir.mkdir(exist_ok=True)
    files = " ".join(shlex.quote(str(p)) for p in docx)
    script = (
        "p=$(mktemp -d) && trap 'rm -rf \"$p\"' EXIT && "
        f'{shlex.quote(soffice)} "-env:UserInstallation=file://$p" --headless --convert-to pdf '
        f"--outdir {shlex.quote(str(pdf_dir))} {files} >/dev/null"
    )
    alternate(ctx, pair, [*render_cmd, "--pdf"], ["sh", "-c", script], ctx.n(5, 2), a_cwd=out_dir)
    pair.note = (
        "strat starts LibreOffice as the command begins, so the render overlaps its start-up: "
        "the difference is strat's own start-up before that and what does not overlap. Peak "
        "memory is LibreOffice's (a waited-for child's maximum counts), so it has no target "
        "here; strat's own is the render row's."
    )
    pair.mem_target = False
    return pair


def render_help(ctx: Context) -> str:
    r = run_process(ctx.strat("render", "--help"), ctx.env)
    return r.stdout.decode(errors="replace")


def pandoc_version(pandoc: str) -> str:
    r = subprocess.run([pandoc, "--version"], capture_output=True, text=True)
    return r.stdout.splitlines()[0].split()[-1] if r.returncode == 0 else "?"


def bench_store(ctx: Context) -> list[Pair]:
    loader = ctx.tmp / "naive_loader.py"
    loader.write_text(NAIVE_LOADER, encoding="utf-8")
    rounds = ctx.n(7, 3)
    pairs = []

    def naive_cmd(what: str) -> list[str] | None:
        if ctx.meetings > NAIVE_MAX:
            return None
        return [sys.executable, str(loader), str(ctx.big_store), what]

    specs = [
        ("overdue", "actions", ["actions", "--overdue"], "overdue"),
        ("list", "list", ["list"], "list"),
        ("due", "due", ["due"], "due"),
    ]
    for name, command, args, naive in specs:
        pair = Pair(
            f"store-{name}",
            f"strat {' '.join(args)} over {ctx.meetings:,} meetings",
            f"`strat {' '.join(args)}` over {ctx.meetings:,} meetings, warm",
            "loading every JSON file naively (json.load + Meeting.model_validate each)",
            f"< {STORE_SECONDS} s warm",
            kind="absolute",
            limit=STORE_SECONDS,
        )
        if command not in ctx.strat.commands:
            pair.skipped = f"`strat {command}` does not exist yet"
            pairs.append(pair)
            continue
        alternate(ctx, pair, ctx.strat(*args, store=ctx.big_store), naive_cmd(naive), rounds)
        pair.note = f"Index built with {ctx.index_how}; one warm-up run of each first."
        if ctx.meetings > NAIVE_MAX:
            pair.note += f" The naive loader is not run above {NAIVE_MAX:,} meetings."
        pairs.append(pair)
    pairs.append(_bench_report(ctx, naive_cmd("list"), rounds))
    return pairs


def _bench_report(ctx: Context, naive: list[str] | None, rounds: int) -> Pair:
    """The partnership report over every meeting of the big store (three years)."""
    pair = Pair(
        "store-report",
        f"strat report over {ctx.meetings:,} meetings",
        f"`strat report --json` over {ctx.meetings:,} meetings (three years), warm",
        "loading every JSON file naively (json.load + Meeting.model_validate each)",
        f"< {REPORT_SECONDS:g} s",
        kind="absolute",
        limit=REPORT_SECONDS,
        mem_limit=REPORT_PEAK_MB,
    )
    if "report" not in ctx.strat.commands:
        pair.skipped = "`strat report` does not exist yet"
        return pair
    today = datetime.now()
    window = ["--from", f"{today.year - 4}-01-01", "--to", f"{today:%Y-%m-%d}"]
    alternate(
        ctx,
        pair,
        ctx.strat("report", *window, "--json", store=ctx.big_store),
        naive,
        rounds,
    )
    pair.note = "Every section: volume, timeliness, ICPC, partners, actions, the check, repeats."
    return pair


HEAVY = ("pydantic", "rich", "questionary", "prompt_toolkit", "docx", "docxtpl", "holidays")


def import_audit(ctx: Context) -> list[str]:
    """Which heavy libraries `strat --help` and `strat list` import (python -X importtime)."""
    lines = []
    for label, args, store in (
        ("strat --help", ("--help",), None),
        ("strat list", ("list",), ctx.small_store),
    ):
        cmd = ctx.strat(*args, store=store)
        cmd = [cmd[0], "-X", "importtime", *cmd[1:]]
        run = run_process(cmd, ctx.env)
        mods = set()
        for line in run.stderr.decode(errors="replace").splitlines():
            if line.startswith("import time:") and line.count("|") >= 2:
                mods.add(line.rsplit("|", 1)[1].strip())
        heavy = [h for h in HEAVY if h in mods]
        ours = sorted(
            m for m in mods if m.startswith("strat_cli.") and not m.startswith("strat_cli.cli")
        )
        text = f"- `{label}` imports: {', '.join(heavy) or 'none of ' + ', '.join(HEAVY)}"
        if "pydantic" in heavy and "typer._adapters" in mods and "strat_cli.model" not in mods:
            text += " (pydantic only through Typer's own parameter coercion, `typer._adapters`)"
        text += f"; strat modules: {', '.join(ours) or 'only the CLI'}."
        lines.append(text)
    return lines


BENCHES: dict[str, Callable[[Context], list[Pair]]] = {
    "startup": bench_startup,
    "answer": bench_answer,
    "render": bench_render,
    "store": bench_store,
}


# --- machine -----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    from importlib import metadata

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 1024**3:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        mem = "unknown"
    versions = []
    for pkg in (
        "strat",
        "typer",
        "rich",
        "pydantic",
        "pydantic_core",
        "questionary",
        "prompt_toolkit",
        "docxtpl",
        "python-docx",
        "jinja2",
        "holidays",
        "filelock",
    ):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{pkg} {metadata.version(pkg)}")
    pandoc = shutil.which("pandoc")
    if pandoc:
        versions.append(f"pandoc {pandoc_version(pandoc)}")
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "memory": mem,
        "OS": platform.platform(),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": ", ".join(versions),
    }


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (OSError, AttributeError):
        return "n/a"


# --- README ------------------------------------------------------------------------------------

START_MARK = "<!-- results:start -->"
END_MARK = "<!-- results:end -->"


def results_block(pairs: list[Pair], ctx: Context, argv: list[str]) -> str:
    mach = machine()
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [
        START_MARK,
        f"Measured {when} with `python benchmarks/run.py {' '.join(argv)}`".rstrip() + ".",
        f"Store: {ctx.meetings:,} fictional meetings; index built with {ctx.index_how}.",
        "",
        results_table(pairs),
        pair_legend(pairs),
        *ctx.audit,
        "",
        "Machine:",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in mach.items()]
    lines.append(
        f"- load average (1 min) at start and end of the run: {', '.join(ctx.load)} "
        f"(on {os.cpu_count()} cores; other work on the machine inflates wall times)"
    )
    lines += ["", END_MARK]
    return "\n".join(lines)


def write_readme(block: str) -> Path:
    readme = HERE / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        if START_MARK in text and END_MARK in text:
            before = text.split(START_MARK, 1)[0]
            after = text.split(END_MARK, 1)[1]
            readme.write_text(before + block + after, encoding="utf-8")
            return readme
        text = text.rstrip() + "\n\n## Results\n\n" + block + "\n"
    else:
        text = "# strat benchmarks\n\n## Results\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")
    return readme


# --- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--_answer-worker":
        answer_worker(Path(argv[1]), int(argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, help="rounds per pair (default depends on the pair)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds, 2,000 meetings")
    parser.add_argument("--meetings", type=int, help="meetings in the big store (default 20,000)")
    parser.add_argument(
        "--only", action="append", help=f"run only these groups: {', '.join(BENCHES)}"
    )
    parser.add_argument("--write-readme", action="store_true", help="write benchmarks/README.md")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--json", action="store_true", help="also print the raw results as JSON")
    args = parser.parse_args(argv)
    only = [o.lower() for o in (args.only or [])]
    groups = [g for g in BENCHES if not only or any(o in g or g in o for o in only)]
    if not groups:
        parser.error(f"--only: none of {', '.join(BENCHES)} matches {only}")
    meetings = args.meetings or (2000 if args.quick else 20000)

    tmp = Path(tempfile.mkdtemp(prefix="strat-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAT_")}
    env["STRAT_HOME"] = str(tmp / "home")
    env["PYTHONDONTWRITEBYTECODE"] = "0"
    env["COLUMNS"] = "120"
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    try:
        with Progress() as progress:
            strat = find_strat(env)
            small = tmp / "small-store"
            big = tmp / "big-store"
            ctx = Context(tmp, strat, env, small, big, meetings, args.rounds, args.quick, progress)
            from strat_cli.samples import large, typical

            (small / "meetings").mkdir(parents=True)
            if POSIX:
                os.chmod(small, 0o700)
                os.chmod(small / "meetings", 0o700)
            for m in (typical("SD-2026-0001"), large("SD-2026-0002")):
                (small / "meetings" / f"{m.id}.json").write_text(
                    m.model_dump_json(indent=1), encoding="utf-8"
                )
            ctx.index_how = build_index(strat, small, progress)
            if "store" in groups:
                t = time.perf_counter()
                stats = make_meetings(big, meetings)
                progress.log(
                    f"wrote {meetings:,} meetings ({stats['large']} large, "
                    f"{stats['overdue_actions']:,} overdue actions) in {time.perf_counter() - t:.1f} s"
                )
                t = time.perf_counter()
                ctx.index_how = build_index(strat, big, progress)
                progress.log(f"index: {ctx.index_how} in {time.perf_counter() - t:.1f} s")
            pairs: list[Pair] = []
            ctx.load.append(load_average())
            for g in groups:
                pairs += BENCHES[g](ctx)
            ctx.load.append(load_average())
            if "startup" in groups:
                ctx.audit = import_audit(ctx)
        print(results_table(pairs))
        print(pair_legend(pairs))
        print("\n".join(ctx.audit))
        print(f"load average (1 min) at start and end: {', '.join(ctx.load)}")
        if args.json:
            print(
                json.dumps(
                    [
                        {"name": p.name, "a": p.a, "b": p.b, "a_peak": p.a_peak, "b_peak": p.b_peak}
                        for p in pairs
                    ]
                )
            )
        if args.write_readme:
            path = write_readme(results_block(pairs, ctx, argv))
            print(f"wrote {path}")
        missed = [p.name for p in pairs if p.time_ok is False or p.mem_ok is False]
        if missed:
            print(f"missed: {', '.join(missed)}")
        return 0
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
