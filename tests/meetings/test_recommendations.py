from __future__ import annotations

import pytest

from app.accounts.models import Organisation, Role
from app.meetings.investors import parse_rub_amount
from app.membership.models import Application, ApplicationStatus
from tests.factories import Factory
from tests.html import Page
from tests.meetings.helpers import investor, member


def _application(factory: Factory, organisation: Organisation, funding_needs: str) -> None:
    with factory.database.session_scope() as session:
        session.add(
            Application(
                organisation_id=organisation.id,
                status=ApplicationStatus.approved,
                summary="s",
                innovation="i",
                market="m",
                team="t",
                funding_needs=funding_needs,
            )
        )


def _profiles(factory: Factory) -> tuple:
    small, small_org = investor(factory, full_name="Small Ticket")
    large, large_org = investor(factory, full_name="Large Ticket")
    staff = factory.actor(Role.staff)
    for org, low, high in ((small_org, 1_000_000, 5_000_000), (large_org, 10_000_000, 50_000_000)):
        response = staff.api.put(
            f"/api/v1/organisations/{org.id}/investor-profile",
            json={"sectors": ["energy"], "ticket_min_rub": low, "ticket_max_rub": high},
        )
        assert response.status_code == 200
    return small, large


def test_ticket_fit_uses_the_funding_need_of_the_latest_application(factory: Factory) -> None:
    small, large = _profiles(factory)
    mem, org = member(factory, browser=True)
    _application(factory, org, "Нужно 3 млн руб. на пилот")
    _application(factory, org, "Просим 20 000 000 ₽ на серийное производство в 2027 году")
    body = mem.api.get("/api/v1/investors/recommendations").json()
    assert [(i["id"], i["score"]) for i in body["items"]] == [(large.id, 2), (small.id, 0)]
    (reason,) = body["items"][0]["reasons"]
    assert reason.startswith("Сумма из вашей заявки (20") and reason.endswith(
        "соответствует размеру чека"
    )
    explicit = mem.api.get("/api/v1/investors/recommendations?need_rub=2000000").json()
    assert [i["id"] for i in explicit["items"]] == [small.id, large.id]
    assert explicit["items"][0]["reasons"] == [
        "Ваша потребность в финансировании соответствует размеру чека"
    ]
    page = mem.browser.get("/investors").text
    assert Page(page).texts("li", f"investor-{large.id}")[0] == " ".join(reason.split())


def test_without_a_sum_in_the_application_ticket_size_adds_nothing(factory: Factory) -> None:
    _profiles(factory)
    mem, org = member(factory)
    _application(factory, org, "Ищем стратегического партнёра")
    body = mem.api.get("/api/v1/investors/recommendations").json()
    assert [(i["score"], i["reasons"]) for i in body["items"]] == [(0, []), (0, [])]
    other, _ = member(factory)
    assert [
        i["score"] for i in other.api.get("/api/v1/investors/recommendations").json()["items"]
    ] == [0, 0]


def test_every_kind_of_fit_scores_and_ties_keep_the_directory_order(factory: Factory) -> None:
    staff = factory.actor(Role.staff)
    profiles = {
        "all": {"sectors": ["software"], "stages": ["seed"], "ticket_max_rub": 9_000_000},
        "near": {"sectors": ["energy"], "stages": ["idea", "mature"]},
        "sector": {"sectors": ["software", "energy"], "stages": ["growth"]},
        "none": {"sectors": ["energy"], "ticket_min_rub": 50_000_000},
        "also none": {},
    }
    ids = {}
    for name, profile in profiles.items():
        actor, organisation = investor(factory, full_name=name)
        ids[name] = actor.user.id
        if profile:
            response = staff.api.put(
                f"/api/v1/organisations/{organisation.id}/investor-profile", json=profile
            )
            assert response.status_code == 200
    mem, org = member(factory, browser=True)
    with factory.database.session_scope() as session:
        session.get(Organisation, org.id).stage = "seed"

    first = mem.api.get("/api/v1/investors/recommendations?need_rub=5000000&limit=3").json()
    rest = mem.api.get("/api/v1/investors/recommendations?need_rub=5000000&limit=3&offset=3").json()

    assert first["total"] == rest["total"] == 5
    ranked = [(i["id"], i["score"], i["reasons"]) for i in first["items"] + rest["items"]]
    assert ranked == [
        (
            ids["all"],
            7,
            [
                "Инвестирует в вашу отрасль: Программное обеспечение",
                "Инвестирует на вашей стадии: Посевная стадия",
                "Ваша потребность в финансировании соответствует размеру чека",
            ],
        ),
        (ids["sector"], 3, ["Инвестирует в вашу отрасль: Программное обеспечение"]),
        (ids["near"], 1, ["Инвестирует на соседней стадии"]),
        (ids["none"], 0, []),
        (ids["also none"], 0, []),
    ]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("15 млн руб.", 15_000_000),
        ("2,5 million", 2_500_000),
        ("RUB 3 000 000 in 2026", 3_000_000),
        ("500k", 500_000),
        ("1,500,000 rubles", 1_500_000),
        ("1.2 млрд", 1_200_000_000),
        ("30 миллионов рублей", 30_000_000),
        ("команда из 5 человек, запуск в 2026", None),
        ("", None),
    ],
)
def test_parse_rub_amount(text: str, amount: int | None) -> None:
    assert parse_rub_amount(text) == amount
