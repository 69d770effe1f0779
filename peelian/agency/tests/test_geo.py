"""Boundaries, areas, point-in-polygon, address parsing and geocoding."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peelian.agency import geo, services
from peelian.agency.geo import (
    BoundaryError,
    LocationError,
    area_km2,
    beat_for_point,
    geocode_address,
    locate,
    normalise_street,
    parse_address,
    validate_boundary,
)
from peelian.agency.tests.conftest import EAST, MID_LAT, MID_LNG, NORTH, SOUTH, WEST
from peelian.agency.tests.factories import BeatFactory, DistrictFactory, rectangle

# --- boundaries -----------------------------------------------------------------------------

SQUARE = rectangle(-98.0, 38.5, -97.99, 38.51)


def test_valid_polygon_and_multipolygon_pass():
    assert validate_boundary(SQUARE)["type"] == "Polygon"
    multi = {
        "type": "MultiPolygon",
        "coordinates": [
            rectangle(0, 0, 1, 1)["coordinates"],
            rectangle(2, 0, 3, 1)["coordinates"],
        ],
    }
    assert validate_boundary(multi)["type"] == "MultiPolygon"


def test_polygon_with_hole_passes():
    geometry = {
        "type": "Polygon",
        "coordinates": [
            rectangle(0, 0, 10, 10)["coordinates"][0],
            rectangle(4, 4, 6, 6)["coordinates"][0],
        ],
    }
    assert validate_boundary(geometry)["coordinates"][1]


@pytest.mark.parametrize(
    ("geometry", "code"),
    [
        (None, "boundary_type"),
        ("POLYGON((0 0, 1 0, 1 1, 0 0))", "boundary_type"),
        ({"type": "Point", "coordinates": [0, 0]}, "boundary_type"),
        ({"type": "Polygon"}, "boundary_malformed"),
        ({"type": "Polygon", "coordinates": []}, "boundary_malformed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], "x", [0, 0]]]}, "boundary_malformed"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, True], [1, 1], [0, 0]]]},
            "boundary_malformed",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "boundary_ring_too_short"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]},
            "boundary_ring_not_closed",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [181, 0], [1, 1], [0, 0]]]},
            "boundary_out_of_range",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 91], [0, 0]]]},
            "boundary_out_of_range",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [float("nan"), 0], [1, 1], [0, 0]]]},
            "boundary_out_of_range",
        ),
        # A bow tie crosses itself.
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "boundary_invalid",
        ),
        # All on one line: no area (GEOS calls it invalid too).
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]},
            "boundary_invalid",
        ),
    ],
)
def test_bad_boundaries_are_refused_with_a_specific_code(geometry, code):
    with pytest.raises(BoundaryError) as info:
        validate_boundary(geometry)
    assert info.value.code == code
    assert info.value.fields == {"boundary": [info.value.message]}


def test_swapped_coordinates_get_a_hint():
    # Latitude first: 38.5, -98.0 reads as longitude 38.5, latitude -98 (out of range).
    swapped = {
        "type": "Polygon",
        "coordinates": [[[38.5, -98.0], [38.6, -98.0], [38.6, -97.9], [38.5, -98.0]]],
    }
    with pytest.raises(BoundaryError) as info:
        validate_boundary(swapped)
    assert "swapped" in str(info.value.message)


def test_self_intersection_message_says_where():
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(BoundaryError) as info:
        validate_boundary(bow_tie)
    assert "Self-intersection" in str(info.value.message)


# --- areas ----------------------------------------------------------------------------------


def test_area_of_a_one_degree_cell_matches_the_spherical_zone_formula():
    # The exact area of a lon/lat cell on a sphere: R^2 * dlon * (sin(lat2) - sin(lat1)).
    r = geo.AUTHALIC_RADIUS_KM
    for lat in (0.0, 38.0, 60.0):
        expected = (
            r
            * r
            * math.radians(1.0)
            * (math.sin(math.radians(lat + 1)) - math.sin(math.radians(lat)))
        )
        got = area_km2(rectangle(-98.0, lat, -97.0, lat + 1))
        assert got == pytest.approx(expected, rel=1e-6)


def test_area_at_city_scale():
    # 0.02 deg x 0.02 deg at 38.5 N: about 2.22 km x 1.74 km.
    r = geo.AUTHALIC_RADIUS_KM
    expected = (
        r * r * math.radians(0.02) * (math.sin(math.radians(38.52)) - math.sin(math.radians(38.5)))
    )
    assert area_km2(rectangle(-98.02, 38.5, -98.0, 38.52)) == pytest.approx(expected, rel=1e-7)
    assert 3.8 < expected < 3.9


# --- point in polygon -----------------------------------------------------------------------


def test_beat_for_point_finds_each_beat(city):
    assert beat_for_point(38.49, -98.02) == city.beats["11"]
    assert beat_for_point(38.51, -98.02) == city.beats["12"]
    assert beat_for_point(38.49, -97.98) == city.beats["21"]
    assert beat_for_point(38.51, -97.98) == city.beats["22"]
    assert beat_for_point(38.51, -97.98, agency=city.agency) == city.beats["22"]


def test_point_outside_every_beat_is_none(city):
    assert beat_for_point(38.60, -98.0) is None
    assert beat_for_point(0, 0) is None


def test_point_on_a_shared_edge_goes_to_the_first_beat_by_code(city):
    # The corner where all four beats meet.
    assert beat_for_point(MID_LAT, MID_LNG) == city.beats["11"]
    # The edge between 21 and 22.
    assert beat_for_point(MID_LAT, -97.98) == city.beats["21"]


def test_no_beats_at_all(db):
    assert beat_for_point(38.5, -98.0) is None


def test_other_agency_beats_are_not_searched(city):
    other = BeatFactory(boundary=rectangle(10, 10, 11, 11))
    assert beat_for_point(10.5, 10.5) == other
    assert beat_for_point(10.5, 10.5, agency=city.agency) is None


@pytest.mark.parametrize(("lat", "lng"), [(91, 0), (0, -181), ("x", 0), (float("nan"), 0)])
def test_invalid_points_are_refused(db, lat, lng):
    with pytest.raises(LocationError) as info:
        beat_for_point(lat, lng)
    assert info.value.code == "invalid_point"
    assert info.value.status == 400


def test_index_follows_boundary_changes(city, make_user):
    admin = make_user("administrator")
    assert beat_for_point(38.51, -98.02) == city.beats["12"]
    # Beat 22 grows west over the northern half of 12's area...
    services.beat_update(
        actor=admin,
        beat=city.beats["22"],
        data={"boundary": rectangle(-98.03, MID_LAT, EAST, NORTH)},
    )
    # ...12 still covers the point too, but now 12 and 22 overlap: the first by code wins.
    assert beat_for_point(38.51, -98.02) == city.beats["12"]
    services.beat_update(
        actor=admin,
        beat=city.beats["12"],
        data={"boundary": rectangle(WEST, MID_LAT, -98.03, NORTH)},
    )
    assert beat_for_point(38.51, -98.02) == city.beats["22"]


def test_index_follows_new_beats(city):
    assert beat_for_point(38.55, -98.0) is None
    new = BeatFactory(district=city.d1, code="13", boundary=rectangle(-98.01, 38.54, -97.99, 38.56))
    assert beat_for_point(38.55, -98.0) == new


@pytest.mark.django_db
def test_property_points_inside_a_beat_resolve_to_it():
    """Irregular beats: an L shape, a ring with a hole, the beat in the hole, a triangle.
    Sample points are built inside each shape by construction (not by asking shapely)."""
    district = DistrictFactory(boundary=rectangle(0, 0, 10, 10))
    l_shape = BeatFactory(
        district=district,
        code="L",
        boundary={
            "type": "Polygon",
            "coordinates": [[[0, 0], [4, 0], [4, 2], [2, 2], [2, 6], [0, 6], [0, 0]]],
        },
    )
    ring = BeatFactory(
        district=district,
        code="R",
        boundary={
            "type": "Polygon",
            "coordinates": [
                [[5, 5], [9, 5], [9, 9], [5, 9], [5, 5]],
                [[6, 6], [6, 8], [8, 8], [8, 6], [6, 6]],
            ],
        },
    )
    hole = BeatFactory(district=district, code="H", boundary=rectangle(6, 6, 8, 8))
    triangle = BeatFactory(
        district=district,
        code="T",
        boundary={"type": "Polygon", "coordinates": [[[5, 0], [9, 0], [5, 4], [5, 0]]]},
    )
    inner = st.floats(min_value=0.01, max_value=0.99)

    def in_l(u, v, part):  # the L is a 4x2 bar plus a 2x4 column on top of it
        return (u * 4, v * 2) if part else (u * 2, 2 + v * 4)

    def in_ring(u, v, side):  # the four 1-wide strips around the hole
        return [
            (5 + u * 4, 5 + v * 1),
            (5 + u * 4, 8 + v * 1),
            (5 + u * 1, 6 + v * 2),
            (8 + u * 1, 6 + v * 2),
        ][side]

    def in_triangle(u, v):  # barycentric, kept off the edges
        if u + v >= 0.98:
            u, v = u / 2, v / 2
        return (5 + 4 * u, 4 * v)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(u=inner, v=inner, which=st.integers(0, 6))
    def check(u, v, which):
        if which <= 1:
            (x, y), expected = in_l(u, v, which), l_shape
        elif which <= 5:
            (x, y), expected = in_ring(u, v, which - 2), ring
        else:
            (x, y), expected = in_triangle(u, v), triangle
        assert beat_for_point(y, x) == expected

    @settings(max_examples=50, deadline=None)
    @given(u=inner, v=inner)
    def check_hole(u, v):
        assert beat_for_point(6 + 2 * v, 6 + 2 * u) == hole

    check()
    check_hole()


@pytest.mark.django_db
def test_property_points_outside_the_city_resolve_to_none(city):
    @settings(max_examples=150, deadline=None)
    @given(
        lat=st.floats(min_value=-90, max_value=90, allow_nan=False),
        lng=st.floats(min_value=-180, max_value=180, allow_nan=False),
    )
    def check(lat, lng):
        inside = SOUTH <= lat <= NORTH and WEST <= lng <= EAST
        if inside:
            return
        assert beat_for_point(lat, lng) is None

    @settings(max_examples=100, deadline=None)
    @given(
        lat=st.floats(min_value=SOUTH - 0.5, max_value=NORTH + 0.5, allow_nan=False),
        lng=st.floats(min_value=WEST - 0.5, max_value=EAST + 0.5, allow_nan=False),
    )
    def check_near(lat, lng):  # the interesting outside points are the ones close by
        inside = SOUTH <= lat <= NORTH and WEST <= lng <= EAST
        assert (beat_for_point(lat, lng) is not None) == inside

    check()
    check_near()


# --- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "key"),
    [
        ("1234 N Oak Ave", 1234, "N OAK AVE"),
        ("1234 north oak avenue", 1234, "N OAK AVE"),
        ("1234 N. Oak Ave., Springfield, KS 67000", 1234, "N OAK AVE"),
        ("  1234   N   OAK   AV  ", 1234, "N OAK AVE"),
        ("1234B N Oak Ave", 1234, "N OAK AVE"),
        ("12-34 Oak Ave", 12, "OAK AVE"),
        ("1234 1/2 Oak Ave", 1234, "OAK AVE"),
        ("1234 N Oak Ave Apt 5", 1234, "N OAK AVE"),
        ("1234 N Oak Ave #5", 1234, "N OAK AVE"),
        ("500 Martin Luther King Jr Boulevard", 500, "MARTIN LUTHER KING JR BLVD"),
        ("77 First Street", 77, "1ST ST"),
        ("77 O'Hare Drive", 77, "OHARE DR"),
        ("9 Southwest Trail Road", 9, "SW TRL RD"),
    ],
)
def test_parse_address(text, number, key):
    parsed = parse_address(text)
    assert (parsed.number, parsed.street_key) == (number, key)


@pytest.mark.parametrize(
    "text", ["", "   ", "Oak Ave", "N 1234 Oak Ave", "1234", "1234 , Oak", "12x4 Oak"]
)
def test_unparseable_addresses(text):
    with pytest.raises(LocationError) as info:
        parse_address(text)
    assert info.value.code == "address_unparseable"
    assert info.value.status == 400
    assert info.value.fields["address"]


DIRECTIONS = {"N": ["N", "n", "N.", "North", "NORTH", "north"], "S": ["S", "South", "s."]}
SUFFIXES = {"AVE": ["Ave", "AVE", "Avenue", "av", "Ave."], "ST": ["St", "Street", "st.", "STR"]}


@given(
    number=st.integers(min_value=1, max_value=999_999),
    direction=st.sampled_from(sorted(DIRECTIONS)),
    suffix=st.sampled_from(sorted(SUFFIXES)),
    name=st.sampled_from(["Oak", "Maple", "Martin Luther King", "Elm"]),
    data=st.data(),
)
def test_property_spelling_variants_normalise_to_one_key(number, direction, suffix, name, data):
    d = data.draw(st.sampled_from(DIRECTIONS[direction]))
    s = data.draw(st.sampled_from(SUFFIXES[suffix]))
    case = data.draw(st.sampled_from([str.lower, str.upper, str.title, lambda x: x]))
    text = case(f"{number} {d} {name} {s}")
    parsed = parse_address(text)
    assert parsed.number == number
    assert parsed.street_key == f"{direction} {name.upper()} {suffix}"
    assert normalise_street(parsed.street_key) == parsed.street_key  # idempotent


def test_geocode_interpolates_along_the_block(city):
    match = geocode_address("150 N Oak Ave", agency=city.agency)
    # 150 is (150 - 100) / 98 of the way along the first block (38.501 -> 38.506).
    assert match.lat == pytest.approx(38.501 + 0.005 * 50 / 98)
    assert match.lng == pytest.approx(-98.01)
    assert match.street == "N Oak Ave"
    assert (match.segment.from_number, match.segment.to_number) == (100, 198)
    assert match.label == "150 N Oak Ave"


def test_geocode_normalises_spelling(city):
    a = geocode_address("250 north oak avenue", agency=city.agency)
    b = geocode_address("250 N. OAK AVE.", agency=city.agency)
    assert (a.lat, a.lng) == (b.lat, b.lng)
    assert geocode_address("120 East Main St", agency=city.agency).street == "E Main Street"


def test_geocode_loose_match_without_direction_or_type(city):
    # "Main" alone: only one street has that core name.
    assert geocode_address("120 Main", agency=city.agency).street == "E Main Street"
    assert geocode_address("120 Main St", agency=city.agency).street == "E Main Street"


def test_geocode_ambiguous_without_direction(city):
    with pytest.raises(LocationError) as info:
        geocode_address("150 Oak Ave", agency=city.agency)
    assert info.value.code == "address_ambiguous"
    assert "N Oak Ave" in str(info.value.message)
    assert "S Oak Ave" in str(info.value.message)


def test_geocode_unknown_street(city):
    with pytest.raises(LocationError) as info:
        geocode_address("150 Nowhere Rd", agency=city.agency)
    assert info.value.code == "street_not_found"
    assert info.value.status == 404


def test_geocode_number_out_of_range(city):
    with pytest.raises(LocationError) as info:
        geocode_address("950 N Oak Ave", agency=city.agency)
    assert info.value.code == "address_out_of_range"
    assert "100" in str(info.value.message)
    assert "398" in str(info.value.message)


def test_geocode_gap_between_ranges(city):
    with pytest.raises(LocationError) as info:
        geocode_address("199 N Oak Ave", agency=city.agency)  # blocks are 100-198, 200-298
    assert info.value.code == "address_out_of_range"


def test_geocode_other_agency_streets_are_not_used(city):
    from peelian.agency.tests.factories import AgencyFactory

    other = AgencyFactory()
    with pytest.raises(LocationError) as info:
        geocode_address("150 N Oak Ave", agency=other)
    assert info.value.code == "street_not_found"


@given(offset=st.integers(min_value=0, max_value=98))
def test_property_geocoded_points_lie_on_their_block(offset):
    from peelian.agency.models import StreetSegment

    segment = StreetSegment(
        street="X",
        from_number=300,
        to_number=398,
        start_lat=38.5,
        start_lng=-98.0,
        end_lat=38.51,
        end_lng=-97.97,
    )
    lat, lng = geo.interpolate(segment, 300 + offset)
    t = offset / 98
    assert lat == pytest.approx(38.5 + t * 0.01)
    assert lng == pytest.approx(-98.0 + t * 0.03)
    assert min(38.5, 38.51) <= lat <= max(38.5, 38.51)


def test_single_number_segment_gives_its_midpoint():
    from peelian.agency.models import StreetSegment

    segment = StreetSegment(
        from_number=5, to_number=5, start_lat=0, start_lng=0, end_lat=2, end_lng=4
    )
    assert geo.interpolate(segment, 5) == (1.0, 2.0)


# --- locate ---------------------------------------------------------------------------------


def test_locate_address_and_point(city):
    found = locate("150 N Oak Ave")
    assert found.beat == city.beats["12"]
    assert found.match is not None
    point = locate((38.49, -97.98))
    assert point.beat == city.beats["21"]
    assert point.match is None
    assert locate("250 S Oak Ave").beat == city.beats["11"]
    assert locate("250 E Main St").beat == city.beats["22"]


def test_locate_outside_the_city(city):
    with pytest.raises(LocationError) as info:
        locate((40.0, -98.0))
    assert info.value.code == "outside_city"
    assert info.value.status == 404


def test_locate_address_whose_street_leaves_the_city(city):
    from peelian.agency.tests.conftest import street

    street(city.agency, "Far Rd", 100, 1, (39.0, -98.0), (0.0, 0.01))
    with pytest.raises(LocationError) as info:
        locate("150 Far Rd")
    assert info.value.code == "outside_city"


def test_locate_bad_pair(db):
    with pytest.raises(LocationError) as info:
        locate((1.0, 2.0, 3.0))
    assert info.value.code == "invalid_point"
