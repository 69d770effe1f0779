"""Stop import: how long ``stops_import`` takes on a large OPP-format CSV file.

Figures: seconds to validate (read, check every row in DuckDB) and the whole import (plus
storing the raw file and inserting the rows in one transaction; SQLite: executemany on the
raw connection; PostgreSQL: COPY), and rows per second, for ``--rows`` synthetic rows made
from a seeded generator (about 1% of rows carry a problem: a missing or impossible date, an
unknown race code, an unreadable time or boolean).

    python -m benchmarks.stops_import --rows 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peelian_bench \
        python -m benchmarks.stops_import --rows 1000000
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import resource
import tempfile
import time
from pathlib import Path

RACES = ["white", "black", "hispanic", "asian/pacific islander", "other"]


def write_file(path: Path, rows: int, seed: int) -> int:
    """The synthetic file; returns how many rows were written with a rejecting error."""
    rng = random.Random(seed)
    bad = 0
    start = dt.date(2014, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            [
                "raw_row_number", "date", "time", "lat", "lng", "district", "subject_age",
                "subject_race", "subject_sex", "officer_id_hash", "type", "arrest_made",
                "citation_issued", "warning_issued", "outcome", "contraband_found",
                "search_conducted", "search_basis", "reason_for_stop",
            ]
        )  # fmt: skip
        for n in range(1, rows + 1):
            day = start + dt.timedelta(days=rng.randrange(1500))
            date = day.isoformat()
            race = rng.choice(RACES)
            time_text = f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:00"
            searched = rng.random() < 0.05
            arrest = "TRUE" if rng.random() < 0.02 else "FALSE"
            problem = rng.random()
            if problem < 0.003:
                date, bad = "", bad + 1
            elif problem < 0.005:
                date, bad = f"{day.year}-02-30", bad + 1
            elif problem < 0.007:
                race, bad = "martian", bad + 1
            elif problem < 0.009:
                time_text = "25:61"
            elif problem < 0.01:
                arrest = "maybe"
            writer.writerow(
                [
                    n, date, time_text,
                    f"{41.76 + rng.uniform(-0.05, 0.05):.6f}",
                    f"{-72.67 + rng.uniform(-0.05, 0.05):.6f}",
                    rng.choice(["NORTH", "SOUTH", "EAST", "WEST"]),
                    rng.randrange(16, 90), race, rng.choice(["male", "female"]),
                    f"{rng.getrandbits(40):010x}", "vehicular", arrest,
                    rng.choice(["TRUE", "FALSE"]), "FALSE", "citation",
                    ("TRUE" if rng.random() < 0.3 else "FALSE") if searched else "NA",
                    "TRUE" if searched else "FALSE",
                    "probable cause" if searched else "NA", "Speeding",
                ]
            )  # fmt: skip
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url

    from benchmarks._db import fresh_database

    with tempfile.TemporaryDirectory(prefix="peelian-stops-") as tmp:
        path = Path(tmp) / "stops.csv"
        t = time.perf_counter()
        bad = write_file(path, args.rows, args.seed)
        write_seconds = time.perf_counter() - t
        with fresh_database() as vendor:
            from peelian.agency.models import Agency
            from peelian.stops import importing
            from peelian.stops.models import Stop
            from peelian.stops.services import stops_import

            agency = Agency.objects.create(
                name="Bench PD", slug="bench", city="Bench", state="CT",
                center_lat=41.7658, center_lng=-72.6734,
            )  # fmt: skip
            t = time.perf_counter()
            validated = importing.prepare(
                path, bounds=importing.area_bounds(41.7658, -72.6734), today=dt.date(2026, 1, 1)
            )
            validate_seconds = time.perf_counter() - t
            del validated
            t = time.perf_counter()
            result = stops_import(
                actor="system:bench",
                agency=agency,
                path=path,
                today=dt.date(2026, 1, 1),
            )
            import_seconds = time.perf_counter() - t
            stored = Stop.objects.count()
            if result.rows_rejected != bad or stored != args.rows - bad:
                raise SystemExit(
                    f"counts disagree: rejected {result.rows_rejected}, planted {bad}, "
                    f"stored {stored}"
                )
            print(
                json.dumps(
                    {
                        "benchmark": "stops_import",
                        "database": vendor,
                        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
                        "cpus": os.cpu_count(),
                        "rows": args.rows,
                        "file_mb": round(path.stat().st_size / 1e6, 1),
                        "rows_rejected": result.rows_rejected,
                        "warnings": result.warnings,
                        "validate_seconds": round(validate_seconds, 2),
                        "import_seconds": round(import_seconds, 2),
                        "rows_per_second": round(args.rows / import_seconds),
                        "write_file_seconds": round(write_seconds, 1),
                        "max_rss_mb": round(
                            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                        ),
                    }
                )
            )


if __name__ == "__main__":
    main()
