"""The allegation taxonomy in the Django admin, written through the taxonomy service
(administrators only, audited; categories are retired, never deleted)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from peelian.accounts.roles import ADMINISTRATOR
from peelian.core.admin import ServiceModelAdmin
from peelian.core.permissions import has_role
from peelian.oversight.models import AllegationCategory
from peelian.oversight.services import taxonomy


@admin.register(AllegationCategory)
class AllegationCategoryAdmin(ServiceModelAdmin):
    list_display = ["code", "name", "name_es", "refer_to_board", "active", "order"]
    list_filter = ["refer_to_board", "active"]
    search_fields = ["code", "name", "name_es"]
    fields = list(taxonomy.FIELDS)

    def _allowed(self, request: HttpRequest) -> bool:
        return has_role(request.user, ADMINISTRATOR)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Allegations and exports refer to the code: it never changes once created.
        return ["code"] if obj is not None else []

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        return taxonomy.category_create(actor=request.user, data=data)

    def update(self, request: HttpRequest, stored: Any, changed: dict[str, Any], form: Any) -> Any:
        return taxonomy.category_update(actor=request.user, category=stored, data=changed)
