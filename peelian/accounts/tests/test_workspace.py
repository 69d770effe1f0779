"""The staff workspace and the "Your security" page."""

from __future__ import annotations

import re

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from rest_framework.authtoken.models import Token

from peelian.accounts import services
from peelian.accounts.roles import ADMINISTRATOR, ANALYST, INVESTIGATOR
from peelian.accounts.tests.helpers import SECURITY_URL, WORKSPACE_URL, audit_actions
from peelian.conftest import TEST_PASSWORD
from peelian.core.registry import StaffLink, registry

NEW_PASSWORD = "a brand new passphrase 77"


def _link_titles(html: str) -> list[str]:
    block = html.split('<ul class="staff-links">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', block)


def test_administrator_sees_user_and_audit_links(client, make_user, login):
    login(client, make_user(ADMINISTRATOR))
    response = client.get(WORKSPACE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    titles = _link_titles(html)
    assert {"Your security", "Users and roles", "Audit log"} <= set(titles)
    assert 'href="/admin/accounts/user/"' in html
    assert 'href="/admin/audit/auditentry/"' in html
    assert "<strong>Administrator</strong>" in html


def test_analyst_sees_neither(client, make_user, login):
    login(client, make_user(ANALYST, INVESTIGATOR))
    html = client.get(WORKSPACE_URL).content.decode()
    titles = _link_titles(html)
    assert "Your security" in titles
    assert "Users and roles" not in titles
    assert "Audit log" not in titles
    assert "<strong>Analyst</strong>" in html
    assert "<strong>Professional-standards investigator</strong>" in html


def _staff_nav(html: str) -> str:
    marker = '<nav class="staff-nav" aria-label="Staff">'
    assert html.count(marker) == 1
    return html.split(marker, 1)[1].split("</nav>", 1)[0]


def test_staff_nav_and_post_logout(client, make_user, login):
    login(client, make_user(ANALYST))
    nav = _staff_nav(client.get(WORKSPACE_URL).content.decode())
    assert 'href="/staff/" aria-current="page"' in nav
    assert 'href="/staff/security/"' in nav
    assert '<form method="post" action="/staff/logout/">' in nav
    assert 'name="csrfmiddlewaretoken"' in nav
    nav = _staff_nav(client.get(SECURITY_URL).content.decode())
    assert 'href="/staff/security/" aria-current="page"' in nav


def test_staff_nav_before_the_second_factor_offers_only_sign_out(client, make_user):
    client.force_login(make_user(ANALYST))
    nav = _staff_nav(client.get("/staff/mfa/").content.decode())
    assert "/staff/security/" not in nav
    assert '<form method="post" action="/staff/logout/">' in nav


def test_a_link_that_does_not_resolve_is_left_out(client, make_user, login, monkeypatch):
    broken = StaffLink("nowhere:page", "Broken", roles=None)
    monkeypatch.setattr(registry, "staff_links", [*registry.staff_links, broken])
    login(client, make_user(ANALYST))
    response = client.get(WORKSPACE_URL)
    assert response.status_code == 200
    assert "Broken" not in _link_titles(response.content.decode())


def test_workspace_needs_sign_in(client):
    assert client.get(WORKSPACE_URL)["Location"] == "/staff/login/?next=/staff/"


# --- Your security -------------------------------------------------------------------------------


def test_regenerate_recovery_codes(client, make_user, login):
    user = make_user(ANALYST)
    old = services.mfa_recovery_codes_regenerate(actor=user, user=user)
    login(client, user)
    assert "You have 10 unused recovery codes." in client.get(SECURITY_URL).content.decode()
    assert client.get("/staff/security/recovery-codes/").status_code == 405
    response = client.post("/staff/security/recovery-codes/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    new = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(new) == 10
    assert not new & set(old)
    html = response.content.decode()
    assert all(f"{c[:5]}-{c[5:]}" in html for c in new)
    assert audit_actions(actor_id=user.pk)[-1] == "accounts.mfa.recovery_regenerate"


def test_api_token_shown_once_then_revoked(client, make_user, login):
    user = make_user(ANALYST)
    login(client, user)
    assert "You have no API token." in client.get(SECURITY_URL).content.decode()
    response = client.post("/staff/security/token/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = Token.objects.get(user=user).key
    assert f'value="{key}"' in response.content.decode()
    page = client.get(SECURITY_URL).content.decode()
    assert "You have a token, made" in page
    assert key not in page
    response = client.post("/staff/security/token/revoke/", follow=True)
    assert not Token.objects.filter(user=user).exists()
    assert "Your API token is revoked" in response.content.decode()
    assert audit_actions(actor_id=user.pk)[-2:] == [
        "accounts.token.create",
        "accounts.token.revoke",
    ]


def test_token_made_here_works_on_the_api(client, make_user, login, api_client):
    user = make_user(ANALYST)
    login(client, user)
    client.post("/staff/security/token/")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=user).key}")
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == user.username


def test_change_password(client, make_user, login):
    user = make_user(ANALYST)
    login(client, user)
    url = "/staff/security/password/"
    response = client.post(
        url,
        {
            "current_password": "not it",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your current password is not right." in html
    assert 'href="#id_current_password"' in html
    response = client.post(
        url,
        {
            "current_password": TEST_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": "something else",
        },
    )
    assert "The two new passwords differ." in response.content.decode()
    response = client.post(
        url,
        {"current_password": TEST_PASSWORD, "new_password": "short", "new_password_again": "short"},
    )
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)

    response = client.post(
        url,
        {
            "current_password": TEST_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert response["Location"] == SECURITY_URL
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # This session stays signed in, second factor included.
    assert DEVICE_ID_SESSION_KEY in client.session
    assert client.get(SECURITY_URL).status_code == 200
    assert audit_actions(actor_id=user.pk)[-1] == "accounts.user.password"
