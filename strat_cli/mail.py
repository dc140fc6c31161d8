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
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError, MailError
from .model import LONDON, CirculationEntry, Meeting

if TYPE_CHECKING:
    from .settings import Settings, SmtpSettings
    from .store import Store

DOCX_SUBTYPE = "vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC_CHOICES = ("decision-sheet", "minutes", "summary")
# A deliberately loose check: the mail server is the judge; this only catches obvious typos
# (a phone number or a name in the email field) before they cost a round trip.
_ADDRESS_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


# --- recipients ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipients:
    """Who the message goes to, and the participants it cannot reach."""

    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    missing: tuple[str, ...]  # "Name (Role, Agency)" of participants without a usable address
    invalid: tuple[str, ...]  # "Name: address" where the address does not look like one

    @property
    def all(self) -> list[str]:
        """Every envelope recipient once, in header order."""
        return _dedupe([*self.to, *self.cc, *self.bcc])


def _dedupe(addresses: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for a in addresses:
        key = a.strip().lower()
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

    `only` (participant ids or addresses) narrows the list, e.g. to resend to one person.
    """
    asked = {w.strip().lower(): w.strip() for w in only} if only is not None else None
    wanted = set(asked) if asked is not None else None
    people: list[str] = []
    missing: list[str] = []
    invalid: list[str] = []
    for p in meeting.participants:
        address = p.email.strip()
        if wanted is not None and p.id.lower() not in wanted and address.lower() not in wanted:
            continue
        if not address:
            missing.append(_describe(p.name, p.role, p.agency))
        elif not _ADDRESS_RE.match(address):
            invalid.append(f"{p.name}: {address!r}")
        else:
            people.append(address)
    fixed_cc = list(settings.email.cc)
    fixed_bcc = list(settings.email.bcc)
    if wanted is not None:
        fixed_cc = [a for a in fixed_cc if a.lower() in wanted]
        fixed_bcc = [a for a in fixed_bcc if a.lower() in wanted]
        known = {p.id.lower() for p in meeting.participants} | {
            p.email.strip().lower() for p in meeting.participants
        }
        known |= {a.lower() for a in (*settings.email.cc, *settings.email.bcc)}
        unknown = sorted(asked[w] for w in wanted - known) if asked else []
        if unknown:
            raise InputError(
                f"--only {', '.join(unknown)}: not a participant id or address of {meeting.id}"
            )
    for a in (*fixed_cc, *fixed_bcc):
        if not _ADDRESS_RE.match(a):
            raise MailError(f"the configured cc/bcc address {a!r} is not an email address")
    people = _dedupe(people)
    if settings.email.to == "bcc":
        to: list[str] = []
        bcc = _dedupe([*people, *fixed_bcc])
    else:
        to = people
        bcc = _dedupe(fixed_bcc)
    taken = {a.lower() for a in (*to, *bcc)}
    cc = [a for a in _dedupe(fixed_cc) if a.lower() not in taken]
    return Recipients(tuple(to), tuple(cc), tuple(bcc), tuple(missing), tuple(invalid))


# --- the message ------------------------------------------------------------------------------


def uk_date(value: datetime) -> str:
    """'19 Nov 2026': unambiguous in a subject line, whatever the reader's locale."""
    return f"{value.day} {value:%b %Y}"


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
    return "\n\n".join(parts) + "\n"


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


def write_draft(msg: EmailMessage, path: Path) -> Path:
    """Save the .eml atomically (a half-written draft would open as garbage in Outlook)."""
    from email import policy

    from .store import atomic_write

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MailError(f"{path.parent}: cannot create the folder ({exc.strerror})") from None
    atomic_write(path, msg.as_bytes(policy=policy.SMTP))
    return path


def wire_bytes(msg: EmailMessage) -> bytes:
    """The message as sent: CRLF line ends, as SMTP wants."""
    from email import policy

    return msg.as_bytes(policy=policy.SMTP)


def draft_name(meeting: Meeting) -> str:
    return f"{meeting.id}-email.eml"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- sending ----------------------------------------------------------------------------------


@dataclass
class SendResult:
    delivered: list[str]
    refused: dict[str, str]


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
    raw: bytes,
    sender: str,
    recipients: list[str],
    smtp: SmtpSettings,
    password: str | None,
) -> SendResult:
    """Deliver `raw` to the server; every failure becomes one MailError naming what failed.

    Per-recipient refusals are not errors here: they come back in the result so the caller can
    record exactly who received the message.
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
                f"could not reach the mail server {where} ({_os_reason(exc)})"
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
        try:
            refused_raw = client.sendmail(sender, recipients, raw)
        except smtplib.SMTPRecipientsRefused as exc:
            refused_raw = exc.recipients
        except smtplib.SMTPSenderRefused as exc:
            raise MailError(
                f"the mail server {where} refused the sender {sender} "
                f"({_reply(exc.smtp_code, exc.smtp_error)})"
            ) from None
        except smtplib.SMTPDataError as exc:
            raise MailError(
                f"the mail server {where} refused the message "
                f"({_reply(exc.smtp_code, exc.smtp_error)})"
            ) from None
        refused = {addr: _reply(code, text) for addr, (code, text) in refused_raw.items()}
        refused_keys = {a.lower() for a in refused}
        delivered = [a for a in recipients if a.lower() not in refused_keys]
        return SendResult(delivered, refused)
    except MailError:
        raise
    except ssl.SSLError as exc:
        raise MailError(f"TLS with the mail server {where} failed ({_ssl_reason(exc)})") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"the mail server {where} failed ({_os_reason(exc)})") from None
    finally:
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()


def _ssl_reason(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the server's certificate is not trusted: {exc.verify_message}"
    return str(exc.reason) if exc.reason else str(exc)


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
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


def received_current(meeting: Meeting, documents: Mapping[str, str], record: str) -> set[str]:
    """Lower-cased addresses that already have every one of these documents (file name →
    sha256) as made from `record` (render.record_hash), in one message or several.

    Decided on the record, not the file's bytes: the minutes list the circulation log, so a
    render after a send gives new bytes for the same record. The record hash leaves out
    participants' email addresses and phone numbers, so correcting a refused address and
    retrying reaches only that person. An entry that names no record is compared by bytes."""

    def has(entry: CirculationEntry, name: str, digest: str) -> bool:
        if name not in entry.documents:
            return False
        return entry.record == record if entry.record else entry.documents[name] == digest

    delivered: dict[str, list[CirculationEntry]] = {}
    for entry in meeting.circulation:
        for address in entry.delivered:
            delivered.setdefault(address.lower(), []).append(entry)
    return {
        address
        for address, entries in delivered.items()
        if all(any(has(e, n, d) for e in entries) for n, d in documents.items())
    }


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
    error: str = ""


def selected_docs(docs: Iterable[str]) -> list[str]:
    """Expand 'all' and check names, keeping the usual order."""
    chosen: set[str] = set()
    for d in docs:
        if d == "all":
            chosen |= set(DOC_CHOICES)
        elif d in DOC_CHOICES:
            chosen.add(d)
        else:
            raise InputError(
                f"--doc {d}: unknown document (choose from {', '.join(DOC_CHOICES)} or all)"
            )
    return [d for d in DOC_CHOICES if d in chosen]


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


def circulate(
    store: Store,
    meeting_id: str,
    settings: Settings,
    *,
    docs: Iterable[str] = ("all",),
    out_dir: Path,
    send_now: bool = False,
    again: bool = False,
    only: Iterable[str] | None = None,
    password: Callable[[], str | None] = lambda: None,
    now: Callable[[], datetime] = lambda: datetime.now(LONDON),
    warn: Callable[[str], None] = lambda message: None,
) -> Circulation:
    """Prepare the message, save the draft, send it if asked, and record all of it.

    Everything recorded is saved before an error is raised, so a failure never loses what
    went out. With `send_now`, people who already received the current documents are skipped
    unless `again`; that is what makes a retry safe to run as often as needed.
    """
    from . import render
    from .agenda import get_agenda

    chosen = selected_docs(docs)
    if not chosen:
        raise InputError("no documents chosen")
    with store.edit(meeting_id, allow_locked=True) as meeting:
        who = settings.actor
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
            warn(f"not an email address, left out: {'; '.join(recipients.invalid)}")
        agenda = get_agenda(meeting.agenda, settings.extra_agenda_dirs)
        subject = subject_for(meeting, settings.marking)
        body = body_for(
            render.summary_text(meeting, agenda, settings),
            settings.email.footer,
            settings.marking,
        )
        sender = settings.email.sender
        stamp = now()
        draft_msg = build_message(
            subject=subject,
            body=body,
            sender=sender,
            recipients=recipients,
            attachments=attachments,
            draft=True,
            now=stamp,
        )
        draft = write_draft(draft_msg, out_dir / draft_name(meeting))
        result = Circulation(
            draft=draft,
            documents={name: paths[d] for (name, _), d in zip(attachments, chosen, strict=True)},
            rerendered=stale,
            recipients=recipients,
        )
        unreachable = [*recipients.missing, *recipients.invalid]
        gap_note = f"no usable address: {'; '.join(unreachable)}" if unreachable else ""
        if not send_now:
            meeting.circulation.append(
                CirculationEntry(
                    at=stamp,
                    by=who,
                    method="draft",
                    recipients=recipients.all,
                    documents=documents,
                    record=record,
                )
            )
            meeting.log("email draft", f"{draft.name}: {', '.join(documents)}", who=who, at=stamp)
            store.save(meeting)
            return result

        already = set() if again else received_current(meeting, documents, record)
        targets = [a for a in recipients.all if a.lower() not in already]
        result.skipped = [a for a in recipients.all if a.lower() in already]
        result.sent = True
        if not targets:
            return result  # nothing to do: no entry, the record already shows who has it
        sent_msg = build_message(
            subject=subject,
            body=body,
            sender=sender,
            recipients=recipients,
            attachments=attachments,
            draft=False,
            now=stamp,
        )
        try:
            check_settings(settings)
            outcome = send(wire_bytes(sent_msg), sender, targets, settings.smtp, password())
        except MailError as exc:
            # Nothing went out, so nothing joins the circulation log (it is what the
            # one-working-day check reads); the attempt is kept in the audit trail.
            result.error = exc.message
            meeting.log(
                "email failed", f"to {', '.join(targets)}: {exc.message}", who=who, at=stamp
            )
            store.save(meeting)
            raise MailError(
                f"{exc.message}; nothing was sent. The draft is saved at {draft} (it can be "
                f"sent from Outlook); or try again with: strat email {meeting.id} --retry"
            ) from None
        result.delivered, result.refused = outcome.delivered, outcome.refused
        if not outcome.delivered:
            refused = "; ".join(f"{a} ({why})" for a, why in outcome.refused.items())
            meeting.log("email failed", f"every recipient refused: {refused}", who=who, at=stamp)
            store.save(meeting)
            raise MailError(
                f"the mail server refused every recipient: {refused}; nothing was sent. "
                f"The draft is saved at {draft}; correct the addresses, then run: "
                f"strat email {meeting.id} --retry"
            )
        notes = [n for n in (gap_note,) if n]
        if result.skipped:
            notes.append(f"already had these documents: {', '.join(result.skipped)}")
        meeting.circulation.append(
            CirculationEntry(
                at=stamp,
                by=who,
                method="smtp",
                recipients=targets,
                delivered=outcome.delivered,
                refused=outcome.refused,
                documents=documents,
                record=record,
                note="; ".join(notes),
            )
        )
        detail = f"to {len(outcome.delivered)} of {len(targets)}: {', '.join(documents)}"
        if outcome.refused:
            detail += f"; refused: {', '.join(outcome.refused)}"
        meeting.log("emailed", detail, who=who, at=stamp)
        store.save(meeting)
        if outcome.refused:
            refused = "; ".join(f"{a} ({why})" for a, why in outcome.refused.items())
            got = f"the other {len(outcome.delivered)} received it"
            raise MailError(
                f"the mail server refused {len(outcome.refused)} of {len(targets)} recipients: "
                f"{refused}; {got}. The draft is saved at {draft}; correct the address, then "
                f"send to the rest with: strat email {meeting.id} --retry"
            )
        return result


DRAFT_SENT = "draft sent"


def record_draft_sent(
    store: Store,
    meeting_id: str,
    *,
    by: str,
    at: datetime | None = None,
) -> CirculationEntry:
    """The minute taker sent the last .eml draft from Outlook: record who received what.

    strat cannot see Outlook, so a draft alone counts as prepared, not circulated; this entry,
    made on the person's word and attributed to them, is what shows the record went out.
    """
    with store.edit(meeting_id, allow_locked=True) as meeting:
        drafts = [c for c in meeting.circulation if c.method == "draft"]
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
            note=f"sent from the draft of {last.at:%d/%m/%Y %H:%M}, as recorded by {by or 'the user'}",
        )
        meeting.circulation.append(entry)
        meeting.log("emailed", f"draft sent by hand to {len(entry.delivered)}", who=by, at=stamp)
        store.save(meeting)
        return entry
