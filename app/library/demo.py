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
        "translations": {
            "en": {
                "title": "Tax relief for IT companies in 2026",
                "summary": "Reduced profit tax and social insurance rates for accredited IT "
                "companies: conditions and how to apply them.",
                "body": "## Who may apply\n\nAccredited organisations that earn at least 70 % of "
                "their income from IT activities.\n\n## What the relief gives\n\n"
                "* profit tax at 5 %;\n* a single social insurance rate of 7.6 %.\n",
            }
        },
    },
    {
        "title": "Гранты Фонда содействия инновациям: программа «Старт»",
        "summary": "Как малой компании получить до 5 млн рублей на НИОКР.",
        "body": "Программа «Старт» поддерживает компании, которым не больше двух лет. "
        "Заявку готовят по бизнес-плану; экспертиза занимает около трёх месяцев.",
        "language": "ru",
        "category": "financing",
        "tags": ["гранты", "ниокр"],
        "translations": {
            "en": {
                "title": "Innovation Assistance Fund grants: the Start programme",
                "summary": "How a small company can receive up to 5 million roubles for R&D.",
                "body": "The Start programme supports companies no older than two years. The "
                "application follows the business plan; the review takes about three months.",
            }
        },
    },
    {
        "title": "Licensing requirements for software exporters",
        "summary": "Which software products need an export licence and how long it takes.",
        "body": "Most commercial software is exported without a licence. Products with strong "
        "cryptography need a notification, and a few dual-use tools need a licence.",
        "language": "en",
        "category": "regulation",
        "tags": ["export", "licensing"],
        "translations": {
            "ru": {
                "title": "Лицензирование экспорта программного обеспечения",
                "summary": "Каким программным продуктам нужна экспортная лицензия и сколько "
                "времени занимает её получение.",
                "body": "Большая часть коммерческого ПО вывозится без лицензии. Для продуктов "
                "с сильной криптографией нужна нотификация, для немногих инструментов "
                "двойного назначения — лицензия.",
            }
        },
    },
    {
        "title": "Geoinformation market overview",
        "summary": "Demand for satellite and drone mapping among regional governments.",
        "body": "Regional governments buy **digital twins** of cities and farmland monitoring. "
        "The market grew by a fifth last year.",
        "language": "en",
        "category": "it_industry",
        "tags": ["geoinformation", "market"],
        "translations": {
            "ru": {
                "title": "Обзор рынка геоинформационных услуг",
                "summary": "Спрос региональных властей на спутниковое и беспилотное картирование.",
                "body": "Регионы покупают **цифровых двойников** городов и мониторинг "
                "сельхозугодий. За прошлый год рынок вырос на пятую часть.",
            }
        },
    },
    {
        "title": "Итоги питч-сессии кластера",
        "summary": "Двенадцать команд представили проекты пяти инвесторам.",
        "body": "Три команды получили приглашения на повторные встречи, одна — term sheet.",
        "language": "ru",
        "category": "cluster_news",
        "tags": ["инвестиции", "питч"],
        "visibility": "members",
        "translations": {
            "en": {
                "title": "Results of the cluster pitch session",
                "summary": "Twelve teams presented their projects to five investors.",
                "body": "Three teams were invited to follow-up meetings, one received a term "
                "sheet.",
            }
        },
    },
)


def load(session: Session, world: Any) -> None:
    actor = world.users["staff"]
    for values in DEMO_ITEMS:
        if session.scalar(select(LibraryItem.id).where(LibraryItem.title == values["title"])):
            continue
        service.create_item(session, actor=actor, data=ItemIn.model_validate(values))
