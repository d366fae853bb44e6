"""Networking between members: each member organisation's profile (what it offers, what it
needs, its technologies), the member directory and the suggestions of members to work with."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import Organisation, User
from app.accounts.organisations import get_visible_organisation
from app.db import utcnow
from app.errors import Forbidden
from app.i18n import gettext
from app.introductions import policies
from app.introductions.models import OrganisationProfile
from app.membership.models import Membership, Tier
from app.membership.queries import live_membership, member_organisation_ids
from app.pagination import Paging, paginate_rows

SUGGESTIONS_SHOWN = 10


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def search_text(organisation: Organisation, profile: OrganisationProfile) -> str:
    """What `?q=` matches: the name and the profile's terms, folded once at write time (SQLite
    folds only ASCII letters)."""
    parts = [organisation.name, *profile.offers, *profile.needs, *profile.technologies]
    return "\n".join(" ".join(_words(p)) for p in parts)


def get_profile(session: Session, organisation_id: int) -> OrganisationProfile | None:
    return session.get(OrganisationProfile, organisation_id)


def update_profile(
    session: Session,
    *,
    actor: User,
    organisation_id: int,
    offers: list[str],
    needs: list[str],
    technologies: list[str],
) -> OrganisationProfile:
    """The organisation's owners keep its profile; those who may not see it get 404."""
    organisation = editable_profile(session, actor=actor, organisation_id=organisation_id)
    profile = get_profile(session, organisation_id)
    if profile is None:
        profile = OrganisationProfile(organisation_id=organisation_id)
        session.add(profile)
    profile.offers = offers
    profile.needs = needs
    profile.technologies = technologies
    profile.search_text = search_text(organisation, profile)
    profile.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="organisation_profile.update",
        entity_type="organisation",
        entity_id=organisation_id,
        data={"offers": len(offers), "needs": len(needs), "technologies": len(technologies)},
    )
    return profile


def _require_directory(session: Session, actor: User) -> None:
    if not policies.can_use_directory(session, actor):
        raise Forbidden(gettext("Only members of the cluster may browse the member directory."))


def _members_query() -> Select[Organisation, OrganisationProfile, Tier]:
    """Organisations with an active (or grace-period) membership, their profiles and tiers."""
    return (
        select(Organisation, OrganisationProfile, Membership.tier)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .outerjoin(OrganisationProfile, OrganisationProfile.organisation_id == Organisation.id)
        .where(live_membership(date.today()))
    )


@dataclass
class Entry:
    organisation: Organisation
    profile: OrganisationProfile | None
    tier: Tier
    reasons: list[str] = field(default_factory=list)

    @property
    def offers(self) -> list[str]:
        return list(self.profile.offers) if self.profile else []

    @property
    def needs(self) -> list[str]:
        return list(self.profile.needs) if self.profile else []

    @property
    def technologies(self) -> list[str]:
        return list(self.profile.technologies) if self.profile else []


def directory(
    session: Session,
    *,
    actor: User,
    paging: Paging,
    q: str = "",
    sector: str = "",
    region: str = "",
) -> tuple[list[Entry], int]:
    """Member organisations by name; `q` matches the name and the profile's terms."""
    _require_directory(session, actor)
    query = _members_query()
    if sector:
        query = query.where(Organisation.sector == sector)
    if region:
        query = query.where(Organisation.region == region)
    for word in _words(q)[:10]:
        query = query.where(
            or_(
                OrganisationProfile.search_text.contains(word, autoescape=True),
                func.lower(Organisation.name).contains(word, autoescape=True),
                Organisation.name.contains(q.strip(), autoescape=True),
            )
        )
    rows, total = paginate_rows(session, query.order_by(Organisation.name, Organisation.id), paging)
    return [Entry(o, p, tier) for o, p, tier in rows], total


# --- Suggestions --------------------------------------------------------------------------------


def _phrase_in(short: list[str], long: list[str]) -> bool:
    n = len(short)
    return n > 0 and any(long[i : i + n] == short for i in range(len(long) - n + 1))


def terms_match(one: str, other: str) -> bool:
    """Case-insensitive word or phrase match: one term's words appear, in order, in the other."""
    a, b = _words(one), _words(other)
    return _phrase_in(a, b) or _phrase_in(b, a)


def reasons_for(
    mine: Organisation,
    my_profile: OrganisationProfile | None,
    theirs: Organisation,
    their_profile: OrganisationProfile | None,
) -> tuple[int, list[str]]:
    """Why the two could work together, strongest first, and a score."""
    score, reasons = 0, []
    my_needs = list(my_profile.needs) if my_profile else []
    my_offers = list(my_profile.offers) if my_profile else []
    their_offers = list(their_profile.offers) if their_profile else []
    their_needs = list(their_profile.needs) if their_profile else []
    for offer in their_offers:
        if any(terms_match(offer, need) for need in my_needs):
            score += 3
            reasons.append(gettext("They offer %(offer)s, which you need", offer=offer))
    for need in their_needs:
        if any(terms_match(need, offer) for offer in my_offers):
            score += 3
            reasons.append(gettext("They need %(need)s, which you offer", need=need))
    if theirs.sector == mine.sector:
        score += 1
        reasons.append(gettext("Same sector as yours"))
    return score, reasons


def suggestions(session: Session, *, actor: User, limit: int = SUGGESTIONS_SHOWN) -> list[Entry]:
    """Members the viewer's (first) member organisation could work with, with the reasons;
    never the viewer's own organisations. Staff without a member organisation get none."""
    _require_directory(session, actor)
    own = member_organisation_ids(session, actor)
    if not own:
        return []
    mine = session.get(Organisation, own[0])
    assert mine is not None
    my_profile = get_profile(session, mine.id)
    scored: list[tuple[int, str, int, Entry]] = []
    for organisation, profile, tier in session.execute(
        _members_query().where(Organisation.id.not_in(own))
    ).all():
        score, reasons = reasons_for(mine, my_profile, organisation, profile)
        if score:
            entry = Entry(organisation, profile, tier, reasons=reasons)
            scored.append((-score, organisation.name, organisation.id, entry))
    scored.sort(key=lambda row: row[:3])
    return [row[3] for row in scored[:limit]]


def suggestion_count(session: Session, actor: User) -> int:
    return len(suggestions(session, actor=actor, limit=1000))


def member_regions(session: Session) -> list[str]:
    """The regions of member organisations, for the directory's filter."""
    return list(
        session.scalars(
            select(Organisation.region)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(live_membership(date.today()))
            .distinct()
            .order_by(Organisation.region)
        )
    )


def editable_profile(session: Session, *, actor: User, organisation_id: int) -> Organisation:
    """The organisation whose profile the actor, an owner, edits (404 unseen, 403 not owner)."""
    organisation = get_visible_organisation(session, actor, organisation_id)
    refusal = policies.profile_edit_refusal(session, actor, organisation)
    if refusal is not None:
        raise refusal
    return organisation


def can_request(session: Session, user: User) -> bool:
    """Cards offer "Request an introduction" to those who may ask for one: members."""
    return policies.can_request_introductions(session, user)


def own_organisation_ids(session: Session, user: User) -> list[int]:
    return member_organisation_ids(session, user)
