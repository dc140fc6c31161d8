"""The walk and its commands: one question at a time, saved before the next, in the agenda's order;
the steps of each kind of item live in their own modules and are reached through this class."""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from .. import questions, text, timeutil
from ..agenda import Agenda, Item, ItemKind
from ..errors import InputError
from ..model import (
    LONDON,
    Meeting,
    Pending,
    Status,
)
from ..prompts import Choice, Prompts
from ..questions import Given, Question
from ..rulebook import WHAT_ANSWERS, closing_warnings, item_empty
from ..settings import login_name
from ..timeutil import clock_text, elapsed, latest, typed_form

if TYPE_CHECKING:
    from ..stores import RecordStore

from . import actions, attendance, decisions, information, items, preparation, review
from .closing import closing_summary, deadlines_text, open_items
from .commands import (
    COMMANDS,
    NAVIGATION,
    TOOLBAR,
    Cancel,
    Clock,
    Navigate,
    Pause,
    find_command,
    london_now,
)


class Interview:
    """One chair, one meeting, one agenda. Every answer is saved before the next question."""

    def __init__(
        self,
        meeting: Meeting,
        agenda: Agenda,
        store: RecordStore,
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
        self.preparing = False  # the questions before the agenda: nowhere to /goto yet
        self._banner = ""  # the offline line last shown (server store only)
        self._earlier_reviewed = not meeting.previous  # follow-ups review once per session
        self.keys = [i.key for i in agenda.items]
        self.p.toolbar = TOOLBAR
        # each kind of agenda item and the step that asks it
        self._steps: dict[ItemKind, Callable[[Interview, Item], None]] = {
            ItemKind.notes: Interview.step_notes,
            ItemKind.attendance: attendance.step_attendance,
            ItemKind.information: information.step_information,
            ItemKind.risk: information.step_risk,
            ItemKind.voice: information.step_voice,
            ItemKind.other_children: information.step_other_children,
            ItemKind.decisions: decisions.step_decisions,
            ItemKind.actions: actions.step_actions,
            ItemKind.disagreements: items.step_disagreements,
            ItemKind.family: items.step_family,
            ItemKind.review: items.step_review,
        }

    # --- small helpers ----------------------------------------------------------------------

    def save(self) -> None:
        self.store.save(self.m)
        self.show_banner()

    def show_banner(self) -> None:
        """On a server store, one line when answers are not reaching the server (the journal
        keeps them), said again as the count grows, and once when they reach it again."""
        banner: Callable[[], str] | None = getattr(self.store, "banner", None)
        line = banner() if banner is not None else ""
        if line != self._banner:
            if line:
                self.say(f"  {line}")
            else:
                self.say("  back online: answers are reaching the server again")
            self._banner = line

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
        one_line: bool | None = None,
        validate: Callable[[str], str | None] | None = None,
        keep: Callable[[str], None] | None = None,
    ) -> str:
        """A text answer; `/commands` typed here run and the same question comes back.

        `one_line`: whether the answer is kept as one line (a record's field decides:
        `Question.one_line`); a free-text field asked on one line still takes a tab. Without
        it, an answer asked on one line is kept as one.

        `keep` stores text typed above a command (`…\n/action`, `…\n/goto 4`), and it is saved
        before the command runs: Ctrl-C or a closed terminal inside the side step loses nothing.
        """
        if one_line is None:
            one_line = not multiline
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
            raw, why = text.problem(raw, one_line=one_line)
            if why:  # a pasted escape sequence, a line break in a name: said, and asked again
                self.say(f"  This answer {why}: type it again.")
                default = text.cleaned(raw, one_line=one_line)
                continue
            if validate is not None and raw.strip():
                problem = validate(raw)
                if problem:
                    self.say(f"  {problem}")
                    default = raw
                    continue
            return raw.strip() if not multiline else raw.rstrip()

    def given(self, *, after: datetime | None = None) -> Given:
        """What a live answer is read against: this record, its agenda, the time now."""
        now = self.clock()
        return Given(self.m, self.agenda, now, now.astimezone(LONDON).date(), after=after)

    def answer(
        self,
        q: Question,
        *,
        who: str = "",
        default: str = "",
        required: str | None = None,
        hint: str | None = None,
        ending: str | None = None,
        given: Given | None = None,
        keep: Callable[[str], None] | None = None,
    ) -> Any:
        """Ask one question (questions.Question) and read the answer as a file's would be read
        (`Question.take`): the label is the field's description, the parser checks as it is
        typed. `required` replaces the question's own words where the step needs others ('' to
        let it be left empty here); `ending` replaces what follows the label."""
        at = given or self.given()
        typed = self.ask(
            q.prompt(who, ending=ending),
            default=default,
            hint=q.help if hint is None else hint,
            required=q.required if required is None else required,
            multiline=q.multiline,
            one_line=q.one_line,
            validate=(lambda text: q.problem(text, at)) if q.timed else None,
            keep=keep,
        )
        if not typed.strip():  # left empty where this step allows it (`required` said so)
            return None if q.timed else typed
        return q.read(typed, at)

    def choose(self, q: Question, *, default: str | None = None) -> str:
        """Ask a question answered by picking one of its values; read as a file's would be."""
        picked = self.pick(q.prompt(), [(c, c) for c in q.choices], default=default)
        return str(q.read(picked, self.given()))

    def pick(self, message: str, choices: Sequence[Choice], default: str | None = None) -> str:
        return self.p.select(message, choices, default=default)

    @contextlib.contextmanager
    def side(self, what: str, *, entry: int | None = None) -> Iterator[None]:
        """A step started by a command: /cancel drops it and returns to the question. An
        entry it began (or the one it carries on, `entry`) is dropped from progress.pending."""
        pending = self.m.progress.pending
        mark = len(pending) if entry is None else entry
        self.depth += 1
        try:
            yield
        except Cancel:
            if len(self.m.progress.pending) > mark:
                del self.m.progress.pending[mark:]
                self.save()
            self.say(f"  {what}: dropped. Back where you were.")
        finally:
            self.depth -= 1

    # --- an action or a decision given part by part (progress.pending) -----------------------

    def begin(self, kind: Literal["action", "decision"], **answers: Any) -> int:
        """Keep the first answers of an entry at once; returns its place in progress.pending."""
        self.m.progress.pending.append(Pending(kind=kind, **answers))
        self.save()
        return len(self.m.progress.pending) - 1

    def hold(self, slot: int, **answers: Any) -> None:
        """Keep more answers of the entry at `slot`, saved before the next question."""
        # by its place each time: saves never replace self.m's entries, so the slot stays put;
        # only a nested settle or /cancel removes the entries above it
        entry = self.m.progress.pending[slot]
        for name, value in answers.items():
            setattr(entry, name, value)
        self.save()

    def settle(self, slot: int) -> None:
        """The entry became an action or a decision: dropped, in the save that keeps that."""
        del self.m.progress.pending[slot:]

    def carry_on(self, kind: Literal["action", "decision"] | None = None) -> None:
        """Finish the entries a stopped walk left part-given (the last begun first): what was
        given is said or offered again, so Enter keeps it; /cancel drops the entry."""
        pending = self.m.progress.pending
        while pending and (kind is None or pending[-1].kind == kind):
            slot = len(pending) - 1
            entry = pending[slot]
            with self.side(entry.kind.capitalize(), entry=slot):
                if entry.kind == "action":
                    self.say(
                        f"  An action was being given when the walk stopped: {entry.what}. "
                        "Carrying it on (Enter keeps each answer given)."
                    )
                    actions.add_action(self, entry.what, slot=slot)
                else:
                    decisions.carry_on(self, slot)
            pending = self.m.progress.pending
            if len(pending) > slot:  # not settled nor dropped: never ask it in a loop
                break

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
            from ..prompts import edit_in_editor

            try:
                return edit_in_editor(current, folder=self.store.local / "tmp")
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
            if self.preparing:  # there is no agenda item to move from yet
                self.say(
                    f"  /{name} moves through the agenda, which starts once these questions are "
                    "answered (Ctrl-C pauses; everything is saved)."
                )
                return None
            raise Navigate(name, arg.strip())
        if name == "open":
            self.show_open()
        elif name == "action":
            with self.side("Action"):
                actions.add_action(self, self.answer(questions.WHAT))
        elif name == "decision":
            with self.side("Decision"):
                decisions.record_decision(self)
        elif name == "who":
            with self.side("Participant"):
                attendance.who(self)
        elif name == "info":
            with self.side("Information"):
                information.add_information(self, None)
        elif name == "disagree":
            with self.side("Disagreement"):
                items.add_disagreement(self, self.answer(questions.ABOUT))
        elif name == "invite":
            with self.side("Invitations"):
                preparation.record_invites(self)
        elif name == "inform":
            with self.side("Informing"):
                items.record_informing(self)
        elif name == "child":
            with self.side("Child"):
                name_ = self.answer(questions.CHILD_NAME)
                information.add_child(
                    self, name_, subject=self.p.confirm("A subject of the concern?", default=True)
                )
        return None

    def show_help(self) -> None:
        self.say("  Type these at any text prompt; the question comes back afterwards:")
        for c in COMMANDS:
            self.say(f"    {c.usage:<11} {c.help}")
        self.say("  Ctrl-C pauses: everything answered is already saved; strat resume continues.")

    def open_items(self) -> list[Item]:
        return open_items(self.m, self.agenda)

    def show_open(self) -> None:
        still = self.open_items()
        if not still:
            self.say("  Every agenda item is done.")
            return
        skipped = set(self.m.progress.skipped)
        self.say("  Still open:")
        for item in still:
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
            still = {i.key for i in self.open_items()}
            choices = [
                (k, f"{n}. {i.title}" + (" ✓" if k not in still else ""))
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
        roll = next((i.key for i in self.agenda.items if i.kind == ItemKind.attendance), None)
        if not pr.attendance_taken and roll and current in (None, roll):
            current = roll
        if current not in self.keys and current is not None:
            current = self.next_after(None)
        if current is None and not pr.done:
            current = self.keys[0]
        try:
            self.carry_on()  # an action or decision a stopped walk left part-given
            while True:
                if current is None:
                    try:
                        self.carry_on()  # left by /end typed in the middle of one
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
                        review.review_earlier_actions(self)
                    except Navigate as nav:
                        current = self.navigate(nav, item)
                        continue
                self.header(item)
                try:
                    self._steps[item.kind](self, item)
                except Navigate as nav:
                    current = self.navigate(nav, item)
                    continue
                if item.key not in pr.done:
                    pr.done.append(item.key)
                if item_empty(self.m, item):  # gone through, but nothing answers it yet
                    what = WHAT_ANSWERS.get(item.kind, "an answer")
                    n = self.keys.index(item.key) + 1
                    self.say(f"  Still open: this item needs {what}. /goto {n} returns to it.")
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
        from ..deadlines import format_uk

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
        end, at = questions.END, self.given(after=start)

        def check_end(text: str) -> str | None:
            if problem := end.problem(text, at):
                return problem
            if timeutil.before(end.read(text, at), start.replace(second=0, microsecond=0)):
                return f"the end cannot be before the start ({format_uk(start)})"
            return None

        # A reopened meeting keeps its first end time: offered again, with its date if not today.
        ended = m.ended_at.astimezone(LONDON) if m.ended_at else None
        if ended is None:
            offer = now.strftime("%H:%M")
        elif ended.date() == now.date():
            offer = ended.strftime("%H:%M")
        else:
            offer = typed_form(ended)
        typed = self.ask(end.prompt(), default=offer, validate=check_end, required=end.required)
        m.ended_at = latest(end.read(typed, at), start)
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
