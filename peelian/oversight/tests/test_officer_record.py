"""An officer's complaint record: who may open it, what it holds, and the audit entry."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from peelian.accounts.roles import (
    ADMINISTRATOR,
    ANALYST,
    COMMUNITY_LIAISON,
    INVESTIGATOR,
    REVIEW_BOARD,
    SUPERVISOR,
)
from peelian.agency.tests.factories import OfficerFactory, UnitFactory
from peelian.audit.models import AuditEntry
from peelian.core.errors import NotFound
from peelian.oversight.models import Complaint, Discipline, Finding, ReportedOfficer
from peelian.oversight.selectors import officer_record as sel
from peelian.oversight.tests.factories import AllegationFactory, ComplaintFactory, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit() -> Any:
    return UnitFactory()


@pytest.fixture
def officer(unit: Any) -> Any:
    subject = OfficerFactory(unit=unit, agency=unit.agency)
    # Two years: a sustained, decided allegation last year; an open one this year.
    last_year = timezone.now() - dt.timedelta(days=400)
    old = make_case(Complaint.Status.DECIDED, received_at=last_year)
    allegation = old.allegations.get()
    allegation.officer = subject
    allegation.final_finding = Finding.SUSTAINED
    allegation.discipline = Discipline.SUSPENSION
    allegation.suspension_days = 3
    allegation.save()
    Complaint.objects.filter(pk=old.pk).update(received_at=last_year)
    current = make_case(Complaint.Status.INVESTIGATING, received_at=timezone.now())
    current.allegations.update(officer=subject)
    commendation = ComplaintFactory(kind=Complaint.Kind.COMMENDATION)
    ReportedOfficer.objects.create(complaint=commendation, officer=subject)
    return subject


def _view(viewer: Any, officer: Any) -> sel.OfficerComplaintRecord:
    return sel.officer_complaint_record(viewer=viewer, officer=officer)


@pytest.mark.parametrize("role", [ADMINISTRATOR, ANALYST])
def test_administrators_and_analysts_see_any_record(
    make_user: Any, officer: Any, role: str
) -> None:
    viewer = make_user(role)
    record = _view(viewer, officer)
    kinds = sorted(r.kind for r in record.rows)
    assert kinds == ["allegation", "allegation", "commendation"]
    entry = AuditEntry.objects.get(action="oversight.officer_record.view")
    assert entry.actor_id == viewer.pk
    assert entry.target_id == str(officer.public_id)


def test_record_by_year(make_user: Any, officer: Any) -> None:
    record = _view(make_user(ADMINISTRATOR), officer)
    this_year, last_year = record.years
    assert this_year.year == timezone.localdate().year
    assert (this_year.complaints, this_year.allegations, this_year.sustained) == (1, 1, 0)
    assert this_year.commendations == 1
    assert (last_year.complaints, last_year.allegations, last_year.sustained) == (1, 1, 1)
    decided = next(r for r in record.rows if r.final_finding)
    assert decided.discipline == "Suspension (3 days)"


def test_supervisor_sees_officers_of_own_unit_only(make_user: Any, unit: Any, officer: Any) -> None:
    sergeant = make_user(SUPERVISOR)
    OfficerFactory(unit=unit, agency=unit.agency, user=sergeant, rank="sergeant")
    assert len(_view(sergeant, officer).rows) == 3
    elsewhere = make_user(SUPERVISOR)
    other_unit = UnitFactory(agency=unit.agency)
    OfficerFactory(unit=other_unit, agency=unit.agency, user=elsewhere, rank="sergeant")
    with pytest.raises(NotFound):
        _view(elsewhere, officer)
    assert AuditEntry.objects.filter(action="oversight.officer_record.view").count() == 1


@pytest.mark.parametrize("role", [INVESTIGATOR, REVIEW_BOARD, COMMUNITY_LIAISON])
def test_other_roles_are_refused(make_user: Any, officer: Any, role: str) -> None:
    with pytest.raises(NotFound):
        _view(make_user(role), officer)
    assert not AuditEntry.objects.filter(action="oversight.officer_record.view").exists()


def test_the_officer_does_not_open_their_own_complaint_record(make_user: Any, officer: Any) -> None:
    user = make_user(COMMUNITY_LIAISON)
    officer.user = user
    officer.save()
    with pytest.raises(NotFound):
        _view(user, officer)


def test_complaint_naming_an_officer_without_allegation(make_user: Any, unit: Any) -> None:
    subject = OfficerFactory(unit=unit, agency=unit.agency)
    named = ComplaintFactory()
    ReportedOfficer.objects.create(complaint=named, officer=subject)
    AllegationFactory(complaint=ComplaintFactory(), officer=OfficerFactory())  # someone else
    record = _view(make_user(ADMINISTRATOR), subject)
    assert [r.kind for r in record.rows] == ["complaint"]
    assert record.years[0].complaints == 1


def test_sections_from_other_modules(
    make_user: Any, officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sel, "OFFICER_RECORD_SECTIONS", {})
    sel.register_officer_record_section(
        sel.RecordSection(
            name="force",
            title="Use of force",
            entries=lambda o: [sel.SectionEntry(on=dt.date(2024, 5, 1), label="Taser")],
        )
    )
    record = _view(make_user(ADMINISTRATOR), officer)
    assert record.sections[0].title == "Use of force"
    assert record.sections[0].entries[0].label == "Taser"
    with pytest.raises(ValueError, match="already registered"):
        sel.register_officer_record_section(
            sel.RecordSection(name="force", title="Other", entries=lambda o: [])
        )


def test_record_page(client: Any, login: Any, make_user: Any, officer: Any) -> None:
    url = reverse("board:officer_record", args=[officer.public_id])
    login(client, make_user(ANALYST))
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert officer.last_name in html
    assert str(timezone.localdate().year) in html
    assert "no-store" in response["Cache-Control"]
    login(client, make_user(INVESTIGATOR))
    assert client.get(url).status_code == 404
    missing = reverse("board:officer_record", args=[uuid.uuid4()])
    login(client, make_user(ADMINISTRATOR))
    assert client.get(missing).status_code == 404
