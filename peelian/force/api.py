"""``/api/v1/force/``: public aggregates for anyone; the staff list and one incident's file
for the roles the policy allows (an incident answers 404 to whoever may not see it)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from peelian.force import exports, selectors
from peelian.force.forms import FilterForm
from peelian.force.models import ForceIncident


class IncidentListOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    occurred_at = serializers.DateTimeField()
    district = serializers.CharField(source="district_code")
    beat = serializers.CharField(source="beat_code")
    contact_reason = serializers.CharField()
    force_reason = serializers.CharField()
    resistance = serializers.CharField()
    force_types = serializers.ListField(child=serializers.CharField())
    review_status = serializers.CharField()
    source = serializers.CharField()


class OfficerOutput(serializers.Serializer):
    officer = serializers.UUIDField(source="officer.public_id", allow_null=True, default=None)
    badge = serializers.CharField(source="officer.badge", allow_null=True, default=None)
    name_given = serializers.CharField(source="officer_name_given")
    force_types = serializers.ListField(child=serializers.CharField())
    injured = serializers.BooleanField()


class SubjectOutput(serializers.Serializer):
    race = serializers.CharField()
    sex = serializers.CharField()
    age = serializers.IntegerField(allow_null=True)
    injured = serializers.BooleanField(allow_null=True)
    injury_description = serializers.CharField()
    hospitalized = serializers.BooleanField(allow_null=True)
    armed = serializers.CharField()


class IncidentDetailOutput(IncidentListOutput):
    location_text = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)
    narrative = serializers.CharField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_notes = serializers.CharField()
    recording_ids = serializers.ListField(child=serializers.CharField())
    external_id = serializers.CharField()
    complaints = serializers.SerializerMethodField()
    officers = OfficerOutput(many=True)
    subjects = SubjectOutput(many=True)

    def get_complaints(self, incident: ForceIncident) -> list[str]:
        return [str(c.public_id) for c in incident.complaints.all()]


class IncidentListApi(APIView):
    """Use-of-force incidents the caller may list (newest first), with filters."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Use-of-force incidents (staff)",
        parameters=[
            OpenApiParameter(name, str, required=False)
            for name in ("district", "review_status", "force_type", "resistance")
        ],
        responses=IncidentListOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        form = FilterForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors.get_json_data())
        d = form.cleaned_data
        qs = selectors.incident_list_for_viewer(
            viewer=request.user,
            district=d.get("district") or None,
            review_status=d.get("review_status") or None,
            force_type=d.get("force_type") or None,
            resistance=d.get("resistance") or None,
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
        )
        from peelian.api.pagination import PageNumberPagination

        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(IncidentListOutput(page, many=True).data)


class IncidentDetailApi(APIView):
    """One incident's full file (narrative, injuries, officers). Audited."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="A use-of-force incident (staff)", responses=IncidentDetailOutput)
    def get(self, request: Request, public_id: Any) -> Response:
        incident = selectors.incident_get(viewer=request.user, public_id=public_id)
        return Response(IncidentDetailOutput(incident).data)


def _value(v: Any) -> dict[str, Any]:
    return {
        "label": str(v.label),
        "value": v.value,
        "denominator": v.denominator,
        "interval": list(v.interval) if v.interval else None,
        "insufficient_data": str(v.insufficient_data) if v.insufficient_data else None,
    }


class PublicSummaryApi(APIView):
    """Aggregates only: incidents by month and district, the subject injury rate and the
    share of reports reviewed, each with its interval and denominator."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(summary="Use-of-force aggregates (public)", responses=dict)
    def get(self, request: Request) -> Response:
        months, districts, counts = exports.counts_by_month_and_district()
        injury = exports.injury_rate()
        review = exports.review_completion()
        return Response(
            {
                "incidents_by_month_and_district": [
                    {"month": m, "district": d, "incidents": counts[(m, d)]}
                    for m in months
                    for d in districts
                    if (m, d) in counts
                ],
                "subject_injury_rate": {
                    **_value(injury.values[0]),
                    "unknown_status": int(injury.values[1].value or 0),
                    "confidence": injury.confidence,
                    "method": str(exports.INJURY_METHOD),
                },
                "review_completed": {
                    **_value(review.values[0]),
                    "confidence": review.confidence,
                    "method": str(exports.REVIEW_METHOD),
                },
            }
        )


urlpatterns = [
    path("summary/", PublicSummaryApi.as_view(), name="force-summary"),
    path("incidents/", IncidentListApi.as_view(), name="force-incidents"),
    path("incidents/<uuid:public_id>/", IncidentDetailApi.as_view(), name="force-incident"),
]
