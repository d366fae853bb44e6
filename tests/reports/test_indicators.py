"""The region's indicators for 2025 against a small hand-computed data set, and their CSV and
XLSX files.

| org | kind  | membership                         | 2025 activity                          |
|-----|-------|------------------------------------|----------------------------------------|
| M1  | sme   | 2025-02-01 → 2026-02-01 (new)      | applied 01-10, approved in 10 days;    |
|     |       |                                    | meeting held 06-01; trained; intro;    |
|     |       |                                    | confirmed deal 1 000 000 (03-05)       |
| M2  | sme   | 2024-05-01 → 2026-05-01            | trained 09-01; past scheduled meeting; |
|     |       |                                    | confirmed deal 2 500 000 (12-31)       |
| M3  | large | 2025-03-01 → 2026-03-01 (new)      | a cancelled meeting, a reported deal   |
| L1  | sme   | 2024-01-01 → 2025-01-15 (lapsed)   | an introduction, accepted              |
| R1  | sme   | 2024-06-01 → 2026-06-01, revoked   |                                        |
|     |       | on 2025-07-01                      |                                        |
| X   | sme   | none                               | applied 04-01, rejected in 20 days;    |
|     |       |                                    | absent from training; no-show meeting |
| Y   | sme   | none                               | applied 05-01, under review; waitlisted|

Members on 2025-12-31: M1, M2, M3 (3; 2 of them SME: 66.7 %). New: M1, M3. Left: L1, R1.
Active (a member that used a service): M1, M2. Applications: 3; approval 1 of 2 = 50 %;
median decision 15 days. Training participants: M1's and M2's founders (X's was absent, Y's
waitlisted). Certificates: 1 (another revoked, another from 2024). Meetings held: 2 (M1's,
M2's past scheduled one). Pitch day meetings: 2 (a published 2025 pitch day; an unpublished one
has 1 more). Deals: 2 confirmed, 3 500 000 RUB. Introductions requested: 2 (L1's, M1's; M2's
was in 2024); accepted: 1. Success stories published in 2025: 2 (one of L1's introduction,
one of M1's 2025 deal; another of the introduction was published in 2024, a third and a story of
M2's deal are drafts). Mentoring sessions held in 2025: 2 (M1's mentor logged 03-10 and 12-31;
one on 2024-12-31 and one on 2026-01-01 fall outside).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from app.accounts.models import OrganisationKind, Role
from app.deals.models import Deal, DealSource, DealStatus, Instrument
from app.introductions.models import IntroductionStatus, OutcomeKind, SuccessStory
from app.introductions.models import Outcome as IntroductionOutcome
from app.meetings.models import MeetingStatus, PitchDay, PitchMeeting, RequestStatus
from app.membership.models import ApplicationStatus, Membership, MembershipStatus
from app.mentoring.models import MentoringSession, Mentorship
from app.training.models import Certificate, Course
from tests.reports.helpers import NSO, _Builder, at

EXPECTED = {
    "members_total": 3,
    "members_sme_share": 66.7,
    "new_members": 2,
    "members_left": 2,
    "active_members": 2,
    "applications": 3,
    "approval_rate": 50.0,
    "median_days_to_decision": 15.0,
    "training_participants": 2,
    "certificates": 1,
    "investor_meetings": 2,
    "pitch_day_meetings": 2,
    "deals": 2,
    "investment_rub": 3_500_000,
    "introductions": 2,
    "introductions_accepted": 1,
    "success_stories": 2,
    # Held events and their participants: tests/events/test_indicators.py.
    "events": 0,
    "event_participants": 0,
    "mentoring_sessions": 2,
}
URL = "/api/v1/reports/indicators"


def build_year(database) -> None:
    with database.session_scope() as session:
        b = _Builder(session)
        orgs = {
            key: b.organisation(key, NSO, "software", kind)
            for key, kind in (
                ("M1", OrganisationKind.sme),
                ("M2", OrganisationKind.sme),
                ("M3", OrganisationKind.large),
                ("L1", OrganisationKind.sme),
                ("R1", OrganisationKind.sme),
                ("X", OrganisationKind.sme),
                ("Y", OrganisationKind.sme),
            )
        }
        org = {key: value[0] for key, value in orgs.items()}
        founder = {key: value[1] for key, value in orgs.items()}
        for key, starts, expires, status, changed in (
            ("M1", "2025-02-01", "2026-02-01", MembershipStatus.active, None),
            ("M2", "2024-05-01", "2026-05-01", MembershipStatus.active, None),
            ("M3", "2025-03-01", "2026-03-01", MembershipStatus.active, None),
            ("L1", "2024-01-01", "2025-01-15", MembershipStatus.active, None),
            ("R1", "2024-06-01", "2026-06-01", MembershipStatus.revoked, "2025-07-01"),
        ):
            b.add(
                Membership(
                    organisation_id=org[key].id,
                    number=f"CL-IND-{org[key].id}",
                    verify_code=f"indicators-{org[key].id}",
                    starts_on=date.fromisoformat(starts),
                    expires_on=date.fromisoformat(expires),
                    status=status,
                    status_changed_at=at(changed) if changed else None,
                )
            )

        b.application(org["M1"], ApplicationStatus.approved, "2025-01-10", "2025-01-20")
        b.application(org["M2"], ApplicationStatus.approved, "2024-04-01", "2024-04-05")
        b.application(org["X"], ApplicationStatus.rejected, "2025-04-01", "2025-04-21")
        b.application(org["Y"], ApplicationStatus.under_review, "2025-05-01")

        course = b.add(Course(title="Investor readiness", description=""))
        s2024 = b.session_of(course, at("2024-11-01"), capacity=5)
        s2025 = b.session_of(course, at("2025-09-01"), capacity=5)
        b.enrol(s2024, founder["L1"], 1)
        b.enrol(s2025, founder["M2"], 1)
        b.enrol(s2025, founder["M1"], 2, attended=True)
        b.enrol(s2025, founder["X"], 3, attended=False)
        b.enrol(s2025, founder["Y"], None)
        for n, (person, issued, revoked) in enumerate(
            (
                (founder["M2"], "2025-09-02", None),
                (founder["X"], "2025-09-02", "2025-09-10"),
                (founder["L1"], "2024-12-01", None),
            )
        ):
            b.add(
                Certificate(
                    course_id=course.id,
                    user_id=person.id,
                    year=2025,
                    sequence=900 + n,
                    number=f"BP-IND-{course.id}-{n}",
                    verify_code=f"ind-{course.id}-{n}",
                    issued_at=at(issued),
                    revoked_at=at(revoked) if revoked else None,
                )
            )

        investor = b.user("Investor", Role.investor)
        request = b.request(org["M1"], investor, RequestStatus.accepted, "2025-05-20")
        b.meeting(org["M1"], investor, "2025-06-01", MeetingStatus.completed, request)
        b.meeting(org["M2"], investor, "2025-07-01", MeetingStatus.scheduled)
        b.meeting(org["M3"], investor, "2025-08-01", MeetingStatus.cancelled)
        b.meeting(org["X"], investor, "2025-08-02", MeetingStatus.completed, no_show="investor")
        b.meeting(org["M1"], investor, "2024-10-01", MeetingStatus.completed)

        for day, published in ((date(2025, 10, 10), True), (date(2025, 11, 11), False)):
            pitch_day = b.add(
                PitchDay(
                    date=day,
                    slot_starts=["10:00", "10:30"],
                    slot_minutes=30,
                    tables=2,
                    published_at=at("2025-10-01") if published else None,
                )
            )
            pairs = [("M1", "M2"), ("M2", "M3")] if published else [("M1", "M3")]
            for slot, (first, second) in enumerate(pairs):
                b.add(
                    PitchMeeting(
                        pitch_day_id=pitch_day.id,
                        first_organisation_id=org[first].id,
                        second_organisation_id=org[second].id,
                        slot=slot,
                        table_number=1,
                    )
                )

        deals = {}
        for key, amount, closed, status in (
            ("M1", 1_000_000, "2025-03-05", DealStatus.confirmed),
            ("M2", 2_500_000, "2025-12-31", DealStatus.confirmed),
            ("M3", 9_000_000, "2025-05-05", DealStatus.reported),
            ("M1", 4_000_000, "2024-12-30", DealStatus.confirmed),
        ):
            deals.setdefault(
                key,
                b.add(
                    Deal(
                        organisation_id=org[key].id,
                        amount_rub=amount,
                        instrument=Instrument.equity,
                        closed_on=date.fromisoformat(closed),
                        investor_name="Fund",
                        source=DealSource.external,
                        status=status,
                    )
                ),
            )
        for key, published in (("M1", at("2025-06-01")), ("M2", None)):
            deals[key].story = b.add(
                SuccessStory(
                    member_organisation_id=org[key].id,
                    title_ru="Раунд",
                    title_en="Round",
                    body_ru="Текст",
                    body_en="Text",
                    member_consent_at=published,
                    published_at=published,
                )
            )

        mentor = b.user("Mentor", Role.mentor)
        mentorship = b.add(Mentorship(organisation_id=org["M1"].id, mentor_id=mentor.id))
        for held in ("2024-12-31", "2025-03-10", "2025-12-31", "2026-01-01"):
            b.add(
                MentoringSession(
                    mentorship_id=mentorship.id, held_on=date.fromisoformat(held), minutes=60
                )
            )

        partner, _ = b.organisation("Partner", NSO, "manufacturing", OrganisationKind.large)
        accepted = b.introduction(org["L1"], partner, IntroductionStatus.accepted, "2025-03-01")
        b.introduction(org["M1"], partner, IntroductionStatus.forwarded, "2025-04-01")
        b.introduction(org["M2"], partner, IntroductionStatus.accepted, "2024-12-20")
        for published in (at("2025-05-01"), at("2024-06-01"), None):
            outcome = b.add(
                IntroductionOutcome(
                    introduction_id=accepted.id,
                    kind=OutcomeKind.pilot,
                    note="Pilot",
                    side="member",
                )
            )
            b.add(
                SuccessStory(
                    outcome_id=outcome.id,
                    title_ru="История",
                    title_en="Story",
                    body_ru="Текст",
                    body_en="Text",
                    published_at=published,
                )
            )


def test_every_indicator_matches_the_hand_computed_year(factory) -> None:
    build_year(factory.database)
    staff = factory.actor(Role.staff)

    response = staff.api.get(URL, params={"year": 2025, "lang": "en"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["year"] == 2025
    values = {item["code"]: item["value"] for item in body["items"]}
    assert values == EXPECTED
    for item in body["items"]:
        assert item["name"] and item["source"], item
        assert item["unit"] in {"organisations", "percent", "days", "people", "count", "rub"}
    units = {item["code"]: item["unit"] for item in body["items"]}
    assert units["investment_rub"] == "rub"
    assert units["approval_rate"] == "percent"


def test_a_year_without_records_has_zeros_and_no_rates(factory) -> None:
    build_year(factory.database)
    staff = factory.actor(Role.staff)

    values = {
        item["code"]: item["value"]
        for item in staff.api.get(URL, params={"year": 2019}).json()["items"]
    }

    assert values["applications"] == 0
    assert values["approval_rate"] is None
    assert values["median_days_to_decision"] is None
    assert values["members_sme_share"] is None
    assert values["investment_rub"] == 0


def test_year_out_of_range_is_refused(factory) -> None:
    staff = factory.actor(Role.staff)

    assert staff.api.get(URL, params={"year": 1800}).status_code == 422
    assert staff.api.get(URL, params={"year": "last"}).status_code == 422
    assert staff.api.get(URL, params={"format": "pdf"}).status_code == 422


def test_csv_holds_every_indicator_with_its_source(factory) -> None:
    build_year(factory.database)
    staff = factory.actor(Role.staff)

    response = staff.api.get(URL, params={"year": 2025, "format": "csv", "lang": "en"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "cluster-indicators-2025.csv" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["Year", "2025"]
    assert rows[1] == ["Code", "Indicator", "Value", "Unit", "Source"]
    by_code = {row[0]: row for row in rows[2:]}
    assert set(by_code) == set(EXPECTED)
    assert by_code["investment_rub"][2] == "3500000"
    assert by_code["members_sme_share"][2] == "66.7"
    assert by_code["members_sme_share"][3] == "%"
    assert by_code["deals"][4] == "Deals confirmed by staff that closed in the year."
    assert by_code["mentoring_sessions"][2] == "2"
    assert "mentors logged" in by_code["mentoring_sessions"][4]


def test_xlsx_holds_the_same_figures_as_numbers(factory) -> None:
    build_year(factory.database)
    staff = factory.actor(Role.staff)

    response = staff.api.get(URL, params={"year": 2025, "format": "xlsx", "lang": "ru"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert "2025" in str(rows[0][0])
    assert rows[1] == ("Код", "Показатель", "Значение", "Единица", "Источник")
    values = {row[0]: row[2] for row in rows[2:]}
    assert values == EXPECTED
    assert isinstance(values["investment_rub"], int)
    names = {row[0]: row[1] for row in rows[2:]}
    assert names["deals"] == "Инвестиционные сделки"


def test_the_annual_page_shows_every_figure_with_its_source(factory) -> None:
    from tests.html import Page

    build_year(factory.database)
    staff = factory.actor(Role.staff, browser=True)

    english = staff.browser.get("/reports/annual?year=2025&lang=en")
    russian = staff.browser.get("/reports/annual?year=2025&lang=ru")

    assert english.status_code == 200
    page = Page(english.text)
    rows = {row[0]: row for row in page.table_rows()[1:]}
    assert rows["Private investment raised"][1].replace("\xa0", " ").startswith("RUB 3,500,000")
    assert rows["Member organisations"][1] == "3"
    assert rows["Mentoring sessions"][1] == "2"
    assert "Deals confirmed by staff that closed in the year." in rows["Investment deals"][2]
    assert len(rows) == len(EXPECTED)
    assert Page(russian.text).html_lang == "ru"
    assert "Показатели кластера за 2025" in russian.text
    assert datetime.now(UTC).year >= 2025
