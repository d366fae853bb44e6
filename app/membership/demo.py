"""Demo data (idempotent): "geo" is an approved member with a number; "robot" has an
application under review by reviewer1..3, one review in (and its reviewer's word in the
committee's discussion) and two declarations to make, so the chair's board and the committee
queue show something; "agro" has a draft its applicant has yet to finish."""

from __future__ import annotations

import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.membership.applications import add_attachment, create_application, submit_application
from app.membership.committee import assign_reviewers, declare
from app.membership.discussion import add_post
from app.membership.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    DocumentKind,
)
from app.membership.queries import membership_of
from app.membership.register import grant_membership
from app.membership.reviews import save_review

DEMO_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GEO_SECTIONS = {
    "summary": "Геоинформационная платформа мониторинга посевов для агрохолдингов Сибири.",
    "innovation": "Собственные алгоритмы обработки спутниковых снимков и данных дронов.",
    "market": "Около 400 агрохолдингов и фермерских хозяйств в Сибирском округе.",
    "team": "Семь инженеров, два кандидата наук, опыт внедрений в трёх регионах.",
    "funding_needs": "25 млн рублей на два года: вычислительная инфраструктура и продажи.",
}
ROBOT_SECTIONS = {
    "summary": "Collaborative robot arms for small machining workshops.",
    "innovation": "A low-cost force-sensing gripper and no-code task teaching.",
    "market": "Small and medium machining workshops in central Russia, about 3,000 sites.",
    "team": "Five engineers from robotics and industrial automation.",
    "funding_needs": "40 million roubles for a pilot series of 20 units.",
}


AGRO_DRAFT = {
    "summary": "Дроны для точного внесения удобрений на полях Сибири.",
    "innovation": "Карта потребности поля по мультиспектральной съёмке за один пролёт.",
    # The market, team and funding sections are left for the applicant to write.
}


def _approve_geo(session: Session, world) -> None:  # type: ignore[no-untyped-def]
    organisation = world.organisations["geo"]
    if membership_of(session, organisation.id) is not None:
        return
    chair = world.users["chair"]
    now = utcnow()
    application = Application(
        organisation_id=organisation.id,
        open_organisation_id=None,
        applicant_id=world.users["founder"].id,
        status=ApplicationStatus.approved,
        decision_reason="Сильная команда и понятный рынок.",
        decision_codes=["team", "market"],
        decided_by_id=chair.id,
        submitted_at=now,
        decided_at=now,
        **GEO_SECTIONS,
    )
    application.events = [
        ApplicationEvent(from_status="draft", to_status="submitted"),
        ApplicationEvent(from_status="submitted", to_status="under_review"),
        ApplicationEvent(from_status="under_review", to_status="approved", actor_id=chair.id),
    ]
    session.add(application)
    session.flush()
    grant_membership(session, actor=chair, application=application)


def _robot_under_review(session: Session, world) -> None:  # type: ignore[no-untyped-def]
    organisation = world.organisations["robot"]
    exists = session.scalar(
        select(Application.id).where(Application.organisation_id == organisation.id)
    )
    if exists is not None:
        return
    founder = world.users["founder_en"]
    chair = world.users["chair"]
    application = create_application(
        session, actor=founder, values={"organisation_id": organisation.id, **ROBOT_SECTIONS}
    )
    add_attachment(  # the business plan the committee asks for before submission
        session,
        actor=founder,
        application_id=application.id,
        filename="business-plan.pdf",
        stream=io.BytesIO(DEMO_PDF),
        kind=DocumentKind.business_plan,
    )
    submit_application(session, actor=founder, application_id=application.id)
    for key in ("reviewer1", "reviewer2", "reviewer3"):
        reviewer = world.users[key]
        assign_reviewers(
            session, actor=chair, application_id=application.id, reviewer_id=reviewer.id
        )
    first = world.users["reviewer1"]
    declare(session, actor=first, application_id=application.id, conflict=False)
    save_review(
        session,
        actor=first,
        application_id=application.id,
        scores={"innovation": 4, "team": 4, "market": 3, "cluster_fit": 5},
        comment="Сильная инженерная команда; рынок нужно подтвердить пилотами.",
        recommendation="approve",
    )
    add_post(  # the committee's discussion, which the applicant never sees
        session,
        actor=first,
        application_id=application.id,
        text="Коллеги, предлагаю до решения спросить заявителя о сроках пилотов.",
    )


def _agro_draft(session: Session, world) -> None:  # type: ignore[no-untyped-def]
    organisation = world.organisations["agro"]
    exists = session.scalar(
        select(Application.id).where(Application.organisation_id == organisation.id)
    )
    if exists is None:
        create_application(
            session,
            actor=world.users["applicant"],
            values={"organisation_id": organisation.id, **AGRO_DRAFT},
        )


def load(session: Session, world) -> None:  # type: ignore[no-untyped-def]
    _approve_geo(session, world)
    _robot_under_review(session, world)
    _agro_draft(session, world)
