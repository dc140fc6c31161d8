"""The kill loop of tests/test_faults.py, carried to whole commands (issue 12): the real `strat`
is killed (SIGKILL) at random points of `strat edit`, `strat new --prefill` and `strat render
--out`, and what is left must be whole: every meeting file loads and holds a state some step
saved, no other meeting is touched, every document in the output folder opens, and the next
run of the command works (the lock died with the process)."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from strat_cli.errors import StratError
from strat_cli.model import Meeting
from strat_cli.samples import typical
from strat_cli.store import FolderStore

from .conftest import EXAMPLES, strat_executable

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL and pseudo-terminals")

ID, OTHER = "SD-2026-0001", "SD-2026-0002"
RUNS = 10


def _timed(run: Any) -> float:
    """How long one whole run takes here and now: kills are spread over it (and a little
    past it), so they land before, during and after the saves on a slow machine too."""
    start = time.monotonic()
    run()
    return (time.monotonic() - start) * 1.3


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("STRAT_CONFIG", "EDITOR", "VISUAL")}
    env.update(STRAT_HOME=str(home), TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", **extra)
    return env


def _two_meetings(home: Path) -> FolderStore:
    store = FolderStore(home)
    store.ensure()
    store.save(typical(ID))
    store.save(typical(OTHER))
    return store


def _kill_in_a_terminal(args: list[str], env: dict[str, str], after: float) -> None:
    """Run the real strat in a pseudo-terminal (edit and new need one), SIGKILL it after
    `after` seconds, or let it end first."""
    child = pexpect.spawn(strat_executable(), args, env=env, timeout=15, dimensions=(50, 200))
    deadline = time.monotonic() + after
    while time.monotonic() < deadline and child.isalive():
        with contextlib.suppress(pexpect.TIMEOUT, pexpect.EOF):  # drained: output never blocks
            child.read_nonblocking(65536, timeout=0.005)
    if child.isalive():
        child.kill(signal.SIGKILL)
    child.close(force=True)


def _editor(tmp_path: Path) -> str:
    """An editor that changes one line, as a person would, and saves."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import re, sys\n"
        "p = sys.argv[1]\n"
        "t = open(p, encoding='utf-8').read()\n"
        "t = re.sub(r'(?m)^minute_taker: .*$', 'minute_taker: Kim Edited', t)\n"
        "open(p, 'w', encoding='utf-8').write(t)\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


@pytest.mark.folder_only(reason="kills or races processes on the folder store's files")
def test_strat_edit_killed_at_random_points_leaves_the_old_or_the_edited_record(
    tmp_path: Path,
) -> None:
    home = tmp_path / "store"
    store = _two_meetings(home)
    path, other = store.path(ID), store.path(OTHER)
    before, other_bytes = path.read_bytes(), other.read_bytes()
    old_taker = store.load(ID).minute_taker
    env = _env(home, EDITOR=_editor(tmp_path))
    rng = random.Random(12)
    seen: set[str] = set()
    span = _timed(lambda: _kill_in_a_terminal(["edit", ID], env, 20))
    for _run in range(RUNS):
        path.write_bytes(before)
        _kill_in_a_terminal(["edit", ID], env, rng.uniform(0.05, span))
        loaded = store.load(ID)  # raises if torn
        if loaded.minute_taker == old_taker:
            assert path.read_bytes() == before
            seen.add("old")
        else:
            assert loaded.minute_taker == "Kim Edited"
            assert loaded.audit[-1].event == "edited"
            seen.add("edited")
        assert other.read_bytes() == other_bytes
    assert seen == {"old", "edited"}, "the kills did not land both before and after the save"
    path.write_bytes(before)
    done = subprocess.run([strat_executable(), "list", "--json"], env=env, capture_output=True)
    assert done.returncode == 0, done.stderr
    _kill_in_a_terminal(["edit", ID], env, 10)  # not killed: the lock died with the process
    assert store.load(ID).minute_taker == "Kim Edited"


def _prefilled(m: Meeting) -> bool:
    """Everything examples/prefill.yaml holds (two children, two adults, the reason)."""
    return len(m.children) == 2 and len(m.adults) == 2 and m.reason.startswith("Ellie (7)")


@pytest.mark.folder_only(reason="kills or races processes on the folder store's files")
def test_strat_new_with_prefill_killed_at_random_points_leaves_whole_meetings(
    tmp_path: Path,
) -> None:
    home = tmp_path / "store"
    env = _env(home, STRAT_USER="Dana Okafor")
    args = ["new", "--agenda", "national", "--prefill", str(EXAMPLES / "prefill.yaml")]
    rng = random.Random(12)
    seen: set[str] = set()
    store = FolderStore(home)

    def until_the_first_question() -> None:
        child = pexpect.spawn(strat_executable(), args, env=env, timeout=20, dimensions=(50, 200))
        child.expect_exact("Dana Okafor (")  # the prefill is saved; attendance is asked
        child.kill(signal.SIGKILL)
        child.close(force=True)

    span = _timed(until_the_first_question)
    for _run in range(RUNS):
        _kill_in_a_terminal(args, env, rng.uniform(0.05, span))
        problems: list[Any] = []
        for m in _readable(store, problems):
            if _prefilled(m):
                seen.add("prefilled")
            else:  # created, the prefill not yet saved: an empty draft, never half of it
                assert not m.children and not m.adults and not m.reason, m.id
                seen.add("bare")
        assert problems == []
    assert "prefilled" in seen, "no run got as far as saving the prefill"
    listed = subprocess.run(
        [strat_executable(), "list", "--json"], env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    assert {r["id"] for r in json.loads(listed.stdout)} == set(FolderStore(home).ids())


def _whole_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as docx:
            return docx.testzip() is None and "word/document.xml" in docx.namelist()
    except zipfile.BadZipFile:
        return False


@pytest.mark.folder_only(reason="kills or races processes on the folder store's files")
def test_strat_render_killed_at_random_points_leaves_only_whole_documents(tmp_path: Path) -> None:
    home = tmp_path / "store"
    store = _two_meetings(home)
    other_bytes = store.path(OTHER).read_bytes()
    out = tmp_path / "out"
    env = _env(home)
    rng = random.Random(12)
    command = [strat_executable(), "render", ID, "--out", str(out)]
    span = _timed(lambda: subprocess.run(command, env=env, capture_output=True, check=True))
    for _run in range(RUNS):
        proc = subprocess.Popen(
            [strat_executable(), "render", ID, "--out", str(out)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, span))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        store.load(ID)  # raises if torn
        assert store.path(OTHER).read_bytes() == other_bytes
        if out.is_dir():
            for doc in out.iterdir():
                if not doc.name.startswith("."):  # a hidden temporary file is never a document
                    assert doc.suffix == ".docx" and _whole_docx(doc), doc.name
    done = subprocess.run(
        [strat_executable(), "render", ID, "--out", str(out)], env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    docs = [d for d in out.iterdir() if not d.name.startswith(".")]
    assert len(docs) == 3 and all(_whole_docx(d) for d in docs)


def _readable(store: FolderStore, problems: list[Any]) -> list[Meeting]:
    """Every meeting that loads; what does not is kept in `problems`."""
    found = []
    for meeting_id in store.ids():
        try:
            found.append(store.load(meeting_id))
        except StratError as exc:
            problems.append(exc)
    return found
