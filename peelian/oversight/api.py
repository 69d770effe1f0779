"""The oversight API (/api/v1/oversight/).

Public (no account): ``POST complaints/`` files a complaint or commendation (an
``Idempotency-Key`` header makes a retried request create nothing new) and answers the
tracking code once; ``GET track/<code>/`` shows a case's public timeline.

Staff: ``GET cases/`` (the viewer's queue), ``GET cases/<id>/`` (the case file, audited;
the complainant's identity only when the policy allows), and the workflow steps
``POST cases/<id>/triage|assign|start|findings|decision|close/`` with the case's
``version`` in the body (409 ``conflict`` when someone changed it since). A case the caller
may not see answers 404, whether or not it exists.

Every write goes through ``peelian.oversight.services``; reads through the selectors.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from peelian.core.errors import ApplicationError, NotFound
from peelian.oversight import serializers as s
from peelian.oversight.models import AllegationCategory, Complaint
from peelian.oversight.permissions import CASE_VIEW, policy

IDEMPOTENCY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "8 to 200 letters, digits or ._:- chosen by the client. Sending the same key again "
        "(a retry) creates nothing new and answers 200 with tracking_code null."
    ),
)


def submission_key_for(header: str | None) -> str | None:
    """The stored ``submission_key`` for an ``Idempotency-Key`` header: a hash, so keys of
    any allowed length fit and an API key never collides with a web form's key."""
    if header is None or header == "":
        return None
    if not s.IDEMPOTENCY_KEY.match(header):
        raise ApplicationError(
            _("The Idempotency-Key header must be 8 to 200 letters, digits or . _ : -"),
            code="invalid_idempotency_key",
            fields={"Idempotency-Key": [_("Not a valid key.")]},
        )
    return "api:" + hashlib.sha256(header.encode()).hexdigest()[:56]


class SubmitThrottle(AnonRateThrottle):
    scope = "oversight_submit"
    rate = "20/hour"


class ComplaintSubmitApi(APIView):
    """File a complaint or a commendation. Answers 201 with the tracking code, which is
    shown only this once."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [SubmitThrottle]

    @extend_schema(
        operation_id="oversight_complaint_submit",
        summary="File a complaint or commendation (public)",
        parameters=[IDEMPOTENCY_HEADER],
        request=s.OversightSubmitInput,
        responses={201: s.OversightSubmitOutput, 200: s.OversightSubmitOutput},
    )
    def post(self, request: Request) -> Response:
        from peelian.oversight.services.intake import complaint_submit

        key = submission_key_for(request.headers.get("Idempotency-Key"))
        data = s.OversightSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        complainant = v.get("complainant")
        complaint, code = complaint_submit(
            actor="public",
            kind=v["kind"],
            narrative=v["narrative"],
            occurred_on=v.get("occurred_on"),
            occurred_time=v.get("occurred_time"),
            location_text=v.get("location_text", ""),
            lat=v.get("lat"),
            lng=v.get("lng"),
            officers=[dict(o) for o in v.get("officers", [])],
            witnesses=[dict(w) for w in v.get("witnesses", [])],
            complainant=dict(complainant) if complainant else None,
            language=v.get("language", "en"),
            third_party=v.get("third_party", False),
            consent_share_identity=v.get("consent_share_identity", False),
            submission_key=key,
        )
        out = s.OversightSubmitOutput(
            {"tracking_code": code, "already_received": code is None, "kind": complaint.kind}
        )
        return Response(out.data, status=201 if code is not None else 200)


class TrackApi(APIView):
    """A case's public timeline by its tracking code: stages and counts of findings only,
    never names, narratives or reasons. An unknown or mistyped code answers 404."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="oversight_track",
        summary="Follow a complaint with its tracking code (public)",
        responses=s.OversightTrackOutput,
    )
    def get(self, request: Request, code: str) -> Response:
        from peelian.oversight.selectors.tracking import complaint_for_code, tracker_for

        complaint = complaint_for_code(code)
        if complaint is None:
            raise NotFound(_("No case has that tracking code. Check it and try again."))
        return Response(s.OversightTrackOutput(tracker_for(complaint)).data)


# --- staff ----------------------------------------------------------------------------------


class CaseListApi(generics.ListAPIView):
    """The caller's queue: supervisors and administrators see every case, an investigator
    the cases assigned to them, anyone else none. Filters: status, kind, overdue, mine."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.OversightCaseListOutput
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Complaint]:
        from peelian.oversight.selectors.cases import case_list_for_viewer

        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Complaint.objects.none()
        q = self.request.query_params
        filters = {
            "status": q.get("status", ""),
            "kind": q.get("kind", ""),
            "overdue": q.get("overdue", "") in {"1", "true", "yes"},
            "mine": q.get("mine", "") in {"1", "true", "yes"},
        }
        return case_list_for_viewer(self.request.user, filters)

    @extend_schema(
        operation_id="oversight_cases_list",
        summary="Complaint cases (staff)",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Complaint.Status.values),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Complaint.Kind.values),
            OpenApiParameter("overdue", OpenApiTypes.BOOL),
            OpenApiParameter("mine", OpenApiTypes.BOOL),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class CaseDetailApi(APIView):
    """One case file; the read is audited, and so is the identity when shown."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="oversight_case_retrieve",
        summary="A complaint's case file (staff, audited)",
        responses=s.OversightCaseOutput,
    )
    def get(self, request: Request, public_id: Any) -> Response:
        from peelian.oversight.selectors.cases import case_get_for_viewer, complainant_for_viewer

        case = case_get_for_viewer(request.user, public_id)
        identity = complainant_for_viewer(request.user, case)
        return Response(s.OversightCaseOutput(case, context={"identity": identity}).data)


def _case_for_step(user: Any, public_id: Any) -> Complaint:
    """The case a workflow step acts on; 404 when missing or hidden from the caller (before
    the version is compared, so a 409 never reveals a hidden case)."""
    case = Complaint.objects.filter(public_id=public_id).first()
    if case is None:
        raise NotFound(_("Not found."))
    policy.require(user, CASE_VIEW, case)
    return case


class _StepApi(APIView):
    permission_classes = [IsAuthenticated]
    input_class: type[s.OversightVersionInput] = s.OversightVersionInput

    def run(self, request: Request, case: Complaint, data: dict[str, Any]) -> Complaint:
        raise NotImplementedError  # abstract: each step names its workflow service

    def post(self, request: Request, public_id: Any) -> Response:
        case = _case_for_step(request.user, public_id)
        data = self.input_class(data=request.data)
        data.is_valid(raise_exception=True)
        updated = self.run(request, case, dict(data.validated_data))
        updated.refresh_from_db()
        return Response(s.OversightCaseListOutput(updated).data)


def _step_schema(operation: str, summary: str, request: Any) -> Any:
    return extend_schema(
        operation_id=f"oversight_case_{operation}",
        summary=summary,
        request=request,
        responses=s.OversightCaseListOutput,
    )


class TriageApi(_StepApi):
    input_class = s.OversightTriageInput

    @_step_schema("triage", "Triage a complaint (received → triaged)", s.OversightTriageInput)
    def post(self, request: Request, public_id: Any) -> Response:
        return super().post(request, public_id)

    def run(self, request: Request, case: Complaint, data: dict[str, Any]) -> Complaint:
        from peelian.oversight.services.workflow import complaint_triage

        category = AllegationCategory.objects.filter(code=data["category"]).first()
        if category is None:
            raise ApplicationError(
                _("There is no allegation category with that code."),
                code="invalid",
                fields={"category": [_("Unknown category.")]},
            )
        return complaint_triage(
            actor=request.user,
            complaint=case,
            expected_version=data["version"],
            category=category,
            priority=data["priority"],
            handler=data["handler"],
        )


class AssignApi(_StepApi):
    input_class = s.OversightAssignInput

    @_step_schema("assign", "Assign an investigator (triaged → assigned)", s.OversightAssignInput)
    def post(self, request: Request, public_id: Any) -> Response:
        return super().post(request, public_id)

    def run(self, request: Request, case: Complaint, data: dict[str, Any]) -> Complaint:
        from peelian.oversight.services.workflow import complaint_assign

        investigator = get_user_model().objects.filter(username=data["investigator"]).first()
        return complaint_assign(
            actor=request.user,
            complaint=case,
            expected_version=data["version"],
            investigator=investigator,
        )


class StartApi(_StepApi):
    @_step_schema(
        "start", "Start the investigation (assigned → investigating)", s.OversightVersionInput
    )
    def post(self, request: Request, public_id: Any) -> Response:
        return super().post(request, public_id)

    def run(self, request: Request, case: Complaint, data: dict[str, Any]) -> Complaint:
        from peelian.oversight.services.workflow import investigation_start

        return investigation_start(
            actor=request.user, complaint=case, expected_version=data["version"]
        )


class FindingsApi(_StepApi):
    @_step_schema(
        "findings", "Issue the findings (investigating → findings)", s.OversightVersionInput
    )
    def post(self, request: Request, public_id: Any) -> Response:
        return super().post(request, public_id)

    def run(self, request: Request, case: Complaint, data: dict[str, Any]) -> Complaint:
        from peelian.oversight.services.workflow import findings_issue

        return findings_issue(actor=request.user, complaint=case, expected_version=data["version"])


class DecisionApi(_StepApi):
    input_class = s.OversightDecisionInput

    @_step_schema(
        "decision", "Record the agency's final decision (→ decided)", s.OversightDecisionInput
    )
    def post(self, request: Request, public_id: Any) -> Response:
        return super().post(request, public_id)

    def run(self, request: Request, case: Complaint, data: dict[str, Any]) -> Complaint:
        from peelian.oversight.services.workflow import Decision, decision_record

        decisions = {
            d["allegation"]: Decision(
                final_finding=d["final_finding"],
                discipline=d.get("discipline") or "none",
                suspension_days=d.get("suspension_days"),
            )
            for d in data["decisions"]
        }
        return decision_record(
            actor=request.user,
            complaint=case,
            expected_version=data["version"],
            decisions=decisions,
        )


class CloseApi(_StepApi):
    @_step_schema("close", "Close a decided case (decided → closed)", s.OversightVersionInput)
    def post(self, request: Request, public_id: Any) -> Response:
        return super().post(request, public_id)

    def run(self, request: Request, case: Complaint, data: dict[str, Any]) -> Complaint:
        from peelian.oversight.services.workflow import complaint_close

        return complaint_close(actor=request.user, complaint=case, expected_version=data["version"])


urlpatterns = [
    path("complaints/", ComplaintSubmitApi.as_view(), name="oversight-submit"),
    path("track/<str:code>/", TrackApi.as_view(), name="oversight-track"),
    path("cases/", CaseListApi.as_view(), name="oversight-cases"),
    path("cases/<uuid:public_id>/", CaseDetailApi.as_view(), name="oversight-case"),
    path("cases/<uuid:public_id>/triage/", TriageApi.as_view(), name="oversight-case-triage"),
    path("cases/<uuid:public_id>/assign/", AssignApi.as_view(), name="oversight-case-assign"),
    path("cases/<uuid:public_id>/start/", StartApi.as_view(), name="oversight-case-start"),
    path("cases/<uuid:public_id>/findings/", FindingsApi.as_view(), name="oversight-case-findings"),
    path("cases/<uuid:public_id>/decision/", DecisionApi.as_view(), name="oversight-case-decision"),
    path("cases/<uuid:public_id>/close/", CloseApi.as_view(), name="oversight-case-close"),
]
