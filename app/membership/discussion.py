"""The committee's discussion of an application: chairs and the reviewers whose review counts
write in one thread (`policies.discussion_refusal`); the applicant never sees it. A thread is
read with its authors' names in one statement, however long it is."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import Role, User
from app.errors import FieldError
from app.i18n import gettext
from app.membership import policies
from app.membership.committee import affiliations_of, with_affiliations
from app.membership.kinds import DISCUSSION_POST
from app.membership.models import Application, DiscussionPost
from app.membership.reading import get_application
from app.notifications.service import notify
from app.pagination import Paging


class Post(NamedTuple):
    id: int
    author_id: int | None
    author_name: str | None
    text: str
    created_at: datetime


POST_LENGTH = 5000

_THREAD = (
    select(
        DiscussionPost.id,
        DiscussionPost.author_id,
        User.full_name,
        DiscussionPost.text,
        DiscussionPost.created_at,
    )
    .outerjoin(User, User.id == DiscussionPost.author_id)
    .order_by(DiscussionPost.id)
)


def thread(session: Session, application_id: int, paging: Paging | None = None) -> list[Post]:
    """The posts of an application's discussion, oldest first (the caller checked who reads)."""
    statement = _THREAD.where(DiscussionPost.application_id == application_id)
    if paging is not None:
        statement = statement.limit(paging.limit).offset(paging.offset)
    return [Post._make(row) for row in session.execute(statement)]


def _readable(session: Session, actor: User, application_id: int) -> Application:
    application = get_application(session, actor=actor, application_id=application_id)
    policies.enforce(
        policies.discussion_refusal(session, actor, application, affiliations_of(session, actor))
    )
    return application


def list_posts(
    session: Session, *, actor: User, application_id: int, paging: Paging
) -> tuple[list[Post], int]:
    application = _readable(session, actor, application_id)
    total = session.scalar(
        select(func.count(DiscussionPost.id)).where(DiscussionPost.application_id == application.id)
    )
    return thread(session, application.id, paging), total or 0


def add_post(session: Session, *, actor: User, application_id: int, text: str) -> Post:
    """The text is checked after who may post, so that the thread stays hidden (404) from
    whoever may not see it, whatever they send."""
    application = get_application(session, actor=actor, application_id=application_id, lock=True)
    policies.enforce(
        policies.post_refusal(session, actor, application, affiliations_of(session, actor))
    )
    if not text.strip() or len(text) > POST_LENGTH:
        raise FieldError("text", gettext("Write a message."))
    post = DiscussionPost(application_id=application.id, author_id=actor.id, text=text)
    session.add(post)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="application.discussion_post",
        entity_type="membership_application",
        entity_id=application.id,
        data={"post_id": post.id},
    )
    for reader in _other_readers(session, application, author=actor):
        notify(
            session,
            recipient=reader,
            kind=DISCUSSION_POST,
            template="membership/discussion_post",
            key=f"membership.discussion_post:{post.id}:{reader.id}",
            context={"organisation_name": application.organisation.name},
            link=f"/applications/{application.id}#discussion-title",
        )
    return Post(post.id, actor.id, actor.full_name, post.text, post.created_at)


def _other_readers(session: Session, application: Application, *, author: User) -> list[User]:
    """Who reads the thread besides the author (`policies.discussion_refusal`): the chairs and
    the reviewers of the application. They hear of a new post; its text stays on the portal."""
    reviewer_ids = [assignment.reviewer_id for assignment in application.assignments]
    candidates = {
        user.id: (user, affiliations)
        for user, affiliations in (
            *with_affiliations(session, role=Role.chair),
            *with_affiliations(session, user_ids=reviewer_ids),
        )
    }
    candidates.pop(author.id, None)
    return [
        user
        for user, affiliations in candidates.values()
        if policies.discussion_refusal(session, user, application, affiliations) is None
    ]
