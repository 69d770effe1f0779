"""``peelian audit verify`` and ``peelian audit head``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peelian.audit.models import AuditHead
from peelian.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, or print its head for anchoring elsewhere."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="exit 0 if the chain is intact, 1 if not")
        verify.add_argument(
            "--record", action="store_true", help="append an entry recording the verification"
        )
        sub.add_parser("head", help="print the newest position and hash (to anchor externally)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "head":
            head = AuditHead.objects.filter(pk=1).first()
            self.stdout.write(f"{head.position if head else 0} {head.hash if head else ''}")
            return
        result = audit_verify(actor="system:cli", record=options["record"])
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(f"audit chain intact: {result.checked} entries verified")
            )
            return
        where = f"entry at position {result.bad_position}"
        if result.bad_id is not None:
            where += f" (id {result.bad_id})"
        raise CommandError(
            f"audit chain BROKEN at {where}: {result.reason}. "
            f"{result.checked} entries before it verified.",
            returncode=1,
        )
