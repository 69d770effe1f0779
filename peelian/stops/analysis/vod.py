"""Veil-of-darkness test of racial profiling in traffic stops.

Method (Grogger & Ridgeway 2006, as implemented by the Stanford Open Policing Project: Pierson
et al. 2020, Nature Human Behaviour 4:736-745, Methods "Veil of darkness test", and
stanford-policylab/opp ``lib/veil_of_darkness_test.R``): if officers can see a driver's race
better in daylight, and stop black drivers more because of it, then at a fixed clock time the
share of black drivers among stops is higher when it is light than when it is dark. Clock time
is held fixed while darkness varies over the year with sunset and dusk.

Sample rules (OPP's):

* black and white drivers only; vehicular stops only when the file records a stop type (stops
  with another or no recorded type are counted as ``not_vehicular`` and left out); stops with a
  date and a clock time;
* sun times at the city centre (``options.lat``/``options.lng``), or at each district's centroid
  (``options.district_centroids``); stops whose district has no centroid are counted
  (``no_centroid``) and left out;
* the inter-twilight window: clock minutes from the earliest to the latest dusk over the dates
  (and points) in the data. OPP's code takes both ends at dusk (its ``min_sunset_minute`` and
  ``max_sunset_minute`` are computed on its dusk column); we follow the code;
* stops after sunset but before dusk (civil twilight, neither light nor dark) are left out
  (``ambiguous``); ``is_dark`` means the clock minute is at or after dusk;
* the clock minute is rounded to 5 minutes (``minute5``), as OPP's ``rounded_minute``.

Model: logistic regression of is_black on is_dark + a natural cubic spline of ``minute5``
(R ``ns(minute5, df = 6)``: interior knots at the quantiles of the stop-level ``minute5``,
boundary knots at its range) [+ district fixed effects]. Fitted as a binomial GLM on cells
(counts of black and total stops per minute5 x is_dark [x district] [x DST season]), which
gives exactly the same maximum-likelihood estimate and standard errors as the stop-level fit.
The estimate is the coefficient on is_dark: a negative value means black drivers are a smaller
share of stops after dark, the pattern consistent with bias against black drivers.

DST sample: stops within +/-30 days of a daylight-saving change (dates from the tz database),
in the inter-twilight window of those dates, with a spring/fall fixed effect (OPP's
``prep_dst_data`` uses two or three weeks; we use 30 days, see docs/validation).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.datatypes as dt_ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pandas as pd
import statsmodels.api as sm
from scipy.interpolate import BSpline
from scipy.stats import norm

from peelian.stops.analysis.options import AnalysisOptions
from peelian.stops.analysis.sun import dst_changes, sun_times

BLACK = "black"
WHITE = "white"
MIN_STOPS = 1000  # black + white stops in the sample
MIN_PER_GROUP = 100  # each of: black, white, light, dark stops (OPP: min_stops_per_race = 100)
DST_RADIUS_DAYS = 30
ROUND_TO = 5
CHART_BIN_MINUTES = 10
CHART_RANGE = (-90, 60)  # minutes since dusk, as OPP's time-sliced plots
CENTRE_KEY = "centre"
STATUSES = (
    "not_vehicular",
    "no_date_or_time",
    "no_centroid",
    "no_sun_times",
    "outside_window",
    "ambiguous",
    "sample",
)
Z95 = float(norm.ppf(0.975))

FloatArray = npt.NDArray[np.float64]


class VodInputError(ValueError):
    """The options or data do not allow the test; the message is the reason."""


# --------------------------------------------------------------------------- spline basis


def weighted_quantiles(
    values: npt.ArrayLike, counts: npt.ArrayLike, probs: npt.ArrayLike
) -> FloatArray:
    """R's type-7 quantiles of the raw rows that ``counts`` stands for (value i repeated
    counts[i] times), without expanding them."""
    v = np.asarray(values, dtype=float)
    c = np.asarray(counts, dtype=np.int64)
    p = np.asarray(probs, dtype=float)
    keep = c > 0
    v, c = v[keep], c[keep]
    order = np.argsort(v, kind="stable")
    v, c = v[order], c[order]
    total = int(c.sum())
    if total == 0:
        raise ValueError("no rows")
    ends = np.cumsum(c)  # raw rows 0..ends[0]-1 hold v[0], etc.
    h = (total - 1) * p
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, total - 1)
    v_lo = v[np.searchsorted(ends, lo, side="right")]
    v_hi = v[np.searchsorted(ends, hi, side="right")]
    return np.asarray(v_lo + (h - lo) * (v_hi - v_lo), dtype=float)


def ns_knots(
    values: npt.ArrayLike, counts: npt.ArrayLike, df: int
) -> tuple[FloatArray, tuple[float, float]]:
    """Interior and boundary knots as R's ``ns(x, df)`` places them on the raw rows."""
    n_interior = df - 1
    probs = np.linspace(0.0, 1.0, n_interior + 2)[1:-1]
    interior = weighted_quantiles(values, counts, probs) if n_interior else np.empty(0)
    v = np.asarray(values, dtype=float)[np.asarray(counts) > 0]
    return interior, (float(v.min()), float(v.max()))


def ns_basis(
    x: npt.ArrayLike,
    interior_knots: npt.ArrayLike,
    boundary_knots: tuple[float, float],
) -> FloatArray:
    """Natural cubic spline basis without intercept, as R's ``splines::ns``.

    Cubic B-splines on the knots (boundary knots repeated four times), constrained to a zero
    second derivative at both boundary knots by projecting on the null space of those two
    constraints (R does the same with a QR decomposition). Returns len(x) x (len(interior) + 1)
    columns spanning the same space as R's; individual columns may differ from R's by the sign
    conventions of the QR routine, which changes no fitted value and no other coefficient.
    ``x`` must lie within the boundary knots.
    """
    xs = np.asarray(x, dtype=float)
    lo, hi = boundary_knots
    if xs.size and (xs.min() < lo or xs.max() > hi):
        raise ValueError("x outside the boundary knots")
    knots = np.sort(np.concatenate([[lo] * 4, np.asarray(interior_knots, dtype=float), [hi] * 4]))
    n_basis = len(knots) - 4
    spline = BSpline(knots, np.eye(n_basis), 3, extrapolate=True)
    basis = np.asarray(spline(xs), dtype=float)[:, 1:]  # drop the first: no intercept
    const = np.asarray(spline.derivative(2)(np.array([lo, hi])), dtype=float)[:, 1:]
    q, _ = np.linalg.qr(const.T, mode="complete")
    return np.asarray(basis @ q[:, 2:], dtype=float)


# --------------------------------------------------------------------------- aggregation


@dataclass
class _Prepared:
    joined: ir.Table
    info: dict[str, Any] = field(default_factory=dict)


def _points(options: AnalysisOptions) -> dict[str, tuple[float, float]] | None:
    if options.district_centroids:
        return {str(k): (float(v[0]), float(v[1])) for k, v in options.district_centroids.items()}
    if options.lat is not None and options.lng is not None:
        return {CENTRE_KEY: (float(options.lat), float(options.lng))}
    return None


def _prepare(
    t: ir.Table, options: AnalysisOptions, dst_radius_days: int = DST_RADIUS_DAYS
) -> _Prepared:
    if not options.tz:
        raise VodInputError("no time zone given: sun times cannot be put on the local clock")
    points = _points(options)
    if points is None:
        raise VodInputError("no location given (city centre lat/lng or district centroids)")
    by_district = bool(options.district_centroids)

    base = t.filter(t.race.isin([BLACK, WHITE]))
    key_cols = ["stop_date", "district"] if by_district else ["stop_date"]
    # One pass for both questions: does the file record stop types, and which dates (and
    # districts) have usable stops.
    keys = (
        base.mutate(
            usable=base.stop_date.notnull() & base.minute.notnull(),
            typed=base.type.notnull(),
            vehicular=(base.type == "vehicular").fill_null(False),
        )
        .select(*key_cols, "usable", "typed", "vehicular")
        .distinct()
        .to_pandas()
    )
    typed = bool(keys["typed"].astype(bool).any())
    keep = keys["usable"].astype(bool)
    if typed:
        keep &= keys["vehicular"].astype(bool)
    present = keys.loc[keep, key_cols].drop_duplicates().reset_index(drop=True)
    present["stop_date"] = pd.to_datetime(present["stop_date"]).dt.date
    if by_district:
        present = present[present["district"].isin(list(points))]
        present_pairs = present.rename(columns={"district": "point"})
    else:
        present_pairs = present.assign(point=CENTRE_KEY)

    dates = sorted(present_pairs["stop_date"].unique())
    used_points = {k: points[k] for k in sorted(set(present_pairs["point"]))}
    sun = sun_times(dates, used_points, options.tz)
    years = sorted({d.year for d in dates})
    changes = dst_changes(years, options.tz)
    radius = dt.timedelta(days=dst_radius_days)

    def season(day: dt.date) -> str | None:
        for start, end in changes.values():
            if abs(day - start) <= radius:
                return "spring"
            if abs(day - end) <= radius:
                return "fall"
        return None

    sun["dst_season"] = [season(d) for d in sun["date"]]
    on_present = sun.merge(
        present_pairs.rename(columns={"stop_date": "date"}), on=["date", "point"], how="inner"
    )
    dusk_present = on_present["dusk_minute"].dropna()
    info: dict[str, Any] = {
        "by_district": by_district,
        "typed": typed,
        "years": years,
        "dst_changes": {y: [s.isoformat(), e.isoformat()] for y, (s, e) in changes.items()},
        "n_dates": len(dates),
        "n_points": len(used_points),
    }
    if dusk_present.empty:
        info.update(window=None, dst_window=None)
        lo, hi = 1, 0  # empty window: every stop is outside
    else:
        lo, hi = int(dusk_present.min()), int(dusk_present.max())
        info["window"] = [lo, hi]
    dusk_dst = on_present.loc[on_present["dst_season"].notna(), "dusk_minute"].dropna()
    dst_lo, dst_hi = (int(dusk_dst.min()), int(dusk_dst.max())) if len(dusk_dst) else (1, 0)
    info["dst_window"] = [dst_lo, dst_hi] if len(dusk_dst) else None

    sun_mem = ibis.memtable(
        pd.DataFrame(
            {
                "sun_date": pd.to_datetime(pd.Series(sun["date"], dtype="object")),
                "sun_point": sun["point"].astype(str),
                "sunset_minute": sun["sunset_minute"].astype("float64"),
                "dusk_minute": sun["dusk_minute"].astype("float64"),
                "dst_season": sun["dst_season"].astype("object"),
            }
        ),
        schema=ibis.schema(
            {
                "sun_date": "date",
                "sun_point": "string",
                "sunset_minute": "float64",
                "dusk_minute": "float64",
                "dst_season": "string",
            }
        ),
    )
    if by_district:
        preds = [base.stop_date == sun_mem.sun_date, base.district == sun_mem.sun_point]
    else:
        preds = [base.stop_date == sun_mem.sun_date]
    j = base.left_join(sun_mem, preds)
    minute = j.minute
    sunset_m = j.sunset_minute
    dusk_m = j.dusk_minute
    no_centroid = (
        (j.district.isnull() | ~j.district.isin(list(points)))
        if by_district
        else ibis.literal(False)
    )
    not_vehicular = (j.type.isnull() | (j.type != "vehicular")) if typed else ibis.literal(False)
    status = ibis.cases(
        (not_vehicular, "not_vehicular"),
        (j.stop_date.isnull() | minute.isnull(), "no_date_or_time"),
        (no_centroid, "no_centroid"),
        (sunset_m.isnull() | dusk_m.isnull(), "no_sun_times"),
        ((minute < lo) | (minute > hi), "outside_window"),
        ((minute > sunset_m) & (minute < dusk_m), "ambiguous"),
        else_="sample",
    )
    j = j.select(
        race=j.race,
        district=j.district,
        minute=minute,
        dusk_minute=dusk_m,
        season=j.dst_season,
        status=status,
    )
    sample = j.status == "sample"
    in_dst = sample & j.season.notnull() & (j.minute >= dst_lo) & (j.minute <= dst_hi)
    joined = j.mutate(
        minute5=ibis.ifelse(sample, ((j.minute + ROUND_TO // 2) // ROUND_TO) * ROUND_TO, None),
        is_dark=ibis.ifelse(sample, j.minute.cast("float64") >= j.dusk_minute, None),
        dst_season=ibis.ifelse(in_dst, j.season, ibis.null(dt_ibis.string)),
        is_black=ibis.ifelse(j.race == BLACK, 1, 0).cast("int64"),
    )
    return _Prepared(joined=joined, info=info)


CELL_KEYS = ["status", "minute5", "is_dark", "district", "dst_season"]


def _fine_cells(prep: _Prepared) -> pd.DataFrame:
    """The cells, further split by the chart's band of minutes since dusk (null outside the
    chart's range): one pass over the stops serves both the model and the chart."""
    j = prep.joined
    lo, hi = CHART_RANGE
    since = j.minute.cast("float64") - j.dusk_minute
    in_chart = (j.status == "sample") & (since >= lo) & (since < hi)
    since_bin = ibis.ifelse(
        in_chart,
        ((since / CHART_BIN_MINUTES).floor() * CHART_BIN_MINUTES).cast("int64"),
        ibis.null(dt_ibis.int64),
    )
    j = j.mutate(since_bin=since_bin)
    return (
        j.group_by([*CELL_KEYS, "since_bin"])
        .aggregate(n_black=j.is_black.sum(), n_total=j.count())
        .to_pandas()
    )


def _cells_from_fine(fine: pd.DataFrame, info: dict[str, Any]) -> pd.DataFrame:
    cells = (
        fine.groupby(CELL_KEYS, dropna=False, sort=False)[["n_black", "n_total"]]
        .sum()
        .reset_index()
    )
    cells["n_black"] = cells["n_black"].fillna(0).astype("int64")
    cells["n_total"] = cells["n_total"].astype("int64")
    cells["in_dst_window"] = cells["dst_season"].notna()
    cells = cells.sort_values(CELL_KEYS, na_position="first").reset_index(drop=True)
    cells.attrs["vod"] = info
    return cells


def _chart_from_fine(fine: pd.DataFrame) -> pd.DataFrame:
    s = fine[fine["since_bin"].notna()]
    out = s.groupby(["since_bin", "is_dark"])[["n_black", "n_total"]].sum().reset_index()
    out["since_bin"] = out["since_bin"].astype("int64")
    out["n_black"] = out["n_black"].fillna(0).astype("int64")
    out["n_total"] = out["n_total"].astype("int64")
    return out.sort_values(["since_bin", "is_dark"]).reset_index(drop=True)


def _cells(prep: _Prepared) -> pd.DataFrame:
    return _cells_from_fine(_fine_cells(prep), prep.info)


def vod_cells(
    t: ir.Table, options: AnalysisOptions, *, dst_radius_days: int = DST_RADIUS_DAYS
) -> pd.DataFrame:
    """Counts of black and all (black + white) stops per cell, computed by the backend.

    Columns: ``status`` (one of :data:`STATUSES`; only ``sample`` rows enter the fit, the
    others count the stops left out and why), ``minute5``, ``is_dark``, ``district``,
    ``dst_season`` ("spring"/"fall" for stops in the DST sample, else null), ``in_dst_window``,
    ``n_black``, ``n_total``. ``cells.attrs["vod"]`` holds the window and DST dates.
    Raises :class:`VodInputError` when there is no time zone or no location.
    """
    return _cells(_prepare(t, options, dst_radius_days))


def _chart_frame(prep: _Prepared) -> pd.DataFrame:
    return _chart_from_fine(_fine_cells(prep))


def vod_chart(t: ir.Table, options: AnalysisOptions) -> pd.DataFrame:
    """Share of black drivers by minutes since dusk (10-minute bins, -90 to +60), light/dark."""
    return _chart_frame(_prepare(t, options))


# --------------------------------------------------------------------------- fit


def _sample(cells: pd.DataFrame) -> pd.DataFrame:
    if "status" in cells.columns:
        cells = cells[cells["status"] == "sample"]
    return cells


def insufficient_reason(cells: pd.DataFrame) -> str | None:
    """Why the sample in ``cells`` is too small for the test, or None."""
    s = _sample(cells)
    n = int(s["n_total"].sum())
    n_black = int(s["n_black"].sum())
    n_white = n - n_black
    n_dark = int(s.loc[s["is_dark"].astype(bool), "n_total"].sum()) if n else 0
    n_light = n - n_dark
    if n < MIN_STOPS:
        return (
            f"only {n:,} black and white stops in the inter-twilight window "
            f"(the test needs at least {MIN_STOPS:,})"
        )
    if min(n_black, n_white) < MIN_PER_GROUP:
        return (
            f"{n_black:,} black and {n_white:,} white stops in the window: the test needs at "
            f"least {MIN_PER_GROUP} of each"
        )
    if min(n_dark, n_light) < MIN_PER_GROUP:
        return (
            f"{n_light:,} stops in daylight and {n_dark:,} after dusk in the window: the test "
            f"needs at least {MIN_PER_GROUP} of each"
        )
    return None


def _method(spline_df: int, district_effects: bool, season_effects: bool) -> str:
    terms = f"is_dark + ns(minute5, df={spline_df})"
    if district_effects:
        terms += " + district"
    if season_effects:
        terms += " + season"
    return (
        f"Veil-of-darkness test: logistic regression logit P(black | stop) = {terms}, over "
        "black and white drivers stopped in the inter-twilight window (earliest to latest "
        "dusk), stops between sunset and dusk removed, fitted as a binomial GLM on cell "
        "counts; estimate = coefficient on is_dark with Wald 95% interval (estimate +/- 1.96 "
        "SE). Negative = black drivers a smaller share of stops after dark. Grogger & "
        "Ridgeway (2006); Pierson et al. (2020) Nature Human Behaviour 4:736-745."
    )


def fit_vod(
    cells: pd.DataFrame,
    spline_df: int = 6,
    district_effects: bool = False,
    season_effects: bool = False,
) -> dict[str, Any]:
    """Binomial GLM of the cells (see the module docstring). Pure: no database.

    ``cells`` needs ``minute5``, ``is_dark``, ``n_black``, ``n_total`` (and ``district`` /
    ``dst_season`` for the fixed effects); rows with a ``status`` other than ``sample`` are
    ignored. Raises ValueError when the design cannot be fitted (rank deficient, no
    variation). Districts in which every stop is of one race carry no information on is_dark
    once they have a fixed effect, and their effect has no finite estimate: they are left
    out (``n_districts_dropped``).
    """
    if spline_df < 1:
        raise ValueError("spline_df must be at least 1")
    s = _sample(cells)
    keys = ["minute5", "is_dark"]
    if district_effects:
        keys.append("district")
    if season_effects:
        keys.append("dst_season")
    s = s.assign(is_dark=s["is_dark"].astype(bool))
    n_dropped_stops = 0
    dropped_districts = 0
    if district_effects:
        null_district = s["district"].isna()
        n_dropped_stops += int(s.loc[null_district, "n_total"].sum())
        s = s[~null_district]
        by = s.groupby("district")[["n_black", "n_total"]].sum()
        degenerate = by.index[(by["n_black"] == 0) | (by["n_black"] == by["n_total"])]
        dropped_districts = len(degenerate)
        n_dropped_stops += int(s.loc[s["district"].isin(degenerate), "n_total"].sum())
        s = s[~s["district"].isin(degenerate)]
    g = s.groupby(keys, dropna=False, as_index=False)[["n_black", "n_total"]].sum()
    g = g[g["n_total"] > 0].reset_index(drop=True)
    if g.empty:
        raise ValueError("no stops to fit")
    minute = g["minute5"].to_numpy(dtype=float)
    counts = g["n_total"].to_numpy(dtype=np.int64)
    interior, boundary = ns_knots(minute, counts, spline_df)
    columns = [np.ones(len(g)), g["is_dark"].to_numpy(dtype=float)]
    names = ["intercept", "is_dark"]
    spline = ns_basis(minute, interior, boundary)
    columns += [spline[:, i] for i in range(spline.shape[1])]
    names += [f"ns{i + 1}" for i in range(spline.shape[1])]
    n_districts = 0
    if district_effects:
        levels = sorted(g["district"].astype(str).unique())
        n_districts = len(levels)
        for level in levels[1:]:
            columns.append((g["district"].astype(str) == level).to_numpy(dtype=float))
            names.append(f"district[{level}]")
    if season_effects:
        seasons = sorted(g["dst_season"].dropna().astype(str).unique())
        for level in seasons[1:]:
            columns.append((g["dst_season"] == level).to_numpy(dtype=float))
            names.append(f"season[{level}]")
    x = np.column_stack(columns)
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise ValueError(
            "the design is rank deficient (too few distinct clock times for the spline, or "
            "darkness confounded with the controls)"
        )
    n_black = g["n_black"].to_numpy(dtype=float)
    n_total = counts.astype(float)
    y = np.column_stack([n_black, n_total - n_black])
    model = sm.GLM(y, x, family=sm.families.Binomial())
    res = model.fit(method="IRLS", tol=1e-12, maxiter=200)
    est = float(res.params[1])
    se = float(res.bse[1])
    if not (math.isfinite(est) and math.isfinite(se)) or se <= 0:
        raise ValueError("the fit did not converge to a finite estimate")
    z = est / se
    dark = g["is_dark"].to_numpy(dtype=bool)
    return {
        "method": _method(spline_df, district_effects, season_effects),
        "insufficient_data": None,
        "estimate": est,
        "std_error": se,
        "z": z,
        "p_value": float(2 * norm.sf(abs(z))),
        "lower": est - Z95 * se,
        "upper": est + Z95 * se,
        "odds_ratio": math.exp(est),
        "odds_ratio_lower": math.exp(est - Z95 * se),
        "odds_ratio_upper": math.exp(est + Z95 * se),
        "n_stops": int(n_total.sum()),
        "n_black": int(n_black.sum()),
        "n_dark": int(n_total[dark].sum()),
        "n_light": int(n_total[~dark].sum()),
        "n_cells": len(g),
        "spline_df": spline_df,
        "spline_knots": [float(k) for k in interior],
        "spline_boundary_knots": [boundary[0], boundary[1]],
        "district_effects": district_effects,
        "n_districts": n_districts,
        "n_districts_dropped": dropped_districts,
        "n_stops_dropped_for_controls": n_dropped_stops,
        "season_effects": season_effects,
        "converged": bool(res.converged),
    }


def _fit_or_reason(
    cells: pd.DataFrame, spline_df: int, district_effects: bool, season_effects: bool = False
) -> dict[str, Any]:
    reason = insufficient_reason(cells)
    if reason is None:
        try:
            return fit_vod(cells, spline_df, district_effects, season_effects)
        except ValueError as exc:
            reason = f"the model cannot be fitted: {exc}"
    return {
        "method": _method(spline_df, district_effects, season_effects),
        "insufficient_data": reason,
        "spline_df": spline_df,
        "district_effects": district_effects,
        "season_effects": season_effects,
    }


def _has_districts(cells: pd.DataFrame) -> bool:
    s = _sample(cells)
    return int(s["district"].dropna().nunique()) > 1


def fit_all(
    cells: pd.DataFrame,
    spline_df: int = 6,
    district_effects: bool = False,
    robustness: bool = True,
) -> dict[str, Any]:
    """The published result from the cells: full-year fit, DST fit and robustness grid."""
    districts = _has_districts(cells)
    notes: list[str] = []
    if district_effects and not districts:
        notes.append("district effects were requested but the data have fewer than 2 districts")
        district_effects = False
    out = _fit_or_reason(cells, spline_df, district_effects)
    s = _sample(cells)
    dst_cells = s[s["dst_season"].notna()]
    dst = _fit_or_reason(dst_cells, spline_df, district_effects, season_effects=True)
    dst["sample"] = "stops within 30 days of a daylight-saving change"
    out["dst"] = dst
    if robustness:
        grid = []
        for df_ in range(1, 7):
            for de in (False, True) if districts else (False,):
                fit = _fit_or_reason(cells, df_, de)
                grid.append(
                    {
                        k: fit.get(k)
                        for k in (
                            "spline_df",
                            "district_effects",
                            "estimate",
                            "std_error",
                            "lower",
                            "upper",
                            "n_stops",
                            "insufficient_data",
                        )
                    }
                )
        out["robustness"] = grid
    out["notes"] = notes
    return out


def _chart(chart: pd.DataFrame) -> dict[str, Any]:
    bins = []
    for row in chart.itertuples(index=False):
        n_total = int(row.n_total)
        n_black = int(row.n_black)
        bins.append(
            {
                "minutes_since_dusk": int(row.since_bin),
                "is_dark": bool(row.is_dark),
                "n_black": n_black,
                "n_total": n_total,
                "share_black": n_black / n_total if n_total else None,
            }
        )
    return {
        "x": "minutes since dusk (bin start)",
        "bin_minutes": CHART_BIN_MINUTES,
        "range": list(CHART_RANGE),
        "note": (
            "Share of black drivers among black and white drivers stopped in the window, by "
            "minutes since dusk; stops between sunset and dusk are left out. Not adjusted for "
            "clock time, which the model is."
        ),
        "bins": bins,
    }


def analyze(t: ir.Table, options: AnalysisOptions) -> dict[str, Any]:
    """The veil-of-darkness result for a normalized stop table (any Ibis backend)."""
    try:
        prep = _prepare(t, options)
    except VodInputError as exc:
        return {
            "method": _method(options.spline_df, options.district_effects, False),
            "insufficient_data": str(exc),
        }
    fine = _fine_cells(prep)
    cells = _cells_from_fine(fine, prep.info)
    out = fit_all(cells, options.spline_df, options.district_effects, options.robustness)
    counts = cells.groupby("status")["n_total"].sum()
    out["sample_rules"] = {
        "stops_by_status": {s: int(counts.get(s, 0)) for s in STATUSES},
        "window_minutes": prep.info.get("window"),
        "dst_window_minutes": prep.info.get("dst_window"),
        "dst_changes": {str(k): v for k, v in prep.info["dst_changes"].items()},
        "sun_point": "district centroids" if prep.info["by_district"] else "city centre",
        "vehicular_only": prep.info["typed"],
        "min_stops": MIN_STOPS,
        "min_per_group": MIN_PER_GROUP,
    }
    if out.get("insufficient_data") is None:
        out["chart"] = _chart(_chart_from_fine(fine))
    return out
