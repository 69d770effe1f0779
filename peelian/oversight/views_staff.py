"""Staff case pages: the queue, the case file with a form for each step the viewer may
take now, and attachment downloads. Thin: forms → workflow services; reads → selectors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from peelian.core.errors import ApplicationError, Conflict, NotFound
from peelian.oversight import forms_staff as f
from peelian.oversight.deadlines import is_overdue
from peelian.oversight.models import Complaint
from peelian.oversight.permissions import CASE_MANAGE, CASE_WORK, DECIDE, policy
from peelian.oversight.selectors import cases as selectors
from peelian.oversight.services import workflow as wf

S = Complaint.Status
OPEN = frozenset(s for s in S.values if s != S.CLOSED)
PAGE_SIZE = 50


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form: type[forms.Form]
    states: frozenset[str]
    allowed: Callable[[Any, Complaint], bool]
    run: Callable[[Any, Complaint, int, dict[str, Any], forms.Form], Any]
    needs_case: bool = False  # the form's constructor takes complaint=
    kind: str = Complaint.Kind.COMPLAINT


def _can(action: str) -> Callable[[Any, Complaint], bool]:
    return lambda user, case: policy.can(user, action, case)


def _is_assigned(user: Any, case: Complaint) -> bool:
    return case.investigator_id is not None and case.investigator_id == user.pk


STEPS: dict[str, Step] = {
    s.slug: s
    for s in (
        Step(
            "triage",
            _("Triage"),
            f.TriageForm,
            frozenset({S.RECEIVED}),
            _can(CASE_MANAGE),
            lambda u, c, v, d, _f: wf.complaint_triage(
                actor=u,
                complaint=c,
                expected_version=v,
                category=d["category"],
                priority=d["priority"],
                handler=d["handler"],
            ),
        ),
        Step(
            "commendation-close",
            _("Close the commendation"),
            f.CommendationCloseForm,
            frozenset({S.RECEIVED}),
            _can(CASE_MANAGE),
            lambda u, c, v, d, _f: wf.commendation_close(
                actor=u, complaint=c, expected_version=v, note=d["note"]
            ),
            kind=Complaint.Kind.COMMENDATION,
        ),
        Step(
            "assign",
            _("Assign an investigator"),
            f.AssignForm,
            frozenset({S.TRIAGED}),
            _can(CASE_MANAGE),
            lambda u, c, v, d, _f: wf.complaint_assign(
                actor=u, complaint=c, expected_version=v, investigator=d["investigator"]
            ),
        ),
        Step(
            "reassign",
            _("Reassign"),
            f.AssignForm,
            frozenset({S.ASSIGNED, S.INVESTIGATING}),
            _can(CASE_MANAGE),
            lambda u, c, v, d, _f: wf.complaint_reassign(
                actor=u, complaint=c, expected_version=v, investigator=d["investigator"]
            ),
        ),
        Step(
            "conflict",
            _("Declare conflicts of interest"),
            f.ConflictForm,
            frozenset({S.ASSIGNED, S.INVESTIGATING}),
            _is_assigned,
            lambda u, c, v, d, _f: wf.conflict_declare(
                actor=u,
                complaint=c,
                expected_version=v,
                has_conflict=d["has_conflict"],
                statement=d["statement"],
            ),
        ),
        Step(
            "start",
            _("Start the investigation"),
            f.ConfirmForm,
            frozenset({S.ASSIGNED}),
            _can(CASE_WORK),
            lambda u, c, v, d, _f: wf.investigation_start(actor=u, complaint=c, expected_version=v),
        ),
        Step(
            "allegation",
            _("Add an allegation"),
            f.AllegationForm,
            frozenset({S.INVESTIGATING}),
            _can(CASE_WORK),
            lambda u, c, v, d, _f: wf.allegation_add(
                actor=u,
                complaint=c,
                expected_version=v,
                category=d["category"],
                officer=d["officer"],
                summary=d["summary"],
            ),
        ),
        Step(
            "evidence",
            _("Add evidence"),
            f.EvidenceForm,
            frozenset({S.INVESTIGATING}),
            _can(CASE_WORK),
            lambda u, c, v, d, _f: wf.evidence_add(
                actor=u,
                complaint=c,
                expected_version=v,
                kind=d["kind"],
                description=d["description"],
                reference=d["reference"],
                collected_on=d["collected_on"],
            ),
        ),
        Step(
            "interview",
            _("Record an interview"),
            f.InterviewForm,
            frozenset({S.INVESTIGATING}),
            _can(CASE_WORK),
            lambda u, c, v, d, _f: wf.interview_add(
                actor=u,
                complaint=c,
                expected_version=v,
                subject=d["subject"],
                role=d["role"],
                held_on=d["held_on"],
                summary=d["summary"],
            ),
        ),
        Step(
            "finding",
            _("Record a finding"),
            f.FindingForm,
            frozenset({S.INVESTIGATING}),
            _can(CASE_WORK),
            lambda u, c, v, d, _f: wf.finding_record(
                actor=u,
                complaint=c,
                expected_version=v,
                allegation=d["allegation"],
                finding=d["finding"],
                reason=d["reason"],
            ),
            needs_case=True,
        ),
        Step(
            "issue",
            _("Issue the findings"),
            f.ConfirmForm,
            frozenset({S.INVESTIGATING}),
            _can(CASE_WORK),
            lambda u, c, v, d, _f: wf.findings_issue(actor=u, complaint=c, expected_version=v),
        ),
        Step(
            "note",
            _("Add a note"),
            f.NoteForm,
            OPEN,
            _can(CASE_WORK),
            lambda u, c, v, d, _f: wf.note_add(
                actor=u, complaint=c, expected_version=v, text=d["text"]
            ),
            kind="",
        ),
        Step(
            "decide",
            _("Record the final decision"),
            f.DecisionForm,
            frozenset({S.FINDINGS, S.BOARD_REVIEW}),
            _can(DECIDE),
            lambda u, c, v, d, form: wf.decision_record(
                actor=u,
                complaint=c,
                expected_version=v,
                decisions=form.decisions(),  # type: ignore[attr-defined]
            ),
            needs_case=True,
        ),
        Step(
            "close",
            _("Close the case"),
            f.ConfirmForm,
            frozenset({S.DECIDED}),
            _can(DECIDE),
            lambda u, c, v, d, _f: wf.complaint_close(actor=u, complaint=c, expected_version=v),
        ),
    )
}


def _available(user: Any, case: Complaint) -> list[Step]:
    return [
        s
        for s in STEPS.values()
        if case.status in s.states and (not s.kind or s.kind == case.kind) and s.allowed(user, case)
    ]


def _make_form(step: Step, case: Complaint, data: Any = None) -> forms.Form:
    kwargs: dict[str, Any] = {"prefix": step.slug}
    if step.needs_case:
        kwargs["complaint"] = case
    if data is None:
        kwargs["initial"] = {"version": case.version}
    return step.form(data, **kwargs)


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def queue(request: HttpRequest) -> HttpResponse:
    form = f.CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    cases = selectors.case_list_for_viewer(request.user, filters)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(case, is_overdue(case, now=now)) for case in page]
    return render(
        request, "oversight/staff/queue.html", {"form": form, "page_obj": page, "rows": rows}
    )


def _render_case(
    request: HttpRequest,
    public_id: Any,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    try:
        case = selectors.case_get_for_viewer(request.user, public_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    complainant = selectors.complainant_for_viewer(request.user, case)
    steps = []
    for step in _available(request.user, case):
        if bound is not None and bound[0] == step.slug:
            steps.append((step, bound[1]))
        else:
            steps.append((step, _make_form(step, case)))
    context = {
        "case": case,
        "complainant": complainant,
        "identity_hidden": complainant == selectors.HIDDEN,
        "overdue": is_overdue(case),
        "steps": steps,
    }
    return render(request, "oversight/staff/case.html", context, status=status)


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _render_case(request, public_id)


@login_required
@require_POST
@cache_control(private=True, no_store=True)
def act(request: HttpRequest, public_id: Any, step: str) -> HttpResponse:
    chosen = STEPS.get(step)
    case = Complaint.objects.filter(public_id=public_id).first()
    if chosen is None or case is None or not policy.can(request.user, "complaint.view", case):
        raise Http404(_("Not found."))
    form = _make_form(chosen, case, request.POST)
    if not form.is_valid():
        return _render_case(request, public_id, (step, form), status=400)
    try:
        chosen.run(request.user, case, form.cleaned_data["version"], form.cleaned_data, form)
    except Conflict as exc:
        messages.error(request, str(exc.message))
        return _render_case(request, public_id, status=409)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except ApplicationError as exc:
        form.add_error(None, str(exc.message))
        for name, errors in exc.fields.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, str(error))
        return _render_case(request, public_id, (step, form), status=exc.status)
    messages.success(request, _("Done: %(step)s.") % {"step": chosen.title})
    if not policy.can(request.user, "complaint.view", Complaint.objects.get(pk=case.pk)):
        # e.g. the investigator declared a conflict and is off the case now.
        return redirect("cases:queue")
    return redirect("cases:detail", public_id=case.public_id)


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def attachment(request: HttpRequest, public_id: Any, attachment_id: Any) -> HttpResponse:
    try:
        item = selectors.attachment_get_for_viewer(request.user, public_id, attachment_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"attachment-{item.public_id}",
        content_type=item.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
