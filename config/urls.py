"""Top-level URLs. Public and staff pages are translated (English at /, Spanish at /es/);
the API, the admin, and static files are not language-prefixed.

Errors: under /api/ the handlers answer in the API's JSON error format, elsewhere with the
site's HTML error pages (peelian/web/views.py)."""

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
    path("", include("peelian.agency.urls")),
    path("complaints/", include("peelian.oversight.urls_public")),
    path("staff/cases/", include("peelian.oversight.urls_staff")),
    path("staff/board/", include("peelian.oversight.urls_board")),
    path("use-of-force/", include("peelian.force.urls")),
    path("stop-data/", include("peelian.stops.urls")),
    path("staff/", include("peelian.accounts.urls")),
    prefix_default_language=False,
)

handler400 = "peelian.web.views.bad_request"
handler403 = "peelian.web.views.permission_denied"
handler404 = "peelian.web.views.page_not_found"
handler500 = "peelian.web.views.server_error"
