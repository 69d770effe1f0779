"""``peelian agency import-streets FILE``: load a street index (address ranges) from CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from peelian.agency.models import Agency
from peelian.agency.services import STREET_COLUMNS, street_segments_import


class Command(BaseCommand):
    help = "Agency structure tools."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        streets = sub.add_parser(
            "import-streets",
            help=(
                "import street address ranges from a UTF-8 CSV file with the columns "
                f"{', '.join(STREET_COLUMNS)}; all or nothing"
            ),
        )
        streets.add_argument("file", help="path to the CSV file ('-' is not accepted)")
        streets.add_argument(
            "--agency", help="the agency's slug (needed when there is more than one agency)"
        )
        streets.add_argument(
            "--replace",
            action="store_true",
            help="remove the agency's current street segments first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import-streets":
            self._import_streets(options)

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

    def _import_streets(self, options: dict[str, Any]) -> None:
        agency = self._agency(options.get("agency"))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(p)s") % {"p": path})
        with path.open(encoding="utf-8-sig", newline="") as handle:
            result = street_segments_import(
                actor="system:cli", agency=agency, lines=handle, replace=options["replace"]
            )
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Imported %(n)d street segments for %(a)s (%(d)d removed first).")
                    % {"n": result.created, "a": agency.name, "d": result.deleted}
                )
            )
            return
        for error in result.errors:
            where = _("line %(l)d") % {"l": error.line}
            if error.column:
                where += f", {error.column}"
            self.stderr.write(f"{path}: {where}: {error.message}")
        raise CommandError(
            _("%(n)d errors in %(rows)d rows; nothing was imported.")
            % {"n": len(result.errors), "rows": result.rows},
            returncode=1,
        )
