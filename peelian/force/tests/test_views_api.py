from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from peelian.audit.models import AuditEntry
from peelian.force.models import ForceIncident
from peelian.force.tests.conftest import file_report

pytestmark = pytest.mark.django_db


def test_public_page_shows_aggregates_only(client: Client, people: Any) -> None:
    file_report(people.a_user, [people.a], narrative="SECRET words about Jane")
    response = client.get(reverse("force:public"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "District 2" in body
    assert "2026-03" in body
    assert "SECRET" not in body
    assert "Adams" not in body
    assert "Subjects injured" in body


def test_public_page_empty(client: Client, db: Any) -> None:
    assert client.get(reverse("force:public")).status_code == 200


def test_staff_list_and_detail(client: Client, login: Any, people: Any) -> None:
    incident = file_report(people.a_user, [people.a], narrative="Wrist lock applied.")
    login(client, people.analyst)
    listing = client.get(reverse("force:list"), {"review_status": "pending"})
    assert listing.status_code == 200
    assert str(incident.public_id) in listing.content.decode()
    detail = client.get(reverse("force:detail", args=[incident.public_id]))
    assert detail.status_code == 200
    assert "Wrist lock applied." in detail.content.decode()
    assert AuditEntry.objects.filter(action="force.incident.view").count() == 1


def test_staff_pages_refused(client: Client, login: Any, people: Any) -> None:
    incident = file_report(people.a_user, [people.a])
    assert client.get(reverse("force:list")).status_code == 302  # signed out
    login(client, people.investigator)
    assert client.get(reverse("force:list")).status_code == 403
    assert client.get(reverse("force:detail", args=[incident.public_id])).status_code == 404
    assert client.get(reverse("force:report")).status_code == 403


def test_report_form(client: Client, login: Any, people: Any) -> None:
    login(client, people.a_user)
    assert client.get(reverse("force:report")).status_code == 200
    data = {
        "occurred_at": "2026-03-01T21:15",
        "location_text": "150 N Oak Ave",
        "contact_reason": "disturbance",
        "force_reason": "effect_arrest",
        "resistance": "active",
        "officers": [str(people.a.pk)],
        "force_types": ["takedown", "control_hold"],
        "subject_race": "hispanic",
        "subject_sex": "male",
        "subject_age": "31",
        "subject_injured": "yes",
        "injury_description": "Scraped knee",
        "subject_hospitalized": "no",
        "subject_armed": "unarmed",
        "narrative": "Took the subject to the ground.",
        "recording_ids": "BWC-9, BWC-10",
    }
    bad = client.post(reverse("force:report"), {**data, "location_text": "99999 Nowhere Rd"})
    assert bad.status_code == 200
    assert "error-summary" in bad.content.decode()
    assert not ForceIncident.objects.exists()
    response = client.post(reverse("force:report"), data)
    incident = ForceIncident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("force:detail", args=[incident.public_id])
    assert incident.beat_code == "12"
    assert incident.recording_ids == ["BWC-10", "BWC-9"]
    subject = incident.subjects.get()
    assert subject.injured is True
    assert subject.hospitalized is False
    assert subject.age == 31


def test_review_form(client: Client, login: Any, people: Any) -> None:
    incident = file_report(people.a_user, [people.a])
    login(client, people.sup2)
    url = reverse("force:review", args=[incident.public_id])
    assert client.get(url).status_code == 200
    missing = client.post(url, {"decision": "returned", "notes": ""})
    assert missing.status_code == 200
    assert "error-summary" in missing.content.decode()
    assert client.post(url, {"decision": "approved"}).status_code == 302
    incident.refresh_from_db()
    assert incident.review_status == "approved"
    assert incident.reviewer == people.sup2
    other = Client()
    login(other, people.analyst)
    assert other.get(url).status_code == 403


def test_api_public_summary(api_client: Any, people: Any) -> None:
    file_report(people.a_user, [people.a])
    data = api_client.get("/api/v1/force/summary/").json()
    assert data["incidents_by_month_and_district"] == [
        {"month": "2026-03", "district": "2", "incidents": 1}
    ]
    assert data["subject_injury_rate"]["value"] == 0.0
    assert data["subject_injury_rate"]["interval"][0] == 0.0
    assert data["review_completed"]["denominator"] == 1


def test_api_staff(api_client: Any, people: Any) -> None:
    incident = file_report(
        people.a_user,
        [people.a],
        narrative="Narrative here.",
        occurred_at=dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC),
    )
    assert api_client.get("/api/v1/force/incidents/").status_code in (401, 403)
    api_client.force_authenticate(people.investigator)
    assert api_client.get("/api/v1/force/incidents/").status_code == 403
    detail_url = f"/api/v1/force/incidents/{incident.public_id}/"
    denied = api_client.get(detail_url)
    assert denied.status_code == 404
    assert denied.json()["error"]["code"] == "not_found"
    api_client.force_authenticate(people.sup2)
    listing = api_client.get("/api/v1/force/incidents/", {"force_type": "control_hold"}).json()
    assert [r["id"] for r in listing["results"]] == [str(incident.public_id)]
    assert "narrative" not in listing["results"][0]
    bad = api_client.get("/api/v1/force/incidents/", {"review_status": "nonsense"})
    assert bad.status_code == 400
    detail = api_client.get(detail_url).json()
    assert detail["narrative"] == "Narrative here."
    assert detail["officers"][0]["badge"] == people.a.badge
