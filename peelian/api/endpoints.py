"""Platform endpoints: who am I, a token for API clients, and the registry's public
catalogue of open-data datasets and statistics."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from peelian.accounts.services import api_token_create, mfa_verify
from peelian.core.errors import ApplicationError, NotFound
from peelian.core.permissions import roles_of
from peelian.core.registry import Statistic, StatisticResult, registry
from peelian.core.statistics import statistic_result


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    class MeOutput(serializers.Serializer):
        username = serializers.CharField()
        name = serializers.CharField()
        email = serializers.EmailField()
        roles = serializers.ListField(child=serializers.CharField())
        preferred_language = serializers.CharField()

    @extend_schema(responses=MeOutput, summary="The signed-in user and their roles")
    def get(self, request: Request) -> Response:
        user = request.user
        return Response(
            self.MeOutput(
                {
                    "username": user.get_username(),
                    "name": user.display_name,
                    "email": user.email,
                    "roles": sorted(roles_of(user)),
                    "preferred_language": user.preferred_language,
                }
            ).data
        )


class LoginThrottle(AnonRateThrottle):
    scope = "login"
    rate = "10/minute"


class TokenView(APIView):
    """Exchange username, password and a current second-factor code for an API token.

    Failures count towards the same lockout as the sign-in page (django-axes)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [LoginThrottle]

    class TokenInput(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=256, trim_whitespace=False)
        code = serializers.CharField(max_length=32, help_text="TOTP or recovery code")

    class TokenOutput(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(request=TokenInput, responses=TokenOutput, summary="Obtain an API token (MFA)")
    def post(self, request: Request) -> Response:
        data = self.TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            raise ApplicationError(
                _("Username or password is not right, or the account is locked."),
                code="authentication_failed",
                status=401,
            )
        mfa_verify(user=user, token=data.validated_data["code"])
        token = api_token_create(actor=user, user=user)
        return Response(self.TokenOutput({"token": token.key}).data, status=201)


def _statistic_json(stat: Statistic, *, with_values: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "slug": stat.slug,
        "title": str(stat.title),
        "strategy": stat.strategy,
        "method": str(stat.method),
        "denominator": str(stat.denominator),
        "uncertainty": str(stat.uncertainty),
        "source": str(stat.source),
    }
    if with_values:
        result: StatisticResult = statistic_result(stat)
        out["result"] = {
            "unit": str(result.unit),
            "as_of": result.as_of.isoformat(),
            "confidence": result.confidence,
            "values": [
                {
                    "label": str(v.label),
                    "value": v.value,
                    "denominator": v.denominator,
                    "interval": list(v.interval) if v.interval else None,
                    "insufficient_data": str(v.insufficient_data) if v.insufficient_data else None,
                }
                for v in result.values
            ],
        }
    return out


class DatasetListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="catalogue_datasets_list",
        summary="Open-data datasets with their data dictionaries",
        responses=inline_serializer(
            "DatasetList", {"results": serializers.ListField(child=serializers.DictField())}
        ),
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "results": [
                    {
                        "slug": d.slug,
                        "title": str(d.title),
                        "description": str(d.description),
                        "strategy": d.strategy,
                        "privacy": str(d.privacy),
                        "update_frequency": str(d.update_frequency),
                        "fields": [
                            {"name": f.name, "type": f.type, "description": str(f.description)}
                            for f in d.fields
                        ],
                        "has_geojson": d.geojson is not None,
                    }
                    for d in sorted(registry.datasets.values(), key=lambda d: d.slug)
                ]
            }
        )


class StatisticListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="catalogue_statistics_list",
        summary="Public statistics: method, denominator and uncertainty",
        responses=inline_serializer(
            "StatisticList", {"results": serializers.ListField(child=serializers.DictField())}
        ),
    )
    def get(self, request: Request) -> Response:
        stats = sorted(registry.statistics.values(), key=lambda s: s.slug)
        return Response({"results": [_statistic_json(s, with_values=False) for s in stats]})


class StatisticDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="catalogue_statistics_retrieve",
        summary="One public statistic with its current values and intervals",
        responses=inline_serializer("Statistic", {"slug": serializers.CharField()}),
    )
    def get(self, request: Request, slug: str) -> Response:
        stat = registry.statistics.get(slug)
        if stat is None:
            raise NotFound(_("No statistic with that name."))
        return Response(_statistic_json(stat, with_values=True))


urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("catalogue/datasets/", DatasetListView.as_view(), name="datasets"),
    path("catalogue/statistics/", StatisticListView.as_view(), name="statistics"),
    path("catalogue/statistics/<slug:slug>/", StatisticDetailView.as_view(), name="statistic"),
]
