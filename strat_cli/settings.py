"""Settings: where the store is, where a council's agendas and templates are, mail and marking.

Read once by the CLI and passed in; nothing reads the environment at import time. The file is
TOML at ``$STRAT_CONFIG`` or ``<store>/config.toml``::

    [user]
    name = "Alex Morgan"              # who is recorded in the audit trail

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
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import InputError

DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
DEFAULT_FOOTER = (
    "This message and its attachments contain OFFICIAL-SENSITIVE personal data about children "
    "and families, shared for safeguarding under the Children Act 1989 and the Data Protection "
    "Act 2018. Do not forward it beyond those who need it. If you received it in error, tell the "
    "sender and delete it."
)


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: str = ""
    password_env: str = "STRAT_SMTP_PASSWORD"
    timeout: float = 20.0


@dataclass(frozen=True)
class EmailSettings:
    sender: str = ""
    to: Literal["participants", "bcc"] = "participants"
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    footer: str = DEFAULT_FOOTER


@dataclass(frozen=True)
class Settings:
    store: Path
    user: str = ""
    marking: str = DEFAULT_MARKING
    templates_dir: Path | None = None
    out_dir: Path | None = None
    agendas_dir: Path | None = None
    email: EmailSettings = field(default_factory=EmailSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    config_path: Path | None = None

    @property
    def actor(self) -> str:
        """Who to name in the audit trail: the configured name, else the computer login.

        Never a name taken from the record (the chair did not necessarily do it)."""
        return self.user or login_name()

    @property
    def meetings_dir(self) -> Path:
        return self.store / "meetings"

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


def _section(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise InputError(f"{path}: [{name}] must be a table")
    return value


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
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{config}: {exc}") from None
    elif env.get("STRAT_CONFIG"):
        raise InputError(f"{config}: STRAT_CONFIG names a file that does not exist")

    def path_of(value: Any, key: str) -> Path | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise InputError(f"{config}: {key} must be a folder path in quotes")
        p = Path(value).expanduser()
        return p if p.is_absolute() else (config.parent / p)

    user = _section(data, "user", config)
    docs = _section(data, "documents", config)
    agendas = _section(data, "agendas", config)
    email = _section(data, "email", config)
    smtp = _section(data, "smtp", config)
    try:
        email_settings = EmailSettings(
            sender=str(email.get("sender", "")),
            to=email.get("to", "participants"),
            cc=tuple(email.get("cc", ())),
            bcc=tuple(email.get("bcc", ())),
            footer=str(email.get("footer", DEFAULT_FOOTER)),
        )
        smtp_settings = SmtpSettings(
            host=str(smtp.get("host", "")),
            port=int(smtp.get("port", 587)),
            security=smtp.get("security", "starttls"),
            user=str(smtp.get("user", "")),
            password_env=str(smtp.get("password_env", "STRAT_SMTP_PASSWORD")),
            timeout=float(smtp.get("timeout", 20.0)),
        )
    except (TypeError, ValueError) as exc:
        raise InputError(f"{config}: [email]/[smtp]: {exc}") from None
    if email_settings.to not in ("participants", "bcc"):
        raise InputError(f"{config}: email.to must be 'participants' or 'bcc'")
    if smtp_settings.security not in ("starttls", "ssl", "none"):
        raise InputError(f"{config}: smtp.security must be 'starttls', 'ssl' or 'none'")
    return Settings(
        store=root,
        user=str(user.get("name", "")) or env.get("STRAT_USER", ""),
        marking=str(docs.get("marking", DEFAULT_MARKING)),
        templates_dir=path_of(docs.get("templates"), "documents.templates"),
        out_dir=path_of(docs.get("out"), "documents.out"),
        agendas_dir=path_of(agendas.get("folder"), "agendas.folder"),
        email=email_settings,
        smtp=smtp_settings,
        config_path=config,
    )
