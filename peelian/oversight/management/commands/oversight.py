"""``peelian oversight overdue``: list the complaint cases past their stage deadline
(``--send`` also emails the assigned investigators and the supervisors)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from peelian.oversight.deadlines import overdue_cases


class Command(BaseCommand):
    help = "Complaint case tools."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        overdue = sub.add_parser(
            "overdue", help="list open cases past their stage deadline, most overdue first"
        )
        overdue.add_argument(
            "--send",
            action="store_true",
            help="also email the assigned investigators and the supervisors",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "overdue":
            self._overdue(send=options["send"])

    def _overdue(self, *, send: bool) -> None:
        now = timezone.now()
        cases = list(overdue_cases(now=now))
        if not cases:
            self.stdout.write(_("No overdue cases."))
        for case in cases:
            late = (now - case.stage_due_at).days if case.stage_due_at else 0
            investigator = case.investigator.get_username() if case.investigator else "-"
            self.stdout.write(
                f"{case.public_id}  …{case.tracking_hint}  {case.status:<13}  "
                f"{case.stage_due_at:%Y-%m-%d}  "
                + _("%(days)d days late") % {"days": late}
                + f"  {investigator}"
            )
        if send:
            from peelian.oversight.services.workflow import overdue_alerts_send

            result = overdue_alerts_send(now=now)
            self.stdout.write(_("Sent %(emails)d emails about %(cases)d cases.") % result)
