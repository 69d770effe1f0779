#!/usr/bin/env python3
"""Validate Peelian's veil-of-darkness test on real OPP files (San Jose, Hartford).

    .venv/bin/python scripts/validation/stops_vod.py

For each city it prints Peelian's estimate (``peelian.stops.analysis.vod.analyze``: Ibis
aggregation on DuckDB, sun times per distinct date joined as a table, binomial GLM on cells
with our own natural-spline basis) next to an independent stop-level computation written here:
pandas reads the file, astral gives sunset and dusk row by row, the DST dates come from OPP's
own ``resources/dst_start_end_dates.rds``, and the model is a patsy formula with patsy's natural
cubic regression spline ``cr()`` fitted by statsmodels on one row per stop. The two share only
astral and the sample rules (documented in peelian/stops/analysis/vod.py).

Data: ../shared/data/real/opp_san_jose, opp_hartford, opp_resources (see their SOURCE.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REAL = ROOT.parent / "shared" / "data" / "real"

CITIES: dict[str, dict[str, Any]] = {
    "San Jose, CA": {
        "file": "opp_san_jose/ca_san_jose_2019_02_25.csv.gz",
        "tz": "America/Los_Angeles",
        "district": False,
        # Years OPP kept as complete for San Jose (opp lib/veil_of_darkness.R).
        "opp_years": (2014, 2017),
    },
    "Hartford, CT": {
        "file": "opp_hartford/ct_hartford_2019_02_25.csv.gz",
        "tz": "America/New_York",
        "district": True,
        "opp_years": (2014, 2015),
    },
}


def city_centre(name: str) -> tuple[float, float]:
    centres = pd.read_csv(REAL / "opp_resources" / "city_center_lat_lngs.csv")
    row = centres[centres["geography"] == name].iloc[0]
    return float(row["center_lat"]), float(row["center_lng"])


def opp_dst_dates() -> pd.DataFrame:
    import pyreadr

    frame = next(
        iter(pyreadr.read_r(str(REAL / "opp_resources" / "dst_start_end_dates.rds")).values())
    )
    frame["year"] = frame["year"].astype(int)
    frame["dst_start"] = pd.to_datetime(frame["dst_start"]).dt.date
    frame["dst_end"] = pd.to_datetime(frame["dst_end"]).dt.date
    return frame


# ---------------------------------------------------------------- independent stop-level path


def stop_level_sample(
    path: Path,
    lat: float,
    lng: float,
    tz: str,
    years: tuple[int, int] | None = None,
    dst_radius_days: int = 30,
) -> pd.DataFrame:
    """One row per black or white vehicular stop in the inter-twilight window (pandas only)."""
    from astral import Observer
    from astral.sun import dusk, sunset

    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    race = raw["subject_race"].str.strip().str.lower()
    keep = race.isin(["black", "white"])
    if "type" in raw and raw["type"].notna().any():
        keep &= raw["type"].str.strip().str.lower() == "vehicular"
    d = raw.loc[keep].copy()
    d["race"] = race[keep]
    d["day"] = pd.to_datetime(d["date"], format="%Y-%m-%d", errors="coerce")
    parts = d["time"].str.extract(r"^(\d{1,2}):(\d{2})")
    d["minute"] = pd.to_numeric(parts[0]) * 60 + pd.to_numeric(parts[1])
    d = d[d["day"].notna() & d["minute"].notna()].copy()
    if years is not None:
        d = d[d["day"].dt.year.between(*years)].copy()
    d["day"] = d["day"].dt.date
    zone = ZoneInfo(tz)
    obs = Observer(latitude=lat, longitude=lng)

    def clock(moment: dt.datetime) -> float:
        return float(moment.hour * 60 + moment.minute)

    # Row by row, on purpose: a different code path from the per-date join Peelian uses.
    d["sunset_minute"] = [clock(sunset(obs, day, tzinfo=zone)) for day in d["day"]]
    d["dusk_minute"] = [clock(dusk(obs, day, depression=6.0, tzinfo=zone)) for day in d["day"]]
    lo, hi = d["dusk_minute"].min(), d["dusk_minute"].max()
    d = d[(d["minute"] >= lo) & (d["minute"] <= hi)]
    d = d[~((d["minute"] > d["sunset_minute"]) & (d["minute"] < d["dusk_minute"]))].copy()
    d["is_dark"] = (d["minute"] >= d["dusk_minute"]).astype(int)
    d["is_black"] = (d["race"] == "black").astype(int)
    d["minute5"] = np.round(d["minute"] / 5) * 5

    dst = opp_dst_dates().set_index("year")
    radius = dt.timedelta(days=dst_radius_days)

    def season(day: dt.date) -> str | None:
        for y in (day.year - 1, day.year, day.year + 1):
            if y in dst.index:
                if abs(day - dst.loc[y, "dst_start"]) <= radius:
                    return "spring"
                if abs(day - dst.loc[y, "dst_end"]) <= radius:
                    return "fall"
        return None

    d["season"] = [season(day) for day in d["day"]]
    return d


def stop_level_fit(
    d: pd.DataFrame, district_effects: bool = False, dst: bool = False, df: int = 6
) -> dict[str, float]:
    """statsmodels GLM on one row per stop; spline = patsy ``cr`` with R ns()'s knots."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    if dst:
        d = d[d["season"].notna()]
        # the DST sample's own inter-twilight window (earliest to latest dusk of its dates)
        d = d[d["minute"].between(d["dusk_minute"].min(), d["dusk_minute"].max())]
    if district_effects:
        d = d[d["district"].notna()]
        share = d.groupby("district")["is_black"].transform("mean")
        d = d[(share > 0) & (share < 1)]
    d = d.copy()
    knots = np.quantile(d["minute5"], np.linspace(0, 1, df + 1)[1:-1])
    lo, hi = d["minute5"].min(), d["minute5"].max()
    knot_text = "[" + ", ".join(repr(float(k)) for k in knots) + "]"
    formula = (
        f"is_black ~ is_dark + cr(minute5, knots={knot_text}, lower_bound={lo!r}, "
        f"upper_bound={hi!r}, constraints='center')"
    )
    if district_effects:
        formula += " + C(district)"
    if dst:
        formula += " + C(season)"
    res = smf.glm(formula, data=d, family=sm.families.Binomial()).fit(tol=1e-12, maxiter=200)
    return {
        "estimate": float(res.params["is_dark"]),
        "std_error": float(res.bse["is_dark"]),
        "n_stops": len(d),
    }


# ---------------------------------------------------------------- Peelian's path


def peelian_result(
    path: Path, lat: float, lng: float, tz: str, years: tuple[int, int] | None = None
) -> dict[str, Any]:
    from peelian.stops.analysis.frame import normalize, open_file
    from peelian.stops.analysis.options import AnalysisOptions
    from peelian.stops.analysis.vod import analyze

    t = normalize(open_file(path))
    if years is not None:
        t = t.filter(t.stop_date.year().between(*years))
    return analyze(t, AnalysisOptions(lat=lat, lng=lng, tz=tz, robustness=True))


def _robust(result: dict[str, Any], district_effects: bool) -> dict[str, Any] | None:
    rows: list[dict[str, Any]] = result.get("robustness", [])
    for row in rows:
        if row["spline_df"] == 6 and row["district_effects"] == district_effects:
            return row
    return None


def compare(name: str, years: tuple[int, int] | None) -> list[dict[str, Any]]:
    spec = CITIES[name]
    path = REAL / spec["file"]
    lat, lng = city_centre(name)
    t0 = time.perf_counter()
    ours = peelian_result(path, lat, lng, spec["tz"], years)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    sample = stop_level_sample(path, lat, lng, spec["tz"], years)
    rows = []
    variants: list[tuple[str, dict[str, Any] | None, dict[str, Any]]] = []
    variants.append(("time only", ours, {}))
    if spec["district"]:
        variants.append(("time + district", _robust(ours, True), {"district_effects": True}))
    variants.append(("DST sample (+ season)", ours.get("dst"), {"dst": True}))
    for label, mine, kwargs in variants:
        row: dict[str, Any] = {"city": name, "years": years or "all", "model": label}
        if mine is None or mine.get("insufficient_data"):
            row["peelian"] = (mine or {}).get("insufficient_data", "not run")
            rows.append(row)
            continue
        ref = stop_level_fit(sample, **kwargs)
        row.update(
            n_peelian=mine["n_stops"],
            n_stop_level=ref["n_stops"],
            est_peelian=mine["estimate"],
            est_stop_level=ref["estimate"],
            se_peelian=mine["std_error"],
            se_stop_level=ref["std_error"],
            rel_diff_est=abs(mine["estimate"] - ref["estimate"]) / abs(ref["estimate"]),
            rel_diff_se=abs(mine["std_error"] - ref["std_error"]) / ref["std_error"],
        )
        rows.append(row)
    t_ref = time.perf_counter() - t0
    rows.append(
        {
            "city": name,
            "years": years or "all",
            "timing_s": {"peelian_analyze": round(t_ours, 2), "stop_level": round(t_ref, 2)},
            "sample_rules": ours.get("sample_rules"),
        }
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", choices=sorted(CITIES), action="append")
    args = parser.parse_args(argv)
    names = args.city or list(CITIES)
    print(f"# veil of darkness validation, {dt.datetime.now(dt.UTC).date().isoformat()}")
    for name in names:
        if not (REAL / CITIES[name]["file"]).exists():
            print(f"{name}: absent ({REAL / CITIES[name]['file']})")
            continue
        for years in (None, CITIES[name]["opp_years"]):
            for row in compare(name, years):
                if "timing_s" in row:
                    print(f"  timing {row['timing_s']}  sample {row['sample_rules']}")
                    continue
                if "est_peelian" not in row:
                    print(f"{row['city']} [{row['years']}] {row['model']}: {row['peelian']}")
                    continue
                print(
                    f"{row['city']} [{row['years']}] {row['model']}: "
                    f"n={row['n_peelian']}/{row['n_stop_level']}  "
                    f"is_dark={row['est_peelian']:+.8f} / {row['est_stop_level']:+.8f} "
                    f"(rel diff {row['rel_diff_est']:.1e})  "
                    f"SE={row['se_peelian']:.8f} / {row['se_stop_level']:.8f} "
                    f"(rel diff {row['rel_diff_se']:.1e})"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
