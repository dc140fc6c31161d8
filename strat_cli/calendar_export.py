"""A meeting's actions and ICPC target as an iCalendar file, for the owners' diaries.

Each open action is a short event at its due time; the ICPC target is an all-day event. UIDs
are stable (meeting, action), so importing the file again after a change updates the entries
rather than duplicating them.

What a calendar may hold: references (meeting and action), the owner's agency, status and due
times. Never a name (child, family, owner) and no free text (the action's words, its due rule):
calendars are shared, synced to phones and previewed on lock screens and in invitations, where
the chair's words about a child would be read by anyone. The owner finds what to do in the
action summary they were sent, by the reference in the title.

Times are written in UTC (`DTSTART:20261203T170000Z`), not as `TZID=Europe/London`: RFC 5545
wants a VTIMEZONE block for every TZID used, and Outlook for Windows, which most partners use,
shows a UTC time correctly in the PC's own zone with no zone definition to trust, whereas it
maps a VTIMEZONE onto its Windows zones and a block it reads differently moves every event by
an hour. UTC also names the repeated hour when the clocks go back without doubt. The ICPC target
is a whole day (a DATE), which needs no zone.

An agency is the only text typed by a person that reaches the file: its control characters,
which RFC 5545 forbids in TEXT, are left out (`safetext.for_file`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .timeutil import format_uk_date, london, utc

if TYPE_CHECKING:
    from .deadlines import CaseIcpc, Deadlines
    from .model import Meeting

UID_DOMAIN = "strat.invalid"
ACTION_LENGTH = timedelta(minutes=15)


def meeting_calendar(
    meeting: Meeting,
    deadlines: Deadlines,
    *,
    now: datetime,
    include_closed: bool = False,
    icpc: CaseIcpc | None = None,
) -> bytes:
    """The .ics bytes: open actions (all with `include_closed`) and the ICPC target date,
    marked (and cancelled) when `icpc` says a later discussion of the case replaced it."""
    from icalendar import Calendar, Event

    from .deadlines import replaced_text
    from .safetext import for_file

    cal = Calendar()
    cal.add("prodid", "-//strat//strategy discussion actions//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{meeting.id} actions")
    for action in sorted(meeting.actions, key=lambda a: a.due):
        if action.status.value != "open" and not include_closed:
            continue
        ev = Event()
        ev.add("uid", f"{meeting.id}-{action.id}@{UID_DOMAIN}")
        ev.add("dtstamp", utc(now))
        start = utc(action.due)  # in UTC: see the module's docstring
        ev.add("dtstart", start)
        ev.add("dtend", start + ACTION_LENGTH)
        flag = " [contingency]" if action.contingency else ""
        ev.add("summary", for_file(f"{meeting.id} {action.id}: action due{flag}"))
        lines = [
            f"Strategy discussion {meeting.id}, action {action.id}",
            *([f"Agency: {action.agency}"] if action.agency else []),
            f"Status: {action.status.value}",
            f"What to do: see the action summary of {meeting.id}",
        ]
        ev.add("description", for_file("\n".join(lines)))
        ev.add("categories", ["strat", "action"])
        if action.status.value != "open":
            ev.add("status", "CANCELLED" if action.status.value == "cancelled" else "CONFIRMED")
        cal.add_component(ev)
    if deadlines.icpc_target is not None:
        ev = Event()
        ev.add("uid", f"{meeting.id}-icpc@{UID_DOMAIN}")
        ev.add("dtstamp", utc(now))
        ev.add("dtstart", deadlines.icpc_target)
        ev.add("dtend", deadlines.icpc_target + timedelta(days=1))
        replaced = replaced_text(icpc) if icpc is not None else ""
        ev.add(
            "summary", f"{meeting.id}: ICPC target date" + (f" ({replaced})" if replaced else "")
        )
        counted_from = deadlines.icpc_counted_from
        counted = (
            f" (counted from the discussion of {format_uk_date(london(counted_from).date())})"
            if counted_from
            else ""
        )
        ev.add(
            "description",
            f"Initial child protection conference to be held by this date{counted}."
            + (f" This target was {replaced}." if replaced else ""),
        )
        if replaced:
            ev.add("status", "CANCELLED")
        ev.add("categories", ["strat", "icpc"])
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    data: bytes = cal.to_ical()
    return data
