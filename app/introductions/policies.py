"""Who may see and act on introductions, partner profiles and success stories."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation, OrganisationKind, OrganisationMember, Role, User
from app.accounts.policies import is_organisation_member, is_organisation_owner
from app.errors import DomainError, Forbidden, InvalidTransition
from app.i18n import gettext
from app.introductions.models import Introduction, IntroductionStatus, SuccessStory
from app.membership.queries import is_member, is_member_organisation


def is_partner_contact(session: Session, user: User, organisation_id: int) -> bool:
    """A contact person: holds the partner role and belongs to the large organisation."""
    return user.has_role(Role.partner) and is_organisation_member(session, user, organisation_id)


def is_partner(organisation: Organisation | None) -> bool:
    return (
        organisation is not None
        and organisation.kind == OrganisationKind.large
        and organisation.is_verified
    )


def is_introduction_target(session: Session, organisation: Organisation | None) -> bool:
    """Introductions may be asked to a verified large partner or to any organisation with an
    active membership."""
    return organisation is not None and (
        is_partner(organisation) or is_member_organisation(session, organisation.id)
    )


def answers_for(session: Session, user: User, organisation: Organisation) -> bool:
    """Who answers a forwarded request: a partner's contact persons; for a member organisation
    that is not a partner, its owners."""
    if is_partner(organisation):
        return is_partner_contact(session, user, organisation.id)
    return is_organisation_owner(session, user, organisation.id)


def works_the_brokering_queue(user: User | None) -> bool:
    """The brokering queue is the staff's daily work (administrators reach it by its address)."""
    return user is not None and user.has_role(Role.staff)


def has_partner_inbox(user: User | None) -> bool:
    """Contact people of partner companies answer forwarded requests in their inbox."""
    return user is not None and user.has_role(Role.partner)


def can_browse_partners(session: Session, user: User) -> bool:
    return user.is_staff or is_member(session, user)


def can_edit_profile(session: Session, user: User, organisation_id: int) -> bool:
    return user.is_staff or is_partner_contact(session, user, organisation_id)


def on_member_side(session: Session, user: User, introduction: Introduction) -> bool:
    return is_organisation_member(session, user, introduction.requester_organisation_id)


def on_partner_side(session: Session, user: User, introduction: Introduction) -> bool:
    """The partner learns of a request only once staff forward it."""
    return introduction.forwarded_at is not None and answers_for(
        session, user, introduction.partner_organisation
    )


def can_view(session: Session, user: User, introduction: Introduction) -> bool:
    return (
        user.is_staff
        or on_member_side(session, user, introduction)
        or on_partner_side(session, user, introduction)
    )


def sees_every_introduction(user: User) -> bool:
    """Staff broker every request; everyone else sees their own sides' requests."""
    return user.is_staff


def sees_partner_side_lists(user: User) -> bool:
    """Requests forwarded to a company are listed to its partner contacts (and, see
    `answers_for`, to the owners of a member organisation asked for an introduction)."""
    return user.has_role(Role.partner)


def can_broker(user: User, introduction: Introduction, *, check_state: bool = True) -> bool:
    """Staff forward a new request to the partner or screen it out."""
    return user.is_staff and (
        not check_state or introduction.status == IntroductionStatus.requested
    )


def forward_refusal(
    user: User, introduction: Introduction, *, has_contacts: bool
) -> DomainError | None:
    """Staff (403) forward a new request to a partner that has a contact person (409); a
    request no longer new is refused by `transition` (409)."""
    if not can_broker(user, introduction, check_state=False):
        return Forbidden(gettext("You do not have permission to do this."))
    if introduction.status == IntroductionStatus.requested and not has_contacts:
        return InvalidTransition(gettext("This partner has no contact person to forward to."))
    return None


def can_answer(
    session: Session, user: User, introduction: Introduction, *, check_state: bool = True
) -> bool:
    """The partner's contact persons accept or decline a forwarded request."""
    return on_partner_side(session, user, introduction) and (
        not check_state or introduction.status == IntroductionStatus.forwarded
    )


def is_a_side(session: Session, user: User, introduction: Introduction) -> bool:
    return on_member_side(session, user, introduction) or on_partner_side(
        session, user, introduction
    )


def outcome_refusal(session: Session, user: User, introduction: Introduction) -> DomainError | None:
    """Either side (403 for anyone else) records outcomes of an accepted introduction (409)."""
    if not is_a_side(session, user, introduction):
        return Forbidden(gettext("Only the two sides of the introduction may record outcomes."))
    if introduction.status != IntroductionStatus.accepted:
        return InvalidTransition(gettext("Outcomes can be recorded only after acceptance."))
    return None


def can_record_outcome(session: Session, user: User, introduction: Introduction) -> bool:
    return outcome_refusal(session, user, introduction) is None


def sees_contacts(introduction: Introduction) -> bool:
    """Contact details cross between the sides only after the partner accepted."""
    return introduction.status == IntroductionStatus.accepted


def sees_member_contact(session: Session, user: User, introduction: Introduction) -> bool:
    return (
        user.is_staff or on_member_side(session, user, introduction) or sees_contacts(introduction)
    )


def sees_partner_contact(session: Session, user: User, introduction: Introduction) -> bool:
    return (
        user.is_staff or on_partner_side(session, user, introduction) or sees_contacts(introduction)
    )


def sees_decline_reason(session: Session, user: User, introduction: Introduction) -> bool:
    """A decline reason stays with staff and the partner unless the partner shared it."""
    return (
        user.is_staff
        or on_partner_side(session, user, introduction)
        or introduction.decline_reason_shared
    )


def story_sides(session: Session, user: User, story: SuccessStory) -> tuple[bool, bool]:
    """Whether the user speaks for the member side and for the partner side of the story: the
    two sides of its introduction, or else the owners of the organisations it names."""
    if story.outcome is not None:
        introduction = story.outcome.introduction
        return (
            on_member_side(session, user, introduction),
            on_partner_side(session, user, introduction),
        )
    return (
        story.member_organisation_id is not None
        and is_organisation_owner(session, user, story.member_organisation_id),
        story.partner_organisation_id is not None
        and is_organisation_owner(session, user, story.partner_organisation_id),
    )


def needs_partner_consent(story: SuccessStory) -> bool:
    """A story of an introduction needs both sides; one that names only a member organisation
    (a deal with an investor outside the portal) needs the member's consent alone."""
    return story.outcome_id is not None or story.partner_organisation_id is not None


def is_consented(story: SuccessStory) -> bool:
    """Every side the story needs has consented: then, and only then, it is public."""
    return story.member_consent_at is not None and (
        story.partner_consent_at is not None or not needs_partner_consent(story)
    )


def can_consent(session: Session, user: User | None, story: SuccessStory) -> bool:
    """Each of the two organisations gives or withdraws its consent to publication."""
    return user is not None and any(story_sides(session, user, story))


def can_view_story(session: Session, user: User | None, story: SuccessStory) -> bool:
    """Published stories are public; drafts are for staff and the two organisations."""
    if story.is_published:
        return True
    return user is not None and (user.is_staff or can_consent(session, user, story))


def sees_draft_stories(user: User | None) -> bool:
    return user is not None and user.is_staff


def user_organisation_ids(session: Session, user: User) -> list[int]:
    return list(
        session.scalars(
            select(OrganisationMember.organisation_id).where(OrganisationMember.user_id == user.id)
        )
    )


# --- Networking between members ----------------------------------------------------------------


def can_use_directory(session: Session, user: User | None) -> bool:
    """The member directory is for people of member organisations and for staff."""
    return user is not None and (user.is_staff or is_member(session, user))


def profile_edit_refusal(
    session: Session, user: User, organisation: Organisation
) -> DomainError | None:
    """Only the organisation's owners keep its networking profile (403); the service answers 404
    to those who may not see the organisation at all."""
    if is_organisation_owner(session, user, organisation.id):
        return None
    return Forbidden(gettext("Only the organisation's owners may edit its profile."))


def can_request_introductions(session: Session, user: User) -> bool:
    """People of a member organisation ask for introductions on its behalf."""
    return is_member(session, user)
