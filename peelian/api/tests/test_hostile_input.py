"""Hostile and random input to public endpoints: always the documented error format or a
normal answer, never a server error, and nothing written on refusal."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
token_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"username": json_values, "password": json_values, "code": json_values}),
)


def _ok_or_documented_error(response) -> None:
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}
        assert body["error"]["code"]
        assert body["error"]["message"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=token_bodies)
def test_token_endpoint_never_fails_on_json(api_client, body):
    response = api_client.post(
        "/api/v1/auth/token/", data=json.dumps(body), content_type="application/json"
    )
    _ok_or_documented_error(response)
    assert response.status_code != 201
    assert Token.objects.count() == 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=300))
def test_token_endpoint_never_fails_on_bytes(api_client, raw):
    response = api_client.post("/api/v1/auth/token/", data=raw, content_type="application/json")
    _ok_or_documented_error(response)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(["address", "lat", "lng", "page", "page_size", "x"]),
        st.text(max_size=40),
        max_size=3,
    )
)
def test_locate_never_fails(api_client, params):
    _ok_or_documented_error(api_client.get("/api/v1/agency/locate/", params))


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "' OR 1=1; DROP TABLE accounts_user; --",
        "x" * 100_000,
        "\x00\ud800",
    ],
)
def test_hostile_strings_are_refused_cleanly(api_client, payload):
    # Sent as JSON text with escapes, as a hostile client would (a lone surrogate cannot be
    # encoded as UTF-8, but "\ud800" is valid JSON).
    body = json.dumps({"username": payload, "password": payload, "code": payload})
    response = api_client.post("/api/v1/auth/token/", data=body, content_type="application/json")
    _ok_or_documented_error(response)
    address = payload[:5000].encode("utf-8", "replace").decode("utf-8")
    response = api_client.get("/api/v1/agency/locate/", {"address": address})
    _ok_or_documented_error(response)


complaint_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"kind": st.sampled_from(["complaint", "commendation", "x"]), "narrative": json_values},
        optional={
            "occurred_on": st.text(max_size=12) | st.dates().map(str),
            "occurred_time": st.text(max_size=8),
            "lat": json_values,
            "lng": json_values,
            "location_text": json_values,
            "language": st.sampled_from(["en", "es", "fr", ""]),
            "anonymous": json_values,
            "consent_share_identity": json_values,
            "complainant": json_values,
            "officers": json_values,
            "witnesses": json_values,
        },
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=complaint_bodies, key=st.text(max_size=30))
def test_complaint_submission_never_fails(api_client, body, key):
    from django.core.cache import cache

    cache.clear()  # the submission rate limit is not under test here
    response = api_client.post(
        "/api/v1/oversight/complaints/",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    _ok_or_documented_error(response)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(code=st.text(max_size=40))
def test_tracking_lookup_never_fails(api_client, code):
    from django.core.cache import cache

    cache.clear()
    path = "/api/v1/oversight/track/" + code.replace("/", "")
    _ok_or_documented_error(api_client.get(path + "/"))
