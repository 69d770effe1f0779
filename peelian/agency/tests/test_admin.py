"""The admin writes through the services: audit entries, validation, nothing half-written."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from peelian.agency.models import Assignment, Beat, District, Officer, StreetSegment
from peelian.agency.tests.factories import rectangle
from peelian.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, login, make_user):
    user = make_user("administrator")
    login(client, user)
    client.user = user
    return client


def actions():
    return list(AuditEntry.objects.values_list("action", flat=True))


def inline_management(officer):
    n = officer.assignments.count()
    data = {
        "assignments-TOTAL_FORMS": str(n),
        "assignments-INITIAL_FORMS": str(n),
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
    }
    for i, a in enumerate(officer.assignments.order_by("-start_date")):
        data[f"assignments-{i}-id"] = str(a.pk)
        data[f"assignments-{i}-officer"] = str(officer.pk)
    return data


def test_add_district_through_the_service(admin_client, city):
    response = admin_client.post(
        "/admin/agency/district/add/",
        {
            "agency": city.agency.pk,
            "code": "3",
            "name": "Central",
            "boundary": json.dumps(rectangle(-98.0, 38.5, -97.99, 38.51)),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    district = District.objects.get(code="3")
    entry = AuditEntry.objects.get(action="agency.district.create")
    assert (entry.actor_id, entry.target_id) == (admin_client.user.pk, str(district.pk))


def test_add_district_with_a_bad_boundary_shows_the_error(admin_client, city):
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    response = admin_client.post(
        "/admin/agency/district/add/",
        {"agency": city.agency.pk, "code": "3", "name": "X", "boundary": json.dumps(bow_tie)},
    )
    assert response.status_code == 200
    assert "not a valid polygon" in response.content.decode()
    assert not District.objects.filter(code="3").exists()
    assert "agency.district.create" not in actions()


def test_change_beat_population_checked_in_the_form(admin_client, city):
    beat = city.beats["11"]
    data = {
        "district": beat.district_id,
        "code": beat.code,
        "name": beat.name,
        "boundary": json.dumps(beat.boundary),
        "population": 999,
        "population_by_race": json.dumps(beat.population_by_race),
        "median_household_income": beat.median_household_income,
        "spanish_speaking_share": beat.spanish_speaking_share,
    }
    response = admin_client.post(f"/admin/agency/beat/{beat.pk}/change/", data)
    assert response.status_code == 200
    assert "add up to 1000" in response.content.decode()
    assert Beat.objects.get(pk=beat.pk).population == 1000
    data["population"] = 1000
    data["name"] = "Old Town"
    response = admin_client.post(f"/admin/agency/beat/{beat.pk}/change/", data)
    assert response.status_code == 302
    assert Beat.objects.get(pk=beat.pk).name == "Old Town"
    entry = AuditEntry.objects.get(action="agency.beat.update")
    assert entry.before == {"name": "Southwest"}


def officer_form(officer, **changes):
    data = {
        "badge": officer.badge,
        "first_name": officer.first_name,
        "last_name": officer.last_name,
        "hire_date": officer.hire_date.isoformat(),
        "status": officer.status,
        "sex": officer.sex,
        "race": officer.race,
        "birth_year": officer.birth_year or "",
        "user": officer.user_id or "",
        **inline_management(officer),
    }
    data.update(changes)
    return data


def test_officer_change_and_new_assignment(admin_client, staff, city):
    officer = staff.a
    response = admin_client.post(
        f"/admin/agency/officer/{officer.pk}/change/",
        officer_form(
            officer,
            last_name="Adams-Cole",
            assign_unit=city.u2.pk,
            assign_rank="detective",
            assign_start="2024-02-01",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:5000]
    officer.refresh_from_db()
    assert (officer.last_name, officer.unit, officer.rank) == ("Adams-Cole", city.u2, "detective")
    assert Assignment.objects.filter(officer=officer).count() == 2
    assert actions()[-2:] == ["agency.officer.update", "agency.officer.assign"]


def test_officer_change_refused_by_the_service_writes_nothing(admin_client, staff, city):
    officer = staff.a
    before = len(actions())
    response = admin_client.post(
        f"/admin/agency/officer/{officer.pk}/change/",
        officer_form(
            officer,
            last_name="Renamed",
            assign_unit=city.u2.pk,
            assign_start="2001-01-01",  # before the hire date: only the service knows
        ),
        follow=True,
    )
    assert response.status_code == 200
    assert "before the hire date" in response.content.decode()
    officer.refresh_from_db()
    assert (officer.last_name, officer.unit) == ("Adams", city.u1)  # the rename rolled back too
    assert len(actions()) == before


def test_officer_separation_from_the_admin(admin_client, staff):
    officer = staff.b
    response = admin_client.post(
        f"/admin/agency/officer/{officer.pk}/change/",
        officer_form(officer, separate_on="2024-05-01"),
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.status, officer.separation_date) == ("separated", dt.date(2024, 5, 1))
    assert "agency.officer.separate" in actions()


def test_add_officer(admin_client, city):
    response = admin_client.post(
        "/admin/agency/officer/add/",
        {
            "agency": city.agency.pk,
            "badge": "777",
            "first_name": "Sam",
            "last_name": "Lee",
            "rank": "officer",
            "unit": city.u1.pk,
            "hire_date": "2020-01-06",
            "status": "active",
            "sex": "female",
            "race": "asian/pacific islander",
            "birth_year": "1995",
            "user": "",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
            "assignments-MIN_NUM_FORMS": "0",
            "assignments-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:5000]
    officer = Officer.objects.get(badge="777")
    assert officer.assignments.get().unit == city.u1
    assert "agency.officer.create" in actions()


def test_nothing_can_be_deleted(admin_client, city):
    response = admin_client.get(f"/admin/agency/beat/{city.beats['11'].pk}/delete/")
    assert response.status_code == 403


def test_other_roles_do_not_get_the_agency_admin(client, login, make_user, city):
    login(client, make_user("analyst"))
    response = client.get("/admin/agency/district/")
    assert response.status_code in (302, 403)


def test_street_import_page(admin_client, city):
    url = "/admin/agency/streetsegment/import/"
    assert admin_client.get(url).status_code == 200
    before = StreetSegment.objects.count()
    bad = SimpleUploadedFile(
        "streets.csv",
        b"street,from_number,to_number,start_lat,start_lng,end_lat,end_lng\n"
        b"Elm St,100,198,38.49,-98.03,38.49,-98.02\n"
        b"Elm St,x,198,38.49,-98.03,38.49,-98.02\n",
    )
    response = admin_client.post(url, {"agency": city.agency.pk, "file": bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert "nothing was imported" in html
    assert "from_number" in html
    assert StreetSegment.objects.count() == before
    good = SimpleUploadedFile(
        "streets.csv",
        "\ufeffstreet,from_number,to_number,start_lat,start_lng,end_lat,end_lng\n"
        "Elm St,100,198,38.49,-98.03,38.49,-98.02\n".encode(),
    )
    response = admin_client.post(url, {"agency": city.agency.pk, "file": good})
    assert response.status_code == 302
    assert StreetSegment.objects.count() == before + 1
    assert "agency.streets.import" in actions()
