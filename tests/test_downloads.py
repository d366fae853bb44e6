"""Uploaded documents leave through one response: sent by the portal, or, behind nginx with
PORTAL_ACCEL_REDIRECT_PREFIX set, named in `X-Accel-Redirect` for nginx's internal location —
in both cases only after the portal's own permission check."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from httpx import Response

from app.accounts.models import Role
from app.config import get_settings
from tests.client import TestClient
from tests.factories import Actor, Factory
from tests.library.helpers import create_item, tiny_pdf
from tests.meetings.helpers import investor, member, request_meeting
from tests.membership.helpers import PDF, draft

PREFIX = "/_protected/"


@dataclass
class Download:
    url: str
    allowed: Actor
    stranger: Actor
    folder: str  # under the uploads folder
    content_disposition: str


@pytest.fixture
def accel(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(get_settings(), "accel_redirect_prefix", PREFIX)
    yield


def attachment(factory: Factory) -> Download:
    case = draft(factory)
    uploaded = case.applicant.api.post(
        f"{case.url}/attachments", files={"file": ("Бизнес-план.pdf", PDF, "application/pdf")}
    )
    assert uploaded.status_code == 201, uploaded.text
    return Download(
        url=uploaded.json()["url"],
        allowed=case.applicant,
        stranger=factory.actor(Role.committee),
        folder="membership",
        content_disposition=(
            "attachment; filename*=utf-8''%D0%91%D0%B8%D0%B7%D0%BD%D0%B5%D1%81-"
            "%D0%BF%D0%BB%D0%B0%D0%BD.pdf"
        ),
    )


def deck(factory: Factory) -> Download:
    inv, _ = investor(factory)
    owner, _ = member(factory)
    request = request_meeting(owner, inv.id)
    uploaded = owner.api.post(
        f"/api/v1/meeting-requests/{request['id']}/deck",
        files={"file": ("pitch.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    return Download(
        url=uploaded.json()["deck"]["url"],
        allowed=inv,
        stranger=investor(factory)[0],
        folder="meetings",
        content_disposition='attachment; filename="pitch.pdf"',
    )


UPLOADED = [attachment, deck]


def _assert_document_headers(response: Response, expected: Download) -> None:
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == expected.content_disposition
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("make", UPLOADED, ids=lambda make: make.__name__)
def test_without_the_setting_the_portal_sends_the_file(factory: Factory, make) -> None:
    download = make(factory)
    response = download.allowed.api.get(download.url)
    assert response.status_code == 200
    assert response.content == PDF
    assert "x-accel-redirect" not in response.headers
    _assert_document_headers(response, download)


@pytest.mark.parametrize("make", UPLOADED, ids=lambda make: make.__name__)
def test_behind_nginx_the_portal_names_the_stored_file_and_sends_no_body(
    factory: Factory, make, accel: None
) -> None:
    download = make(factory)
    stored = _newest(download.folder)
    response = download.allowed.api.get(download.url)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["x-accel-redirect"] == f"{PREFIX}{download.folder}/{stored}"
    _assert_document_headers(response, download)


def _newest(folder: str) -> str:
    """The file just uploaded (the folder is shared by the tests of one worker)."""
    paths = (get_settings().upload_dir / folder).iterdir()
    return max(paths, key=lambda path: path.stat().st_mtime_ns).name


@pytest.mark.parametrize("with_setting", [False, True], ids=["portal", "nginx"])
@pytest.mark.parametrize("make", UPLOADED, ids=lambda make: make.__name__)
def test_a_user_without_permission_gets_404_and_no_path(
    factory: Factory,
    client: TestClient,
    make,
    with_setting: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    download = make(factory)
    if with_setting:
        monkeypatch.setattr(get_settings(), "accel_redirect_prefix", PREFIX)
    refused = download.stranger.api.get(download.url)
    anonymous = client.get(download.url)
    assert (refused.status_code, anonymous.status_code) == (404, 401)
    for response in (refused, anonymous):
        assert "x-accel-redirect" not in response.headers
        assert PDF not in response.content


def test_library_files_live_in_the_database_and_are_always_sent_by_the_portal(
    factory: Factory, client: TestClient, accel: None
) -> None:
    staff = factory.actor(Role.staff)
    item = create_item(staff.api, visibility="members")
    pdf = tiny_pdf("Regional grant rules")
    uploaded = staff.api.post(
        f"/api/v1/library/{item['id']}/file", files={"file": ("rules.pdf", pdf, "application/pdf")}
    )
    assert uploaded.status_code == 200, uploaded.text
    response = staff.api.get(f"/library/{item['id']}/file")
    assert (response.status_code, response.content) == (200, pdf)
    assert "x-accel-redirect" not in response.headers
    assert response.headers["content-disposition"] == 'attachment; filename="rules.pdf"'
    assert response.headers["cache-control"] == "private, no-store"
    assert client.get(f"/library/{item['id']}/file").status_code == 404
