"""Public complaint pages: file a complaint or commendation, see the tracking code once,
follow the case and add information with the code. Thin: forms check shape, services do
the work, selectors answer what the code may see."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from peelian.agency import svgmap
from peelian.core.errors import ApplicationError
from peelian.oversight import codes
from peelian.oversight.forms_public import (
    AddInfoForm,
    ComplaintForm,
    OfficerFormSet,
    TrackForm,
    WitnessFormSet,
)
from peelian.oversight.models import Complaint
from peelian.oversight.selectors.tracking import complaint_for_code, tracker_for
from peelian.oversight.services.intake import complaint_add_info, complaint_submit

SESSION_CODES = "oversight_codes"  # submission key -> tracking code, this browser only
SESSION_LAST = "oversight_last_submission"
SESSION_KEEP = 5

NO_CASE = _("There is no case with that code. Check it and try again.")


# --- rate limits ------------------------------------------------------------------------


def _client_ip(request: HttpRequest) -> str:
    from axes.helpers import get_client_ip_address

    return str(get_client_ip_address(request) or "unknown")


def _limit(name: str) -> tuple[int, int]:
    defaults = {"submit": (5, 3600), "track_fail": (10, 3600), "add_info": (10, 3600)}
    configured = getattr(settings, "PEELIAN_PUBLIC_RATE_LIMITS", {}) or {}
    count, seconds = configured.get(name, defaults[name])
    return int(count), int(seconds)


def _rate_key(name: str, request: HttpRequest) -> str:
    return f"oversight:rate:{name}:{_client_ip(request)}"


def _over_limit(name: str, request: HttpRequest) -> bool:
    count, _seconds = _limit(name)
    return int(cache.get(_rate_key(name, request), 0)) >= count


def _count(name: str, request: HttpRequest) -> None:
    _count_max, seconds = _limit(name)
    key = _rate_key(name, request)
    cache.add(key, 0, timeout=seconds)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)


def _too_many(request: HttpRequest, name: str, message: Any) -> HttpResponse:
    response = render(request, "oversight/public/refused.html", {"message": message}, status=429)
    response["Retry-After"] = str(_limit(name)[1])
    return response


def _private(response: HttpResponse) -> HttpResponse:
    """Pages with a tracking code: never cached, never indexed, never sent as referrer."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- filing -----------------------------------------------------------------------------


def _remembered(request: HttpRequest, key: str) -> str | None:
    stored = request.session.get(SESSION_CODES) or {}
    value = stored.get(key)
    return str(value) if value else None


def _remember(request: HttpRequest, key: str, code: str) -> None:
    stored = dict(request.session.get(SESSION_CODES) or {})
    stored[key] = code
    request.session[SESSION_CODES] = dict(list(stored.items())[-SESSION_KEEP:])
    request.session[SESSION_LAST] = key


def _map_context() -> dict[str, Any]:
    city = svgmap.city_map()
    if city is None:
        return {"city_map": None}
    min_lng, _min_lat, _max_lng, max_lat = city.bounds
    return {
        "city_map": city,
        "map_data": {
            "min_lng": repr(min_lng),
            "max_lat": repr(max_lat),
            "scale": repr(city.scale),
            "cos_lat": repr(city.cos_lat),
            "padding": svgmap.PADDING,
        },
    }


def _apply_error(form: ComplaintForm, exc: ApplicationError) -> None:
    placed = False
    field_map = {"complainant": None, "officers": None, "witnesses": None, "text": "narrative"}
    for field, messages in exc.fields.items():
        name = field_map.get(field, field)
        if name in form.fields:
            for message in messages:
                form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest, kind: str = Complaint.Kind.COMPLAINT) -> HttpResponse:
    if request.method == "POST":
        form = ComplaintForm(request.POST, request.FILES, kind=kind)
        officers = OfficerFormSet(request.POST, prefix="officers")
        witnesses = WitnessFormSet(request.POST, prefix="witnesses")
        key = str(request.POST.get("submission_key", ""))
        if key and _remembered(request, key):
            # The same form again from this browser (a double click, a reload).
            request.session[SESSION_LAST] = key
            return redirect("complaints:received")
        if _over_limit("submit", request):
            return _too_many(
                request,
                "submit",
                _(
                    "Too many reports were sent from your connection in the last hour. Wait "
                    "an hour and try again, or call us."
                ),
            )
        if form.is_valid() and officers.is_valid() and witnesses.is_valid():
            data = form.cleaned_data
            try:
                _complaint, code = complaint_submit(
                    actor="public",
                    kind=kind,
                    narrative=data["narrative"],
                    occurred_on=data.get("occurred_on"),
                    occurred_time=data.get("occurred_time"),
                    location_text=data.get("location_text") or "",
                    lat=data.get("lat"),
                    lng=data.get("lng"),
                    officers=[f.cleaned_data for f in officers.forms if f.cleaned_data],
                    witnesses=[f.cleaned_data for f in witnesses.forms if f.cleaned_data],
                    complainant=form.complainant(),
                    language=data["language"],
                    third_party=data.get("third_party", False),
                    consent_share_identity=data.get("consent_share_identity", False),
                    attachments=data.get("attachments") or [],
                    submission_key=data["submission_key"],
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                if code is None:
                    return _private(
                        render(request, "oversight/public/duplicate.html", {"kind": kind})
                    )
                _count("submit", request)
                _remember(request, data["submission_key"], code)
                return redirect("complaints:received")
    else:
        form = ComplaintForm(kind=kind)
        officers = OfficerFormSet(prefix="officers")
        witnesses = WitnessFormSet(prefix="witnesses")
    context = {"form": form, "officers": officers, "witnesses": witnesses, "kind": kind}
    context.update(_map_context())
    status = 400 if request.method == "POST" else 200
    return render(request, "oversight/public/new.html", context, status=status)


def complaint_received(request: HttpRequest) -> HttpResponse:
    key = request.session.get(SESSION_LAST)
    code = _remembered(request, str(key)) if key else None
    if code is None:
        return redirect("complaints:new")
    context = {"code": code, "track_url": reverse("complaints:track_case", args=[code])}
    return _private(render(request, "oversight/public/received.html", context))


# --- tracking ---------------------------------------------------------------------------


def _lookup(request: HttpRequest, code: str) -> Complaint | HttpResponse | None:
    if _over_limit("track_fail", request):
        return _private(
            _too_many(
                request,
                "track_fail",
                _(
                    "Too many wrong codes were tried from your connection. Wait an hour and try "
                    "again."
                ),
            )
        )
    complaint = complaint_for_code(code)
    if complaint is None:
        _count("track_fail", request)
    return complaint


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        found = _lookup(request, form.cleaned_data["code"])
        if isinstance(found, HttpResponse):
            return found
        if found is not None:
            normalised = codes.normalise(form.cleaned_data["code"]) or ""
            return HttpResponseRedirect(
                reverse("complaints:track_case", args=[codes.format_code(normalised)])
            )
        form.add_error("code", NO_CASE)
        status = 404
    elif request.method == "POST":
        status = 400
    return _private(render(request, "oversight/public/track.html", {"form": form}, status=status))


def _case_page(
    request: HttpRequest,
    complaint: Complaint,
    code: str,
    add_form: AddInfoForm,
    *,
    status: int = 200,
    added: bool = False,
) -> HttpResponse:
    context = {
        "tracker": tracker_for(complaint),
        "code": code,
        "add_form": add_form,
        "added": added,
    }
    return _private(render(request, "oversight/public/case.html", context, status=status))


def _not_found(request: HttpRequest, code: str) -> HttpResponse:
    form = TrackForm(initial={"code": code})
    return _private(
        render(
            request,
            "oversight/public/track.html",
            {"form": form, "not_found": NO_CASE},
            status=404,
        )
    )


@require_http_methods(["GET"])
def track_case(request: HttpRequest, code: str) -> HttpResponse:
    found = _lookup(request, code)
    if isinstance(found, HttpResponse):
        return found
    if found is None:
        return _not_found(request, code)
    return _case_page(request, found, code, AddInfoForm())


@require_http_methods(["POST"])
def track_add(request: HttpRequest, code: str) -> HttpResponse:
    found = _lookup(request, code)
    if isinstance(found, HttpResponse):
        return found
    if found is None:
        return _not_found(request, code)
    if _over_limit("add_info", request):
        return _private(
            _too_many(
                request,
                "add_info",
                _(
                    "Too much information was sent from your connection in the last hour. Wait "
                    "an hour and try again."
                ),
            )
        )
    form = AddInfoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            complaint_add_info(
                actor="public",
                code=code,
                text=form.cleaned_data.get("text") or "",
                attachments=form.cleaned_data.get("attachments") or [],
            )
        except ApplicationError as exc:
            for field, messages in exc.fields.items():
                target = field if field in form.fields else None
                for message in messages:
                    form.add_error(target, str(message))
            if not exc.fields:
                form.add_error(None, str(exc.message))
        else:
            _count("add_info", request)
            found.refresh_from_db()
            return _case_page(request, found, code, AddInfoForm(), added=True)
    return _case_page(request, found, code, form, status=400)
