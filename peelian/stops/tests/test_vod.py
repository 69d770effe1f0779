"""Veil-of-darkness test: cell fit vs stop-level fit, planted effects, sample rules, real data."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import math
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import ibis
import numpy as np
import pandas as pd
import patsy
import pytest
import statsmodels.api as sm
from astral import Observer
from astral.sun import dusk, sunset

from peelian.stops.analysis.frame import normalize
from peelian.stops.analysis.options import AnalysisOptions
from peelian.stops.analysis.vod import (
    MIN_STOPS,
    analyze,
    fit_vod,
    insufficient_reason,
    ns_basis,
    ns_knots,
    vod_cells,
    weighted_quantiles,
)
from peelian.stops.tests.realdata import real_file

TZ = "America/New_York"
CENTRE = (41.7658043, -72.6733723)  # Hartford, opp_resources/city_center_lat_lngs.csv


# ------------------------------------------------------------------ simulated cells


def simulate_stops(
    rng: np.random.Generator, n: int, beta: float, trend: float = 0.004, base: float = -0.4
) -> pd.DataFrame:
    """Stop-level rows in an inter-twilight window with a planted darkness effect.

    Dusk moves over the year from 17:00 to 20:30 (minute 1020..1230); sunset is 30 minutes
    earlier. True model: logit P(black) = base + beta * is_dark + trend * (minute5 - 1100),
    a linear time-of-day trend (inside the natural-spline space).
    """
    day = rng.integers(0, 365, n)
    dusk_m = np.round(1125 + 105 * np.sin(2 * np.pi * (day - 80) / 365)).astype(int)
    minute = rng.integers(1020, 1231, n)
    keep = ~((minute > dusk_m - 30) & (minute < dusk_m))
    minute, dusk_m = minute[keep], dusk_m[keep]
    is_dark = (minute >= dusk_m).astype(int)
    minute5 = ((minute + 2) // 5) * 5
    eta = base + beta * is_dark + trend * (minute5 - 1100)
    black = rng.random(len(minute)) < 1 / (1 + np.exp(-eta))
    return pd.DataFrame(
        {"minute5": minute5, "is_dark": is_dark.astype(bool), "is_black": black.astype(int)}
    )


def to_cells(rows: pd.DataFrame, keys: list[str] | None = None) -> pd.DataFrame:
    keys = keys or ["minute5", "is_dark"]
    return (
        rows.groupby(keys, as_index=False)
        .agg(n_black=("is_black", "sum"), n_total=("is_black", "size"))
        .assign(status="sample")
    )


def test_weighted_quantiles_equal_numpy_on_expanded_rows() -> None:
    rng = np.random.default_rng(1)
    values = rng.choice(np.arange(1000, 1300, 5), 40, replace=False)
    counts = rng.integers(0, 30, 40)
    raw = np.repeat(values, counts)
    probs = np.linspace(0, 1, 11)
    assert np.allclose(weighted_quantiles(values, counts, probs), np.quantile(raw, probs))


def test_ns_basis_spans_patsy_natural_cubic_spline() -> None:
    x = np.linspace(1000, 1260, 53)
    interior, boundary = ns_knots(x, np.ones_like(x, dtype=int), 6)
    ours = ns_basis(x, interior, boundary)
    assert ours.shape == (53, 6)
    theirs = patsy.dmatrix(
        "cr(x, knots=k, lower_bound=lo, upper_bound=hi, constraints='center') - 1",
        {"x": x, "k": interior, "lo": boundary[0], "hi": boundary[1]},
    )
    both = np.column_stack([np.ones_like(x), ours])
    # Each patsy column is an exact linear combination of [1, ours] and vice versa.
    for target, design in (
        (np.asarray(theirs), both),
        (ours, np.column_stack([np.ones_like(x), theirs])),
    ):
        coef, *_ = np.linalg.lstsq(design, target, rcond=None)
        assert np.abs(design @ coef - target).max() < 1e-9
    # Linear beyond/at the boundary: zero second differences of a fine grid near each end.
    fine = np.linspace(boundary[0], boundary[0] + 1e-3, 3)
    second = np.diff(ns_basis(fine, interior, boundary), 2, axis=0)
    assert np.abs(second).max() < 1e-9


@pytest.mark.parametrize("district_effects", [False, True])
def test_cell_fit_equals_stop_level_logit(district_effects: bool) -> None:
    rng = np.random.default_rng(7)
    rows = simulate_stops(rng, 6000, beta=-0.3)
    rows["district"] = rng.choice(["a", "b", "c"], len(rows))
    in_c = (rows["district"] == "c").to_numpy()
    rows.loc[in_c, "is_black"] ^= (rng.random(in_c.sum()) < 0.2).astype(int)
    keys = ["minute5", "is_dark", "district"]
    cells = to_cells(rows, keys)
    got = fit_vod(cells, 6, district_effects=district_effects)
    # Stop-level: one row per stop, knots from numpy's quantiles of the raw rows.
    knots = np.quantile(rows["minute5"], np.linspace(0, 1, 7)[1:-1])
    bounds = (float(rows["minute5"].min()), float(rows["minute5"].max()))
    cols = [np.ones(len(rows)), rows["is_dark"].to_numpy(float)]
    spline = ns_basis(rows["minute5"].to_numpy(float), knots, bounds)
    cols += list(spline.T)
    if district_effects:
        cols += [(rows["district"] == d).to_numpy(float) for d in ("b", "c")]
    res = sm.Logit(rows["is_black"].to_numpy(float), np.column_stack(cols)).fit(
        disp=0, tol=1e-12, maxiter=100
    )
    assert got["n_stops"] == len(rows)
    assert got["estimate"] == pytest.approx(res.params[1], rel=1e-6)
    assert got["std_error"] == pytest.approx(res.bse[1], rel=1e-6)
    assert got["spline_knots"] == pytest.approx(list(knots))


def test_planted_effect_is_recovered_with_nominal_coverage() -> None:
    beta = -0.35
    rng = np.random.default_rng(2024)
    covered = 0
    estimates = []
    for _ in range(100):
        fit = fit_vod(to_cells(simulate_stops(rng, 3000, beta)), 6)
        estimates.append(fit["estimate"])
        covered += fit["lower"] <= beta <= fit["upper"]
    # 95% intervals: coverage count ~ Binomial(100, 0.95), sd 2.2; accept 89..100 (-2.7 sd).
    assert covered >= 89, covered
    # The mean of 100 estimates is within 3 standard errors of the mean of the truth.
    est = np.asarray(estimates)
    assert abs(est.mean() - beta) < 3 * est.std(ddof=1) / math.sqrt(len(est))


def test_no_planted_effect_is_rarely_significant() -> None:
    rng = np.random.default_rng(99)
    significant = sum(
        fit_vod(to_cells(simulate_stops(rng, 3000, 0.0)), 6)["p_value"] < 0.05 for _ in range(100)
    )
    # False positives ~ Binomial(100, 0.05): mean 5, sd 2.2; accept up to 11 (+2.7 sd).
    assert significant <= 11, significant


def test_planted_effect_on_a_big_sample_is_significant() -> None:
    rng = np.random.default_rng(5)
    fit = fit_vod(to_cells(simulate_stops(rng, 40_000, -0.3)), 6)
    assert fit["upper"] < 0
    assert fit["lower"] < -0.3 < fit["upper"]
    assert fit["odds_ratio"] == pytest.approx(math.exp(fit["estimate"]))


# ------------------------------------------------------------------ stop tables (Ibis)


def synthetic_table(
    rng: np.random.Generator, n: int, beta: float = -0.3, districts: bool = False
) -> pd.DataFrame:
    """Raw OPP-format rows over 2015-2016 (both DST changes), real clock times."""
    start = dt.date(2015, 1, 1)
    day = rng.integers(0, 730, n)
    minute = rng.integers(15 * 60, 22 * 60, n)
    black = rng.random(n) < 0.45
    race = np.where(black, "black", "white")
    race = np.where(rng.random(n) < 0.15, "hispanic", race)
    time_text = [f"{m // 60:02d}:{m % 60:02d}:00" for m in minute]
    frame = pd.DataFrame(
        {
            "date": [(start + dt.timedelta(days=int(d))).isoformat() for d in day],
            "time": time_text,
            "subject_race": race,
            "type": np.where(rng.random(n) < 0.1, "pedestrian", "vehicular"),
        }
    )
    frame.loc[rng.random(n) < 0.02, "time"] = None
    if districts:
        frame["district"] = rng.choice(["north", "south", "east", "nowhere"], n)
        frame.loc[rng.random(n) < 0.03, "district"] = None
    return frame


CENTROIDS = {"north": (41.80, -72.67), "south": (41.73, -72.68), "east": (41.77, -72.64)}


def pandas_cells(raw: pd.DataFrame, by_district: bool) -> pd.DataFrame:
    """The sample cells computed with pandas, row by row, with astral directly."""
    zone = ZoneInfo(TZ)
    d = raw[raw["subject_race"].isin(["black", "white"])]
    d = d[(d["type"] == "vehicular") & d["time"].notna()].copy()
    if by_district:
        d = d[d["district"].isin(list(CENTROIDS))].copy()
        points = d["district"].map(CENTROIDS)
    else:
        points = pd.Series([CENTRE] * len(d), index=d.index)
    d["day"] = pd.to_datetime(d["date"]).dt.date
    d["minute"] = [int(t[:2]) * 60 + int(t[3:5]) for t in d["time"]]
    ss, dk = [], []
    for day, (lat, lng) in zip(d["day"], points, strict=True):
        obs = Observer(latitude=lat, longitude=lng)
        s = sunset(obs, day, tzinfo=zone)
        k = dusk(obs, day, tzinfo=zone)
        ss.append(s.hour * 60 + s.minute)
        dk.append(k.hour * 60 + k.minute)
    d["sunset_m"], d["dusk_m"] = ss, dk
    lo, hi = d["dusk_m"].min(), d["dusk_m"].max()
    d = d[(d["minute"] >= lo) & (d["minute"] <= hi)]
    d = d[~((d["minute"] > d["sunset_m"]) & (d["minute"] < d["dusk_m"]))].copy()
    d["is_dark"] = d["minute"] >= d["dusk_m"]
    d["minute5"] = np.round(d["minute"] / 5).astype(int) * 5
    d["is_black"] = (d["subject_race"] == "black").astype(int)
    keys = ["minute5", "is_dark"] + (["district"] if by_district else [])
    return d.groupby(keys, as_index=False).agg(
        n_black=("is_black", "sum"), n_total=("is_black", "size")
    )


@pytest.mark.parametrize("by_district", [False, True])
def test_ibis_cells_equal_pandas_cells(by_district: bool) -> None:
    raw = synthetic_table(np.random.default_rng(11), 4000, districts=by_district)
    t = normalize(ibis.memtable(raw))
    options = AnalysisOptions(
        lat=CENTRE[0], lng=CENTRE[1], tz=TZ, district_centroids=CENTROIDS if by_district else None
    )
    cells = vod_cells(t, options)
    keys = ["minute5", "is_dark"] + (["district"] if by_district else [])
    sample = cells[cells["status"] == "sample"]
    got = sample.groupby(keys, as_index=False)[["n_black", "n_total"]].sum()
    got["minute5"] = got["minute5"].astype(int)
    got["is_dark"] = got["is_dark"].astype(bool)
    want = pandas_cells(raw, by_district)
    pd.testing.assert_frame_equal(
        got.sort_values(keys).reset_index(drop=True),
        want.sort_values(keys).reset_index(drop=True),
        check_dtype=False,
    )
    counts = cells.groupby("status")["n_total"].sum()
    assert counts["not_vehicular"] == int(
        (raw["subject_race"].isin(["black", "white"]) & (raw["type"] != "vehicular")).sum()
    )
    if by_district:
        bw_veh = raw[raw["subject_race"].isin(["black", "white"]) & (raw["type"] == "vehicular")]
        no_centroid = bw_veh["time"].notna() & ~bw_veh["district"].isin(list(CENTROIDS))
        assert counts["no_centroid"] == int(no_centroid.sum())
    # Every black/white stop is counted under exactly one status.
    assert int(cells["n_total"].sum()) == int(raw["subject_race"].isin(["black", "white"]).sum())


def test_dst_flags_follow_the_dst_dates() -> None:
    raw = synthetic_table(np.random.default_rng(3), 3000)
    t = normalize(ibis.memtable(raw))
    cells = vod_cells(t, AnalysisOptions(lat=CENTRE[0], lng=CENTRE[1], tz=TZ))
    info = cells.attrs["vod"]
    # US rule: 2015-03-08 / 2015-11-01 and 2016-03-13 / 2016-11-06.
    assert info["dst_changes"] == {
        2015: ["2015-03-08", "2015-11-01"],
        2016: ["2016-03-13", "2016-11-06"],
    }
    # Independent count of the DST sample in pandas.
    zone = ZoneInfo(TZ)
    obs = Observer(latitude=CENTRE[0], longitude=CENTRE[1])
    d = raw[raw["subject_race"].isin(["black", "white"]) & (raw["type"] == "vehicular")]
    d = d[d["time"].notna()].copy()
    d["day"] = pd.to_datetime(d["date"]).dt.date
    d["minute"] = [int(x[:2]) * 60 + int(x[3:5]) for x in d["time"]]
    dk = [dusk(obs, x, tzinfo=zone) for x in d["day"]]
    ss = [sunset(obs, x, tzinfo=zone) for x in d["day"]]
    d["dusk_m"] = [k.hour * 60 + k.minute for k in dk]
    d["sunset_m"] = [s.hour * 60 + s.minute for s in ss]
    changes = [
        dt.date(2015, 3, 8),
        dt.date(2015, 11, 1),
        dt.date(2016, 3, 13),
        dt.date(2016, 11, 6),
    ]
    d["dst"] = [min(abs((x - c).days) for c in changes) <= 30 for x in d["day"]]
    lo, hi = d.loc[d["dst"], "dusk_m"].min(), d.loc[d["dst"], "dusk_m"].max()
    in_window = d["minute"].between(d["dusk_m"].min(), d["dusk_m"].max())
    ambiguous = (d["minute"] > d["sunset_m"]) & (d["minute"] < d["dusk_m"])
    want = int((d["dst"] & in_window & ~ambiguous & d["minute"].between(lo, hi)).sum())
    assert int(cells.loc[cells["in_dst_window"], "n_total"].sum()) == want
    assert set(cells["dst_season"].dropna()) == {"spring", "fall"}


def test_analyze_end_to_end_is_json_and_recovers_planted_effect() -> None:
    rng = np.random.default_rng(8)
    raw = synthetic_table(rng, 30_000)
    # Plant: after dusk (at Hartford's centre), black drivers' odds x exp(-0.5).
    zone = ZoneInfo(TZ)
    obs = Observer(latitude=CENTRE[0], longitude=CENTRE[1])
    dusk_of = {d: dusk(obs, dt.date.fromisoformat(d), tzinfo=zone) for d in raw["date"].unique()}
    minute = raw["time"].str[:2].astype(float) * 60 + raw["time"].str[3:5].astype(float)
    dark = minute >= [dusk_of[d].hour * 60 + dusk_of[d].minute for d in raw["date"]]
    bw = raw["subject_race"].isin(["black", "white"])
    p = np.where(dark, 1 / (1 + np.exp(0.5)), 0.5)
    raw.loc[bw, "subject_race"] = np.where(rng.random(bw.sum()) < p[bw], "black", "white")
    out = analyze(
        normalize(ibis.memtable(raw)), AnalysisOptions(lat=CENTRE[0], lng=CENTRE[1], tz=TZ)
    )
    json.dumps(out, allow_nan=False)
    assert out["insufficient_data"] is None
    assert out["lower"] < -0.5 < out["upper"]
    assert out["dst"]["insufficient_data"] is None
    assert out["dst"]["lower"] < -0.5 < out["dst"]["upper"]
    assert [r["spline_df"] for r in out["robustness"]] == [1, 2, 3, 4, 5, 6]
    assert sum(b["n_total"] for b in out["chart"]["bins"]) <= out["n_stops"]
    assert {b["is_dark"] for b in out["chart"]["bins"]} == {True, False}
    assert out["sample_rules"]["stops_by_status"]["sample"] == out["n_stops"]


# ------------------------------------------------------------------ insufficient data


def test_no_time_zone_or_location() -> None:
    t = normalize(ibis.memtable(synthetic_table(np.random.default_rng(0), 50)))
    no_tz = analyze(t, AnalysisOptions(lat=CENTRE[0], lng=CENTRE[1]))
    assert "time zone" in no_tz["insufficient_data"]
    assert "estimate" not in no_tz
    no_place = analyze(t, AnalysisOptions(tz=TZ))
    assert "location" in no_place["insufficient_data"]


def test_too_few_stops() -> None:
    t = normalize(ibis.memtable(synthetic_table(np.random.default_rng(0), 800)))
    out = analyze(t, AnalysisOptions(lat=CENTRE[0], lng=CENTRE[1], tz=TZ))
    assert out["insufficient_data"].startswith("only ")
    assert f"{MIN_STOPS:,}" in out["insufficient_data"]
    assert "estimate" not in out
    assert "chart" not in out
    assert out["sample_rules"]["stops_by_status"]["sample"] < MIN_STOPS


def test_no_black_drivers() -> None:
    raw = synthetic_table(np.random.default_rng(0), 20_000)
    raw.loc[raw["subject_race"] == "black", "subject_race"] = "white"
    out = analyze(
        normalize(ibis.memtable(raw)), AnalysisOptions(lat=CENTRE[0], lng=CENTRE[1], tz=TZ)
    )
    assert "0 black" in out["insufficient_data"]
    assert "estimate" not in out


def test_no_dark_stops() -> None:
    cells = pd.DataFrame(
        {
            "minute5": [1100, 1105, 1110],
            "is_dark": [False] * 3,
            "n_black": [500, 400, 300],
            "n_total": [900, 900, 900],
        }
    )
    assert "0 after dusk" in (insufficient_reason(cells) or "")


def test_district_effects_drop_one_race_districts() -> None:
    rng = np.random.default_rng(4)
    rows = simulate_stops(rng, 5000, -0.2)
    rows["district"] = rng.choice(["a", "b", "allwhite"], len(rows))
    rows.loc[rows["district"] == "allwhite", "is_black"] = 0
    cells = to_cells(rows, ["minute5", "is_dark", "district"])
    fit = fit_vod(cells, 6, district_effects=True)
    assert fit["n_districts"] == 2
    assert fit["n_districts_dropped"] == 1
    assert fit["n_stops"] == int((rows["district"] != "allwhite").sum())


# ------------------------------------------------------------------ real data


def _validation_module() -> ModuleType:
    path = Path(__file__).resolve().parents[3] / "scripts" / "validation" / "stops_vod.py"
    spec = importlib.util.spec_from_file_location("stops_vod_validation", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hartford_matches_independent_stop_level_fit() -> None:
    path = real_file("opp_hartford", "ct_hartford_2019_02_25.csv.gz")
    real_file("opp_resources", "dst_start_end_dates.rds")
    v = _validation_module()
    lat, lng = v.city_centre("Hartford, CT")
    ours = v.peelian_result(path, lat, lng, "America/New_York")
    sample = v.stop_level_sample(path, lat, lng, "America/New_York")
    ref = v.stop_level_fit(sample)
    assert ours["n_stops"] == ref["n_stops"]
    assert ours["estimate"] == pytest.approx(ref["estimate"], rel=1e-6)
    assert ours["std_error"] == pytest.approx(ref["std_error"], rel=1e-6)
    district = next(r for r in ours["robustness"] if r["spline_df"] == 6 and r["district_effects"])
    ref_d = v.stop_level_fit(sample, district_effects=True)
    assert district["estimate"] == pytest.approx(ref_d["estimate"], rel=1e-6)
    assert district["std_error"] == pytest.approx(ref_d["std_error"], rel=1e-6)
