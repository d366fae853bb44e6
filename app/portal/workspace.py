"""The home page of a signed-in user: a part for each of their roles, each part made of the
items the domains contribute (see `app.accounts.workspace` for the shapes). Which parts a user
sees is asked of the domains' policies; a part with nothing to do shows its empty state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.accounts import workspace as accounts
from app.accounts.models import User
from app.accounts.workspace import Contributor, WorkPart
from app.deals import workspace as deals
from app.events import workspace as events
from app.i18n import N_
from app.introductions import policies as introductions_policies
from app.introductions import workspace as introductions
from app.meetings import policies as meetings_policies
from app.meetings import workspace as meetings
from app.membership import policies as membership_policies
from app.membership import workspace as membership
from app.mentoring import policies as mentoring_policies
from app.mentoring import workspace as mentoring
from app.notifications import workspace as notifications
from app.portal import policies as site
from app.reports import policies as reports_policies
from app.reports import workspace as reports
from app.training import workspace as training

Shown = Callable[[Session, User], bool]


def _by_role(predicate: Callable[[User | None], bool]) -> Shown:
    return lambda _session, user: predicate(user)


@dataclass(frozen=True)
class PartSpec:
    key: str
    title: str  # msgid
    empty: str  # msgid: the friendly empty state
    shown: Shown
    contributors: tuple[Contributor, ...]


PARTS: tuple[PartSpec, ...] = (
    PartSpec(
        "applicant",
        N_("Your membership application"),
        N_("No application in progress."),
        membership_policies.follows_an_application,
        (membership.applicant_items,),
    ),
    PartSpec(
        "committee",
        N_("Committee review"),
        N_("No declarations or reviews are due. Thank you!"),
        _by_role(membership_policies.reviews_applications),
        (membership.committee_items,),
    ),
    PartSpec(
        "chair",
        N_("Decisions of the chair"),
        N_("No application is ready for a decision yet."),
        _by_role(membership_policies.decides_applications),
        (membership.chair_items,),
    ),
    PartSpec(
        "staff",
        N_("Staff tasks"),
        N_("Nothing is waiting for staff right now."),
        _by_role(site.works_as_staff),
        (
            accounts.organisations_to_verify,
            membership.staff_items,
            introductions.to_broker,
            training.sessions_with_waitlists,
            events.events_ahead,
            mentoring.unpaired_projects,
            notifications.dead_letters,
            meetings.pitch_days_in_preparation,
            deals.to_confirm,
        ),
    ),
    PartSpec(
        "investor",
        N_("Investor"),
        N_("No meeting requests or meetings at the moment."),
        _by_role(meetings_policies.receives_meeting_requests),
        (meetings.investor_items,),
    ),
    PartSpec(
        "partner",
        N_("Partner company"),
        N_("No forwarded introductions to answer."),
        _by_role(introductions_policies.has_partner_inbox),
        (introductions.forwarded_to_answer,),
    ),
    PartSpec(
        "mentor",
        N_("Mentor"),
        N_("No teams to mentor yet."),
        _by_role(mentoring_policies.is_mentor),
        (mentoring.mentored_teams,),
    ),
    PartSpec(
        "member",
        N_("Member of the cluster"),
        N_("Nothing planned yet."),
        membership_policies.is_active_member,
        (
            training.upcoming_sessions,
            events.upcoming_events,
            meetings.member_items,
            introductions.open_introductions,
            introductions.member_requests_to_answer,
            introductions.member_suggestions,
            mentoring.team_mentorship,
        ),
    ),
    PartSpec(
        "observer",
        N_("Reports for the region"),
        N_("The reports are computed from the portal's records."),
        _by_role(reports_policies.is_regional_observer),
        (reports.region_items,),
    ),
)

# For a person none of the parts above concerns yet: the first steps into the cluster.
GETTING_STARTED = PartSpec(
    "start",
    N_("Getting started"),
    N_("Browse the training sessions, the library and the register of members."),
    _by_role(site.is_signed_in),
    (accounts.first_organisation, membership.first_application),
)


def _part(session: Session, user: User, spec: PartSpec) -> WorkPart:
    items = [item for contribute in spec.contributors for item in contribute(session, user)]
    return WorkPart(spec.key, spec.title, spec.empty, items)


def workspace_of(session: Session, user: User) -> list[WorkPart]:
    """The parts the user's roles give them, in a fixed order."""
    parts = [_part(session, user, spec) for spec in PARTS if spec.shown(session, user)]
    return parts or [_part(session, user, GETTING_STARTED)]
