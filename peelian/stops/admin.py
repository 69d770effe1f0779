"""Stop imports and analysis runs in the Django admin, read-only: imports are made by the
``stops_import`` service (the command line), runs by the analysis service. Stop rows are
not in the admin (millions of rows, and the officer id hash is for ``stops.read`` only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from peelian.stops.models import AnalysisRun, StopImport


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StopImport)
class StopImportAdmin(ReadOnlyAdmin):
    list_display = (
        "original_name",
        "agency",
        "source_format",
        "rows_read",
        "rows_imported",
        "rows_rejected",
        "warnings",
        "status",
        "created_at",
    )
    list_filter = ("agency", "source_format", "status")
    search_fields = ("original_name", "sha256")


@admin.register(AnalysisRun)
class AnalysisRunAdmin(ReadOnlyAdmin):
    list_display = ("title", "agency", "status", "published", "created_at")
    list_filter = ("agency", "status", "published")
    search_fields = ("title",)
