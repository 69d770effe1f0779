"""Residents by race: the benchmark populations stop rates are computed against.

Each loader takes a path and returns ``{race: residents}`` with OPP race names
(:data:`schema.RACES`). Sources:

* ``acs_population``: the ACS 2017 5-year table B03002 ("Hispanic or Latino origin by race")
  as OPP ships it in ``resources/acs_2017_5_year_{county,state}_level_race_data.csv``. OPP's
  mapping, which we follow: white = not Hispanic, white alone; black = not Hispanic, black
  alone; hispanic = Hispanic or Latino (any race); asian/pacific islander = not Hispanic,
  Asian alone + Native Hawaiian and Other Pacific Islander alone; other = the remaining
  non-Hispanic residents (American Indian, some other race, two or more races).
* ``mpls_population``: Minneapolis neighbourhood demographics (carData ``MplsDemo``: total
  population and the white and black shares). Only white and black residents can be derived;
  the rest are not attributed to any race (``other`` would be wrong: it includes Hispanic
  and Asian residents), so stop rates exist for those two groups only.
* ``csv_population``: a plain CSV with the header ``race,population``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from peelian.stops.analysis.schema import RACE_ALIASES, RACES

STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "PR": "Puerto Rico", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip

_E = "Estimate; "
_NH = _E + "Not Hispanic or Latino:"
ACS_COLUMNS = {
    "non_hispanic": _NH,
    "white": _NH + " - White alone",
    "black": _NH + " - Black or African American alone",
    "asian": _NH + " - Asian alone",
    "pacific_islander": _NH + " - Native Hawaiian and Other Pacific Islander alone",
    "hispanic": _E + "Hispanic or Latino:",
}


class BenchmarkError(ValueError):
    """The benchmark file or the place asked for cannot be used; the message says why."""


def _expand_state(place: str) -> str:
    """``"Hartford County, CT"`` -> ``"Hartford County, Connecticut"``; ``"CT"`` -> name."""
    place = place.strip()
    if "," in place:
        head, tail = (s.strip() for s in place.rsplit(",", 1))
        return f"{head}, {STATES.get(tail.upper(), tail)}"
    return STATES.get(place.upper(), place)


def acs_row_to_races(row: dict[str, str]) -> dict[str, float]:
    try:
        v = {k: float(row[col]) for k, col in ACS_COLUMNS.items()}
    except KeyError as exc:
        raise BenchmarkError(f"not an ACS B03002 race table: no column {exc}") from exc
    except ValueError as exc:
        raise BenchmarkError(f"unreadable number in the ACS table: {exc}") from exc
    api = v["asian"] + v["pacific_islander"]
    return {
        "asian/pacific islander": api,
        "black": v["black"],
        "hispanic": v["hispanic"],
        "white": v["white"],
        "other": v["non_hispanic"] - v["white"] - v["black"] - api,
    }


def _read_text(path: str | Path) -> str:
    """Census downloads of that era are Latin-1 (e.g. "Doña Ana County"); newer are UTF-8."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def acs_population(path: str | Path, geography: str) -> dict[str, float]:
    """Residents by race of one county (``"Hartford County, CT"``) or state (``"CT"``)."""
    wanted = _expand_state(geography).casefold()
    for row in csv.DictReader(io.StringIO(_read_text(path), newline="")):
        if row.get("Geography", "").strip().casefold() == wanted:
            return acs_row_to_races(row)
    raise BenchmarkError(f"{geography!r} is not in {Path(path).name}")


def mpls_population(
    path: str | Path, neighborhoods: Iterable[str] | None = None
) -> dict[str, float]:
    """White and black residents of Minneapolis (or of the given neighbourhoods)."""
    chosen = {n.casefold() for n in neighborhoods} if neighborhoods is not None else None
    white = black = 0.0
    seen: set[str] = set()
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["neighborhood"].strip()
            if chosen is not None and name.casefold() not in chosen:
                continue
            seen.add(name.casefold())
            pop = float(row["population"])
            white += pop * float(row["white"])
            black += pop * float(row["black"])
    if chosen is not None and chosen - seen:
        raise BenchmarkError(f"neighbourhoods not in {Path(path).name}: {sorted(chosen - seen)}")
    if not seen:
        raise BenchmarkError(f"{Path(path).name}: no neighbourhood rows")
    return {"white": white, "black": black}


def csv_population(path: str | Path) -> dict[str, float]:
    """A ``race,population`` CSV (OPP race names, case-insensitive)."""
    out: dict[str, float] = {}
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or {"race", "population"} - set(reader.fieldnames):
            raise BenchmarkError(f"{Path(path).name}: the header must be race,population")
        for line, row in enumerate(reader, start=2):
            race = (row["race"] or "").strip().lower()
            race = RACE_ALIASES.get(race, race)
            if race not in RACES:
                raise BenchmarkError(f"line {line}: unknown race {row['race']!r}")
            try:
                value = float(row["population"])
            except (TypeError, ValueError) as exc:
                raise BenchmarkError(f"line {line}: unreadable population") from exc
            if value < 0 or value != value:
                raise BenchmarkError(f"line {line}: population must be >= 0")
            if race in out:
                raise BenchmarkError(f"line {line}: {race} given twice")
            out[race] = value
    if not out:
        raise BenchmarkError(f"{Path(path).name}: no rows")
    return out
