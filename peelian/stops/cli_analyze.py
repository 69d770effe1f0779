"""``peelian stops analyze FILE``: the full report on a stop file, without the database.

The ``stops`` management command delegates its ``analyze`` subcommand here:
``add_arguments(subparser)`` declares the options and ``handle(options, stdout, stderr)``
runs them and returns the exit code (0 done, 2 refused with a message: missing file,
unreadable format, missing columns, bad options or benchmark).

Nothing here touches Django's database: the file is read by DuckDB (or Spark) in memory.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from peelian.stops.analysis.schema import RACES, TESTS

ACS_COUNTY_FILE = "acs_2017_5_year_county_level_race_data.csv"
ACS_ENV = "PEELIAN_ACS_COUNTY_FILE"


class UsageError(Exception):
    """A refusal with a message for the user (exit code 2)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="stop file in OPP columns: .csv, .csv.gz, .parquet, .rds")
    parser.add_argument("--lat", type=float, help="latitude of the city centre (veil of darkness)")
    parser.add_argument("--lng", type=float, help="longitude of the city centre")
    parser.add_argument("--tz", help="IANA time zone of the clock times, e.g. America/New_York")
    parser.add_argument("--district-column", help="column to use as the district")
    parser.add_argument(
        "--tests",
        default=",".join(TESTS),
        help=f"comma-separated tests to run (default: {','.join(TESTS)})",
    )
    benchmark = parser.add_mutually_exclusive_group()
    benchmark.add_argument("--population", help="CSV of residents by race: race,population")
    benchmark.add_argument(
        "--acs-county", help='benchmark residents from ACS 2017, e.g. "Hartford County, CT"'
    )
    parser.add_argument(
        "--acs-file",
        help=f"the ACS county table ({ACS_COUNTY_FILE}); default ${ACS_ENV} or the shared data",
    )
    parser.add_argument("--json", dest="json_out", help="write the full results here")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument("--seed", type=int, default=0, help="threshold-test sampler seed")


def _acs_file(given: str | None) -> Path:
    if given:
        return Path(given)
    if os.environ.get(ACS_ENV):
        return Path(os.environ[ACS_ENV])
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "real" / "opp_resources"
    return shared / ACS_COUNTY_FILE


def _population(options: Mapping[str, Any]) -> tuple[dict[str, float] | None, str | None]:
    from peelian.stops.analysis import census

    try:
        if options.get("population"):
            path = Path(options["population"])
            if not path.exists():
                raise UsageError(f"{path}: no such population file")
            return census.csv_population(path), f"file {path.name}"
        if options.get("acs_county"):
            path = _acs_file(options.get("acs_file"))
            if not path.exists():
                raise UsageError(f"{path}: ACS county table not found (give --acs-file)")
            place = options["acs_county"]
            return census.acs_population(path, place), f"ACS 2017 5-year B03002, {place}"
    except census.BenchmarkError as exc:
        raise UsageError(str(exc)) from exc
    return None, None


def build_options(options: Mapping[str, Any]) -> Any:
    from peelian.stops.analysis.options import AnalysisOptions

    tests = tuple(t.strip() for t in str(options.get("tests") or "").split(",") if t.strip())
    unknown = [t for t in tests if t not in TESTS]
    if unknown or not tests:
        raise UsageError(f"--tests: choose from {','.join(TESTS)} (got {options.get('tests')!r})")
    lat, lng = options.get("lat"), options.get("lng")
    if (lat is None) != (lng is None):
        raise UsageError("--lat and --lng go together")
    tz = options.get("tz")
    if tz:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise UsageError(f"--tz: unknown time zone {tz!r}") from exc
    population, source = _population(options)
    return AnalysisOptions(
        tests=tests,
        lat=lat,
        lng=lng,
        tz=tz,
        population=population,
        population_source=source,
        seed=int(options.get("seed") or 0),
    )


def _pct(v: Any) -> str:
    return "-" if not isinstance(v, int | float) else f"{100 * v:.1f}%"


def summary_lines(results: Mapping[str, Any]) -> list[str]:
    """A short human summary of a report (the JSON has everything)."""
    meta = results.get("meta", {})
    lines = [
        f"{meta.get('rows')} stops, {meta.get('first_date')} to {meta.get('last_date')} "
        f"({meta.get('engine')}, {meta.get('seconds', {}).get('total', 0):.1f} s)"
    ]

    def section(title: str, part: Mapping[str, Any], rows: list[str]) -> None:
        reason = part.get("insufficient_data")
        lines.append(f"{title}: {reason}" if reason else f"{title}:")
        if not reason:
            lines.extend(f"  {r}" for r in rows)

    sr = results.get("stop_rate", {})
    section(
        "Stops per resident per year",
        sr,
        [
            f"{race}: {v['estimate']:.3f} ({v['lower']:.3f}-{v['upper']:.3f}), {v['n_stops']} stops"
            for race, v in sr.items()
            if race in RACES and isinstance(v, dict) and "estimate" in v
        ],
    )
    search = results.get("rates", {}).get("search", {})
    section(
        "Search rate",
        search,
        [
            f"{race}: {_pct(v['estimate'])} ({_pct(v['lower'])}-{_pct(v['upper'])}) "
            f"of {v['n_recorded']}"
            for race, v in search.get("by_race", {}).items()
            if "estimate" in v
        ],
    )
    vod = results.get("veil_of_darkness", {})
    est = vod.get("estimate")
    section(
        "Veil of darkness (log-odds black, dark vs light)",
        vod,
        [f"{est:.3f} (SE {vod.get('std_error')}), {vod.get('n_stops')} stops"]
        if isinstance(est, int | float)
        else [],
    )
    outcome = results.get("outcome_test", {})
    section(
        "Hit rate",
        outcome,
        [
            f"{race}: {_pct(v.get('estimate'))} of {v.get('n_searches')} searches"
            for race, v in (outcome.get("hit_rate") or {}).items()
            if isinstance(v, Mapping)
        ],
    )
    threshold = results.get("threshold_test", {})
    section(
        "Search threshold",
        threshold,
        [
            f"{race}: {_pct(v.get('estimate'))} ({_pct(v.get('lower'))}-{_pct(v.get('upper'))})"
            for race, v in (threshold.get("threshold") or {}).items()
            if isinstance(v, Mapping)
        ],
    )
    for test, message in meta.get("errors", {}).items():
        lines.append(f"ERROR in {test}: {message}")
    return lines


def handle(options: Mapping[str, Any], stdout: IO[str], stderr: IO[str]) -> int:
    """Run the analysis the options ask for. Returns the exit code."""
    from peelian.stops.analysis import engine, frame, report

    try:
        analysis_options = build_options(options)
        path = Path(str(options["file"]))
        if not path.exists():
            raise UsageError(f"{path}: no such file")
        source = engine.from_file(
            path,
            district_column=options.get("district_column"),
            engine=str(options.get("engine") or "duckdb"),
        )
    except (UsageError, frame.FileFormatError) as exc:
        stderr.write(f"error: {exc}\n")
        return 2
    results = report.report_for_source(
        source, analysis_options, district_column=options.get("district_column")
    )
    for line in summary_lines(results):
        stdout.write(line + "\n")
    out = options.get("json_out") or options.get("json")
    if out:
        Path(out).write_text(json.dumps(results, indent=2, allow_nan=False), encoding="utf-8")
        stdout.write(f"results written to {out}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point (``python -m peelian.stops.cli_analyze FILE ...``)."""
    import sys

    parser = argparse.ArgumentParser(prog="peelian stops analyze", description=__doc__)
    add_arguments(parser)
    return handle(vars(parser.parse_args(argv)), sys.stdout, sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
