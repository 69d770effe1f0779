"""The registered open data and statistic: shapes, privacy rules, numbers."""

from __future__ import annotations

import math

import pytest

from peelian.agency import exports
from peelian.agency.analysis import wilson_interval
from peelian.agency.models import RACES, Officer
from peelian.agency.tests.factories import OfficerFactory
from peelian.core.registry import registry

pytestmark = pytest.mark.django_db


def test_registrations_exist():
    assert {"districts-and-beats", "officer-workforce"} <= set(registry.datasets)
    assert "workforce-representation" in registry.statistics
    assert any(p.url_name == "agency:districts" and p.strategy == 2 for p in registry.pages)
    links = {link.url_name: link for link in registry.staff_links}
    assert links["agency:officers"].roles == frozenset(
        {"administrator", "analyst", "supervisor", "investigator", "training_coordinator"}
    )
    assert links["agency:structure"].roles == frozenset({"administrator"})
    assert "agency.view_officer" in registry.role_permissions["analyst"]
    assert "agency.change_beat" in registry.role_permissions["administrator"]
    assert "agency.change_beat" not in registry.role_permissions.get("analyst", set())
    assert registry.audit_action("agency.officer.view").sensitive_read


def test_districts_and_beats_rows_follow_the_dictionary(city):
    dataset = registry.datasets["districts-and-beats"]
    rows = list(dataset.rows())
    names = [f.name for f in dataset.fields]
    assert [list(r) for r in rows] == [names] * 4
    assert "population_asian_pacific_islander" in names
    first = rows[0]
    assert (first["district_code"], first["beat_code"], first["beat_name"]) == (
        "1",
        "11",
        "Southwest",
    )
    assert first["population"] == 1000
    assert first["population_black"] == 300
    assert first["population_other"] == 0
    assert sum(first[exports.race_field(r)] for r in RACES) == first["population"]
    # 0.04 deg x 0.02 deg at about 38.49 N.
    r = 6371.0072
    expected = (
        r * r * math.radians(0.04) * (math.sin(math.radians(38.50)) - math.sin(math.radians(38.48)))
    )
    assert first["area_km2"] == pytest.approx(expected, abs=0.001)


def test_districts_and_beats_geojson(city):
    collection = registry.datasets["districts-and-beats"].geojson()
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert [f["id"] for f in features] == ["1-11", "1-12", "2-21", "2-22"]
    assert features[3]["geometry"]["type"] == "Polygon"
    assert features[3]["properties"]["population"] == 2000


def test_beat_data_holds_no_person(city, staff):
    rows = registry.datasets["districts-and-beats"].rows()
    text = repr(list(rows)) + repr(registry.datasets["districts-and-beats"].geojson())
    for officer in (staff.a, staff.b, staff.sup):
        assert officer.last_name not in text
        assert officer.first_name not in text
        assert str(officer.public_id) not in text


def workforce(rows):
    return {(r["race"], r["sex"], r["rank_group"]): (r["officers"], r["suppressed"]) for r in rows}


def test_officer_workforce_counts_and_suppression(city):
    for _ in range(7):
        OfficerFactory(agency=city.agency, race="white", sex="male")
    for _ in range(5):
        OfficerFactory(agency=city.agency, race="white", sex="female")
    OfficerFactory(agency=city.agency, race="white", sex="female", rank="captain")  # 1: small
    for _ in range(6):
        OfficerFactory(agency=city.agency, race="black", sex="male", rank="sergeant")
    OfficerFactory(agency=city.agency, race="black", sex="male", status="leave")  # not active
    separated = OfficerFactory(agency=city.agency, race="hispanic", sex="female")
    separated.status = Officer.Status.SEPARATED
    separated.separation_date = separated.hire_date
    separated.save()

    dataset = registry.datasets["officer-workforce"]
    rows = list(dataset.rows())
    assert [list(r) for r in rows] == [[f.name for f in dataset.fields]] * len(rows)
    assert len(rows) == len(RACES) * 3 * 3  # every combination, zeros included
    cells = workforce(rows)
    assert cells[("black", "male", "supervisor")] == (6, False)
    assert cells[("black", "male", "officer")] == (0, False)  # the one on leave is not counted
    assert cells[("hispanic", "female", "officer")] == (0, False)  # separated
    assert cells[("white", "female", "command")] == (None, True)  # 1 officer
    # Complementary: white has one small cell, so its smallest other non-zero cell (5) goes.
    assert cells[("white", "female", "officer")] == (None, True)
    assert cells[("white", "male", "officer")] == (7, False)
    for race in RACES:
        hidden = [k for k, (_n, s) in cells.items() if k[0] == race and s]
        assert len(hidden) != 1


def test_officer_workforce_has_no_names(city, staff):
    rows = list(registry.datasets["officer-workforce"].rows())
    assert all(set(r) == {"race", "sex", "rank_group", "officers", "suppressed"} for r in rows)


def values(result):
    return {str(v.label): v for v in result.values}


def test_workforce_representation(city):
    # Residents (city fixture): black 300*3 + 1000 = 1900, hispanic 600, white 1200 + 1000 =
    # 2200, asian/pacific islander 300; total 5000.
    for _ in range(6):
        OfficerFactory(agency=city.agency, race="white")
    for _ in range(2):
        OfficerFactory(agency=city.agency, race="black")
    for _ in range(2):
        OfficerFactory(agency=city.agency, race="hispanic")
    OfficerFactory(agency=city.agency, race="black", status="leave")  # not counted
    stat = registry.statistics["workforce-representation"]
    result = stat.compute()
    assert result.confidence == 0.95
    out = values(result)
    black_officers = out["Black: share of officers"]
    assert (black_officers.value, black_officers.denominator, black_officers.interval) == (
        0.2,
        10,
        None,
    )
    black_residents = out["Black: share of residents"]
    assert (black_residents.value, black_residents.denominator) == (0.38, 5000)
    assert black_residents.interval is None
    ratio = out["Black: representation ratio"]
    assert ratio.value == round(0.2 / 0.38, 3)
    low, high = wilson_interval(2, 10)
    assert ratio.interval == (round(low / 0.38, 3), round(high / 0.38, 3))
    asian = out["Asian / Pacific Islander: representation ratio"]
    assert asian.value == 0
    assert asian.interval[0] == 0
    assert "Other: share of officers" not in out  # no officers and no residents: left out


def test_workforce_representation_without_officers(city):
    result = registry.statistics["workforce-representation"].compute()
    (only,) = result.values
    assert only.value is None
    assert only.insufficient_data


def test_workforce_representation_without_residents(db):
    OfficerFactory()
    (only,) = registry.statistics["workforce-representation"].compute().values
    assert only.value is None
    assert "resident" in str(only.insufficient_data)


def test_statistic_states_method_denominator_and_uncertainty():
    stat = registry.statistics["workforce-representation"]
    assert "Wilson" in str(stat.uncertainty)
    assert "full count" in str(stat.uncertainty)
    assert "hiring process" in str(stat.uncertainty)
    assert "active" in str(stat.denominator)
    assert "divided" in str(stat.method)


def test_cached_statistic_labels_follow_the_readers_language(city, settings):
    """A result computed for a Spanish reader and cached must still read in English for
    the next, English, reader: labels stay lazy until rendered."""
    from django.core.cache import cache
    from django.utils import translation

    from peelian.core.statistics import statistic_result

    settings.PEELIAN_STATISTICS_CACHE_SECONDS = 60
    cache.clear()
    stat = registry.statistics["workforce-representation"]
    with translation.override("es"):
        result = statistic_result(stat)
        spanish = [str(v.label) for v in result.values]
    with translation.override("en"):
        english = [str(v.label) for v in statistic_result(stat).values]
    cache.clear()
    assert english[0].startswith("Representation ratio") or ": share of" in english[1]
    assert all("proporción" not in label.lower() for label in english)
    assert spanish != english
