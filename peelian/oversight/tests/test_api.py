"""The oversight API over HTTP: public filing with an idempotency key, tracking, the staff
queue scoped to the viewer, the case file, workflow steps and stale versions."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from peelian.audit.models import AuditEntry
from peelian.oversight.models import Complainant, Complaint
from peelian.oversight.tests.factories import make_case

pytestmark = pytest.mark.django_db
BASE = "/api/v1/oversight/"


@pytest.fixture(autouse=True)
def _no_throttle_history():
    cache.clear()
    yield
    cache.clear()


def _submit(client, key=None, **body):
    payload = {
        "kind": "complaint",
        "narrative": "An officer was rude to me outside the library on Tuesday.",
        "complainant": {"name": "Imogen Strathairn", "email": "imogen@mailbox.test"},
        **body,
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(f"{BASE}complaints/", payload, format="json", **headers)


def test_public_submit_returns_the_code_once_and_is_idempotent(api_client):
    first = _submit(api_client, key="retry-key-0001")
    assert first.status_code == 201, first.content
    code = first.json()["tracking_code"]
    assert code
    assert first.json()["already_received"] is False
    again = _submit(api_client, key="retry-key-0001")
    assert again.status_code == 200
    assert again.json() == {"tracking_code": None, "already_received": True, "kind": "complaint"}
    assert Complaint.objects.count() == 1
    assert Complainant.objects.get().name == "Imogen Strathairn"
    other = _submit(api_client, key="retry-key-0002")
    assert other.status_code == 201
    assert Complaint.objects.count() == 2


def test_public_submit_rejects_bad_input_without_writing(api_client):
    bad_key = _submit(api_client, key="no spaces!")
    assert bad_key.status_code == 400
    assert bad_key.json()["error"]["code"] == "invalid_idempotency_key"
    missing = api_client.post(f"{BASE}complaints/", {"kind": "complaint"}, format="json")
    assert missing.status_code == 400
    assert "narrative" in missing.json()["error"]["fields"]
    assert Complaint.objects.count() == 0


def test_track_shows_the_public_timeline_only(api_client):
    code = _submit(api_client, key="track-key-0001").json()["tracking_code"]
    response = api_client.get(f"{BASE}track/{code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "received"
    assert [e["kind"] for e in body["timeline"]] == ["received"]
    text = response.content.decode()
    assert "Imogen" not in text
    assert "library" not in text
    assert api_client.get(f"{BASE}track/{code.lower().replace('-', '')}/").status_code == 200
    assert api_client.get(f"{BASE}track/AAAA-AAAA-AAAA-A/").status_code == 404


def test_staff_list_is_scoped_to_the_viewer(api_client, make_user):
    investigator = make_user("investigator")
    mine = make_case("assigned", investigator=investigator)
    other = make_case("assigned")
    api_client.force_authenticate(investigator)
    ids = {row["id"] for row in api_client.get(f"{BASE}cases/").json()["results"]}
    assert ids == {str(mine.public_id)}
    supervisor = make_user("supervisor")
    api_client.force_authenticate(supervisor)
    ids = {row["id"] for row in api_client.get(f"{BASE}cases/").json()["results"]}
    assert ids == {str(mine.public_id), str(other.public_id)}
    api_client.force_authenticate(make_user("analyst"))
    assert api_client.get(f"{BASE}cases/").json()["results"] == []
    api_client.force_authenticate(None)
    assert api_client.get(f"{BASE}cases/").status_code == 401


def test_case_file_is_audited_and_hidden_cases_answer_404(api_client, make_user):
    investigator = make_user("investigator")
    mine = make_case("assigned", investigator=investigator)
    other = make_case("assigned")
    api_client.force_authenticate(investigator)
    response = api_client.get(f"{BASE}cases/{mine.public_id}/")
    assert response.status_code == 200
    assert response.json()["version"] == mine.version
    assert AuditEntry.objects.filter(action="oversight.complaint.view").count() == 1
    hidden = api_client.get(f"{BASE}cases/{other.public_id}/")
    assert hidden.status_code == 404
    # A step on a hidden case is 404 too, even with a stale version (no 409 leak).
    step = api_client.post(f"{BASE}cases/{other.public_id}/start/", {"version": 999})
    assert step.status_code == 404


def test_triage_then_stale_version_conflicts(api_client, make_user):
    supervisor = make_user("supervisor")
    case = make_case("received")
    api_client.force_authenticate(supervisor)
    body = {
        "version": case.version,
        "category": "courtesy",
        "priority": "normal",
        "handler": "internal_affairs",
    }
    response = api_client.post(f"{BASE}cases/{case.public_id}/triage/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "triaged"
    assert response.json()["version"] > case.version
    investigator = make_user("investigator")
    stale = api_client.post(
        f"{BASE}cases/{case.public_id}/assign/",
        {"version": case.version, "investigator": investigator.username},
        format="json",
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    fresh = api_client.post(
        f"{BASE}cases/{case.public_id}/assign/",
        {"version": response.json()["version"], "investigator": investigator.username},
        format="json",
    )
    assert fresh.status_code == 200, fresh.content
    assert fresh.json()["investigator"] == investigator.username


def test_triage_with_an_unknown_category_is_a_clear_400(api_client, make_user):
    api_client.force_authenticate(make_user("supervisor"))
    case = make_case("received")
    response = api_client.post(
        f"{BASE}cases/{case.public_id}/triage/",
        {
            "version": case.version,
            "category": "nope",
            "priority": "normal",
            "handler": "internal_affairs",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "category" in response.json()["error"]["fields"]
    case.refresh_from_db()
    assert case.status == "received"


def test_decision_and_close(api_client, make_user):
    admin = make_user("administrator")
    case = make_case("findings")
    allegation = case.allegations.get()
    api_client.force_authenticate(admin)
    response = api_client.post(
        f"{BASE}cases/{case.public_id}/decision/",
        {
            "version": case.version,
            "decisions": [
                {
                    "allegation": allegation.pk,
                    "final_finding": "sustained",
                    "discipline": "suspension",
                    "suspension_days": 3,
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "decided"
    closed = api_client.post(
        f"{BASE}cases/{case.public_id}/close/",
        {"version": response.json()["version"]},
        format="json",
    )
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"
    allegation.refresh_from_db()
    assert (allegation.final_finding, allegation.suspension_days) == ("sustained", 3)
