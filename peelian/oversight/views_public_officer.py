"""Public officer pages: a search by name or badge, and each officer's public counts.

Off by default (``settings.PEELIAN_PUBLIC_OFFICER_PAGES``): when off, both pages answer 404,
as if the URLs did not exist. Thin: the selector decides what is public."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from peelian.core.errors import NotFound
from peelian.oversight.selectors.public_officer import (
    SEARCH_MAX_LENGTH,
    public_officer_card,
    public_officer_pages_enabled,
    public_officer_search,
    public_officer_summary,
)

PAGE_SIZE = 25


class OfficerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or badge number"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


@require_safe
def officer_list(request: HttpRequest) -> HttpResponse:
    if not public_officer_pages_enabled():
        raise Http404
    form = OfficerSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    try:
        officers = public_officer_search(query)
    except NotFound as exc:
        raise Http404 from exc
    page = Paginator(officers, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "form": form,
        "query": query,
        "page_obj": page,
        "officers": [public_officer_card(o) for o in page],
    }
    return render(request, "oversight/public/officers.html", context)


@require_safe
def officer_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    try:
        summary = public_officer_summary(public_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "oversight/public/officer.html", {"officer": summary})
