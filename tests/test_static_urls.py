"""Static files are linked with a digest of their content, so the proxy may cache them long."""

from __future__ import annotations

import hashlib
import re

from app.config import PROJECT_ROOT
from tests.client import TestClient


def test_pages_link_static_files_by_a_digest_of_their_content(client: TestClient) -> None:
    page = client.get("/login").text
    links = re.findall(r'(?:href|src)="(/static/([^"?]+)\?v=([0-9a-f]{12}))"', page)
    assert {path for _, path, _ in links} == {"css/portal.css", "js/portal.js"}
    for url, path, digest in links:
        content = (PROJECT_ROOT / "app" / "static" / path).read_bytes()
        assert digest == hashlib.sha256(content).hexdigest()[:12]
        served = client.get(url)
        assert (served.status_code, served.content) == (200, content)
