"""Demo data: the large member's partner profile (idempotent)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.introductions.models import PartnerProfile


def load(session: Session, world) -> None:  # type: ignore[no-untyped-def]
    organisation = world.organisations.get("large")
    if organisation is None:
        return
    exists = session.scalar(
        select(PartnerProfile.id).where(PartnerProfile.organisation_id == organisation.id)
    )
    if exists is None:
        session.add(
            PartnerProfile(
                organisation_id=organisation.id,
                looking_for=["pilots", "suppliers"],
                sectors=["industrial_it", "manufacturing"],
                summary="Ищем пилоты промышленного IT и поставщиков датчиков.",
            )
        )
        session.flush()
