"""The public pages: both languages, the language switch, the frame's landmarks, the
statistics with their uncertainty, and the security headers."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import constants, get_messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import connection
from django.test import RequestFactory
from django.utils import translation

from peelian.core.registry import StatisticResult, StatisticValue
from peelian.core.strategies import STRATEGIES
from peelian.web import views
from peelian.web.tests.conftest import AS_OF, make_statistic

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/strategies/listening/",
    "/strategies/transparency/",
    "/open-data/",
    "/statistics/",
    "/statistics/trust-share/",
]


def _html(response) -> str:
    return response.content.decode()


@pytest.mark.usefixtures("throwaway")
@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_in_english(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = _html(response)
    assert '<html lang="en"' in html
    assert '<main id="main"' in html


@pytest.mark.usefixtures("throwaway")
@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_in_spanish(client, path):
    response = client.get("/es" + path)
    assert response.status_code == 200
    html = _html(response)
    assert '<html lang="es"' in html
    # Whatever the Spanish catalogue says for the navigation (the English text until the
    # translation pass), the page says it.
    with translation.override("es"):
        assert translation.gettext("Open data") in html
        assert translation.gettext("Skip to main content") in html
    # Links stay in Spanish.
    assert 'href="/es/open-data/"' in html


def test_every_strategy_has_a_page(client):
    for strategy in STRATEGIES:
        response = client.get(f"/strategies/{strategy.slug}/")
        assert response.status_code == 200
        assert str(strategy.title) in _html(response)


def test_unknown_strategy_is_404(client):
    response = client.get("/strategies/no-such-strategy/")
    assert response.status_code == 404
    assert "Page not found" in _html(response)


def test_unknown_statistic_is_404(client, throwaway):
    assert client.get("/statistics/no-such-statistic/").status_code == 404


def test_frame_landmarks_and_navigation(client):
    html = _html(client.get("/open-data/"))
    # The skip link comes first in the body and points at <main id="main">.
    body = html[html.index("<body>") :]
    first_link = re.search(r"<a [^>]*>", body).group(0)
    assert 'class="skip-link"' in first_link
    assert 'href="#main"' in first_link
    assert '<header class="site-header">' in html
    assert '<nav class="primary-nav"' in html
    assert 'aria-label="Main"' in html
    assert '<footer class="site-footer">' in html
    assert "Peelian" in html  # no agency name configured: the fallback
    for strategy in STRATEGIES:
        assert f'href="/strategies/{strategy.slug}/"' in html
    # The current section is marked for assistive technology, not by colour alone.
    assert '<a href="/open-data/" aria-current="page">' in html
    assert 'href="/statistics/"' in html
    assert 'href="/api/docs/"' in html
    # htmx and the site script are loaded from this server, deferred, with the CSRF token.
    assert re.search(r'<script src="/static/vendor/htmx\.min\.js" defer></script>', html)
    assert re.search(r'<script src="/static/peelian/js/site\.js" defer></script>', html)
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)


def test_agency_name_from_settings(client, settings):
    settings.PEELIAN_AGENCY_NAME = "Riverton Police Department"
    html = _html(client.get("/"))
    assert "Riverton Police Department" in html
    assert "<title>Earning public trust, in the open · Riverton Police Department</title>" in html


def test_section_is_current_on_sub_pages(client, throwaway):
    html = _html(client.get("/statistics/trust-share/"))
    assert '<a href="/statistics/" aria-current="true">' in html


@pytest.mark.usefixtures("throwaway")
@pytest.mark.parametrize("path", ["/", "/open-data/", "/statistics/trust-share/", "/nope/"])
def test_no_inline_script_or_style(client, path):
    """The CSP allows scripts and styles from this server only: none may be inline."""
    html = _html(client.get(path))
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_language_form_posts_to_set_language(client):
    html = _html(client.get("/statistics/"))
    form = re.search(r'<form class="language-switch"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None
    assert 'action="/i18n/setlang/"' in form.group(0)
    assert 'method="post"' in form.group(0)
    inner = form.group(1)
    assert '<input type="hidden" name="next" value="/statistics/">' in inner
    assert '<label for="language-select">' in inner
    assert 'value="en" lang="en" selected>English</option>' in inner
    assert 'value="es" lang="es">Español</option>' in inner
    assert '<button type="submit"' in inner
    assert "csrfmiddlewaretoken" in inner


def test_language_switch_sets_language_and_redirects(client):
    client.get("/open-data/")  # sets the CSRF cookie, as a browser would
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/open-data/"})
    assert response.status_code == 302
    assert response["Location"] == "/es/open-data/"
    assert client.cookies["django_language"].value == "es"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/open-data/"})
    assert response.status_code == 302
    assert response["Location"] == "/open-data/"
    assert client.cookies["django_language"].value == "en"


def test_language_switch_refuses_foreign_next(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_home_shows_strategies_statistics_and_open_data(client, throwaway):
    html = _html(client.get("/"))
    assert "the police are the public and the public are the police" in html
    for strategy in STRATEGIES:
        assert str(strategy.title) in html
        assert str(strategy.summary) in html
    # The statistic with its value, denominator, interval and method.
    assert "Trust in the police" in html
    assert "Trust in the north" in html
    assert "0.2125 to 0.2913" in html
    assert "400" in html
    assert "1,234" in html
    assert throwaway.statistic.method in html
    assert "Intervals are 95% intervals." in html
    # Too little data is said in words.
    assert "Fewer than 30 people answered in the east." in html
    # Open data links.
    assert 'href="/open-data/trust-by-district.csv"' in html
    assert 'href="/open-data/district-points.geojson"' in html
    assert 'href="/open-data/datapackage.json"' in html


def test_broken_statistic_is_not_available_not_500(client, throwaway):
    for path in ("/", "/statistics/", "/statistics/broken-share/", "/strategies/transparency/"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = _html(response)
        assert "Not available right now." in html
        assert "Broken share" in html
        # Its method is still published.
        assert throwaway.broken_statistic.method in html
    # The others still show their values.
    assert "0.2125 to 0.2913" in _html(client.get("/statistics/"))


def test_statistic_failing_in_the_database_does_not_break_the_next(client, throwaway):
    """A statistic whose query fails rolls back to its own savepoint: on PostgreSQL the
    request's transaction stays usable for the statistics after it."""

    def bad_query() -> StatisticResult:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_anywhere")
        raise AssertionError("unreachable")

    def good_query() -> StatisticResult:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 7")
            (value,) = cursor.fetchone()
        return StatisticResult(
            values=(StatisticValue("Seven", float(value), 7),),
            unit="count",
            as_of=AS_OF,
        )

    throwaway.registry.register_statistic(make_statistic("a-bad-query", bad_query, strategy=1))
    throwaway.registry.register_statistic(make_statistic("b-good-query", good_query, strategy=1))
    response = client.get("/strategies/engagement/")
    assert response.status_code == 200
    html = _html(response)
    assert "Not available right now." in html
    assert '<th scope="row">Seven</th>' in html


def test_statistic_page_has_everything(client, throwaway):
    html = _html(client.get("/statistics/trust-share/"))
    stat = throwaway.statistic
    for text in (stat.method, stat.denominator, stat.uncertainty, stat.source):
        assert text in html
    assert "share of residents (0 to 1)" in html
    assert "Values as of March 31, 2025." in html
    # Every value is text in a table: no chart-only information.
    assert '<th scope="row">Trust in the south</th>' in html
    assert "not available" in html
    assert 'href="/api/v1/catalogue/statistics/trust-share/"' in html
    # All values, not a preview.
    assert html.count('<th scope="row">') == 3


def test_statistic_numbers_follow_the_language(client, throwaway):
    html = _html(client.get("/es/statistics/trust-share/"))
    # Spanish for US readers keeps the decimal point and thousands comma (peelian/formats/es)
    # while dates are Spanish.
    assert "0.2125" in html
    assert "1,234" in html
    assert "0,2125" not in html
    assert "marzo de 2025" in html


def test_strategy_page_lists_its_registrations(client, throwaway):
    html = _html(client.get("/strategies/listening/"))
    assert '<a href="/open-data/">Listening data</a>' in html
    assert "What residents told us." in html
    # A registered page whose URL is not installed is left out, not a 500.
    assert "A page with no URL" not in html
    assert "Trust in the police" in html
    assert "Trust by district" in html
    # Strategy 2's registrations are not here.
    assert "Broken share" not in html
    assert "District points" not in html


def test_strategy_page_says_when_empty(client, throwaway):
    html = _html(client.get("/strategies/youth/"))
    assert "No public pages are published under this strategy yet." in html
    assert "No statistics are published under this strategy yet." in html
    assert "No datasets are published under this strategy yet." in html


def test_messages_in_a_polite_live_region(rf: RequestFactory, throwaway):
    request = rf.get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    from django.contrib import messages

    messages.add_message(request, constants.ERROR, "The form could not be saved.")
    messages.add_message(request, constants.SUCCESS, "Your feedback was sent.")
    html = views.home(request).content.decode()
    region = re.search(
        r'<div class="messages" role="status" aria-live="polite">(.*?)</div>', html, re.S
    )
    assert region is not None
    assert (
        '<strong class="message-kind">Error:</strong> The form could not be saved.'
        in region.group(1)
    )
    assert '<strong class="message-kind">Done:</strong> Your feedback was sent.' in region.group(1)
    assert get_messages(request).used  # shown, so not shown again


def test_staff_slot_is_empty_for_visitors(client):
    html = _html(client.get("/"))
    assert "staff-band" not in html


def test_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_static_assets_are_served(client):
    for path in (
        "/static/peelian/css/site.css",
        "/static/peelian/js/site.js",
        "/static/vendor/htmx.min.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content if response.streaming else [response.content])


def test_pages_refuse_unsafe_methods(client):
    assert client.post("/").status_code == 405
    assert client.post("/open-data/trust-by-district.csv").status_code == 405


@pytest.mark.parametrize(
    ("page", "expected_next"),
    [
        ("/open-data/", "/open-data/"),
        ("/es/open-data/", "/open-data/"),
        ("/es/", "/"),
        ("/es/statistics/?sort=title", "/statistics/?sort=title"),
        ("/es/no-such-page/", "/no-such-page/"),
    ],
)
def test_language_switch_next_has_no_language_prefix(client, page, expected_next):
    html = _html(client.get(page))
    assert f'<input type="hidden" name="next" value="{expected_next}">' in html


def test_language_switch_round_trip_like_a_browser(client):
    """Switch to Spanish from an English page, then back to English from the Spanish page,
    using the form's own ``next`` each time."""
    html = _html(client.get("/statistics/"))
    next_url = re.search(r'name="next" value="([^"]*)"', html).group(1)
    response = client.post("/i18n/setlang/", {"language": "es", "next": next_url})
    assert response["Location"] == "/es/statistics/"
    html = _html(client.get(response["Location"]))
    assert '<html lang="es"' in html
    next_url = re.search(r'name="next" value="([^"]*)"', html).group(1)
    response = client.post("/i18n/setlang/", {"language": "en", "next": next_url})
    assert response["Location"] == "/statistics/"
    assert '<html lang="en"' in _html(client.get(response["Location"]))
