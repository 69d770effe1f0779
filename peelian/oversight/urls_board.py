"""The civilian review board's pages."""

from django.urls import path  # noqa: F401

app_name = "board"
urlpatterns: list = []
