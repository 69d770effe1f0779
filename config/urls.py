"""Top-level URLs. Public and staff pages are translated (English at /, Spanish at /es/);
the API, the admin, and static files are not language-prefixed."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("peelian.api.urls")),
]

urlpatterns += i18n_patterns(
    path("", include("peelian.web.urls")),
    prefix_default_language=False,
)
