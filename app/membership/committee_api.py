"""JSON routes of the committee before the reviews: expertise, bids on the applications open for
bids, and the optimal assignment of many applications. Included in `api.router` ahead of the
routes with an application id, so that `/applications/open-for-bids` is not read as one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query

from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.deps import SessionDep
from app.i18n import gettext
from app.membership import bidding, committee, policies, rubric
from app.membership.models import RubricVersion, Track
from app.membership.schemas import (
    AutoAssignIn,
    AutoAssignOut,
    BidIn,
    BidOut,
    CriterionIn,
    CriterionOut,
    ExpertiseIn,
    ExpertiseOut,
    OpenApplicationOut,
    PairOut,
    RubricOut,
    UnfilledOut,
)
from app.schemas import Page

router = APIRouter()
TrackQuery = Annotated[Track, Query()]


def rubric_out(version: RubricVersion) -> RubricOut:
    return RubricOut(
        items=[CriterionOut(**c) for c in version.criteria],
        total=len(version.criteria),
        version=version.id,
        track=version.track,
        created_at=version.created_at,
    )


@router.get("/review-criteria", response_model=RubricOut)
def get_review_criteria(
    user: CurrentUser, session: SessionDep, track: TrackQuery = Track.membership
) -> RubricOut:
    return rubric_out(rubric.read_rubric(session, actor=user, track=track))


def _rubric_editor(user: CurrentUser) -> User:
    """Staff only, asked before the body is read: others are refused (403) whatever they send."""
    policies.enforce(policies.rubric_edit_refusal(user))
    return user


@router.put("/review-criteria", response_model=RubricOut)
def put_review_criteria(
    body: Annotated[list[CriterionIn], Body(max_length=100)],
    user: Annotated[User, Depends(_rubric_editor)],
    session: SessionDep,
    track: TrackQuery = Track.membership,
) -> RubricOut:
    version = rubric.replace_rubric(
        session, actor=user, track=track, criteria=[c.model_dump() for c in body]
    )
    return rubric_out(version)


@router.put("/me/expertise", response_model=ExpertiseOut)
def put_expertise(body: ExpertiseIn, user: CurrentUser, session: SessionDep) -> ExpertiseOut:
    expertise = bidding.set_expertise(session, actor=user, sectors=body.sectors, topics=body.topics)
    return ExpertiseOut(sectors=list(expertise.sectors), topics=list(expertise.topics))


@router.get("/applications/open-for-bids", response_model=Page[OpenApplicationOut])
def open_for_bids(user: CurrentUser, session: SessionDep) -> Page[OpenApplicationOut]:
    cards = bidding.open_for_bids(
        session, actor=user, affiliations=committee.affiliations_of(session, user)
    )
    return Page(
        items=[
            OpenApplicationOut(
                id=card.id,
                organisation_name=card.organisation_name,
                sector=card.sector,
                summary=card.summary,
                submitted_at=card.submitted_at,
                interest=card.interest,
            )
            for card in cards
        ],
        total=len(cards),
    )


@router.put("/applications/{application_id}/bid", response_model=BidOut)
def put_bid(application_id: int, body: BidIn, user: CurrentUser, session: SessionDep) -> BidOut:
    bid = bidding.place_bid(
        session,
        actor=user,
        application_id=application_id,
        interest=body.interest,
        affiliations=committee.affiliations_of(session, user),
    )
    return BidOut(application_id=bid.application_id, interest=bid.interest)


@router.post("/applications/assignments/auto", response_model=AutoAssignOut)
def auto_assign(body: AutoAssignIn, user: CurrentUser, session: SessionDep) -> AutoAssignOut:
    result = committee.auto_assign(
        session,
        actor=user,
        application_ids=body.application_ids,
        per_application=body.per_application,
        due_on=body.due_on,
    )
    return AutoAssignOut(
        assignments=[
            PairOut(application_id=p.application_id, reviewer_id=p.reviewer_id)
            for p in result.pairs
        ],
        objective=result.objective,
        bound=result.bound,
        optimal=result.optimal,
        unfilled=[
            UnfilledOut(
                application_id=u.application_id,
                reason=u.reason.value,
                missing=u.missing,
                detail=gettext(committee.UNFILLED_REASONS[u.reason]),
            )
            for u in result.unfilled
        ],
    )
