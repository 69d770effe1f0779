"""The agency's share of the synthetic city: geography, residents, streets, officers and
their careers, and the planted workforce gap (figures documented in
docs/data/synthetic-city.md)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from itertools import pairwise

import numpy as np
import pytest
from shapely.geometry import shape
from shapely.ops import unary_union

from peelian.agency import demo as agency_demo
from peelian.agency.geo import geocode_address, locate
from peelian.agency.models import (
    RACES,
    Agency,
    Assignment,
    Beat,
    District,
    Officer,
    StreetSegment,
    Unit,
)
from peelian.demo.context import AS_OF, SIZES
from peelian.demo.services import city_seed

RESIDENT_RACES = {r for r in RACES if r != "unknown"}


def _rounded_to_6(geojson):
    text = repr(geojson["coordinates"])
    return all(len(d) <= 6 for d in re.findall(r"\.(\d+)", text))


def test_small_city_counts_are_in_the_documented_ranges(small_city):
    p = SIZES["small"]
    assert Agency.objects.get().city == "Calder Falls"
    assert District.objects.count() == p.districts == 4
    assert Beat.objects.count() == p.districts * p.beats_per_district == 16
    current = Officer.objects.exclude(status="separated").count()
    assert current == p.officers == 120
    assert 30 <= Officer.objects.filter(status="separated").count() <= 55
    assert sum(Beat.objects.values_list("population", flat=True)) == p.population == 150_000
    assert 4_000 <= StreetSegment.objects.count() <= 8_000
    assert Unit.objects.count() == p.districts + 7
    assert 2.0 <= Assignment.objects.count() / Officer.objects.count() <= 3.5


def test_boundaries_are_valid_geojson_inside_the_city(tiny_city):
    city = tiny_city.context.shared["city_boundary"]
    assert city.is_valid
    width_km = (city.bounds[2] - city.bounds[0]) * 111.32 * np.cos(np.radians(38.47))
    assert 5 < width_km < 10  # tiny: radius 3.5 km
    tolerance = city.buffer(1e-6)
    for area in [*District.objects.all(), *Beat.objects.all()]:
        assert area.boundary["type"] in ("Polygon", "MultiPolygon")
        assert _rounded_to_6(area.boundary)
        geom = shape(area.boundary)
        assert geom.is_valid
        assert not geom.is_empty
        assert tolerance.contains(geom), area
        # longitude first: the points are in Kansas
        assert -99 < geom.centroid.x < -97
        assert 38 < geom.centroid.y < 39


def test_districts_partition_the_city_and_beats_their_district(small_city):
    city = small_city.context.shared["city_boundary"]
    districts = {d.pk: shape(d.boundary) for d in District.objects.all()}
    union = unary_union(list(districts.values()))
    assert abs(union.area - city.area) / city.area < 0.005
    assert sum(g.area for g in districts.values()) == pytest.approx(union.area, rel=0.005)
    for district_id, geom in districts.items():
        beats = [shape(b.boundary) for b in Beat.objects.filter(district_id=district_id)]
        assert len(beats) == SIZES[small_city.run.size].beats_per_district
        beat_union = unary_union(beats)
        assert abs(beat_union.area - geom.area) / geom.area < 0.005
        assert all(geom.buffer(1e-6).contains(b) for b in beats)


def test_beat_demographics(small_city):
    beats = list(Beat.objects.all())
    totals: Counter[str] = Counter()
    for beat in beats:
        assert set(beat.population_by_race) == RESIDENT_RACES
        assert sum(beat.population_by_race.values()) == beat.population > 0
        assert 0 <= beat.spanish_speaking_share <= 1
        assert 15_000 < beat.median_household_income < 250_000
        totals.update(beat.population_by_race)
    population = sum(totals.values())
    for race, share in agency_demo.RESIDENT_SHARES.items():
        assert totals[race] / population == pytest.approx(share, abs=0.002)
    hispanic = np.array([b.population_by_race["hispanic"] / b.population for b in beats])
    white = np.array([b.population_by_race["white"] / b.population for b in beats])
    spanish = np.array([b.spanish_speaking_share for b in beats])
    income = np.array([b.median_household_income for b in beats], dtype=float)
    assert np.corrcoef(hispanic, spanish)[0, 1] > 0.9
    assert np.corrcoef(white, np.log(income))[0, 1] > 0.5
    # Segregation: the beats' shares really differ (not one city-wide mix everywhere).
    assert hispanic.max() - hispanic.min() > 0.3


def test_segregation_follows_the_documented_gradients(small_city):
    agency = Agency.objects.get()
    east, west, north, south = [], [], [], []
    for beat in Beat.objects.all():
        c = shape(beat.boundary).centroid
        shares = {r: n / beat.population for r, n in beat.population_by_race.items()}
        (east if c.x > agency.center_lng else west).append(shares)
        (north if c.y > agency.center_lat else south).append(shares)

    def mean(rows, race):
        return sum(r[race] for r in rows) / len(rows)

    assert mean(east, "black") > mean(west, "black")
    assert mean(north, "white") > mean(south, "white")
    south_west = [*south, *west]
    assert mean(south_west, "hispanic") > mean(north, "hispanic")


def test_streets_follow_the_address_convention(tiny_city):
    segments = list(StreetSegment.objects.all())
    by_key = defaultdict(list)
    pattern = re.compile(r"^[NSEW] [A-Z0-9 ]+ (ST|AVE|BLVD|RD|DR)$")
    for s in segments:
        assert s.street_key == " ".join(s.street.upper().split())
        assert pattern.match(s.street_key), s.street_key
        assert s.to_number - s.from_number in (98, 99)
        by_key[s.street_key].append(s)
    for key, rows in by_key.items():
        rows.sort(key=lambda s: s.from_number)
        for a, b in pairwise(rows):
            assert a.to_number < b.from_number, key  # ranges never overlap
    assert "N MAIN ST" in by_key
    assert "E CENTRAL AVE" in by_key
    assert "E 1ST ST" in by_key
    # 100 numbers per block of 250 m: the 400 block of N Main St starts 4 blocks north.
    agency = Agency.objects.get()
    block = next(s for s in by_key["N MAIN ST"] if s.from_number == 400)
    assert (block.start_lat - agency.center_lat) * 111_320 == pytest.approx(1000, abs=1)
    assert block.end_lat > block.start_lat
    assert block.start_lng == block.end_lng


def test_seeded_addresses_geocode_into_a_beat(tiny_city):
    agency = Agency.objects.get()
    segment = StreetSegment.objects.filter(street_key="N MAIN ST", from_number=500).first()
    assert segment is not None
    match = geocode_address("550 North Main Street", agency=agency)
    assert match.segment.pk == segment.pk
    t = (550 - segment.from_number) / (segment.to_number - segment.from_number)
    assert match.lat == pytest.approx(
        segment.start_lat + t * (segment.end_lat - segment.start_lat), abs=1e-9
    )
    assert locate("550 N Main St", agency=agency).beat is not None


def test_officers_and_their_careers(small_city):
    officers = list(Officer.objects.select_related("unit"))
    stints = defaultdict(list)
    for a in Assignment.objects.select_related("unit").order_by("start_date"):
        stints[a.officer_id].append(a)
    for o in officers:
        rows = stints[o.pk]
        assert 1 <= len(rows) <= 5
        assert rows[0].start_date == o.hire_date
        for a, b in pairwise(rows):
            assert a.end_date is not None
            assert a.end_date + dt.timedelta(days=1) == b.start_date  # contiguous, no overlap
        assert all(a.end_date is None or a.end_date >= a.start_date for a in rows)
        open_rows = [a for a in rows if a.end_date is None]
        if o.status == "separated":
            assert open_rows == []
            assert rows[-1].end_date == o.separation_date
            assert o.unit is None
        else:
            assert open_rows == [rows[-1]]
            assert rows[-1].unit_id == o.unit_id
            assert rows[-1].rank == o.rank
        if len(rows) == 1:  # only recruits still in (or who left during) the academy
            assert rows[0].unit.code == "TRN"
        assert 21 <= o.hire_date.year - o.birth_year <= 41
        assert o.hire_date >= AS_OF - dt.timedelta(days=int(30 * 365.25) + 1)
        assert (o.separation_date or AS_OF).year - o.birth_year <= 65
        for a in rows:  # beats only for patrol officers, and in the unit's district
            if a.beat_id is not None:
                assert a.unit.kind == "patrol"
                assert a.beat.district_id == a.unit.district_id
    assert sum(len(stints[o.pk]) >= 2 for o in officers) / len(officers) >= 0.85
    current = [o for o in officers if o.status != "separated"]
    ranks = Counter(o.rank for o in current)
    assert ranks["chief"] == 1
    assert 0.65 <= ranks["officer"] / len(current) <= 0.85
    assert 6 <= ranks["officer"] / ranks["sergeant"] <= 11
    female = sum(o.sex == "female" for o in current) / len(current)
    assert 0.05 <= female <= 0.22
    assert all(o.unit is not None for o in current)
    assert len({o.badge for o in officers}) == len(officers)


def test_planted_workforce_gap(small_city):
    residents: Counter[str] = Counter()
    for beat in Beat.objects.all():
        residents.update(beat.population_by_race)
    population = sum(residents.values())
    current = Officer.objects.exclude(status="separated")
    n = current.count()
    workforce = Counter(current.values_list("race", flat=True))
    for race in ("hispanic", "black"):
        assert workforce[race] / n < 0.7 * residents[race] / population, race
    assert workforce["white"] / n > 1.4 * residents["white"] / population


def test_seeded_rows_satisfy_the_models_validation(tiny_city):
    for model in (Agency, District, Beat, Unit, Officer, Assignment):
        for obj in model.objects.all():
            obj.full_clean()
    for segment in StreetSegment.objects.all()[:200]:
        segment.full_clean()


def test_demo_users_are_linked_to_officers(tiny_city):
    supervisor = Officer.objects.select_related("unit").get(user__username="supervisor")
    assert supervisor.rank == "sergeant"
    assert supervisor.status == "active"
    assert supervisor.unit.kind == "patrol"
    assert supervisor.user.get_full_name() == f"{supervisor.first_name} {supervisor.last_name}"
    investigator = Officer.objects.select_related("unit").get(user__username="investigator")
    assert investigator.rank == "detective"
    assert investigator.unit.kind == "professional_standards"
    assert Officer.objects.filter(user__isnull=False).count() == 2


def test_ordinal():
    assert [agency_demo.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st",
        "111th",
    ]  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_other_seeds_give_valid_cities_too(db, seed):
    """The invariants above are not an accident of seed 7 (a sweep over 25 tiny and 6 small
    seeds passed when this was written; three stay here to keep the suite fast)."""
    result = city_seed(size="tiny", seed=seed)
    test_officers_and_their_careers(result)
    test_boundaries_are_valid_geojson_inside_the_city(result)
    test_streets_follow_the_address_convention(result)
    test_demo_users_are_linked_to_officers(result)
