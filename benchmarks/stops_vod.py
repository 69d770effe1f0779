"""Veil of darkness: cell aggregation + cell fit vs a stop-level GLM, on synthetic stops.

    .venv/bin/python -m benchmarks.stops_vod --stops 10000000

Generates ``--stops`` black/white vehicular stops (numpy, seeded) over two years at Hartford's
centre, clock times 16:30-21:30, with a planted darkness effect of -0.3 on the log-odds of
a stop being of a black driver and a linear time-of-day trend; loads them into DuckDB as a
normalized table; then times

(a) ``vod_cells`` (Ibis on DuckDB: sun times per distinct date, join, cell counts) followed by
    ``fit_vod`` (binomial GLM on the cells), and
(b) a statsmodels binomial GLM on one row per stop with the same design (same knots, same
    spline basis), after fetching the stop-level sample from DuckDB (fetch timed separately).

Prints one JSON line: both times, the speedups, and the relative difference of the is_dark
coefficient and its standard error between (a) and (b).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import resource
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stops", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-raw", action="store_true", help="time (a) only")
    args = parser.parse_args()

    import ibis
    import numpy as np
    import pyarrow as pa
    import statsmodels.api as sm

    from peelian.stops.analysis.options import AnalysisOptions
    from peelian.stops.analysis.sun import sun_times
    from peelian.stops.analysis.vod import _prepare, fit_vod, ns_basis, vod_cells

    lat, lng, tz = 41.7658043, -72.6733723, "America/New_York"
    rng = np.random.default_rng(args.seed)
    n = args.stops
    start = dt.date(2015, 1, 1)
    days = [start + dt.timedelta(days=i) for i in range(731)]
    sun = sun_times(days, {"c": (lat, lng)}, tz)
    dusk_by_day = sun["dusk_minute"].to_numpy(dtype=np.int64)

    t = time.perf_counter()
    day = rng.integers(0, len(days), n)
    minute = rng.integers(16 * 60 + 30, 21 * 60 + 30, n).astype(np.int32)
    dark = minute >= dusk_by_day[day]
    eta = -0.2 - 0.3 * dark + 0.002 * (minute - 1140)
    black = rng.random(n) < 1 / (1 + np.exp(-eta))
    epoch = (np.datetime64(start.isoformat(), "D") + day).astype("datetime64[D]")
    table = pa.table(
        {
            "stop_date": pa.array(epoch, type=pa.date32()),
            "minute": pa.array(minute, type=pa.int32()),
            "race": pa.DictionaryArray.from_arrays(
                pa.array(black.astype(np.int8)), pa.array(["white", "black"])
            ).cast(pa.string()),
            "district": pa.nulls(n, type=pa.string()),
            "type": pa.array(np.full(n, "vehicular", dtype=object), type=pa.string()),
        }
    )
    del day, dark, eta, black, epoch
    con = ibis.duckdb.connect()
    stops = con.create_table("stops", table)
    del table
    generate_seconds = time.perf_counter() - t

    options = AnalysisOptions(lat=lat, lng=lng, tz=tz)
    t = time.perf_counter()
    cells = vod_cells(stops, options)
    agg_seconds = time.perf_counter() - t
    t = time.perf_counter()
    fit = fit_vod(cells, 6)
    cell_fit_seconds = time.perf_counter() - t
    a_seconds = agg_seconds + cell_fit_seconds

    out: dict[str, object] = {
        "benchmark": "stops_vod",
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "stops": n,
        "sample_stops": fit["n_stops"],
        "cells": fit["n_cells"],
        "generate_seconds": round(generate_seconds, 1),
        "a_aggregate_seconds": round(agg_seconds, 2),
        "a_cell_fit_seconds": round(cell_fit_seconds, 3),
        "a_total_seconds": round(a_seconds, 2),
        "estimate_cells": fit["estimate"],
        "std_error_cells": fit["std_error"],
    }
    if not args.skip_raw:
        t = time.perf_counter()
        prep = _prepare(stops, options)
        j = prep.joined
        rows = j.filter(j.status == "sample").select("minute5", "is_dark", "is_black").to_pyarrow()
        m5 = rows["minute5"].to_numpy().astype(np.float64)
        is_dark = rows["is_dark"].to_numpy(zero_copy_only=False).astype(np.float64)
        y = rows["is_black"].to_numpy().astype(np.float64)
        del rows
        fetch_seconds = time.perf_counter() - t
        t = time.perf_counter()
        knots = np.quantile(m5, np.linspace(0, 1, 7)[1:-1])
        x = np.column_stack(
            [np.ones_like(m5), is_dark, ns_basis(m5, knots, (float(m5.min()), float(m5.max())))]
        )
        del m5, is_dark
        res = sm.GLM(y, x, family=sm.families.Binomial()).fit(tol=1e-12, maxiter=200)
        raw_fit_seconds = time.perf_counter() - t
        est, se = float(res.params[1]), float(res.bse[1])
        out.update(
            b_fetch_rows_seconds=round(fetch_seconds, 2),
            b_raw_fit_seconds=round(raw_fit_seconds, 2),
            b_total_seconds=round(fetch_seconds + raw_fit_seconds, 2),
            estimate_raw=est,
            std_error_raw=se,
            rel_diff_estimate=abs(fit["estimate"] - est) / abs(est),
            rel_diff_std_error=abs(fit["std_error"] - se) / se,
            speedup_vs_raw_fit=round(raw_fit_seconds / a_seconds, 1),
            speedup_vs_fetch_and_raw_fit=round((fetch_seconds + raw_fit_seconds) / a_seconds, 1),
        )
    out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
