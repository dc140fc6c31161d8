"""The register's SQLite index: kept current on save, refreshed for files changed outside strat,
rebuildable, and the queries behind `strat list`, `strat actions` and `strat due`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from strat_cli.index import MEETING_FILE_RE, Index, save_hook
from strat_cli.model import (
    LONDON,
    MEETING_ID_RE,
    ActionStatus,
    Authorisation,
    Meeting,
    Outcome,
    Status,
)
from strat_cli.register import (
    ActionFilter,
    MeetingFilter,
    due_meetings,
    list_meetings,
    open_actions,
)
from strat_cli.samples import START, typical
from strat_cli.store import FolderStore

from .conftest import sent_to_everyone


def indexed_store(root: Path) -> FolderStore:
    store = FolderStore(root)
    store.ensure()
    store.after_save.append(save_hook(root))
    return store


def three(store: FolderStore) -> list[Meeting]:
    """Three fictional meetings: ended (s47), authorised NFA a month earlier, and a draft."""
    a = typical("SD-2026-0001")
    a.children[0].local_ref = "LCS-40021"
    b = typical("SD-2026-0002")
    b.started_at = START - timedelta(days=30)
    b.ended_at = b.started_at + timedelta(hours=1)
    for d in b.decisions:
        d.outcome = Outcome.nfa
    b.authorisation = Authorisation(by="Ruth Ellery", role="Service Manager", at=b.ended_at)
    b.status = Status.authorised
    for act in b.actions:
        act.due = b.started_at + timedelta(hours=3)
        act.status = ActionStatus.done
    c = typical("SD-2026-0003")
    c.status = Status.draft
    c.agenda = "local-24h"
    for m in (a, b, c):
        store.save(m)
    return [a, b, c]


def ids(rows: list[dict[str, object]]) -> list[object]:
    return [r["id"] for r in rows]


def test_a_save_through_the_hook_is_in_the_index(tmp_path: Path) -> None:
    store = indexed_store(tmp_path)
    three(store)
    index = Index(tmp_path)
    known = {r[0] for r in index.connect().execute("SELECT id FROM meetings")}
    assert known == {"SD-2026-0001", "SD-2026-0002", "SD-2026-0003"}
    assert index.refresh().updated == 0  # nothing to re-read: the hook kept it current


def test_list_filters(tmp_path: Path) -> None:
    three(indexed_store(tmp_path))
    index = Index(tmp_path)

    def q(**kw: object) -> list[object]:
        rows, problems = list_meetings(index, MeetingFilter(**kw))  # type: ignore[arg-type]
        assert problems == []
        return ids(rows)

    assert q() == ["SD-2026-0003", "SD-2026-0001", "SD-2026-0002"]  # newest first, then id
    assert q(status="authorised") == ["SD-2026-0002"]
    assert q(status="draft") == ["SD-2026-0003"]
    assert q(agenda="local-24h") == ["SD-2026-0003"]
    assert q(date_from=date(2026, 11, 1)) == ["SD-2026-0003", "SD-2026-0001"]
    assert q(date_to=date(2026, 10, 31)) == ["SD-2026-0002"]
    assert q(date_from=date(2026, 11, 19), date_to=date(2026, 11, 19)) == [
        "SD-2026-0003",
        "SD-2026-0001",
    ]
    assert q(outcome="nfa") == ["SD-2026-0002"]
    assert q(outcome="s47") == ["SD-2026-0003", "SD-2026-0001"]
    assert q(outcome="early") == []
    assert q(child="LCS-40021") == ["SD-2026-0001"]
    assert q(child="c3") == ["SD-2026-0003", "SD-2026-0001", "SD-2026-0002"]
    assert q(status="ended", outcome="s47", child="lcs-40021") == ["SD-2026-0001"]


def test_list_rows_name_no_child(tmp_path: Path) -> None:
    three(indexed_store(tmp_path))
    rows, _ = list_meetings(Index(tmp_path), MeetingFilter())
    text = json.dumps(rows)
    for name in ("Mia", "Leo", "Ava", "Fenwick", "Quinlan"):
        assert name not in text
    assert rows[1]["child_refs"] == ["LCS-40021", "C2", "C3"]
    assert Index(tmp_path).path.stat().st_size > 0
    db = Index(tmp_path).path.read_bytes()
    assert b"Fenwick" not in db  # names are never copied (action text is the chair's words)


def test_a_file_changed_outside_strat_is_re_read_before_answering(tmp_path: Path) -> None:
    store = indexed_store(tmp_path)
    three(store)
    index = Index(tmp_path)
    assert ids(list_meetings(index, MeetingFilter(status="ended"))[0]) == ["SD-2026-0001"]
    path = store.path("SD-2026-0001")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["status"] = "draft"
    path.write_text(json.dumps(data), encoding="utf-8")  # a hand edit, no hook ran
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert list_meetings(index, MeetingFilter(status="ended"))[0] == []
    assert "SD-2026-0001" in ids(list_meetings(index, MeetingFilter(status="draft"))[0])
    path.unlink()
    assert "SD-2026-0001" not in ids(list_meetings(index, MeetingFilter())[0])


def test_a_file_written_by_another_store_without_the_hook_is_picked_up(tmp_path: Path) -> None:
    three(indexed_store(tmp_path))
    FolderStore(tmp_path).save(typical("SD-2026-0009"))  # no hook: e.g. another front end
    rows, _ = list_meetings(Index(tmp_path), MeetingFilter())
    assert "SD-2026-0009" in ids(rows)


def test_a_damaged_file_is_reported_and_the_rest_listed(tmp_path: Path) -> None:
    store = indexed_store(tmp_path)
    three(store)
    path = store.path("SD-2026-0002")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["chaired_by"] = "someone"  # a field the model does not know: `strat show` refuses it
    path.write_text(json.dumps(data), encoding="utf-8")
    rows, problems = list_meetings(Index(tmp_path), MeetingFilter())
    assert ids(rows) == ["SD-2026-0003", "SD-2026-0001"]
    assert len(problems) == 1 and "field (key not shown): Extra inputs" in problems[0]
    # reported again next time, without re-reading
    assert list_meetings(Index(tmp_path), MeetingFilter())[1] == problems


def test_the_index_is_rebuilt_from_the_files(tmp_path: Path) -> None:
    three(indexed_store(tmp_path))
    index = Index(tmp_path)
    index.path.write_bytes(b"this is not a database")
    rows, _ = list_meetings(Index(tmp_path), MeetingFilter())
    assert len(rows) == 3
    seen: list[tuple[int, int]] = []
    result = Index(tmp_path).rebuild(lambda done, total: seen.append((done, total)))
    assert result.updated == 3 and seen[-1] == (3, 3)
    assert len(list_meetings(Index(tmp_path), MeetingFilter())[0]) == 3


def test_open_actions_overdue_owner_agency(tmp_path: Path) -> None:
    three(indexed_store(tmp_path))
    index = Index(tmp_path)
    now = START + timedelta(hours=6)  # 16:00 on the day: A1 (15:00) is overdue
    rows, _ = open_actions(index, ActionFilter(), now)
    assert {r["meeting"] for r in rows} == {"SD-2026-0001", "SD-2026-0003"}  # 0002: all done
    assert [r["due"] for r in rows] == sorted(r["due"] for r in rows)
    overdue, _ = open_actions(index, ActionFilter(overdue=True), now)
    assert {r["ref"] for r in overdue} == {"SD-2026-0001:A1", "SD-2026-0003:A1"}
    assert all(r["overdue"] for r in overdue)
    lamb, _ = open_actions(index, ActionFilter(owner="lamb"), now)
    assert {r["action"] for r in lamb} == {"A3"}
    school, _ = open_actions(index, ActionFilter(agency="elmfield"), now)
    assert {r["action"] for r in school} == {"A6"}


def test_actions_due_within_working_days(tmp_path: Path) -> None:
    store = indexed_store(tmp_path)
    m = typical()
    friday = datetime(2026, 11, 20, 9, 0, tzinfo=LONDON)
    m.actions = m.actions[:2]
    m.actions[0].due = datetime(2026, 11, 22, 12, 0, tzinfo=LONDON)  # Sunday
    m.actions[1].due = datetime(2026, 11, 24, 8, 0, tzinfo=LONDON)  # Tuesday morning
    store.save(m)
    rows, _ = open_actions(Index(tmp_path), ActionFilter(due_within=1), friday)
    assert [r["action"] for r in rows] == ["A1"]  # 1 working day from Friday is Monday 09:00
    assert rows[0]["overdue"] is False
    rows, _ = open_actions(Index(tmp_path), ActionFilter(due_within=2), friday)
    assert [r["action"] for r in rows] == ["A1", "A2"]


def test_a_done_action_leaves_the_open_list(tmp_path: Path) -> None:
    store = indexed_store(tmp_path)
    three(store)
    m = store.load("SD-2026-0001")
    m.actions[0].status = ActionStatus.done
    store.save(m)
    rows, _ = open_actions(Index(tmp_path), ActionFilter(), START)
    assert "SD-2026-0001:A1" not in {r["ref"] for r in rows}


def test_due_shows_missed_and_near_deadlines(tmp_path: Path) -> None:
    store = indexed_store(tmp_path)
    store.save(typical())
    index = Index(tmp_path)
    soon = START + timedelta(minutes=30)  # before the summary is due (1 h after the end)
    rows, _ = due_meetings(index, soon, within_working_days=0)
    states = {(r["deadline"], r["state"]) for r in rows}
    assert states == {("action summary", "near")}  # circulation: end of Friday, not today
    rows, _ = due_meetings(index, soon, within_working_days=1)  # the whole of Friday
    assert ("circulation", "near") in {(r["deadline"], r["state"]) for r in rows}
    later = START + timedelta(days=4)
    rows, _ = due_meetings(index, later, within_working_days=1)
    states = {(r["deadline"], r["state"]) for r in rows}
    assert ("action summary", "missed") in states and ("circulation", "missed") in states
    icpc = START + timedelta(days=20)  # 15 working days after 19 Nov 2026 is 10 Dec
    rows, _ = due_meetings(index, icpc, within_working_days=2)
    assert ("ICPC target", "near") in {(r["deadline"], r["state"]) for r in rows}


def test_the_words_for_outcomes_name_real_outcomes() -> None:
    from strat_cli import outcomes

    values = {o.value for o in Outcome}
    for targets in outcomes.WORDS.values():
        assert set(targets) <= values
    assert set(outcomes.SHORT) == values


@pytest.mark.parametrize(
    "name", ["SD-2026-0001", "SD-2026-123456", "SD-26-0001", "SD-2026-001", "SD-2026-\u0661234"]
)
def test_the_file_pattern_accepts_what_the_model_accepts(name: str) -> None:
    assert bool(MEETING_FILE_RE.match(name + ".json")) == bool(MEETING_ID_RE.match(name))
    assert not MEETING_FILE_RE.match(name + ".json\n")


@pytest.mark.folder_only(reason="the SQLite index")
def test_strat_list_answers_without_loading_the_model(tmp_path: Path) -> None:
    three(indexed_store(tmp_path))
    code = (
        "import sys\n"
        "from strat_cli.cli import app\n"
        "try:\n"
        "    app(['list', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = [m for m in ('strat_cli.model', 'strat_cli.store', 'strat_cli.agenda') "
        "if m in sys.modules]\n"
        "sys.stderr.write('LOADED=' + ','.join(loaded))\n"
    )
    env = {**os.environ, "STRAT_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert len(json.loads(done.stdout)) == 3
    assert "LOADED=" in done.stderr and done.stderr.split("LOADED=")[1] == ""


@pytest.mark.parametrize("bad", ["2026-13-01", "31/02/2026", "yesterday"])
def test_dates_that_cannot_be_read_are_refused(bad: str) -> None:
    from strat_cli.errors import InputError
    from strat_cli.index import local_date

    with pytest.raises(InputError, match="cannot read that date"):
        local_date(bad)
    assert local_date("19/11/2026") == local_date("2026-11-19")


# --- what counts as sent: a delivery, never a draft or a document made on this machine ----------


def _states(index: Index, now: datetime) -> set[tuple[object, object, object]]:
    rows, _ = due_meetings(index, now, within_working_days=1)
    return {(r["id"], r["deadline"], r["state"]) for r in rows}


def test_a_draft_or_a_local_render_does_not_hide_missed_deadlines(tmp_path: Path) -> None:
    from strat_cli.model import CirculationEntry

    store = indexed_store(tmp_path)
    m = typical()  # Thursday 19 Nov 2026
    store.save(m)
    index = Index(tmp_path)
    later = START + timedelta(days=4)
    missed = {
        ("SD-2026-0001", "action summary", "missed"),
        ("SD-2026-0001", "circulation", "missed"),
    }
    assert missed <= _states(index, later)
    m.rendered["summary"] = "0" * 64  # the summary made as a Word file, nobody sent it
    m.circulation.append(
        CirculationEntry(
            at=START + timedelta(hours=1), method="draft", recipients=["lamb@x.example"]
        )
    )
    store.save(m)
    assert missed <= _states(index, later)
    m.circulation.append(  # sent in time, but to one participant only: not circulated
        CirculationEntry(
            at=START + timedelta(hours=2),
            method="smtp",
            recipients=["lamb@x.example"],
            delivered=["lamb@x.example"],
        )
    )
    store.save(m)
    assert ("SD-2026-0001", "circulation", "missed") in _states(index, later)
    # the draft recorded as sent from Outlook to everyone, late
    m.circulation.append(sent_to_everyone(m, START + timedelta(days=4), method="draft sent"))
    store.save(m)
    states = _states(index, later + timedelta(hours=1))
    assert not missed & states
    assert ("SD-2026-0001", "circulation", "circulated late") in states


def test_the_index_reads_only_deliveries_from_a_file_written_outside_strat(
    tmp_path: Path,
) -> None:
    from strat_cli.model import CirculationEntry

    store = FolderStore(tmp_path)  # no hook: the index reads the file itself
    store.ensure()
    m = typical()
    m.circulation.append(
        CirculationEntry(at=START + timedelta(hours=1), method="draft", recipients=["a@x.example"])
    )
    store.save(m)
    index = Index(tmp_path)
    index.refresh()
    got = index.connect().execute(
        "SELECT circulated_ts, summarised FROM meetings WHERE id = ?", (m.id,)
    )
    assert tuple(got.fetchone()) == (None, 0)
    index.close()


# --- the ICPC target of a case with a follow-up under way ----------------------------------------


def _case_with_follow_up(tmp_path: Path, agenda: str) -> Index:
    from strat_cli.followup import start_follow_up

    store = indexed_store(tmp_path)
    first = typical(agenda=agenda)  # s47 decided on Thu 19 Nov 2026
    store.save(first)
    store.save(start_follow_up(first, "SD-2026-0002", START + timedelta(days=7)))  # 26 Nov
    return Index(tmp_path)


def _icpc(index: Index, now: datetime) -> list[tuple[object, object]]:
    rows, _ = due_meetings(index, now, within_working_days=20)
    return [(r["id"], r["due"]) for r in rows if r["deadline"] == "ICPC target"]


def test_a_follow_up_shows_the_icpc_target_of_the_initiating_discussion(tmp_path: Path) -> None:
    index = _case_with_follow_up(tmp_path, "national")  # icpc_from: initiating
    now = START + timedelta(days=7, hours=2)
    assert _icpc(index, now) == [("SD-2026-0002", "2026-12-10")]


def test_a_follow_up_shows_its_own_icpc_target_when_the_area_counts_from_the_last(
    tmp_path: Path,
) -> None:
    index = _case_with_follow_up(tmp_path, "pan-lancashire")  # icpc_from: last
    now = START + timedelta(days=7, hours=2)
    assert _icpc(index, now) == [("SD-2026-0002", "2026-12-17")]


def test_an_earlier_target_stays_while_the_later_discussion_has_none(tmp_path: Path) -> None:
    from strat_cli.followup import start_follow_up

    store = indexed_store(tmp_path)
    first = typical()
    store.save(first)
    later = start_follow_up(first, "SD-2026-0002", START + timedelta(days=7))
    later.s47_started_at = None  # as an older follow-up without the s47 carried over
    store.save(later)
    now = START + timedelta(days=7, hours=2)
    assert _icpc(Index(tmp_path), now) == [("SD-2026-0001", "2026-12-10")]


# --- an edited agenda's timescales reach `strat due` without a reindex ---------------------------


def test_editing_an_agendas_timescales_refreshes_the_deadlines(tmp_path: Path) -> None:
    import shutil

    from strat_cli.agenda import get_agenda

    shipped = get_agenda("national").path
    assert shipped is not None
    folder = tmp_path / "agendas"
    folder.mkdir()
    yaml_path = folder / "area.yaml"
    text = shipped.read_text(encoding="utf-8").replace("id: national", "id: local-area", 1)
    yaml_path.write_text(text, encoding="utf-8")
    store = FolderStore(tmp_path)
    store.ensure()
    store.after_save.append(save_hook(tmp_path, [folder]))
    store.save(typical(agenda="local-area"))
    index = Index(tmp_path, [folder])
    now = START + timedelta(days=1)
    assert ("SD-2026-0001", "2026-12-10") in _icpc(index, now)
    assert "icpc_within_working_days: 15" in text
    yaml_path.write_text(
        text.replace("icpc_within_working_days: 15", "icpc_within_working_days: 10"),
        encoding="utf-8",
    )
    st = yaml_path.stat()  # make sure the change shows even on a coarse-mtime file system
    os.utime(yaml_path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    assert _icpc(index, now) == [("SD-2026-0001", "2026-12-03")]
    shutil.rmtree(folder)  # the agenda gone: no stale target, and the gap is reported
    rows, problems = due_meetings(index, now, within_working_days=20)
    assert not rows
    assert any("local-area" in p for p in problems)


# --- one stat of the folder instead of one per meeting ------------------------------------


def age_folder(store: FolderStore, seconds: int = 10) -> None:
    """Set the meetings folder's time in the past, as it is a while after the last change."""
    st = store.meetings.stat()
    os.utime(store.meetings, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 1_000_000_000))


posix_only = pytest.mark.skipif(
    os.name != "posix", reason="on Windows the listing carries every file's time: always scanned"
)


@posix_only
def test_an_unchanged_folder_is_not_scanned_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = indexed_store(tmp_path)
    three(store)
    age_folder(store)
    before = ids(list_meetings(Index(tmp_path), MeetingFilter())[0])

    def refuse(self: Index) -> dict[str, tuple[int, int]]:
        raise AssertionError("the folder was scanned although it did not change")

    monkeypatch.setattr(Index, "scan", refuse)
    assert ids(list_meetings(Index(tmp_path), MeetingFilter())[0]) == before


@posix_only
def test_a_file_renamed_added_or_removed_after_the_scan_is_seen_at_once(tmp_path: Path) -> None:
    store = indexed_store(tmp_path)
    three(store)
    age_folder(store)
    index = Index(tmp_path)
    assert "SD-2026-0009" not in ids(list_meetings(index, MeetingFilter())[0])
    FolderStore(tmp_path).save(typical("SD-2026-0009"))  # renamed into place, no hook
    assert "SD-2026-0009" in ids(list_meetings(index, MeetingFilter())[0])
    age_folder(store)
    list_meetings(index, MeetingFilter())  # scanned, the folder's time remembered
    changed = typical("SD-2026-0001")
    changed.status = Status.draft
    FolderStore(tmp_path).save(changed)  # replaces an existing file: still a rename into the folder
    assert "SD-2026-0001" in ids(list_meetings(index, MeetingFilter(status="draft"))[0])
    age_folder(store)
    list_meetings(index, MeetingFilter())
    store.path("SD-2026-0002").unlink()
    assert "SD-2026-0002" not in ids(list_meetings(index, MeetingFilter())[0])


@posix_only
def test_a_change_that_keeps_the_folder_time_is_not_missed_when_it_was_recent(
    tmp_path: Path,
) -> None:
    """A filesystem with coarse times (FAT: 2 s) can give a change just after the scan the same
    folder time as the scan saw; a folder time that recent is never trusted."""
    store = indexed_store(tmp_path)
    three(store)
    index = Index(tmp_path)
    folder = store.meetings.stat()
    assert ids(list_meetings(index, MeetingFilter(status="draft"))[0]) == ["SD-2026-0003"]
    changed = typical("SD-2026-0001")
    changed.status = Status.draft
    FolderStore(tmp_path).save(changed)
    os.utime(store.meetings, ns=(folder.st_atime_ns, folder.st_mtime_ns))  # as if unchanged
    assert "SD-2026-0001" in ids(list_meetings(index, MeetingFilter(status="draft"))[0])


@posix_only
def test_every_save_changes_the_folder_time_the_index_relies_on(tmp_path: Path) -> None:
    """Creating and replacing a meeting file (store.atomic_write's rename) both change the
    meetings folder's time, on this system, to the nanosecond the shortcut compares."""
    store = indexed_store(tmp_path)
    for meeting in (typical("SD-2026-0001"), typical("SD-2026-0001")):  # created, replaced
        age_folder(store)
        before = store.meetings.stat().st_mtime_ns
        store.save(meeting)
        assert store.meetings.stat().st_mtime_ns != before


@posix_only
def test_a_damaged_file_is_still_reported_when_the_folder_is_not_scanned(tmp_path: Path) -> None:
    store = indexed_store(tmp_path)
    three(store)
    store.path("SD-2026-0002").write_text("{", encoding="utf-8")
    age_folder(store)
    first = list_meetings(Index(tmp_path), MeetingFilter())
    second = list_meetings(Index(tmp_path), MeetingFilter())
    assert first == second and len(second[1]) == 1 and "SD-2026-0002" in second[1][0]


@posix_only
def test_a_file_rewritten_in_place_long_after_the_scan_is_read_again_by_reindex(
    tmp_path: Path,
) -> None:
    """The limit of the shortcut, said plainly: a program that rewrites a meeting file in place
    (no rename) does not move the folder's time; `strat reindex` (Index.rebuild) reads it."""
    store = indexed_store(tmp_path)
    three(store)
    age_folder(store)
    index = Index(tmp_path)
    list_meetings(index, MeetingFilter())
    folder = store.meetings.stat()
    path = store.path("SD-2026-0001")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["status"] = "draft"
    path.write_text(json.dumps(data), encoding="utf-8")
    os.utime(store.meetings, ns=(folder.st_atime_ns, folder.st_mtime_ns))
    index.rebuild()
    assert "SD-2026-0001" in ids(list_meetings(index, MeetingFilter(status="draft"))[0])


def test_a_deadline_met_late_stays_in_due_for_the_lookback(tmp_path: Path) -> None:
    """The summary sent two days late and minutes authorised late (Devon: 24 hours) are not
    hidden once done: `strat due` lists them as met late while they are in the lookback."""
    from strat_cli.model import Authorisation

    store = indexed_store(tmp_path)
    m = typical(agenda="devon-mash")
    end = m.ended_at or START
    m.circulation.append(sent_to_everyone(m, end + timedelta(days=2)))
    m.authorisation = Authorisation(
        by="Ruth Ellery", role="Team Manager", at=end + timedelta(days=3)
    )
    store.save(m)
    index = Index(tmp_path)
    rows, _ = due_meetings(index, end + timedelta(days=5), within_working_days=1)
    states = {(r["deadline"], r["state"]) for r in rows}
    assert ("action summary", "met late") in states
    assert ("minutes authorised", "met late") in states
    assert ("circulation", "circulated late") in states
    rows, _ = due_meetings(index, end + timedelta(days=60), within_working_days=1, lookback_days=28)
    assert not {r["state"] for r in rows} & {"met late", "circulated late"}  # out of lookback
