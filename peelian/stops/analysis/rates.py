"""Stop rates per resident and search, frisk, arrest and citation rates among stops, by race.

Methods (all 95% intervals; sources in each ``method`` string):

* **Stop rate** (Pierson et al. 2020, Nature Human Behaviour 4:736, "stop rates": stops per
  resident per year against a census benchmark). ``rate_r = k_r / (P_r * Y)`` with ``k_r`` the
  stops of race ``r`` (stops with a readable race; a stop with an unreadable date still
  counts), ``P_r`` the benchmark residents of race ``r`` and ``Y`` the years the data span
  (days from the first to the last stop date, inclusive, / 365.25). Interval: the exact
  Poisson interval of Garwood (1936) on ``k_r``, ``[chi2(a/2; 2k)/2, chi2(1-a/2; 2k+2)/2]``,
  divided by ``P_r * Y`` (the benchmark is treated as known: its sampling error, e.g. the ACS
  margin of error, is not propagated).
* **Rate among stops** (search, frisk, arrest, citation): ``x_r / n_r`` where ``n_r`` counts the
  stops of race ``r`` with that field recorded (not null) and ``x_r`` those where it is true.
  Wilson (1927) score interval.
* **Disparity ratio vs white**: for stop rates ``(k_r / P_r) / (k_w / P_w)`` with the log-ratio
  delta-method interval ``exp(log RR +- z sqrt(1/k_r + 1/k_w))``; for rates among stops the
  risk ratio with Katz et al. (1978) log interval,
  ``exp(log RR +- z sqrt(1/x_r - 1/n_r + 1/x_w - 1/n_w))``.

Minimum data (else ``insufficient_data`` with the reason and no number): a stop rate needs a
benchmark population > 0 for the race and at least :data:`MIN_STOPS` stops; a rate among stops
needs at least :data:`MIN_DENOMINATOR` stops with the field recorded; a ratio needs both groups
to qualify and a non-zero numerator in both (the log ratio is undefined at zero).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pandas as pd
from scipy.stats import chi2, norm

from peelian.stops.analysis.options import AnalysisOptions
from peelian.stops.analysis.schema import RACES, REFERENCE_RACE

Z95 = float(norm.ppf(0.975))
MIN_STOPS = 10
MIN_DENOMINATOR = 30
DAYS_PER_YEAR = 365.25
# Rate name -> the normalized boolean column it counts.
RATE_FIELDS: dict[str, str] = {
    "search": "search_conducted",
    "frisk": "frisk_performed",
    "arrest": "arrest_made",
    "citation": "citation_issued",
}

STOP_RATE_METHOD = (
    "Stops per resident per year by race, k / (P * Y): k stops with the race recorded, P the "
    "benchmark residents of that race, Y the years spanned by the stop dates (inclusive days / "
    "365.25), as in Pierson et al. 2020 (Nature Human Behaviour 4:736). 95% interval: exact "
    "Poisson (Garwood 1936) on k divided by P * Y; the benchmark is treated as exact. Ratio vs "
    "white: log-ratio delta method, SE = sqrt(1/k_r + 1/k_white)."
)
RATES_METHOD = (
    "Share of stops with a search / frisk / arrest / citation, x / n, where n counts stops of "
    "that race with the field recorded and x those where it is true; 95% Wilson (1927) score "
    "interval. Ratio vs white: risk ratio with the Katz et al. (1978) log interval, "
    "SE = sqrt(1/x_r - 1/n_r + 1/x_white - 1/n_white). A rate needs >= 30 recorded stops."
)


# --- Interval arithmetic (pure) -------------------------------------------------------------


def wilson(x: float, n: float, z: float = Z95) -> tuple[float, float, float]:
    """Estimate and Wilson score interval of a binomial proportion (n > 0)."""
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return p, max(0.0, centre - half), min(1.0, centre + half)


def garwood(k: float, alpha: float = 0.05) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson mean given one count ``k``."""
    lower = 0.0 if k == 0 else float(chi2.ppf(alpha / 2, 2 * k)) / 2
    upper = float(chi2.ppf(1 - alpha / 2, 2 * k + 2)) / 2
    return lower, upper


def log_ratio_interval(ratio: float, se_log: float, z: float = Z95) -> tuple[float, float]:
    return ratio * math.exp(-z * se_log), ratio * math.exp(z * se_log)


def rate_ratio(k1: int, exposure1: float, k2: int, exposure2: float) -> dict[str, float]:
    """Ratio of two Poisson rates with the log delta-method interval (k1, k2 > 0)."""
    ratio = (k1 / exposure1) / (k2 / exposure2)
    se = math.sqrt(1 / k1 + 1 / k2)
    lower, upper = log_ratio_interval(ratio, se)
    return {"estimate": ratio, "lower": lower, "upper": upper, "se_log": se}


def risk_ratio(x1: int, n1: int, x2: int, n2: int) -> dict[str, float]:
    """Ratio of two proportions with the Katz log interval (x1, x2 > 0)."""
    ratio = (x1 / n1) / (x2 / n2)
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    lower, upper = log_ratio_interval(ratio, se)
    return {"estimate": ratio, "lower": lower, "upper": upper, "se_log": se}


# --- Aggregation (Ibis) ---------------------------------------------------------------------


def _count_if(cond: ir.BooleanValue) -> ir.IntegerScalar:
    # CASE WHEN ... THEN 1 ELSE 0 END summed: portable to DuckDB, PostgreSQL and Spark.
    return ibis.ifelse(cond.fill_null(False), 1, 0).cast(dt.int64).sum()


def rates_cells(t: ir.Table, options: AnalysisOptions | None = None) -> pd.DataFrame:
    """Per race: stops, and for each rate field the stops with it recorded and with it true.

    One row per race present (rows with no readable race are one row with race ``None``),
    plus the span of stop dates (``first_date``, ``last_date``) over the whole table, repeated.
    """
    del options
    aggs: dict[str, Any] = {"n_stops": t.count(), "n_dated": _count_if(t.stop_date.notnull())}
    for name, col in RATE_FIELDS.items():
        aggs[f"{name}_recorded"] = _count_if(t[col].notnull())
        aggs[f"{name}_true"] = _count_if(t[col])
    cells = t.group_by("race").aggregate(**aggs).to_pandas()
    span = t.aggregate(first_date=t.stop_date.min(), last_date=t.stop_date.max()).to_pandas()
    cells["first_date"] = span["first_date"].iloc[0]
    cells["last_date"] = span["last_date"].iloc[0]
    for c in aggs:
        cells[c] = cells[c].fillna(0).astype("int64")
    cells["race"] = cells["race"].astype(object).where(cells["race"].notna(), None)
    return cells.sort_values("race", key=lambda s: s.map(_race_order)).reset_index(drop=True)


def _race_order(race: object) -> int:
    return RACES.index(str(race)) if race in RACES else len(RACES)


def years_spanned(first: Any, last: Any) -> float | None:
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        return None
    days = int((pd.Timestamp(last) - pd.Timestamp(first)).days) + 1
    return float(days / DAYS_PER_YEAR)


# --- Fits (pure) ----------------------------------------------------------------------------


def fit_stop_rate(
    cells: pd.DataFrame,
    population: Mapping[str, float] | None,
    years: float | None,
    *,
    population_source: str | None = None,
) -> dict[str, Any]:
    """Stops per resident per year by race, with Garwood intervals and ratios vs white.

    Each race with a benchmark is a key of the result (``result["black"]``)."""
    out: dict[str, Any] = {
        "method": STOP_RATE_METHOD,
        "insufficient_data": None,
        "population_source": population_source,
        "years": years,
        "ratio_vs_white": {},
    }
    if not population:
        out["insufficient_data"] = (
            "no population benchmark: give residents by race (--population CSV or --acs-county)"
        )
        return out
    if years is None or years <= 0:
        out["insufficient_data"] = "no readable stop dates: the period the stops cover is unknown"
        return out
    counts = {str(r): int(n) for r, n in zip(cells["race"], cells["n_stops"], strict=True) if r}
    by_race: dict[str, Any] = {}
    for race in RACES:
        pop = population.get(race)
        k = counts.get(race, 0)
        if pop is None:
            continue
        if pop <= 0:
            by_race[race] = {"insufficient_data": "benchmark population is zero", "n_stops": k}
            continue
        if k < MIN_STOPS:
            by_race[race] = {
                "insufficient_data": f"fewer than {MIN_STOPS} stops ({k})",
                "n_stops": k,
                "population": float(pop),
            }
            continue
        exposure = float(pop) * years
        low, high = garwood(k)
        by_race[race] = {
            "estimate": k / exposure,
            "lower": low / exposure,
            "upper": high / exposure,
            "n_stops": k,
            "population": float(pop),
            "person_years": exposure,
        }
    # One entry per race at the top level (``stop_rate.<race>``, the published JSON's shape),
    # beside ``method``, ``ratio_vs_white`` and the other keys, none of which is a race name.
    out.update(by_race)
    if not any("estimate" in v for v in by_race.values()):
        out["insufficient_data"] = "no race has both a benchmark population and enough stops"
        return out
    ref = by_race.get(REFERENCE_RACE, {})
    for race, v in by_race.items():
        if race == REFERENCE_RACE:
            continue
        if "estimate" not in v or "estimate" not in ref:
            out["ratio_vs_white"][race] = {"insufficient_data": "a rate is missing"}
            continue
        rr = rate_ratio(v["n_stops"], v["person_years"], ref["n_stops"], ref["person_years"])
        out["ratio_vs_white"][race] = rr
    return out


def fit_rates(cells: pd.DataFrame) -> dict[str, Any]:
    """Search, frisk, arrest and citation rates among stops by race, with ratios vs white."""
    out: dict[str, Any] = {"method": RATES_METHOD, "insufficient_data": None}
    rows = {str(r): row for r, row in zip(cells["race"], cells.to_dict("records"), strict=True)}
    usable = 0
    for name in RATE_FIELDS:
        entry: dict[str, Any] = {"insufficient_data": None, "by_race": {}, "ratio_vs_white": {}}
        if int(cells[f"{name}_recorded"].sum()) == 0:
            entry["insufficient_data"] = f"{RATE_FIELDS[name]} is not recorded"
            out[name] = entry
            continue
        for race in RACES:
            if race not in rows:
                continue
            n = int(rows[race][f"{name}_recorded"])
            x = int(rows[race][f"{name}_true"])
            if n < MIN_DENOMINATOR:
                entry["by_race"][race] = {
                    "insufficient_data": f"fewer than {MIN_DENOMINATOR} stops with it recorded",
                    "n_recorded": n,
                }
                continue
            est, low, high = wilson(x, n)
            entry["by_race"][race] = {
                "estimate": est,
                "lower": low,
                "upper": high,
                "n": x,
                "n_recorded": n,
                "n_stops": int(rows[race]["n_stops"]),
            }
        ref = entry["by_race"].get(REFERENCE_RACE, {})
        for race, v in entry["by_race"].items():
            if race == REFERENCE_RACE:
                continue
            if "estimate" not in v or "estimate" not in ref:
                entry["ratio_vs_white"][race] = {"insufficient_data": "a rate is missing"}
            elif v["n"] == 0 or ref["n"] == 0:
                entry["ratio_vs_white"][race] = {"insufficient_data": "zero events in a group"}
            else:
                entry["ratio_vs_white"][race] = risk_ratio(
                    v["n"], v["n_recorded"], ref["n"], ref["n_recorded"]
                )
        if any("estimate" in v for v in entry["by_race"].values()):
            usable += 1
        else:
            entry["insufficient_data"] = "no race has enough stops with it recorded"
        out[name] = entry
    if usable == 0:
        out["insufficient_data"] = "none of search, frisk, arrest, citation can be estimated"
    return out


def analyze(t: ir.Table, options: AnalysisOptions) -> dict[str, Any]:
    """``{"stop_rate": {...}, "rates": {...}, "n_stops", "n_race_missing"}``."""
    cells = rates_cells(t, options)
    known = cells[cells["race"].notna()]
    years = (
        years_spanned(cells["first_date"].iloc[0], cells["last_date"].iloc[0])
        if len(cells)
        else None
    )
    n_missing = int(cells.loc[cells["race"].isna(), "n_stops"].sum())
    stop_rate = fit_stop_rate(
        known, options.population, years, population_source=options.population_source
    )
    rates: dict[str, Any] = (
        fit_rates(known)
        if len(known)
        else {
            "method": RATES_METHOD,
            "insufficient_data": "no stops with a readable race",
        }
    )
    for part in (stop_rate, rates):
        part["n_stops"] = int(cells["n_stops"].sum())
        part["n_race_missing"] = n_missing
    if len(cells):
        first, last = cells["first_date"].iloc[0], cells["last_date"].iloc[0]
        stop_rate["first_date"] = None if pd.isna(first) else str(pd.Timestamp(first).date())
        stop_rate["last_date"] = None if pd.isna(last) else str(pd.Timestamp(last).date())
    return {"stop_rate": stop_rate, "rates": rates}
