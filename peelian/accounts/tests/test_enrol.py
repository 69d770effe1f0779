"""Setting up an authenticator through the pages, end to end."""

from __future__ import annotations

import base64
import re

import segno
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from peelian.accounts.roles import ANALYST
from peelian.accounts.tests.helpers import (
    ENROL_URL,
    LOGIN_URL,
    WORKSPACE_URL,
    audit_actions,
    has_inline_code,
    totp_code,
    wrong_code,
)


def test_enrolment_end_to_end(client, make_user, password_login):
    user = make_user(ANALYST, mfa=False)
    response = password_login(client, user, next="/staff/security/")
    assert response["Location"] == ENROL_URL + "?next=%2Fstaff%2Fsecurity%2F"

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    # The QR code is an SVG made here, as a data URI, with alt text; it encodes the
    # otpauth:// URL of this very device.
    image = re.search(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"[^>]*>', html)
    assert image is not None
    assert 'alt="QR code' in image.group(0)
    svg = base64.b64decode(image.group(1)).decode()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    expected = segno.make(device.config_url, error="m").svg_inline(scale=5)
    # The dark modules are the last path (a light background may come first).
    assert re.findall(r' d="([^"]+)"', svg)[-1] == re.findall(r' d="([^"]+)"', expected)[-1]
    assert device.config_url.startswith(f"otpauth://totp/Peelian%3A{user.username}?secret=")
    # The secret for typing in, in groups of four, matches the device's key.
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert f"<code>{grouped}</code>" in html
    assert not has_inline_code(html)

    # A wrong code: an error beside the field, nothing confirmed.
    response = client.post(ENROL_URL, {"code": wrong_code(device)})
    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()

    # The right code: confirmed, signed in with it, ten recovery codes shown once.
    response = client.post(ENROL_URL, {"code": totp_code(device), "next": "/staff/security/"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == 10
    for code in stored:
        assert f"<code>{code[:5]}-{code[5:]}</code>" in html
    assert "This is the only time these codes are shown." in html
    assert 'href="/staff/security/"' in html
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(WORKSPACE_URL).status_code == 200
    assert audit_actions(actor_id=user.pk) == ["accounts.session.login", "accounts.mfa.enrol"]

    # The codes are never shown again: the enrolment page is closed now.
    again = client.get(ENROL_URL)
    assert again.status_code == 302
    assert again["Location"] == "/staff/security/"
    security = client.get("/staff/security/").content.decode()
    assert not any(code in security for code in stored)
    assert "You have 10 unused recovery codes." in security


def test_enrolment_needs_a_password_first(client):
    assert client.get(ENROL_URL)["Location"] == LOGIN_URL


def test_enrolled_but_unverified_user_is_sent_to_the_code_page(client, make_user, password_login):
    user = make_user(ANALYST)
    password_login(client, user)
    assert client.get(ENROL_URL)["Location"] == "/staff/mfa/"
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_enrol_page_shows_the_same_pending_device_until_confirmed(
    client, make_user, password_login
):
    user = make_user(ANALYST, mfa=False)
    password_login(client, user)
    first = client.get(ENROL_URL).content
    second = client.get(ENROL_URL).content
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert re.search(rb"<code>([A-Z2-7 ]+)</code>", first).group(1) == re.search(
        rb"<code>([A-Z2-7 ]+)</code>", second
    ).group(1)
