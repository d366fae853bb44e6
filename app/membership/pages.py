"""HTML pages of applications: the applicant's form and timeline, the committee's queue, the
chair's board and the staff's overview. The register's pages are in `register_pages`."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.accounts.organisations import organisations_of
from app.deps import SessionDep
from app.errors import DomainError, FieldError
from app.i18n import gettext
from app.membership import (
    applications,
    committee,
    committee_pages,
    decisions,
    discussion,
    forms,
    policies,
    queries,
    reading,
    register_pages,
    responses,
    reviews,
    rubric,
    rubric_pages,
)
from app.membership.api import application_out
from app.membership.models import (
    ApplicationStatus,
    Assignment,
    ConflictKind,
    DocumentKind,
    Recommendation,
    Review,
)
from app.membership.schemas import (
    AppealIn,
    ApplicationIn,
    ApplicationUpdateIn,
    DecisionIn,
    DeclarationIn,
    ResponseIn,
    ResponseRequestIn,
)
from app.pagination import Pagination, Paging, page_paging
from app.spreadsheets import text_cell
from app.vocab import sector_label, sector_slugs
from app.web import (
    FormData,
    flash,
    form_action,
    parse_form,
    redirect,
    render_page,
)

router = APIRouter(include_in_schema=False)
router.include_router(committee_pages.router)
router.include_router(rubric_pages.router)


PAGE_SIZE = 50
ListPaging = Annotated[Paging, page_paging(PAGE_SIZE)]
EXPORT_ALL = Paging(10_000, 0)


# --- Lists ----------------------------------------------------------------------------------------


def _queue_labels() -> list[tuple[str, str]]:
    return [
        ("to_declare", gettext("Declaration pending")),
        ("to_review", gettext("To review")),
        ("overdue", gettext("Overdue")),
        ("reviewed", gettext("Reviewed")),
    ]


BOARD_SORTS = ("normalised_mean",)


def _sort_labels() -> list[tuple[str, str]]:
    return [("normalised_mean", gettext("Normalised mean, highest first"))]


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
    "normalised_mean",
    "median",
    "disagreement",
    "summary",
)


def _applications_csv(session: Session, user: Any, cards: list[reading.Card]) -> Response:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read Cyrillic correctly; text
    that a spreadsheet would run as a formula is kept as text."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for card in cards:
        item = to_jsonable_python(application_out(session, user, card))
        aggregate = item.get("aggregate") or {}
        cells = [
            item["id"],
            item["organisation_name"],
            card.organisation_inn or "",
            card.organisation_sector,
            card.organisation_region,
            item["status"],
            item["submitted_at"] or "",
            item["decided_at"] or "",
            aggregate.get("reviews", ""),
            "" if aggregate.get("weighted_mean") is None else aggregate["weighted_mean"],
            "" if aggregate.get("normalised_mean") is None else aggregate["normalised_mean"],
            "" if aggregate.get("median") is None else aggregate["median"],
            "" if aggregate.get("disagreement") is None else aggregate["disagreement"],
            card.summary,
        ]
        writer.writerow([text_cell(c) if isinstance(c, str) else c for c in cells])
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
    paging: ListPaging,
    status: Annotated[str | None, Query(max_length=20)] = None,
    sector: Annotated[str | None, Query(max_length=40)] = None,
    region: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    queue: Annotated[str | None, Query(max_length=20)] = None,
    format: Annotated[str | None, Query(max_length=10)] = None,
    sort: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    status_filter = status if status in ApplicationStatus.__members__ else None
    view = policies.applications_view(user)
    filters: dict[str, Any] = {
        "status": ApplicationStatus(status_filter) if status_filter else None,
        "sector": sector if view.board and sector in sector_slugs() else None,
        "region": (region or None) if view.board else None,
        "q": (q or None) if view.board else None,
        "queue": queue if view.queue and queue in reading.QUEUES else None,
        "sort": sort if view.board and sort in BOARD_SORTS else None,
    }
    export = format == "csv" and view.board
    cards, total = reading.list_applications(
        session,
        actor=user,
        **filters,
        paging=EXPORT_ALL if export else paging,
        details=False,
    )
    if export:
        return _applications_csv(session, user, cards)
    today = date.today()
    query = urlencode({k: v for k, v in filters.items() if v})
    return render_page(
        request,
        "membership/applications.html",
        {
            "items": [_list_item(session, user, card, today) for card in cards],
            "pagination": Pagination.of(paging, total),
            "filters": {k: v or "" for k, v in filters.items()},
            "query": query,
            "statuses": ApplicationStatus.choices(),
            "status_labels": dict(ApplicationStatus.choices()),
            "sectors": [(slug, sector_label(slug)) for slug in sector_slugs()],
            "queues": _queue_labels(),
            "view": view,
            "can_apply": policies.can_start_application(session, user),
            "can_auto_assign": policies.assign_refusal(user) is None,
            "sorts": _sort_labels(),
            "can_view_calibration": policies.can_view_calibration(user),
        },
    )


def _list_item(session: Session, user: User, card: reading.Card, today: date) -> dict[str, Any]:
    """A row of the list, with the viewer's own assignment of the current round: its due date
    and whether the review is overdue."""
    mine = policies.assignment_of(card, user)
    return {
        **to_jsonable_python(application_out(session, user, card)),
        "review_work": policies.sees_review_work(session, user, card),
        "mine": {"due_on": mine.due_on, "overdue": queries.is_overdue(card, mine, today)}
        if mine
        else None,
    }


# --- The applicant ---------------------------------------------------------------------------


@router.get("/applications/new", response_class=HTMLResponse)
def new_application(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    organisations = [org for org, _role in organisations_of(session, user)]
    return render_page(
        request,
        "membership/application_form.html",
        {
            "organisations": organisations,
            "sections": forms.section_labels(),
            "values": {},
            "errors": {},
        },
    )


@router.post("/applications/new")
def create_application(
    request: Request, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    parsed, errors = parse_form(ApplicationIn, forms.with_parties(form, keep_missing=False))
    if parsed is not None:
        try:
            application = applications.create_application(
                session, actor=user, values=parsed.model_dump()
            )
        except FieldError as exc:
            session.rollback()
            errors = exc.by_field()
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
            "sections": forms.section_labels(),
            "values": form,
            "errors": errors,
        },
        status_code=422,
    )


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def application_page(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    return _application_view(request, session, user, application_id)


def _application_view(
    request: Request,
    session: Session,
    user: User,
    application_id: int,
    *,
    edit_values: dict[str, Any] | None = None,
    edit_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The application's page; a refused edit comes back in it with what was typed."""
    application = reading.get_application(session, actor=user, application_id=application_id)
    missing = applications.missing_documents(d.kind for d in application.attachments)
    decision = decisions.outlook(session, application, user)
    actions = policies.application_actions(session, user, application, decision.affiliations)
    my_assignment = policies.assignment_of(application, user) if actions.committee_view else None
    shown = reviews.reviews_on_record(application) if actions.view_reviews else []
    version = rubric.version_of(session, application) if actions.review else None
    return render_page(
        request,
        "membership/application.html",
        {
            "application": to_jsonable_python(application_out(session, user, application)),
            "actions": actions,
            "reviewer_choices": committee.assignable_reviewers(session, application)
            if actions.assign
            else [],
            "status_labels": dict(ApplicationStatus.choices()),
            "sections": forms.section_labels(),
            "criteria": rubric.labels(version) if version else [],
            "criteria_help": rubric.descriptions(version) if version else {},
            "edit_values": edit_values or {},
            "edit_errors": edit_errors or {},
            "document_kinds": DocumentKind.choices(),
            "document_labels": dict(DocumentKind.choices()),
            "missing_documents": [kind.label for kind in missing],
            "suggested_kind": (missing[0] if missing else DocumentKind.other).value,
            "attachment_limit": applications.attachment_limit(),
            "attachments_left": max(
                applications.attachment_limit() - len(application.attachments), 0
            ),
            "my_review": my_assignment.review if my_assignment else None,
            "discussion": discussion.thread(session, application.id)
            if actions.read_discussion
            else [],
            "reviews": _review_table(
                [(a, r) for a, r in shown if queries.is_counted(application, a)]
            ),
            "earlier_reviews": _review_table(
                [(a, r) for a, r in shown if not queries.is_counted(application, a)]
            ),
            "decision_conflict": decision.refusal.detail
            if isinstance(decision.refusal, policies.ConflictOfInterest)
            else None,
            "deciders": [chair.full_name for chair in decision.deciders]
            if actions.committee_view and policies.awaits_decision(application)
            else None,
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
        status_code=status_code,
    )


def _review_table(shown: list[tuple[Assignment, Review]]) -> dict[str, Any] | None:
    """Reviews as a table: a column for each criterion of the rubric versions they used."""
    if not shown:
        return None
    rows = [
        {
            "reviewer_name": assignment.reviewer_name,
            "round": assignment.round,
            "scores": review.scores,
            "weighted_score": reviews.weighted_score(review.scores, review.weights),
            "recommendation": review.recommendation,
            "comment": review.comment,
        }
        for assignment, review in shown
    ]
    columns = rubric.merged_labels(review.rubric_version for _a, review in shown)
    return {"columns": columns, "rows": rows}


@router.post("/applications/{application_id}/edit")
def edit_application(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    typed = forms.with_parties(form, keep_missing=True)
    parsed, errors = parse_form(ApplicationUpdateIn, typed)
    if parsed is None:  # the named parties' problems too, all on this submit
        application = reading.get_application(session, actor=user, application_id=application_id)
        problems = applications.party_problems(
            session, organisation_id=application.organisation_id, values=typed
        )
        errors = {**errors, **problems}  # the parties' own words over the schema's
    else:
        try:
            with session.begin_nested():
                applications.update_application(
                    session, actor=user, application_id=application_id, changes=parsed.model_dump()
                )
        except FieldError as exc:
            errors = exc.by_field()
        except DomainError as exc:
            flash(request, exc.detail, "error")
            return redirect(f"/applications/{application_id}")
        else:
            flash(request, gettext("The draft is saved."))
            return redirect(f"/applications/{application_id}")
    return _application_view(
        request, session, user, application_id, edit_values=form, edit_errors=errors,
        status_code=422,
    )  # fmt: skip


@router.post("/applications/{application_id}/attachments")
def upload_attachment(
    request: Request,
    application_id: int,
    user: CurrentUser,
    session: SessionDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()] = DocumentKind.other.value,
) -> Response:
    def attach() -> object:
        if kind not in {member.value for member in DocumentKind}:
            raise FieldError("kind", gettext("Choose what the document is."))
        return applications.add_attachment(
            session,
            actor=user,
            application_id=application_id,
            filename=file.filename,
            stream=file.file,
            kind=DocumentKind(kind),
        )

    return form_action(
        request,
        session,
        f"/applications/{application_id}",
        attach,
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
        lambda: applications.submit_application(session, actor=user, application_id=application_id),
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
        lambda: applications.withdraw_application(
            session, actor=user, application_id=application_id
        ),
        gettext("The application is withdrawn."),
    )


@router.post("/applications/{application_id}/appeal")
def appeal(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    def lodge() -> object:
        statement = forms.valid(
            AppealIn, form, gettext("Write a statement for the appeal.")
        ).statement
        return applications.appeal(
            session, actor=user, application_id=application_id, statement=statement
        )

    return form_action(
        request,
        session,
        f"/applications/{application_id}",
        lodge,
        gettext("The appeal is submitted."),
    )


# --- The committee -------------------------------------------------------------------------------


@router.post("/applications/{application_id}/assignments")
def assign(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    def assign_reviewers() -> object:
        refusal = gettext("Choose a reviewer or automatic assignment.")
        choice = forms.valid(forms.AssignForm, form, refusal)
        if choice.reviewer_id is None and not choice.auto:
            raise FieldError("reviewer_id", refusal)
        return committee.assign_reviewers(
            session,
            actor=user,
            application_id=application_id,
            reviewer_id=choice.reviewer_id,
            auto=choice.auto,
        )

    return form_action(
        request,
        session,
        f"/applications/{application_id}",
        assign_reviewers,
        gettext("Reviewers are assigned."),
    )


@router.post("/applications/{application_id}/declaration")
def declaration(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    def declare() -> object:
        if form.get("conflict") not in ("yes", "no"):  # nothing is assumed for the reviewer
            raise FieldError("conflict", gettext("Choose whether you have a conflict of interest."))
        data = {**form, "conflict": form.get("conflict") == "yes"}
        declared = forms.valid(
            DeclarationIn, data, gettext("A conflict needs a kind and a reason.")
        )
        return committee.declare(
            session,
            actor=user,
            application_id=application_id,
            conflict=declared.conflict,
            kind=declared.kind,
            reason=declared.reason,
        )

    return form_action(
        request,
        session,
        f"/applications/{application_id}",
        declare,
        gettext("Your declaration is recorded."),
    )


@router.post("/applications/{application_id}/review")
def review(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    def save() -> object:
        refusal = gettext("Give every score from 1 to 5 and a recommendation.")
        parsed = forms.valid(forms.ReviewForm, form, refusal)
        return reviews.save_review(
            session,
            actor=user,
            application_id=application_id,
            scores=forms.review_scores(form, refusal),
            comment=parsed.comment or "",
            recommendation=parsed.recommendation,
        )

    return form_action(
        request, session, f"/applications/{application_id}", save, gettext("Your review is saved.")
    )


@router.post("/applications/{application_id}/decision")
def decision(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    def decide() -> object:
        parsed, errors = parse_form(DecisionIn, form)
        if parsed is None:
            raise FieldError(next(iter(errors)), forms.decision_refusal(errors))
        return decisions.decide(
            session,
            actor=user,
            application_id=application_id,
            decision=parsed.decision,
            reason=parsed.reason,
        )

    return form_action(
        request,
        session,
        f"/applications/{application_id}",
        decide,
        gettext("The decision is recorded and the applicant is informed."),
    )


@router.post("/applications/{application_id}/response-request")
def request_response(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    def ask() -> object:
        questions = forms.valid(
            ResponseRequestIn, form, gettext("Write the questions for the applicant.")
        ).questions
        return responses.request_response(
            session, actor=user, application_id=application_id, questions=questions
        )

    return form_action(
        request,
        session,
        f"/applications/{application_id}",
        ask,
        gettext("The questions are sent to the applicant."),
    )


@router.post("/applications/{application_id}/response")
def respond(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    def send() -> object:
        text = forms.valid(ResponseIn, form, gettext("Write your answer.")).text
        return responses.answer(session, actor=user, application_id=application_id, text=text)

    return form_action(
        request,
        session,
        f"/applications/{application_id}",
        send,
        gettext("Your answer is sent to the committee."),
    )


@router.post("/applications/{application_id}/discussion")
def post_discussion(
    request: Request, application_id: int, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    def post() -> object:
        text = str(form.get("text") or "")
        return discussion.add_post(session, actor=user, application_id=application_id, text=text)

    return form_action(
        request,
        session,
        f"/applications/{application_id}#discussion-title",
        post,
        gettext("Your message is posted."),
        refused_target=f"/applications/{application_id}",
        shown_as_page=(404,),
    )


router.include_router(register_pages.router)
