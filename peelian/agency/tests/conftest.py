"""A small city: one agency, two districts of two beats each on a 2 x 2 grid, a few
streets with address ranges, two patrol units and officers."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from peelian.agency.geo import invalidate_beat_index, normalise_street
from peelian.agency.tests.factories import (
    AgencyFactory,
    AssignmentFactory,
    BeatFactory,
    DistrictFactory,
    OfficerFactory,
    StreetSegmentFactory,
    UnitFactory,
    rectangle,
)

# The grid: longitudes -98.04 | -98.00 | -97.96, latitudes 38.48 | 38.50 | 38.52.
WEST, MID_LNG, EAST = -98.04, -98.00, -97.96
SOUTH, MID_LAT, NORTH = 38.48, 38.50, 38.52


@pytest.fixture(autouse=True)
def _fresh_beat_index() -> Any:
    # Each test starts from an empty database; an index built by another test's rows must
    # not survive (the signature would usually catch it, the reset makes it certain).
    invalidate_beat_index()
    yield
    invalidate_beat_index()


def street(agency: Any, name: str, first: int, blocks: int, start: tuple, step: tuple) -> list:
    """``blocks`` segments of 100 numbers each from ``first``, starting at ``start`` (lat,
    lng) and advancing by ``step`` per block."""
    rows = []
    for i in range(blocks):
        lat0, lng0 = start[0] + i * step[0], start[1] + i * step[1]
        rows.append(
            StreetSegmentFactory(
                agency=agency,
                street=name,
                street_key=normalise_street(name),
                from_number=first + 100 * i,
                to_number=first + 100 * i + 98,
                start_lat=lat0,
                start_lng=lng0,
                end_lat=lat0 + step[0],
                end_lng=lng0 + step[1],
            )
        )
    return rows


@pytest.fixture
def city(db: Any) -> SimpleNamespace:
    agency = AgencyFactory(name="Test City Police", slug="test-city")
    d1 = DistrictFactory(
        agency=agency, code="1", name="West", boundary=rectangle(WEST, SOUTH, MID_LNG, NORTH)
    )
    d2 = DistrictFactory(
        agency=agency, code="2", name="East", boundary=rectangle(MID_LNG, SOUTH, EAST, NORTH)
    )
    b11 = BeatFactory(
        district=d1, code="11", name="Southwest", boundary=rectangle(WEST, SOUTH, MID_LNG, MID_LAT)
    )
    b12 = BeatFactory(
        district=d1, code="12", name="Northwest", boundary=rectangle(WEST, MID_LAT, MID_LNG, NORTH)
    )
    b21 = BeatFactory(
        district=d2, code="21", name="Southeast", boundary=rectangle(MID_LNG, SOUTH, EAST, MID_LAT)
    )
    b22 = BeatFactory(
        district=d2,
        code="22",
        name="Northeast",
        boundary=rectangle(MID_LNG, MID_LAT, EAST, NORTH),
        population=2000,
        population_by_race={"black": 1000, "white": 1000},
    )
    # N Oak Ave runs north from Main St in beat 12; S Oak Ave south into beat 11;
    # E Main St runs east into beat 22.
    street(agency, "N Oak Ave", 100, 3, (38.501, -98.01), (0.005, 0.0))
    street(agency, "S Oak Ave", 100, 3, (38.499, -98.01), (-0.005, 0.0))
    street(agency, "E Main Street", 100, 3, (38.51, -97.999), (0.0, 0.01))
    u1 = UnitFactory(agency=agency, code="P1", name="Patrol West", district=d1)
    u2 = UnitFactory(agency=agency, code="P2", name="Patrol East", district=d2)
    return SimpleNamespace(
        agency=agency,
        districts=(d1, d2),
        d1=d1,
        d2=d2,
        beats={"11": b11, "12": b12, "21": b21, "22": b22},
        u1=u1,
        u2=u2,
    )


def officer_in(unit: Any, **kwargs: Any) -> Any:
    """An officer with a current assignment to ``unit`` since their hire date."""
    officer = OfficerFactory(agency=unit.agency, unit=unit, **kwargs)
    AssignmentFactory(officer=officer, unit=unit, rank=officer.rank, start_date=officer.hire_date)
    return officer


@pytest.fixture
def staff(city: SimpleNamespace, make_user: Any) -> SimpleNamespace:
    """Officers in both units; a supervisor (user + officer) in unit P1."""
    a = officer_in(city.u1, last_name="Adams", race="black", sex="female", birth_year=1980)
    b = officer_in(city.u2, last_name="Baker", race="hispanic")
    sup_user = make_user("supervisor", username="sarge")
    sup = officer_in(city.u1, last_name="Sergeant", rank="sergeant", hire_date=dt.date(2010, 1, 4))
    sup.user = sup_user
    sup.save(update_fields=["user"])
    return SimpleNamespace(a=a, b=b, sup=sup, sup_user=sup_user)
