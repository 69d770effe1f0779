from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StopsConfig(AppConfig):
    name = "peelian.stops"
    label = "stops"
    verbose_name = _("Stop data")

    def ready(self) -> None:
        from peelian.stops import registrations

        registrations.register()
