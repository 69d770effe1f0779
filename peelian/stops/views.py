"""Stop-data pages: the public report (published analyses only), the results as JSON and
CSV, and the staff page that lists imports and runs, starts a run and publishes it."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from peelian.agency.models import Agency
from peelian.core.errors import ApplicationError
from peelian.core.errors import NotFound as DomainNotFound
from peelian.core.errors import PermissionDenied as DomainDenied
from peelian.stops import presentation, selectors, services
from peelian.stops.forms import RunForm
from peelian.stops.models import AnalysisRun
from peelian.stops.permissions import ANALYZE, PUBLISH, READ, policy


def _public_run(public_id: Any) -> AnalysisRun:
    try:
        return selectors.published_run_get(public_id=public_id)
    except DomainNotFound as exc:
        raise Http404(str(exc.message)) from exc


def public(request: HttpRequest) -> HttpResponse:
    """The latest published analysis, and the list of earlier ones."""
    runs = list(selectors.published_runs()[:20])
    latest = runs[0] if runs else None
    return render(
        request,
        "stops/public.html",
        {
            "run": latest,
            "earlier": runs[1:],
            "report": presentation.report_context(latest.results) if latest else None,
        },
    )


def public_run(request: HttpRequest, public_id: Any) -> HttpResponse:
    run = _public_run(public_id)
    return render(
        request,
        "stops/public.html",
        {"run": run, "earlier": [], "report": presentation.report_context(run.results)},
    )


def _download_run(request: HttpRequest, public_id: Any) -> AnalysisRun:
    try:
        return selectors.run_get_for_viewer(viewer=request.user, public_id=public_id)
    except DomainNotFound as exc:
        raise Http404(str(exc.message)) from exc


def run_json(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The stored results with the data fingerprint and code version that produced them."""
    run = _download_run(request, public_id)
    body = {
        "id": str(run.public_id),
        "title": run.title,
        "scope": run.scope,
        "options": run.options,
        "data_fingerprint": run.data_fingerprint,
        "code_version": run.code_version,
        "published_at": run.published_at.isoformat() if run.published_at else None,
        # Staff who may read unpublished runs get every count; everyone else gets the
        # per-area cells under the small-cell rule.
        "results": run.results
        if policy.can(request.user, READ)
        else presentation.public_results(run.results),
    }
    response = HttpResponse(
        json.dumps(body, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="stop-analysis-{run.public_id}.json"'
    return response


def run_csv(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Every published estimate as one row: test, measure, group, estimate, interval, N."""
    run = _download_run(request, public_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stop-analysis-{run.public_id}.csv"'
    writer = csv.writer(response)
    writer.writerow(presentation.CSV_HEADER)
    writer.writerows(presentation.flat_rows(run.results))
    return response


def _agency() -> Agency:
    agency = Agency.objects.order_by("pk").first()
    if agency is None:
        raise Http404(_("There is no agency yet."))
    return agency


@login_required
@cache_control(private=True, no_store=True)
def staff_home(request: HttpRequest) -> HttpResponse:
    if not policy.can(request.user, READ):
        raise PermissionDenied(_("You do not have permission to do that."))
    runs = list(selectors.run_list_for_viewer(viewer=request.user)[:50])
    imports = list(selectors.import_list_for_viewer(viewer=request.user)[:50])
    can_analyze = policy.can(request.user, ANALYZE)
    choices = [
        (str(i.public_id), f"{i.original_name} ({i.rows_imported})")
        for i in imports
        if i.status == "succeeded"
    ]
    form = RunForm(request.POST or None, import_choices=choices)
    if request.method == "POST":
        if not can_analyze:
            raise PermissionDenied(_("You do not have permission to do that."))
        if form.is_valid():
            d = form.cleaned_data
            try:
                run = services.analysis_run_create(
                    actor=request.user,
                    agency=_agency(),
                    title=d["title"],
                    scope={
                        "imports": d["imports"],
                        "date_from": d["date_from"].isoformat() if d["date_from"] else None,
                        "date_to": d["date_to"].isoformat() if d["date_to"] else None,
                    },
                    options={
                        "tests": d["tests"],
                        "district_effects": d["district_effects"],
                        "geography": d["geography"],
                    },
                )
            except ApplicationError as exc:
                for name, errors in (exc.fields or {None: [exc.message]}).items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, str(error))
            else:
                messages.success(
                    request,
                    _("The analysis was queued; this page shows its results when it is done."),
                )
                return redirect("stops:staff_run", public_id=run.public_id)
    return render(
        request,
        "stops/staff.html",
        {"runs": runs, "imports": imports, "form": form, "can_analyze": can_analyze},
    )


@login_required
@cache_control(private=True, no_store=True)
def staff_run(request: HttpRequest, public_id: Any) -> HttpResponse:
    try:
        run = selectors.run_get_for_viewer(viewer=request.user, public_id=public_id)
    except DomainNotFound as exc:
        raise Http404(str(exc.message)) from exc
    return render(
        request,
        "stops/staff_run.html",
        {
            "run": run,
            "report": presentation.report_context(run.results) if run.results else None,
            "can_publish": policy.can(request.user, PUBLISH) and run.status == "succeeded",
        },
    )


@login_required
@require_POST
def staff_publish(request: HttpRequest, public_id: Any) -> HttpResponse:
    try:
        run = selectors.run_get_for_viewer(viewer=request.user, public_id=public_id)
        services.analysis_run_publish(
            actor=request.user, run=run, published=request.POST.get("published") == "1"
        )
    except DomainNotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainDenied as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Published on the public stop-data page.")
            if run.published
            else _("Withdrawn from the public page."),
        )
    return redirect("stops:staff_run", public_id=public_id)
