"""What membership keeps about a person: their export, the release of the reviews they hold
when they leave, and the erasure of their name from what they wrote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.accounts.personal_data import (
    Traces,
)
from app.membership import policies
from app.membership.applications import SECTIONS
from app.membership.models import (
    Application,
    Assignment,
    Bid,
    DiscussionPost,
    Expertise,
    PartyRelation,
    ResponseRequest,
    Review,
    ReviewVersion,
)
from app.membership.reading import parties_of


def export_membership_data(session: Session, user: User) -> dict[str, Any]:
    """The applications the user made (without anything about their reviewers), the reviews
    and declarations the user wrote, a committee member's expertise and bids, the questions
    the user asked or answered and their posts in the committee's discussions."""
    applications = session.scalars(
        select(Application).where(Application.applicant_id == user.id).order_by(Application.id)
    ).all()
    assignments = session.scalars(
        select(Assignment).where(Assignment.reviewer_id == user.id).order_by(Assignment.id)
    ).all()
    expertise = session.get(Expertise, user.id)
    bids = session.scalars(select(Bid).where(Bid.reviewer_id == user.id).order_by(Bid.id)).all()
    exchanges = session.scalars(
        select(ResponseRequest)
        .where(
            (ResponseRequest.asked_by_id == user.id) | (ResponseRequest.answered_by_id == user.id)
        )
        .order_by(ResponseRequest.id)
    ).all()
    posts = session.scalars(
        select(DiscussionPost)
        .where(DiscussionPost.author_id == user.id)
        .order_by(DiscussionPost.id)
    ).all()
    return {
        "questions_asked": [
            {
                "application_id": r.application_id,
                "questions": r.questions,
                "at": r.asked_at.isoformat(),
            }
            for r in exchanges
            if r.asked_by_id == user.id
        ],
        "answers": [
            {
                "application_id": r.application_id,
                "questions": r.questions,
                "answer": r.answer,
                "at": r.answered_at.isoformat() if r.answered_at else None,
            }
            for r in exchanges
            if r.answered_by_id == user.id
        ],
        "discussion_posts": [
            {"application_id": p.application_id, "text": p.text, "at": p.created_at.isoformat()}
            for p in posts
        ],
        "expertise": {"sectors": list(expertise.sectors), "topics": list(expertise.topics)}
        if expertise
        else None,
        "bids": [
            {
                "application_id": b.application_id,
                "interest": str(b.interest),
                "at": b.updated_at.isoformat(),
            }
            for b in bids
        ],
        "applications": [
            {
                "id": a.id,
                "organisation_id": a.organisation_id,
                "status": str(a.status),
                **{name: getattr(a, name) for name in SECTIONS},
                "competitors": [p.inn for p in parties_of(a, PartyRelation.competitor)],
                "shareholders": [p.inn for p in parties_of(a, PartyRelation.shareholder)],
                "decision_reason": a.decision_reason,
                "appeal_statement": a.appeal_statement,
                "created_at": a.created_at.isoformat(),
                "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                "decided_at": a.decided_at.isoformat() if a.decided_at else None,
                "attachments": [{"filename": d.filename, "size": d.size} for d in a.attachments],
            }
            for a in applications
        ],
        "reviews": [
            {
                "application_id": a.application_id,
                "round": a.round,
                "assigned_at": a.created_at.isoformat(),
                "declared_at": a.declared_at.isoformat() if a.declared_at else None,
                "conflict": a.conflict,
                "conflict_kind": str(a.conflict_kind) if a.conflict_kind else None,
                "conflict_reason": a.conflict_reason,
                "scores": dict(a.review.scores) if a.review else None,
                "comment": a.review.comment if a.review else None,
                "recommendation": str(a.review.recommendation) if a.review else None,
                "earlier_versions": [
                    {
                        "scores": dict(v.scores),
                        "comment": v.comment,
                        "recommendation": v.recommendation,
                        "written_at": v.created_at.isoformat(),
                    }
                    for v in a.review.versions
                ]
                if a.review
                else [],
            }
            for a in assignments
        ],
    }


def release_open_reviews(session: Session, *, actor: User, user: User) -> None:
    """A leaving committee member's open review assignments (no review written, no conflict
    declared) are withdrawn, so that the application can be given to someone else."""
    open_assignments = session.scalars(
        select(Assignment)
        .join(Application, Application.id == Assignment.application_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(
            Assignment.reviewer_id == user.id,
            Application.status.in_(policies.WITH_COMMITTEE),
            Review.id.is_(None),
            Assignment.conflict.is_not(True),
        )
        .order_by(Assignment.id)
    ).all()
    for assignment in open_assignments:
        audit.record(
            session,
            actor_id=actor.id,
            action="application.reviewer_released",
            entity_type="membership_application",
            entity_id=assignment.application_id,
            data={"reviewer_id": user.id, "round": assignment.round},
        )
        session.delete(assignment)
    session.flush()


def erase_membership_texts(session: Session, *, user: User, traces: Traces) -> None:
    """The person's name, address or phone in what they wrote: their applications (the team
    section names people), appeals, decision reasons, reviews, conflict declarations, the
    questions they asked or answered and their posts in the committee's discussions."""
    texts = (*(getattr(Application, name) for name in SECTIONS), Application.appeal_statement)
    traces.scrub_rows(session, Application.applicant_id == user.id, *texts)
    traces.scrub_rows(session, Application.decided_by_id == user.id, Application.decision_reason)
    traces.scrub_rows(session, Assignment.reviewer_id == user.id, Assignment.conflict_reason)
    mine = select(Assignment.id).where(Assignment.reviewer_id == user.id)
    traces.scrub_rows(session, Review.assignment_id.in_(mine), Review.comment)
    my_reviews = select(Review.id).where(Review.assignment_id.in_(mine))
    traces.scrub_rows(session, ReviewVersion.review_id.in_(my_reviews), ReviewVersion.comment)
    traces.scrub_rows(session, ResponseRequest.asked_by_id == user.id, ResponseRequest.questions)
    traces.scrub_rows(session, ResponseRequest.answered_by_id == user.id, ResponseRequest.answer)
    traces.scrub_rows(session, DiscussionPost.author_id == user.id, DiscussionPost.text)
    session.flush()
