"""The public register: live, listed members in name order, paged, with the total."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from app.membership.models import Membership
from tests.factories import Factory, make_member


def test_register_lists_live_listed_members_by_name_a_page_at_a_time(
    factory: Factory, client
) -> None:
    owner = factory.actor().user
    members = {
        name: factory.organisation(owner, name=name, sector=sector)
        for name, sector in (
            ("Вега", "software"),
            ("Альфа", "fintech"),
            ("Гамма", "software"),
            ("Бета", "software"),
        )
    }
    for organisation in members.values():
        make_member(factory.database, organisation)
    factory.organisation(owner, name="Аарон без членства")
    unlisted = factory.organisation(owner, name="Аа скрытая")
    lapsed = factory.organisation(owner, name="Аб истёкшая")
    make_member(factory.database, unlisted)
    make_member(factory.database, lapsed)
    with factory.database.session_scope() as session:
        session.execute(
            update(Membership).where(Membership.organisation_id == unlisted.id).values(listed=False)
        )
        session.execute(
            update(Membership)
            .where(Membership.organisation_id == lapsed.id)
            .values(expires_on=date.today() - timedelta(days=31))
        )

    pages = [client.get(f"/api/v1/members?limit=3&offset={o}").json() for o in (0, 3)]
    software = client.get("/api/v1/members?sector=software&limit=2").json()

    assert [page["total"] for page in pages] == [4, 4]
    assert [i["name"] for page in pages for i in page["items"]] == [
        "Альфа",
        "Бета",
        "Вега",
        "Гамма",
    ]
    assert (software["total"], [i["name"] for i in software["items"]]) == (3, ["Бета", "Вега"])
