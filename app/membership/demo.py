"""Demo data (idempotent): "geo" is an approved member with a number; "robot" has an
application under review by reviewer1..3, one review in, so the chair's board and the
committee queue show something."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.membership import service
from app.membership.models import Application, ApplicationEvent, ApplicationStatus

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


def _approve_geo(session: Session, world) -> None:  # type: ignore[no-untyped-def]
    organisation = world.organisations["geo"]
    if service.membership_of(session, organisation.id) is not None:
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
    service.grant_membership(session, actor=chair, application=application)


def _robot_under_review(session: Session, world) -> None:  # type: ignore[no-untyped-def]
    organisation = world.organisations["robot"]
    exists = session.scalar(
        select(Application.id).where(Application.organisation_id == organisation.id)
    )
    if exists is not None:
        return
    founder = world.users["founder_en"]
    chair = world.users["chair"]
    application = service.create_application(
        session, actor=founder, values={"organisation_id": organisation.id, **ROBOT_SECTIONS}
    )
    service.submit_application(session, actor=founder, application_id=application.id)
    for key in ("reviewer1", "reviewer2", "reviewer3"):
        reviewer = world.users[key]
        service.assign_reviewers(
            session, actor=chair, application_id=application.id, reviewer_id=reviewer.id
        )
    first = world.users["reviewer1"]
    service.declare(session, actor=first, application_id=application.id, conflict=False)
    service.save_review(
        session,
        actor=first,
        application_id=application.id,
        scores={"innovation": 4, "team": 4, "market": 3, "cluster_fit": 5},
        comment="Сильная инженерная команда; рынок нужно подтвердить пилотами.",
        recommendation="approve",
    )


def load(session: Session, world) -> None:  # type: ignore[no-untyped-def]
    _approve_geo(session, world)
    _robot_under_review(session, world)
