"""An organisation's people and a user's personal INN: checked, shown to the owner, staff and
chairs only, exported and erased with the person."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.identifiers import inn_with_check_digits, is_valid_personal_inn
from app.accounts.models import OrganisationMember, OrganisationPerson, OrganisationRole, Role, User
from tests.factories import Factory
from tests.html import Page

FOUNDER = inn_with_check_digits("7707083893")
DIRECTOR = inn_with_check_digits("5401234567")
PEOPLE = [
    {"full_name": "Ivan Founderov", "inn": FOUNDER, "role": "founder", "share_percent": 75.5},
    {"full_name": "Olga Directorova", "inn": DIRECTOR, "role": "director"},
]


def _bad(inn: str) -> str:
    return inn[:-1] + str((int(inn[-1]) + 1) % 10)


def test_personal_inn_rule() -> None:
    assert is_valid_personal_inn(FOUNDER)
    assert not is_valid_personal_inn(_bad(FOUNDER))
    assert not is_valid_personal_inn(inn_with_check_digits("770708389"))  # a company's 10 digits
    assert not is_valid_personal_inn("１" * 12)


def test_personal_inn_is_checked_and_shown_to_its_owner(factory: Factory) -> None:
    member = factory.actor(Role.committee)
    for bad in (_bad(FOUNDER), "12345", inn_with_check_digits("770708389"), "abcdefghijkl"):
        response = member.api.patch("/api/v1/me", json={"personal_inn": bad})
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"] == ["body", "personal_inn"]
    assert member.api.get("/api/v1/me").json()["personal_inn"] is None
    response = member.api.patch("/api/v1/me", json={"personal_inn": FOUNDER})
    assert response.status_code == 200
    assert response.json()["personal_inn"] == FOUNDER
    # Other fields leave it alone; an empty value takes it away.
    assert member.api.patch("/api/v1/me", json={"full_name": "New"}).json()["personal_inn"] == (
        FOUNDER
    )
    assert member.api.patch("/api/v1/me", json={"personal_inn": ""}).json()["personal_inn"] is None


def test_only_the_owner_lists_people_and_only_owner_staff_and_chairs_read_them(
    factory: Factory,
) -> None:
    owner = factory.actor()
    organisation = factory.organisation(owner.user, verified=True)
    url = f"/api/v1/organisations/{organisation.id}/people"
    response = owner.api.put(url, json=PEOPLE)
    assert response.status_code == 200, response.text
    assert response.json() == [
        {"full_name": "Ivan Founderov", "inn": FOUNDER, "role": "founder", "share_percent": 75.5},
        {
            "full_name": "Olga Directorova",
            "inn": DIRECTOR,
            "role": "director",
            "share_percent": None,
        },
    ]
    colleague = factory.actor()
    with factory.database.session_scope() as session:
        session.add(
            OrganisationMember(
                organisation_id=organisation.id,
                user_id=colleague.id,
                role=OrganisationRole.member,
            )
        )
    staff, chair = factory.actor(Role.staff), factory.actor(Role.chair)
    committee, stranger = factory.actor(Role.committee), factory.actor()
    # Writing: the owner only.
    for actor, status in ((colleague, 403), (staff, 403), (chair, 403), (committee, 403)):
        assert actor.api.put(url, json=[]).status_code == status
    assert (
        factory.actor().api.put("/api/v1/organisations/999999/people", json=[]).status_code == 404
    )
    # Reading: the owner, staff and chairs.
    detail = f"/api/v1/organisations/{organisation.id}"
    for actor in (owner, staff, chair):
        people = actor.api.get(detail).json()["people"]
        assert [p["inn"] for p in people] == [FOUNDER, DIRECTOR]
    for actor in (colleague, committee, stranger):
        response = actor.api.get(detail)
        assert response.status_code in (200, 404)
        assert FOUNDER not in response.text and "Founderov" not in response.text
    # A bad INN (422 naming the row) changes nothing; an empty list clears the list.
    bad = [PEOPLE[0], {**PEOPLE[1], "inn": _bad(DIRECTOR)}]
    response = owner.api.put(url, json=bad)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "1.inn"]
    assert owner.api.put(url, json=[{**PEOPLE[0], "role": "king"}]).status_code == 422
    assert owner.api.put(url, json=[{**PEOPLE[0], "share_percent": 101}]).status_code == 422
    assert len(owner.api.get(detail).json()["people"]) == 2
    assert owner.api.put(url, json=[]).json() == []
    assert factory.count(OrganisationPerson) == 0


def test_export_carries_the_inn_and_people_and_erasure_removes_them(factory: Factory) -> None:
    owner = factory.actor(Role.committee)
    own = factory.organisation(owner.user)
    shared_owner = factory.actor()
    shared = factory.organisation(shared_owner.user)
    with factory.database.session_scope() as session:
        session.add(
            OrganisationMember(
                organisation_id=shared.id, user_id=owner.id, role=OrganisationRole.owner
            )
        )
    for organisation in (own, shared):
        response = owner.api.put(f"/api/v1/organisations/{organisation.id}/people", json=PEOPLE)
        assert response.status_code == 200
    owner.api.patch("/api/v1/me", json={"personal_inn": DIRECTOR})

    export = owner.api.get("/api/v1/me/export").json()
    section = export["people"]
    assert section["personal_inn"] == DIRECTOR
    assert [o["id"] for o in section["organisations"]] == [own.id, shared.id]
    assert [p["inn"] for p in section["organisations"][0]["people"]] == [FOUNDER, DIRECTOR]

    assert owner.api.delete("/api/v1/me").status_code == 202
    with factory.database.session_scope(write=False) as session:
        user = session.get(User, owner.id)
        assert user is not None and user.personal_inn is None
        left = session.scalars(select(OrganisationPerson.organisation_id)).all()
    # The organisation they were the last owner of loses its list; the other keeps its own.
    assert set(left) == {shared.id}


def test_the_owner_edits_the_people_list_on_the_organisation_page(factory: Factory) -> None:
    owner = factory.actor(browser=True)
    assert owner.browser is not None
    organisation = factory.organisation(owner.user, verified=True)
    path = f"/organisations/{organisation.id}"
    page = Page(owner.browser.get(f"{path}?lang=en").text)
    form = page.form(f"{path}/people")
    assert {"full_name_0", "inn_1", "role_1"} <= set(form.fields)
    token = page.csrf_token
    # Two new rows; one with a bad INN: the page comes back with the rows as typed.
    data = {
        "csrf_token": token,
        "full_name_0": "Ivan Founderov",
        "inn_0": FOUNDER,
        "role_0": "founder",
        "share_percent_0": "60,5",
        "full_name_1": "Olga Directorova",
        "inn_1": _bad(DIRECTOR),
        "role_1": "director",
        "share_percent_1": "",
    }
    refused = owner.browser.post(f"{path}/people?lang=en", data=data)
    assert refused.status_code == 422
    shown = Page(refused.text)
    assert shown.field_errors == {"inn_1": "A personal INN has 12 digits: check them."}
    assert shown.control("full_name_1").attrs["value"] == "Olga Directorova"
    assert factory.count(OrganisationPerson) == 0

    saved = owner.browser.post(f"{path}/people", data={**data, "inn_1": DIRECTOR})
    assert saved.status_code == 303
    with factory.database.session_scope(write=False) as session:
        rows = session.execute(
            select(OrganisationPerson.full_name, OrganisationPerson.share_percent).order_by(
                OrganisationPerson.id
            )
        ).all()
    assert [(name, float(share) if share is not None else None) for name, share in rows] == [
        ("Ivan Founderov", 60.5),
        ("Olga Directorova", None),
    ]
    # The page lists both, each in its row, with empty rows to add more; removing one.
    page = Page(owner.browser.get(f"{path}?lang=ru").text)
    assert page.control("full_name_0").attrs["value"] == "Ivan Founderov"
    assert page.control("inn_1").attrs["value"] == DIRECTOR
    assert "full_name_3" in {c.attrs.get("name") for c in page.find_all("input")}
    removed = owner.browser.post(
        f"{path}/people",
        data={
            "csrf_token": page.csrf_token,
            "full_name_0": "Ivan Founderov",
            "inn_0": FOUNDER,
            "role_0": "founder",
            "remove_0": "on",
            "full_name_1": "Olga Directorova",
            "inn_1": DIRECTOR,
            "role_1": "director",
        },
    )
    assert removed.status_code == 303
    with factory.database.session_scope(write=False) as session:
        assert session.scalars(select(OrganisationPerson.full_name)).all() == ["Olga Directorova"]

    # A chair reads the list; a committee member sees neither the list nor the form.
    chair = factory.actor(Role.chair, browser=True)
    assert chair.browser is not None
    chair_page = Page(chair.browser.get(f"{path}?lang=en").text)
    assert ["Olga Directorova", DIRECTOR, "Director", ""] in chair_page.table_rows("people-list")
    assert not [f for f in chair_page.forms if f.action == f"{path}/people"]
    committee = factory.actor(Role.committee, browser=True)
    assert committee.browser is not None
    text = committee.browser.get(path).text
    assert DIRECTOR not in text and "Directorova" not in text


def test_a_committee_member_gives_their_personal_inn_on_the_profile_page(
    factory: Factory,
) -> None:
    member = factory.actor(Role.committee, browser=True)
    assert member.browser is not None
    page = Page(member.browser.get("/account?lang=en").text)
    form = page.form("/account/profile")
    values = {
        "csrf_token": page.csrf_token,
        "full_name": "Member",
        "locale": "en",
        "timezone": "Europe/Moscow",
    }
    assert "personal_inn" in {c.attrs.get("name") for c in page.find_all("input")}
    assert form is not None
    refused = member.browser.post("/account/profile", data={**values, "personal_inn": "123"})
    assert refused.status_code == 303
    with factory.database.session_scope(write=False) as session:
        user = session.get(User, member.id)
        assert user is not None and user.personal_inn is None
    flashed = Page(member.browser.get("/account?lang=en").text).flashes
    assert any("12" in f for f in flashed)
    member.browser.post("/account/profile", data={**values, "personal_inn": FOUNDER})
    page = Page(member.browser.get("/account").text)
    assert page.control("personal_inn").attrs["value"] == FOUNDER
    # An entrepreneur's profile does not ask for it.
    other = factory.actor(browser=True)
    assert other.browser is not None
    assert 'name="personal_inn"' not in other.browser.get("/account").text
