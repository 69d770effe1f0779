"""Audit chain: how fast services can append entries, and how fast `peelian audit verify`
checks a large chain.

Figures: appends per second through ``audit_log`` (each in its own transaction, as a
service writes them), and entries per second verified over a chain of ``--entries`` rows
(built with the same hash function, inserted in bulk).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appends", type=int, default=5000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()

    from benchmarks._db import fresh_database

    with fresh_database() as vendor:
        import datetime as dt

        from django.db import transaction

        from peelian.audit.chain import GENESIS_HASH, entry_hash
        from peelian.audit.models import AuditEntry, AuditHead
        from peelian.audit.services import audit_log, audit_verify

        t = time.perf_counter()
        for i in range(args.appends):
            with transaction.atomic():
                audit_log(
                    actor="system:bench",
                    action="audit.entry.view",
                    target_type="bench.thing",
                    target_id=str(i),
                    after={"i": i},
                )
        append_seconds = time.perf_counter() - t

        # Extend the chain to --entries rows in bulk (same hashing), then verify it all.
        head = AuditHead.objects.get(pk=1)
        prev, position = head.hash or GENESIS_HASH, head.position
        base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        batch: list[AuditEntry] = []
        t = time.perf_counter()
        while position < args.entries:
            position += 1
            values = {
                "position": position,
                "at": base + dt.timedelta(seconds=position),
                "actor_id": 7,
                "actor_label": "analyst",
                "action": "audit.entry.view",
                "target_type": "bench.thing",
                "target_id": str(position),
                "before": None,
                "after": {"i": position},
                "request_id": "bench",
                "prev_hash": prev,
            }
            values["hash"] = prev = entry_hash(values)
            batch.append(AuditEntry(**values))
            if len(batch) == 20_000:
                AuditEntry.objects.bulk_create(batch)
                batch.clear()
        AuditEntry.objects.bulk_create(batch)
        AuditHead.objects.filter(pk=1).update(position=position, hash=prev)
        build_seconds = time.perf_counter() - t

        t = time.perf_counter()
        result = audit_verify()
        verify_seconds = time.perf_counter() - t
        if not result.ok:
            raise SystemExit(f"the benchmark chain did not verify: {result}")

        print(
            json.dumps(
                {
                    "benchmark": "audit_chain",
                    "database": vendor,
                    "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
                    "appends": args.appends,
                    "appends_per_second": round(args.appends / append_seconds),
                    "entries_verified": result.checked,
                    "verify_seconds": round(verify_seconds, 2),
                    "verified_per_second": round(result.checked / verify_seconds),
                    "build_seconds": round(build_seconds, 1),
                    "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                }
            )
        )


if __name__ == "__main__":
    main()
