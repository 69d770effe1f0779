"""Writes of the demo app: seeding the synthetic city, wiping it, marking demo accounts.

``city_seed`` runs the contributions apps registered (``registry.demo_steps()``) in order,
each inside its own transaction with one audit entry, and knows nothing else about them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peelian.audit.services import audit_log
from peelian.core.errors import ApplicationError
from peelian.core.registry import DemoContribution, registry
from peelian.demo.context import SIZES, DemoContext
from peelian.demo.models import DemoAccount, SeedRun
from peelian.demo.tables import content_digest, nonempty_data_tables, table_counts, wipe_models

SEED_ACTOR = "system:seed"


class SeedProgress(Protocol):
    """Receives progress while the city is seeded (the command draws a bar from it)."""

    def begin(self, steps: Sequence[DemoContribution]) -> None: ...

    def update(self, step: DemoContribution, done: int, total: int) -> None: ...

    def step_done(self, step: DemoContribution, seconds: float) -> None: ...

    def end(self) -> None: ...


class _Silent:
    def begin(self, steps: Sequence[DemoContribution]) -> None:
        return None

    def update(self, step: DemoContribution, done: int, total: int) -> None:
        return None

    def step_done(self, step: DemoContribution, seconds: float) -> None:
        return None

    def end(self) -> None:
        return None


@dataclass
class StepReport:
    name: str
    seconds: float
    counts: dict[str, int]


@dataclass
class SeedResult:
    run: SeedRun
    context: DemoContext
    steps: list[StepReport] = field(default_factory=list)
    digest: str = ""
    wiped: dict[str, int] = field(default_factory=dict)


class SeedStepFailed(ApplicationError):
    code = "seed_step_failed"
    status = 500


def _check_size(size: str) -> None:
    if size not in SIZES:
        raise ApplicationError(
            _("Unknown size %(size)s: choose small, city or large.") % {"size": size},
            code="unknown_size",
        )


def city_wipe(*, actor: Any) -> dict[str, int]:
    """Empty every table except the roles, permissions and the audit log; record it.

    Refuses when an account exists that is not a demo account: that database may be a real
    installation, and this would erase it.
    """
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    strangers = user_model._default_manager.filter(demo_account__isnull=True)
    if strangers.exists():
        names = ", ".join(sorted(strangers.values_list("username", flat=True)[:5]))
        raise ApplicationError(
            _(
                "This database has accounts that are not demo accounts (%(names)s), so it may "
                "be a real installation: --force only replaces a synthetic city. To start a "
                "local demo over, delete the database file (var/peelian.sqlite3) instead."
            )
            % {"names": names},
            code="not_a_demo_database",
        )
    models_to_wipe = wipe_models()
    counts = {m._meta.label_lower: n for m in models_to_wipe if (n := m._default_manager.count())}
    tables = [m._meta.db_table for m in models_to_wipe]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with deferred foreign-key checks still pending in this
            # transaction (rows written earlier in it): run those checks now.
            connection.check_constraints()
        statements = connection.ops.sql_flush(
            no_style(), tables, reset_sequences=False, allow_cascade=False
        )
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        audit_log(actor=actor, action="demo.seed.reset", after={"deleted": counts})
    return counts


def city_seed(
    *,
    size: str,
    seed: int,
    force: bool = False,
    progress: SeedProgress | None = None,
    actor: Any = SEED_ACTOR,
) -> SeedResult:
    """Build the synthetic city. The same size and seed give the same content (see
    ``tables.content_digest``). Each registered step commits on its own; if one fails,
    the steps before it stay and the error names the failed step."""
    _check_size(size)
    if not 0 <= seed < 2**63:
        raise ApplicationError(_("The seed must be a non-negative integer."), code="bad_seed")
    steps = registry.demo_steps()
    if not steps:
        raise ApplicationError(_("No app registered a demo-city step."), code="nothing_registered")
    progress = progress or _Silent()

    wiped: dict[str, int] = {}
    existing = nonempty_data_tables()
    if existing and not force:
        listing = ", ".join(f"{label} ({n})" for label, n in list(existing.items())[:6])
        raise ApplicationError(
            _(
                "The database already has data (%(tables)s). Seeding adds a whole city and "
                "would mix it with what is there. Use --force to delete everything except the "
                "audit log and seed afresh (only for a demo database), or point DATABASE_URL "
                "at an empty database."
            )
            % {"tables": listing},
            code="database_not_empty",
        )
    if force:
        wiped = city_wipe(actor=actor)

    with transaction.atomic():
        run = SeedRun.objects.create(size=size, seed=seed, started_at=timezone.now())
    root = DemoContext(size=size, seed=seed)
    result = SeedResult(run=run, context=root, wiped=wiped)
    progress.begin(steps)
    for step in steps:
        started = time.monotonic()

        def report(done: int, total: int, _step: DemoContribution = step) -> None:
            progress.update(_step, done, total)

        ctx = root.for_step(step.name, report)
        before = table_counts()
        try:
            with transaction.atomic():
                step.build(ctx)
                after = table_counts()
                counts = {
                    label: after[label] - before.get(label, 0)
                    for label in after
                    if after[label] != before.get(label, 0)
                }
                audit_log(
                    actor=actor,
                    action="demo.seed.step",
                    target=run,
                    after={"step": step.name, "counts": counts},
                )
                seconds = round(time.monotonic() - started, 2)
                run.steps = [*run.steps, {"step": step.name, "counts": counts, "seconds": seconds}]
                run.save(update_fields=["steps"])
        except ApplicationError as exc:
            raise SeedStepFailed(
                _("Demo step %(step)s failed: %(error)s") % {"step": step.name, "error": exc},
                code="seed_step_failed",
            ) from exc
        except Exception as exc:
            raise SeedStepFailed(
                _("Demo step %(step)s failed: %(error)s")
                % {"step": step.name, "error": f"{type(exc).__name__}: {exc}"},
                code="seed_step_failed",
            ) from exc
        result.steps.append(StepReport(step.name, seconds, counts))
        progress.step_done(step, seconds)
    progress.end()

    result.digest = content_digest()
    with transaction.atomic():
        run.digest = result.digest
        run.finished_at = timezone.now()
        run.save(update_fields=["digest", "finished_at"])
        audit_log(
            actor=actor,
            action="demo.seed.finish",
            target=run,
            after={"size": size, "seed": seed, "digest": result.digest},
        )
    return result


def demo_account_mark(*, user: Any, role: str, password: str, position: int = 0) -> DemoAccount:
    """Mark ``user`` as a demo account (its codes may be printed; its password is kept so
    ``peelian demo logins`` can show it). Called by the accounts app's demo step."""
    return DemoAccount.objects.create(user=user, role=role, password=password, position=position)


def latest_finished_run() -> SeedRun | None:
    return SeedRun.objects.filter(finished_at__isnull=False).first()
