"""``peelian seed --size small|city|large --seed N [--force]``: build the synthetic city."""

from __future__ import annotations

import argparse
import traceback
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from peelian.core.errors import ApplicationError
from peelian.demo.context import PUBLIC_SIZES, SIZES
from peelian.demo.progress import progress_for
from peelian.demo.services import SeedResult, SeedStepFailed, city_seed


def size_argument(value: str) -> str:
    """Accept small, city and large (and ``tiny``, which only the test suite uses)."""
    if value not in SIZES:
        raise argparse.ArgumentTypeError(
            _("invalid size %(value)r: choose one of %(sizes)s")
            % {"value": value, "sizes": ", ".join(PUBLIC_SIZES)}
        )
    return value


def seed_argument(value: str) -> int:
    try:
        seed = int(value)
    except ValueError:
        seed = -1
    if not 0 <= seed < 2**63:
        raise argparse.ArgumentTypeError(
            _("invalid seed %(value)r: give a non-negative integer") % {"value": value}
        )
    return seed


def run_seed(
    command: BaseCommand, *, size: str, seed: int, force: bool, verbosity: int
) -> SeedResult:
    """Seed with progress on stderr and turn domain errors into CommandError."""
    try:
        return city_seed(size=size, seed=seed, force=force, progress=progress_for(command.stderr))
    except SeedStepFailed as exc:
        if verbosity >= 2 and exc.__cause__ is not None:
            command.stderr.write("".join(traceback.format_exception(exc.__cause__)))
        raise CommandError(
            _(
                "%(error)s\nThe steps before it were committed and are still in the "
                "database. Start over with: peelian seed --force --size %(size)s --seed "
                "%(seed)s (add -v 2 to see the traceback)."
            )
            % {"error": exc.message, "size": size, "seed": seed}
        ) from exc
    except ApplicationError as exc:
        raise CommandError(str(exc.message)) from exc


def write_summary(command: BaseCommand, result: SeedResult) -> None:
    out = command.stdout
    if result.wiped:
        out.write(
            _("Deleted the previous data (%(rows)d rows; the audit log is kept).")
            % {"rows": sum(result.wiped.values())}
        )
    for step in result.steps:
        counts = ", ".join(f"{label} {n}" for label, n in sorted(step.counts.items()))
        out.write(f"  {step.name:<14} {step.seconds:7.2f} s  {counts}")
    out.write(
        command.style.SUCCESS(
            _(
                "Seeded the synthetic city (size %(size)s, seed %(seed)d) in %(seconds).1f s. "
                "Content digest: %(digest)s"
            )
            % {
                "size": result.run.size,
                "seed": result.run.seed,
                "seconds": sum(s.seconds for s in result.steps),
                "digest": result.digest,
            }
        )
    )


class Command(BaseCommand):
    help = _(
        "Build the synthetic demo city (fictional Calder Falls, Kansas): every app's "
        "registered demo step, in order, each in its own transaction. The same size and seed "
        "always give the same city."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            type=size_argument,
            default="small",
            help=_(
                "small (about 150,000 residents, 120 officers), city (700,000 and 1,200) "
                "or large (2.5 million and 4,000). Default: small."
            ),
        )
        parser.add_argument(
            "--seed", type=seed_argument, default=42, help=_("Random seed. Default: 42.")
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_(
                "Seed even if the database already has data: first DELETE every record "
                "except the audit log (which is append-only and records the deletion). "
                "Refused if any account is not a demo account. Never use on a real database."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_seed(
            self,
            size=options["size"],
            seed=options["seed"],
            force=options["force"],
            verbosity=options["verbosity"],
        )
        write_summary(self, result)
        self.stdout.write(_("Sign-in details: peelian demo logins"))
