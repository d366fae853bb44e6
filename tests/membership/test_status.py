"""Membership status rules: suspension and its lifting, revocation, dates, renewal invitations,
overdue reviews, the personal-data export and the demo data."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from app.accounts.models import Organisation
from app.audit import AuditEntry
from app.db import utcnow
from app.membership.models import Application, Assignment, Membership
from app.membership.reminders import invite_renewals, remind_overdue_reviews
from app.notifications.models import OutboxMessage
from tests.factories import Factory
from tests.membership.helpers import GOOD_REVIEW, Case, decide, reviewed, under_review


def _member(factory: Factory) -> tuple[Case, int, str]:
    case = reviewed(factory)
    assert decide(case).status_code == 200
    with factory.database.session_scope(write=False) as session:
        membership = session.scalar(select(Membership))
        assert membership is not None
        return case, membership.id, membership.verify_code


def _outbox(factory: Factory, kind: str) -> list[tuple[str, str]]:
    with factory.database.session_scope(write=False) as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        ).all()
        return [(m.to_email, m.subject) for m in rows]


def test_staff_suspend_with_reason_then_lift_and_the_register_follows(
    factory: Factory, client: object
) -> None:
    case, membership_id, code = _member(factory)
    staff = case.staff
    assert staff is not None
    url = f"/api/v1/memberships/{membership_id}"
    assert case.applicant.api.post(f"{url}/suspend", json={"reason": "x"}).status_code == 403
    missing_reason = staff.api.post(f"{url}/suspend", json={})
    assert missing_reason.status_code == 422
    assert missing_reason.json()["detail"][0]["loc"] == ["body", "reason"]

    response = staff.api.post(f"{url}/suspend", json={"reason": "Unpaid fee"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_reason"]) == (
        "suspended",
        "Unpaid fee",
    )
    assert staff.api.post(f"{url}/suspend", json={"reason": "again"}).status_code == 409
    assert client.get("/api/v1/members").json()["total"] == 0  # type: ignore[attr-defined]
    assert "Приостановлено" in client.get(f"/verify/{code}?lang=ru").text  # type: ignore[attr-defined]
    assert case.applicant.api.get(url).json()["status"] == "suspended"
    assert _outbox(factory, "membership.status") == [
        (case.applicant.user.email, "Членство в кластере приостановлено")
    ]

    response = staff.api.post(f"{url}/reinstate", json={})
    assert response.status_code == 200 and response.json()["status"] == "active"
    assert client.get("/api/v1/members").json()["total"] == 1  # type: ignore[attr-defined]
    with factory.database.session_scope(write=False) as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity_type == "membership")
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["membership.granted", "membership.suspended", "membership.reinstated"]


def test_revocation_is_final(factory: Factory, client: object) -> None:
    case, membership_id, code = _member(factory)
    staff = case.staff
    assert staff is not None
    url = f"/api/v1/memberships/{membership_id}"
    response = staff.api.post(f"{url}/revoke", json={"reason": "Breach of the charter"})
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert staff.api.post(f"{url}/reinstate", json={}).status_code == 409
    assert staff.api.post(f"{url}/suspend", json={"reason": "x"}).status_code == 409
    assert "Аннулировано" in client.get(f"/verify/{code}?lang=ru").text  # type: ignore[attr-defined]
    assert (
        staff.api.post("/api/v1/memberships/999999/revoke", json={"reason": "x"}).status_code == 404
    )


def test_status_follows_the_dates_active_grace_expired(factory: Factory, client: object) -> None:
    case, membership_id, _code = _member(factory)
    staff = case.staff
    assert staff is not None
    today = date.today()
    for expires, expected in (
        (today, "active"),
        (today - timedelta(days=1), "grace"),
        (today - timedelta(days=30), "grace"),
        (today - timedelta(days=31), "expired"),
    ):
        with factory.database.session_scope() as session:
            session.execute(update(Membership).values(expires_on=expires))
        body = staff.api.get(f"/api/v1/memberships/{membership_id}").json()
        assert body["status"] == expected, expires
        for status in ("active", "grace", "expired", "suspended"):
            found = staff.api.get(f"/api/v1/memberships?status={status}").json()
            assert (found["total"], [m["id"] for m in found["items"]]) == (
                (1, [membership_id]) if status == expected else (0, [])
            ), (expires, status)
        listed = client.get("/api/v1/members").json()["total"]  # type: ignore[attr-defined]
        assert listed == (0 if expected == "expired" else 1)
    filtered = staff.api.get("/api/v1/memberships?status=expired").json()
    assert [m["id"] for m in filtered["items"]] == [membership_id]
    assert staff.api.get("/api/v1/memberships?status=active").json()["total"] == 0
    assert case.applicant.api.get("/api/v1/memberships").status_code == 403


def test_renewal_invitation_once_30_days_before_expiry_and_renewal_extends(
    factory: Factory,
) -> None:
    case, _membership_id, _code = _member(factory)
    with factory.database.session_scope() as session:
        session.execute(update(Membership).values(expires_on=date.today() + timedelta(days=31)))
        assert invite_renewals(session, utcnow()) == 0
        session.execute(update(Membership).values(expires_on=date.today() + timedelta(days=30)))
        assert invite_renewals(session, utcnow()) == 1
    with factory.database.session_scope() as session:
        assert invite_renewals(session, utcnow()) == 1  # the same row: nothing new is queued
    mails = _outbox(factory, "membership.renewal")
    assert len(mails) == 1 and mails[0][0] == case.applicant.user.email

    # within the notice period the member may apply again; approval extends the term
    response = case.applicant.api.post(
        "/api/v1/applications",
        json={"organisation_id": case.organisation.id, "summary": "Renewal"},
    )
    assert response.status_code == 201, response.text


def test_members_cannot_apply_again_long_before_expiry(factory: Factory) -> None:
    case, _membership_id, _code = _member(factory)
    response = case.applicant.api.post(
        "/api/v1/applications", json={"organisation_id": case.organisation.id}
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "Эта организация уже участник кластера."
    assert factory.count(Application) == 1


def test_overdue_review_reminder_is_sent_once(factory: Factory) -> None:
    case = under_review(factory, reviewers=2)
    done = case.reviewers[0]
    assert done.api.put(f"{case.url}/reviews/mine", json=GOOD_REVIEW).status_code == 200
    with factory.database.session_scope() as session:
        assert remind_overdue_reviews(session, utcnow()) == 0
        session.execute(update(Assignment).values(due_on=date.today() - timedelta(days=1)))
        assert remind_overdue_reviews(session, utcnow()) == 1
    with factory.database.session_scope() as session:
        remind_overdue_reviews(session, utcnow())
    assert [to for to, _s in _outbox(factory, "membership.review_overdue")] == [
        case.reviewers[1].user.email
    ]


def test_export_holds_own_applications_without_reviewers_and_own_reviews(
    factory: Factory,
) -> None:
    case = reviewed(factory)
    applicant_data = case.applicant.api.get("/api/v1/me/export").json()["membership"]
    [application] = applicant_data["applications"]
    assert application["summary"].startswith("Геоинформационная")
    assert applicant_data["reviews"] == []
    text = str(applicant_data)
    assert "Secretname" not in text and "Secret reviewer comment" not in text

    reviewer_data = case.reviewers[0].api.get("/api/v1/me/export").json()["membership"]
    assert reviewer_data["applications"] == []
    [review] = reviewer_data["reviews"]
    assert (review["conflict"], review["comment"], review["scores"]["innovation"]) == (
        False,
        "Secret reviewer comment about the team",
        5,
    )


def test_demo_data_is_idempotent_and_fills_the_board(factory: Factory, client: object) -> None:
    from app.demo import load_demo

    for _ in range(2):
        with factory.database.session_scope() as session:
            load_demo(session)
    members = client.get("/api/v1/members?limit=200").json()  # type: ignore[attr-defined]
    assert [m["name"] for m in members["items"]].count("ГеоТех Сибирь") == 1
    with factory.database.session_scope(write=False) as session:
        assert session.scalar(select(Membership.number)).startswith("CL-")  # type: ignore[union-attr]
        assignments = session.scalars(
            select(Assignment)
            .join(Application, Application.id == Assignment.application_id)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .where(Organisation.name == "Robotics Lab")
        ).all()
        assert len(assignments) == 3
        assert sum(1 for a in assignments if a.review is not None) == 1


def test_staff_page_lists_memberships_with_status_and_search(factory: Factory) -> None:
    from app.accounts.models import Role

    case, membership_id, _code = _member(factory)
    staff = factory.actor(Role.staff, browser=True)
    assert staff.browser is not None
    with factory.database.session_scope(write=False) as session:
        membership = session.get(Membership, membership_id)
        assert membership is not None
        organisation = session.get(Organisation, membership.organisation_id)
        assert organisation is not None
        number, name = membership.number, organisation.name

    page = staff.browser.get("/memberships")
    assert page.status_code == 200
    assert number in page.text and f"/members/{organisation.id}/certificate" in page.text
    assert number in staff.browser.get(f"/memberships?q={organisation.inn}&status=active").text
    assert number not in staff.browser.get("/memberships?status=suspended").text
    assert number not in staff.browser.get("/memberships?q=nothing-like-this").text
    assert staff.browser.get("/memberships?status=bogus").status_code == 422
    applicant = factory.browser_client(case.applicant.user)
    assert applicant.get("/memberships").status_code == 403
    assert name not in applicant.get("/memberships").text
