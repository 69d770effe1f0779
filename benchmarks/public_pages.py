"""Public pages: requests per second for the pages a visitor lands on, served in-process
(Django's test client, one process, no network), over the small synthetic city.

This measures Peelian's own cost per page (views, templates, queries, cached statistics),
not a web server's: multiply by worker processes for a deployment estimate.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

PAGES = ["/", "/es/", "/districts/", "/open-data/", "/statistics/", "/api/v1/agency/beats/"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="per page")
    parser.add_argument("--size", default="small")
    args = parser.parse_args()

    from benchmarks._db import fresh_database

    with fresh_database() as vendor:
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        settings.ALLOWED_HOSTS = ["testserver"]
        settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"] = "1000000/minute"
        call_command("seed", size=args.size, seed=42, verbosity=0)
        client = Client()
        out = {}
        for page in PAGES:
            first = client.get(page)  # warms the statistics cache and templates
            if first.status_code != 200:
                raise SystemExit(f"{page} answered {first.status_code}")
            with CaptureQueriesContext(connection) as queries:
                client.get(page)
            # Read now: the next request's request_started signal clears the query log.
            query_count = len(queries)
            t = time.perf_counter()
            for _ in range(args.requests):
                client.get(page)
            seconds = time.perf_counter() - t
            out[page] = {
                "requests_per_second": round(args.requests / seconds, 1),
                "ms_per_request": round(1000 * seconds / args.requests, 2),
                "queries": query_count,
                "bytes": len(first.content),
            }
        print(
            json.dumps(
                {
                    "benchmark": "public_pages",
                    "database": vendor,
                    "size": args.size,
                    "machine": platform.machine(),
                    "pages": out,
                }
            )
        )


if __name__ == "__main__":
    main()
