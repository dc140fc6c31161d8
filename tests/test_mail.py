"""Circulation by email, against a real SMTP server (aiosmtpd) on loopback.

The library is tested directly for each failure; the CLI for the happy path and a server that
is down. Every message is read back with the standard library and every attachment with
python-docx, so "arrived intact" means what a participant would open.
"""

from __future__ import annotations

import io
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import docx
import pytest
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.errors import InputError, MailError
from strat_cli.mail import (
    circulate,
    received_current,
    recipients_for,
    resolve_password,
    subject_for,
)
from strat_cli.model import LONDON, Authorisation, Meeting, Status
from strat_cli.settings import EmailSettings, Settings, SmtpSettings
from strat_cli.store import FolderStore

runner = CliRunner()
PASSWORD = "correct horse"  # a test password: it must never reach the meeting file


# --- a real SMTP server on loopback ----------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inbox:
    """aiosmtpd handler: keeps every message and refuses chosen recipients with 550."""

    refuse: set[str] = field(default_factory=set)
    refuse_prefix: str = ""  # e.g. "bad": every address starting with it is refused
    refusal: str = "550 5.1.1 No such mailbox here"  # what a refused recipient is told
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        prefix = self.refuse_prefix.lower()
        if address.lower() in self.refuse or (prefix and address.lower().startswith(prefix)):
            return self.refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def parsed(self, n: int = -1) -> EmailMessage:
        msg = BytesParser(policy=policy.default).parsebytes(self.messages[n][2])
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class Server:
    inbox: Inbox
    port: int


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"chair@socialcare.northshire.example"
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


def _start(**kwargs: Any) -> Iterator[Server]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield Server(inbox, port)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[Server]:
    yield from _start()


@pytest.fixture
def auth_server() -> Iterator[Server]:
    yield from _start(authenticator=_authenticator, auth_require_tls=False)


def mail_settings(settings: Settings, port: int, **smtp: Any) -> Settings:
    return replace(
        settings,
        user="Tom Aske",
        email=EmailSettings(
            sender="mash@socialcare.northshire.example", cc=("mash-records@northshire.example",)
        ),
        smtp=SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=10, **smtp),
    )


def addresses(meeting: Meeting) -> list[str]:
    return [p.email for p in meeting.participants if p.email]


def attachments(msg: EmailMessage) -> dict[str, bytes]:
    out = {}
    for part in msg.iter_attachments():
        assert isinstance(part, EmailMessage)
        data = part.get_content()
        assert isinstance(data, bytes)
        out[str(part.get_filename())] = data
    return out


def config(home: Path, port: int) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f"""
[user]
name = "Tom Aske"
[email]
sender = "mash@socialcare.northshire.example"
[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
timeout = 10
""",
        encoding="utf-8",
    )


# --- drafts ---------------------------------------------------------------------------------


def test_the_email_body_carries_no_control_or_bidi_override_from_a_kept_record(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path
) -> None:
    """A record kept before text was checked at entry may hold an override that shows an
    action backwards in the recipient's mail client, or an escape: the body leaves them out."""
    m = store.load(saved.id)
    m.actions[0].what = "Visit \u202eemoh ta\u202c the family \x1b[2J today"
    store.save(m)
    result = circulate(store, saved.id, mail_settings(settings, free_port()), out_dir=tmp_path)
    msg = BytesParser(policy=policy.default).parsebytes(result.draft.read_bytes())
    assert isinstance(msg, EmailMessage)
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Visit emoh ta the family [2J today" in text
    assert not any(c in text for c in "\u202e\u202c\x1b")


def test_draft_parses_carries_x_unsent_and_every_document(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path
) -> None:
    s = mail_settings(settings, free_port())
    result = circulate(store, saved.id, s, out_dir=tmp_path / "out")

    msg = BytesParser(policy=policy.default).parsebytes(result.draft.read_bytes())
    assert isinstance(msg, EmailMessage)
    assert msg["X-Unsent"] == "1"
    assert msg["Subject"].startswith(f"Strategy discussion {saved.id} (19 Nov 2026)")
    assert msg["Subject"].endswith("— OFFICIAL-SENSITIVE")
    to = str(msg["To"])
    assert all(a in to for a in addresses(saved))
    assert "mash-records@northshire.example" in str(msg["Cc"])
    got = attachments(msg)
    assert set(got) == {p.name for p in result.documents.values()}
    assert len(got) == 3
    for name, data in got.items():
        assert data == result.documents[name].read_bytes()
        docx.Document(io.BytesIO(data))
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert saved.actions[0].what in text
    assert "Data Protection" in text  # the default footer

    back = store.load(saved.id)
    entry = back.circulation[-1]
    assert entry.method == "draft"
    assert entry.delivered == []
    assert set(entry.documents) == set(got)
    assert back.audit[-1].event == "email draft"
    assert back.rendered  # the renders are recorded, so the next run reuses them


def test_email_attaches_the_documents_in_the_order_render_writes_them(
    store: FolderStore, saved: Meeting, tmp_path: Path
) -> None:
    """One list of documents for render and email (resources.expand_docs): the same order
    however they are asked for, and the same error for one that is not there."""
    args = ["email", saved.id, "--out", str(tmp_path), "--doc", "summary", "--doc", "minutes"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    attached = [
        part.get_filename()
        for part in BytesParser(policy=policy.default)
        .parsebytes((tmp_path / f"{saved.id}-email.eml").read_bytes())
        .iter_attachments()
    ]
    assert [str(name).split("_")[1] for name in attached] == ["minutes", "summary"]
    res = runner.invoke(app, ["email", saved.id, "--out", str(tmp_path), "--doc", "letter"])
    assert res.exit_code == 1
    assert res.stderr.splitlines() == [
        "Error: no document 'letter' (choose from decision-sheet, minutes, summary)"
    ]


def test_subject_never_names_a_child(typical_meeting: Meeting) -> None:
    subject = subject_for(typical_meeting, "OFFICIAL-SENSITIVE")
    for child in typical_meeting.children:
        for part in child.name.split():
            assert part.lower() not in subject.lower()
    first = typical_meeting.children[0].name.split()[0]
    with pytest.raises(MailError, match="child's name"):
        subject_for(typical_meeting, f"OFFICIAL-SENSITIVE re {first}")


def test_participants_without_email_are_named(typical_meeting: Meeting, settings: Settings) -> None:
    typical_meeting.participants[7].email = ""
    typical_meeting.participants[4].email = "01632 960005"
    rec = recipients_for(typical_meeting, settings)
    assert rec.missing == (
        "Rita Mensah (Independent Domestic Violence Adviser, Northshire IDVA Service)",
    )
    assert rec.invalid == (
        "P5 Jo Castell (an email address must have an @-sign)",
    )  # not the typed text
    assert len(rec.to) == 6


def test_bcc_mode_hides_participants_on_the_wire(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path, smtp_server: Server
) -> None:
    s = mail_settings(settings, smtp_server.port)
    s = replace(s, email=s.email.model_copy(update={"to": "bcc"}))
    result = circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)

    draft = BytesParser(policy=policy.default).parsebytes(result.draft.read_bytes())
    assert all(a in str(draft["Bcc"]) for a in addresses(saved))
    _, rcpts, raw = smtp_server.inbox.messages[0]
    assert set(rcpts) == {*addresses(saved), "mash-records@northshire.example"}
    sent = smtp_server.inbox.parsed()
    assert sent["Bcc"] is None and sent["X-Unsent"] is None
    assert not any(a.encode() in raw for a in addresses(saved))


def test_only_narrows_and_rejects_strangers(typical_meeting: Meeting, settings: Settings) -> None:
    rec = recipients_for(typical_meeting, settings, only=["P3"])
    assert rec.all == ["lamb@police.northshire.example"]
    with pytest.raises(InputError, match="P99"):
        recipients_for(typical_meeting, settings, only=["P99"])


# --- sending --------------------------------------------------------------------------------


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_cli_send_delivers_every_document_intact(
    isolated_home: Path, store: FolderStore, saved: Meeting, tmp_path: Path, smtp_server: Server
) -> None:
    config(isolated_home, smtp_server.port)
    out = tmp_path / "out"
    res = runner.invoke(app, ["email", saved.id, "--send", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Sent to 8:" in res.stdout
    assert "Draft saved:" in res.stdout

    assert len(smtp_server.inbox.messages) == 1
    sender, rcpts, _ = smtp_server.inbox.messages[0]
    assert sender == "mash@socialcare.northshire.example"
    assert rcpts == addresses(saved)
    msg = smtp_server.inbox.parsed()
    assert msg["X-Unsent"] is None
    got = attachments(msg)
    assert len(got) == 3
    for name, data in got.items():
        assert data == (out / name).read_bytes()
        document = docx.Document(io.BytesIO(data))
        assert document.paragraphs is not None

    entry = store.load(saved.id).circulation[-1]
    assert entry.method == "smtp"
    assert entry.delivered == addresses(saved)
    assert entry.by == "Tom Aske"
    import hashlib

    assert entry.documents == {n: hashlib.sha256(d).hexdigest() for n, d in got.items()}

    # Run again: everyone has the current documents, so nothing is sent twice.
    res = runner.invoke(app, ["email", saved.id, "--send", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Nobody left to send to" in res.stdout
    assert len(smtp_server.inbox.messages) == 1


def test_cli_warns_about_participants_without_email(
    isolated_home: Path, store: FolderStore, typical_meeting: Meeting, tmp_path: Path
) -> None:
    typical_meeting.participants[7].email = ""
    store.save(typical_meeting)
    res = runner.invoke(app, ["email", typical_meeting.id, "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "Warning: no email address for: Rita Mensah" in res.stderr
    for child in typical_meeting.children:
        assert child.name not in res.output


def test_cli_server_down_keeps_draft_and_record(
    isolated_home: Path, store: FolderStore, typical_meeting: Meeting, tmp_path: Path
) -> None:
    typical_meeting.participants[7].email = ""
    saved = typical_meeting
    store.save(saved)
    port = free_port()  # nothing listens here
    config(isolated_home, port)
    first = runner.invoke(app, ["email", saved.id, "--out", str(tmp_path)])
    assert first.exit_code == 0, first.output
    before = store.load(saved.id).circulation

    res = runner.invoke(app, ["email", saved.id, "--send", "--out", str(tmp_path)])
    assert res.exit_code == 1
    draft = tmp_path / f"{saved.id}-email.eml"
    assert res.stderr.splitlines()[-1] == (
        f"Error: could not reach the mail server 127.0.0.1:{port} (connection refused); "
        f"nothing was sent. The draft is saved at {draft} (it can be sent from Outlook); "
        f"or try again with: strat email {saved.id} --retry"
    )
    assert "Warning: no email address for: Rita Mensah" in res.stderr
    assert draft.is_file()
    after = store.load(saved.id)
    assert after.circulation == before  # nothing recorded was lost, nothing false added
    assert after.audit[-1].event == "email failed"


def test_refused_recipient_then_retry_sends_only_to_them(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path, smtp_server: Server
) -> None:
    s = mail_settings(settings, smtp_server.port)
    smtp_server.inbox.refuse = {"lamb@police.northshire.example"}
    with pytest.raises(MailError) as err:
        circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)
    message = err.value.message
    assert "refused 1 of 9 recipients: lamb@police.northshire.example (550 5.1.1" in message
    assert "the other 8 received it" in message
    assert f"strat email {saved.id} --retry" in message
    assert (tmp_path / f"{saved.id}-email.eml").is_file()

    entry = store.load(saved.id).circulation[-1]
    assert "lamb@police.northshire.example" not in entry.delivered
    assert len(entry.delivered) == 8
    assert list(entry.refused) == ["lamb@police.northshire.example"]

    smtp_server.inbox.refuse = set()
    result = circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)
    assert smtp_server.inbox.messages[-1][1] == ["lamb@police.northshire.example"]
    assert result.delivered == ["lamb@police.northshire.example"]
    assert len(result.skipped) == 8
    back = store.load(saved.id)
    assert len(back.circulation) == 2  # the first entry is kept as it was
    everyone = {*addresses(saved), "mash-records@northshire.example"}
    assert received_current(back, entry.documents, entry.record) == everyone


def test_every_recipient_refused_is_not_circulation(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path, smtp_server: Server
) -> None:
    s = mail_settings(settings, smtp_server.port)
    smtp_server.inbox.refuse = {a.lower() for a in addresses(saved)} | {
        "mash-records@northshire.example"
    }
    with pytest.raises(MailError, match="refused every recipient"):
        circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)
    assert store.load(saved.id).circulation == []


def test_changed_record_is_rerendered_and_sent_to_everyone_again(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path, smtp_server: Server
) -> None:
    s = mail_settings(settings, smtp_server.port)
    first = circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)
    assert sorted(first.rerendered) == ["decision-sheet", "minutes", "summary"]
    same = circulate(store, saved.id, s, out_dir=tmp_path, send_now=True, docs=["summary"])
    assert same.rerendered == []

    with store.edit(saved.id) as m:
        m.reason += " Further concern raised by the school."
        store.save(m)
    again = circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)
    # the files that show the reason changed; the action summary does not show it
    assert sorted(again.rerendered) == ["decision-sheet", "minutes"]
    assert len(again.delivered) == 9
    assert again.skipped == []


@pytest.mark.folder_only(
    reason="expects the configured name; on a server the login names it (test_pgstore)"
)
def test_login_failure_then_success_and_password_never_saved(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path, auth_server: Server
) -> None:
    s = mail_settings(settings, auth_server.port, user="chair@socialcare.northshire.example")
    with pytest.raises(MailError) as err:
        circulate(store, saved.id, s, out_dir=tmp_path, send_now=True, password=lambda: "wrong")
    assert "refused the login for chair@socialcare.northshire.example (535" in err.value.message
    assert "nothing was sent" in err.value.message
    assert auth_server.inbox.messages == []

    result = circulate(
        store, saved.id, s, out_dir=tmp_path, send_now=True, password=lambda: PASSWORD
    )
    assert len(result.delivered) == 9
    assert PASSWORD not in store.path(saved.id).read_text(encoding="utf-8")
    assert PASSWORD.encode() not in result.draft.read_bytes()


def test_starttls_missing_is_a_tls_failure(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path, smtp_server: Server
) -> None:
    s = mail_settings(settings, smtp_server.port)
    s = replace(s, smtp=s.smtp.model_copy(update={"security": "starttls"}))
    with pytest.raises(MailError, match="does not offer STARTTLS"):
        circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)
    assert (tmp_path / f"{saved.id}-email.eml").is_file()


def test_ssl_to_a_plain_server_is_a_tls_failure(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path, smtp_server: Server
) -> None:
    s = mail_settings(settings, smtp_server.port)
    s = replace(s, smtp=s.smtp.model_copy(update={"security": "ssl"}))
    with pytest.raises(MailError, match=r"^TLS with the mail server 127\.0\.0\.1:\d+ failed"):
        circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)


def test_authorised_record_still_records_circulation(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path, smtp_server: Server
) -> None:
    saved.status = Status.authorised
    saved.authorisation = Authorisation(
        by="Dana Okafor", role="Team Manager", at=datetime(2026, 11, 19, 13, 0, tzinfo=LONDON)
    )
    store.save(saved)
    s = mail_settings(settings, smtp_server.port)
    circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)
    back = store.load(saved.id)
    assert back.locked and back.circulation[-1].delivered


def test_circulation_entry_feeds_the_one_working_day_check(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path, smtp_server: Server
) -> None:
    from strat_cli.agenda import get_agenda
    from strat_cli.deadlines import meeting_deadlines

    assert saved.ended_at is not None
    s = mail_settings(settings, smtp_server.port)
    end = saved.ended_at
    assert end is not None
    circulate(
        store,
        saved.id,
        s,
        out_dir=tmp_path,
        send_now=True,
        now=lambda: end + timedelta(hours=2),
    )
    back = store.load(saved.id)
    agenda = get_agenda(back.agenda, s.extra_agenda_dirs)
    assert meeting_deadlines(back, agenda).circulated_on_time is True


def test_password_from_env_or_prompt_never_guessed() -> None:
    smtp = SmtpSettings(host="127.0.0.1", user="chair@socialcare.northshire.example")
    assert resolve_password(smtp, {"STRAT_SMTP_PASSWORD": "x1"}, prompt=None) == "x1"
    assert resolve_password(smtp, {}, prompt=lambda label: "typed") == "typed"
    with pytest.raises(MailError, match="STRAT_SMTP_PASSWORD"):
        resolve_password(smtp, {}, prompt=None)
    assert resolve_password(SmtpSettings(), {}, prompt=None) is None


def test_documents_received_in_separate_messages_count(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path, smtp_server: Server
) -> None:
    s = mail_settings(settings, smtp_server.port)
    circulate(store, saved.id, s, out_dir=tmp_path, send_now=True, docs=["summary"])
    circulate(store, saved.id, s, out_dir=tmp_path, send_now=True, docs=["minutes"])
    both = circulate(
        store, saved.id, s, out_dir=tmp_path, send_now=True, docs=["minutes", "summary"]
    )
    assert both.delivered == [] and len(both.skipped) == 9
    assert len(smtp_server.inbox.messages) == 2


def test_cli_retry_after_a_refusal(
    isolated_home: Path, store: FolderStore, saved: Meeting, tmp_path: Path, smtp_server: Server
) -> None:
    config(isolated_home, smtp_server.port)
    smtp_server.inbox.refuse = {"brennan@education.northshire.example"}
    res = runner.invoke(app, ["email", saved.id, "--send", "--out", str(tmp_path)])
    assert res.exit_code == 1
    assert "Error: the mail server refused 1 of 8 recipients: brennan@" in res.stderr
    smtp_server.inbox.refuse = set()
    res = runner.invoke(app, ["email", saved.id, "--retry", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "Sent to 1: brennan@education.northshire.example" in res.stdout
    assert smtp_server.inbox.messages[-1][1] == ["brennan@education.northshire.example"]


@pytest.mark.parametrize("render_between", [False, True], ids=["retry", "render-then-retry"])
def test_cli_retry_after_correcting_the_address_sends_only_to_that_person(
    isolated_home: Path,
    store: FolderStore,
    saved: Meeting,
    tmp_path: Path,
    smtp_server: Server,
    render_between: bool,
) -> None:
    """The error's own advice (correct the address, then --retry) must not resend to the 7
    who have it: not because the record was edited, not because `strat render` wrote new
    files in between (the minutes then list the circulation, so their bytes change)."""
    config(isolated_home, smtp_server.port)
    with store.edit(saved.id) as m:
        m.participants[2].email = "bad.lamb@police.northshire.example"
        store.save(m)
    smtp_server.inbox.refuse_prefix = "bad"
    out = tmp_path / "out"
    res = runner.invoke(app, ["email", saved.id, "--send", "--out", str(out)])
    assert res.exit_code == 1
    assert "refused 1 of 8 recipients: bad.lamb@police.northshire.example" in res.stderr
    assert len(smtp_server.inbox.messages[0][1]) == 7

    with store.edit(saved.id) as m:  # the chair corrects the address in the record
        m.participants[2].email = "lamb@police.northshire.example"
        store.save(m)
    if render_between:
        res = runner.invoke(app, ["render", saved.id, "--out", str(out)])
        assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["email", saved.id, "--retry", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Sent to 1: lamb@police.northshire.example" in res.stdout
    assert len(smtp_server.inbox.messages) == 2
    assert smtp_server.inbox.messages[-1][1] == ["lamb@police.northshire.example"]
    if not render_between:
        # no document shows an email address; only the minutes changed, as they list who
        # received the record after the first send
        assert "Rendered (new or changed since the last render): minutes\n" in res.stdout

    res = runner.invoke(app, ["email", saved.id, "--retry", "--out", str(out)])
    assert "Nobody left to send to" in res.stdout
    assert len(smtp_server.inbox.messages) == 2


def test_a_child_named_after_a_month_can_be_emailed_that_month(
    store: FolderStore, typical_meeting: Meeting, settings: Settings, tmp_path: Path
) -> None:
    """The date in the subject ('20 May 2026') is strat's own text, not a child's name."""
    start = datetime(2026, 5, 20, 10, 0, tzinfo=LONDON)
    typical_meeting.started_at = start
    typical_meeting.ended_at = start + timedelta(minutes=55)
    typical_meeting.children[0].name = "May Thornton"
    store.save(typical_meeting)
    s = mail_settings(settings, free_port())
    result = circulate(store, typical_meeting.id, s, out_dir=tmp_path)
    msg = BytesParser(policy=policy.default).parsebytes(result.draft.read_bytes())
    assert " ".join(str(msg["Subject"]).split()) == (
        f"Strategy discussion {typical_meeting.id} (20 May 2026): record and actions"
        " — OFFICIAL-SENSITIVE"
    )
    for marking in ("OFFICIAL-SENSITIVE re May Thornton", "OFFICIAL-SENSITIVE (thornton)"):
        with pytest.raises(MailError, match="child's name"):
            subject_for(typical_meeting, marking)
    assert subject_for(typical_meeting, "OFFICIAL-SENSITIVE Mayfield").endswith("Mayfield")


def test_missing_smtp_settings_name_the_file(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path
) -> None:
    with pytest.raises(MailError, match=r"no SMTP server configured: set \[smtp\] host in "):
        circulate(store, saved.id, settings, out_dir=tmp_path, send_now=True)
    assert (tmp_path / f"{saved.id}-email.eml").is_file()
    assert store.load(saved.id).circulation == []


# --- real TLS: a throwaway certificate for 127.0.0.1 ------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    import shutil
    import subprocess

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _server_context(certificate: tuple[Path, Path]) -> Any:
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


def _trusting(certificate: tuple[Path, Path]) -> Any:
    import ssl

    return lambda: ssl.create_default_context(cafile=str(certificate[0]))


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[Server]:
    yield from _start(
        tls_context=_server_context(certificate),
        require_starttls=True,
        authenticator=_authenticator,
    )


@pytest.fixture
def ssl_server(certificate: tuple[Path, Path]) -> Iterator[Server]:
    yield from _start(ssl_context=_server_context(certificate), authenticator=_authenticator)


def test_starttls_and_login_deliver(
    store: FolderStore,
    saved: Meeting,
    settings: Settings,
    tmp_path: Path,
    starttls_server: Server,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from strat_cli import mail

    monkeypatch.setattr(mail, "tls_context", _trusting(certificate))
    s = mail_settings(settings, starttls_server.port, user="chair@socialcare.northshire.example")
    s = replace(s, smtp=s.smtp.model_copy(update={"security": "starttls"}))
    result = circulate(
        store, saved.id, s, out_dir=tmp_path, send_now=True, password=lambda: PASSWORD
    )
    assert len(result.delivered) == 9
    assert len(starttls_server.inbox.messages) == 1


def test_implicit_ssl_delivers(
    store: FolderStore,
    saved: Meeting,
    settings: Settings,
    tmp_path: Path,
    ssl_server: Server,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from strat_cli import mail

    monkeypatch.setattr(mail, "tls_context", _trusting(certificate))
    s = mail_settings(settings, ssl_server.port)
    s = replace(s, smtp=s.smtp.model_copy(update={"security": "ssl"}))
    result = circulate(store, saved.id, s, out_dir=tmp_path, send_now=True)
    assert len(result.delivered) == 9


def test_untrusted_certificate_is_a_tls_failure(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path, starttls_server: Server
) -> None:
    s = mail_settings(settings, starttls_server.port, user="chair@socialcare.northshire.example")
    s = replace(s, smtp=s.smtp.model_copy(update={"security": "starttls"}))
    with pytest.raises(MailError) as err:
        circulate(store, saved.id, s, out_dir=tmp_path, send_now=True, password=lambda: PASSWORD)
    assert err.value.message.startswith(
        f"TLS with the mail server 127.0.0.1:{starttls_server.port} failed "
        "(the server's certificate is not trusted: "
    )
    assert starttls_server.inbox.messages == []
    assert store.load(saved.id).circulation == []


def test_a_draft_counts_as_circulated_only_once_recorded_as_sent(
    isolated_home: Path, store: FolderStore, saved: Meeting, tmp_path: Path
) -> None:
    """Outlook is out of strat's sight: the minute taker's word, attributed, is the record."""
    from strat_cli.agenda import get_agenda
    from strat_cli.deadlines import meeting_deadlines

    refused = runner.invoke(app, ["email", saved.id, "--sent"])
    assert refused.exit_code == 1
    assert f"no email draft to mark as sent: run strat email {saved.id}" in refused.output
    assert runner.invoke(app, ["email", saved.id, "--out", str(tmp_path)]).exit_code == 0
    agenda = get_agenda("national")
    assert meeting_deadlines(store.load(saved.id), agenda).circulated_on_time is None

    res = runner.invoke(app, ["email", saved.id, "--sent"])
    assert res.exit_code == 0, res.output
    assert "Recorded: the draft went to" in res.output
    back = store.load(saved.id)
    draft, sent = back.circulation[-2:]
    assert sent.method == "draft sent" and sent.delivered == draft.recipients
    assert sent.documents == draft.documents
    assert back.audit[-1].event == "emailed"
    # sent on the day of the meeting? No: the example met on 19 Nov, so this is late.
    assert meeting_deadlines(back, agenda).circulated_on_time is False


def test_email_never_attaches_a_stale_file_left_in_the_folder(
    store: FolderStore, saved: Meeting, settings: Settings, tmp_path: Path
) -> None:
    """Render to A, change the record, render to B, then email from A: A's files are renewed."""
    s = mail_settings(settings, free_port())
    a, b = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(app, ["render", saved.id, "--out", str(a)]).exit_code == 0
    with store.edit(saved.id) as m:
        m.reason += " Further concern raised by the school."
        store.save(m)
    assert runner.invoke(app, ["render", saved.id, "--out", str(b)]).exit_code == 0
    result = circulate(store, saved.id, s, out_dir=a)
    sheet = next(p for n, p in result.documents.items() if "decision-sheet" in n)
    text = "\n".join(
        cell.text for t in docx.Document(str(sheet)).tables for row in t.rows for cell in row.cells
    )
    assert "Further concern raised by the school." in text


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_the_drafts_folder_is_private_whatever_the_umask(tmp_path: Path) -> None:
    import os

    from strat_cli.mail import write_draft

    msg = EmailMessage()
    msg["Subject"] = "SD-2026-0001"
    msg.set_content("x")
    old = os.umask(0)
    try:
        path = write_draft(msg, tmp_path / "new" / "drafts" / "SD-2026-0001-email.eml")
    finally:
        os.umask(old)
    assert (path.parent.stat().st_mode & 0o777) == 0o700
    assert (path.parent.parent.stat().st_mode & 0o777) == 0o700
    assert (path.stat().st_mode & 0o777) == 0o600


def test_the_attachments_intent_is_audited_before_they_are_written(
    store: FolderStore, typical_meeting: Meeting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import strat_cli.mail as mail_module

    store.save(typical_meeting)

    def killed(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt  # as if the process stopped while writing the attachments

    monkeypatch.setattr(mail_module, "ensure_documents", killed)
    res = runner.invoke(app, ["email", typical_meeting.id, "--out", str(tmp_path)])
    assert res.exit_code == 130
    last = store.load(typical_meeting.id).audit[-1]
    assert (last.event, last.detail.endswith(f"to {tmp_path} for email")) == ("rendering", True)
