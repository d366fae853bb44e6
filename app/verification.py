"""What the public sees when it verifies a certificate (`/verify/{code}`, served by
`app.portal`, which asks each domain's resolver in turn), and the QR code printed on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import qrcode
import qrcode.image.svg
from markupsafe import Markup
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class VerifiedRecord:
    """What the public may see about a certified fact: nothing private."""

    kind: str  # translated, e.g. "Cluster membership"
    holder: str  # organisation or person as printed on the certificate
    number: str
    status: str  # slug: active, grace, expired, suspended, revoked, valid
    status_label: str
    valid_from: date | None = None
    valid_until: date | None = None
    details: list[tuple[str, str]] = field(default_factory=list)


Resolver = Callable[[Session, str], VerifiedRecord | None]


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code of a verification address, for printed certificates (no script, no
    style attribute: safe under the CSP)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    return Markup(svg.replace("<svg ", '<svg role="img" class="qr-code" ', 1))
