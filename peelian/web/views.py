"""The public site: home, strategy pages, open data, statistics, and the error pages.

Everything shown here comes from the registry (``peelian.core.registry``): the pages never
reach into another app. A statistic whose computation fails is shown as "not available"
(and logged), never as a server error; a dataset that cannot be produced answers 503.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_safe

from peelian.api.errors import error_body, json_404, json_500
from peelian.core.registry import (
    Dataset,
    PublicPage,
    Statistic,
    StatisticResult,
    StatisticValue,
    registry,
)
from peelian.core.statistics import statistic_result
from peelian.core.strategies import BY_NUMBER, BY_SLUG, Strategy
from peelian.web.context_processors import site_name

logger = logging.getLogger(__name__)

# A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV
# injection"); text cells that do are prefixed with an apostrophe.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The home page shows the first few values of each statistic; its own page shows them all.
PREVIEW_VALUES = 5


# --- statistics -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComputedStatistic:
    """A registered statistic with its computed result, or ``result=None`` when computing it
    failed (the page then says "not available")."""

    statistic: Statistic
    result: StatisticResult | None

    @property
    def strategy(self) -> Strategy:
        return BY_NUMBER[self.statistic.strategy]

    @property
    def preview_values(self) -> tuple[StatisticValue, ...]:
        return self.result.values[:PREVIEW_VALUES] if self.result else ()

    @property
    def hidden_count(self) -> int:
        return max(0, len(self.result.values) - PREVIEW_VALUES) if self.result else 0

    @property
    def confidence_percent(self) -> str:
        if self.result is None or self.result.confidence is None:
            return ""
        return f"{self.result.confidence * 100:g}"


def compute(statistic: Statistic) -> ComputedStatistic:
    try:
        # Cached, and computed in a savepoint: a database error inside one statistic must
        # not poison the request's transaction for the next one.
        result = statistic_result(statistic)
    except Exception:
        logger.exception("statistic %r could not be computed", statistic.slug)
        return ComputedStatistic(statistic, None)
    return ComputedStatistic(statistic, result)


def _statistics(strategy: int | None = None) -> list[Statistic]:
    stats = [s for s in registry.statistics.values() if strategy in (None, s.strategy)]
    return sorted(stats, key=lambda s: s.strategy)


def _datasets(strategy: int | None = None) -> list[Dataset]:
    datasets = [d for d in registry.datasets.values() if strategy in (None, d.strategy)]
    return sorted(datasets, key=lambda d: (d.strategy, str(d.title)))


@dataclass(frozen=True)
class PageLink:
    page: PublicPage
    href: str


def _page_links(strategy: int) -> list[PageLink]:
    links = []
    for page in registry.pages_for(strategy):
        try:
            links.append(PageLink(page, reverse(page.url_name)))
        except NoReverseMatch:
            # Registered by an app whose URLs are not installed: nothing to link to.
            logger.warning("public page %r is registered but has no URL", page.url_name)
    return links


# --- pages ----------------------------------------------------------------------------------------


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    datasets = _datasets()
    statistics = [compute(s) for s in _statistics()]
    cards = [
        {
            "strategy": s,
            "datasets": sum(d.strategy == s.number for d in datasets),
            "statistics": sum(c.statistic.strategy == s.number for c in statistics),
        }
        for s in BY_NUMBER.values()
    ]
    return render(
        request,
        "web/home.html",
        {"datasets": datasets, "statistics": statistics, "cards": cards},
    )


@require_safe
def strategy(request: HttpRequest, slug: str) -> HttpResponse:
    current = BY_SLUG.get(slug)
    if current is None:
        raise Http404(_("There is no strategy with that name."))
    return render(
        request,
        "web/strategy.html",
        {
            "strategy": current,
            "pages": _page_links(current.number),
            "datasets": _datasets(current.number),
            "statistics": [compute(s) for s in _statistics(current.number)],
        },
    )


@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    return render(
        request, "web/statistics.html", {"statistics": [compute(s) for s in _statistics()]}
    )


@require_safe
def statistic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    stat = registry.statistics.get(slug)
    if stat is None:
        raise Http404(_("There is no statistic with that name."))
    return render(request, "web/statistic.html", {"item": compute(stat)})


# --- open data --------------------------------------------------------------------------------


def _dataset_or_404(slug: str) -> Dataset:
    dataset = registry.datasets.get(slug)
    if dataset is None:
        raise Http404(_("There is no dataset with that name."))
    return dataset


@require_safe
def open_data(request: HttpRequest) -> HttpResponse:
    return render(request, "web/open_data.html", {"datasets": _datasets()})


def csv_cell(value: Any) -> Any:
    """One value as a CSV cell: empty for missing, ISO 8601 for dates, ``true``/``false``
    for booleans, numbers as numbers, and text that a spreadsheet would run as a formula
    prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) or math.isinf(value) else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose ``write`` returns what it is given, so ``csv.writer``
    produces the lines for a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(field_names: list[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The header, then one line per row, in the data dictionary's field order. Keys a row
    has beyond the dictionary are not published."""
    writer = csv.writer(_Echo())
    yield writer.writerow(field_names)
    for row in rows:
        yield writer.writerow([csv_cell(row.get(name)) for name in field_names])


def _unavailable(request: HttpRequest, dataset: Dataset) -> HttpResponse:
    return render(request, "web/dataset_unavailable.html", {"dataset": dataset}, status=503)


@require_safe
def dataset_csv(request: HttpRequest, slug: str) -> HttpResponse | StreamingHttpResponse:
    dataset = _dataset_or_404(slug)
    names = [f.name for f in dataset.fields]
    try:
        rows = iter(dataset.rows())
    except Exception:
        logger.exception("dataset %r could not be produced", slug)
        return _unavailable(request, dataset)
    response = StreamingHttpResponse(csv_lines(names, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    return response


@require_safe
def dataset_geojson(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = _dataset_or_404(slug)
    if dataset.geojson is None:
        raise Http404(_("This dataset has no map version."))
    try:
        features = dict(dataset.geojson())
    except Exception:
        logger.exception("dataset %r could not be produced as GeoJSON", slug)
        return _unavailable(request, dataset)
    response = JsonResponse(features, content_type="application/geo+json")
    response["Content-Disposition"] = f'attachment; filename="{slug}.geojson"'
    return response


def datapackage_descriptor(request: HttpRequest) -> dict[str, Any]:
    """A Frictionless Data Package (v1) describing every dataset: a tabular resource with
    its Table Schema per CSV, and a data resource per GeoJSON. Paths are relative to the
    descriptor, which sits beside the files."""
    resources: list[dict[str, Any]] = []
    for dataset in _datasets():
        common = {
            "title": str(dataset.title),
            "description": str(dataset.description),
            "privacy": str(dataset.privacy),
            "update_frequency": str(dataset.update_frequency),
            "strategy": dataset.strategy,
        }
        resources.append(
            {
                "name": dataset.slug,
                "path": f"{dataset.slug}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                **common,
                "schema": {
                    "fields": [
                        {"name": f.name, "type": f.type, "description": str(f.description)}
                        for f in dataset.fields
                    ],
                    "missingValues": [""],
                },
            }
        )
        if dataset.geojson is not None:
            resources.append(
                {
                    "name": f"{dataset.slug}-geojson",
                    "path": f"{dataset.slug}.geojson",
                    "profile": "data-resource",
                    "format": "geojson",
                    "mediatype": "application/geo+json",
                    "encoding": "utf-8",
                    **common,
                }
            )
    name = site_name()
    return {
        "profile": "data-package",
        "name": f"{slugify(name) or 'peelian'}-open-data",
        "title": _("%(name)s open data") % {"name": name},
        "description": _(
            "De-identified datasets published by %(name)s, each with its data dictionary "
            "and the privacy rule applied to it."
        )
        % {"name": name},
        "homepage": request.build_absolute_uri(reverse("web:open_data")),
        "resources": resources,
    }


@require_safe
def datapackage(request: HttpRequest) -> JsonResponse:
    return JsonResponse(datapackage_descriptor(request), json_dumps_params={"indent": 2})


# --- error pages (config/urls.py: handler400, handler403, handler404, handler500) -----------


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            error_body("malformed_request", _("The request could not be understood.")),
            status=400,
        )
    # Like Django's own: rendered without the request, since it may be what is wrong.
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            error_body("permission_denied", _("You do not have permission to do this.")),
            status=403,
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return json_404(request, exception)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return json_500(request)
    # 500.html is rendered without context processors or the database.
    return defaults.server_error(request)
