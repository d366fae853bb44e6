"""Demo data: the large member's partner profile, the demo member's introduction that staff
forwarded to the partner, a member's request that waits for staff, and networking profiles of
member organisations that suggest each other (idempotent)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation, User
from app.introductions import networking, service
from app.introductions.models import (
    Introduction,
    IntroductionStatus,
    OrganisationProfile,
    PartnerProfile,
)
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


NETWORKING_PROFILES = (
    (
        ["Спутниковый мониторинг", "Геоаналитика"],
        ["Аэрофотосъёмка", "Датчики вибрации"],
        ["Python", "PostGIS"],
    ),
    (["Аэрофотосъёмка с дронов"], ["Геоаналитика"], ["Лидар"]),
    (["Датчики вибрации"], ["Спутниковый мониторинг"], ["IoT"]),
)


def _networking_profiles(session: Session, world: Any) -> None:
    """The demo member's organisation and two members it could work with."""
    if session.scalar(select(OrganisationProfile.organisation_id).limit(1)) is not None:
        return
    geo = world.organisations.get("geo")
    others = [
        organisation_id
        for founder in session.scalars(
            select(User).where(User.email.like("history%@demo.cluster")).order_by(User.id)
        )
        for organisation_id in member_organisation_ids(session, founder)[:1]
    ]
    ids = ([geo.id] if geo is not None else []) + others[:2]
    for organisation_id, (offers, needs, technologies) in zip(
        ids, NETWORKING_PROFILES, strict=False
    ):
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None
        profile = OrganisationProfile(
            organisation_id=organisation_id, offers=offers, needs=needs, technologies=technologies
        )
        profile.search_text = networking.search_text(organisation, profile)
        session.add(profile)
    session.flush()


def load(session: Session, world: Any) -> None:
    _networking_profiles(session, world)
    organisation = world.organisations.get("large")
    if organisation is None:
        return
    _profile(session, organisation.id)
    _forwarded(session, world, organisation.id)
    _to_broker(session, world, organisation.id)
