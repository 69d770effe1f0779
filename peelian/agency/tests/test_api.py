"""``/api/v1/agency/``: status codes, bodies, the error format, and who sees what."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.authtoken.models import Token

from peelian.agency.tests.factories import OfficerFactory
from peelian.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

BASE = "/api/v1/agency"


def error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["request_id"] == response["X-Request-ID"]
    return body["error"]


def as_user(api_client, user):
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


# --- public ---------------------------------------------------------------------------------


def test_districts_are_public(api_client, city):
    response = api_client.get(f"{BASE}/districts/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first["code"] == "1"
    assert first["population"] == 2000
    assert first["beat_count"] == 2
    assert first["beats"] == ["11", "12"]
    assert first["geometry"]["type"] == "Polygon"


def test_beats_are_public_and_filterable(api_client, city):
    body = api_client.get(f"{BASE}/beats/").json()
    assert [b["code"] for b in body["results"]] == ["11", "12", "21", "22"]
    beat = body["results"][3]
    assert beat["district"] == "2"
    assert beat["population_by_race"] == {"black": 1000, "white": 1000}
    assert beat["geometry"]["coordinates"][0][0] == [-98.0, 38.5]
    only = api_client.get(f"{BASE}/beats/", {"district": "1"}).json()
    assert [b["code"] for b in only["results"]] == ["11", "12"]
    assert api_client.get(f"{BASE}/beats/", {"page_size": 1}).json()["next"]


def test_public_endpoints_are_read_only(api_client, city):
    error(api_client.post(f"{BASE}/beats/", {}, format="json"), 405, "method_not_allowed")


def test_locate_by_address(api_client, city):
    response = api_client.get(f"{BASE}/locate/", {"address": "150 North Oak Avenue"})
    assert response.status_code == 200
    body = response.json()
    assert body["beat"] == {
        "code": "12",
        "name": "Northwest",
        "district": "1",
        "district_name": "West",
    }
    assert body["match"] == {
        "address": "150 N Oak Ave",
        "street": "N Oak Ave",
        "from_number": 100,
        "to_number": 198,
    }
    assert body["point"]["lat"] == pytest.approx(38.501 + 0.005 * 50 / 98)


def test_locate_by_point(api_client, city):
    body = api_client.get(f"{BASE}/locate/", {"lat": 38.49, "lng": -97.98}).json()
    assert body["beat"]["code"] == "21"
    assert body["match"] is None
    assert body["point"] == {"lat": 38.49, "lng": -97.98}


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 400, "invalid"),
        ({"lat": 38.5}, 400, "invalid"),
        ({"lat": 95, "lng": 0}, 400, "invalid"),
        ({"lat": "north", "lng": 0}, 400, "invalid"),
        ({"address": "Oak Ave"}, 400, "address_unparseable"),
        ({"address": "150 Oak Ave"}, 400, "address_ambiguous"),
        ({"address": "150 Nowhere Rd"}, 404, "street_not_found"),
        ({"address": "950 N Oak Ave"}, 404, "address_out_of_range"),
        ({"lat": 40, "lng": -98}, 404, "outside_city"),
    ],
)
def test_locate_errors(api_client, city, params, status, code):
    err = error(api_client.get(f"{BASE}/locate/", params), status, code)
    if params == {"lat": 38.5}:
        assert "lng" in err["fields"]


# --- staff ----------------------------------------------------------------------------------


def test_anonymous_cannot_list_officers(api_client, staff):
    error(api_client.get(f"{BASE}/officers/"), 401, "not_authenticated")
    error(api_client.get(f"{BASE}/officers/{staff.a.public_id}/"), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("administrator", 200),
        ("analyst", 200),
        ("supervisor", 200),
        ("investigator", 200),
        ("training_coordinator", 200),
        ("community_liaison", 403),
        ("communications", 403),
        ("review_board", 403),
        ("partner", 403),
    ],
)
def test_roster_by_role(api_client, make_user, staff, role, status):
    response = as_user(api_client, make_user(role)).get(f"{BASE}/officers/")
    if status == 200:
        assert response.status_code == 200
        assert response.json()["count"] == 3
    else:
        error(response, 403, "permission_denied")


def test_roster_rows_and_filters(api_client, make_user, staff, city):
    client = as_user(api_client, make_user("analyst"))
    body = client.get(f"{BASE}/officers/").json()
    adams = body["results"][0]
    assert set(adams) == {"id", "badge", "first_name", "last_name", "rank", "status", "unit"}
    assert adams["unit"] == {"code": "P1", "name": "Patrol West"}
    assert adams["id"] == str(staff.a.public_id)

    def names(**params):
        return [r["last_name"] for r in client.get(f"{BASE}/officers/", params).json()["results"]]

    assert names(unit="P2") == ["Baker"]
    assert names(rank="sergeant") == ["Sergeant"]
    assert names(q="bak") == ["Baker"]
    assert names(status="active", unit="P1") == ["Adams", "Sergeant"]
    err = error(client.get(f"{BASE}/officers/", {"rank": "general"}), 400, "invalid")
    assert "rank" in err["fields"]


def test_roster_officer_without_unit(api_client, make_user, city):
    OfficerFactory(agency=city.agency)
    body = as_user(api_client, make_user("analyst")).get(f"{BASE}/officers/").json()
    assert body["results"][0]["unit"] is None


def test_roster_query_count(api_client, make_user, city, django_assert_max_num_queries):
    for i in range(40):
        OfficerFactory(agency=city.agency, unit=city.u1 if i % 2 else city.u2)
    client = as_user(api_client, make_user("analyst"))
    with django_assert_max_num_queries(8):
        assert client.get(f"{BASE}/officers/").status_code == 200


def test_record_by_administrator_is_audited(api_client, make_user, staff):
    admin = make_user("administrator")
    response = as_user(api_client, admin).get(f"{BASE}/officers/{staff.a.public_id}/")
    assert response.status_code == 200
    body = response.json()
    assert (body["race"], body["sex"], body["birth_year"]) == ("black", "female", 1980)
    assert body["hire_date"] == "2015-03-01"
    assert body["assignments"] == [
        {
            "start_date": "2015-03-01",
            "end_date": None,
            "unit": {"code": "P1", "name": "Patrol West"},
            "rank": "officer",
            "beat": None,
        }
    ]
    entry = AuditEntry.objects.get(action="agency.officer.view")
    assert (entry.actor_id, entry.target_id) == (admin.pk, str(staff.a.public_id))
    assert entry.request_id == response["X-Request-ID"]


def test_hidden_record_is_404_like_a_missing_one(api_client, make_user, staff):
    client = as_user(api_client, make_user("investigator"))
    hidden = error(client.get(f"{BASE}/officers/{staff.a.public_id}/"), 404, "not_found")
    missing = error(client.get(f"{BASE}/officers/{uuid.uuid4()}/"), 404, "not_found")
    assert hidden["message"] == missing["message"]
    assert not AuditEntry.objects.filter(action="agency.officer.view").exists()


def test_supervisor_record_access(api_client, staff):
    client = as_user(api_client, staff.sup_user)
    assert client.get(f"{BASE}/officers/{staff.a.public_id}/").status_code == 200
    assert client.get(f"{BASE}/officers/{staff.sup.public_id}/").status_code == 200
    error(client.get(f"{BASE}/officers/{staff.b.public_id}/"), 404, "not_found")


def test_session_needs_mfa(client, make_user, staff):
    client.force_login(make_user("administrator"))
    error(client.get(f"{BASE}/officers/"), 403, "mfa_required")


def test_schema_lists_the_endpoints(api_client):
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for endpoint in ("districts", "beats", "locate", "officers", "officers/{public_id}"):
        assert f"/api/v1/agency/{endpoint}/" in paths
    locate = paths["/api/v1/agency/locate/"]["get"]
    assert {p["name"] for p in locate["parameters"]} == {"address", "lat", "lng"}
