"""Where things are: boundary validation, point-in-polygon (which beat is this point in?),
address geocoding against the street index, and areas.

* ``beat_for_point(lat, lng)`` finds the beat with a spatial index (shapely's STRtree) over
  every beat boundary. The index is built once per process and rebuilt when the beats
  change: each lookup compares a cheap signature of the beats table (row count, newest
  ``updated_at``, highest id) with the one the index was built from, and the beat services
  also drop the index when a change commits.
* ``geocode_address("1234 N Oak Ave", agency=...)`` parses the house number and street,
  normalises the street name (case, punctuation, directionals, street-type suffixes) and
  interpolates the number along the street segment whose address range contains it, as
  with TIGER/Line address ranges.
* ``locate(text_or_point)`` does both: address or (lat, lng) in, beat out.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.db.models import Count, F, Max, Min
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from peelian.agency.models import Agency, Beat, StreetSegment
from peelian.core.errors import ApplicationError

# --- errors ---------------------------------------------------------------------------------


class LocationError(ApplicationError):
    """An address or point could not be placed. ``code`` says why:

    ``address_unparseable``, ``invalid_point``, ``address_ambiguous`` (400);
    ``street_not_found``, ``address_out_of_range``, ``outside_city`` (404).
    """

    NOT_FOUND_CODES = frozenset({"street_not_found", "address_out_of_range", "outside_city"})

    def __init__(self, message: Any, *, code: str, fields: dict[str, list[Any]] | None = None):
        super().__init__(
            message, code=code, fields=fields, status=404 if code in self.NOT_FOUND_CODES else 400
        )


class BoundaryError(ApplicationError):
    """A boundary is not a usable GeoJSON polygon. Codes: ``boundary_type``,
    ``boundary_malformed``, ``boundary_ring_too_short``, ``boundary_ring_not_closed``,
    ``boundary_out_of_range``, ``boundary_invalid``, ``boundary_empty``."""

    def __init__(self, message: Any, *, code: str) -> None:
        super().__init__(message, code=code, fields={"boundary": [message]})


# --- boundaries -----------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_ring(ring: Any, where: str) -> None:
    if not isinstance(ring, list):
        raise BoundaryError(
            _("%(where)s is not a list of positions.") % {"where": where},
            code="boundary_malformed",
        )
    for i, pos in enumerate(ring):
        if (
            not isinstance(pos, list | tuple)
            or len(pos) not in (2, 3)
            or not all(_is_number(v) for v in pos)
        ):
            raise BoundaryError(
                _("%(where)s, position %(i)d is not a [longitude, latitude] pair of numbers.")
                % {"where": where, "i": i + 1},
                code="boundary_malformed",
            )
        lng, lat = float(pos[0]), float(pos[1])
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            hint = ""
            if -90 <= lng <= 90 and -180 <= lat <= 180:
                hint = " " + str(_("GeoJSON puts longitude first: are the two swapped?"))
            raise BoundaryError(
                _(
                    "%(where)s, position %(i)d: longitude must be between -180 and 180 and "
                    "latitude between -90 and 90 (got %(lng)s, %(lat)s).%(hint)s"
                )
                % {"where": where, "i": i + 1, "lng": pos[0], "lat": pos[1], "hint": hint},
                code="boundary_out_of_range",
            )
    if len(ring) < 4:
        raise BoundaryError(
            _(
                "%(where)s has %(n)d positions; a ring needs at least 4 (the last one "
                "repeats the first)."
            )
            % {"where": where, "n": len(ring)},
            code="boundary_ring_too_short",
        )
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise BoundaryError(
            _("%(where)s is not closed: its last position must repeat its first.")
            % {"where": where},
            code="boundary_ring_not_closed",
        )


def validate_boundary(geometry: Any) -> dict[str, Any]:
    """Check a GeoJSON Polygon or MultiPolygon (WGS 84, longitude first) and return it as a
    plain dict. Raises ``BoundaryError`` with a specific code and message."""
    if not isinstance(geometry, Mapping) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        got = geometry.get("type") if isinstance(geometry, Mapping) else type(geometry).__name__
        raise BoundaryError(
            _("The boundary must be a GeoJSON Polygon or MultiPolygon geometry (got %(got)s).")
            % {"got": got},
            code="boundary_type",
        )
    coords: Any = geometry.get("coordinates")
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        raise BoundaryError(_("The boundary has no coordinates."), code="boundary_malformed")
    multi = geometry["type"] == "MultiPolygon"
    for p, rings in enumerate(polygons):
        if not isinstance(rings, list) or not rings:
            raise BoundaryError(
                _("Polygon %(p)d has no rings.") % {"p": p + 1}, code="boundary_malformed"
            )
        for r, ring in enumerate(rings):
            name = _("the outer ring") if r == 0 else _("hole %(h)d") % {"h": r}
            where = (
                _("Polygon %(p)d, %(ring)s") % {"p": p + 1, "ring": name}
                if multi
                else str(name).capitalize()
            )
            _check_ring(ring, str(where))
    geom = shape(geometry)
    if not geom.is_valid:
        raise BoundaryError(
            _("The boundary is not a valid polygon: %(reason)s.")
            % {"reason": explain_validity(geom)},
            code="boundary_invalid",
        )
    if geom.is_empty or geom.area <= 0:
        raise BoundaryError(_("The boundary encloses no area."), code="boundary_empty")

    def plain(rings: list[Any]) -> list[list[list[float]]]:
        return [[[float(pos[0]), float(pos[1])] for pos in ring] for ring in rings]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": plain(coords)}
    return {"type": "MultiPolygon", "coordinates": [plain(rings) for rings in coords]}


# --- areas ------------------------------------------------------------------------------------

# The authalic radius of the WGS 84 ellipsoid: a sphere of this radius has the same surface
# area as the ellipsoid, so spherical equal-area areas come within a few tenths of a percent
# of ellipsoidal ones at city scale.
AUTHALIC_RADIUS_KM = 6371.0072


def area_km2(geometry: Mapping[str, Any] | BaseGeometry) -> float:
    """Area in square kilometres.

    Method: project the lon/lat coordinates with the spherical Lambert azimuthal equal-area
    projection centred on the geometry's centroid (an exact equal-area map of the sphere),
    after cutting edges into pieces of at most 0.01 degree, then take the planar area.
    Sphere radius: WGS 84 authalic radius (6371.0072 km). Taking geodetic latitudes as
    spherical ones, the result is within 0.5% of the ellipsoidal area from the equator to
    55 degrees (about 0.1% near 38 degrees).
    """
    geom = geometry if isinstance(geometry, BaseGeometry) else shape(geometry)
    if geom.is_empty:
        return 0.0
    centre = geom.centroid
    lam0, phi1 = math.radians(centre.x), math.radians(centre.y)
    sin1, cos1 = math.sin(phi1), math.cos(phi1)

    def project(xy: np.ndarray) -> np.ndarray:
        lam = np.radians(xy[:, 0]) - lam0
        phi = np.radians(xy[:, 1])
        cos_c = sin1 * np.sin(phi) + cos1 * np.cos(phi) * np.cos(lam)
        k = np.sqrt(2.0 / (1.0 + cos_c))
        x = AUTHALIC_RADIUS_KM * k * np.cos(phi) * np.sin(lam)
        y = AUTHALIC_RADIUS_KM * k * (cos1 * np.sin(phi) - sin1 * np.cos(phi) * np.cos(lam))
        return np.column_stack([x, y])

    # GeoJSON edges are straight in longitude/latitude (RFC 7946, 3.1.1); they curve once
    # projected, so edges are first cut into pieces of at most 0.01 degree.
    dense = shapely.segmentize(geom, max_segment_length=0.01)
    return float(shapely.transform(dense, project).area)


# --- point in polygon -----------------------------------------------------------------------


@dataclass(frozen=True)
class _BeatIndex:
    signature: tuple[Any, ...]
    tree: shapely.STRtree
    beat_ids: tuple[int, ...]
    order: tuple[tuple[str, str], ...]  # (district code, beat code): ties on shared edges


_index_cache: dict[int | None, _BeatIndex] = {}
_index_lock = threading.Lock()


def invalidate_beat_index() -> None:
    """Forget every built index (the next lookup rebuilds). Called by the beat services on
    commit; the signature check covers changes made by other processes."""
    with _index_lock:
        _index_cache.clear()


def _beats(agency: Agency | None) -> Any:
    qs = Beat.objects.all()
    if agency is not None:
        qs = qs.filter(district__agency=agency)
    return qs


def _signature(agency: Agency | None) -> tuple[Any, ...]:
    agg = _beats(agency).aggregate(n=Count("id"), latest=Max("updated_at"), top=Max("id"))
    return (agg["n"], agg["latest"], agg["top"])


def _beat_index(agency: Agency | None) -> _BeatIndex:
    key = agency.pk if agency is not None else None
    signature = _signature(agency)
    index = _index_cache.get(key)
    if index is not None and index.signature == signature:
        return index
    rows = list(
        _beats(agency).values_list("id", "boundary", "district__code", "code").order_by("id")
    )
    geoms = [shape(boundary) for _id, boundary, _d, _c in rows]
    index = _BeatIndex(
        signature=signature,
        tree=shapely.STRtree(geoms),
        beat_ids=tuple(r[0] for r in rows),
        order=tuple((r[2], r[3]) for r in rows),
    )
    with _index_lock:
        _index_cache[key] = index
    return index


def check_point(lat: Any, lng: Any) -> tuple[float, float]:
    """Return (lat, lng) as floats, or raise ``LocationError('invalid_point')``."""
    try:
        lat_f, lng_f = float(lat), float(lng)
    except (TypeError, ValueError):
        raise LocationError(
            _("Latitude and longitude must be numbers."), code="invalid_point"
        ) from None
    if not (math.isfinite(lat_f) and math.isfinite(lng_f)):
        raise LocationError(_("Latitude and longitude must be numbers."), code="invalid_point")
    if not -90 <= lat_f <= 90:
        raise LocationError(
            _("Latitude must be between -90 and 90."),
            code="invalid_point",
            fields={"lat": [_("Latitude must be between -90 and 90.")]},
        )
    if not -180 <= lng_f <= 180:
        raise LocationError(
            _("Longitude must be between -180 and 180."),
            code="invalid_point",
            fields={"lng": [_("Longitude must be between -180 and 180.")]},
        )
    return lat_f, lng_f


def beat_for_point(lat: float, lng: float, *, agency: Agency | None = None) -> Beat | None:
    """The beat whose boundary covers the point (boundary included), or None. A point on an
    edge shared by two beats goes to the first by (district code, beat code)."""
    lat, lng = check_point(lat, lng)
    index = _beat_index(agency)
    if not index.beat_ids:
        return None
    hits = index.tree.query(Point(lng, lat), predicate="covered_by")
    if len(hits) == 0:
        return None
    best = min((int(i) for i in hits), key=lambda i: index.order[i])
    return Beat.objects.select_related("district").filter(pk=index.beat_ids[best]).first()


# --- addresses --------------------------------------------------------------------------------

DIRECTIONALS = {
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "NORTHEAST": "NE",
    "NORTHWEST": "NW",
    "SOUTHEAST": "SE",
    "SOUTHWEST": "SW",
}
# USPS standard street-suffix abbreviations (Publication 28, appendix C1) for common types.
SUFFIXES = {
    "ALLEY": "ALY",
    "AVENUE": "AVE",
    "AV": "AVE",
    "AVEN": "AVE",
    "BOULEVARD": "BLVD",
    "BOUL": "BLVD",
    "CIRCLE": "CIR",
    "COURT": "CT",
    "DRIVE": "DR",
    "DRV": "DR",
    "EXPRESSWAY": "EXPY",
    "HIGHWAY": "HWY",
    "LANE": "LN",
    "PARKWAY": "PKWY",
    "PKY": "PKWY",
    "PLACE": "PL",
    "PLAZA": "PLZ",
    "ROAD": "RD",
    "SQUARE": "SQ",
    "STREET": "ST",
    "STR": "ST",
    "TERRACE": "TER",
    "TRAIL": "TRL",
}
ORDINALS = {
    "FIRST": "1ST",
    "SECOND": "2ND",
    "THIRD": "3RD",
    "FOURTH": "4TH",
    "FIFTH": "5TH",
    "SIXTH": "6TH",
    "SEVENTH": "7TH",
    "EIGHTH": "8TH",
    "NINTH": "9TH",
    "TENTH": "10TH",
    "ELEVENTH": "11TH",
    "TWELFTH": "12TH",
}
_ABBREVIATIONS = {**DIRECTIONALS, **SUFFIXES, **ORDINALS}
_SHORT_DIRECTIONALS = frozenset(DIRECTIONALS.values())
_SHORT_SUFFIXES = frozenset(SUFFIXES.values())
_UNIT_WORDS = frozenset({"APT", "APARTMENT", "UNIT", "STE", "SUITE", "FL", "FLOOR", "RM", "ROOM"})
_HOUSE_NUMBER = re.compile(r"^(\d{1,9})(?:-?[A-Z]|-\d{1,6})?$")


def _tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).upper()
    text = re.sub(r"['\u2019]", "", text)  # O'Hare -> OHARE
    text = re.sub(r"[^\w#]+", " ", text).replace("_", " ")
    return text.split()


def normalise_street(name: str) -> str:
    """The matching key of a street name: upper case, no punctuation, standard
    abbreviations for directionals (North -> N), street types (Avenue -> AVE) and spelled-out
    ordinals (First -> 1ST). Stored segments and typed addresses use the same key."""
    return " ".join(_ABBREVIATIONS.get(t, t) for t in _tokens(name))


def _street_core(key: str) -> str:
    """The key without a leading or trailing directional and a trailing street type, for a
    second, looser match ("Oak" finds "N OAK AVE")."""
    parts = key.split()
    if len(parts) > 1 and parts[0] in _SHORT_DIRECTIONALS:
        parts = parts[1:]
    if len(parts) > 1 and parts[-1] in _SHORT_DIRECTIONALS:
        parts = parts[:-1]
    if len(parts) > 1 and parts[-1] in _SHORT_SUFFIXES:
        parts = parts[:-1]
    return " ".join(parts)


@dataclass(frozen=True)
class ParsedAddress:
    number: int
    street_key: str


def parse_address(text: str) -> ParsedAddress:
    """Split "1234 N. Oak Avenue, Apt 3, Springfield" into (1234, "N OAK AVE"). Anything
    after the first comma (city, state, ZIP) and unit designators are dropped."""
    head = (text or "").split(",", 1)[0].strip()
    first, _sep, rest = head.partition(" ")
    rest = re.sub(r"^\s*1/2\b", "", rest)  # 1234 1/2 Oak St: the half-number is dropped
    match = _HOUSE_NUMBER.match(first.upper())
    if not head:
        raise LocationError(
            _("Enter an address, such as 1234 N Oak Ave."),
            code="address_unparseable",
            fields={"address": [_("Enter an address, such as 1234 N Oak Ave.")]},
        )
    if match is None:
        raise LocationError(
            _("Start the address with the house number, such as 1234 N Oak Ave."),
            code="address_unparseable",
            fields={"address": [_("Start with the house number, such as 1234 N Oak Ave.")]},
        )
    tokens: list[str] = []
    for token in _tokens(rest):
        if token.startswith("#") or token in _UNIT_WORDS:
            break
        tokens.append(_ABBREVIATIONS.get(token, token))
    if not tokens:
        raise LocationError(
            _("Add the street name after the house number."),
            code="address_unparseable",
            fields={"address": [_("Add the street name after the house number.")]},
        )
    return ParsedAddress(number=int(match.group(1)), street_key=" ".join(tokens))


@dataclass(frozen=True)
class GeocodeMatch:
    lat: float
    lng: float
    number: int
    street: str  # the street's name as stored
    segment: StreetSegment

    @property
    def label(self) -> str:
        return f"{self.number} {self.street}"


def interpolate(segment: StreetSegment, number: int) -> tuple[float, float]:
    """Linear interpolation of ``number`` between the segment's ends (lat, lng); a segment
    with a single number gives its midpoint."""
    span = segment.to_number - segment.from_number
    t = 0.5 if span == 0 else (number - segment.from_number) / span
    t = min(1.0, max(0.0, t))
    return (
        segment.start_lat + t * (segment.end_lat - segment.start_lat),
        segment.start_lng + t * (segment.end_lng - segment.start_lng),
    )


def _segments(agency: Agency | None) -> Any:
    qs = StreetSegment.objects.all()
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs


def _containing(qs: Any, number: int) -> Any:
    # The narrowest range first: overlapping ranges resolve to the most specific segment.
    return qs.filter(from_number__lte=number, to_number__gte=number).order_by(
        F("to_number") - F("from_number"), "id"
    )


def geocode_address(text: str, *, agency: Agency | None) -> GeocodeMatch:
    """Geocode a street address against the street index (of ``agency``, or of all
    agencies when None). Raises ``LocationError`` with a specific code when it cannot."""
    parsed = parse_address(text)
    segments = _segments(agency)
    keys = [parsed.street_key]
    if not segments.filter(street_key=parsed.street_key).exists():
        core = _street_core(parsed.street_key)
        keys = sorted(
            k
            for k in segments.filter(street_key__contains=core)
            .values_list("street_key", flat=True)
            .distinct()
            if _street_core(k) == core
        )
        if not keys:
            raise LocationError(
                _("We don't know a street called “%(street)s”. Check the spelling.")
                % {"street": parsed.street_key.title()},
                code="street_not_found",
                fields={"address": [_("Unknown street.")]},
            )
    found = list(_containing(segments.filter(street_key__in=keys), parsed.number)[:20])
    streets = sorted({s.street_key for s in found})
    if len(streets) > 1:
        names = ", ".join(f"{parsed.number} {k.title()}" for k in streets)
        raise LocationError(
            _(
                "That address could be on more than one street: %(names)s. Add the direction "
                "or the street type."
            )
            % {"names": names},
            code="address_ambiguous",
            fields={"address": [_("More than one street matches.")]},
        )
    if not found:
        bounds = segments.filter(street_key__in=keys).aggregate(
            low=Min("from_number"), high=Max("to_number")
        )
        raise LocationError(
            _(
                "There is no number %(number)d on %(street)s: its numbers run from %(low)d to "
                "%(high)d."
            )
            % {
                "number": parsed.number,
                "street": keys[0].title(),
                "low": bounds["low"],
                "high": bounds["high"],
            },
            code="address_out_of_range",
            fields={"address": [_("No such house number on that street.")]},
        )
    segment = found[0]
    lat, lng = interpolate(segment, parsed.number)
    return GeocodeMatch(
        lat=lat, lng=lng, number=parsed.number, street=segment.street, segment=segment
    )


# --- locate -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    beat: Beat
    lat: float
    lng: float
    match: GeocodeMatch | None  # set when the query was an address


def locate(query: str | Sequence[float], *, agency: Agency | None = None) -> Location:
    """An address, or a (lat, lng) pair, to its beat. Raises ``LocationError``; a place
    outside every beat gives ``outside_city``."""
    match: GeocodeMatch | None = None
    if isinstance(query, str):
        match = geocode_address(query, agency=agency)
        lat, lng = match.lat, match.lng
    else:
        if len(query) != 2:
            raise LocationError(_("Give a latitude and a longitude."), code="invalid_point")
        lat, lng = check_point(query[0], query[1])
    beat = beat_for_point(lat, lng, agency=agency)
    if beat is None:
        raise LocationError(
            _("That place is outside the city's beats."),
            code="outside_city",
        )
    return Location(beat=beat, lat=lat, lng=lng, match=match)
