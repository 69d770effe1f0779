"""The project's URLs plus views that fail on purpose, to test the error handlers end to end
(used with ``@pytest.mark.urls``)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config import urls as project_urls


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def forbid(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("tampered")


_failing = [
    path("boom/500/", fail),
    path("boom/403/", forbid),
    path("boom/400/", suspicious),
]
urlpatterns = [
    *[path(f"api/test-{p.pattern}", p.callback) for p in _failing],
    *_failing,
    *project_urls.urlpatterns,
]

handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
