"""Error pages: HTML for the site, the API's JSON error format under /api/."""

from __future__ import annotations

import pytest
from django.template import loader

from config import urls as project_urls
from peelian.web import views

pytestmark = pytest.mark.django_db


def _assert_api_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["request_id"] == response["X-Request-ID"]


def test_handlers_are_installed():
    assert project_urls.handler400 == "peelian.web.views.bad_request"
    assert project_urls.handler403 == "peelian.web.views.permission_denied"
    assert project_urls.handler404 == "peelian.web.views.page_not_found"
    assert project_urls.handler500 == "peelian.web.views.server_error"


def test_unknown_url_is_html_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "<h1>Page not found</h1>" in html
    assert '<main id="main"' in html
    assert 'href="/"' in html


def test_unknown_spanish_url_is_spanish_404(client):
    response = client.get("/es/no/such/page/")
    assert response.status_code == 404
    assert '<html lang="es"' in response.content.decode()


def test_unknown_api_url_is_json_404(client):
    _assert_api_error(client.get("/api/nope"), 404, "not_found")
    _assert_api_error(client.get("/api/v1/no-such-thing/"), 404, "not_found")


@pytest.mark.urls("peelian.web.tests.urls_errors")
def test_server_error_pages(client):
    client.raise_request_exception = False
    response = client.get("/boom/500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert '<html lang="en"' in html
    _assert_api_error(client.get("/api/test-boom/500/"), 500, "server_error")


@pytest.mark.urls("peelian.web.tests.urls_errors")
def test_permission_denied_pages(client):
    response = client.get("/boom/403/")
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.content.decode()
    _assert_api_error(client.get("/api/test-boom/403/"), 403, "permission_denied")


@pytest.mark.urls("peelian.web.tests.urls_errors")
def test_bad_request_pages(client):
    response = client.get("/boom/400/")
    assert response.status_code == 400
    assert "The request could not be understood" in response.content.decode()
    _assert_api_error(client.get("/api/test-boom/400/"), 400, "malformed_request")


def test_500_page_needs_no_database_or_context(rf, django_db_blocker, settings):
    """The 500 page must render when the database is down: no context processors, no
    queries."""
    settings.PEELIAN_AGENCY_NAME = "Riverton Police Department"
    with django_db_blocker.block():
        response = views.server_error(rf.get("/anything/"))
        assert response.status_code == 500
        html = response.content.decode()
        assert "Riverton Police Department" in html
        assert "Something went wrong on our side" in html
        # Rendered without a request too (as Django's own handler does).
        assert "Something went wrong" in loader.get_template("500.html").render()
        assert "could not be understood" in loader.get_template("400.html").render()
