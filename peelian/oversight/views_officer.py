"""An officer's complaint record, for staff (``board:officer_record``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from peelian.core.errors import NotFound
from peelian.oversight.selectors.officer_record import officer_complaint_record_by_id


@login_required
@cache_control(private=True, no_store=True)
def officer_record(request: HttpRequest, public_id: Any) -> HttpResponse:
    try:
        record = officer_complaint_record_by_id(viewer=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    return render(request, "oversight/officer_record.html", {"record": record})
