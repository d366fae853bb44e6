"""HTML pages of the register: the public list of members, the staff's list of memberships,
membership certificates with their listing and status."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, OptionalUser, StaffUser
from app.accounts.models import Organisation, User
from app.deps import SessionDep
from app.errors import NotFound
from app.i18n import gettext
from app.membership import forms, policies, queries, register
from app.membership.models import MembershipStatus
from app.pagination import Pagination, Paging, page_paging
from app.templating import absolute_url
from app.verification import qr_svg
from app.vocab import sector_label, sector_slugs
from app.web import FormData, form_action, render_page

router = APIRouter(include_in_schema=False)


PAGE_SIZE = 50
ListPaging = Annotated[Paging, page_paging(PAGE_SIZE)]


@router.get("/members", response_class=HTMLResponse)
def members_page(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    paging: ListPaging,
    sector: Annotated[str | None, Query(max_length=40)] = None,
    region: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    rows, total = register.register(
        session, sector=sector or None, region=region or None, paging=paging
    )
    today = date.today()
    return render_page(
        request,
        "membership/members.html",
        {
            "rows": [(m, o, m.effective_status(today)) for m, o in rows],
            "pagination": Pagination.of(paging, total),
            "sector": sector or "",
            "region": region or "",
            "sectors": [(slug, sector_label(slug)) for slug in sector_slugs()],
            "sector_label": sector_label,
        },
    )


@router.get("/memberships", response_class=HTMLResponse)
def memberships_page(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    paging: ListPaging,
    status: Annotated[MembershipStatus | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """Staff: every membership with its effective status, to find one to suspend or renew."""
    rows, total = register.list_memberships(
        session, actor=user, status=status, q=q or None, paging=paging
    )
    today = date.today()
    return render_page(
        request,
        "membership/memberships.html",
        {
            "rows": [(m, o, m.effective_status(today)) for m, o in rows],
            "pagination": Pagination.of(paging, total),
            "status": status.value if status else "",
            "q": q or "",
            "statuses": MembershipStatus.choices(),
        },
    )


@router.get("/members/{organisation_id}/certificate", response_class=HTMLResponse)
def certificate_page(
    request: Request, organisation_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    """The certificate is for the organisation's people and staff; the public verifies by code."""
    membership = queries.membership_of(session, organisation_id)
    organisation = session.get(Organisation, organisation_id)
    if (
        membership is None
        or organisation is None
        or not policies.can_view_membership(session, user, membership)
    ):
        raise NotFound(gettext("Certificate not found."))
    verify_url = absolute_url(f"/verify/{membership.verify_code}")
    return render_page(
        request,
        "membership/certificate.html",
        {
            "membership": membership,
            "organisation": organisation,
            "status": membership.effective_status(date.today()),
            "verify_url": verify_url,
            "qr": qr_svg(verify_url),
            "actions": policies.membership_actions(session, user, membership),
        },
    )


def _membership_action(
    request: Request,
    session: Session,
    user: User,
    membership_id: int,
    form: dict[str, Any],
    to: MembershipStatus,
    message: str,
) -> Response:
    membership = register.get_membership(session, actor=user, membership_id=membership_id)

    def change() -> object:
        reason = forms.valid(forms.StatusForm, form).reason
        return register.change_membership_status(
            session, actor=user, membership_id=membership_id, to=to, reason=reason
        )

    return form_action(
        request, session, f"/members/{membership.organisation_id}/certificate", change, message
    )


@router.post("/memberships/{membership_id}/listing")
def set_listing(
    request: Request, membership_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    listed = form.get("listed") == "yes"
    membership = register.get_membership(session, actor=user, membership_id=membership_id)
    return form_action(
        request,
        session,
        f"/members/{membership.organisation_id}/certificate",
        lambda: register.set_listing(
            session, actor=user, membership_id=membership_id, listed=listed
        ),
        gettext("The organisation is listed in the public register.")
        if listed
        else gettext("The organisation is no longer listed in the public register."),
    )


@router.post("/memberships/{membership_id}/suspend")
def suspend_membership(
    request: Request, membership_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    return _membership_action(
        request, session, user, membership_id, form, MembershipStatus.suspended,
        gettext("The membership is suspended."),
    )  # fmt: skip


@router.post("/memberships/{membership_id}/reinstate")
def reinstate_membership(
    request: Request, membership_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    return _membership_action(
        request, session, user, membership_id, form, MembershipStatus.active,
        gettext("The suspension is lifted."),
    )  # fmt: skip


@router.post("/memberships/{membership_id}/revoke")
def revoke_membership(
    request: Request, membership_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    return _membership_action(
        request, session, user, membership_id, form, MembershipStatus.revoked,
        gettext("The membership is revoked."),
    )  # fmt: skip
