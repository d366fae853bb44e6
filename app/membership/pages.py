"""HTML pages: applications (applicant form and timeline, committee queue, chair board, staff
overview), the public register, membership certificates and `/verify/{code}`."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from pydantic import Field
from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session

from app.accounts.models import Organisation, Role
from app.accounts.organisations import organisations_of
from app.accounts.policies import is_organisation_member, is_organisation_owner
from app.deps import CurrentUser, OptionalUser, SessionDep, StaffUser
from app.errors import DomainError, FieldError, NotFound
from app.i18n import N_, gettext
from app.membership import policies, service
from app.membership.api import application_out
from app.membership.models import (
    EDITABLE_STATUSES,
    ApplicationStatus,
    ConflictKind,
    MembershipStatus,
    Recommendation,
)
from app.membership.schemas import (
    AppealIn,
    ApplicationIn,
    ApplicationUpdateIn,
    DecisionIn,
    DeclarationIn,
    ReviewIn,
)
from app.schemas import Input
from app.templating import absolute_url
from app.verification import resolve
from app.vocab import sector_label, sector_slugs
from app.web import (
    FormData,
    Pagination,
    flash,
    form_action,
    parse_form,
    redirect,
    register_nav,
    render_page,
)

router = APIRouter(include_in_schema=False)

register_nav("/applications", N_("Applications"), order=20)
register_nav("/members", N_("Members"), order=21, public=True)
register_nav("/memberships", N_("Memberships"), order=22, roles=(Role.staff, Role.admin))

PAGE_SIZE = 50


def _section_labels() -> list[tuple[str, str]]:
    return [
        ("summary", gettext("Summary")),
        ("innovation", gettext("Innovation")),
        ("market", gettext("Market")),
        ("team", gettext("Team")),
        ("funding_needs", gettext("Funding needs")),
    ]


def _criteria_labels() -> list[tuple[str, str]]:
    return [
        ("innovation", gettext("Innovation")),
        ("team", gettext("Team")),
        ("market", gettext("Market")),
        ("cluster_fit", gettext("Cluster fit")),
    ]


def _with_parties(form: dict[str, Any], *, keep_missing: bool) -> dict[str, Any]:
    """Competitors and shareholders come from textareas: INNs or portal numbers, one per line
    (commas and spaces also separate them)."""
    data = dict(form)
    for name in ("competitors", "shareholders"):
        if name in data:
            raw = str(data[name] or "")
            data[name] = [part for part in raw.replace(",", " ").split() if part]
        elif not keep_missing:
            data[name] = []
    return data


# --- Lists ----------------------------------------------------------------------------------------


def _queue_labels() -> list[tuple[str, str]]:
    return [
        ("to_declare", gettext("Declaration pending")),
        ("to_review", gettext("To review")),
        ("overdue", gettext("Overdue")),
        ("reviewed", gettext("Reviewed")),
    ]


CSV_COLUMNS = (
    "id",
    "organisation",
    "inn",
    "sector",
    "region",
    "status",
    "submitted_at",
    "decided_at",
    "reviews",
    "weighted_mean",
    "median",
    "disagreement",
)


def _applications_csv(session: Session, user: Any, cards: list[service.Card]) -> Response:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read Cyrillic correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for card in cards:
        item = to_jsonable_python(application_out(session, user, card))
        aggregate = item.get("aggregate") or {}
        writer.writerow(
            [
                item["id"],
                item["organisation_name"],
                card.organisation_inn,
                card.organisation_sector,
                card.organisation_region,
                item["status"],
                item["submitted_at"] or "",
                item["decided_at"] or "",
                aggregate.get("reviews", ""),
                "" if aggregate.get("weighted_mean") is None else aggregate["weighted_mean"],
                "" if aggregate.get("median") is None else aggregate["median"],
                "" if aggregate.get("disagreement") is None else aggregate["disagreement"],
            ]
        )
    return Response(
        buffer.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="applications.csv"'},
    )


@router.get("/applications", response_class=HTMLResponse)
def applications_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
    sector: Annotated[str | None, Query(max_length=40)] = None,
    region: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    queue: Annotated[str | None, Query(max_length=20)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    format: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    status_filter = status if status in ApplicationStatus.__members__ else None
    overseer = policies.is_overseer(user)
    committee = user.has_role(Role.committee)
    filters: dict[str, Any] = {
        "status": ApplicationStatus(status_filter) if status_filter else None,
        "sector": sector if overseer and sector in sector_slugs() else None,
        "region": (region or None) if overseer else None,
        "q": (q or None) if overseer else None,
        "queue": queue if committee and queue in service.QUEUES else None,
    }
    export = format == "csv" and overseer
    cards, total = service.list_applications(
        session,
        actor=user,
        **filters,
        limit=10_000 if export else PAGE_SIZE,
        offset=0 if export else offset,
        details=False,
    )
    if export:
        return _applications_csv(session, user, cards)
    query = urlencode({k: v for k, v in filters.items() if v})
    return render_page(
        request,
        "membership/applications.html",
        {
            "items": to_jsonable_python([application_out(session, user, c) for c in cards]),
            "pagination": Pagination(total, PAGE_SIZE, offset),
            "filters": {k: v or "" for k, v in filters.items()},
            "query": query,
            "statuses": ApplicationStatus.choices(),
            "status_labels": dict(ApplicationStatus.choices()),
            "sectors": [(slug, sector_label(slug)) for slug in sector_slugs()],
            "queues": _queue_labels(),
            "overseer": overseer,
            "committee": committee,
            "reviewer_id": user.id,
            "today": date.today().isoformat(),
            "can_apply": any(True for _ in organisations_of(session, user)),
        },
    )


# --- The applicant ---------------------------------------------------------------------------


@router.get("/applications/new", response_class=HTMLResponse)
def new_application(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    organisations = [org for org, _role in organisations_of(session, user)]
    return render_page(
        request,
        "membership/application_form.html",
        {"organisations": organisations, "sections": _section_labels(), "values": {}, "errors": {}},
    )


@router.post("/applications/new")
def create_application(
    request: Request, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    parsed, errors = parse_form(ApplicationIn, _with_parties(form, keep_missing=False))
    if parsed is not None:
        try:
            application = service.create_application(
                session, actor=user, values=parsed.model_dump()
            )
        except FieldError as exc:
            session.rollback()
            errors = {exc.field: exc.detail}
        except DomainError as exc:
            session.rollback()
            errors = {"__all__": exc.detail}
        else:
            flash(request, gettext("The draft is saved."))
            return redirect(f"/applications/{application.id}")
    organisations = [org for org, _role in organisations_of(session, user)]
    return render_page(
        request,
        "membership/application_form.html",
        {
            "organisations": organisations,
            "sections": _section_labels(),
            "values": form,
            "errors": errors,
        },
        status_code=422,
    )


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def application_page(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    application = service.get_application(session, actor=user, application_id=application_id)
    view = to_jsonable_python(application_out(session, user, application))
    committee_view = "assignments" in view
    applicant = policies.is_applicant(session, user, application)
    my_assignment = policies.assignment_of(application, user) if committee_view else None
    reviews = []
    if committee_view and policies.can_read_reviews(session, user, application):
        reviews = [
            {
                "reviewer_name": a.reviewer_name,
                "scores": a.review.scores,
                "weighted_score": service.weighted_score(a.review.scores),
                "recommendation": a.review.recommendation,
                "comment": a.review.comment,
            }
            for a in application.assignments
            if a.review is not None and not a.conflict
        ]
    can_assign = (
        committee_view
        and user.has_role(Role.chair, Role.staff, Role.admin)
        and application.status in (ApplicationStatus.submitted, ApplicationStatus.under_review)
    )
    return render_page(
        request,
        "membership/application.html",
        {
            "application": view,
            "reviewer_choices": service.assignable_reviewers(session, application)
            if can_assign
            else [],
            "status_labels": dict(ApplicationStatus.choices()),
            "sections": _section_labels(),
            "criteria": _criteria_labels(),
            "committee_view": committee_view,
            "is_applicant": applicant,
            "editable": applicant and application.status in EDITABLE_STATUSES,
            "can_withdraw": applicant
            and application.status
            in (
                ApplicationStatus.draft,
                ApplicationStatus.submitted,
                ApplicationStatus.under_review,
                ApplicationStatus.changes_requested,
            ),
            "can_open_documents": policies.can_open_documents(session, user, application),
            "my_assignment": my_assignment,
            "my_review": my_assignment.review if my_assignment else None,
            "reviews": reviews,
            "can_assign": can_assign,
            "can_decide": committee_view
            and user.has_role(Role.chair)
            and application.status == ApplicationStatus.under_review,
            "conflict_kinds": ConflictKind.choices(),
            "recommendations": Recommendation.choices(),
            "decisions": [
                (ApplicationStatus.approved.value, ApplicationStatus.approved.label),
                (ApplicationStatus.rejected.value, ApplicationStatus.rejected.label),
                (
                    ApplicationStatus.changes_requested.value,
                    ApplicationStatus.changes_requested.label,
                ),
            ],
        },
    )


@router.post("/applications/{application_id}/edit")
def edit_application(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    target = f"/applications/{application_id}"
    parsed, errors = parse_form(ApplicationUpdateIn, _with_parties(form, keep_missing=True))
    if parsed is None:
        flash(request, next(iter(errors.values())), "error")
        return redirect(target)
    return form_action(
        request,
        session,
        target,
        lambda: service.update_application(
            session, actor=user, application_id=application_id, changes=parsed.model_dump()
        ),
        gettext("The draft is saved."),
    )


@router.post("/applications/{application_id}/attachments")
def upload_attachment(
    request: Request,
    application_id: int,
    user: CurrentUser,
    session: SessionDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    return form_action(
        request,
        session,
        f"/applications/{application_id}",
        lambda: service.add_attachment(
            session,
            actor=user,
            application_id=application_id,
            filename=file.filename,
            stream=file.file,
        ),
        gettext("The document is attached."),
    )


@router.post("/applications/{application_id}/submit")
def submit_application(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    return form_action(
        request,
        session,
        f"/applications/{application_id}",
        lambda: service.submit_application(session, actor=user, application_id=application_id),
        gettext("The application is submitted to the committee."),
    )


@router.post("/applications/{application_id}/withdraw")
def withdraw_application(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    return form_action(
        request,
        session,
        f"/applications/{application_id}",
        lambda: service.withdraw_application(session, actor=user, application_id=application_id),
        gettext("The application is withdrawn."),
    )


@router.post("/applications/{application_id}/appeal")
def appeal(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    target = f"/applications/{application_id}"
    parsed, _errors = parse_form(AppealIn, form)
    if parsed is None:
        flash(request, gettext("Write a statement for the appeal."), "error")
        return redirect(target)
    return form_action(
        request,
        session,
        target,
        lambda: service.appeal(
            session, actor=user, application_id=application_id, statement=parsed.statement
        ),
        gettext("The appeal is submitted."),
    )


# --- The committee -------------------------------------------------------------------------------


class AssignForm(Input):
    reviewer_id: int | None = None
    auto: bool = False


@router.post("/applications/{application_id}/assignments")
def assign(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    target = f"/applications/{application_id}"
    parsed, _errors = parse_form(AssignForm, form)
    if parsed is None or (parsed.reviewer_id is None and not parsed.auto):
        flash(request, gettext("Choose a reviewer or automatic assignment."), "error")
        return redirect(target)
    return form_action(
        request,
        session,
        target,
        lambda: service.assign_reviewers(
            session,
            actor=user,
            application_id=application_id,
            reviewer_id=parsed.reviewer_id,
            auto=parsed.auto,
        ),
        gettext("Reviewers are assigned."),
    )


@router.post("/applications/{application_id}/declaration")
def declaration(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    target = f"/applications/{application_id}"
    data = dict(form)
    data["conflict"] = data.get("conflict") == "yes"
    parsed, _errors = parse_form(DeclarationIn, data)
    if parsed is None:
        flash(request, gettext("A conflict needs a kind and a reason."), "error")
        return redirect(target)
    return form_action(
        request,
        session,
        target,
        lambda: service.declare(
            session,
            actor=user,
            application_id=application_id,
            conflict=parsed.conflict,
            kind=parsed.kind,
            reason=parsed.reason,
        ),
        gettext("Your declaration is recorded."),
    )


class ReviewForm(Input):
    innovation: int = Field(ge=1, le=5)
    team: int = Field(ge=1, le=5)
    market: int = Field(ge=1, le=5)
    cluster_fit: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=10_000)
    recommendation: Recommendation


@router.post("/applications/{application_id}/review")
def review(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    target = f"/applications/{application_id}"
    parsed, _errors = parse_form(ReviewForm, form)
    if parsed is None:
        flash(request, gettext("Give every score from 1 to 5 and a recommendation."), "error")
        return redirect(target)
    body = ReviewIn(
        scores={
            "innovation": parsed.innovation,
            "team": parsed.team,
            "market": parsed.market,
            "cluster_fit": parsed.cluster_fit,
        },
        comment=parsed.comment or "",
        recommendation=parsed.recommendation,
    )
    return form_action(
        request,
        session,
        target,
        lambda: service.save_review(
            session,
            actor=user,
            application_id=application_id,
            scores=body.scores.model_dump(),
            comment=body.comment,
            recommendation=body.recommendation,
        ),
        gettext("Your review is saved."),
    )


@router.post("/applications/{application_id}/decision")
def decision(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    target = f"/applications/{application_id}"
    parsed, _errors = parse_form(DecisionIn, form)
    if parsed is None:
        flash(request, gettext("Choose a decision and give a reason."), "error")
        return redirect(target)
    return form_action(
        request,
        session,
        target,
        lambda: service.decide(
            session,
            actor=user,
            application_id=application_id,
            decision=parsed.decision,
            reason=parsed.reason,
        ),
        gettext("The decision is recorded and the applicant is informed."),
    )


# --- Register, certificates, verification ------------------------------------------------------


@router.get("/members", response_class=HTMLResponse)
def members_page(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    sector: Annotated[str | None, Query(max_length=40)] = None,
    region: Annotated[str | None, Query(max_length=100)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    rows, total = service.register(
        session, sector=sector or None, region=region or None, limit=PAGE_SIZE, offset=offset
    )
    today = date.today()
    return render_page(
        request,
        "membership/members.html",
        {
            "rows": [(m, o, m.effective_status(today)) for m, o in rows],
            "pagination": Pagination(total, PAGE_SIZE, offset),
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
    status: Annotated[MembershipStatus | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Staff: every membership with its effective status, to find one to suspend or renew."""
    rows, total = service.list_memberships(
        session, actor=user, status=status, q=q or None, limit=PAGE_SIZE, offset=offset
    )
    today = date.today()
    return render_page(
        request,
        "membership/memberships.html",
        {
            "rows": [(m, o, m.effective_status(today)) for m, o in rows],
            "pagination": Pagination(total, PAGE_SIZE, offset),
            "status": status.value if status else "",
            "q": q or "",
            "statuses": MembershipStatus.choices(),
        },
    )


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code (no script, no style attribute: safe under the CSP)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    return Markup(svg.replace("<svg ", '<svg role="img" class="qr-code" ', 1))


@router.get("/members/{organisation_id}/certificate", response_class=HTMLResponse)
def certificate_page(
    request: Request, organisation_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    """The certificate is for the organisation's people and staff; the public verifies by code."""
    membership = service.membership_of(session, organisation_id)
    organisation = session.get(Organisation, organisation_id)
    if (
        membership is None
        or organisation is None
        or not (user.is_staff or is_organisation_member(session, user, organisation_id))
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
            "is_staff": user.is_staff,
            "can_change_listing": user.is_staff
            or is_organisation_owner(session, user, organisation_id),
        },
    )


class StatusForm(Input):
    reason: str | None = Field(default=None, max_length=2000)


def _membership_action(
    request: Request,
    session: Session,
    user: Any,
    membership_id: int,
    form: dict[str, Any],
    to: MembershipStatus,
    message: str,
) -> Response:
    membership = service.get_membership(session, actor=user, membership_id=membership_id)
    target = f"/members/{membership.organisation_id}/certificate"
    parsed, errors = parse_form(StatusForm, form)
    if parsed is None:
        flash(request, next(iter(errors.values())), "error")
        return redirect(target)
    return form_action(
        request,
        session,
        target,
        lambda: service.change_membership_status(
            session, actor=user, membership_id=membership_id, to=to, reason=parsed.reason
        ),
        message,
    )


@router.post("/memberships/{membership_id}/listing")
def set_listing(
    request: Request, membership_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    listed = form.get("listed") == "yes"
    membership = service.set_listing(
        session, actor=user, membership_id=membership_id, listed=listed
    )
    flash(
        request,
        gettext("The organisation is listed in the public register.")
        if listed
        else gettext("The organisation is no longer listed in the public register."),
    )
    return redirect(f"/members/{membership.organisation_id}/certificate")


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


@router.get("/verify/{code}", response_class=HTMLResponse)
def verify_page(request: Request, code: str, session: SessionDep, user: OptionalUser) -> Response:
    record = resolve(session, code[:100])
    return render_page(
        request, "verification.html", {"record": record}, status_code=200 if record else 404
    )
