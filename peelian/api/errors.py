"""One error format for the whole API, with stable codes (listed in docs/api.md)::

    {"error": {"code": "invalid", "message": "...", "fields": {"name": ["..."]},
               "request_id": "..."}}

Domain errors (``ApplicationError``), DRF's own exceptions, Django's 404/permission errors
and model validation errors all come out this way; unknown URLs and server errors under
``/api/`` too (see ``json_404`` and ``json_500``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from peelian.core.errors import ApplicationError, validation_error_to_application_error
from peelian.core.middleware import current_request_id

# DRF's exception codes mapped to Peelian's stable codes.
_CODES = {
    "parse_error": "malformed_request",
    "invalid": "invalid",
    "authentication_failed": "authentication_failed",
    "not_authenticated": "not_authenticated",
    "permission_denied": "permission_denied",
    "not_found": "not_found",
    "method_not_allowed": "method_not_allowed",
    "not_acceptable": "not_acceptable",
    "unsupported_media_type": "unsupported_media_type",
    "throttled": "throttled",
}


def error_body(code: str, message: Any, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    body["request_id"] = current_request_id()
    return {"error": body}


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(d, dict | list) for d in detail):
            return [str(d) for d in detail]
        return [_flatten(d) for d in detail]
    return [str(detail)]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = validation_error_to_application_error(exc)
    if isinstance(exc, ApplicationError):
        fields = {k: [str(m) for m in v] for k, v in exc.fields.items()}
        return Response(error_body(exc.code, exc.message, fields), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a real server error: Django's handler500 answers (json_500 under /api/)

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = _flatten(detail)
            non_field = fields.pop("non_field_errors", None)
            message = non_field[0] if non_field else _("Some fields are not valid.")
            if non_field:
                fields["non_field_errors"] = non_field
        else:
            fields = {"non_field_errors": _flatten(detail)}
            message = fields["non_field_errors"][0]
        return Response(
            error_body("invalid", message, fields),
            status=status.HTTP_400_BAD_REQUEST,
            headers=headers,
        )
    code = _CODES.get(exc.get_codes() if isinstance(exc.get_codes(), str) else "", "error")
    if isinstance(exc, exceptions.ParseError):
        code = "malformed_request"
    message = exc.detail if not isinstance(exc.detail, list | dict) else _flatten(exc.detail)
    return Response(error_body(code, message), status=exc.status_code, headers=headers)


def json_404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", _("No such API endpoint.")), status=404)


def json_500(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("server_error", _("Something went wrong on our side; it has been logged.")),
        status=500,
    )
