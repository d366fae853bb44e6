"""The staff dashboard, its CSV export, and the public "cluster in numbers"."""

from __future__ import annotations

import csv
import io
import re

from app.accounts.models import Role
from app.reports.export import text_cell
from tests.html import Page
from tests.reports.helpers import NSO, TOMSK, add_applicants, build_history


def _inline_code(page: Page) -> list[str]:
    """The elements carrying an inline script or style, which the CSP would block."""
    return [
        element.tag
        for element in page.find_all()
        if "style" in element.attrs
        or element.tag == "style"
        or (element.tag == "script" and "src" not in element.attrs)
    ]


def test_dashboard_shows_charts_with_a_table_under_each_and_no_inline_script_or_style(
    factory,
) -> None:
    build_history(factory.database)
    staff = factory.actor(Role.staff, browser=True)

    response = staff.browser.get("/reports?lang=en")

    assert response.status_code == 200
    page = Page(response.text)
    assert len(page.find_all("svg")) == 5
    assert _inline_code(page) == []
    funnel = page.tables[0]
    assert funnel[1:] == [
        ["Applied", "6", "—", "—"],
        ["Approved for membership", "4", "66.7%", "66.7%"],
        ["Completed investor readiness", "3", "75.0%", "50.0%"],
        ["Met an investor", "2", "66.7%", "33.3%"],
        ["Received an investment", "1", "50.0%", "16.7%"],
    ]
    by_region = page.tables[1]
    assert [row[:3] for row in by_region[1:]] == [[NSO, "3", "3"], [TOMSK, "3", "1"]]
    investment = page.tables[-1]
    assert investment[1:] == [
        ["March 2026", "1", "RUB 1,000,000"],
        ["April 2026", "1", "RUB 500,000"],
        ["Total", "2", "RUB 1,500,000"],
    ]


def test_dashboard_filters_and_reports_a_bad_date_on_the_form(factory) -> None:
    build_history(factory.database)
    staff = factory.actor(Role.staff, browser=True)

    filtered = Page(staff.browser.get("/reports", params={"region": TOMSK}).text)
    bad = staff.browser.get("/reports", params={"from": "2026-02-30"})

    assert filtered.tables[0][1][1] == "3"
    assert filtered.tables[0][2][1] == "1"
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text


def test_dashboard_is_for_staff_only(factory, client) -> None:
    member = factory.actor(browser=True)

    anonymous = client.get("/reports", follow_redirects=False)
    forbidden = member.browser.get("/reports")

    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=")
    assert forbidden.status_code == 403
    assert client.get("/reports?format=csv", follow_redirects=False).status_code == 303


def test_csv_export_is_utf8_with_bom_and_opens_with_semicolons(factory) -> None:
    build_history(factory.database)
    staff = factory.actor(Role.staff, browser=True)

    response = staff.browser.get("/reports", params={"format": "csv", "sep": "semicolon"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Раздел", "Группа", "Показатель", "Значение"]
    assert ["Воронка по регионам", NSO, "Подали заявку", "3"] in rows
    assert ["Решения комитета", "", "Доля одобренных", "0,8"] in rows
    assert ["Частные инвестиции", "", "Всего, руб.", "1500000"] in rows


def test_csv_export_with_commas_keeps_decimal_points(factory) -> None:
    build_history(factory.database)
    staff = factory.actor(Role.staff, browser=True)

    response = staff.browser.get("/reports?format=csv&lang=en")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Section", "Group", "Indicator", "Value"]
    assert ["Committee decisions", "", "Approval rate", "0.8"] in rows
    assert ["Committee decisions", "", "Time to decision, 90th percentile (days)", "26"] in rows


def test_csv_cells_that_look_like_formulas_stay_text() -> None:
    assert [text_cell(v) for v in ("=1+1", "+7 913", "-x", "@SUM", "Томск", "")] == [
        "'=1+1",
        "'+7 913",
        "'-x",
        "'@SUM",
        "Томск",
        "",
    ]


def test_csv_export_escapes_a_reviewer_name_that_is_a_formula(factory) -> None:
    build_history(factory.database)
    staff = factory.actor(Role.staff, browser=True)
    from sqlalchemy import update

    from app.accounts.models import User

    with factory.database.session_scope() as session:
        session.execute(
            update(User)
            .where(User.full_name.like("Reviewer 1 %"))
            .values(full_name="=HYPERLINK(1)")
        )

    text = staff.browser.get("/reports?format=csv").content.decode("utf-8-sig")

    assert "'=HYPERLINK(1)" in text
    assert not re.search(r"(^|,)=HYPERLINK", text, re.M)


def test_public_numbers_hide_every_group_below_the_minimum_size(factory, client) -> None:
    add_applicants(factory.database, "Алтайский край", "software", 5)
    add_applicants(factory.database, "Омская область", "hardware", 5)
    add_applicants(factory.database, "Республика Тыва", "software", 1)

    response = client.get("/numbers?lang=ru")

    assert response.status_code == 200
    page = Page(response.text)
    assert _inline_code(page) == []
    regions = {row[0]: row[1] for row in page.tables[1][1:]}
    # Tuva's single company is hidden; alone it would be recoverable from the total, so the
    # smallest shown region is merged with it.
    assert regions == {"Алтайский край": "5", "Другие (небольшие группы вместе)": "6"}
    sectors = {row[0]: row[1] for row in page.tables[2][1:]}
    assert sectors == {"Программное обеспечение": "6", "Аппаратные решения": "5"}
    assert "Республика Тыва" not in response.text
    assert "Омская область" not in response.text


def test_public_numbers_show_nothing_while_the_cluster_is_below_the_minimum(
    factory, client
) -> None:
    add_applicants(factory.database, "Алтайский край", "software", 4)

    response = client.get("/numbers?lang=en")

    page = Page(response.text)
    assert page.tables == []
    assert len(page.find_all("svg")) == 0
    assert "Not enough organisations yet to publish figures." in response.text
    assert "Алтайский край" not in response.text


def test_public_numbers_show_investment_only_as_a_sum_of_enough_deals(factory, client) -> None:
    build_history(factory.database)  # six applicants, two deals

    response = client.get("/numbers?lang=en")

    assert "6" in Page(response.text).tables[0][1]
    assert "private investment attracted" not in response.text
    assert "RUB" not in response.text
