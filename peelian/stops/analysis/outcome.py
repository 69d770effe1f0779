"""The outcome (hit-rate) test: how often searches of each race find contraband.

Method (Becker 1957; Knowles, Persico & Todd 2001; as run by the Stanford Open Policing
Project, Pierson et al. 2020, Nature Human Behaviour 4, 736-745): among searches, the hit
rate of race r is

    hit_rate_r = hits_r / searches_r

pooled over the sub-geographies (districts) of the location, as OPP pools its sub-geography
cells into one rate per location. A lower hit rate for a group suggests that group is searched
on less evidence (a lower bar). The test is known to suffer from *inframarginality* (Simoiu,
Corbett-Davies & Goel 2017): hit rates average over everyone searched, not just those at the
margin, so differing risk distributions can produce differing hit rates with identical bars.
The threshold test (``threshold.py``) addresses that.

Sample rules, written from OPP's documented decisions (``stanford-policylab/opp``):

* **Searches only.** Stops without a search are not in the denominator. ``contraband_found``
  is only defined for searched stops (the predicate rule is applied by ``frame.normalize``).
* **Discretionary searches.** When ``search_basis`` is recorded, searches whose basis is
  ``"other"`` are excluded. In OPP's schema ``"other"`` holds searches the officer was obliged
  to make or that follow an arrest (incident to arrest, warrant, probation/parole, inventory);
  their hit rates say nothing about the officer's bar. ``"k9"``, ``"plain view"``,
  ``"consent"``, ``"probable cause"`` and a missing basis are kept, as OPP keeps them
  (OPP's readme: a search with no listed reason is taken as probable cause). Basis values
  outside OPP's list are kept too and counted under ``unrecognized_search_basis``.
* **Unknown contraband.** A discretionary search whose ``contraband_found`` is missing is
  counted (``n_unknown_contraband``) but is not in the hit-rate denominator: the hit rate is
  hits over searches with a known result. (OPP instead fills these with "not found" for its
  state data; that assumption biases hit rates down when recording is patchy, so it is not
  made here, and the count is published so readers can judge.)
* **Minimum sample.** A race needs at least ``MIN_SEARCHES`` discretionary searches with a
  known result; otherwise it gets an ``insufficient_data`` reason and no number. With 30
  searches the widest 95% Wilson interval (at a 50% hit rate) is about +/-17 points; below
  that a published hit rate says almost nothing. The same rule applies to each district cell.

Uncertainty: Wilson score 95% intervals (``peelian.agency.analysis.wilson_interval``).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pandas as pd

from peelian.agency.analysis import wilson_interval
from peelian.stops.analysis.options import AnalysisOptions
from peelian.stops.analysis.schema import REFERENCE_RACE, SEARCH_BASES

MIN_SEARCHES = 30
NON_DISCRETIONARY_BASES: tuple[str, ...] = ("other",)
CONFIDENCE = 0.95

METHOD = (
    "Outcome test (Becker 1957; Knowles, Persico & Todd 2001; Pierson et al. 2020, Nature "
    "Human Behaviour 4:736-745): hit rate = searches that found contraband / discretionary "
    "searches with a recorded result, per race, pooled over districts; 95% Wilson score "
    "intervals. Searches with basis 'other' (incident to arrest, warrant, inventory, "
    "probation/parole) are excluded as non-discretionary; searches with unknown contraband "
    "are counted but not in the denominator; races with fewer than "
    f"{MIN_SEARCHES} such searches get no estimate."
)

CELL_COLUMNS: tuple[str, ...] = (
    "race",
    "district",
    "n_searched",
    "n_non_discretionary",
    "n_unrecognized_basis",
    "n_discretionary",
    "n_unknown_contraband",
    "n_searches",
    "n_hits",
)


def _count(cond: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.ifelse(cond.fill_null(False), 1, 0).cast(dt.int64).sum()


def outcome_cells(t: ir.Table, options: AnalysisOptions | None = None) -> pd.DataFrame:
    """Searches and hits by race x district (Ibis aggregation; one small row per cell).

    Columns: ``n_searched`` (all searches), ``n_non_discretionary`` (basis ``other``),
    ``n_unrecognized_basis``, ``n_discretionary``, ``n_unknown_contraband`` (discretionary,
    contraband missing), ``n_searches`` (discretionary with a known result: the denominator)
    and ``n_hits``. ``race`` is null for searches whose race is missing or not an OPP value;
    ``district`` is null where no district is recorded.
    """
    del options
    searched = t.filter(t.search_conducted.fill_null(False))
    basis = searched.search_basis
    non_disc = basis.notnull() & basis.isin(list(NON_DISCRETIONARY_BASES))
    unrecognized = basis.notnull() & (basis != "") & ~basis.isin(list(SEARCH_BASES))
    discretionary = ~non_disc
    known = discretionary & searched.contraband_found.notnull()
    cells = searched.group_by(race=searched.race, district=searched.district).aggregate(
        n_searched=searched.count(),
        n_non_discretionary=_count(non_disc),
        n_unrecognized_basis=_count(unrecognized),
        n_discretionary=_count(discretionary),
        n_unknown_contraband=_count(discretionary & searched.contraband_found.isnull()),
        n_searches=_count(known),
        n_hits=_count(known & searched.contraband_found),
    )
    frame = cells.to_pandas()
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in CELL_COLUMNS})
    for col in CELL_COLUMNS[2:]:
        frame[col] = frame[col].fillna(0).astype("int64")
    frame["race"] = frame["race"].astype("object").where(frame["race"].notna(), None)
    frame["district"] = frame["district"].astype("object").where(frame["district"].notna(), None)
    return frame.sort_values(["race", "district"], na_position="last").reset_index(drop=True)[
        list(CELL_COLUMNS)
    ]


def hit_rate(n_hits: int, n_searches: int, min_searches: int = MIN_SEARCHES) -> dict[str, Any]:
    """One hit rate with its Wilson interval, or an ``insufficient_data`` reason."""
    out: dict[str, Any] = {"n_searches": int(n_searches), "n_hits": int(n_hits)}
    if n_searches < min_searches:
        out.update(
            estimate=None,
            lower=None,
            upper=None,
            insufficient_data=(
                f"{n_searches} discretionary searches with a recorded result; "
                f"at least {min_searches} are needed"
            ),
        )
        return out
    low, high = wilson_interval(int(n_hits), int(n_searches), CONFIDENCE)
    out.update(
        estimate=n_hits / n_searches,
        lower=low,
        upper=high,
        insufficient_data=None,
    )
    return out


def fit_outcome(cells: pd.DataFrame, min_searches: int = MIN_SEARCHES) -> dict[str, Any]:
    """The outcome-test result from ``outcome_cells`` (pure; no data access)."""
    counts = {
        "searches_total": int(cells["n_searched"].sum()) if len(cells) else 0,
        "non_discretionary_excluded": int(cells["n_non_discretionary"].sum()) if len(cells) else 0,
        "unrecognized_search_basis": int(cells["n_unrecognized_basis"].sum()) if len(cells) else 0,
        "unknown_contraband": int(cells["n_unknown_contraband"].sum()) if len(cells) else 0,
        "searches_without_race": 0,
        "searches_without_district": 0,
    }
    result: dict[str, Any] = {
        "method": METHOD,
        "denominator": "discretionary searches with a recorded contraband result",
        "confidence": CONFIDENCE,
        "min_searches": min_searches,
        "counts": counts,
        "hit_rate": {},
        "difference_vs_white": {},
        "by_district": [],
        "insufficient_data": None,
    }
    if cells.empty or counts["searches_total"] == 0:
        result["insufficient_data"] = "no searches recorded"
        return result
    no_race = cells["race"].isna()
    counts["searches_without_race"] = int(cells.loc[no_race, "n_searched"].sum())
    counts["searches_without_district"] = int(
        cells.loc[cells["district"].isna(), "n_searched"].sum()
    )
    with_race = cells[~no_race]
    by_race = with_race.groupby("race", sort=True)[["n_searches", "n_hits"]].sum()
    for race, row in by_race.iterrows():
        result["hit_rate"][str(race)] = hit_rate(
            int(row["n_hits"]), int(row["n_searches"]), min_searches
        )
    ref = result["hit_rate"].get(REFERENCE_RACE)
    for race, rate in result["hit_rate"].items():
        if race == REFERENCE_RACE or ref is None:
            continue
        if rate["estimate"] is None or ref["estimate"] is None:
            continue
        result["difference_vs_white"][race] = _difference(rate, ref)
    districts = with_race[with_race["district"].notna()]
    for (race, district), row in (
        districts.groupby(["race", "district"], sort=True)[
            ["n_searches", "n_hits", "n_unknown_contraband"]
        ]
        .sum()
        .iterrows()
    ):
        cell = hit_rate(int(row["n_hits"]), int(row["n_searches"]), min_searches)
        cell.update(race=str(race), district=str(district))
        cell["n_unknown_contraband"] = int(row["n_unknown_contraband"])
        result["by_district"].append(cell)
    if not any(r["estimate"] is not None for r in result["hit_rate"].values()):
        result["insufficient_data"] = (
            f"no race has {min_searches} or more discretionary searches with a recorded result"
        )
    return result


def _difference(rate: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    """Difference in hit rates (race minus white) with Newcombe's hybrid Wilson interval.

    Newcombe (1998), Statistics in Medicine 17:873-890, method 10: the difference's interval
    combines each group's Wilson interval, ``d - sqrt((p1-l1)^2 + (u2-p2)^2)`` to
    ``d + sqrt((u1-p1)^2 + (p2-l2)^2)``.
    """
    p1, l1, u1 = rate["estimate"], rate["lower"], rate["upper"]
    p2, l2, u2 = ref["estimate"], ref["lower"], ref["upper"]
    d = p1 - p2
    return {
        "estimate": d,
        "lower": d - ((p1 - l1) ** 2 + (u2 - p2) ** 2) ** 0.5,
        "upper": d + ((u1 - p1) ** 2 + (p2 - l2) ** 2) ** 0.5,
        "method": "Newcombe (1998) hybrid Wilson interval for a difference of proportions",
    }


def analyze(t: ir.Table, options: AnalysisOptions) -> dict[str, Any]:
    """Outcome test on a normalized stop table (any Ibis backend)."""
    missing = [c for c in ("search_conducted", "contraband_found", "race") if c not in t.columns]
    if missing:
        return {
            "method": METHOD,
            "insufficient_data": f"columns missing: {', '.join(missing)}",
        }
    return fit_outcome(outcome_cells(t, options))


__all__ = [
    "METHOD",
    "MIN_SEARCHES",
    "analyze",
    "fit_outcome",
    "hit_rate",
    "outcome_cells",
]
