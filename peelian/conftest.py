"""Fixtures shared by every app's tests: users for each role, signed-in clients that have
passed MFA, and the API client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from peelian.accounts.roles import ROLES
from peelian.accounts.signals import sync_roles

TEST_PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _roles(db: Any) -> None:
    sync_roles()


@pytest.fixture(autouse=True)
def _english_by_default() -> Any:
    """Every test starts in English. Django's LocaleMiddleware activates a request's
    language in the thread and leaves it there, so a test client call to an /es/ page
    would otherwise leave the next test, in the same worker, speaking Spanish."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from peelian.accounts.services import user_create

    counter = {"n": 0}

    def make(*roles: str, username: str | None = None, mfa: bool = True, **extra: Any) -> Any:
        counter["n"] += 1
        user = user_create(
            actor="system:test",
            username=username or f"user{counter['n']}",
            email=f"user{counter['n']}@example.org",
            password=TEST_PASSWORD,
            roles=list(roles),
            check_permission=False,
            **extra,
        )
        if mfa:
            TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        return user

    return make


def _verify_session(client: Client, user: Any) -> None:
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture
def login() -> Callable[[Client, Any], Client]:
    """``login(client, user)`` signs the user in with a verified second factor."""

    def do(client: Client, user: Any) -> Client:
        _verify_session(client, user)
        return client

    return do


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture(params=[r.slug for r in ROLES])
def any_role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# --- real-browser tests -------------------------------------------------------------------
# Debian's Chromium driven by Playwright. Without it, browser tests skip with the reason;
# with PEELIAN_REQUIRE_BROWSER=1 (CI) a missing browser fails them instead.

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    import os
    from pathlib import Path

    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return
    reason = f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("PEELIAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"PEELIAN_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Chromium, per test. Playwright's sync API runs an event loop in this thread, and
    Django then refuses synchronous database calls unless told they are safe here."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def flushable_audit_log(live_server: Any) -> Any:
    """For tests on pytest-django's ``live_server``: they commit for real, so the database
    is emptied afterwards with TRUNCATE, which the audit table's trigger refuses on
    PostgreSQL (by design). Just before that flush, this connection switches triggers off
    (replica mode); Django closes the connection after a transactional test, so the next
    test has them again."""
    from django.db import connection

    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
