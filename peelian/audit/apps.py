from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "peelian.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from peelian.core.registry import AuditAction, registry

        registry.register_audit_actions(
            AuditAction("audit.chain.verify", _("Verified the audit chain")),
            AuditAction("audit.entry.view", _("Viewed audit entries"), sensitive_read=True),
        )
