"""Pages: the public map and Find my beat; the staff roster and record."""

from __future__ import annotations

import math
import re

import pytest
from django.urls import reverse

from peelian.agency.tests.conftest import officer_in
from peelian.agency.tests.factories import OfficerFactory
from peelian.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def main_html(response) -> str:
    html = response.content.decode()
    match = re.search(r"<main\b.*?</main>", html, re.S)
    assert match, html
    return match.group(0)


# --- the public map -------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_districts_page_in_both_languages(client, city, prefix):
    response = client.get(f"{prefix}/districts/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{"es" if prefix else "en"}"' in html
    main = main_html(response)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in main
    assert 'role="img"' in main
    assert "aria-label=" in main
    assert main.count("<path ") == 6  # four beats, two district outlines
    assert "<caption>" in main
    assert 'scope="rowgroup"' in main
    assert 'scope="row"' in main
    for code in ("11", "12", "21", "22"):
        assert f'id="beat-{code[0]}-{code}"' in main
    # CSP: no inline script or style in the page body.
    assert "<script" not in main
    assert "style=" not in main
    assert "<style" not in main


def test_districts_page_without_any_district(client, db):
    response = client.get("/districts/")
    assert response.status_code == 200
    assert "<svg" not in main_html(response)


def test_svg_coordinates_fit_the_view_box(client, city):
    main = main_html(client.get("/districts/"))
    width, height = map(float, re.search(r'viewBox="0 0 (\S+) (\S+)"', main).groups())
    numbers = [
        float(n)
        for d in re.findall(r' d="([^"]+)"', main)
        for n in re.findall(r"-?\d+(?:\.\d+)?", d)
    ]
    assert numbers
    assert min(numbers) >= 0
    assert max(numbers) <= max(width, height)
    # The grid is 0.08 degree wide and 0.04 tall; at 38.5 N a degree of longitude is
    # cos(38.5) of a degree of latitude. Padding is 12 on each side.
    expected = 0.08 * math.cos(math.radians(38.5)) / 0.04
    assert (width - 24) / (height - 24) == pytest.approx(expected, rel=0.01)


def test_find_my_beat_by_address(client, city):
    response = client.get("/districts/", {"address": "150 north oak avenue"})
    assert response.status_code == 200
    main = main_html(response)
    assert 'id="locate-result"' in main
    assert "<strong>12</strong>" in main
    assert "150 N Oak Ave" in main
    assert 'aria-current="location"' in main
    assert "<circle" in main  # the marker


def test_find_my_beat_by_point(client, city):
    main = main_html(client.get("/districts/", {"lat": "38.49", "lng": "-97.98"}))
    assert "<strong>21</strong>" in main
    assert "<circle" in main


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"address": "Oak Avenue"}, "Start the address with the house number"),
        ({"address": "150 Nowhere Rd"}, "We don"),
        ({"address": "950 N Oak Ave"}, "There is no number 950"),
        ({"address": "150 Oak Ave"}, "more than one street"),
        ({"address": ""}, "Enter a street address, or a latitude and a longitude."),
        ({"lat": "38.5"}, "Give both the latitude and the longitude."),
        ({"lat": "north", "lng": "-98"}, "Enter a number."),
        ({"lat": "95", "lng": "-98"}, "less than or equal to 90"),
        ({"lat": "40.0", "lng": "-98.0"}, "outside the city"),
    ],
)
def test_find_my_beat_errors(client, city, params, message):
    response = client.get("/districts/", params)
    assert response.status_code == 200
    main = main_html(response)
    assert message in main.replace("&#x27;", "'").replace("&quot;", '"'), main
    assert 'id="locate-result"' not in main
    assert 'aria-invalid="true"' in main or 'role="alert"' in main


def test_find_my_beat_error_in_spanish_page(client, city):
    response = client.get("/es/districts/", {"address": "150 Nowhere Rd"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in main_html(response)


# --- the staff roster -----------------------------------------------------------------------


def test_roster_needs_sign_in(client, city):
    response = client.get("/staff/officers/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


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
def test_roster_by_role(client, login, make_user, staff, role, status):
    login(client, make_user(role))
    assert client.get("/staff/officers/").status_code == status


def test_roster_links_only_the_records_the_viewer_may_open(client, login, staff):
    login(client, staff.sup_user)
    main = main_html(client.get("/staff/officers/"))
    assert reverse("agency:officer", args=[staff.a.public_id]) in main
    assert reverse("agency:officer", args=[staff.sup.public_id]) in main
    assert reverse("agency:officer", args=[staff.b.public_id]) not in main
    assert "Baker" in main  # on the roster, just not linked


def test_roster_shows_no_demographics(client, login, make_user, staff):
    login(client, make_user("analyst"))
    main = main_html(client.get("/staff/officers/"))
    assert "Adams" in main
    assert "Black" not in main  # staff.a's race
    assert "1980" not in main  # staff.a's birth year


def test_roster_filters_and_pages(client, login, make_user, city):
    for i in range(55):
        OfficerFactory(agency=city.agency, unit=city.u1, last_name=f"West{i:02d}")
    for i in range(3):
        OfficerFactory(agency=city.agency, unit=city.u2, last_name=f"East{i}", rank="sergeant")
    login(client, make_user("analyst"))
    first = main_html(client.get("/staff/officers/"))
    assert "58 officers" in first
    assert first.count('<th scope="row">') == 50
    assert "page=2" in first
    second = main_html(client.get("/staff/officers/", {"page": 2}))
    assert second.count('<th scope="row">') == 8
    east = main_html(client.get("/staff/officers/", {"unit": city.u2.pk}))
    assert east.count('<th scope="row">') == 3
    filtered = main_html(client.get("/staff/officers/", {"rank": "sergeant", "q": "east1"}))
    assert filtered.count('<th scope="row">') == 1
    paged = main_html(client.get("/staff/officers/", {"unit": city.u1.pk, "page": 2}))
    assert f"unit={city.u1.pk}" in paged  # the filter survives paging
    bad = client.get("/staff/officers/", {"rank": "general"})
    assert bad.status_code == 200
    assert 'role="alert"' in main_html(bad)


def test_roster_query_count_does_not_grow_with_officers(
    client, login, make_user, city, django_assert_max_num_queries
):
    for i in range(60):
        officer_in(city.u1 if i % 2 else city.u2, last_name=f"Name{i:02d}")
    login(client, make_user("supervisor"))
    client.get("/staff/officers/")  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get("/staff/officers/")
    assert response.status_code == 200


# --- the staff record -----------------------------------------------------------------------


def test_record_page_is_audited(client, login, make_user, staff):
    admin = make_user("administrator")
    login(client, admin)
    response = client.get(reverse("agency:officer", args=[staff.a.public_id]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    main = main_html(response)
    assert "Adams" in main
    assert "1980" in main
    assert "Patrol West" in main
    entry = AuditEntry.objects.get(action="agency.officer.view")
    assert (entry.actor_id, entry.target_id) == (admin.pk, str(staff.a.public_id))
    assert entry.request_id == response["X-Request-ID"]


def test_record_page_hidden_is_404(client, login, make_user, staff):
    login(client, make_user("investigator"))
    response = client.get(reverse("agency:officer", args=[staff.a.public_id]))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="agency.officer.view").exists()


def test_supervisor_record_pages(client, login, staff):
    login(client, staff.sup_user)
    assert client.get(reverse("agency:officer", args=[staff.a.public_id])).status_code == 200
    assert client.get(reverse("agency:officer", args=[staff.sup.public_id])).status_code == 200
    assert client.get(reverse("agency:officer", args=[staff.b.public_id])).status_code == 404


def test_record_page_needs_sign_in(client, staff):
    response = client.get(reverse("agency:officer", args=[staff.a.public_id]))
    assert response.status_code == 302


def test_structure_link_goes_to_the_admin(client, login, make_user):
    login(client, make_user("administrator"))
    response = client.get("/staff/structure/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/agency/"
