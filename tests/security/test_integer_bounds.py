"""Integer ids beyond the database's 32-bit columns answer 404 (path) or 422 (query)."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from tests.factories import Factory

TOO_BIG = str(2**31)
HUGE = "9" * 30


@pytest.mark.parametrize("value", [TOO_BIG, HUGE, "-" + HUGE])
def test_an_out_of_range_path_id_is_not_found_on_the_api_and_the_pages(
    factory: Factory, value: str
) -> None:
    staff = factory.actor(Role.staff, Role.admin, browser=True)
    assert staff.browser is not None
    for path in (
        f"/api/v1/applications/{value}",
        f"/api/v1/organisations/{value}",
        f"/api/v1/library/{value}/versions",
    ):
        response = staff.api.get(path)
        assert response.status_code == 404, (path, response.text)
        assert response.json() == {"detail": "Не найдено."}
    response = staff.api.patch(f"/api/v1/organisations/{value}", json={"name": "X"})
    assert response.status_code == 404
    assert staff.browser.get(f"/applications/{value}").status_code == 404


def test_an_out_of_range_query_integer_is_an_invalid_field(factory: Factory) -> None:
    staff = factory.actor(Role.staff)
    response = staff.api.get(f"/api/v1/applications?limit=10&offset={HUGE}")
    assert response.status_code == 422
    response = staff.api.get(f"/api/v1/sessions?course_id={HUGE}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "course_id"]
    # A parameter with its own declared range keeps it: amounts may exceed 2³¹.
    partners = staff.api.get("/api/v1/partners?need_rub=50000000000")
    assert (partners.status_code, partners.json()["items"]) == (200, [])


def test_the_largest_32_bit_id_is_simply_absent(factory: Factory) -> None:
    staff = factory.actor(Role.staff)
    response = staff.api.get(f"/api/v1/applications/{2**31 - 1}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Заявка не найдена."}  # looked up, not out of range


def test_a_nul_character_in_the_query_or_path_is_refused_before_the_database(
    factory: Factory,
) -> None:
    staff = factory.actor(Role.staff)
    response = staff.api.get("/api/v1/organisations", params={"q": "a\x00b"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "q"]
    assert staff.api.get("/api/v1/library", params={"q": "\x00"}).status_code == 422
    assert staff.api.get("/verify/abc%00def").status_code == 404


def test_an_out_of_range_id_in_a_body_is_an_invalid_field(factory: Factory) -> None:
    entrepreneur = factory.actor()
    response = entrepreneur.api.post(
        "/api/v1/applications",
        json={
            "organisation_id": 2**62,
            "summary": "s",
            "innovation": "i",
            "market": "m",
            "team": "t",
            "funding_needs": "f",
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "organisation_id"]
