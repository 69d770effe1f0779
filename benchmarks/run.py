"""Run every benchmark, each in its own process (each builds its own database)."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = [
    "benchmarks.audit_chain",
    "benchmarks.public_pages",
    "benchmarks.stops_import",
    "benchmarks.stops_vod",
    "benchmarks.stops_report",
]

if __name__ == "__main__":
    failed = 0
    for name in BENCHMARKS:
        failed |= subprocess.call([sys.executable, "-m", name, *sys.argv[1:]])  # noqa: S603
    sys.exit(failed)
