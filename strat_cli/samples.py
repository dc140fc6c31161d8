"""Fictional meetings for the examples, the tests and the benchmarks.

Every name, place and case here is invented. `typical()` is an ordinary discussion about two
siblings; `large()` is a stress case (40 participants, 6 children, 150 actions).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .model import (
    LONDON,
    Action,
    Adult,
    AgencyKind,
    Attendance,
    Child,
    Concern,
    Decision,
    Disagreement,
    FamilySharing,
    InformationShared,
    Informing,
    InviteNote,
    Medical,
    Meeting,
    MeetingFormat,
    Outcome,
    Participant,
    Progress,
    Risk,
    RiskLevel,
    Status,
    YesNo,
)

START = datetime(2026, 11, 19, 10, 0, tzinfo=LONDON)


def _people() -> list[Participant]:
    rows = [
        (
            "Dana Okafor",
            "Team Manager, MASH",
            "Northshire Children's Social Care",
            AgencyKind.social_care,
            Attendance.remote,
            True,
            False,
        ),
        (
            "Sam Whitlow",
            "Social Worker",
            "Northshire Children's Social Care",
            AgencyKind.social_care,
            Attendance.remote,
            False,
            False,
        ),
        (
            "DS Priya Lamb",
            "Detective Sergeant, CAIU",
            "Northshire Police",
            AgencyKind.police,
            Attendance.remote,
            False,
            False,
        ),
        (
            "Dr Owen Hartley",
            "Named Doctor for Safeguarding",
            "Northshire NHS Trust",
            AgencyKind.health,
            Attendance.remote,
            False,
            False,
        ),
        (
            "Jo Castell",
            "Health Visitor",
            "Northshire Community Health",
            AgencyKind.health,
            Attendance.report_sent,
            False,
            False,
        ),
        (
            "Leah Brennan",
            "Designated Safeguarding Lead",
            "Elmfield Primary School",
            AgencyKind.education,
            Attendance.in_person,
            False,
            False,
        ),
        (
            "Tom Aske",
            "Business Support Officer",
            "Northshire Children's Social Care",
            AgencyKind.social_care,
            Attendance.in_person,
            False,
            True,
        ),
        (
            "Rita Mensah",
            "Independent Domestic Violence Adviser",
            "Northshire IDVA Service",
            AgencyKind.voluntary,
            Attendance.apologies,
            False,
            False,
        ),
    ]
    out = []
    for n, (name, role, agency, kind, how, chair, minutes) in enumerate(rows, start=1):
        out.append(
            Participant(
                id=f"P{n}",
                name=name,
                role=role,
                agency=agency,
                agency_kind=kind,
                email=f"{name.split()[-1].lower()}@{kind.value.replace(' ', '')}.northshire.example",
                phone=f"01632 960{n:03d}",
                attendance=how,
                apology_reason="On leave; IDVA notes sent to the social worker"
                if how == Attendance.apologies
                else "",
                contributed=how in (Attendance.remote, Attendance.in_person, Attendance.report_sent)
                and not minutes,
                is_chair=chair,
                is_minute_taker=minutes,
            )
        )
    return out


def typical(meeting_id: str = "SD-2026-0001", agenda: str = "national") -> Meeting:
    """Two siblings after a disclosure at school: an s47 joint enquiry and an s17 assessment."""
    t = START
    m = Meeting(
        id=meeting_id,
        agenda=agenda,
        format=MeetingFormat.video,
        status=Status.ended,
        started_at=t,
        ended_at=t + timedelta(minutes=55),
        concern_identified_at=t - timedelta(hours=3),
        reason=(
            "Mia (7) told her class teacher this morning that her mother's partner hit her with a "
            "belt last night; a bruise was seen on her upper arm."
        ),
        referrer="Elmfield Primary School",
        concerns=[Concern.physical_injury, Concern.domestic_abuse],
        challenge=(
            "The paediatrician challenged the view that the younger child needs no medical; "
            "agreed to review after the health visitor sees him."
        ),
        invites=[
            InviteNote(when="medical_possible", invited=True, who="Dr Owen Hartley, paediatrician"),
            InviteNote(when="adult_issues", reason="No adult services involved with the family"),
        ],
        chair="Dana Okafor",
        chair_role="Team Manager, MASH",
        minute_taker="Tom Aske",
        children=[
            Child(
                id="C1",
                name="Mia Fenwick",
                date_of_birth=datetime(2019, 3, 14).date(),
                gender="female",
                ethnicity="White British",
                language="English",
                school="Elmfield Primary School",
                voice="Mia told her teacher she is 'scared to go home when Kyle is cross' and asked "
                "if her brother would be in trouble.",
            ),
            Child(
                id="C2",
                name="Leo Fenwick",
                date_of_birth=datetime(2023, 8, 2).date(),
                gender="male",
                school="Little Acorns Nursery",
                voice="Too young to give a view; the health visitor describes him as quiet and watchful.",
            ),
            Child(
                id="C3",
                name="Ava Quinlan",
                subject=False,
                date_of_birth=datetime(2015, 1, 9).date(),
                considered="Kyle's daughter, who stays every other weekend",
            ),
        ],
        adults=[
            Adult(
                id="AD1",
                name="Karen Fenwick",
                relationship="Mother",
                parental_responsibility=True,
                household_member=True,
                informed=Informing.told,
                informed_at=t + timedelta(hours=4),
                informed_by="Sam Whitlow",
            ),
            Adult(
                id="AD2",
                name="Kyle Quinlan",
                relationship="Mother's partner",
                household_member=True,
                alleged_perpetrator=True,
                risk_to_staff=True,
                risk_to_staff_detail="Threatened a housing officer in 2024",
            ),
            Adult(
                id="AD3",
                name="Gary Fenwick",
                relationship="Father (lives in Southvale)",
                parental_responsibility=True,
                informed=Informing.later,
                informed_at=t + timedelta(days=1),
                informed_by="Sam Whitlow",
                informed_reason="After the police have spoken to the household",
            ),
        ],
        participants=_people(),
        information=[
            InformationShared(
                id="I1",
                participant_id="P6",
                by="Leah Brennan",
                agency="Elmfield Primary School",
                summary="Disclosure at 08:50 today; 4 cm bruise on left upper arm, photographed "
                "per policy. Attendance 91%, two late marks this month.",
            ),
            InformationShared(
                id="I2",
                participant_id="P3",
                by="DS Priya Lamb",
                agency="Northshire Police",
                summary="Kyle Quinlan: two domestic abuse call-outs at a previous address "
                "(2023, 2024), no charges. No warning markers for the mother.",
                historical=True,
                shareable_with_family=False,
            ),
            InformationShared(
                id="I3",
                participant_id="P4",
                by="Dr Owen Hartley",
                agency="Northshire NHS Trust",
                summary="No previous attendances for injuries. Leo is up to date with "
                "immunisations; missed his 2-year review.",
            ),
            InformationShared(
                id="I4",
                participant_id="P5",
                by="Jo Castell (report)",
                agency="Northshire Community Health",
                summary="Home visit in September: home cramped but adequate; mother "
                "appeared anxious when partner present.",
                historical=True,
            ),
        ],
        notes={
            "reason": "Concern confirmed as above. Threshold for a strategy discussion met.",
            "criminal_investigation": "Police to lead a joint investigation; ABE interview for Mia to be "
            "planned for tomorrow at the suite.",
            "immediate_safety": "Mia and Leo to stay with maternal grandmother, Mrs Jean Ross, tonight, "
            "with the mother's agreement. Kyle not to have contact pending police "
            "enquiries.",
            "legal": "No legal advice needed at this stage; review if the mother withdraws agreement.",
            "staff_safety": "Joint visits only, given Kyle's history towards professionals.",
        },
        risk=Risk(
            level=RiskLevel.high,
            summary="Physical harm from an adult in the household, with a pattern of domestic "
            "abuse. Risk to Leo by association.",
            immediate_safety="Safety plan with the grandmother tonight.",
        ),
        decisions=[
            Decision(
                id="D1",
                child_id="C1",
                outcome=Outcome.s47_joint,
                rationale="Disclosure corroborated by a visible injury and a history of domestic "
                "abuse: reasonable cause to suspect significant harm; a crime may have "
                "been committed.",
                medical=Medical(
                    needed=YesNo.yes,
                    reason="To document the injury and check for others",
                    by="Dr Hartley, paediatric clinic, tomorrow 09:30",
                    contingency="If the mother refuses consent, the chair will seek legal "
                    "advice the same day.",
                ),
                parents_informed=YesNo.yes,
                legal_advice=YesNo.no,
                seen_alone="Sam Whitlow and DS Lamb today at school, before she goes home",
                police_agreement=None,
            ),
            Decision(
                id="D2",
                child_id="C2",
                outcome=Outcome.s47_single,
                rationale="Same household as the alleged perpetrator and too young to speak for "
                "himself.",
                medical=Medical(
                    needed=YesNo.no,
                    reason="No injury or concern seen; health visitor saw him last week.",
                ),
                parents_informed=YesNo.yes,
                legal_advice=YesNo.no,
                seen_alone="Seen with grandmother by Sam Whitlow today",
            ),
            Decision(
                id="D3",
                child_id="C3",
                outcome=Outcome.s17,
                rationale="Stays with her father at weekends; no direct concern but his behaviour "
                "needs assessing for her too.",
                parents_informed=YesNo.no,
                parents_not_informed_reason="Telling her mother now could alert Kyle before the "
                "police interview.",
                medical=Medical(needed=YesNo.no, reason="No concern for her health."),
                legal_advice=YesNo.no,
            ),
        ],
        actions=[
            Action(
                id="A1",
                what="Visit Mia at school with the police and see her alone",
                owner="Sam Whitlow",
                owner_participant_id="P2",
                agency="Northshire Children's Social Care",
                due=t + timedelta(hours=5),
                due_rule="today 15:00",
                child_ids=["C1"],
            ),
            Action(
                id="A2",
                what="Arrange the child protection medical for Mia",
                owner="Dr Owen Hartley",
                owner_participant_id="P4",
                agency="Northshire NHS Trust",
                due=t + timedelta(days=1, hours=-0.5),
                due_rule="tomorrow 09:30",
                child_ids=["C1"],
            ),
            Action(
                id="A3",
                what="Plan and hold the ABE interview with Mia",
                owner="DS Priya Lamb",
                owner_participant_id="P3",
                agency="Northshire Police",
                due=t + timedelta(days=1, hours=4),
                due_rule="tomorrow 14:00",
                child_ids=["C1"],
            ),
            Action(
                id="A4",
                what="Agree a written safety plan with the grandmother",
                owner="Sam Whitlow",
                owner_participant_id="P2",
                agency="Northshire Children's Social Care",
                due=t + timedelta(hours=8),
                due_rule="today 18:00",
                child_ids=["C1", "C2"],
            ),
            Action(
                id="A5",
                what="If the mother withdraws agreement, seek legal advice at once",
                owner="Dana Okafor",
                owner_participant_id="P1",
                agency="Northshire Children's Social Care",
                due=t + timedelta(hours=10),
                due_rule="today 20:00",
                contingency=True,
                child_ids=["C1", "C2"],
            ),
            Action(
                id="A6",
                what="Share school attendance and welfare records with the social worker",
                owner="Leah Brennan",
                owner_participant_id="P6",
                agency="Elmfield Primary School",
                due=t + timedelta(days=4),
                due_rule="2 working days",
            ),
            Action(
                id="A7",
                what="Check with Southvale Children's Services for any history",
                owner="Sam Whitlow",
                owner_participant_id="P2",
                agency="Northshire Children's Social Care",
                due=t + timedelta(days=1, hours=7),
                due_rule="tomorrow 17:00",
                child_ids=["C3"],
            ),
        ],
        disagreements=[
            Disagreement(
                id="G1",
                raised_by="Dr Owen Hartley",
                about="Whether Leo should also have a medical examination",
                resolution="Agreed to review after the health visitor sees him on Monday.",
            )
        ],
        family=FamilySharing(
            shared="The mother will be told of the s47 enquiry and the medical by Sam Whitlow today.",
            withheld="Police history of the partner",
            withheld_reason="Sharing it now could prejudice the criminal investigation.",
        ),
        review_mechanism="The social worker reports progress on every action to the chair by email "
        "by 17:00 tomorrow; the chair follows up any that are late.",
        next_discussion=t + timedelta(days=6),
        progress=Progress(attendance_taken=True),
    )
    m.progress.done = [
        "introductions",
        "reason",
        "information",
        "child_voice",
        "risk",
        "other_children",
        "decisions",
        "criminal_investigation",
        "immediate_safety",
        "family",
        "legal",
        "staff_safety",
        "actions",
        "disagreements",
        "review",
    ]
    m.log("created", "from the typical example", at=t)
    m.log("ended", at=m.ended_at)
    return m


AGENCIES = [
    ("Northshire Children's Social Care", AgencyKind.social_care),
    ("Northshire Police", AgencyKind.police),
    ("Northshire NHS Trust", AgencyKind.health),
    ("Elmfield Academy Trust", AgencyKind.education),
    ("Northshire Adult Services", AgencyKind.adult_services),
    ("Northshire Youth Justice Service", AgencyKind.youth_justice),
    ("Northshire Housing", AgencyKind.housing),
    ("Southvale Children's Services", AgencyKind.other_area),
]
FIRST = [
    "Alex",
    "Bea",
    "Cal",
    "Dee",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ian",
    "Jas",
    "Kit",
    "Lou",
    "Max",
    "Nia",
    "Oli",
    "Pat",
    "Quin",
    "Ros",
    "Sol",
    "Tia",
]
LAST = ["Abbot", "Birch", "Crane", "Dale", "Eames", "Frost", "Grove", "Hale", "Irwin", "Joyce"]


def large(meeting_id: str = "SD-2026-0002", agenda: str = "national") -> Meeting:
    """A stress case: a large sibling group and extended family, many agencies, 150 actions."""
    m = typical(meeting_id, agenda)
    m.reason = (
        "Concerns about neglect and exploitation across a sibling group of six in two households."
    )
    m.participants = []
    for n in range(40):
        agency, kind = AGENCIES[n % len(AGENCIES)]
        name = f"{FIRST[n % len(FIRST)]} {LAST[(n // 2) % len(LAST)]}-{n + 1}"
        m.participants.append(
            Participant(
                id=f"P{n + 1}",
                name=name,
                role="Practitioner",
                agency=agency,
                agency_kind=kind,
                email=f"p{n + 1}@{kind.name}.northshire.example",
                attendance=[
                    Attendance.remote,
                    Attendance.in_person,
                    Attendance.apologies,
                    Attendance.report_sent,
                ][n % 4]
                if n > 3
                else Attendance.remote,
                apology_reason="In court" if n > 3 and n % 4 == 2 else "",
                contributed=n % 3 != 0,
                is_chair=n == 0,
            )
        )
    m.children = [
        Child(
            id=f"C{n + 1}",
            name=f"{FIRST[n + 3]} Fenwick",
            date_of_birth=datetime(2010 + n * 2, 5, n + 1).date(),
            school="Elmfield Academy",
            voice=f"Child {n + 1}'s wishes recorded by the school.",
        )
        for n in range(6)
    ]
    m.decisions = [
        Decision(
            id=f"D{n + 1}",
            child_id=f"C{n + 1}",
            outcome=[Outcome.s47_joint, Outcome.s47_single, Outcome.s17][n % 3],
            rationale=f"Rationale for child {n + 1}: neglect indicators and exploitation risk.",
            medical=Medical(needed=YesNo.no, reason="No physical injury reported."),
            parents_informed=YesNo.yes,
            legal_advice=YesNo.no,
        )
        for n in range(6)
    ]
    m.information = [
        InformationShared(
            id=f"I{n + 1}",
            participant_id=f"P{n + 1}",
            by=m.participants[n].name,
            agency=m.participants[n].agency,
            summary=f"Agency information item {n + 1}: contact history, concerns and current "
            "involvement with the family over the last two years.",
            historical=n % 2 == 0,
        )
        for n in range(40)
    ]
    m.actions = [
        Action(
            id=f"A{n + 1}",
            what=f"Action {n + 1}: complete the agreed check and report back to the chair",
            owner=m.participants[n % 40].name,
            owner_participant_id=f"P{n % 40 + 1}",
            agency=m.participants[n % 40].agency,
            due=START + timedelta(hours=2 + n * 3),
            due_rule="",
            contingency=n % 25 == 0,
            child_ids=[f"C{n % 6 + 1}"],
        )
        for n in range(150)
    ]
    return m
