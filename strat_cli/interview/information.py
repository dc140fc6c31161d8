"""What is shared: information by agency, the child's voice, risk, other children."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import questions
from ..agenda import Item
from ..model import (
    Child,
    InformationShared,
    RiskLevel,
)
from ..prompts import Choice
from . import attendance
from .commands import Cancel

if TYPE_CHECKING:
    from .walk import Interview


def add_information(iv: Interview, pid: str | None) -> None:
    m = iv.m
    if pid is None:
        extra: list[Choice] = [("other", "Someone else (type a name)")]
        if iv.depth:
            extra.append(("cancel", "(cancel)"))
        pid = iv.pick("Who is sharing information?", attendance.present_choices(iv, extra))
        if pid == "cancel":
            raise Cancel
    p = m.participant(pid) if pid != "other" else None
    by = p.name if p else iv.answer(questions.SHARED_BY)
    agency = p.agency if p else iv.answer(questions.SHARED_AGENCY)
    summary = iv.ask(
        f"What did {by} share?", multiline=True, required="Record what was shared (or /cancel)."
    )
    info = InformationShared(
        id=m.next_id("I", [i.id for i in m.information]),
        participant_id=p.id if p else None,
        by=by,
        agency=agency,
        summary=summary,
        at=iv.clock(),
    )
    m.information.append(info)
    if p:
        p.contributed = True
    iv.log("information shared", f"{info.id} by {by}")
    iv.save()
    flags = iv.p.checkbox(
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
        iv.save()


def step_information(iv: Interview, item: Item) -> None:
    m = iv.m
    while True:
        told = {i.participant_id for i in m.information}
        waiting = [c for c in attendance.present_choices(iv) if c[0] not in told]
        choices = attendance.present_choices(
            iv, [("other", "Someone else (type a name)"), ("done", "Finished information sharing")]
        )
        default = waiting[0][0] if waiting else "done"
        n = len(m.information)
        iv.say(f"  {n} contribution{'' if n == 1 else 's'} recorded so far.")
        pid = iv.pick("Who is sharing information?", choices, default=default)
        if pid == "done":
            break
        add_information(iv, pid)
    if item.key in m.notes or iv.p.confirm("Any general notes for this item?", default=False):
        iv.step_notes(item)


def step_voice(iv: Interview, item: Item) -> None:
    m = iv.m
    if not m.subject_children:
        iv.step_notes(item)
        return
    for child in m.subject_children:
        child.voice = iv.answer(
            questions.VOICE,
            who=child.name,
            default=child.voice,
            keep=lambda t, c=child: setattr(c, "voice", t),  # type: ignore[misc]
        )
        iv.save()
        # What else the item's title names (Pan-Lancashire: "seeing the child alone; race,
        # ethnicity, language, disability, interpreter"), asked as the title says it.
        if "seen_alone" in item.asks:
            child.seen_alone = iv.answer(
                questions.SEEN_ALONE, who=child.name, default=child.seen_alone
            )
            iv.save()
        if "identity" in item.asks:
            child.ethnicity = iv.answer(
                questions.ETHNICITY, who=child.name, default=child.ethnicity
            )
            iv.save()
            child.language = iv.answer(questions.LANGUAGE, who=child.name, default=child.language)
            iv.save()
            child.communication_needs = iv.answer(
                questions.NEEDS, who=child.name, default=child.communication_needs
            )
            iv.save()
            yn: list[Choice] = [("yes", "yes"), ("no", "no")]
            need = iv.pick(
                f"{child.name}: interpreter needed?",
                yn,
                default="yes" if child.interpreter else "no",
            )
            child.interpreter = need == "yes"
            iv.save()


def step_risk(iv: Interview, item: Item) -> None:
    risk = iv.m.risk
    choices: list[Choice] = [(r.value, r.value) for r in RiskLevel] + [("none", "not graded")]
    level = iv.pick("Level of risk", choices, default=risk.level.value if risk.level else "none")
    risk.level = None if level == "none" else RiskLevel(level)
    iv.save()
    risk.summary = iv.answer(
        questions.RISK, default=risk.summary, keep=lambda t: setattr(risk, "summary", t)
    )
    iv.save()
    risk.immediate_safety = iv.answer(questions.SAFETY, default=risk.immediate_safety)
    iv.save()


def add_child(iv: Interview, name: str, *, subject: bool) -> Child:
    m = iv.m
    child = Child(id=m.next_id("C", [c.id for c in m.children]), name=name, subject=subject)
    m.children.append(child)
    iv.log("child added", f"{child.id}{'' if subject else ' (other child)'}")
    iv.save()
    return child


def step_other_children(iv: Interview, item: Item) -> None:
    m = iv.m
    # each other child the rulebook's other_children.how wants a word about
    for c in [c for c in m.children if questions.CONSIDERED.wanted(m, iv.agenda, c.id)]:
        c.considered = iv.answer(questions.CONSIDERED, who=c.name, default=c.considered)
        iv.save()
    while True:
        name = iv.ask("Another child who may be affected? Name (Enter on its own if none)")
        if not name:
            break
        child = add_child(iv, name, subject=False)
        child.considered = iv.answer(questions.CONSIDERED, who=name)
        iv.save()


def child_label(iv: Interview, c: Child) -> str:
    ds = iv.m.decisions_for(c.id)
    now = f" [{ds[-1].outcome.value}]" if ds else ""
    return f"{c.id} {c.name}{'' if c.subject else ' (other child)'}{now}"
