"""What the agency app registers with the core registry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peelian.core.registry import AuditAction, registry


def register() -> None:
    registry.register_audit_actions(
        AuditAction("agency.agency.create", _("Created the agency")),
        AuditAction("agency.agency.update", _("Changed the agency")),
        AuditAction("agency.district.create", _("Created a district")),
        AuditAction("agency.district.update", _("Changed a district")),
        AuditAction("agency.beat.create", _("Created a beat")),
        AuditAction("agency.beat.update", _("Changed a beat")),
        AuditAction("agency.unit.create", _("Created a unit")),
        AuditAction("agency.unit.update", _("Changed a unit")),
        AuditAction("agency.officer.create", _("Created an officer record")),
        AuditAction("agency.officer.update", _("Changed an officer record")),
        AuditAction("agency.officer.assign", _("Assigned an officer")),
        AuditAction("agency.officer.link_user", _("Linked an officer to a user")),
        AuditAction(
            "agency.officer.view", _("Viewed an officer's personnel record"), sensitive_read=True
        ),
        AuditAction("agency.streets.import", _("Imported street address ranges")),
    )
