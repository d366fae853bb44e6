"""Uploaded PDF documents (application attachments, pitch decks): read within the upload limit,
recognised by their first bytes, stored under a server-made name outside the web root, their
client file name cleaned by one rule, and handed back by one download response."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from starlette.responses import FileResponse, Response

from app.config import get_settings
from app.errors import PayloadTooLarge, UnsupportedMediaType
from app.i18n import gettext

PDF_MAGIC = b"%PDF-"
PRIVATE = "private, no-store"
NAME_LENGTH = 120


@dataclass(frozen=True)
class StoredPdf:
    filename: str  # the client's name, cleaned, for display and download
    stored_name: str  # the server's name under `upload_folder(folder)`
    size: int


def upload_folder(folder: str) -> Path:
    path = get_settings().upload_dir / folder
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_pdf_filename(name: str | None, *, default: str = "document") -> str:
    """The last component of a client's path (either separator), word characters, dots,
    dashes and spaces only, ending in `.pdf`, at most 120 characters."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = re.sub(r"[^\w.\- ]+", "_", base, flags=re.UNICODE).strip(" .") or default
    if not base.lower().endswith(".pdf"):
        base += ".pdf"
    return base[-NAME_LENGTH:]


def upload_limit_text() -> str:
    """The upload limit as people read it: "10 MB"."""
    megabytes = f"{get_settings().max_upload_bytes / (1024 * 1024):g}"
    return gettext("%(number)s MB", number=megabytes)


def too_large_message() -> str:
    return gettext("The file is larger than %(size)s.", size=upload_limit_text())


def read_pdf(stream: BinaryIO) -> bytes:
    """At most `max_upload_bytes` (else 413) of a PDF recognised by its first bytes (else 415)."""
    limit = get_settings().max_upload_bytes
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(too_large_message())
    if not content.startswith(PDF_MAGIC):
        raise UnsupportedMediaType(gettext("Only PDF documents can be attached."))
    return content


def store_pdf(
    stream: BinaryIO, *, folder: str, filename: str | None, default_name: str = "document"
) -> StoredPdf:
    """Check and write an uploaded PDF under `upload_folder(folder)`."""
    content = read_pdf(stream)
    stored_name = f"{secrets.token_hex(16)}.pdf"
    (upload_folder(folder) / stored_name).write_bytes(content)
    return StoredPdf(
        filename=clean_pdf_filename(filename, default=default_name),
        stored_name=stored_name,
        size=len(content),
    )


def content_disposition(filename: str) -> str:
    """`attachment` with the name as is when it is plain ASCII, else RFC 5987-encoded."""
    encoded = quote(filename)
    if encoded == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename*=utf-8''{encoded}"


def file_response(
    source: Path | bytes,
    *,
    filename: str,
    media_type: str = "application/pdf",
    cache_control: str = PRIVATE,
) -> Response:
    """The download of a document the caller has already allowed this user to read.

    A file under the uploads folder goes out through nginx when `accel_redirect_prefix` is set
    (an empty body and `X-Accel-Redirect` naming its path under the folder: nginx sends it
    from an `internal` location, so no one reaches it without this answer); otherwise the
    portal sends it. Bytes (files kept in the database) are always sent by the portal."""
    headers = {
        "Content-Disposition": content_disposition(filename),
        "Cache-Control": cache_control,
        "X-Content-Type-Options": "nosniff",
    }
    if isinstance(source, bytes):
        return Response(source, media_type=media_type, headers=headers)
    prefix = get_settings().accel_redirect_prefix
    if prefix:
        return Response(
            media_type=media_type,
            headers={**headers, "X-Accel-Redirect": _accel_path(prefix, source)},
        )
    return FileResponse(source, media_type=media_type, headers=headers)


def _accel_path(prefix: str, path: Path) -> str:
    relative = path.resolve().relative_to(get_settings().upload_dir.resolve())
    return prefix.rstrip("/") + "/" + quote(relative.as_posix())
