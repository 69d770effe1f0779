from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from peelian.audit.models import AuditEntry
from peelian.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from peelian.force import selectors
from peelian.force.models import ForceIncident, ForceOfficer, ForceSubject
from peelian.force.permissions import IMPORT, LINK, READ, REPORT, REVIEW, policy
from peelian.force.services import (
    OfficerInput,
    SubjectInput,
    force_link_complaint,
    force_review,
)
from peelian.force.tests.conftest import WHEN, file_report

pytestmark = pytest.mark.django_db


def test_officer_reports_own_force_located_to_beat_and_audited(people: Any) -> None:
    incident = file_report(people.a_user, [people.a], recording_ids=["BWC-1", "BWC-1", " "])
    assert incident.beat.code == "22"
    assert incident.district_code == "2"
    assert incident.beat_code == "22"
    assert incident.force_types == ["control_hold"]
    assert incident.recording_ids == ["BWC-1"]
    assert incident.review_status == "pending"
    assert incident.reported_by == people.a_user
    entry = AuditEntry.objects.get(action="force.incident.report")
    assert entry.target_id == str(incident.public_id)
    assert entry.actor_id == people.a_user.pk


def test_report_by_address(people: Any) -> None:
    incident = file_report(
        people.a_user, [people.a], lat=None, lng=None, location_text="150 N Oak Ave"
    )
    assert incident.beat.code == "12"


def test_officer_cannot_report_only_others(people: Any) -> None:
    with pytest.raises(ApplicationError) as exc:
        file_report(people.a_user, [people.b])
    assert "officers" in exc.value.fields
    assert not ForceIncident.objects.exists()


def test_supervisor_may_report_for_others(people: Any) -> None:
    incident = file_report(people.sup2, [people.a, people.b])
    assert incident.officers.count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"officers": []}, "officers"),
        ({"subjects": []}, "subjects"),
        ({"lat": None, "lng": None, "location_text": ""}, "location_text"),
        ({"lat": 10.0, "lng": 10.0}, "lat"),
        ({"lat": None, "lng": None, "location_text": "99999 Nowhere Rd"}, "location_text"),
        ({"subjects": [SubjectInput(race="martian")]}, "subjects"),
        ({"subjects": [SubjectInput(age=300)]}, "subjects"),
        ({"occurred_at": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)}, "occurred_at"),
        ({"occurred_at": dt.datetime(2026, 1, 1)}, "occurred_at"),  # noqa: DTZ001
        ({"resistance": "furious"}, "resistance"),
    ],
)
def test_report_rejects_bad_input_without_writing(people: Any, change: dict, field: str) -> None:
    with pytest.raises(ApplicationError) as exc:
        file_report(people.sup2, [people.a], **change)
    assert field in exc.value.fields
    assert not ForceIncident.objects.exists()
    assert not ForceOfficer.objects.exists()
    assert not ForceSubject.objects.exists()


def test_unknown_force_type_refused(people: Any) -> None:
    with pytest.raises(ApplicationError):
        file_report(
            people.sup2, [], officers=[OfficerInput(officer=people.a, force_types=["lasso"])]
        )


def test_same_officer_twice_refused(people: Any) -> None:
    officers = [OfficerInput(officer=people.a, force_types=["taser"])] * 2
    with pytest.raises(ApplicationError):
        file_report(people.sup2, [], officers=officers)


@pytest.mark.parametrize("role_user", ["analyst", "investigator", "nobody"])
def test_non_reporters_refused(people: Any, role_user: str) -> None:
    with pytest.raises(PermissionDenied):
        file_report(getattr(people, role_user), [people.a])


def test_review_approve_return_refer(people: Any) -> None:
    one = file_report(people.a_user, [people.a])
    done = force_review(actor=people.sup2, incident=one, decision="approved")
    assert done.review_status == "approved"
    assert done.reviewer == people.sup2
    assert done.reviewed_at is not None
    entry = AuditEntry.objects.get(action="force.incident.review")
    assert entry.before["review_status"] == "pending"
    assert entry.after["review_status"] == "approved"
    with pytest.raises(Conflict):
        force_review(actor=people.sup2, incident=one, decision="referred", notes="x")

    two = file_report(people.a_user, [people.a])
    with pytest.raises(ApplicationError) as exc:
        force_review(actor=people.sup2, incident=two, decision="returned")
    assert "notes" in exc.value.fields
    force_review(actor=people.sup2, incident=two, decision="returned", notes="Add the time.")
    again = force_review(actor=people.sup2, incident=two, decision="referred", notes="Strikes.")
    assert again.review_status == "referred"
    with pytest.raises(ApplicationError):
        force_review(actor=people.sup2, incident=two, decision="maybe")


def test_supervisor_cannot_review_own_force(people: Any) -> None:
    incident = file_report(people.sup_user, [people.sup])
    with pytest.raises(PermissionDenied):
        force_review(actor=people.sup_user, incident=incident, decision="approved")
    with pytest.raises(PermissionDenied):
        force_review(actor=people.analyst, incident=incident, decision="approved")
    ForceIncident.objects.get(pk=incident.pk, review_status="pending")


def test_policy_matrix(people: Any) -> None:
    incident = file_report(people.a_user, [people.a])
    for user in (people.sup2, people.analyst, people.admin):
        assert policy.can(user, READ, incident)
    assert policy.can(people.a_user, READ, incident)  # involved officer
    for user in (people.investigator, people.nobody, None, "system:seed"):
        assert not policy.can(user, READ, incident)
    assert policy.can(people.sup2, REVIEW, incident)
    for user in (people.a_user, people.analyst, people.admin):
        assert not policy.can(user, REVIEW, incident)
    assert policy.can(people.a_user, REPORT)
    assert policy.can(people.sup2, REPORT)
    assert not policy.can(people.analyst, REPORT)
    assert policy.can(people.admin, LINK)
    assert policy.can(people.sup2, LINK)
    assert not policy.can(people.analyst, LINK)
    assert policy.can(people.analyst, IMPORT)
    assert policy.can("system:cli", IMPORT)
    assert not policy.can(people.sup2, IMPORT)


def test_incident_get_audits_and_hides(people: Any) -> None:
    incident = file_report(people.a_user, [people.a])
    got = selectors.incident_get(viewer=people.analyst, public_id=incident.public_id)
    assert got.pk == incident.pk
    entry = AuditEntry.objects.get(action="force.incident.view")
    assert entry.actor_id == people.analyst.pk
    with pytest.raises(NotFound):
        selectors.incident_get(viewer=people.investigator, public_id=incident.public_id)
    assert AuditEntry.objects.filter(action="force.incident.view").count() == 1


def test_list_scopes(people: Any) -> None:
    mine = file_report(people.a_user, [people.a])
    other = file_report(
        people.sup2, [people.b], officers=[OfficerInput(officer=people.b, force_types=["taser"])]
    )
    assert set(selectors.incident_list_for_viewer(viewer=people.analyst)) == {mine, other}
    assert list(selectors.incident_list_for_viewer(viewer=people.a_user)) == [mine]
    assert list(selectors.incident_list_for_viewer(viewer=people.analyst, force_type="taser")) == [
        other
    ]
    with pytest.raises(PermissionDenied):
        selectors.incident_list_for_viewer(viewer=people.investigator)


def test_link_complaint(people: Any) -> None:
    from peelian.oversight.models import Complaint

    complaint = Complaint.objects.create(
        kind="complaint",
        channel="web",
        tracking_hash="h" * 64,
        tracking_hint="ABCD",
        received_at=WHEN,
        narrative="Complaint about force.",
    )
    incident = file_report(people.a_user, [people.a])
    with pytest.raises(PermissionDenied):
        force_link_complaint(actor=people.analyst, incident=incident, complaint=complaint)
    force_link_complaint(actor=people.sup2, incident=incident, complaint=complaint)
    assert list(incident.complaints.all()) == [complaint]
    assert AuditEntry.objects.filter(action="force.incident.link_complaint").count() == 1
    with pytest.raises(Conflict):
        force_link_complaint(actor=people.sup2, incident=incident, complaint=complaint)


def test_officers_complaint_record_lists_their_force_incidents(people: Any) -> None:
    """The use-of-force module adds its incidents to the staff-only officer record."""
    from peelian.oversight.selectors.officer_record import officer_complaint_record

    file_report(people.sup2, [people.a])
    record = officer_complaint_record(viewer=people.admin, officer=people.a)
    force = next(s for s in record.sections if s.name == "force")
    assert len(force.entries) == 1
    assert force.entries[0].on == WHEN.date()
    assert "hold" in force.entries[0].label.lower()
    other = officer_complaint_record(viewer=people.admin, officer=people.b)
    assert next(s for s in other.sections if s.name == "force").entries == ()
