"""Stop-data report: the full analysis (stop rates, veil of darkness, outcome and threshold
tests, data quality) on a synthetic city of ``--stops`` rows read from Parquet.

The file is generated first (not timed, by ``peelian.stops.analysis.synthetic``). The report
then runs in a fresh child process, so its figures are its own: wall seconds per step (from
the report's ``meta.seconds``) and peak memory, taken three ways: the child's VmHWM (peak
resident set, /proc/self/status), ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` in the parent after
the child ends, and the peak of the summed RSS of the child and all its descendants sampled
every 0.2 s from /proc (the only one that sees Spark's JVM, which the child does not reap).
Targets for 10 million stops on 2 cores: under 60 s and under 4 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def _vm_hwm_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and all its descendants now (from /proc), in MiB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/status") as fh:
                kb = next((int(x.split()[1]) for x in fh if x.startswith("VmRSS:")), 0)
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = kb
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total / 1024


def _sample_tree(root: int, stop: threading.Event, peak: list[float]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], _tree_rss_mb(root))
        stop.wait(0.2)


def _child(path: str, params_json: str, engine: str) -> None:
    """Run the report once on ``path`` and print one JSON line of figures."""
    from peelian.stops.analysis import engine as engines
    from peelian.stops.analysis import report, synthetic
    from peelian.stops.analysis.options import AnalysisOptions

    params = synthetic.CityParams(**json.loads(params_json))
    city = synthetic.build_city(params)  # residents only (no stops): the benchmark population
    options = AnalysisOptions(
        lat=params.lat,
        lng=params.lng,
        tz=params.tz,
        population=city.population,
        population_source="synthetic city",
    )
    t = time.perf_counter()
    source = engines.from_file(path, engine=engine)
    results = report.report_for_source(source, options)
    seconds = time.perf_counter() - t
    json.dumps(results, allow_nan=False)
    vod = results["veil_of_darkness"]
    thr = results["threshold_test"]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "steps": results["meta"]["seconds"],
                "rows": results["meta"]["rows"],
                "errors": results["meta"]["errors"],
                "vm_hwm_mb": _vm_hwm_mb(),
                "vod_estimate": vod.get("estimate"),
                "vod_std_error": vod.get("std_error"),
                "vod_insufficient": vod.get("insufficient_data"),
                "threshold": {
                    r: v.get("estimate") for r, v in (thr.get("threshold") or {}).items()
                },
                "threshold_insufficient": thr.get("insufficient_data"),
                "planted": {
                    "vod_dark_log_odds": params.vod_dark_log_odds,
                    "thresholds": dict(params.thresholds),
                },
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stops", type=int, default=10_000_000)
    parser.add_argument("--districts", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument("--file", help="reuse or keep this Parquet file (default: a temp file)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--params", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.params, args.engine)
        return

    from peelian.stops.analysis import synthetic

    params = {"n_stops": args.stops, "n_districts": args.districts, "seed": args.seed}
    tmp = None
    if args.file:
        path = Path(args.file)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="peelian-bench-")
        path = Path(tmp.name) / "stops.parquet"
    generate_seconds = 0.0
    if not path.exists():
        t = time.perf_counter()
        synthetic.write(synthetic.CityParams(**params), path)  # type: ignore[arg-type]
        generate_seconds = time.perf_counter() - t
    try:
        t = time.perf_counter()
        proc = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [
                sys.executable,
                "-m",
                "benchmarks.stops_report",
                "--child",
                str(path),
                "--params",
                json.dumps(params),
                "--engine",
                args.engine,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Peak of the summed RSS of the child and its descendants (Spark's JVM included),
        # sampled every 0.2 s.
        stop, peak = threading.Event(), [0.0]
        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, stop, peak))
        sampler.start()
        stdout, stderr = proc.communicate()
        stop.set()
        sampler.join()
        wall = time.perf_counter() - t
        if proc.returncode != 0:
            sys.stderr.write(stderr[-4000:])
            raise SystemExit(proc.returncode)
        figures = json.loads(stdout.strip().splitlines()[-1])
        children_maxrss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size_mb = path.stat().st_size / 2**20
    finally:
        if tmp is not None:
            tmp.cleanup()

    print(f"stop-data report on {args.stops:,} synthetic stops ({args.engine})")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"parquet file: {size_mb:,.0f} MiB, generated in {generate_seconds:.1f} s (not timed)")
    print(f"{'step':<14}{'seconds':>10}")
    for step, secs in figures["steps"].items():
        print(f"{step:<14}{secs:>10.2f}")
    print(f"{'report':<14}{figures['seconds']:>10.2f}   (open + quality + all tests)")
    print(f"{'process wall':<14}{wall:>10.2f}   (incl. Python/JAX start-up)")
    print(f"peak memory: child VmHWM {figures['vm_hwm_mb']:,.0f} MiB, "
          f"RUSAGE_CHILDREN maxrss {children_maxrss_mb:,.0f} MiB, "
          f"process tree (sampled) {peak[0]:,.0f} MiB")  # fmt: skip
    print(f"errors: {figures['errors'] or 'none'}")
    print(
        f"veil of darkness: {figures['vod_estimate']} (SE {figures['vod_std_error']}; planted "
        f"{figures['planted']['vod_dark_log_odds']}) {figures['vod_insufficient'] or ''}"
    )
    print(f"thresholds: {figures['threshold']} (planted {figures['planted']['thresholds']})")
    ok = figures["seconds"] < 60 and max(figures["vm_hwm_mb"], children_maxrss_mb, peak[0]) < 4096
    print(f"targets (< 60 s, < 4 GiB): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
