"""The committee's side before the reviews: who may review an application (affiliations and
conflicts), assigning reviewers by hand or automatically, a new round after a resubmission, and
the reviewers' declarations of conflicts of interest."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload, selectinload

from app import audit
from app.accounts.models import (
    Organisation,
    OrganisationMember,
    OrganisationPerson,
    Role,
    User,
    UserRole,
)
from app.db import utcnow
from app.errors import Conflict, FieldError, NotFound
from app.i18n import N_, gettext
from app.membership import bidding, policies
from app.membership.assignment import (
    ApplicationIn,
    Interest,
    Pair,
    Problem,
    ReviewerIn,
    Unfilled,
    UnfilledReason,
    solve,
    topics_in,
)
from app.membership.kinds import ASSIGNMENT
from app.membership.models import (
    Application,
    ApplicationStatus,
    Assignment,
    PartyRelation,
    transition,
)
from app.membership.policies import Affiliations
from app.membership.queries import counts_toward_round, open_review
from app.membership.reading import get_application
from app.membership.reviews import review_settings
from app.notifications.service import notify


def with_affiliations(
    session: Session, *, user_ids: Collection[int] | None = None, role: Role = Role.committee
) -> list[tuple[User, Affiliations]]:
    """Active users with `role` (committee members by default), or the users `user_ids`
    whatever their roles, with the organisations they belong to (one statement) and the
    personal INNs of the people those organisations list (one more)."""
    statement = (
        select(User, Organisation.id, Organisation.inn)
        .outerjoin(OrganisationMember, OrganisationMember.user_id == User.id)
        .outerjoin(Organisation, Organisation.id == OrganisationMember.organisation_id)
        .options(lazyload(User.role_rows))
        .order_by(User.id)
    )
    if user_ids is None:
        # An IN list: the committee drives the lookup, not a scan of every user.
        holders = select(UserRole.user_id).where(UserRole.role == role)
        statement = statement.where(User.id.in_(holders), User.is_active.is_(True))
    else:
        statement = statement.where(User.id.in_(user_ids))
    users: dict[int, User] = {}
    ids: dict[int, set[int]] = {}
    inns: dict[int, set[str]] = {}
    for user, organisation_id, inn in session.execute(statement):
        users[user.id] = user
        if organisation_id is not None:
            ids.setdefault(user.id, set()).add(organisation_id)
            if inn is not None:  # a project has no INN yet
                inns.setdefault(user.id, set()).add(inn)
    people = _people_inns(session, {i for found in ids.values() for i in found})
    return [
        (user, _affiliations(user, ids.get(key, set()), inns.get(key, set()), people))
        for key, user in users.items()
    ]


def _people_inns(session: Session, organisation_ids: set[int]) -> dict[int, set[str]]:
    """The personal INNs of the people each organisation lists."""
    found: dict[int, set[str]] = {}
    if not organisation_ids:
        return found
    for organisation_id, inn in session.execute(
        select(OrganisationPerson.organisation_id, OrganisationPerson.inn).where(
            OrganisationPerson.organisation_id.in_(organisation_ids)
        )
    ):
        found.setdefault(organisation_id, set()).add(inn)
    return found


def _affiliations(
    user: User, ids: set[int], inns: set[str], people: dict[int, set[str]]
) -> Affiliations:
    return Affiliations(
        frozenset(ids),
        frozenset(inns),
        personal_inn=user.personal_inn,
        people_inns=frozenset(inn for i in ids for inn in people.get(i, ())),
    )


def affiliations_of(session: Session, user: User) -> Affiliations:
    """The organisations the user belongs to, and the people they list."""
    rows = session.execute(
        select(Organisation.id, Organisation.inn)
        .join(OrganisationMember, OrganisationMember.organisation_id == Organisation.id)
        .where(OrganisationMember.user_id == user.id)
    ).all()
    ids = {row.id for row in rows}
    return _affiliations(
        user, ids, {row.inn for row in rows if row.inn}, _people_inns(session, ids)
    )


class DerivedConflict(str):
    """A reason that is a conflict derived from people (reason code `derived_conflict`)."""

    code = policies.DERIVED_CONFLICT


def _affiliation_reason(application: Application, affiliations: Affiliations) -> str | None:
    """Why the organisations a reviewer belongs to keep them from this application, or None."""
    if application.organisation_id in affiliations.ids:
        return gettext("The reviewer belongs to the applying organisation.")
    relation = policies.party_conflict(application.parties, affiliations)
    if relation == PartyRelation.competitor:
        return gettext(
            "The reviewer belongs to an organisation the applicant named as a competitor."
        )
    if relation == PartyRelation.shareholder:
        return gettext(
            "The reviewer belongs to an organisation the applicant named as a shareholder."
        )
    link = policies.derived_link(application.applicant_people, affiliations)
    if link is not None:
        return DerivedConflict(policies.derived_reason(link))
    return None


def _blocked_reason(
    application: Application, reviewer: User, affiliations: Affiliations
) -> str | None:
    """Why a reviewer may not take this application, or None. Reviewers of an earlier round
    may take a later one (a resubmission goes back to them), except an appeal's."""
    reason = _affiliation_reason(application, affiliations)
    if reason is not None:
        return reason
    mine = [a for a in application.assignments if a.reviewer_id == reviewer.id]
    if any(a.conflict for a in mine):
        return gettext("The reviewer declared a conflict of interest.")
    if any(a.round == application.review_round for a in mine):
        return gettext("The reviewer is already assigned.")
    if mine and application.appealed_at is not None:
        return gettext("An appeal goes to reviewers who did not review the original.")
    return None


def assignable_reviewers(
    session: Session, application: Application
) -> list[tuple[User, str | None]]:
    """Committee members with the reason each one may not take the application (or None)."""
    return [
        (user, _blocked_reason(application, user, affiliations))
        for user, affiliations in with_affiliations(session)
    ]


def _open_reviews(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Assignment.reviewer_id, func.count(Assignment.id))
        .join(Application, Application.id == Assignment.application_id)
        .where(Application.status.in_(policies.WITH_COMMITTEE), open_review())
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
    up to the quorum by the optimal assignment of `auto_assign` for this one application
    (balanced open reviews first, then expertise and bids), skipping declared and detected
    conflicts and "unable" bidders. The first assignment starts the review."""
    policies.enforce(policies.assign_refusal(actor))
    application = get_application(session, actor=actor, application_id=application_id, lock=True)
    policies.enforce(policies.assign_refusal(actor, application))
    chosen: list[User] = []
    if auto:
        active = [a for a in application.assignments if counts_toward_round(application, a)]
        needed = review_settings().quorum - len(active)
        pool = with_affiliations(session)
        solution = solve(_problem(session, [application], pool, review_settings().quorum))
        users = {user.id: user for user, _affiliations in pool}
        chosen = [users[pair.reviewer_id] for pair in solution.pairs]
        if not chosen and needed > 0:
            raise Conflict(gettext("No committee member without a conflict is available."))
    else:
        found = [] if reviewer_id is None else with_affiliations(session, user_ids=[reviewer_id])
        reviewer, affiliations = found[0] if found else (None, Affiliations())
        if (
            reviewer is None
            or not reviewer.is_active
            or not reviewer.has_role(Role.committee, Role.chair)
        ):
            raise FieldError("reviewer_id", gettext("This user is not a committee member."))
        reason = _blocked_reason(application, reviewer, affiliations)
        if reason is not None:
            raise Conflict(reason, code=getattr(reason, "code", None))
        chosen = [reviewer]
    due = due_on or (date.today() + timedelta(days=14))
    return _persist(
        session, actor=actor, application=application, chosen=chosen, due=due, auto=auto
    )


def _persist(
    session: Session,
    *,
    actor: User,
    application: Application,
    chosen: list[User],
    due: date,
    auto: bool,
) -> list[Assignment]:
    """The assignments made, each with its audit row and the reviewer's notification; the first
    starts the review."""
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


def reopen_review(session: Session, application: Application) -> list[Assignment]:
    """A resubmitted application goes back to the reviewers of the round that asked for the
    changes, in a new round: each is told, declares again (the application has changed) and
    reviews again; the earlier reviews stay with the earlier round and no longer count.
    Reviewers who declared a conflict, left the committee or now belong to a party the
    applicant named are not carried over; with nobody carried over the application waits for
    an assignment."""
    previous = application.review_round
    application.review_round = previous + 1
    due = date.today() + timedelta(days=14)
    created = []
    for earlier in [a for a in application.assignments if a.round == previous and not a.conflict]:
        found = with_affiliations(session, user_ids=[earlier.reviewer_id])
        if not found:
            continue
        reviewer, affiliations = found[0]
        if (
            not reviewer.is_active
            or not reviewer.has_role(Role.committee, Role.chair)
            or _affiliation_reason(application, affiliations) is not None
        ):
            continue
        assignment = Assignment(
            reviewer_id=reviewer.id,
            round=application.review_round,
            due_on=due,
        )
        application.assignments.append(assignment)
        session.flush()
        created.append(assignment)
        audit.record(
            session,
            actor_id=None,
            action="application.reviewer_assigned",
            entity_type="membership_application",
            entity_id=application.id,
            data={"reviewer_id": reviewer.id, "round": application.review_round, "auto": True},
        )
        notify(
            session,
            recipient=reviewer,
            kind=ASSIGNMENT,
            template="membership/review_round",
            key=f"membership.assignment:{assignment.id}",
            context={"application_id": application.id, "due_on": due},
            link=f"/applications/{application.id}",
        )
    if created:
        transition(
            session,
            application,
            ApplicationStatus.under_review,
            actor=None,
            data={"round": application.review_round},
        )
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
    policies.enforce(policies.declaration_refusal(actor, application))
    assignment = policies.assignment_of(application, actor)
    assert assignment is not None  # declaration_refusal: the reviewer is assigned to this round
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


# --- Optimal assignment of many applications ------------------------------------------------------


def _problem(
    session: Session,
    applications: list[Application],
    pool: list[tuple[User, Affiliations]],
    per_application: int,
) -> Problem:
    """The assignment model of the applications: the committee's expertise, open reviews and
    bids; each application's sector (its organisation's), the reviewers' topics its summary,
    innovation and market mention, and every reviewer `_blocked_reason` keeps from it."""
    load = _open_reviews(session)
    expertise = bidding.expertise_by_user(session, [user.id for user, _a in pool])
    bids = bidding.bids_on(session, [application.id for application in applications])
    reviewers = tuple(
        ReviewerIn(
            id=user.id,
            sectors=frozenset(expertise[user.id].sectors) if user.id in expertise else frozenset(),
            topics=frozenset(t.casefold() for t in expertise[user.id].topics)
            if user.id in expertise
            else frozenset(),
            open_reviews=load.get(user.id, 0),
        )
        for user, _affiliations in pool
    )
    every_topic = {topic for reviewer in reviewers for topic in reviewer.topics}
    items = []
    for application in applications:
        active = [a for a in application.assignments if counts_toward_round(application, a)]
        text = " ".join((application.summary, application.innovation, application.market))
        items.append(
            ApplicationIn(
                id=application.id,
                needed=per_application - len(active),
                sector=application.organisation.sector,
                topics=topics_in(text, every_topic),
                blocked=frozenset(
                    user.id
                    for user, affiliations in pool
                    if _blocked_reason(application, user, affiliations) is not None
                ),
                bids={
                    reviewer_id: Interest(interest.value)
                    for reviewer_id, interest in bids.get(application.id, {}).items()
                },
            )
        )
    return Problem(tuple(items), reviewers)


@dataclass(frozen=True)
class AutoAssignment:
    """What `auto_assign` did: the pairs made and the solver's figures."""

    pairs: tuple[Pair, ...]
    objective: float
    bound: float
    optimal: bool
    unfilled: tuple[Unfilled, ...]


UNFILLED_REASONS = {
    UnfilledReason.no_reviewers: N_("No committee member may review it (conflicts, bids)."),
    UnfilledReason.too_few_eligible: N_(
        "Too few committee members may review it (conflicts, bids)."
    ),
    UnfilledReason.balance: N_("The balance of open reviews between reviewers leaves it short."),
}


def auto_assign(
    session: Session,
    *,
    actor: User,
    application_ids: list[int] | None,
    per_application: int,
    due_on: date | None = None,
) -> AutoAssignment:
    """The chair or staff assign reviewers to many applications at once, optimally (see
    `app.membership.assignment`): the chosen applications, or every submitted one waiting for
    reviewers. Each assignment is made as a single one is, with its audit row and notice."""
    policies.enforce(policies.assign_refusal(actor))
    statement = (
        select(Application)
        .options(
            selectinload(Application.organisation).selectinload(Organisation.people),
            selectinload(Application.assignments),
            selectinload(Application.parties),
        )
        .order_by(Application.id)
        .with_for_update(of=Application)
    )
    if application_ids is None:
        statement = statement.where(Application.status == ApplicationStatus.submitted)
    else:
        statement = statement.where(Application.id.in_(set(application_ids)))
    applications = list(session.scalars(statement))
    if application_ids is not None:
        if len(applications) != len(set(application_ids)):
            raise NotFound(gettext("Application not found."))
        for application in applications:
            policies.enforce(policies.assign_refusal(actor, application))
    pool = with_affiliations(session)
    solution = solve(_problem(session, applications, pool, per_application))
    users = {user.id: user for user, _affiliations in pool}
    chosen: dict[int, list[User]] = {}
    for pair in solution.pairs:
        chosen.setdefault(pair.application_id, []).append(users[pair.reviewer_id])
    due = due_on or (date.today() + timedelta(days=14))
    for application in applications:
        if chosen.get(application.id):
            _persist(
                session,
                actor=actor,
                application=application,
                chosen=chosen[application.id],
                due=due,
                auto=True,
            )
    return AutoAssignment(
        solution.pairs, solution.objective, solution.bound, solution.optimal, solution.unfilled
    )
