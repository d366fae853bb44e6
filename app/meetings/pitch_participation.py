"""Taking part in a pitch day: an organisation registers (with the slots it is free in) or
withdraws, and states whom it wants to meet, in order.

Each organisation's wishes form an ordered list: its first wish weighs 10 in the scheduler, the
next 9 and so on down to 1, so that the order the participant chose is what the scheduler
maximises. A wish stated through the API keeps the priority it was given until its organisation
orders its list. Every write locks the day's row, so that registrations, wishes and publication
of one day follow each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.policies import is_organisation_member
from app.audit import record
from app.errors import Conflict, FieldError, Forbidden, NotFound
from app.i18n import gettext
from app.meetings import people, policies
from app.meetings.models import PitchDay, PitchMeeting, PitchParticipant, PitchWish
from app.meetings.pitch_days import locked_pitch_day

TOP_PRIORITY = 10


def _registration_closed() -> Conflict:
    return Conflict(gettext("Registration for this pitch day is closed."))


def register_participant(
    session: Session,
    *,
    actor: User,
    pitch_day_id: int,
    organisation_id: int,
    slots: list[int] | None,
) -> PitchParticipant:
    """A person of a member or verified investor organisation registers it, with its slots
    (all of them when `slots` is None), while registration is open; again, to change them."""
    day = locked_pitch_day(session, pitch_day_id)
    if not policies.can_register_participant(
        session, actor, day, organisation_id, check_state=False
    ):
        raise Forbidden(gettext("You may register only an organisation you belong to."))
    if not policies.may_take_part(session, organisation_id):
        raise Forbidden(gettext("Only member and verified investor organisations take part."))
    if not policies.can_register_participant(session, actor, day, organisation_id):
        raise _registration_closed()
    count = len(day.slot_starts)
    chosen = list(range(count)) if slots is None else sorted(set(slots))
    if any(not 0 <= s < count for s in chosen):
        raise FieldError("slots", gettext("Unknown slot number."))
    if not chosen:
        raise FieldError("slots", gettext("Choose at least one slot."))
    participant = session.scalar(
        select(PitchParticipant).where(
            PitchParticipant.pitch_day_id == day.id,
            PitchParticipant.organisation_id == organisation_id,
        )
    )
    if participant is None:
        participant = PitchParticipant(
            pitch_day_id=day.id,
            organisation_id=organisation_id,
            registered_by_id=actor.id,
            slots=chosen,
        )
        session.add(participant)
    else:
        participant.slots = chosen
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_participant",
        entity_type="pitch_day",
        entity_id=day.id,
        data={"organisation_id": organisation_id, "slots": chosen},
    )
    return participant


def withdraw_participant(
    session: Session, *, actor: User, pitch_day_id: int, organisation_id: int
) -> None:
    """The organisation leaves the day while registration is open: its wishes, the wishes of
    others to meet it and any meeting already placed with it go too."""
    day = locked_pitch_day(session, pitch_day_id)
    participant = _participant(session, day, organisation_id)
    if not policies.can_withdraw_participant(
        session, actor, day, organisation_id, check_state=False
    ):
        raise NotFound(gettext("Pitch day participant not found."))
    if not policies.can_withdraw_participant(session, actor, day, organisation_id):
        raise _registration_closed()
    session.execute(
        delete(PitchWish).where(
            PitchWish.pitch_day_id == day.id,
            or_(
                PitchWish.organisation_id == organisation_id,
                PitchWish.with_organisation_id == organisation_id,
            ),
        )
    )
    session.execute(
        delete(PitchMeeting).where(
            PitchMeeting.pitch_day_id == day.id,
            or_(
                PitchMeeting.first_organisation_id == organisation_id,
                PitchMeeting.second_organisation_id == organisation_id,
            ),
        )
    )
    session.delete(participant)
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_participant_withdrawn",
        entity_type="pitch_day",
        entity_id=day.id,
        data={"organisation_id": organisation_id},
    )


def _participant(session: Session, day: PitchDay, organisation_id: int) -> PitchParticipant:
    participant = session.scalar(
        select(PitchParticipant).where(
            PitchParticipant.pitch_day_id == day.id,
            PitchParticipant.organisation_id == organisation_id,
        )
    )
    if participant is None:
        raise NotFound(gettext("Pitch day participant not found."))
    return participant


def add_wish(
    session: Session,
    *,
    actor: User,
    pitch_day_id: int,
    organisation_id: int | None,
    with_organisation_id: int,
    priority: int | None,
    no_thanks: bool,
) -> PitchWish:
    """A participant wishes (or refuses) a meeting with another registered participant. A new
    wish goes to the end of the organisation's list, with the weight of that place unless a
    `priority` is given."""
    day = locked_pitch_day(session, pitch_day_id)
    registered = people.pitch_participant_ids(session, day.id)
    mine = {o for o in registered if is_organisation_member(session, actor, o)}
    if organisation_id is None:
        if len(mine) != 1:
            raise FieldError(
                "organisation_id", gettext("Name the registered organisation you represent.")
            )
        organisation_id = next(iter(mine))
    if organisation_id not in registered:
        raise FieldError(
            "organisation_id", gettext("This organisation is not registered for the day.")
        )
    if not policies.can_state_wishes(session, actor, day, organisation_id, check_state=False):
        raise Forbidden(gettext("You may state wishes only for your own organisation."))
    if not policies.can_state_wishes(session, actor, day, organisation_id):
        raise _registration_closed()
    if with_organisation_id not in registered or with_organisation_id == organisation_id:
        raise FieldError(
            "with_organisation_id",
            gettext("The other organisation is not a participant of this day."),
        )
    wish = session.scalar(
        select(PitchWish).where(
            PitchWish.pitch_day_id == day.id,
            PitchWish.organisation_id == organisation_id,
            PitchWish.with_organisation_id == with_organisation_id,
        )
    )
    if wish is None:
        listed = _ordered_wishes(session, day.id, organisation_id)
        wish = PitchWish(
            pitch_day_id=day.id,
            organisation_id=organisation_id,
            with_organisation_id=with_organisation_id,
            rank=len(listed),
            priority=_weight(len(listed)),
        )
        session.add(wish)
    if priority is not None:
        wish.priority = priority
    wish.no_thanks = no_thanks
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_wish",
        entity_type="pitch_day",
        entity_id=day.id,
        data={
            "organisation_id": organisation_id,
            "with_organisation_id": with_organisation_id,
            "priority": wish.priority,
            "no_thanks": no_thanks,
        },
    )
    return wish


@dataclass(frozen=True)
class WishList:
    """One organisation's wishes: whom it wants to meet, in order, and whom it would rather not."""

    wanted: list[PitchWish]
    refused: list[PitchWish]


def wishes_of(
    session: Session, pitch_day_id: int, organisation_ids: list[int]
) -> dict[int, WishList]:
    """The wish lists of several organisations of a day, in one statement."""
    found: dict[int, WishList] = {o: WishList([], []) for o in organisation_ids}
    if not organisation_ids:
        return found
    for wish in session.scalars(
        select(PitchWish)
        .where(
            PitchWish.pitch_day_id == pitch_day_id,
            PitchWish.organisation_id.in_(organisation_ids),
        )
        .order_by(*_LIST_ORDER)
    ):
        target = found[wish.organisation_id]
        (target.refused if wish.no_thanks else target.wanted).append(wish)
    return found


def move_wish(
    session: Session, *, actor: User, pitch_day_id: int, wish_id: int, step: int
) -> PitchWish:
    """Move a wish up (`step` -1) or down (+1) its organisation's list; the list is weighted
    anew from its order."""
    day, wish = _own_wish(session, actor, pitch_day_id, wish_id)
    listed = _ordered_wishes(session, day.id, wish.organisation_id)
    if wish not in listed:
        raise FieldError("wish_id", gettext("Only wished meetings have an order."))
    place = listed.index(wish)
    target = min(max(place + step, 0), len(listed) - 1)
    listed.insert(target, listed.pop(place))
    _renumber(listed)
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_wishes_ordered",
        entity_type="pitch_day",
        entity_id=day.id,
        data={
            "organisation_id": wish.organisation_id,
            "order": [w.with_organisation_id for w in listed],
        },
    )
    return wish


def remove_wish(session: Session, *, actor: User, pitch_day_id: int, wish_id: int) -> None:
    day, wish = _own_wish(session, actor, pitch_day_id, wish_id)
    organisation_id = wish.organisation_id
    session.delete(wish)
    session.flush()
    if not wish.no_thanks:
        _renumber(_ordered_wishes(session, day.id, organisation_id))
        session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_wish_removed",
        entity_type="pitch_day",
        entity_id=day.id,
        data={
            "organisation_id": organisation_id,
            "with_organisation_id": wish.with_organisation_id,
        },
    )


def _own_wish(
    session: Session, actor: User, pitch_day_id: int, wish_id: int
) -> tuple[PitchDay, PitchWish]:
    """The wish, for the people of the organisation that stated it (and staff): for anyone else
    it does not exist (404); after registration closed it no longer changes (409)."""
    day = locked_pitch_day(session, pitch_day_id)
    wish = session.get(PitchWish, wish_id)
    if (
        wish is None
        or wish.pitch_day_id != day.id
        or not policies.can_state_wishes(
            session, actor, day, wish.organisation_id, check_state=False
        )
    ):
        raise NotFound(gettext("Wish not found."))
    if not policies.can_state_wishes(session, actor, day, wish.organisation_id):
        raise _registration_closed()
    return day, wish


_LIST_ORDER = (
    PitchWish.rank.is_(None),
    PitchWish.rank,
    PitchWish.priority.desc(),
    PitchWish.id,
)


def _ordered_wishes(session: Session, pitch_day_id: int, organisation_id: int) -> list[PitchWish]:
    """The organisation's wanted meetings in its order (ordered ones first, then by priority)."""
    return list(
        session.scalars(
            select(PitchWish)
            .where(
                PitchWish.pitch_day_id == pitch_day_id,
                PitchWish.organisation_id == organisation_id,
                PitchWish.no_thanks.is_(False),
            )
            .order_by(*_LIST_ORDER)
        )
    )


def _weight(place: int) -> int:
    return max(1, TOP_PRIORITY - place)


def _renumber(listed: list[PitchWish]) -> None:
    for place, wish in enumerate(listed):
        wish.rank, wish.priority = place, _weight(place)
