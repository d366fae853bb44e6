"""HTML pages: partner directory, my introductions with a timeline, the staff brokering queue,
the partner inbox and the public success stories."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import CurrentUser, OptionalUser, StaffUser
from app.deps import SessionDep
from app.errors import DomainError, FieldError
from app.i18n import get_locale, gettext
from app.introductions import policies, service
from app.introductions import stories as success_stories
from app.introductions.models import IntroductionStatus, LookingFor, OutcomeKind, SuccessStory
from app.introductions.schemas import DeclineIn, IntroductionIn, OutcomeIn, ReasonIn
from app.pagination import Pagination, Paging, page_paging
from app.vocab import sector_label
from app.web import FormData, flash, form_action, parse_form, redirect, render_page

router = APIRouter(include_in_schema=False)


ListPaging = Annotated[Paging, page_paging(20)]


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
    paging: ListPaging,
) -> Response:
    rows, total = service.list_partners(session, actor=user, paging=paging)
    return render_page(
        request,
        "introductions/partners.html",
        {"rows": rows, "pagination": Pagination.of(paging, total), **_labels()},
    )


def _list_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    *,
    scope: str,
    title: str,
    status: IntroductionStatus | None,
    paging: Paging,
) -> Response:
    items, total = service.list_introductions(
        session, actor=user, paging=paging, status=status, scope=scope
    )
    return render_page(
        request,
        "introductions/list.html",
        {
            "title": title,
            "introductions": items,
            "pagination": Pagination.of(paging, total),
            "scope": scope,
        },
    )


@router.get("/introductions", response_class=HTMLResponse)
def my_introductions(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    paging: ListPaging,
) -> Response:
    return _list_page(
        request,
        session,
        user,
        scope="member",
        title=gettext("My introductions"),
        status=None,
        paging=paging,
    )


@router.get("/introductions/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    user: StaffUser,
    session: SessionDep,
    paging: ListPaging,
) -> Response:
    return _list_page(
        request,
        session,
        user,
        scope="mine",
        title=gettext("Brokering queue"),
        status=IntroductionStatus.requested,
        paging=paging,
    )


@router.get("/introductions/inbox", response_class=HTMLResponse)
def inbox(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    paging: ListPaging,
) -> Response:
    return _list_page(
        request,
        session,
        user,
        scope="partner",
        title=gettext("Partner inbox"),
        status=None,
        paging=paging,
    )


@router.get("/introductions/new", response_class=HTMLResponse)
def new_form(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    partner_id: Annotated[int, Query(ge=1, le=2**31 - 1)],
    purpose: Annotated[str, Query(max_length=5000)] = "",
) -> Response:
    partner = service.get_target_for(session, actor=user, partner_id=partner_id)
    values = {"purpose": purpose} if purpose else {}
    return render_page(
        request, "introductions/new.html", {"partner": partner, "values": values, "errors": {}}
    )


@router.post("/introductions/new")
def create(request: Request, user: CurrentUser, session: SessionDep, form: FormData) -> Response:
    parsed, errors = parse_form(IntroductionIn, form)
    partner_id = str(form.get("partner_id", ""))
    partner = None
    if partner_id.isdigit():
        partner = service.get_target_for(session, actor=user, partner_id=int(partner_id))
    context = {"partner": partner, "values": form, "errors": errors}
    if parsed is None or partner is None:
        return render_page(request, "introductions/new.html", context, status_code=422)
    try:
        with session.begin_nested():
            introduction = service.request_introduction(session, actor=user, **parsed.model_dump())
    except FieldError as exc:
        context["errors"] = exc.by_field()
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
    return form_action(
        request,
        session,
        f"/introductions/{introduction_id}",
        lambda: service.forward(session, actor=user, introduction_id=introduction_id),
        gettext("The request has been forwarded to the partner."),
        flashed=(),
    )


@router.post("/introductions/{introduction_id}/screen-out")
def screen_out(
    introduction_id: int, request: Request, user: StaffUser, session: SessionDep, form: FormData
) -> Response:
    parsed, _errors = parse_form(ReasonIn, form)
    if parsed is None:
        flash(request, gettext("Please give a reason."), "error")
        return redirect(f"/introductions/{introduction_id}")
    return form_action(
        request,
        session,
        f"/introductions/{introduction_id}",
        lambda: service.screen_out(
            session, actor=user, introduction_id=introduction_id, reason=parsed.reason
        ),
        gettext("The request has been screened out and the member informed."),
        flashed=(),
    )


@router.post("/introductions/{introduction_id}/accept")
def accept(
    introduction_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    return form_action(
        request,
        session,
        f"/introductions/{introduction_id}",
        lambda: service.accept(session, actor=user, introduction_id=introduction_id),
        gettext("You accepted the introduction. Both sides now see each other's contacts."),
        flashed=(),
    )


@router.post("/introductions/{introduction_id}/decline")
def decline(
    introduction_id: int, request: Request, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    form["share_reason"] = form.get("share_reason") == "on"
    parsed, _errors = parse_form(DeclineIn, form)
    if parsed is None:
        flash(request, gettext("The reason is too long."), "error")
        return redirect(f"/introductions/{introduction_id}")
    return form_action(
        request,
        session,
        f"/introductions/{introduction_id}",
        lambda: service.decline(
            session,
            actor=user,
            introduction_id=introduction_id,
            reason=parsed.reason,
            share_reason=parsed.share_reason,
        ),
        gettext("You declined the introduction."),
        flashed=(),
    )


@router.post("/introductions/{introduction_id}/outcome")
def outcome(
    introduction_id: int, request: Request, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    parsed, errors = parse_form(OutcomeIn, form)
    if parsed is None:
        flash(request, "; ".join(errors.values()), "error")
        return redirect(f"/introductions/{introduction_id}")
    return form_action(
        request,
        session,
        f"/introductions/{introduction_id}",
        lambda: service.record_outcome(
            session,
            actor=user,
            introduction_id=introduction_id,
            kind=parsed.kind,
            amount_rub=parsed.amount_rub,
            note=parsed.note,
        ),
        gettext("The outcome has been recorded."),
        flashed=(FieldError,),
    )


def _localised(story: SuccessStory) -> dict[str, object]:
    view = success_stories.story_view(story)
    english = get_locale() == "en"
    view["title"] = view["title_en"] if english else view["title_ru"]
    view["body"] = view["body_en"] if english else view["body_ru"]
    return view


@router.get("/success-stories", response_class=HTMLResponse)
def stories(
    request: Request,
    user: OptionalUser,
    session: SessionDep,
    paging: ListPaging,
) -> Response:
    items, total = success_stories.list_stories(session, actor=user, paging=paging)
    return render_page(
        request,
        "introductions/stories.html",
        {
            "stories": [_localised(s) for s in items],
            "pagination": Pagination.of(paging, total),
        },
    )


@router.get("/success-stories/{story_id}", response_class=HTMLResponse)
def story(story_id: int, request: Request, user: OptionalUser, session: SessionDep) -> Response:
    found = success_stories.get_story(session, actor=user, story_id=story_id)
    can_consent = policies.can_consent(session, user, found)
    return render_page(
        request,
        "introductions/story.html",
        {
            "story": _localised(found),
            "can_consent": can_consent,
            "partner_label": _partner_label(found),
        },
    )


def _partner_label(story: SuccessStory) -> str | None:
    """The other side whose consent the story needs: an introduction's partner, or the investor
    of a deal; none when the member's consent is enough."""
    if not policies.needs_partner_consent(story):
        return None
    return gettext("Partner") if story.outcome_id is not None else gettext("Investor")


@router.post("/success-stories/{story_id}/consent")
def consent(story_id: int, request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return form_action(
        request,
        session,
        f"/success-stories/{story_id}",
        lambda: success_stories.set_consent(session, actor=user, story_id=story_id, consent=True),
        gettext("Your organisation consents to publication."),
        flashed=(),
    )


@router.post("/success-stories/{story_id}/withdraw-consent")
def withdraw(story_id: int, request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return form_action(
        request,
        session,
        f"/success-stories/{story_id}",
        lambda: success_stories.set_consent(session, actor=user, story_id=story_id, consent=False),
        gettext("Consent withdrawn; the story is no longer public."),
        flashed=(),
    )
