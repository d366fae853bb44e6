"""Demo data: the large member's partner profile, the demo member's introduction that staff
forwarded to the partner, and a member's request that waits for staff (idempotent)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.introductions import service
from app.introductions.models import Introduction, IntroductionStatus, PartnerProfile
from app.membership.queries import member_organisation_ids


def _profile(session: Session, organisation_id: int) -> None:
    exists = session.scalar(
        select(PartnerProfile.id).where(PartnerProfile.organisation_id == organisation_id)
    )
    if exists is None:
        session.add(
            PartnerProfile(
                organisation_id=organisation_id,
                looking_for=["pilots", "suppliers"],
                sectors=["industrial_it", "manufacturing"],
                summary="Ищем пилоты промышленного IT и поставщиков датчиков.",
                translations={
                    "en": {"summary": "Looking for industrial IT pilots and sensor suppliers."}
                },
            )
        )
        session.flush()


def _forwarded(session: Session, world: Any, partner_id: int) -> None:
    geo = world.organisations["geo"]
    asked = session.scalar(
        select(Introduction.id).where(
            Introduction.requester_organisation_id == geo.id,
            Introduction.partner_organisation_id == partner_id,
        )
    )
    if asked is not None or not member_organisation_ids(session, world.users["founder"]):
        return
    introduction = service.request_introduction(
        session,
        actor=world.users["founder"],
        partner_id=partner_id,
        organisation_id=geo.id,
        purpose="Пилот спутникового мониторинга промышленных площадок.",
        offer="Карта изменений площадки раз в неделю.",
        ask="Доступ к двум площадкам на три месяца.",
    )
    service.forward(session, actor=world.users["staff"], introduction_id=introduction.id)


def _to_broker(session: Session, world: Any, partner_id: int) -> None:
    waiting = session.scalar(
        select(Introduction.id).where(
            Introduction.partner_organisation_id == partner_id,
            Introduction.status == IntroductionStatus.requested,
        )
    )
    if waiting is not None:
        return
    founders = session.scalars(
        select(User).where(User.email.like("history%@demo.cluster")).order_by(User.id.desc())
    )
    for founder in founders:
        organisations = member_organisation_ids(session, founder)
        open_key = f"{organisations[0]}:{partner_id}" if organisations else None
        if open_key is None or session.scalar(
            select(Introduction.id).where(Introduction.open_key == open_key)
        ):
            continue
        service.request_introduction(
            session,
            actor=founder,
            partner_id=partner_id,
            organisation_id=organisations[0],
            purpose="Поставки датчиков вибрации для двух цехов.",
        )
        return


def load(session: Session, world: Any) -> None:
    organisation = world.organisations.get("large")
    if organisation is None:
        return
    _profile(session, organisation.id)
    _forwarded(session, world, organisation.id)
    _to_broker(session, world, organisation.id)
