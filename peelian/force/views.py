"""Use-of-force pages: the public aggregate page, and the staff list, incident file, report
form and review form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from peelian.core.errors import ApplicationError
from peelian.core.errors import NotFound as DomainNotFound
from peelian.core.errors import PermissionDenied as DomainDenied
from peelian.force import exports, selectors, services
from peelian.force.forms import FilterForm, ReportForm, ReviewForm
from peelian.force.models import ForceIncident, ReviewStatus
from peelian.force.permissions import REPORT, REVIEW, officer_of, policy

PAGE_SIZE = 50
PUBLIC_MONTHS = 12


def public(request: HttpRequest) -> HttpResponse:
    """Counts by month and district (the latest 12 months with incidents), and the injury
    and review-completion rates with their intervals. Aggregates only."""
    months, districts, counts = exports.counts_by_month_and_district()
    months = months[-PUBLIC_MONTHS:]
    table = [
        (
            m,
            [counts.get((m, d), 0) for d in districts],
            sum(counts.get((m, d), 0) for d in districts),
        )
        for m in months
    ]
    injury = exports.injury_rate()
    review = exports.review_completion()
    return render(
        request,
        "force/public.html",
        {
            "districts": districts,
            "table": table,
            "injury": injury.values[0],
            "injury_unknown": injury.values[1],
            "review": review.values[0],
            "methods": {
                "injury": exports.INJURY_METHOD,
                "injury_uncertainty": exports.INJURY_UNCERTAINTY,
                "review": exports.REVIEW_METHOD,
                "counts": exports.BY_MONTH_METHOD,
            },
        },
    )


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    try:
        incidents = selectors.incident_list_for_viewer(
            viewer=request.user,
            district=filters.get("district") or None,
            review_status=filters.get("review_status") or None,
            force_type=filters.get("force_type") or None,
            resistance=filters.get("resistance") or None,
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
        )
    except DomainDenied as exc:
        raise PermissionDenied(str(exc.message)) from exc
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "force/list.html",
        {"form": form, "page_obj": page, "can_report": policy.can(request.user, REPORT)},
    )


def _incident(request: HttpRequest, public_id: Any) -> ForceIncident:
    try:
        return selectors.incident_get(viewer=request.user, public_id=public_id)
    except DomainNotFound as exc:
        raise Http404(str(exc.message)) from exc


@login_required
@cache_control(private=True, no_store=True)
def incident_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    incident = _incident(request, public_id)
    can_review = policy.can(request.user, REVIEW, incident) and incident.review_status in (
        ReviewStatus.PENDING,
        ReviewStatus.RETURNED,
    )
    return render(request, "force/detail.html", {"incident": incident, "can_review": can_review})


@login_required
@cache_control(private=True, no_store=True)
def report(request: HttpRequest) -> HttpResponse:
    if not policy.can(request.user, REPORT):
        raise PermissionDenied(_("You do not have permission to do that."))
    own = officer_of(request.user)
    form = ReportForm(request.POST or None, own_officer=own)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            incident = services.force_report(
                actor=request.user,
                occurred_at=d["occurred_at"],
                location_text=d["location_text"],
                contact_reason=d["contact_reason"],
                force_reason=d["force_reason"],
                resistance=d["resistance"],
                narrative=d["narrative"],
                officers=[
                    services.OfficerInput(
                        officer=o, force_types=d["force_types"], injured=d["officer_injured"]
                    )
                    for o in d["officers"]
                ],
                subjects=[services.SubjectInput(**form.subject_values())],
                recording_ids=form.recordings(),
            )
        except ApplicationError as exc:
            if exc.fields:
                for name, errors in exc.fields.items():
                    target = name if name in form.fields else None
                    for error in errors:
                        form.add_error(target, str(error))
            else:
                form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The report was filed and awaits supervisor review."))
            if policy.can(request.user, "force.read", incident):
                return redirect("force:detail", public_id=incident.public_id)
            return redirect("force:list")
    return render(request, "force/report.html", {"form": form})


@login_required
@cache_control(private=True, no_store=True)
def review(request: HttpRequest, public_id: Any) -> HttpResponse:
    incident = _incident(request, public_id)
    if not policy.can(request.user, REVIEW, incident):
        raise PermissionDenied(_("You do not have permission to do that."))
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.force_review(
                actor=request.user,
                incident=incident,
                decision=form.cleaned_data["decision"],
                notes=form.cleaned_data["notes"],
            )
        except ApplicationError as exc:
            field = next(iter(exc.fields), None)
            form.add_error(field if field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("The review was recorded."))
            return redirect("force:detail", public_id=incident.public_id)
    return render(request, "force/review.html", {"form": form, "incident": incident})
