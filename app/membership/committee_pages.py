"""HTML pages of a committee member before the reviews: their expertise (sectors and topics)
and the applications open for bids, each with the three choices."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import CurrentUser
from app.deps import SessionDep
from app.errors import FieldError
from app.i18n import gettext, ngettext
from app.membership import bidding, committee, policies
from app.membership.models import BidInterest
from app.membership.reviews import review_settings
from app.vocab import sector_label, sector_slugs
from app.web import FormData, form_action, render_page

router = APIRouter(include_in_schema=False)


def _listed(value: Any) -> list[str]:
    """A form field that may come once, several times or not at all."""
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _topics(value: Any) -> list[str]:
    """Topics typed one per line or separated by commas."""
    text = "\n".join(_listed(value))
    return [part for line in text.splitlines() for part in line.split(",")]


@router.get("/committee/expertise", response_class=HTMLResponse)
def expertise_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    policies.enforce(policies.expertise_refusal(user))
    expertise = bidding.expertise_of(session, user.id)
    return render_page(
        request,
        "membership/expertise.html",
        {
            "sectors": [(slug, sector_label(slug)) for slug in sector_slugs()],
            "chosen": set(expertise.sectors or []),
            "topics": "\n".join(expertise.topics or []),
        },
    )


@router.post("/committee/expertise")
def save_expertise(
    request: Request, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    def save() -> object:
        return bidding.set_expertise(
            session,
            actor=user,
            sectors=_listed(form.get("sectors")),
            topics=_topics(form.get("topics")),
        )

    return form_action(
        request, session, "/committee/expertise", save, gettext("Your expertise is saved.")
    )


@router.get("/committee/bids", response_class=HTMLResponse)
def bids_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    cards = bidding.open_for_bids(
        session, actor=user, affiliations=committee.affiliations_of(session, user)
    )
    return render_page(
        request,
        "membership/bids.html",
        {
            "cards": cards,
            "choices": [(i.value, i.label) for i in BidInterest],
            "sector_label": sector_label,
        },
    )


@router.post("/committee/bids/{application_id}")
def bid(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    def place() -> object:
        try:
            interest = BidInterest(str(form.get("interest", "")))
        except ValueError:
            raise FieldError("interest", gettext("Choose one of the options.")) from None
        return bidding.place_bid(
            session,
            actor=user,
            application_id=application_id,
            interest=interest,
            affiliations=committee.affiliations_of(session, user),
        )

    return form_action(
        request,
        session,
        f"/committee/bids#application-{application_id}",
        place,
        gettext("Your bid is saved."),
        refused_target="/committee/bids",
    )


@router.post("/committee/auto-assign")
def auto_assign(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """The chair or staff assign reviewers to every submitted application, optimally."""

    def assign() -> committee.AutoAssignment:
        return committee.auto_assign(
            session,
            actor=user,
            application_ids=None,
            per_application=review_settings().quorum,
        )

    def outcome(result: committee.AutoAssignment) -> str:
        made = ngettext(
            "%(num)s reviewer assigned.", "%(num)s reviewers assigned.", len(result.pairs)
        )
        if not result.unfilled:
            return made
        short = ngettext(
            "%(num)s application is still short of reviewers.",
            "%(num)s applications are still short of reviewers.",
            len(result.unfilled),
        )
        return f"{made} {short}"

    return form_action(request, session, "/applications?status=under_review", assign, outcome)
