"""Membership applications, committee review, decisions, appeals and the register."""

from __future__ import annotations

import re
import secrets
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, Protocol

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Connection,
    bindparam,
    func,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.orm import (
    Session,
    aliased,
    immediateload,
    joinedload,
    lazyload,
    selectinload,
)
from sqlalchemy.sql.base import ExecutableOption

from app import audit
from app.accounts.identifiers import is_valid_inn
from app.accounts.models import (
    Organisation,
    OrganisationKind,
    OrganisationMember,
    Role,
    User,
    UserRole,
)
from app.accounts.personal_data import register_exporter
from app.accounts.policies import is_organisation_member, is_organisation_owner
from app.config import get_settings
from app.db import session_scope, utcnow
from app.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from app.i18n import N_, gettext
from app.membership import policies
from app.membership.models import (
    EDITABLE_STATUSES,
    GRACE_PERIOD,
    Application,
    ApplicationEvent,
    ApplicationParty,
    ApplicationStatus,
    Assignment,
    Attachment,
    ConflictKind,
    Membership,
    MembershipStatus,
    PartyRelation,
    Review,
    ReviewVersion,
    transition,
    transition_membership,
)
from app.membership.queries import is_member_organisation
from app.notifications.kinds import register_kind
from app.notifications.service import notify
from app.verification import VerifiedRecord, register_resolver
from app.vocab import sector_label

SECTIONS = ("summary", "innovation", "market", "team", "funding_needs")
CRITERIA = ("innovation", "team", "market", "cluster_fit")

APPEAL_DAYS = 30
RENEWAL_NOTICE_DAYS = 30
QUEUES = ("to_declare", "to_review", "reviewed", "overdue")
HIGH_DISAGREEMENT = 2.0
PDF_MAGIC = b"%PDF-"
_PG_NUMBER_LOCK = 0x6D656D62  # "memb"

DECISION = register_kind("membership.decision", N_("Membership decisions"), essential=True)
ASSIGNMENT = register_kind("membership.assignment", N_("Applications to review"))
STATUS_CHANGE = register_kind(
    "membership.status", N_("Changes to the membership status"), essential=True
)
RENEWAL = register_kind("membership.renewal", N_("Membership renewal invitations"))
REVIEW_OVERDUE = register_kind("membership.review_overdue", N_("Overdue reviews"))


@dataclass(frozen=True)
class ReviewSettings:
    weights: dict[str, float]
    quorum: int
    term_days: int


def review_settings() -> ReviewSettings:
    """The rubric weights, the quorum and the membership term (`PORTAL_MEMBERSHIP_*`)."""
    settings = get_settings()
    return ReviewSettings(
        weights=dict(settings.membership_weights),
        quorum=settings.membership_quorum,
        term_days=settings.membership_term_days,
    )


# --- Reading ------------------------------------------------------------------------------------

_REVIEWER = joinedload(Assignment.reviewer).lazyload(User.role_rows)
# `immediateload` links each review to its assignment from the identity map as it is loaded (no
# SQL): the reviews then outlive the application they came with without a query each.
_REVIEW_TO_ASSIGNMENT = immediateload(Review.assignment)

# What showing one application needs, in four statements: the application with its organisation
# and its assignments (reviewers and reviews joined), then its documents, timeline and parties.
APPLICATION_LOAD: tuple[ExecutableOption, ...] = (
    joinedload(Application.organisation),
    selectinload(Application.attachments),
    selectinload(Application.events),
    selectinload(Application.parties),
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


class ShownAssignment(policies.ReviewerSlot, Protocol):
    """What the views show of an assignment (an `Assignment`, or an `AssignmentRow`)."""

    @property
    def id(self) -> int: ...
    @property
    def reviewer_name(self) -> str: ...
    @property
    def due_on(self) -> date | None: ...
    @property
    def declared(self) -> bool: ...
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


class ShownEvent(Protocol):
    @property
    def to_status(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class SubmittedReview(NamedTuple):
    scores: dict[str, int]


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


class EventRow(NamedTuple):
    to_status: str
    created_at: datetime


@dataclass(slots=True)
class Card:
    """An application as the views show it. Lists read cards from plain rows in a fixed number
    of statements (ORM entities cost several times more); `card_of` makes one of a loaded
    `Application`, so that one function renders both."""

    id: int
    organisation_id: int
    organisation_name: str
    organisation_inn: str
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
    assignments: Sequence[ShownAssignment] = ()
    documents: Sequence[ShownDocument] = ()
    events: Sequence[ShownEvent] = ()
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
        assignments=application.assignments,
        documents=application.attachments,
        events=application.events,
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
    )
    .join(User, User.id == Assignment.reviewer_id)
    .outerjoin(Review, Review.assignment_id == Assignment.id)
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
    )
    .where(Attachment.application_id.in_(_IDS))
    .order_by(Attachment.id)
)
_EVENT_ROWS = (
    select(ApplicationEvent.application_id, ApplicationEvent.to_status, ApplicationEvent.created_at)
    .where(ApplicationEvent.application_id.in_(_IDS))
    .order_by(ApplicationEvent.id)
)
_PARTY_ROWS = (
    select(ApplicationParty.application_id, ApplicationParty.relation, ApplicationParty.inn)
    .where(ApplicationParty.application_id.in_(_IDS))
    .order_by(ApplicationParty.id)
)


def _name_or_inn_matches(q: str) -> Any:
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
    mine = (
        select(Assignment.application_id)
        .join(current, current.id == Assignment.application_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(
            Assignment.reviewer_id == actor.id,
            Assignment.round == current.review_round,
            Assignment.conflict.is_not(True),
        )
    )
    if queue == "to_declare":
        mine = mine.where(Assignment.declared_at.is_(None))
    elif queue == "to_review":
        mine = mine.where(Assignment.declared_at.is_not(None), Review.id.is_(None))
    elif queue == "reviewed":
        mine = mine.where(Review.id.is_not(None))
    else:
        mine = mine.where(Review.id.is_(None), Assignment.due_on < date.today())
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
    limit: int = 50,
    offset: int = 0,
    details: bool = True,
) -> tuple[list[Card], int]:
    """Chair and staff see all; committee members their assignments; everyone their own.
    Filters: status, the organisation's sector, region and name (or INN), and for a reviewer
    the state of their own assignment in the current round (`queue`: to_declare, to_review,
    reviewed, overdue). At most six statements whatever the page size; `details=False` leaves
    out the documents, timelines and named parties (for views that do not show them)."""
    conditions: list[ColumnElement[bool]] = []
    by_organisation = bool(sector or region or q)
    if sector:
        conditions.append(Organisation.sector == sector)
    if region:
        conditions.append(Organisation.region == region)
    if q:
        conditions.append(_name_or_inn_matches(q))
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
    # The page's ids are sorted first and joined afterwards: the joins then run for the rows of
    # the page only, not for every matching application.
    page = matching.order_by(*newest_first).limit(limit).offset(offset).subquery()
    # Plain rows on the session's connection: no ORM entities, so no ORM result machinery.
    connection = session.connection()
    rows = connection.execute(
        _CARDS.join(page, page.c.id == Application.id).order_by(*newest_first)
    ).all()
    total = connection.scalar(select(func.count()).select_from(matching.subquery())) or 0
    ids = [row.id for row in rows]
    assignments = _assignment_rows(connection, ids) if ids else {}
    documents = _document_rows(connection, ids) if ids and details else {}
    events = _event_rows(connection, ids) if ids and details else {}
    parties = _party_rows(connection, ids) if ids and details else {}
    cards = [
        Card(
            **row._asdict(),
            assignments=assignments.get(row.id, ()),
            documents=documents.get(row.id, ()),
            events=events.get(row.id, ()),
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
        scores = row[-1]
        review = None if scores is None else SubmittedReview(scores)
        found.setdefault(row[0], []).append(AssignmentRow._make((*row[1:-1], review)))
    return found


# --- The applicant's side ------------------------------------------------------------------------


def _own_application(session: Session, actor: User, application_id: int) -> Application:
    application = get_application(session, actor=actor, application_id=application_id, lock=True)
    if not policies.is_applicant(session, actor, application):
        raise Forbidden(gettext("Only the applying organisation's owner may do this."))
    return application


def create_application(session: Session, *, actor: User, values: dict[str, Any]) -> Application:
    """The owner of a small or medium company applies; one open application per organisation,
    none while the organisation is already a member."""
    organisation = session.get(Organisation, values["organisation_id"])
    if organisation is None or not is_organisation_member(session, actor, organisation.id):
        raise NotFound(gettext("Organisation not found."))
    if not is_organisation_owner(session, actor, organisation.id):
        raise Forbidden(gettext("Only the organisation's owner may apply for membership."))
    if organisation.kind != OrganisationKind.sme:
        raise Conflict(gettext("Large companies and investors join by staff verification."))
    if is_member_organisation(session, organisation.id) and not renewal_due(
        membership_of(session, organisation.id)
    ):
        raise Conflict(gettext("This organisation is already a member of the cluster."))
    session.execute(
        select(Organisation.id).where(Organisation.id == organisation.id).with_for_update()
    )
    if _open_application_id(session, organisation.id) is not None:
        raise Conflict(gettext("This organisation already has an open application."))
    application = Application(
        organisation_id=organisation.id,
        open_organisation_id=organisation.id,
        applicant_id=actor.id,
        status=ApplicationStatus.draft,
        **{name: values.get(name) or "" for name in SECTIONS},
    )
    session.add(application)
    session.flush()
    _set_parties(session, application, values)
    audit.record(
        session,
        actor_id=actor.id,
        action="application.created",
        entity_type="membership_application",
        entity_id=application.id,
        data={"organisation_id": organisation.id},
    )
    return application


def renewal_due(membership: Membership | None, today: date | None = None) -> bool:
    """A member may apply again (renew) from 30 days before the expiry and in the grace
    period; suspended and revoked memberships are not renewed this way."""
    if membership is None or membership.status != MembershipStatus.active:
        return False
    today = today or date.today()
    return membership.expires_on - timedelta(days=RENEWAL_NOTICE_DAYS) <= today


PARTY_FIELDS = {"competitors": PartyRelation.competitor, "shareholders": PartyRelation.shareholder}


def _resolve_party(
    session: Session, field_name: str, reference: int | str, application: Application
) -> tuple[str, int | None]:
    """An organisation named by its portal number or by its INN; an INN not (yet) on the
    portal is kept as given."""
    text_value = str(reference).strip()
    if not text_value.isdigit() or not text_value.isascii():
        raise FieldError(field_name, gettext("Name organisations by their INN or portal number."))
    if len(text_value) in (10, 12):
        if not is_valid_inn(text_value):
            raise FieldError(field_name, gettext("The INN %(inn)s is not valid.", inn=text_value))
        organisation = session.scalar(select(Organisation).where(Organisation.inn == text_value))
        inn, organisation_id = text_value, organisation.id if organisation else None
    else:
        organisation = session.get(Organisation, int(text_value))
        if organisation is None:
            raise FieldError(
                field_name,
                gettext("No organisation has the number %(number)s.", number=text_value),
            )
        inn, organisation_id = organisation.inn, organisation.id
    if organisation_id == application.organisation_id:
        raise FieldError(field_name, gettext("Do not name your own organisation."))
    return inn, organisation_id


def _set_parties(session: Session, application: Application, values: dict[str, Any]) -> list[str]:
    """Replace the competitors and shareholders the applicant named (each list that is given);
    returns the names of the lists that were given."""
    changed = []
    for field_name, relation in PARTY_FIELDS.items():
        references = values.get(field_name)
        if references is None:
            continue
        changed.append(field_name)
        resolved: dict[str, int | None] = {}
        for reference in references:
            inn, organisation_id = _resolve_party(session, field_name, reference, application)
            resolved[inn] = organisation_id
        for party in [p for p in application.parties if p.relation == relation]:
            application.parties.remove(party)
        session.flush()
        for inn, organisation_id in resolved.items():
            application.parties.append(
                ApplicationParty(relation=relation, inn=inn, organisation_id=organisation_id)
            )
        session.flush()
    return changed


def parties_of(application: Application, relation: PartyRelation) -> list[ApplicationParty]:
    return [p for p in application.parties if p.relation == relation]


def _open_application_id(session: Session, organisation_id: int) -> int | None:
    return session.scalar(
        select(Application.id).where(Application.open_organisation_id == organisation_id)
    )


def update_application(
    session: Session, *, actor: User, application_id: int, changes: dict[str, Any]
) -> Application:
    """The owner edits while the application is a draft or changes were requested; else 409."""
    application = _own_application(session, actor, application_id)
    if application.status not in EDITABLE_STATUSES:
        raise Conflict(gettext("The application can no longer be edited."))
    changed = sorted(name for name in SECTIONS if changes.get(name) is not None)
    for name in changed:
        setattr(application, name, changes[name])
    changed += _set_parties(session, application, changes)
    application.updated_at = utcnow()
    audit.record(
        session,
        actor_id=actor.id,
        action="application.updated",
        entity_type="membership_application",
        entity_id=application.id,
        data={"fields": changed},
    )
    session.flush()
    return application


def submit_application(session: Session, *, actor: User, application_id: int) -> Application:
    """Every section must be filled in before the committee sees the application."""
    application = _own_application(session, actor, application_id)
    for name in SECTIONS:
        if not getattr(application, name).strip():
            raise FieldError(name, gettext("Fill in this section before submitting."))
    transition(session, application, ApplicationStatus.submitted, actor=actor)
    application.submitted_at = utcnow()
    session.flush()
    return application


def withdraw_application(session: Session, *, actor: User, application_id: int) -> Application:
    application = _own_application(session, actor, application_id)
    transition(session, application, ApplicationStatus.withdrawn, actor=actor)
    return application


def _upload_dir() -> Path:
    folder = get_settings().upload_dir / "membership"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _clean_filename(name: str | None) -> str:
    base = re.split(r"[/\\]", name or "")[-1]  # a Windows path's backslashes too
    base = re.sub(r"[^\w.\- ]+", "_", base, flags=re.UNICODE).strip(" .") or "document"
    if not base.lower().endswith(".pdf"):
        base += ".pdf"
    return base[-120:]


def add_attachment(
    session: Session, *, actor: User, application_id: int, filename: str | None, stream: BinaryIO
) -> Attachment:
    """PDF only, recognised by its first bytes, at most `max_upload_bytes`; stored under a
    server-generated name outside the web root."""
    application = _own_application(session, actor, application_id)
    if application.status not in EDITABLE_STATUSES:
        raise Conflict(gettext("The application can no longer be edited."))
    limit = get_settings().max_upload_bytes
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(gettext("The file is larger than 10 MB."))
    if not content.startswith(PDF_MAGIC):
        raise UnsupportedMediaType(gettext("Only PDF documents can be attached."))
    stored_name = f"{secrets.token_hex(16)}.pdf"
    (_upload_dir() / stored_name).write_bytes(content)
    attachment = Attachment(
        application_id=application.id,
        filename=_clean_filename(filename),
        stored_name=stored_name,
        size=len(content),
        uploaded_by_id=actor.id,
    )
    session.add(attachment)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="application.attachment_added",
        entity_type="membership_application",
        entity_id=application.id,
        data={"attachment_id": attachment.id, "size": attachment.size},
    )
    return attachment


def _log_refusal(actor: User, application: Application, action: str) -> None:
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


def open_attachment(
    session: Session, *, actor: User, application_id: int, attachment_id: int
) -> tuple[Attachment, Path]:
    """Documents open to the applicant, chair and staff, and reviewers who declared no conflict;
    a recused reviewer's attempt is refused and logged."""
    application = get_application(session, actor=actor, application_id=application_id)
    attachment = next((a for a in application.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound(gettext("Document not found."))
    if not policies.can_open_documents(session, actor, application):
        if policies.is_recused(application, actor):
            _log_refusal(actor, application, "application.documents_refused")
            raise Forbidden(gettext("You declared a conflict of interest and are recused."))
        raise Forbidden(gettext("Declare your conflicts of interest before opening documents."))
    path = _upload_dir() / attachment.stored_name
    if not path.is_file():
        raise NotFound(gettext("Document not found."))
    return attachment, path


def appeal(session: Session, *, actor: User, application_id: int, statement: str) -> Application:
    """Once, within 30 days of the rejection; the appeal goes to reviewers who did not review
    the original."""
    application = _own_application(session, actor, application_id)
    if application.status != ApplicationStatus.rejected:
        raise Conflict(gettext("Only a rejected application can be appealed."))
    if application.appealed_at is not None:
        raise Conflict(gettext("This application has already been appealed."))
    if application.decided_at is None or utcnow() - application.decided_at > timedelta(
        days=APPEAL_DAYS
    ):
        raise Conflict(gettext("The 30 days for an appeal have passed."))
    other = _open_application_id(session, application.organisation_id)
    if other is not None:
        raise Conflict(gettext("This organisation already has an open application."))
    application.appeal_statement = statement
    application.appealed_at = utcnow()
    application.review_round += 1
    transition(
        session, application, ApplicationStatus.submitted, actor=actor, data={"appeal": True}
    )
    return application


def can_appeal(application: Card) -> bool:
    return (
        application.status == ApplicationStatus.rejected
        and application.appealed_at is None
        and application.decided_at is not None
        and utcnow() - application.decided_at <= timedelta(days=APPEAL_DAYS)
    )


# --- Assignments and declarations -----------------------------------------------------------------


@dataclass(frozen=True)
class Affiliations:
    """The organisations a user belongs to, by id and by INN."""

    ids: frozenset[int] = frozenset()
    inns: frozenset[str] = frozenset()


def _reviewers(session: Session, *, user_id: int | None = None) -> list[tuple[User, Affiliations]]:
    """Active committee members (or the one user `user_id`, whatever their roles) with the
    organisations they belong to, in one statement."""
    statement = (
        select(User, Organisation.id, Organisation.inn)
        .outerjoin(OrganisationMember, OrganisationMember.user_id == User.id)
        .outerjoin(Organisation, Organisation.id == OrganisationMember.organisation_id)
        .options(lazyload(User.role_rows))
        .order_by(User.id)
    )
    if user_id is None:
        # An IN list: the committee drives the lookup, not a scan of every user.
        committee = select(UserRole.user_id).where(UserRole.role == Role.committee)
        statement = statement.where(User.id.in_(committee), User.is_active.is_(True))
    else:
        statement = statement.where(User.id == user_id)
    users: dict[int, User] = {}
    ids: dict[int, set[int]] = {}
    inns: dict[int, set[str]] = {}
    for user, organisation_id, inn in session.execute(statement):
        users[user.id] = user
        if organisation_id is not None:
            ids.setdefault(user.id, set()).add(organisation_id)
            inns.setdefault(user.id, set()).add(inn)
    return [
        (user, Affiliations(frozenset(ids.get(key, ())), frozenset(inns.get(key, ()))))
        for key, user in users.items()
    ]


def _blocked_reason(
    application: Application, reviewer: User, affiliations: Affiliations
) -> str | None:
    """Why a reviewer may not take this application, or None."""
    if application.organisation_id in affiliations.ids:
        return gettext("The reviewer belongs to the applying organisation.")
    relation = _party_conflict(application, affiliations)
    if relation == PartyRelation.competitor:
        return gettext(
            "The reviewer belongs to an organisation the applicant named as a competitor."
        )
    if relation == PartyRelation.shareholder:
        return gettext(
            "The reviewer belongs to an organisation the applicant named as a shareholder."
        )
    for assignment in application.assignments:
        if assignment.reviewer_id != reviewer.id:
            continue
        if assignment.conflict:
            return gettext("The reviewer declared a conflict of interest.")
        if assignment.round == application.review_round:
            return gettext("The reviewer is already assigned.")
        return gettext("An appeal goes to reviewers who did not review the original.")
    return None


def _party_conflict(application: Application, affiliations: Affiliations) -> PartyRelation | None:
    """The relation of a named party the reviewer belongs to (matched by id or by INN)."""
    for party in application.parties:
        if party.inn in affiliations.inns or (
            party.organisation_id is not None and party.organisation_id in affiliations.ids
        ):
            return PartyRelation(party.relation)
    return None


def assignable_reviewers(
    session: Session, application: Application
) -> list[tuple[User, str | None]]:
    """Committee members with the reason each one may not take the application (or None)."""
    return [
        (user, _blocked_reason(application, user, affiliations))
        for user, affiliations in _reviewers(session)
    ]


def _open_reviews(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Assignment.reviewer_id, func.count(Assignment.id))
        .join(Application, Application.id == Assignment.application_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(
            Application.status.in_([ApplicationStatus.submitted, ApplicationStatus.under_review]),
            Review.id.is_(None),
            Assignment.conflict.is_not(True),
        )
        .group_by(Assignment.reviewer_id)
    ).all()
    return {reviewer_id: count for reviewer_id, count in rows}


def assign_reviewers(
    session: Session,
    *,
    actor: User,
    application_id: int,
    reviewer_id: int | None = None,
    auto: bool = False,
    due_on: date | None = None,
) -> list[Assignment]:
    """Staff or the chair assign by hand or automatically. Automatic assignment fills the round
    up to the quorum with the committee members who have the fewest open reviews, skipping
    declared and detected conflicts. The first assignment starts the review."""
    if not actor.has_role(Role.chair, Role.staff, Role.admin):
        raise Forbidden(gettext("Only the chair or cluster staff assign reviewers."))
    application = get_application(session, actor=actor, application_id=application_id, lock=True)
    if application.status not in (ApplicationStatus.submitted, ApplicationStatus.under_review):
        raise Conflict(gettext("Reviewers are assigned to submitted applications only."))
    chosen: list[User] = []
    if auto:
        active = [
            a
            for a in application.assignments
            if a.round == application.review_round and not a.conflict
        ]
        needed = review_settings().quorum - len(active)
        load = _open_reviews(session)
        candidates = [
            user
            for user, affiliations in _reviewers(session)
            if _blocked_reason(application, user, affiliations) is None
        ]
        candidates.sort(key=lambda user: (load.get(user.id, 0), user.id))
        chosen = candidates[: max(needed, 0)]
        if not chosen and needed > 0:
            raise Conflict(gettext("No committee member without a conflict is available."))
    else:
        found = _reviewers(session, user_id=reviewer_id) if reviewer_id is not None else []
        reviewer, affiliations = found[0] if found else (None, Affiliations())
        if (
            reviewer is None
            or not reviewer.is_active
            or not reviewer.has_role(Role.committee, Role.chair)
        ):
            raise FieldError("reviewer_id", gettext("This user is not a committee member."))
        reason = _blocked_reason(application, reviewer, affiliations)
        if reason is not None:
            raise Conflict(reason)
        chosen = [reviewer]
    due = due_on or (date.today() + timedelta(days=14))
    created = []
    for reviewer in chosen:
        assignment = Assignment(
            reviewer_id=reviewer.id,
            round=application.review_round,
            assigned_by_id=actor.id,
            due_on=due,
        )
        application.assignments.append(assignment)
        session.flush()
        created.append(assignment)
        audit.record(
            session,
            actor_id=actor.id,
            action="application.reviewer_assigned",
            entity_type="membership_application",
            entity_id=application.id,
            data={"reviewer_id": reviewer.id, "round": application.review_round, "auto": auto},
        )
        notify(
            session,
            recipient=reviewer,
            kind=ASSIGNMENT,
            template="membership/assignment",
            key=f"membership.assignment:{assignment.id}",
            context={"application_id": application.id, "due_on": due},
            link=f"/applications/{application.id}",
        )
    if created and application.status == ApplicationStatus.submitted:
        transition(session, application, ApplicationStatus.under_review, actor=actor)
    return created


def declare(
    session: Session,
    *,
    actor: User,
    application_id: int,
    conflict: bool,
    kind: str | None = None,
    reason: str | None = None,
) -> Assignment:
    """An assigned reviewer declares once; a conflict recuses them from documents and reviews
    and takes them out of the quorum."""
    application = get_application(session, actor=actor, application_id=application_id, lock=True)
    assignment = policies.assignment_of(application, actor)
    if assignment is None:
        raise NotFound(gettext("You are not assigned to this application."))
    if assignment.declared_at is not None:
        raise Conflict(gettext("You have already made your declaration."))
    assignment.declared_at = utcnow()
    assignment.conflict = conflict
    if conflict:
        assignment.conflict_kind = kind  # type: ignore[assignment]
        assignment.conflict_reason = reason
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="application.recused" if conflict else "application.declared_no_conflict",
        entity_type="membership_application",
        entity_id=application.id,
        data={"kind": kind} if conflict else {},
    )
    return assignment


# --- Reviews --------------------------------------------------------------------------------------


def _rubric(weights: dict[str, float]) -> tuple[tuple[float, ...], float]:
    """The weight of each criterion and their sum."""
    factors = tuple(weights.get(name, 0.0) for name in CRITERIA)
    return factors, sum(factors) or 1.0


def _weigh(scores: dict[str, int], factors: tuple[float, ...], total: float) -> float:
    return round(
        sum(scores[name] * factor for name, factor in zip(CRITERIA, factors, strict=True)) / total,
        2,
    )


def weighted_score(scores: dict[str, int], weights: dict[str, float] | None = None) -> float:
    return _weigh(scores, *_rubric(weights or review_settings().weights))


def save_review(
    session: Session,
    *,
    actor: User,
    application_id: int,
    scores: dict[str, int],
    comment: str,
    recommendation: str,
) -> Review:
    """Assigned reviewers who declared no conflict review while the application is under review;
    each edit keeps the previous text as a version."""
    application = get_application(session, actor=actor, application_id=application_id, lock=True)
    assignment = policies.assignment_of(application, actor)
    if assignment is None:
        if policies.is_recused(application, actor):
            raise Forbidden(gettext("You declared a conflict of interest and are recused."))
        raise Forbidden(gettext("You are not assigned to review this application."))
    if assignment.conflict:
        raise Forbidden(gettext("You declared a conflict of interest and are recused."))
    if assignment.declared_at is None:
        raise Forbidden(gettext("Declare your conflicts of interest before reviewing."))
    if application.status != ApplicationStatus.under_review:
        raise Conflict(gettext("The application is not under review."))
    review = assignment.review
    now = utcnow()
    if review is None:
        review = Review(
            scores=dict(scores), comment=comment, recommendation=recommendation, submitted_at=now
        )
        assignment.review = review
        action = "review.submitted"
    else:
        review.versions.append(
            ReviewVersion(
                scores=dict(review.scores),
                comment=review.comment,
                recommendation=str(review.recommendation),
                created_at=review.updated_at,
            )
        )
        review.scores = dict(scores)
        review.comment = comment
        review.recommendation = recommendation  # type: ignore[assignment]
        action = "review.updated"
    review.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action=action,
        entity_type="membership_application",
        entity_id=application.id,
        data={"review_id": review.id},
    )
    return review


def list_reviews(session: Session, *, actor: User, application_id: int) -> list[Review]:
    """Chair and staff; reviewers only after submitting their own; never the recused. Each
    review comes with its assignment, reviewer and versions (three statements in all)."""
    application = get_application(
        session, actor=actor, application_id=application_id, load=REVIEWS_LOAD
    )
    if not policies.can_read_reviews(session, actor, application):
        if policies.is_recused(application, actor):
            _log_refusal(actor, application, "application.reviews_refused")
            raise Forbidden(gettext("You declared a conflict of interest and are recused."))
        if policies.sees_review_work(session, actor, application):
            raise Forbidden(gettext("Submit your own review first."))
        raise NotFound(gettext("Application not found."))
    return [a.review for a in application.assignments if a.review is not None and not a.conflict]


def counted_reviews(application: policies.Reviewable[Any]) -> list[policies.Scored]:
    """The reviews of the current round by reviewers without a conflict."""
    return [
        a.review
        for a in application.assignments
        if a.round == application.review_round and a.conflict is False and a.review is not None
    ]


@dataclass(frozen=True)
class Aggregate:
    reviews: int
    quorum: int
    weighted_mean: float | None
    median: float | None
    disagreement: float | None
    high_disagreement: bool


def aggregate(application: policies.Reviewable[Any]) -> Aggregate:
    config = review_settings()
    factors, total = _rubric(config.weights)
    values = [_weigh(r.scores, factors, total) for r in counted_reviews(application)]
    if not values:
        return Aggregate(0, config.quorum, None, None, None, False)
    spread = round(max(values) - min(values), 2)
    return Aggregate(
        len(values),
        config.quorum,
        round(statistics.fmean(values), 2),
        round(statistics.median(values), 2),
        spread,
        spread >= HIGH_DISAGREEMENT,
    )


# --- Decisions and memberships ------------------------------------------------------------------


def decide(
    session: Session,
    *,
    actor: User,
    application_id: int,
    decision: str,
    reason: str,
    reason_codes: Iterable[str] = (),
) -> Application:
    """The one place a committee decision happens: a chair, after the quorum of non-conflicted
    reviews, with a reason. The row lock makes concurrent decisions queue; the second finds the
    application decided and gets 409. Approval grants the membership; the applicant gets the
    letter in their language."""
    if not actor.has_role(Role.chair):
        raise Forbidden(gettext("Only the committee chair decides."))
    application = get_application(session, actor=actor, application_id=application_id, lock=True)
    if application.status != ApplicationStatus.under_review:
        raise Conflict(gettext("The application is not under review."))
    config = review_settings()
    if len(counted_reviews(application)) < config.quorum:
        raise Conflict(
            gettext(
                "The decision needs %(quorum)s reviews without a conflict of interest.",
                quorum=config.quorum,
            )
        )
    target = ApplicationStatus(decision)
    transition(session, application, target, actor=actor, data={"reason_codes": list(reason_codes)})
    application.decision_reason = reason
    application.decision_codes = list(reason_codes)
    application.decided_by_id = actor.id
    application.decided_at = utcnow()
    membership = None
    if target == ApplicationStatus.approved:
        membership = grant_membership(session, actor=actor, application=application)
    session.flush()
    applicant = session.get(User, application.applicant_id) if application.applicant_id else None
    if applicant is not None:
        notify(
            session,
            recipient=applicant,
            kind=DECISION,
            template="membership/decision",
            key=f"membership.decision:{application.id}:{application.review_round}",
            context={
                "organisation_name": application.organisation.name,
                "decision": target.value,
                "reason": reason,
                "number": membership.number if membership else None,
                "expires_on": membership.expires_on if membership else None,
                "can_appeal": target == ApplicationStatus.rejected
                and application.appealed_at is None,
            },
            link=f"/applications/{application.id}",
        )
    return application


def _next_number(session: Session, year: int) -> str:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_NUMBER_LOCK})
    prefix = f"CL-{year}-"
    numbers = session.scalars(select(Membership.number).where(Membership.number.like(f"{prefix}%")))
    highest = max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{highest + 1:04d}"


def grant_membership(session: Session, *, actor: User, application: Application) -> Membership:
    """A number like CL-2026-0042, today as the start, expiry after the configured term; an
    organisation that was a member before keeps its number and is renewed."""
    today = date.today()
    term = timedelta(days=review_settings().term_days)
    membership = session.scalar(
        select(Membership).where(Membership.organisation_id == application.organisation_id)
    )
    if membership is None:
        membership = Membership(
            organisation_id=application.organisation_id,
            number=_next_number(session, today.year),
            verify_code=secrets.token_urlsafe(15),
            starts_on=today,
            expires_on=today + term,
            application_id=application.id,
        )
        session.add(membership)
    else:
        # A renewal before the expiry extends the term; after a lapse the membership restarts.
        if membership.expires_on >= today and membership.status == MembershipStatus.active:
            membership.expires_on = membership.expires_on + term
        else:
            membership.starts_on = today
            membership.expires_on = today + term
        membership.status = MembershipStatus.active
        membership.status_reason = None
        membership.application_id = application.id
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="membership.granted",
        entity_type="membership",
        entity_id=membership.id,
        data={"application_id": application.id, "number": membership.number},
    )
    return membership


def membership_of(session: Session, organisation_id: int) -> Membership | None:
    return session.scalar(select(Membership).where(Membership.organisation_id == organisation_id))


def get_membership(session: Session, *, actor: User, membership_id: int) -> Membership:
    """Staff see every membership; the organisation's people see their own; else 404."""
    membership = session.get(Membership, membership_id)
    if membership is None or not (
        actor.is_staff or is_organisation_member(session, actor, membership.organisation_id)
    ):
        raise NotFound(gettext("Membership not found."))
    return membership


def _owners(session: Session, organisation_id: int) -> list[User]:
    from app.accounts.models import OrganisationRole

    return list(
        session.scalars(
            select(User)
            .join(OrganisationMember, OrganisationMember.user_id == User.id)
            .where(
                OrganisationMember.organisation_id == organisation_id,
                OrganisationMember.role == OrganisationRole.owner,
            )
            .order_by(User.id)
        )
    )


def change_membership_status(
    session: Session,
    *,
    actor: User,
    membership_id: int,
    to: MembershipStatus,
    reason: str | None = None,
) -> Membership:
    """Staff suspend (with a reason), lift a suspension, or revoke (with a reason; final).
    The organisation's owners are told, in their language."""
    if not actor.is_staff:
        raise Forbidden(gettext("Only cluster staff change a membership's status."))
    statement = (
        select(Membership)
        .where(Membership.id == membership_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    membership = session.scalar(statement)
    if membership is None:
        raise NotFound(gettext("Membership not found."))
    if to in (MembershipStatus.suspended, MembershipStatus.revoked) and not (reason or "").strip():
        raise FieldError("reason", gettext("Give a reason."))
    transition_membership(session, membership, to, actor=actor, reason=reason)
    organisation = session.get(Organisation, membership.organisation_id)
    for owner in _owners(session, membership.organisation_id):
        notify(
            session,
            recipient=owner,
            kind=STATUS_CHANGE,
            template="membership/status_changed",
            key=f"membership.status:{membership.id}:{to.value}:{membership.status_changed_at}",
            context={
                "organisation_name": organisation.name if organisation else "",
                "number": membership.number,
                "status": to.value,
                "reason": reason,
            },
            link=f"/members/{membership.organisation_id}/certificate",
        )
    return membership


def set_listing(session: Session, *, actor: User, membership_id: int, listed: bool) -> Membership:
    """The public register is opt-in per organisation: its owner (or staff) decides whether the
    membership is listed; verification by code works either way."""
    membership = get_membership(session, actor=actor, membership_id=membership_id)
    if not (actor.is_staff or is_organisation_owner(session, actor, membership.organisation_id)):
        raise Forbidden(gettext("Only the organisation's owner decides on the public listing."))
    if membership.listed != listed:
        membership.listed = listed
        audit.record(
            session,
            actor_id=actor.id,
            action="membership.listed" if listed else "membership.unlisted",
            entity_type="membership",
            entity_id=membership.id,
        )
        session.flush()
    return membership


def list_memberships(
    session: Session,
    *,
    actor: User,
    status: MembershipStatus | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[Membership, Organisation]], int]:
    """Staff's list of every membership, one page and the total; `status` is the effective
    status (see `Membership.effective_status`)."""
    if not actor.is_staff:
        raise Forbidden(gettext("Only cluster staff see every membership."))
    conditions: list[ColumnElement[bool]] = []
    if q:
        conditions.append(
            _name_or_inn_matches(q) | Membership.number.like(f"%{q.strip().upper()}%")
        )
    if status is not None:
        conditions.append(_effective_status_is(status, date.today()))
    statement = (
        select(Membership, Organisation)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(*conditions)
    )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.execute(statement.order_by(Membership.number).limit(limit).offset(offset)).all()
    return [(m, o) for m, o in rows], total


def _effective_status_is(status: MembershipStatus, today: date) -> ColumnElement[bool]:
    """`Membership.effective_status(today) == status` as SQL."""
    if status in (MembershipStatus.suspended, MembershipStatus.revoked):
        return Membership.status == status
    running = Membership.status == MembershipStatus.active
    if status == MembershipStatus.active:
        return running & (Membership.expires_on >= today)
    if status == MembershipStatus.grace:
        return running & Membership.expires_on.between(today - GRACE_PERIOD, today - timedelta(1))
    return running & (Membership.expires_on < today - GRACE_PERIOD)


def register(
    session: Session,
    *,
    sector: str | None = None,
    region: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[Membership, Organisation]], int]:
    """Listed members whose membership is live (active or in grace), in name order; nothing
    private."""
    live = (
        Membership.listed.is_(True),
        Membership.status == MembershipStatus.active,
        Membership.expires_on >= date.today() - timedelta(days=30),
    )
    listed = aliased(Organisation)
    of_organisation = [
        condition
        for wanted, condition in (
            (sector, listed.sector == sector),
            (region, listed.region == region),
        )
        if wanted
    ]
    # The page is found by walking the organisations in name order (an index) and keeping those
    # with a live membership, which stops after one page; joining first would sort every member.
    page = (
        select(listed.id)
        .where(
            select(Membership.id).where(Membership.organisation_id == listed.id, *live).exists(),
            *of_organisation,
        )
        .order_by(listed.name, listed.id)
        .limit(limit)
        .offset(offset)
    )
    rows = session.execute(
        select(Membership, Organisation)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Organisation.id.in_(page))
        .order_by(Organisation.name, Organisation.id)
    ).all()
    # Without a filter on the organisation the count needs no join (half the time).
    counted = select(func.count()).select_from(Membership).where(*live)
    if of_organisation:
        counted = counted.join(listed, listed.id == Membership.organisation_id).where(
            *of_organisation
        )
    return [(m, o) for m, o in rows], session.scalar(counted) or 0


@register_resolver("membership")
def resolve_membership(session: Session, code: str) -> VerifiedRecord | None:
    """Public proof of membership: holder, number, live status and dates; nothing private."""
    membership = session.scalar(select(Membership).where(Membership.verify_code == code))
    if membership is None:
        return None
    organisation = session.get(Organisation, membership.organisation_id)
    status = membership.effective_status(date.today())
    return VerifiedRecord(
        kind=gettext("Cluster membership"),
        holder=organisation.name if organisation else "",
        number=membership.number,
        status=status.value,
        status_label=status.label,
        valid_from=membership.starts_on,
        valid_until=membership.expires_on,
        details=[(gettext("Sector"), sector_label(organisation.sector))] if organisation else [],
    )


# --- Personal data ------------------------------------------------------------------------------


@register_exporter("membership")
def export_membership_data(session: Session, user: User) -> dict[str, Any]:
    """The applications the user made (without anything about their reviewers) and the reviews
    and declarations the user wrote."""
    applications = session.scalars(
        select(Application).where(Application.applicant_id == user.id).order_by(Application.id)
    ).all()
    assignments = session.scalars(
        select(Assignment).where(Assignment.reviewer_id == user.id).order_by(Assignment.id)
    ).all()
    return {
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
