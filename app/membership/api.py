"""JSON routes: /api/v1/applications (review, decision, appeal) and /api/v1/members."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, UploadFile, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.deps import PagingDep, SessionDep
from app.membership import (
    applications,
    calibration,
    committee,
    committee_api,
    decisions,
    discussion,
    policies,
    reading,
    register,
    responses,
    reviews,
)
from app.membership.models import (
    Application,
    ApplicationStatus,
    Attachment,
    DocumentKind,
    Membership,
    MembershipStatus,
    Review,
)
from app.membership.schemas import (
    AppealIn,
    ApplicationIn,
    ApplicationUpdateIn,
    AssignmentIn,
    AttachmentOut,
    DecisionIn,
    DeclarationIn,
    DiscussionPostIn,
    DiscussionPostOut,
    ListingIn,
    MemberOut,
    MembershipOut,
    MembershipStatusIn,
    ResponseIn,
    ResponseRequestIn,
    ReviewIn,
    ReviewOut,
)
from app.schemas import Page
from app.uploads import file_response

router = APIRouter(prefix="/api/v1", tags=["membership"])
# Ahead of `/applications/{application_id}`: `open-for-bids` is no application id.
router.include_router(committee_api.router)

# Loaded with the routes: its export, release and erasure of a person's data are registered.


def _document(application_id: int, document: reading.ShownDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "filename": document.filename,
        "size": document.size,
        "created_at": document.created_at,
        "kind": str(document.kind),
        "url": f"/api/v1/applications/{application_id}/attachments/{document.id}",
    }


def attachment_out(application_id: int, attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(**_document(application_id, attachment))


def application_out(
    session: Session, user: User, application: Application | reading.Card
) -> dict[str, Any]:
    """The applicant's view (the fields of `ApplicationOut`), or the committee's view with
    assignments and aggregates (`CommitteeApplicationOut`), as plain values: the response
    serialises them once, and lists build no model per row."""
    card = (
        application
        if isinstance(application, reading.Card)
        else reading.card_of(session, application)
    )
    view: dict[str, Any] = {
        "id": card.id,
        "organisation_id": card.organisation_id,
        "organisation_name": card.organisation_name,
        "status": card.status,
        "summary": card.summary,
        "innovation": card.innovation,
        "market": card.market,
        "team": card.team,
        "funding_needs": card.funding_needs,
        "decision_reason": card.decision_reason,
        "created_at": card.created_at,
        "updated_at": card.updated_at,
        "submitted_at": card.submitted_at,
        "decided_at": card.decided_at,
        "appealed_at": card.appealed_at,
        "can_appeal": policies.appeal_open(card),
        "membership_number": card.membership_number,
        "track": card.track,
        "competitors": card.competitors,
        "shareholders": card.shareholders,
        "attachments": [_document(card.id, d) for d in card.documents],
        "timeline": [
            {"status": ApplicationStatus.draft, "at": card.created_at},
            *({"status": e.to_status, "at": e.created_at} for e in card.events),
        ],
        "response_requests": [
            {
                "id": r.id,
                "questions": r.questions,
                "asked_at": r.asked_at,
                "answer": r.answer,
                "answered_at": r.answered_at,
            }
            for r in card.response_requests
        ],
    }
    if not policies.sees_review_work(session, user, card):
        return view
    overseer = policies.is_overseer(user)
    view["review_round"] = card.review_round
    view["assignments"] = [
        {
            "id": a.id,
            "reviewer_id": a.reviewer_id,
            "reviewer_name": a.reviewer_name,
            "round": a.round,
            "due_on": a.due_on,
            "declared": a.declared,
            "conflict": a.conflict,
            "conflict_kind": a.conflict_kind,
            "review_submitted": a.review is not None,
        }
        for a in card.assignments
        if overseer or a.reviewer_id == user.id
    ]
    view["aggregate"] = None
    if policies.can_view_reviews(session, user, card):
        aggregate = reviews.aggregate(card)
        view["aggregate"] = {
            "reviews": aggregate.reviews,
            "quorum": aggregate.quorum,
            "weighted_mean": aggregate.weighted_mean,
            "median": aggregate.median,
            "disagreement": aggregate.disagreement,
            "high_disagreement": aggregate.high_disagreement,
            "normalised_mean": calibration.normalised_mean(session, card),
        }
    return view


def review_out(review: Review) -> ReviewOut:
    assignment = review.assignment
    return ReviewOut(
        id=review.id,
        reviewer_id=assignment.reviewer_id,
        reviewer_name=assignment.reviewer.full_name,
        round=assignment.round,
        scores=review.scores,
        weighted_score=reviews.weighted_score(review.scores, review.weights),
        rubric_version=review.rubric_version_id,
        comment=review.comment,
        recommendation=review.recommendation,
        submitted_at=review.submitted_at,
        updated_at=review.updated_at,
        versions=len(review.versions),
    )


@router.post("/applications", status_code=status.HTTP_201_CREATED)
def create_application(
    body: ApplicationIn, user: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    application = applications.create_application(session, actor=user, values=body.model_dump())
    return application_out(session, user, application)


@router.get("/applications")
def list_applications(
    user: CurrentUser,
    session: SessionDep,
    paging: PagingDep,
    status_filter: Annotated[ApplicationStatus | None, Query(alias="status")] = None,
    sort: Annotated[
        Literal["newest", "normalised_mean"],
        Query(description="`normalised_mean`: highest first (chair, staff)"),
    ] = "newest",
) -> dict[str, Any]:
    cards, total = reading.list_applications(
        session, actor=user, status=status_filter, paging=paging, sort=sort
    )
    return {"items": [application_out(session, user, card) for card in cards], "total": total}


@router.get("/applications/{application_id}")
def get_application(application_id: int, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    application = reading.get_application(session, actor=user, application_id=application_id)
    return application_out(session, user, application)


@router.patch("/applications/{application_id}")
def update_application(
    application_id: int, body: ApplicationUpdateIn, user: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    application = applications.update_application(
        session, actor=user, application_id=application_id, changes=body.model_dump()
    )
    return application_out(session, user, application)


@router.post(
    "/applications/{application_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    response_model=AttachmentOut,
)
def add_attachment(
    application_id: int,
    file: UploadFile,
    user: CurrentUser,
    session: SessionDep,
    kind: Annotated[DocumentKind, Form()] = DocumentKind.other,
) -> AttachmentOut:
    attachment = applications.add_attachment(
        session,
        actor=user,
        application_id=application_id,
        filename=file.filename,
        stream=file.file,
        kind=kind,
    )
    return attachment_out(application_id, attachment)


@router.get("/applications/{application_id}/attachments/{attachment_id}")
def download_attachment(
    application_id: int, attachment_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    attachment, path = applications.open_attachment(
        session, actor=user, application_id=application_id, attachment_id=attachment_id
    )
    return file_response(path, filename=attachment.filename)


@router.post("/applications/{application_id}/submit")
def submit_application(
    application_id: int, user: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    application = applications.submit_application(
        session, actor=user, application_id=application_id
    )
    return application_out(session, user, application)


@router.post("/applications/{application_id}/withdraw")
def withdraw_application(
    application_id: int, user: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    application = applications.withdraw_application(
        session, actor=user, application_id=application_id
    )
    return application_out(session, user, application)


@router.post("/applications/{application_id}/assignments", status_code=status.HTTP_201_CREATED)
def assign(
    application_id: int, body: AssignmentIn, user: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    committee.assign_reviewers(
        session,
        actor=user,
        application_id=application_id,
        reviewer_id=body.reviewer_id,
        auto=body.auto,
        due_on=body.due_on,
    )
    application = reading.get_application(session, actor=user, application_id=application_id)
    return application_out(session, user, application)


@router.post("/applications/{application_id}/declaration")
def declare(
    application_id: int, body: DeclarationIn, user: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    assignment = committee.declare(
        session,
        actor=user,
        application_id=application_id,
        conflict=body.conflict,
        kind=body.kind,
        reason=body.reason,
    )
    return {
        "application_id": application_id,
        "conflict": assignment.conflict,
        "kind": assignment.conflict_kind,
        "declared_at": assignment.declared_at,
    }


@router.put("/applications/{application_id}/reviews/mine", response_model=ReviewOut)
def save_review(
    application_id: int, body: ReviewIn, user: CurrentUser, session: SessionDep
) -> ReviewOut:
    review = reviews.save_review(
        session,
        actor=user,
        application_id=application_id,
        scores=body.scores,
        comment=body.comment,
        recommendation=body.recommendation,
    )
    return review_out(review)


@router.get("/applications/{application_id}/reviews", response_model=Page[ReviewOut])
def list_reviews(application_id: int, user: CurrentUser, session: SessionDep) -> Page[ReviewOut]:
    found = reviews.list_reviews(session, actor=user, application_id=application_id)
    return Page(items=[review_out(r) for r in found], total=len(found))


@router.post("/applications/{application_id}/decision")
def decide(
    application_id: int, body: DecisionIn, user: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    application = decisions.decide(
        session,
        actor=user,
        application_id=application_id,
        decision=body.decision,
        reason=body.reason,
        reason_codes=body.reason_codes,
    )
    return application_out(session, user, application)


@router.post("/applications/{application_id}/appeal")
def appeal(
    application_id: int, body: AppealIn, user: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    application = applications.appeal(
        session, actor=user, application_id=application_id, statement=body.statement
    )
    return application_out(session, user, application)


@router.post("/applications/{application_id}/response-request")
def request_response(
    application_id: int, body: ResponseRequestIn, user: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    application = responses.request_response(
        session, actor=user, application_id=application_id, questions=body.questions
    )
    return application_out(session, user, application)


@router.post("/applications/{application_id}/response")
def respond(
    application_id: int, body: ResponseIn, user: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    application = responses.answer(
        session, actor=user, application_id=application_id, text=body.text
    )
    return application_out(session, user, application)


@router.get("/applications/{application_id}/discussion", response_model=Page[DiscussionPostOut])
def list_discussion(
    application_id: int, user: CurrentUser, session: SessionDep, paging: PagingDep
) -> Page[DiscussionPostOut]:
    posts, total = discussion.list_posts(
        session, actor=user, application_id=application_id, paging=paging
    )
    return Page(items=[DiscussionPostOut(**p._asdict()) for p in posts], total=total)


@router.post(
    "/applications/{application_id}/discussion",
    status_code=status.HTTP_201_CREATED,
    response_model=DiscussionPostOut,
)
def post_discussion(
    application_id: int, body: DiscussionPostIn, user: CurrentUser, session: SessionDep
) -> DiscussionPostOut:
    post = discussion.add_post(session, actor=user, application_id=application_id, text=body.text)
    return DiscussionPostOut(**post._asdict())


@router.get("/members", response_model=Page[MemberOut])
def members(
    session: SessionDep,
    paging: PagingDep,
    sector: Annotated[str | None, Query(max_length=40)] = None,
    region: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[MemberOut]:
    rows, total = register.register(session, sector=sector, region=region, paging=paging)
    today = date.today()
    return Page(
        items=[
            MemberOut(
                organisation_id=o.id,
                name=o.name,
                number=m.number,
                since=m.starts_on,
                status=m.effective_status(today).value,
                sector=o.sector,
                region=o.region,
                tier=m.tier,
            )
            for m, o in rows
        ],
        total=total,
    )


def membership_out(session: Session, membership: Membership) -> MembershipOut:
    from app.accounts.models import Organisation

    organisation = session.get(Organisation, membership.organisation_id)
    return MembershipOut(
        id=membership.id,
        organisation_id=membership.organisation_id,
        organisation_name=organisation.name if organisation else "",
        number=membership.number,
        since=membership.starts_on,
        expires_on=membership.expires_on,
        status=membership.effective_status(date.today()).value,
        status_reason=membership.status_reason,
        listed=membership.listed,
        verify_url=f"/verify/{membership.verify_code}",
    )


@router.get("/memberships", response_model=Page[MembershipOut])
def list_memberships(
    user: CurrentUser,
    session: SessionDep,
    paging: PagingDep,
    status_filter: Annotated[MembershipStatus | None, Query(alias="status")] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[MembershipOut]:
    rows, total = register.list_memberships(
        session, actor=user, status=status_filter, q=q, paging=paging
    )
    return Page(items=[membership_out(session, m) for m, _o in rows], total=total)


@router.get("/memberships/{membership_id}", response_model=MembershipOut)
def get_membership(membership_id: int, user: CurrentUser, session: SessionDep) -> MembershipOut:
    membership = register.get_membership(session, actor=user, membership_id=membership_id)
    return membership_out(session, membership)


def _change(
    session: Session, user: User, membership_id: int, to: MembershipStatus, reason: str | None
) -> MembershipOut:
    membership = register.change_membership_status(
        session, actor=user, membership_id=membership_id, to=to, reason=reason
    )
    return membership_out(session, membership)


@router.put("/memberships/{membership_id}/listing", response_model=MembershipOut)
def set_listing(
    membership_id: int, body: ListingIn, user: CurrentUser, session: SessionDep
) -> MembershipOut:
    membership = register.set_listing(
        session, actor=user, membership_id=membership_id, listed=body.listed
    )
    return membership_out(session, membership)


@router.post("/memberships/{membership_id}/suspend", response_model=MembershipOut)
def suspend_membership(
    membership_id: int, body: MembershipStatusIn, user: CurrentUser, session: SessionDep
) -> MembershipOut:
    return _change(session, user, membership_id, MembershipStatus.suspended, body.reason)


@router.post("/memberships/{membership_id}/reinstate", response_model=MembershipOut)
def reinstate_membership(
    membership_id: int, body: MembershipStatusIn, user: CurrentUser, session: SessionDep
) -> MembershipOut:
    return _change(session, user, membership_id, MembershipStatus.active, body.reason)


@router.post("/memberships/{membership_id}/revoke", response_model=MembershipOut)
def revoke_membership(
    membership_id: int, body: MembershipStatusIn, user: CurrentUser, session: SessionDep
) -> MembershipOut:
    return _change(session, user, membership_id, MembershipStatus.revoked, body.reason)
