"""HTML pages: the deals list (members: their own; investors: theirs; staff: every deal, with
the reported ones to confirm), a deal's page (where staff draft its success story) and the form
a member reports a round with."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser
from app.accounts.models import Organisation, OrganisationKind, User
from app.deals import policies, service, stories
from app.deals.api import local_today
from app.deals.models import Deal, DealSource, DealStatus, Instrument
from app.deals.schemas import DealIn
from app.deps import SessionDep
from app.errors import Conflict, DomainError, FieldError, Forbidden
from app.i18n import gettext
from app.introductions import policies as story_policies
from app.introductions.schemas import StoryTextsIn
from app.membership.models import Membership
from app.pagination import Pagination, Paging, page_paging
from app.web import FormData, flash, form_action, parse_form, redirect, render_page

router = APIRouter(include_in_schema=False)

ListPaging = Annotated[Paging, page_paging(20)]


@router.get("/deals", response_class=HTMLResponse)
def deals_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    paging: ListPaging,
    status: Annotated[DealStatus | None, Query()] = None,
) -> Response:
    items, total = service.list_deals(session, actor=user, paging=paging, status=status)
    return render_page(
        request,
        "deals/list.html",
        {
            "deals": items,
            "actions": {deal.id: policies.actions(user, deal) for deal in items},
            "pagination": Pagination.of(paging, total),
            "status": status.value if status else "",
            "statuses": DealStatus.choices(),
            "may_report": policies.may_report_deals(session, user),
            "sees_every_deal": policies.sees_every_deal(user),
        },
    )


def _form_context(session: Session, user: User, values: Any, errors: dict[str, str]) -> Any:
    if policies.reports_for_any_organisation(user):
        organisations = session.execute(
            select(Organisation.id, Organisation.name)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .order_by(Organisation.name)
        ).all()
    else:
        ids = policies.reporting_organisation_ids(session, user)
        organisations = session.execute(
            select(Organisation.id, Organisation.name)
            .where(Organisation.id.in_(ids))
            .order_by(Organisation.name)
        ).all()
    investors = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind == OrganisationKind.investor)
        .order_by(Organisation.name)
    ).all()
    return {
        "organisations": [(str(i), name) for i, name in organisations],
        "investors": [(str(i), name) for i, name in investors],
        "instruments": Instrument.choices(),
        "sources": DealSource.choices(),
        "values": values,
        "errors": errors,
        "today": local_today().date().isoformat(),
    }


def _require_reporter(session: Session, user: User) -> None:
    if not policies.may_report_deals(session, user):
        raise Forbidden(gettext("Only owners of member organisations and staff report deals."))


@router.get("/deals/new", response_class=HTMLResponse)
def new_form(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    _require_reporter(session, user)
    return render_page(request, "deals/new.html", _form_context(session, user, {}, {}))


@router.post("/deals/new")
def create(request: Request, user: CurrentUser, session: SessionDep, form: FormData) -> Response:
    _require_reporter(session, user)
    parsed, errors = parse_form(DealIn, form)
    if parsed is None:
        context = _form_context(session, user, form, errors)
        return render_page(request, "deals/new.html", context, status_code=422)
    try:
        with session.begin_nested():
            service.report_deal(
                session, actor=user, today=local_today().date(), **parsed.model_dump()
            )
    except FieldError as exc:
        context = _form_context(session, user, form, exc.by_field())
        return render_page(request, "deals/new.html", context, status_code=422)
    except DomainError as exc:
        context = _form_context(session, user, form, {"__all__": exc.detail})
        return render_page(request, "deals/new.html", context, status_code=exc.status_code)
    flash(request, gettext("Thank you: the deal is reported; it counts once staff confirm it."))
    return redirect("/deals")


@router.post("/deals/{deal_id}/confirm")
def confirm(deal_id: int, request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return form_action(
        request,
        session,
        "/deals",
        lambda: service.confirm(session, actor=user, deal_id=deal_id),
        gettext("The deal is confirmed and now counts in the reports."),
        shown_as_page=(404,),
    )


def _deal_page(
    request: Request,
    session: Session,
    user: User,
    deal: Deal,
    values: Any = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    story = deal.story
    return render_page(
        request,
        "deals/detail.html",
        {
            "deal": deal,
            "actions": policies.actions(user, deal),
            "story": story
            if story is not None and story_policies.can_view_story(session, user, story)
            else None,
            "values": values or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/deals/{deal_id}", response_class=HTMLResponse)
def deal_page(deal_id: int, request: Request, user: CurrentUser, session: SessionDep) -> Response:
    deal = service.get_visible(session, actor=user, deal_id=deal_id)
    return _deal_page(request, session, user, deal)


@router.post("/deals/{deal_id}/story")
def draft_story(
    deal_id: int, request: Request, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    deal = service.get_visible(session, actor=user, deal_id=deal_id)
    if not policies.can_draft_story(user, deal, check_state=False):
        raise Forbidden(gettext("Only cluster staff draft success stories."))
    parsed, errors = parse_form(StoryTextsIn, form)
    if parsed is None:
        return _deal_page(request, session, user, deal, form, errors, status_code=422)
    return form_action(
        request,
        session,
        lambda story: f"/success-stories/{story.id}",
        lambda: stories.draft_story(session, actor=user, deal_id=deal_id, **parsed.model_dump()),
        gettext("The story is drafted; it is published once the organisations consent."),
        flashed=(Conflict,),
        refused_target=f"/deals/{deal_id}",
    )
