"""A realistic, deterministic data set for the benchmarks, on SQLite or PostgreSQL.

    .venv/bin/python -m bench.generate --url sqlite:////tmp/portal-bench.db --scale 0.1
    .venv/bin/python -m bench.generate --url postgresql+psycopg://postgres@127.0.0.1/x --scale 1

At scale 1: 10k organisations, 20k applications with 60k reviews, 2k training sessions with 50k
enrolments, 300 investors with 20k meetings, 100k library items (Russian and English, Zipf-like
vocabulary), 5k introductions. Every row is written with Core `insert()` in batches
(executemany); ids are assigned here so the same seed and scale give the same data. The schema is
built by the real migrations first. Five fixed users (staff, member, committee, investor, partner)
get known API tokens and browser sessions (`BENCH_USERS`) for the benchmarks to call as.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Engine, Table, insert, select, text

BATCH = 5000
BASE_COUNTS = {
    "organisations": 10_000,
    "applications": 20_000,
    "reviews": 60_000,
    "sessions": 2_000,
    "enrolments": 50_000,
    "investors": 300,
    "meetings": 20_000,
    "library": 100_000,
    "introductions": 5_000,
}

# Fixed users the benchmarks act as: name → (email, roles).
BENCH_USERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "staff": ("staff@bench.example", ("staff",)),
    "member": ("member@bench.example", ("entrepreneur",)),
    "committee": ("committee@bench.example", ("committee",)),
    "investor": ("investor@bench.example", ("investor",)),
    "partner": ("partner@bench.example", ("partner",)),
}
BENCH_PASSWORD = "bench password not for production"


def bench_token(name: str) -> str:
    """The bearer token of a fixed bench user (only ever valid in a bench database)."""
    return f"cp_bench_{name}_token_0123456789abcdef"


def bench_cookie(name: str) -> str:
    return f"bench_{name}_session_0123456789abcdef"


# --- vocabulary -------------------------------------------------------------------------------

RU_REAL = [
    "налог",
    "налоги",
    "налоговый",
    "налоговая",
    "льгота",
    "льготы",
    "льготный",
    "компания",
    "компании",
    "инвестиции",
    "инвестиционный",
    "инвестор",
    "грант",
    "гранты",
    "грантовый",
    "стартап",
    "стартапы",
    "технология",
    "технологии",
    "регион",
    "региональный",
    "экспорт",
    "экспортный",
    "лицензия",
    "лицензии",
    "программа",
    "программы",
    "программный",
    "разработка",
    "разработки",
    "облако",
    "облачный",
    "облачные",
    "данные",
    "безопасность",
    "договор",
    "договоры",
    "субсидия",
    "субсидии",
    "рынок",
    "рынка",
    "производство",
    "производственный",
    "цифровой",
    "цифровая",
    "платформа",
    "платформы",
    "сервис",
    "сервисы",
    "кластер",
    "кластера",
    "инновация",
    "инновации",
    "инновационный",
    "патент",
    "патенты",
    "закупка",
    "закупки",
    "персонал",
    "обучение",
    "аналитика",
    "аналитики",
    "требование",
    "требования",
    "отчётность",
    "бухгалтерия",
    "акселератор",
    "акселерация",
    "венчурный",
    "фонд",
    "фонды",
    "кредит",
    "кредиты",
    "заявка",
    "заявки",
    "конкурс",
    "конкурсы",
    "поддержка",
    "поддержки",
    "предприятие",
    "предприятия",
    "малый",
    "средний",
    "бизнес",
    "бизнеса",
    "интеграция",
    "искусственный",
    "интеллект",
    "машинное",
    "обучение",
    "робототехника",
    "энергетика",
    "связь",
    "телекоммуникации",
    "геоинформационный",
    "спутниковый",
    "медицина",
    "образование",
    "финансы",
    "финансирование",
    "импортозамещение",
    "реестр",
    "реестра",
    "отечественный",
    "сертификация",
    "стандарт",
    "стандарты",
    "нормативный",
    "закон",
    "законы",
    "постановление",
    "правительство",
    "министерство",
    "проект",
    "проекты",
    "пилотный",
    "внедрение",
    "заказчик",
    "заказчики",
    "поставщик",
    "поставщики",
    "контракт",
]
EN_REAL = [
    "tax",
    "taxes",
    "relief",
    "company",
    "companies",
    "investment",
    "investor",
    "investors",
    "grant",
    "grants",
    "startup",
    "startups",
    "technology",
    "technologies",
    "region",
    "regional",
    "export",
    "exports",
    "licence",
    "licensing",
    "software",
    "development",
    "cloud",
    "data",
    "security",
    "contract",
    "contracts",
    "subsidy",
    "subsidies",
    "market",
    "markets",
    "manufacturing",
    "digital",
    "platform",
    "platforms",
    "service",
    "services",
    "cluster",
    "innovation",
    "innovative",
    "patent",
    "patents",
    "procurement",
    "staff",
    "training",
    "analytics",
    "requirement",
    "requirements",
    "reporting",
    "accounting",
    "accelerator",
    "venture",
    "fund",
    "funds",
    "loan",
    "loans",
    "application",
    "applications",
    "competition",
    "support",
    "enterprise",
    "enterprises",
    "small",
    "medium",
    "business",
    "integration",
    "artificial",
    "intelligence",
    "machine",
    "learning",
    "robotics",
    "energy",
    "telecom",
    "telecommunications",
    "geospatial",
    "satellite",
    "healthcare",
    "education",
    "finance",
    "financing",
    "registry",
    "domestic",
    "certification",
    "standard",
    "standards",
    "regulation",
    "law",
    "laws",
    "decree",
    "government",
    "ministry",
    "project",
    "projects",
    "pilot",
    "adoption",
    "customer",
    "customers",
    "supplier",
    "suppliers",
]
RU_SYLLABLES = [
    "ва",
    "ка",
    "ло",
    "ми",
    "но",
    "ра",
    "ст",
    "ти",
    "ко",
    "пре",
    "про",
    "ни",
    "ре",
    "ле",
    "да",
    "ве",
    "то",
    "ор",
    "ан",
    "ол",
    "ен",
    "ис",
    "ов",
    "ал",
    "ит",
    "ер",
    "ин",
    "ск",
    "тр",
    "ль",
    "бо",
    "ду",
    "жи",
    "зе",
]
RU_ENDINGS = [
    "ность",
    "ение",
    "ация",
    "ский",
    "ная",
    "ного",
    "ами",
    "ов",
    "ий",
    "ая",
    "ое",
    "ы",
    "и",
    "а",
]
EN_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "no",
    "ra",
    "st",
    "ti",
    "co",
    "pre",
    "pro",
    "ni",
    "re",
    "le",
    "da",
    "ve",
    "to",
    "or",
    "an",
    "ol",
    "en",
    "is",
    "ov",
    "al",
    "it",
    "er",
]
EN_ENDINGS = ["tion", "ment", "ness", "ing", "ed", "er", "al", "ity", "ive", "ous", "s"]

# Queries people would type: mostly one or two real domain words.
QUERIES = (
    "налоговая льгота", "инвестиции в стартапы", "облачные данные", "экспорт программ",
    "licence requirements", "cloud security", "grant for startups", "digital platform",
    "патент", "training", "субсидия регион", "market analytics", "венчурный фонд",
    "machine learning", "импортозамещение", "procurement contract",
)  # fmt: skip


@dataclass
class Vocabulary:
    """Real domain words spread over the ranks of a Zipf distribution among synthetic words."""

    words: list[str]
    cumulative: list[float]

    @classmethod
    def build(cls, rng: random.Random, real: tuple[str, ...] | list[str], syllables: list[str],
              endings: list[str], size: int = 12000) -> Vocabulary:  # fmt: skip
        synthetic: set[str] = set()
        while len(synthetic) < size - len(real):
            stem = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3)))
            synthetic.add(stem + rng.choice(endings))
        words = sorted(synthetic)
        rng.shuffle(words)
        # Real words take ranks from 60 to 6000 (of 12000): found in a few per cent of the items
        # at most, as the words people search for are in a real library.
        for n, word in enumerate(real):
            rank = int(60 * math.exp(n * math.log(6000 / 60) / max(1, len(real) - 1)))
            words.insert(min(rank, len(words)), word)
        weights = [1 / (rank + 2) ** 1.05 for rank in range(len(words))]
        return cls(words, list(accumulate(weights)))

    def text(self, rng: random.Random, n: int) -> str:
        return " ".join(rng.choices(self.words, cum_weights=self.cumulative, k=n))


# --- plan -------------------------------------------------------------------------------------


@dataclass
class Plan:
    scale: float
    seed: int
    today: date
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.counts = {k: max(1, round(v * self.scale)) for k, v in BASE_COUNTS.items()}
        self.counts["reviewers"] = max(6, round(60 * self.scale))
        self.counts["partners"] = max(2, self.counts["organisations"] // 40)
        self.counts["courses"] = 20  # a cluster's catalogue does not grow with its membership

    @property
    def now(self) -> datetime:
        return datetime(self.today.year, self.today.month, self.today.day, 9, tzinfo=UTC)


def _batches(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Writer:
    def __init__(self, engine: Engine, progress: Progress) -> None:
        self.engine = engine
        self.progress = progress

    def write(self, label: str, table: Table, total: int, rows: Iterable[dict[str, Any]]) -> None:
        task = self.progress.add_task(label, total=total)
        with self.engine.begin() as connection:
            for batch in _batches(rows):
                connection.execute(insert(table), batch)
                self.progress.advance(task, len(batch))
        self.progress.update(task, completed=total)


def generate(url: str, *, scale: float, seed: int = 1, today: date | None = None,
             quiet: bool = False) -> Plan:  # fmt: skip
    """Migrate an empty database at `url` and fill it; returns the plan (counts, dates)."""
    from app import migrations
    from app.db import build_engine
    from app.domains import load_models

    plan = Plan(scale=scale, seed=seed, today=today or date.today())
    migrations.upgrade(url)
    load_models()
    engine = build_engine(url)
    columns = [
        TextColumn("[bold blue]{task.description:<22}"),
        BarColumn(bar_width=36),
        MofNCompleteColumn(),
        TextColumn("[progress.percentage]{task.percentage:>5.1f}%"),
        TimeElapsedColumn(),
        SpinnerColumn(),
    ]
    try:
        with Progress(*columns, disable=quiet, transient=False) as progress:
            _fill(Writer(engine, progress), plan, progress)
    finally:
        engine.dispose()
    return plan


def _fill(w: Writer, plan: Plan, progress: Progress) -> None:
    from app.accounts.credentials import digest
    from app.accounts.identifiers import inn_with_check_digits
    from app.accounts.models import (
        ApiToken,
        Organisation,
        OrganisationMember,
        User,
        UserRole,
        WebSession,
    )
    from app.accounts.passwords import hash_password
    from app.deals.models import Deal
    from app.introductions.models import Introduction, Outcome, PartnerProfile, SuccessStory
    from app.library.models import LibraryItem, LibraryTag
    from app.library.search import reindex_all
    from app.meetings.models import InvestorProfile, Meeting, MeetingRequest
    from app.membership.models import (
        Application,
        Assignment,
        Membership,
        Review,
        RubricVersion,
        criteria_weights,
    )
    from app.membership.reviews import weighted_score
    from app.membership.rubric import default_criteria
    from app.notifications.models import Notification, OutboxMessage
    from app.training.models import Course, Enrolment, TrainingSession

    c = plan.counts
    now = plan.now
    sectors = ["software", "hardware", "telecom", "industrial_it", "geoinformation", "fintech",
               "edtech", "healthtech", "energy", "manufacturing", "other"]  # fmt: skip
    regions = ["Новосибирская область", "Москва", "Санкт-Петербург", "Томская область",
               "Республика Татарстан", "Свердловская область", "Красноярский край"]  # fmt: skip
    stages = ["idea", "seed", "early", "growth", "mature"]
    password_hash = hash_password(BENCH_PASSWORD)

    def rng(part: str) -> random.Random:
        return random.Random(f"{plan.seed}:{part}")

    # Ids: the 5 fixed users, then reviewers, then one owner per organisation, then investors.
    n_org, n_inv, n_rev, n_part = c["organisations"], c["investors"], c["reviewers"], c["partners"]
    fixed = list(BENCH_USERS)
    reviewer_ids = [3, *range(6, 6 + n_rev - 1)]
    owner_base = 6 + n_rev - 1  # owner of organisation k (1-based) is owner_base + k - 1
    investor_user_base = owner_base + n_org  # investor j (0-based) is investor_user_base + j
    investor_org_base = n_org + 1  # investor organisation of investor j
    partner_orgs = list(range(2, 2 + n_part))  # verified large members
    investor_user_ids = [4] + [investor_user_base + j for j in range(1, n_inv)]

    def owner(org_id: int) -> int:
        return 2 if org_id == 1 else owner_base + org_id - 1

    # --- users and roles
    def users() -> Iterator[dict[str, Any]]:
        r = rng("users")
        for n, name in enumerate(fixed, start=1):
            yield _user(n, BENCH_USERS[name][0], f"Bench {name.title()}", password_hash, now)
        for uid in reviewer_ids[1:]:
            yield _user(uid, f"reviewer{uid}@bench.example", f"Reviewer {uid}", password_hash, now)
        for k in range(2, n_org + 1):
            yield _user(owner(k), f"owner{k}@bench.example", f"Founder {k}", password_hash,
                        now - timedelta(days=r.randint(1, 900)))  # fmt: skip
        for j in range(1, n_inv):
            uid = investor_user_base + j
            yield _user(uid, f"investor{uid}@bench.example", f"Investor {j}", password_hash, now)

    total_users = 5 + (n_rev - 1) + (n_org - 1) + (n_inv - 1)
    w.write("users", User.__table__, total_users, users())

    def roles() -> Iterator[dict[str, Any]]:
        for n, name in enumerate(fixed, start=1):
            for role in BENCH_USERS[name][1]:
                yield {"user_id": n, "role": role, "granted_at": now}
        for uid in reviewer_ids[1:]:
            yield {"user_id": uid, "role": "committee", "granted_at": now}
        for k in range(2, n_org + 1):
            yield {"user_id": owner(k), "role": "entrepreneur", "granted_at": now}
        for uid in investor_user_ids[1:]:
            yield {"user_id": uid, "role": "investor", "granted_at": now}

    w.write("roles", UserRole.__table__, total_users, roles())
    w.write("api tokens", ApiToken.__table__, len(fixed), (
        {"id": n, "user_id": n, "name": "bench", "token_hash": digest(bench_token(name)),
         "prefix": bench_token(name)[:10],
            "last_used_at": now + timedelta(days=3650), "created_at": now}
        for n, name in enumerate(fixed, start=1)
    ))  # fmt: skip
    w.write("browser sessions", WebSession.__table__, len(fixed), (
        {"id": digest(bench_cookie(name)), "user_id": n,
         "created_at": now + timedelta(days=3650), "last_seen_at": now + timedelta(days=3650)}
        for n, name in enumerate(fixed, start=1)
    ))  # fmt: skip

    # --- organisations, their owners, memberships
    r = rng("organisations")
    org_sector = {k: r.choice(sectors) for k in range(1, n_org + n_inv + 1)}

    def organisations() -> Iterator[dict[str, Any]]:
        for k in range(1, n_org + n_inv + 1):
            investor = k > n_org
            kind = "investor" if investor else ("large" if k in partner_orgs else "sme")
            verified = investor or kind == "large" or r.random() < 0.7
            yield {
                "id": k, "name": (f"Venture Partners {k}" if investor else f"ООО «Технологии {k}»"),
                "kind": kind, "inn": inn_with_check_digits(f"{540000000 + k:09d}"),
                "ogrn": None, "region": r.choice(regions), "sector": org_sector[k],
                "stage": r.choice(stages), "website": None,
                "description": "Разработка программного обеспечения для промышленности.",
                "created_at": now - timedelta(days=r.randint(30, 1500)),
                "verified_at": now - timedelta(days=10) if verified else None,
                "verified_by_id": 1 if verified else None,
            }  # fmt: skip

    w.write("organisations", Organisation.__table__, n_org + n_inv, organisations())

    def org_members() -> Iterator[dict[str, Any]]:
        for k in range(1, n_org + 1):
            yield {"organisation_id": k, "user_id": owner(k), "role": "owner", "joined_at": now}
        if n_part:
            yield {"organisation_id": partner_orgs[0], "user_id": 5, "role": "member",
                   "joined_at": now}  # fmt: skip
        for j, uid in enumerate(investor_user_ids):
            yield {"organisation_id": investor_org_base + j, "user_id": uid, "role": "owner",
                   "joined_at": now}  # fmt: skip

    w.write("organisation members", OrganisationMember.__table__, n_org + n_inv + 1, org_members())

    r = rng("memberships")
    member_orgs = [
        k for k in range(1, n_org + 1) if k == 1 or k in partner_orgs or r.random() < 0.6
    ]
    w.write("memberships", Membership.__table__, len(member_orgs), (
        {"id": n, "organisation_id": k, "number": f"CL-{k:06d}", "verify_code": f"bench{k:012d}",
         "starts_on": plan.today - timedelta(days=200),
         "expires_on": plan.today + timedelta(days=165),
         "status": "active", "listed": True, "created_at": now}
        for n, k in enumerate(member_orgs, start=1)
    ))  # fmt: skip

    # --- applications, committee assignments and reviews
    r = rng("applications")
    n_app = c["applications"]
    closed = ["approved", "rejected", "withdrawn"]
    last_status = ["draft", "submitted", "under_review", "under_review", "approved", "rejected",
                   "changes_requested"]  # fmt: skip
    open_statuses = {"draft", "submitted", "under_review", "changes_requested"}
    applications: list[tuple[int, int, str]] = []
    org_cycle = [((n % n_org) + 1) for n in range(n_app)]
    seen: dict[int, int] = {}
    for org_id in org_cycle:
        seen[org_id] = seen.get(org_id, 0) + 1
    counter: dict[int, int] = {}
    for n, org_id in enumerate(org_cycle, start=1):
        counter[org_id] = counter.get(org_id, 0) + 1
        is_last = counter[org_id] == seen[org_id]
        status = r.choice(last_status) if is_last else r.choice(closed)
        if org_id == 1:
            status = "approved"
        applications.append((n, org_id, status))

    def application_rows() -> Iterator[dict[str, Any]]:
        for n, org_id, status in applications:
            created = now - timedelta(days=r.randint(1, 700), minutes=n % 1440)
            submitted = None if status == "draft" else created + timedelta(days=1)
            decided = created + timedelta(days=20) if status in ("approved", "rejected") else None
            yield {
                "id": n, "organisation_id": org_id,
                "open_organisation_id": org_id if status in open_statuses else None,
                "applicant_id": owner(org_id), "status": status,
                "summary": "Платформа предиктивной аналитики для производственных предприятий.",
                "innovation": "Собственные модели машинного обучения.", "market": "Промышленность.",
                "team": "12 инженеров.", "funding_needs": "30 млн руб.",
                "review_round": 0 if status == "draft" else 1,
                "decision_reason": "Соответствует критериям." if decided else None,
                "decision_codes": [], "decided_by_id": 1 if decided else None,
                "created_at": created, "updated_at": decided or submitted or created,
                "submitted_at": submitted, "decided_at": decided,
                "rubric_version_id": None if submitted is None else 1,
            }  # fmt: skip

    with w.engine.connect() as connection:  # the migrations seed version 1 of the rubric
        seeded = connection.scalar(select(RubricVersion.id).where(RubricVersion.id == 1))
    if seeded is None:
        w.write("rubric versions", RubricVersion.__table__, 1, iter([
            {"id": 1, "track": "membership", "criteria": default_criteria(), "created_at": now}
        ]))  # fmt: skip
    w.write("applications", Application.__table__, n_app, application_rows())

    reviewed = [(n, s) for n, _, s in applications if s not in ("draft", "submitted")]
    per_review = min(len(reviewer_ids), math.ceil(c["reviews"] / max(1, len(reviewed))))
    r = rng("reviews")
    assignments: list[tuple[int, int, int]] = []
    next_id = 1
    for app_id, _status in reviewed:
        for reviewer in r.sample(reviewer_ids, min(per_review, len(reviewer_ids))):
            assignments.append((next_id, app_id, reviewer))
            next_id += 1
            if next_id > c["reviews"]:
                break
        if next_id > c["reviews"]:
            break
    w.write("assignments", Assignment.__table__, len(assignments), (
        {"id": i, "application_id": a, "reviewer_id": u, "round": 1, "assigned_by_id": 1,
         "created_at": now - timedelta(days=30), "due_on": plan.today + timedelta(days=7),
         "declared_at": now - timedelta(days=29), "conflict": False}
        for i, a, u in assignments
    ))  # fmt: skip
    recommendations = ["approve", "approve", "reject", "changes"]

    weights = criteria_weights(default_criteria())

    def review_row(i: int) -> dict[str, Any]:
        scores = {k: r.randint(1, 5) for k in weights}
        return {
            "id": i, "assignment_id": i, "scores": scores, "rubric_version_id": 1,
            "weighted_score": weighted_score(scores, weights),
            "comment": "Сильная команда, рынок требует уточнения.",
            "recommendation": r.choice(recommendations),
            "submitted_at": now - timedelta(days=20), "updated_at": now - timedelta(days=20),
        }  # fmt: skip

    w.write("reviews", Review.__table__, len(assignments), (
        review_row(i) for i, _a, _u in assignments
    ))  # fmt: skip

    # --- training: courses, sessions, enrolments
    r = rng("training")
    n_courses, n_sessions = c["courses"], c["sessions"]
    w.write("courses", Course.__table__, n_courses, (
        {"id": k, "title": f"Бизнес-план инновационного проекта, поток {k}",
         "description": "Курс о подготовке бизнес-плана.", "language": "ru" if k % 3 else "en",
         "members_only": k % 4 == 0, "investor_readiness": k == 1,
         "completion_rule": "all_sessions", "created_at": now, "created_by_id": 1}
        for k in range(1, n_courses + 1)
    ))  # fmt: skip
    capacity = 30
    per_session = min(capacity, max(1, round(c["enrolments"] / n_sessions)))
    session_starts = {
        s: now + timedelta(days=r.randint(-400, 400), hours=r.choice((0, 2, 5)))
        for s in range(1, n_sessions + 1)
    }
    w.write("sessions", TrainingSession.__table__, n_sessions, (
        {"id": s, "course_id": (s % n_courses) + 1, "starts_at": session_starts[s],
         "ends_at": session_starts[s] + timedelta(hours=3), "capacity": capacity,
         "location": "Технопарк, зал 2", "online_url": None, "company_cap": None,
         "created_at": now - timedelta(days=500)}
        for s in range(1, n_sessions + 1)
    ))  # fmt: skip
    trainees = list(range(2, n_org + 1))
    bench_member_every = max(2, n_sessions // 40)

    def enrolments() -> Iterator[dict[str, Any]]:
        n = 0
        for s in range(1, n_sessions + 1):
            chosen = r.sample(trainees, min(per_session, len(trainees)))
            if s % bench_member_every == 1 and 1 not in chosen:
                chosen[0] = 1  # the bench member attends 40 sessions, past and upcoming
            for seat, org_id in enumerate(chosen, start=1):
                n += 1
                past = session_starts[s] < now
                yield {"id": n, "session_id": s, "user_id": owner(org_id),
                       "organisation_id": org_id, "enrolled_by_id": owner(org_id),
                       "status": "enrolled", "seat_number": seat, "queue_number": None,
                       "created_at": session_starts[s] - timedelta(days=14),
                       "updated_at": session_starts[s] - timedelta(days=14),
                       "attended": (r.random() < 0.85) if past else None}  # fmt: skip

    w.write("enrolments", Enrolment.__table__, n_sessions * per_session, enrolments())

    # --- investors, requests and meetings
    r = rng("meetings")
    w.write("investor profiles", InvestorProfile.__table__, n_inv, (
        {"organisation_id": investor_org_base + j, "sectors": r.sample(sectors, 3),
         "stages": r.sample(stages, 2), "ticket_min_rub": 5_000_000, "ticket_max_rub": 50_000_000,
         "thesis": "Инвестируем в промышленное ПО и геоинформационные системы.",
         "contact_email": None, "contact_phone": None, "updated_at": now}
        for j in range(n_inv)
    ))  # fmt: skip
    n_meet = c["meetings"]
    meeting_orgs = [1 if n % 50 == 0 else r.choice(member_orgs) for n in range(n_meet)]
    meeting_starts = [
        now + timedelta(days=r.randint(-500, 120), hours=r.randint(0, 8)) for _ in range(n_meet)
    ]
    meeting_investors = [r.choice(investor_user_ids) for _ in range(n_meet)]
    n_pending = n_meet // 4

    def requests() -> Iterator[dict[str, Any]]:
        for n in range(n_meet):
            created = meeting_starts[n] - timedelta(days=10)
            yield {"id": n + 1, "investor_id": meeting_investors[n],
                   "organisation_id": meeting_orgs[n], "requester_id": owner(meeting_orgs[n]),
                   "message": "Хотим обсудить пилотный проект и инвестиции.",
                   "status": "accepted", "created_at": created,
                   "expires_at": created + timedelta(days=14),
                   "decided_at": created + timedelta(days=2)}  # fmt: skip
        for n in range(n_pending):
            org_id = 1 if n % 40 == 0 else r.choice(member_orgs)
            yield {"id": n_meet + n + 1, "investor_id": r.choice(investor_user_ids),
                   "organisation_id": org_id, "requester_id": owner(org_id),
                   "message": "Просим о встрече.", "status": r.choice(("requested", "declined")),
                   "created_at": now - timedelta(days=3),
                   "expires_at": now + timedelta(days=11), "decided_at": None}  # fmt: skip

    w.write("meeting requests", MeetingRequest.__table__, n_meet + n_pending, requests())
    w.write("meetings", Meeting.__table__, n_meet, (
        {"id": n + 1, "uid": f"bench-meeting-{n + 1}@portal", "request_id": n + 1,
         "investor_id": meeting_investors[n], "organisation_id": meeting_orgs[n],
         "starts_at": meeting_starts[n], "ends_at": meeting_starts[n] + timedelta(minutes=30),
         "status": "completed" if meeting_starts[n] < now else "scheduled",
         "sequence": 0, "created_at": meeting_starts[n] - timedelta(days=8),
         "updated_at": meeting_starts[n] - timedelta(days=8)}
        for n in range(n_meet)
    ))  # fmt: skip

    # --- introductions to partners
    r = rng("introductions")
    w.write("partner profiles", PartnerProfile.__table__, n_part, (
        {"id": n, "organisation_id": k, "looking_for": ["pilots", "suppliers"],
         "sectors": r.sample(sectors, 3), "summary": "Ищем поставщиков промышленного ПО.",
         "updated_at": now, "updated_by_id": 1}
        for n, k in enumerate(partner_orgs, start=1)
    ))  # fmt: skip
    intro_statuses = ["requested", "forwarded", "accepted", "declined", "screened_out", "expired"]
    requesters = [k for k in member_orgs if k not in partner_orgs]
    open_pairs: set[tuple[int, int]] = set()

    accepted: list[int] = []
    requester_of: dict[int, int] = {}

    def introductions() -> Iterator[dict[str, Any]]:
        for n in range(1, c["introductions"] + 1):
            org_id = 1 if n % 20 == 0 else r.choice(requesters)
            partner = partner_orgs[0] if n % 7 == 0 else r.choice(partner_orgs)
            status = r.choice(intro_statuses)
            if status in ("requested", "forwarded", "accepted"):
                if (org_id, partner) in open_pairs:
                    status = "expired"
                else:
                    open_pairs.add((org_id, partner))
            if status == "accepted":
                accepted.append(n)
                requester_of[n] = org_id
            created = now - timedelta(days=r.randint(1, 600))
            yield {"id": n, "requester_organisation_id": org_id,
                   "partner_organisation_id": partner, "requested_by_id": owner(org_id),
                   "purpose": "Пилотное внедрение нашей платформы на производстве партнёра.",
                   "offer": "Снижение простоев на 15%.", "ask": "Контакт технического директора.",
                   "status": status,
                   "open_key": f"{org_id}:{partner}"
                   if status in ("requested", "forwarded", "accepted") else None,
                   "decline_reason_shared": False, "created_at": created,
                   "status_changed_at": created + timedelta(days=3),
                   "forwarded_at": created + timedelta(days=1)
                   if status in ("forwarded", "accepted", "declined") else None}  # fmt: skip

    w.write("introductions", Introduction.__table__, c["introductions"], introductions())
    # Every accepted introduction records an outcome; a third of them became a published story.
    outcome_kinds = ["pilot", "contract", "investment"]
    w.write("outcomes", Outcome.__table__, len(accepted), (
        {"id": k, "introduction_id": n, "kind": outcome_kinds[k % 3],
         "amount_rub": None if k % 3 == 0 else 1_000_000 * r.randint(1, 30),
         "note": "Пилот на одной площадке партнёра.", "side": "member", "recorded_by_id": 1,
         "created_at": now - timedelta(days=r.randint(1, 300))}
        for k, n in enumerate(accepted, start=1)
    ))  # fmt: skip
    # The investment outcomes were reported as deals; staff confirmed two of every three.
    funded = [(k, n) for k, n in enumerate(accepted, start=1) if k % 3 == 2]
    w.write("deals", Deal.__table__, len(funded), (
        {"id": d, "organisation_id": requester_of[n], "amount_rub": 1_000_000 * r.randint(1, 30),
         "instrument": "equity", "closed_on": (now - timedelta(days=r.randint(1, 300))).date(),
         "investor_name": "Венчурный фонд", "source": "introduction", "source_id": n,
         "status": "reported" if d % 3 == 0 else "confirmed", "reported_by_id": 1,
         "created_at": now - timedelta(days=r.randint(1, 300))}
        for d, (_k, n) in enumerate(funded, start=1)
    ))  # fmt: skip
    stories = [k for k in range(1, len(accepted) + 1) if k % 3 == 0]
    w.write("success stories", SuccessStory.__table__, len(stories), (
        {"id": n, "outcome_id": k, "title_ru": f"Пилот на производстве партнёра {k}",
         "title_en": f"A pilot at a partner's plant {k}",
         "body_ru": "Платформа снизила простои на 15% за три месяца.",
         "body_en": "The platform cut downtime by 15% in three months.",
         "created_by_id": 1, "created_at": now - timedelta(days=n),
         "member_consent_at": now - timedelta(days=n),
         "partner_consent_at": now - timedelta(days=n), "published_at": now - timedelta(days=n)}
        for n, k in enumerate(stories, start=1)
    ))  # fmt: skip

    # --- emails: two per application, a few of them failed
    n_mail = 2 * c["applications"]
    w.write("outbox", OutboxMessage.__table__, n_mail, (
        {"id": n, "idempotency_key": f"bench-{n}", "kind": "membership.decision",
         "recipient_id": owner(2 + n % (n_org - 1)),
         "to_email": f"owner{2 + n % (n_org - 1)}@bench.example",
         "subject": "Решение по заявке", "body_text": "Комитет принял решение по вашей заявке.",
         "body_html": "<p>Комитет принял решение по вашей заявке.</p>", "locale": "ru",
         "status": "failed" if n % 50 == 0 else "sent", "attempts": 1,
         "next_attempt_at": now - timedelta(minutes=n_mail - n),
         "created_at": now - timedelta(minutes=n_mail - n),
         "sent_at": None if n % 50 == 0 else now - timedelta(minutes=n_mail - n)}
        for n in range(1, n_mail + 1)
    ))  # fmt: skip

    # --- notifications for the fixed users
    w.write("notifications", Notification.__table__, 5 * 40, (
        {"id": n * 40 + i + 1, "user_id": n + 1, "kind": "bench", "title": f"Уведомление {i}",
         "link": "/", "created_at": now - timedelta(hours=i)}
        for n in range(5) for i in range(40)
    ))  # fmt: skip

    # --- library
    r = rng("library")
    ru = Vocabulary.build(r, RU_REAL, RU_SYLLABLES, RU_ENDINGS)
    en = Vocabulary.build(r, EN_REAL, EN_SYLLABLES, EN_ENDINGS)
    categories = ["it_industry", "technology", "regulation", "financing", "cluster_news", "other"]
    n_lib = c["library"]
    item_tags: list[list[str]] = []

    def library_items() -> Iterator[dict[str, Any]]:
        for n in range(1, n_lib + 1):
            russian = n % 5 != 0
            vocab = ru if russian else en
            title = vocab.text(r, r.randint(4, 9)).capitalize()
            summary = vocab.text(r, 25)
            body = vocab.text(r, r.randint(80, 220))
            tags = sorted(set(r.choices(vocab.words[:200], cum_weights=vocab.cumulative[:200],
                                        k=r.randint(1, 4))))  # fmt: skip
            item_tags.append(tags)
            created = now - timedelta(minutes=n_lib - n)
            yield {"id": n, "kind": "article", "title": title[:300], "summary": summary,
                   "body": body, "language": "ru" if russian else "en",
                   "category": categories[n % len(categories)],
                   "visibility": "members" if n % 10 == 0 else "public",
                   "attachment_text": "", "version": 1, "search_tags": " ".join(tags),
                   "search_text": f"{summary} {body}", "created_by_id": 1,
                   "created_at": created, "updated_at": created}  # fmt: skip

    w.write("library items", LibraryItem.__table__, n_lib, library_items())

    def library_tags() -> Iterator[dict[str, Any]]:
        tag_id = 0
        for n, tags in enumerate(item_tags, start=1):
            for tag in tags:
                tag_id += 1
                yield {"id": tag_id, "item_id": n, "tag": tag[:50]}

    w.write("library tags", LibraryTag.__table__, sum(len(t) for t in item_tags), library_tags())

    task = progress.add_task("search index", total=1)
    with w.engine.begin() as connection:
        from sqlalchemy.orm import Session

        with Session(bind=connection) as session:
            reindex_all(session, batch_size=2000)
            session.flush()
    progress.update(task, completed=1)

    _finish(w.engine, progress)


def _user(uid: int, email: str, name: str, password_hash: str, created: datetime) -> dict[str, Any]:
    return {"id": uid, "email": email, "password_hash": password_hash, "full_name": name,
            "locale": "ru", "timezone": "Europe/Moscow", "is_active": True, "created_at": created,
            "consent_at": created, "consent_policy_version": "2026-01"}  # fmt: skip


def _finish(engine: Engine, progress: Progress) -> None:
    """PostgreSQL: move the id sequences past the ids written here, then VACUUM ANALYZE (as
    autovacuum would have done on a production table: index-only scans need the visibility map).
    SQLite: ANALYZE."""
    task = progress.add_task("analyze", total=1)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            from app.db import Base

            for table in Base.metadata.sorted_tables:
                pk = list(table.primary_key.columns)
                if (
                    len(pk) == 1
                    and pk[0].autoincrement is not False
                    and pk[0].type.python_type is int
                ):
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                        f"coalesce((SELECT max({pk[0].name}) FROM {table.name}), 0) + 1, false) "
                        f"WHERE pg_get_serial_sequence('{table.name}', '{pk[0].name}') IS NOT NULL"
                    ))  # fmt: skip
        else:
            connection.execute(text("ANALYZE"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    progress.update(task, completed=1)


# --- PostgreSQL scratch databases --------------------------------------------------------------


def create_pg_database(base_url: str, label: str) -> str:
    """A new empty database on the server of `base_url`; returns its URL."""
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    name = f"portal_bench_{label}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url_value: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(url_value)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def timed(label: str, action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="an empty database (SQLite or PostgreSQL)")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    import os

    os.environ.setdefault("PORTAL_SECRET_KEY", "bench")
    plan, seconds = timed("generate", lambda: generate(args.url, scale=args.scale, seed=args.seed))
    print(f"Generated scale {args.scale} in {seconds:.1f} s: {plan.counts}")


if __name__ == "__main__":
    main()
