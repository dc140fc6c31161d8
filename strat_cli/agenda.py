"""Agendas: each local area's procedure as data (YAML), validated on load.

An agenda file says which items a discussion covers and in what order, who must attend, who to
invite when, and the area's timescales. Councils edit these files; no Python changes needed.
"""

from __future__ import annotations

import re
from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import AgendaError
from .model import AGENDA_ID, ITEM_KEY, AgencyKind, InviteCondition, MeetingFormat, Outcome
from .resources import shipped_dir
from .yamlfile import load_yaml, problem

# Sizes an agenda may have. The shipped ones are under 9 KB with at most 25 items; these leave
# room for any real procedure while a file pasted in by mistake (10,000 items, a whole policy
# document) is refused in one line instead of slowing every command that reads it.
MAX_AGENDA_BYTES = 256 * 1024
MAX_ITEMS = 200
MAX_TITLE = 300
MAX_TEXT = 5000


class ItemKind(StrEnum):
    """What an agenda item records. `notes` is free text; the others open a structured step."""

    notes = "notes"
    attendance = "attendance"
    information = "information"
    risk = "risk"
    voice = "voice"
    other_children = "other_children"
    decisions = "decisions"
    actions = "actions"
    disagreements = "disagreements"
    family = "family"
    review = "review"


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(
        pattern=rf"^{ITEM_KEY}$",
        max_length=60,
        description="Stable key; notes are stored under it",
    )
    title: str = Field(max_length=MAX_TITLE)
    guidance: str = Field("", max_length=MAX_TEXT)
    kind: ItemKind = ItemKind.notes
    required: bool = False
    asks: list[Literal["seen_alone", "identity"]] = Field(
        default_factory=list,
        description=(
            "For a voice item, what else its title names, asked for each child: 'seen_alone' "
            "(when and by whom), 'identity' (ethnicity, first language, disability or "
            "communication needs, interpreter)"
        ),
    )


class InviteRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    when: InviteCondition
    invite: str = Field(max_length=MAX_TEXT)


RoleCheck = Literal[
    "chair_social_care", "social_care_two", "minute_taker", "referring_agency", "police"
]


class Role(BaseModel):
    """Someone the procedure says must take part: shown to the chair, and checked where `check`
    says how (the rulebook's role.missing). A plain string in the file is a role shown only."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_TITLE)
    check: RoleCheck | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value


class Timescales(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nation: Literal["ENG", "WLS", "SCT", "NIR"] = "ENG"
    discussion_within_hours: int | None = Field(24, ge=0)
    discussion_within_working_days: int | None = Field(None, ge=0)
    summary_within_hours: float = Field(1, gt=0)
    minutes_authorised_within_hours: float | None = Field(None, gt=0)
    circulate_within_working_days: int = Field(1, ge=0)
    icpc_within_working_days: int = Field(15, ge=1)
    icpc_from: Literal["last", "initiating"] = "last"
    # Local defaults, not the procedure's: a due date typed without a time means the close of
    # the working day; "before ICPC" means in hand by the start of the conference's day.
    default_due_time: time = Field(
        time(17, 0), description="A due date typed without a time (a local default; quote it)"
    )
    icpc_due_time: time = Field(
        time(9, 0), description="'Before ICPC' means by this time that day (a local default)"
    )

    @field_validator("default_due_time", "icpc_due_time", mode="before")
    @classmethod
    def _clock_text(cls, value: Any) -> Any:
        """YAML reads an unquoted 17:00 as the number 1020 (base 60): refuse, don't guess."""
        if isinstance(value, int | float):
            raise ValueError('write the time in quotes, e.g. "17:00"')
        return value


# Words that name nobody: SMART actions have one accountable person (Salford 7-minute briefing).
NOT_AN_OWNER = (
    "", "tbc", "tbd", "tba", "unknown", "?", "-", "n/a", "na", "none", "all", "everyone",
)  # fmt: skip

# How an agency is recognised from its name, by kind, in the order they are tried: education
# before health, so a "Nursery" or a "Hospital School" is not taken for health. Welsh names
# (Heddlu, GIG, Bwrdd Iechyd, Ysgol, Gofal Cymdeithasol) are known as well as English ones.
AGENCY_WORDS: dict[AgencyKind, tuple[str, ...]] = {
    AgencyKind.police: ("police", "caiu", "constabulary", "heddlu"),
    AgencyKind.education: ("school", "academy", "college", "nursery", "education", "ysgol"),
    AgencyKind.health: (
        "nhs", "health", "hospital", "gp", "midwi", "nurse", "paediatric", "camhs", "gig",
        "bwrdd iechyd", "iechyd", "ysbyty",
    ),
    AgencyKind.social_care: (
        "social care", "children's services", "csc", "mash", "social work",
        "gofal cymdeithasol", "gwasanaethau plant",
    ),
    AgencyKind.legal: ("legal", "solicitor"),
    AgencyKind.probation: ("probation", "prawf"),
    AgencyKind.youth_justice: ("youth justice", "yot", "cyfiawnder ieuenctid"),
    AgencyKind.housing: ("housing", "tai"),
    AgencyKind.adult_services: ("adult", "oedolion"),
}  # fmt: skip

Severity = Literal["error", "warning"]


class RuleOverride(BaseModel):
    """What an area changes about one rule of the rulebook (checked against it in one place,
    `rulebook.rules_for`, so an unknown code names the file and the code)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None  # None: the rule's own default (most are on)
    severity: Severity | None = None
    message: str | None = Field(None, max_length=MAX_TEXT)
    may_wait: bool | None = Field(
        None, description="May stay open when the manager authorises (fixed after)"
    )


class Rules(BaseModel):
    """The area's policies: everything the rulebook needs to know that a procedure decides."""

    model_config = ConfigDict(extra="forbid")

    nfa_requires_police_agreement: bool = Field(
        False, description="No further action needs the police officer in charge to agree"
    )
    police_agreement_for: list[Outcome] = Field(
        default_factory=list,
        max_length=20,
        description="Other outcomes the police officer in charge must agree to (Pan-Lancashire "
        "3.3: a step down for insufficient evidence, to early help or an s17 assessment)",
    )
    disagreements: str = Field("", description="The area's route for disagreements, shown")
    disagreement_policy: Literal["now", "after_enquiry"] = Field(
        "now",
        description="'now': a disagreement is resolved or escalated at the discussion; "
        "'after_enquiry': resolved after the s47 enquiry by feedback (Devon MASH), so one left "
        "open is flagged but does not hold up authorisation",
    )
    authorise_before_circulation: list[MeetingFormat] = Field(
        default_factory=list,
        description="Formats whose record a manager authorises before it is sent "
        "(Pan-Lancashire 3.3: phone); strat email refuses to send one unauthorised",
    )
    requires_contingency_plan: bool = Field(
        True, description="A contingency action where work continues after the discussion"
    )
    immediate_within_hours: float = Field(
        24,
        gt=0,
        le=24 * 14,
        description="Actions due within this many hours of the end are the Decision Sheet's "
        "immediate actions",
    )
    not_an_owner: list[Annotated[str, Field(max_length=MAX_TITLE)]] = Field(
        default_factory=lambda: list(NOT_AN_OWNER),
        max_length=MAX_ITEMS,
        description="Words that name no one as an action's owner (TBC, all, …)",
    )
    agency_words: dict[AgencyKind, list[Annotated[str, Field(max_length=MAX_TITLE)]]] = Field(
        default_factory=dict,
        description="Words that name an agency of each kind, added to the shipped English "
        "and Welsh ones (an action owned by one is not owned by a person)",
    )
    overrides: dict[str, RuleOverride] = Field(
        default_factory=dict,
        max_length=MAX_ITEMS,
        description="Per rule code: enabled, severity, message, may_wait",
    )

    def authorise_first(self, fmt: MeetingFormat) -> bool:
        """Whether a record of this format is authorised before it is circulated."""
        return fmt in self.authorise_before_circulation

    def needs_police_agreement(self, outcome: Outcome) -> bool:
        """Whether this outcome needs the police officer in charge to agree."""
        if outcome == Outcome.nfa and self.nfa_requires_police_agreement:
            return True
        return outcome in self.police_agreement_for


class Agenda(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=rf"^{AGENDA_ID}$", max_length=60)
    name: str = Field(max_length=MAX_TITLE)
    source: str = Field("", max_length=MAX_TEXT)
    statutory_partners: list[AgencyKind] = Field(
        default_factory=lambda: [AgencyKind.social_care, AgencyKind.police, AgencyKind.health]
    )
    # Who else the procedure says must take part (the referring agency, a social work manager as
    # well as the social worker): shown to the chair, and checked where a role says how.
    required_roles: list[Role] = Field(default_factory=list, max_length=MAX_ITEMS)
    invite: list[InviteRule] = Field(default_factory=list, max_length=MAX_ITEMS)
    timescales: Timescales = Field(default_factory=Timescales)
    rules: Rules = Field(default_factory=Rules)
    items: list[Item] = Field(max_length=MAX_ITEMS)
    path: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _items_sound(self) -> Agenda:
        keys = [i.key for i in self.items]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"item key {dupes[0]!r} is used more than once")
        if not self.items:
            raise ValueError("an agenda needs at least one item")
        for needed in (ItemKind.attendance, ItemKind.decisions, ItemKind.actions):
            if not any(i.kind == needed for i in self.items):
                raise ValueError(f"no item of kind {needed.value!r}: every discussion needs one")
        return self

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items if i.key == key), None)


def agency_words(agenda: Agenda | None = None) -> list[tuple[str, AgencyKind]]:
    """(word, kind) pairs in the order they are tried: the shipped words of each kind
    (AGENCY_WORDS) with the area's own after them, then the area's kinds that ship none."""
    words: list[tuple[str, AgencyKind]] = []
    extra = agenda.rules.agency_words if agenda is not None else {}
    for kind, shipped in AGENCY_WORDS.items():
        words += [(w.lower(), kind) for w in (*shipped, *extra.get(kind, []))]
    for kind, own in extra.items():
        if kind not in AGENCY_WORDS:
            words += [(w.lower(), kind) for w in own]
    return words


def agency_named(text: str, agenda: Agenda | None = None) -> AgencyKind | None:
    """The kind of agency a name names, or None: the first word found at a word start ("gp"
    is in "GP surgery", not in "agpx")."""
    low = text.lower()
    for word, kind in agency_words(agenda):
        if re.search(rf"\b{re.escape(word)}", low):
            return kind
    return None


def _where(loc: tuple[Any, ...], data: Any) -> str:
    """Turn a pydantic error location into words a council officer can find in the file."""
    parts: list[str] = []
    node = data
    for i, step in enumerate(loc):
        if step == "items" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            node = node.get("items") if isinstance(node, dict) else None
            continue
        if isinstance(step, int) and i > 0 and loc[i - 1] == "items":
            key = (
                node[step].get("key")
                if isinstance(node, list) and isinstance(node[step], dict)
                else None
            )
            parts.append(f"item {step + 1}" + (f" ({key})" if key else ""))
        else:
            parts.append(str(step))
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
    return ", ".join(parts) or "top level"


def _duplicate_item_key(data: dict[str, Any]) -> str | None:
    """Name the second item that reuses a key, so the council finds it in a long file."""
    items = data.get("items")
    if not isinstance(items, list):
        return None
    first: dict[Any, int] = {}
    for n, item in enumerate(items, start=1):
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str):
            continue
        if key in first:
            return f"item {n} ({key}), key: {key!r} is already used by item {first[key]}"
        first[key] = n
    return None


def load_agenda(path: Path) -> Agenda:
    """Read and validate one agenda file; any fault names the file, item and field."""
    try:
        size = path.stat().st_size
        if size > MAX_AGENDA_BYTES:
            raise AgendaError(
                f"{path}: {size // 1024} KB is too big for an agenda "
                f"(at most {MAX_AGENDA_BYTES // 1024} KB)"
            )
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AgendaError(f"{path}: cannot read agenda ({exc.strerror})") from None
    except UnicodeDecodeError as exc:  # Notepad and Word save curly quotes as Windows-1252
        raise AgendaError(
            f"{path}: byte {exc.start + 1} is not UTF-8 text; save the file as UTF-8 "
            "(in Notepad: Save As, Encoding: UTF-8)"
        ) from None
    except yaml.YAMLError as exc:
        line, why = problem(exc)
        raise AgendaError(f"{path}:{f' line {line}:' if line else ''} {why}") from None
    if not isinstance(data, dict):
        raise AgendaError(f"{path}: an agenda file must be a mapping of fields")
    if duplicate := _duplicate_item_key(data):
        raise AgendaError(f"{path}: {duplicate}")
    try:
        agenda = Agenda.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")  # our own checks need no pydantic label
        raise AgendaError(f"{path}: {_where(err['loc'], data)}: {msg}") from None
    agenda.path = path
    return agenda


def agenda_dirs(extra: list[Path] | None = None) -> list[Path]:
    """Shipped agendas first; a configured folder adds to them and overrides by id."""
    return [shipped_dir("agendas"), *(extra or [])]


def agenda_files(extra: list[Path] | None = None) -> list[Path]:
    """Every agenda file, in the order they apply: a later file overrides an earlier by id."""
    files: list[Path] = []
    for folder in agenda_dirs(extra):
        if folder.is_dir():
            files.extend(sorted(folder.glob("*.y*ml")))
    return files


def load_agendas(extra: list[Path] | None = None) -> dict[str, Agenda]:
    """All agendas, each file validated (`strat agendas`, choosing one for a new meeting)."""
    agendas: dict[str, Agenda] = {}
    for path in agenda_files(extra):
        agenda = load_agenda(path)
        agendas[agenda.id] = agenda
    return agendas


_ID_LINE = re.compile(rf"""^id:[ \t]*(['"]?)({AGENDA_ID})\1[ \t]*(?:#.*)?$""", re.MULTILINE)


def _declared_id(path: Path) -> str | None:
    """The `id:` line of an agenda file, found without parsing it; None if not plain."""
    try:
        with path.open("rb") as handle:
            head = handle.read(MAX_AGENDA_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    found = _ID_LINE.search(head)
    return found.group(2) if found else None


class NoSuchAgenda(AgendaError):
    """No agenda has the id asked for (an agenda file that is faulty is an AgendaError)."""


def get_agenda(agenda_id: str, extra: list[Path] | None = None, *, where: str = "") -> Agenda:
    """The one agenda a command needs. Only files whose `id:` line names it are parsed, so a
    huge or broken agenda of another area neither slows nor stops this command; the result is
    the one `load_agendas` gives (the last file with that id wins).

    NoSuchAgenda never repeats the id (a typed one may be a surname in lower case); `where`
    ("--agenda", "notes.yaml: agenda") says where it came from, and the known ids are listed."""
    files = agenda_files(extra)
    declared = {path: _declared_id(path) for path in files}
    for path in reversed(files):
        if declared[path] in (agenda_id, None):
            agenda = load_agenda(path)
            if agenda.id == agenda_id:
                return agenda
    known = ", ".join(sorted({i for i in declared.values() if i})) or "none"
    hint = (
        ""
        if re.fullmatch(AGENDA_ID, agenda_id)
        else ": an agenda's id is its file name, in lower-case letters, digits and hyphens"
    )
    raise NoSuchAgenda(
        f"{f'{where}: ' if where else ''}no agenda by that id{hint} (known: {known})"
    )
