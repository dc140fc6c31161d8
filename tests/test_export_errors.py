"""An export that cannot be written where it was asked (a file where a folder is wanted, a folder
where a file is) is one line saying so: never "could not save …; the last saved version is
intact", which is what a failed save of a record says. An export is not a save."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.errors import StratError
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
