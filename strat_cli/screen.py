"""How a record looks in the terminal (`strat show`): rich renderables, no decisions made here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .attendance import how_taking_part, missing_partners
from .model import Meeting

if TYPE_CHECKING:
    from rich.console import Console

    from .agenda import Agenda
    from .settings import Settings


def fmt_time(value: object) -> str:
    from datetime import datetime

    if isinstance(value, datetime):
        from .timeutil import format_uk

        return format_uk(value)
    return "-" if value is None else str(value)


# Columns that hold sentences: they take the spare width, the short ones keep theirs.
TEXT_COLUMNS = {
    "summary",
    "rationale",
    "medical",
    "action",
    "about",
    "resolution / escalation",
    "parents informed",
    "note",
    "what",
}


# Columns of a word or two keep their natural width.
SHORT_COLUMNS = {
    "severity",
    "rule",
    "ref",
    "kind",
    "status",
    "contributed",
    "subject",
    "PR",
    "household",
    "alleged",
}


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, expand=True)
    for col in columns:
        ratio = None if col in SHORT_COLUMNS else 3 if col in TEXT_COLUMNS else 1
        table.add_column(col, overflow="fold", ratio=ratio)
    return table


def show_meeting(
    con: Console,
    meeting: Meeting,
    settings: Settings,
    *,
    later: Sequence[str] = (),
    later_records: Sequence[Meeting] = (),
) -> None:
    """Print the record. `con` must have markup off: record text is shown exactly as typed.
    `later_records` (the later discussions that could be read) say if the ICPC target was
    replaced."""
    from .agenda import get_agenda
    from .errors import AgendaError

    try:
        agenda = get_agenda(meeting.agenda, settings.extra_agenda_dirs)
    except AgendaError:
        agenda = None
    head = Text()
    head.append(f"{meeting.id}", style="bold")
    head.append(f"  {meeting.type.value} strategy discussion, {meeting.format.value}\n")
    head.append(f"Agenda: {agenda.name if agenda else meeting.agenda}\n")
    head.append(f"Started {fmt_time(meeting.started_at)}; ended {fmt_time(meeting.ended_at)}\n")
    head.append(f"Chair: {meeting.chair or '-'}   Minute taker: {meeting.minute_taker or '-'}\n")
    head.append(f"Status: {meeting.status.value}")
    if meeting.authorisation:
        a = meeting.authorisation
        head.append(f" by {a.by} ({a.role}) {fmt_time(a.at)}")
    if meeting.previous or later:
        chain = [*meeting.previous, f"{meeting.id} (this one)", *later]
        head.append(f"\nDiscussions of this case: {' → '.join(chain)}")
    if meeting.reason:
        head.append(f"\nReason: {meeting.reason}")
    con.print(Panel(head, title="Strategy discussion", title_align="left"))

    if meeting.children:
        from .views import child_rows

        t = _table("Children", "ref", "name", "subject", "born / due", "school", "needs")
        for row in child_rows(meeting):
            role = "yes" if row["subject"] else "other child"
            t.add_row(
                row["ref"],
                row["name"],
                role,
                row["born"],
                row["school"] or "-",
                row["needs"] or "-",
            )
        con.print(t)
    if meeting.adults:
        t = _table(
            "Adults", "ref", "name", "relationship", "PR", "household", "alleged", "risk to staff"
        )
        for ad in meeting.adults:
            t.add_row(
                ad.id,
                ad.name,
                ad.relationship or "-",
                _yn(ad.parental_responsibility),
                _yn(ad.household_member),
                _yn(ad.alleged_perpetrator),
                _yn(ad.risk_to_staff),
            )
        con.print(t)
    if meeting.participants:
        t = _table(
            "Participants", "ref", "name", "role", "agency", "kind", "took part", "contributed"
        )
        for p in meeting.participants:
            how = how_taking_part(p)
            t.add_row(p.id, p.name, p.role, p.agency, p.agency_kind.value, how, _yn(p.contributed))
        con.print(t)
        if agenda and meeting.progress.attendance_taken:
            missing = missing_partners(meeting, agenda.statutory_partners)
            if missing:
                gaps = {g.agency_kind: g for g in meeting.partner_gaps}
                for kind in missing:
                    g = gaps.get(kind)
                    why = (
                        (g.reason or (f"escalated: {g.escalation}" if g.escalated else ""))
                        if g
                        else ""
                    )
                    line = Text("Statutory partner missing: ", style="red")
                    line.append(kind.value + (f" — {why}" if why else " — no reason recorded"))
                    con.print(line)
    if meeting.information:
        from .views import information_flags

        t = _table("Information shared", "by", "agency", "summary", "flags")
        for i in meeting.information:
            flags = information_flags(i, short=True)
            t.add_row(i.by, i.agency, i.summary, ", ".join(flags) or "-")
        con.print(t)
    if meeting.risk.summary or meeting.risk.level:
        lvl = meeting.risk.level.value if meeting.risk.level else "not graded"
        con.print(
            Panel(
                f"Level: {lvl}\n{meeting.risk.summary}\n{meeting.risk.immediate_safety}".strip(),
                title="Risk",
                title_align="left",
            )
        )
    voices = [(c, c.voice) for c in meeting.children if c.voice]
    for c, voice in voices:
        con.print(Panel(voice, title=f"Voice of {c.id}", title_align="left"))
    if meeting.decisions:
        t = _table("Decisions", "child", "outcome", "rationale", "medical", "parents informed")
        for d in meeting.decisions:
            child = meeting.child(d.child_id)
            med = d.medical.needed.value + (f": {d.medical.reason}" if d.medical.reason else "")
            told = d.parents_informed.value
            if d.parents_not_informed_reason:
                told += f": {d.parents_not_informed_reason}"
            t.add_row(
                f"{d.child_id} {child.name if child else ''}",
                d.outcome.value,
                d.rationale,
                med,
                told,
            )
        con.print(t)
    if meeting.reviewed_actions:
        t = _table("Actions from earlier discussions", "ref", "action", "owner", "reviewed", "note")
        for r in meeting.reviewed_actions:
            note = r.note + (f" → now {r.new_action_id}" if r.new_action_id else "")
            t.add_row(r.ref, r.what, r.owner, r.outcome.value, note.strip() or "-")
        con.print(t)
    if meeting.actions:
        t = _table("Actions", "ref", "action", "owner", "due", "status")
        for act in sorted(meeting.actions, key=lambda a: a.due):
            what = act.what + (" [contingency]" if act.contingency else "")
            t.add_row(
                act.id,
                what,
                f"{act.owner} {('(' + act.agency + ')') if act.agency else ''}",
                fmt_time(act.due),
                act.status.value,
            )
        con.print(t)
    if meeting.disagreements:
        t = _table("Disagreements", "raised by", "about", "resolution / escalation")
        for dg in meeting.disagreements:
            t.add_row(
                dg.raised_by, dg.about, dg.resolution or (dg.escalation if dg.escalated else "-")
            )
        con.print(t)
    if meeting.family.shared or meeting.family.withheld:
        con.print(
            Panel(
                f"Shared: {meeting.family.shared or '-'}\nWithheld: {meeting.family.withheld or '-'}"
                + (
                    f" ({meeting.family.withheld_reason})" if meeting.family.withheld_reason else ""
                ),
                title="The family",
                title_align="left",
            )
        )
    if meeting.review_mechanism or meeting.next_discussion:
        con.print(
            f"Review: {meeting.review_mechanism or '-'}   Next discussion: {fmt_time(meeting.next_discussion)}"
        )
    if agenda:
        from .errors import InputError
        from .views import deadline_rows

        try:
            rows = deadline_rows(meeting, agenda, later_records)
        except InputError as exc:  # a placeholder date saved earlier: show the rest of it
            con.print(f"Warning: {exc.message}")
            return
        t = _table("Deadlines", "deadline", "due")
        for row in rows:
            t.add_row(row["label"], row["due"])
        con.print(t)
        _gaps(con, meeting, agenda)


def _gaps(con: Console, meeting: Meeting, agenda: Agenda) -> None:
    """What the area's rulebook finds, deadlines met late included: they stay visible after the
    fact (the same findings as strat check)."""
    from .rulebook import findings

    gaps = findings(meeting, agenda)
    if not gaps:
        return
    t = _table(f"Gaps (strat check {meeting.id})", "severity", "rule", "what")
    for g in gaps:
        t.add_row(g.severity, g.code, g.message)
    con.print(t)


def _yn(value: bool) -> str:
    return "yes" if value else "no"
