"""The use-of-force API (/api/v1/force/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
