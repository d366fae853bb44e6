"""The web layer: the request middleware (who is calling, which language, security headers,
body limits), CSRF, flash messages, pagination and page rendering."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
from collections.abc import Callable, Collection, MutableMapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import parse_qs, quote

import anyio
import sqlalchemy.exc
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n
from app.admission import reject_busy
from app.config import Settings, get_settings
from app.db import is_transient_error
from app.errors import DomainError, FieldError, Forbidden, NotFound
from app.pagination import Pagination as Pagination  # pages import it from here
from app.templating import environment
from app.uploads import too_large_message

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

templates = Jinja2Templates(env=environment())
R = TypeVar("R")


def cookie_name(base: str) -> str:
    """`__Host-` cookies are only accepted over https, so the prefix follows the base URL."""
    return f"__Host-{base}" if get_settings().is_https else base


def session_cookie() -> str:
    return cookie_name("portal_session")


def csrf_cookie() -> str:
    return cookie_name("portal_csrf")


LANG_COOKIE = "portal_lang"
LANG_COOKIE_AGE = 365 * 24 * 3600
FLASH_COOKIE = "portal_flash"


def set_cookie_headers(
    headers: MutableHeaders, name: str, value: str, *, max_age: int | None = None
) -> None:
    settings = get_settings()
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if settings.is_https:
        parts.append("Secure")
    headers.append("set-cookie", "; ".join(parts))


def client_ip(scope: Scope, settings: Settings) -> str:
    """The socket's address, or the last untrusted hop of X-Forwarded-For behind a trusted proxy."""
    peer = (scope.get("client") or ("0.0.0.0", 0))[0]
    if not settings.trusted_proxies or not _is_trusted(peer, settings.trusted_proxies):
        return str(peer)
    forwarded = ""
    for key, value in scope.get("headers", []):
        if key == b"x-forwarded-for":
            forwarded = value.decode("latin-1")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, settings.trusted_proxies):
            return hop[:45]
    return str(peer)


def comes_from_trusted_proxy(scope: Scope, settings: Settings) -> bool:
    peer = (scope.get("client") or ("0.0.0.0", 0))[0]
    return bool(settings.trusted_proxies) and _is_trusted(str(peer), settings.trusted_proxies)


def is_allowed_address(address: str, allowed: list[str]) -> bool:
    """Whether an address lies in one of the listed addresses or networks."""
    return _is_trusted(address, allowed)


def _is_trusted(address: str, trusted: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in trusted:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _cookies(scope: Scope) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for chunk in value.decode("latin-1").split(";"):
                name, _, content = chunk.strip().partition("=")
                if name:
                    cookies[name] = content
    return cookies


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the authentication middleware found out."""

    user_id: int
    via: Literal["session", "token"]
    credential_id: str
    locale: str
    timezone: str


Touch = Callable[[], None]
PrincipalLoader = Callable[[str | None, str | None], tuple[Principal | None, Touch | None]]
# The error page a browser gets (status, message) for a request the route never saw.
ErrorPage = Callable[[Request, int, str], Response]


def is_api_path(path: str) -> bool:
    """Scripts talk to `/api/` and get JSON errors; every other address is a browser's page."""
    return path == "/api" or path.startswith("/api/")


def _security_headers(path: str, settings: Settings) -> list[tuple[str, str]]:
    if path.startswith("/api/docs"):
        csp = (
            "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
        )
    else:
        csp = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        )
    headers = [
        ("content-security-policy", csp),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if settings.is_https:
        headers.append(("strict-transport-security", "max-age=31536000; includeSubDomains"))
    return headers


class BodyTooLarge(StarletteHTTPException):
    """Raised while the body is read: FastAPI passes HTTP errors through its body parsing (any
    other error there becomes a 400), so a chunked body beyond the limit is a 413 as well."""

    def __init__(self) -> None:
        super().__init__(413, i18n.gettext("The request body is too large."))


class PortalMiddleware:
    """Per request: body limits, the caller, the locale and time zone, the CSRF binding and
    flash cookies, and the security headers on every response."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        load_principal: PrincipalLoader,
        error_page: ErrorPage | None = None,
    ) -> None:
        self.app = app
        self.load_principal = load_principal
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        limit = self._body_limit(scope, settings)
        length = _header(scope, b"content-length")
        too_large = length is not None and (not length.isdigit() or int(length) > limit)
        path = scope.get("path", "")
        page_wanted = self.error_page is not None and not is_api_path(path)
        if too_large and not page_wanted:  # refused before anything is looked up
            await self._reject_too_large(scope, send)
            return

        cookies = _cookies(scope)
        state: MutableMapping[str, Any] = scope.setdefault("state", {})
        state["client_ip"] = client_ip(scope, settings)
        authorization = _header(scope, b"authorization")
        session_value = cookies.get(session_cookie())
        principal = touch = None
        try:
            if authorization or session_value:  # without credentials, nobody to look up
                principal, touch = await anyio.to_thread.run_sync(
                    self.load_principal, authorization, session_value
                )
            if touch is not None:
                await anyio.to_thread.run_sync(touch)
        except sqlalchemy.exc.SQLAlchemyError as exc:
            if not is_transient_error(exc):
                raise
            await reject_busy(scope, send)
            return
        state["principal"] = principal

        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        lang_param = (query.get("lang") or [""])[0]
        locale = (
            (lang_param if lang_param in i18n.LOCALES else None)
            or (principal.locale if principal else None)
            or (cookies.get(LANG_COOKIE) if cookies.get(LANG_COOKIE) in i18n.LOCALES else None)
            or i18n.negotiate_locale(_header(scope, b"accept-language"))
            or settings.default_locale
        )
        i18n.set_locale(locale)
        i18n.set_timezone(principal.timezone if principal else settings.default_timezone)

        anon_csrf = cookies.get(csrf_cookie())
        new_anon_csrf = None
        if not anon_csrf:
            anon_csrf = new_anon_csrf = secrets.token_urlsafe(24)
        state["csrf_binding"] = (
            principal.credential_id if principal and principal.via == "session" else anon_csrf
        )
        state["flashes_in"] = _read_flashes(cookies.get(FLASH_COOKIE))
        state["flashes_out"] = []
        state["flashes_shown"] = False

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _security_headers(path, settings):
                    headers.setdefault(name, value)
                if new_anon_csrf:
                    set_cookie_headers(headers, csrf_cookie(), new_anon_csrf)
                if lang_param in i18n.LOCALES:
                    set_cookie_headers(headers, LANG_COOKIE, lang_param, max_age=LANG_COOKIE_AGE)
                if state["flashes_out"]:
                    set_cookie_headers(headers, FLASH_COOKIE, _write_flashes(state["flashes_out"]))
                elif state["flashes_shown"] and FLASH_COOKIE in cookies:  # shown, so cleared
                    set_cookie_headers(headers, FLASH_COOKIE, "", max_age=0)
            await send(message)

        if too_large:  # a browser gets the page with the layout; the body is never read
            await self._too_large_page(scope, send_wrapper)
            return
        try:
            await self.app(scope, limited_receive, send_wrapper)
        except BodyTooLarge:
            await self._reject_too_large(scope, send)

    async def _too_large_page(self, scope: Scope, send: Send) -> None:
        assert self.error_page is not None
        request = Request(scope)
        multipart = (_header(scope, b"content-type") or "").startswith("multipart/")
        message = (
            too_large_message() if multipart else i18n.gettext("The request body is too large.")
        )
        response = await anyio.to_thread.run_sync(self.error_page, request, 413, message)

        async def no_body() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, no_body, send)

    @staticmethod
    def _body_limit(scope: Scope, settings: Settings) -> int:
        content_type = _header(scope, b"content-type") or ""
        if content_type.startswith("multipart/"):
            return settings.max_upload_request_bytes
        return settings.max_json_body_bytes

    @staticmethod
    async def _reject_too_large(scope: Scope, send: Send) -> None:
        body = json.dumps({"detail": i18n.gettext("The request body is too large.")}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        headers += [(k.encode(), v.encode()) for k, v in _security_headers("", get_settings())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


# --- CSRF -------------------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    binding = str(request.state.csrf_binding)
    key = get_settings().secret_key.encode("utf-8")
    return hmac.new(key, f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


async def csrf_protect(request: Request) -> None:
    """Unsafe requests from a browser must carry the CSRF token; bearer-token calls need none."""
    if request.method in SAFE_METHODS:
        return
    principal = request.state.principal
    if principal is not None and principal.via == "token":
        return
    is_api = request.url.path.startswith("/api/")
    if is_api and principal is None:
        return
    supplied = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if supplied is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        supplied = value if isinstance(value, str) else None
    if not supplied or not hmac.compare_digest(supplied, csrf_token(request)):
        raise Forbidden(
            i18n.gettext("The form has expired or was sent from another site. Please try again.")
        )


# --- Integer parameters -----------------------------------------------------------------------

INT4_MIN, INT4_MAX = -(2**31), 2**31 - 1
_int_params_cache: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def _is_unbounded_int(field: Any) -> bool:
    """An integer parameter without its own declared range (e.g. `need_rub` may exceed 2³¹)."""
    annotation = field.field_info.annotation
    if annotation is not int and not any(a is int for a in getattr(annotation, "__args__", ())):
        return False
    metadata = field.field_info.metadata
    has_upper = any(
        getattr(m, "le", None) is not None or getattr(m, "lt", None) is not None for m in metadata
    )
    has_lower = any(
        getattr(m, "ge", None) is not None or getattr(m, "gt", None) is not None for m in metadata
    )
    return not (has_upper and has_lower)


def _int_params(route: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The names of a route's integer path and query parameters, its dependencies' included."""
    key = id(route)
    if key not in _int_params_cache:
        path: set[str] = set()
        query: set[str] = set()
        pending = [route.dependant]
        while pending:
            dependant = pending.pop()
            path.update(f.alias for f in dependant.path_params if _is_unbounded_int(f))
            query.update(f.alias for f in dependant.query_params if _is_unbounded_int(f))
            pending.extend(dependant.dependencies)
        _int_params_cache[key] = (frozenset(path), frozenset(query))
    return _int_params_cache[key]


def _out_of_range(value: str) -> bool:
    try:
        number = int(value)
    except ValueError:
        return False  # not a number: the route's own validation answers 422
    return not INT4_MIN <= number <= INT4_MAX


async def check_parameters(request: Request) -> None:
    """Path and query values the database could not take never reach it: a NUL character (which
    PostgreSQL text refuses) or an integer beyond the 32-bit id columns. Such a path names no
    record (404); such a query value is an invalid field (422)."""
    for value in request.path_params.values():
        if isinstance(value, str) and "\x00" in value:
            raise NotFound(i18n.gettext("Not found."))
    for name, value in request.query_params.multi_items():
        if "\x00" in value or "\x00" in name:
            raise FieldError(
                name.replace("\x00", ""),
                i18n.gettext("The request is not valid."),
                location="query",
            )
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    path_names, query_names = _int_params(route)
    for name in path_names:
        value = request.path_params.get(name)
        if isinstance(value, str) and _out_of_range(value):
            raise NotFound(i18n.gettext("Not found."))
    for name in query_names:
        for value in request.query_params.getlist(name):
            if _out_of_range(value):
                raise FieldError(name, i18n.gettext("This value is too large."), location="query")


# --- Flash messages ---------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt="flash")


def _read_flashes(raw: str | None) -> list[dict[str, str]]:
    if not raw:
        return []
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return []
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _write_flashes(flashes: list[dict[str, str]]) -> str:
    return str(_serializer().dumps(flashes[:5]))


def flash(request: Request, message: str, category: str = "success") -> None:
    request.state.flashes_out.append({"message": message, "category": category})


def take_flashes(request: Request) -> list[dict[str, str]]:
    request.state.flashes_shown = True
    return list(request.state.flashes_in)


# --- Rendering -----------------------------------------------------------------


PageContextHook = Callable[[Request], dict[str, Any]]
_context_hooks: list[PageContextHook] = []


def add_page_context(hook: PageContextHook) -> PageContextHook:
    """Register a function whose result joins the context of every page (once, however often
    the wiring runs)."""
    if hook not in _context_hooks:
        _context_hooks.append(hook)
    return hook


def render_page(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    user = getattr(request.state, "user", None)
    page_context: dict[str, Any] = {
        "csrf_token": csrf_token(request),
        "current_user": user,
        "flashes": take_flashes(request),
        "current_path": request.url.path,
        "current_url": str(request.url.path)
        + (f"?{request.url.query}" if request.url.query else ""),
    }
    for hook in _context_hooks:
        page_context.update(hook(request))
    page_context.update(context or {})
    return templates.TemplateResponse(request, template, page_context, status_code=status_code)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(f"/login?next={quote(target)}")


def form_action(
    request: Request,
    session: Session,
    target: str | Callable[[R], str],
    action: Callable[[], R],
    success: str | Callable[[R], str | None] | None,
    *,
    flashed: tuple[type[DomainError], ...] = (DomainError,),
    shown_as_page: Collection[int] = (),
    refused_target: str | None = None,
    category: str = "success",
) -> RedirectResponse:
    """Post/redirect/get for one service call. The call runs under a savepoint, so a refused
    action leaves nothing half-written in the request's transaction.

    A refusal of a `flashed` kind is flashed and the browser goes to `refused_target` (else
    `target`); any other refusal, or one whose status is in `shown_as_page` (a 404 of a record
    the user may not see), is the error page. On success `success` (a message, or a function of
    the result giving one or None) is flashed and the browser goes to `target` (or to the
    address a function of the result gives)."""
    try:
        with session.begin_nested():
            result = action()
    except flashed as exc:
        if exc.status_code in shown_as_page:
            raise
        flash(request, exc.detail, "error")
        return redirect(refused_target or (target if isinstance(target, str) else "/"))
    message = success(result) if callable(success) else success
    if message:
        flash(request, message, category)
    return redirect(target(result) if callable(target) else target)


def safe_next(value: str | None, default: str = "/") -> str:
    """Only local paths are followed after login, never another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


# --- Forms ------------------------------------------------------------------------------------

_ERROR_MESSAGES = {
    "missing": i18n.N_("This field is required."),
    "string_too_short": i18n.N_("This field is required."),
    "string_too_long": i18n.N_("This value is too long."),
    "greater_than_equal": i18n.N_("This value is too small."),
    "less_than_equal": i18n.N_("This value is too large."),
    "greater_than": i18n.N_("This value is too small."),
    "less_than": i18n.N_("This value is too large."),
    "int_parsing": i18n.N_("Enter a whole number."),
    "float_parsing": i18n.N_("Enter a number."),
    "datetime_parsing": i18n.N_("Enter a valid date and time."),
    "datetime_from_date_parsing": i18n.N_("Enter a valid date and time."),
    "date_parsing": i18n.N_("Enter a valid date."),
    "date_from_datetime_parsing": i18n.N_("Enter a valid date."),
    "url_parsing": i18n.N_("Enter a valid web address."),
    "url_scheme": i18n.N_("Enter a valid web address."),
    "literal_error": i18n.N_("Choose one of the options."),
    "enum": i18n.N_("Choose one of the options."),
    "bool_parsing": i18n.N_("Choose yes or no."),
}


async def _form_data(request: Request) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        values = form.getlist(key)
        data[key] = values if len(values) > 1 or key.endswith("[]") else values[0]
    data.pop(CSRF_FIELD, None)
    return data


FormData = Annotated[dict[str, Any], Depends(_form_data)]

M = TypeVar("M", bound=BaseModel)


def parse_form(schema: type[M], data: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    """Validate form fields with an input schema; errors come back per field, translated."""
    cleaned = {k: (None if v == "" else v) for k, v in data.items() if k in schema.model_fields}
    try:
        return schema.model_validate(cleaned), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "__all__"
            message = _ERROR_MESSAGES.get(error["type"])
            if error["type"].endswith("_type") and error.get("input", "") is None:
                message = _ERROR_MESSAGES["missing"]  # an empty field arrives as None
            errors.setdefault(
                field,
                i18n.gettext(message) if message else i18n.gettext("This value is not valid."),
            )
        return None, errors
