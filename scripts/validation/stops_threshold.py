"""Validate Peelian's threshold test against Stanford's published 2017 threshold-test output.

Input: ``opp_aggregates_2017/fig4b_threshold_test.csv`` (Pierson et al. 2017, arXiv:1706.05678
v1; GitHub 5harad/openpolicing, results/data_for_figures): per state x county x race the
stops, searches and hits, and ``inferred_threshold``, the posterior-mean search threshold on
the probability scale from Stanford's 2017 Stan model.

Stanford's 2017 model used a *beta* signal distribution (Simoiu, Corbett-Davies & Goel 2017);
Peelian fits the later *discriminant* ("fast threshold test") family of Pierson,
Corbett-Davies & Goel (2018) that OPP 2020 uses. The comparison is therefore between two
models of the same counts, not a re-run of the same code: close agreement in ordering and
level is expected (the 2018 paper reports it), exact equality is not.

For each state this fits the model with counties as sub-geographies, then compares
  * per county x race: our posterior-mean threshold vs ``inferred_threshold`` (Pearson r,
    mean absolute difference);
  * per state and race: the average threshold weighted by total county stops (the weighting
    of Stanford's 2017 ``generated quantities``) for ours and theirs;
  * whether each minority-vs-white difference has the same sign in both.

Usage: .venv/bin/python scripts/validation/stops_threshold.py [STATE ...]
       [--chains 2] [--warmup 500] [--draws 500] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from peelian.stops.analysis.threshold import fit_threshold  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "real" / "opp_aggregates_2017" / "fig4b_threshold_test.csv"
RACE = {"White drivers": "white", "Black drivers": "black", "Hispanic drivers": "hispanic"}


def load(path: Path = DATA) -> pd.DataFrame:
    d = pd.read_csv(path)
    d["race"] = d["driver_race"].map(RACE)
    d["district"] = d["location_variable"].astype(str)
    return d.rename(
        columns={"num_stops": "n_stops", "num_searches": "n_searches", "num_hits": "n_hits"}
    )


def state_cells(d: pd.DataFrame, state: str) -> pd.DataFrame:
    s = d[d["state"] == state]
    return s[["race", "district", "n_stops", "n_searches", "n_hits", "inferred_threshold"]].copy()


def compare_state(
    cells: pd.DataFrame, chains: int, warmup: int, draws: int, seed: int = 0
) -> dict[str, Any]:
    started = time.perf_counter()
    res = fit_threshold(
        cells, chains=chains, warmup=warmup, draws=draws, seed=seed, weighting="geography_stops"
    )
    seconds = time.perf_counter() - started
    if res["insufficient_data"]:
        return {"insufficient_data": res["insufficient_data"], "seconds": seconds}
    ours = pd.DataFrame(
        [
            {
                "race": g["race"],
                "district": g["district"],
                "ours": g["threshold"]["estimate"],
                "ours_lower": g["threshold"]["lower"],
                "ours_upper": g["threshold"]["upper"],
            }
            for g in res["by_geography"]
        ]
    )
    merged = cells.merge(ours, on=["race", "district"])
    r = float(np.corrcoef(merged["ours"], merged["inferred_threshold"])[0, 1])
    mad = float(np.mean(np.abs(merged["ours"] - merged["inferred_threshold"])))
    within = float(
        np.mean(
            (merged["inferred_threshold"] >= merged["ours_lower"])
            & (merged["inferred_threshold"] <= merged["ours_upper"])
        )
    )
    geo_stops = cells.groupby("district")["n_stops"].sum()
    theirs_avg = {}
    for race, g in cells.groupby("race"):
        w = geo_stops.reindex(g["district"]).to_numpy(float)
        theirs_avg[race] = float(np.average(g["inferred_threshold"], weights=w))
    races = {}
    for race, thr in res["threshold"].items():
        races[race] = {
            "ours": thr["estimate"],
            "lower": thr["lower"],
            "upper": thr["upper"],
            "stanford_2017": theirs_avg[race],
        }
    ordering = {}
    for race in ("black", "hispanic"):
        if race in races and "white" in races:
            a = np.sign(races[race]["ours"] - races["white"]["ours"])
            b = np.sign(theirs_avg[race] - theirs_avg["white"])
            diff = res["difference_vs_white"][race]
            ordering[race] = {
                "agrees": bool(a == b),
                "ours_diff": diff["estimate"],
                "ours_diff_lower": diff["lower"],
                "ours_diff_upper": diff["upper"],
                "stanford_diff": theirs_avg[race] - theirs_avg["white"],
            }
    return {
        "seconds": seconds,
        "n_cells": len(merged),
        "n_counties": int(cells["district"].nunique()),
        "cell_pearson_r": r,
        "cell_mean_abs_diff": mad,
        "cell_share_stanford_within_our_95": within,
        "races": races,
        "ordering_vs_white": ordering,
        "diagnostics": {
            k: res["diagnostics"][k] for k in ("max_rhat", "min_ess_bulk", "divergences")
        },
        "converged": res["converged"],
        "ppc": {k: res["ppc"][k] for k in ("search_rate_rmse", "hit_rate_rmse")},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("states", nargs="*")
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=500)
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if not DATA.exists():
        print(f"absent: {DATA}")
        return 1
    d = load()
    states = args.states or sorted(d["state"].unique())
    out: dict[str, Any] = {}
    print(
        f"{'state':5} {'cells':>5} {'sec':>6} {'r':>6} {'MAD':>6} {'in95':>5} {'Rhat':>6} "
        f"{'div':>4}  race: ours [95%] / Stanford 2017   order-vs-white agrees"
    )
    for state in states:
        res = compare_state(state_cells(d, state), args.chains, args.warmup, args.draws)
        out[state] = res
        if "insufficient_data" in res:
            print(f"{state:5} insufficient: {res['insufficient_data']}")
            continue
        races = "; ".join(
            f"{r[:1].upper()}: {v['ours']:.3f} [{v['lower']:.3f},{v['upper']:.3f}] / "
            f"{v['stanford_2017']:.3f}"
            for r, v in sorted(res["races"].items())
        )
        order = ",".join(
            f"{r[:1]}={'Y' if v['agrees'] else 'N'}" for r, v in res["ordering_vs_white"].items()
        )
        print(
            f"{state:5} {res['n_cells']:5d} {res['seconds']:6.1f} {res['cell_pearson_r']:6.3f} "
            f"{res['cell_mean_abs_diff']:6.3f} {res['cell_share_stanford_within_our_95']:5.2f} "
            f"{res['diagnostics']['max_rhat']:6.3f} {res['diagnostics']['divergences']:4d}  "
            f"{races}   {order}",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
