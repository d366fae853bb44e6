"""PDF attachments: checked by content and size, served only to those allowed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.config import get_settings
from app.membership.models import Attachment
from tests.factories import Factory
from tests.html import Page, csrf_from
from tests.membership.helpers import PDF, Case, draft, submitted


def upload(case: Case, content: bytes, name: str = "plan.pdf") -> object:
    return case.applicant.api.post(
        f"{case.url}/attachments",
        files={"file": (name, content, "application/pdf")},
        data={"kind": "business_plan"},
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
    opened = reviewer.api.get(url)
    assert (opened.status_code, opened.content) == (200, PDF)

    conflicted.api.post(
        f"{case.url}/declaration",
        json={"conflict": True, "kind": "shareholding", "reason": "I own shares"},
    )
    assert conflicted.api.get(url).status_code == 403
    assert stranger.api.get(url).status_code == 404
    for_staff = staff.api.get(url)
    assert (for_staff.status_code, for_staff.content) == (200, PDF)


def test_attachments_cannot_be_added_after_submission(factory: Factory) -> None:
    case = submitted(factory)
    refused = upload(case, PDF)
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert refused.json()["detail"] == "Заявку больше нельзя изменить."  # type: ignore[attr-defined]
    [business_plan] = case.applicant.api.get(case.url).json()["attachments"]
    assert business_plan["kind"] == "business_plan"
    assert factory.count(Attachment) == 1


def test_upload_dir_is_outside_the_static_folder() -> None:
    static = Path("app/static").resolve()
    assert static not in get_settings().upload_dir.resolve().parents


@contextmanager
def attachment_limit(limit: int) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTAL_MAX_ATTACHMENTS_PER_APPLICATION", str(limit))
        get_settings.cache_clear()
        try:
            yield
        finally:
            get_settings.cache_clear()
    get_settings.cache_clear()


def _attachments(factory: Factory, case: Case) -> int:
    with factory.database.session_scope(write=False) as session:
        return (
            session.scalar(
                select(func.count(Attachment.id)).where(
                    Attachment.application_id == case.application_id
                )
            )
            or 0
        )


def test_an_application_carries_at_most_ten_documents_by_default(factory: Factory) -> None:
    case = draft(factory)
    for number in range(10):
        assert upload(case, PDF, name=f"part{number}.pdf").status_code == 201  # type: ignore[attr-defined]
    stored = len(list((get_settings().upload_dir / "membership").iterdir()))
    refused = case.applicant.api.post(
        f"{case.url}/attachments?lang=en", files={"file": ("more.pdf", PDF, "application/pdf")}
    )
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "No more documents can be attached: an application may have at most 10 documents."
    )
    assert _attachments(factory, case) == 10
    assert len(case.applicant.api.get(case.url).json()["attachments"]) == 10
    assert len(list((get_settings().upload_dir / "membership").iterdir())) == stored


def test_the_page_states_the_limit_and_refuses_beyond_it(factory: Factory) -> None:
    case = draft(factory, browser=True, locale="en")
    browser = case.applicant.browser
    assert browser is not None
    page_url = f"/applications/{case.application_id}"
    with attachment_limit(2):
        page = browser.get(page_url)
        assert "At most 2 documents per application. You can attach 2 more." in page.text
        upload(case, PDF)
        page = browser.get(page_url)
        assert "At most 2 documents per application. You can attach 1 more." in page.text
        upload(case, PDF)
        page = browser.get(page_url)
        assert 'type="file"' not in page.text
        assert (
            "No more documents can be attached: an application may have at most 2 documents."
            in page.text
        )
        response = browser.post(
            f"{page_url}/attachments",
            data={"csrf_token": csrf_from(page.text)},
            files={"file": ("more.pdf", PDF, "application/pdf")},
        )
        assert response.status_code == 303
        [refusal] = Page(browser.get(page_url).text).find_all(class_="flash-error")
        assert refusal.text.endswith("an application may have at most 2 documents.")
        ru = case.applicant.api.post(
            f"{case.url}/attachments?lang=ru", files={"file": ("x.pdf", PDF, "application/pdf")}
        )
        assert ru.status_code == 409
        assert "не более 2 документов" in ru.json()["detail"]
    assert _attachments(factory, case) == 2


def test_concurrent_uploads_at_the_limit_do_not_exceed_it(factory: Factory) -> None:
    case = draft(factory)
    uploads = 4
    with attachment_limit(3):
        for _ in range(2):
            assert upload(case, PDF).status_code == 201  # type: ignore[attr-defined]
        barrier = threading.Barrier(uploads)
        results: list[int] = []

        def fire(number: int) -> None:
            barrier.wait()
            response = case.applicant.api.post(
                f"{case.url}/attachments",
                files={"file": (f"late{number}.pdf", PDF, "application/pdf")},
            )
            results.append(response.status_code)

        threads = [threading.Thread(target=fire, args=(n,)) for n in range(uploads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(results) == [201, 409, 409, 409]
    assert _attachments(factory, case) == 3
