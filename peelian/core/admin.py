"""The base of every Django admin page that writes: it writes through services only.

Subclasses implement ``create(request, data)`` and ``update(request, stored, changed,
form)`` by calling their app's services. A domain error (a rule only the service can check,
or a change made meanwhile) is shown as an error message; nothing is written, the admin's
own change log is not written either, and the user stays on the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from peelian.core.errors import ApplicationError

_ERROR_ATTR = "_peelian_admin_error"


def adopt(obj: Any, saved: Any) -> None:
    """Make the admin's unsaved ``obj`` stand for the row a service created."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class ServiceModelAdmin(admin.ModelAdmin):
    def create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        """Create through a service and return the saved object."""
        raise NotImplementedError  # abstract: each admin names its service

    def update(self, request: HttpRequest, stored: Any, changed: dict[str, Any], form: Any) -> Any:
        """Apply ``changed`` (model fields the form changed) to ``stored`` (a fresh copy of
        the row) through services, and return the saved object."""
        raise NotImplementedError  # abstract: each admin names its service

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # history refers to these rows; they are deactivated, not deleted

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = dict(form.cleaned_data)
        try:
            with transaction.atomic():
                if not change:
                    adopt(obj, self.create(request, data))
                    return
                # The form already copied its values onto ``obj``; the services compare
                # with the stored row, so they get a fresh copy.
                stored = type(obj).objects.get(pk=obj.pk)
                model_fields = {f.name for f in obj._meta.concrete_fields}
                changed = {
                    name: data[name]
                    for name in form.changed_data
                    if name in model_fields and name in data
                }
                adopt(obj, self.update(request, stored, changed, form))
        except ApplicationError as exc:
            setattr(request, _ERROR_ATTR, exc)
            message = str(exc.message)
            if exc.fields:
                details = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in exc.fields.items())
                if details and details != message:
                    message = f"{message} ({details})"
            self.message_user(request, message, messages.ERROR)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Related rows are written by the services in ``save_model``; formsets (read-only
        inlines) are never saved, only told so for the admin's change message."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @staticmethod
    def failed(request: HttpRequest) -> bool:
        return getattr(request, _ERROR_ATTR, None) is not None

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None if self.failed(request) else super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None if self.failed(request) else super().log_change(request, obj, message)

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None) -> Any:
        if self.failed(request):
            return HttpResponseRedirect(request.get_full_path())
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        if self.failed(request):
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)
