"""`--at` on `strat authorise` and `strat email --sent`: what was done outside strat (a phone
authorisation, a draft sent from Outlook) is recorded at the time it happened, never before
the meeting ended and never in the future."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from strat_cli.agenda import get_agenda
from strat_cli.cli import app
from strat_cli.deadlines import meeting_deadlines
from strat_cli.model import LONDON, Meeting
from strat_cli.store import FolderStore

MANAGER = ["--by", "Ruth Ellery", "--role", "Service Manager"]
runner = CliRunner()


def test_authorise_at_records_a_phone_authorisation_given_earlier(
    store: FolderStore, saved: Meeting
) -> None:
    done = runner.invoke(app, ["authorise", saved.id, *MANAGER, "--at", "19/11/2026 16:40"])
    assert done.exit_code == 0, done.output
    back = store.load(saved.id)
    assert back.authorisation is not None
    assert back.authorisation.at == datetime(2026, 11, 19, 16, 40, tzinfo=LONDON)
    assert "given Thu 19 Nov 2026 16:40 (recorded later)" in back.audit[-1].detail


def test_authorise_at_before_the_meeting_ended_or_in_the_future_is_refused(
    store: FolderStore, saved: Meeting
) -> None:
    early = runner.invoke(app, ["authorise", saved.id, *MANAGER, "--at", "19/11/2026 10:30"])
    assert early.exit_code == 1
    assert f"is before {saved.id} ended (Thu 19 Nov 2026 10:55)" in early.output
    future = runner.invoke(app, ["authorise", saved.id, *MANAGER, "--at", "01/01/2099 10:00"])
    assert future.exit_code == 1 and "is in the future" in future.output
    nonsense = runner.invoke(app, ["authorise", saved.id, *MANAGER, "--at", "teatime"])
    assert nonsense.exit_code == 1 and nonsense.output.startswith("Error: --at is not a time")
    assert "teatime" not in nonsense.output  # what was typed is never repeated
    assert store.load(saved.id).authorisation is None


def test_email_sent_at_records_when_the_draft_went_from_outlook(
    store: FolderStore, saved: Meeting, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["email", saved.id, "--out", str(tmp_path)]).exit_code == 0
    before = runner.invoke(app, ["email", saved.id, "--sent", "--at", "19/11/2026 09:30"])
    assert before.exit_code == 1
    assert "it cannot have been sent then" in before.output
    assert [c.method for c in store.load(saved.id).circulation] == ["draft"]

    res = runner.invoke(app, ["email", saved.id, "--sent", "--at", "19/11/2026 16:40"])
    assert res.exit_code == 0, res.output
    back = store.load(saved.id)
    assert back.circulation[-1].at == datetime(2026, 11, 19, 16, 40, tzinfo=LONDON)
    # sent the same afternoon: within the working day allowed
    assert meeting_deadlines(back, get_agenda("national")).circulated_on_time is True


def test_at_without_sent_is_refused(saved: Meeting) -> None:
    res = runner.invoke(app, ["email", saved.id, "--at", "16:40"])
    assert res.exit_code != 0 and "--at goes with --sent" in res.output
