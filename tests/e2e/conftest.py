"""Browser tests: the real server in a subprocess, Debian's Chromium driven by Playwright.

The server gets its own SQLite database and folders under a temporary PORTAL_VAR_DIR; nothing
here uses the database fixtures of tests/conftest.py. Staff, the chair, three committee members,
an investor, a mentor and the region's observer are made with `portal create-user`, as an
operator would.

Run: `.venv/bin/python -m pytest tests/e2e -p no:cacheprovider --override-ini addopts=`
(`make screenshots` does the same and refreshes docs/screenshots/).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from subprocess import PIPE, STDOUT

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.helpers import ARTIFACTS, PASSWORD, UPDATE_DOCS, Api, Portal, publish_screenshots
from tests.servers import free_port, wait_until_answering

CHROMIUM = os.environ.get("PORTAL_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BIN = Path(sys.executable).parent

# email, full name, roles
STAFF_USERS = {
    "staff": ("staff@e2e.example.org", "Светлана Штатная", ["staff"]),
    "chair": ("chair@e2e.example.org", "Чеслав Председатель", ["chair"]),
    "committee1": ("reviewer1@e2e.example.org", "Ольга Рецензент", ["committee"]),
    "committee2": ("reviewer2@e2e.example.org", "Пётр Рецензент", ["committee"]),
    "committee3": ("reviewer3@e2e.example.org", "Анна Рецензент", ["committee"]),
    "investor": ("investor@e2e.example.org", "Игорь Инвестор", ["investor"]),
    "admin": ("admin@e2e.example.org", "Алла Администратор", ["admin"]),
    "mentor": ("mentor@e2e.example.org", "Марк Наставник", ["mentor"]),
    "observer": ("observer@e2e.example.org", "Ольга Наблюдатель", ["observer"]),
}


def _server_env(var_dir: Path, base_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PORTAL_") and key not in ("DATABASE_URL", "TEST_DATABASE_URL")
    }
    env.update(
        {
            "PORTAL_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir / 'e2e.db'}",
            "PORTAL_SECRET_KEY": "e2e-secret-key-not-for-production",
            "PORTAL_BASE_URL": base_url,
            # Cheap password hashes, as in tests/conftest.py: logins stay fast.
            "PORTAL_ARGON2_TIME_COST": "1",
            "PORTAL_ARGON2_MEMORY_KIB": "1024",
            "PORTAL_ARGON2_PARALLELISM": "1",
        }
    )
    return env


@pytest.fixture(scope="session")
def portal() -> Iterator[Portal]:
    """`portal serve` on a free port with a fresh database, and the operators' users."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="portal-e2e-"))
    var_dir = tmp / "var"
    var_dir.mkdir()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _server_env(var_dir, base_url)
    portal_cli = str(BIN / "portal")
    subprocess.run([portal_cli, "migrate"], env=env, check=True, capture_output=True, timeout=300)
    # The operators' accounts are made while the server starts.
    creating = []
    users: dict[str, tuple[str, str]] = {}
    for key, (email, name, roles) in STAFF_USERS.items():
        command = [portal_cli, "create-user", "--email", email, "--password", PASSWORD]
        command += ["--name", name]
        for role in roles:
            command += ["--role", role]
        creating.append(subprocess.Popen(command, env=env, stdout=PIPE, stderr=STDOUT))
        users[key] = (email, name)
    log = (ARTIFACTS / "server.log").open("wb")
    server = subprocess.Popen(
        [portal_cli, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=STDOUT,
    )
    try:
        for process in creating:
            output, _ = process.communicate(timeout=300)
            assert process.returncode == 0, output.decode()
        try:
            wait_until_answering(f"{base_url}/login", server, seconds=180)
        except AssertionError as error:
            raise RuntimeError(f"{error}; see {ARTIFACTS / 'server.log'}") from None
        with httpx.Client(base_url=base_url, timeout=30) as client:
            yield Portal(
                base_url=base_url,
                users=users,
                api=Api(client),
                database=var_dir / "e2e.db",
                env=env,
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session", autouse=True)
def _docs_screenshots(portal: Portal) -> Iterator[None]:
    """Once every journey has run: the README tour screenshots (PORTAL_E2E_UPDATE_SCREENSHOTS)."""
    yield
    if UPDATE_DOCS:
        publish_screenshots(portal.shots)
