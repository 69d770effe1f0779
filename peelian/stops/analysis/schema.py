"""The standardized stop schema of the Stanford Open Policing Project (OPP), as Peelian uses it.

Source: Pierson et al. (2020), "A large-scale analysis of racial disparities in police stops
across the United States", Nature Human Behaviour 4, 736-745, and the OPP data readme
(https://github.com/stanford-policylab/opp/blob/master/data_readme.md). Column names and
category values are OPP's, so files published by the project load unchanged.
"""

from __future__ import annotations

RACES: tuple[str, ...] = (
    "asian/pacific islander",
    "black",
    "hispanic",
    "white",
    "other",
    "unknown",
)
# OPP's releases of 2019-02-25 had one "other/unknown" value; later releases call the same
# records "other" (checked on Hartford's two releases in ../shared/data/real/opp_hartford).
RACE_ALIASES: dict[str, str] = {"other/unknown": "other"}
# The groups the published tests compare (OPP reports these three).
MINORITY_RACES: tuple[str, ...] = ("black", "hispanic")
REFERENCE_RACE = "white"

SEXES: tuple[str, ...] = ("female", "male", "unknown")
STOP_TYPES: tuple[str, ...] = ("vehicular", "pedestrian")
SEARCH_BASES: tuple[str, ...] = ("k9", "plain view", "consent", "probable cause", "other")
OUTCOMES: tuple[str, ...] = ("arrest", "citation", "warning", "summons")

# OPP columns Peelian reads, with their logical type. Only ``date`` and ``subject_race`` are
# required for any analysis; each test states what else it needs (``REQUIRED_BY_TEST``).
COLUMNS: dict[str, str] = {
    "raw_row_number": "string",
    "date": "date",
    "time": "time",
    "location": "string",
    "lat": "float",
    "lng": "float",
    "district": "string",
    "beat": "string",
    "subject_age": "float",
    "subject_race": "race",
    "subject_sex": "sex",
    "officer_id_hash": "string",
    "type": "type",
    "arrest_made": "bool",
    "citation_issued": "bool",
    "warning_issued": "bool",
    "outcome": "outcome",
    "contraband_found": "bool",
    "contraband_drugs": "bool",
    "contraband_weapons": "bool",
    "frisk_performed": "bool",
    "search_conducted": "bool",
    "search_basis": "search_basis",
    "reason_for_stop": "string",
}
BOOL_COLUMNS: tuple[str, ...] = tuple(c for c, k in COLUMNS.items() if k == "bool")
REQUIRED_COLUMNS: tuple[str, ...] = ("date", "subject_race")
REQUIRED_BY_TEST: dict[str, tuple[str, ...]] = {
    "rates": ("date", "subject_race"),
    "vod": ("date", "time", "subject_race"),
    "outcome": ("subject_race", "search_conducted", "contraband_found"),
    "threshold": ("subject_race", "search_conducted", "contraband_found"),
}
TESTS: tuple[str, ...] = ("rates", "vod", "outcome", "threshold")

TRUE_TEXT = frozenset({"true", "t", "1", "yes", "y"})
FALSE_TEXT = frozenset({"false", "f", "0", "no", "n"})
