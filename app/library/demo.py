"""Demo library items in Russian and English. Items are matched by title, so loading twice
changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.library import service
from app.library.models import LibraryItem
from app.library.schemas import ItemIn

DEMO_ITEMS: tuple[dict[str, Any], ...] = (
    {
        "title": "Налоговые льготы для ИТ-компаний в 2026 году",
        "summary": "Пониженная ставка налога на прибыль и страховых взносов для аккредитованных "
        "ИТ-компаний: условия и порядок применения.",
        "body": "## Кто может применять\n\nАккредитованные организации, у которых доля доходов "
        "от ИТ-деятельности составляет не менее 70 %.\n\n## Что даёт льгота\n\n"
        "* ставка налога на прибыль — 5 %;\n* единый тариф страховых взносов — 7,6 %.\n",
        "language": "ru",
        "category": "regulation",
        "tags": ["налоги", "аккредитация"],
        "effective_from": "2025-01-01",
    },
    {
        "title": "Гранты Фонда содействия инновациям: программа «Старт»",
        "summary": "Как малой компании получить до 5 млн рублей на НИОКР.",
        "body": "Программа «Старт» поддерживает компании, которым не больше двух лет. "
        "Заявку готовят по бизнес-плану; экспертиза занимает около трёх месяцев.",
        "language": "ru",
        "category": "financing",
        "tags": ["гранты", "ниокр"],
    },
    {
        "title": "Licensing requirements for software exporters",
        "summary": "Which software products need an export licence and how long it takes.",
        "body": "Most commercial software is exported without a licence. Products with strong "
        "cryptography need a notification, and a few dual-use tools need a licence.",
        "language": "en",
        "category": "regulation",
        "tags": ["export", "licensing"],
    },
    {
        "title": "Geoinformation market overview",
        "summary": "Demand for satellite and drone mapping among regional governments.",
        "body": "Regional governments buy **digital twins** of cities and farmland monitoring. "
        "The market grew by a fifth last year.",
        "language": "en",
        "category": "it_industry",
        "tags": ["geoinformation", "market"],
    },
    {
        "title": "Итоги питч-сессии кластера",
        "summary": "Двенадцать команд представили проекты пяти инвесторам.",
        "body": "Три команды получили приглашения на повторные встречи, одна — term sheet.",
        "language": "ru",
        "category": "cluster_news",
        "tags": ["инвестиции", "питч"],
        "visibility": "members",
    },
)


def load(session: Session, world: Any) -> None:
    actor = world.users["staff"]
    for values in DEMO_ITEMS:
        if session.scalar(select(LibraryItem.id).where(LibraryItem.title == values["title"])):
            continue
        service.create_item(session, actor=actor, data=ItemIn.model_validate(values))
