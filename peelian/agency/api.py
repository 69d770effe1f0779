"""``/api/v1/agency/``: public districts, beats and "locate"; the staff roster and records.

Public endpoints answer anyone (throttled like every anonymous request). The roster needs
a roster role (403 otherwise); a personnel record answers 404 to whoever may not see it.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from peelian.agency import geo, selectors
from peelian.agency.models import Beat, District, Officer

# --- public: districts, beats, locate -------------------------------------------------------


class DistrictOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    population = serializers.IntegerField(source="total_population", default=0)
    beat_count = serializers.IntegerField()
    beats = serializers.SerializerMethodField()
    geometry = serializers.JSONField(source="boundary", help_text="GeoJSON geometry (WGS 84)")

    def get_beats(self, district: District) -> list[str]:
        return [beat.code for beat in district.beats.all()]


class BeatOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    district = serializers.CharField(source="district.code")
    district_name = serializers.CharField(source="district.name")
    population = serializers.IntegerField()
    population_by_race = serializers.DictField(child=serializers.IntegerField())
    median_household_income = serializers.IntegerField(allow_null=True)
    spanish_speaking_share = serializers.FloatField(allow_null=True)
    geometry = serializers.JSONField(source="boundary", help_text="GeoJSON geometry (WGS 84)")


class BeatFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(
        field_name="district__code", help_text="Only the beats of the district with this code."
    )

    class Meta:
        model = Beat
        fields = ["district"]


class DistrictListApi(generics.ListAPIView):
    """Police districts with their boundaries, beats and population."""

    permission_classes = [AllowAny]
    serializer_class = DistrictOutput
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[District]:
        return selectors.districts_public().order_by("code")

    @extend_schema(summary="Police districts (public)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class BeatListApi(generics.ListAPIView):
    """Patrol beats with boundaries and resident figures."""

    permission_classes = [AllowAny]
    serializer_class = BeatOutput
    filterset_class = BeatFilter

    def get_queryset(self) -> QuerySet[Beat]:
        return selectors.beats_public()

    @extend_schema(summary="Patrol beats (public)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class LocateInput(serializers.Serializer):
    address = serializers.CharField(
        required=False, max_length=200, help_text="A street address, such as 1234 N Oak Ave."
    )
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, min_value=-180, max_value=180)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        address = (attrs.get("address") or "").strip()
        lat, lng = attrs.get("lat"), attrs.get("lng")
        if address:
            attrs["query"] = address
        elif lat is not None and lng is not None:
            attrs["query"] = (lat, lng)
        elif lat is not None or lng is not None:
            missing = "lng" if lng is None else "lat"
            raise serializers.ValidationError(
                {missing: [_("Give both the latitude and the longitude.")]}
            )
        else:
            raise serializers.ValidationError(
                _("Give an address, or a latitude (lat) and a longitude (lng).")
            )
        return attrs


class LocateOutput(serializers.Serializer):
    class BeatRef(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        district = serializers.CharField(source="district.code")
        district_name = serializers.CharField(source="district.name")

    class Point(serializers.Serializer):
        lat = serializers.FloatField()
        lng = serializers.FloatField()

    class Match(serializers.Serializer):
        address = serializers.CharField(source="label")
        street = serializers.CharField()
        from_number = serializers.IntegerField(source="segment.from_number")
        to_number = serializers.IntegerField(source="segment.to_number")

    beat = BeatRef()
    point = Point()
    match = Match(allow_null=True, help_text="The street block matched (address queries)")


class LocateApi(APIView):
    """Which beat is this address or point in? Errors: ``address_unparseable``,
    ``address_ambiguous``, ``invalid_point`` (400); ``street_not_found``,
    ``address_out_of_range``, ``outside_city`` (404)."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Find the beat of an address or a point (public)",
        parameters=[LocateInput],
        responses=LocateOutput,
    )
    def get(self, request: Request) -> Response:
        data = LocateInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        location = geo.locate(data.validated_data["query"])
        return Response(
            LocateOutput(
                {
                    "beat": location.beat,
                    "point": {"lat": location.lat, "lng": location.lng},
                    "match": location.match,
                }
            ).data
        )


# --- staff: roster and records --------------------------------------------------------------


class UnitRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class OfficerRosterOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    badge = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    rank = serializers.CharField()
    status = serializers.CharField()
    unit = UnitRef(allow_null=True)


class AssignmentOutput(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    unit = UnitRef()
    rank = serializers.CharField()
    beat = serializers.CharField(source="beat.code", allow_null=True, default=None)


class OfficerRecordOutput(OfficerRosterOutput):
    sex = serializers.CharField()
    race = serializers.CharField()
    birth_year = serializers.IntegerField(allow_null=True)
    hire_date = serializers.DateField()
    separation_date = serializers.DateField(allow_null=True)
    assignments = serializers.SerializerMethodField(help_text="Newest first.")

    @extend_schema_field(AssignmentOutput(many=True))
    def get_assignments(self, officer: Officer) -> Any:
        return AssignmentOutput(self.context["assignments"], many=True).data


class OfficerFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(field_name="unit__code", help_text="Unit code.")
    rank = django_filters.ChoiceFilter(choices=Officer.Rank.choices)
    status = django_filters.ChoiceFilter(choices=Officer.Status.choices)
    q = django_filters.CharFilter(method="search", help_text="Part of a name, or a badge.")

    class Meta:
        model = Officer
        fields = ["unit", "rank", "status"]

    def search(self, queryset: QuerySet[Officer], name: str, value: str) -> QuerySet[Officer]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(last_name__icontains=value) | Q(first_name__icontains=value) | Q(badge__iexact=value)
        )


class OfficerListApi(generics.ListAPIView):
    """The roster: no demographics. For administrators, analysts, supervisors,
    investigators and training coordinators."""

    permission_classes = [IsAuthenticated]
    serializer_class = OfficerRosterOutput
    filterset_class = OfficerFilter

    def get_queryset(self) -> QuerySet[Officer]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Officer.objects.none()
        return selectors.officer_list_for_viewer(viewer=self.request.user)

    @extend_schema(summary="Officer roster (staff)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class OfficerDetailApi(APIView):
    """One personnel record, with assignment history; the read is audited. 404 when there
    is no such officer or the caller may not see them."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Officer personnel record (staff, audited)", responses=OfficerRecordOutput
    )
    def get(self, request: Request, public_id: Any) -> Response:
        record = selectors.officer_get_record(viewer=request.user, public_id=public_id)
        output = OfficerRecordOutput(record.officer, context={"assignments": record.assignments})
        return Response(output.data)


urlpatterns = [
    path("districts/", DistrictListApi.as_view(), name="agency-districts"),
    path("beats/", BeatListApi.as_view(), name="agency-beats"),
    path("locate/", LocateApi.as_view(), name="agency-locate"),
    path("officers/", OfficerListApi.as_view(), name="agency-officers"),
    path("officers/<uuid:public_id>/", OfficerDetailApi.as_view(), name="agency-officer"),
]
