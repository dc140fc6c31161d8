"""The meeting record: one typed model behind the JSON file, its schema, the prompts and templates.

Everything a strategy discussion must record (``shared/domain.md``, "Recording" and "What the
discussion covers") has a field here. Field descriptions double as prompt labels and schema docs,
so keep them short and in the chair's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from .safetext import for_record
from .text import one_line_problem
from .text import problem as text_problem
from .timeutil import LONDON as LONDON  # re-exported: the one zone, defined in timeutil
from .timeutil import gap_problem, london, missing

SCHEMA_VERSION = 1
# ASCII digits only and \Z, not $: "SD-2026-0001\n" or other scripts' digits are not references.
MEETING_ID = r"SD-[0-9]{4}-[0-9]{4,6}"
MEETING_ID_RE = re.compile(rf"\A{MEETING_ID}\Z")
# How an agenda's id and its items' keys are spelled (agenda.Agenda.id, agenda.Item.key): the
# file names of the shipped agendas, and the keys notes and progress are stored under.
AGENDA_ID = r"[a-z0-9][a-z0-9-]{0,59}"
ITEM_KEY = r"[a-z][a-z0-9_]{0,59}"


# The dates a record may hold: from 1900 (the birth of anyone alive, with room to spare) to the
# end of 2100 (every deadline strat counts, years ahead). A placeholder for "no date" that case
# systems use (31/12/9999, 01/01/0001, 1753) is refused where it is entered, so deadline
# arithmetic never overflows; a record saved before this check is still read (see STORED).
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
# Validation context for a record read back from the store: a date outside the range is kept
# (the record still lists and shows; its deadlines are named as not countable) rather than
# making the whole file unreadable. Everything else (answers, prefill, import, edit, prompts)
# validates without it, so the range is enforced at entry.
STORED: dict[str, bool] = {"stored": True}


def date_problem(value: date) -> str | None:
    """Why a date cannot be in a record, or None; never repeats the date."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return (
            f"is outside the years {EARLIEST_YEAR}-{LATEST_YEAR} (a placeholder for "
            "'no date'? leave it empty)"
        )
    return None


def _stored(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("stored"))


def _in_range(value: date, info: ValidationInfo) -> date:
    if not _stored(info) and (why := date_problem(value)):
        raise ValueError(why)
    return value


def _aware(value: datetime, info: ValidationInfo) -> datetime:
    """Every time is held in UK time: a time without a zone is what a chair typed, and one with
    another offset (a file written in UTC, say) is converted, so every screen, document and
    calendar entry shows the clock the meeting was held by, summer or winter. A time without a
    zone in the hour the clocks skip names no moment: refused where it is entered, as typed."""
    if value.tzinfo is None and not _stored(info) and missing(value):
        raise ValueError(gap_problem(value.date()))
    try:
        return london(value)
    except OverflowError:  # 9999-12-31 23:30-05:00 is in the year 10000 in London
        raise ValueError("is beyond the dates strat can hold") from None


AwareDatetime = Annotated[datetime, AfterValidator(_in_range), AfterValidator(_aware)]
RecordDate = Annotated[date, AfterValidator(_in_range)]


# Text, checked where it is entered (text.py says why); a record saved before the check is still
# read as it was, like a date out of range, and its documents and screens clean what they show.
def _one_line(value: str, info: ValidationInfo) -> str:
    if not _stored(info) and (why := one_line_problem(value)):
        raise ValueError(why)
    return value


def _free_text(value: str, info: ValidationInfo) -> str:
    if _stored(info):
        return value
    value, why = text_problem(value, one_line=False)  # a CRLF from a Windows file: a line feed
    if why:
        raise ValueError(why)
    return value


OneLine = Annotated[str, AfterValidator(_one_line)]
Text = Annotated[str, AfterValidator(_free_text)]


def holds_one_line(model: type[BaseModel], name: str) -> bool:
    """Whether a field of the record is shown as one line (a name, a role): `OneLine`."""
    field = model.model_fields.get(name)
    return field is not None and any(
        getattr(meta, "func", None) is _one_line for meta in field.metadata
    )


# References within the record and between records. strat makes them (Meeting.next_id, the
# store's references), so they are never a person's name: the register's index keeps them, and
# its promise is "references, not people". Checked where a record comes in (import, edit, an
# answers file); a record kept before the check may hold any id (`strat import` once kept what a
# file had), so it is read as it is, and the index writes a placeholder for an id of another
# shape (index.rows_from_record). The message never repeats what was there instead.
def _shaped(pattern: str, like: str) -> Callable[[str, ValidationInfo], str]:
    compiled = re.compile(rf"\A(?:{pattern})\Z")

    def check(value: str, info: ValidationInfo) -> str:
        if not compiled.match(value) and not _stored(info):
            raise ValueError(f"must be a reference like {like}, never a name")
        return value

    return check


def _reference(pattern: str, like: str) -> Any:
    return (
        AfterValidator(_shaped(pattern, like)),
        Field(json_schema_extra={"pattern": f"^{pattern}$"}),
    )


def short_id(prefix: str) -> str:
    """The pattern of the ids `Meeting.next_id(prefix)` makes: C1, AD2, P12, A151…"""
    return f"{prefix}[0-9]{{1,9}}"


ChildId = Annotated[str, *_reference(short_id("C"), "C1")]
AdultId = Annotated[str, *_reference(short_id("AD"), "AD1")]
ParticipantId = Annotated[str, *_reference(short_id("P"), "P1")]
InformationId = Annotated[str, *_reference(short_id("I"), "I1")]
DecisionId = Annotated[str, *_reference(short_id("D"), "D1")]
ActionId = Annotated[str, *_reference(short_id("A"), "A1")]
DisagreementId = Annotated[str, *_reference(short_id("G"), "G1")]
MeetingRef = Annotated[str, *_reference(MEETING_ID, "SD-2026-0001")]
ACTION_REF = f"{MEETING_ID}:{short_id('A')}"  # an action carried from an earlier discussion
ActionRef = Annotated[str, *_reference(ACTION_REF, "SD-2026-0001:A3")]
AgendaId = Annotated[str, *_reference(AGENDA_ID, "national (its file name)")]
# A case-management reference (LCS-40021, MOSAIC 123456, CP/2026/001) goes into the index as the
# child's reference where there is one: it has a number in it, and is not longer than a
# reference is, so a child's name typed in its place is refused where it is entered.
LOCAL_REF = r"(?=[^0-9]*[0-9])[A-Za-z0-9][A-Za-z0-9 ./:#_-]{0,39}"
_LOCAL_REF_RE = re.compile(rf"\A{LOCAL_REF}\Z")


def _local_ref(value: str, info: ValidationInfo) -> str:
    if value and not _stored(info) and not _LOCAL_REF_RE.match(value):
        raise ValueError(
            "must be a case-management reference with a number in it (e.g. LCS-40021), never a name"
        )
    return value


LocalRef = Annotated[str, AfterValidator(_local_ref)]

# Notes and progress are kept under item keys, never indexed: a record kept before the check
# (an odd key from an edit) is still read.
ItemKey = Annotated[str, *_reference(ITEM_KEY, "concerns (an agenda item's key)")]


class Model(BaseModel):
    """Base for every part of the record: unknown keys are errors, so typos in files show."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False, use_enum_values=False)


# --- choices ---------------------------------------------------------------------------------


class MeetingType(StrEnum):
    initial = "initial"
    follow_up = "follow-up"
    final = "final"


class MeetingFormat(StrEnum):
    phone = "phone"
    video = "video"
    in_person = "in person"
    hybrid = "hybrid"


class Status(StrEnum):
    draft = "draft"
    ended = "ended"
    authorised = "authorised"


class AgencyKind(StrEnum):
    social_care = "social care"
    police = "police"
    health = "health"
    education = "education"
    legal = "legal"
    adult_services = "adult services"
    probation = "probation"
    youth_justice = "youth justice"
    housing = "housing"
    voluntary = "voluntary"
    other_area = "other area"
    other = "other"


class Attendance(StrEnum):
    invited = "invited"  # not yet marked: the state of an invitee before the call
    in_person = "in person"
    remote = "phone/video"
    apologies = "apologies"
    report_sent = "report sent"
    absent = "did not attend"

    @property
    def took_part(self) -> bool:
        return self in (Attendance.in_person, Attendance.remote)


class Outcome(StrEnum):
    s47_single = "s47 single-agency"
    s47_joint = "s47 joint with police"
    s17 = "s17 child in need assessment"
    early_help = "early help"
    nfa = "no further action"
    further_strategy = "further strategy discussion"

    @property
    def is_s47(self) -> bool:
        return self in (Outcome.s47_single, Outcome.s47_joint)


class Concern(StrEnum):
    """What the concern is about: decides who must be invited and what must be decided."""

    physical_injury = "physical injury"
    sexual_abuse = "sexual abuse"
    neglect = "neglect"
    emotional_abuse = "emotional abuse"
    exploitation = "exploitation"
    missing = "missing"
    domestic_abuse = "domestic abuse"
    pre_birth = "pre-birth"
    in_hospital = "child in hospital"
    out_of_area = "out of area"
    staff_allegation = "staff allegation"
    looked_after = "looked after child"
    youth_justice = "youth justice"
    fabricated_illness = "fabricated or induced illness"
    other = "other"


class YesNo(StrEnum):
    yes = "yes"
    no = "no"
    undecided = "not yet decided"


class Informing(StrEnum):
    """What happens about telling one adult with parental responsibility."""

    undecided = "not yet decided"
    told = "told"
    later = "to be told later"
    not_told = "not to be told"


class ActionStatus(StrEnum):
    open = "open"
    done = "done"
    carried = "carried forward"
    cancelled = "cancelled"


class Method(StrEnum):
    """How a record went out: a draft prepared, a send by strat, a draft the user sent."""

    draft = "draft"
    smtp = "smtp"
    draft_sent = "draft sent"


class RiskLevel(StrEnum):
    immediate = "immediate"
    high = "high"
    medium = "medium"
    low = "low"


# --- parts of the record ---------------------------------------------------------------------


class Child(Model):
    id: ChildId = Field(description="Short reference within the meeting, e.g. C1")
    name: OneLine = Field(description="Child's name")  # never in file names or email subjects
    subject: bool = Field(
        True, description="Subject of the concern (false: another child considered)"
    )
    unborn: bool = Field(False, description="Unborn child (pre-birth discussion)")
    expected_date: RecordDate | None = Field(
        None, description="Expected date of delivery, if unborn"
    )
    date_of_birth: RecordDate | None = None
    gender: OneLine = ""
    ethnicity: OneLine = Field("", description="Ethnicity")
    language: OneLine = Field("", description="First language")
    communication_needs: Text = Field("", description="Disability or communication needs")
    interpreter: bool = Field(False, description="Interpreter needed for the child")
    school: OneLine = Field("", description="School, nursery or other setting")
    in_hospital: bool = Field(False, description="In hospital (in-patient or out-patient)")
    out_of_area: bool = Field(False, description="Lives outside the area")
    local_ref: LocalRef = Field("", description="Case-management system reference")
    voice: Text = Field("", description="Voice and lived experience")
    seen_alone: Text = Field("", description="When, and by whom, will they be seen alone?")
    considered: Text = Field("", description="How may they be affected?")

    @field_validator("date_of_birth")
    @classmethod
    def _born(cls, value: date | None, info: ValidationInfo) -> date | None:
        """A birth date in the future is a typing slip (or an unborn child): refused at entry."""
        if value is not None and not _stored(info) and value > datetime.now(LONDON).date():
            raise ValueError(
                "is in the future (for an unborn child, set unborn and the expected_date)"
            )
        return value


class Adult(Model):
    id: AdultId = Field(description="Short reference within the meeting, e.g. AD1")
    name: OneLine
    relationship: OneLine = Field("", description="Relationship to the children")
    parental_responsibility: bool = Field(False, description="Holds parental responsibility")
    household_member: bool = Field(False, description="Lives in the household")
    alleged_perpetrator: bool = False
    risk_to_staff: bool = Field(False, description="History of violence or threats to staff")
    risk_to_staff_detail: Text = ""
    interpreter: bool = Field(False, description="Interpreter needed")
    notes: Text = ""
    # Each person with parental responsibility, absent parents included (Devon MASH).
    informed: Informing = Field(Informing.undecided, description="Whether they are told")
    informed_at: AwareDatetime | None = Field(None, description="When")
    informed_by: OneLine = Field("", description="By whom?")
    informed_reason: Text = Field("", description="Why later, or why not told")


class Participant(Model):
    id: ParticipantId = Field(description="Short reference within the meeting, e.g. P1")
    name: OneLine = Field(description="Name")
    role: OneLine = Field("", description="Job role")
    agency: OneLine = Field("", description="Agency, e.g. Northshire Police")
    agency_kind: AgencyKind = AgencyKind.other
    email: OneLine = Field("", description="Email (optional)")
    phone: OneLine = ""
    attendance: Attendance = Attendance.invited
    apology_reason: Text = ""
    joined_at: AwareDatetime | None = Field(None, description="Joined at (HH:MM)")
    left_at: AwareDatetime | None = Field(None, description="Left at (HH:MM)")
    contributed: bool = Field(False, description="Contributed information")
    is_chair: bool = False
    is_minute_taker: bool = False


class InformationShared(Model):
    id: InformationId
    participant_id: ParticipantId | None = Field(None, description="Who shared it (a participant)")
    by: OneLine = Field("", description="Shared by (name)")
    agency: OneLine = Field("", description="Their agency")
    summary: Text
    historical: bool = Field(False, description="Historical information")
    other_area: bool = Field(False, description="From another area the family lived in")
    shareable_with_family: bool = Field(True, description="May be shared with the family")
    at: AwareDatetime | None = None


class Risk(Model):
    level: RiskLevel | None = None
    summary: Text = Field("", description="Risk and urgency: the assessment")
    immediate_safety: Text = Field("", description="Immediate safeguarding and care arrangements")


class Medical(Model):
    needed: YesNo = Field(YesNo.undecided, description="Medical examination needed?")
    reason: Text = Field("", description="Why is a medical needed, or not needed?")
    by: Text = Field("", description="Who will carry it out, and when?")
    contingency: Text = Field("", description="Plan if consent is refused")


class PoliceAgreement(Model):
    officer: OneLine = Field("", description="Police officer in charge (name)")
    agreed: bool = False
    at: AwareDatetime | None = None
    note: Text = Field("", description="Their reasons (optional)")


class Decision(Model):
    id: DecisionId
    child_id: ChildId
    outcome: Outcome = Field(description="Outcome")
    rationale: Text = Field(description="Rationale: the basis for this decision")
    medical: Medical = Field(default_factory=Medical)
    parents_informed: YesNo = Field(
        YesNo.undecided, description="Parents / PR holders informed of the strategy discussion?"
    )
    parents_not_informed_reason: Text = Field("", description="Why are they not told?")
    legal_advice: YesNo = Field(YesNo.undecided, description="Legal advice needed?")
    legal_detail: Text = Field("", description="Legal advice: what and from whom?")
    legal_proceedings: bool = Field(False, description="Legal proceedings to be started")
    legal_approved_by: OneLine = Field(
        "", description="The Children's Social Care manager who approved legal proceedings"
    )
    seen_alone: Text = Field("", description="When, and by whom, will the child be seen alone?")
    interpreter: Text = Field("", description="Interpreter arrangements")
    police_agreement: PoliceAgreement | None = None
    recorded_at: AwareDatetime | None = None


class Action(Model):
    id: ActionId = Field(description="A1, A2…: unique within the meeting")
    what: Text = Field(description="Action: what exactly needs doing?")
    owner: OneLine = Field(description="Owner's name")
    owner_participant_id: ParticipantId | None = None
    agency: OneLine = Field("", description="Agency (optional)")
    due: AwareDatetime = Field(description="Due")
    due_rule: OneLine = Field("", description="The rule as typed, e.g. '2 working days'")
    status: ActionStatus = ActionStatus.open
    completed_at: AwareDatetime | None = None
    completion_note: Text = ""
    contingency: bool = Field(False, description="A contingency action")
    child_ids: list[ChildId] = Field(default_factory=list)
    created_at: AwareDatetime | None = None
    carried_from: ActionRef | None = Field(None, description="MEETING:ACTION this was carried from")

    @field_validator("what", "owner")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value


class ReviewOutcome(StrEnum):
    done = "done"
    carried = "carried forward"
    cancelled = "cancelled"


class ActionReview(Model):
    """What a follow-up discussion decided about an open action from an earlier one."""

    ref: ActionRef = Field(description="MEETING:ACTION reviewed, e.g. SD-2026-0001:A3")
    what: Text
    owner: OneLine
    outcome: ReviewOutcome
    note: Text = Field("", description="Why cancelled, or what was done")
    new_action_id: ActionId | None = Field(None, description="The carried action in this meeting")
    at: AwareDatetime | None = None


class Disagreement(Model):
    id: DisagreementId
    raised_by: OneLine = Field(description="Raised by (name)")
    about: Text = Field(description="Disagreement: what is it about?")
    resolution: Text = Field("", description="How was it resolved?")
    escalated: bool = False
    escalation: Text = Field("", description="Escalated to whom, and how?")
    at: AwareDatetime | None = None


class InviteCondition(StrEnum):
    """When an agenda's invite rule applies (agenda.InviteRule.when; rulebook.invite_conditions)."""

    always = "always"
    child_in_hospital = "child_in_hospital"
    medical_possible = "medical_possible"
    pre_birth = "pre_birth"
    out_of_area = "out_of_area"
    legal = "legal"
    adult_issues = "adult_issues"
    sexual_abuse = "sexual_abuse"
    exploitation = "exploitation"
    looked_after = "looked_after"
    staff_allegation = "staff_allegation"
    expertise = "expertise"
    missing = "missing"
    youth_justice = "youth_justice"

    @property
    def words(self) -> str:
        """How screens and documents say the condition ('a medical may be needed')."""
        return _INVITE_WORDS.get(self.value, self.value.replace("_", " "))


_INVITE_WORDS = {
    "always": "always",
    "child_in_hospital": "the child is in hospital",
    "medical_possible": "a medical examination may be needed",
    "pre_birth": "the discussion is pre-birth",
    "out_of_area": "the child lives out of area",
    "legal": "legal action may be needed",
    "adult_issues": "adults' needs (domestic abuse, substance misuse, mental illness) arise",
    "sexual_abuse": "sexual abuse is alleged",
    "exploitation": "exploitation is suspected",
    "looked_after": "the child is looked after",
    "staff_allegation": "the allegation is against a member of staff",
    "expertise": "expertise in the type of harm is needed",
    "missing": "the child is missing",
    "youth_justice": "youth justice services are involved",
}


class InviteNote(Model):
    """What the chair did about one of the agenda's invite rules that applies to this case."""

    when: InviteCondition = Field(description="The agenda's invite condition, e.g. legal")
    invited: bool = False
    who: OneLine = Field("", description="Who was invited for this?")
    reason: Text = Field("", description="Why was no one invited?")


class PartnerGap(Model):
    """A statutory partner not present, and what the chair decided about it."""

    agency_kind: AgencyKind
    reason: Text = ""
    escalated: bool = False
    escalation: Text = Field("", description="Escalated to whom, and how?")
    proceeded: bool = True


class FamilySharing(Model):
    shared: Text = Field("", description="What will be shared with the family, and by whom?")
    withheld: Text = Field("", description="What is withheld from the family?")
    withheld_reason: Text = Field("", description="Why is it withheld?")


class CirculationEntry(Model):
    at: AwareDatetime
    by: OneLine = ""
    method: Method
    recipients: list[OneLine] = Field(default_factory=list)
    delivered: list[OneLine] = Field(default_factory=list)
    refused: dict[OneLine, Text] = Field(default_factory=dict)
    documents: dict[str, str] = Field(default_factory=dict, description="file name → sha256")
    record: str = Field("", description="Hash of the record the documents were made from")
    note: Text = ""
    state: Literal["", "sending", "unknown"] = Field(
        "",
        description=(
            "'' once settled. 'sending' is saved before the SMTP transaction starts, so an "
            "entry left so (a kill, a full disk) or 'unknown' (the server went quiet after "
            "taking the message) means the recipients may have it"
        ),
    )
    unreachable: dict[ParticipantId, Text] = Field(
        default_factory=dict,
        description="Participant id → why the record could not be emailed to them",
    )


class Authorisation(Model):
    by: OneLine
    role: OneLine
    at: AwareDatetime
    override_reason: Text = ""


class Amendment(Model):
    at: AwareDatetime
    by: OneLine
    text: Text


class AuditEvent(Model):
    at: AwareDatetime
    who: OneLine = ""
    event: OneLine
    detail: Text = ""


class Pending(Model):
    """An action or a decision the chair is giving, before its required parts are all given
    (an action's due time, a decision's rationale): each answer is kept here as it is given,
    so a kill between two questions loses none, and `strat resume` carries the entry on."""

    kind: Literal["action", "decision"]
    # an action's answers
    what: Text = ""
    owner_pick: OneLine = Field(
        "", description="The owner as picked: a participant's id, or 'other' (a name typed)"
    )
    owner: OneLine = ""
    agency: OneLine = ""
    due_rule: OneLine = Field("", description="The due time as typed, not yet confirmed")
    # a decision's answers
    child_ids: list[ChildId] = Field(default_factory=list)
    outcome: Outcome | None = None
    police_agreement: PoliceAgreement | None = None


class Progress(Model):
    """Where the chair is in the agenda, so `strat resume` continues at the same place."""

    current: ItemKey | None = None
    done: list[ItemKey] = Field(default_factory=list)
    skipped: list[ItemKey] = Field(default_factory=list)
    attendance_taken: bool = False
    pending: list[Pending] = Field(
        default_factory=list,
        description="Entries not yet whole, the one being given last (a /decision typed while "
        "an action is being given stacks on it)",
    )


class Meeting(Model):
    schema_version: int = SCHEMA_VERSION
    id: str = Field(description="Reference, e.g. SD-2026-0001: never a name")
    agenda: AgendaId = Field(description="Agenda (area) id, e.g. pan-lancashire")
    type: MeetingType = MeetingType.initial
    format: MeetingFormat = MeetingFormat.video
    status: Status = Status.draft
    started_at: AwareDatetime = Field(description="Started at")
    ended_at: AwareDatetime | None = Field(None, description="End time (HH:MM)")
    concern_identified_at: AwareDatetime | None = Field(
        None, description="When the concern was identified"
    )
    reason: Text = Field("", description="Reason for the discussion: the concern or trigger")
    concerns: list[Concern] = Field(
        default_factory=list, description="What the concern is about (physical injury, neglect…)"
    )
    late_reason: Text = Field(
        "", description="Why the discussion was held after the area's timescale"
    )
    referrer: OneLine = Field("", description="Referred by (person or agency)")
    chair: OneLine = Field("", description="Chair (name)")
    chair_role: OneLine = ""
    minute_taker: OneLine = Field("", description="Minute taker")
    previous: list[MeetingRef] = Field(
        default_factory=list, description="Earlier discussions of the case"
    )
    children: list[Child] = Field(default_factory=list)
    adults: list[Adult] = Field(default_factory=list)
    participants: list[Participant] = Field(default_factory=list)
    partner_gaps: list[PartnerGap] = Field(default_factory=list)
    invites: list[InviteNote] = Field(
        default_factory=list,
        description="The agenda's invite rules that apply: invited, or why not",
    )
    information: list[InformationShared] = Field(default_factory=list)
    notes: dict[ItemKey, Text] = Field(
        default_factory=dict, description="Notes per agenda item key"
    )
    risk: Risk = Field(default_factory=Risk)
    decisions: list[Decision] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    disagreements: list[Disagreement] = Field(default_factory=list)
    family: FamilySharing = Field(default_factory=FamilySharing)
    reviewed_actions: list[ActionReview] = Field(
        default_factory=list, description="Open actions from earlier discussions, reviewed here"
    )
    review_mechanism: Text = Field(
        "", description="How will completion of the actions be reviewed?"
    )
    challenge: Text = Field(
        "", description="Evidence of professional challenge: who challenged what, and the outcome"
    )
    next_discussion: AwareDatetime | None = Field(None, description="Next discussion")
    s47_started_at: AwareDatetime | None = Field(
        None, description="When the discussion that initiated s47 was held (from earlier links)"
    )
    icpc_held_on: RecordDate | None = Field(
        None,
        description="When the Initial Child Protection Conference was held (strat icpc)",
    )
    progress: Progress = Field(default_factory=Progress)
    circulation: list[CirculationEntry] = Field(default_factory=list)
    rendered: dict[str, str] = Field(
        default_factory=dict, description="document → sha256 of record"
    )
    authorisation: Authorisation | None = None
    amendments: list[Amendment] = Field(default_factory=list)
    audit: list[AuditEvent] = Field(default_factory=list)
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _status_follows_authorisation(self) -> Meeting:
        """'authorised' is never just a word in a file: it comes with a manager's sign-off."""
        if self.authorisation is not None:
            self.status = Status.authorised
        elif self.status == Status.authorised:
            raise ValueError(
                "status is 'authorised' but the record has no authorisation; "
                "a manager authorises with: strat authorise"
            )
        return self

    @field_validator("id")
    @classmethod
    def _reference(cls, value: str) -> str:
        if not MEETING_ID_RE.match(value):
            raise ValueError("must look like SD-2026-0001")
        return value

    @model_validator(mode="after")
    def _references_hold(self, info: ValidationInfo) -> Meeting:
        """Each id is used once in its list and each reference names something in the record, so
        a decision is never about a child who is not there. Checked where a record is entered
        (a file, an edit); a record already kept is read as it is."""
        if not _stored(info) and (fault := reference_fault(self)):
            where, why = fault
            raise ValidationError.from_exception_data(
                "Meeting",
                [
                    InitErrorDetails(
                        type=PydanticCustomError("reference", why), loc=where, input=None
                    )
                ],
            )
        return self

    # --- lookups the prompts, views and checks share -------------------------------------

    def child(self, child_id: str) -> Child | None:
        return next((c for c in self.children if c.id == child_id), None)

    def participant(self, participant_id: str) -> Participant | None:
        return next((p for p in self.participants if p.id == participant_id), None)

    def action(self, action_id: str) -> Action | None:
        return next((a for a in self.actions if a.id == action_id), None)

    def decisions_for(self, child_id: str) -> list[Decision]:
        return [d for d in self.decisions if d.child_id == child_id]

    @property
    def subject_children(self) -> list[Child]:
        return [c for c in self.children if c.subject]

    @property
    def s47_decided(self) -> bool:
        return any(d.outcome.is_s47 for d in self.decisions)

    @property
    def locked(self) -> bool:
        return self.authorisation is not None

    def next_id(self, prefix: str, existing: list[str]) -> str:
        """The next free short id (C3, P12, A151…) so ids never get reused after a deletion."""
        numbers = [int(x[len(prefix) :]) for x in existing if x[len(prefix) :].isdecimal()]
        return f"{prefix}{max(numbers, default=0) + 1}"

    def log(self, event: str, detail: str = "", who: str = "", at: datetime | None = None) -> None:
        """Append to the audit trail: every change a person makes is traceable. The trail is
        strat's own writing, which may quote outside text (a mail server's reply, a name kept
        before the text checks): what a record may not hold is left out, never refused, so
        the save that settles an effect always happens."""
        self.audit.append(
            AuditEvent(
                at=at or datetime.now(LONDON),
                who=for_record(who or self.chair, one_line=True),
                event=for_record(event, one_line=True),
                detail=for_record(detail, one_line=False),
            )
        )


def error_text(err: ErrorDetails) -> str:
    """What a validation error says, without pydantic's label ('Value error, '): our own checks
    are written to be read. Never the value (pydantic's messages do not quote it)."""
    return err["msg"].removeprefix("Value error, ")


def reference_fault(m: Meeting) -> tuple[tuple[str | int, ...], str] | None:
    """The first id used twice in a list, or reference to nothing in the record, as (field path,
    why); None when every one holds. The why never repeats the id (it may be anything)."""
    lists: dict[str, list[Any]] = {
        "children": m.children,
        "adults": m.adults,
        "participants": m.participants,
        "information": m.information,
        "decisions": m.decisions,
        "actions": m.actions,
        "disagreements": m.disagreements,
    }
    for key, items in lists.items():
        seen: set[str] = set()
        for n, item in enumerate(items):
            if item.id in seen:
                return (key, n, "id"), "is used by an earlier entry of this list"
            seen.add(item.id)
    children = {c.id for c in m.children}
    participants = {p.id for p in m.participants}
    actions = {a.id for a in m.actions}
    no_child, no_participant = (
        "names no child in this record",
        "names no participant in this record",
    )
    for n, d in enumerate(m.decisions):
        if d.child_id not in children:
            return ("decisions", n, "child_id"), no_child
    for n, a in enumerate(m.actions):
        for k, cid in enumerate(a.child_ids):
            if cid not in children:
                return ("actions", n, "child_ids", k), no_child
        if a.owner_participant_id is not None and a.owner_participant_id not in participants:
            return ("actions", n, "owner_participant_id"), no_participant
    for n, i in enumerate(m.information):
        if i.participant_id is not None and i.participant_id not in participants:
            return ("information", n, "participant_id"), no_participant
    for n, r in enumerate(m.reviewed_actions):
        if r.new_action_id is not None and r.new_action_id not in actions:
            return ("reviewed_actions", n, "new_action_id"), "names no action in this record"
    return None


# --- what each field is for, beyond what it records -----------------------------------------
#
# One home for the lists the store, `strat edit`, the documents' record hash and answers files
# need. Every field of Meeting has a row (a test checks), so a new field gets a decision.
STRAT_WRITES = "written by strat"  # not editable in `strat edit`: its history and identity
AFTER_AUTHORISATION = "may change after authorisation"  # how it travelled, what came later
NOT_CONTENT = "not what a document says"  # left out of the record hash documents are made from
PREFILL = "known before the call"  # a prefill file may give it
ANSWERS = "written in an answers file"  # an answers file may give it (prefill fields too)

_B, _A, _N, _P, _W = STRAT_WRITES, AFTER_AUTHORISATION, NOT_CONTENT, PREFILL, ANSWERS
MEETING_FIELD_ROLES: dict[str, frozenset[str]] = {
    name: frozenset(roles)
    for name, roles in {
        "schema_version": {_B},
        "id": {_B},
        "agenda": {_P},
        "type": {_P},
        "format": {_P},
        "status": {_B, _A},  # draft, ended, authorised: set by new, resume and authorise
        "started_at": {_W},
        "ended_at": {_W},
        "concern_identified_at": {_P},
        "reason": {_P},
        "referrer": {_P},
        "concerns": {_P},
        "late_reason": {_W},
        "chair": {_P},
        "chair_role": {_P},
        "minute_taker": {_P},
        "previous": {_P},
        "children": {_P},
        "adults": {_P},
        "participants": {_P},
        "partner_gaps": {_W},
        "invites": {_P},
        "information": {_W},
        "notes": {_W},
        "risk": {_W},
        "decisions": {_W},
        "actions": {_W},
        "disagreements": {_W},
        "family": {_W},
        "reviewed_actions": set(),  # made by the live follow-up review only
        "review_mechanism": {_W},
        "challenge": {_W},
        "next_discussion": {_W},
        "s47_started_at": {_W},
        "icpc_held_on": {_A, _N},  # the conference follows the record (strat icpc)
        "progress": {_B, _A, _N},
        "circulation": {_B, _A, _N},
        "rendered": {_B, _A, _N},
        "authorisation": {_B},
        "amendments": {_B, _A},
        "audit": {_B, _A, _N},
        "created_at": {_B},
        "updated_at": {_B, _A, _N},
    }.items()
}
# Parts of a participant and an action with a role of their own.
CONTACT_FIELDS = ("email", "phone")  # how the record reaches a person, not what it says
FOLLOW_UP_FIELDS = ("status", "completed_at", "completion_note")  # closing an action later


def meeting_fields(role: str) -> tuple[str, ...]:
    """The fields of Meeting with `role`, in the model's order."""
    return tuple(n for n in Meeting.model_fields if role in MEETING_FIELD_ROLES.get(n, ()))


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the meeting file (`strat schema`)."""
    schema = Meeting.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://strat.invalid/schema/meeting-v{SCHEMA_VERSION}.json"
    schema["title"] = "Strategy discussion record"
    return schema
