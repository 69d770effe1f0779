"""The synthetic city's stops: imported through the real service, analysed, published,
deterministic for a seed, and carrying the planted disparity the analysis should find."""

from __future__ import annotations

import pytest

from peelian.stops.models import AnalysisRun, Stop, StopImport


@pytest.mark.django_db
def test_demo_stops_are_imported_analysed_and_published() -> None:
    from peelian.demo.services import city_seed

    city_seed(size="tiny", seed=7)
    imported = StopImport.objects.get()
    assert imported.rows_rejected == 0
    assert Stop.objects.count() == imported.rows_imported >= 4_000
    # Each stop carries its beat and that beat's district.
    stop = Stop.objects.exclude(beat="").first()
    assert stop is not None
    assert stop.district
    run = AnalysisRun.objects.get()
    assert run.status == "succeeded", run.error
    assert run.published
    ratio = run.results["stop_rate"]["ratio_vs_white"]["black"]
    # Planted: Black residents stopped 1.8 times as often per resident as white residents.
    assert ratio["lower"] > 1.2
    first = list(
        Stop.objects.order_by("source_row").values_list(
            "stop_date", "stop_time", "subject_race", "beat"
        )[:500]
    )

    city_seed(size="tiny", seed=7, force=True)
    again = list(
        Stop.objects.order_by("source_row").values_list(
            "stop_date", "stop_time", "subject_race", "beat"
        )[:500]
    )
    assert first == again
    assert AnalysisRun.objects.get().results["stop_rate"]["ratio_vs_white"]["black"] == ratio
