"""Plain functions that make what a test needs, through the same services the app uses."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from app.accounts import credentials
from app.accounts import service as accounts
from app.accounts.identifiers import inn_with_check_digits
from app.accounts.models import Organisation, OrganisationKind, Role, User, UserRole
from app.accounts.organisations import create_organisation
from app.db import Database, utcnow
from app.web import session_cookie
from tests.client import TestClient

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


@dataclass
class Actor:
    """A user with an authenticated client: `.api` sends a bearer token, `.browser` a session."""

    user: User
    api: TestClient
    browser: TestClient | None = None

    @property
    def id(self) -> int:
        return self.user.id


class Factory:
    def __init__(self, database: Database, app: FastAPI) -> None:
        self.database = database
        self.app = app
        self._clients = ExitStack()

    def client(self, **kwargs: Any) -> TestClient:
        """A test client open until `close()`."""
        client = TestClient(self.app, base_url="http://testserver", **kwargs)
        self._clients.callback(client.close)
        return client

    def close(self) -> None:
        self._clients.close()

    def user(
        self,
        *,
        roles: Iterable[Role] = (),
        email: str | None = None,
        full_name: str | None = None,
        locale: str = "ru",
        timezone: str = "Europe/Moscow",
    ) -> User:
        number = next(_sequence)
        with self.database.session_scope() as session:
            user = accounts.register(
                session,
                email=email or f"user{number}@example.com",
                password=PASSWORD,
                full_name=full_name or f"User {number}",
                locale=locale,
                timezone=timezone,
                consent_personal_data=True,
            )
            for role in roles:
                user.role_rows.append(UserRole(role=role))
            session.flush()
            session.expunge(user)
        return user

    def api_client(self, user: User, *, login: bool = False) -> TestClient:
        """A client with a bearer token: minted straight in the database, or with `login` asked
        for over HTTP as people do (with its audit row and security email)."""
        if login:
            return self._signed_in_client(user)
        with self.database.session_scope() as session:
            _token, secret = credentials.issue_api_token(session, user, name="tests")
        client = self.client()
        client.headers["Authorization"] = f"Bearer {secret}"
        return client

    def _signed_in_client(self, user: User) -> TestClient:
        client = self.client()
        response = client.post(
            "/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        return client

    def browser_client(self, user: User) -> TestClient:
        """A client holding a browser session opened straight in the database."""
        with self.database.session_scope() as session:
            cookie = credentials.open_session(session, user, ip_address=None, user_agent=None)
        client = self.client(follow_redirects=False)
        client.cookies.set(session_cookie(), cookie)
        return client

    def actor(
        self, *roles: Role, browser: bool = False, login: bool = False, **kwargs: Any
    ) -> Actor:
        user = self.user(roles=roles, **kwargs)
        api = self.api_client(user, login=login)
        return Actor(user, api, self.browser_client(user) if browser else None)

    def organisation(
        self,
        owner: User,
        *,
        kind: OrganisationKind = OrganisationKind.sme,
        name: str | None = None,
        region: str = "Новосибирская область",
        sector: str = "software",
        verified: bool = False,
    ) -> Organisation:
        number = next(_sequence)
        with self.database.session_scope() as session:
            actor = session.get(User, owner.id)
            assert actor is not None
            organisation = create_organisation(
                session,
                actor=actor,
                values={
                    "name": name or f"Organisation {number}",
                    "kind": kind,
                    "inn": inn_with_check_digits(f"{700000000 + number:09d}"),
                    "region": region,
                    "sector": sector,
                    "description": "",
                },
            )
            if verified:
                organisation.verified_at = utcnow()
            session.flush()
            session.expunge(organisation)
        return organisation

    def answer_password_resets(self) -> int:
        """What the worker does on its next cycle: mail the links of the requested resets."""
        with self.database.session_scope() as session:
            return accounts.send_requested_resets(session, utcnow())

    def count(self, model: type[Any]) -> int:
        from sqlalchemy import func, select

        with self.database.session_scope(write=False) as session:
            return session.scalar(select(func.count()).select_from(model)) or 0


def make_member(database: Database, organisation: Organisation, *, years: int = 1) -> None:
    """Give an organisation an active membership, as the committee's approval would."""
    import secrets
    from datetime import date, timedelta

    from app.membership.models import Membership

    with database.session_scope() as session:
        session.add(
            Membership(
                organisation_id=organisation.id,
                number=f"CL-TEST-{organisation.id:05d}",
                verify_code=secrets.token_urlsafe(12),
                starts_on=date.today(),
                expires_on=date.today() + timedelta(days=365 * years),
            )
        )
