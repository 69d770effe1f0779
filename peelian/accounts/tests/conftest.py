"""Fixtures for the accounts tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from peelian.accounts.tests.helpers import LOGIN_URL
from peelian.conftest import TEST_PASSWORD


@pytest.fixture
def password_login() -> Callable[[Client, Any], Any]:
    """Sign in with the password only, through the sign-in page."""

    def do(client: Client, user: Any, **extra: Any) -> Any:
        return client.post(
            LOGIN_URL, {"username": user.username, "password": TEST_PASSWORD, **extra}
        )

    return do
