from __future__ import annotations

from app.accounts.models import Role
from tests.factories import Factory
from tests.html import Page, csrf_from
from tests.meetings.helpers import in_days, investor, member

DAY = {
    "date": in_days(),
    "slot_starts": ["10:00", "10:30"],
    "slot_minutes": 20,
    "tables": 2,
}


def _day_with_two_meetings(factory: Factory):
    staff = factory.actor(Role.staff, browser=True)
    day = staff.api.post("/api/v1/pitch-days", json=DAY).json()
    url = f"/api/v1/pitch-days/{day['id']}"
    inv, inv_org = investor(factory, browser=True)
    a, a_org = member(factory, browser=True)
    b, b_org = member(factory, browser=True)
    for actor, org in ((inv, inv_org), (a, a_org), (b, b_org)):
        assert (
            actor.api.post(f"{url}/participants", json={"organisation_id": org.id}).status_code
            == 201
        )
    for actor in (a, b):
        wish = actor.api.post(f"{url}/wishes", json={"with_organisation_id": inv_org.id})
        assert wish.status_code == 201
    page = staff.browser.get(f"/pitch-days/{day['id']}")
    scheduled = staff.browser.post(
        f"/pitch-days/{day['id']}/schedule", data={"csrf_token": csrf_from(page.text)}
    )
    assert scheduled.status_code == 303
    return staff, day, (inv, inv_org), (a, a_org), (b, b_org)


def test_participants_see_the_schedule_and_their_agenda_only_after_publishing(
    factory: Factory,
) -> None:
    staff, day, (inv, inv_org), (a, a_org), (_b, b_org) = _day_with_two_meetings(factory)
    agenda = f"/pitch-days/{day['id']}/agenda/{inv_org.id}"
    assert "meetings" not in inv.api.get(f"/api/v1/pitch-days/{day['id']}").json()
    assert Page(inv.browser.get(agenda).text).texts("td", "agenda") == []
    assert len(staff.api.get(f"/api/v1/pitch-days/{day['id']}").json()["meetings"]) == 2

    page = staff.browser.get(f"/pitch-days/{day['id']}")
    published = staff.browser.post(
        f"/pitch-days/{day['id']}/publish", data={"csrf_token": csrf_from(page.text)}
    )
    assert published.status_code == 303
    assert len(inv.api.get(f"/api/v1/pitch-days/{day['id']}").json()["meetings"]) == 2
    outsider = factory.actor()
    assert "meetings" not in outsider.api.get(f"/api/v1/pitch-days/{day['id']}").json()

    cells = Page(inv.browser.get(agenda).text).texts("td", "agenda")
    assert sorted([cells[0:3], cells[3:6]]) == sorted(
        [["10:00–10:20", "1", a_org.name], ["10:30–10:50", "1", b_org.name]]
    ) or sorted(cells[2::3]) == sorted([a_org.name, b_org.name])
    assert [c.split("–")[0] for c in cells[0::3]] == ["10:00", "10:30"]
    mine = Page(a.browser.get(f"/pitch-days/{day['id']}/agenda/{a_org.id}").text).texts(
        "td", "agenda"
    )
    assert mine[2] == inv_org.name and len(mine) == 3
    assert a.browser.get(agenda).status_code == 404
    assert staff.browser.get(agenda).status_code == 200


def test_staff_print_one_sheet_per_table(factory: Factory) -> None:
    staff, day, (inv, inv_org), *_ = _day_with_two_meetings(factory)
    sheets = staff.browser.get(f"/pitch-days/{day['id']}/tables")
    assert sheets.status_code == 200
    assert sheets.text.count('class="print-sheet"') == 2
    first = Page(sheets.text).texts("td", "table-1")
    assert first[0::2] == ["10:00–10:20", "10:30–10:50"]
    assert all(inv_org.name in cell for cell in first[1::2])
    assert Page(sheets.text).texts("td", "table-2")[1::2] == ["—", "—"]
    single = staff.browser.get(f"/pitch-days/{day['id']}/tables?table=2")
    assert single.text.count('class="print-sheet"') == 1
    assert staff.browser.get(f"/pitch-days/{day['id']}/tables?table=3").status_code == 404
    assert inv.browser.get(f"/pitch-days/{day['id']}/tables").status_code == 403


def test_publishing_tells_every_participant_how_many_meetings_they_have(
    factory: Factory,
) -> None:
    from sqlalchemy import select

    from app.notifications.models import OutboxMessage

    staff, day, (inv, _), (a, a_org), (b, _) = _day_with_two_meetings(factory)
    page = staff.browser.get(f"/pitch-days/{day['id']}")
    staff.browser.post(
        f"/pitch-days/{day['id']}/publish", data={"csrf_token": csrf_from(page.text)}
    )
    with factory.database.session_scope() as session:
        mail = {
            row.to_email: row.body_text
            for row in session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "meetings.event")
            )
        }
    assert set(mail) == {inv.user.email, a.user.email, b.user.email}
    assert "2" in mail[inv.user.email] and "встреч" in mail[inv.user.email]
    assert f"/pitch-days/{day['id']}/agenda/{a_org.id}" in mail[a.user.email]


def test_publishing_again_tells_only_the_organisations_whose_meetings_changed(
    factory: Factory,
) -> None:
    from sqlalchemy import select, update

    from app.meetings.models import PitchMeeting
    from app.notifications.models import OutboxMessage

    staff, day, (inv, inv_org), (a, a_org), (b, _) = _day_with_two_meetings(factory)

    def publish() -> list[str]:
        page = staff.browser.get(f"/pitch-days/{day['id']}")
        response = staff.browser.post(
            f"/pitch-days/{day['id']}/publish", data={"csrf_token": csrf_from(page.text)}
        )
        assert response.status_code == 303
        with factory.database.session_scope() as session:
            return list(
                session.scalars(
                    select(OutboxMessage.to_email)
                    .where(OutboxMessage.kind == "meetings.event")
                    .order_by(OutboxMessage.id)
                )
            )

    first = publish()
    assert publish() == first  # nothing changed: nobody is told again
    with factory.database.session_scope() as session:
        session.execute(
            update(PitchMeeting)
            .where(
                PitchMeeting.pitch_day_id == day["id"],
                PitchMeeting.first_organisation_id.in_([inv_org.id, a_org.id]),
                PitchMeeting.second_organisation_id.in_([inv_org.id, a_org.id]),
            )
            .values(table_number=PitchMeeting.table_number + 10)
        )
    third = publish()
    assert sorted(third[len(first) :]) == sorted([inv.user.email, a.user.email])
    assert b.user.email in first
