"""Viewer-dependent reads of stop data: stop rows and import reports are for staff with
``stops.read``; analysis runs are for them too, and everyone else sees published runs only.
An unpublished run answers "not found" to those who may not read it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from peelian.agency.models import Agency
from peelian.core.errors import NotFound
from peelian.stops.models import AnalysisRun, RunStatus, Stop, StopImport
from peelian.stops.permissions import READ, policy


def stop_list_for_viewer(
    *, viewer: Any, agency: Agency | None = None, source: StopImport | None = None
) -> QuerySet[Stop]:
    """Stop rows (with the officer id hash): staff with ``stops.read`` only."""
    policy.require(viewer, READ)
    qs = Stop.objects.all().order_by("source_id", "source_row")
    if agency is not None:
        qs = qs.filter(agency=agency)
    if source is not None:
        qs = qs.filter(source=source)
    return qs


def import_list_for_viewer(*, viewer: Any, agency: Agency | None = None) -> QuerySet[StopImport]:
    policy.require(viewer, READ)
    qs = StopImport.objects.select_related("agency").order_by("-created_at", "-id")
    return qs.filter(agency=agency) if agency is not None else qs


def run_list_for_viewer(*, viewer: Any, agency: Agency | None = None) -> QuerySet[AnalysisRun]:
    """Every run for staff with ``stops.read``; published runs for everyone else."""
    qs = AnalysisRun.objects.select_related("agency").order_by("-created_at", "-id")
    if not policy.can(viewer, READ):
        qs = qs.filter(published=True, status=RunStatus.SUCCEEDED)
    return qs.filter(agency=agency) if agency is not None else qs


def run_get_for_viewer(*, viewer: Any, public_id: Any) -> AnalysisRun:
    run = run_list_for_viewer(viewer=viewer).filter(public_id=public_id).first()
    if run is None:
        raise NotFound(_("Not found."))
    return run


def published_runs() -> QuerySet[AnalysisRun]:
    """What the public stop-data page lists: finished, published runs, newest first."""
    return (
        AnalysisRun.objects.select_related("agency")
        .filter(published=True, status=RunStatus.SUCCEEDED)
        .order_by("-published_at", "-id")
    )


def published_run_get(*, public_id: Any) -> AnalysisRun:
    run = published_runs().filter(public_id=public_id).first()
    if run is None:
        raise NotFound(_("Not found."))
    return run
