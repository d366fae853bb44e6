"""The API documentation works without internet: every asset it loads comes from the portal."""

from __future__ import annotations

import re

from tests.client import TestClient


def test_swagger_ui_loads_only_the_portals_own_assets(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert assets and all(url.startswith("/") for url in assets), assets
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 1000, url
    assert "/api/openapi.json" in page.text
    csp = page.headers["content-security-policy"]
    assert "https:" not in csp and "http:" not in csp
