"""The manager's and the partnership's picture: figures across many discussions.

Safeguarding partnerships and inspectors ask the same questions every quarter: did police and
health take part, were discussions held in time, did the record go out within a working day,
was the conference held within 15 working days of the s47 start, which actions were late. This
module answers them from the records, as counts with their denominators, and knows nothing of
HTML, CSV or the terminal (`report_page` draws the page).

Nothing here carries a person's name: figures are by month, outcome, agency kind, agency,
rule code and reference. Free text from the record never reaches a table except an action's
agency (an organisation, as the record names it).
"""

from __future__ import annotations

import contextlib
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from .errors import AgendaError, InputError
from .index import NOT_A_REFERENCE, reference
from .model import LONDON, ActionStatus, AgencyKind, Attendance, Meeting, Outcome, Status
from .timeutil import before, format_uk

if TYPE_CHECKING:
    from .agenda import Agenda
    from .deadlines import Deadlines

# England, reporting year 2025 (Children in Need statistics, table C4): the figures a council
# sets its own beside.
ENGLAND_2025_S47 = 230_590
ENGLAND_2025_CONFERENCES = 72_100
ENGLAND_2025_QUARTILES = (13, 14, 15)
ICPC_BANDS = (("0-10", 0, 10), ("11-15", 11, 15), ("16-20", 16, 20), ("21+", 21, None))
# How a statutory partner took part, best first: a meeting counts under the best mode of anyone
# from that agency.
MODES = (
    Attendance.in_person,
    Attendance.remote,
    Attendance.report_sent,
    Attendance.apologies,
    Attendance.absent,
    Attendance.invited,
)
NOBODY = "nobody invited"


@dataclass(frozen=True)
class Share:
    """A count out of a denominator: every figure in the report is one of these or a count."""

    count: int
    of: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.count / self.of, 1) if self.of else None


Cell = str | int | float | Share | None


@dataclass
class Table:
    key: str  # file name for --csv, key for --json
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""


@dataclass
class LeftOut:
    ref: str
    why: str


@dataclass
class Report:
    date_from: date
    date_to: date
    agenda: str | None
    made_at: datetime
    included: int
    left_out: list[LeftOut]
    tables: list[Table] = field(default_factory=list)
    suppress_below: int = 0

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


@dataclass
class Source:
    """One record and its area's agenda, or why it cannot be counted."""

    ref: str
    meeting: Meeting | None = None
    agenda: Agenda | None = None
    facts: Facts | None = None  # already reduced (from the cache)
    problem: str = ""


# --- one record, reduced to what the figures need ---------------------------------------------


@dataclass(slots=True)
class Facts:
    """What the report keeps of one discussion: no text, no names, a few hundred bytes, so a
    report over a large store never holds the records themselves."""

    id: str
    agenda: str
    started_ts: float
    draft: bool
    month: str
    follow_up: bool
    children: int
    s47: bool
    s47_started_here: bool
    outcomes: list[Outcome]
    previous: list[str]
    child_refs: list[str]
    timely: dict[str, str]  # measure -> "on time" | "late" | "not done"
    icpc_days: int | None  # working days from the s47 start to the conference held (CIN)
    icpc_before_start: bool
    icpc_in_time: bool | None  # held by the area's own target, as strat check counts it
    partners: dict[AgencyKind, str]  # statutory partner -> how it took part
    missing: dict[AgencyKind, str]  # statutory partner not present -> escalated|reason|neither
    actions: list[tuple[str, str, float, float | None]]  # (agency, status, due, completed)
    gaps: list[tuple[str, str, str]]  # (code, severity, seed), each once
    checked: bool
    # The check's verdict may change when a deadline passes (a record not yet circulated is
    # not late until it is due): the facts hold until then, and for ever once all have passed.
    valid_until: float | None = None

    def as_json(self) -> str:
        import json

        data = {k: getattr(self, k) for k in self.__slots__}
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Facts:
        import json

        d = json.loads(text)
        d["outcomes"] = [Outcome(o) for o in d["outcomes"]]
        d["partners"] = {AgencyKind(k): v for k, v in d["partners"].items()}
        d["missing"] = {AgencyKind(k): v for k, v in d["missing"].items()}
        d["actions"] = [tuple(a) for a in d["actions"]]
        d["gaps"] = [tuple(g) for g in d["gaps"]]
        return cls(**d)


TIMELINESS = (
    ("discussion", "Discussion held within the area's timescale of the concern"),
    ("summary", "Action summary sent within the area's timescale"),
    ("circulation", "Record circulated within the area's working days"),
    ("minutes", "Minutes authorised within the area's hours"),
)


def facts_of(m: Meeting, ag: Agenda, now: datetime) -> Facts:
    from .attendance import missing_partners
    from .check import check_meeting
    from .circulation import coverage
    from .deadlines import icpc_in_time, meeting_deadlines, s47_start_day, working_days_between

    try:
        dl: Deadlines | None = meeting_deadlines(m, ag)
    except InputError:  # a date no deadline can be counted from (a placeholder saved before
        dl = None  # entry was checked): the record is timed nowhere, and `strat due` names it
    timely: dict[str, str] = {}
    if dl is not None:
        # the summary goes with the first delivery; circulation is done once everyone has it
        cov = coverage(m.participants, m.circulation)
        if dl.discussion_due is not None:
            timely["discussion"] = _state(m.started_at, dl.discussion_due)
        if dl.summary_due is not None:
            timely["summary"] = _state(cov.first_delivery_at, dl.summary_due)
        if dl.circulation_due is not None:
            timely["circulation"] = _state(cov.complete_at, dl.circulation_due)
        if dl.minutes_authorised_due is not None:
            auth = m.authorisation.at if m.authorisation else None
            timely["minutes"] = _state(auth, dl.minutes_authorised_due)
    icpc_days: int | None = None
    held_early = False
    in_time: bool | None = None
    if m.icpc_held_on is not None:
        if dl is not None and dl.icpc_target is not None:
            in_time = icpc_in_time(m.icpc_held_on, dl.icpc_target)
        start = s47_start_day(m)  # the national measure's start, not the area's clock
        if m.icpc_held_on < start:
            held_early = True
        else:
            icpc_days = working_days_between(start, m.icpc_held_on, ag.timescales.nation)
    gaps_found = {g.agency_kind: g for g in m.partner_gaps}
    missing: dict[AgencyKind, str] = {}
    for kind in missing_partners(m, ag.statutory_partners):
        gap = gaps_found.get(kind)
        if gap is not None and gap.escalated:
            missing[kind] = "escalated"
        elif gap is not None and gap.reason.strip():
            missing[kind] = "reason"
        else:
            missing[kind] = "neither"
    gaps: list[tuple[str, str, str]] = []
    checked = True
    try:
        result = check_meeting(m, ag, now=now, deadlines=dl) if dl else None
    except AgendaError:  # the area's rule overrides name no rule: no record of it is judged
        result = None
    if result is None:
        checked = False
    else:
        found = {(g.code, g.severity, str(getattr(g, "seed", "") or "")) for g in result.gaps}
        gaps = sorted(found)
    moments = [a.due for a in m.actions if a.status == ActionStatus.open]
    if dl is not None:
        moments += [
            x
            for x in (
                dl.summary_due,
                dl.minutes_authorised_due,
                dl.circulation_due,
                dl.discussion_due,
            )
            if x is not None
        ]
        if dl.icpc_target is not None:
            moments.append(datetime.combine(dl.icpc_target, datetime.max.time(), LONDON))
    ahead = [x.timestamp() for x in moments if before(now, x)]
    return Facts(
        id=m.id,
        agenda=m.agenda,
        started_ts=m.started_at.timestamp(),
        draft=m.status == Status.draft,
        month=m.started_at.astimezone(LONDON).strftime("%Y-%m"),
        follow_up=m.type != "initial",
        children=len(m.subject_children),
        s47=m.s47_decided,
        s47_started_here=m.s47_decided and m.s47_started_at is None,
        outcomes=[d.outcome for d in m.decisions],
        previous=[reference("meeting", ref) for ref in m.previous],
        # references, never what was typed there (a record kept before the check)
        child_refs=[
            ref
            for c in m.children
            if (ref := reference("local_ref", c.local_ref.strip())) not in ("", NOT_A_REFERENCE)
        ],
        timely=timely,
        icpc_days=icpc_days,
        icpc_before_start=held_early,
        icpc_in_time=in_time,
        partners={k: partner_mode(m, k) for k in ag.statutory_partners},
        missing=missing,
        actions=[
            (
                " ".join(a.agency.split()) or "agency not recorded",
                a.status.value,
                a.due.timestamp(),
                a.completed_at.timestamp() if a.completed_at else None,
            )
            for a in m.actions
        ],
        gaps=gaps,
        checked=checked,
        valid_until=min(ahead) if ahead else None,
    )


# --- building the report -------------------------------------------------------------------


def build_report(
    sources: Iterable[Source],
    *,
    date_from: date,
    date_to: date,
    agenda: str | None = None,
    now: datetime | None = None,
    step: Callable[[], None] | None = None,
) -> Report:
    """Every section, from the records held between `date_from` and `date_to` (inclusive).

    Drafts are left out (their figures are not final) and said so; so are records that cannot
    be read or whose agenda is missing. Each record is reduced to its facts as it is read, and
    each section counts them as they come: a report over 100,000 records holds counters, not
    records.
    """
    now = now or datetime.now(LONDON)
    sections: list[_Section] = [
        _Volume(),
        _Outcomes(),
        _Timeliness(),
        _Icpc(),
        _Partners(),
        _Escalations(),
        _Actions(now),
        _Gaps(),
        _Repeats(),
    ]
    left: list[LeftOut] = []
    included = 0
    first = datetime.combine(date_from, datetime.min.time(), LONDON).timestamp()
    last = datetime.combine(date_to, datetime.max.time(), LONDON).timestamp()
    for src in sources:
        if step:
            step()
        f = src.facts
        if f is None and src.meeting is not None and src.agenda is not None:
            f = facts_of(src.meeting, src.agenda, now)
        if f is None:
            left.append(LeftOut(src.ref, src.problem or "cannot be read"))
            continue
        if (agenda and f.agenda != agenda) or not first <= f.started_ts <= last:
            continue
        if f.draft:
            left.append(LeftOut(f.id, "draft: the discussion has not ended"))
            continue
        included += 1
        for section in sections:
            section.add(f)
    report = Report(date_from, date_to, agenda, now, included, left)
    report.tables = [section.table() for section in sections]
    return report


class _Section(Protocol):
    """One part of the report: counts each discussion's facts, then makes its table."""

    def add(self, f: Facts) -> None: ...

    def table(self) -> Table: ...


class _Volume:
    def __init__(self) -> None:
        self.by_month: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, f: Facts) -> None:
        c = self.by_month[f.month]
        c["discussions"] += 1
        c["follow-up"] += f.follow_up
        c["children"] += f.children
        c["s47"] += f.s47

    def table(self) -> Table:
        table = Table(
            "volume",
            "Discussions held, by month",
            ["Month", "Discussions", "of which follow-ups", "Children discussed", "Deciding s47"],
            [],
            note="Follow-ups and s47 are shares of the month's discussions.",
        )
        for month in sorted(self.by_month):
            c = self.by_month[month]
            n = c["discussions"]
            table.rows.append(
                [month, n, Share(c["follow-up"], n), c["children"], Share(c["s47"], n)]
            )
        return table


class _Outcomes:
    """Decisions per child, by month: the outcome mix a board asks about."""

    def __init__(self) -> None:
        self.by_month: dict[str, Counter[Outcome]] = defaultdict(Counter)

    def add(self, f: Facts) -> None:
        self.by_month[f.month].update(f.outcomes)

    def table(self) -> Table:
        outcomes = list(Outcome)
        table = Table(
            "outcomes",
            "Outcomes decided for each child, by month",
            ["Month", "Decisions", *[o.value for o in outcomes]],
            [],
            note="One decision per child per discussion; shares are of the month's decisions.",
        )
        total: Counter[Outcome] = Counter()
        for month in sorted(self.by_month):
            c = self.by_month[month]
            total.update(c)
            n = sum(c.values())
            table.rows.append([month, n, *[Share(c[o], n) for o in outcomes]])
        n = sum(total.values())
        if table.rows:
            table.rows.append(["All", n, *[Share(total[o], n) for o in outcomes]])
        return table


class _Timeliness:
    """Each of the area's own timescales: met, late, or not done, among the records it
    applies to."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {key: Counter() for key, _ in TIMELINESS}

    def add(self, f: Facts) -> None:
        for key, state in f.timely.items():
            self.counts[key][state] += 1

    def table(self) -> Table:
        table = Table(
            "timeliness",
            "Timeliness against the area's own timescales",
            ["Measure", "Records it applies to", "On time", "Late", "Not done"],
            [],
            note=(
                "Each area's timescales come from its agenda file. The discussion measure "
                "applies to first discussions with the time the concern was identified; minutes "
                "authorisation only where the area sets hours for it."
            ),
        )
        for key, label in TIMELINESS:
            c = self.counts[key]
            n = sum(c.values())
            table.rows.append(
                [label, n, Share(c["on time"], n), Share(c["late"], n), Share(c["not done"], n)]
            )
        return table


def _state(done_at: datetime | None, due: datetime) -> str:
    """Compared in real time (UTC): around the clocks going back, wall times mislead."""
    if done_at is None:
        return "not done"
    return "late" if before(due, done_at) else "on time"


class _Icpc:
    def __init__(self) -> None:
        self.days: list[int] = []
        self.early = 0
        self.started = 0
        self.in_time: list[bool] = []

    def add(self, f: Facts) -> None:
        if f.icpc_days is not None:
            self.days.append(f.icpc_days)
        if f.icpc_in_time is not None:
            self.in_time.append(f.icpc_in_time)
        self.early += f.icpc_before_start
        self.started += f.s47_started_here

    def table(self) -> Table:
        days = self.days
        n = len(days)
        table = Table(
            "icpc",
            "Initial child protection conferences: working days from the start of the s47 enquiry",
            ["Working days", "Conferences", "England 2025"],
            [],
            note=(
                "Counted as the Children in Need statistics publish it (table C4): working days "
                "of the area's nation from the start of the s47 enquiry to the conference, each "
                "conference recorded with strat icpc on a discussion in this period. "
                "Conferences dated before their s47 start are left out of the durations "
                f"({self.early}). England 2025: {ENGLAND_2025_CONFERENCES:,} conferences after "
                f"{ENGLAND_2025_S47:,} s47 enquiries. 'Held by its ICPC target' is not this "
                "measure: it counts each area's own target, as strat check does, from the "
                "discussion its procedure names (the last strategy discussion, or the one that "
                "initiated s47), so it can differ from 'Within 15 working days of the s47 "
                "start'."
            ),
        )
        for label, low, high in ICPC_BANDS:
            count = sum(1 for d in days if d >= low and (high is None or d <= high))
            table.rows.append([label, Share(count, n), ""])
        quartiles = _quartiles(days)
        for i, label in enumerate(("25th percentile", "Median", "75th percentile")):
            table.rows.append(
                [label, quartiles[i] if quartiles else None, ENGLAND_2025_QUARTILES[i]]
            )
        table.rows.append(
            [
                "Within 15 working days of the s47 start",
                Share(sum(1 for d in days if d <= 15), n),
                "",
            ]
        )
        table.rows.append(
            ["Held by its ICPC target", Share(sum(self.in_time), len(self.in_time)), ""]
        )
        england = Share(ENGLAND_2025_CONFERENCES, ENGLAND_2025_S47)
        table.rows.append(
            ["Conferences per s47 enquiry started here", Share(n, self.started), england]
        )
        return table


def _quartiles(values: list[int]) -> tuple[float, float, float] | None:
    """25th, 50th and 75th percentiles (inclusive method); one value is its own quartiles."""
    if not values:
        return None
    if len(values) == 1:
        v = float(values[0])
        return (v, v, v)
    q = statistics.quantiles(values, n=4, method="inclusive")
    return (q[0], q[1], q[2])


def partner_mode(m: Meeting, kind: AgencyKind) -> str:
    """How an agency took part: the best mode of anyone from it, or nobody invited."""
    modes = {p.attendance for p in m.participants if p.agency_kind == kind}
    return next((mode.value for mode in MODES if mode in modes), NOBODY)


class _Partners:
    def __init__(self) -> None:
        self.by_kind: dict[AgencyKind, Counter[str]] = {}

    def add(self, f: Facts) -> None:
        for kind, mode in f.partners.items():
            self.by_kind.setdefault(kind, Counter())[mode] += 1

    def table(self) -> Table:
        columns = [*(mode.value for mode in MODES), NOBODY]
        table = Table(
            "partners",
            "Statutory partners: how each agency took part",
            ["Agency", "Discussions", "Took part", *columns],
            [],
            note=(
                "A discussion counts once per agency, under the best way anyone from it took "
                "part (in person, then phone/video, report sent, apologies, did not attend, "
                "invited but not marked). Only discussions whose area names the agency as a "
                "statutory partner."
            ),
        )
        for kind, counts in self.by_kind.items():
            n = sum(counts.values())
            took_part = counts[Attendance.in_person.value] + counts[Attendance.remote.value]
            table.rows.append(
                [kind.value, n, Share(took_part, n), *[Share(counts[c], n) for c in columns]]
            )
        return table


class _Escalations:
    def __init__(self) -> None:
        self.by_kind: dict[AgencyKind, Counter[str]] = defaultdict(Counter)

    def add(self, f: Facts) -> None:
        for kind, how in f.missing.items():
            self.by_kind[kind][how] += 1

    def table(self) -> Table:
        table = Table(
            "escalations",
            "Statutory partners missing, and escalations",
            ["Agency", "Discussions missing the agency", "Escalated", "Reason recorded", "Neither"],
            [],
        )
        for kind in sorted(self.by_kind, key=lambda k: k.value):
            c = self.by_kind[kind]
            n = sum(c.values())
            table.rows.append(
                [
                    kind.value,
                    n,
                    Share(c["escalated"], n),
                    Share(c["reason"], n),
                    Share(c["neither"], n),
                ]
            )
        return table


ACTION_STATES = (
    "done on time",
    "done late",
    "overdue",
    "open, not yet due",
    "carried or cancelled",
)


class _Actions:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.by_agency: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, f: Facts) -> None:
        now = self.now.timestamp()
        for agency, status, due, completed in f.actions:
            self.by_agency[agency][_action_state(status, due, completed, now)] += 1

    def table(self) -> Table:
        table = Table(
            "actions",
            "Actions agreed, by agency",
            ["Agency", "Actions", *ACTION_STATES],
            [],
            note=f"Overdue and open as at {format_uk(self.now)}.",
        )
        total: Counter[str] = Counter()
        for agency in sorted(self.by_agency, key=str.lower):
            c = self.by_agency[agency]
            total.update(c)
            n = sum(c.values())
            table.rows.append([agency, n, *[Share(c[s], n) for s in ACTION_STATES]])
        if table.rows:
            n = sum(total.values())
            table.rows.append(["All agencies", n, *[Share(total[s], n) for s in ACTION_STATES]])
        return table


def _action_state(status: str, due: float, completed: float | None, now: float) -> str:
    if status == ActionStatus.done.value:
        return "done late" if completed is not None and completed > due else "done on time"
    if status != ActionStatus.open.value:
        return "carried or cancelled"
    return "overdue" if due < now else "open, not yet due"


class _Gaps:
    """The check's most frequent gaps: which rules records most often fall short of."""

    def __init__(self) -> None:
        self.found: Counter[tuple[str, str, str]] = Counter()
        self.checked = 0

    def add(self, f: Facts) -> None:
        self.checked += f.checked
        self.found.update(f.gaps)

    def table(self) -> Table:
        table = Table(
            "gaps",
            "The quality check's most frequent gaps",
            ["Rule", "Severity", "Seed", "Discussions with the gap"],
            [],
            note="Each discussion counts once per rule; the 20 most frequent rules.",
        )
        ranked = sorted(self.found.items(), key=lambda kv: (-kv[1], kv[0]))
        for (code, severity, seed), count in ranked[:20]:
            table.rows.append([code, severity, seed, Share(count, self.checked)])
        return table


class _Repeats:
    """Cases discussed more than once: chains of discussions linked by their earlier ones."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.ids: list[str] = []
        self.children: dict[str, set[str]] = defaultdict(set)  # case reference -> discussions

    def root(self, x: str) -> str:
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def add(self, f: Facts) -> None:
        self.ids.append(f.id)
        self.root(f.id)
        for prev in f.previous:
            self.parent[self.root(prev)] = self.root(f.id)
        for ref in f.child_refs:
            self.children[ref].add(f.id)

    def table(self) -> Table:
        sizes: Counter[str] = Counter(self.root(i) for i in self.ids)
        cases = len(sizes)
        table = Table(
            "repeats",
            "Repeat discussions of the same case",
            ["Discussions of the case in the period", "Cases"],
            [],
            note=(
                "A case is a chain of discussions linked as follow-ups. The last row counts "
                "children (by case-management reference) discussed in more than one case."
            ),
        )
        for label, low, high in (("1", 1, 1), ("2", 2, 2), ("3", 3, 3), ("4 or more", 4, None)):
            count = sum(1 for s in sizes.values() if s >= low and (high is None or s <= high))
            table.rows.append([label, Share(count, cases)])
        again = sum(1 for ids in self.children.values() if len({self.root(i) for i in ids}) > 1)
        table.rows.append(
            ["Children discussed in more than one case", Share(again, len(self.children))]
        )
        return table


# --- small numbers, and the plain forms (JSON, CSV) ------------------------------------------


def shown(value: Cell, below: int) -> Cell:
    """A count under `below` becomes "<N", as published statistics do; its percentage goes too."""
    if below <= 0:
        return value
    if isinstance(value, Share):
        if 0 < value.count < below or 0 < value.of < below:
            return f"<{below}"
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < below:
        return f"<{below}"
    return value


def cell_text(value: Cell) -> str:
    if value is None:
        return "–"
    if isinstance(value, Share):
        pct = value.percent
        return f"{value.count:,} of {value.of:,}" + (f" ({pct:g}%)" if pct is not None else "")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def as_json(report: Report) -> dict[str, Any]:
    def plain(value: Cell) -> Any:
        value = shown(value, report.suppress_below)
        if isinstance(value, Share):
            return {"count": value.count, "of": value.of, "percent": value.percent}
        return value

    return {
        "from": report.date_from.isoformat(),
        "to": report.date_to.isoformat(),
        "agenda": report.agenda,
        "made_at": report.made_at.isoformat(),
        "included": report.included,
        "suppress_below": report.suppress_below or None,
        "left_out": [{"ref": x.ref, "why": x.why} for x in report.left_out],
        "tables": {
            t.key: {
                "title": t.title,
                "note": t.note,
                "columns": t.columns,
                "rows": [[plain(c) for c in row] for row in t.rows],
            }
            for t in report.tables
        },
    }


def csv_files(report: Report) -> dict[str, str]:
    """One CSV per table (name → text): a count and a percentage column for every share. Text
    cells (an agency as typed) go through `safetext.for_spreadsheet`; numbers stay numbers."""
    import csv
    import io

    from .safetext import for_spreadsheet

    files: dict[str, str] = {}
    for i, t in enumerate(report.tables, start=1):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        shares = [any(isinstance(row[j], Share) for row in t.rows) for j in range(len(t.columns))]
        header: list[str] = []
        for col, is_share in zip(t.columns, shares, strict=True):
            header.extend([col, f"{col} (%)"] if is_share else [col])
        writer.writerow([for_spreadsheet(col) for col in header])
        for row in t.rows:
            line: list[str] = []
            for value, is_share in zip(row, shares, strict=True):
                value = shown(value, report.suppress_below)
                if isinstance(value, Share):
                    pct = value.percent
                    line.extend([str(value.count), "" if pct is None else f"{pct:g}"])
                elif isinstance(value, str):
                    line.extend(
                        [for_spreadsheet(value), ""] if is_share else [for_spreadsheet(value)]
                    )
                elif is_share:
                    line.extend(["" if value is None else str(value), ""])
                else:
                    line.append("" if value is None else cell_text(value))
            writer.writerow(line)
        files[f"{i:02d}-{t.key}.csv"] = out.getvalue()
    return files


# --- where the records come from --------------------------------------------------------------


FACTS_VERSION = 4  # bump when Facts, or how they are made, change: every cached row is remade
_FACTS_TABLE = """
CREATE TABLE IF NOT EXISTS report_facts (
    meeting_id TEXT PRIMARY KEY, stamp TEXT NOT NULL, valid_until REAL, facts TEXT NOT NULL
)
"""


def store_sources(
    store: Any,
    index: Any,
    *,
    date_from: date,
    date_to: date,
    agenda: str | None,
    now: datetime,
    agenda_dirs: list[Any] | None = None,
) -> tuple[int, Iterable[Source]]:
    """The records held in the window, found through the register's index, each reduced to its
    facts.

    A record's facts are kept in the index beside its row, stamped with the file's mtime and
    size, its agenda file's stamp and strat's version, so a second report over a large store
    opens only the records changed since (and those whose check verdict a passing deadline may
    have changed). The facts hold no names. On a read-only store nothing is kept.
    """
    import sqlite3

    from . import __version__
    from .agenda import get_agenda
    from .errors import StratError

    index.refresh()
    with contextlib.suppress(sqlite3.Error, OSError):
        index.stale_agendas()  # facts made under an agenda since edited are made again
    conn = index.connect()
    keep = getattr(index, "facts_cache", True)  # the server's register keeps none
    if keep:
        with contextlib.suppress(sqlite3.Error):
            conn.execute(_FACTS_TABLE)
    where = "m.started_date >= ? AND m.started_date <= ? AND m.error IS NULL"
    args: list[Any] = [date_from.isoformat(), date_to.isoformat()]
    if agenda:
        where += " AND m.agenda = ?"
        args.append(agenda)
    total = conn.execute(f"SELECT count(*) FROM meetings m WHERE {where}", args).fetchone()[0]
    try:  # each row with its kept facts, read as it is counted
        rows = conn.execute(
            "SELECT m.id, m.mtime_ns, m.size, m.agenda_stamp, f.stamp, f.valid_until, f.facts "
            f"FROM meetings m LEFT JOIN report_facts f ON f.meeting_id = m.id WHERE {where}",
            args,
        )
    except sqlite3.Error:  # no table (a read-only store answered from memory): nothing kept
        rows = conn.execute(
            "SELECT m.id, m.mtime_ns, m.size, m.agenda_stamp, NULL, NULL, NULL "
            f"FROM meetings m WHERE {where}",
            args,
        )
    broken = [
        r[0] for r in conn.execute("SELECT id FROM meetings WHERE error IS NOT NULL ORDER BY id")
    ]
    agendas: dict[str, Agenda | str] = {}
    now_ts = now.timestamp()

    def agenda_of(agenda_id: str) -> Agenda | str:
        if agenda_id not in agendas:
            try:
                agendas[agenda_id] = get_agenda(agenda_id, agenda_dirs)
            except StratError:
                agendas[agenda_id] = f"its agenda '{agenda_id}' cannot be found or read"
        return agendas[agenda_id]

    def generate() -> Iterable[Source]:  # one record at a time: never the whole store at once
        made: list[tuple[str, str, float | None, str]] = []
        for ref in broken:
            yield Source(ref, problem="the file cannot be read (see strat list)")
        for ref, mtime_ns, size, agenda_stamp, kept, valid_until, kept_facts in rows:
            stamp = f"{FACTS_VERSION}:{__version__}:{mtime_ns}:{size}:{agenda_stamp}"
            if kept == stamp and (valid_until is None or now_ts < valid_until):
                yield Source(ref, facts=Facts.from_json(kept_facts))
                continue
            try:
                meeting = store.load(ref)
            except StratError:
                yield Source(ref, problem="the file cannot be read (see strat list)")
                continue
            found = agenda_of(meeting.agenda)
            if isinstance(found, str):
                yield Source(ref, problem=found)
                continue
            facts = facts_of(meeting, found, now)
            made.append((ref, stamp, facts.valid_until, facts.as_json()))
            yield Source(ref, facts=facts)
        if keep:
            _keep_facts(conn, made)

    return total + len(broken), generate()


def _keep_facts(conn: Any, made: list[tuple[str, str, float | None, str]]) -> None:
    """Keep what was made for next time; a store that cannot be written is simply not helped."""
    import sqlite3

    if not made:
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT OR REPLACE INTO report_facts VALUES (?, ?, ?, ?)", made)
        conn.execute("COMMIT")
    except sqlite3.Error:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
