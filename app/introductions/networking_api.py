"""JSON routes of networking between members: /api/v1/organisations/{id}/profile,
/api/v1/directory and /api/v1/directory/suggestions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts.deps import CurrentUser
from app.deps import PagingDep, SessionDep
from app.introductions import networking
from app.introductions.networking import Entry
from app.introductions.schemas import (
    DirectoryEntryOut,
    OrganisationProfileIn,
    OrganisationProfileOut,
    SuggestionOut,
)
from app.schemas import Page

router = APIRouter(prefix="/api/v1", tags=["networking"])


def entry_out(entry: Entry) -> DirectoryEntryOut:
    return DirectoryEntryOut(
        organisation_id=entry.organisation.id,
        name=entry.organisation.name,
        sector=entry.organisation.sector,
        region=entry.organisation.region,
        tier=entry.tier,
        offers=entry.offers,
        needs=entry.needs,
        technologies=entry.technologies,
    )


@router.put("/organisations/{organisation_id}/profile", response_model=OrganisationProfileOut)
def update_profile(
    organisation_id: int, body: OrganisationProfileIn, user: CurrentUser, session: SessionDep
) -> OrganisationProfileOut:
    profile = networking.update_profile(
        session,
        actor=user,
        organisation_id=organisation_id,
        offers=body.offers,
        needs=body.needs,
        technologies=body.technologies,
    )
    return OrganisationProfileOut(
        organisation_id=profile.organisation_id,
        offers=list(profile.offers),
        needs=list(profile.needs),
        technologies=list(profile.technologies),
    )


@router.get("/directory", response_model=Page[DirectoryEntryOut])
def directory(
    user: CurrentUser,
    session: SessionDep,
    paging: PagingDep,
    q: Annotated[str, Query(max_length=200)] = "",
    sector: Annotated[str, Query(max_length=40)] = "",
    region: Annotated[str, Query(max_length=100)] = "",
) -> Page[DirectoryEntryOut]:
    rows, total = networking.directory(
        session, actor=user, paging=paging, q=q, sector=sector, region=region
    )
    return Page(items=[entry_out(e) for e in rows], total=total)


@router.get("/directory/suggestions", response_model=list[SuggestionOut])
def suggestions(user: CurrentUser, session: SessionDep) -> list[SuggestionOut]:
    return [
        SuggestionOut(**entry_out(e).model_dump(), reasons=e.reasons)
        for e in networking.suggestions(session, actor=user)
    ]
