from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "peelian.web"
    label = "web"
    verbose_name = _("Public site")

    def ready(self) -> None:
        from django.contrib import admin

        # The admin's brand; its template is templates/admin/base_site.html.
        admin.site.site_header = _("Peelian administration")
        admin.site.site_title = _("Peelian administration")
        admin.site.index_title = _("Administration")
