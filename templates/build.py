"""Build strat's shipped Word templates: run by a person, the .docx files are committed.

    python templates/build.py          # rewrites templates/*.docx

Why build them in code: every Jinja tag goes into a single Word run, so docxtpl always sees it
whole; Word's own styles (headings, 'Table Grid') keep them editable by a council in Word.
Tags only show values strat_cli/views.py has already computed and formatted.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table

HERE = Path(__file__).resolve().parent
FONT = "Arial"
WIDTH_CM = 17.0  # A4 (21 cm) less 2 cm margins each side
HEADER_FILL = "D9E2F3"
LABEL_FILL = "F2F2F2"
LANGUAGE = "en-GB"  # Word checks spelling against it: "authorised", not "authorized"
NAVY = RGBColor(0x1F, 0x38, 0x64)
RED = RGBColor(0xC0, 0x00, 0x00)


# --- page, styles, header and footer ------------------------------------------------------


def _fonts(element: object, size: float | None = None) -> None:
    """Arial for Latin, East Asian and complex scripts (Arabic, Hebrew) alike."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    # Theme fonts (Calibri Light in headings) would win over the named font: drop them.
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(int(size * 2)))


def new_document(title: str) -> object:
    doc = Document()
    props = doc.core_properties
    props.author = "strat"
    props.title = title
    props.comments = ""
    props.subject = "Strategy discussion"
    props.keywords = ""
    props.last_modified_by = "strat"
    props.language = LANGUAGE
    _language(doc)

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)

    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    _fonts(normal.element, 11)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 20), ("Heading 1", 14), ("Heading 2", 12), ("Heading 3", 11)):
        st = styles[name]
        st.font.name = FONT
        st.font.size = Pt(size)
        st.font.color.rgb = NAVY
        _fonts(st.element, size)
        st.paragraph_format.space_before = Pt(12 if name != "Title" else 0)
        st.paragraph_format.space_after = Pt(4)
        st.paragraph_format.keep_with_next = True
    title_style = styles["Title"]
    # The default Title has a thick bottom border and a theme font; plain is closer to councils'.
    ppr = title_style.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:
        ppr.remove(border)
    for name in ("List Bullet",):
        st = styles[name]
        st.font.name = FONT
        _fonts(st.element, 11)

    _header_footer(section)
    return doc


def _language(doc: object) -> None:
    """British English everywhere Word looks for a language: the default run properties of
    styles.xml (and of stylesWithEffects.xml, which older Word reads) and the theme font
    language in settings.xml. Right-to-left text keeps its own (w:bidi)."""
    styles = doc.styles.element  # type: ignore[attr-defined]
    defaults = styles.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    theme = doc.settings.element.find(qn("w:themeFontLang"))  # type: ignore[attr-defined]
    if theme is not None:
        theme.set(qn("w:val"), LANGUAGE)
    for part in doc.part.package.iter_parts():  # type: ignore[attr-defined]
        if str(part.partname).endswith("/stylesWithEffects.xml"):
            part._blob = re.sub(
                rb'(<w:lang w:val=")[^"]*(" w:eastAsia=")[^"]*"',
                rb"\g<1>" + LANGUAGE.encode() + rb"\g<2>" + LANGUAGE.encode() + b'"',
                part.blob,
            )


def _field(paragraph: object, instruction: str, size: float) -> None:
    """A Word field (PAGE, NUMPAGES) built from field characters, as Word writes them."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("end", None)):
        run = paragraph.add_run()  # type: ignore[attr-defined]
        run.font.size = Pt(size)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        if kind == "separate":
            shown = paragraph.add_run("1")  # type: ignore[attr-defined]
            shown.font.size = Pt(size)


def _header_footer(section: object) -> None:
    header = section.header  # type: ignore[attr-defined]
    p = header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run("{{ marking }}")
    run.bold = True
    run.font.size = Pt(10)
    p2 = header.add_paragraph()
    p2.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    r2 = p2.add_run("{{ meeting.reference }}   {{ version_note }}")
    r2.font.size = Pt(8)
    r2.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    footer = section.footer  # type: ignore[attr-defined]
    f = footer.paragraphs[0]
    f.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = f.add_run("{{ document_title }}, {{ meeting.reference }}   Page ")
    r.font.size = Pt(8)
    _field(f, "PAGE", 8)
    r = f.add_run(" of ")
    r.font.size = Pt(8)
    _field(f, "NUMPAGES", 8)
    f2 = footer.add_paragraph()
    f2.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = f2.add_run("{{ marking }}")
    r.bold = True
    r.font.size = Pt(10)


# --- paragraphs -----------------------------------------------------------------------------


def para(doc: object, text: str = "", *, style: str | None = None, bold: bool = False) -> object:
    p = doc.add_paragraph(style=style)  # type: ignore[attr-defined]
    if text:
        run = p.add_run(text)
        if bold:
            run.bold = True
    return p


def tag(doc: object, text: str) -> None:
    """A paragraph that holds only a `{%p … %}` tag: docxtpl removes the paragraph itself."""
    doc.add_paragraph(text)  # type: ignore[attr-defined]


def heading(doc: object, text: str, level: int = 1) -> None:
    doc.add_heading(text, level=level)  # type: ignore[attr-defined]


def alert(doc: object, text: str) -> None:
    p = doc.add_paragraph()  # type: ignore[attr-defined]
    run = p.add_run(text)
    run.bold = True
    run.font.color.rgb = RED


# --- tables ---------------------------------------------------------------------------------


def _shade(cell: object, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _repeat_header(row: object) -> None:
    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _cant_split(row: object) -> None:
    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    trpr.append(OxmlElement("w:cantSplit"))


def _set_cell(cell: object, text: str, *, bold: bool = False, size: float = 10) -> None:
    p = cell.paragraphs[0]  # type: ignore[attr-defined]
    p.paragraph_format.space_after = Pt(0)
    if text:
        run = p.add_run(text)
        if bold:
            run.bold = True
        run.font.size = Pt(size)


def _table(doc: object, widths: Sequence[float], rows: int) -> Table:
    table: Table = doc.add_table(rows=rows, cols=len(widths))  # type: ignore[attr-defined]
    table.style = doc.styles["Table Grid"]  # type: ignore[attr-defined]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for i, w in enumerate(widths):
        table.columns[i].width = Cm(w)
        for cell in table.columns[i].cells:
            cell.width = Cm(w)
    return table


def fields_table(doc: object, rows: Sequence[tuple[str, str]], label_cm: float = 5.0) -> Table:
    """Label | value rows, e.g. 'Reference | {{ meeting.reference }}'. A row whose label starts
    with '{%tr' is a tag row (conditional rows)."""
    table = _table(doc, (label_cm, WIDTH_CM - label_cm), len(rows))
    for n, (row, (label, value)) in enumerate(zip(table.rows, rows, strict=True)):
        if label.startswith("{%tr"):
            _set_cell(row.cells[0], label)
            continue
        _cant_split(row)
        _set_cell(row.cells[0], label, bold=True)
        _shade(row.cells[0], LABEL_FILL)
        _set_cell(row.cells[1], value)
        if n < len(rows) - 1:  # a short table stays on one page, with its heading
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
    para(doc)
    return table


def loop_table(
    doc: object,
    loop: str,
    columns: Sequence[tuple[str, str, float]],
    *,
    size: float = 10,
) -> Table:
    """A header row repeated on every page, then one row per item: `{%tr for loop %}`."""
    widths = [w for _, _, w in columns]
    table = _table(doc, widths, 4)
    head, start, body, end = table.rows
    _repeat_header(head)
    _cant_split(head)
    for cell, (title, _, _) in zip(head.cells, columns, strict=True):
        _set_cell(cell, title, bold=True, size=size)
        _shade(cell, HEADER_FILL)
    _cant_split(body)
    _set_cell(start.cells[0], "{%tr for " + loop + " %}", size=size)
    for cell, (_, value, _) in zip(body.cells, columns, strict=True):
        _set_cell(cell, value, size=size)
    _set_cell(end.cells[0], "{%tr endfor %}", size=size)
    para(doc)
    return table


def if_none(doc: object, test: str, text: str) -> None:
    tag(doc, "{%p if not " + test + " %}")
    para(doc, text)
    tag(doc, "{%p endif %}")


def table_or_none(
    doc: object,
    test: str,
    none_text: str,
    loop: str,
    columns: Sequence[tuple[str, str, float]],
    *,
    size: float = 10,
) -> None:
    """A table with a row per item of `test`, or one line saying there are none."""
    if_none(doc, test, none_text)
    tag(doc, "{%p if " + test + " %}")
    loop_table(doc, loop, columns, size=size)
    tag(doc, "{%p endif %}")


# --- shared blocks --------------------------------------------------------------------------


def opening(doc: object, title: str) -> None:
    para(doc, title, style="Title")
    para(doc, "{{ agenda_name }}")
    tag(doc, "{%p if family %}")
    alert(doc, "{{ version_note }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if not authorisation.done %}")
    alert(doc, "{{ authorisation.text }}: these decisions await a social care manager's sign-off.")
    tag(doc, "{%p endif %}")


def meeting_table(doc: object) -> None:
    fields_table(
        doc,
        [
            ("Reference", "{{ meeting.reference }}"),
            ("Date", "{{ meeting.date }}"),
            ("Time", "{{ meeting.time }}"),
            ("Format", "{{ meeting.format }} ({{ meeting.type }} discussion)"),
            ("Chair", "{{ meeting.chair_line }}"),
            ("Minute taker", "{{ meeting.minute_taker }}"),
            ("Reason for the discussion", "{{ meeting.reason }}"),
            ("Referred by", "{{ meeting.referrer }}"),
            ("Concern identified", "{{ meeting.concern_identified }}"),
            ("What the concern is about", "{{ meeting.concerns }}"),
            ("Held after its timescale because", "{{ meeting.late_reason }}"),
            ("Invitations the procedure asks for", "{{ meeting.invites }}"),
            ("Professional challenge", "{{ meeting.challenge }}"),
            ("Earlier discussions", "{{ meeting.previous }}"),
        ],
    )


def warnings_block(doc: object) -> None:
    tag(doc, "{%p if warnings %}")
    heading(doc, "Please note", 2)
    tag(doc, "{%p for w in warnings %}")
    para(doc, "{{ w }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


def attendance_block(doc: object, full: bool) -> None:
    if full:
        loop_table(
            doc,
            "p in participants",
            [
                ("Name", "{{ p.name }}", 3.0),
                ("Role", "{{ p.role }}", 3.1),
                ("Agency", "{{ p.agency }}", 3.2),
                ("Took part", "{{ p.attendance }}", 2.4),
                ("Reason given", "{{ p.apologies }}", 2.9),
                ("Contributed", "{{ p.contributed }}", 2.4),
            ],
            size=9.5,
        )
    else:
        loop_table(
            doc,
            "p in participants",
            [
                ("Name", "{{ p.name }}", 3.6),
                ("Role", "{{ p.role }}", 4.0),
                ("Agency", "{{ p.agency }}", 4.2),
                ("Took part", "{{ p.attendance_reason }}", 5.2),
            ],
        )
    p = para(doc)
    r = p.add_run("Statutory partners ({{ partners.required }}): ")  # type: ignore[attr-defined]
    r.bold = True
    p.add_run("{{ partners.text }}")  # type: ignore[attr-defined]
    tag(doc, "{%p if not partners.ok %}")
    loop_table(
        doc,
        "g in partners.missing",
        [
            ("Partner not present", "{{ g.agency }}", 3.5),
            ("Reason", "{{ g.reason }}", 5.5),
            ("Escalation", "{{ g.escalation }}", 5.5),
            ("Proceeded", "{{ g.proceeded }}", 2.5),
        ],
    )
    tag(doc, "{%p endif %}")


def children_block(doc: object) -> None:
    """One row per child: what a decision-maker needs at a glance."""
    loop_table(
        doc,
        "c in children",
        [
            ("Ref", "{{ c.ref }}", 1.2),
            ("Name", "{{ c.name }}", 3.3),
            ("Born", "{{ c.born }}", 2.7),
            ("Concern", "{{ c.role }}", 3.0),
            ("School or setting", "{{ c.school }}", 3.4),
            ("Needs", "{{ c.needs }}", 3.4),
        ],
    )


def children_details(doc: object) -> None:
    """Everything recorded about each child, one table each (too much for one row)."""
    tag(doc, "{%p for c in children %}")
    heading(doc, "{{ c.name }} ({{ c.ref }})", 2)
    fields_table(
        doc,
        [
            ("Concern", "{{ c.role }}"),
            ("Born", "{{ c.born }}"),
            ("Gender", "{{ c.gender }}"),
            ("Ethnicity", "{{ c.ethnicity }}"),
            ("First language", "{{ c.language }}"),
            ("Disability or communication needs", "{{ c.communication_needs }}"),
            ("Interpreter", "{{ c.interpreter }}"),
            ("School or setting", "{{ c.school }}"),
            ("{%tr if c.circumstances %}", ""),
            ("Circumstances", "{{ c.circumstances }}"),
            ("{%tr endif %}", ""),
            ("Case-management reference", "{{ c.local_ref }}"),
            ("{%tr if not c.subject %}", ""),
            ("How they may be affected", "{{ c.considered }}"),
            ("{%tr endif %}", ""),
        ],
    )
    tag(doc, "{%p endfor %}")


def decisions_block(doc: object) -> None:
    if_none(doc, "decisions", "No decisions recorded.")
    tag(doc, "{%p for d in decisions %}")
    heading(doc, "{{ d.child }}: {{ d.outcome }}", 2)
    fields_table(
        doc,
        [
            ("Decision", "{{ d.outcome }}"),
            ("Rationale", "{{ d.rationale }}"),
            ("Medical examination", "{{ d.medical }}"),
            ("Parents with PR informed", "{{ d.parents_informed }}"),
            ("Legal advice", "{{ d.legal }}"),
            ("Child seen alone", "{{ d.seen_alone }}"),
            ("Interpreter", "{{ d.interpreter }}"),
            ("Police agreement (NFA)", "{{ d.police_agreement }}"),
        ],
    )
    tag(doc, "{%p endfor %}")


def risk_block(doc: object) -> None:
    fields_table(
        doc,
        [
            ("Level of risk", "{{ risk.level }}"),
            ("Assessment of risk and urgency", "{{ risk.summary }}"),
            ("Immediate safety", "{{ risk.immediate_safety }}"),
        ],
    )


def disagreements_table(doc: object) -> None:
    loop_table(
        doc,
        "g in disagreements",
        [
            ("Raised by", "{{ g.raised_by }}", 3.2),
            ("About", "{{ g.about }}", 5.0),
            ("Resolution", "{{ g.resolution }}", 5.0),
            ("Escalation", "{{ g.escalation }}", 3.8),
        ],
    )


def review_block(doc: object) -> None:
    fields_table(
        doc,
        [
            ("How actions will be reviewed", "{{ review.mechanism }}"),
            ("Next discussion", "{{ review.next_discussion }}"),
        ],
    )


def authorisation_block(doc: object) -> None:
    heading(doc, "Authorisation")
    tag(doc, "{%p if authorisation.done %}")
    fields_table(
        doc,
        [
            ("Authorised by", "{{ authorisation.by }}"),
            ("Role", "{{ authorisation.role }}"),
            ("Date", "{{ authorisation.at }}"),
            ("{%tr if authorisation.override_reason %}", ""),
            ("Authorised despite open issues", "{{ authorisation.override_reason }}"),
            ("{%tr endif %}", ""),
        ],
    )
    tag(doc, "{%p else %}")
    p = para(doc)
    run = p.add_run("{{ authorisation.text }}")  # type: ignore[attr-defined]
    run.bold = True
    run.font.size = Pt(16)
    run.font.color.rgb = RED
    para(doc, "To be authorised by a children's social care manager (name, role, date).")
    tag(doc, "{%p endif %}")


# --- the three documents --------------------------------------------------------------------


def decision_sheet() -> object:
    doc = new_document("Strategy Discussion Decision Sheet")
    opening(doc, "Strategy Discussion Decision Sheet")
    heading(doc, "The discussion")
    meeting_table(doc)
    heading(doc, "Children")
    children_block(doc)
    heading(doc, "Attendance")
    attendance_block(doc, full=False)
    heading(doc, "Risk")
    risk_block(doc)
    heading(doc, "Decisions")
    decisions_block(doc)
    tag(doc, "{%p if icpc.due %}")
    heading(doc, "Initial Child Protection Conference")
    para(doc, "{{ icpc.text }}")
    tag(doc, "{%p endif %}")
    heading(doc, "Immediate actions (due within 24 hours)")
    table_or_none(
        doc,
        "immediate_actions",
        "No actions due within 24 hours.",
        "a in immediate_actions",
        [
            ("No", "{{ a.number }}", 1.2),
            ("Action", "{{ a.what }}", 7.0),
            ("Owner", "{{ a.owner_agency }}", 5.0),
            ("Due", "{{ a.due }}", 3.8),
        ],
    )
    tag(doc, "{%p if disagreements %}")
    heading(doc, "Disagreements and escalation")
    disagreements_table(doc)
    tag(doc, "{%p endif %}")
    heading(doc, "Review and next discussion")
    review_block(doc)
    warnings_block(doc)
    authorisation_block(doc)
    return doc


def minutes() -> object:
    doc = new_document("Strategy Discussion Minutes")
    opening(doc, "Strategy Discussion Minutes")
    heading(doc, "The discussion")
    meeting_table(doc)

    heading(doc, "Participants")
    attendance_block(doc, full=True)

    heading(doc, "Children and adults")
    children_details(doc)
    tag(doc, "{%p if adults %}")
    heading(doc, "Adults", 2)
    adult_columns = [
        ("Ref", "{{ ad.ref }}", 1.3),
        ("Name", "{{ ad.name }}", 3.3),
        ("Relationship", "{{ ad.relationship }}", 3.2),
        ("Details", "{{ ad.details }}", 5.2),
    ]
    tag(doc, "{%p if family %}")  # risk to staff is withheld: no empty column for it
    loop_table(doc, "ad in adults", [*adult_columns[:3], ("Details", "{{ ad.details }}", 9.2)])
    tag(doc, "{%p else %}")
    loop_table(
        doc, "ad in adults", [*adult_columns, ("Risk to staff", "{{ ad.risk_to_staff }}", 4.0)]
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")

    heading(doc, "Information shared by agency")
    if_none(doc, "information", "No information recorded.")
    tag(doc, "{%p for g in information_by_agency %}")
    heading(doc, "{{ g.agency }}", 2)
    loop_table(
        doc,
        "i in g.entries",
        [
            ("Shared by", "{{ i.by }}", 3.5),
            ("Information", "{{ i.summary }}", 10.5),
            ("Notes", "{{ i.flags }}", 3.0),
        ],
    )
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if information_withheld %}")
    para(doc, "Information an agency marked as not for the family is left out of this version.")
    tag(doc, "{%p endif %}")

    heading(doc, "Discussion by agenda item")
    tag(doc, "{%p for item in agenda_items %}")
    heading(doc, "Item {{ item.number }}: {{ item.title }}", 2)
    para(doc, "{{ item.notes }}")
    tag(doc, "{%p endfor %}")

    heading(doc, "Risk and the child's voice")
    risk_block(doc)
    table_or_none(
        doc,
        "voices",
        "The child's voice was not recorded.",
        "v in voices",
        [("Child", "{{ v.child }}", 4.5), ("Voice and lived experience", "{{ v.voice }}", 12.5)],
    )

    heading(doc, "Decisions")
    decisions_block(doc)

    tag(doc, "{%p if reviewed_actions %}")
    heading(doc, "Actions from earlier discussions")
    loop_table(
        doc,
        "r in reviewed_actions",
        [
            ("Action", "{{ r.ref }}", 3.4),
            ("What", "{{ r.what }}", 5.2),
            ("Owner", "{{ r.owner }}", 2.8),
            ("Reviewed", "{{ r.outcome }}", 2.3),
            ("Note", "{{ r.note }}", 3.3),
        ],
        size=9.5,
    )
    tag(doc, "{%p endif %}")

    heading(doc, "Actions")
    table_or_none(
        doc,
        "actions",
        "No actions recorded.",
        "a in actions",
        [
            ("No", "{{ a.number }}", 1.3),
            ("Action", "{{ a.what }} {{ a.kind }}", 5.0),
            ("Owner", "{{ a.owner }}", 2.7),
            ("Agency", "{{ a.agency }}", 2.8),
            ("Due", "{{ a.due }}", 2.4),
            ("Child", "{{ a.child }}", 2.8),
        ],
        size=9.5,
    )

    heading(doc, "Contingency plans")
    tag(doc, "{%p if not contingency_actions and not contingency_plans %}")
    para(doc, "No contingency plans recorded.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for a in contingency_actions %}")
    para(
        doc,
        "{{ a.number }}: {{ a.what }} ({{ a.owner_agency }}, by {{ a.due }})",
        style="List Bullet",
    )
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for c in contingency_plans %}")
    para(
        doc,
        "If consent to a medical is refused for {{ c.child }}: {{ c.plan }}",
        style="List Bullet",
    )
    tag(doc, "{%p endfor %}")

    heading(doc, "Disagreements and escalation")
    if_none(doc, "disagreements", "No disagreements recorded.")
    tag(doc, "{%p if disagreements %}")
    disagreements_table(doc)
    tag(doc, "{%p endif %}")

    heading(doc, "What is shared with the family")
    fields_table(
        doc,
        [
            ("Shared, and by whom", "{{ family_sharing.shared }}"),
            ("{%tr if not family %}", ""),
            ("Withheld", "{{ family_sharing.withheld }}"),
            ("Why withheld", "{{ family_sharing.withheld_reason }}"),
            ("{%tr endif %}", ""),
        ],
    )

    heading(doc, "Review and next discussion")
    review_block(doc)

    heading(doc, "Deadlines")
    loop_table(
        doc,
        "r in deadlines",
        [("Deadline", "{{ r.label }}", 10.5), ("Due", "{{ r.due }}", 6.5)],
    )

    tag(doc, "{%p if not family %}")
    heading(doc, "Circulation")
    para(doc, "{{ circulation.text }}")
    tag(doc, "{%p if circulation.done %}")
    loop_table(
        doc,
        "c in circulation.entries",
        [
            ("When", "{{ c.at }}", 2.8),
            ("How", "{{ c.how }}", 2.4),
            ("To", "{{ c.to }}", 7.0),
            ("Documents", "{{ c.documents }}", 4.8),
        ],
        size=9,
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")

    heading(doc, "Amendments")
    table_or_none(
        doc,
        "amendments",
        "None.",
        "x in amendments",
        [
            ("When", "{{ x.at }}", 3.5),
            ("By", "{{ x.by }}", 3.5),
            ("Amendment", "{{ x.text }}", 10.0),
        ],
    )

    warnings_block(doc)
    authorisation_block(doc)
    return doc


def summary() -> object:
    doc = new_document("Strategy Discussion Action Summary")
    opening(doc, "Action Summary")
    fields_table(
        doc,
        [
            ("Reference", "{{ meeting.reference }}"),
            ("Date and time", "{{ meeting.date }}, {{ meeting.time }}"),
            ("Chair", "{{ meeting.chair_line }}"),
            ("Minute taker", "{{ meeting.minute_taker }}"),
            ("Children", "{{ children_line }}"),
        ],
    )
    heading(doc, "Actions, by due time")
    table_or_none(
        doc,
        "actions",
        "No actions recorded.",
        "a in actions",
        [
            ("Due", "{{ a.due }}", 2.6),
            ("No", "{{ a.number }}", 1.3),
            ("Action", "{{ a.what }} {{ a.kind }}", 5.9),
            ("Owner", "{{ a.owner_agency }}", 4.2),
            ("Child", "{{ a.child }}", 3.0),
        ],
        size=9.5,
    )
    heading(doc, "Decisions")
    if_none(doc, "decisions", "No decisions recorded.")
    tag(doc, "{%p for d in decisions %}")
    para(doc, "{{ d.line }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    heading(doc, "Next deadlines")
    loop_table(
        doc,
        "r in next_deadlines",
        [("Deadline", "{{ r.label }}", 10.5), ("Due", "{{ r.due }}", 6.5)],
    )
    warnings_block(doc)
    return doc


BUILDERS = {"decision-sheet": decision_sheet, "minutes": minutes, "summary": summary}


def build(out: Path = HERE) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, builder in BUILDERS.items():
        path = out / f"{name}.docx"
        builder().save(str(path))  # type: ignore[attr-defined]
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written)
