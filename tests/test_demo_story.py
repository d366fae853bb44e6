"""The demo data tells one story: the register and the public figures agree, each role has
something to do on its pages, and loading twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import Base
from app.demo import DEMO_PASSWORD, DEMO_USERS, demo_journeys, load_demo
from app.introductions.models import Introduction, IntroductionStatus
from app.meetings.demo import OPEN_DAY, PUBLISHED_DAY, VIDEO_URL
from app.meetings.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    PitchDay,
    PitchMeeting,
    PitchParticipant,
    PitchWish,
    RequestStatus,
)
from app.membership.models import Application, ApplicationStatus, DiscussionPost, Membership
from app.membership.queries import counted_reviews
from tests.client import TestClient
from tests.factories import Factory
from tests.html import Page, csrf_from


def _row_counts(factory: Factory) -> dict[str, int]:
    with factory.database.session_scope(write=False) as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def _load(factory: Factory) -> None:
    with factory.database.session_scope() as session:
        load_demo(session)


def _login(app: object, email: str) -> TestClient:
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)  # type: ignore[arg-type]
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 303, response.text
    return client


def _page(client: TestClient, path: str) -> Page:
    response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return Page(response.text)


def test_a_second_load_adds_no_rows(factory: Factory) -> None:
    _load(factory)
    first = _row_counts(factory)
    _load(factory)
    assert _row_counts(factory) == first


def test_every_approved_organisation_is_on_the_register_and_in_the_numbers(
    factory: Factory, client: TestClient
) -> None:
    _load(factory)
    with factory.database.session_scope(write=False) as session:
        approved = set(
            session.scalars(
                select(Application.organisation_id).where(
                    Application.status == ApplicationStatus.approved
                )
            )
        )
        members = set(session.scalars(select(Membership.organisation_id)))
    assert len(approved) > 10 and approved == members

    register = client.get("/api/v1/members?limit=200").json()
    assert register["total"] == len(approved)
    numbers = Page(client.get("/numbers", headers={"Accept-Language": "en"}).text)
    figures = {
        squashed.split(" ", 1)[1]: squashed.split(" ", 1)[0]
        for squashed in (card.text for card in numbers.find_all("li", class_="card"))
    }
    assert figures["became members"] == str(len(approved))


def test_pitch_days_meetings_and_introductions_of_the_story(factory: Factory) -> None:
    world_emails = {key: email for key, email, *_rest in DEMO_USERS}
    _load(factory)
    with factory.database.session_scope(write=False) as session:
        days = {day.name: day for day in session.scalars(select(PitchDay))}
        published, open_day = days[PUBLISHED_DAY], days[OPEN_DAY]
        assert published.published_at is not None
        assert session.scalar(select(func.count()).where(PitchMeeting.pitch_day_id == published.id))
        assert open_day.is_registration_open()
        for model in (PitchParticipant, PitchWish):
            assert session.scalar(
                select(func.count()).select_from(model).where(model.pitch_day_id == open_day.id)
            )

        with_video = session.scalars(select(Meeting).where(Meeting.video_url == VIDEO_URL)).all()
        assert [m.status for m in with_video] == [MeetingStatus.scheduled]
        assert session.scalar(
            select(func.count()).where(MeetingRequest.status == RequestStatus.requested)
        )
        statuses = set(session.scalars(select(Introduction.status)))
        assert {IntroductionStatus.requested, IntroductionStatus.forwarded} <= statuses

        under_review = session.scalars(
            select(Application).where(Application.status == ApplicationStatus.under_review)
        ).all()
        assert any(len(counted_reviews(a)) >= 3 for a in under_review)
    assert set(email for _journey, email in demo_journeys()) <= set(world_emails.values())


def test_each_journey_login_finds_something_to_do(factory: Factory, app: object) -> None:
    _load(factory)
    with factory.database.session_scope(write=False) as session:
        meeting_id = session.scalar(select(Meeting.id).where(Meeting.video_url == VIDEO_URL))

    applicant = _login(app, "applicant@demo.cluster")
    assert "АгроДрон" in _page(applicant, "/applications").text

    founder = _login(app, "founder@demo.cluster")
    meeting = _page(founder, f"/meetings/{meeting_id}")
    assert VIDEO_URL in {link.href for link in meeting.links()}
    assert "Фонд «Северный венчур»" in meeting.text
    meetings = _page(founder, "/meetings").text
    assert PUBLISHED_DAY in meetings

    investor = _login(app, "investor@demo.cluster")
    inbox = _page(investor, "/investor-inbox")
    assert "Ищем 10 млн рублей" in inbox.text

    partner = _login(app, "partner@demo.cluster")
    assert "ГеоТех Сибирь" in _page(partner, "/introductions/inbox").text

    staff = _login(app, "staff@demo.cluster")
    assert "Поставки датчиков" in _page(staff, "/introductions/queue").text
    assert OPEN_DAY in _page(staff, "/pitch-days").text


def test_the_long_lists_of_the_demo_scroll_in_their_own_box_on_a_phone(
    factory: Factory, app: object
) -> None:
    """Filled with the demo's year of history, these tables are wider than a phone: each sits
    in a box that scrolls, so the page does not."""
    _load(factory)
    for email, path in (
        ("chair@demo.cluster", "/applications"),
        ("reviewer2@demo.cluster", "/applications"),
        ("partner@demo.cluster", "/introductions/inbox"),
        ("staff@demo.cluster", "/introductions/queue"),
        ("founder@demo.cluster", "/introductions"),
        ("staff@demo.cluster", "/organisations"),
    ):
        page = _page(_login(app, email), path)
        wrapped = [
            t for box in page.find_all("div", class_="table-wrap") for t in box.find_all("table")
        ]
        tables = page.find_all("table")
        assert tables and len(wrapped) == len(tables), path


def test_the_committee_discusses_the_robot_application_out_of_its_applicants_sight(
    factory: Factory, app: object
) -> None:
    _load(factory)
    with factory.database.session_scope(write=False) as session:
        [(application_id, text)] = session.execute(
            select(DiscussionPost.application_id, DiscussionPost.text)
        ).all()
    path = f"/applications/{application_id}"
    assert text in _page(_login(app, "chair@demo.cluster"), path).text
    assert text not in _page(_login(app, "founder.en@demo.cluster"), path).text
