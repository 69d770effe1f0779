from __future__ import annotations

from typing import Any

import pytest

from peelian.demo.context import SIZES
from peelian.force.demo import INCIDENTS_PER_OFFICER
from peelian.force.models import ForceIncident, ForceOfficer, ForceSubject


def _fingerprint() -> list[tuple[Any, ...]]:
    return [
        (
            i.occurred_at,
            i.beat_code,
            i.resistance,
            i.force_type_codes,
            i.review_status,
            tuple(i.subjects.values_list("race", "sex", "age", "injured")),
            tuple(sorted(i.officers.values_list("officer__badge", flat=True))),
        )
        for i in ForceIncident.objects.order_by("occurred_at", "id")
    ]


@pytest.mark.django_db
def test_demo_builds_linked_reviewed_incidents_deterministically() -> None:
    from peelian.demo.services import city_seed

    city_seed(size="tiny", seed=7)
    expected = round(INCIDENTS_PER_OFFICER * SIZES["tiny"].officers)
    assert ForceIncident.objects.count() == expected
    assert not ForceOfficer.objects.filter(officer__isnull=True).exists()
    assert ForceSubject.objects.count() >= expected
    assert ForceIncident.objects.filter(beat__isnull=False).count() == expected
    assert ForceIncident.objects.exclude(review_status="pending").exists()
    reviewed = ForceIncident.objects.exclude(review_status="pending")
    assert all(i.reviewed_at > i.occurred_at for i in reviewed)
    first = _fingerprint()
    city_seed(size="tiny", seed=7, force=True)
    assert _fingerprint() == first
