"""An export that cannot be written where it was asked (a file where a folder is wanted, a folder
where a file is) is one line saying so: never "could not save …; the last saved version is
intact", which is what a failed save of a record says. An export is not a save."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.errors import StratError
from strat_cli.files import POSIX
from strat_cli.model import Meeting
from strat_cli.store import FolderStore, atomic_write

pytestmark = pytest.mark.folder_only(reason="where an export goes does not depend on the store")

WINDOW = ["--from", "01/11/2026", "--to", "30/11/2026"]


def _one_error(output: str) -> str:
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, output
    assert "could not save" not in errors[0] and "last saved version" not in errors[0]
    return errors[0]


@pytest.mark.parametrize(
    ("command", "where", "said"),
    [
        (["report", *WINDOW, "--csv", "{file}"], "file", "is a file, not a folder"),
        (["report", *WINDOW, "--out", "{folder}"], "folder", "is a folder"),
        (["ics", "{id}", "--out", "{folder}"], "folder", "is a folder"),
        (["render", "{id}", "--doc", "summary", "--out", "{file}"], "file", "not a folder"),
        (["email", "{id}", "--doc", "summary", "--out", "{file}"], "file", "not a folder"),
    ],
    ids=lambda x: " ".join(x) if isinstance(x, list) else x,
)
def test_an_export_to_the_wrong_kind_of_place_says_so_and_not_that_a_save_failed(
    runner: CliRunner,
    saved: Meeting,
    store: FolderStore,
    tmp_path: Path,
    command: list[str],
    where: str,
    said: str,
) -> None:
    file, folder = tmp_path / "a-file", tmp_path / "a-folder"
    file.write_text("mine", encoding="utf-8")
    folder.mkdir()
    before = store.load(saved.id).model_dump()
    args = [part.format(id=saved.id, file=file, folder=folder) for part in command]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    error = _one_error(result.output)
    assert said in error and str(file if where == "file" else folder) in error
    assert file.read_text(encoding="utf-8") == "mine" and list(folder.iterdir()) == []
    after = store.load(saved.id).model_dump()
    kept = {"audit", "updated_at"}  # an email's own bookkeeping may be saved before its draft
    assert {k: v for k, v in after.items() if k not in kept} == {
        k: v for k, v in before.items() if k not in kept
    }
    if command[0] != "email":  # refused before anything is recorded
        assert after == before


def test_a_file_made_from_a_record_fails_as_an_export_a_record_as_a_save(tmp_path: Path) -> None:
    blocker = tmp_path / "minutes"
    blocker.write_text("mine", encoding="utf-8")
    with pytest.raises(StratError) as export:
        atomic_write(blocker / "x.docx", b"data", export="the document was not written")
    assert export.value.message == (
        f"{blocker / 'x.docx'}: cannot write there (minutes is a file, not a folder); "
        "the document was not written"
    )
    with pytest.raises(StratError) as save:
        atomic_write(blocker / "SD-2026-0001.json", b"{}")
    assert save.value.message.endswith(
        "could not save (minutes is a file, not a folder); the last saved version is intact"
    )


@pytest.mark.parametrize(
    ("windows_says", "where", "said"),
    [
        (errno.ENOENT, "under a file", "minutes is a file, not a folder"),  # WinError 3
        (errno.EACCES, "onto a folder", "it is a folder; give a file name"),  # WinError 5
    ],
)
def test_the_wrong_kind_of_place_is_named_from_the_disk_not_from_the_error_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, windows_says: int, where: str, said: str
) -> None:
    """Windows gives other numbers than POSIX's ENOTDIR and EISDIR for the same place."""
    (tmp_path / "minutes").write_text("mine", encoding="utf-8")
    (tmp_path / "a-folder").mkdir()
    path = tmp_path / ("minutes/x.docx" if where == "under a file" else "a-folder")

    def as_windows_fails(*args: object, **kwargs: object) -> None:
        raise OSError(windows_says, os.strerror(windows_says))

    monkeypatch.setattr("strat_cli.store.replace_whole", as_windows_fails)
    with pytest.raises(StratError) as export:
        atomic_write(path, b"data", export="the document was not written")
    assert export.value.message == (
        f"{path}: cannot write there ({said}); the document was not written"
    )


def test_a_folder_of_files_under_a_file_is_refused_by_name_before_anything_is_read(
    runner: CliRunner, saved: Meeting, store: FolderStore, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("mine", encoding="utf-8")
    csv_dir = tmp_path / "a-file" / "tables"
    before = store.load(saved.id).model_dump()
    result = runner.invoke(app, ["report", *WINDOW, "--csv", str(csv_dir)])
    assert result.exit_code == 1, result.output
    assert _one_error(result.output) == (
        f"Error: {csv_dir}: cannot write there (a-file is a file, not a folder); "
        "nothing was written"
    )
    assert store.load(saved.id).model_dump() == before


@pytest.mark.parametrize("how", ["chmod 0500", "the system refuses"])
@pytest.mark.parametrize(
    ("command", "said_after"),
    [
        (["report", *WINDOW, "--out", "{folder}/report.html"], "the report was not written"),
        (["ics", "{id}", "--out", "{folder}/case.ics"], "nothing was exported"),
        (["render", "{id}", "--doc", "summary", "--out", "{folder}"], "document was not written"),
    ],
    ids=lambda x: x[0] if isinstance(x, list) else x,
)
def test_an_export_to_a_read_only_folder_says_so_and_not_that_a_save_failed(
    runner: CliRunner,
    saved: Meeting,
    store: FolderStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    command: list[str],
    said_after: str,
) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    if how == "chmod 0500":
        if not POSIX or os.geteuid() == 0:
            pytest.skip("root writes through chmod 0500; Windows has no such mode")
        os.chmod(folder, 0o500)
    else:  # what a read-only folder does, as root or on any system: only there
        import tempfile

        from strat_cli.files import replace_whole as real_replace

        def refused(where: object) -> PermissionError:
            return PermissionError(errno.EACCES, "Permission denied", str(where))

        def replace_whole(path: Path, *args: Any, **kwargs: Any) -> None:
            if path.parent == folder:
                raise refused(path)
            real_replace(path, *args, **kwargs)

        def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
            if kwargs.get("dir") is not None and Path(kwargs["dir"]) == folder:
                raise refused(folder)
            return real_mkstemp(*args, **kwargs)

        real_mkstemp = tempfile.mkstemp
        monkeypatch.setattr("strat_cli.store.replace_whole", replace_whole)
        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    try:
        args = [part.format(id=saved.id, folder=folder) for part in command]
        result = runner.invoke(app, args)
    finally:
        os.chmod(folder, 0o700)
    assert result.exit_code == 1, result.output
    error = _one_error(result.output)
    assert str(folder) in error and error.endswith(said_after)
    assert "read-only or not yours" in error or "Permission denied" in error
    assert list(folder.iterdir()) == []
