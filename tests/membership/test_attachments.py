"""PDF attachments: checked by content and size, served only to those allowed."""

from __future__ import annotations

from pathlib import Path

from app.accounts.models import Role
from app.config import get_settings
from tests.factories import Factory
from tests.membership.helpers import PDF, Case, draft, submitted


def upload(case: Case, content: bytes, name: str = "plan.pdf") -> object:
    return case.applicant.api.post(
        f"{case.url}/attachments", files={"file": (name, content, "application/pdf")}
    )


def test_a_pdf_is_stored_under_a_generated_name_and_served_as_a_download(factory: Factory) -> None:
    case = draft(factory)
    response = upload(case, PDF, name="../../Бизнес-план.pdf")
    assert response.status_code == 201  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["filename"] == "Бизнес-план.pdf"
    stored = list((get_settings().upload_dir / "membership").iterdir())
    assert all("план" not in path.name for path in stored)

    download = case.applicant.api.get(body["url"])
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"


def test_a_file_that_is_not_a_pdf_is_refused_whatever_its_name(factory: Factory) -> None:
    case = draft(factory)
    response = upload(case, b"<html><script>alert(1)</script></html>", name="plan.pdf")
    assert response.status_code == 415  # type: ignore[attr-defined]
    assert case.applicant.api.get(case.url).json()["attachments"] == []


def test_a_file_over_ten_megabytes_is_refused(factory: Factory) -> None:
    case = draft(factory)
    response = upload(case, PDF + b"0" * (10 * 1024 * 1024))
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert case.applicant.api.get(case.url).json()["attachments"] == []


def test_documents_open_to_reviewers_only_after_a_declaration_without_conflict(
    factory: Factory,
) -> None:
    case = draft(factory)
    url = upload(case, PDF).json()["url"]  # type: ignore[attr-defined]
    case.applicant.api.post(f"{case.url}/submit")
    staff = factory.actor(Role.staff)
    reviewer = factory.actor(Role.committee)
    conflicted = factory.actor(Role.committee)
    stranger = factory.actor(Role.committee)
    for actor in (reviewer, conflicted):
        staff.api.post(f"{case.url}/assignments", json={"reviewer_id": actor.id})

    assert reviewer.api.get(url).status_code == 403
    reviewer.api.post(f"{case.url}/declaration", json={"conflict": False})
    assert reviewer.api.get(url).status_code == 200

    conflicted.api.post(
        f"{case.url}/declaration",
        json={"conflict": True, "kind": "shareholding", "reason": "I own shares"},
    )
    assert conflicted.api.get(url).status_code == 403
    assert stranger.api.get(url).status_code == 404
    assert staff.api.get(url).status_code == 200


def test_attachments_cannot_be_added_after_submission(factory: Factory) -> None:
    case = submitted(factory)
    assert upload(case, PDF).status_code == 409  # type: ignore[attr-defined]


def test_upload_dir_is_outside_the_static_folder() -> None:
    static = Path("app/static").resolve()
    assert static not in get_settings().upload_dir.resolve().parents
