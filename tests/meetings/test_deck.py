from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Role
from app.meetings.models import MeetingRequest
from tests.factories import Factory
from tests.html import csrf_from
from tests.meetings.helpers import add_colleague, investor, member, request_meeting

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(actor, request_id: int, content: bytes, name: str = "deck.pdf"):
    return actor.api.post(
        f"/api/v1/meeting-requests/{request_id}/deck",
        files={"file": (name, content, "application/pdf")},
    )


def test_deck_is_visible_only_to_the_investor_the_organisation_and_staff(
    factory: Factory,
) -> None:
    inv, _ = investor(factory)
    owner, org = member(factory)
    colleague = add_colleague(factory, org)
    req = request_meeting(owner, inv.id)
    assert req["deck"] is None
    response = _upload(owner, req["id"], PDF, "Наш питч.pdf")
    assert response.status_code == 201, response.text
    assert response.json()["deck"] == {
        "filename": "Наш питч.pdf",
        "size": len(PDF),
        "url": f"/api/v1/meeting-requests/{req['id']}/deck",
    }
    for allowed in (inv, owner, colleague, factory.actor(Role.staff)):
        download = allowed.api.get(f"/api/v1/meeting-requests/{req['id']}/deck")
        assert download.status_code == 200
        assert download.content == PDF
        assert download.headers["content-type"] == "application/pdf"
    other_investor, _ = investor(factory)
    other_member, _ = member(factory)
    for stranger in (other_investor, other_member, factory.actor()):
        assert stranger.api.get(f"/api/v1/meeting-requests/{req['id']}/deck").status_code == 404
        assert _upload(stranger, req["id"], PDF).status_code == 404
    assert _upload(inv, req["id"], PDF).status_code == 403


def test_deck_must_be_a_pdf_of_at_most_10_mb(factory: Factory) -> None:
    inv, _ = investor(factory)
    owner, _ = member(factory)
    req = request_meeting(owner, inv.id)
    assert _upload(owner, req["id"], b"PK\x03\x04 not a pdf", "deck.pdf").status_code == 415
    too_big = PDF + b"0" * (10 * 1024 * 1024)
    assert _upload(owner, req["id"], too_big).status_code == 413
    with factory.database.session_scope(write=False) as session:
        row = session.scalar(select(MeetingRequest).where(MeetingRequest.id == req["id"]))
        assert (row.deck_stored_name, row.deck_size) == (None, None)
    assert owner.api.get(f"/api/v1/meeting-requests/{req['id']}/deck").status_code == 404
    declined = inv.api.post(
        f"/api/v1/meeting-requests/{req['id']}/decline", json={"reason": "Not our focus"}
    )
    assert declined.status_code == 200
    assert _upload(owner, req["id"], PDF).status_code == 409


def test_request_form_with_a_deck_and_the_investor_inbox_links_it(factory: Factory) -> None:
    inv, _ = investor(factory, browser=True)
    owner, _ = member(factory, browser=True)
    page = owner.browser.get("/investors")
    response = owner.browser.post(
        f"/investors/{inv.id}/request",
        data={"message": "See our deck", "csrf_token": csrf_from(page.text)},
        files={"deck": ("plan.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 303
    (req,) = owner.api.get("/api/v1/meeting-requests").json()["items"]
    assert req["deck"]["filename"] == "plan.pdf"
    inbox = inv.browser.get("/investor-inbox").text
    assert f'href="/api/v1/meeting-requests/{req["id"]}/deck"' in inbox
    other, _ = investor(factory)
    bad = owner.browser.post(
        f"/investors/{other.id}/request",
        data={"message": "Again", "csrf_token": csrf_from(page.text)},
        files={"deck": ("plan.pdf", b"GIF89a", "application/pdf")},
    )
    # The form comes back with the message as typed; the refused file names no request.
    assert bad.status_code == 415
    assert ">Again</textarea>" in bad.text and 'id="deck-error"' in bad.text
    assert factory.count(MeetingRequest) == 1
