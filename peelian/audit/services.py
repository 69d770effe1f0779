"""Writing and verifying the audit log. Every service in every app calls ``audit_log``
inside its own transaction, so the change and its record commit or roll back together."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from peelian.audit.chain import GENESIS_HASH, HASHED_FIELDS, VerifyResult, entry_hash, json_safe
from peelian.audit.chain import verify_entries as _verify_entries
from peelian.audit.models import AuditEntry, AuditHead
from peelian.core.middleware import current_request_id
from peelian.core.registry import registry

Actor = Any  # a User, or a string naming a system actor such as "system:seed"


def _actor_fields(actor: Actor) -> tuple[int | None, str]:
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        return None, actor
    if getattr(actor, "is_authenticated", False):
        return int(actor.pk), str(actor.get_username())
    return None, "anonymous"


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """A JSON-safe dict of the named fields (foreign keys by id), for before/after values."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        key = field.attname if isinstance(field, models.ForeignKey) else name
        out[name] = getattr(obj, key)
    return dict(json_safe(out))


def audit_log(
    *,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Must run inside the caller's transaction."""
    registry.audit_action(action)  # refuses unregistered actions
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(getattr(target, "public_id", None) or target.pk)
    actor_id, actor_label = _actor_fields(actor)
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        values: dict[str, Any] = {
            "position": head.position + 1,
            "at": timezone.now(),
            "actor_id": actor_id,
            "actor_label": actor_label[:150],
            "action": action,
            "target_type": target_type,
            "target_id": target_id[:64],
            "before": json_safe(before),
            "after": json_safe(after),
            "request_id": current_request_id(),
            "prev_hash": head.hash or GENESIS_HASH,
        }
        values["hash"] = entry_hash(values)
        entry = AuditEntry.objects.create(**values)
        head.position = entry.position
        head.hash = entry.hash
        head.save(update_fields=["position", "hash"])
    return entry


def audit_verify(*, actor: Actor = None, record: bool = False) -> VerifyResult:
    """Check the whole chain. With ``record``, append an entry saying it was verified."""
    head = AuditHead.objects.filter(pk=1).first()
    rows = AuditEntry.objects.order_by("position").values("id", "hash", *HASHED_FIELDS)
    result = _verify_entries(
        rows.iterator(chunk_size=5000),
        head_position=head.position if head else 0,
        head_hash=head.hash if head else "",
    )
    if record and result.ok:
        with transaction.atomic():
            audit_log(
                actor=actor,
                action="audit.chain.verify",
                after={"checked": result.checked, "ok": True},
            )
    return result
