"""Sending one message: over SMTP when configured, else as an `.eml` file under ./var/mail/."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

from app.config import Settings, SmtpTls
from app.notifications.attachments import attach
from app.notifications.models import OutboxMessage


class DeliveryError(Exception):
    """The message could not be handed over; it will be tried again."""


def message_id(message: OutboxMessage, settings: Settings) -> str:
    """Stable across retries, so a receiver can drop the copy a worker killed after sending
    (and before marking) produces."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32]
    return f"<outbox.{digest}@{domain}>"


def build_email(message: OutboxMessage, settings: Settings) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.to_email
    email["Subject"] = message.subject
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = message_id(message, settings)
    email["X-Portal-Idempotency-Key"] = message.idempotency_key
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    if message.attachment_text is not None:
        attach(
            email,
            message.attachment_filename or "attachment.txt",
            message.attachment_content_type or "text/plain",
            message.attachment_text,
        )
    # After the bodies: set_content() drops every Content-* header set before it.
    email["Content-Language"] = message.locale
    return email


def send(message: OutboxMessage, settings: Settings) -> None:
    """Hand the message over; any failure (bad address, server down, refused recipient,
    timeout, full disk) is a DeliveryError so the worker retries it and nothing is lost."""
    try:
        email = build_email(message, settings)
        if not settings.smtp_host:
            _write_eml(email, message, settings)
            return
        _send_smtp(email, settings)
    except (OSError, ValueError, TypeError, LookupError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def eml_path(message_id: int, kind: str, settings: Settings) -> Path:
    """Where a message delivered without SMTP is written."""
    return settings.mail_dir / f"{message_id:08d}-{kind.replace('.', '-')}.eml"


def _write_eml(email: EmailMessage, message: OutboxMessage, settings: Settings) -> None:
    settings.mail_dir.mkdir(parents=True, exist_ok=True)
    path = eml_path(message.id, message.kind, settings)
    partial = path.with_suffix(".eml.part")
    partial.write_bytes(bytes(email))
    partial.replace(path)


def _send_smtp(email: EmailMessage, settings: Settings) -> None:
    host, port, timeout = (
        settings.smtp_host or "",
        settings.smtp_port,
        settings.smtp_timeout_seconds,
    )
    client: smtplib.SMTP
    if settings.smtp_tls == SmtpTls.ssl:
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if settings.smtp_tls == SmtpTls.starttls:
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password or "")
        client.send_message(email)
