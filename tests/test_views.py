"""What documents and screens show is computed once, in views: tested here without Word."""

from __future__ import annotations

from datetime import timedelta

import pytest

from strat_cli.agenda import Agenda, get_agenda
from strat_cli.model import (
    AgencyKind,
    Attendance,
    Authorisation,
    CirculationEntry,
    Meeting,
    Outcome,
    PartnerGap,
)
from strat_cli.settings import Settings
from strat_cli.views import NOT_AUTHORISED, build_view, clean, clean_all, summary_text, when

from .conftest import sent_to_everyone


@pytest.fixture
def agenda() -> Agenda:
    return get_agenda("national")


def test_clean_removes_what_word_cannot_hold_and_keeps_the_text_around_it() -> None:
    assert clean("a\x00b\x07c\x1bd\x0be\x0cf\ufffeg\uffffh") == "abcdefgh"
    assert clean("lone\ud800surrogate") == "lonesurrogate"
    assert clean("tab\tand\nnewline") == "tab\tand\nnewline"
    assert clean("windows\r\nold mac\r") == "windows\nold mac\n"
    assert clean("😀 مرحبا שלום") == "😀 مرحبا שלום"


def test_clean_all_reaches_every_string_in_a_nested_view() -> None:
    data = {"a\x01": ["x\x02", {"y": "z\x03"}], "n": 3, "b": True}
    assert clean_all(data) == {"a": ["x", {"y": "z"}], "n": 3, "b": True}


def test_view_of_the_typical_meeting(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings
) -> None:
    v = build_view(typical_meeting, agenda, settings, doc="minutes")
    assert v["marking"] == "OFFICIAL-SENSITIVE"
    assert v["meeting"]["reference"] == "SD-2026-0001"
    assert v["meeting"]["date"] == "Thu 19 Nov 2026"
    assert v["meeting"]["time"] == "10:00 to 10:55"
    assert v["partners"]["ok"] is True
    assert v["authorisation"]["text"] == NOT_AUTHORISED
    mia = v["decisions"][0]
    assert mia["child"] == "Mia Fenwick (C1)"
    assert mia["outcome"] == "s47 joint with police"
    assert mia["rationale"].startswith("Disclosure corroborated")
    assert "By: Dr Hartley" in mia["medical"]
    assert v["icpc"]["due"] is True
    assert v["icpc"]["target"] == "Thu 10 Dec 2026"
    assert v["next_deadlines"][0]["label"] == "Action summary to participants"


def test_actions_are_sorted_by_due_time(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings
) -> None:
    v = build_view(typical_meeting, agenda, settings)
    assert [a["number"] for a in v["actions"]] == ["A1", "A4", "A5", "A2", "A3", "A7", "A6"]
    assert v["actions"][0]["due"] == "Thu 19 Nov 2026 15:00"
    assert v["actions"][2]["kind"] == "(contingency)"
    # immediate: due within 24 hours of the end (10:55 next day)
    assert [a["number"] for a in v["immediate_actions"]] == ["A1", "A4", "A5", "A2"]


def test_missing_statutory_partner_is_shown_with_its_reason(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings
) -> None:
    for p in typical_meeting.participants:
        if p.agency_kind == AgencyKind.police:
            p.attendance = Attendance.apologies
    v = build_view(typical_meeting, agenda, settings)
    assert v["partners"]["ok"] is False
    assert v["partners"]["missing"][0]["reason"] == "No reason recorded"
    assert any("Statutory partner not present: police" in w for w in v["warnings"])
    typical_meeting.partner_gaps = [
        PartnerGap(agency_kind=AgencyKind.police, reason="Officer in court", escalated=True)
    ]
    v = build_view(typical_meeting, agenda, settings)
    assert v["partners"]["missing"][0]["reason"] == "Officer in court"
    assert v["partners"]["missing"][0]["escalation"] == "Escalated"


def test_authorised_record_shows_who_authorised_it(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings
) -> None:
    typical_meeting.authorisation = Authorisation(
        by="Lee Marsh", role="Service Manager", at=typical_meeting.started_at + timedelta(hours=3)
    )
    v = build_view(typical_meeting, agenda, settings)
    assert v["authorisation"]["done"] is True
    assert (
        v["authorisation"]["text"]
        == "Authorised by Lee Marsh, Service Manager, Thu 19 Nov 2026 13:00"
    )


def test_icpc_target_only_where_s47_was_decided(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings
) -> None:
    for d in typical_meeting.decisions:
        d.outcome = Outcome.s17
    v = build_view(typical_meeting, agenda, settings)
    assert v["icpc"]["due"] is False
    assert not any("Conference" in r["label"] for r in v["deadlines"])


def test_agenda_items_take_titles_from_the_agenda_and_notes_from_the_record(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings
) -> None:
    typical_meeting.notes["old_item"] = "From an older agenda"
    typical_meeting.progress.skipped = ["legal"]
    typical_meeting.notes.pop("legal")
    items = {i["key"]: i for i in build_view(typical_meeting, agenda, settings)["agenda_items"]}
    assert items["criminal_investigation"]["title"] == "Criminal investigation and interviews (ABE)"
    assert items["criminal_investigation"]["notes"].startswith("Police to lead")
    assert items["legal"]["notes"] == "Not discussed (skipped)."
    assert items["decisions"]["notes"] == "Recorded under Decisions."
    assert items["old_item"]["notes"] == "From an older agenda"


def test_family_view_leaves_out_what_is_withheld(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings
) -> None:
    full = build_view(typical_meeting, agenda, settings)
    fam = build_view(typical_meeting, agenda, settings, family=True)
    assert any(i["agency"] == "Northshire Police" for i in full["information"])
    assert not any(i["agency"] == "Northshire Police" for i in fam["information"])
    assert fam["information_withheld"] is True
    assert fam["family_sharing"]["withheld"] == ""
    assert fam["family_sharing"]["withheld_reason"] == ""
    assert "could alert Kyle" not in str(fam)
    assert "Threatened a housing officer" not in str(fam)
    assert fam["version_note"].startswith("FAMILY VERSION")


def test_circulation_says_whether_it_went_out_in_time(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings
) -> None:
    assert (
        build_view(typical_meeting, agenda, settings)["circulation"]["text"] == "Not yet circulated"
    )
    typical_meeting.circulation = [
        CirculationEntry(
            at=typical_meeting.started_at + timedelta(hours=5),
            method="smtp",
            recipients=["whitlow@socialcare.northshire.example"],
            delivered=["whitlow@socialcare.northshire.example"],
        )
    ]
    c = build_view(typical_meeting, agenda, settings)["circulation"]
    assert c["text"].startswith("Sent 1 time(s), to 1 address(es); not yet received by: Dana")
    assert c["entries"][0]["method"] == "Email sent"
    typical_meeting.participants[7].email = ""  # Rita Mensah: no address to send to
    typical_meeting.circulation.append(
        sent_to_everyone(typical_meeting, typical_meeting.started_at + timedelta(hours=6))
    )
    c = build_view(typical_meeting, agenda, settings)["circulation"]
    assert c["text"] == (
        "Sent 2 time(s), to 7 address(es); every participant has it; within one working day: "
        "Yes; not emailed (no usable address): Rita Mensah (Independent Domestic Violence "
        "Adviser, Northshire IDVA Service)"
    )


def test_minutes_say_a_draft_is_prepared_not_sent(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings
) -> None:
    at = typical_meeting.started_at + timedelta(hours=1)
    typical_meeting.circulation = [
        CirculationEntry(at=at, method="draft", recipients=["a@b.example"])
    ]
    c = build_view(typical_meeting, agenda, settings)["circulation"]
    assert c["text"] == (
        "Not yet circulated: an email draft was prepared but is not recorded as sent"
    )
    assert c["entries"][0]["method"] == "Email draft prepared (not sent)"
    typical_meeting.circulation.append(sent_to_everyone(typical_meeting, at, method="draft sent"))
    c = build_view(typical_meeting, agenda, settings)["circulation"]
    assert c["text"] == (
        "Sent 1 time(s), to 8 address(es); every participant has it; within one working day: Yes"
    )
    assert c["entries"][1]["method"] == "Draft sent from Outlook (as recorded)"
    cut = sent_to_everyone(typical_meeting, at + timedelta(hours=1))
    cut.state, cut.delivered = "sending", []
    typical_meeting.circulation.append(cut)
    c = build_view(typical_meeting, agenda, settings)["circulation"]
    assert c["entries"][2]["method"] == "Email send, outcome unknown"
    assert c["text"].startswith(
        "Sent 1 time(s), to 8 address(es)"
    )  # the cut-off one is not counted
    assert c["text"].endswith(
        f"; the send of {when(cut.at)} was cut off and its outcome is unknown (it may have arrived)"
    )


def test_summary_text_lists_actions_decisions_and_deadlines(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings
) -> None:
    typical_meeting.decisions[0].rationale = "First line\nsecond line"
    text = summary_text(typical_meeting, agenda, settings)
    assert text.startswith("**OFFICIAL-SENSITIVE**")
    assert "# Strategy discussion SD-2026-0001: action summary" in text
    assert (
        "- A1: Visit Mia at school with the police and see her alone | Sam Whitlow "
        "(Northshire Children's Social Care) | due Thu 19 Nov 2026 15:00 | Mia Fenwick (C1)"
    ) in text
    assert text.index("- A1:") < text.index("- A4:") < text.index("- A6:")
    assert "- Mia Fenwick (C1): s47 joint with police. First line\n  second line" in text
    assert "- Record circulated to all participants: Fri 20 Nov 2026 23:59" in text
    assert "Status: NOT YET AUTHORISED." in text


def test_strat_show_has_the_deadlines_block(typical_meeting: Meeting, settings: Settings) -> None:
    from rich.console import Console

    from strat_cli.screen import show_meeting

    con = Console(record=True, width=120)
    show_meeting(con, typical_meeting, settings)
    text = con.export_text()
    assert "Deadlines" in text
    assert "Record circulated to all participants" in text
    assert "Fri 20 Nov 2026 23:59" in text
    assert "Initial Child Protection Conference (if needed)" in text
    assert "Circulated within the deadline" in text


def test_dates_of_birth_and_due_dates_have_no_weekday(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings
) -> None:
    from datetime import date

    typical_meeting.children[0].date_of_birth = date(2019, 4, 3)
    typical_meeting.children[1].unborn = True
    typical_meeting.children[1].expected_date = date(2027, 1, 5)
    rows = build_view(typical_meeting, agenda, settings)["children"]
    assert rows[0]["born"] == "3 Apr 2019"
    assert rows[1]["born"] == "Unborn, due 5 Jan 2027"


def test_a_report_sent_instead_of_attending_shows_its_reason(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings
) -> None:
    p = typical_meeting.participants[1]
    p.attendance = Attendance.report_sent
    p.apology_reason = "On a home visit; report emailed at 09:40"
    rows = build_view(typical_meeting, agenda, settings)["participants"]
    assert rows[1]["attendance"] == "Report sent"
    assert rows[1]["apologies"] == "On a home visit; report emailed at 09:40"
    # the Decision Sheet has no column for the reason: it goes in brackets
    assert rows[1]["attendance_reason"] == "Report sent (On a home visit; report emailed at 09:40)"


def test_the_seen_alone_item_shows_what_was_recorded_under_it(
    typical_meeting: Meeting, settings: Settings
) -> None:
    """Pan-Lancashire: 'Seeing the child alone; race, ethnicity, language, disability,
    interpreter'. The minutes say, per child, what the record holds on each."""
    c = typical_meeting.children[0]
    c.ethnicity, c.language, c.communication_needs = "White British", "English", "Dyslexia"
    c.interpreter = True
    d = typical_meeting.decisions_for(c.id)[0]
    d.seen_alone, d.interpreter = "Tomorrow at school, by Sam Whitlow", "BSL interpreter booked"
    items = build_view(typical_meeting, get_agenda("pan-lancashire"), settings)["agenda_items"]
    (item,) = [i for i in items if i["key"] == "seen_alone"]
    assert item["notes"].splitlines()[0] == (
        f"{c.name} ({c.id}): seen alone: Tomorrow at school, by Sam Whitlow; "
        "ethnicity: White British; first language: English; disability or communication "
        "needs: Dyslexia; interpreter: needed (BSL interpreter booked)."
    )
