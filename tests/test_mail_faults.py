"""Circulation under attack: hostile addresses, SMTPUTF8, a full disk after the server took the
message, a kill between the server's 250 and QUIT, a server that goes quiet, bad settings.

Real servers on loopback: aiosmtpd, and a scripted raw-socket server for what aiosmtpd cannot
be made to do (answer 250 and then be killed, store the message and never answer).
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from email import policy
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from strat_cli.circulation import coverage
from strat_cli.cli import app
from strat_cli.errors import MailError
from strat_cli.mail import NO_SMTPUTF8, circulate
from strat_cli.model import Meeting
from strat_cli.settings import Settings
from strat_cli.store import FolderStore

from .conftest import strat_executable
from .test_mail import Server, _start, config, free_port, mail_settings

runner = CliRunner()
RECORDS = "mash-records@northshire.example"  # the fixed cc of mail_settings


@pytest.fixture
def utf8_server() -> Iterator[Server]:
    yield from _start(enable_SMTPUTF8=True)


@pytest.fixture
def ascii_server() -> Iterator[Server]:
    yield from _start(enable_SMTPUTF8=False)


def header_addresses(raw: bytes, name: str) -> list[str]:
    """Addresses as a mail program reads them (SMTPUTF8 headers are UTF-8 text)."""
    msg = Parser(policy=policy.default).parsestr(raw.decode("utf-8"))
    header = msg[name]
    return [a.addr_spec for a in header.addresses] if header is not None else []


def flat(output: str) -> str:
    """A rich table's text, its cells' wrapped lines joined back up."""
    import re

    lines = [re.sub(r"[│┃║]", " ", line) for line in output.splitlines()]
    return " ".join(" ".join(lines).split())


# --- one address, one spelling ------------------------------------------------------------------


HOSTILE = {
    "quote": 'whitlow"sam@socialcare.northshire.example',
    "parentheses": "whitlow()@socialcare.northshire.example",
    "brackets": "whitlow[]@socialcare.northshire.example",
    "colon": "whitlow:sam@socialcare.northshire.example",
    "zero-width space": "whitlow\u200b@socialcare.northshire.example",
    "display name": "Sam Whitlow <whitlow@socialcare.northshire.example>",
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_address_is_refused_for_that_one_and_the_rest_are_sent(
    kind: str,
    store: FolderStore,
    typical_meeting: Meeting,
    settings: Settings,
    tmp_path: Path,
    utf8_server: Server,
) -> None:
    sam = typical_meeting.participants[1]
    sam.email = HOSTILE[kind]
    store.save(typical_meeting)
    warnings: list[str] = []
    s = mail_settings(settings, utf8_server.port)
    result = circulate(
        store, typical_meeting.id, s, out_dir=tmp_path, send_now=True, warn=warnings.append
    )

    [(_, envelope, raw)] = utf8_server.inbox.messages
    others = [p.email for p in typical_meeting.participants if p.email and p is not sam]
    assert envelope == [*others, RECORDS]
    assert header_addresses(raw, "To") == others  # the same strings on the To line
    entry = store.load(typical_meeting.id).circulation[-1]
    assert entry.delivered == [*others, RECORDS] == result.delivered  # and in the log
    assert entry.unreachable == {sam.id: entry.unreachable[sam.id]}
    assert entry.unreachable[sam.id].startswith("not a valid email address (")
    assert b"whitlow" not in raw.split(b"\r\n\r\n", 1)[0]  # no third spelling in the headers
    [warning] = warnings
    assert warning.startswith(f"not a valid email address, left out: {sam.id} {sam.name} (")
    assert sam.email not in warning  # who, and why; never the address as typed
    draft = (tmp_path / f"{typical_meeting.id}-email.eml").read_bytes()
    assert header_addresses(draft, "To") == others


SIAN = "siân@example.org"


def test_a_non_ascii_address_goes_out_as_itself_when_the_server_offers_smtputf8(
    store: FolderStore,
    typical_meeting: Meeting,
    settings: Settings,
    tmp_path: Path,
    utf8_server: Server,
) -> None:
    typical_meeting.participants[1].email = SIAN
    store.save(typical_meeting)
    s = mail_settings(settings, utf8_server.port)
    result = circulate(store, typical_meeting.id, s, out_dir=tmp_path, send_now=True)

    [(_, envelope, raw)] = utf8_server.inbox.messages
    assert SIAN in envelope
    assert SIAN in header_addresses(raw, "To")
    assert SIAN in result.delivered
    assert SIAN in store.load(typical_meeting.id).circulation[-1].delivered
    draft = (tmp_path / f"{typical_meeting.id}-email.eml").read_bytes()
    to_line = next(line for line in draft.split(b"\r\n") if line.startswith(b"To:"))
    assert b"=?" not in to_line  # an encoded-word inside an address is not an address
    assert SIAN in header_addresses(draft, "To")


def test_without_smtputf8_the_non_ascii_address_alone_is_refused(
    store: FolderStore,
    typical_meeting: Meeting,
    settings: Settings,
    tmp_path: Path,
    ascii_server: Server,
) -> None:
    typical_meeting.participants[1].email = SIAN
    store.save(typical_meeting)
    s = mail_settings(settings, ascii_server.port)
    with pytest.raises(MailError) as err:
        circulate(store, typical_meeting.id, s, out_dir=tmp_path, send_now=True)
    assert f"refused 1 of 9 recipients: {SIAN} ({NO_SMTPUTF8})" in err.value.message
    assert "the other 8 received it" in err.value.message

    [(_, envelope, raw)] = ascii_server.inbox.messages
    assert SIAN not in envelope and len(envelope) == 8
    assert raw.isascii()
    assert SIAN not in header_addresses(raw, "To")
    entry = store.load(typical_meeting.id).circulation[-1]
    assert entry.refused == {SIAN: NO_SMTPUTF8}
    assert len(entry.delivered) == 8


def test_the_subject_decodes_without_a_double_space(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path, utf8_server: Server
) -> None:
    circulate(
        store, saved.id, mail_settings(settings, utf8_server.port), out_dir=tmp_path, send_now=True
    )
    subject = utf8_server.inbox.parsed()["Subject"]
    assert subject == (
        f"Strategy discussion {saved.id} (19 Nov 2026): record and actions — OFFICIAL-SENSITIVE"
    )
    assert "  " not in subject


# --- partial delivery ----------------------------------------------------------------------------


def test_partial_delivery_is_not_circulation_and_names_who_is_missing(
    isolated_home: Path, store: FolderStore, saved: Meeting, tmp_path: Path, utf8_server: Server
) -> None:
    config(isolated_home, utf8_server.port)
    utf8_server.inbox.refuse = {
        "lamb@police.northshire.example",
        "castell@health.northshire.example",
    }
    res = runner.invoke(app, ["email", saved.id, "--send", "--out", str(tmp_path)])
    assert res.exit_code == 1
    assert "refused 2 of 8 recipients" in res.stderr
    back = store.load(saved.id)
    cov = coverage(back.participants, back.circulation)
    assert not cov.complete
    assert {p.email for p in back.participants if p.id in cov.missing} == utf8_server.inbox.refuse

    show = runner.invoke(app, ["show", saved.id])
    assert "Not yet: still missing DS Priya Lamb (Detective Sergeant" in flat(show.output)
    check = runner.invoke(app, ["check", saved.id, "--json"])
    assert "still missing: DS Priya Lamb (Detective Sergeant, CAIU, Northshire Police); Jo" in (
        check.output
    )
    from strat_cli.agenda import get_agenda
    from strat_cli.settings import load_settings
    from strat_cli.views import build_view

    minutes = build_view(back, get_agenda(back.agenda), load_settings(isolated_home))
    assert "not yet received by: DS Priya Lamb" in minutes["circulation"]["text"]

    utf8_server.inbox.refuse = set()
    again = runner.invoke(app, ["email", saved.id, "--retry", "--out", str(tmp_path)])
    assert again.exit_code == 0, again.output
    assert utf8_server.inbox.messages[-1][1] == sorted(
        ["lamb@police.northshire.example", "castell@health.northshire.example"],
        key=[p.email for p in saved.participants].index,
    )
    back = store.load(saved.id)
    assert coverage(back.participants, back.circulation).complete
    assert "still missing" not in flat(runner.invoke(app, ["show", saved.id]).output)


# --- a full disk at the last save -----------------------------------------------------------------


@pytest.mark.folder_only(reason="a full disk or read-only folder under the folder store")
def test_full_disk_after_data_leaves_the_send_unsettled_and_a_retry_never_resends(
    store: FolderStore,
    saved: Meeting,
    settings: Settings,
    tmp_path: Path,
    utf8_server: Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from strat_cli import store as store_module

    real_save = FolderStore.save

    def full_disk_once_sent(self: FolderStore, meeting: Meeting, **kw: Any) -> Path:
        settled = [c for c in meeting.circulation if c.method == "smtp" and not c.state]
        if settled and utf8_server.inbox.messages:
            raise store_module._write_error(
                OSError(errno.ENOSPC, "No space"), self.path(meeting.id)
            )
        return real_save(self, meeting, **kw)

    s = mail_settings(settings, utf8_server.port)
    monkeypatch.setattr(FolderStore, "save", full_disk_once_sent)
    with pytest.raises(MailError) as err:
        circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)
    monkeypatch.setattr(FolderStore, "save", real_save)
    assert err.value.message.startswith("the message was delivered to 9, but recording it failed")
    assert "the disk is full" in err.value.message
    assert len(utf8_server.inbox.messages) == 1

    on_disk = store.load(saved.id).circulation[-1]
    assert on_disk.state == "sending"  # the intent was saved before the transaction
    assert len(on_disk.recipients) == 9

    warnings: list[str] = []
    retry = circulate(store, saved.id, s, out_dir=tmp_path, send_now=True, warn=warnings.append)
    assert len(utf8_server.inbox.messages) == 1  # nothing sent twice, silently or otherwise
    assert retry.delivered == []
    assert len(retry.possibly) == 9
    assert any("may already have the record" in w and "--unsettled" in w for w in warnings)
    back = store.load(saved.id)
    assert not coverage(back.participants, back.circulation).complete  # unproven is not sent
    check = runner.invoke(app, ["check", saved.id, "--json"])
    assert '"code": "circulation.unsettled"' in check.output

    confirmed = circulate(
        store, saved.id, s, out_dir=tmp_path, send_now=True, unsettled="delivered"
    )
    assert confirmed.delivered == [] and len(confirmed.skipped) == 9
    assert len(utf8_server.inbox.messages) == 1
    back = store.load(saved.id)
    assert back.circulation[-1].state == ""
    assert coverage(back.participants, back.circulation).complete
    assert any(e.event == "email confirmed" for e in back.audit)


# --- a scripted server for what aiosmtpd cannot be made to do -------------------------------------


@dataclass
class Script:
    """One SMTP conversation: `after_data(conn)` decides what happens once the message is in."""

    after_data: Callable[[socket.socket], None]
    utf8: bool = False
    port: int = 0
    messages: list[bytes] = field(default_factory=list)
    data_in: threading.Event = field(default_factory=threading.Event)


def _serve(script: Script, listener: socket.socket) -> None:
    conn, _ = listener.accept()
    with conn:
        stream = conn.makefile("rb")
        conn.sendall(b"220 scripted ESMTP\r\n")
        while line := stream.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                conn.sendall(
                    b"250-scripted\r\n"
                    + (b"250-SMTPUTF8\r\n" if script.utf8 else b"")
                    + b"250 8BITMIME\r\n"
                )
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                conn.sendall(b"250 OK\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go ahead\r\n")
                body = b""
                while (chunk := stream.readline()) and chunk != b".\r\n":
                    body += chunk
                script.messages.append(body)
                script.data_in.set()
                script.after_data(conn)
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"502 not here\r\n")


@pytest.fixture
def scripted() -> Iterator[Callable[[Script], Script]]:
    threads: list[threading.Thread] = []
    listeners: list[socket.socket] = []

    def start(script: Script) -> Script:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(60)
        script.port = listener.getsockname()[1]
        t = threading.Thread(target=_serve_quietly, args=(script, listener), daemon=True)
        t.start()
        threads.append(t)
        listeners.append(listener)
        return script

    yield start
    for listener in listeners:
        listener.close()
    for t in threads:
        t.join(timeout=10)


def _serve_quietly(script: Script, listener: socket.socket) -> None:
    with contextlib.suppress(OSError):  # the client went away: some tests do that to it
        _serve(script, listener)


def test_a_server_that_goes_quiet_after_the_message_is_reported_as_a_timeout_and_maybe_sent(
    store: FolderStore,
    saved: Meeting,
    settings: Settings,
    tmp_path: Path,
    scripted: Any,
    utf8_server: Server,
) -> None:
    ok = mail_settings(settings, utf8_server.port)
    circulate(store, saved.id, ok, out_dir=tmp_path, send_now=True)  # everyone has it
    release = threading.Event()

    def hold(conn: socket.socket) -> None:
        release.wait(10)

    script = scripted(Script(after_data=hold))
    s = mail_settings(settings, script.port)
    s = replace(s, smtp=s.smtp.model_copy(update={"timeout": 0.5}))
    try:
        with pytest.raises(MailError) as err:
            circulate(store, saved.id, s, out_dir=tmp_path, send_now=True, again=True)
    finally:
        release.set()
    message = err.value.message
    assert f"127.0.0.1:{script.port} gave no answer after the message was sent (timed out " in (
        message
    )
    assert "it may have been delivered" in message and "nothing was sent" not in message
    assert "--unsettled delivered" in message
    entry = store.load(saved.id).circulation[-1]
    assert entry.state == "unknown"
    assert len(entry.recipients) == 9 and entry.delivered == []

    # asked to resend: they are sent it again, though an earlier send reached them
    again = circulate(store, saved.id, ok, out_dir=tmp_path, send_now=True, unsettled="resend")
    assert len(again.delivered) == 9 and again.skipped == []
    assert len(utf8_server.inbox.messages) == 2
    back = store.load(saved.id)
    assert "chose to send it again" in back.circulation[-2].note
    assert back.circulation[-2].delivered == []  # what became of it is still not claimed


def test_a_server_that_stored_the_message_then_hung_up_is_not_nothing_sent(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path, scripted: Any
) -> None:
    script = scripted(Script(after_data=lambda conn: conn.shutdown(socket.SHUT_RDWR)))
    s = mail_settings(settings, script.port)
    with pytest.raises(MailError) as err:
        circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)
    assert "the server closed the connection" in err.value.message
    assert "it may have been delivered" in err.value.message
    assert "nothing was sent" not in err.value.message
    assert len(script.messages) == 1
    assert store.load(saved.id).circulation[-1].state == "unknown"


def test_a_timeout_before_anything_is_sent_says_timed_out(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path
) -> None:
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never greets
    try:
        s = mail_settings(settings, silent.getsockname()[1])
        s = replace(s, smtp=s.smtp.model_copy(update={"timeout": 0.5}))
        with pytest.raises(MailError) as err:
            circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)
    finally:
        silent.close()
    assert "(timed out after 0.5 s); nothing was sent" in err.value.message
    assert "closed the connection" not in err.value.message
    assert store.load(saved.id).circulation == []


# --- a real kill between the server's 250 and QUIT ------------------------------------------------


@pytest.mark.parametrize("when", ["before its 250", "after its 250"])
def test_a_kill_mid_send_then_retry_never_sends_silently_twice(
    when: str,
    isolated_home: Path,
    store: FolderStore,
    saved: Meeting,
    tmp_path: Path,
    scripted: Any,
    utf8_server: Server,
) -> None:
    answered = threading.Event()

    def after_data(conn: socket.socket) -> None:
        if when == "after its 250":
            conn.sendall(b"250 stored\r\n")
        answered.set()
        conn.settimeout(20)
        conn.recv(100)  # until the client is killed (or QUITs)

    script = scripted(Script(after_data=after_data))
    config(isolated_home, script.port)
    env = {**os.environ, "STRAT_HOME": str(isolated_home)}
    proc = subprocess.Popen(
        [strat_executable(), "email", saved.id, "--send", "--out", str(tmp_path)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert answered.wait(60), "the message never reached the server"
    finally:
        proc.kill()  # SIGKILL (TerminateProcess on Windows): no handler runs, no cleanup
        proc.wait(30)
    assert len(script.messages) == 1

    entry = store.load(saved.id).circulation[-1]  # never 'nothing went out'
    if entry.state:
        assert entry.state == "sending" and len(entry.recipients) == 8
    else:  # the kill came after the settle: recorded as delivered
        assert when == "after its 250" and len(entry.delivered) == 8

    config(isolated_home, utf8_server.port)  # the retry goes to a server that counts
    retry = runner.invoke(app, ["email", saved.id, "--retry", "--out", str(tmp_path)])
    assert retry.exit_code == 0, retry.output
    assert utf8_server.inbox.messages == []  # no silent duplicate
    if entry.state:
        assert "may already have the record" in retry.stderr
        assert "Nobody sent to" in retry.output
        resend = runner.invoke(
            app, ["email", saved.id, "--unsettled", "resend", "--out", str(tmp_path)]
        )
        assert resend.exit_code == 0, resend.output
        [(_, envelope, _)] = utf8_server.inbox.messages  # sent again because asked, audited
        assert len(envelope) == 8
        assert any(e.event == "email resent" for e in store.load(saved.id).audit)


@pytest.mark.parametrize("step", ["rcpt", "data"])
def test_ctrl_c_before_data_records_nothing_and_during_data_records_maybe(
    step: str,
    store: FolderStore,
    saved: Meeting,
    settings: Settings,
    tmp_path: Path,
    utf8_server: Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import smtplib

    def interrupted(self: smtplib.SMTP, *args: Any, **kw: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(smtplib.SMTP, step, interrupted)
    with pytest.raises(KeyboardInterrupt):
        circulate(
            store,
            saved.id,
            mail_settings(settings, utf8_server.port),
            out_dir=tmp_path,
            send_now=True,
        )
    back = store.load(saved.id)
    if step == "rcpt":
        assert back.circulation == []
        assert back.audit[-1].detail == "interrupted before sending"
    else:
        assert back.circulation[-1].state == "unknown"
        assert len(back.circulation[-1].recipients) == 9


# --- the rest of what the issue found ------------------------------------------------------------


def test_a_retry_with_nobody_left_still_audits_the_draft_it_wrote(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path, utf8_server: Server
) -> None:
    s = mail_settings(settings, utf8_server.port)
    circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)
    circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)
    last = store.load(saved.id).audit[-1]
    assert last.event == "email draft"
    assert "nobody left to send to" in last.detail


def test_printed_paths_and_names_are_never_read_as_markup(
    isolated_home: Path, store: FolderStore, saved: Meeting, tmp_path: Path, utf8_server: Server
) -> None:
    config(isolated_home, utf8_server.port)
    out = tmp_path / "out[/]"
    res = runner.invoke(app, ["email", saved.id, "--send", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert f"Draft saved: {out}" in res.output.replace("\n", "")

    agendas = tmp_path / "agendas[/bold]"
    agendas.mkdir(parents=True)
    from strat_cli.resources import shipped_dir

    national = (shipped_dir("agendas") / "national.yaml").read_text(encoding="utf-8")
    (agendas / "odd.yaml").write_text(
        national.replace("id: national", "id: odd", 1).replace("name:", "name: '[/] odd' #", 1),
        encoding="utf-8",
    )
    with (isolated_home / "config.toml").open("a", encoding="utf-8") as f:
        f.write(f'[agendas]\nfolder = "{agendas.as_posix()}"\n')
    listed = runner.invoke(app, ["agendas"])
    assert listed.exit_code == 0, listed.output
    assert "[/] odd" in listed.output

    store_dir = tmp_path / "store[/]"
    listing = runner.invoke(app, ["--store", str(store_dir), "list"])
    assert listing.exit_code == 0, listing.output


def test_the_settings_addresses_are_checked_when_mail_is_sent(
    isolated_home: Path, saved: Meeting, tmp_path: Path
) -> None:
    config(isolated_home, free_port())
    path = isolated_home / "config.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "[email]\n", '[email]\ncc = ["records@northshire.example", "records(at)northshire"]\n'
        ),
        encoding="utf-8",
    )
    res = runner.invoke(app, ["email", saved.id, "--out", str(tmp_path)])
    assert res.exit_code == 1
    assert "config.toml: email.cc (entry 2): not a valid email address" in res.stderr
    assert "records(at)" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


BAD_SETTINGS = {
    "timeout 0": ("[smtp]\ntimeout = 0\n", "smtp.timeout"),
    "timeout negative": ("[smtp]\ntimeout = -5\n", "smtp.timeout"),
    "timeout nan": ("[smtp]\ntimeout = nan\n", "smtp.timeout"),
    "timeout inf": ("[smtp]\ntimeout = inf\n", "smtp.timeout"),
    "timeout text": ('[smtp]\ntimeout = "soon"\n', "smtp.timeout"),
    "port out of range": ("[smtp]\nport = 70000\n", "smtp.port"),
    "port as text": ('[smtp]\nport = "five"\n', "smtp.port"),
    "security": ('[smtp]\nsecurity = "tls-please"\n', "smtp.security"),
    "cc numbers": ("[email]\ncc = [1, 2]\n", "email.cc (entry 1)"),
    "cc a table": ("[email]\ncc = { a = 1 }\n", "email.cc"),
    "to": ('[email]\nto = "everyone"\n', "email.to"),
    "sender CRLF": (
        '[email]\nsender = "mash@northshire.example\\r\\nBcc: x@evil.example"\n',
        "email.sender",
    ),
    "marking CRLF": (
        '[documents]\nmarking = "OFFICIAL\\r\\nBcc: x@evil.example"\n',
        "documents.marking",
    ),
    "user name LF": ('[user]\nname = "Tom\\nAske"\n', "user.name"),
    "templates a number": ("[documents]\ntemplates = 5\n", "documents.templates"),
    "section not a table": ("smtp = 3\n", "[smtp] must be a table"),
}


@pytest.mark.parametrize("case", list(BAD_SETTINGS))
def test_every_bad_setting_is_one_line_naming_it(case: str, isolated_home: Path) -> None:
    text, name = BAD_SETTINGS[case]
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["list"])
    assert res.exit_code == 1
    [line] = res.stderr.strip().splitlines()
    assert line.startswith(f"Error: {isolated_home / 'config.toml'}: {name}")
    for typed in ("evil", "soon", "five", "Aske", "everyone", "please"):
        assert typed not in line


def test_a_cc_written_as_one_address_is_one_address(
    isolated_home: Path, settings: Settings
) -> None:
    from strat_cli.settings import load_settings

    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(
        '[email]\ncc = "records@northshire.example"\n', encoding="utf-8"
    )
    assert load_settings(isolated_home).email.cc == ("records@northshire.example",)


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_a_settings_file_not_in_utf8_is_one_line(encoding: str, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text('[user]\nname = "Siân"\n', encoding=encoding)
    res = runner.invoke(app, ["list"])
    assert res.exit_code == 1
    [line] = res.stderr.strip().splitlines()
    assert line.startswith(f"Error: {isolated_home / 'config.toml'}: ")
    assert "UTF-8" in line


def test_a_settings_file_with_a_utf8_bom_is_read(isolated_home: Path) -> None:
    from strat_cli.settings import load_settings

    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text('[user]\nname = "Siân"\n', encoding="utf-8-sig")
    assert load_settings(isolated_home).user == "Siân"


def test_addresses_of_participants_never_reach_the_envelope_unchecked() -> None:
    """The regression that started it: smtplib turned whitlow"sam@… into RCPT TO:<whitlow>."""
    from strat_cli.addresses import BadAddress, canonical_address

    with pytest.raises(BadAddress, match=r"^the part before the @-sign is not valid$"):
        canonical_address('whitlow"sam@socialcare.northshire.example')
    assert canonical_address(" Sam.Whitlow@SocialCare.Northshire.EXAMPLE ") == (
        "Sam.Whitlow@socialcare.northshire.example"
    )


# --- a hostile server's words in the audit trail ---------------------------------------------------


HOSTILE_REFUSAL = "550 5.1.1 \x1b[2J\x1b]8;;http://x.example\x07gone\x07 \u2028 \u202e here"


def test_a_refusal_with_control_characters_settles_and_audits_the_send_without_a_crash(
    isolated_home: Path, store: FolderStore, saved: Meeting, tmp_path: Path, utf8_server: Server
) -> None:
    config(isolated_home, utf8_server.port)
    utf8_server.inbox.refusal = HOSTILE_REFUSAL
    utf8_server.inbox.refuse = {p.email.lower() for p in saved.participants if p.email} | {RECORDS}
    res = runner.invoke(app, ["email", saved.id, "--send", "--out", str(tmp_path)])
    assert res.exit_code == 1, res.output  # the refusal, not an internal error (70)
    assert "refused every recipient" in res.stderr
    back = store.load(saved.id)
    assert back.circulation == []  # settled: no attempt left "sending"
    last = back.audit[-1]
    assert last.event == "email failed"
    assert "every recipient refused" in last.detail
    assert "gone" in last.detail
    assert not any(c in last.detail for c in "\x1b\x07\u2028\u202e\r")


def test_a_partial_refusal_with_control_characters_is_settled(
    isolated_home: Path, store: FolderStore, saved: Meeting, tmp_path: Path, utf8_server: Server
) -> None:
    config(isolated_home, utf8_server.port)
    utf8_server.inbox.refusal = HOSTILE_REFUSAL
    utf8_server.inbox.refuse = {"lamb@police.northshire.example"}
    res = runner.invoke(app, ["email", saved.id, "--send", "--out", str(tmp_path)])
    assert res.exit_code == 1, res.output
    assert "refused 1 of" in res.stderr
    back = store.load(saved.id)
    assert [e.state for e in back.circulation] == [""]  # settled: not "sending"
    assert "lamb@police.northshire.example" in back.circulation[0].refused
    assert not any(c in back.audit[-1].detail for c in "\x1b\x07")
