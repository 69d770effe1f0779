from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "peelian.oversight"
    label = "oversight"
    verbose_name = _("Complaints and oversight")

    def ready(self) -> None:
        from peelian.oversight import registrations

        registrations.register()
