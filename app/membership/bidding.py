"""Committee members' expertise (sectors and topics) and their bids on the applications open for
bids, which they see by their summary only: no documents, no applicant's personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.accounts.models import Organisation, User
from app.db import utcnow
from app.errors import FieldError, NotFound
from app.i18n import gettext
from app.membership import policies
from app.membership.models import (
    Application,
    ApplicationStatus,
    Assignment,
    Bid,
    BidInterest,
    Expertise,
)
from app.membership.policies import Affiliations
from app.vocab import sector_slugs

MAX_TOPICS = 20
TOPIC_LENGTH = 60


def expertise_of(session: Session, user_id: int) -> Expertise:
    """The member's expertise, empty when never given."""
    return session.get(Expertise, user_id) or Expertise(user_id=user_id, sectors=[], topics=[])


def clean_topics(topics: list[str]) -> list[str]:
    """Topics trimmed, without repeats (case-insensitive), in the order given."""
    seen: set[str] = set()
    kept = []
    for topic in topics:
        text = " ".join(topic.split())
        if not text or text.casefold() in seen:
            continue
        if len(text) > TOPIC_LENGTH:
            raise FieldError("topics", gettext("A topic is at most 60 characters long."))
        seen.add(text.casefold())
        kept.append(text)
    if len(kept) > MAX_TOPICS:
        raise FieldError("topics", gettext("At most 20 topics."))
    return kept


def set_expertise(
    session: Session, *, actor: User, sectors: list[str], topics: list[str]
) -> Expertise:
    policies.enforce(policies.expertise_refusal(actor))
    known = set(sector_slugs())
    for sector in sectors:
        if sector not in known:
            raise FieldError("sectors", gettext("Unknown sector: %(sector)s", sector=sector[:40]))
    expertise = session.get(Expertise, actor.id, with_for_update=True)
    if expertise is None:
        expertise = Expertise(user_id=actor.id)
        session.add(expertise)
    expertise.sectors = sorted(set(sectors))
    expertise.topics = clean_topics(topics)
    expertise.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="committee.expertise_updated",
        entity_type="user",
        entity_id=actor.id,
        data={"sectors": expertise.sectors, "topics": len(expertise.topics)},
    )
    return expertise


@dataclass(frozen=True)
class BidCard:
    """What a committee member sees of an application open for bids."""

    id: int
    organisation_name: str
    sector: str
    summary: str
    submitted_at: datetime | None
    interest: BidInterest | None


def open_for_bids(session: Session, *, actor: User, affiliations: Affiliations) -> list[BidCard]:
    """Submitted applications without reviewers in their current round, oldest first, leaving
    out those the member has a conflict of interest with (their own organisation, a party the
    applicant named)."""
    policies.enforce(policies.bids_refusal(actor))
    current = (
        select(Assignment.id)
        .where(
            Assignment.application_id == Application.id,
            Assignment.round == Application.review_round,
        )
        .exists()
    )
    rows = session.execute(
        select(Application, Organisation.name, Organisation.sector)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(Application.status == ApplicationStatus.submitted, ~current)
        .options(
            selectinload(Application.parties),
            selectinload(Application.organisation).selectinload(Organisation.people),
        )
        .order_by(Application.submitted_at, Application.id)
    ).all()
    mine: dict[int, BidInterest] = {
        application_id: interest
        for application_id, interest in session.execute(
            select(Bid.application_id, Bid.interest).where(
                Bid.reviewer_id == actor.id,
                Bid.application_id.in_([application.id for application, _n, _s in rows]),
            )
        )
    }
    return [
        BidCard(
            id=application.id,
            organisation_name=name,
            sector=sector,
            summary=application.summary,
            submitted_at=application.submitted_at,
            interest=mine.get(application.id),
        )
        for application, name, sector in rows
        if not policies.affiliation_conflict(application, affiliations)
    ]


def place_bid(
    session: Session,
    *,
    actor: User,
    application_id: int,
    interest: BidInterest,
    affiliations: Affiliations,
) -> Bid:
    """A committee member's bid, replacing their earlier one on the same application."""
    policies.enforce(policies.bids_refusal(actor))
    application = session.get(Application, application_id, with_for_update=True)
    if application is None or application.status == ApplicationStatus.draft:
        raise NotFound(gettext("Application not found."))
    policies.enforce(policies.bid_refusal(actor, application, affiliations))
    bid = session.scalar(
        select(Bid)
        .where(Bid.application_id == application.id, Bid.reviewer_id == actor.id)
        .with_for_update()
    )
    if bid is None:
        bid = Bid(application_id=application.id, reviewer_id=actor.id, interest=interest)
        session.add(bid)
    bid.interest = interest
    bid.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="application.bid",
        entity_type="membership_application",
        entity_id=application.id,
        data={"interest": interest.value},
    )
    return bid


def bids_on(session: Session, application_ids: list[int]) -> dict[int, dict[int, BidInterest]]:
    """Every bid on the applications: application id → reviewer id → interest."""
    found: dict[int, dict[int, BidInterest]] = {}
    if not application_ids:
        return found
    for application_id, reviewer_id, interest in session.execute(
        select(Bid.application_id, Bid.reviewer_id, Bid.interest).where(
            Bid.application_id.in_(application_ids)
        )
    ):
        found.setdefault(application_id, {})[reviewer_id] = BidInterest(interest)
    return found


def expertise_by_user(session: Session, user_ids: list[int]) -> dict[int, Expertise]:
    if not user_ids:
        return {}
    return {
        e.user_id: e
        for e in session.scalars(select(Expertise).where(Expertise.user_id.in_(user_ids)))
    }
