"""What the closing screen and the command line show about a meeting."""

from __future__ import annotations

from ..agenda import Agenda, Item
from ..attendance import how_taking_part, missing_partners
from ..model import (
    Action,
    Meeting,
)
from ..rulebook import item_empty

# --- what the closing screen and the command line show ------------------------------------


def open_items(meeting: Meeting, agenda: Agenda) -> list[Item]:
    """The items the walk shows as still open: not yet gone through, or required and not
    answered by the rulebook's test (item_empty, which `strat check` reports as item.empty), so
    a risk item with only a level is open on the chair's screen as it is in the check."""
    done = set(meeting.progress.done)
    return [i for i in agenda.items if i.key not in done or item_empty(meeting, i)]


def attendance_summary(meeting: Meeting) -> str:
    lines = ["Attendance:"]
    for p in meeting.participants:
        lines.append(f"  {p.name} ({p.agency or p.agency_kind.value}): {how_taking_part(p)}")
    return "\n".join(lines)


def closing_summary(meeting: Meeting, agenda: Agenda) -> str:
    from ..deadlines import format_uk

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
    still = [i.title for i in open_items(m, agenda)]
    lines.append("Open agenda items: " + ("; ".join(still) if still else "none"))
    return "\n".join(lines)


def deadlines_text(meeting: Meeting, agenda: Agenda) -> str:
    from ..deadlines import format_uk, format_uk_date, meeting_deadlines

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
