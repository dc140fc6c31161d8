"""Questions as data: each question the interview asks to fill a field of the record, once.

A `Question` names the model field it fills; its label is that field's description (so a changed
description changes the prompt), it says whether an empty answer is refused at entry and with
what words, and it holds the parser that turns typed text into the value. The live walk asks it
through the prompt seam (`interview.walk.Interview.answer`) and the answers-file reader replays
the same question (`answers`), as copier replays its questions from copier.yml: a live answer and
a file's answer are read by one function, `Question.take`. Whether a field left empty is flagged
later is the rulebook's (`rulebook.RULES`, found by the field's path).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from .agenda import Agenda
from .errors import InputError
from .model import (
    Action,
    Adult,
    Child,
    Decision,
    Disagreement,
    FamilySharing,
    InformationShared,
    InviteNote,
    Medical,
    Meeting,
    Outcome,
    Participant,
    PartnerGap,
    PoliceAgreement,
    Risk,
    YesNo,
    date_problem,
    holds_one_line,
)
from .outcomes import meant_by
from .rules import parse_clock
from .text import problem as text_problem
from .timeutil import london, wall

# Nothing the chair says is refused for being incomplete: it is saved, and the rulebook flags it.
LATER = "Enter leaves it for now: it is saved and flagged"

DUE_HINT = "e.g. today 17:00 · 2 working days · within 1 hour · before ICPC · 24/11 10am"


@dataclass(frozen=True)
class Given:
    """What an answer is read against: the record, its agenda and the moment it is read at."""

    meeting: Meeting
    agenda: Agenda | None  # None where no due time is read (a prefill)
    now: datetime  # relative due times ('2 working days') count from here
    day: date  # a clock time typed alone ('10:25') falls on this day
    after: datetime | None = None  # in the hour the clocks go back, read a time not before this
    now_is: str = "now"  # what `now` is, named when a due time has already passed


Parser = Callable[[str, Given], Any]


def text(typed: str, given: Given) -> str:
    """Free text, kept as typed."""
    return typed


def clock(typed: str, given: Given) -> datetime:
    """A time as typed ('10:25', '2pm', '19/11/2026 10:25', ISO): rules.parse_clock."""
    return parse_clock(typed, given.day, after=given.after)


def due(typed: str, given: Given) -> datetime:
    """A due time as typed ('2 working days', 'Fri 16:00'): deadlines.resolve_due."""
    from .deadlines import resolve_due

    if given.agenda is None:
        raise InputError("a due time needs the area's agenda")
    return resolve_due(typed, given.now, given.agenda, given.meeting, now_is=given.now_is)


def outcome(typed: str, given: Given) -> str:
    """An outcome as people write it ('nfa', 'S47 joint'): the first one the words mean
    (outcomes.meant_by); words it does not know are kept, for the record's check to refuse."""
    return next(iter(meant_by(typed)), typed)


# Where each part of the record sits in it: the path the rulebook and error messages use.
_PLACE: dict[type[BaseModel], str] = {
    Meeting: "",
    Participant: "participants",
    PartnerGap: "partner_gaps",
    InviteNote: "invites",
    Child: "children",
    Adult: "adults",
    InformationShared: "information",
    Risk: "risk",
    Decision: "decisions",
    Medical: "decisions.medical",
    PoliceAgreement: "decisions.police_agreement",
    Action: "actions",
    Disagreement: "disagreements",
    FamilySharing: "family",
}


@dataclass(frozen=True)
class Question:
    """One question that fills one field: its label is the field's description.

    `form` places the label in the prompt (`{label}`, or `{lc}` with a small first letter, after
    `{who}`: "Dana Okafor: job role"); `ending` follows it ("(Enter if none)"). A description
    holding ", e.g. …" shows the example as the hint. `required` is what the chair is told when
    the answer is left empty and must not be; a file is refused with the same words."""

    model: type[BaseModel]
    name: str  # the model field, and the key an answers file writes it under
    parse: Parser = text
    required: str = ""
    form: str = "{label}"
    ending: str = ""
    hint: str = ""
    multiline: bool = False
    choices: tuple[str, ...] = ()  # the values offered to pick from, live; a file writes one

    @property
    def one_line(self) -> bool:
        """Whether the answer is kept as one line (its field is `OneLine`): the live prompt and
        a file's answer decide by the field alike, never by how the question is asked."""
        return holds_one_line(self.model, self.name)

    @property
    def description(self) -> str:
        return self.model.model_fields[self.name].description or ""

    @property
    def label(self) -> str:
        return self.description.partition(", e.g. ")[0]

    @property
    def path(self) -> str:
        """The field's place in the record, as the rulebook names it ('actions.owner')."""
        place = _PLACE[self.model]
        return f"{place}.{self.name}" if place else self.name

    @property
    def help(self) -> str:
        example = self.description.partition(", e.g. ")[2]
        return self.hint or (f"e.g. {example}" if example else "")

    def prompt(self, who: str = "", *, ending: str | None = None) -> str:
        label = self.label
        shown = self.form.format(label=label, lc=label[:1].lower() + label[1:], who=who)
        return shown + (self.ending if ending is None else ending)

    @property
    def refusal(self) -> str:
        """`required` in a file's words: 'an action needs an owner' (no '/cancel' there)."""
        words = self.required.removesuffix(".").removesuffix(" (or /cancel)")
        return words[:1].lower() + words[1:]

    @property
    def timed(self) -> bool:
        return self.parse in (clock, due)

    def wanted(self, meeting: Meeting, agenda: Agenda, part: str = "") -> list[str]:
        """When the procedure wants an answer here: the codes of the area's rules that would
        flag this field left empty in this record (`part`: the id of the child, decision or
        action it belongs to). The rulebook is asked with the field blanked in a copy, so the
        one table of rules says when a question is asked, as it says what is flagged."""
        from .rulebook import Context, rules_for

        graded = [g for g in rules_for(agenda) if g.enabled and g.rule.field == self.path]
        if not graded:
            return []
        probe = meeting.model_copy(deep=True)
        holder, where = _locate(probe, self.path, part)
        setattr(holder, self.name, None if self.timed else "")
        ctx = Context(probe, agenda)
        return [g.rule.code for g in graded if any(h.where == where for h in g.rule.condition(ctx))]

    def read(self, typed: str, given: Given) -> Any:
        """The one reading of a typed answer: the live prompt's and an answers file's."""
        value = typed.rstrip() if self.multiline else typed.strip()
        value, why = text_problem(value, one_line=self.one_line)
        if why:
            raise InputError(why)
        if not value.strip():
            if self.required:
                raise InputError(self.refusal)
            return None if self.timed else ""
        return self.parse(value, given)

    def problem(self, typed: str, given: Given) -> str | None:
        """Why `typed` cannot be read, or None: the check a prompt runs as the answer is typed
        (the same words a file's answer is refused with)."""
        try:
            self.read(typed, given)
        except InputError as exc:
            return exc.message
        return None

    def take(self, value: Any, given: Given) -> Any:
        """A value from an answers file: text is read as typed (`read`); YAML's own dates and
        times are checked as a typed one would be."""
        if isinstance(value, bool) and {"yes", "no"} <= set(self.choices):
            value = "yes" if value else "no"  # YAML reads a bare yes or no as true or false
        if value is None or isinstance(value, str):
            return self.read(value or "", given)
        if self.timed:
            if isinstance(value, datetime):
                if why := date_problem(value):
                    raise InputError(why)
                if value.tzinfo:
                    return london(value)
                return wall(value.date(), value.time(), after=given.after)
            if isinstance(value, date):
                raise InputError("give a time too, e.g. '24/11/2026 17:00'")
            raise InputError("must be a date and time, e.g. 2026-11-19 10:25")
        raise InputError("must be text")


def _locate(meeting: Meeting, path: str, part: str) -> tuple[Any, str]:
    """The object holding the field at `path` ('decisions.medical.by') in the part with id
    `part`, and where the rulebook says that field is ('decisions.D1.medical.by')."""
    *steps, name = path.split(".")
    holder: Any = meeting
    where: list[str] = []
    for step in steps:
        holder = getattr(holder, step)
        where.append(step)
        if isinstance(holder, list):
            holder = next(x for x in holder if x.id == part)
            where.append(part)
    return holder, ".".join([*where, name])


# --- the questions, by the part of the record they fill ----------------------------------------

# before the call (preparation)
REASON = Question(Meeting, "reason", required="Say why the discussion is needed.")
REFERRER = Question(Meeting, "referrer")
CHAIR = Question(Meeting, "chair", required="Name the chair.")
MINUTE_TAKER = Question(Meeting, "minute_taker", ending=" (name; Enter if none)")
CONCERN_IDENTIFIED = Question(Meeting, "concern_identified_at", clock)

# who the procedure asks to invite, and a statutory partner not taking part
INVITED = Question(InviteNote, "who", ending=" (Enter if no one)")
NOT_INVITED = Question(InviteNote, "reason", hint=LATER)
PARTNER_ESCALATION = Question(PartnerGap, "escalation", hint=LATER)

# an adult in the child's life
RELATIONSHIP = Question(Adult, "relationship", form="{who}: {lc}")

# a participant: someone added at the call, a late joiner, an early leaver
NAME = Question(Participant, "name", required="A name is needed (or /cancel).")
ROLE = Question(Participant, "role", form="{who}: {lc}")
AGENCY = Question(Participant, "agency", form="{who}: {lc}")
EMAIL = Question(Participant, "email", form="{who}: {lc}")
JOINED = Question(Participant, "joined_at", clock, form="{who} {lc}")
LEFT = Question(Participant, "left_at", clock, form="{who} {lc}")

# a child
CHILD_NAME = Question(Child, "name", required="A name is needed (or /cancel).")
VOICE = Question(Child, "voice", form="{who}: {lc}", multiline=True)
SEEN_ALONE = Question(Child, "seen_alone", form="{who}: {lc}")
ETHNICITY = Question(Child, "ethnicity", form="{who}: {lc}")
LANGUAGE = Question(Child, "language", form="{who}: {lc}")
NEEDS = Question(Child, "communication_needs", form="{who}: {lc}", ending=" (Enter if none)")
CONSIDERED = Question(Child, "considered", form="{who}: {lc}", multiline=True)
SCHOOL = Question(Child, "school", form="{who}: {lc}", ending=" (optional)")

# information shared by someone not on the list
SHARED_BY = Question(InformationShared, "by", required="Say who shared it.")
SHARED_AGENCY = Question(InformationShared, "agency")

# risk
RISK = Question(Risk, "summary", multiline=True)
SAFETY = Question(Risk, "immediate_safety", multiline=True)

# a decision (none may be left without a rationale: saved and flagged, decision.rationale)
RATIONALE = Question(Decision, "rationale", multiline=True)
MEDICAL_WHY = Question(Medical, "reason")
MEDICAL_BY = Question(Medical, "by")
MEDICAL_PLAN = Question(Medical, "contingency")
NOT_TOLD = Question(Decision, "parents_not_informed_reason", hint=LATER)
LEGAL = Question(Decision, "legal_detail")
CHILD_SEEN_ALONE = Question(Decision, "seen_alone")
INTERPRETER = Question(Decision, "interpreter", ending=" (Enter if none)")
OFFICER = Question(PoliceAgreement, "officer", required="Name the police officer in charge.")
OFFICER_NOTE = Question(PoliceAgreement, "note")

OUTCOME = Question(Decision, "outcome", outcome, choices=tuple(o.value for o in Outcome))
YES_NO = tuple(y.value for y in YesNo)
MEDICAL = Question(Medical, "needed", choices=YES_NO)
TOLD = Question(Decision, "parents_informed", choices=YES_NO)
LEGAL_ADVICE = Question(Decision, "legal_advice", choices=YES_NO)

# an action: what, who, by when
WHAT = Question(Action, "what", required="An action needs a description (or /cancel).")
OWNER = Question(Action, "owner", required="An action needs an owner.")
OWNER_AGENCY = Question(Action, "agency", form="{who}: {lc}")
DUE = Question(Action, "due", due, required="An action needs a due time.", hint=DUE_HINT)

# a disagreement
ABOUT = Question(Disagreement, "about", required="Say what the disagreement is about (or /cancel).")
RAISED_BY = Question(Disagreement, "raised_by", required="Say who raised it.")
RESOLUTION = Question(Disagreement, "resolution", ending=" (Enter if it was not)")
ESCALATION = Question(Disagreement, "escalation", required="Say how it is escalated.")

# the family
FAMILY_SHARED = Question(FamilySharing, "shared", multiline=True)
WITHHELD = Question(FamilySharing, "withheld", ending=" (Enter if nothing)", multiline=True)
WITHHELD_REASON = Question(FamilySharing, "withheld_reason", required="Record why it is withheld.")

# each person with parental responsibility
INFORMED_AT = Question(
    Adult, "informed_at", clock, ending=" (e.g. 15:00 or 20/11/2026 10:00; Enter if not known)"
)
INFORMED_BY = Question(Adult, "informed_by")
INFORMED_WHY = Question(Adult, "informed_reason", form="{who}: {lc}", hint=LATER)

# the end of the call
REVIEW = Question(Meeting, "review_mechanism")
NEXT = Question(Meeting, "next_discussion", due, ending=" (date and time; Enter if none planned)")
START = Question(Meeting, "started_at", clock)
END = Question(Meeting, "ended_at", clock, required="Give the end time.")
S47_STARTED = Question(Meeting, "s47_started_at", clock)

QUESTIONS: tuple[Question, ...] = tuple(
    q for q in list(globals().values()) if isinstance(q, Question)
)
