"""Platform endpoints: who am I, and the registry's public catalogue."""

from django.urls import path

urlpatterns: list = []
