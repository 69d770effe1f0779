from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForceConfig(AppConfig):
    name = "peelian.force"
    label = "force"
    verbose_name = _("Use of force")

    def ready(self) -> None:
        from peelian.force import registrations

        registrations.register()
        registrations.register_officer_record()
