"""Helpers for library tests: items through the API and a tiny hand-made PDF."""

from __future__ import annotations

from typing import Any

from tests.client import TestClient


def item_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": "Item",
        "body": "",
        "language": "ru",
        "category": "other",
        "tags": [],
        "visibility": "public",
    }
    payload.update(overrides)
    return payload


def create_item(client: TestClient, **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/v1/library", json=item_payload(**overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


def search_titles(client: TestClient, q: str, **params: str) -> list[str]:
    response = client.get("/api/v1/library", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF whose content stream shows `text` (ASCII) in Helvetica."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)
