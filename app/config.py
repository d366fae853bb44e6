"""Settings from the environment (`DATABASE_URL`, `PORTAL_*`)."""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SmtpTls(StrEnum):
    none = "none"
    starttls = "starttls"
    ssl = "ssl"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str = Field(
        default="", validation_alias=AliasChoices("DATABASE_URL", "PORTAL_DATABASE_URL")
    )
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: SmtpTls = SmtpTls.none
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "portal@localhost"

    trusted_proxies: list[str] = Field(default_factory=list)
    # Who may read /metrics: addresses or networks (the socket's address, not X-Forwarded-For).
    metrics_allowed: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    # "json": one JSON object per log line; "text": for people reading a terminal.
    log_format: Literal["text", "json"] = "text"
    # On SIGTERM, how long requests in flight may take to finish before the server exits.
    shutdown_timeout_seconds: int = 30

    default_locale: str = "ru"
    default_timezone: str = "Europe/Moscow"
    # The controller of personal data named on /privacy (152-FZ "operator"); when unset the
    # page names the portal's operator in general terms and gives the sender address.
    operator_name: str = ""
    operator_contact: str = ""

    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    login_window_minutes: int = 15
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    password_reset_hours: int = 2
    password_reset_window_minutes: int = 60
    password_reset_max_per_address: int = 3
    password_reset_max_per_client: int = 20
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    # Lanes hashed in parallel threads; 1 on a host with one CPU.
    argon2_parallelism: int = Field(default=4, ge=1, le=64)

    # Requests at work at once per process (the rest queue; see app/admission.py), how long one
    # may queue before a 503, how many may queue; database timeouts on PostgreSQL.
    read_slots: int = Field(default=8, ge=1, le=200)
    write_slots: int = Field(default=4, ge=1, le=200)
    request_queue_seconds: float = Field(default=10.0, gt=0)
    request_queue_max: int = Field(default=1000, ge=1)
    db_lock_timeout_ms: int = Field(default=10_000, ge=0)
    db_statement_timeout_ms: int = Field(default=30000, ge=0)

    max_json_body_bytes: int = 1_000_000
    max_upload_bytes: int = 10 * 1024 * 1024
    # Behind nginx: a permitted download is answered with `X-Accel-Redirect: <prefix><path
    # under the uploads folder>` and an empty body, and nginx sends the file from its
    # `internal` location of that name; empty: the portal sends the file itself.
    accel_redirect_prefix: str = ""
    max_attachments_per_application: int = 10
    # Kinds of document (app.membership.models.DocumentKind) an application needs to be submitted.
    membership_required_documents: list[str] = Field(default_factory=lambda: ["business_plan"])

    regions: list[str] = Field(default_factory=list)
    extra_sectors: list[str] = Field(default_factory=list)

    meeting_request_expiry_days: int = 14
    membership_weights: dict[str, float] = Field(
        default_factory=lambda: {"innovation": 0.3, "team": 0.3, "market": 0.2, "cluster_fit": 0.2}
    )
    membership_quorum: int = 3
    membership_term_days: int = 365

    outbox_max_attempts: int = 8
    outbox_backoff_base_seconds: int = 30

    @property
    def is_https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def request_connections(self) -> int:
        """Each admitted request holds at most one connection at a time; two more serve the
        in-process mail worker and the audit sealing after a commit."""
        return self.read_slots + self.write_slots + 2

    @property
    def max_upload_request_bytes(self) -> int:
        """The largest multipart request: a file at the limit and the form around it (the
        reverse proxy's `client_max_body_size` is the same)."""
        return self.max_upload_bytes + 512 * 1024

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    @property
    def upload_dir(self) -> Path:
        return self.var_dir / "uploads"


def _resolve_defaults(settings: Settings) -> Settings:
    """Fill in the two defaults that live on disk: the SQLite file and the secret key."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    if not settings.database_url:
        settings.database_url = f"sqlite:///{(settings.var_dir / 'portal.db').resolve()}"
    if not settings.secret_key:
        key_file = settings.var_dir / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            key_file.chmod(0o600)
        settings.secret_key = key_file.read_text(encoding="utf-8").strip()
    return settings


@lru_cache
def get_settings() -> Settings:
    return _resolve_defaults(Settings())
