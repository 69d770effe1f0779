"""Analysis runs: create one (queued for the worker), execute it, publish or withdraw it.

A run stores its scope, its options, the results, the fingerprint of the data it read and
the versions of the code that produced them, so a published number can be reproduced: run
the same version on the same imports with the same options.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import subprocess
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peelian.agency.models import Agency, Beat, District
from peelian.audit.services import audit_log
from peelian.core.errors import ApplicationError
from peelian.stops.analysis.options import AnalysisOptions
from peelian.stops.analysis.schema import RACES, TESTS
from peelian.stops.models import AnalysisRun, Stop, StopImport
from peelian.stops.permissions import ANALYZE, PUBLISH, policy

SYSTEM_ACTOR = "system:stops-worker"
# The sub-geography the tests compare within: the stop's district or its beat (a small
# agency with few districts compares by beat; the threshold test needs at least five).
GEOGRAPHIES = ("district", "beat")
VERSIONED_PACKAGES = ("ibis-framework", "duckdb", "statsmodels", "numpyro", "jax", "scipy")
REPO_ROOT = Path(__file__).resolve().parents[2]


def code_version() -> dict[str, Any]:
    """Peelian's version and commit, and the versions of the numerical libraries."""
    versions: dict[str, str | None] = {}
    for name in ("peelian", *VERSIONED_PACKAGES):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    commit = None
    try:
        out = subprocess.run(  # noqa: S603
            ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        commit = out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"packages": versions, "commit": commit}


def _parse_scope(agency: Agency, scope: dict[str, Any]) -> dict[str, Any]:
    ids = [str(i) for i in scope.get("imports") or []]
    imports = list(StopImport.objects.filter(agency=agency, public_id__in=ids))
    if len(imports) != len(set(ids)):
        raise ApplicationError(
            _("One of the chosen imports does not exist for this agency."),
            code="invalid",
            fields={"imports": [_("Unknown import.")]},
        )
    out: dict[str, Any] = {"imports": sorted(str(i.public_id) for i in imports)}
    for key in ("date_from", "date_to"):
        value = scope.get(key)
        if value in (None, ""):
            out[key] = None
            continue
        try:
            out[key] = dt.date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise ApplicationError(
                _("Dates are written YYYY-MM-DD."),
                code="invalid",
                fields={key: [_("Not a date.")]},
            ) from exc
    if out["date_from"] and out["date_to"] and out["date_from"] > out["date_to"]:
        raise ApplicationError(
            _("The start date is after the end date."),
            code="invalid",
            fields={"date_to": [_("Before the start date.")]},
        )
    return out


def _parse_options(options: dict[str, Any]) -> dict[str, Any]:
    tests = tuple(options.get("tests") or TESTS)
    unknown = sorted(set(tests) - set(TESTS))
    if unknown:
        raise ApplicationError(
            _("Unknown tests: %(t)s.") % {"t": ", ".join(unknown)},
            code="invalid",
            fields={"tests": [_("Choose from rates, vod, outcome, threshold.")]},
        )
    geography = options.get("geography") or "district"
    if geography not in GEOGRAPHIES:
        raise ApplicationError(
            _("Compare by district or by beat."),
            code="invalid",
            fields={"geography": [_("Choose district or beat.")]},
        )
    return {
        "tests": [t for t in TESTS if t in tests],
        "district_effects": bool(options.get("district_effects", False)),
        "geography": geography,
    }


def analysis_run_create(
    *,
    actor: Any,
    agency: Agency,
    title: str,
    scope: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    enqueue: bool = True,
) -> AnalysisRun:
    """Record a run and queue it for the worker (``peelian worker``)."""
    policy.require(actor, ANALYZE)
    title = (title or "").strip()
    if not title:
        raise ApplicationError(
            _("Give the analysis a title."), code="invalid", fields={"title": [_("Required.")]}
        )
    clean_scope = _parse_scope(agency, scope or {})
    clean_options = _parse_options(options or {})
    with transaction.atomic():
        run = AnalysisRun.objects.create(
            agency=agency,
            created_by=actor if getattr(actor, "pk", None) else None,
            actor=str(actor) if isinstance(actor, str) else "",
            title=title[:200],
            scope=clean_scope,
            options=clean_options,
            results={},
            status="running",
        )
        audit_log(
            actor=actor,
            action="stops.analysis.create",
            target=run,
            after={"title": run.title, "scope": clean_scope, "options": clean_options},
        )
        if enqueue:
            from peelian.stops.tasks import execute_analysis_run

            pk = run.pk
            transaction.on_commit(lambda: execute_analysis_run.enqueue(pk))
    return run


def agency_analysis_options(agency: Agency, options: dict[str, Any]) -> AnalysisOptions:
    """Where and against whom: the agency's centre and time zone, district centroids from
    their boundaries, and residents by race summed over the beats' census figures."""
    from shapely.geometry import shape

    centroids: dict[str, tuple[float, float]] = {}
    lats: list[float] = []
    lngs: list[float] = []
    areas: list[Any] = list(District.objects.filter(agency=agency))
    if options.get("geography") == "beat":
        areas = list(Beat.objects.filter(district__agency=agency))
    for area in areas:
        geom = shape(area.boundary)
        point = geom.representative_point() if not geom.is_valid else geom.centroid
        centroids[area.code] = (point.y, point.x)
        minx, miny, maxx, maxy = geom.bounds
        lngs += [minx, maxx]
        lats += [miny, maxy]
    population: dict[str, float] = dict.fromkeys(RACES, 0.0)
    for counts in Beat.objects.filter(district__agency=agency).values_list(
        "population_by_race", flat=True
    ):
        for race, n in (counts or {}).items():
            if race in population:
                population[race] += float(n)
    has_population = sum(population.values()) > 0
    return AnalysisOptions(
        tests=tuple(options.get("tests") or TESTS),
        lat=agency.center_lat,
        lng=agency.center_lng,
        tz=agency.timezone,
        district_centroids=centroids or None,
        population=population if has_population else None,
        population_source=_("Residents by race, summed over the agency's beats")
        if has_population
        else None,
        bounds=(min(lats), min(lngs), max(lats), max(lngs)) if lats else None,
        district_effects=bool(options.get("district_effects")),
    )


def _fingerprint(run: AnalysisRun, n_rows: int) -> str:
    scope = run.scope or {}
    ids = scope.get("imports") or []
    qs = StopImport.objects.filter(agency=run.agency)
    if ids:
        qs = qs.filter(public_id__in=ids)
    hashes = sorted(qs.values_list("sha256", flat=True))
    payload = json.dumps(
        {"imports": hashes, "scope": scope, "rows": n_rows, "options": run.options},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def analysis_run_execute(*, run_id: int) -> AnalysisRun:
    """Run the analyses of a queued run and store what they found (the worker's job)."""
    from peelian.stops import source
    from peelian.stops.analysis import frame, report

    run = AnalysisRun.objects.select_related("agency").get(pk=run_id)
    if run.status != "running":
        return run
    started = time.perf_counter()
    scope = run.scope or {}
    import_ids = list(
        StopImport.objects.filter(
            agency=run.agency, public_id__in=scope.get("imports") or []
        ).values_list("pk", flat=True)
    )
    date_from = dt.date.fromisoformat(scope["date_from"]) if scope.get("date_from") else None
    date_to = dt.date.fromisoformat(scope["date_to"]) if scope.get("date_to") else None
    stops = Stop.objects.filter(agency=run.agency)
    if import_ids:
        stops = stops.filter(source_id__in=import_ids)
    if date_from:
        stops = stops.filter(stop_date__gte=date_from)
    if date_to:
        stops = stops.filter(stop_date__lte=date_to)
    n_rows = stops.count()
    status, error, results = "succeeded", "", {}
    try:
        raw, engine = source.stops_table(
            agency_id=run.agency_id,
            import_ids=import_ids,
            date_from=date_from,
            date_to=date_to,
            geography=(run.options or {}).get("geography") or "district",
        )
        opts = agency_analysis_options(run.agency, run.options or {})
        quality = frame.quality(raw, bounds=opts.bounds)
        results = report.run_report(frame.normalize(raw), opts, quality=quality)
        results.setdefault("meta", {})["engine"] = engine
        results["meta"]["options"] = _jsonable(asdict(opts))
    except Exception as exc:  # the run records its failure; the worker must not die
        status, error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
    with transaction.atomic():
        run.results = results
        run.status = status
        run.error = error
        run.code_version = code_version()
        run.data_fingerprint = _fingerprint(run, n_rows)
        run.duration_seconds = round(time.perf_counter() - started, 3)
        run.save()
        audit_log(
            actor=SYSTEM_ACTOR,
            action="stops.analysis.complete",
            target=run,
            after={"status": status, "rows": n_rows, "fingerprint": run.data_fingerprint},
        )
    return run


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def analysis_run_publish(*, actor: Any, run: AnalysisRun, published: bool) -> AnalysisRun:
    """Publish a finished run on the public stop-data page, or withdraw it."""
    policy.require(actor, PUBLISH)
    if published and run.status != "succeeded":
        raise ApplicationError(_("Only a finished analysis can be published."), code="conflict")
    with transaction.atomic():
        before = {"published": run.published}
        run.published = published
        run.published_at = timezone.now() if published else None
        run.save(update_fields=["published", "published_at", "updated_at"])
        audit_log(
            actor=actor,
            action="stops.analysis.publish" if published else "stops.analysis.withdraw",
            target=run,
            before=before,
            after={"published": published},
        )
    return run
