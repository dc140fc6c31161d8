"""`render --pdf`: LibreOffice starts while the documents render (pdf.Conversion). It must
convert only whole documents, written after the intent was recorded; a failure on either side
leaves no PDF half-written and says so in one line; no LibreOffice outlives strat."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from strat_cli import pdf as pdf_module
from strat_cli.cli import app
from strat_cli.errors import StratError
from strat_cli.model import Meeting
from strat_cli.store import FolderStore

runner = CliRunner()
posix_only = pytest.mark.skipif(os.name != "posix", reason="the stand-in is a POSIX script")

# A stand-in for soffice: notes each run (its pid and the files it was given), waits `delay`
# seconds, then "converts" the .docx files that exist by then (exit 0); `fail`: writes half of
# each PDF and stops with code 1; `none`: converts nothing and exits 0.
FAKE = """#!{python}
import os, pathlib, sys, time
args = sys.argv[1:]
docs = [pathlib.Path(a) for a in args if a.endswith(".docx")]
with open({log!r}, "a") as f:
    f.write(str(os.getpid()) + " " + " ".join(d.name for d in docs) + "\\n")
time.sleep({delay})
if {none}:
    sys.exit(0)
out = pathlib.Path(args[args.index("--outdir") + 1])
out.mkdir(exist_ok=True)
for d in docs:
    if d.is_file():
        (out / (d.stem + ".pdf")).write_bytes(b"%PDF " + (b"half" if {fail} else d.read_bytes()))
if {fail}:
    sys.exit(1)
"""


def fake_soffice(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    delay: float = 0,
    fail: bool = False,
    none: bool = False,
) -> Path:
    log = tmp_path / "soffice.log"
    script = tmp_path / "soffice"
    script.write_text(
        FAKE.format(python=sys.executable, log=str(log), delay=delay, fail=fail, none=none),
        encoding="utf-8",
    )
    script.chmod(0o755)
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: str(script))
    return log


def runs(log: Path) -> list[tuple[int, list[str]]]:
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return [(int(line.split()[0]), line.split()[1:]) for line in lines]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@posix_only
def test_a_document_staged_after_libreoffice_looked_is_converted_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = fake_soffice(tmp_path, monkeypatch)
    staging_root, out = tmp_path / "tmp", tmp_path / "out"
    out.mkdir()
    conversion = pdf_module.Conversion(["minutes", "summary"], staging_root)
    assert conversion.proc is not None
    conversion.proc.wait()  # LibreOffice looked before any document was there
    for doc in ("minutes", "summary"):
        conversion.stage(doc, doc.encode())
    pdfs = conversion.finish([out / "A_minutes.docx", out / "A_summary.docx"], staging_root)
    assert pdfs == [out / "A_minutes.pdf", out / "A_summary.pdf"]
    assert (out / "A_summary.pdf").read_bytes() == b"%PDF summary"
    assert [names for _, names in runs(log)] == [
        ["minutes.docx", "summary.docx"],
        ["minutes.docx", "summary.docx"],
    ]
    assert list(staging_root.iterdir()) == []  # the staging copies are gone


@posix_only
def test_render_pdf_writes_each_pdf_beside_its_document_and_records_it(
    store: FolderStore, saved: Meeting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_soffice(tmp_path, monkeypatch, delay=0.5)  # still starting while the render runs
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", saved.id, "--pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    docx = sorted(out.glob("*.docx"))
    assert sorted(out.glob("*.pdf")) == [p.with_suffix(".pdf") for p in docx]
    for p in docx:  # each PDF is made from the whole document written to its real place
        assert p.with_suffix(".pdf").read_bytes() == b"%PDF " + p.read_bytes()
        if os.name == "posix":
            assert p.with_suffix(".pdf").stat().st_mode & 0o777 == 0o600
    events = [e.event for e in store.load(saved.id).audit]
    assert events[-4:] == ["rendered"] * 4  # three documents, then the PDFs
    assert events.index("rendering") < len(events) - 4  # the intent came first
    assert list((store.local / "tmp").iterdir()) == []


@posix_only
def test_a_failed_render_stops_libreoffice_and_leaves_no_pdf(
    store: FolderStore, saved: Meeting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = fake_soffice(tmp_path, monkeypatch, delay=60)
    import strat_cli.render as render_module

    def broken(*args: object, **kwargs: object) -> None:
        started = time.monotonic() + 10  # fail once LibreOffice is running (a busy machine
        while not runs(log) and time.monotonic() < started:  # may start it after the failure)
            time.sleep(0.01)
        raise StratError("minutes.docx: the template is broken")

    monkeypatch.setattr(render_module, "render_template", broken)
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", saved.id, "--pdf", "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == ["Error: minutes.docx: the template is broken"]
    ((pid, _),) = runs(log)
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid)  # stopped, not left converting
    assert list(out.glob("*.pdf")) == []
    assert list((store.local / "tmp").iterdir()) == []


@posix_only
def test_libreoffice_producing_nothing_is_one_line_and_keeps_the_documents(
    store: FolderStore, saved: Meeting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_soffice(tmp_path, monkeypatch, none=True)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["render", saved.id, "--doc", "minutes", "--pdf", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: LibreOffice did not produce SD-2026-0001_minutes_2026-11-19.pdf; the .docx is "
        f"at {out / 'SD-2026-0001_minutes_2026-11-19.docx'}"
    ]
    assert [p.name for p in out.iterdir()] == ["SD-2026-0001_minutes_2026-11-19.docx"]
    kept = store.load(saved.id)  # the document written is settled in the record, the PDF's
    assert "minutes" in kept.rendered  # failure said after it
    events = [(e.event, e.detail) for e in kept.audit][-2:]
    assert events == [
        ("rendered", "minutes: SD-2026-0001_minutes_2026-11-19.docx"),
        ("PDF failed", "StratError"),
    ]


@posix_only
def test_libreoffice_stopping_part_way_leaves_no_half_pdf(
    store: FolderStore, saved: Meeting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = fake_soffice(tmp_path, monkeypatch, delay=0.5, fail=True)
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", saved.id, "--pdf", "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: LibreOffice could not convert the documents (it stopped with code 1); the .docx "
        "files were written"
    ]
    assert len(runs(log)) == 2  # what the first run wrote was not trusted: converted again
    assert sorted(p.suffix for p in out.iterdir()) == [".docx"] * 3
    assert list((store.local / "tmp").iterdir()) == []


def test_a_staging_folder_left_by_a_killed_render_is_removed_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_soffice(tmp_path, monkeypatch)
    tmp = tmp_path / "tmp"
    left, recent = tmp / ".pdf-left", tmp / ".pdf-other-render"
    left.mkdir(parents=True)
    recent.mkdir()
    (left / "minutes.docx").write_bytes(b"old")
    old = time.time() - 3600
    os.utime(left, (old, old))
    conversion = pdf_module.Conversion(["minutes"], tmp)
    conversion.close()
    assert not left.exists()
    assert recent.exists()  # may belong to a render running now


@pytest.mark.skipif(
    shutil.which("soffice") is None or not Path("/proc").is_dir(),
    reason="needs LibreOffice, and /proc to find its processes",
)
def test_a_strat_killed_while_libreoffice_starts_leaves_no_libreoffice(tmp_path: Path) -> None:
    """LibreOffice is started as a one-shot conversion, never as a server waiting for work:
    killed before any document is staged, strat leaves nothing running for long."""
    code = (
        "import os, sys, pathlib\n"
        "from strat_cli.pdf import Conversion\n"
        "c = Conversion(['minutes'], pathlib.Path(sys.argv[1]))\n"
        "print(c.profile, flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "tmp")], capture_output=True, text=True
    )
    assert proc.returncode == -9
    profile = proc.stdout.strip()
    assert profile

    def running() -> list[str]:
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if profile in cmdline.read_text(errors="replace"):
                    found.append(cmdline.parent.name)
            except OSError:
                continue
        return found

    deadline = time.monotonic() + 120
    while running() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert running() == []
    shutil.rmtree(profile, ignore_errors=True)
