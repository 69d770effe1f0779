"""``peelian oversight_import FILE --format chicago|ccrb|csv --mapping MAP.json
[--allegations FILE] [--dry-run]``: import complaint history (see
docs/data/complaints-import.md)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from peelian.agency.models import Agency
from peelian.core.errors import ApplicationError
from peelian.oversight.importing import MappingError, TableError, load_mapping, parse, read_table
from peelian.oversight.models import AllegationCategory
from peelian.oversight.services.imports import complaints_import

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
SHIPPED = {"chicago": "chicago.json", "ccrb": "ccrb.json"}
SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = "Import complaint history from CSV, CSV.gz or R data files with a column mapping."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the complaints file (CSV, CSV.gz or .rds)")
        parser.add_argument(
            "--format",
            choices=["chicago", "ccrb", "csv"],
            default="csv",
            help="chicago and ccrb use the shipped mappings unless --mapping is given; "
            "csv needs --mapping",
        )
        parser.add_argument("--mapping", help="the JSON mapping file")
        parser.add_argument("--allegations", help="the allegations file, when separate")
        parser.add_argument("--agency", help="the agency's slug (when there is more than one)")
        parser.add_argument(
            "--user",
            help="the username of the supervisor or administrator importing (checked "
            "against the oversight policy); without it the run is recorded as system:cli",
        )
        parser.add_argument("--limit", type=int, help="import only the first N complaints")
        parser.add_argument(
            "--dry-run", action="store_true", help="check everything, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        mapping_path = options.get("mapping")
        if not mapping_path:
            if options["format"] == "csv":
                raise CommandError(_("--format csv needs --mapping MAP.json."))
            mapping_path = str(MAPPINGS / SHIPPED[options["format"]])
        try:
            data = json.loads(Path(mapping_path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(
                _("Cannot read the mapping %(p)s: %(e)s") % {"p": mapping_path, "e": exc}
            ) from exc
        codes = AllegationCategory.objects.values_list("code", flat=True)
        try:
            mapping = load_mapping(data, category_codes=codes)
        except MappingError as exc:
            for message in exc.errors:
                self.stderr.write(f"{mapping_path}: {message}")
            raise CommandError(
                _("The mapping has %(n)d problems; nothing was imported.") % {"n": len(exc.errors)}
            ) from exc
        agency = self._agency(options.get("agency"))
        actor: Any = "system:cli"
        if options.get("user"):
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("No user named %(u)s.") % {"u": options["user"]})
        try:
            complaints = read_table(options["file"])
            allegations = read_table(options["allegations"]) if options.get("allegations") else None
            parsed = parse(mapping, complaints, allegations, limit=options.get("limit"))
        except TableError as exc:
            raise CommandError(_("%(e)s; nothing was imported.") % {"e": exc}) from exc
        for error in parsed.errors[:SHOWN_ERRORS]:
            self.stderr.write(str(error))
        if len(parsed.errors) > SHOWN_ERRORS:
            self.stderr.write(
                _("… and %(n)d more errors.") % {"n": len(parsed.errors) - SHOWN_ERRORS}
            )
        try:
            result = complaints_import(
                actor=actor,
                agency=agency,
                mapping=mapping,
                parsed=parsed,
                dry_run=options["dry_run"],
                check_permission=not isinstance(actor, str),
            )
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        report = result.as_dict()
        report["seconds"] = round(time.monotonic() - started, 1)
        self.stdout.write(json.dumps(report, indent=2))

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
