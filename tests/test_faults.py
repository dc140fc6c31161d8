"""Faults: a killed process, a full disk, a read-only store, a second process, a damaged file.

Whatever happens, the meeting file on disk parses and holds a state someone saved, and the user
gets one line saying what went wrong and where, never a traceback.

The kill and two-process tests run real processes from a fork server (one interpreter start,
then a cheap fork per run), so hundreds of runs fit in a few seconds.
"""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import random
import re
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from strat_cli import store as store_module
from strat_cli.cli import app
from strat_cli.cli._app import StratGroup
from strat_cli.errors import Busy, InvalidRecord, StratError
from strat_cli.model import LONDON, InformationShared, Meeting
from strat_cli.samples import typical
from strat_cli.store import FolderStore, parse_meeting

from .conftest import strat_executable

POSIX = os.name == "posix"
posix_only = pytest.mark.skipif(not POSIX, reason="needs POSIX signals, fork and permissions")
FIXED = datetime(2026, 11, 19, 12, 0, tzinfo=LONDON)
ID = "SD-2026-0001"


# --- helpers shared with the worker processes (module level: the fork server imports them) ---


def _entry_id(i: int, tag: str) -> str:
    """An information id (I…) that says which process added it: the tag's character code."""
    return f"I{ord(tag)}{i:05d}"


def _entry(i: int, tag: str = "k") -> InformationShared:
    # Lengths vary so that consecutive files differ in size as well as content.
    return InformationShared(
        id=_entry_id(i, tag), by="Sam Whitlow", summary=f"{tag}{i} " * (i % 40 + 5)
    )


def _state(k: int) -> Meeting:
    """State k of the growing meeting: the typical example plus k entries of information."""
    meeting = typical()
    meeting.information.extend(_entry(i) for i in range(1, k + 1))
    meeting.updated_at = FIXED
    meeting.created_at = meeting.created_at or FIXED
    return meeting


def _save_forever(root: str, progress: Any) -> None:
    """Save state 1, 2, 3… and report each once its save has returned."""
    store = FolderStore(Path(root))
    meeting = _state(0)
    i = 0
    progress.value = 0  # ready: the kill timer starts now
    while True:
        i += 1
        meeting.information.append(_entry(i))
        store.save(meeting, now=FIXED)
        progress.value = i


def _edit_under_hold(root: str, tag: str, rounds: int) -> None:
    """Load, add one entry, save: each round under the meeting's lock, waiting while busy."""
    store = FolderStore(Path(root))
    done = 0
    while done < rounds:
        try:
            with store.hold(ID):
                meeting = store.load(ID)
                meeting.information.append(_entry(done, tag))
                store.save(meeting)
        except Busy:
            time.sleep(0.0005)
            continue
        done += 1


def _create_race(root: str, tag: str, rounds: int, barrier: Any, results: Any, slot: int) -> None:
    store = FolderStore(Path(root))
    for r in range(rounds):
        meeting = typical()
        meeting.id = f"SD-2026-{r + 100:04d}"
        meeting.reason = tag
        barrier.wait()
        try:
            store.create(meeting)
            results[r * 2 + slot] = 1
        except StratError:
            results[r * 2 + slot] = 2


def _hold_until_told(root: str, held: Any, release: Any) -> None:
    with FolderStore(Path(root)).hold(ID):
        held.set()
        release.wait(60)


@pytest.fixture(scope="module")
def forkserver() -> multiprocessing.context.BaseContext:
    if not POSIX:
        pytest.skip("fork server: POSIX only")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["strat_cli.store", "strat_cli.samples", "tests.test_faults"])
    return ctx


# --- killed mid-save ----------------------------------------------------------------------------


@posix_only
@pytest.mark.folder_only(reason="kills or races processes on the folder store's files")
def test_a_process_killed_at_random_points_during_saves_leaves_the_last_or_next_state(
    store: FolderStore, forkserver: Any
) -> None:
    """200 runs, SIGKILL at a random point; the file is always a whole saved state."""
    rng = random.Random(8)
    path = store.path(ID)
    checked: set[int] = set()
    for _run in range(200):
        store.save(_state(0), now=FIXED)
        progress = forkserver.RawValue("i", -1)
        worker = forkserver.Process(target=_save_forever, args=(str(store.root), progress))
        worker.start()
        target = rng.randrange(0, 16)  # let it finish a random number of saves…
        while progress.value < target and worker.is_alive():
            time.sleep(0.0002)
        time.sleep(rng.uniform(0, 0.002))  # …then kill it at a random point of the next ones
        os.kill(worker.pid, signal.SIGKILL)
        worker.join()
        assert worker.exitcode == -signal.SIGKILL
        last = progress.value
        loaded = store.load(ID)  # raises if the file is torn
        k = len(loaded.information) - len(typical().information)
        assert k in (last, last + 1), f"file holds state {k}, last save that returned was {last}"
        assert loaded == _state(k)
        checked.add(k)
    assert len(checked) > 8, "the kills did not land at varied points: make the loop slower"
    # A kill can leave a hidden temporary file behind: private, and never read as a meeting.
    leftovers = [p for p in store.meetings.iterdir() if p.suffix == ".tmp"]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in leftovers)
    assert store.ids() == [ID]
    assert path.stat().st_mode & 0o777 == 0o600


# --- full disk and read-only store --------------------------------------------------------------


def _raise(code: int) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    return fail


class _FullFile:
    """What os.fdopen returns when the disk fills during the write."""

    def __init__(self, fd: int, *args: Any, **kwargs: Any) -> None:
        self.fd = fd

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self) -> None: ...

    def fileno(self) -> int:
        return self.fd


FAULT_POINTS: dict[str, Callable[[pytest.MonkeyPatch, int], None]] = {
    "create temp": lambda mp, code: mp.setattr(tempfile, "mkstemp", _raise(code)),
    "write": lambda mp, code: mp.setattr(os, "fdopen", _FullFile),
    "fsync": lambda mp, code: mp.setattr(os, "fsync", _raise(code)),
    "replace": lambda mp, code: mp.setattr(os, "replace", _raise(code)),
}
WHY = {errno.ENOSPC: "the disk is full", errno.EROFS: "read-only", errno.EACCES: "read-only"}


def _no_temp_files(store: FolderStore) -> bool:
    return not [p for p in store.meetings.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("point", list(FAULT_POINTS))
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
@pytest.mark.folder_only(reason="a full disk or read-only folder under the folder store")
def test_a_failed_save_at_any_step_keeps_the_previous_state_and_no_temp_file(
    store: FolderStore, saved: Meeting, monkeypatch: pytest.MonkeyPatch, point: str, code: int
) -> None:
    if point == "write" and code != errno.ENOSPC:
        pytest.skip("a write fails for want of space; permissions fail earlier")
    before = store.path(saved.id).read_bytes()
    saved.reason = "Changed after the call"
    FAULT_POINTS[point](monkeypatch, code)
    with pytest.raises(StratError) as caught:
        store.save(saved)
    monkeypatch.undo()
    message = caught.value.message
    assert WHY[code] in message and "the last saved version is intact" in message
    assert f"{saved.id}.json" in message
    assert store.path(saved.id).read_bytes() == before
    assert _no_temp_files(store)


@pytest.mark.parametrize("point", ["create temp", "write", "fsync", "replace"])
@pytest.mark.folder_only(reason="a full disk or read-only folder under the folder store")
def test_strat_import_on_a_full_disk_says_so_in_one_line(
    runner: CliRunner,
    store: FolderStore,
    monkeypatch: pytest.MonkeyPatch,
    point: str,
    tmp_path: Path,
) -> None:
    source = tmp_path / "meeting.json"
    source.write_text(typical().model_dump_json(), encoding="utf-8")
    FAULT_POINTS[point](monkeypatch, errno.ENOSPC)
    result = runner.invoke(app, ["import", str(source)])
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "the disk is full" in lines[0] and "Traceback" not in result.output
    assert store.ids() == [] and _no_temp_files(store)


@pytest.mark.folder_only(reason="a full disk or read-only folder under the folder store")
def test_a_read_only_store_gives_one_clear_line_through_the_cli(
    runner: CliRunner, store: FolderStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Simulated EROFS (works as root too): the lock file and the temp file cannot be made."""
    source = tmp_path / "meeting.json"
    source.write_text(typical().model_dump_json(), encoding="utf-8")
    real_open = os.open

    def read_only_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only_open)
    monkeypatch.setattr(tempfile, "mkstemp", _raise(errno.EROFS))
    result = runner.invoke(app, ["import", str(source), "--new-id"])
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and "read-only" in result.output, result.output
    assert store.ids() == []


@pytest.mark.folder_only(reason="a full disk or read-only folder under the folder store")
def test_holding_a_meeting_in_a_read_only_store_is_a_clear_error(
    store: FolderStore, saved: Meeting, monkeypatch: pytest.MonkeyPatch
) -> None:
    for lock in store.meetings.glob(".*.lock"):
        lock.unlink()
    monkeypatch.setattr(os, "open", _raise(errno.EROFS))
    with pytest.raises(StratError, match="read-only"), store.hold(saved.id):
        pass


@pytest.mark.skipif(not POSIX or os.geteuid() == 0, reason="root writes through chmod 0500")
def test_a_really_read_only_meetings_folder(store: FolderStore, saved: Meeting) -> None:
    before = store.path(saved.id).read_bytes()
    os.chmod(store.meetings, 0o500)
    try:
        saved.reason = "Changed after the call"
        with pytest.raises(StratError, match="read-only or not yours"):
            store.save(saved)
        assert store.meetings.stat().st_mode & 0o777 == 0o500, "strat gave itself write access"
    finally:
        os.chmod(store.meetings, 0o700)
    assert store.path(saved.id).read_bytes() == before
    assert _no_temp_files(store)


# --- two processes ------------------------------------------------------------------------------


@posix_only
@pytest.mark.folder_only(reason="kills or races processes on the folder store's files")
def test_two_processes_editing_one_meeting_never_lose_or_interleave_a_save(
    store: FolderStore, saved: Meeting, forkserver: Any
) -> None:
    rounds = 40
    workers = [
        forkserver.Process(target=_edit_under_hold, args=(str(store.root), tag, rounds))
        for tag in ("a", "b")
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    final = store.load(ID)
    ids = [i.id for i in final.information]
    for tag in ("a", "b"):  # every round of each process is there, once, in its own order
        mine = [i for i in ids if i.startswith(f"I{ord(tag)}")]
        assert mine == [_entry_id(n, tag) for n in range(rounds)]


@posix_only
@pytest.mark.folder_only(reason="kills or races processes on the folder store's files")
def test_two_processes_creating_one_reference_never_overwrite_each_other(
    store: FolderStore, forkserver: Any
) -> None:
    rounds = 30
    barrier = forkserver.Barrier(2)
    results = forkserver.RawArray("i", rounds * 2)
    workers = [
        forkserver.Process(
            target=_create_race, args=(str(store.root), tag, rounds, barrier, results, slot)
        )
        for slot, tag in enumerate(("first", "second"))
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    for r in range(rounds):
        outcome = (results[r * 2], results[r * 2 + 1])
        assert sorted(outcome) == [1, 2], f"round {r}: {outcome} (1 created, 2 refused)"
        winner = ("first", "second")[outcome.index(1)]
        assert store.load(f"SD-2026-{r + 100:04d}").reason == winner


lock_app = typer.Typer(cls=StratGroup)


@lock_app.command("hold")
def _hold(root: Path, meeting_id: str) -> None:
    with FolderStore(root).hold(meeting_id):
        pass


@lock_app.command("other")
def _other() -> None:  # a second command, so Typer keeps the command name
    pass


@posix_only
@pytest.mark.folder_only(reason="the folder store's file locks (the server's leases: test_pgstore)")
def test_a_meeting_open_in_another_process_gives_one_lock_line_and_exit_3(
    store: FolderStore, saved: Meeting, forkserver: Any
) -> None:
    held, release = forkserver.Event(), forkserver.Event()
    holder = forkserver.Process(target=_hold_until_told, args=(str(store.root), held, release))
    holder.start()
    try:
        assert held.wait(60)
        result = CliRunner().invoke(lock_app, ["hold", str(store.root), ID])
    finally:
        release.set()
        holder.join(60)
    assert result.exit_code == 3
    assert result.output == (
        f"Error: {ID} is open in another strat process; finish there first "
        "(or close that terminal), then try again\n"
    )
    with store.hold(ID):  # and the lock is free again once the other process has finished
        pass


@pytest.mark.folder_only(reason="the folder store's file locks (the server's leases: test_pgstore)")
def test_the_real_strat_render_on_a_held_meeting_exits_3_with_one_line(
    store: FolderStore, saved: Meeting, tmp_path: Path
) -> None:
    """The installed command, while this process (another strat, as far as it knows) edits."""
    env = {**os.environ, "STRAT_HOME": str(store.root)}
    out = tmp_path / "out"
    with store.hold(saved.id):
        done = subprocess.run(
            [strat_executable(), "render", saved.id, "--out", str(out)],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    assert done.returncode == 3, done.stderr
    assert done.stderr == (
        f"Error: {saved.id} is open in another strat process; finish there first "
        "(or close that terminal), then try again\n"
    )
    assert not out.exists() or list(out.iterdir()) == []


# --- damaged, foreign and other-version files ---------------------------------------------------


def _typical_dict() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(typical().model_dump_json())
    return data


def _with(**changes: Any) -> bytes:
    data = _typical_dict()
    data.update(changes)
    return json.dumps(data).encode()


def _without(key: str) -> bytes:
    data = _typical_dict()
    del data[key]
    return json.dumps(data).encode()


def _bad_child_field() -> bytes:
    data = _typical_dict()
    data["children"][1]["date_of_birth"] = "last spring"
    return json.dumps(data).encode()


VALID = typical().model_dump_json(indent=1).encode()
DAMAGED: dict[str, tuple[bytes, str]] = {
    "truncated": (VALID[: len(VALID) // 3], r"line \d+ column \d+: not valid JSON"),
    "cut at one byte": (VALID[:1], "not valid JSON"),
    "empty": (b"", "line 1 column 1: not valid JSON"),
    "random bytes": (random.Random(3).randbytes(600), "not"),
    "binary zeros": (b"\x00" * 64, "not"),
    "a PNG": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not"),
    "UTF-16 text": ('{"id": 1}'.encode("utf-16"), "field"),
    "JSON array": (b"[1, 2, 3]", "top level: a meeting file must hold one JSON object"),
    "JSON null": (b"null", "top level: a meeting file must hold one JSON object"),
    "JSON string": (b'"SD-2026-0001"', "top level"),
    "a huge number": (b'{"schema_version": ' + b"9" * 5000 + b"}", "a number is too long"),
    "nested too deep": (b"[" * 100_000, "not a meeting file"),
    "no schema_version": (_without("schema_version"), "field schema_version: missing"),
    "schema_version text": (_with(schema_version="1"), "field schema_version"),
    "older schema, no upgrade": (_with(schema_version=0), "schema_version 0 cannot be upgraded"),
    "newer schema": (_with(schema_version=2), "schema_version 2 was written by a newer strat"),
    "unknown field": (_with(chaired_by="Dana Okafor"), r"field \(key not shown\): Extra inputs"),
    "field of the wrong type": (_bad_child_field(), r"field children\.1\.date_of_birth"),
    "id not a reference": (_with(id="../../etc/passwd"), "field id: must look like"),
}


def _damage(store: FolderStore, saved: Meeting, content: bytes) -> Path:
    path = store.path(saved.id)
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("name", list(DAMAGED))
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_damaged_file_gives_one_line_naming_file_and_field_and_is_never_rewritten(
    runner: CliRunner, store: FolderStore, saved: Meeting, name: str
) -> None:
    content, expected = DAMAGED[name]
    path = _damage(store, saved, content)
    for args in (["show", saved.id], ["show", saved.id, "--json"]):
        result = runner.invoke(app, args)
        assert "Traceback" not in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.exit_code == 1, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: "), result.output
        assert re.search(expected, lines[0]), lines[0]
    assert path.read_bytes() == content


@pytest.mark.parametrize("name", list(DAMAGED))
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_strat_list_reports_a_damaged_file_and_goes_on(
    runner: CliRunner, store: FolderStore, saved: Meeting, name: str
) -> None:
    content, _expected = DAMAGED[name]
    path = _damage(store, saved, content)
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    assert f"Warning: {path}" in result.output and "Traceback" not in result.output
    assert path.read_bytes() == content


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_damaged_file_is_never_overwritten_by_a_save_through_edit(
    store: FolderStore, saved: Meeting
) -> None:
    path = _damage(store, saved, VALID[:100])
    with pytest.raises(InvalidRecord), store.edit(saved.id):
        pass
    assert path.read_bytes() == VALID[:100]


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_an_upgrade_that_fails_on_odd_old_data_names_the_field(
    store: FolderStore, saved: Meeting, monkeypatch: pytest.MonkeyPatch
) -> None:
    def v0_to_v1(old: dict[str, Any]) -> dict[str, Any]:
        old["chair"] = old.pop("chaired_by")
        return old

    monkeypatch.setitem(store_module.UPGRADES, 0, v0_to_v1)
    path = _damage(store, saved, _with(schema_version=0))  # has no "chaired_by"
    with pytest.raises(InvalidRecord, match=r"field chaired_by: cannot be upgraded from .* 0"):
        store.load(saved.id)
    assert path.read_bytes() == _with(schema_version=0)


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_damaged_files_through_the_real_strat_process(store: FolderStore, saved: Meeting) -> None:
    """The installed command, not CliRunner: exit 1, one line on stderr, nothing on stdout."""
    env = {**os.environ, "STRAT_HOME": str(store.root)}
    for name in ("empty", "random bytes", "nested too deep", "newer schema"):
        content, expected = DAMAGED[name]
        path = _damage(store, saved, content)
        done = subprocess.run(
            [strat_executable(), "show", saved.id], capture_output=True, text=True, env=env
        )
        assert done.returncode == 1, (name, done.stderr)
        assert done.stdout == ""
        assert done.stderr.startswith(f"Error: {path}: ") and done.stderr.count("\n") == 1, (
            name,
            done.stderr,
        )
        assert re.search(expected, done.stderr), (name, done.stderr)
        assert path.read_bytes() == content


def _json_values() -> st.SearchStrategy[Any]:
    leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=12,
    )


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_are_a_meeting_or_one_invalid_record_error(content: bytes) -> None:
    try:
        parse_meeting(content, "SD-2026-0001.json")
    except InvalidRecord as exc:
        assert exc.message.startswith("SD-2026-0001.json") and "\n" not in exc.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_one_changed_value_in_a_valid_file_is_accepted_or_named(data: st.DataObject) -> None:
    """Replace one value anywhere in a valid record with any JSON value."""
    record = _typical_dict()
    node: Any = record
    path: list[str] = []
    while isinstance(node, (dict, list)) and node:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = data.draw(st.sampled_from(keys))
        path.append(str(key))
        if not isinstance(node[key], (dict, list)) or not node[key] or data.draw(st.booleans()):
            node[key] = data.draw(_json_values())
            break
        node = node[key]
    try:
        parse_meeting(json.dumps(record), "f.json")
    except InvalidRecord as exc:
        assert exc.message.startswith("f.json: ") and "\n" not in exc.message
        assert "Traceback" not in exc.message
