"""The stop-data share of the synthetic city: a calendar year of traffic and pedestrian
stops (the year before the demo's ``as_of``), imported through ``stops_import`` from an OPP
CSV the generator writes, then analysed and published, so the public page has a report.

The stops come from ``peelian.stops.analysis.synthetic`` with the city's own districts,
time zone, centre and residents' race shares. Planted, documented disparities (the
generator's defaults, see docs/data/synthetic-city.md, "Stops"):

* Black residents are stopped 1.8 times, Hispanic residents 1.2 times as often per
  resident as white residents;
* among Black and white drivers, the log-odds that a stopped driver is Black is 0.35 lower
  after dark than in daylight at the same clock time (the veil-of-darkness signal);
* officers search Black drivers when the chance of finding contraband exceeds 15 %,
  Hispanic drivers above 18 %, everyone else above 25 % (the threshold test's signal).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa

from peelian.agency.models import Agency, Beat, District
from peelian.stops.analysis import synthetic
from peelian.stops.analysis.schema import RACES
from peelian.stops.models import AnalysisRun, StopImport
from peelian.stops.services import (
    analysis_run_create,
    analysis_run_execute,
    analysis_run_publish,
    stops_import,
)

SEED_ACTOR = "system:seed"
STOPS_PER_RESIDENT = 0.15  # a year; US municipal agencies record roughly 0.05-0.3
VOD_DARK_LOG_ODDS = -0.35  # planted: Black drivers' log-odds of being stopped after dark
MIN_AREAS = 5  # fewer districts than this: the tests compare beats
MIN_STOPS = 4_000
# The threshold test (NUTS) takes tens of seconds: the hidden ``tiny`` size used by the
# test suite runs the other three tests only.
TINY_TESTS = ["rates", "vod", "outcome"]


def _race_shares(agency: Agency) -> tuple[dict[str, float], float]:
    totals = dict.fromkeys(RACES, 0.0)
    for counts in Beat.objects.filter(district__agency=agency).values_list(
        "population_by_race", flat=True
    ):
        for race, n in (counts or {}).items():
            if race in totals:
                totals[race] += float(n)
    total = sum(totals.values())
    shares = {r: n / total for r, n in totals.items() if r != "unknown" and n > 0}
    return shares, total


def build(ctx: Any) -> None:
    agency: Agency | None = ctx.shared.get("agency") or Agency.objects.first()
    if agency is None:
        return
    # The generator's areas are the city's beats (its districts are too few for the threshold
    # test in the small city); each stop carries its beat and the beat's district.
    beats = list(
        Beat.objects.filter(district__agency=agency)
        .order_by("district__code", "code")
        .values_list("code", "district__code")
    )
    codes = [code for code, _district in beats]
    district_of = dict(beats)
    geography = "beat" if District.objects.filter(agency=agency).count() < MIN_AREAS else "district"
    shares, residents = _race_shares(agency)
    n_stops = max(MIN_STOPS, round(ctx.population * STOPS_PER_RESIDENT))
    params = synthetic.CityParams(
        n_stops=n_stops,
        year=ctx.as_of.year - 1,
        seed=ctx.rng.getrandbits(32),
        n_districts=len(codes),
        population=round(residents) or ctx.population,
        lat=agency.center_lat,
        lng=agency.center_lng,
        tz=agency.timezone,
        race_shares=shares or synthetic.CityParams().race_shares,
        vod_dark_log_odds=VOD_DARK_LOG_ODDS,
    )
    city, table = synthetic.generate(params)
    rename = dict(zip(city.districts, codes, strict=True))
    beat_codes = [rename[d] for d in table.column("district").to_pylist()]
    table = table.set_column(
        table.schema.get_field_index("district"),
        "district",
        pa.array([district_of[b] for b in beat_codes]),
    ).append_column("beat", pa.array(beat_codes))
    ctx.advance(1, 4)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{agency.slug}-stops-{params.year}.csv"
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, str(path))
        imported = stops_import(
            actor=SEED_ACTOR,
            agency=agency,
            path=path,
            fmt="opp",
            original_name=path.name,
            today=ctx.as_of,
        )
    StopImport.objects.filter(pk=imported.pk).update(public_id=ctx.uuid())
    ctx.advance(2, 4)
    tests = TINY_TESTS if ctx.size == "tiny" else ["rates", "vod", "outcome", "threshold"]
    run = analysis_run_create(
        actor=SEED_ACTOR,
        agency=agency,
        title=f"Stops in {params.year}",
        scope={},
        options={"tests": tests, "geography": geography},
        enqueue=False,
    )
    AnalysisRun.objects.filter(pk=run.pk).update(public_id=ctx.uuid())
    run = analysis_run_execute(run_id=run.pk)
    ctx.advance(3, 4)
    analyst = (ctx.shared.get("demo_users") or {}).get("analyst")
    if analyst is not None and run.status == "succeeded":
        analysis_run_publish(actor=analyst, run=run, published=True)
    ctx.shared["stops_planted"] = city.truth()
    ctx.advance(4, 4)
