"""Staff enter a complaint or commendation received by phone, mail, in person or email.
Thin: the form checks shape, ``complaint_enter`` does the work (policy ENTER, audit).

After a successful entry the browser is redirected (so a reload cannot send the form
again) to the same page, which shows the tracking code once: it is kept in the session
only until that page has been shown."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from peelian.core.errors import ApplicationError
from peelian.oversight.forms_entry import EntryForm, EntryOfficerFormSet
from peelian.oversight.models import Complaint
from peelian.oversight.permissions import CASE_VIEW, ENTER, policy
from peelian.oversight.services.intake import complaint_enter

SESSION_ENTERED = "oversight_entered"  # the last entry: tracking code and case id, shown once


def _apply_error(form: EntryForm, exc: ApplicationError) -> None:
    field_map = {"complainant": None, "officers": None, "witnesses": None, "age": None}
    placed = False
    for field, messages in exc.fields.items():
        name = field_map.get(field, field)
        if name in form.fields:
            for message in messages:
                form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    return response


def _result(request: HttpRequest) -> HttpResponse | None:
    entered = request.session.pop(SESSION_ENTERED, None)
    if not entered:
        return None
    complaint = Complaint.objects.filter(pk=entered["id"]).first()
    if complaint is None:
        return None
    case_url = None
    if policy.can(request.user, CASE_VIEW, complaint):
        case_url = reverse("cases:detail", args=[complaint.public_id])
    context = {"code": entered["code"], "complaint": complaint, "case_url": case_url}
    return _no_store(render(request, "oversight/staff/enter.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest) -> HttpResponse:
    if not policy.can(request.user, ENTER):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES)
        officers = EntryOfficerFormSet(request.POST, prefix="officers")
        if form.is_valid() and officers.is_valid():
            data = form.cleaned_data
            try:
                complaint, code = complaint_enter(
                    actor=request.user,
                    channel=data["channel"],
                    kind=data["kind"],
                    narrative=data["narrative"],
                    occurred_on=data.get("occurred_on"),
                    occurred_time=data.get("occurred_time"),
                    location_text=data.get("location_text") or "",
                    officers=[f.cleaned_data for f in officers.forms if f.cleaned_data],
                    complainant=form.complainant(),
                    language=data["language"],
                    third_party=data.get("third_party", False),
                    consent_share_identity=data.get("consent_share_identity", False),
                    attachments=data.get("attachments") or [],
                    submission_key=data["submission_key"],
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
                status = exc.status if exc.status != 200 else 400
            else:
                request.session[SESSION_ENTERED] = {"id": complaint.pk, "code": code}
                return redirect("cases:enter")
        else:
            status = 400
    else:
        shown = _result(request)
        if shown is not None:
            return shown
        form = EntryForm()
        officers = EntryOfficerFormSet(prefix="officers")
    context: dict[str, Any] = {"form": form, "officers": officers}
    return _no_store(render(request, "oversight/staff/enter.html", context, status=status))
