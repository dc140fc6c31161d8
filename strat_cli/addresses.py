"""Email addresses: one canonical spelling, checked by email-validator.

The same string goes on the envelope (RCPT TO), in the To/Cc line and in the circulation log,
so the record says exactly where the documents went. An address the library does not accept
(quotes, brackets, a colon, a pasted zero-width space, a display name) is refused here rather
than rewritten later by smtplib into something else (`whitlow"sam@x` became `RCPT TO:<whitlow>`).
"""

from __future__ import annotations


class BadAddress(ValueError):
    """Not an address strat will send to; the message says why, without repeating it."""


def canonical_address(text: str) -> str:
    """The normalised address (domain lower-cased and IDNA-checked, Unicode in NFC).

    Raises BadAddress with the library's reason. Deliverability (DNS) is not checked: strat
    often runs where DNS is not available, and the mail server is the judge of mailboxes."""
    from email_validator import EmailNotValidError, validate_email

    raw = text.strip()
    if not raw:
        raise BadAddress("empty")
    try:
        checked = validate_email(
            raw, check_deliverability=False, allow_smtputf8=True, allow_display_name=False
        )
    except EmailNotValidError as exc:
        why = _reason(str(exc))
        if "@" in raw and "must have an @-sign" in why:  # a quote hides the @ from the parser
            why = "the part before the @-sign is not valid"
        raise BadAddress(why) from None
    return str(checked.normalized)


def needs_smtputf8(address: str) -> bool:
    """Whether the address can only travel over a server that offers SMTPUTF8."""
    return not address.isascii()


def _reason(message: str) -> str:
    """email-validator's explanation, shortened to its first sentence."""
    first = message.strip().split(". ")[0].rstrip(".")
    return first[:1].lower() + first[1:] if first else "not a valid email address"


def address_key(address: str) -> str:
    """How two spellings of one address are compared (mailbox names are case-insensitive in
    practice, and every relay strat meets treats them so)."""
    return address.strip().casefold()
