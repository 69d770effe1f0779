from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "peelian.demo"
    label = "demo"
    verbose_name = _("Synthetic city")

    def ready(self) -> None:
        from peelian.core.registry import AuditAction, registry

        registry.register_audit_actions(
            AuditAction("demo.seed.step", _("Seeded one step of the synthetic city")),
            AuditAction("demo.seed.finish", _("Finished seeding the synthetic city")),
            AuditAction("demo.seed.reset", _("Deleted the synthetic city's data to seed it again")),
            AuditAction(
                "demo.codes.view",
                _("Printed demo accounts' sign-in codes"),
                sensitive_read=True,
            ),
        )
