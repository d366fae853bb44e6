"""Who may do what with investor meetings, and in which state.

Each question is one predicate that checks the role, the relation and (unless `check_state` is
false, for a service that must tell a refusal of the person from one of the moment) the state.
Services ask them before acting and raise; pages and templates receive the allowed actions
(`request_actions`, `meeting_actions`, `inbox_actions`, `pitch_day_actions`,
`request_requirements`) and never test a role or a status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.accounts.models import Organisation, OrganisationKind, Role, User
from app.accounts.policies import is_organisation_member
from app.db import utcnow
from app.errors import DomainError, Forbidden
from app.i18n import N_, gettext
from app.meetings import people
from app.meetings.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    PitchDay,
    RequestStatus,
    can_become,
)
from app.membership import queries as membership
from app.training import queries as training

# --- investors ---------------------------------------------------------------------------------


def is_investor(session: Session, user: User) -> bool:
    """Holds the investor role and belongs to a verified investor organisation."""
    return people.investor_organisation(session, user) is not None


def can_manage_investor_profile(
    session: Session, user: User, organisation: Organisation | None
) -> bool:
    """Staff, or any person of the investor organisation."""
    return (
        organisation is not None
        and organisation.kind == OrganisationKind.investor
        and (user.is_staff or is_organisation_member(session, user, organisation.id))
    )


def receives_meeting_requests(user: User | None) -> bool:
    """Investors answer meeting requests in their inbox (the investor's part of the
    workspace)."""
    return user is not None and user.has_role(Role.investor)


def can_manage_availability(session: Session, user: User) -> bool:
    return is_investor(session, user)


def can_browse_investors(session: Session, user: User) -> bool:
    return user.is_staff or bool(people.member_organisation_ids(session, user))


def can_see_recommendations(session: Session, user: User) -> bool:
    """Recommendations are ranked for a member organisation, so staff outside one get none."""
    return bool(people.member_organisation_ids(session, user))


def is_ready_for_investors(session: Session, user: User) -> bool:
    """Once staff flag a course as investor readiness, completing it is required."""
    return training.investor_readiness(session, user).ready


@dataclass(frozen=True)
class RequestRequirements:
    """What a person needs before asking an investor for a meeting, what they have, and the
    session that gives the certificate they may lack."""

    member: bool  # a person of an organisation with an active membership
    ready: bool  # holds the investor-readiness certificate, or no course requires it
    next_session: training.ReadinessSession | None
    # False for the people of an incubated project until its company is incorporated.
    incorporated: bool = True

    @property
    def met(self) -> bool:
        return self.member and self.incorporated and self.ready


def request_requirements(session: Session, user: User) -> RequestRequirements:
    """Members may request meetings, incubatees only once incorporated (`requesting_refusal`),
    and, if a course requires it, graduates of investor readiness."""
    readiness = training.investor_readiness(session, user)
    member = bool(people.member_organisation_ids(session, user))
    return RequestRequirements(
        member=member,
        ready=readiness.ready,
        next_session=readiness.next_session,
        incorporated=not member or bool(people.requesting_organisation_ids(session, user)),
    )


def requesting_refusal(session: Session, user: User) -> DomainError | None:
    """Who may ask investors for meetings: people of a member organisation (403), an incubated
    project only once its company is incorporated (403)."""
    if not people.member_organisation_ids(session, user):
        return people.members_only(N_("request meetings with investors"))
    if not people.requesting_organisation_ids(session, user):
        return Forbidden(
            gettext("Investor meetings open to an incubated project once its company is founded.")
        )
    return None


# --- requests ----------------------------------------------------------------------------------


def is_requesting_side(session: Session, user: User, request: MeetingRequest) -> bool:
    return is_organisation_member(session, user, request.organisation_id)


def can_view_request(session: Session, user: User, request: MeetingRequest) -> bool:
    """The investor addressed, the requesting organisation and staff; the deck opens to them."""
    return (
        user.is_staff
        or request.investor_id == user.id
        or is_requesting_side(session, user, request)
    )


def is_expired(request: MeetingRequest, now: datetime | None = None) -> bool:
    """Still pending, but past the deadline the investor had to answer by."""
    return request.status == RequestStatus.requested and request.expires_at <= (now or utcnow())


def can_answer_request(
    session: Session, user: User, request: MeetingRequest, *, check_state: bool = True
) -> bool:
    """Accept or decline: the investor addressed, or staff; a pending request in time."""
    if not (user.is_staff or request.investor_id == user.id):
        return False
    return not check_state or (
        can_become(request, RequestStatus.accepted) and not is_expired(request)
    )


def can_withdraw_request(
    session: Session, user: User, request: MeetingRequest, *, check_state: bool = True
) -> bool:
    """The requesting organisation takes back its pending request."""
    if check_state and not can_become(request, RequestStatus.withdrawn):
        return False
    return is_requesting_side(session, user, request)


def can_attach_deck(
    session: Session, user: User, request: MeetingRequest, *, check_state: bool = True
) -> bool:
    """The requesting organisation, to an open request."""
    if check_state and request.status != RequestStatus.requested:
        return False
    return is_requesting_side(session, user, request)


def request_actions(session: Session, user: User, request: MeetingRequest) -> frozenset[str]:
    """What `user` may do with the request now: "accept", "decline", "withdraw", "attach_deck"."""
    actions: set[str] = set()
    if can_answer_request(session, user, request):
        actions |= {"accept", "decline"}
    if can_withdraw_request(session, user, request):
        actions.add("withdraw")
    if can_attach_deck(session, user, request):
        actions.add("attach_deck")
    return frozenset(actions)


@dataclass(frozen=True)
class InboxActions:
    manage_availability: bool


def inbox_actions(session: Session, user: User) -> InboxActions:
    return InboxActions(manage_availability=can_manage_availability(session, user))


# --- meetings ----------------------------------------------------------------------------------


def meeting_side(session: Session, user: User, meeting: Meeting) -> str | None:
    """ "investor" or "organisation" for a participant of the meeting, else None."""
    if meeting.investor_id == user.id:
        return "investor"
    if is_organisation_member(session, user, meeting.organisation_id):
        return "organisation"
    return None


def can_view_meeting(session: Session, user: User, meeting: Meeting) -> bool:
    return user.is_staff or meeting_side(session, user, meeting) is not None


def can_see_contacts(session: Session, user: User, meeting: Meeting) -> bool:
    """Once a meeting is agreed, each side (and staff) sees how to reach the other."""
    return can_view_meeting(session, user, meeting) and meeting.status != MeetingStatus.cancelled


def can_cancel_meeting(
    session: Session, user: User, meeting: Meeting, *, check_state: bool = True
) -> bool:
    """Either side or staff, before the meeting begins."""
    if not can_view_meeting(session, user, meeting):
        return False
    return not check_state or (
        can_become(meeting, MeetingStatus.cancelled) and not has_begun(meeting)
    )


def can_reschedule_meeting(user: User, meeting: Meeting, *, check_state: bool = True) -> bool:
    """The investor or staff, while the meeting is scheduled and has not begun."""
    if not (user.is_staff or meeting.investor_id == user.id):
        return False
    return not check_state or (meeting.status == MeetingStatus.scheduled and not has_begun(meeting))


def can_edit_meeting_details(user: User, meeting: Meeting, *, check_state: bool = True) -> bool:
    """Place and video link: the investor or staff, while the meeting is scheduled."""
    if not (user.is_staff or meeting.investor_id == user.id):
        return False
    return not check_state or meeting.status == MeetingStatus.scheduled


def has_begun(meeting: Meeting, now: datetime | None = None) -> bool:
    return meeting.starts_at <= (now or utcnow())


def has_taken_place(meeting: Meeting, now: datetime | None = None) -> bool:
    return meeting.status != MeetingStatus.cancelled and has_begun(meeting, now)


def can_give_feedback(
    session: Session, user: User, meeting: Meeting, *, check_state: bool = True
) -> bool:
    """Each participant, once the meeting took place (one feedback each: see the service)."""
    if meeting_side(session, user, meeting) is None:
        return False
    return not check_state or has_taken_place(meeting)


def has_given_feedback(user: User, meeting: Meeting) -> bool:
    return any(feedback.author_id == user.id for feedback in meeting.feedback)


def can_record_no_show(
    session: Session, user: User, meeting: Meeting, party: str, *, check_state: bool = True
) -> bool:
    """The other side than the `party` that did not come, or staff; once the meeting began."""
    side = None if user.is_staff else meeting_side(session, user, meeting)
    if not user.is_staff and side in (None, party):
        return False
    return not check_state or (has_begun(meeting) and can_become(meeting, MeetingStatus.completed))


NO_SHOW_PARTIES = ("investor", "organisation")


def meeting_actions(session: Session, user: User, meeting: Meeting) -> frozenset[str]:
    """What `user` may do with the meeting now: "cancel", "reschedule", "edit_details",
    "feedback" (not given yet), "no_show:investor", "no_show:organisation"."""
    actions: set[str] = set()
    if can_cancel_meeting(session, user, meeting):
        actions.add("cancel")
    if can_reschedule_meeting(user, meeting):
        actions.add("reschedule")
    if can_edit_meeting_details(user, meeting):
        actions.add("edit_details")
    if can_give_feedback(session, user, meeting) and not has_given_feedback(user, meeting):
        actions.add("feedback")
    for party in NO_SHOW_PARTIES:
        if can_record_no_show(session, user, meeting, party):
            actions.add(f"no_show:{party}")
    return frozenset(actions)


# --- pitch days --------------------------------------------------------------------------------


def can_manage_pitch_days(user: User) -> bool:
    """Create, edit, schedule, lock, publish and print: staff."""
    return user.is_staff


def can_change_pitch_day_grid(user: User, day: PitchDay, *, check_state: bool = True) -> bool:
    """Move the date, the slots or the tables: staff, until the schedule is published."""
    return can_manage_pitch_days(user) and (not check_state or day.published_at is None)


def may_take_part(session: Session, organisation_id: int) -> bool:
    """Member organisations and verified investor organisations take part in pitch days."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        return False
    if organisation.kind == OrganisationKind.investor:
        return organisation.is_verified
    return membership.is_member_organisation(session, organisation_id)


def can_register_participant(
    session: Session,
    user: User,
    day: PitchDay,
    organisation_id: int,
    *,
    check_state: bool = True,
) -> bool:
    """A person of the organisation, or staff, registers an organisation that may take part,
    while registration is open."""
    if not (user.is_staff or is_organisation_member(session, user, organisation_id)):
        return False
    return not check_state or (
        may_take_part(session, organisation_id) and day.is_registration_open()
    )


def can_withdraw_participant(
    session: Session,
    user: User,
    day: PitchDay,
    organisation_id: int,
    *,
    check_state: bool = True,
) -> bool:
    """A registered organisation's people, or staff, take it off the day while registration is
    open."""
    if not (user.is_staff or is_organisation_member(session, user, organisation_id)):
        return False
    return not check_state or day.is_registration_open()


def can_state_wishes(
    session: Session,
    user: User,
    day: PitchDay,
    organisation_id: int,
    *,
    check_state: bool = True,
) -> bool:
    """For a registered organisation: its people, or staff, while registration is open."""
    if not (user.is_staff or is_organisation_member(session, user, organisation_id)):
        return False
    return not check_state or day.is_registration_open()


def can_see_agenda(session: Session, user: User, organisation_id: int) -> bool:
    """One participant's agenda: its people and staff."""
    return user.is_staff or is_organisation_member(session, user, organisation_id)


def can_see_schedule(session: Session, user: User, day: PitchDay) -> bool:
    """Staff always; people of a participating organisation once the schedule is published."""
    if user.is_staff:
        return True
    if day.published_at is None:
        return False
    participants = people.pitch_participant_ids(session, day.id)
    return any(is_organisation_member(session, user, o) for o in participants)


@dataclass(frozen=True)
class PitchDayActions:
    manage: bool  # edit, schedule, lock, print table sheets, open every participant's agenda
    change_grid: bool  # the date, slots and tables
    publish: bool  # the first publication
    publish_changes: bool  # a later one, which tells only those whose meetings changed
    see_schedule: bool
    register: tuple[int, ...]  # the caller's organisations that may register now
    withdraw: frozenset[int]  # registered organisations the caller may take off the day now
    wishes: frozenset[int]  # registered organisations whose wishes the caller may change now
    agendas: tuple[int, ...]  # the caller's registered organisations, whose agendas they open


def pitch_day_actions(session: Session, user: User, day: PitchDay) -> PitchDayActions:
    manage = can_manage_pitch_days(user)
    participants = people.pitch_participant_ids(session, day.id)
    own = people.user_organisation_ids(session, user)
    registered = sorted(own & participants)
    return PitchDayActions(
        manage=manage,
        change_grid=can_change_pitch_day_grid(user, day),
        publish=manage and day.published_at is None,
        publish_changes=manage and day.published_at is not None,
        see_schedule=can_see_schedule(session, user, day),
        register=tuple(
            o for o in sorted(own - participants) if can_register_participant(session, user, day, o)
        ),
        withdraw=frozenset(
            o for o in registered if can_withdraw_participant(session, user, day, o)
        ),
        wishes=frozenset(o for o in registered if can_state_wishes(session, user, day, o)),
        agendas=tuple(registered),
    )
