"""The synthetic city's complaints: every state, consistent fields, board reviews with
answers, the planted district effect, determinism."""

from __future__ import annotations

from collections import Counter

import pytest

from peelian.core.registry import registry
from peelian.demo.services import city_seed
from peelian.oversight import exports
from peelian.oversight.models import (
    Allegation,
    BoardRecommendation,
    BoardReview,
    Complainant,
    Complaint,
    ComplaintEvent,
)

pytestmark = pytest.mark.django_db


# Only the steps the oversight step reads from (and itself), so other modules' steps do not
# make these tests slower or depend on them.
STEPS = {"agency", "accounts", "agency-links", "oversight"}


@pytest.fixture
def only_our_steps(monkeypatch):
    monkeypatch.setattr(registry, "demo", {k: v for k, v in registry.demo.items() if k in STEPS})


@pytest.fixture
def tiny(only_our_steps):
    return city_seed(size="tiny", seed=7)


def test_every_state_and_kind_is_present(tiny):
    complaints = Complaint.objects.filter(kind="complaint")
    assert set(complaints.values_list("status", flat=True)) == set(Complaint.Status.values)
    assert Complaint.objects.filter(kind="commendation").exists()
    # ~2 per 1,000 residents: tiny has 40,000 residents.
    assert complaints.count() == 80
    assert Complainant.objects.count() == Complaint.objects.count()
    assert Complaint.objects.filter(anonymous=True).exists()
    assert Complaint.objects.filter(language="es").exists()


def test_fields_agree_with_the_state(tiny):
    for c in Complaint.objects.filter(kind="complaint").prefetch_related("allegations", "events"):
        allegations = list(c.allegations.all())
        assert (c.category_id is None) == (c.status == "received")
        assert (c.investigator_id is None) == (c.status in {"received", "triaged"})
        assert (c.closed_at is None) == (c.status != "closed")
        if c.status in {"received", "triaged", "assigned"}:
            assert not allegations
        else:
            assert allegations
        issued = c.status in exports.FINDINGS_PUBLIC
        assert all(bool(a.finding) == issued for a in allegations)
        decided = c.status in exports.DECISION_PUBLIC
        assert all(bool(a.final_finding) == decided for a in allegations)
        kinds = [e.kind for e in c.events.all()]
        assert kinds[0] == "received"
        assert ("closed" in kinds) == (c.status == "closed")
        assert all(e.at <= c.events.last().at for e in c.events.all())
    assert not Allegation.objects.filter(final_finding="sustained", discipline="").exists()


def test_findings_mix_and_board_answers(tiny):
    findings = Counter(Allegation.objects.exclude(finding="").values_list("finding", flat=True))
    assert findings["sustained"] > 0
    assert BoardReview.objects.exists()
    assert BoardReview.objects.filter(complaint__status="board_review").exists()
    answered = BoardRecommendation.objects.exclude(agency_concurs=None)
    assert answered.filter(agency_concurs=True).exists()
    for review in BoardReview.objects.select_related("complaint"):
        assert review.complaint.allegations.filter(category__refer_to_board=True).exists()


def test_statistics_run_on_the_demo_city(tiny):
    assert exports.median_days_to_close().values[0].value is not None
    assert exports.finding_rates().values[0].denominator > 0
    rows = exports.complaint_rows()
    assert len({r["complaint_id"] for r in rows}) == 80


def test_seeding_is_deterministic(tiny):
    first = sorted(Complaint.objects.values_list("tracking_hash", "status", "received_at"))
    events = ComplaintEvent.objects.count()
    city_seed(size="tiny", seed=7, force=True)
    assert sorted(Complaint.objects.values_list("tracking_hash", "status", "received_at")) == first
    assert ComplaintEvent.objects.count() == events
