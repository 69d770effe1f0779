"""``peelian force import FILE --format chicago-trr|minneapolis|csv [--mapping MAP.json]``:
import another agency's use-of-force records (see docs/data/use-of-force.md)."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from peelian.agency.models import Agency
from peelian.core.errors import ApplicationError
from peelian.force import imports
from peelian.force.services import force_import


class Command(BaseCommand):
    help = "Use-of-force tools."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="import use-of-force records from a CSV file")
        imp.add_argument("file", help="the CSV file (may be .csv.gz); for chicago-trr, TRR-main")
        imp.add_argument("--format", choices=imports.FORMATS, default="csv", dest="fmt")
        imp.add_argument(
            "--mapping",
            help="a JSON column mapping; required for --format csv, replaces the built-in one "
            "otherwise",
        )
        imp.add_argument("--agency", help="the agency's slug (needed when there are several)")
        imp.add_argument("--subjects", help="chicago-trr: the TRR-subjects file")
        imp.add_argument("--actions", help="chicago-trr: the TRR-actions-responses file")
        imp.add_argument("--limit", type=int, help="read only the first N data rows")
        imp.add_argument("--batch-size", type=int, default=1000)
        imp.add_argument("--report", help="write every error and warning to this CSV file")
        imp.add_argument(
            "--show", type=int, default=20, help="issues to print (default 20; 0 for none)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import":
            self._import(options)

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
        fmt = options["fmt"]
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(p)s") % {"p": path})
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError(_("--limit must be at least 1."))
        try:
            if options["mapping"]:
                mapping = imports.load_mapping(options["mapping"])
            elif fmt == "csv":
                raise CommandError(_("--format csv needs --mapping MAP.json."))
            else:
                mapping = imports.builtin_mapping(fmt)
        except imports.MappingError as exc:
            raise CommandError(_("The mapping is not valid: %(e)s") % {"e": exc}) from exc
        agency = self._agency(options.get("agency"))
        started = time.monotonic()
        if fmt == "chicago-trr":
            subjects = Path(options["subjects"]) if options["subjects"] else None
            actions = Path(options["actions"]) if options["actions"] else None
            subjects = subjects or imports.chicago_sibling(path, "subjects")
            actions = actions or imports.chicago_sibling(path, "actions-responses")
            for label, p in (("--subjects", subjects), ("--actions", actions)):
                if p is None or not p.is_file():
                    raise CommandError(
                        _("chicago-trr needs the %(w)s file next to TRR-main, or give %(w)s.")
                        % {"w": label}
                    )
            header, rows = imports.chicago_rows(
                path,
                subjects,
                actions,
                options["limit"],  # type: ignore[arg-type]
            )
            handle = None
        else:
            handle = imports.open_text(path)
            header, rows = imports.csv_rows(handle, options["limit"])
        try:
            result = force_import(
                actor="system:cli",
                agency=agency,
                mapping=mapping,
                header=header,
                rows=rows,
                batch_size=options["batch_size"],
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        except (UnicodeDecodeError, csv.Error) as exc:
            raise CommandError(_("The file cannot be read as CSV: %(e)s") % {"e": exc}) from exc
        finally:
            if handle is not None:
                handle.close()
        elapsed = time.monotonic() - started
        for issue in result.issues[: options["show"]]:
            where = f"{path}: line {issue.line}, {issue.column}"
            self.stderr.write(f"{where}: {issue.severity}: {issue.message}")
        if len(result.issues) > options["show"] > 0:
            self.stderr.write(
                _("… and %(n)d more issues.") % {"n": len(result.issues) - options["show"]}
            )
        if options["report"]:
            with open(options["report"], "w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(["line", "column", "severity", "message"])
                for issue in result.issues:
                    writer.writerow([issue.line, issue.column, issue.severity, issue.message])
        self.stdout.write(
            _(
                "%(source)s: %(rows)d rows read, %(rej)d rows rejected; incidents: %(new)d "
                "created, %(old)d already imported, %(bad)d rejected; %(subj)d subjects; "
                "%(err)d errors, %(warn)d warnings; %(secs).1f s."
            )
            % {
                "source": result.source,
                "rows": result.rows_read,
                "rej": result.rows_rejected,
                "new": result.incidents_created,
                "old": result.incidents_skipped,
                "bad": result.incidents_rejected,
                "subj": result.subjects_created,
                "err": len(result.errors),
                "warn": len(result.warnings),
                "secs": elapsed,
            }
        )
