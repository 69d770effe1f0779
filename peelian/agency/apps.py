from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgencyConfig(AppConfig):
    name = "peelian.agency"
    label = "agency"
    verbose_name = _("Agency structure")

    def ready(self) -> None:
        from peelian.agency import registrations

        registrations.register()
