"""Background tasks of the audit app. Thin: call one service."""

from __future__ import annotations

from django_tasks import task

from peelian.audit.services import audit_verify


@task()
def verify_chain() -> dict[str, object]:
    """Verify the whole chain and record the verification (run nightly by the scheduler)."""
    result = audit_verify(actor="system:worker", record=True)
    return {
        "ok": result.ok,
        "checked": result.checked,
        "bad_position": result.bad_position,
        "reason": result.reason,
    }
