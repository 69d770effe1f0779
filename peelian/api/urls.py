"""``/api/``: version 1 endpoints, the OpenAPI schema and its offline Swagger UI.

Apps add their endpoints to ``v1_patterns`` through ``peelian.api.v1`` (see that module)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

app_name = "api"
urlpatterns = [
    path("v1/", include("peelian.api.v1")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
