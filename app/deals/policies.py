"""Who may report, see and confirm deals."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.models import OrganisationRole, Role, User
from app.accounts.policies import is_organisation_owner, organisation_roles
from app.deals.models import Deal, DealStatus
from app.errors import DomainError, Forbidden, InvalidTransition
from app.i18n import gettext
from app.membership.queries import is_member, member_organisation_ids


def reports_for_any_organisation(user: User) -> bool:
    """Staff record a round on a member's behalf (e.g. one they read about in the press)."""
    return user.is_staff


def can_report_for(session: Session, user: User, organisation_id: int) -> bool:
    """Staff, or an owner of the organisation (which must also be a member, see the service)."""
    return reports_for_any_organisation(user) or is_organisation_owner(
        session, user, organisation_id
    )


def reporting_organisation_ids(session: Session, user: User) -> list[int]:
    """The member organisations the user owns: those they may report a deal for."""
    roles = organisation_roles(session, user)
    owned = {org_id for org_id, role in roles.items() if role == OrganisationRole.owner}
    return [org_id for org_id in member_organisation_ids(session, user) if org_id in owned]


def may_report_deals(session: Session, user: User | None) -> bool:
    return user is not None and (
        reports_for_any_organisation(user) or bool(reporting_organisation_ids(session, user))
    )


def sees_every_deal(user: User) -> bool:
    return user.is_staff


def sees_investor_side(user: User) -> bool:
    """Investors see the rounds reported with their organisation as the investor."""
    return user.has_role(Role.investor)


def may_see_deals(session: Session, user: User | None) -> bool:
    """The deals page is worth a link for staff, investors and members (whose organisation's
    deals it lists; its owners report them). Asked by the menu on every page, so it uses the
    membership answer the menu has already asked for."""
    return user is not None and (
        sees_every_deal(user) or sees_investor_side(user) or is_member(session, user)
    )


def can_view(session: Session, user: User, deal: Deal) -> bool:
    roles = organisation_roles(session, user)
    return (
        sees_every_deal(user)
        or deal.organisation_id in roles
        or (
            sees_investor_side(user)
            and deal.investor_organisation_id is not None
            and deal.investor_organisation_id in roles
        )
    )


def can_confirm(user: User, deal: Deal, *, check_state: bool = True) -> bool:
    return user.is_staff and (not check_state or deal.status == DealStatus.reported)


def can_draft_story(user: User, deal: Deal, *, check_state: bool = True) -> bool:
    """Staff draft a success story from a confirmed deal that has none yet."""
    return user.is_staff and (
        not check_state or (deal.status == DealStatus.confirmed and deal.story_id is None)
    )


def story_refusal(user: User, deal: Deal) -> DomainError | None:
    """Staff only (403); the deal must be confirmed and without a story (409)."""
    if not can_draft_story(user, deal, check_state=False):
        return Forbidden(gettext("Only cluster staff draft success stories."))
    if deal.status != DealStatus.confirmed:
        return InvalidTransition(gettext("Only a confirmed deal becomes a success story."))
    if deal.story_id is not None:
        return InvalidTransition(gettext("This deal already has a success story."))
    return None


def actions(user: User, deal: Deal) -> list[str]:
    """What the viewer may do with the deal, for pages."""
    allowed = []
    if can_confirm(user, deal):
        allowed.append("confirm")
    if can_draft_story(user, deal):
        allowed.append("story")
    return allowed
