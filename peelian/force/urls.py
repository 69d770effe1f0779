"""Use-of-force pages."""

from django.urls import path  # noqa: F401

app_name = "force"
urlpatterns: list = []
