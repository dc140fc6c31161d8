"""Circulation by email: build one message with the documents, save it as an Outlook draft,
optionally send it over SMTP, and record in the meeting exactly who received what.

The record must reach every participant within one working day and the council must be able
to show it did, so every attempt lands in ``meeting.circulation`` (who, when, which documents
and the sha256 of their bytes) before any error reaches the user. A retry sends only to those
who have not yet received the current documents. Passwords never touch the meeting file.
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .addresses import BadAddress, address_key, canonical_address, needs_smtputf8
from .circulation import is_unsettled
from .errors import InputError, MailError, StratError
from .model import LONDON, CirculationEntry, Meeting, Method
from .resources import expand_docs
from .timeutil import format_uk

if TYPE_CHECKING:
    from .agenda import Agenda
    from .settings import Settings, SmtpSettings
    from .stores import RecordStore

DOCX_SUBTYPE = "vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- recipients ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipients:
    """Who the message goes to (canonical addresses), and the participants it cannot reach."""

    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    missing: tuple[str, ...]  # "Name (Role, Agency)" of participants without an address
    invalid: tuple[str, ...]  # "Name: why" where the address is not one strat sends to
    unreachable: dict[str, str] = field(default_factory=dict)  # participant id → why

    @property
    def all(self) -> list[str]:
        """Every envelope recipient once, in header order."""
        return _dedupe([*self.to, *self.cc, *self.bcc])

    def keeping(self, addresses: Iterable[str]) -> Recipients:
        """The same message, addressed only to these (the others could not be sent to)."""
        keep = {address_key(a) for a in addresses}

        def only(group: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(a for a in group if address_key(a) in keep)

        return replace(self, to=only(self.to), cc=only(self.cc), bcc=only(self.bcc))


def _dedupe(addresses: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for a in addresses:
        key = address_key(a)
        if key and key not in seen:
            seen.add(key)
            out.append(a.strip())
    return out


def _describe(name: str, role: str, agency: str) -> str:
    extra = ", ".join(x for x in (role, agency) if x)
    return f"{name} ({extra})" if extra else name


def recipients_for(
    meeting: Meeting, settings: Settings, only: Iterable[str] | None = None
) -> Recipients:
    """Participants with an address go in To (or Bcc when configured); cc/bcc are added.

    Every address is the canonical form from email-validator: the one string used on the
    envelope, in the header and in the log. `only` (participant ids or addresses) narrows the
    list, e.g. to resend to one person.
    """
    asked = {address_key(w): w.strip() for w in only} if only is not None else None
    wanted = set(asked) if asked is not None else None
    people: list[str] = []
    missing: list[str] = []
    invalid: list[str] = []
    unreachable: dict[str, str] = {}
    for p in meeting.participants:
        raw = p.email.strip()
        address = _canonical_or_none(raw)
        keys = {address_key(raw)} | ({address_key(address)} if address else set())
        if wanted is not None and p.id.lower() not in wanted and not keys & wanted:
            continue
        if not raw:
            missing.append(_describe(p.name, p.role, p.agency))
            unreachable[p.id] = "no email address"
        elif address is None:
            why = _why_not(raw)
            invalid.append(f"{p.id} {p.name} ({why})")  # never the address as typed
            unreachable[p.id] = f"not a valid email address ({why})"
        else:
            people.append(address)
    _, fixed_cc, fixed_bcc = configured_addresses(settings)
    if wanted is not None:
        fixed_cc = [
            a
            for a, raw in zip(fixed_cc, settings.email.cc, strict=True)
            if {address_key(a), address_key(raw)} & wanted
        ]
        fixed_bcc = [
            a
            for a, raw in zip(fixed_bcc, settings.email.bcc, strict=True)
            if {address_key(a), address_key(raw)} & wanted
        ]
        known = {p.id.lower() for p in meeting.participants}
        for p in meeting.participants:
            known.add(address_key(p.email))
            if (c := _canonical_or_none(p.email)) is not None:
                known.add(address_key(c))
        known |= {address_key(a) for a in (*settings.email.cc, *settings.email.bcc)}
        known |= {address_key(a) for a in (*fixed_cc, *fixed_bcc)}
        unknown = sorted(asked[w] for w in wanted - known) if asked else []
        if unknown:
            raise InputError(
                f"--only {', '.join(unknown)}: not a participant id or address of {meeting.id}"
            )
    people = _dedupe(people)
    if settings.email.to == "bcc":
        to: list[str] = []
        bcc = _dedupe([*people, *fixed_bcc])
    else:
        to = people
        bcc = _dedupe(fixed_bcc)
    taken = {address_key(a) for a in (*to, *bcc)}
    cc = [a for a in _dedupe(fixed_cc) if address_key(a) not in taken]
    return Recipients(tuple(to), tuple(cc), tuple(bcc), tuple(missing), tuple(invalid), unreachable)


def configured_addresses(settings: Settings) -> tuple[str, list[str], list[str]]:
    """The sender, cc and bcc from the settings in canonical form; a wrong one is named by
    its setting and file (the value is not repeated)."""
    where = settings.config_path or "the settings file"

    def one(raw: str, key: str) -> str:
        try:
            return canonical_address(raw)
        except BadAddress as exc:
            raise MailError(f"{where}: {key}: not a valid email address ({exc})") from None

    sender = one(settings.email.sender, "email.sender") if settings.email.sender else ""
    cc = [one(a, f"email.cc (entry {n})") for n, a in enumerate(settings.email.cc, start=1)]
    bcc = [one(a, f"email.bcc (entry {n})") for n, a in enumerate(settings.email.bcc, start=1)]
    return sender, cc, bcc


def _canonical_or_none(raw: str) -> str | None:
    try:
        return canonical_address(raw)
    except BadAddress:
        return None


def _why_not(raw: str) -> str:
    try:
        canonical_address(raw)
    except BadAddress as exc:
        return str(exc)
    return "not a valid email address"


# --- the message ------------------------------------------------------------------------------


def uk_date(value: datetime) -> str:
    """'19 Nov 2026': unambiguous in a subject line, whatever the reader's or machine's locale."""
    from .timeutil import format_uk_day, london

    return format_uk_day(london(value).date())


def subject_for(meeting: Meeting, marking: str) -> str:
    """The reference and the date, never a name: subjects show in every inbox preview.

    Only the protective marking comes from outside strat (the settings), so only it is
    checked for a child's name; the rest is fixed text, the reference and the date, which
    holds month names a child may share ('20 May 2026' for a child called May)."""
    day = uk_date(meeting.started_at.astimezone(LONDON))
    subject = f"Strategy discussion {meeting.id} ({day}): record and actions"
    mark = marking.strip()
    if mark:
        if names_a_child(meeting, mark):
            raise MailError(
                "the email subject would contain a child's name (check the protective "
                "marking in the settings); nothing was sent"
            )
        subject += f" — {mark}"
    return subject


def names_a_child(meeting: Meeting, text: str) -> bool:
    """Whether `text` holds any part of a child's name (of three letters or more) as a whole
    word, so a full name, a given and family name, or either alone is caught, but 'Mayfield'
    does not match May."""
    for child in meeting.children:
        for part in child.name.split():
            if len(part) > 2 and re.search(rf"(?<!\w){re.escape(part)}(?!\w)", text, re.IGNORECASE):
                return True
    return False


def body_for(summary: str, footer: str, marking: str) -> str:
    """The action summary as plain text, then the data-protection footer."""
    parts = []
    head = summary.lstrip().split("\n", 1)[0]
    if marking.strip() and marking.strip() not in head:
        parts.append(marking.strip())
    parts.append(summary.rstrip())
    if footer.strip():
        parts.append("-- \n" + footer.strip())
    from .safetext import for_file  # a record kept before the entry checks may hold controls

    return for_file("\n\n".join(parts) + "\n")


def build_message(
    *,
    subject: str,
    body: str,
    sender: str,
    recipients: Recipients,
    attachments: list[tuple[str, bytes]],
    draft: bool,
    now: datetime | None = None,
) -> EmailMessage:
    """One MIME message; `draft` adds X-Unsent: 1 so Outlook opens it as a new message."""
    msg = EmailMessage()
    msg["Subject"] = subject
    if sender:
        msg["From"] = sender
    if recipients.to:
        msg["To"] = ", ".join(recipients.to)
    elif recipients.bcc:
        # Everyone is in Bcc: an empty group keeps the To line honest and the addresses private.
        msg["To"] = sender or "undisclosed-recipients:;"
    if recipients.cc:
        msg["Cc"] = ", ".join(recipients.cc)
    if recipients.bcc and draft:
        # Only the draft carries Bcc (for Outlook to fill in); the sent copy never does.
        msg["Bcc"] = ", ".join(recipients.bcc)
    msg["Date"] = formatdate((now or datetime.now(LONDON)).timestamp(), localtime=True)
    domain = sender.rpartition("@")[2] if "@" in sender else "strat.invalid"
    msg["Message-ID"] = make_msgid(domain=domain)
    if draft:
        msg["X-Unsent"] = "1"
    msg.set_content(body)
    for name, data in attachments:
        msg.add_attachment(data, maintype="application", subtype=DOCX_SUBTYPE, filename=name)
    return msg


def _policy(msg: EmailMessage) -> Any:
    """SMTP's CRLF policy; raw UTF-8 headers when an address needs them (an encoded-word
    inside an address is not valid, and mail programs show it as garbage). Header lines are
    not folded below 998 characters: Python's folding before an encoded word (the em dash
    before the marking) decodes with a double space."""
    from email import policy

    headers = " ".join(str(msg.get(h, "")) for h in ("From", "To", "Cc", "Bcc"))
    base = policy.SMTPUTF8 if not headers.isascii() else policy.SMTP
    return base.clone(max_line_length=998)


def write_draft(msg: EmailMessage, path: Path) -> Path:
    """Save the .eml atomically (a half-written draft would open as garbage in Outlook)."""
    from .files import private_folder
    from .store import atomic_write

    try:
        private_folder(path.parent)  # 0700 whatever the umask: drafts hold the whole record
    except OSError as exc:
        raise MailError(f"{path.parent}: cannot create the folder ({exc.strerror})") from None
    atomic_write(path, msg.as_bytes(policy=_policy(msg)), export="the draft was not written")
    return path


def wire_bytes(msg: EmailMessage) -> bytes:
    """The message as sent: CRLF line ends, as SMTP wants."""
    return msg.as_bytes(policy=_policy(msg))


def draft_name(meeting: Meeting) -> str:
    return f"{meeting.id}-email.eml"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- sending ----------------------------------------------------------------------------------


@dataclass
class SendResult:
    delivered: list[str]
    refused: dict[str, str]


class MailOutcomeUnknown(MailError):
    """The message went to the server but no answer came back: it may have been delivered.

    Said, and recorded as such, never reported as 'nothing was sent'."""

    def __init__(self, message: str, accepted: list[str], refused: dict[str, str]) -> None:
        super().__init__(message)
        self.accepted = accepted
        self.refused = refused


class RecordingFailed(MailError):
    """The server took the message but saving that fact failed (a full disk): the attempt
    stays on record as unsettled, which is what keeps a retry from sending it twice."""


NO_SMTPUTF8 = "the mail server does not accept addresses with non-ASCII letters (no SMTPUTF8)"


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


def resolve_password(
    smtp: SmtpSettings,
    env: Mapping[str, str],
    *,
    prompt: Callable[[str], str] | None,
) -> str | None:
    """The SMTP password from the named environment variable, else a hidden prompt.

    Returns None when no login is configured. `prompt` is None when there is no terminal.
    """
    if not smtp.user:
        return None
    value = env.get(smtp.password_env, "") if smtp.password_env else ""
    if value:
        return value
    if prompt is None:
        raise MailError(
            f"the SMTP password for {smtp.user} is needed: set the environment variable "
            f"{smtp.password_env or 'named by smtp.password_env'} or run in a terminal"
        )
    value = prompt(f"SMTP password for {smtp.user} at {smtp.host}: ")
    if not value:
        raise MailError("no SMTP password given; nothing was sent")
    return value


def tls_context() -> ssl.SSLContext:
    """The system's trusted certificates, verified: a council relay must prove who it is."""
    return ssl.create_default_context()


def check_settings(settings: Settings) -> None:
    """Say which setting is missing, and in which file, before a connection is tried."""
    where = settings.config_path or "the settings file"
    if not settings.smtp.host:
        raise MailError(f"no SMTP server configured: set [smtp] host in {where}")
    if not settings.email.sender:
        raise MailError(f"no sender address configured: set [email] sender in {where}")


def send(
    make_message: Callable[[list[str]], bytes],
    sender: str,
    recipients: list[str],
    smtp: SmtpSettings,
    password: str | None,
    *,
    accepted: Callable[[SendResult], None] = lambda result: None,
    sending: Callable[[list[str]], None] = lambda taken: None,
) -> SendResult:
    """Deliver the message to the server; every failure becomes one MailError naming what
    failed.

    `make_message(addresses)` gives the bytes addressed to those who can be sent to on this
    connection (an address with non-ASCII letters needs a server that offers SMTPUTF8; without
    it that one recipient is refused and the rest are sent). Per-recipient refusals are not
    errors: they come back in the result. `sending(accepted_recipients)` is called just before
    DATA. `accepted` is called as soon as the server has taken
    the message (its 250 after DATA), before QUIT, so the caller can record it at once.
    Anything that goes wrong after the message went to the server raises MailOutcomeUnknown.
    """
    where = f"{smtp.host}:{smtp.port}"
    if not smtp.host:
        raise MailError("no SMTP server configured: set [smtp] host in the settings file")
    if not sender:
        raise MailError("no sender address configured: set [email] sender in the settings file")
    if not recipients:
        raise MailError("nobody to send to")
    context = tls_context()
    client: smtplib.SMTP | None = None
    try:
        try:
            if smtp.security == "ssl":
                client = smtplib.SMTP_SSL(
                    smtp.host, smtp.port, timeout=smtp.timeout, context=context
                )
            else:
                client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        except ssl.SSLError as exc:
            raise MailError(
                f"TLS with the mail server {where} failed ({_ssl_reason(exc)})"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(
                f"could not reach the mail server {where} ({_os_reason(exc, smtp)})"
            ) from None
        try:
            client.ehlo()
            if smtp.security == "starttls":
                if not client.has_extn("starttls"):
                    raise MailError(
                        f"the mail server {where} does not offer STARTTLS; check [smtp] security"
                    )
                client.starttls(context=context)
                client.ehlo()
        except ssl.SSLError as exc:
            raise MailError(
                f"TLS with the mail server {where} failed ({_ssl_reason(exc)})"
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise MailError(
                f"the mail server {where} refused to start TLS ({_reply(exc.smtp_code, exc.smtp_error)})"
            ) from None
        if smtp.user:
            try:
                client.login(smtp.user, password or "")
            except smtplib.SMTPAuthenticationError as exc:
                raise MailError(
                    f"the mail server {where} refused the login for {smtp.user} "
                    f"({_reply(exc.smtp_code, exc.smtp_error)}); check the user and password"
                ) from None
            except smtplib.SMTPNotSupportedError:
                raise MailError(
                    f"the mail server {where} does not accept logins on this connection; "
                    "check [smtp] security (starttls or ssl)"
                ) from None
            except smtplib.SMTPException as exc:
                raise MailError(f"login to the mail server {where} failed ({exc})") from None
        return _transaction(
            client, make_message, sender, recipients, where, smtp, accepted, sending
        )
    except MailError:
        raise
    except ssl.SSLError as exc:
        raise MailError(f"TLS with the mail server {where} failed ({_ssl_reason(exc)})") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"the mail server {where} failed ({_os_reason(exc, smtp)})") from None
    finally:
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()


def _transaction(
    client: smtplib.SMTP,
    make_message: Callable[[list[str]], bytes],
    sender: str,
    recipients: list[str],
    where: str,
    smtp: SmtpSettings,
    accepted: Callable[[SendResult], None],
    sending: Callable[[list[str]], None],
) -> SendResult:
    """MAIL, RCPT for each, DATA: done step by step (not smtplib.sendmail) so that each
    recipient's answer is known, and a failure before DATA (nothing sent) is told apart from
    one after it (possibly delivered)."""
    utf8 = client.has_extn("smtputf8")
    refused: dict[str, str] = {}
    if needs_smtputf8(sender) and not utf8:
        raise MailError(
            f"the sender address needs SMTPUTF8, which the mail server {where} does not offer"
        )
    sendable = []
    for a in recipients:
        if needs_smtputf8(a) and not utf8:
            refused[a] = NO_SMTPUTF8
        else:
            sendable.append(a)
    if not sendable:
        return SendResult([], refused)
    raw = make_message(sendable)
    options: list[str] = []
    if utf8 and (not raw.isascii() or needs_smtputf8(sender) or any(map(needs_smtputf8, sendable))):
        options = ["SMTPUTF8"]
        if client.has_extn("8bitmime"):
            options.append("BODY=8BITMIME")
    code, text = client.mail(sender, options)
    if code != 250:
        client.rset()
        raise MailError(
            f"the mail server {where} refused the sender {sender} ({_reply(code, text)})"
        )
    taken: list[str] = []
    for a in sendable:
        code, text = client.rcpt(a)
        if code in (250, 251):
            taken.append(a)
        else:
            refused[a] = _reply(code, text)
    if not taken:
        client.rset()
        return SendResult([], refused)
    try:
        sending(taken)  # from here on, the message may reach them
        code, text = client.data(raw)
    except smtplib.SMTPDataError as exc:  # an answer: the server said no
        raise MailError(
            f"the mail server {where} refused the message ({_reply(exc.smtp_code, exc.smtp_error)})"
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise MailOutcomeUnknown(
            f"the mail server {where} gave no answer after the message was sent "
            f"({_os_reason(exc, smtp)}); it may have been delivered",
            taken,
            refused,
        ) from None
    if code != 250:
        raise MailError(f"the mail server {where} refused the message ({_reply(code, text)})")
    result = SendResult(taken, refused)
    accepted(result)
    return result


def _ssl_reason(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the server's certificate is not trusted: {exc.verify_message}"
    return str(exc.reason) if exc.reason else str(exc)


def _os_reason(exc: BaseException, smtp: SmtpSettings | None = None) -> str:
    """What went wrong, as a person would say it. smtplib turns a timeout while waiting for a
    reply into 'Connection unexpectedly closed: timed out'; that is still a timeout."""
    after = f" after {smtp.timeout:g} s" if smtp is not None else ""
    if isinstance(exc, socket.timeout | TimeoutError) or "timed out" in str(exc):
        return f"timed out{after}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "unknown host name"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or exc.__class__.__name__


# --- the record --------------------------------------------------------------------------------


def received_current(
    meeting: Meeting, documents: Mapping[str, str], record: str, *, unsettled: bool = False
) -> set[str]:
    """Addresses (address_key) that already have every one of these documents (file name →
    sha256) as made from `record` (render.record_hash), in one message or several.

    Decided on the record, not the file's bytes: the minutes list the circulation log, so a
    render after a send gives new bytes for the same record. The record hash leaves out
    participants' email addresses and phone numbers, so correcting a refused address and
    retrying reaches only that person. An entry that names no record is compared by bytes.

    With `unsettled`, an attempt whose outcome was never recorded (killed, disk full, the
    server went quiet) counts as if it arrived: the answer is who *may* have them."""

    def has(entry: CirculationEntry, name: str, digest: str) -> bool:
        if name not in entry.documents:
            return False
        return entry.record == record if entry.record else entry.documents[name] == digest

    delivered: dict[str, list[CirculationEntry]] = {}
    for entry in meeting.circulation:
        if is_unsettled(entry):
            if not unsettled:
                continue
            reached = [a for a in entry.recipients if a not in entry.refused]
        else:
            reached = entry.delivered
        for address in reached:
            delivered.setdefault(address_key(address), []).append(entry)
    return {
        address
        for address, entries in delivered.items()
        if all(any(has(e, n, d) for e in entries) for n, d in documents.items())
    }


def unsettled_entries(meeting: Meeting) -> list[CirculationEntry]:
    """Sends whose outcome was never recorded: the recipients may have the record."""
    return [c for c in meeting.circulation if is_unsettled(c)]


@dataclass
class Circulation:
    """What `circulate` did, for the CLI to report."""

    draft: Path
    documents: dict[str, Path]  # file name → path
    rerendered: list[str]
    recipients: Recipients
    sent: bool = False
    delivered: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # already had the current documents
    possibly: list[str] = field(default_factory=list)  # an unsettled attempt may have reached
    error: str = ""


def ensure_documents(
    meeting: Meeting, settings: Settings, docs: list[str], out_dir: Path
) -> tuple[dict[str, Path], list[str]]:
    """The .docx files to attach, rendered afresh from the record, so what goes out is always
    the current record, whatever was left in `out_dir` by an earlier render. Rendering is
    repeatable, so a file that did not change keeps its bytes. Returns {doc: path} and the docs
    whose file is new or changed."""
    from . import render
    from .agenda import get_agenda

    paths = {d: out_dir / render.document_filename(meeting, d) for d in docs}
    before = {d: p.read_bytes() if p.is_file() else None for d, p in paths.items()}
    agenda = get_agenda(meeting.agenda, settings.extra_agenda_dirs)
    render.render_documents(meeting, agenda, settings, docs, out_dir)
    current = render.record_hash(meeting)
    for d in docs:
        meeting.rendered[d] = current
    return paths, [d for d in docs if paths[d].read_bytes() != before[d]]


UNSETTLED_CHOICES = ("delivered", "resend")


def circulate(
    store: RecordStore,
    meeting_id: str,
    settings: Settings,
    *,
    docs: Iterable[str] = ("all",),
    out_dir: Path,
    send_now: bool = False,
    again: bool = False,
    only: Iterable[str] | None = None,
    unsettled: str = "",
    password: Callable[[], str | None] = lambda: None,
    now: Callable[[], datetime] = lambda: datetime.now(LONDON),
    warn: Callable[[str], None] = lambda message: None,
) -> Circulation:
    """Prepare the message, save the draft, send it if asked, and record all of it.

    The attempt is saved ('sending') before the SMTP transaction starts and settled as soon as
    the server answers, so a kill, a full disk or a silent server can never leave the record
    saying nothing went out when it did. With `send_now`, people who already received the
    current documents are skipped unless `again`, and people an unsettled attempt may have
    reached are skipped and named, until `unsettled` says what happened ('delivered': they
    confirmed it; 'resend': send to them again). That is what makes a retry safe to run as
    often as needed.
    """
    from . import render
    from .agenda import get_agenda

    chosen = expand_docs(docs)
    if not chosen:
        raise InputError("no documents chosen")
    if unsettled and unsettled not in UNSETTLED_CHOICES:
        raise InputError(f"--unsettled {unsettled}: choose delivered or resend")
    with store.edit(meeting_id, allow_locked=True) as meeting:
        agenda = get_agenda(meeting.agenda, settings.extra_agenda_dirs)
        if why := not_yet_authorised(meeting, agenda):
            if send_now:
                raise StratError(
                    f"{why}: a manager authorises first (strat authorise {meeting.id})"
                )
            warn(f"{why}: do not send this draft until a manager has authorised it")
        if unsettled and not unsettled_entries(meeting):
            raise InputError(f"--unsettled: {meeting.id} has no send whose outcome is unknown")
        who = settings.actor
        names = [render.document_filename(meeting, d) for d in chosen]
        # The intent first, as strat render does: a send killed while the attachments are
        # written still shows in the audit trail that documents went to that folder.
        meeting.log("rendering", f"{', '.join(names)} to {out_dir} for email", who=who, at=now())
        store.save(meeting)
        paths, stale = ensure_documents(meeting, settings, chosen, out_dir)
        if stale:
            meeting.log("rendered", f"{', '.join(stale)} for email", who=who, at=now())
            store.save(meeting)
        attachments: list[tuple[str, bytes]] = []
        for d in chosen:
            try:
                attachments.append((paths[d].name, paths[d].read_bytes()))
            except OSError as exc:
                raise MailError(f"{paths[d]}: cannot read ({exc.strerror})") from None
        documents = {name: sha256(data) for name, data in attachments}
        record = meeting.rendered[chosen[0]]  # ensure_documents made them all from this record
        recipients = recipients_for(meeting, settings, only)
        # Said before anything can fail, so the chair knows who to reach another way.
        if recipients.missing:
            warn(f"no email address for: {'; '.join(recipients.missing)}")
        if recipients.invalid:
            warn(f"not a valid email address, left out: {'; '.join(recipients.invalid)}")
        subject = subject_for(meeting, settings.marking)
        body = body_for(
            render.summary_text(meeting, agenda, settings),
            settings.email.footer,
            settings.marking,
        )
        sender = configured_addresses(settings)[0]
        stamp = now()

        def message(to: Recipients, *, draft: bool) -> EmailMessage:
            return build_message(
                subject=subject,
                body=body,
                sender=sender,
                recipients=to,
                attachments=attachments,
                draft=draft,
                now=stamp,
            )

        draft = write_draft(message(recipients, draft=True), out_dir / draft_name(meeting))
        result = Circulation(
            draft=draft,
            documents={name: paths[d] for (name, _), d in zip(attachments, chosen, strict=True)},
            rerendered=stale,
            recipients=recipients,
        )
        if not send_now:
            meeting.circulation.append(
                CirculationEntry(
                    at=stamp,
                    by=who,
                    method=Method.draft,
                    recipients=recipients.all,
                    documents=documents,
                    record=record,
                    unreachable=recipients.unreachable,
                )
            )
            meeting.log("email draft", f"{draft.name}: {', '.join(documents)}", who=who, at=stamp)
            store.save(meeting)
            return result

        open_attempts = unsettled_entries(meeting)
        resend: set[str] = set()  # asked for: sent again even if an earlier send reached them
        if open_attempts and (unsettled or again):
            how = "resend" if again else unsettled
            if how == "resend":
                resend = {address_key(a) for e in open_attempts for a in e.recipients}
                resend -= {address_key(a) for e in open_attempts for a in e.refused}
            _settle_unknown(meeting, open_attempts, how, who, stamp)
            store.save(meeting)
        already = set() if again else received_current(meeting, documents, record)
        maybe = set() if again else received_current(meeting, documents, record, unsettled=True)
        result.skipped = [a for a in recipients.all if address_key(a) in already]
        result.possibly = [
            a for a in recipients.all if address_key(a) in maybe and address_key(a) not in already
        ]
        targets = [
            a for a in recipients.all if address_key(a) not in maybe or address_key(a) in resend
        ]
        result.skipped = [a for a in result.skipped if a not in targets]
        result.sent = True
        if result.possibly:
            warn(
                f"an earlier send was cut off before its outcome was recorded, so these may "
                f"already have the record: {', '.join(result.possibly)}. They are not sent it "
                f"again. Check with them, then run: strat email {meeting.id} --unsettled "
                "delivered (they have it) or --unsettled resend (send it again)"
            )
        if not targets:
            # The draft was written all the same: the audit says so.
            meeting.log(
                "email draft",
                f"{draft.name}: nobody left to send to ({', '.join(documents)})",
                who=who,
                at=stamp,
            )
            store.save(meeting)
            return result
        # who could not be emailed is kept once, as `unreachable` (the minutes name them from it)
        notes: list[str] = []
        if result.skipped:
            notes.append(f"already had these documents: {', '.join(result.skipped)}")
        if result.possibly:
            notes.append(f"not sent again (may have it): {', '.join(result.possibly)}")
        attempt = CirculationEntry(
            at=stamp,
            by=who,
            method=Method.smtp,
            recipients=targets,
            documents=documents,
            record=record,
            note="; ".join(notes),
            state="sending",
            unreachable=recipients.unreachable,
        )

        def nothing_sent(exc: MailError) -> MailError:
            # Nothing went out, so nothing joins the circulation log (it is what the
            # one-working-day check reads); the attempt is kept in the audit trail.
            if attempt in meeting.circulation:
                meeting.circulation.remove(attempt)
            result.error = exc.message
            meeting.log(
                "email failed", f"to {', '.join(targets)}: {exc.message}", who=who, at=stamp
            )
            store.save(meeting)
            return MailError(
                f"{exc.message}; nothing was sent. The draft is saved at {draft} (it can be "
                f"sent from Outlook); or try again with: strat email {meeting.id} --retry"
            )

        try:
            check_settings(settings)
            secret = password()
        except MailError as exc:
            raise nothing_sent(exc) from None
        # The intent is durable before the first byte goes to the server.
        meeting.circulation.append(attempt)
        meeting.log(
            "email sending", f"to {len(targets)}: {', '.join(documents)}", who=who, at=stamp
        )
        store.save(meeting)

        def settle(outcome: SendResult) -> None:
            attempt.state = ""
            attempt.delivered = list(outcome.delivered)
            attempt.refused = dict(outcome.refused)
            detail = f"to {len(outcome.delivered)} of {len(targets)}: {', '.join(documents)}"
            if outcome.refused:
                detail += f"; refused: {', '.join(outcome.refused)}"
            meeting.log("emailed", detail, who=who, at=stamp)
            try:
                store.save(meeting)
            except StratError as exc:
                raise RecordingFailed(
                    f"the message was delivered to {len(outcome.delivered)}, but recording it "
                    f"failed: {exc.message}. The record shows the send as unsettled, so a retry "
                    f"will not send it again without asking: strat email {meeting.id} --retry"
                ) from None

        def make(addresses: list[str]) -> bytes:
            return wire_bytes(message(recipients.keeping(addresses), draft=False))

        in_data: list[list[str]] = []  # set once DATA starts: the message may then arrive
        try:
            outcome = send(
                make,
                sender,
                targets,
                settings.smtp,
                secret,
                accepted=settle,
                sending=in_data.append,
            )
        except KeyboardInterrupt:
            if attempt.state != "sending":  # settled already: the record is true
                raise
            if in_data:
                attempt.state = "unknown"
                attempt.recipients = list(in_data[0])
                attempt.note = "; ".join([*notes, "interrupted (Ctrl-C) while the server took it"])
                meeting.log("email unknown", "interrupted during DATA", who=who, at=stamp)
            else:
                meeting.circulation.remove(attempt)
                meeting.log("email failed", "interrupted before sending", who=who, at=stamp)
            store.save(meeting)
            raise
        except MailOutcomeUnknown as exc:
            attempt.state = "unknown"
            attempt.recipients = list(exc.accepted)
            attempt.refused = dict(exc.refused)
            attempt.note = "; ".join([*notes, exc.message])
            result.error = exc.message
            meeting.log("email unknown", exc.message, who=who, at=stamp)
            store.save(meeting)
            raise MailError(
                f"{exc.message}. The record shows the send as unsettled; check with "
                f"{', '.join(exc.accepted)}, then run: strat email {meeting.id} --unsettled "
                "delivered (they have it) or --unsettled resend"
            ) from None
        except RecordingFailed:
            raise
        except MailError as exc:
            raise nothing_sent(exc) from None
        result.delivered, result.refused = outcome.delivered, outcome.refused
        if not outcome.delivered:
            meeting.circulation.remove(attempt)
            refused = "; ".join(f"{a} ({why})" for a, why in outcome.refused.items())
            meeting.log("email failed", f"every recipient refused: {refused}", who=who, at=stamp)
            store.save(meeting)
            raise MailError(
                f"the mail server refused every recipient: {refused}; nothing was sent. "
                f"The draft is saved at {draft}; correct the addresses, then run: "
                f"strat email {meeting.id} --retry"
            )
        if outcome.refused:
            refused = "; ".join(f"{a} ({why})" for a, why in outcome.refused.items())
            got = f"the other {len(outcome.delivered)} received it"
            raise MailError(
                f"the mail server refused {len(outcome.refused)} of {len(targets)} recipients: "
                f"{refused}; {got}. The draft is saved at {draft}; correct the address, then "
                f"send to the rest with: strat email {meeting.id} --retry"
            )
        return result


def _settle_unknown(
    meeting: Meeting, entries: list[CirculationEntry], how: str, who: str, at: datetime
) -> None:
    """The user says what became of sends whose outcome was never recorded."""
    for e in entries:
        reached = [a for a in e.recipients if a not in e.refused]
        e.state = ""
        if how == "delivered":
            e.delivered = reached
            e.note = "; ".join(
                n for n in (e.note, f"delivery confirmed by {who} on {format_uk(at)}") if n
            )
            meeting.log(
                "email confirmed",
                f"{len(reached)} had the send of {format_uk(e.at)}",
                who=who,
                at=at,
            )
        else:
            e.note = "; ".join(
                n
                for n in (
                    e.note,
                    f"outcome never known; {who} chose to send it again on {format_uk(at)}",
                )
                if n
            )
            meeting.log(
                "email resent",
                f"the send of {format_uk(e.at)} to {len(reached)}, outcome unknown",
                who=who,
                at=at,
            )


DRAFT_SENT = Method.draft_sent


def not_yet_authorised(meeting: Meeting, agenda: Agenda) -> str:
    """Why the record may not go out yet, where the area authorises a record before it is sent
    (agenda rules, authorise_before_circulation; the rulebook's circulation.before_authorisation),
    or "" when it may."""
    if meeting.authorisation is not None or not agenda.rules.authorise_first(meeting.format):
        return ""
    return (
        f"{agenda.name} authorises a {meeting.format.value} discussion's record before it is "
        f"sent, and {meeting.id} is not yet authorised"
    )


def record_draft_sent(
    store: RecordStore,
    meeting_id: str,
    *,
    by: str,
    at: datetime | None = None,
    agenda_dirs: list[Path] | None = None,
) -> CirculationEntry:
    """The minute taker sent the last .eml draft from Outlook: record who received what.

    strat cannot see Outlook, so a draft alone counts as prepared, not circulated; this entry,
    made on the person's word and attributed to them, is what shows the record went out.
    """
    from .agenda import get_agenda

    with store.edit(meeting_id, allow_locked=True) as meeting:
        if why := not_yet_authorised(meeting, get_agenda(meeting.agenda, agenda_dirs)):
            raise StratError(f"{why}: a manager authorises first (strat authorise {meeting.id})")
        drafts = [c for c in meeting.circulation if c.method == Method.draft]
        if not drafts:
            raise InputError(
                f"{meeting_id} has no email draft to mark as sent: run strat email {meeting_id}"
            )
        last = max(drafts, key=lambda c: c.at)
        stamp = at or datetime.now(LONDON)
        entry = CirculationEntry(
            at=stamp,
            by=by,
            method=DRAFT_SENT,
            recipients=list(last.recipients),
            delivered=list(last.recipients),
            documents=dict(last.documents),
            record=last.record,
            unreachable=dict(last.unreachable),
            note=f"sent from the draft of {format_uk(last.at)}, as recorded by {by or 'the user'}",
        )
        meeting.circulation.append(entry)
        meeting.log("emailed", f"draft sent by hand to {len(entry.delivered)}", who=by, at=stamp)
        store.save(meeting)
        return entry
