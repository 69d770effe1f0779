"""Locking a case checks the viewer's right before the version: someone who may not see a
case learns nothing about it, not even that it changed."""

from __future__ import annotations

import pytest

from peelian.core.errors import Conflict, NotFound
from peelian.oversight.models import AllegationCategory, Complaint
from peelian.oversight.services.workflow import complaint_triage, investigation_start
from peelian.oversight.tests.factories import make_case, make_investigator

pytestmark = pytest.mark.django_db


def _triage(actor, case, version):
    return complaint_triage(
        actor=actor,
        complaint=case,
        expected_version=version,
        category=AllegationCategory.objects.get(code="courtesy"),
        priority=Complaint.Priority.NORMAL,
        handler=Complaint.Handler.INTERNAL_AFFAIRS,
    )


def test_outsider_with_stale_version_gets_not_found(make_user):
    case = make_case(Complaint.Status.RECEIVED)
    outsider = make_user("analyst")
    with pytest.raises(NotFound):
        _triage(outsider, case, case.version - 1)
    with pytest.raises(NotFound):
        _triage(outsider, case, case.version)


def test_manager_with_stale_version_gets_conflict_and_nothing_changes(make_user):
    case = make_case(Complaint.Status.RECEIVED)
    manager = make_user("supervisor")
    with pytest.raises(Conflict):
        _triage(manager, case, case.version + 1)
    case.refresh_from_db()
    assert case.status == Complaint.Status.RECEIVED
    _triage(manager, case, case.version)
    case.refresh_from_db()
    assert case.status == Complaint.Status.TRIAGED


def test_other_investigator_cannot_probe_an_assigned_case():
    mine = make_investigator()
    other = make_investigator()
    case = make_case(Complaint.Status.ASSIGNED, investigator=mine)
    with pytest.raises(NotFound):
        investigation_start(actor=other, complaint=case, expected_version=0)
