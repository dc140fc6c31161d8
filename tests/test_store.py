"""The store never loses or corrupts a saved record."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from strat_cli import store as store_module
from strat_cli.errors import Busy, InvalidRecord, Locked, NotFound
from strat_cli.model import Authorisation, Meeting
from strat_cli.settings import store_permission_warning
from strat_cli.store import FolderStore


def test_saved_meeting_loads_back_equal(store: FolderStore, typical_meeting: Meeting) -> None:
    store.save(typical_meeting)
    assert store.load(typical_meeting.id) == typical_meeting


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_save_interrupted_before_the_replace_leaves_the_previous_file(
    store: FolderStore, saved: Meeting, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store.path(saved.id).read_bytes()
    saved.reason = "changed"

    def crash(src: str, dst: str) -> None:
        raise KeyboardInterrupt  # the process is stopped between write and replace

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        store.save(saved)
    assert store.path(saved.id).read_bytes() == before
    assert [p.name for p in store.meetings.iterdir() if p.suffix == ".tmp"] == []


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_failed_write_names_the_file_and_keeps_the_last_version(
    store: FolderStore, saved: Meeting, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    before = store.path(saved.id).read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    saved.reason = "changed"
    with pytest.raises(Exception, match=r"disk is full.*last saved version is intact"):
        store.save(saved)
    assert store.path(saved.id).read_bytes() == before


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_an_invalid_record_is_refused_before_the_file_is_touched(
    store: FolderStore, saved: Meeting
) -> None:
    before = store.path(saved.id).read_bytes()
    saved.actions[0].owner = ""
    with pytest.raises(InvalidRecord, match=r"actions\.0\.owner"):
        store.save(saved)
    assert store.path(saved.id).read_bytes() == before


@pytest.mark.folder_only(reason="the folder store's file locks (the server's leases: test_pgstore)")
def test_a_second_process_gets_a_clear_lock_message(store: FolderStore, saved: Meeting) -> None:
    other = FolderStore(store.root)
    with (
        store.hold(saved.id),
        pytest.raises(Busy, match="open in another strat process"),
        other.hold(saved.id),
    ):
        pass


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_truncated_file_names_file_and_line_and_is_not_overwritten(
    store: FolderStore, saved: Meeting
) -> None:
    path = store.path(saved.id)
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    damaged = path.read_bytes()
    with pytest.raises(
        InvalidRecord, match=rf"{saved.id}\.json: line \d+ column \d+: not valid JSON"
    ):
        store.load(saved.id)
    assert path.read_bytes() == damaged


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_hand_edited_invalid_field_is_named(store: FolderStore, saved: Meeting) -> None:
    path = store.path(saved.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["decisions"][1]["outcome"] = "maybe"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InvalidRecord, match=r"field decisions\.1\.outcome"):
        store.load(saved.id)


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_file_from_a_newer_strat_is_refused(store: FolderStore, saved: Meeting) -> None:
    path = store.path(saved.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["schema_version"] = 99
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InvalidRecord, match="newer strat"):
        store.load(saved.id)


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_older_files_are_upgraded_step_by_step(
    store: FolderStore, saved: Meeting, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upgrade path: a version-0 file whose chair lived under another key."""
    path = store.path(saved.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["schema_version"] = 0
    data["chaired_by"] = data.pop("chair")

    def v0_to_v1(old: dict) -> dict:  # type: ignore[type-arg]
        old["chair"] = old.pop("chaired_by")
        return old

    monkeypatch.setitem(store_module.UPGRADES, 0, v0_to_v1)
    path.write_text(json.dumps(data), encoding="utf-8")
    assert store.load(saved.id).chair == saved.chair


@pytest.mark.parametrize("bad", ["../etc/passwd", "/tmp/SD-2026-0001", "SD-2026-0001/../x", ""])
def test_ids_that_try_to_escape_the_store_are_refused(store: FolderStore, bad: str) -> None:
    with pytest.raises(NotFound, match="not a meeting reference"):
        store.load(bad)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_store_is_private_to_the_user(store: FolderStore, saved: Meeting) -> None:
    assert store.root.stat().st_mode & 0o777 == 0o700
    assert store.path(saved.id).stat().st_mode & 0o777 == 0o600
    assert store_permission_warning(store.root) is None
    os.chmod(store.root, 0o755)
    assert "can be read by other users" in (store_permission_warning(store.root) or "")


def test_an_authorised_record_refuses_edits(store: FolderStore, saved: Meeting) -> None:
    from datetime import datetime

    from strat_cli.model import LONDON

    saved.authorisation = Authorisation(
        by="Ruth Ellery", role="Service Manager", at=datetime.now(LONDON)
    )
    store.save(saved)
    with pytest.raises(Locked, match=f"strat amend {saved.id}"), store.edit(saved.id):
        pass


def test_new_ids_count_up_within_the_year(store: FolderStore, saved: Meeting) -> None:
    assert store.new_id(2026) == "SD-2026-0002"
    assert store.new_id(2027) == "SD-2027-0001"


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_missing_meeting_says_where_it_looked(store: FolderStore) -> None:
    with pytest.raises(NotFound, match=str(store.meetings).replace("\\", "\\\\")):
        store.load("SD-2026-0404")
    assert isinstance(store.root, Path)


def _authorise(store: FolderStore, meeting: Meeting) -> None:
    from datetime import datetime

    from strat_cli.model import LONDON

    meeting.authorisation = Authorisation(
        by="Ruth Ellery", role="Service Manager", at=datetime.now(LONDON)
    )
    store.save(meeting)


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_authorised_content_can_never_be_rewritten_by_a_save(
    store: FolderStore, saved: Meeting
) -> None:
    _authorise(store, saved)
    before = store.path(saved.id).read_bytes()
    saved.decisions[0].rationale = "quietly changed"
    with pytest.raises(Locked, match="content cannot change"):
        store.save(saved)
    assert store.path(saved.id).read_bytes() == before


def test_action_follow_up_and_bookkeeping_still_save_on_an_authorised_record(
    store: FolderStore, saved: Meeting
) -> None:
    from strat_cli.model import ActionStatus

    _authorise(store, saved)
    saved.actions[0].status = ActionStatus.done
    saved.log("action done", "A1")
    store.save(saved)
    assert store.load(saved.id).actions[0].status == ActionStatus.done


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_clearing_the_authorisation_in_code_cannot_unlock_a_record(
    store: FolderStore, saved: Meeting
) -> None:
    _authorise(store, saved)
    before = store.path(saved.id).read_bytes()
    saved.authorisation = None
    saved.decisions[0].rationale = "rewritten after sign-off"
    with pytest.raises(Locked, match="content cannot change"):
        store.save(saved)
    assert store.path(saved.id).read_bytes() == before


@pytest.mark.folder_only(reason="the folder store's file locks (the server's leases: test_pgstore)")
def test_an_export_while_the_meeting_is_open_elsewhere_is_audited_at_its_next_save(
    store: FolderStore, saved: Meeting
) -> None:
    """The minute taker's summary is not blocked by the chair's open session, nor unaudited."""
    from typer.testing import CliRunner

    from strat_cli.cli import app

    chair = FolderStore(store.root)
    with chair.edit(saved.id) as live:
        result = CliRunner().invoke(app, ["summary", saved.id])
        assert result.exit_code == 0, result.output
        assert "action summary" in result.output
        assert not any(e.event == "exported" for e in store.load(saved.id).audit)
        live.notes["legal"] = "Legal advice booked."  # the chair answers a question
        chair.save(live)
    audit = store.load(saved.id).audit
    assert [e.detail for e in audit if e.event == "exported"] == ["action summary printed"]
    assert not any(p.name.endswith("audit-pending.jsonl") for p in store.meetings.iterdir())
    chair.save(live)  # a later save adds nothing twice
    assert sum(e.event == "exported" for e in store.load(saved.id).audit) == 1


def test_an_action_held_across_a_save_that_brings_in_others_entries_still_takes_its_answers(
    store: FolderStore, saved: Meeting
) -> None:
    """The chair's walk holds the action it is still asking about across saves. A save that
    brings in what others did meanwhile (the server's copy, an export's audit entry) must
    not swap that action for a copy, or the chair's next answer goes nowhere."""
    from typer.testing import CliRunner

    from strat_cli.cli import app

    with store.edit(saved.id) as live:
        action = live.actions[0]
        result = CliRunner().invoke(app, ["summary", saved.id])  # the minute taker's export
        assert result.exit_code == 0, result.output
        store.save(live)  # brings the export's audit entry in
        action.what = "Visit the family at home today"  # the chair's next answer
        store.save(live)
    kept = store.load(saved.id)
    assert kept.actions[0].what == "Visit the family at home today"
    assert [e.detail for e in kept.audit if e.event == "exported"] == ["action summary printed"]
