"""The append-only, hash-chained audit log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One privileged action. Rows are only ever inserted (on PostgreSQL a trigger refuses
    UPDATE, DELETE and TRUNCATE). ``actor_id`` is a plain integer, not a foreign key, so the
    log never depends on, or cascades from, the users table."""

    position = models.BigIntegerField(_("position"), unique=True)
    at = models.DateTimeField(_("time"))
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["actor_id", "at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(position__gte=1), name="audit_position_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.position} {self.action} by {self.actor_label}"


class AuditHead(models.Model):
    """The newest entry's position and hash, updated in the same transaction as each insert.

    It serialises writers (the row is locked) and lets verification notice entries deleted
    from the end of the chain. There is exactly one row, created by the migration.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    position = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_head_singleton")
        ]

    def __str__(self) -> str:
        return f"head at #{self.position}"
