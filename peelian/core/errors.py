"""The one domain error type. Services raise it; the API and views map it to responses.

Each error carries a stable machine ``code`` (documented in docs/api.md), a translated
human ``message`` and optionally per-field messages.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A domain rule refused the operation. Nothing was written."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: Any,
        *,
        code: str | None = None,
        fields: dict[str, list[Any]] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.fields = fields or {}


class PermissionDenied(ApplicationError):
    status = 403
    code = "permission_denied"


class NotFound(ApplicationError):
    """Also used when the viewer may not know whether the object exists."""

    status = 404
    code = "not_found"


class Conflict(ApplicationError):
    """The object changed since the caller read it (optimistic concurrency)."""

    status = 409
    code = "conflict"


def validation_error_to_application_error(exc: Any) -> ApplicationError:
    """Turn a Django ``ValidationError`` from ``full_clean()`` into an ApplicationError."""
    if hasattr(exc, "message_dict"):
        fields = {k: list(v) for k, v in exc.message_dict.items()}
        non_field = fields.pop("__all__", [])
        message = non_field[0] if non_field else next(iter(fields.values()))[0]
        return ApplicationError(message, code="invalid", fields=fields)
    return ApplicationError(exc.messages[0], code="invalid")
