"""The live meeting: walk an agenda with the chair, saving every answer before the next question.

The walk follows the area's order, but a call is not linear: from any text prompt the chair can
type a short command (`/action`, `/who`, `/back`, …) that runs a side step and returns to the
same question, or moves to another item. Where the chair is lives in `meeting.progress`, so
`strat resume` continues at the same place after Ctrl-C, a closed terminal or `kill -9`.

Nothing here imports questionary or typer: prompts come in through `prompts.Prompts`.
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from . import timeutil
from .agenda import Agenda, Item, ItemKind
from .attendance import how_taking_part, include_officers, missing_partners
from .errors import Busy, InputError, NotFound, StratError
from .model import (
    LONDON,
    Action,
    ActionReview,
    ActionStatus,
    Adult,
    AgencyKind,
    Attendance,
    Child,
    Concern,
    Decision,
    Disagreement,
    InformationShared,
    Informing,
    InviteCondition,
    InviteNote,
    Meeting,
    MeetingFormat,
    Outcome,
    Participant,
    PartnerGap,
    PoliceAgreement,
    ReviewOutcome,
    RiskLevel,
    Status,
    YesNo,
    date_problem,
)
from .prompts import Choice, Prompts
from .rulebook import closing_warnings, contingency_needed, decision_gaps, invites_arising
from .rules import (
    guess_kind,
    parse_clock,
    police_agreement_needed,
)
from .settings import login_name
from .timeutil import clock_text, elapsed, latest

if TYPE_CHECKING:
    from .store import Store

# Nothing the chair says is refused for being incomplete: it is saved, and the rulebook flags it.
LATER = "Enter leaves it for now: it is saved and flagged"

Clock = Callable[[], datetime]


def london_now() -> datetime:
    return datetime.now(LONDON)


# --- the any-time commands ---------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    help: str


COMMANDS: tuple[Command, ...] = (
    Command("action", "/action", "add an action (what, owner, due)"),
    Command("decision", "/decision", "record a decision for one or more children"),
    Command("who", "/who", "add or update a participant: late joiner, early leaver"),
    Command("info", "/info", "note information shared by an agency"),
    Command("disagree", "/disagree", "record a disagreement or escalation"),
    Command("child", "/child", "add a child to the discussion"),
    Command("invite", "/invite", "record who was invited under the procedure, or why not"),
    Command("inform", "/inform", "record, per person with parental responsibility, who tells them"),
    Command("open", "/open", "list the agenda items still open"),
    Command("back", "/back", "go back to the previous item"),
    Command("skip", "/skip", "skip this item for now (it stays open)"),
    Command("goto", "/goto N", "jump to item N (or pick from a list)"),
    Command("end", "/end", "go to the closing screen and end the meeting"),
    Command("edit", "/edit", "write this answer in your $EDITOR"),
    Command("cancel", "/cancel", "drop the step you are in (action, decision…)"),
    Command("help", "/help", "show these commands"),
)
_BY_NAME = {c.name: c for c in COMMANDS}
ALIASES = {"a": "action", "d": "decision", "w": "who", "i": "info", "g": "goto", "?": "help"}
TOOLBAR = (
    " /action /decision /who /info /disagree /child · /back /skip /goto N /open /end "
    "· /help · Ctrl-C pauses (all saved)"
)
NAVIGATION = ("back", "skip", "goto", "end")


def find_command(word: str) -> Command | None:
    """An exact name, an alias, or an unambiguous start (`/dec` → /decision)."""
    word = word.lower()
    word = ALIASES.get(word, word)
    if word in _BY_NAME:
        return _BY_NAME[word]
    starts = [c for c in COMMANDS if c.name.startswith(word)] if word else []
    return starts[0] if len(starts) == 1 else None


class Navigate(Exception):
    """Leave the current agenda item: back, skip, goto or end."""

    def __init__(self, where: str, arg: str = "") -> None:
        super().__init__(where)
        self.where = where
        self.arg = arg


class Cancel(Exception):
    """The chair dropped a side step with /cancel."""


class Pause(Exception):
    """The chair chose to stop and reconvene (e.g. a statutory partner is missing)."""


# --- the interview -----------------------------------------------------------------------------


class Interview:
    """One chair, one meeting, one agenda. Every answer is saved before the next question."""

    def __init__(
        self,
        meeting: Meeting,
        agenda: Agenda,
        store: Store,
        prompts: Prompts,
        *,
        user: str = "",
        actor: str = "",
        clock: Clock = london_now,
    ) -> None:
        self.m = meeting
        self.agenda = agenda
        self.store = store
        self.p = prompts
        self.user = user  # the configured name: offered as the chair
        # who the audit trail names, as every other command does: never the chair by default
        self.actor = actor or user or login_name()
        self.clock = clock
        self.depth = 0  # > 0 while in a side step started by a command
        self._earlier_reviewed = not meeting.previous  # follow-ups review once per session
        self.keys = [i.key for i in agenda.items]
        self.p.toolbar = TOOLBAR
        self._handlers: dict[ItemKind, Callable[[Item], None]] = {
            ItemKind.notes: self.step_notes,
            ItemKind.attendance: self.step_attendance,
            ItemKind.information: self.step_information,
            ItemKind.risk: self.step_risk,
            ItemKind.voice: self.step_voice,
            ItemKind.other_children: self.step_other_children,
            ItemKind.decisions: self.step_decisions,
            ItemKind.actions: self.step_actions,
            ItemKind.disagreements: self.step_disagreements,
            ItemKind.family: self.step_family,
            ItemKind.review: self.step_review,
        }

    # --- small helpers ----------------------------------------------------------------------

    def save(self) -> None:
        self.store.save(self.m)

    def log(self, event: str, detail: str = "") -> None:
        self.m.log(event, detail, who=self.actor, at=self.clock())

    def say(self, text: str = "") -> None:
        self.p.say(text)

    def ask(
        self,
        message: str,
        *,
        default: str = "",
        hint: str = "",
        required: str = "",
        multiline: bool = False,
        validate: Callable[[str], str | None] | None = None,
        keep: Callable[[str], None] | None = None,
    ) -> str:
        """A text answer; `/commands` typed here run and the same question comes back.

        `keep` stores text typed above a command (`…\n/action`, `…\n/goto 4`), and it is saved
        before the command runs: Ctrl-C or a closed terminal inside the side step loses nothing.
        """
        while True:
            if multiline:
                raw = self.p.multiline(message, default=default, hint=hint)
            else:
                raw = self.p.text(message, default=default, hint=hint, validate=validate)
            after = raw[len(default) :].strip() if default and raw.startswith(default) else ""
            if after.startswith("/") and find_command(after[1:].partition(" ")[0]) is not None:
                raw = after  # `/end` typed straight after the offered text: the command runs
            body, _, last = raw.rstrip().rpartition("\n")
            line = (last if body else raw).strip()
            if line.startswith("//"):
                raw = f"{body}\n{line[1:]}" if body else line[1:]
            elif line.startswith("/"):
                kept = body if body else ""
                if kept.strip() and keep is not None:
                    keep(kept)
                    self.save()
                edited = self.command(line, kept or default)
                if edited is not None:
                    raw = edited
                else:
                    default = kept or default
                    continue
            if required and not raw.strip():
                self.say(f"  {required}")
                continue
            if validate is not None and raw.strip():
                problem = validate(raw)
                if problem:
                    self.say(f"  {problem}")
                    default = raw
                    continue
            return raw.strip() if not multiline else raw.rstrip()

    def pick(self, message: str, choices: Sequence[Choice], default: str | None = None) -> str:
        return self.p.select(message, choices, default=default)

    @contextlib.contextmanager
    def side(self, what: str) -> Iterator[None]:
        """A step started by a command: /cancel drops it and returns to the question."""
        self.depth += 1
        try:
            yield
        except Cancel:
            self.say(f"  {what}: dropped. Back where you were.")
        finally:
            self.depth -= 1

    # --- commands -----------------------------------------------------------------------------

    def command(self, line: str, current: str) -> str | None:
        """Run a typed command. Returns text only for /edit (the answer written in the editor)."""
        word, _, arg = line[1:].partition(" ")
        cmd = find_command(word)
        if cmd is None:
            self.say(f"  Unknown command /{word}. Type /help for the list (// starts a literal /).")
            return None
        name = cmd.name
        if name == "help":
            self.show_help()
            return None
        if name == "edit":
            from .prompts import edit_in_editor

            try:
                return edit_in_editor(current, folder=self.store.root / "tmp")
            except InputError as exc:
                self.say(f"  {exc.message}")
                return None
        if self.depth > 0:
            if name == "cancel":
                raise Cancel
            self.say("  Finish this step first, or type /cancel to drop it.")
            return None
        if name == "cancel":
            self.say("  Nothing to cancel here; /skip leaves this item open for later.")
            return None
        if name in NAVIGATION:
            raise Navigate(name, arg.strip())
        if name == "open":
            self.show_open()
        elif name == "action":
            with self.side("Action"):
                what = self.ask(
                    "Action: what exactly needs doing?",
                    required="An action needs a description (or /cancel).",
                )
                self.add_action(what)
        elif name == "decision":
            with self.side("Decision"):
                self.record_decision()
        elif name == "who":
            with self.side("Participant"):
                self.who()
        elif name == "info":
            with self.side("Information"):
                self.add_information(None)
        elif name == "disagree":
            with self.side("Disagreement"):
                about = self.ask(
                    "Disagreement: what is it about?",
                    required="Say what the disagreement is about (or /cancel).",
                )
                self.add_disagreement(about)
        elif name == "invite":
            with self.side("Invitations"):
                self.record_invites()
        elif name == "inform":
            with self.side("Informing"):
                self.record_informing()
        elif name == "child":
            with self.side("Child"):
                name_ = self.ask("Child's name", required="A name is needed (or /cancel).")
                self.add_child(
                    name_, subject=self.p.confirm("A subject of the concern?", default=True)
                )
        return None

    def show_help(self) -> None:
        self.say("  Type these at any text prompt; the question comes back afterwards:")
        for c in COMMANDS:
            self.say(f"    {c.usage:<11} {c.help}")
        self.say("  Ctrl-C pauses: everything answered is already saved; strat resume continues.")

    def open_items(self) -> list[Item]:
        done = set(self.m.progress.done)
        return [i for i in self.agenda.items if i.key not in done]

    def show_open(self) -> None:
        items = self.open_items()
        if not items:
            self.say("  Every agenda item is done.")
            return
        skipped = set(self.m.progress.skipped)
        self.say("  Still open:")
        for item in items:
            n = self.keys.index(item.key) + 1
            mark = " (skipped)" if item.key in skipped else ""
            req = " *required" if item.required else ""
            self.say(f"    {n:>2}. {item.title}{mark}{req}")

    # --- the walk ---------------------------------------------------------------------------

    def header(self, item: Item) -> None:
        n = self.keys.index(item.key) + 1
        minutes = max(0, int(elapsed(self.m.started_at, self.clock()).total_seconds() // 60))
        left = len(self.open_items())
        self.say("")
        self.say(f"── {item.title}")
        self.say(
            f"   item {n} of {len(self.keys)} · {minutes} min elapsed · {left} open · "
            "/help for commands"
        )
        if item.guidance:
            for line in textwrap.wrap(item.guidance, 92):
                self.say(f"   {line}")

    def next_after(self, key: str | None) -> str | None:
        """Where to go after `key`: the first item neither done nor skipped, in agenda order
        (so after a jump the chair returns to where they were), then the skipped ones."""
        done, skipped = set(self.m.progress.done), set(self.m.progress.skipped)
        for k in self.keys:
            if k not in done and k not in skipped and k != key:
                return k
        for k in self.keys:
            if k not in done and k != key:
                return k
        return None

    def resolve_goto(self, arg: str, here: str) -> str:
        if not arg:
            choices = [
                (k, f"{n}. {i.title}" + (" ✓" if k in self.m.progress.done else ""))
                for n, (k, i) in enumerate(zip(self.keys, self.agenda.items, strict=True), 1)
            ]
            return self.pick("Go to which item?", choices, default=here)
        if arg.isdecimal() and 1 <= int(arg) <= len(self.keys):  # not isdigit: int("²") fails
            return self.keys[int(arg) - 1]
        if arg in self.keys:
            return arg
        self.say(f"  No such item: items are numbered 1 to {len(self.keys)}.")
        return here

    def run(self) -> str:
        """Walk the agenda until the meeting ends ('ended') or the chair stops ('paused')."""
        pr = self.m.progress
        current: str | None = pr.current
        attendance = next((i.key for i in self.agenda.items if i.kind == ItemKind.attendance), None)
        if not pr.attendance_taken and attendance and current in (None, attendance):
            current = attendance
        if current not in self.keys and current is not None:
            current = self.next_after(None)
        if current is None and not pr.done:
            current = self.keys[0]
        try:
            while True:
                if current is None:
                    try:
                        if self.closing():
                            return "ended"
                        current = self.resolve_goto("", self.keys[-1])
                    except Navigate as nav:
                        last = self.agenda.items[-1]
                        current = self.navigate(nav, last) if nav.where != "end" else None
                    continue
                item = self.agenda.item(current)
                assert item is not None
                if pr.current != current:
                    pr.current = current
                    self.save()
                if item.kind != ItemKind.attendance and not self._earlier_reviewed:
                    self._earlier_reviewed = True
                    try:
                        self.review_earlier_actions()
                    except Navigate as nav:
                        current = self.navigate(nav, item)
                        continue
                self.header(item)
                try:
                    self._handlers[item.kind](item)
                except Navigate as nav:
                    current = self.navigate(nav, item)
                    continue
                if item.key not in pr.done:
                    pr.done.append(item.key)
                if item.key in pr.skipped:
                    pr.skipped.remove(item.key)
                current = self.next_after(item.key)
                pr.current = current
                self.save()
        except Pause:
            self.save()
            return "paused"

    def navigate(self, nav: Navigate, item: Item) -> str | None:
        pr = self.m.progress
        here = item.key
        if nav.where == "back":
            i = self.keys.index(here)
            if i == 0:
                self.say("  This is the first item.")
                return here
            return self.keys[i - 1]
        if nav.where == "skip":
            if here not in pr.done and here not in pr.skipped:
                pr.skipped.append(here)
            self.say(
                f"  Skipped: {item.title} (still open; /goto {self.keys.index(here) + 1} returns)"
            )
            nxt = self.next_after(here)
            return nxt if nxt != here else None
        if nav.where == "goto":
            return self.resolve_goto(nav.arg, here)
        return None  # end

    # --- the closing screen -------------------------------------------------------------------

    def closing(self) -> bool:
        """Show the closing screen; True when the chair ended the meeting."""
        from .deadlines import format_uk

        m = self.m
        self.say("")
        self.say("══ Closing the discussion")
        self.say(closing_summary(m, self.agenda))
        warnings = closing_warnings(m, self.agenda)
        if warnings:
            self.say("Warnings:")
            for w in warnings:
                self.say(f"  ! {w}")
        choice = self.pick(
            "End the meeting?",
            [("end", "End the meeting now"), ("back", "Not yet: go back to an item")],
            default="back" if warnings else "end",
        )
        if choice == "back":
            return False
        now = self.clock()
        start = m.started_at

        def check_end(text: str) -> str | None:
            try:
                when = parse_clock(text, now.date(), after=start)
            except InputError as exc:
                return exc.message
            if timeutil.before(when, start.replace(second=0, microsecond=0)):
                return f"the end cannot be before the start ({format_uk(start)})"
            return None

        # A reopened meeting keeps its first end time: offered again, with its date if not today.
        ended = m.ended_at.astimezone(LONDON) if m.ended_at else None
        if ended is None:
            offer = now.strftime("%H:%M")
        elif ended.date() == now.date():
            offer = ended.strftime("%H:%M")
        else:
            offer = ended.strftime("%d/%m/%Y %H:%M")
        typed = self.ask(
            "End time (HH:MM)",
            default=offer,
            validate=check_end,
            required="Give the end time.",
        )
        m.ended_at = latest(parse_clock(typed, now.date(), after=start), start)
        m.status = Status.ended
        m.progress.current = None
        self.log("ended", f"at {clock_text(m.ended_at)}")
        self.save()
        self.say(f"Ended at {format_uk(m.ended_at)}. Saved as {m.id}.")
        self.say(deadlines_text(m, self.agenda))
        return True

    # --- the structured steps -----------------------------------------------------------------

    def step_notes(self, item: Item) -> None:
        def keep(text: str) -> None:
            self.m.notes[item.key] = text

        text = self.ask(
            item.title, default=self.m.notes.get(item.key, ""), multiline=True, keep=keep
        )
        if text.strip():
            self.m.notes[item.key] = text
        else:
            self.m.notes.pop(item.key, None)
        self.save()

    def _default_attendance(self) -> Attendance:
        return (
            Attendance.in_person if self.m.format == MeetingFormat.in_person else Attendance.remote
        )

    def mark(self, p: Participant) -> None:
        """Mark one invitee's attendance, saved at once."""
        how_choices: list[Choice] = [
            (a.value, a.value) for a in Attendance if a != Attendance.invited
        ]
        default = p.attendance if p.attendance != Attendance.invited else self._default_attendance()
        label = f"{p.name}" + (f" ({p.role}, {p.agency})" if p.role or p.agency else "")
        how = Attendance(self.pick(label, how_choices, default=default.value))
        p.attendance = how
        if how == Attendance.apologies:
            p.apology_reason = self.ask(
                f"Reason for {p.name}'s apologies",
                default=p.apology_reason,
                required="Record the reason for apologies.",
            )
        if how == Attendance.report_sent:
            p.contributed = True
        self.save()

    def step_attendance(self, item: Item) -> None:
        m = self.m
        if not m.progress.done and not m.progress.attendance_taken:
            m.started_at = self.clock().replace(second=0, microsecond=0)
            self.save()
        unmarked = [p for p in m.participants if p.attendance == Attendance.invited]
        if not m.participants:
            self.say("  Nobody was invited in advance: add each person on the call.")
        elif not unmarked:
            self.say(attendance_summary(m))
            while self.p.confirm("Change anyone's attendance?", default=False):
                pid = self.pick("Whose?", [(p.id, p.name) for p in m.participants])
                who = m.participant(pid)
                if who:
                    self.mark(who)
        else:
            self.say("  How is each invitee taking part?")
            for p in unmarked:
                self.mark(p)
        while True:
            name = self.ask(
                "Anyone else on the call? Name (Enter on its own when everyone is listed)"
            )
            if not name:
                break
            self.add_participant(name, joined=None, how=None)
        self.check_partners()
        if not m.progress.attendance_taken:
            m.progress.attendance_taken = True
            present = sum(1 for p in m.participants if p.attendance.took_part)
            self.log("attendance taken", f"{present} taking part of {len(m.participants)} listed")
            self.save()

    def check_partners(self) -> None:
        """Name each missing statutory partner and record why the chair proceeds, or stop."""
        m = self.m
        missing = missing_partners(m, self.agenda.statutory_partners)
        if not missing:
            self.say(
                "  Statutory partners present: "
                + ", ".join(k.value for k in self.agenda.statutory_partners)
            )
            return
        for kind in missing:
            known = next((g for g in m.partner_gaps if g.agency_kind == kind and g.proceeded), None)
            if known is not None:
                continue
            self.say(
                f"  ! Statutory partner missing: {kind.value} (nobody from {kind.value} is taking part)"
            )
            choice = self.pick(
                f"Without {kind.value}: how do you proceed?",
                [
                    ("proceed", "Proceed, recording why"),
                    ("escalate", "Proceed and escalate the non-attendance"),
                    ("stop", f"Stop and reconvene when {kind.value} can attend"),
                ],
            )
            reason = self.ask(
                f"Why is {kind.value} not taking part, and why is that acceptable now?"
                if choice != "stop"
                else f"Why is {kind.value} not taking part?",
                hint=LATER,
            )
            escalation = ""
            if choice == "escalate":
                escalation = self.ask("Escalated to whom, and how?", hint=LATER)
            m.partner_gaps = [g for g in m.partner_gaps if g.agency_kind != kind]
            m.partner_gaps.append(
                PartnerGap(
                    agency_kind=kind,
                    reason=reason,
                    escalated=choice == "escalate",
                    escalation=escalation,
                    proceeded=choice != "stop",
                )
            )
            self.log(
                "statutory partner missing",
                f"{kind.value}: {'stopped to reconvene' if choice == 'stop' else 'proceeded'}; {reason}",
            )
            self.save()
            if choice == "stop":
                self.say("  Stopped. The record is saved as a draft.")
                raise Pause

    def add_participant(
        self, name: str, *, joined: datetime | None, how: Attendance | None
    ) -> Participant:
        """Someone not on the invite list. `how=None` asks how they take part."""
        m = self.m
        role = self.ask(f"{name}: job role")
        agency = self.ask(f"{name}: agency", hint="e.g. Northshire Police")
        kind = AgencyKind(
            self.pick(
                f"{name}: kind of agency",
                [(k.value, k.value) for k in AgencyKind],
                default=guess_kind(agency, self.agenda).value,
            )
        )
        email = self.ask(f"{name}: email (optional)")
        if how is None:
            how = Attendance(
                self.pick(
                    f"{name}: how are they taking part?",
                    [(a.value, a.value) for a in (Attendance.in_person, Attendance.remote)],
                    default=self._default_attendance().value,
                )
            )
        p = Participant(
            id=m.next_id("P", [x.id for x in m.participants]),
            name=name,
            role=role,
            agency=agency,
            agency_kind=kind,
            email=email,
            attendance=how,
            joined_at=joined,
        )
        m.participants.append(p)
        detail = f"{p.id} {name}, {agency or kind.value}"
        if joined:
            detail += f", joined at {joined:%H:%M}"
        self.log("participant added", detail)
        self.save()
        return p

    def who(self) -> None:
        """/who: a late joiner, an early leaver, or a correction."""
        m = self.m
        choices: list[Choice] = [("new", "Someone joining who is not listed")]
        choices += [
            (p.id, f"{p.name} — {p.agency or p.agency_kind.value} ({p.attendance.value})")
            for p in m.participants
        ]
        choices.append(("cancel", "(cancel)"))
        pid = self.pick("Add or update who?", choices)
        if pid == "cancel":
            raise Cancel
        now = self.clock()

        def when(label: str) -> datetime:
            def check(text: str) -> str | None:
                try:
                    parse_clock(text, now.date(), after=m.started_at)
                except InputError as exc:
                    return exc.message
                return None

            typed = self.ask(
                label, default=now.strftime("%H:%M"), validate=check, required="Give a time."
            )
            return parse_clock(typed, now.date(), after=m.started_at)

        if pid == "new":
            name = self.ask("Name", required="A name is needed (or /cancel).")
            how = Attendance(
                self.pick(
                    f"{name}: how are they taking part?",
                    [(a.value, a.value) for a in (Attendance.in_person, Attendance.remote)],
                    default=self._default_attendance().value,
                )
            )
            at = when(f"{name} joined at (HH:MM)") if m.progress.attendance_taken else None
            self.add_participant(name, joined=at, how=how)
        else:
            p = m.participant(pid)
            assert p is not None
            what = self.pick(
                p.name,
                [
                    ("joined", "Joined now (late)"),
                    ("left", "Left the call"),
                    ("mark", "Change how they take part"),
                    ("cancel", "(cancel)"),
                ],
            )
            if what == "cancel":
                raise Cancel
            if what == "joined":
                p.joined_at = when(f"{p.name} joined at (HH:MM)")
                if not p.attendance.took_part:
                    p.attendance = self._default_attendance()
                self.log("participant joined", f"{p.id} {p.name} at {p.joined_at:%H:%M}")
            elif what == "left":
                p.left_at = when(f"{p.name} left at (HH:MM)")
                self.log("participant left", f"{p.id} {p.name} at {p.left_at:%H:%M}")
                still = [
                    x
                    for x in m.participants
                    if x.agency_kind == p.agency_kind and x.attendance.took_part and not x.left_at
                ]
                if p.agency_kind in self.agenda.statutory_partners and not still:
                    self.say(
                        f"  ! Nobody from {p.agency_kind.value} (a statutory partner) remains on the call."
                    )
            else:
                self.mark(p)
                self.log("participant updated", f"{p.id} {p.name}: {p.attendance.value}")
            self.save()
        if m.progress.attendance_taken:
            depth, self.depth = self.depth, 0
            try:
                self.check_partners()
            finally:
                self.depth = depth

    def present_choices(self, extra: Sequence[Choice] = ()) -> list[Choice]:
        """Participants who took part or sent a report, for 'who said / who owns'."""
        people = [
            p
            for p in self.m.participants
            if p.attendance.took_part or p.attendance == Attendance.report_sent
        ]
        return [(p.id, f"{p.name} — {p.agency or p.role}") for p in people] + list(extra)

    def add_information(self, pid: str | None) -> None:
        m = self.m
        if pid is None:
            extra: list[Choice] = [("other", "Someone else (type a name)")]
            if self.depth:
                extra.append(("cancel", "(cancel)"))
            pid = self.pick("Who is sharing information?", self.present_choices(extra))
            if pid == "cancel":
                raise Cancel
        p = m.participant(pid) if pid != "other" else None
        by = p.name if p else self.ask("Shared by (name)", required="Say who shared it.")
        agency = p.agency if p else self.ask("Their agency")
        summary = self.ask(
            f"What did {by} share?", multiline=True, required="Record what was shared (or /cancel)."
        )
        info = InformationShared(
            id=m.next_id("I", [i.id for i in m.information]),
            participant_id=p.id if p else None,
            by=by,
            agency=agency,
            summary=summary,
            at=self.clock(),
        )
        m.information.append(info)
        if p:
            p.contributed = True
        self.log("information shared", f"{info.id} by {by}")
        self.save()
        flags = self.p.checkbox(
            "Anything to flag? (Enter for none)",
            [
                ("historical", "historical information"),
                ("other_area", "from another area the family lived in"),
                ("withhold", "not to be shared with the family"),
            ],
        )
        if flags:
            info.historical = "historical" in flags
            info.other_area = "other_area" in flags
            info.shareable_with_family = "withhold" not in flags
            self.save()

    def step_information(self, item: Item) -> None:
        m = self.m
        while True:
            told = {i.participant_id for i in m.information}
            waiting = [c for c in self.present_choices() if c[0] not in told]
            choices = self.present_choices(
                [("other", "Someone else (type a name)"), ("done", "Finished information sharing")]
            )
            default = waiting[0][0] if waiting else "done"
            n = len(m.information)
            self.say(f"  {n} contribution{'' if n == 1 else 's'} recorded so far.")
            pid = self.pick("Who is sharing information?", choices, default=default)
            if pid == "done":
                break
            self.add_information(pid)
        if item.key in m.notes or self.p.confirm("Any general notes for this item?", default=False):
            self.step_notes(item)

    def step_voice(self, item: Item) -> None:
        m = self.m
        if not m.subject_children:
            self.step_notes(item)
            return
        for child in m.subject_children:
            child.voice = self.ask(
                f"{child.name}: voice and lived experience",
                default=child.voice,
                multiline=True,
                keep=lambda t, c=child: setattr(c, "voice", t),  # type: ignore[misc]
            )
            self.save()
            # What else the item's title names (Pan-Lancashire: "seeing the child alone; race,
            # ethnicity, language, disability, interpreter"), asked as the title says it.
            if "seen_alone" in item.asks:
                child.seen_alone = self.ask(
                    f"{child.name}: when, and by whom, will they be seen alone?",
                    default=child.seen_alone,
                )
                self.save()
            if "identity" in item.asks:
                child.ethnicity = self.ask(f"{child.name}: ethnicity", default=child.ethnicity)
                child.language = self.ask(f"{child.name}: first language", default=child.language)
                child.communication_needs = self.ask(
                    f"{child.name}: disability or communication needs (Enter if none)",
                    default=child.communication_needs,
                )
                yn: list[Choice] = [("yes", "yes"), ("no", "no")]
                need = self.pick(
                    f"{child.name}: interpreter needed?",
                    yn,
                    default="yes" if child.interpreter else "no",
                )
                child.interpreter = need == "yes"
                self.save()

    def step_risk(self, item: Item) -> None:
        risk = self.m.risk
        choices: list[Choice] = [(r.value, r.value) for r in RiskLevel] + [("none", "not graded")]
        level = self.pick(
            "Level of risk", choices, default=risk.level.value if risk.level else "none"
        )
        risk.level = None if level == "none" else RiskLevel(level)
        self.save()
        risk.summary = self.ask(
            "Risk and urgency: the assessment",
            default=risk.summary,
            multiline=True,
            keep=lambda t: setattr(risk, "summary", t),
        )
        self.save()
        risk.immediate_safety = self.ask(
            "Immediate safeguarding and care arrangements",
            default=risk.immediate_safety,
            multiline=True,
        )
        self.save()

    def add_child(self, name: str, *, subject: bool) -> Child:
        m = self.m
        child = Child(id=m.next_id("C", [c.id for c in m.children]), name=name, subject=subject)
        m.children.append(child)
        self.log("child added", f"{child.id}{'' if subject else ' (other child)'}")
        self.save()
        return child

    def step_other_children(self, item: Item) -> None:
        m = self.m
        others = [c for c in m.children if not c.subject]
        for c in others:
            c.considered = self.ask(
                f"{c.name}: how may they be affected?", default=c.considered, multiline=True
            )
            self.save()
        while True:
            name = self.ask("Another child who may be affected? Name (Enter on its own if none)")
            if not name:
                break
            child = self.add_child(name, subject=False)
            child.considered = self.ask(f"{name}: how may they be affected?", multiline=True)
            self.save()

    # --- decisions ------------------------------------------------------------------------

    def child_label(self, c: Child) -> str:
        ds = self.m.decisions_for(c.id)
        now = f" [{ds[-1].outcome.value}]" if ds else ""
        return f"{c.id} {c.name}{'' if c.subject else ' (other child)'}{now}"

    def step_decisions(self, item: Item) -> None:
        m = self.m
        if not m.children:
            self.say("  No child is recorded yet.")
            name = self.ask("Child's name", required="A decision needs a child.")
            self.add_child(name, subject=True)
        while True:
            pending = [c for c in m.subject_children if not m.decisions_for(c.id)]
            for c in m.children:
                if m.decisions_for(c.id):
                    self.say(f"  {self.child_label(c)}")
            if pending:
                self.say("  Needing a decision: " + ", ".join(f"{c.id} {c.name}" for c in pending))
                self.record_decision()
                continue
            choice = self.pick(
                "Decisions",
                [
                    ("done", "Done: every subject child has a decision"),
                    ("more", "Record or change a decision"),
                    ("child", "Add a child"),
                ],
                default="done",
            )
            if choice == "done":
                return
            if choice == "child":
                name = self.ask("Child's name", required="A name is needed.")
                self.add_child(
                    name, subject=self.p.confirm("A subject of the concern?", default=True)
                )
            else:
                self.record_decision()

    def record_decision(self) -> None:
        """One decision for one or more children, then where any child differs."""
        m = self.m
        if not m.children:
            name = self.ask("Child's name", required="A decision needs a child (or /cancel).")
            self.add_child(name, subject=True)
        pending = [c.id for c in m.subject_children if not m.decisions_for(c.id)]
        ids: list[str] = []
        while not ids:
            if len(m.children) == 1:
                ids = [m.children[0].id]
                break
            ids = self.p.checkbox(
                "Which children does this decision cover?",
                [(c.id, self.child_label(c)) for c in m.children],
                checked=pending,
            )
            if not ids:
                if self.depth:
                    raise Cancel
                self.say("  No child ticked (Space ticks): decisions stay open for later.")
                raise Navigate("skip")
        group = self.decide(ids, base=None)
        if len(group) > 1:
            differ = self.p.checkbox(
                "Does the decision differ for any of them? Tick those (Enter for none)",
                [
                    (
                        d.child_id,
                        self.child_label(m.child(d.child_id) or Child(id=d.child_id, name="?")),
                    )
                    for d in group
                ],
            )
            for cid in differ:
                base = next(d for d in group if d.child_id == cid)
                self.say(f"  {cid}: change what differs; Enter keeps the shared answer.")
                self.decide([cid], base=base)

    def decide(self, ids: list[str], base: Decision | None) -> list[Decision]:
        """Ask each field, saving the decisions as soon as outcome and rationale are known."""
        m = self.m
        if base is None and len(ids) == 1 and m.decisions_for(ids[0]):
            base = m.decisions_for(ids[0])[-1]
        names = ", ".join(f"{cid} {c.name}" for cid in ids if (c := m.child(cid)))
        self.say(f"  Decision for {names}")
        outcome_choices: list[Choice] = [(o.value, o.value) for o in Outcome]
        agreement: PoliceAgreement | None = None
        while True:
            outcome = Outcome(
                self.pick("Outcome", outcome_choices, default=base.outcome.value if base else None)
            )
            if not police_agreement_needed(self.agenda, outcome):
                break
            agreement = self.ask_police_agreement(base.police_agreement if base else None, outcome)
            if agreement is not None:
                break
        rationale = self.ask(
            "Rationale: the basis for this decision",
            default=base.rationale if base else "",
            multiline=True,  # none is saved and flagged (decision.rationale)
        )
        now = self.clock()
        group: list[Decision] = []
        for cid in ids:
            old = m.decisions_for(cid)
            d = (base.model_copy(deep=True) if base else None) or Decision(
                id="", child_id=cid, outcome=outcome, rationale=rationale
            )
            d.id = old[-1].id if old else m.next_id("D", [x.id for x in m.decisions])
            d.child_id, d.outcome, d.rationale = cid, outcome, rationale
            d.police_agreement = agreement
            d.recorded_at = now
            m.decisions = [x for x in m.decisions if x.child_id != cid]
            m.decisions.append(d)
            group.append(d)
            self.log(
                "decision changed" if old else "decision recorded", f"{d.id} {cid}: {outcome.value}"
            )
        self.save()

        def setall(**values: object) -> None:
            for d in group:
                for key, value in values.items():
                    setattr(d, key, value)
            self.save()

        yn: list[Choice] = [(y.value, y.value) for y in YesNo]
        first = group[0]
        med = first.medical.model_copy()
        med.needed = YesNo(self.pick("Medical examination needed?", yn, default=med.needed.value))
        if med.needed == YesNo.no:
            med.reason = self.ask(
                "Why is no medical needed?",
                default=med.reason,
                hint=LATER,
            )
        elif med.needed == YesNo.yes:
            med.reason = self.ask("Why is a medical needed?", default=med.reason)
            med.by = self.ask("Who will carry it out, and when?", default=med.by)
            med.contingency = self.ask("Plan if consent is refused", default=med.contingency)
        for d in group:
            d.medical = med.model_copy()
        self.save()
        told = YesNo(
            self.pick(
                "Parents / PR holders informed of the strategy discussion?",
                yn,
                default=first.parents_informed.value,
            )
        )
        why = ""
        if told == YesNo.no:
            why = self.ask(
                "Why are they not told?",
                default=first.parents_not_informed_reason,
                hint=LATER,
            )
        setall(parents_informed=told, parents_not_informed_reason=why)
        legal = YesNo(self.pick("Legal advice needed?", yn, default=first.legal_advice.value))
        detail = ""
        if legal == YesNo.yes:
            detail = self.ask("Legal advice: what and from whom?", default=first.legal_detail)
        setall(legal_advice=legal, legal_detail=detail)
        seen = self.ask(
            "When, and by whom, will the child be seen alone?",
            default=first.seen_alone or getattr(m.child(first.child_id), "seen_alone", ""),
        )
        setall(seen_alone=seen)
        default_interp = first.interpreter
        if not default_interp:
            langs = [
                c.language for cid in ids if (c := m.child(cid)) and c.interpreter and c.language
            ]
            default_interp = f"{', '.join(langs)} interpreter needed" if langs else ""
        interp = self.ask("Interpreter arrangements (Enter if none)", default=default_interp)
        setall(interpreter=interp)
        for d in group:  # what the rulebook still finds: said now, saved either way
            for gap in decision_gaps(m, self.agenda, d.id):
                self.say(f"  ! {gap.message} [{gap.code}]")
        return group

    def ask_police_agreement(
        self, before: PoliceAgreement | None, outcome: Outcome = Outcome.nfa
    ) -> PoliceAgreement | None:
        """This outcome needs the police officer in charge to agree here, with reasons recorded
        (the area's rules.police_agreement_for)."""
        self.say(
            f"  This area's procedure: {outcome.value} needs the agreement of the police "
            "officer in charge."
        )
        police = [
            p.name
            for p in self.m.participants
            if p.agency_kind == AgencyKind.police and p.attendance.took_part
        ]
        officer = self.ask(
            "Police officer in charge (name)",
            default=(before.officer if before else "") or (police[0] if police else ""),
            required="Name the police officer in charge.",
        )
        if not self.p.confirm(f"Does {officer} agree to {outcome.value}?", default=False):
            self.say(
                f"  {outcome.value} cannot be recorded without that agreement. Choose another outcome; "
                "record the disagreement with /disagree."
            )
            return None
        note = self.ask("Their reasons (optional)", default=before.note if before else "")
        return PoliceAgreement(officer=officer, agreed=True, at=self.clock(), note=note)

    # --- actions --------------------------------------------------------------------------

    def step_actions(self, item: Item) -> None:
        m = self.m
        while True:
            self.say(f"  {len(m.actions)} actions so far.")
            what = self.ask("Action: what exactly needs doing? (Enter on its own when done)")
            if not what:
                break
            self.add_action(what)
        if (
            contingency_needed(m, self.agenda)
            and m.actions
            and not any(a.contingency for a in m.actions)
        ):
            self.say("  Note: no contingency action yet (this area expects a contingency plan).")

    def ask_due(self, message: str = "Due") -> tuple[str, datetime]:
        """A due time typed naturally, resolved against the area's calendar and shown back.

        A day counted in calendar days ('tomorrow', 'Fri', '3 days', a date) that lands on a
        weekend or bank holiday is said so, with the next working day offered instead."""
        from .deadlines import (
            describe_due,
            format_uk,
            next_working_moment,
            non_working_day,
            resolve_due,
        )

        def check(text: str) -> str | None:
            try:
                resolve_due(text, self.clock(), self.agenda, self.m)
            except InputError as exc:
                return exc.message
            return None

        rule = ""
        while True:
            rule = self.ask(
                message,
                default=rule,
                hint="e.g. today 17:00 · 2 working days · within 1 hour · before ICPC · 24/11 10am",
                validate=check,
                required="An action needs a due time.",
            )
            now = self.clock()
            try:
                candidate = resolve_due(rule, now, self.agenda, self.m)
            except InputError as exc:
                self.say(f"  {exc.message}")
                continue
            nation = self.agenda.timescales.nation
            shut = non_working_day(rule, candidate, nation)
            if shut is not None:
                instead = next_working_moment(candidate, nation)
                choice = self.pick(
                    f"Due {describe_due(candidate, now)}: {shut}.",
                    [
                        ("next", f"Use {format_uk(instead)} instead (next working day)"),
                        ("keep", f"Keep {format_uk(candidate)}"),
                        ("again", "Type the due time again"),
                    ],
                    default="next",
                )
                if choice == "next":
                    return f"{rule} (moved to the next working day)", instead
                if choice == "keep":
                    return rule, candidate
                continue
            if self.p.confirm(f"Due {describe_due(candidate, now)}: right?", default=True):
                return rule, candidate

    def add_action(self, what: str) -> Action:
        """Owner and due are required; the due rule is resolved and shown back before saving."""
        m = self.m
        extra: list[Choice] = [("other", "Someone else (type a name)")]
        owner_id = self.pick("Owner", self.present_choices(extra))
        p = m.participant(owner_id) if owner_id != "other" else None
        owner = p.name if p else self.ask("Owner's name", required="An action needs an owner.")
        agency = p.agency if p else self.ask(f"{owner}: agency (optional)")

        rule, due = self.ask_due()
        action = Action(
            id=m.next_id("A", [a.id for a in m.actions]),
            what=what,
            owner=owner,
            owner_participant_id=p.id if p else None,
            agency=agency,
            due=due,
            due_rule=rule,
            created_at=self.clock(),
        )
        m.actions.append(action)
        self.log("action added", f"{action.id}: {owner}, due {due:%d/%m/%Y %H:%M}")
        self.save()
        if len(m.children) > 1:
            action.child_ids = self.p.checkbox(
                "For which children? (Enter for the whole family)",
                [(c.id, f"{c.id} {c.name}") for c in m.children],
            )
        action.contingency = self.p.confirm(
            "A contingency action (if the plan fails)?", default=False
        )
        self.save()
        return action

    # --- follow-ups: the earlier discussions' open actions ----------------------------------

    def review_earlier_actions(self) -> None:
        """Each open action of the earlier discussions: done, carried (new due) or cancelled.

        Only actions not yet reviewed in this meeting are asked about, so a review cut short by
        Ctrl-C carries on at `strat resume`. Each review is saved in this meeting first (so a
        carried action is never lost), then in the earlier one. When that second write did not
        happen (a crash between the two, or the earlier record open in another strat process),
        the next pass completes it from what this meeting recorded, without asking again. An
        earlier discussion that cannot be read is named and left out: the meeting goes on.
        """
        from .deadlines import format_uk
        from .followup import open_actions, review_action

        earlier: dict[str, Meeting] = {}
        for ref in self.m.previous:
            try:
                earlier[ref] = self.store.load(ref)
            except StratError as exc:
                why = (
                    "not found in this store"
                    if isinstance(exc, NotFound)
                    else f"cannot be read ({exc.message.splitlines()[0] if exc.message else exc})"
                )
                self.say(f"  Earlier discussion {ref}: {why}; its actions are not reviewed here.")
        self.complete_recorded_reviews(list(earlier.values()))
        reviewed = {r.ref for r in self.m.reviewed_actions}
        pending = [o for o in open_actions(list(earlier.values())) if o.ref not in reviewed]
        if not pending:
            return
        self.say(f"\nReview of earlier actions: {len(pending)} still open.")
        for n, o in enumerate(pending, start=1):
            a = o.action
            late = "  OVERDUE" if timeutil.before(a.due, self.clock()) else ""
            self.say(f"\n[{n}/{len(pending)}] {o.ref}: {a.what}")
            self.say(
                f"  Owner: {a.owner}{' (' + a.agency + ')' if a.agency else ''}; due {format_uk(a.due)}{late}"
            )
            outcome = ReviewOutcome(
                self.pick(
                    "What happened to it?",
                    [
                        (ReviewOutcome.done.value, "Done"),
                        (ReviewOutcome.carried.value, "Carry it forward with a new due time"),
                        (ReviewOutcome.cancelled.value, "Cancel it (say why)"),
                    ],
                )
            )
            note, rule, new_due = "", "", None
            if outcome == ReviewOutcome.done:
                note = self.ask("What was done? (optional)")
            elif outcome == ReviewOutcome.cancelled:
                note = self.ask(
                    "Why is it cancelled?", required="A cancelled action needs its reason."
                )
            else:
                rule, new_due = self.ask_due("New due time")
            review = review_action(  # on the copy read above; the earlier file is written below
                self.m,
                earlier[o.meeting_id],
                a.id,
                outcome,
                self.clock(),
                note=note,
                new_due=new_due,
                due_rule=rule,
                by=self.actor,
            )
            self.save()  # this meeting first: the review (and a carried action) is never lost
            self.update_earlier(o.meeting_id, [review])

    def complete_recorded_reviews(self, earlier: list[Meeting]) -> None:
        """Reviews recorded here whose earlier action is still open: write the earlier side."""
        from .followup import review_source

        for before in earlier:
            todo: list[ActionReview] = []
            for r in self.m.reviewed_actions:
                source, action_id = review_source(r)
                old = before.action(action_id) if source == before.id else None
                if old is not None and old.status == ActionStatus.open:
                    todo.append(r)
            if todo:
                refs = ", ".join(r.ref for r in todo)
                self.say(f"  Completing in {before.id} the review already recorded here: {refs}")
                self.update_earlier(before.id, todo)

    def update_earlier(self, meeting_id: str, reviews: list[ActionReview]) -> None:
        """Close the reviewed actions in the earlier record, under its lock.

        A busy or unwritable earlier record does not stop the meeting: the review is already
        saved here, and `complete_recorded_reviews` finishes the job on the next pass.
        """
        from .followup import apply_review_to_earlier

        later = "its action will be updated when you resume or run the review again"
        try:
            with self.store.hold(meeting_id):
                before = self.store.load(meeting_id)
                changed = [
                    apply_review_to_earlier(before, self.m.id, r, self.clock(), by=self.actor)
                    for r in reviews
                ]
                if any(changed):
                    self.store.save(before)
        except Busy:
            self.say(f"  {meeting_id}: open in another strat process; {later}.")
        except StratError as exc:
            first = exc.message.splitlines()[0] if exc.message else str(exc)
            self.say(f"  {meeting_id}: cannot be updated now ({first}); {later}.")

    # --- disagreements, family, review ----------------------------------------------------

    def step_disagreements(self, item: Item) -> None:
        if self.agenda.rules.disagreements:
            self.say(f"  This area: {self.agenda.rules.disagreements}")
        while True:
            about = self.ask("A disagreement: what is it about? (Enter on its own if none)")
            if not about:
                return
            self.add_disagreement(about)

    def add_disagreement(self, about: str) -> None:
        m = self.m
        pid = self.pick(
            "Raised by", self.present_choices([("other", "Someone else (type a name)")])
        )
        p = m.participant(pid) if pid != "other" else None
        raised_by = p.name if p else self.ask("Raised by (name)", required="Say who raised it.")
        dg = Disagreement(
            id=m.next_id("G", [d.id for d in m.disagreements]),
            raised_by=raised_by,
            about=about,
            at=self.clock(),
        )
        m.disagreements.append(dg)
        self.log("disagreement recorded", f"{dg.id} raised by {raised_by}")
        self.save()
        dg.resolution = self.ask("How was it resolved? (Enter if it was not)")
        self.save()
        if self.p.confirm("Escalated?", default=not dg.resolution):
            dg.escalated = True
            dg.escalation = self.ask(
                "Escalated to whom, and how?",
                hint=self.agenda.rules.disagreements[:80],
                required="Say how it is escalated.",
            )
            self.save()

    def step_family(self, item: Item) -> None:
        f = self.m.family
        f.shared = self.ask(
            "What will be shared with the family, and by whom?", default=f.shared, multiline=True
        )
        self.save()
        f.withheld = self.ask(
            "What is withheld from the family? (Enter if nothing)",
            default=f.withheld,
            multiline=True,
        )
        self.save()
        if f.withheld.strip():
            f.withheld_reason = self.ask(
                "Why is it withheld?",
                default=f.withheld_reason,
                required="Record why it is withheld.",
            )
            self.save()
        if any(a.parental_responsibility for a in self.m.adults):
            # Each person with parental responsibility, absent parents included (Devon MASH):
            # told, to be told later, or not told, and why (the rulebook's parents.each).
            self.say("  Each person with parental responsibility:")
            self.record_informing()

    def step_review(self, item: Item) -> None:
        from .deadlines import format_uk, resolve_due

        m = self.m
        m.review_mechanism = self.ask(
            "How will completion of the actions be reviewed?", default=m.review_mechanism
        )
        self.save()

        # Offered in a form its own check reads back; kept as it is when left unchanged (even
        # once that time has passed), so Enter never turns the saved answer into an error.
        saved = m.next_discussion.astimezone(LONDON) if m.next_discussion else None
        offered = f"{saved:%d/%m/%Y %H:%M}" if saved else ""

        def check(text: str) -> str | None:
            if offered and text.strip() == offered:
                return None
            try:
                resolve_due(text, self.clock(), self.agenda, m)
            except InputError as exc:
                return exc.message
            return None

        typed = self.ask(
            "Next discussion (date and time; Enter if none planned)",
            default=offered,
            hint=f"e.g. 26/11 10:00 · 5 working days{f' · now {format_uk(saved)}' if saved else ''}",
            validate=check,
        )
        if typed != offered:
            m.next_discussion = resolve_due(typed, self.clock(), self.agenda, m) if typed else None
        self.save()

    # --- before the call ----------------------------------------------------------------

    def prepare(self) -> None:
        """The convener's questions: the concern, who chairs, the children, adults, invitees."""
        m = self.m
        self.p.toolbar = " Enter on its own ends a list · Ctrl-C pauses (all saved)"
        m.reason = self.ask(
            "Reason for the discussion: the concern or trigger",
            default=m.reason,
            required="Say why the discussion is needed.",
        )
        self.save()
        m.referrer = self.ask("Referred by (person or agency)", default=m.referrer)
        if not m.concerns:  # decides who the procedure asks to invite (a prefill may say)
            picked = self.p.checkbox(
                "What is the concern about? (tick all that apply; Enter for none yet)",
                [(c.value, c.value) for c in Concern],
            )
            m.concerns = [Concern(v) for v in picked]
        m.chair = self.ask("Chair (name)", default=m.chair or self.user, required="Name the chair.")
        m.minute_taker = self.ask("Minute taker (name; Enter if none)", default=m.minute_taker)
        m.format = MeetingFormat(
            self.pick("Format", [(f.value, f.value) for f in MeetingFormat], default=m.format.value)
        )
        self.save()
        for officer in include_officers(m):
            what = "chair" if officer.is_chair else "minute taker"
            officer.email = self.ask(f"{officer.name} ({what}): email, to receive the record")
            self.save()
        while True:
            name = self.ask(
                "Child's name (Enter on its own when all are listed)",
                required="" if m.children else "At least one child is needed.",
            )
            if not name:
                break
            child = self.add_child(name, subject=True)
            born = self.ask(f"{name}: date of birth (DD/MM/YYYY), or 'unborn DD/MM/YYYY'")
            try:
                if born.lower().startswith("unborn"):
                    child.unborn = True
                    rest = born[6:].strip()
                    child.expected_date = parse_day(rest) if rest else None
                elif born:
                    child.date_of_birth = parse_day(born, born=True)
            except InputError as exc:
                self.say(f"  {exc.message}: left blank")
            child.school = self.ask(f"{name}: school or setting (optional)")
            flags = self.p.checkbox(
                f"{name}: anything that changes who to invite? (Enter for none)",
                [
                    ("in_hospital", "in hospital"),
                    ("out_of_area", "lives out of area"),
                    ("interpreter", "needs an interpreter"),
                ],
            )
            child.in_hospital = "in_hospital" in flags
            child.out_of_area = "out_of_area" in flags
            child.interpreter = "interpreter" in flags
            if child.interpreter:
                child.language = self.ask(f"{name}: language")
            self.save()
        while True:
            name = self.ask("Adult in the child's life (Enter on its own when done)")
            if not name:
                break
            adult = Adult(id=m.next_id("AD", [a.id for a in m.adults]), name=name)
            adult.relationship = self.ask(f"{name}: relationship to the children")
            flags = self.p.checkbox(
                f"{name}: tick what applies",
                [
                    ("pr", "parental responsibility"),
                    ("household", "lives in the household"),
                    ("alleged", "alleged perpetrator"),
                    ("staff", "risk to staff (violence or threats)"),
                ],
            )
            adult.parental_responsibility = "pr" in flags
            adult.household_member = "household" in flags
            adult.alleged_perpetrator = "alleged" in flags
            adult.risk_to_staff = "staff" in flags
            m.adults.append(adult)
            self.save()
        for role in self.agenda.required_roles:
            self.say(f"  Must take part: {role.text}")
        for line in invite_advice(m, self.agenda):
            self.say(f"  Invite: {line}")
        while True:
            name = self.ask("Invitee's name (Enter on its own when all are listed)")
            if not name:
                break
            self.add_participant(name, joined=None, how=Attendance.invited)
        self.record_invites(only_open=True)
        self.p.toolbar = TOOLBAR

    def record_informing(self) -> None:
        """Each adult with parental responsibility, absent parents included: told (when, by
        whom), to be told later (when, why) or not told (why) (the rulebook's parents.each)."""
        m = self.m
        holders = [a for a in m.adults if a.parental_responsibility]
        if not holders:
            self.say(
                "  No adult with parental responsibility is recorded (add them at preparation)."
            )
            return
        choices: list[Choice] = [(i.value, i.value) for i in Informing]
        for a in holders:
            a.informed = Informing(self.pick(f"{a.name}: told?", choices, default=a.informed.value))
            if a.informed in (Informing.told, Informing.later):
                when = self.ask(
                    "When (e.g. 15:00 or 20/11/2026 10:00; Enter if not known)",
                    default=a.informed_at.strftime("%d/%m/%Y %H:%M") if a.informed_at else "",
                )
                if when:
                    try:
                        a.informed_at = parse_clock(when, self.clock().date())
                    except InputError as exc:
                        self.say(f"  {exc.message}: left blank")
                a.informed_by = self.ask("By whom?", default=a.informed_by)
            if a.informed in (Informing.later, Informing.not_told):
                a.informed_reason = self.ask("Why?", default=a.informed_reason, hint=LATER)
            self.save()

    def record_invites(self, *, only_open: bool = False) -> None:
        """For each invite rule of the agenda this case meets (other than 'always'): who was
        invited, or why no one was (the rulebook's invite.not_considered). Saved as answered."""
        m = self.m
        arising: dict[str, list[str]] = {}
        for rule in invites_arising(m, self.agenda):
            if rule.when != InviteCondition.always:
                arising.setdefault(rule.when, []).append(rule.invite)
        noted = {n.when for n in m.invites}
        for when, texts in arising.items():
            if only_open and when in noted:
                continue
            for text in texts:
                self.say(f"  The procedure asks ({when.replace('_', ' ')}): {text}")
            who = self.ask("Who was invited for this? (Enter if no one)")
            reason = "" if who else self.ask("Why was no one invited?", hint=LATER)
            note = InviteNote(when=InviteCondition(when), invited=bool(who), who=who, reason=reason)
            m.invites = [n for n in m.invites if n.when != when] + [note]
            self.save()
        if not arising and not only_open:
            self.say("  No invite rule of this agenda applies to the case as recorded.")


def parse_day(text: str, *, born: bool = False) -> date:
    """A date typed as DD/MM/YYYY, in the years a record may hold; `born`: not in the future."""
    raw = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y"):
        try:
            day = datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if why := date_problem(day):
            raise InputError(f"that date {why}")
        if born and day > datetime.now(LONDON).date():
            raise InputError(
                "a date of birth cannot be in the future (unborn: 'unborn DD/MM/YYYY')"
            )
        return day
    raise InputError("not a date: type it as DD/MM/YYYY")  # never the typed text


def invite_advice(meeting: Meeting, agenda: Agenda) -> list[str]:
    """The agenda's invite rules that apply to this case (the rulebook decides which)."""
    return [r.invite for r in invites_arising(meeting, agenda)]


# --- what the closing screen and the command line show ------------------------------------


def attendance_summary(meeting: Meeting) -> str:
    lines = ["Attendance:"]
    for p in meeting.participants:
        lines.append(f"  {p.name} ({p.agency or p.agency_kind.value}): {how_taking_part(p)}")
    return "\n".join(lines)


def closing_summary(meeting: Meeting, agenda: Agenda) -> str:
    from .deadlines import format_uk

    m = meeting
    lines = [attendance_summary(m)]
    for kind in missing_partners(m, agenda.statutory_partners):
        gap = next((g for g in m.partner_gaps if g.agency_kind == kind), None)
        why = (
            (gap.reason + (f"; escalated: {gap.escalation}" if gap.escalated else ""))
            if gap
            else "no reason recorded"
        )
        lines.append(f"  Missing statutory partner: {kind.value} — {why}")
    lines.append("Decisions:")
    for c in m.children:
        for d in m.decisions_for(c.id):
            lines.append(
                f"  {c.id} {c.name}: {d.outcome.value} — {d.rationale.splitlines()[0] if d.rationale else ''}"
            )
    if not m.decisions:
        lines.append("  none")
    lines.append("Actions by owner:")
    owners: dict[str, list[Action]] = {}
    for a in sorted(m.actions, key=lambda a: a.due):
        owners.setdefault(a.owner, []).append(a)
    for owner, acts in owners.items():
        lines.append(f"  {owner}:")
        for a in acts:
            flag = " [contingency]" if a.contingency else ""
            lines.append(f"    {a.id} {a.what}{flag} — due {format_uk(a.due)}")
    if not m.actions:
        lines.append("  none")
    done = set(m.progress.done)
    still = [i.title for i in agenda.items if i.key not in done]
    lines.append("Open agenda items: " + ("; ".join(still) if still else "none"))
    return "\n".join(lines)


def deadlines_text(meeting: Meeting, agenda: Agenda) -> str:
    from .deadlines import format_uk, format_uk_date, meeting_deadlines

    dl = meeting_deadlines(meeting, agenda)
    lines = ["Deadlines that follow:"]
    if dl.summary_due:
        lines.append(f"  Action summary due   {format_uk(dl.summary_due)}")
    if dl.minutes_authorised_due:
        lines.append(f"  Minutes authorised   {format_uk(dl.minutes_authorised_due)}")
    if dl.circulation_due:
        lines.append(f"  Circulate record by  {format_uk(dl.circulation_due)}")
    if dl.icpc_target:
        why = "s47 decided" if meeting.s47_decided else "s47 under way"
        if dl.icpc_counted_from is not None:  # which discussion of the chain it counts from
            why += f", counted from {format_uk_date(dl.icpc_counted_from.date())}"
        lines.append(f"  ICPC target date     {format_uk_date(dl.icpc_target)} ({why})")
    return "\n".join(lines)


# --- sessions -----------------------------------------------------------------------------


def new_meeting(store: Store, agenda: Agenda, *, user: str, now: datetime) -> Meeting:
    """A fresh draft with the next free reference, saved at once (the file holds no name)."""
    meeting = Meeting(
        id=store.new_id(now.year), agenda=agenda.id, started_at=now, chair=user, created_at=now
    )
    meeting.log("created", f"agenda {agenda.id}", who=user or login_name(), at=now)
    store.create(meeting)
    return meeting


def resume_hint(meeting_id: str) -> str:
    return f"strat resume {meeting_id}"


class InputClosed(StratError):
    """Input ended (EOF) in the middle of the interview: everything is saved."""

    exit_code = 2


def run_interview(interview: Interview, *, prepare: bool = False) -> str:
    """Run the walk; closed input becomes a clear message, Ctrl-C propagates after saving."""
    try:
        if prepare:
            interview.prepare()
            if not interview.p.confirm("Start the discussion now (mark attendance)?", default=True):
                return "paused"
        return interview.run()
    except EOFError:
        interview.save()
        raise InputClosed(
            f"input closed; everything so far is saved. Continue in a terminal with: "
            f"{resume_hint(interview.m.id)}"
        ) from None


__all__ = [
    "COMMANDS",
    "TOOLBAR",
    "Interview",
    "find_command",
    "new_meeting",
    "run_interview",
]
