"""create_app(): settings, middleware, routers, static files and error responses."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import domains, i18n, messaging
from app.accounts import credentials
from app.accounts.service import active_user
from app.admission import RETRY_AFTER_SECONDS, AdmissionMiddleware
from app.config import PROJECT_ROOT
from app.db import is_transient_error, session_scope
from app.deps import csrf_dependency, parameters_dependency
from app.errors import DomainError, FieldError, NotAuthenticated
from app.notifications import service as notifications
from app.notifications import worker
from app.openapi import document_errors
from app.portal import navigation
from app.telemetry import TelemetryMiddleware
from app.web import (
    PortalMiddleware,
    add_page_context,
    is_api_path,
    login_redirect,
    render_page,
    safe_next,
)

logger = logging.getLogger("app")

STATUS_TITLES = {
    400: i18n.N_("Bad request"),
    401: i18n.N_("Please log in"),
    403: i18n.N_("Access denied"),
    404: i18n.N_("Page not found"),
    405: i18n.N_("Method not allowed"),
    409: i18n.N_("Conflict"),
    413: i18n.N_("Too large"),
    415: i18n.N_("Unsupported file type"),
    422: i18n.N_("Invalid input"),
    429: i18n.N_("Too many requests"),
    500: i18n.N_("Something went wrong"),
    503: i18n.N_("Temporarily unavailable"),
}


def _is_api(request: Request) -> bool:
    return is_api_path(request.url.path)


def _back_url(request: Request) -> str | None:
    """Where the visitor came from on this site (the form they sent), to go back to it."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return None
    target = referer.path + (f"?{referer.query}" if referer.query else "")
    back = safe_next(target, default="")
    return back if back and back != "/" else None


def _reload_page_user(request: Request) -> None:
    """The request's session was rolled back and closed by the error, leaving its user expired
    and detached (or never loaded, e.g. an unknown path): read the caller afresh for the layout."""
    principal = getattr(request.state, "principal", None)
    request.state.user = None
    if principal is None:
        return
    with session_scope(write=False) as session:
        request.state.user = active_user(session, principal.user_id)


def _error_page(
    request: Request,
    status_code: int,
    detail: str,
    headers: Mapping[str, str] | None = None,
    *,
    with_user: bool = True,
) -> Response:
    title = i18n.gettext(STATUS_TITLES.get(status_code, STATUS_TITLES[400]))
    try:
        if with_user:
            _reload_page_user(request)
        else:
            request.state.user = None
        response: Response = render_page(
            request,
            "error.html",
            {
                "status_code": status_code,
                "title": title,
                "detail": detail,
                "back_url": _back_url(request),
            },
            status_code=status_code,
        )
    except Exception:  # the error page itself must never fail
        logger.exception("error page failed to render")
        response = Response(title, status_code=status_code, media_type="text/plain")
    if headers:
        response.headers.update(headers)
    return response


def _clean_validation_errors(errors: Any) -> list[dict[str, Any]]:
    """FastAPI's error list without the echoed input, which may be huge or not JSON-safe."""
    return [
        {"type": e.get("type"), "loc": list(e.get("loc", ())), "msg": str(e.get("msg"))}
        for e in errors
    ]


async def handle_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if _is_api(request):
        detail: Any = exc.as_detail() if isinstance(exc, FieldError) else exc.detail
        body = {"detail": detail} if exc.code is None else {"detail": detail, "code": exc.code}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
    if isinstance(exc, NotAuthenticated):
        return login_redirect(request)
    return _error_page(request, exc.status_code, exc.detail, exc.headers)


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = _clean_validation_errors(exc.errors())
    malformed = any(e["type"] in ("json_invalid", "model_attributes_type") for e in errors)
    status_code = 400 if malformed else 422
    if _is_api(request):
        if malformed:
            return JSONResponse(
                {"detail": i18n.gettext("The request body is not valid JSON.")}, 400
            )
        return JSONResponse({"detail": errors}, status_code=422)
    return _error_page(request, status_code, i18n.gettext("The request is not valid."))


async def handle_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _is_api(request):
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
    detail = i18n.gettext(STATUS_TITLES.get(exc.status_code, STATUS_TITLES[400]))
    return _error_page(request, exc.status_code, detail, exc.headers)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    detail = i18n.gettext("An unexpected error occurred. It has been logged.")
    if _is_api(request):
        return JSONResponse({"detail": detail}, status_code=500)
    return _error_page(request, 500, detail)


async def handle_database_error(request: Request, exc: Exception) -> Response:
    """A busy or unreachable database is a 503 to retry shortly; anything else is a bug."""
    if not is_transient_error(exc):
        return await handle_unexpected(request, exc)
    logger.warning(
        "database busy or unavailable on %s %s: %s",
        request.method,
        request.url.path,
        exc.__class__.__name__,
    )
    detail = i18n.gettext("The portal is busy. Please try again in a few seconds.")
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _is_api(request):
        return JSONResponse({"detail": detail}, status_code=503, headers=headers)
    return _error_page(request, 503, detail, headers, with_user=False)


def wire() -> None:
    """Hand the kernel and the lower domains what the upper ones provide: the outbox that
    queues accounts' mail, the worker's reminders, the site's menu on every page. Runs before
    the app serves and before `portal worker` works; running it again changes nothing."""
    domains.load_models()
    messaging.install_messenger(notifications)
    worker.install_reminders(domains.REMINDERS)
    add_page_context(navigation.page_context)


def create_app() -> FastAPI:
    wire()
    app = FastAPIOffline(  # Swagger UI's assets come from the package: the docs work offline
        title="Cluster Portal",
        version="1.0",
        docs_url="/api/docs",
        redoc_url=None,
        static_url="/api/docs/assets",
        openapi_url="/api/openapi.json",
        dependencies=[parameters_dependency, csrf_dependency],
    )
    app.add_middleware(
        PortalMiddleware, load_principal=credentials.resolve_principal, error_page=_error_page
    )
    app.add_middleware(AdmissionMiddleware)  # nothing but telemetry runs before admission
    app.add_middleware(TelemetryMiddleware)  # refusals too are counted, timed and logged
    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(sqlalchemy.exc.SQLAlchemyError, handle_database_error)
    app.add_exception_handler(Exception, handle_unexpected)
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "app" / "static"), name="static")
    for router in domains.ROUTERS:
        app.include_router(router)
    document_errors(app)
    return app
