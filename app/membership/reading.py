"""Reading applications: one with what its page shows, and the lists as cards read from plain
rows in a fixed number of statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Connection,
    bindparam,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session, aliased, immediateload, joinedload, selectinload
from sqlalchemy.sql.base import ExecutableOption

from app import audit
from app.accounts.models import Organisation, OrganisationMember, User
from app.db import session_scope
from app.errors import NotFound
from app.i18n import gettext
from app.membership import calibration, policies
from app.membership.models import (
    Application,
    ApplicationEvent,
    ApplicationParty,
    ApplicationStatus,
    Assignment,
    Attachment,
    ConflictKind,
    Membership,
    PartyRelation,
    ResponseRequest,
    Review,
    RubricVersion,
    criteria_weights,
)
from app.membership.queries import (
    counted_review,
    counting_assignment,
    membership_of,
    open_review,
    overdue_review,
)
from app.membership.shapes import ReviewerSlot
from app.pagination import Paging

QUEUES = ("to_declare", "to_review", "reviewed", "overdue")

_REVIEWER = joinedload(Assignment.reviewer).lazyload(User.role_rows)
# `immediateload` links each review to its assignment from the identity map as it is loaded (no
# SQL): the reviews then outlive the application they came with without a query each.
_REVIEW_TO_ASSIGNMENT = immediateload(Review.assignment)

# What showing one application needs, in four statements: the application with its organisation,
# the chair's questions (rarely more than one or two) and its assignments (reviewers and reviews
# joined), then its documents, timeline and parties.
APPLICATION_LOAD: tuple[ExecutableOption, ...] = (
    # The organisation's people: the conflicts derived from them (in the same statement).
    joinedload(Application.organisation).joinedload(Organisation.people),
    selectinload(Application.attachments),
    selectinload(Application.events),
    selectinload(Application.parties),
    joinedload(Application.response_requests),
    joinedload(Application.assignments).options(
        _REVIEWER, joinedload(Assignment.review).options(_REVIEW_TO_ASSIGNMENT)
    ),
)
# What listing its reviews needs: the assignments, reviewers and reviews with the earlier
# versions of each review (two statements).
REVIEWS_LOAD: tuple[ExecutableOption, ...] = (
    joinedload(Application.assignments).options(
        _REVIEWER,
        joinedload(Assignment.review).options(_REVIEW_TO_ASSIGNMENT, selectinload(Review.versions)),
    ),
)


def get_application(
    session: Session,
    *,
    actor: User,
    application_id: int,
    lock: bool = False,
    load: Sequence[ExecutableOption] = APPLICATION_LOAD,
) -> Application:
    """The application if the actor may see it (else 404); `lock` takes the row lock, `load`
    says what to load with it otherwise."""
    statement = select(Application).where(Application.id == application_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    else:
        statement = statement.options(*load)
    application = session.execute(statement).unique().scalar_one_or_none()
    if application is None or not policies.can_view_application(session, actor, application):
        raise NotFound(gettext("Application not found."))
    return application


class ShownAssignment(ReviewerSlot, Protocol):
    """What the views show of an assignment (an `Assignment`, or an `AssignmentRow`)."""

    @property
    def id(self) -> int: ...
    @property
    def reviewer_name(self) -> str: ...
    @property
    def conflict_kind(self) -> ConflictKind | None: ...


class ShownDocument(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def filename(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def kind(self) -> str: ...


class ShownEvent(Protocol):
    @property
    def to_status(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class ShownResponse(Protocol):
    """The chair's questions and the applicant's answer, as everyone who sees the application
    sees them (nobody's name)."""

    @property
    def id(self) -> int: ...
    @property
    def questions(self) -> str: ...
    @property
    def asked_at(self) -> datetime: ...
    @property
    def answer(self) -> str | None: ...
    @property
    def answered_at(self) -> datetime | None: ...


class SubmittedReview(NamedTuple):
    scores: dict[str, int]
    weighted_score: float
    weights: dict[str, float]


class AssignmentRow(NamedTuple):
    id: int
    reviewer_id: int
    reviewer_name: str
    round: int
    due_on: date | None
    declared: bool
    conflict: bool | None
    conflict_kind: ConflictKind | None
    review: SubmittedReview | None


class DocumentRow(NamedTuple):
    id: int
    filename: str
    size: int
    created_at: datetime
    kind: str


class EventRow(NamedTuple):
    to_status: str
    created_at: datetime


class ResponseRow(NamedTuple):
    id: int
    questions: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None


@dataclass(slots=True)
class Card:
    """An application as the views show it. Lists read cards from plain rows in a fixed number
    of statements (ORM entities cost several times more); `card_of` makes one of a loaded
    `Application`, so that one function renders both."""

    id: int
    organisation_id: int
    organisation_name: str
    organisation_inn: str | None
    organisation_sector: str
    organisation_region: str
    applicant_id: int | None
    status: ApplicationStatus
    summary: str
    innovation: str
    market: str
    team: str
    funding_needs: str
    decision_reason: str | None
    review_round: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    appealed_at: datetime | None
    membership_number: str | None
    track: str = "membership"
    assignments: Sequence[ShownAssignment] = ()
    documents: Sequence[ShownDocument] = ()
    events: Sequence[ShownEvent] = ()
    response_requests: Sequence[ShownResponse] = ()
    competitors: list[str] = field(default_factory=list)
    shareholders: list[str] = field(default_factory=list)


def card_of(session: Session, application: Application) -> Card:
    """The card of a loaded application; the membership number is read once it is approved."""
    organisation = application.organisation
    membership = (
        membership_of(session, application.organisation_id)
        if application.status == ApplicationStatus.approved
        else None
    )
    return Card(
        id=application.id,
        organisation_id=application.organisation_id,
        organisation_name=organisation.name,
        organisation_inn=organisation.inn,
        organisation_sector=organisation.sector,
        organisation_region=organisation.region,
        applicant_id=application.applicant_id,
        status=application.status,
        summary=application.summary,
        innovation=application.innovation,
        market=application.market,
        team=application.team,
        funding_needs=application.funding_needs,
        decision_reason=application.decision_reason,
        review_round=application.review_round,
        created_at=application.created_at,
        updated_at=application.updated_at,
        submitted_at=application.submitted_at,
        decided_at=application.decided_at,
        appealed_at=application.appealed_at,
        membership_number=membership.number if membership else None,
        track=application.track,
        assignments=application.assignments,
        documents=application.attachments,
        events=application.events,
        response_requests=application.response_requests,
        competitors=[p.inn for p in parties_of(application, PartyRelation.competitor)],
        shareholders=[p.inn for p in parties_of(application, PartyRelation.shareholder)],
    )


# The statements of the list, built once: only the columns the views show.
_CARDS = (
    select(
        Application.id,
        Application.organisation_id,
        Organisation.name.label("organisation_name"),
        Organisation.inn.label("organisation_inn"),
        Organisation.sector.label("organisation_sector"),
        Organisation.region.label("organisation_region"),
        Application.applicant_id,
        Application.status,
        Application.summary,
        Application.innovation,
        Application.market,
        Application.team,
        Application.funding_needs,
        Application.decision_reason,
        Application.review_round,
        Application.created_at,
        Application.updated_at,
        Application.submitted_at,
        Application.decided_at,
        Application.appealed_at,
        Membership.number.label("membership_number"),
        Application.track,
    )
    .join(Organisation, Organisation.id == Application.organisation_id)
    .outerjoin(
        Membership,
        (Membership.organisation_id == Application.organisation_id)
        & (Application.status == ApplicationStatus.approved),
    )
)
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_ASSIGNMENT_ROWS = (
    select(
        Assignment.application_id,
        Assignment.id,
        Assignment.reviewer_id,
        User.full_name,
        Assignment.round,
        Assignment.due_on,
        Assignment.declared_at.is_not(None),
        Assignment.conflict,
        Assignment.conflict_kind,
        Review.scores,
        Review.weighted_score,
        RubricVersion.criteria,
    )
    .join(User, User.id == Assignment.reviewer_id)
    .outerjoin(Review, Review.assignment_id == Assignment.id)
    .outerjoin(RubricVersion, RubricVersion.id == Review.rubric_version_id)
    .where(Assignment.application_id.in_(_IDS))
    .order_by(Assignment.id)
)
_DOCUMENT_ROWS = (
    select(
        Attachment.application_id,
        Attachment.id,
        Attachment.filename,
        Attachment.size,
        Attachment.created_at,
        Attachment.kind,
    )
    .where(Attachment.application_id.in_(_IDS))
    .order_by(Attachment.id)
)
_EVENT_ROWS = (
    select(ApplicationEvent.application_id, ApplicationEvent.to_status, ApplicationEvent.created_at)
    .where(ApplicationEvent.application_id.in_(_IDS))
    .order_by(ApplicationEvent.id)
)
_RESPONSE_ROWS = (
    select(
        ResponseRequest.application_id,
        ResponseRequest.id,
        ResponseRequest.questions,
        ResponseRequest.asked_at,
        ResponseRequest.answer,
        ResponseRequest.answered_at,
    )
    .where(ResponseRequest.application_id.in_(_IDS))
    .order_by(ResponseRequest.id)
)
_PARTY_ROWS = (
    select(ApplicationParty.application_id, ApplicationParty.relation, ApplicationParty.inn)
    .where(ApplicationParty.application_id.in_(_IDS))
    .order_by(ApplicationParty.id)
)


def name_or_inn_matches(q: str) -> Any:
    """Case-insensitive search of an organisation's name, or its INN. SQLite's lower() folds
    only ASCII, so the usual spellings of a Cyrillic query are tried as well."""
    text_value = q.strip()
    spellings = {text_value, text_value.lower(), text_value.upper(), text_value.capitalize()}
    return or_(
        func.lower(Organisation.name).like(f"%{text_value.lower()}%"),
        *(Organisation.name.like(f"%{spelling}%") for spelling in sorted(spellings)),
        Organisation.inn.like(f"%{text_value}%"),
    )


def _queue_condition(actor: User, queue: str) -> ColumnElement[bool]:
    """The applications in a reviewer's queue: the state of their own assignment in the
    current round."""
    current = aliased(Application)
    state: ColumnElement[bool]
    if queue == "to_declare":
        state = counting_assignment(current) & Assignment.declared_at.is_(None)
    elif queue == "to_review":
        state = open_review(current) & Assignment.declared_at.is_not(None)
    elif queue == "reviewed":
        state = counted_review(current)
    else:
        state = overdue_review(date.today(), current)
    mine = (
        select(Assignment.application_id)
        .join(current, current.id == Assignment.application_id)
        .where(Assignment.reviewer_id == actor.id, state)
    )
    if queue == "reviewed":
        return Application.id.in_(mine)
    return Application.id.in_(mine) & (Application.status == ApplicationStatus.under_review)


def _visible_application_ids(actor: User) -> CompoundSelect[int]:
    """Applications a user made, of their organisations, or assigned to them for review: a
    union of three index lookups (an OR of them makes PostgreSQL read every application)."""
    own = select(OrganisationMember.organisation_id).where(OrganisationMember.user_id == actor.id)
    return union(
        select(Application.id).where(Application.applicant_id == actor.id),
        select(Application.id).where(Application.organisation_id.in_(own)),
        select(Assignment.application_id).where(Assignment.reviewer_id == actor.id),
    )


def list_applications(
    session: Session,
    *,
    actor: User,
    status: ApplicationStatus | None = None,
    sector: str | None = None,
    region: str | None = None,
    q: str | None = None,
    queue: str | None = None,
    paging: Paging = Paging(50, 0),
    details: bool = True,
    sort: str | None = None,
) -> tuple[list[Card], int]:
    """Chair and staff see all; committee members their assignments; everyone their own.
    Filters: status, the organisation's sector, region and name (or INN), and for a reviewer
    the state of their own assignment in the current round (`queue`: to_declare, to_review,
    reviewed, overdue). At most seven statements whatever the page size; `details=False` leaves
    out the documents, timelines, named parties and questions (for views that do not show them).
    The chair and staff may order by normalised mean (`sort="normalised_mean"`, highest first)."""
    conditions: list[ColumnElement[bool]] = []
    by_organisation = bool(sector or region or q)
    if sector:
        conditions.append(Organisation.sector == sector)
    if region:
        conditions.append(Organisation.region == region)
    if q:
        conditions.append(name_or_inn_matches(q))
    if queue in QUEUES:
        conditions.append(_queue_condition(actor, queue))
    if not policies.is_overseer(actor):
        conditions.append(Application.id.in_(_visible_application_ids(actor)))
    if status is not None:
        conditions.append(Application.status == status)
    newest_first = (Application.updated_at.desc(), Application.id.desc())
    matching = select(Application.id)
    if by_organisation:
        matching = matching.join(Organisation, Organisation.id == Application.organisation_id)
    matching = matching.where(*conditions)
    # Plain rows on the session's connection: no ORM entities, so no ORM result machinery.
    connection = session.connection()
    if sort == "normalised_mean" and policies.is_overseer(actor):
        # Scores are normalised in Python: every matching id is ranked, the page is cut after.
        ranked = calibration.by_normalised_mean(
            session, list(session.scalars(matching.order_by(*newest_first)))
        )
        total = len(ranked)
        chosen = ranked[paging.offset : paging.offset + paging.limit]
        position = {application_id: n for n, application_id in enumerate(chosen)}
        rows = sorted(
            connection.execute(_CARDS.where(Application.id.in_(chosen))).all(),
            key=lambda row: position[row.id],
        )
    else:
        # The page's ids are sorted first and joined afterwards: the joins then run for the
        # rows of the page only, not for every matching application.
        page = matching.order_by(*newest_first).limit(paging.limit).offset(paging.offset).subquery()
        rows = list(
            connection.execute(
                _CARDS.join(page, page.c.id == Application.id).order_by(*newest_first)
            )
        )
        total = connection.scalar(select(func.count()).select_from(matching.subquery())) or 0
    ids = [row.id for row in rows]
    assignments = _assignment_rows(connection, ids) if ids else {}
    documents = _document_rows(connection, ids) if ids and details else {}
    events = _event_rows(connection, ids) if ids and details else {}
    parties = _party_rows(connection, ids) if ids and details else {}
    responses = _response_rows(connection, ids) if ids and details else {}
    cards = [
        Card(
            **row._asdict(),
            assignments=assignments.get(row.id, ()),
            documents=documents.get(row.id, ()),
            events=events.get(row.id, ()),
            response_requests=responses.get(row.id, ()),
            competitors=parties.get((row.id, PartyRelation.competitor), []),
            shareholders=parties.get((row.id, PartyRelation.shareholder), []),
        )
        for row in rows
    ]
    return cards, total


def _document_rows(
    connection: Connection, application_ids: list[int]
) -> dict[int, list[DocumentRow]]:
    found: dict[int, list[DocumentRow]] = {}
    for row in connection.execute(_DOCUMENT_ROWS, {"ids": application_ids}).all():
        found.setdefault(row[0], []).append(DocumentRow._make(row[1:]))
    return found


def _event_rows(connection: Connection, application_ids: list[int]) -> dict[int, list[EventRow]]:
    found: dict[int, list[EventRow]] = {}
    for row in connection.execute(_EVENT_ROWS, {"ids": application_ids}).all():
        found.setdefault(row[0], []).append(EventRow._make(row[1:]))
    return found


def _response_rows(
    connection: Connection, application_ids: list[int]
) -> dict[int, list[ResponseRow]]:
    found: dict[int, list[ResponseRow]] = {}
    for row in connection.execute(_RESPONSE_ROWS, {"ids": application_ids}).all():
        found.setdefault(row[0], []).append(ResponseRow._make(row[1:]))
    return found


def _party_rows(
    connection: Connection, application_ids: list[int]
) -> dict[tuple[int, str], list[str]]:
    """The INNs the applicants named, by application and relation."""
    found: dict[tuple[int, str], list[str]] = {}
    for application_id, relation, inn in connection.execute(
        _PARTY_ROWS, {"ids": application_ids}
    ).all():
        found.setdefault((application_id, relation), []).append(inn)
    return found


def _assignment_rows(
    connection: Connection, application_ids: list[int]
) -> dict[int, list[AssignmentRow]]:
    """The assignments of many applications with their reviewers' names and review scores."""
    found: dict[int, list[AssignmentRow]] = {}
    for row in connection.execute(_ASSIGNMENT_ROWS, {"ids": application_ids}).all():
        *head, scores, weighted, criteria = row
        review = (
            None
            if scores is None or criteria is None
            else SubmittedReview(scores, weighted, criteria_weights(criteria))
        )
        found.setdefault(row[0], []).append(AssignmentRow._make((*head[1:], review)))
    return found


def parties_of(application: Application, relation: PartyRelation) -> list[ApplicationParty]:
    return [p for p in application.parties if p.relation == relation]


def log_refusal(actor: User, application: Application, action: str) -> None:
    """A recused reviewer's attempt is logged in its own transaction: the request itself fails
    and rolls back."""
    with session_scope() as log_session:
        audit.record(
            log_session,
            actor_id=actor.id,
            action=action,
            entity_type="membership_application",
            entity_id=application.id,
        )
