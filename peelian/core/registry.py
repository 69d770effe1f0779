"""The registry: the one place where apps plug into the platform.

Each app registers, in ``AppConfig.ready()``:

* its **audit actions** (dotted names such as ``agency.officer.update``); the audit log
  refuses an action nobody registered;
* its **open-data datasets** (a data dictionary plus a function producing de-identified rows);
* its **public statistics** (a function producing a value with its method, denominator and
  uncertainty);
* its **public pages**, filed under one of the guide's eight strategies;
* the **permissions** its roles need;
* its **reference data** (tables that migrations fill, kept when the demo city is rebuilt);
* its **demo-city contribution** (a builder the ``peelian seed`` command runs in order).

The transparency portal, the public navigation, the roles and the synthetic city only ever
use what is registered here; no app reaches into another to find these things.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

Text = str | Promise


class RegistryError(Exception):
    """Two apps registered the same name, or a registration is malformed."""


@dataclass(frozen=True)
class AuditAction:
    """A kind of privileged action. ``sensitive_read`` marks reads of sensitive records."""

    name: str
    description: Text
    sensitive_read: bool = False


@dataclass(frozen=True)
class DatasetField:
    name: str
    type: str  # Frictionless Table Schema type: string, integer, number, date, datetime...
    description: Text


@dataclass(frozen=True)
class Dataset:
    """An open-data dataset: what it holds, what was removed, and how to produce its rows.

    ``rows`` must return only de-identified values: no names, contact details, free text
    narratives, exact addresses, or anything about a juvenile. ``privacy`` says, in plain
    words, which rule made it so.
    """

    slug: str
    title: Text
    description: Text
    strategy: int
    fields: tuple[DatasetField, ...]
    rows: Callable[[], Iterable[Mapping[str, Any]]]
    privacy: Text
    update_frequency: Text = ""
    geojson: Callable[[], Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class StatisticValue:
    """One published number with what a reader needs to judge it.

    ``interval`` is a (low, high) pair at ``confidence``; ``None`` means the value has no
    sampling uncertainty, and ``uncertainty`` then says why (for example: a full count).
    """

    label: Text
    value: float | None
    denominator: int | None
    interval: tuple[float, float] | None = None
    insufficient_data: Text | None = None


@dataclass(frozen=True)
class StatisticResult:
    values: tuple[StatisticValue, ...]
    unit: Text
    as_of: dt.date
    confidence: float | None = None


@dataclass(frozen=True)
class Statistic:
    slug: str
    title: Text
    strategy: int
    method: Text
    denominator: Text
    uncertainty: Text
    compute: Callable[[], StatisticResult]
    source: Text = ""


@dataclass(frozen=True)
class PublicPage:
    """A public page an app offers under one of the guide's strategies."""

    strategy: int
    url_name: str
    title: Text
    summary: Text = ""


@dataclass(frozen=True)
class StaffLink:
    """A link in the staff workspace, shown to users who hold one of ``roles``
    (``None``: every signed-in user)."""

    url_name: str
    title: Text
    roles: frozenset[str] | None = None
    description: Text = ""
    order: int = 100


@dataclass(frozen=True)
class DemoContribution:
    """A step of the synthetic city. ``build(ctx)`` must be deterministic given ``ctx.rng``.

    ``weight`` is the step's rough share of the total work, for the progress display.
    """

    name: str
    order: int
    build: Callable[[Any], None]
    description: Text = ""
    weight: float = 1.0


@dataclass
class Registry:
    audit_actions: dict[str, AuditAction] = field(default_factory=dict)
    datasets: dict[str, Dataset] = field(default_factory=dict)
    statistics: dict[str, Statistic] = field(default_factory=dict)
    pages: list[PublicPage] = field(default_factory=list)
    staff_links: list[StaffLink] = field(default_factory=list)
    role_permissions: dict[str, set[str]] = field(default_factory=dict)
    demo: dict[str, DemoContribution] = field(default_factory=dict)
    reference_data: set[str] = field(default_factory=set)

    # -- audit actions ---------------------------------------------------------------
    def register_audit_actions(self, *actions: AuditAction) -> None:
        for action in actions:
            parts = action.name.split(".")
            if len(parts) < 2 or not all(p.isidentifier() and p.islower() for p in parts):
                raise RegistryError(f"audit action {action.name!r} is not a dotted name")
            self._add(self.audit_actions, action.name, action)

    def audit_action(self, name: str) -> AuditAction:
        try:
            return self.audit_actions[name]
        except KeyError:
            raise RegistryError(f"audit action {name!r} is not registered") from None

    # -- open data ---------------------------------------------------------------------
    def register_dataset(self, dataset: Dataset) -> None:
        self._check_strategy(dataset.strategy, dataset.slug)
        if not dataset.fields:
            raise RegistryError(f"dataset {dataset.slug!r} has no data dictionary")
        self._add(self.datasets, dataset.slug, dataset)

    def register_statistic(self, statistic: Statistic) -> None:
        self._check_strategy(statistic.strategy, statistic.slug)
        for attr in ("method", "denominator", "uncertainty"):
            if not str(getattr(statistic, attr)).strip():
                raise RegistryError(f"statistic {statistic.slug!r} must state its {attr}")
        self._add(self.statistics, statistic.slug, statistic)

    # -- pages and roles -----------------------------------------------------------------
    def register_page(self, page: PublicPage) -> None:
        self._check_strategy(page.strategy, page.url_name)
        if any(p.url_name == page.url_name for p in self.pages):
            raise RegistryError(f"page {page.url_name!r} registered twice")
        self.pages.append(page)

    def pages_for(self, strategy: int) -> list[PublicPage]:
        return [p for p in self.pages if p.strategy == strategy]

    def register_staff_link(self, link: StaffLink) -> None:
        if any(existing.url_name == link.url_name for existing in self.staff_links):
            raise RegistryError(f"staff link {link.url_name!r} registered twice")
        self.staff_links.append(link)

    def staff_links_for(self, roles: frozenset[str]) -> list[StaffLink]:
        links = [s for s in self.staff_links if s.roles is None or s.roles & roles]
        return sorted(links, key=lambda s: (s.order, str(s.title)))

    def grant(self, role: str, *permissions: str) -> None:
        """Give a role permissions (``app_label.codename``); roles are synced after migrate."""
        for perm in permissions:
            if perm.count(".") != 1:
                raise RegistryError(f"permission {perm!r} must be 'app_label.codename'")
        self.role_permissions.setdefault(role, set()).update(permissions)

    # -- the synthetic city ------------------------------------------------------------------
    def register_demo(self, contribution: DemoContribution) -> None:
        self._add(self.demo, contribution.name, contribution)

    def register_reference_data(self, *model_labels: str) -> None:
        """Models whose rows are reference data written by migrations (a taxonomy, say):
        the synthetic city neither counts them as existing data nor deletes them."""
        for label in model_labels:
            if label.count(".") != 1 or label != label.lower():
                raise RegistryError(f"{label!r} must be 'app_label.modelname' in lower case")
            self.reference_data.add(label)

    def demo_steps(self) -> list[DemoContribution]:
        return sorted(self.demo.values(), key=lambda c: (c.order, c.name))

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _add(table: dict[str, Any], key: str, value: Any) -> None:
        if key in table and table[key] != value:
            raise RegistryError(f"{key!r} is already registered")
        table[key] = value

    @staticmethod
    def _check_strategy(number: int, name: str) -> None:
        if not 1 <= number <= 8:
            raise RegistryError(f"{name!r}: strategy must be 1-8, not {number}")


registry = Registry()
