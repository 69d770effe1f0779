"""The oversight API (/api/v1/oversight/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
