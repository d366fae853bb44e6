"""Who may see or act on membership applications and memberships, each question answered once
by role, relation and state together. A record the user may not see is a 404.

A question the services enforce has a `*_refusal` function returning the error to raise (or
None), and a `can_*` predicate for the pages; `application_actions` and `membership_actions`
give a page every action it may offer.

The rules read an application through the small protocols of `shapes`, so that they hold alike
for a loaded `Application` and for the cards that lists read without ORM entities
(`reading.Card`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import (
    Organisation,
    OrganisationKind,
    OrganisationMember,
    PersonRole,
    Role,
    User,
)
from app.accounts.organisations import organisations_of
from app.accounts.policies import is_organisation_member, is_organisation_owner
from app.db import utcnow
from app.errors import Conflict, DomainError, FieldError, Forbidden, NotFound
from app.i18n import gettext
from app.membership.models import (
    EDITABLE_STATUSES,
    MEMBERSHIP_TRANSITIONS,
    OPEN_STATUSES,
    Application,
    ApplicationStatus,
    MembershipStatus,
    PartyRelation,
    Track,
    refused_move,
)
from app.membership.queries import is_counted, is_member
from app.membership.shapes import (
    Appealable,
    Decidable,
    HeldMembership,
    NamedParty,
    NamedPerson,
    Reviewable,
    SlotT,
    Stateful,
)

OVERSEERS = (Role.chair, Role.staff, Role.admin)
# The staff of the cluster: they keep the register of memberships.
STAFF = (Role.staff, Role.admin)
APPEAL_DAYS = 30
# The reason code of a conflict of interest derived from people (API.md, "The committee").
DERIVED_CONFLICT = "derived_conflict"
# The states in which the committee has the application: reviewers are assigned, and it waits
# for a decision (or for the applicant's answer to the chair's questions first).
WITH_COMMITTEE = (
    ApplicationStatus.submitted,
    ApplicationStatus.under_review,
    ApplicationStatus.response_requested,
)
# The states in which the committee discusses an application.
DISCUSSED = (ApplicationStatus.under_review, ApplicationStatus.response_requested)


@dataclass(frozen=True)
class Affiliations:
    """The organisations a user belongs to, by id and by INN; the user's personal INN and the
    personal INNs of the people their organisations list (`people_inns`)."""

    ids: frozenset[int] = frozenset()
    inns: frozenset[str] = frozenset()
    personal_inn: str | None = None
    people_inns: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PersonLink:
    """A conflict derived from people: a person the applicant lists is the user themself
    (`own_inn`) or is also listed by one of the user's organisations."""

    person: NamedPerson
    own_inn: bool


def derived_link(people: Iterable[NamedPerson], affiliations: Affiliations) -> PersonLink | None:
    """The first person of the applicant's list linked to the user, or None."""
    for person in people:
        if affiliations.personal_inn is not None and person.inn == affiliations.personal_inn:
            return PersonLink(person, own_inn=True)
        if person.inn in affiliations.people_inns:
            return PersonLink(person, own_inn=False)
    return None


def derived_reason(link: PersonLink, *, chair: bool = False) -> str:
    """Why a derived link is a conflict, naming the person and their role (for chairs and staff
    only: they may see an organisation's people)."""
    values = {"name": link.person.full_name, "role": PersonRole(link.person.role).label}
    if link.own_inn and chair:
        text = gettext(
            "Your personal INN is that of %(name)s, listed by the applicant as %(role)s, "
            "so another chair decides."
        )
    elif link.own_inn:
        text = gettext(
            "The reviewer's personal INN is that of %(name)s, listed by the applicant as %(role)s."
        )
    elif chair:
        text = gettext(
            "Your organisation lists %(name)s, whom the applicant lists as %(role)s, "
            "so another chair decides."
        )
    else:
        text = gettext(
            "The reviewer's organisation lists %(name)s, whom the applicant lists as %(role)s."
        )
    return text % values


def is_overseer(user: User) -> bool:
    """Chair, staff and admins see every application and every review."""
    return user.has_role(*OVERSEERS)


def assignment_of(application: Reviewable[SlotT], user: User) -> SlotT | None:
    """The user's assignment in the application's current review round."""
    for assignment in application.assignments:
        if assignment.reviewer_id == user.id and assignment.round == application.review_round:
            return assignment
    return None


def any_assignment_of(application: Reviewable[SlotT], user: User) -> SlotT | None:
    for assignment in application.assignments:
        if assignment.reviewer_id == user.id:
            return assignment
    return None


def is_applicant(session: Session, user: User, application: Reviewable[Any]) -> bool:
    return application.applicant_id == user.id or is_organisation_owner(
        session, user, application.organisation_id
    )


def is_recused(application: Reviewable[Any], user: User) -> bool:
    return any(a.reviewer_id == user.id and a.conflict for a in application.assignments)


def _recused() -> Forbidden:
    return Forbidden(gettext("You declared a conflict of interest and are recused."))


# --- Seeing ---------------------------------------------------------------------------------------


def can_view_application(session: Session, user: User, application: Reviewable[Any]) -> bool:
    if is_overseer(user) or any_assignment_of(application, user) is not None:
        return True
    return is_applicant(session, user, application)


def sees_review_work(session: Session, user: User, application: Reviewable[Any]) -> bool:
    """Only the committee side sees assignments and aggregates; the applicant never does, even
    when they also hold a committee role."""
    if is_organisation_member(session, user, application.organisation_id):
        return False
    return is_overseer(user) or any_assignment_of(application, user) is not None


def can_open_documents(session: Session, user: User, application: Reviewable[Any]) -> bool:
    """Reviewers open the documents only after declaring no conflict."""
    if is_applicant(session, user, application) or is_overseer(user):
        return True
    assignment = any_assignment_of(application, user)
    return (
        assignment is not None
        and assignment.conflict is False
        and not is_recused(application, user)
    )


def documents_refusal(
    session: Session, user: User, application: Reviewable[Any]
) -> Forbidden | None:
    if can_open_documents(session, user, application):
        return None
    if is_recused(application, user):
        return _recused()
    return Forbidden(gettext("Declare your conflicts of interest before opening documents."))


def can_view_reviews(session: Session, user: User, application: Reviewable[Any]) -> bool:
    """Chair and staff always; a reviewer only once their own review of this round is in."""
    if is_organisation_member(session, user, application.organisation_id):
        return False
    if is_overseer(user):
        return True
    if is_recused(application, user):
        return False
    assignment = assignment_of(application, user)
    return assignment is not None and assignment.review is not None


def reviews_refusal(
    session: Session, user: User, application: Reviewable[Any]
) -> DomainError | None:
    """Never the recused; a reviewer who has not reviewed yet is told to; anyone else does not
    see that there is review work (404)."""
    if can_view_reviews(session, user, application):
        return None
    if is_recused(application, user):
        return _recused()
    if sees_review_work(session, user, application):
        return Forbidden(gettext("Submit your own review first."))
    return NotFound(gettext("Application not found."))


@dataclass(frozen=True)
class ApplicationsView:
    """How the list of applications is shown to a user. `board`: every application, with the
    filters by organisation, the aggregates and the CSV export (chair and staff); `queue`: the
    reviewer's own part of the review (committee members)."""

    board: bool
    queue: bool


def applications_view(user: User) -> ApplicationsView:
    return ApplicationsView(board=is_overseer(user), queue=user.has_role(Role.committee))


# --- The parts of the workspace ---------------------------------------------------------------


def follows_an_application(session: Session, user: User) -> bool:
    """The applicant's part: the user made, or belongs to the organisation of, an application
    that is not yet decided or withdrawn."""
    own = select(OrganisationMember.organisation_id).where(OrganisationMember.user_id == user.id)
    found = session.scalar(
        select(Application.id)
        .where(
            Application.status.in_(OPEN_STATUSES),
            (Application.applicant_id == user.id) | Application.organisation_id.in_(own),
        )
        .limit(1)
    )
    return found is not None


def reviews_applications(user: User | None) -> bool:
    """The committee's part: declarations and reviews."""
    return user is not None and user.has_role(Role.committee)


def decides_applications(user: User | None) -> bool:
    """The chair's part: applications ready to decide, disagreements."""
    return user is not None and user.has_role(Role.chair)


def is_active_member(session: Session, user: User) -> bool:
    """The member's part: one of the user's organisations holds a live membership."""
    return is_member(session, user)


# --- The applicant --------------------------------------------------------------------------------


def track_refusal(organisation: Organisation, track: Track) -> DomainError | None:
    """A project (no legal entity yet) applies on the incubation track only (422)."""
    if organisation.kind == OrganisationKind.project and track != Track.incubation:
        return FieldError(
            "track", gettext("A project without a registered company applies for incubation.")
        )
    return None


def can_start_application(session: Session, user: User) -> bool:
    """Anyone who belongs to an organisation is offered to apply (the service then checks that
    they own it and that it may apply)."""
    return any(True for _ in organisations_of(session, user))


def applicant_refusal(
    session: Session, user: User, application: Reviewable[Any]
) -> Forbidden | None:
    if is_applicant(session, user, application):
        return None
    return Forbidden(gettext("Only the applying organisation's owner may do this."))


def edit_refusal(session: Session, user: User, application: Stateful[Any]) -> DomainError | None:
    """The applicant edits, and attaches documents to, a draft or an application sent back for
    changes."""
    refusal = applicant_refusal(session, user, application)
    if refusal is None and application.status not in EDITABLE_STATUSES:
        return Conflict(gettext("The application can no longer be edited."))
    return refusal


def can_edit(session: Session, user: User, application: Stateful[Any]) -> bool:
    return edit_refusal(session, user, application) is None


def submit_refusal(session: Session, user: User, application: Stateful[Any]) -> DomainError | None:
    """What the applicant may edit they may submit (or resubmit, after changes were requested);
    the submission itself checks that every section is filled in. A rejected application comes
    back only through an appeal, with its own rules."""
    refusal = applicant_refusal(session, user, application)
    if refusal is not None or application.status in EDITABLE_STATUSES:
        return refusal
    if application.status == ApplicationStatus.rejected:
        return Conflict(gettext("A rejected application comes back only through an appeal."))
    return refused_move(application.status, ApplicationStatus.submitted) or Conflict(
        gettext("The application can no longer be edited.")
    )


def can_submit(session: Session, user: User, application: Stateful[Any]) -> bool:
    return submit_refusal(session, user, application) is None


def withdraw_refusal(
    session: Session, user: User, application: Stateful[Any]
) -> DomainError | None:
    """The applicant withdraws an application that is still open."""
    return applicant_refusal(session, user, application) or refused_move(
        ApplicationStatus(application.status), ApplicationStatus.withdrawn
    )


def can_withdraw(session: Session, user: User, application: Stateful[Any]) -> bool:
    return withdraw_refusal(session, user, application) is None


def appeal_window_refusal(application: Appealable, now: datetime | None = None) -> Conflict | None:
    """A rejection may be appealed once, within `APPEAL_DAYS` of the decision."""
    if application.status != ApplicationStatus.rejected:
        return Conflict(gettext("Only a rejected application can be appealed."))
    if application.appealed_at is not None:
        return Conflict(gettext("This application has already been appealed."))
    decided_at = application.decided_at
    if decided_at is None or (now or utcnow()) - decided_at > timedelta(days=APPEAL_DAYS):
        return Conflict(gettext("The 30 days for an appeal have passed."))
    return None


def appeal_open(application: Appealable) -> bool:
    """Whether the application may still be appealed (whoever asks)."""
    return appeal_window_refusal(application) is None


def appeal_refusal(session: Session, user: User, application: Stateful[Any]) -> DomainError | None:
    return applicant_refusal(session, user, application) or appeal_window_refusal(application)


def can_appeal(session: Session, user: User, application: Stateful[Any]) -> bool:
    return appeal_refusal(session, user, application) is None


# --- The committee --------------------------------------------------------------------------------


def assign_refusal(user: User, application: Stateful[Any] | None = None) -> DomainError | None:
    """The chair or staff (403) assign reviewers to an application the committee has (409).
    Without an application only the role is checked, before the application is looked up."""
    if not is_overseer(user):
        return Forbidden(gettext("Only the chair or cluster staff assign reviewers."))
    if application is not None and application.status not in WITH_COMMITTEE:
        return Conflict(gettext("Reviewers are assigned to submitted applications only."))
    return None


def can_assign(user: User, application: Stateful[Any]) -> bool:
    return assign_refusal(user, application) is None


def calibration_refusal(user: User) -> DomainError | None:
    """The chair and staff (403) read how each reviewer scores against the others; the report
    names reviewers."""
    if not is_overseer(user):
        return Forbidden(
            gettext("Only the chair or cluster staff see the calibration of reviewers.")
        )
    return None


def can_view_calibration(user: User) -> bool:
    return calibration_refusal(user) is None


def declaration_refusal(user: User, application: Reviewable[Any]) -> DomainError | None:
    """A reviewer of the current round declares once."""
    assignment = assignment_of(application, user)
    if assignment is None:
        return NotFound(gettext("You are not assigned to this application."))
    if assignment.declared:
        return Conflict(gettext("You have already made your declaration."))
    return None


def can_declare(user: User, application: Reviewable[Any]) -> bool:
    return declaration_refusal(user, application) is None


def review_refusal(user: User, application: Stateful[Any]) -> DomainError | None:
    """A reviewer of the current round who declared no conflict (403) reviews while the
    application is under review (409)."""
    assignment = assignment_of(application, user)
    if assignment is None:
        if is_recused(application, user):
            return _recused()
        return Forbidden(gettext("You are not assigned to review this application."))
    if assignment.conflict:
        return _recused()
    if not assignment.declared:
        return Forbidden(gettext("Declare your conflicts of interest before reviewing."))
    if application.status != ApplicationStatus.under_review:
        return Conflict(gettext("The application is not under review."))
    return None


def can_review(user: User, application: Stateful[Any]) -> bool:
    return review_refusal(user, application) is None


def party_conflict(
    parties: Iterable[NamedParty], affiliations: Affiliations
) -> PartyRelation | None:
    """The relation of a named party the user belongs to (matched by id or by INN)."""
    for party in parties:
        if party.inn in affiliations.inns or (
            party.organisation_id is not None and party.organisation_id in affiliations.ids
        ):
            return PartyRelation(party.relation)
    return None


# --- Expertise and bids ---------------------------------------------------------------------------


def keeps_expertise(user: User | None) -> bool:
    """Committee members keep their sectors and topics and bid on applications."""
    return user is not None and user.has_role(Role.committee)


def expertise_refusal(user: User) -> Forbidden | None:
    if keeps_expertise(user):
        return None
    return Forbidden(gettext("Only committee members keep an expertise profile."))


def bids_refusal(user: User) -> Forbidden | None:
    if keeps_expertise(user):
        return None
    return Forbidden(gettext("Only committee members bid on applications."))


def may_read_rubric(user: User | None) -> bool:
    """The review criteria: staff keep them; chairs and the committee work with them."""
    return user is not None and user.has_role(Role.committee, *OVERSEERS)


def rubric_view_refusal(user: User) -> Forbidden | None:
    if may_read_rubric(user):
        return None
    return Forbidden(gettext("Only the committee, its chairs and cluster staff see the rubric."))


def may_edit_rubric(user: User | None) -> bool:
    return user is not None and user.is_staff


def rubric_edit_refusal(user: User) -> Forbidden | None:
    if may_edit_rubric(user):
        return None
    return Forbidden(gettext("Only cluster staff change the review criteria."))


def can_bid(user: User | None) -> bool:
    return keeps_expertise(user)


def open_for_bids(application: Stateful[Any]) -> bool:
    """Submitted and without reviewers in its current round: bids close at the assignment."""
    return application.status == ApplicationStatus.submitted and not any(
        a.round == application.review_round for a in application.assignments
    )


def bid_refusal(
    user: User, application: Decidable[Any], affiliations: Affiliations
) -> DomainError | None:
    """A committee member (403) bids while the application is open for bids (409), unless they
    belong to the applying organisation or to a party it named (409)."""
    refusal = bids_refusal(user)
    if refusal is not None:
        return refusal
    if not open_for_bids(application):
        return Conflict(gettext("Bids are closed: reviewers have been assigned."))
    if affiliation_conflict(application, affiliations):
        return Conflict(gettext("You have a conflict of interest with this application."))
    return None


def affiliation_conflict(application: Decidable[Any], affiliations: Affiliations) -> bool:
    """The user belongs to the applying organisation or to a party the applicant named, or is
    linked to it by a person (`derived_link`)."""
    return (
        application.organisation_id in affiliations.ids
        or party_conflict(application.parties, affiliations) is not None
        or derived_link(application.applicant_people, affiliations) is not None
    )


# --- The decision ---------------------------------------------------------------------------------


def decision_conflict(
    application: Decidable[Any], user: User, affiliations: Affiliations
) -> str | None:
    """Why the user has a conflict of interest with deciding the application, or None: they
    belong to the applying organisation, or to an organisation the applicant named as a
    competitor or shareholder, or declared a conflict on it as a reviewer."""
    if application.organisation_id in affiliations.ids:
        return gettext("You belong to the applying organisation, so another chair decides.")
    relation = party_conflict(application.parties, affiliations)
    if relation == PartyRelation.competitor:
        return gettext(
            "You belong to an organisation the applicant named as a competitor, so another "
            "chair decides."
        )
    if relation == PartyRelation.shareholder:
        return gettext(
            "You belong to an organisation the applicant named as a shareholder, so another "
            "chair decides."
        )
    link = derived_link(application.applicant_people, affiliations)
    if link is not None:
        return derived_reason(link, chair=True)
    if is_recused(application, user):
        return gettext(
            "You declared a conflict of interest with this application, so another chair decides."
        )
    return None


class ConflictOfInterest(Forbidden):
    """A chair may not decide an application they have a conflict of interest with."""


def awaits_decision(application: Stateful[Any]) -> bool:
    return application.status in WITH_COMMITTEE


def decision_refusal(
    application: Decidable[Any], user: User, affiliations: Affiliations
) -> DomainError | None:
    """Why the user may not decide the application now, or None: a chair (403) decides an
    application under review (409) unless they have a conflict of interest with it (403,
    `decision_conflict`). The quorum of reviews is counted by the decision itself."""
    if not user.has_role(Role.chair):
        return Forbidden(gettext("Only the committee chair decides."))
    if application.status != ApplicationStatus.under_review:
        return Conflict(gettext("The application is not under review."))
    conflict = decision_conflict(application, user, affiliations)
    if conflict is not None:
        link = derived_link(application.applicant_people, affiliations)
        derived = link is not None and conflict == derived_reason(link, chair=True)
        return ConflictOfInterest(conflict, code=DERIVED_CONFLICT if derived else None)
    return None


def can_decide(application: Decidable[Any], user: User, affiliations: Affiliations) -> bool:
    return decision_refusal(application, user, affiliations) is None


# --- The chair's questions and the committee's discussion --------------------------------------


def ask_refusal(
    application: Decidable[Any], user: User, affiliations: Affiliations
) -> DomainError | None:
    """The chair who may decide the application (`decision_refusal`) may first ask the applicant
    questions; the application then waits for the answer."""
    if not user.has_role(Role.chair):
        return Forbidden(gettext("Only the committee chair asks the applicant questions."))
    return decision_refusal(application, user, affiliations)


def can_ask(application: Decidable[Any], user: User, affiliations: Affiliations) -> bool:
    return ask_refusal(application, user, affiliations) is None


def answer_refusal(session: Session, user: User, application: Stateful[Any]) -> DomainError | None:
    """The applicant (403) answers the chair's questions once, while they wait for it (409)."""
    refusal = applicant_refusal(session, user, application)
    if refusal is None and application.status != ApplicationStatus.response_requested:
        return Conflict(gettext("No questions are waiting for your answer."))
    return refusal


def can_answer(session: Session, user: User, application: Stateful[Any]) -> bool:
    return answer_refusal(session, user, application) is None


def discussion_refusal(
    session: Session, user: User, application: Decidable[Any], affiliations: Affiliations
) -> DomainError | None:
    """The discussion is for chairs without a conflict of interest and for reviewers of the
    current round whose review counts (`queries.is_counted`): a reviewer who has yet to review
    is told to (403), staff are refused (403); the applicant, the recused and the conflicted
    never learn that the thread exists (404)."""
    hidden = NotFound(gettext("Application not found."))
    if is_organisation_member(session, user, application.organisation_id):
        return hidden
    if is_recused(application, user):
        return hidden
    if user.has_role(Role.chair):
        return hidden if decision_conflict(application, user, affiliations) else None
    assignment = assignment_of(application, user)
    if assignment is not None and is_counted(application, assignment):
        return None
    if assignment is not None:
        return Forbidden(gettext("Submit your own review first."))
    if sees_review_work(session, user, application):
        return Forbidden(gettext("Only the reviewers and the chair discuss an application."))
    return hidden


def can_read_discussion(
    session: Session, user: User, application: Decidable[Any], affiliations: Affiliations
) -> bool:
    return discussion_refusal(session, user, application, affiliations) is None


def post_refusal(
    session: Session, user: User, application: Decidable[Any], affiliations: Affiliations
) -> DomainError | None:
    """Who reads the discussion writes in it while the committee has the application (409
    once it is decided)."""
    refusal = discussion_refusal(session, user, application, affiliations)
    if refusal is None and application.status not in DISCUSSED:
        return Conflict(
            gettext("The discussion is closed: the application is no longer under review.")
        )
    return refusal


def can_post(
    session: Session, user: User, application: Decidable[Any], affiliations: Affiliations
) -> bool:
    return post_refusal(session, user, application, affiliations) is None


# --- What a page may offer ------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationActions:
    """What the application page shows and offers its viewer. `committee_view`: the review work
    (assignments, aggregates, reviews); `applicant`: the applicant's own actions."""

    committee_view: bool
    applicant: bool
    edit: bool
    submit: bool
    withdraw: bool
    appeal: bool
    open_documents: bool
    view_reviews: bool
    assign: bool
    declare: bool
    review: bool
    decide: bool
    ask: bool
    answer: bool
    read_discussion: bool
    post_discussion: bool


def application_actions(
    session: Session, user: User, application: Decidable[Any], affiliations: Affiliations
) -> ApplicationActions:
    """Every action of the application page, by the rules the services enforce; the committee's
    actions are offered only on the committee's side of the page. `affiliations` are the
    viewer's organisations."""
    committee = sees_review_work(session, user, application)
    applicant = is_applicant(session, user, application)
    return ApplicationActions(
        committee_view=committee,
        applicant=applicant,
        edit=can_edit(session, user, application),
        submit=can_submit(session, user, application),
        withdraw=can_withdraw(session, user, application),
        appeal=can_appeal(session, user, application),
        open_documents=can_open_documents(session, user, application),
        view_reviews=committee and can_view_reviews(session, user, application),
        assign=committee and can_assign(user, application),
        declare=committee and can_declare(user, application),
        review=committee and can_review(user, application),
        decide=committee and can_decide(application, user, affiliations),
        ask=committee and can_ask(application, user, affiliations),
        answer=applicant and can_answer(session, user, application),
        read_discussion=committee and can_read_discussion(session, user, application, affiliations),
        post_discussion=committee and can_post(session, user, application, affiliations),
    )


# --- Memberships ----------------------------------------------------------------------------------


def can_view_membership(session: Session, user: User, membership: HeldMembership) -> bool:
    """Staff see every membership and certificate; the organisation's people see their own."""
    return user.is_staff or is_organisation_member(session, user, membership.organisation_id)


def listing_refusal(session: Session, user: User, membership: HeldMembership) -> Forbidden | None:
    """The organisation's owner (or staff) decides whether it is listed in the public register."""
    if user.is_staff or is_organisation_owner(session, user, membership.organisation_id):
        return None
    return Forbidden(gettext("Only the organisation's owner decides on the public listing."))


def can_change_listing(session: Session, user: User, membership: HeldMembership) -> bool:
    return listing_refusal(session, user, membership) is None


def status_change_refusal(user: User) -> Forbidden | None:
    """Staff change a membership's status (which moves are legal, the transition decides)."""
    if user.is_staff:
        return None
    return Forbidden(gettext("Only cluster staff change a membership's status."))


def memberships_list_refusal(user: User) -> Forbidden | None:
    if user.is_staff:
        return None
    return Forbidden(gettext("Only cluster staff see every membership."))


@dataclass(frozen=True)
class MembershipActions:
    change_listing: bool
    change_status: bool
    suspend: bool
    reinstate: bool
    revoke: bool


def membership_actions(
    session: Session, user: User, membership: HeldMembership
) -> MembershipActions:
    """What the certificate page offers: the listing to its owner and staff, the status changes
    the transition table allows to staff."""
    staff = status_change_refusal(user) is None
    moves = (
        MEMBERSHIP_TRANSITIONS.get(MembershipStatus(membership.status), frozenset())
        if staff
        else frozenset()
    )
    return MembershipActions(
        change_listing=can_change_listing(session, user, membership),
        change_status=staff,
        suspend=MembershipStatus.suspended in moves,
        reinstate=MembershipStatus.active in moves,
        revoke=MembershipStatus.revoked in moves,
    )


def enforce(refusal: DomainError | None) -> None:
    """Raise the refusal, if any (the services' side of the `*_refusal` rules)."""
    if refusal is not None:
        raise refusal
