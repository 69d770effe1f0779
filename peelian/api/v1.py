"""The v1 router: each app's ``api.py`` exposes ``urlpatterns``, included here by prefix."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("peelian.api.endpoints")),
    path("agency/", include("peelian.agency.api")),
    path("oversight/", include("peelian.oversight.api")),
    path("force/", include("peelian.force.api")),
]
