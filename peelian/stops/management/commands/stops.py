"""``peelian stops import FILE [--format opp|ripa|mapping] [--mapping M.json] [--agency SLUG]
[--agency-code ORI] [--report errors.csv]``: import a stop file (docs/data/stops-import.md).

``peelian stops analyze FILE ...``: the disparity report on a file; its arguments and
handling are ``peelian.stops.cli_analyze``'s.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from peelian.agency.models import Agency
from peelian.core.errors import ApplicationError
from peelian.stops import cli_analyze, importing
from peelian.stops.services import stops_import


class Command(BaseCommand):
    help = "Stop-data tools: import a file, analyze a file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="import stop records from a file")
        imp.add_argument("file", help="the file: .csv, .csv.gz, .parquet or .rds")
        imp.add_argument(
            "--format",
            choices=importing.FORMATS,
            default="opp",
            dest="fmt",
            help="opp (OPP's standardized columns, default), ripa (California DOJ RIPA), "
            "mapping (your columns, with --mapping)",
        )
        imp.add_argument(
            "--mapping",
            help="a JSON column mapping; required for --format mapping, replaces the built-in "
            "one for ripa",
        )
        imp.add_argument("--agency", help="the agency's slug (needed when there are several)")
        imp.add_argument(
            "--agency-code",
            help="import only the rows of this agency code (RIPA: AGENCY_ORI) from a file that "
            "holds several agencies",
        )
        imp.add_argument("--report", help="write every listed issue to this CSV file")
        imp.add_argument(
            "--show", type=int, default=20, help="issues to print (default 20; 0 for none)"
        )
        analyze = sub.add_parser("analyze", help="the disparity report on a stop file")
        cli_analyze.add_arguments(analyze)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import":
            self._import(options)
        elif options["subcommand"] == "analyze":
            code = cli_analyze.handle(options, self.stdout, self.stderr)
            if code:
                raise CommandError(_("The analysis was refused."), returncode=code)

    def _agency(self, slug: str | None) -> Agency:
        if slug:
            agency = Agency.objects.filter(slug=slug).first()
            if agency is None:
                raise CommandError(_("No agency with the slug %(s)s.") % {"s": slug})
            return agency
        agencies = list(Agency.objects.all()[:2])
        if len(agencies) == 1:
            return agencies[0]
        if not agencies:
            raise CommandError(_("There is no agency yet; create one first."))
        raise CommandError(_("There is more than one agency: name one with --agency SLUG."))

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(p)s") % {"p": path})
        if options["fmt"] == "mapping" and not options["mapping"]:
            raise CommandError(_("--format mapping needs --mapping MAP.json."))
        agency = self._agency(options.get("agency"))
        before = agency.stop_imports.count()
        try:
            result = stops_import(
                actor="system:cli",
                agency=agency,
                path=path,
                fmt=options["fmt"],
                mapping=options["mapping"] or None,
                agency_code=options.get("agency_code"),
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if agency.stop_imports.count() == before:
            self.stdout.write(
                _("%(name)s was already imported on %(when)s (same SHA-256); nothing written.")
                % {"name": path.name, "when": result.created_at.date().isoformat()}
            )
            return
        issues = result.report.get("issues", [])
        show = max(options["show"], 0)
        for issue in issues[:show]:
            self.stderr.write(
                f"{path.name}: row {issue['row']}, {issue['column']}: {issue['severity']}: "
                f"{issue['code']} ({issue['message']}): {issue['value']!r}"
            )
        total = int(result.report.get("issues_total", len(issues)))
        if total > show > 0:
            self.stderr.write(_("… and %(n)d more issues.") % {"n": total - show})
        if options["report"]:
            with open(options["report"], "w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(["row", "column", "severity", "code", "message", "value"])
                for issue in issues:
                    writer.writerow(
                        [
                            issue["row"],
                            issue["column"],
                            issue["severity"],
                            issue["code"],
                            issue["message"],
                            issue["value"],
                        ]
                    )
        counts = result.report.get("counts", {})
        self.stdout.write(
            _(
                "%(name)s: %(read)d rows read, %(ok)d imported, %(bad)d rejected, "
                "%(warn)d warnings; %(secs).1f s."
            )
            % {
                "name": path.name,
                "read": result.rows_read,
                "ok": result.rows_imported,
                "bad": result.rows_rejected,
                "warn": result.warnings,
                "secs": result.duration_seconds or 0.0,
            }
        )
        for code, n in counts.items():
            self.stdout.write(f"  {code}: {n}")
        skipped = result.report.get("rows_skipped_other_agency", 0)
        if skipped:
            self.stdout.write(_("  rows of other agencies skipped: %(n)d") % {"n": skipped})
