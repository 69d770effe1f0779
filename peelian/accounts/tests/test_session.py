"""Session rules (middleware.py): MFA before anything, 30 idle minutes, 12 hours at most."""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock

import pytest
from django.utils import timezone

from peelian.accounts.roles import ADMINISTRATOR, ANALYST
from peelian.accounts.tests.helpers import LOGIN_URL, MFA_URL, WORKSPACE_URL
from peelian.audit.models import AuditEntry


class Clock:
    """``django.utils.timezone.now`` under the test's control."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock():
    clock = Clock()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: clock.now):
        yield clock


# --- MFA first --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [WORKSPACE_URL, "/staff/security/", "/es/staff/", "/admin/", "/admin/accounts/user/"]
)
def test_unverified_session_reaches_no_page(client, make_user, path):
    user = make_user(ADMINISTRATOR)
    client.force_login(user)  # password only
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].split("?")[0] in {MFA_URL, "/es" + MFA_URL}


def test_unenrolled_session_is_sent_to_enrolment(client, make_user):
    client.force_login(make_user(ANALYST, mfa=False))
    assert client.get(WORKSPACE_URL)["Location"] == "/staff/mfa/enrol/?next=%2Fstaff%2F"


def test_unverified_session_gets_json_403_from_the_api(client, make_user):
    client.force_login(make_user(ANALYST))
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["error"]["code"] == "mfa_required"


def test_unverified_session_may_sign_out(client, make_user):
    user = make_user(ANALYST)
    client.force_login(user)
    assert client.post("/staff/logout/").status_code == 302
    assert AuditEntry.objects.filter(action="accounts.session.logout", actor_id=user.pk).exists()


# --- timeouts --------------------------------------------------------------------------------


def test_idle_session_ends_with_a_message_and_an_audit_entry(client, make_user, login, clock):
    user = make_user(ANALYST)
    login(client, user)
    clock.advance(minutes=29)
    assert client.get(WORKSPACE_URL).status_code == 200  # activity resets the idle clock
    clock.advance(minutes=29)
    assert client.get(WORKSPACE_URL).status_code == 200
    clock.advance(minutes=31)
    response = client.get("/staff/security/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL + "?next=%2Fstaff%2Fsecurity%2F"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "You were signed out after 30 minutes without activity." in page.content.decode()
    entry = AuditEntry.objects.filter(actor_id=user.pk).last()
    assert entry.action == "accounts.session.expire"
    assert entry.after == {"reason": "idle"}
    assert client.get(WORKSPACE_URL)["Location"].startswith(LOGIN_URL)


def test_session_ends_twelve_hours_after_sign_in_despite_activity(client, make_user, login, clock):
    user = make_user(ANALYST)
    login(client, user)
    for _ in range(12 * 3 - 1):  # a request every 20 minutes, up to 11 h 40 min
        clock.advance(minutes=20)
        assert client.get(WORKSPACE_URL).status_code == 200
    clock.advance(minutes=20)  # 12 h exactly: still allowed
    assert client.get(WORKSPACE_URL).status_code == 200
    clock.advance(minutes=1)
    response = client.get(WORKSPACE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    page = client.get(response["Location"])
    assert "a session lasts at most 12 hours" in page.content.decode()
    entry = AuditEntry.objects.filter(actor_id=user.pk).last()
    assert (entry.action, entry.after) == ("accounts.session.expire", {"reason": "max_age"})


def test_expired_api_session_gets_json_401(client, make_user, login, clock):
    login(client, make_user(ANALYST))
    clock.advance(minutes=31)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert json.loads(response.content)["error"]["code"] == "session_expired"


def test_idle_limit_follows_the_setting(client, make_user, login, clock, settings):
    settings.PEELIAN_SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=5)
    login(client, make_user(ANALYST))
    clock.advance(minutes=6)
    assert client.get(WORKSPACE_URL).status_code == 302
