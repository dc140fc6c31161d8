"""Oversight from the command line: check, authorise (refused, then overridden), the lock,
amendments, the audit trail, the actions register, list filters and the calendar export."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.errors import Locked
from strat_cli.model import LONDON, ActionStatus, Amendment, Meeting, YesNo
from strat_cli.samples import START, typical
from strat_cli.store import FolderStore, authorised_content

from .conftest import sent_to_everyone

ID = "SD-2026-0001"
MANAGER = ["--by", "Ruth Ellery", "--role", "Service Manager"]


def circulated(m: Meeting) -> Meeting:
    """Sent 45 minutes after the end (the action summary is due within the hour), so the record
    passes whatever today's date is."""
    m.circulation.append(sent_to_everyone(m, START + timedelta(minutes=100)))
    return m


@pytest.fixture
def complete(store: FolderStore) -> Meeting:
    m = circulated(typical())
    store.save(m)
    return m


def test_check_passes_a_complete_record(runner: CliRunner, complete: Meeting) -> None:
    result = runner.invoke(app, ["check", ID, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["gaps"] == []


def test_check_exits_1_on_errors_and_names_where(runner: CliRunner, store: FolderStore) -> None:
    m = circulated(typical())
    m.decisions[1].rationale = ""
    store.save(m)
    result = runner.invoke(app, ["check", ID, "--json"])
    assert result.exit_code == 1
    gaps = json.loads(result.output)["gaps"]
    assert {
        "severity": "error",
        "code": "decision.rationale",
        "where": "decisions.D2.rationale",
    }.items() <= gaps[0].items()
    table = runner.invoke(app, ["check", ID])
    assert table.exit_code == 1 and "decisions.D2.rationale" in table.output


def test_check_exits_0_with_only_warnings(runner: CliRunner, store: FolderStore) -> None:
    m = circulated(typical())
    m.decisions[0].parents_informed = YesNo.undecided
    store.save(m)
    result = runner.invoke(app, ["check", ID, "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["warnings"] == 1


def test_authorise_is_refused_then_overridden(
    runner: CliRunner, store: FolderStore, named: Callable[[str], str]
) -> None:
    m = circulated(typical())
    m.children[0].voice = ""
    store.save(m)
    refused = runner.invoke(app, ["authorise", ID, *MANAGER])
    assert refused.exit_code == 1
    assert refused.output.startswith(f"Error: {ID} has 1 error(s) in the quality check")
    assert "children.C1.voice" in refused.output and "--override" in refused.output
    assert store.load(ID).authorisation is None

    reason = "Mia's account is in the ABE plan; recorded there"
    done = runner.invoke(app, ["authorise", ID, *MANAGER, "--override", reason])
    assert done.exit_code == 0, done.output
    saved = store.load(ID)
    assert saved.status.value == "authorised" and saved.locked
    assert saved.authorisation is not None
    assert saved.authorisation.override_reason == reason
    event = saved.audit[-1]
    assert (event.event, event.who) == ("authorised", named("Ruth Ellery"))
    assert reason in event.detail and "child.voice@children.C1.voice" in event.detail

    again = runner.invoke(app, ["authorise", ID, *MANAGER])
    assert again.exit_code == 1 and f"was authorised by {named('Ruth Ellery')}" in again.output


def test_authorisation_comes_before_circulation_so_circulation_never_blocks_it(
    runner: CliRunner, store: FolderStore
) -> None:
    """Pan-Lancashire 3.3: the manager authorises the notes, which are then sent out."""
    m = typical()  # complete, but not circulated, and days past its circulation deadline
    assert not m.circulation
    store.save(m)
    result = runner.invoke(app, ["authorise", ID, *MANAGER])
    assert result.exit_code == 0, result.output
    assert "Warning: circulation: the record has not been circulated" in result.stderr
    assert "overriding" not in result.output
    assert store.load(ID).authorisation is not None


def test_a_locked_record_refuses_an_edit(
    runner: CliRunner, store: FolderStore, complete: Meeting
) -> None:
    assert runner.invoke(app, ["authorise", ID, *MANAGER]).exit_code == 0
    with pytest.raises(Locked, match=f"strat amend {ID}"), store.edit(ID):
        pass
    meeting = store.load(ID)
    meeting.decisions[0].rationale = "rewritten after authorisation"
    with pytest.raises(Locked, match="content cannot change"):
        store.save(meeting)


def test_an_amendment_is_added_and_nothing_authorised_changes(
    runner: CliRunner, store: FolderStore, complete: Meeting, named: Callable[[str], str]
) -> None:
    assert runner.invoke(app, ["authorise", ID, *MANAGER]).exit_code == 0
    before = authorised_content(store.load(ID))
    text = "The medical for Mia moved to 11:00 at the paediatric clinic's request."
    result = runner.invoke(app, ["amend", ID, "--by", "Dana Okafor", "--text", text])
    assert result.exit_code == 0, result.output
    piped = runner.invoke(app, ["amend", ID, "--by", "Sam Whitlow"], input="Seen alone at 15:10.\n")
    assert piped.exit_code == 0, piped.output
    after = store.load(ID)
    assert [(a.by, a.text) for a in after.amendments] == [
        (named("Dana Okafor"), text),
        (named("Sam Whitlow"), "Seen alone at 15:10."),
    ]
    assert authorised_content(after) == before
    assert [e.event for e in after.audit[-2:]] == ["amended", "amended"]


def test_an_amendment_typed_on_windows_keeps_its_lines(
    runner: CliRunner, store: FolderStore, complete: Meeting
) -> None:
    """A CRLF is a line feed (RELIABILITY.md): a note pasted from a Windows file is accepted."""
    assert runner.invoke(app, ["authorise", ID, *MANAGER]).exit_code == 0
    text = "Medical moved to 11:00.\r\nSeen alone at 15:10."
    result = runner.invoke(app, ["amend", ID, "--by", "Dana Okafor", "--text", text])
    assert result.exit_code == 0, result.output
    assert store.load(ID).amendments[-1].text == "Medical moved to 11:00.\nSeen alone at 15:10."


def test_amendments_of_an_authorised_record_cannot_be_rewritten(
    runner: CliRunner, store: FolderStore, complete: Meeting
) -> None:
    assert runner.invoke(app, ["authorise", ID, *MANAGER]).exit_code == 0
    runner.invoke(app, ["amend", ID, "--by", "Dana Okafor", "--text", "First addendum."])
    meeting = store.load(ID)
    meeting.amendments[0] = Amendment(at=meeting.amendments[0].at, by="X", text="changed")
    with pytest.raises(Locked, match="only be added to"):
        store.save(meeting)
    meeting = store.load(ID)
    meeting.audit.pop(0)
    with pytest.raises(Locked, match="only be added to"):
        store.save(meeting)


def test_an_unauthorised_record_is_changed_not_amended(
    runner: CliRunner, complete: Meeting
) -> None:
    result = runner.invoke(app, ["amend", ID, "--by", "Dana Okafor", "--text", "x"])
    assert result.exit_code == 1 and "is not authorised yet" in result.output


def test_log_shows_every_event_with_time_and_who(
    runner: CliRunner, store: FolderStore, complete: Meeting, named: Callable[[str], str]
) -> None:
    runner.invoke(app, ["authorise", ID, *MANAGER])
    runner.invoke(app, ["amend", ID, "--by", "Dana Okafor", "--text", "Addendum."])
    result = runner.invoke(app, ["log", ID, "--json"])
    assert result.exit_code == 0
    events = json.loads(result.output)
    assert [e["event"] for e in events] == ["created", "ended", "authorised", "amended"]
    assert all(e["at"] and e["who"] for e in events)
    table = runner.invoke(app, ["log", ID])
    assert "Addendum." in table.output and named("Ruth Ellery") in table.output


def test_actions_overdue_then_done_also_on_an_authorised_record(
    runner: CliRunner, store: FolderStore, complete: Meeting
) -> None:
    assert runner.invoke(app, ["authorise", ID, *MANAGER]).exit_code == 0
    rows = json.loads(runner.invoke(app, ["actions", "--overdue", "--json"]).output)
    assert {r["ref"] for r in rows} >= {f"{ID}:A1", f"{ID}:A3"}  # the sample is in the past
    assert all(r["overdue"] for r in rows)
    done = runner.invoke(app, ["actions", "done", f"{ID}:A3", "--note", "ABE interview held"])
    assert done.exit_code == 0, done.output
    action = store.load(ID).action("A3")
    assert action is not None and action.status == ActionStatus.done
    assert action.completion_note == "ABE interview held"
    rows = json.loads(runner.invoke(app, ["actions", "--json"]).output)
    assert f"{ID}:A3" not in {r["ref"] for r in rows}
    again = runner.invoke(app, ["actions", "done", f"{ID}:A3"])
    assert again.exit_code == 1 and "is done, not open" in again.output
    bad = runner.invoke(app, ["actions", "done", "A3"])
    assert bad.exit_code == 1 and "SD-2026-0001:A3" in bad.output


def test_actions_by_owner_in_a_table(runner: CliRunner, complete: Meeting) -> None:
    result = runner.invoke(app, ["actions", "--owner", "lamb"])
    assert result.exit_code == 0
    assert "Open actions (1)" in result.output and "DS Priya Lamb" in result.output


def test_list_filters_and_never_names_a_child(runner: CliRunner, store: FolderStore) -> None:
    m = typical()
    m.children[0].local_ref = "LCS-40021"
    store.save(m)
    store.save(typical("SD-2026-0002"))
    rows = json.loads(runner.invoke(app, ["list", "--child", "LCS-40021", "--json"]).output)
    assert [r["id"] for r in rows] == [ID]
    table = runner.invoke(app, ["list", "--status", "ended", "--outcome", "s47"])
    assert table.exit_code == 0 and "LCS-40021" in table.output
    for name in ("Mia", "Leo", "Ava", "Fenwick"):
        assert name not in table.output
    bad = runner.invoke(app, ["list", "--status", "closed"])
    assert bad.exit_code == 1 and "draft, ended, authorised" in bad.output
    assert json.loads(runner.invoke(app, ["list", "--from", "2027-01-01", "--json"]).output) == []


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_reindex_rebuilds_after_a_change_on_disk(runner: CliRunner, store: FolderStore) -> None:
    store.save(typical())
    path = store.path(ID)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["agenda"] = "salford"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 meeting(s)" in result.output
    rows = json.loads(runner.invoke(app, ["list", "--agenda", "salford", "--json"]).output)
    assert [r["id"] for r in rows] == [ID]


def test_due_lists_missed_deadlines(runner: CliRunner, store: FolderStore) -> None:
    m = typical()  # moved by whole weeks to a week or two ago, so it works on any date
    weeks = timedelta(days=7 * ((datetime.now(LONDON) - START).days // 7 - 1))
    m.started_at += weeks
    assert m.ended_at is not None
    m.ended_at += weeks
    store.save(m)
    result = runner.invoke(app, ["due", "--json", "--lookback", "3650"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {"action summary", "circulation"} <= {r["deadline"] for r in rows}
    one = runner.invoke(app, ["due", "--lookback", "3650", "--limit", "1"])
    assert one.exit_code == 0, one.output
    assert f"Showing 1 of {len(rows)}; --limit 0 shows all." in one.output
    assert one.output.count(m.id) == 1
    every = runner.invoke(app, ["due", "--lookback", "3650", "--limit", "0"])
    assert "Showing" not in every.output and every.output.count(m.id) == len(rows)
    limited = runner.invoke(app, ["due", "--json", "--lookback", "3650", "--limit", "1"])
    assert json.loads(limited.output) == rows[:1]


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_ics_parses_with_actions_and_the_icpc_target(
    runner: CliRunner, store: FolderStore, complete: Meeting, tmp_path: object
) -> None:
    from icalendar import Calendar

    from strat_cli.agenda import get_agenda
    from strat_cli.deadlines import meeting_deadlines

    out = store.root / "actions.ics"
    result = runner.invoke(app, ["ics", ID, "--out", str(out)])
    assert result.exit_code == 0, result.output
    cal = Calendar.from_ical(out.read_bytes())
    events = list(cal.walk("VEVENT"))
    uids = {str(e["UID"]) for e in events}
    assert {f"{ID}-A{n}@strat.invalid" for n in range(1, 8)} <= uids
    a3 = next(e for e in events if str(e["UID"]).startswith(f"{ID}-A3@"))
    assert a3.decoded("DTSTART") == complete.action("A3").due  # type: ignore[union-attr]
    a3_action = complete.action("A3")
    assert a3_action is not None and a3_action.agency in str(a3["DESCRIPTION"])
    assert a3_action.owner not in a3.to_ical().decode() and a3_action.what not in str(a3["SUMMARY"])
    icpc = next(e for e in events if str(e["UID"]) == f"{ID}-icpc@strat.invalid")
    target = meeting_deadlines(complete, get_agenda("national")).icpc_target
    assert icpc.decoded("DTSTART") == target
    # the day written as every screen and document writes one (timeutil.format_uk_date)
    assert "counted from the discussion of Thu 19 Nov 2026" in str(icpc["DESCRIPTION"])
    printed = runner.invoke(app, ["ics", ID])
    assert printed.exit_code == 0 and printed.output.startswith("BEGIN:VCALENDAR")


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_ics_times_are_utc_and_its_text_holds_no_control_character(
    runner: CliRunner, store: FolderStore, tmp_path: Path
) -> None:
    """RFC 5545: TEXT holds no control character (a line break is written `\\n`), and a TZID
    needs its VTIMEZONE; strat writes every time in UTC, so none is needed, and Outlook shows
    each in the PC's own zone (calendar_export's docstring says why)."""
    from icalendar import Calendar

    m = circulated(typical())
    m.actions[0].agency = "Northshire\x1b[2J\x1b]8;;http://evil.example/\x07 Police\x00\r\u202e"
    store.save(m)
    out = tmp_path / "actions.ics"
    result = runner.invoke(app, ["ics", ID, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8")
    lines = text.replace("\r\n ", "").split("\r\n")  # unfolded content lines
    assert not [x for x in lines if any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in x)]
    assert "\u202e" not in text and "TZID" not in text
    times = [x for x in lines if x.startswith(("DTSTART", "DTEND", "DTSTAMP"))]
    assert times and all(
        x.endswith("Z") or x.startswith("DTSTART;VALUE=DATE") or x.startswith("DTEND;VALUE=DATE")
        for x in times
    )
    events = list(Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    first = next(e for e in events if str(e["UID"]).startswith(f"{ID}-{m.actions[0].id}@"))
    assert first.decoded("DTSTART") == m.actions[0].due  # the same moment
    assert "Northshire[2J]8;;http://evil.example/ Police" in str(first["DESCRIPTION"])


def test_record_text_is_shown_literally_not_as_markup(
    runner: CliRunner, store: FolderStore
) -> None:
    m = circulated(typical())
    m.actions[2].what = "Check [red]flag[/red] and [/] in the file"
    m.actions[2].owner = "[bold]DS Priya Lamb"
    m.partner_gaps = []
    store.save(m)
    result = runner.invoke(app, ["actions", "--owner", "lamb"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "Check [red]flag[/red] and [/] in the file" in result.output
    assert "[bold]DS Priya Lamb" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["due", "--within", "99999999"],
        ["due", "--lookback", "999999999"],
        ["actions", "--due-within", "99999999"],
    ],
)
def test_oversight_windows_too_large_are_refused_not_a_crash(
    runner: CliRunner, complete: Meeting, args: list[str]
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "internal problem" not in result.output
    assert "Invalid value" in result.output and args[1] in result.output


def test_oversight_windows_at_their_limits_still_answer(
    runner: CliRunner, complete: Meeting
) -> None:
    for args in (
        ["due", "--within", "2600", "--lookback", "3650", "--json"],
        ["actions", "--due-within", "2600", "--json"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        json.loads(result.output)


def test_a_due_time_too_far_ahead_is_one_line_not_a_crash(
    runner: CliRunner, tmp_path: Path
) -> None:
    from tests.conftest import EXAMPLES

    text = (EXAMPLES / "answers.yaml").read_text(encoding="utf-8")
    assert "due: 2 working days" in text
    answers = tmp_path / "answers.yaml"
    answers.write_text(text.replace("due: 2 working days", "due: 99999999 days"), "utf-8")
    result = runner.invoke(app, ["new", "--answers", str(answers), "--no-input"])
    assert result.exit_code == 1, result.output
    assert "internal problem" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "too far ahead" in errors[0]
