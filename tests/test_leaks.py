"""Issue 12: no child's name, no typed value and no free text leaves the record files: not in an
error message, the register's index, a calendar file, a file name or a temporary file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.errors import InvalidRecord
from strat_cli.model import LONDON, Meeting
from strat_cli.samples import typical
from strat_cli.store import FolderStore, parse_meeting

from .conftest import EXAMPLES
from .test_answers import answers, run

NAME = "Ellie Marsh"  # the first child of examples/answers.yaml


def _refused(data: dict[str, Any]) -> str:
    with pytest.raises(InvalidRecord) as caught:
        parse_meeting(json.dumps(data), "SD-2026-0001.json")
    return caught.value.message


# --- error messages -----------------------------------------------------------------------------


def test_an_unknown_key_that_is_a_childs_name_is_never_repeated() -> None:
    """`field children.0.Mia: Extra inputs` repeated the key: a name typed where a field was."""
    data = json.loads(typical().model_dump_json())
    data["children"][0]["Mia"] = "sister"
    message = _refused(data)
    assert "field children.0.(key not shown): Extra inputs" in message
    assert "Mia" not in message and "sister" not in message


def test_a_known_field_name_is_still_named() -> None:
    data = json.loads(typical().model_dump_json())
    data["children"][0]["date_of_birth"] = NAME
    message = _refused(data)
    assert "field children.0.date_of_birth" in message and "Ellie" not in message


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["notes"].update({NAME: "at school"}), "notes (key 1): not an agenda item"),
        (lambda d: d["actions"][0].update(due=f"when {NAME} is home"), "actions[0].due: cannot"),
        (lambda d: d["children"][0].update(Mia="sister"), "children[0].(key not shown): Extra"),
        (lambda d: d.update({NAME: "x"}), "not a field strat knows"),
        (lambda d: d.update(ended_at=f"{NAME} left"), "ended_at: not a time"),
    ],
)
def test_answers_file_errors_name_the_place_never_the_text(
    tmp_path: Path, store: FolderStore, change: Any, where: str
) -> None:
    data = answers()
    change(data)
    result = run(tmp_path, data)
    assert result.exit_code == 1
    assert where in result.output, result.output
    assert "Ellie" not in result.output and "Mia" not in result.output
    assert "Traceback" not in result.output


def test_actions_done_twice_never_repeats_the_completion_note(
    runner: CliRunner, store: FolderStore
) -> None:
    store.save(typical())
    note = f"{NAME} seen alone at school"
    assert runner.invoke(app, ["actions", "done", "SD-2026-0001:A1", "--note", note]).exit_code == 0
    again = runner.invoke(app, ["actions", "done", "SD-2026-0001:A1"])
    assert again.exit_code == 1
    assert "SD-2026-0001:A1 is done, not open" in again.output
    assert "Ellie" not in again.output and "school" not in again.output


def test_a_bad_clock_time_in_an_answers_file_is_not_repeated(
    tmp_path: Path, store: FolderStore
) -> None:
    data = answers()
    data["participants"][2]["joined_at"] = f"when {NAME} arrived"
    result = run(tmp_path, data)
    assert result.exit_code == 1 and "participants[2].joined_at" in result.output
    assert "Ellie" not in result.output


def test_the_example_answers_file_still_loads(tmp_path: Path, store: FolderStore) -> None:
    """The guard against the names above is not a guard against the file itself."""
    assert yaml.safe_load(yaml.safe_dump(answers()))
    assert run(tmp_path, answers()).exit_code == 0


# --- what the index and calendars hold ----------------------------------------------------------


def _names_in(meeting: Meeting) -> set[str]:
    """Every child's and adult's name, and each part of it longer than two letters."""
    people = [c.name for c in meeting.children] + [a.name for a in meeting.adults]
    return {n for n in people if n} | {p for n in people for p in n.split() if len(p) > 2}


def _index_text(root: Path) -> str:
    """Every value in every table of the register's index, and the file's raw bytes."""
    conn = sqlite3.connect(root / "index.sqlite")
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        values = [
            str(v) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"') for v in row
        ]
    finally:
        conn.close()
    raw = (root / "index.sqlite").read_bytes().decode("utf-8", "replace")
    return "\n".join(values) + raw


@pytest.mark.folder_only(reason="the SQLite index")
def test_the_index_holds_no_names_and_no_free_text(runner: CliRunner, store: FolderStore) -> None:
    """References, codes, agencies and times: no child, chair, owner or manager, no action text."""
    m = typical()
    store.save(m)
    assert (
        runner.invoke(
            app, ["authorise", m.id, "--by", "Ruth Ellery", "--role", "SM", "--override", "test"]
        ).exit_code
        == 0
    )
    assert runner.invoke(app, ["list"]).exit_code == 0
    assert runner.invoke(app, ["reindex"]).exit_code == 0
    text = _index_text(store.root)
    people = _names_in(m) | {m.chair, "Ruth Ellery"} | {a.owner for a in m.actions}
    assert [n for n in people if n in text] == []
    assert [a.what for a in m.actions if a.what in text] == []
    assert m.id in text and "C1" in text  # references are what it keeps


def test_strat_actions_still_shows_what_and_who_from_the_record(
    runner: CliRunner, store: FolderStore
) -> None:
    m = typical()
    store.save(m)
    a3 = m.action("A3")
    assert a3 is not None
    rows = json.loads(runner.invoke(app, ["actions", "--json"]).output)
    row = next(r for r in rows if r["ref"] == f"{m.id}:A3")
    assert (row["what"], row["owner"]) == (a3.what, a3.owner)
    by_owner = json.loads(runner.invoke(app, ["actions", "--owner", "lamb", "--json"]).output)
    assert {r["action"] for r in by_owner} == {"A3"}
    table = runner.invoke(app, ["actions"], env={"COLUMNS": "250"})
    assert a3.owner in table.output


def test_a_calendar_holds_references_and_agencies_never_names_or_action_text(
    runner: CliRunner, store: FolderStore, tmp_path: Path
) -> None:
    m = typical()
    store.save(m)
    out = tmp_path / "a.ics"
    assert runner.invoke(app, ["ics", m.id, "--all", "--out", str(out)]).exit_code == 0
    text = out.read_bytes().decode("utf-8")
    unfolded = text.replace("\r\n ", "")
    assert [n for n in _names_in(m) | {a.owner for a in m.actions} if n in unfolded] == []
    assert [a.what for a in m.actions if a.what[:30] in unfolded] == []
    assert f"SUMMARY:{m.id} A3: action due" in unfolded


# --- renders: audit first, no copy left where others look -------------------------------------

KILL_AT_RENAME = """
import os, signal, sys
from pathlib import Path
from strat_cli.cli import app

real_replace = os.replace
def replace(src, dst, *a, **k):
    if str(dst).endswith(".docx"):
        os.kill(os.getpid(), signal.SIGKILL)  # the document is whole in its temporary file
    return real_replace(src, dst, *a, **k)
os.replace = replace
sys.argv = ["strat", "render", sys.argv[1], "--doc", "minutes", "--out", sys.argv[2]]
app()
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_render_killed_before_its_document_lands_is_audited_and_leaves_no_copy(
    store: FolderStore, tmp_path: Path, isolated_home: Path
) -> None:
    """The intent is saved before the first document exists; the whole document waits in the
    store's private tmp folder, never as `.SD-….docx.XXXX.tmp` in the output folder."""
    m = typical()
    store.save(m)
    out = tmp_path / "shared-minutes"
    env = {**os.environ, "STRAT_HOME": str(isolated_home)}
    proc = subprocess.run(
        [sys.executable, "-c", KILL_AT_RENAME, m.id, str(out)], env=env, capture_output=True
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert [p.name for p in out.iterdir()] == []
    intent = [e for e in store.load(m.id).audit if e.event == "rendering"]
    assert len(intent) == 1 and "_minutes_" in intent[0].detail and str(out) in intent[0].detail
    leftovers = list((isolated_home / "tmp").iterdir())
    assert len(leftovers) == 1 and stat.S_IMODE(leftovers[0].stat().st_mode) == 0o600
    # the next render of the same document removes what the killed one left
    assert (
        CliRunner().invoke(app, ["render", m.id, "--doc", "minutes", "--out", str(out)]).exit_code
        == 0
    )
    assert list((isolated_home / "tmp").iterdir()) == []
    events = [e.event for e in store.load(m.id).audit]
    assert events[-2:] == ["rendering", "rendered"]


def test_a_render_that_fails_half_way_says_so_in_the_audit(
    runner: CliRunner, store: FolderStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from strat_cli import render
    from strat_cli.errors import TemplateError

    m = typical()
    store.save(m)
    real = render.render_docx
    calls = []

    def second_fails(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        if len(calls) == 2:
            raise TemplateError("minutes.docx: broken")
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "render_docx", second_fails)
    result = runner.invoke(app, ["render", m.id, "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    written = [p.name for p in (tmp_path / "out").iterdir()]
    assert len(written) == 1  # the first document exists: the audit must say so
    events = [(e.event, e.detail) for e in store.load(m.id).audit]
    assert events[-2][0] == "rendering" and written[0] in events[-2][1]
    assert events[-1] == ("render failed", "TemplateError")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_an_output_folder_strat_makes_is_private_whatever_the_umask(
    runner: CliRunner, store: FolderStore, tmp_path: Path
) -> None:
    store.save(typical())
    out = tmp_path / "new" / "minutes"
    old = os.umask(0)
    try:
        result = runner.invoke(
            app, ["render", "SD-2026-0001", "--doc", "minutes", "--out", str(out)]
        )
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700


# --- a shared folder as the store ---------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_shared_folder_as_strat_home_is_refused_and_never_chmod_ed(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "tmp"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # like /tmp: everyone writes, the sticky bit keeps files apart
    monkeypatch.setenv("STRAT_HOME", str(shared))
    result = runner.invoke(app, ["import", str(EXAMPLES / "typical.json")])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "is a shared folder" in errors[0]
    assert stat.S_IMODE(shared.stat().st_mode) | stat.S_ISVTX == 0o1777
    assert shared.stat().st_mode & stat.S_ISVTX
    assert not (shared / "meetings").exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_an_existing_folder_of_ones_own_is_used_but_not_chmod_ed(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A home folder (0755) given as STRAT_HOME: strat made neither it nor its mode."""
    home = tmp_path / "home"
    home.mkdir()
    os.chmod(home, 0o755)
    monkeypatch.setenv("STRAT_HOME", str(home))
    assert runner.invoke(app, ["import", str(EXAMPLES / "typical.json")]).exit_code == 0
    assert stat.S_IMODE(home.stat().st_mode) == 0o755
    assert stat.S_IMODE((home / "meetings").stat().st_mode) == 0o700


# --- strat edit: the editing copy -------------------------------------------------------------

EDIT_IN_A_TERMINAL = """
import sys
from strat_cli.cli import _app
from strat_cli.cli import app

_app.stdin_is_terminal = lambda: True  # `strat edit` as if at a terminal
sys.argv = ["strat", "edit", sys.argv[1]]
app()
"""


@pytest.mark.skipif(os.name != "posix", reason="signals and a shell-script editor")
@pytest.mark.parametrize("how", ["HUP", "INT", "TERM"])
def test_the_editing_copy_is_private_and_gone_when_the_terminal_closes_or_ctrl_c(
    store: FolderStore, tmp_path: Path, isolated_home: Path, how: str
) -> None:
    """The terminal closed (SIGHUP) or Ctrl-C with the editor open: the whole record was in the
    editing copy. It lives in the store's private tmp folder and is removed on the way out."""
    m = typical()
    store.save(m)
    seen = tmp_path / "copy-was-at"
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\necho "$1" > "{seen}"\nkill -{how} $PPID\nexec sleep 10\n')
    editor.chmod(0o700)
    shared_tmp = tmp_path / "shared-tmp"
    shared_tmp.mkdir()
    env = {
        **os.environ,
        "STRAT_HOME": str(isolated_home),
        "VISUAL": str(editor),
        "TMPDIR": str(shared_tmp),
    }
    errors = tmp_path / "stderr"
    with errors.open("wb") as err:  # a file, not a pipe: the editor's `sleep` may outlive strat
        proc = subprocess.run(
            [sys.executable, "-c", EDIT_IN_A_TERMINAL, m.id],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            timeout=60,
        )
    assert proc.returncode == 130, errors.read_text()
    copy = Path(seen.read_text().strip())
    assert copy.parent == isolated_home / "tmp"
    assert not copy.exists()
    assert list(shared_tmp.iterdir()) == []
    assert list((isolated_home / "tmp").iterdir()) == []
    assert store.load(m.id) == m  # nothing saved, nothing lost


def test_an_editing_copy_a_sigkill_left_is_removed_at_the_next_edit(
    runner: CliRunner, store: FolderStore, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from strat_cli.cli import _app

    m = typical()
    store.save(m)
    left = isolated_home / "tmp" / f".{m.id}.edit.k1ll3d.yaml"
    left.parent.mkdir(mode=0o700)
    left.write_text("the whole record")
    other = isolated_home / "tmp" / ".SD-2026-0002.edit.busy.yaml"  # another meeting's: kept
    other.write_text("x")
    monkeypatch.setattr(_app, "stdin_is_terminal", lambda: True)
    monkeypatch.setenv("VISUAL", "true")  # an editor that changes nothing
    result = runner.invoke(app, ["edit", m.id])
    assert result.exit_code == 0 and "No change" in result.output
    assert not left.exists() and other.exists()


# --- a council's own template -------------------------------------------------------------------


def test_a_councils_template_cannot_run_code(
    runner: CliRunner, store: FolderStore, tmp_path: Path, isolated_home: Path
) -> None:
    """`cycler.__init__.__globals__.os` is the classic way out of a Jinja template: the sandbox
    stops it, with one line naming the template, and no command runs."""
    from docx import Document

    from strat_cli.resources import shipped_dir

    marker = tmp_path / "ran"
    council = tmp_path / "council-templates"
    council.mkdir()
    doc = Document(str(shipped_dir("templates") / "decision-sheet.docx"))
    doc.add_paragraph(
        "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"
    )
    doc.save(str(council / "decision-sheet.docx"))
    (isolated_home / "config.toml").write_text(f'[documents]\ntemplates = "{council}"\n')
    store.save(typical())
    result = runner.invoke(
        app, ["render", "SD-2026-0001", "--doc", "decision-sheet", "--out", str(tmp_path / "o")]
    )
    assert not marker.exists()
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "decision-sheet.docx" in errors[0], result.output
    assert "Traceback" not in result.output


def test_the_sandbox_changes_no_byte_of_the_shipped_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Family and professional versions, every shipped template, with and without the sandbox."""
    from jinja2 import Environment, StrictUndefined

    from strat_cli import render
    from strat_cli.agenda import get_agenda
    from strat_cli.settings import load_settings

    m = typical()
    agenda = get_agenda(m.agenda)
    settings = load_settings(tmp_path / "store")

    def all_bytes(folder: str) -> list[bytes]:
        out: list[bytes] = []
        for family in (False, True):
            paths = render.render_documents(
                m, agenda, settings, ["all"], tmp_path / folder, family=family
            )
            out += [p.read_bytes() for p in paths]
        return out

    sandboxed = all_bytes("sandboxed")
    plain = Environment(autoescape=True, undefined=StrictUndefined)
    monkeypatch.setattr(render, "jinja_env", lambda cache=None: plain)
    assert all_bytes("plain") == sandboxed


# --- links planted where strat writes -----------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_link_planted_at_the_pending_audit_file_is_never_followed(
    store: FolderStore, tmp_path: Path
) -> None:
    m = typical()
    store.save(m)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    pending = store.meetings / f".{m.id}.audit-pending.jsonl"
    pending.symlink_to(victim)
    # the meeting open elsewhere: the export's entry would wait in the pending file
    with store.hold(m.id), pytest.raises(InvalidRecord, match="is a symbolic link"):
        store.record_export(m.id, "record as JSON", who="tester")
    assert victim.read_text() == "keep me\n"
    store.save(m)  # the next save neither reads the link nor keeps it
    assert not pending.is_symlink() and victim.read_text() == "keep me\n"
    assert [e.event for e in store.load(m.id).audit] == [e.event for e in m.audit]


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_templates_copy_never_writes_through_a_link(runner: CliRunner, tmp_path: Path) -> None:
    dest = tmp_path / "council"
    dest.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (dest / "minutes.docx").symlink_to(victim)
    refused = runner.invoke(app, ["templates", "--copy", str(dest)])
    assert refused.exit_code == 1 and "already exists" in refused.output
    forced = runner.invoke(app, ["templates", "--copy", str(dest), "--force"])
    assert forced.exit_code == 0, forced.output
    assert victim.read_text() == "keep me"
    assert not (dest / "minutes.docx").is_symlink() and (dest / "minutes.docx").stat().st_size > 0
    dangling = dest / "summary.docx"
    dangling.unlink()
    dangling.symlink_to(tmp_path / "would-be-created.docx")
    assert runner.invoke(app, ["templates", "--copy", str(dest)]).exit_code == 1
    assert not (tmp_path / "would-be-created.docx").exists()


# --- wrong results --------------------------------------------------------------------------------


@pytest.mark.folder_only(
    reason="expects the configured name; on a server the login names it (test_pgstore)"
)
def test_the_live_meeting_audit_names_the_login_not_the_chair(
    store: FolderStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No [user] name configured: the interview's entries name the computer login, as every
    other command does, never the chair read from the record (nor nobody)."""
    from strat_cli.agenda import get_agenda
    from strat_cli.interview import Interview, new_meeting

    from .test_interview import Script, at_reason

    monkeypatch.setenv("USER", "mtaker")
    monkeypatch.setenv("LOGNAME", "mtaker")
    agenda = get_agenda("national")
    fresh = new_meeting(store, agenda, user="", now=datetime.now(LONDON))
    assert fresh.audit[-1].who == "mtaker"
    m = at_reason(store)
    live = Interview(m, agenda, store, Script([]))
    live.log("participant added", "P9")
    assert m.audit[-1].who == "mtaker" and m.chair == "Dana Okafor"
    configured = Interview(m, agenda, store, Script([]), user="Tom Aske", actor="Tom Aske")
    configured.log("participant added", "P10")
    assert m.audit[-1].who == "Tom Aske"


def _new_meeting_in(root: str, queue: Any) -> None:
    """One `strat new --answers` as the store sees it: choose a reference, then create."""
    try:
        store = FolderStore(Path(root))
        m = typical()
        m.id = store.new_id(2026)
        store.create(m)
        queue.put(m.id)
    except Exception as exc:  # reported to the test, which names it
        queue.put(f"failed: {type(exc).__name__}: {exc}")


@pytest.mark.skipif(sys.platform != "linux", reason="fork: cheap processes for a 110-way race")
@pytest.mark.folder_only(reason="kills or races processes on the folder store's files")
def test_110_meetings_created_at_once_all_get_distinct_references(store: FolderStore) -> None:
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_new_meeting_in, args=(str(store.root), queue)) for _ in range(110)]
    for proc in procs:
        proc.start()
    got = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    assert [g for g in got if g.startswith("failed")] == []
    assert len(set(got)) == 110
    assert sorted(store.ids()) == sorted(got)
    assert list(store.meetings.glob("*.reserved")) == []


def test_an_imported_reference_at_the_ceiling_never_blocks_new_meetings(
    runner: CliRunner, store: FolderStore, tmp_path: Path
) -> None:
    odd = typical()
    odd.id = "SD-2026-999999"
    store.save(odd)
    assert store.new_id(2026) == "SD-2026-0001"  # the lowest free number instead
    assert store.new_id(2026) == "SD-2026-0002"  # the first is reserved until it is created
    result = runner.invoke(app, ["import", str(EXAMPLES / "typical.json"), "--new-id"])
    assert result.exit_code == 0, result.output
    assert "SD-2026-0003" in result.output


def test_a_calendar_that_cannot_be_written_is_one_line_and_not_audited(
    runner: CliRunner, store: FolderStore, tmp_path: Path
) -> None:
    m = typical()
    store.save(m)
    before = len(store.load(m.id).audit)
    result = runner.invoke(app, ["ics", m.id, "--out", str(tmp_path / "nonexistent" / "x.ics")])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "no such folder; nothing was exported" in errors[0]
    assert len(store.load(m.id).audit) == before
    written = runner.invoke(app, ["ics", m.id, "--out", str(tmp_path / "x.ics")])
    assert written.exit_code == 0 and (tmp_path / "x.ics").is_file()
    assert store.load(m.id).audit[-1].detail == "calendar (.ics) to x.ics"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def _review_step(store: FolderStore, script: Any, next_at: datetime) -> Meeting:
    from strat_cli.agenda import get_agenda
    from strat_cli.interview import Interview

    from .test_interview import NOW, draft

    m = draft(store)
    m.next_discussion = next_at
    m.review_mechanism = "Chair checks daily."
    agenda = get_agenda("national")
    live = Interview(m, agenda, store, script, user="Dana Okafor", clock=lambda: NOW)
    review = agenda.item("review")
    assert review is not None
    live.step_review(review)
    return m


@pytest.mark.parametrize(
    "next_at",
    [datetime(2026, 11, 26, 10, 0, tzinfo=LONDON), datetime(2026, 11, 12, 10, 0, tzinfo=LONDON)],
    ids=["ahead", "already-passed"],
)
def test_the_next_discussion_is_offered_in_a_form_its_check_accepts(
    store: FolderStore, next_at: datetime
) -> None:
    """Enter on the offered answer keeps it, even once that time has passed (a resumed record)."""
    from .test_interview import DEFAULT, Script

    s = Script([("reviewed", DEFAULT), ("next discussion", DEFAULT)])
    m = _review_step(store, s, next_at)
    s.done()
    assert m.next_discussion == next_at
    assert s.screen == ""  # no complaint about its own offer


def test_end_typed_straight_after_the_offered_text_runs_the_command(store: FolderStore) -> None:
    from strat_cli.interview import Navigate

    from .test_interview import DEFAULT, Script

    s = Script([("reviewed", DEFAULT), ("next discussion", "26/11/2026 10:00/end")])
    with pytest.raises(Navigate) as caught:
        _review_step(store, s, datetime(2026, 11, 26, 10, 0, tzinfo=LONDON))
    assert caught.value.where == "end"


def test_the_terminal_prompt_lets_a_command_typed_after_the_offered_text_through() -> None:
    """The field's own check must not hold `…10:00/end` back as an unreadable time."""
    import io

    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from strat_cli.prompts import TerminalPrompts

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        p = TerminalPrompts(out=io.StringIO())
        pipe.send_text("/end\r")
        got = p.text("Next", default="26/11/2026 10:00", validate=lambda _: "cannot read it")
    assert got == "26/11/2026 10:00/end"


# --- listings on a narrow terminal and through a pipe -------------------------------------------


def _two_meetings(runner: CliRunner) -> None:
    for name in ("typical.json", "large.json"):
        result = runner.invoke(app, ["import", str(EXAMPLES / name), "--new-id"])
        assert result.exit_code == 0, result.output


LISTINGS = [
    ["list"],
    ["actions", "--limit", "0"],
    ["agendas"],
    ["check", "SD-2026-0001"],
    ["due", "--lookback", "3650"],
]


@pytest.mark.parametrize("args", LISTINGS, ids=lambda a: a[0])
def test_references_dates_and_codes_never_wrap_on_an_80_column_terminal(
    runner: CliRunner, store: FolderStore, args: list[str]
) -> None:
    import re

    _two_meetings(runner)
    result = runner.invoke(app, args, env={"COLUMNS": "80"})
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    cells = [c.strip() for line in lines if line.startswith("│") for c in line.split("│")]
    refs = [c for c in cells if c.startswith("SD-")]
    assert refs or args[0] in ("agendas", "check")
    assert all(re.fullmatch(r"SD-2026-000[12](:A\d+)?", r) for r in refs), refs
    dates = [c for c in cells if re.match(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d", c)]
    assert all(re.match(r"\w{3} \d{1,2} \w{3} \d{4} \d\d:\d\d", d) for d in dates), dates
    codes = [c for c in cells if c in {"ended", "national", "error", "warning", "ENG"}]
    assert codes or args[0] == "actions"


@pytest.mark.parametrize("args", LISTINGS, ids=lambda a: a[0])
def test_through_a_pipe_each_row_is_one_whole_line(
    runner: CliRunner, store: FolderStore, args: list[str]
) -> None:
    """`strat actions | grep SD-2026-0002:A7` finds the action with its text and due time."""
    _two_meetings(runner)
    result = runner.invoke(app, args)
    assert result.exit_code in (0, 1), result.output
    rows = [line for line in result.output.splitlines() if line.startswith("│")]
    assert rows
    assert all(line.rstrip().endswith("│") for line in rows)  # no row continues on a next line
    assert all(any(c.strip() for c in line.split("│")[1:2]) for line in rows)


# --- after a full run: no child's name outside the record files -------------------------------


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_after_a_full_run_no_childs_name_is_outside_the_record_and_the_documents(
    runner: CliRunner, store: FolderStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command a team uses, on the example meeting, plus the mistakes people make: then
    the index, the calendar, every error and warning line, every file name and the shared temp
    folder are searched for each child's and adult's name (whole, and each part)."""
    import tempfile

    shared_tmp = tmp_path / "shared-tmp"
    shared_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared_tmp))
    out = tmp_path / "minutes"
    errors: list[str] = []

    def strat(*args: str, ok: bool = True) -> None:
        result = runner.invoke(app, list(args))
        if args[0] != "check":  # exit 1 when the record has gaps: also a normal answer
            assert (result.exit_code == 0) == ok, (args, result.output)
        assert "Traceback" not in result.output
        errors.append(result.stderr)

    strat("new", "--answers", str(EXAMPLES / "answers.yaml"), "--no-input")
    ref = "SD-2026-0001"
    m = store.load(ref)
    names = _names_in(m)
    assert {"Ellie Marsh", "Marsh", "Kayden"} <= names
    for args in (
        ["list"],
        ["list", "--json"],
        ["actions"],
        ["actions", "--json"],
        ["due"],
        ["check", ref],
        ["log", ref],
        ["render", ref, "--out", str(out)],
        ["render", ref, "--family", "--out", str(out)],
        ["ics", ref, "--out", str(out / "actions.ics")],
        ["actions", "done", f"{ref}:A1", "--note", "Ellie Marsh seen alone at school"],
        ["reindex"],
    ):
        strat(*args)
    # the mistakes: each must be one line that does not repeat what was typed
    strat("actions", "done", f"{ref}:A1", ok=False)
    changes: tuple[Callable[[dict[str, Any]], None], ...] = (
        lambda d: d["notes"].update({"Ellie Marsh": "x"}),
        lambda d: d["actions"][0].update(due="when Ellie Marsh is home"),
        lambda d: d["children"][0].update({"Kayden Pryor": "brother"}),
        lambda d: d["participants"][0].update(joined_at="after Kerry Marsh"),
    )
    for change in changes:
        data = answers()
        change(data)
        bad = tmp_path / "bad.yaml"
        bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        strat("new", "--answers", str(bad), "--no-input", ok=False)
    damaged = json.loads(store.path(ref).read_text(encoding="utf-8"))
    damaged["children"][0]["Noah Marsh"] = "twin"
    copy = store.meetings / "SD-2026-0099.json"
    copy.write_text(json.dumps({**damaged, "id": "SD-2026-0099"}), encoding="utf-8")
    strat("show", "SD-2026-0099", ok=False)
    strat("list")  # warns about the damaged file

    said = "\n".join(errors)
    assert said.count("Error:") == 6 and "Warning:" in said, said
    assert len(list(out.glob("*.docx"))) == 6

    def found_in(text: str) -> list[str]:
        return sorted(n for n in names if n in text)

    assert found_in(_index_text(store.root)) == []
    assert found_in((out / "actions.ics").read_text(encoding="utf-8").replace("\r\n ", "")) == []
    assert found_in("\n".join(errors)) == [], "\n".join(errors)
    every_name = [str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")]
    assert found_in("\n".join(every_name)) == []
    left = [p for p in shared_tmp.rglob("*") if p.is_file()]
    assert [p.name for p in left if found_in(p.read_text("utf-8", "replace"))] == []
    assert list((store.root / "tmp").glob("*")) == []
    assert found_in(store.path(ref).read_text(encoding="utf-8"))  # the search can find them
