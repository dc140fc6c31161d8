"""`strat render`, `strat summary`, `strat templates`: thin commands, exact expectations."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from strat_cli import pdf as pdf_module
from strat_cli.cli import app
from strat_cli.model import Authorisation, Meeting
from strat_cli.render import record_hash
from strat_cli.store import FolderStore

from .test_render import docx_text

runner = CliRunner()


def test_render_all_prints_paths_and_records_what_was_rendered(
    store: FolderStore, saved: Meeting, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", saved.id, "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = [Path(line).name for line in result.stdout.splitlines()]
    assert names == [
        "SD-2026-0001_decision-sheet_2026-11-19.docx",
        "SD-2026-0001_minutes_2026-11-19.docx",
        "SD-2026-0001_summary_2026-11-19.docx",
    ]
    again = store.load(saved.id)
    assert again.rendered == dict.fromkeys(
        ("decision-sheet", "minutes", "summary"), record_hash(saved)
    )
    events = [(e.event, e.detail) for e in again.audit if e.event == "rendered"]
    assert ("rendered", "minutes: SD-2026-0001_minutes_2026-11-19.docx") in events


def test_render_one_document(store: FolderStore, saved: Meeting, tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", saved.id, "--doc", "minutes", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (path,) = [Path(x) for x in result.stdout.splitlines()]
    assert "Strategy Discussion Minutes" in docx_text(path)


def test_render_an_unknown_document(store: FolderStore, saved: Meeting, tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", saved.id, "--doc", "letter", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        "Error: no document 'letter' (choose from decision-sheet, minutes, summary)"
        in result.stderr
    )


def test_an_authorised_record_still_renders(
    store: FolderStore, saved: Meeting, tmp_path: Path, named: Callable[[str], str]
) -> None:
    saved.authorisation = Authorisation(
        by="Lee Marsh", role="Service Manager", at=saved.started_at + timedelta(hours=2)
    )
    store.save(saved)
    result = runner.invoke(
        app, ["render", saved.id, "--doc", "decision-sheet", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    text = docx_text(Path(result.stdout.strip()))
    assert named("Lee Marsh") in text and "NOT YET AUTHORISED" not in text
    stored = store.load(saved.id)  # as saved: the model marks an authorised record so
    assert stored.rendered["decision-sheet"] == record_hash(stored)


def test_render_family_version(store: FolderStore, saved: Meeting, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["render", saved.id, "--family", "--doc", "minutes", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.name == "SD-2026-0001_minutes_family_2026-11-19.docx"
    text = docx_text(path)
    assert "FAMILY VERSION" in text and "Police history of the partner" not in text
    again = store.load(saved.id)
    assert again.rendered == {}  # the professionals' record was not rendered
    assert again.audit[-1].detail.startswith("minutes (family version)")


def test_render_pdf_without_libreoffice(
    store: FolderStore, saved: Meeting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: None)
    result = runner.invoke(app, ["render", saved.id, "--pdf", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "Error: --pdf needs LibreOffice" in result.stderr
    assert list(tmp_path.glob("*.docx")) == []


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_render_pdf_with_libreoffice(store: FolderStore, saved: Meeting, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["render", saved.id, "--doc", "summary", "--pdf", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "SD-2026-0001_summary_2026-11-19.pdf"
    assert str(pdf) in result.stdout.splitlines()
    assert pdf.read_bytes().startswith(b"%PDF")


def test_render_a_meeting_that_does_not_exist(store: FolderStore, tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", "SD-2026-0999", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no meeting SD-2026-0999")


def test_summary_prints_markdown_and_audits_it(store: FolderStore, saved: Meeting) -> None:
    result = runner.invoke(app, ["summary", saved.id])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("**OFFICIAL-SENSITIVE**\n\n# Strategy discussion SD-2026-0001")
    assert (
        "| Sam Whitlow (Northshire Children's Social Care) | due Thu 19 Nov 2026 15:00"
        in result.stdout
    )
    assert store.load(saved.id).audit[-1].event == "exported"


def test_templates_lists_shipped_and_local(
    store: FolderStore, saved: Meeting, tmp_path: Path, isolated_home: Path
) -> None:
    result = runner.invoke(app, ["templates"])
    assert result.exit_code == 0, result.output
    assert "decision-sheet" in result.stdout and "shipped" in result.stdout
    local = tmp_path / "council"
    result = runner.invoke(app, ["templates", "--copy", str(local)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in local.iterdir()) == [
        "decision-sheet.docx",
        "minutes.docx",
        "summary.docx",
    ]
    (isolated_home / "config.toml").write_text(f'[documents]\ntemplates = "{local.as_posix()}"\n')
    result = runner.invoke(app, ["templates"])
    assert result.exit_code == 0
    assert result.stdout.count("local") >= 3
    result = runner.invoke(app, ["templates", "--copy", str(local)])
    assert result.exit_code == 1
    assert "already exists; use --force" in result.stderr


def test_a_broken_local_template_stops_render_with_its_name(
    store: FolderStore, saved: Meeting, tmp_path: Path, isolated_home: Path
) -> None:
    from .test_templates import write_template

    local = tmp_path / "council"
    write_template(local / "minutes.docx", "{{ meeting.refrence }}")
    (isolated_home / "config.toml").write_text(f'[documents]\ntemplates = "{local.as_posix()}"\n')
    result = runner.invoke(app, ["render", saved.id, "--doc", "minutes", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "minutes.docx (local," in result.stderr
    assert "{{ meeting.refrence }}" in result.stderr and "did you mean 'reference'" in result.stderr
