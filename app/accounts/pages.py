"""HTML pages: language, login/logout, registration, password reset, account,
organisations and user administration."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from app.accounts import organisations as org_service
from app.accounts import people, policies
from app.accounts import service as accounts
from app.accounts.deps import AdminUser, CurrentUser, OptionalUser
from app.accounts.identifiers import is_valid_personal_inn
from app.accounts.models import Organisation, OrganisationKind, PersonRole, Role, User
from app.accounts.privacy import PRIVACY_POLICY_VERSION
from app.accounts.schemas import (
    IncorporationIn,
    InvitationIn,
    MeUpdateIn,
    OrganisationIn,
    OrganisationUpdateIn,
    RegisterIn,
)
from app.config import get_settings
from app.deps import SessionDep
from app.errors import DomainError, FieldError, Forbidden, Throttled
from app.i18n import LOCALES, get_locale, gettext, use_locale
from app.pagination import Pagination, Paging, page_paging
from app.schemas import Input
from app.vocab import Stage, sector_label, sector_slugs
from app.web import (
    LANG_COOKIE,
    LANG_COOKIE_AGE,
    FormData,
    flash,
    form_action,
    parse_form,
    redirect,
    render_page,
    safe_next,
    session_cookie,
    set_cookie_headers,
)

router = APIRouter(include_in_schema=False)

ListPaging = Annotated[Paging, page_paging(50)]


class LoginForm(Input):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class PasswordForm(Input):
    password: str = Field(min_length=1, max_length=1024)


class ChangePasswordForm(Input):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


# Empty rows the owner's people form offers below the listed people, to add new ones.
BLANK_PEOPLE_ROWS = 2


class ProfileForm(MeUpdateIn):
    full_name: str = Field(min_length=1, max_length=200)
    locale: Literal["ru", "en"]
    timezone: str = Field(min_length=1, max_length=64)


def _organisation_choices() -> dict[str, object]:
    return {
        "kinds": OrganisationKind.choices(),
        "sectors": [(slug, sector_label(slug)) for slug in sector_slugs()],
        "stages": Stage.choices(),
    }


def _without_lang(url: str) -> str:
    """The page to return to, minus a `?lang=` that would override the language just chosen."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(("", "", parts.path, urlencode(kept), parts.fragment))


@router.post("/language")
def set_language(
    request: Request, form: FormData, user: OptionalUser, session: SessionDep
) -> Response:
    locale = str(form.get("locale", ""))
    target = _without_lang(safe_next(str(form.get("next", "/"))))
    response = redirect(target)
    if locale in LOCALES:
        if user is not None:
            accounts.update_profile(session, user, {"locale": locale})
        set_cookie_headers(response.headers, LANG_COOKIE, locale, max_age=LANG_COOKIE_AGE)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, user: OptionalUser, next: str | None = None) -> Response:
    if user is not None:
        return redirect(safe_next(next))
    return render_page(request, "accounts/login.html", {"next": safe_next(next), "errors": {}})


@router.post("/login")
def login(request: Request, form: FormData, session: SessionDep) -> Response:
    next_url = safe_next(str(form.get("next") or "/"))
    parsed, errors = parse_form(LoginForm, form)
    context = {"next": next_url, "errors": errors, "email": form.get("email", "")}
    if parsed is None:
        return render_page(request, "accounts/login.html", context, status_code=422)
    ip_address = str(request.state.client_ip)
    try:
        result = accounts.authenticate(
            session, email=parsed.email, password=parsed.password, ip_address=ip_address
        )
    except Throttled as exc:  # the form again, with the address kept and when to try again
        session.rollback()
        context["errors"] = {"__all__": exc.detail}
        page = render_page(request, "accounts/login.html", context, status_code=429)
        page.headers.update(exc.headers or {})
        return page
    if result.user is None:
        context["errors"] = {"__all__": gettext("Wrong email or password.")}
        return render_page(request, "accounts/login.html", context, status_code=401)
    old_cookie = request.cookies.get(session_cookie())
    if old_cookie:
        accounts.end_browser_session(session, old_cookie, user=None, ip_address=ip_address)
    cookie_value = accounts.start_browser_session(
        session, result.user, ip_address=ip_address, user_agent=request.headers.get("user-agent")
    )
    accounts.settle_locale_at_login(
        session,
        result.user,
        browsing_in=get_locale(),
        chosen_by_visitor=request.cookies.get(LANG_COOKIE) in LOCALES,
    )
    response = redirect(next_url)
    set_cookie_headers(response.headers, session_cookie(), cookie_value)
    # The next page speaks the user's language; so does the message shown on it.
    with use_locale(result.user.locale, result.user.timezone):
        flash(request, gettext("Welcome, %(name)s!", name=result.user.full_name))
    return response


@router.post("/logout")
def logout(request: Request, user: OptionalUser, session: SessionDep) -> Response:
    cookie_value = request.cookies.get(session_cookie())
    if cookie_value:
        accounts.end_browser_session(
            session, cookie_value, user=user, ip_address=str(request.state.client_ip)
        )
    response = redirect("/")
    set_cookie_headers(response.headers, session_cookie(), "", max_age=0)
    return response


def _register_page(
    request: Request, context: Mapping[str, object], status_code: int = 200
) -> Response:
    return render_page(
        request,
        "accounts/register.html",
        {**context, "policy_version": PRIVACY_POLICY_VERSION},
        status_code=status_code,
    )


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request, user: OptionalUser) -> Response:
    if user is not None:
        return redirect("/")
    return _register_page(request, {"errors": {}, "values": {}})


@router.post("/register")
def register(request: Request, form: FormData, session: SessionDep) -> Response:
    form["consent_personal_data"] = form.get("consent_personal_data") == "on"
    form.setdefault("locale", "ru")
    form.setdefault("timezone", "Europe/Moscow")
    parsed, errors = parse_form(RegisterIn, form)
    problems = accounts.registration_problems(
        email=str(form.get("email") or ""),
        password=str(form.get("password") or ""),
        consent_personal_data=form["consent_personal_data"],
    )
    errors = {**problems, **errors}  # every problem on the first submit
    context = {"errors": errors, "values": form}
    if parsed is None or errors:
        return _register_page(request, context, status_code=422)
    ip_address = str(request.state.client_ip)
    try:
        with session.begin_nested():
            user = accounts.register(session, **parsed.model_dump(), ip_address=ip_address)
    except FieldError as exc:
        context["errors"] = exc.by_field()
        return _register_page(request, context, status_code=422)
    except DomainError as exc:
        context["errors"] = {"email": exc.detail}
        return _register_page(request, context, status_code=exc.status_code)
    cookie_value = accounts.start_browser_session(
        session, user, ip_address=ip_address, user_agent=request.headers.get("user-agent")
    )
    response = redirect("/organisations/new")
    set_cookie_headers(response.headers, session_cookie(), cookie_value)
    with use_locale(user.locale, user.timezone):
        flash(request, gettext("Your account has been created. Now register your organisation."))
    return response


@router.get("/privacy", response_class=HTMLResponse)
def privacy_page(request: Request) -> Response:
    settings = get_settings()
    return render_page(
        request,
        "accounts/privacy.html",
        {
            "policy_version": PRIVACY_POLICY_VERSION,
            "operator_name": settings.operator_name,
            "operator_contact": settings.operator_contact or settings.mail_from,
            "settings": settings,
        },
    )


@router.get("/password-reset", response_class=HTMLResponse)
def password_reset_form(request: Request) -> Response:
    return render_page(request, "accounts/password_reset_request.html", {"sent": False})


@router.post("/password-reset")
def password_reset_request(request: Request, form: FormData, session: SessionDep) -> Response:
    email = str(form.get("email", "")).strip()[:254]
    if email:
        accounts.request_password_reset(
            session, email=email, ip_address=str(request.state.client_ip)
        )
    return render_page(request, "accounts/password_reset_request.html", {"sent": True})


@router.get("/password-reset/{secret}", response_class=HTMLResponse)
def password_reset_page(secret: str, request: Request, session: SessionDep) -> Response:
    valid = accounts.find_valid_reset(session, secret[:100]) is not None
    return render_page(
        request,
        "accounts/password_reset.html",
        {"valid": valid, "secret": secret, "errors": {}},
        status_code=200 if valid else 404,
    )


@router.post("/password-reset/{secret}")
def password_reset_complete(
    secret: str, request: Request, form: FormData, session: SessionDep
) -> Response:
    parsed, errors = parse_form(PasswordForm, form)
    context = {"valid": True, "secret": secret, "errors": errors}
    if parsed is None:
        return render_page(request, "accounts/password_reset.html", context, status_code=422)
    try:
        with session.begin_nested():
            accounts.complete_password_reset(
                session,
                secret=secret[:100],
                new_password=parsed.password,
                ip_address=str(request.state.client_ip),
            )
    except FieldError as exc:
        context["errors"] = exc.by_field()
        return render_page(request, "accounts/password_reset.html", context, status_code=422)
    flash(request, gettext("Your password has been changed. Please log in."))
    return redirect("/login")


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return render_page(
        request,
        "accounts/account.html",
        {
            "tokens": accounts.list_tokens(session, user),
            "errors": {},
            "organisations": org_service.organisations_of(session, user),
        },
    )


@router.post("/account/profile")
def update_profile(
    request: Request, form: FormData, user: CurrentUser, session: SessionDep
) -> Response:
    parsed, _errors = parse_form(ProfileForm, form)
    if parsed is None:
        flash(request, gettext("Please check the form."), "error")
        return redirect("/account")

    def save() -> None:
        accounts.update_profile(session, user, parsed.model_dump())
        if "personal_inn" in form:
            people.set_personal_inn(session, user, str(form["personal_inn"]))

    response = form_action(
        request,
        session,
        "/account",
        save,
        gettext("Your profile has been saved."),
        flashed=(FieldError,),
        category="success",
    )
    # The browser remembers the language too, so the next login keeps it.
    set_cookie_headers(response.headers, LANG_COOKIE, parsed.locale, max_age=LANG_COOKIE_AGE)
    return response


def _current_session_id(request: Request) -> str | None:
    principal = request.state.principal
    return str(principal.credential_id) if principal and principal.via == "session" else None


@router.post("/account/password")
def change_password(
    request: Request, form: FormData, user: CurrentUser, session: SessionDep
) -> Response:
    parsed, _errors = parse_form(ChangePasswordForm, form)
    if parsed is None:
        flash(request, gettext("Please check the form."), "error")
        return redirect("/account")
    return form_action(
        request,
        session,
        "/account",
        lambda: accounts.change_password(
            session,
            user,
            current_password=parsed.current_password,
            new_password=parsed.new_password,
            current_session=_current_session_id(request),
        ),
        gettext("Your password has been changed."),
        flashed=(FieldError,),
    )


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    token_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    return form_action(
        request,
        session,
        "/account",
        lambda: accounts.revoke_token(session, user, token_id),
        gettext("The token has been revoked."),
        flashed=(),
    )


@router.get("/organisations", response_class=HTMLResponse)
def organisations_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    paging: ListPaging,
    q: Annotated[str | None, Query(max_length=100)] = None,
    kind: OrganisationKind | None = None,
    unverified: bool = False,
) -> Response:
    rows, total = org_service.list_organisations(
        session, user=user, kind=kind, query=q, paging=paging, unverified=unverified
    )
    return render_page(
        request,
        "accounts/organisations.html",
        {
            "organisations": rows,
            "pagination": Pagination.of(paging, total),
            "q": q or "",
            "kind": kind,
            "unverified": unverified,
            "kinds": OrganisationKind.choices(),
        },
    )


@router.get("/organisations/new", response_class=HTMLResponse)
def new_organisation_form(request: Request, user: CurrentUser) -> Response:
    return render_page(
        request,
        "accounts/organisation_form.html",
        {"errors": {}, "values": {}, "organisation": None, **_organisation_choices()},
    )


@router.post("/organisations/new")
def create_organisation(
    request: Request, form: FormData, user: CurrentUser, session: SessionDep
) -> Response:
    parsed, errors = parse_form(OrganisationIn, form)
    errors = {**org_service.field_problems(form), **errors}  # every problem on the first submit
    context = {"errors": errors, "values": form, "organisation": None, **_organisation_choices()}
    if parsed is None or errors:
        return render_page(request, "accounts/organisation_form.html", context, status_code=422)
    try:
        with session.begin_nested():
            organisation = org_service.create_organisation(
                session, actor=user, values=parsed.model_dump()
            )
    except FieldError as exc:
        context["errors"] = exc.by_field()
        return render_page(request, "accounts/organisation_form.html", context, status_code=422)
    except DomainError as exc:
        context["errors"] = {"inn": exc.detail}
        return render_page(
            request, "accounts/organisation_form.html", context, status_code=exc.status_code
        )
    flash(request, gettext("The organisation has been registered."))
    return redirect(f"/organisations/{organisation.id}")


@router.get("/organisations/{organisation_id}", response_class=HTMLResponse)
def organisation_page(
    organisation_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    organisation = org_service.get_visible_organisation(session, user, organisation_id)
    return _organisation_page(request, session, user, organisation)


def _organisation_page(
    request: Request,
    session: Session,
    user: User,
    organisation: Organisation,
    *,
    invite_errors: dict[str, str] | None = None,
    invite_values: dict[str, object] | None = None,
    people_rows: list[dict[str, Any]] | None = None,
    people_errors: dict[str, str] | None = None,
    incorporation_errors: dict[str, str] | None = None,
    incorporation_values: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    members = (
        org_service.members_of(session, organisation.id)
        if policies.can_see_organisation_people(session, user, organisation)
        else None
    )
    listed = None
    if people.sees_people(session, user, organisation.id):
        listed = people_rows or [
            people.person_out(p) for p in people.people_of(session, organisation.id)
        ]
    return render_page(
        request,
        "accounts/organisation.html",
        {
            "organisation": organisation,
            "members": members,
            "owner_ids": policies.owners_among(members or []),
            "can_edit": policies.can_edit_organisation(session, user, organisation),
            "is_owner": policies.is_organisation_owner(session, user, organisation.id),
            "can_verify": policies.can_verify_organisation(user, organisation),
            "joins_by_verification": policies.joins_by_verification(organisation),
            "sector_label": sector_label,
            "invite_errors": invite_errors or {},
            "invite_values": invite_values or {},
            "people": listed,
            "people_errors": people_errors or {},
            "lists_people": policies.is_organisation_owner(session, user, organisation.id),
            "person_roles": PersonRole.choices(),
            "person_role_label": lambda value: PersonRole(value).label,
            "blank_people_rows": BLANK_PEOPLE_ROWS,
            "can_incorporate": policies.can_incorporate(session, user, organisation),
            "incorporation_errors": incorporation_errors or {},
            "incorporation_values": incorporation_values or {},
        },
        status_code=status_code,
    )


@router.post("/organisations/{organisation_id}/incorporate")
def incorporate(
    organisation_id: int, request: Request, form: FormData, user: CurrentUser, session: SessionDep
) -> Response:
    """The owner of a project records the company founded: it continues as an SME."""
    organisation = org_service.get_owned_organisation(session, user, organisation_id)
    parsed, errors = parse_form(IncorporationIn, form)
    if parsed is not None:
        try:
            with session.begin_nested():
                org_service.incorporate(
                    session,
                    actor=user,
                    organisation_id=organisation.id,
                    inn=parsed.inn,
                    ogrn=parsed.ogrn,
                )
        except FieldError as exc:
            errors = exc.by_field()
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            errors = {"inn": exc.detail}
        else:
            flash(request, gettext("The company is registered: the organisation continues as it."))
            return redirect(f"/organisations/{organisation.id}")
    return _organisation_page(
        request,
        session,
        user,
        organisation,
        incorporation_errors=errors,
        incorporation_values=dict(form),
        status_code=422,
    )


@router.get("/organisations/{organisation_id}/edit", response_class=HTMLResponse)
def edit_organisation_form(
    organisation_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    organisation = org_service.get_visible_organisation(session, user, organisation_id)
    if not policies.can_edit_organisation(session, user, organisation):
        raise Forbidden(gettext("Only the owner or cluster staff may edit this organisation."))
    values = {
        field: getattr(organisation, field) or ""
        for field in (
            "name",
            "kind",
            "inn",
            "ogrn",
            "region",
            "sector",
            "stage",
            "website",
            "description",
        )
    }
    return render_page(
        request,
        "accounts/organisation_form.html",
        {"errors": {}, "values": values, "organisation": organisation, **_organisation_choices()},
    )


@router.post("/organisations/{organisation_id}/edit")
def edit_organisation(
    organisation_id: int, request: Request, form: FormData, user: CurrentUser, session: SessionDep
) -> Response:
    organisation = org_service.get_visible_organisation(session, user, organisation_id)
    parsed, errors = parse_form(OrganisationUpdateIn, form)
    errors = {**org_service.field_problems(form), **errors}
    context = {
        "errors": errors,
        "values": {**form, "kind": organisation.kind, "inn": organisation.inn},
        "organisation": organisation,
        **_organisation_choices(),
    }
    if parsed is None or errors:
        return render_page(request, "accounts/organisation_form.html", context, status_code=422)
    try:
        with session.begin_nested():
            org_service.update_organisation(
                session,
                actor=user,
                organisation_id=organisation_id,
                changes=parsed.model_dump(exclude_unset=True),
            )
    except FieldError as exc:
        context["errors"] = exc.by_field()
        return render_page(request, "accounts/organisation_form.html", context, status_code=422)
    flash(request, gettext("The organisation has been saved."))
    return redirect(f"/organisations/{organisation_id}")


def _people_from_form(
    form: dict[str, Any],
) -> tuple[list[dict[str, Any]], list[dict[str, str]], dict[str, str]]:
    """The rows of the people form (`full_name_N`, `inn_N`, `role_N`, `share_percent_N`,
    `remove_N`), blank and removed rows left out: the rows to save, the rows as typed (to show
    again) and each problem under its field's name."""
    rows: list[dict[str, Any]] = []
    typed: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    pattern = re.compile(r"(?:full_name|inn)_(\d{1,3})")
    indices = sorted({int(m.group(1)) for key in form if (m := pattern.fullmatch(key))})
    for index in indices:
        value = {
            field: str(form.get(f"{field}_{index}") or "").strip()
            for field in ("full_name", "inn", "role", "share_percent")
        }
        if form.get(f"remove_{index}") or not (value["full_name"] or value["inn"]):
            continue
        row = len(rows)
        if not value["full_name"]:
            errors[f"full_name_{row}"] = gettext("Enter the person's full name.")
        if not is_valid_personal_inn(value["inn"]):
            errors[f"inn_{row}"] = people.invalid_personal_inn()
        if value["role"] not in PersonRole.__members__:
            errors[f"role_{row}"] = gettext("Choose the person's role.")
        share: float | None = None
        if value["share_percent"]:
            try:
                share = float(value["share_percent"].replace(",", "."))
            except ValueError:
                share = -1.0
            if not 0 <= share <= 100:
                errors[f"share_percent_{row}"] = gettext("A share is a percentage from 0 to 100.")
        typed.append(value)
        rows.append({**value, "full_name": value["full_name"][:200], "share_percent": share})
    return rows, typed, errors


@router.post("/organisations/{organisation_id}/people")
def list_people(
    organisation_id: int, request: Request, form: FormData, user: CurrentUser, session: SessionDep
) -> Response:
    """The owner's list of the organisation's founders, directors, shareholders and board."""
    organisation = org_service.get_visible_organisation(session, user, organisation_id)
    if not policies.is_organisation_owner(session, user, organisation.id):
        raise Forbidden(gettext("Only the organisation's owner lists its people."))
    rows, typed, errors = _people_from_form(form)
    if errors or len(rows) > people.MAX_PEOPLE:
        return _organisation_page(
            request,
            session,
            user,
            organisation,
            people_rows=typed,
            people_errors=errors or {"full_name_0": gettext("Too many people.")},
            status_code=422,
        )
    return form_action(
        request,
        session,
        f"/organisations/{organisation_id}",
        lambda: people.replace_people(
            session, actor=user, organisation_id=organisation_id, people=rows
        ),
        gettext("The list of people has been saved."),
        flashed=(),
    )


@router.post("/organisations/{organisation_id}/verify")
def verify_organisation(
    organisation_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    if not policies.verifies_organisations(user):
        org_service.get_visible_organisation(session, user, organisation_id)
        raise Forbidden(gettext("You do not have permission to do this."))
    return form_action(
        request,
        session,
        f"/organisations/{organisation_id}",
        lambda: org_service.verify_organisation(
            session, actor=user, organisation_id=organisation_id
        ),
        gettext("The organisation has been verified."),
        flashed=(),
    )


@router.post("/organisations/{organisation_id}/invitations")
def invite_colleague(
    organisation_id: int, request: Request, form: FormData, user: CurrentUser, session: SessionDep
) -> Response:
    # Exactly one address, checked as the API checks it: a list such as "a@x>, <b@y" would
    # otherwise reach the mail headers and invite two people.
    parsed, errors = parse_form(InvitationIn, form)
    if parsed is None:
        organisation = org_service.get_visible_organisation(session, user, organisation_id)
        if not policies.can_edit_organisation(session, user, organisation):
            flash(request, gettext("Only the owner may invite colleagues."), "error")
            return redirect(f"/organisations/{organisation_id}")
        if form.get("email"):
            errors["email"] = gettext("Enter a valid email address.")
        return _organisation_page(
            request,
            session,
            user,
            organisation,
            invite_errors=errors,
            invite_values={"email": form.get("email", "")},
            status_code=422,
        )
    return form_action(
        request,
        session,
        f"/organisations/{organisation_id}",
        lambda: org_service.invite_colleague(
            session, actor=user, organisation_id=organisation_id, email=str(parsed.email)
        ),
        gettext("The invitation has been sent."),
        shown_as_page={404},
    )


@router.get("/invitations/{secret}", response_class=HTMLResponse)
def invitation_page(secret: str, request: Request, user: CurrentUser) -> Response:
    return render_page(request, "accounts/invitation.html", {"secret": secret})


@router.post("/invitations/{secret}")
def accept_invitation(
    secret: str, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    return form_action(
        request,
        session,
        lambda organisation: f"/organisations/{organisation.id}",
        lambda: org_service.accept_invitation(session, actor=user, secret=secret[:100]),
        lambda organisation: gettext("You have joined %(name)s.", name=organisation.name),
        flashed=(),
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    admin: AdminUser,
    session: SessionDep,
    paging: ListPaging,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    users, total = accounts.list_users(session, query=q, paging=paging)
    return render_page(
        request,
        "accounts/users.html",
        {
            "users": users,
            "switches": {u.id: policies.account_switch(u) for u in users},
            "pagination": Pagination.of(paging, total),
            "q": q or "",
            "roles": Role.choices(),
        },
    )


@router.post("/admin/users/{user_id}/roles")
def change_role(
    user_id: int, request: Request, form: FormData, admin: AdminUser, session: SessionDep
) -> Response:
    try:
        role = Role(str(form.get("role", "")))
    except ValueError:
        flash(request, gettext("Unknown role."), "error")
        return redirect("/admin/users")
    change = accounts.revoke_role if form.get("action") == "revoke" else accounts.grant_role
    return form_action(
        request,
        session,
        lambda changed: f"/admin/users?q={changed.email}",
        lambda: change(session, actor=admin, user_id=user_id, role=role),
        gettext("Roles have been updated."),
        flashed=(),
    )
