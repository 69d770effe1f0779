"""Pages: the public districts map with "Find my beat", and the staff roster and record."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control

from peelian.agency import geo, selectors, svgmap
from peelian.agency.forms import LocateForm, RosterFilterForm
from peelian.core.errors import ApplicationError
from peelian.core.errors import NotFound as DomainNotFound

ROSTER_PAGE_SIZE = 50


def districts(request: HttpRequest) -> HttpResponse:
    """The map and table of districts and beats, and the "Find my beat" form (GET, so it
    works without script and the result has a shareable address)."""
    bound = any(name in request.GET for name in LocateForm.FIELDS)
    form = LocateForm(request.GET if bound else None)
    location = None
    if bound and form.is_valid():
        query = form.cleaned_data["query"]
        try:
            location = geo.locate(query)
        except geo.LocationError as exc:
            form.add_error("address" if isinstance(query, str) else None, str(exc.message))
    city = svgmap.city_map()
    marker = None
    if location is not None and city is not None and city.contains(location.lng, location.lat):
        marker = city.project(location.lng, location.lat)
    district_list = list(selectors.districts_public(with_boundaries=False))
    context: dict[str, Any] = {
        "form": form,
        "location": location,
        "map": city,
        "marker": marker,
        "districts": district_list,
        "beat_count": sum(d.beat_count for d in district_list),
    }
    return render(request, "agency/districts.html", context)


@login_required
def officer_list(request: HttpRequest) -> HttpResponse:
    units = selectors.unit_choices()
    form = RosterFilterForm(request.GET or None, units=units)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    try:
        officers = selectors.officer_list_for_viewer(
            viewer=request.user,
            unit=filters.get("unit"),
            rank=filters.get("rank"),
            status=filters.get("status"),
            search=filters.get("q"),
        )
    except ApplicationError as exc:
        raise PermissionDenied(str(exc.message)) from exc
    page = Paginator(officers, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    scope = selectors.officer_record_scope(viewer=request.user)
    rows = [(officer, scope.allows(officer)) for officer in page]
    return render(
        request,
        "agency/officer_list.html",
        {"form": form, "page_obj": page, "rows": rows},
    )


@login_required
@cache_control(private=True, no_store=True)
def officer_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    try:
        record = selectors.officer_get_record(viewer=request.user, public_id=public_id)
    except DomainNotFound as exc:
        raise Http404(str(exc.message)) from exc
    return render(request, "agency/officer_detail.html", {"record": record})


@login_required
def structure(request: HttpRequest) -> HttpResponse:
    """The agency structure is edited in the admin site (its forms call the services)."""
    return redirect("admin:app_list", app_label="agency")
