"""Factories for the agency's models (tests only: they write rows directly, around the
services, to set up the state a test needs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from peelian.agency.models import (
    Agency,
    Assignment,
    Beat,
    District,
    Officer,
    StreetSegment,
    Unit,
)


def rectangle(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    """A GeoJSON Polygon for a lon/lat rectangle (counter-clockwise, closed)."""
    return {
        "type": "Polygon",
        "coordinates": [
            [[west, south], [east, south], [east, north], [west, north], [west, south]]
        ],
    }


def square(lng: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    return rectangle(lng, lat, lng + size, lat + size)


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Test Police Department {n}")
    slug = factory.Sequence(lambda n: f"test-pd-{n}")
    city = "Testville"
    state = "KS"
    center_lat = 38.5
    center_lng = -98.0


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"D{n}")
    name = factory.Sequence(lambda n: f"District {n}")
    boundary = factory.LazyFunction(lambda: square(-98.0, 38.5, 0.05))


class BeatFactory(DjangoModelFactory):
    class Meta:
        model = Beat

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"B{n}")
    name = factory.Sequence(lambda n: f"Beat {n}")
    boundary = factory.LazyFunction(lambda: square(-98.0, 38.5, 0.01))
    population = 1000
    population_by_race = factory.LazyFunction(
        lambda: {"black": 300, "hispanic": 200, "white": 400, "asian/pacific islander": 100}
    )
    median_household_income = 52000
    spanish_speaking_share = 0.2


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"U{n}")
    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = Unit.Kind.PATROL


class OfficerFactory(DjangoModelFactory):
    class Meta:
        model = Officer

    agency = factory.SubFactory(AgencyFactory)
    badge = factory.Sequence(lambda n: f"{1000 + n}")
    first_name = factory.Sequence(lambda n: f"Alex{n}")
    last_name = factory.Sequence(lambda n: f"Officer{n:04d}")
    rank = Officer.Rank.OFFICER
    hire_date = dt.date(2015, 3, 1)
    race = "white"
    sex = "male"
    birth_year = 1988


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    officer = factory.SubFactory(OfficerFactory)
    unit = factory.SubFactory(UnitFactory)
    rank = Officer.Rank.OFFICER
    start_date = dt.date(2015, 3, 1)


class StreetSegmentFactory(DjangoModelFactory):
    class Meta:
        model = StreetSegment

    agency = factory.SubFactory(AgencyFactory)
    street = "N Oak Ave"
    street_key = factory.LazyAttribute(lambda o: " ".join(o.street.upper().split()))
    from_number = 100
    to_number = 198
    start_lat = 38.50
    start_lng = -98.01
    end_lat = 38.505
    end_lng = -98.01
