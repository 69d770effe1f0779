"""Public officer pages: off by default (404), and when on, counts only — never the
complainant, the narrative, a finding's reason or anything about an open case."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from peelian.agency.tests.factories import OfficerFactory, UnitFactory
from peelian.core.errors import NotFound
from peelian.force.models import ForceIncident, ForceOfficer
from peelian.oversight.models import Complaint, Finding, ReportedOfficer
from peelian.oversight.selectors import public_officer as sel
from peelian.oversight.tests.factories import ComplaintFactory, category, make_case

pytestmark = pytest.mark.django_db

OPEN_NARRATIVE = "Secret open-case narrative about the parking lot on Elm Street."
CLOSED_NARRATIVE = "Closed-case narrative: he pushed me against the patrol car."


@pytest.fixture(autouse=True)
def _english() -> Any:
    # A request to /es/ leaves Spanish active in this thread.
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def enabled(settings: Any) -> None:
    settings.PEELIAN_PUBLIC_OFFICER_PAGES = True


@pytest.fixture
def officer() -> Any:
    unit = UnitFactory(name="Northside Patrol")
    subject = OfficerFactory(
        unit=unit, agency=unit.agency, first_name="Robin", last_name="Quillfeather", badge="4821"
    )
    # Closed: one sustained allegation (final finding) about force, one exonerated.
    closed = make_case(
        Complaint.Status.CLOSED, allegation_category="force", narrative=CLOSED_NARRATIVE
    )
    closed.allegations.update(officer=subject)
    closed.allegations.create(
        officer=subject,
        category=category("courtesy"),
        finding=Finding.SUSTAINED,
        final_finding=Finding.EXONERATED,
        finding_reason="Reason text that must stay private.",
    )
    # Closed, finding only (no final one recorded): not sustained.
    other = make_case(Complaint.Status.CLOSED, finding=Finding.NOT_SUSTAINED)
    other.allegations.update(officer=subject, final_finding="")
    # Open: a sustained finding already issued, but the case is not closed.
    opened = make_case(
        Complaint.Status.FINDINGS, allegation_category="bias", narrative=OPEN_NARRATIVE
    )
    opened.allegations.update(officer=subject)
    # A commendation naming the officer.
    praise = ComplaintFactory(kind=Complaint.Kind.COMMENDATION, narrative="Kind and patient.")
    ReportedOfficer.objects.create(complaint=praise, officer=subject)
    # Someone else's sustained allegation.
    elsewhere = make_case(Complaint.Status.CLOSED)
    elsewhere.allegations.update(officer=OfficerFactory(agency=unit.agency))
    return subject


def _force(officer: Any, *when: dt.datetime) -> None:
    for moment in when:
        incident = ForceIncident.objects.create(agency=officer.agency, occurred_at=moment)
        ForceOfficer.objects.create(incident=incident, officer=officer, force_types=["taser"])


def test_off_by_default(client: Any, officer: Any, settings: Any) -> None:
    assert settings.PEELIAN_PUBLIC_OFFICER_PAGES is False
    assert client.get(reverse("complaints:officers")).status_code == 404
    url = reverse("complaints:officer", args=[officer.public_id])
    assert client.get(url).status_code == 404
    assert client.get("/es/complaints/officers/").status_code == 404
    with pytest.raises(NotFound):
        sel.public_officer_summary(officer.public_id)
    with pytest.raises(NotFound):
        sel.public_officer_search("Quill")


def test_counts(enabled: None, officer: Any) -> None:
    last_year = timezone.now().replace(month=6, day=15) - dt.timedelta(days=366)
    _force(officer, last_year, last_year + dt.timedelta(days=2), timezone.now())
    summary = sel.public_officer_summary(officer.public_id)
    assert summary.name == "Robin Quillfeather"
    assert (summary.badge, summary.unit) == ("4821", "Northside Patrol")
    findings = {row.code: row.count for row in summary.allegations_by_finding}
    assert findings[Finding.SUSTAINED] == 1  # the open case's sustained finding: not counted
    assert findings[Finding.EXONERATED] == 1  # the final finding wins over the investigation's
    assert findings[Finding.NOT_SUSTAINED] == 1
    assert findings[Finding.UNFOUNDED] == 0
    assert summary.allegations_total == 3
    assert [(r.code, r.count) for r in summary.sustained_by_category] == [("force", 1)]
    assert summary.complaints_closed == 2
    assert summary.commendations == 1
    (force,) = [s for s in summary.sections if s.name == "force"]
    assert [(y.year, y.count) for y in force.years] == [
        (last_year.year, 2),
        (timezone.now().year, 1),
    ]
    assert force.total == 3


def test_separated_officer_and_unknown_id(enabled: None) -> None:
    gone = OfficerFactory(
        status="separated",
        hire_date=dt.date(2001, 1, 1),
        separation_date=dt.date(2020, 1, 1),
        unit=None,
    )
    summary = sel.public_officer_summary(gone.public_id)
    assert (summary.unit, summary.complaints_closed, summary.allegations_total) == ("", 0, 0)
    with pytest.raises(NotFound):
        sel.public_officer_summary(uuid.uuid4())
    with pytest.raises(NotFound):
        sel.public_officer_summary("not-a-uuid")


def test_page_shows_counts_and_nothing_private(enabled: None, client: Any, officer: Any) -> None:
    response = client.get(reverse("complaints:officer", args=[officer.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Robin Quillfeather" in html
    assert "4821" in html
    assert "<caption" in html
    assert "A complaint is not proof of misconduct" in html
    complaints = Complaint.objects.filter(allegations__officer=officer).distinct()
    for complaint in complaints:
        name = complaint.complainant.name
        assert name
        assert name not in html
        assert complaint.complainant.email not in html
        assert str(complaint.public_id) not in html
    for text in (
        OPEN_NARRATIVE,
        CLOSED_NARRATIVE,
        "Kind and patient",
        "Reason text that must stay private",
        "body-camera video",
        "Raised voice",  # allegation summary
        str(category("bias")),  # the open case's category
    ):
        assert text not in html
    # No dates finer than the year anywhere on the page.
    for complaint in complaints:
        assert complaint.received_at.date().isoformat() not in html


def test_missing_officer_page_is_404(enabled: None, client: Any) -> None:
    assert client.get(reverse("complaints:officer", args=[uuid.uuid4()])).status_code == 404


def test_search_by_name_and_badge(enabled: None, client: Any, officer: Any) -> None:
    url = reverse("complaints:officers")
    html = client.get(url, {"q": "robin quill"}).content.decode()
    assert "Quillfeather, Robin" in html
    assert reverse("complaints:officer", args=[officer.public_id]) in html
    assert "Quillfeather" in client.get(url, {"q": "#482"}).content.decode()
    nothing = client.get(url, {"q": "Zzyzx"})
    assert nothing.status_code == 200
    assert "Quillfeather" not in nothing.content.decode()
    assert "No officer matches this search." in nothing.content.decode()
    assert client.get(url, {"q": "x" * 500}).status_code == 200  # error shown, no 500


def test_search_is_paginated(enabled: None, client: Any) -> None:
    unit = UnitFactory()
    for n in range(30):
        OfficerFactory(agency=unit.agency, unit=unit, last_name=f"Pagetest{n:02d}")
    url = reverse("complaints:officers")
    first = client.get(url, {"q": "Pagetest"}).content.decode()
    assert "page 1 of 2" in first
    assert "Pagetest00" in first
    assert "Pagetest29" not in first
    second = client.get(url, {"q": "Pagetest", "page": 2}).content.decode()
    assert "Pagetest29" in second
    assert "Pagetest00" not in second


def test_spanish_urls(enabled: None, client: Any, officer: Any) -> None:
    response = client.get("/es/complaints/officers/")
    assert response.status_code == 200
    assert "Quillfeather" in response.content.decode()
    detail = client.get(f"/es/complaints/officers/{officer.public_id}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert 'lang="es"' in html
    force = category("force")
    if force.name_es != force.name:
        assert force.name_es in html  # category names in the reader's language


def test_count_hook_rejects_a_second_registration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sel, "PUBLIC_OFFICER_COUNTS", {})
    entry = sel.PublicOfficerCount("x", "X", lambda o: {})
    sel.register_public_officer_count(entry)
    sel.register_public_officer_count(entry)  # the same registration again is harmless
    with pytest.raises(ValueError, match="already registered"):
        sel.register_public_officer_count(sel.PublicOfficerCount("x", "Y", lambda o: {}))
