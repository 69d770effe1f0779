"""The API shell: one error format with stable codes, auth by session (MFA) or token,
pagination, throttling, the OpenAPI schema and offline Swagger UI."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from peelian.audit.models import AuditEntry
from peelian.core.registry import Statistic, StatisticResult, StatisticValue, registry

pytestmark = pytest.mark.django_db


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["request_id"] == response["X-Request-ID"]
    return body["error"]


def test_unknown_url_is_json_404(client):
    _assert_error(client.get("/api/v1/no-such-thing/"), 404, "not_found")
    _assert_error(client.get("/api/nope"), 404, "not_found")


def test_wrong_method(api_client):
    _assert_error(api_client.delete("/api/v1/catalogue/datasets/"), 405, "method_not_allowed")


def test_malformed_json(api_client):
    response = api_client.post(
        "/api/v1/auth/token/", data='{"username": "a", ', content_type="application/json"
    )
    _assert_error(response, 400, "malformed_request")


def test_wrong_content_type(api_client):
    response = api_client.post("/api/v1/auth/token/", data="username=a", content_type="text/plain")
    _assert_error(response, 415, "unsupported_media_type")


def test_validation_errors_name_fields(api_client):
    error = _assert_error(api_client.post("/api/v1/auth/token/", {}, format="json"), 400, "invalid")
    assert set(error["fields"]) == {"username", "password", "code"}


def test_anonymous_cannot_read_me(api_client):
    _assert_error(api_client.get("/api/v1/me/"), 401, "not_authenticated")


def test_bad_token_is_refused(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token deadbeef")
    _assert_error(api_client.get("/api/v1/me/"), 401, "authentication_failed")


def test_session_needs_mfa(client, make_user):
    user = make_user("analyst")
    client.force_login(user)  # password only, no second factor
    _assert_error(client.get("/api/v1/me/"), 403, "mfa_required")


def test_verified_session_reads_me(client, make_user, login):
    user = make_user("analyst", "supervisor")
    login(client, user)
    body = client.get("/api/v1/me/").json()
    assert body["username"] == user.username
    assert body["roles"] == ["analyst", "supervisor"]


def test_token_exchange_with_mfa(api_client, make_user):
    from peelian.conftest import TEST_PASSWORD

    user = make_user("analyst")
    device = TOTPDevice.objects.get(user=user)
    code = f"{totp(device.bin_key):06d}"
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": TEST_PASSWORD, "code": code},
        format="json",
    )
    assert response.status_code == 201, response.content
    key = response.json()["token"]
    assert Token.objects.get(user=user).key == key
    assert AuditEntry.objects.filter(action="accounts.token.create", actor_id=user.pk).exists()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/me/").json()["username"] == user.username


def test_token_exchange_wrong_code_writes_no_token(api_client, make_user):
    from peelian.conftest import TEST_PASSWORD

    user = make_user("analyst")
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": TEST_PASSWORD, "code": "000000x"},
        format="json",
    )
    _assert_error(response, 400, "mfa_bad_token")
    assert not Token.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action="accounts.mfa.verify_failed").count() == 1


def test_token_exchange_wrong_password(api_client, make_user):
    user = make_user("analyst")
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": "wrong", "code": "123456"},
        format="json",
    )
    _assert_error(response, 401, "authentication_failed")


@pytest.fixture
def planted_statistic():
    stat = Statistic(
        slug="test-share",
        title="Test share",
        strategy=7,
        method="Count of yes over all answers; Wilson interval.",
        denominator="All answers.",
        uncertainty="95% Wilson interval.",
        compute=lambda: StatisticResult(
            values=(StatisticValue("yes", 0.4, 20, (0.2188, 0.6134)),),
            unit="share",
            as_of=dt.date(2026, 1, 1),
            confidence=0.95,
        ),
    )
    registry.statistics[stat.slug] = stat
    yield stat
    del registry.statistics[stat.slug]


def test_statistic_catalogue_states_method(api_client, planted_statistic):
    listing = api_client.get("/api/v1/catalogue/statistics/").json()["results"]
    item = next(s for s in listing if s["slug"] == "test-share")
    assert item["method"]
    assert item["denominator"]
    assert item["uncertainty"]
    detail = api_client.get("/api/v1/catalogue/statistics/test-share/").json()
    assert detail["result"]["values"][0] == {
        "label": "yes",
        "value": 0.4,
        "denominator": 20,
        "interval": [0.2188, 0.6134],
        "insufficient_data": None,
    }
    _assert_error(api_client.get("/api/v1/catalogue/statistics/nope/"), 404, "not_found")


def test_anonymous_throttle(api_client, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import AnonRateThrottle

    cache.clear()
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/minute"}
    original = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = rates
    try:
        for _ in range(3):
            assert api_client.get("/api/v1/catalogue/datasets/").status_code == 200
        response = api_client.get("/api/v1/catalogue/datasets/")
        _assert_error(response, 429, "throttled")
        assert int(response["Retry-After"]) > 0
    finally:
        AnonRateThrottle.THROTTLE_RATES = original
        cache.clear()


def test_schema_and_offline_docs(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    spec = schema.json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/me/" in spec["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()


def test_request_id_is_echoed(client):
    response = client.get("/api/v1/catalogue/datasets/", HTTP_X_REQUEST_ID="abcdef0123456789")
    assert response["X-Request-ID"] == "abcdef0123456789"
    # A malformed incoming id is replaced, not echoed.
    response = client.get("/api/v1/catalogue/datasets/", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>"
