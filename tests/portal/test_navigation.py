"""Every link the menu and the workspace show answers 200 to the person they are shown to, for
every role and a person with two roles, each with something to do."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.accounts.models import Role
from tests.client import TestClient
from tests.factories import Actor, Factory
from tests.html import Page
from tests.portal import helpers


def _admin(factory: Factory) -> Actor:
    helpers.staff(factory)  # the queues staff work, which administrators see too
    return factory.actor(Role.admin, browser=True)


PEOPLE: dict[str, Callable[[Factory], Actor]] = {
    "applicant": lambda factory: helpers.applicant(factory)[0],
    "committee": lambda factory: helpers.committee_member(factory)[0],
    "chair": lambda factory: helpers.chair(factory)[0],
    "staff": helpers.staff,
    "investor": helpers.investor_with_request,
    "partner": lambda factory: helpers.partner_with_request(factory)[0],
    "member": helpers.member,
    "admin": _admin,
    "member and committee": lambda factory: helpers.member(factory, Role.committee),
}


def _shown_links(client: TestClient) -> list[str]:
    response = client.get("/")
    assert response.status_code == 200
    page = Page(response.text)
    menus = [nav.links() for nav in page.find_all("nav")] + [page.links(within="main")]
    return sorted({link.href for links in menus for link in links if link.href.startswith("/")})


@pytest.mark.parametrize("who", PEOPLE)
def test_every_link_of_the_menu_and_the_workspace_opens(factory: Factory, who: str) -> None:
    actor = PEOPLE[who](factory)
    assert actor.browser is not None
    links = _shown_links(actor.browser)
    workspace_links = [
        item.href for part in helpers.workspace(actor.browser).values() for item in part
    ]
    assert [href for href in workspace_links if href] != []
    statuses = {href: actor.browser.get(href).status_code for href in links}
    assert {href: status for href, status in statuses.items() if status != 200} == {}


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("applicant", False),
        ("committee", False),
        ("chair", False),
        ("investor", False),
        ("partner", False),
        ("member", True),
        ("staff", True),
    ],
)
def test_investors_and_partners_are_in_the_menu_of_those_who_may_open_them(
    factory: Factory, who: str, shown: bool
) -> None:
    actor = PEOPLE[who](factory)
    assert actor.browser is not None
    menu = {link.href for link in Page(actor.browser.get("/").text).links(within="main-menu")}
    assert ("/investors" in menu, "/partners" in menu) == (shown, shown)
