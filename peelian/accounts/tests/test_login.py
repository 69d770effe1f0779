"""Signing in through the pages: password, lockout, second factor, signing out."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from peelian.accounts import services
from peelian.accounts.roles import ANALYST
from peelian.accounts.tests.helpers import (
    LOGIN_URL,
    MFA_URL,
    WORKSPACE_URL,
    audit_actions,
    has_inline_code,
    totp_code,
    wrong_code,
)
from peelian.audit.models import AuditEntry
from peelian.conftest import TEST_PASSWORD

GENERIC = "That username and password do not match an active account."


def test_sign_in_page_is_accessible_markup(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username"' in html
    assert '<label for="id_password"' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert not has_inline_code(html)  # the CSP allows none


def test_sign_in_page_in_spanish(client):
    assert client.get("/es" + LOGIN_URL).status_code == 200


@pytest.mark.parametrize("username", ["user1", "nobody-by-that-name"])
def test_bad_password_gets_one_generic_error(client, make_user, username):
    make_user(ANALYST)  # user1
    response = client.post(LOGIN_URL, {"username": username, "password": "wrong password!"})
    assert response.status_code == 400
    html = response.content.decode()
    assert GENERIC in html
    assert 'class="error-summary"' in html
    assert "_auth_user_id" not in client.session
    assert not AuditEntry.objects.filter(action="accounts.session.login").exists()


def test_empty_form_shows_field_errors(client):
    response = client.post(LOGIN_URL, {})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_username"' in html  # the summary links to the field
    assert 'aria-describedby="id_username_error"' in html
    assert 'aria-invalid="true"' in html


def test_password_without_device_goes_to_enrolment(client, make_user, password_login):
    user = make_user(ANALYST, mfa=False)
    response = password_login(client, user)
    assert response.status_code == 302
    assert response["Location"] == "/staff/mfa/enrol/"
    assert audit_actions(actor_id=user.pk) == ["accounts.session.login"]


def test_password_with_device_goes_to_mfa_keeping_a_safe_next(client, make_user, password_login):
    user = make_user(ANALYST)
    response = password_login(client, user, next="/staff/security/")
    assert response["Location"] == "/staff/mfa/?next=%2Fstaff%2Fsecurity%2F"


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_unsafe_next_is_dropped(client, make_user, password_login, unsafe):
    user = make_user(ANALYST)
    response = password_login(client, user, next=unsafe)
    assert response["Location"] == MFA_URL


def test_inactive_account_gets_the_generic_error(client, make_user, password_login):
    user = make_user(ANALYST)
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = password_login(client, user)
    assert response.status_code == 400
    assert GENERIC in response.content.decode()


def test_five_failures_lock_the_account_until_reset(client, make_user, password_login):
    user = make_user(ANALYST)
    for attempt in range(1, 6):
        response = client.post(LOGIN_URL, {"username": user.username, "password": "wrong!"})
        assert response.status_code == (429 if attempt == 5 else 400)
    html = response.content.decode()
    assert "Sign-in is locked for now" in html
    assert "You can try again in 15 minutes" in html
    assert "contact an administrator" in html
    # Even the right password is refused while locked, and no session is made.
    response = password_login(client, user)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="accounts.session.locked_out").exists()
    call_command("axes_reset", verbosity=0)
    response = password_login(client, user)
    assert response.status_code == 302
    assert response["Location"] == MFA_URL


def test_failures_from_one_address_lock_it_for_every_username(client, make_user, password_login):
    user = make_user(ANALYST)
    for n in range(5):
        client.post(LOGIN_URL, {"username": f"guess{n}", "password": "wrong!"})
    assert password_login(client, user).status_code == 429


# --- the second factor ----------------------------------------------------------------------


def _signed_in_with_password(client, make_user, password_login):
    user = make_user(ANALYST)
    password_login(client, user)
    return user, TOTPDevice.objects.get(user=user)


def test_wrong_code_is_refused_and_audited(client, make_user, password_login):
    user, device = _signed_in_with_password(client, make_user, password_login)
    response = client.post(MFA_URL, {"code": wrong_code(device)})
    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert audit_actions(actor_id=user.pk)[-1] == "accounts.mfa.verify_failed"
    # Still unverified: the workspace sends them back to the second factor.
    assert client.get(WORKSPACE_URL)["Location"].startswith(MFA_URL)


def test_right_code_opens_the_workspace(client, make_user, password_login):
    user, device = _signed_in_with_password(client, make_user, password_login)
    session_key = client.session.session_key
    response = client.post(MFA_URL, {"code": totp_code(device), "next": "/staff/security/"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/security/"
    assert client.session.session_key != session_key  # a new key once privileges rise
    assert client.get(WORKSPACE_URL).status_code == 200
    assert audit_actions(actor_id=user.pk) == ["accounts.session.login", "accounts.mfa.verify"]
    # Signed in already: the sign-in and MFA pages move on.
    assert client.get(LOGIN_URL)["Location"] == WORKSPACE_URL
    assert client.get(MFA_URL)["Location"] == WORKSPACE_URL


def test_right_code_straight_after_a_wrong_one_must_wait(client, make_user, password_login):
    _user, device = _signed_in_with_password(client, make_user, password_login)
    client.post(MFA_URL, {"code": wrong_code(device)})
    response = client.post(MFA_URL, {"code": totp_code(device)})
    assert response.status_code == 429
    assert "Too many wrong codes" in response.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post(MFA_URL, {"code": totp_code(device)}).status_code == 302


def test_recovery_code_works_once_with_a_warning(client, make_user, password_login):
    user = make_user(ANALYST)
    codes = services.mfa_recovery_codes_regenerate(actor=user, user=user)
    password_login(client, user)
    response = client.post(MFA_URL, {"code": codes[3]}, follow=True)
    assert response.redirect_chain[-1][0] == WORKSPACE_URL
    html = response.content.decode()
    assert "You signed in with a recovery code" in html
    assert "You have 9 recovery codes left" in html
    assert "accounts.mfa.recovery_used" in audit_actions(actor_id=user.pk)
    client.post("/staff/logout/")
    password_login(client, user)
    response = client.post(MFA_URL, {"code": codes[3]})
    assert response.status_code == 400
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_mfa_page_needs_a_password_first(client):
    assert client.get(MFA_URL + "?next=/staff/")["Location"] == LOGIN_URL + "?next=%2Fstaff%2F"


def test_mfa_page_sends_unenrolled_users_to_enrolment(client, make_user, password_login):
    user = make_user(ANALYST, mfa=False)
    password_login(client, user)
    assert client.get(MFA_URL)["Location"] == "/staff/mfa/enrol/"


# --- signing out -------------------------------------------------------------------------------


def test_logout_is_post_only_and_audited(client, make_user, login):
    user = make_user(ANALYST)
    login(client, user)
    assert client.get("/staff/logout/").status_code == 405
    assert client.get(WORKSPACE_URL).status_code == 200
    response = client.post("/staff/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert audit_actions(actor_id=user.pk)[-1] == "accounts.session.logout"
    assert client.get(WORKSPACE_URL)["Location"].startswith(LOGIN_URL)


def test_logout_needs_csrf(make_user, login):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, make_user(ANALYST))
    assert client.post("/staff/logout/").status_code == 403
    assert "_auth_user_id" in client.session


def test_every_sign_in_is_audited(client, make_user, password_login):
    user = make_user(ANALYST)
    for _ in range(2):
        password_login(client, user)
        client.post("/staff/logout/")
    assert audit_actions(actor_id=user.pk) == [
        "accounts.session.login",
        "accounts.session.logout",
        "accounts.session.login",
        "accounts.session.logout",
    ]
    assert TEST_PASSWORD not in str(list(AuditEntry.objects.values("before", "after")))
