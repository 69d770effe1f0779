"""The agency's share of the synthetic city: a fictional city (Calder Falls, Kansas) with a
boundary, districts and beats, census-like beat demographics, a street grid with address
ranges, the department's units, and its officers with their careers.

Everything is drawn from the step's seeded random sources (``ctx.rng``, ``ctx.np_rng``,
``ctx.faker_*``) and dated relative to ``ctx.as_of``: the same size and seed give the same
city. The distributions, their parameters and the planted effects are documented in
docs/data/synthetic-city.md; keep the two in step.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.prepared import prep

from peelian.agency.geo import normalise_street
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

# --- The city ------------------------------------------------------------------------------
# Calder Falls is fictional. Its centre sits in open country in central Kansas, away from
# any real town's centre.
CITY_NAME = "Calder Falls"
STATE = "KS"
AGENCY_NAME = "Calder Falls Police Department"
AGENCY_SLUG = "calder-falls-pd"
CENTER_LAT = 38.4712
CENTER_LNG = -98.1537
TIMEZONE = "America/Chicago"

METRES_PER_DEGREE_LAT = 111_320.0
BLOCK_METRES = 250.0  # one block, both directions; house numbers advance 100 per block

# --- Residents: city-wide shares the beat figures are calibrated to --------------------------
RESIDENT_RACES = [r for r in RACES if r != "unknown"]
RESIDENT_SHARES = {
    "asian/pacific islander": 0.055,
    "black": 0.25,
    "hispanic": 0.30,
    "white": 0.36,
    "other": 0.035,
}
# --- The workforce: less diverse than the city (the planted representation gap) --------------
WORKFORCE_SHARES = {
    "asian/pacific islander": 0.05,
    "black": 0.14,
    "hispanic": 0.15,
    "white": 0.63,
    "other": 0.03,
}
FEMALE_SHARE = 0.13
LEAVE_SHARE = 0.04
SEPARATED_PER_CURRENT = 0.35  # separated officers kept on file, per current officer
CAREER_YEARS = 30
MEAN_TENURE_YEARS = 9.0  # current officers' years of service ~ Exponential, capped at 30
ACADEMY_DAYS = (150, 200)
RETIREMENT_AGE = 64

# Ranks, lowest to highest, with the minimum years of service for promotion to each.
LADDER = ["officer", "sergeant", "lieutenant", "captain", "commander", "deputy_chief", "chief"]
MIN_YEARS = {
    "detective": 3,
    "sergeant": 5,
    "lieutenant": 9,
    "captain": 12,
    "commander": 15,
    "deputy_chief": 18,
    "chief": 20,
}

# Where each rank works (weights by unit kind; "patrol" is spread over the districts in
# proportion to their residents).
UNIT_WEIGHTS: dict[str, dict[str, float]] = {
    "officer": {
        "patrol": 82,
        "traffic": 6,
        "special": 5,
        "community": 4,
        "training": 2,
        "administration": 1,
    },
    "detective": {"investigations": 75, "professional_standards": 12, "special": 8, "traffic": 5},
    "sergeant": {
        "patrol": 68,
        "investigations": 8,
        "special": 7,
        "traffic": 6,
        "professional_standards": 4,
        "training": 3,
        "community": 2,
        "administration": 2,
    },
    "lieutenant": {
        "patrol": 60,
        "investigations": 12,
        "special": 7,
        "professional_standards": 6,
        "traffic": 5,
        "training": 4,
        "community": 3,
        "administration": 3,
    },
    "captain": {
        "patrol": 40,
        "investigations": 15,
        "professional_standards": 10,
        "special": 10,
        "training": 8,
        "traffic": 7,
        "community": 5,
        "administration": 5,
    },
    "commander": {"administration": 40, "patrol": 30, "investigations": 20, "special": 10},
    "deputy_chief": {"administration": 100},
    "chief": {"administration": 100},
}

UNITS = [
    # (code, name, kind)
    ("INV", "Criminal Investigations Division", "investigations"),
    ("TRF", "Traffic Division", "traffic"),
    ("CAF", "Community Affairs Division", "community"),
    ("PSD", "Professional Standards Division", "professional_standards"),
    ("TRN", "Training Academy", "training"),
    ("SOD", "Special Operations Division", "special"),
    ("ADM", "Office of the Chief and Administration", "administration"),
]

# North-south streets take these names outward from Main St (shuffled per seed).
# fmt: off
TREES = [
    "Oak", "Maple", "Elm", "Pine", "Cedar", "Birch", "Walnut", "Hickory", "Ash", "Willow",
    "Aspen", "Cherry", "Chestnut", "Cypress", "Dogwood", "Hawthorn", "Juniper", "Laurel",
    "Linden", "Locust", "Magnolia", "Mulberry", "Pecan", "Poplar", "Redbud", "Redwood",
    "Sassafras", "Spruce", "Sycamore", "Tamarack", "Hemlock", "Holly", "Alder", "Beech",
    "Buckeye", "Catalpa", "Cottonwood", "Hackberry", "Larch", "Persimmon", "Plum", "Peach",
    "Apple", "Olive", "Palmetto", "Sumac",
]
PRESIDENTS = [
    "Washington", "Adams", "Jefferson", "Madison", "Monroe", "Jackson", "Harrison", "Tyler",
    "Polk", "Taylor", "Fillmore", "Pierce", "Buchanan", "Lincoln", "Johnson", "Grant", "Hayes",
    "Garfield", "Arthur", "Cleveland", "McKinley", "Roosevelt", "Taft", "Wilson", "Harding",
    "Coolidge", "Hoover", "Truman", "Eisenhower", "Kennedy", "Nixon", "Ford", "Carter",
]
BIRDS = [
    "Robin", "Cardinal", "Oriole", "Sparrow", "Wren", "Finch", "Lark", "Heron", "Crane", "Falcon",
    "Hawk", "Eagle", "Osprey", "Swallow", "Bluebird", "Meadowlark", "Kingfisher", "Warbler",
    "Thrush", "Dove", "Quail", "Pheasant", "Egret", "Kestrel", "Plover", "Tanager", "Bunting",
    "Starling", "Vireo", "Grosbeak",
]
FLOWERS = [
    "Aster", "Clover", "Daisy", "Iris", "Lilac", "Lily", "Lotus", "Poppy", "Primrose", "Rose",
    "Sage", "Tulip", "Violet", "Yarrow", "Zinnia", "Dahlia", "Fern", "Heather", "Jasmine",
    "Marigold", "Orchid", "Peony", "Sunflower", "Thistle", "Goldenrod", "Bluestem", "Larkspur",
    "Columbine", "Foxglove", "Hyacinth",
]
STONES = [
    "Granite", "Marble", "Quartz", "Garnet", "Jasper", "Onyx", "Opal", "Amber", "Coral", "Flint",
    "Slate", "Cobalt", "Copper", "Silver", "Bronze", "Ivory", "Pearl", "Topaz", "Agate", "Beryl",
]
LANDSCAPE = [
    "Prairie", "Meadow", "Summit", "Ridge", "Canyon", "Harbor", "Valley", "Bluff", "Orchard",
    "Grove", "Sunset", "Highland", "Lakeview", "Fairview", "Hillcrest", "Brookside", "Riverside",
    "Woodland", "Greenway", "Westwood",
]
# fmt: on
STREET_NAMES = TREES + PRESIDENTS + BIRDS + FLOWERS + STONES + LANDSCAPE
# Suffixes of the named streets, with weights. Abbreviations are the USPS ones.
NAMED_SUFFIXES = (("Ave", 55), ("St", 30), ("Blvd", 5), ("Dr", 5), ("Rd", 5))

# fmt: off
ASIAN_SURNAMES = [
    "Nguyen", "Tran", "Le", "Pham", "Kim", "Lee", "Park", "Choi", "Chen", "Wang", "Li", "Zhang",
    "Liu", "Huang", "Wu", "Patel", "Shah", "Singh", "Gupta", "Kumar", "Santos", "Reyes", "Cruz",
    "Bautista", "Tanaka", "Sato", "Suzuki", "Yamamoto", "Vang", "Xiong", "Lor", "Her", "Kealoha",
    "Fifita", "Tupou",
]
# fmt: on

DISTRICT_NAMES = {
    "Central": ["Downtown", "Old Town", "Union Station"],
    "North": ["Northpark", "Bluff Heights", "Cedar Ridge", "Highland"],
    "Northeast": ["Millbrook", "College Hill", "Ashgrove", "Pinecrest"],
    "East": ["Eastgate", "Ironworks", "Rail Yards", "Sunrise"],
    "Southeast": ["Riverbend", "Mill Creek", "Harmony", "Lowland"],
    "South": ["Southgate", "Fairgrounds", "Stockyards", "Prairie View"],
    "Southwest": ["Las Palmas", "Westbrook", "Sandhill", "Arroyo"],
    "West": ["Westfield", "Orchard Park", "Meadowlark", "Sunset"],
    "Northwest": ["Lakeshore", "Elm Hollow", "Kingsley", "Windmill"],
}
COMPASS = ["North", "Northeast", "East", "Southeast", "South", "Southwest", "West", "Northwest"]


# --- Helpers ----------------------------------------------------------------------------------
def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def street_key(street: str) -> str:
    """The matching key of a street name, by the geocoder's own rule (upper case, single
    spaces, N/S/E/W and ST/AVE/BLVD/RD/DR abbreviations): "N Oak Ave" -> "N OAK AVE"."""
    return normalise_street(street)


def _weighted(rng: Any, weights: dict[str, float]) -> str:
    keys = list(weights)
    return str(rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0])


def _largest_remainder(total: int, shares: Sequence[float]) -> list[int]:
    """Integers proportional to ``shares`` that add up to exactly ``total``."""
    s = float(sum(shares))
    raw = [total * x / s for x in shares]
    floors = [math.floor(x) for x in raw]
    rest = total - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - floors[i], -i), reverse=True)
    for i in order[:rest]:
        floors[i] += 1
    return floors


class _Projection:
    """Local metres (x east, y north, origin at the centre) to WGS 84 longitude/latitude."""

    def __init__(self, lat: float, lng: float) -> None:
        self.lat0 = lat
        self.lng0 = lng
        self.m_per_deg_lng = METRES_PER_DEGREE_LAT * math.cos(math.radians(lat))

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        return (
            round(self.lng0 + x / self.m_per_deg_lng, 6),
            round(self.lat0 + y / METRES_PER_DEGREE_LAT, 6),
        )

    def geometry(self, geom: BaseGeometry) -> BaseGeometry:
        """Project, snap to a 1e-6 degree grid (about 10 cm) and keep it valid."""
        projected = affinity.affine_transform(
            geom,
            [1 / self.m_per_deg_lng, 0, 0, 1 / METRES_PER_DEGREE_LAT, self.lng0, self.lat0],
        )
        snapped = shapely.set_precision(projected, 1e-6)
        return shapely.make_valid(snapped) if not snapped.is_valid else snapped


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom] if not geom.is_empty else []
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon) and not g.is_empty]


def geojson(geom: BaseGeometry) -> dict[str, Any]:
    """A GeoJSON Polygon or MultiPolygon (exterior rings counter-clockwise, RFC 7946),
    coordinates rounded to 6 decimals."""
    parts = [orient(p, 1.0) for p in _polygons(geom)]

    def ring(coords: Any) -> list[list[float]]:
        return [[round(x, 6), round(y, 6)] for x, y in coords]

    def poly(p: Polygon) -> list[list[list[float]]]:
        return [ring(p.exterior.coords), *[ring(i.coords) for i in p.interiors]]

    if len(parts) == 1:
        return {"type": "Polygon", "coordinates": poly(parts[0])}
    return {"type": "MultiPolygon", "coordinates": [poly(p) for p in parts]}


# --- Geography --------------------------------------------------------------------------------
def _boundary(rng: Any, radius_m: float) -> Polygon:
    """An irregular, star-shaped outline: a circle bent by a few random harmonics."""
    harmonics = [
        (k, rng.uniform(0.02, 0.16) / k * 2, rng.uniform(0, 2 * math.pi)) for k in range(2, 6)
    ]
    scale = 0.25 / max(0.25, sum(a for _k, a, _p in harmonics))
    points = []
    n = 96
    for i in range(n):
        theta = 2 * math.pi * i / n
        r = 1 + sum(a * scale * math.cos(k * theta + p) for k, a, p in harmonics)
        r *= 1 + rng.uniform(-0.012, 0.012)
        points.append((radius_m * r * math.sin(theta), radius_m * r * math.cos(theta)))
    return Polygon(points)


def _sample_inside(rng: Any, region: BaseGeometry, n: int) -> list[Point]:
    minx, miny, maxx, maxy = region.bounds
    prepared = prep(region)
    out: list[Point] = []
    tries = 0
    while len(out) < n:
        tries += 1
        if tries > 200_000:
            raise RuntimeError("could not place points inside a region")
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if prepared.contains(p):
            out.append(p)
    return out


def _partition(rng: Any, region: BaseGeometry, n: int, iterations: int = 4) -> list[BaseGeometry]:
    """Split ``region`` into ``n`` cells: Voronoi cells of seeded points, clipped to the
    region and relaxed a few times (Lloyd) so the cells are of similar size."""
    if n == 1:
        return [region]
    points = _sample_inside(rng, region, n)
    envelope = region.envelope.buffer(max(region.bounds[2] - region.bounds[0], 1.0))
    cells: list[BaseGeometry] = []
    for it in range(iterations + 1):
        diagram = shapely.voronoi_polygons(MultiPoint(points), extend_to=envelope, ordered=True)
        cells = [cell.intersection(region) for cell in diagram.geoms]
        if it == iterations:
            break
        new_points = []
        for cell, old in zip(cells, points, strict=True):
            if cell.is_empty:
                new_points.append(old)
                continue
            c = cell.centroid
            new_points.append(c if region.contains(c) else cell.representative_point())
        points = new_points
    return [c for c in cells if not c.is_empty]


def _compass(x: float, y: float) -> str:
    angle = (math.degrees(math.atan2(x, y)) + 360) % 360
    return COMPASS[int((angle + 22.5) // 45) % 8]


def _order_by_bearing(cells: list[BaseGeometry], radius: float) -> list[BaseGeometry]:
    """Central cells first, then clockwise from north."""

    def key(c: BaseGeometry) -> tuple[int, float]:
        p = c.centroid
        if math.hypot(p.x, p.y) < 0.22 * radius:
            return (0, 0.0)
        return (1, (math.degrees(math.atan2(p.x, p.y)) + 360) % 360)

    return sorted(cells, key=key)


def _district_names(cells: list[BaseGeometry], radius: float) -> list[str]:
    """Fictional neighbourhood names that fit where each district lies (a central one is
    'Downtown', a northern one 'Northpark' ...), never repeated."""
    used: set[str] = set()
    names = []
    for c in cells:
        p = c.centroid
        area = "Central" if math.hypot(p.x, p.y) < 0.22 * radius else _compass(p.x, p.y)
        pool = [n for n in DISTRICT_NAMES[area] if n not in used]
        if not pool:  # every name of that area is taken: borrow from the neighbours
            pool = [n for names_ in DISTRICT_NAMES.values() for n in names_ if n not in used]
        used.add(pool[0])
        names.append(pool[0])
    return names


# --- Demographics -----------------------------------------------------------------------------
def _demographics(
    ctx: Any, centroids: list[tuple[float, float]], areas_km2: list[float], radius: float
) -> list[dict[str, Any]]:
    """Census-like figures per beat, with residential segregation as smooth gradients
    (Black residents concentrated east, Hispanic south-west, white north, Asian/Pacific
    Islander around a north-east cluster), calibrated so city-wide shares match
    RESIDENT_SHARES exactly; income and Spanish at home follow the composition."""
    g = ctx.np_rng
    u = np.array([x / radius for x, _y in centroids])
    v = np.array([y / radius for _x, y in centroids])
    dist = np.hypot(u, v)
    n = len(centroids)

    density = np.exp(-1.2 * dist) * g.lognormal(0.0, 0.25, n)
    weights = np.array(areas_km2) * density
    populations = _largest_remainder(ctx.population, list(weights))
    pop = np.array(populations, dtype=float)

    scores = np.stack(
        [
            -3.0 * ((u - 0.35) ** 2 + (v - 0.35) ** 2),  # asian/pacific islander
            2.0 * u - 0.4 * v,  # black: east
            -1.4 * u - 1.4 * v,  # hispanic: south-west
            2.0 * v - 0.3 * u,  # white: north
            np.zeros(n),  # other
        ],
        axis=1,
    ) + g.normal(0.0, 0.3, (n, 5))
    target = np.array([RESIDENT_SHARES[r] for r in RESIDENT_RACES])
    intercept = np.zeros(5)
    for _ in range(200):  # rake the intercepts until the city-wide shares hit the targets
        logits = scores + intercept
        shares = np.exp(logits - logits.max(axis=1, keepdims=True))
        shares /= shares.sum(axis=1, keepdims=True)
        city = (shares * pop[:, None]).sum(axis=0) / pop.sum()
        if np.abs(city - target).max() < 1e-6:
            break
        intercept += np.log(target / city)

    income_noise = g.normal(0.0, 0.10, n)
    spanish_noise = g.normal(0.0, 0.03, n)
    out = []
    for i in range(n):
        counts = _largest_remainder(populations[i], list(shares[i]))
        by_race = dict(zip(RESIDENT_RACES, counts, strict=True))
        total = max(populations[i], 1)
        white = by_race["white"] / total
        asian = by_race["asian/pacific islander"] / total
        hispanic = by_race["hispanic"] / total
        income = 40_000 * math.exp(1.1 * white + 0.9 * asian + 0.25 * dist[i] + income_noise[i])
        spanish = min(0.95, max(0.0, 0.72 * hispanic + 0.01 + spanish_noise[i]))
        out.append(
            {
                "population": populations[i],
                "population_by_race": by_race,
                "median_household_income": int(round(income, -2)),
                "spanish_speaking_share": round(spanish, 3),
            }
        )
    return out


# --- Streets ------------------------------------------------------------------------------------
def _streets(ctx: Any, agency: Agency, boundary: Polygon, proj: _Projection) -> int:
    """A grid of block faces inside the boundary, with TIGER-style address ranges.

    North-south streets: Main St at the centre, named streets outwards. East-west: Central
    Ave at the centre; numbered streets north of it (1st St, 2nd St ...) and numbered
    avenues south of it (1st Ave ...). On a north-south street, numbers run N or S from
    Central Ave; on an east-west street, E or W from Main St; 100 per block, so "1234 N
    Oak Ave" lies 34% of the way from 12th St to 13th St.
    """
    rng = ctx.rng
    minx, miny, maxx, maxy = boundary.bounds
    kx = math.ceil(max(-minx, maxx) / BLOCK_METRES)
    ky = math.ceil(max(-miny, maxy) / BLOCK_METRES)
    names = list(STREET_NAMES)
    rng.shuffle(names)
    if 2 * kx > len(names):
        raise RuntimeError("the city is too wide for the list of street names")
    suffixes = [s for s, _w in NAMED_SUFFIXES]
    suffix_weights = [w for _s, w in NAMED_SUFFIXES]
    ns_names: dict[int, str] = {0: "Main St"}
    for i, k in enumerate(sorted(range(-kx, kx + 1), key=lambda k: (abs(k), k))):
        if k != 0:
            ns_names[k] = f"{names[i - 1]} {rng.choices(suffixes, suffix_weights)[0]}"

    def ew_name(j: int) -> str:
        if j == 0:
            return "Central Ave"
        return f"{ordinal(j)} St" if j > 0 else f"{ordinal(-j)} Ave"

    prepared = prep(boundary)
    rows: list[StreetSegment] = []

    def add(street: str, block: int, start: tuple[float, float], end: tuple[float, float]) -> None:
        mid = Point((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        if not prepared.contains(mid):
            return
        (slng, slat), (elng, elat) = proj.lonlat(*start), proj.lonlat(*end)
        rows.append(
            StreetSegment(
                agency=agency,
                street=street,
                street_key=street_key(street),
                from_number=max(1, block * 100),
                to_number=block * 100 + 99,
                start_lat=slat,
                start_lng=slng,
                end_lat=elat,
                end_lng=elng,
            )
        )

    b = BLOCK_METRES
    for k in range(-kx, kx + 1):  # north-south streets, blocks numbered from Central Ave
        for j in range(-ky, ky):
            if j >= 0:
                add(f"N {ns_names[k]}", j, (k * b, j * b), (k * b, (j + 1) * b))
            else:
                add(f"S {ns_names[k]}", -j - 1, (k * b, (j + 1) * b), (k * b, j * b))
    for j in range(-ky, ky + 1):  # east-west streets, blocks numbered from Main St
        for i in range(-kx, kx):
            if i >= 0:
                add(f"E {ew_name(j)}", i, (i * b, j * b), ((i + 1) * b, j * b))
            else:
                add(f"W {ew_name(j)}", -i - 1, ((i + 1) * b, j * b), (i * b, j * b))
    StreetSegment.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# --- Officers -----------------------------------------------------------------------------------
@dataclass
class _Person:
    race: str
    sex: str
    first_name: str
    last_name: str
    hire_date: dt.date
    birth_year: int
    separation_date: dt.date | None
    status: str
    rank: str = "officer"
    unit: str = ""  # unit code at the end of the career (or now)
    stints: list[tuple[str, str, dt.date, dt.date | None]] = field(default_factory=list)

    def years_by(self, day: dt.date) -> float:
        return (day - self.hire_date).days / 365.25


def _name(ctx: Any, race: str, sex: str) -> tuple[str, str]:
    rng = ctx.rng
    female = sex == "female"
    if race == "hispanic":
        first_src = ctx.faker_es if rng.random() < 0.8 else ctx.faker_en
        first = first_src.first_name_female() if female else first_src.first_name_male()
        return first, ctx.faker_es.last_name()
    en = ctx.faker_en
    first = en.first_name_female() if female else en.first_name_male()
    if race == "asian/pacific islander":
        return first, rng.choice(ASIAN_SURNAMES)
    return first, en.last_name()


def _years_ago(as_of: dt.date, years: float) -> dt.date:
    return as_of - dt.timedelta(days=round(years * 365.25))


def _people(ctx: Any) -> list[_Person]:
    rng = ctx.rng
    as_of: dt.date = ctx.as_of
    races = list(WORKFORCE_SHARES)
    race_weights = [WORKFORCE_SHARES[r] for r in races]
    people: list[_Person] = []
    current = ctx.officers
    separated = round(current * SEPARATED_PER_CURRENT)
    # Races by quota, not by independent draws, so the workforce's composition (the planted
    # representation gap) is exact for every seed: largest-remainder counts, shuffled.
    # Sex likewise: round(13%) of each group are women.
    race_of: list[str] = []
    sex_of: list[str] = []
    for n in (current, separated):
        group = [
            race
            for race, count in zip(races, _largest_remainder(n, race_weights), strict=True)
            for _i in range(count)
        ]
        rng.shuffle(group)
        race_of += group
        women = round(n * FEMALE_SHARE)
        sexes = ["female"] * women + ["male"] * (n - women)
        rng.shuffle(sexes)
        sex_of += sexes
    for i in range(current + separated):
        race = race_of[i]
        sex = sex_of[i]
        first, last = _name(ctx, race, sex)
        while True:
            hire_age = int(rng.triangular(21, 40, 25))
            if i < current:
                tenure = rng.expovariate(1 / MEAN_TENURE_YEARS)
                if tenure > CAREER_YEARS:
                    continue
                hire = _years_ago(as_of, tenure)
                sep = None
            else:
                hire = _years_ago(as_of, rng.uniform(0.6, CAREER_YEARS))
                served = rng.expovariate(1 / 7.0)
                sep = hire + dt.timedelta(days=max(60, int(served * 365.25)))
                if sep >= as_of or sep < _years_ago(as_of, 15):
                    continue
            birth_year = hire.year - hire_age
            last_day = sep or as_of
            if last_day.year - birth_year <= RETIREMENT_AGE:
                break
        if sep is not None:
            status = Officer.Status.SEPARATED.value
        else:
            status = Officer.Status.LEAVE.value if rng.random() < LEAVE_SHARE else "active"
        people.append(_Person(race, sex, first, last, hire, birth_year, sep, status))
    return people


def _rank_counts(n: int) -> dict[str, int]:
    counts = {
        "chief": 1,
        "deputy_chief": round(n / 500) if n >= 500 else 0,
        "commander": round(n / 250) if n >= 300 else 0,
        "captain": max(1, round(n / 90)),
        "lieutenant": max(1, round(n / 35)),
        "sergeant": max(2, round(n / 10.5)),  # about one per eight police officers
        "detective": max(2, round(n * 0.10)),
    }
    counts["officer"] = n - sum(counts.values())
    return counts


def _assign_ranks(ctx: Any, people: list[_Person], as_of: dt.date) -> None:
    """Current officers by seniority: each rank, top down, goes to eligible members with
    weights proportional to years of service (the most senior if nobody is eligible).
    Separated officers get a rank their years of service allowed."""
    rng = ctx.rng
    current = [p for p in people if p.separation_date is None]
    counts = _rank_counts(len(current))
    free = list(current)
    for rank in [
        "chief",
        "deputy_chief",
        "commander",
        "captain",
        "lieutenant",
        "sergeant",
        "detective",
    ]:
        for _ in range(counts[rank]):
            pool = [
                p
                for p in free
                if p.years_by(as_of) >= MIN_YEARS[rank]
                and (p.status == "active" or rank in ("sergeant", "detective"))
            ]
            if not pool:
                pool = sorted(free, key=lambda p: p.hire_date)[: max(1, len(free) // 10)]
            pick = rng.choices(pool, weights=[p.years_by(as_of) + 0.5 for p in pool])[0]
            pick.rank = rank
            free.remove(pick)
    for p in people:
        if p.separation_date is None:
            continue
        years = p.years_by(p.separation_date)
        r = rng.random()
        if years >= MIN_YEARS["lieutenant"] and r < 0.08:
            p.rank = "lieutenant"
        elif years >= MIN_YEARS["sergeant"] and r < 0.25:
            p.rank = "sergeant"
        elif years >= MIN_YEARS["detective"] and r < 0.38:
            p.rank = "detective"


def _pick_unit(
    rng: Any, rank: str, patrol_codes: list[str], patrol_weights: list[float], avoid: str = ""
) -> str:
    for _ in range(10):
        kind = _weighted(rng, UNIT_WEIGHTS[rank])
        code = (
            rng.choices(patrol_codes, patrol_weights)[0]
            if kind == "patrol"
            else next(c for c, _n, k in UNITS if k == kind)
        )
        if code != avoid:
            return code
    return code


def _assign_units(
    ctx: Any, people: list[_Person], patrol_codes: list[str], patrol_weights: list[float]
) -> None:
    """Final units: one captain per patrol district and at least one active sergeant in each
    (when there are enough), a detective in professional standards, the rest by weights."""
    rng = ctx.rng
    current = [p for p in people if p.separation_date is None]
    captains = sorted((p for p in current if p.rank == "captain"), key=lambda p: p.hire_date)
    for p, code in zip(captains, patrol_codes, strict=False):
        p.unit = code
    sergeants = [p for p in current if p.rank == "sergeant" and p.status == "active"]
    for p, code in zip(sergeants, patrol_codes, strict=False):
        p.unit = code
    detectives = [p for p in current if p.rank == "detective" and p.status == "active"]
    if detectives:
        detectives[0].unit = "PSD"
    for p in people:
        if not p.unit:
            p.unit = _pick_unit(rng, p.rank, patrol_codes, patrol_weights)


def _career(
    ctx: Any, p: _Person, patrol_codes: list[str], patrol_weights: list[float], as_of: dt.date
) -> None:
    """Two to five contiguous stints: the academy, a first patrol posting, then moves and
    promotions up to the final rank and unit. End dates are inclusive; the next stint
    starts the day after. A current officer's last stint is open (no end date)."""
    rng = ctx.rng
    end = p.separation_date or as_of
    academy_end = p.hire_date + dt.timedelta(days=rng.randint(*ACADEMY_DAYS) - 1)
    if academy_end >= end:  # still in the academy (or left during it)
        p.unit = "TRN" if p.separation_date is None else p.unit
        p.rank = "officer" if p.separation_date is None else p.rank
        p.stints = [("TRN", "officer", p.hire_date, p.separation_date)]
        return
    # The ranks held after the academy, lowest first.
    if p.rank == "officer":
        ranks = ["officer"] * min(4, 1 + int(rng.random() * (1 + p.years_by(end) / 5)))
    elif p.rank == "detective":
        ranks = ["officer", "detective"] + (["detective"] if rng.random() < 0.4 else [])
    else:
        between = LADDER[1 : LADDER.index(p.rank)]
        kept = [r for r in between if rng.random() < 0.7][-2:]
        ranks = ["officer", *kept, p.rank]
    remaining = (end - academy_end).days
    ranks = (
        ranks[: max(1, min(len(ranks), remaining // 90))] if remaining < 90 * len(ranks) else ranks
    )
    if ranks[-1] != p.rank:  # not enough time for the whole ladder: keep the final rank
        ranks[-1] = p.rank
    # Split the time after the academy: random shares, each stint at least 1/3 of an even
    # share, so the stints are of plausible length.
    m = len(ranks)
    shares = [1 / (3 * m) + rng.random() * 2 / (3 * m) for _ in range(m)]
    total = sum(shares)
    lengths = [max(1, int(remaining * s / total)) for s in shares]
    lengths[-1] = remaining - sum(lengths[:-1])
    if lengths[-1] < 1:  # rounding ate the last stint: even lengths instead
        lengths = [remaining // m] * (m - 1) + [remaining - (remaining // m) * (m - 1)]
    stints: list[tuple[str, str, dt.date, dt.date | None]] = [
        ("TRN", "officer", p.hire_date, academy_end)
    ]
    start = academy_end + dt.timedelta(days=1)
    unit = ""
    for idx, (rank, length) in enumerate(zip(ranks, lengths, strict=True)):
        last = idx == m - 1
        if last:
            unit = p.unit
        elif idx == 0:
            unit = rng.choices(patrol_codes, patrol_weights)[0]
        else:
            unit = _pick_unit(rng, rank, patrol_codes, patrol_weights, avoid=unit)
        stop = start + dt.timedelta(days=length - 1)
        stints.append((unit, rank, start, None if last and p.separation_date is None else stop))
        start = stop + dt.timedelta(days=1)
    p.stints = stints


# --- The step -------------------------------------------------------------------------------------
def build(ctx: Any) -> None:
    """Create the agency, its geography, streets, units, officers and assignments."""
    rng = ctx.rng
    radius = ctx.params.radius_km * 1000
    proj = _Projection(CENTER_LAT, CENTER_LNG)

    boundary = _boundary(rng, radius)
    agency = Agency.objects.create(
        name=AGENCY_NAME,
        slug=AGENCY_SLUG,
        city=CITY_NAME,
        state=STATE,
        timezone=TIMEZONE,
        center_lat=CENTER_LAT,
        center_lng=CENTER_LNG,
        website="https://police.calderfalls.example/",
    )

    # Districts and beats: Voronoi cells, relaxed, clipped to the city and to the district.
    district_cells = _order_by_bearing(_partition(rng, boundary, ctx.districts), radius)
    names = _district_names(district_cells, radius)
    districts: list[District] = []
    beat_rows: list[tuple[District, str, BaseGeometry]] = []
    for n, (cell, name) in enumerate(zip(district_cells, names, strict=True), start=1):
        district = District(
            agency=agency,
            code=str(n),
            name=name,
            boundary=geojson(proj.geometry(cell)),
        )
        districts.append(district)
        beats = _order_by_bearing(_partition(rng, cell, ctx.beats_per_district), radius)
        for b, beat_cell in enumerate(beats, start=1):
            beat_rows.append((district, f"{n}{b:02d}", beat_cell))
    District.objects.bulk_create(districts)
    ctx.advance(1, 5)

    figures = _demographics(
        ctx,
        [(c.centroid.x, c.centroid.y) for _d, _c, c in beat_rows],
        [c.area / 1e6 for _d, _c, c in beat_rows],
        radius,
    )
    beats = [
        Beat(
            district=d, code=code, name=f"Beat {code}", boundary=geojson(proj.geometry(cell)), **fig
        )
        for (d, code, cell), fig in zip(beat_rows, figures, strict=True)
    ]
    Beat.objects.bulk_create(beats)
    ctx.advance(2, 5)

    _streets(ctx, agency, boundary, proj)
    ctx.advance(3, 5)

    # Units: one patrol unit per district, then the specialised units.
    units = [
        Unit(
            agency=agency,
            code=f"P{d.code}",
            name=f"Patrol, {d.name} District",
            kind="patrol",
            district=d,
        )
        for d in districts
    ] + [Unit(agency=agency, code=code, name=name, kind=kind) for code, name, kind in UNITS]
    Unit.objects.bulk_create(units)
    unit_by_code = {u.code: u for u in units}
    beats_by_district: dict[int, list[Beat]] = {}
    for beat in beats:
        beats_by_district.setdefault(beat.district_id, []).append(beat)
    district_pop = {d.pk: sum(b.population for b in beats_by_district[d.pk]) for d in districts}
    patrol_codes = [f"P{d.code}" for d in districts]
    patrol_weights = [float(district_pop[d.pk]) for d in districts]

    as_of: dt.date = ctx.as_of
    people = _people(ctx)
    _assign_ranks(ctx, people, as_of)
    _assign_units(ctx, people, patrol_codes, patrol_weights)
    for p in people:
        _career(ctx, p, patrol_codes, patrol_weights, as_of)
    people.sort(key=lambda p: (p.hire_date, p.last_name, p.first_name))
    badges = rng.sample(range(1000, 10_000 if len(people) < 8000 else 100_000), len(people))

    officers = []
    for p, badge in zip(people, badges, strict=True):
        officers.append(
            Officer(
                public_id=ctx.uuid(),
                agency=agency,
                badge=str(badge),
                first_name=p.first_name,
                last_name=p.last_name,
                rank=p.rank,
                unit=unit_by_code[p.unit] if p.separation_date is None else None,
                hire_date=p.hire_date,
                separation_date=p.separation_date,
                status=p.status,
                sex=p.sex,
                race=p.race,
                birth_year=p.birth_year,
            )
        )
    Officer.objects.bulk_create(officers, batch_size=500)
    ctx.advance(4, 5)

    assignments = []
    for officer, p in zip(officers, people, strict=True):
        for code, rank, start, stop in p.stints:
            unit = unit_by_code[code]
            beat = None
            if unit.kind == "patrol" and rank == "officer":
                beat = rng.choice(beats_by_district[unit.district_id])  # type: ignore[index]
            assignments.append(
                Assignment(
                    officer=officer,
                    unit=unit,
                    rank=rank,
                    beat=beat,
                    start_date=start,
                    end_date=stop,
                )
            )
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    ctx.advance(5, 5)

    by_role: dict[str, Officer] = {}
    for officer in officers:
        unit = officer.unit
        if officer.status != "active" or unit is None:
            continue
        if "supervisor" not in by_role and officer.rank == "sergeant" and unit.kind == "patrol":
            by_role["supervisor"] = officer
        if (
            "investigator" not in by_role
            and officer.rank == "detective"
            and unit.kind == "professional_standards"
        ):
            by_role["investigator"] = officer
    ctx.shared["agency"] = agency
    ctx.shared["city_boundary"] = proj.geometry(boundary)
    # Officers the accounts step names its demo users after, and the link step links.
    ctx.shared["demo_officers"] = by_role


def link_demo_users(ctx: Any) -> None:
    """Link the demo supervisor and investigator accounts (left by the accounts step in
    ``ctx.shared["demo_users"]``) to the officers chosen for them, so the supervisor's access
    to *their* unit's officers can be shown."""
    from peelian.agency.services import officer_link_user

    users: dict[str, Any] = ctx.shared.get("demo_users", {})
    officers: dict[str, Officer] = ctx.shared.get("demo_officers", {})
    for role, officer in sorted(officers.items()):
        user = users.get(role)
        if user is not None:
            officer_link_user(actor="system:seed", officer=officer, user=user)
