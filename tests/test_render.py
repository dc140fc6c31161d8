"""Documents read back with python-docx: paragraphs, table cells, headers and footers."""

from __future__ import annotations

import zipfile
from datetime import UTC, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from strat_cli import pdf
from strat_cli.agenda import Agenda, get_agenda
from strat_cli.errors import StratError
from strat_cli.model import Authorisation, Meeting
from strat_cli.render import document_filename, record_hash, render_documents
from strat_cli.resources import DOCUMENTS as DOCS
from strat_cli.settings import Settings
from strat_cli.views import clean

# Everything a tired person (or a hostile one) might type, in one string.
HOSTILE = (
    "R&D <b>bold</b> \"quoted\" 'single' {{ 7*7 }} {% if true %}evaluated{% endif %} "
    "{_{ docxtpl }_} {_% escapes %_} "
    "😀 مرحبا שלום\ttabbed\nsecond line ctrl\x00\x01\x07\x0b\x0c\x1b\x1fkept\ud800end"
)
SHOWN = clean(HOSTILE)
# Fields that are references or machine values, not text a person types.
NOT_TEXT = {
    "id",
    "child_id",
    "participant_id",
    "owner_participant_id",
    "agenda",
    "carried_from",
    "method",
}


def docx_text(path: Path) -> str:
    """All the text a reader sees: body paragraphs, every table cell (nested too), headers
    and footers. python-docx gives line breaks as \\n and tabs as \\t."""
    from docx import Document

    doc = Document(str(path))
    out: list[str] = []

    def tables(items: Any) -> None:
        for table in items:
            for row in table.rows:
                for cell in row.cells:
                    out.extend(p.text for p in cell.paragraphs)
                    tables(cell.tables)

    out.extend(p.text for p in doc.paragraphs)
    tables(doc.tables)
    for section in doc.sections:
        for part in (section.header, section.footer):
            out.extend(p.text for p in part.paragraphs)
            tables(part.tables)
    return "\n".join(out)


def header_footer_text(path: Path) -> tuple[str, str]:
    from docx import Document

    section = Document(str(path)).sections[0]
    return (
        "\n".join(p.text for p in section.header.paragraphs),
        "\n".join(p.text for p in section.footer.paragraphs),
    )


def make_hostile(model: BaseModel, found: dict[str, str], path: str = "") -> None:
    """Put a numbered copy of HOSTILE in every text field of the record, recursively."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        where = f"{path}.{name}" if path else name
        if isinstance(value, Enum) or name in NOT_TEXT:
            continue
        if isinstance(value, str):
            marker = f"[F{len(found)}]"
            found[marker] = where
            setattr(model, name, f"{marker} {HOSTILE}")
        elif isinstance(value, BaseModel):
            make_hostile(value, found, where)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    make_hostile(item, found, f"{where}[{i}]")
        elif isinstance(value, dict) and name == "notes":
            for key in value:
                marker = f"[F{len(found)}]"
                found[marker] = f"notes.{key}"
                value[key] = f"{marker} {HOSTILE}"


@pytest.fixture
def agenda() -> Agenda:
    return get_agenda("national")


def render_one(
    meeting: Meeting, agenda: Agenda, settings: Settings, doc: str, out: Path, **kw: Any
) -> str:
    (path,) = render_documents(meeting, agenda, settings, [doc], out, **kw)
    return docx_text(path)


# --- names and hashes --------------------------------------------------------------------


def test_file_names_hold_reference_document_and_date_never_a_name(typical_meeting: Meeting) -> None:
    assert (
        document_filename(typical_meeting, "decision-sheet")
        == "SD-2026-0001_decision-sheet_2026-11-19.docx"
    )
    assert (
        document_filename(typical_meeting, "minutes", family=True)
        == "SD-2026-0001_minutes_family_2026-11-19.docx"
    )
    for doc in DOCS:
        for family in (False, True):
            name = document_filename(typical_meeting, doc, family)
            for child in typical_meeting.children:
                for part in child.name.split():
                    assert part.lower() not in name.lower()


def test_rendered_files_hold_no_child_name(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings, tmp_path: Path
) -> None:
    paths = render_documents(typical_meeting, agenda, settings, ["all"], tmp_path, family=False)
    paths += render_documents(typical_meeting, agenda, settings, ["all"], tmp_path, family=True)
    assert len(paths) == 6
    for p in paths:
        assert "Fenwick" not in p.name and "Quinlan" not in p.name


def test_record_hash_ignores_bookkeeping_and_sees_content(typical_meeting: Meeting) -> None:
    before = record_hash(typical_meeting)
    typical_meeting.log("rendered", "minutes")
    typical_meeting.rendered["minutes"] = before
    typical_meeting.progress.current = "risk"
    assert record_hash(typical_meeting) == before
    typical_meeting.actions[0].owner = "Someone else"
    assert record_hash(typical_meeting) != before


# --- content of each document ------------------------------------------------------------


def test_decision_sheet_content(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings, tmp_path: Path
) -> None:
    text = render_one(typical_meeting, agenda, settings, "decision-sheet", tmp_path)
    for expected in (
        "Strategy Discussion Decision Sheet",
        "SD-2026-0001",
        "Thu 19 Nov 2026",
        "10:00 to 10:55",
        "Dana Okafor, Team Manager, MASH",
        "Tom Aske",
        "Mia Fenwick (C1): s47 joint with police",
        "Disclosure corroborated by a visible injury",
        "Yes: To document the injury and check for others",
        "No: Telling her mother now could alert Kyle before the police interview.",
        "All statutory partners took part (social care, police, health)",
        "Initial Child Protection Conference (if needed) by Thu 10 Dec 2026",
        "Visit Mia at school with the police and see her alone",
        "Sam Whitlow (Northshire Children's Social Care)",
        "Thu 19 Nov 2026 15:00",
        "NOT YET AUTHORISED",
        "DS Priya Lamb",
    ):
        assert expected in text, expected
    # A6 is due in four days: not an immediate action
    assert "Share school attendance" not in text


def test_minutes_content(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings, tmp_path: Path
) -> None:
    text = render_one(typical_meeting, agenda, settings, "minutes", tmp_path)
    for expected in (
        "Strategy Discussion Minutes",
        "Independent Domestic Violence Adviser",
        "On leave; IDVA notes sent to the social worker",
        "Northshire Police",  # information by agency
        "Kyle Quinlan: two domestic abuse call-outs",
        "Police to lead a joint investigation",
        "Physical harm from an adult in the household",
        "scared to go home when Kyle is cross",
        "Ava Quinlan (C3): s17 child in need assessment",
        "Share school attendance and welfare records with the social worker",
        "Leah Brennan",
        "Mon 23 Nov 2026 10:00",
        "If the mother withdraws agreement, seek legal advice at once (contingency)",
        "If consent to a medical is refused for Mia Fenwick (C1)",
        "Whether Leo should also have a medical examination",
        "Police history of the partner",
        "The social worker reports progress on every action",
        "Wed 25 Nov 2026 10:00",
        "Record circulated to all participants",
        "Fri 20 Nov 2026 23:59",
        "Not yet circulated",
        "NOT YET AUTHORISED",
    ):
        assert expected in text, expected
    for n, item in enumerate(agenda.items, start=1):
        assert f"Item {n}: {item.title}" in text
    assert typical_meeting.notes["criminal_investigation"] in text


def test_summary_content(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings, tmp_path: Path
) -> None:
    text = render_one(typical_meeting, agenda, settings, "summary", tmp_path)
    for expected in (
        "Action Summary",
        "Arrange the child protection medical for Mia",
        "Dr Owen Hartley (Northshire NHS Trust)",
        "Fri 20 Nov 2026 09:30",
        "Leo Fenwick (C2): s47 single-agency. Same household as the alleged perpetrator",
        "Action summary to participants",
        "Thu 19 Nov 2026 11:55",
    ):
        assert expected in text, expected
    assert text.index("Visit Mia at school") < text.index("Share school attendance")


@pytest.mark.parametrize("doc", DOCS)
def test_marking_in_header_and_footer_with_page_numbers(
    doc: str, typical_meeting: Meeting, agenda: Agenda, tmp_path: Path
) -> None:
    settings = Settings(store=tmp_path, marking="OFFICIAL-SENSITIVE: PERSONAL & <CHILDREN>")
    (path,) = render_documents(typical_meeting, agenda, settings, [doc], tmp_path)
    header, footer = header_footer_text(path)
    assert "OFFICIAL-SENSITIVE: PERSONAL & <CHILDREN>" in header
    assert "OFFICIAL-SENSITIVE: PERSONAL & <CHILDREN>" in footer
    assert "SD-2026-0001" in footer
    with zipfile.ZipFile(path) as z:
        footers = "".join(z.read(n).decode() for n in z.namelist() if "footer" in n)
        body = z.read("word/document.xml").decode()
    assert " PAGE " in footers and " NUMPAGES " in footers
    assert "<w:tblHeader" in body  # header rows repeat across pages
    assert "{{" not in body and "{%" not in body


def test_authorised_record_shows_the_authorisation_block(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings, tmp_path: Path
) -> None:
    typical_meeting.authorisation = Authorisation(
        by="Lee Marsh", role="Service Manager", at=typical_meeting.started_at + timedelta(hours=2)
    )
    for doc in ("decision-sheet", "minutes"):
        text = render_one(typical_meeting, agenda, settings, doc, tmp_path)
        assert "Lee Marsh" in text and "Service Manager" in text
        assert "Thu 19 Nov 2026 12:00" in text
        assert "NOT YET AUTHORISED" not in text


# --- hostile text --------------------------------------------------------------------------


@pytest.mark.parametrize("doc", DOCS)
def test_hostile_text_in_every_field_renders_literally(
    doc: str, typical_meeting: Meeting, agenda: Agenda, tmp_path: Path
) -> None:
    found: dict[str, str] = {}
    make_hostile(typical_meeting, found)
    settings = Settings(store=tmp_path, marking=f"MARK {HOSTILE}")
    text = render_one(typical_meeting, agenda, settings, doc, tmp_path)
    shown = {marker for marker in found if f"{marker} {SHOWN}" in text}
    assert shown, "no field rendered"
    # Every marker that appears at all appears with the whole text intact.
    for marker in found:
        if marker + " " in text:
            assert marker in shown, (found[marker], text[text.index(marker) :][:200])
    assert f"MARK {SHOWN}" in text
    assert "49" not in text.replace("2026-0001", "") or "{{ 7*7 }}" in text
    assert "{{ 7*7 }}" in text and "{% if true %}evaluated{% endif %}" in text
    assert "\x00" not in text and "\x1b" not in text
    assert "ctrlkeptend" in text
    assert "\ttabbed\nsecond line" in text  # tab kept, newline a Word line break
    if doc == "minutes":  # the full record: every field a person types is in it
        missing = {found[m] for m in found if m not in shown and not found[m].startswith("audit")}
        assert missing <= MINUTES_LEAVE_OUT, missing - MINUTES_LEAVE_OUT


# What the minutes do not print (contact details, case-system refs, fields only shown when a
# condition holds that the typical record does not meet).
MINUTES_LEAVE_OUT = {
    *(f"participants[{i}].{f}" for i in range(8) for f in ("email", "phone")),
    *(f"participants[{i}].apology_reason" for i in range(8) if i != 7),
    *(
        f"children[{i}].{f}"
        for i in range(3)
        for f in ("gender", "ethnicity", "language", "local_ref")
    ),
    *(f"children[{i}].considered" for i in range(2)),
    *(f"children[{i}].communication_needs" for i in range(3)),
    *(f"adults[{i}].{f}" for i in range(3) for f in ("notes",)),
    "adults[0].risk_to_staff_detail",
    "adults[2].risk_to_staff_detail",
    *(f"decisions[{i}].parents_not_informed_reason" for i in range(2)),
    *(f"decisions[{i}].medical.{f}" for i in range(3) for f in ("by", "contingency") if i != 0),
    *(f"decisions[{i}].legal_detail" for i in range(3)),
    *(f"actions[{i}].due_rule" for i in range(7)),
    *(f"actions[{i}].completion_note" for i in range(7)),
    "decisions[2].seen_alone",
    "disagreements[0].escalation",  # shown only when escalated
    "decisions[2].interpreter",
    "decisions[0].interpreter",
    "decisions[1].interpreter",
}


def test_newlines_become_word_line_breaks(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings, tmp_path: Path
) -> None:
    typical_meeting.decisions[0].rationale = "line one\nline two\nline three"
    (path,) = render_documents(typical_meeting, agenda, settings, ["decision-sheet"], tmp_path)
    with zipfile.ZipFile(path) as z:
        body = z.read("word/document.xml").decode()
    assert 'line one</w:t><w:br/><w:t xml:space="preserve">line two' in body
    assert "line one\nline two\nline three" in docx_text(path)


# --- family version ------------------------------------------------------------------------


@pytest.mark.parametrize("doc", DOCS)
def test_family_version_omits_withheld_content(
    doc: str, typical_meeting: Meeting, agenda: Agenda, settings: Settings, tmp_path: Path
) -> None:
    text = render_one(typical_meeting, agenda, settings, doc, tmp_path, family=True)
    assert "FAMILY VERSION" in text
    for secret in (
        "two domestic abuse call-outs",  # information not shareable with the family
        "Police history of the partner",  # what the meeting withheld
        "could prejudice the criminal investigation",
        "could alert Kyle",
        "Threatened a housing officer",
    ):
        assert secret not in text, secret
    full = render_one(typical_meeting, agenda, settings, "minutes", tmp_path / "full")
    assert "two domestic abuse call-outs" in full and "Police history of the partner" in full


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_without_libreoffice_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    with pytest.raises(StratError, match="--pdf needs LibreOffice"):
        pdf.Conversion(["minutes"], tmp_path)


def test_a_follow_ups_minutes_and_summary_show_the_review_of_earlier_actions(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings, tmp_path: Path
) -> None:
    from strat_cli.followup import review_action, start_follow_up
    from strat_cli.model import ReviewOutcome
    from strat_cli.views import summary_text

    now = typical_meeting.started_at + timedelta(days=6)
    later = start_follow_up(typical_meeting, "SD-2026-0002", now)
    review_action(later, typical_meeting, "A1", ReviewOutcome.done, now, note="Seen at school")
    review_action(
        later, typical_meeting, "A3", ReviewOutcome.carried, now, new_due=now + timedelta(days=2)
    )
    (path,) = render_documents(later, agenda, settings, ["minutes"], tmp_path)
    text = docx_text(path)
    assert "Actions from earlier discussions" in text
    assert "SD-2026-0001:A1" in text and "Seen at school" in text
    assert "Carried forward" in text and "Now A1, due Fri 27 Nov 2026 10:00" in text
    md = summary_text(later, agenda, settings)
    assert "## Actions from earlier discussions" in md
    assert "SD-2026-0001:A3 Plan and hold the ABE interview with Mia (DS Priya Lamb): carried" in md


def test_a_first_discussions_minutes_have_no_earlier_actions_section(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings, tmp_path: Path
) -> None:
    (path,) = render_documents(typical_meeting, agenda, settings, ["minutes"], tmp_path)
    assert "Actions from earlier discussions" not in docx_text(path)


def test_the_same_record_renders_to_the_same_bytes(
    typical_meeting: Meeting,
    agenda: Agenda,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The circulation log keeps each attachment's sha256: it must name the content, not the
    moment of rendering (python-docx stamps every zip entry with the clock)."""
    import time
    import types
    from io import BytesIO

    from docx import Document

    first = [
        p.read_bytes()
        for p in render_documents(typical_meeting, agenda, settings, ["all"], tmp_path / "a")
    ]
    later = types.SimpleNamespace(time=lambda: time.time() + 86_400 * 3, localtime=time.localtime)
    monkeypatch.setattr(zipfile, "time", later)  # a render three days later
    second = [
        p.read_bytes()
        for p in render_documents(typical_meeting, agenda, settings, ["all"], tmp_path / "b")
    ]
    assert first == second
    props = Document(BytesIO(first[1])).core_properties
    start = typical_meeting.started_at.astimezone(UTC)
    assert props.created == props.modified == start
    assert props.revision == 1 and props.last_modified_by == "strat"
    with zipfile.ZipFile(BytesIO(first[0])) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_record_hash_ignores_participants_contact_details(typical_meeting: Meeting) -> None:
    """No document shows them; correcting a refused address is not a change of record."""
    before = record_hash(typical_meeting)
    typical_meeting.participants[2].email = "corrected@police.northshire.example"
    typical_meeting.participants[3].phone = "01632 960999"
    assert record_hash(typical_meeting) == before
    typical_meeting.participants[2].role = "Detective Inspector"
    assert record_hash(typical_meeting) != before


def test_no_view_shows_participants_contact_details(
    typical_meeting: Meeting, agenda: Agenda, settings: Settings
) -> None:
    """What record_hash may leave out: a template cannot show what the view does not hold."""
    import json

    from strat_cli.views import build_view

    for family in (False, True):
        text = json.dumps(build_view(typical_meeting, agenda, settings, family=family))
        for p in typical_meeting.participants:
            assert not p.email or p.email not in text
            assert not p.phone or p.phone not in text
