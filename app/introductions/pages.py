"""HTML pages: partner directory, my introductions with a timeline, the staff brokering queue,
the partner inbox and the public success stories."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.models import Role
from app.deps import CurrentUser, OptionalUser, SessionDep, StaffUser
from app.errors import DomainError, FieldError
from app.i18n import N_, get_locale, gettext
from app.introductions import service
from app.introductions.models import IntroductionStatus, LookingFor, OutcomeKind, SuccessStory
from app.introductions.schemas import DeclineIn, IntroductionIn, OutcomeIn, ReasonIn
from app.vocab import sector_label
from app.web import FormData, Pagination, flash, parse_form, redirect, register_nav, render_page

router = APIRouter(include_in_schema=False)

register_nav("/partners", N_("Partners"), order=60)
register_nav("/introductions", N_("Introductions"), order=61)
register_nav("/introductions/queue", N_("Brokering queue"), order=62, roles=(Role.staff,))
register_nav("/introductions/inbox", N_("Partner inbox"), order=63, roles=(Role.partner,))
register_nav("/success-stories", N_("Success stories"), order=64, public=True)

PER_PAGE = 20


def _labels() -> dict[str, object]:
    return {
        "looking_for_label": lambda slug: LookingFor(slug).label,
        "sector_label": sector_label,
        "outcome_kinds": OutcomeKind.choices(),
    }


@router.get("/partners", response_class=HTMLResponse)
def partners(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    rows, total = service.list_partners(session, actor=user, limit=PER_PAGE, offset=offset)
    return render_page(
        request,
        "introductions/partners.html",
        {"rows": rows, "pagination": Pagination(total, PER_PAGE, offset), **_labels()},
    )


def _list_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    *,
    scope: str,
    title: str,
    status: IntroductionStatus | None,
    offset: int,
) -> Response:
    items, total = service.list_introductions(
        session, actor=user, limit=PER_PAGE, offset=offset, status=status, scope=scope
    )
    return render_page(
        request,
        "introductions/list.html",
        {
            "title": title,
            "introductions": items,
            "pagination": Pagination(total, PER_PAGE, offset),
            "scope": scope,
        },
    )


@router.get("/introductions", response_class=HTMLResponse)
def my_introductions(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    return _list_page(
        request,
        session,
        user,
        scope="member",
        title=gettext("My introductions"),
        status=None,
        offset=offset,
    )


@router.get("/introductions/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    user: StaffUser,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    return _list_page(
        request,
        session,
        user,
        scope="mine",
        title=gettext("Brokering queue"),
        status=IntroductionStatus.requested,
        offset=offset,
    )


@router.get("/introductions/inbox", response_class=HTMLResponse)
def inbox(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    return _list_page(
        request,
        session,
        user,
        scope="partner",
        title=gettext("Partner inbox"),
        status=None,
        offset=offset,
    )


@router.get("/introductions/new", response_class=HTMLResponse)
def new_form(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    partner_id: Annotated[int, Query(ge=1, le=2**31 - 1)],
) -> Response:
    partner = service.get_partner_for(session, actor=user, partner_id=partner_id)
    return render_page(
        request, "introductions/new.html", {"partner": partner, "values": {}, "errors": {}}
    )


@router.post("/introductions/new")
def create(request: Request, user: CurrentUser, session: SessionDep, form: FormData) -> Response:
    parsed, errors = parse_form(IntroductionIn, form)
    partner_id = str(form.get("partner_id", ""))
    partner = None
    if partner_id.isdigit():
        partner = service.get_partner_for(session, actor=user, partner_id=int(partner_id))
    context = {"partner": partner, "values": form, "errors": errors}
    if parsed is None or partner is None:
        return render_page(request, "introductions/new.html", context, status_code=422)
    try:
        with session.begin_nested():
            introduction = service.request_introduction(session, actor=user, **parsed.model_dump())
    except FieldError as exc:
        context["errors"] = {exc.field: exc.detail}
        return render_page(request, "introductions/new.html", context, status_code=422)
    except DomainError as exc:
        context["errors"] = {"__all__": exc.detail}
        return render_page(request, "introductions/new.html", context, status_code=exc.status_code)
    flash(request, gettext("Your request has been sent to the cluster staff."))
    return redirect(f"/introductions/{introduction.id}")


@router.get("/introductions/{introduction_id}", response_class=HTMLResponse)
def detail(
    introduction_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    introduction = service.get_visible(session, actor=user, introduction_id=introduction_id)
    view = service.introduction_view(session, viewer=user, introduction=introduction)
    return render_page(
        request,
        "introductions/detail.html",
        {"introduction": view, "errors": {}, "values": {}, **_labels()},
    )


@router.post("/introductions/{introduction_id}/forward")
def forward(
    introduction_id: int, request: Request, user: StaffUser, session: SessionDep
) -> Response:
    service.forward(session, actor=user, introduction_id=introduction_id)
    flash(request, gettext("The request has been forwarded to the partner."))
    return redirect(f"/introductions/{introduction_id}")


@router.post("/introductions/{introduction_id}/screen-out")
def screen_out(
    introduction_id: int, request: Request, user: StaffUser, session: SessionDep, form: FormData
) -> Response:
    parsed, _errors = parse_form(ReasonIn, form)
    if parsed is None:
        flash(request, gettext("Please give a reason."), "error")
        return redirect(f"/introductions/{introduction_id}")
    service.screen_out(session, actor=user, introduction_id=introduction_id, reason=parsed.reason)
    flash(request, gettext("The request has been screened out and the member informed."))
    return redirect(f"/introductions/{introduction_id}")


@router.post("/introductions/{introduction_id}/accept")
def accept(
    introduction_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    service.accept(session, actor=user, introduction_id=introduction_id)
    flash(
        request, gettext("You accepted the introduction. Both sides now see each other's contacts.")
    )
    return redirect(f"/introductions/{introduction_id}")


@router.post("/introductions/{introduction_id}/decline")
def decline(
    introduction_id: int, request: Request, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    form["share_reason"] = form.get("share_reason") == "on"
    parsed, _errors = parse_form(DeclineIn, form)
    if parsed is None:
        flash(request, gettext("The reason is too long."), "error")
        return redirect(f"/introductions/{introduction_id}")
    service.decline(
        session,
        actor=user,
        introduction_id=introduction_id,
        reason=parsed.reason,
        share_reason=parsed.share_reason,
    )
    flash(request, gettext("You declined the introduction."))
    return redirect(f"/introductions/{introduction_id}")


@router.post("/introductions/{introduction_id}/outcome")
def outcome(
    introduction_id: int, request: Request, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    parsed, errors = parse_form(OutcomeIn, form)
    if parsed is None:
        flash(request, "; ".join(errors.values()), "error")
        return redirect(f"/introductions/{introduction_id}")
    try:
        with session.begin_nested():
            service.record_outcome(
                session,
                actor=user,
                introduction_id=introduction_id,
                kind=parsed.kind,
                amount_rub=parsed.amount_rub,
                note=parsed.note,
            )
    except FieldError as exc:
        flash(request, exc.detail, "error")
        return redirect(f"/introductions/{introduction_id}")
    flash(request, gettext("The outcome has been recorded."))
    return redirect(f"/introductions/{introduction_id}")


def _localised(story: SuccessStory) -> dict[str, object]:
    view = service.story_view(story)
    english = get_locale() == "en"
    view["title"] = view["title_en"] if english else view["title_ru"]
    view["body"] = view["body_en"] if english else view["body_ru"]
    return view


@router.get("/success-stories", response_class=HTMLResponse)
def stories(
    request: Request,
    user: OptionalUser,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    items, total = service.list_stories(session, actor=user, limit=PER_PAGE, offset=offset)
    return render_page(
        request,
        "introductions/stories.html",
        {
            "stories": [_localised(s) for s in items],
            "pagination": Pagination(total, PER_PAGE, offset),
        },
    )


@router.get("/success-stories/{story_id}", response_class=HTMLResponse)
def story(story_id: int, request: Request, user: OptionalUser, session: SessionDep) -> Response:
    found = service.get_story(session, actor=user, story_id=story_id)
    can_consent = False
    if user is not None:
        can_consent = any(service._story_sides(session, user, found))
    return render_page(
        request,
        "introductions/story.html",
        {"story": _localised(found), "can_consent": can_consent},
    )


@router.post("/success-stories/{story_id}/consent")
def consent(story_id: int, request: Request, user: CurrentUser, session: SessionDep) -> Response:
    service.set_consent(session, actor=user, story_id=story_id, consent=True)
    flash(request, gettext("Your organisation consents to publication."))
    return redirect(f"/success-stories/{story_id}")


@router.post("/success-stories/{story_id}/withdraw-consent")
def withdraw(story_id: int, request: Request, user: CurrentUser, session: SessionDep) -> Response:
    service.set_consent(session, actor=user, story_id=story_id, consent=False)
    flash(request, gettext("Consent withdrawn; the story is no longer public."))
    return redirect(f"/success-stories/{story_id}")
