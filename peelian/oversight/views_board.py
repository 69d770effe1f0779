"""The civilian review board's pages (``/staff/board/``): the referred cases, one case with
a vote per allegation, the board's recommendation, and the agency's answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from peelian.core.errors import ApplicationError, NotFound
from peelian.core.errors import PermissionDenied as DomainPermissionDenied
from peelian.oversight.forms_board import (
    BoardVoteForm,
    RecommendationForm,
    ResponseForm,
    add_service_error,
    service_field_names,
)
from peelian.oversight.models import Allegation, BoardReview
from peelian.oversight.selectors.board import (
    BoardCase,
    board_case_for_member,
    board_cases_for_member,
    board_review_for_action,
)
from peelian.oversight.services.board import board_recommend, board_respond, board_vote


def _domain(exc: ApplicationError) -> None:
    """Turn a refusal that is not about the input into the matching HTTP answer."""
    if isinstance(exc, NotFound):
        raise Http404(str(exc.message)) from exc
    if isinstance(exc, DomainPermissionDenied):
        raise PermissionDenied(str(exc.message)) from exc


def _case(request: HttpRequest, public_id: Any) -> BoardCase:
    try:
        return board_case_for_member(request.user, public_id)
    except ApplicationError as exc:
        _domain(exc)
        raise


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    try:
        cases = list(board_cases_for_member(request.user))
    except ApplicationError as exc:
        _domain(exc)
        raise
    return render(request, "oversight/board/list.html", {"cases": cases})


def _vote_forms(case: BoardCase, bound: BoardVoteForm | None = None) -> list[Any]:
    rows = []
    for a in case.allegations:
        if bound is not None and bound.prefix == f"a{a.id}":
            form = bound
        else:
            initial = {}
            if a.my_vote is not None:
                initial = {
                    "vote": a.my_vote.vote,
                    "recommended_finding": a.my_vote.recommended_finding,
                    "comment": a.my_vote.comment,
                }
            form = BoardVoteForm(prefix=f"a{a.id}", initial=initial)
        rows.append((a, form))
    return rows


@login_required
@cache_control(private=True, no_store=True)
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    """GET: the case file and the vote forms. POST: one vote (field ``allegation``)."""
    bound: BoardVoteForm | None = None
    if request.method == "POST":
        review = _review(request, public_id)
        try:
            allegation_id = int(request.POST.get("allegation", ""))
        except ValueError:
            raise Http404(_("Not found.")) from None
        allegation = Allegation.objects.filter(
            pk=allegation_id, complaint_id=review.complaint_id
        ).first()
        if allegation is None:
            raise Http404(_("Not found."))
        bound = BoardVoteForm(request.POST, prefix=f"a{allegation.pk}")
        if bound.is_valid():
            try:
                board_vote(
                    actor=request.user,
                    allegation=allegation,
                    vote=bound.cleaned_data["vote"],
                    recommended_finding=bound.cleaned_data["recommended_finding"],
                    comment=bound.cleaned_data["comment"],
                )
            except ApplicationError as exc:
                _domain(exc)
                add_service_error(bound, exc, {})
            else:
                messages.success(request, _("Your vote was recorded."))
                return redirect("board:case", public_id=review.complaint.public_id)
    case = _case(request, public_id)
    status = 400 if bound is not None else 200
    return render(
        request,
        "oversight/board/case.html",
        {"case": case, "vote_rows": _vote_forms(case, bound), "bound": bound},
        status=status,
    )


def _review(request: HttpRequest, public_id: Any) -> BoardReview:
    try:
        return board_review_for_action(request.user, public_id)
    except ApplicationError as exc:
        _domain(exc)
        raise


@login_required
@cache_control(private=True, no_store=True)
@require_http_methods(["GET", "POST"])
def recommend(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    if not case.can_recommend:
        raise PermissionDenied(_("The board's recommendations cannot be made on this case now."))
    form = RecommendationForm(request.POST or None, allegations=case.allegations)
    if request.method == "POST" and form.is_valid():
        try:
            board_recommend(
                actor=request.user,
                review=case.review,
                recommendations=form.recommendations(),
            )
        except ApplicationError as exc:
            _domain(exc)
            add_service_error(
                form,
                exc,
                service_field_names(form.allegation_ids, ("finding", "discipline", "rationale")),
            )
        else:
            messages.success(request, _("The board's recommendations were recorded."))
            return redirect("board:case", public_id=case.public_id)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "oversight/board/recommend.html",
        {
            "case": case,
            "form": form,
            "groups": list(zip(case.allegations, form.groups(), strict=True)),
        },
        status=status,
    )


@login_required
@cache_control(private=True, no_store=True)
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    if not case.can_respond:
        raise PermissionDenied(_("Only an administrator answers the board's recommendations."))
    recs = [a.recommendation for a in case.allegations if a.recommendation is not None]
    form = ResponseForm(request.POST or None, recommendations=recs)
    if request.method == "POST" and form.is_valid():
        try:
            board_respond(actor=request.user, review=case.review, answers=form.answers())
        except ApplicationError as exc:
            _domain(exc)
            add_service_error(
                form, exc, service_field_names(form.allegation_ids, ("concurs", "reasons"))
            )
        else:
            messages.success(request, _("The agency's answer to the board was recorded."))
            return redirect("board:case", public_id=case.public_id)
    rows = [
        (a, form[f"concurs_{a.id}"], form[f"reasons_{a.id}"])
        for a in case.allegations
        if a.recommendation is not None
    ]
    status = 400 if form.is_bound else 200
    return render(
        request,
        "oversight/board/respond.html",
        {"case": case, "form": form, "rows": rows},
        status=status,
    )
