"""Settings: where the store is, where a council's agendas and templates are, mail and marking.

Read once by the CLI and passed in; nothing reads the environment at import time. The file is
TOML at ``$STRAT_CONFIG`` or ``<store>/config.toml``::

    [user]
    name = "Alex Morgan"              # who is recorded in the audit trail (folder store only)

    [store]
    url = "postgresql://strat.northshire.example/strat?sslmode=verify-full"
                                      # the team's server (or $STRAT_STORE); no password here

    [documents]
    marking = "OFFICIAL-SENSITIVE"    # protective marking in every header and footer
    templates = "C:/Council/strat-templates"   # overrides shipped templates one by one
    out = "C:/Council/Minutes"        # where `strat render` writes by default

    [agendas]
    folder = "C:/Council/strat-agendas"        # extra agendas, picked up by id

    [email]
    sender = "mash@northshire.example"
    to = "participants"   # or "bcc": where participants go; cc/bcc add fixed addresses
    cc = []
    bcc = []
    footer = "This email contains OFFICIAL-SENSITIVE personal data…"

    [smtp]
    host = "smtp.northshire.example"
    port = 587
    security = "starttls"   # starttls, ssl or none
    user = "mash@northshire.example"
    password_env = "STRAT_SMTP_PASSWORD"
    timeout = 20                  # seconds to wait for the server, above 0
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .errors import InputError
from .text import one_line_problem

DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
DEFAULT_FOOTER = (
    "This message and its attachments contain OFFICIAL-SENSITIVE personal data about children "
    "and families, shared for safeguarding under the Children Act 1989 and the Data Protection "
    "Act 2018. Do not forward it beyond those who need it. If you received it in error, tell the "
    "sender and delete it."
)


def _one_line(value: str) -> str:
    """Text that lands in a header or the audit trail: a CR or LF there would start a new
    header (or a forged one), so it is refused, never silently joined."""
    if why := one_line_problem(value):
        raise ValueError(why)
    return value.strip()


def _address_list(value: Any) -> Any:
    """A single address in quotes is read as a list of one, not as a list of characters."""
    return [value] if isinstance(value, str) else value


OneLine = Annotated[str, Field(strict=True), AfterValidator(_one_line)]
# Addresses are checked as one line here, and as addresses (email-validator, ~20 ms to import)
# only by the commands that send: mail.configured_addresses names the setting when one is wrong.
AddressList = Annotated[tuple[OneLine, ...], BeforeValidator(_address_list)]


class _Section(BaseModel):
    # Unknown keys are left alone: a newer strat's settings file still works with this one.
    model_config = ConfigDict(frozen=True, extra="ignore")


class SmtpSettings(_Section):
    host: OneLine = ""
    port: int = Field(587, ge=1, le=65535, strict=True)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: OneLine = ""
    password_env: OneLine = "STRAT_SMTP_PASSWORD"
    timeout: float = Field(20.0, gt=0, le=3600, strict=True, allow_inf_nan=False)


class EmailSettings(_Section):
    sender: OneLine = ""
    to: Literal["participants", "bcc"] = "participants"
    cc: AddressList = ()
    bcc: AddressList = ()
    footer: Annotated[str, Field(strict=True)] = DEFAULT_FOOTER


class _User(_Section):
    name: OneLine = ""


class _Documents(_Section):
    marking: OneLine = DEFAULT_MARKING
    templates: OneLine = ""
    out: OneLine = ""


class _Agendas(_Section):
    folder: OneLine = ""


def _server_url(value: str) -> str:
    """A PostgreSQL URL without a password: the password lives in libpq's password file or
    service file, or Kerberos signs in; never in a file of strat's."""
    if not value:
        return value
    from urllib.parse import parse_qs, urlsplit

    try:
        parts = urlsplit(value)
        password = parts.password
    except ValueError:
        raise ValueError("is not a URL; write postgresql://host/database") from None
    if parts.scheme not in ("postgresql", "postgres") or not parts.path.strip("/"):
        raise ValueError("must be a PostgreSQL URL naming a database: postgresql://host/database")
    if password is not None or "password" in {k.lower() for k in parse_qs(parts.query)}:
        raise ValueError(
            "must not hold a password; keep it in libpq's password file (pgpass) or a service "
            "file, or sign in with Kerberos"
        )
    return value


class _Store(_Section):
    url: Annotated[OneLine, AfterValidator(_server_url)] = ""


class ConfigFile(_Section):
    """The whole settings file, validated in one place: each wrong value gives one line
    naming its setting (`smtp.timeout`), never a traceback."""

    user: _User = _User()
    store: _Store = _Store()
    documents: _Documents = _Documents()
    agendas: _Agendas = _Agendas()
    email: EmailSettings = EmailSettings()
    smtp: SmtpSettings = SmtpSettings()


@dataclass(frozen=True)
class Settings:
    store: Path  # this person's folder: the records, or (with store_url) only tmp, cache, journal
    store_url: str = ""  # the team's PostgreSQL server; "" for the folder store
    user: str = ""
    marking: str = DEFAULT_MARKING
    templates_dir: Path | None = None
    out_dir: Path | None = None
    agendas_dir: Path | None = None
    email: EmailSettings = field(default_factory=EmailSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    config_path: Path | None = None
    # On a server store, who the server says is logged in (asked once); no setting overrides it.
    server_actor: Callable[[], str] | None = field(default=None, compare=False, repr=False)

    @property
    def actor(self) -> str:
        """Who to name in the audit trail: on a server store the logged-in user's display name;
        else the configured name, else the computer login.

        Never a name taken from the record (the chair did not necessarily do it)."""
        if self.store_url and self.server_actor is not None:
            return self.server_actor()
        return self.user or login_name()

    @property
    def extra_agenda_dirs(self) -> list[Path]:
        return [self.agendas_dir] if self.agendas_dir else []


def login_name() -> str:
    """The computer login: who the audit trail names when no [user] name is configured."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        return "unknown user"


def store_permission_warning(root: Path) -> str | None:
    """A warning when other users could read the store (POSIX only). Two stat calls, no
    imports: the CLI asks once per command, including the light ones like `strat list`."""
    if os.name != "posix":
        return None
    for folder in (root, root / "meetings"):
        try:
            mode = folder.stat().st_mode
        except OSError:
            continue
        if mode & 0o077:
            return (
                f"{folder} can be read by other users of this computer; run: chmod 700 '{folder}'"
            )
    return None


def default_store() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("strat", appauthor=False))


def _describe(exc: ValidationError, config: Path) -> str:
    """The first problem as `file: section.key: what is wrong` (never the value typed)."""
    err = exc.errors()[0]
    parts = [str(p) for p in err["loc"] if not isinstance(p, int)]
    entries = [p for p in err["loc"] if isinstance(p, int)]
    where = ".".join(parts) or "top level"
    if entries:
        where += f" (entry {entries[0] + 1})"
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "model_type" or err["type"] == "model_attributes_type":
        message = f"[{where}] must be a table"
        return f"{config}: {message}"
    if err["type"] == "literal_error":
        message = message.replace("Input should be", "must be")
    message = (
        message.replace("Input should be", "should be")
        .replace("a valid string", "text in quotes")
        .replace("a valid integer", "a whole number")
        .replace("a valid number", "a number")
    )
    return f"{config}: {where}: {message}"


def _read_config(config: Path) -> dict[str, Any]:
    try:
        raw = config.read_bytes()
    except OSError as exc:
        raise InputError(f"{config}: cannot read ({exc.strerror})") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{config}: saved as UTF-16; save it as UTF-8 text")
    try:
        text = raw.decode("utf-8-sig")  # Notepad's UTF-8 starts with a BOM
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{config}: not UTF-8 text (byte {exc.start + 1}); save it as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{config}: {exc}") from None


def load_settings(store: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Settings from the command line, the environment and the config file, in that order."""
    env = dict(os.environ) if env is None else env
    root = store or (Path(env["STRAT_HOME"]) if env.get("STRAT_HOME") else default_store())
    root = root.expanduser()
    config = (
        Path(env["STRAT_CONFIG"]).expanduser() if env.get("STRAT_CONFIG") else root / "config.toml"
    )
    data: dict[str, Any] = {}
    if config.is_file():
        data = _read_config(config)
    elif env.get("STRAT_CONFIG"):
        raise InputError(f"{config}: STRAT_CONFIG names a file that does not exist")
    try:
        parsed = ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(_describe(exc, config)) from None
    url = parsed.store.url
    if env.get("STRAT_STORE"):  # the environment wins over the file, as STRAT_HOME does
        try:
            url = _server_url(_one_line(env["STRAT_STORE"]))
        except ValueError as exc:
            raise InputError(f"STRAT_STORE: {exc}") from None

    def path_of(value: str) -> Path | None:
        if not value:
            return None
        p = Path(value).expanduser()
        return p if p.is_absolute() else (config.parent / p)

    return Settings(
        store=root,
        store_url=url,
        user=parsed.user.name or _one_line_or_empty(env.get("STRAT_USER", "")),
        marking=parsed.documents.marking,
        templates_dir=path_of(parsed.documents.templates),
        out_dir=path_of(parsed.documents.out),
        agendas_dir=path_of(parsed.agendas.folder),
        email=parsed.email,
        smtp=parsed.smtp,
        config_path=config,
    )


def _one_line_or_empty(value: str) -> str:
    try:
        return _one_line(value)
    except ValueError:
        raise InputError("STRAT_USER: " + "must be one line of text") from None
