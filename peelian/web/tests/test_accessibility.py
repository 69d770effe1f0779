"""Accessibility in a real browser: axe-core on the public pages, keyboard use, reflow.

Debian's Chromium is driven through Playwright (the ``browser`` fixture in
peelian/conftest.py: without Chromium the tests skip, unless ``PEELIAN_REQUIRE_BROWSER=1``
(CI), which makes a missing browser a failure).

The server: pytest-django's ``live_server`` would make every test transactional, and a
transactional test ends by flushing the database, which on PostgreSQL TRUNCATEs every
table: the audit log's trigger refuses that (by design, it is append-only). So this module
runs Django's ``LiveServerThread`` itself, once per module, over the ordinary test
database, and the tests use the ordinary ``db`` fixture (a transaction rolled back after
each test). The server thread sees what is committed: the migrated schema and its data.
That is all these pages need, since what they show comes from the registry, which the
tests fill in memory (``throwaway``), shared with the server thread in this process. On
SQLite's in-memory test database the server shares the test's connection, as Django's own
LiveServerTestCase does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connections
from django.test.testcases import LiveServerThread

BLOCKING_IMPACTS = {"serious", "critical"}

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.usefixtures("throwaway")]


@pytest.fixture(scope="module")
def server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """A live server, for this module, over the regular test database."""
    with django_db_blocker.unblock():
        shared = {
            conn.alias: conn
            for conn in connections.all()
            if conn.vendor == "sqlite" and conn.is_in_memory_db()
        }
        for conn in shared.values():
            conn.inc_thread_sharing()
        thread = LiveServerThread(
            "127.0.0.1", StaticFilesHandler, connections_override=shared, port=0
        )
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page. A console error (a CSP violation, a script error) or a stylesheet,
    script or image that fails to load fails the audit."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    tab = context.new_page()
    errors: list[str] = []

    def on_console(message: Any) -> None:
        # Failed loads are reported by on_response, which knows what failed.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"{response.url} answered {response.status}")

    tab.on("console", on_console)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("response", on_response)
    tab.console_errors = errors
    try:
        yield tab
    finally:
        context.close()


def _open(page: Any, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None
    assert response.ok, f"{url} answered {response.status}"


def _audit(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = results.response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    for violation in violations:
        nodes = ", ".join(" ".join(n["target"]) for n in violation["nodes"][:5])
        print(f"axe {violation['impact']}: {violation['id']} ({violation['help']}) at {nodes}")
    assert not blocking, (
        f"axe found {len(blocking)} serious or critical violations on {page.url}:\n"
        + results.generate_report()
    )
    assert not page.console_errors, page.console_errors


@pytest.mark.parametrize(
    ("path", "lang"),
    [
        ("/", "en"),
        ("/es/", "es"),
        ("/open-data/", "en"),
        ("/statistics/trust-share/", "en"),
        ("/es/statistics/", "es"),
        ("/strategies/listening/", "en"),
        ("/no-such-page/", "en"),
    ],
)
def test_axe_finds_no_serious_violation(page, server, path, lang):
    if path == "/no-such-page/":
        assert page.goto(server + path).status == 404
    else:
        _open(page, server + path)
    assert page.get_attribute("html", "lang") == lang
    _audit(page)


def test_open_data_with_dictionary_open(page, server):
    """The data dictionaries are inside <details>: audit them open too."""
    _open(page, server + "/open-data/")
    for summary in page.locator("details.dictionary > summary").all():
        summary.click()
    assert page.locator("details.dictionary table").first.is_visible()
    _audit(page)


def test_skip_link_is_first_and_visible_when_focused(page, server):
    _open(page, server + "/")
    skip = page.locator("a.skip-link")
    box = skip.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 0, "the skip link shows before it is focused"

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.outerHTML")
    assert 'class="skip-link"' in focused
    box = skip.bounding_box()
    assert box is not None
    assert box["y"] >= 0
    assert box["height"] > 0
    assert box["x"] + box["width"] <= 1280
    # The focus indicator: a visible background in the focus colour.
    background = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert background == "rgb(255, 210, 63)"

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")


def test_keyboard_reaches_the_language_switch(page, server):
    _open(page, server + "/open-data/")
    page.focus("#language-select")
    page.select_option("#language-select", "es")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == server + "/es/open-data/"
    assert page.get_attribute("html", "lang") == "es"


@pytest.mark.parametrize("width", [320, 375])
def test_reflows_on_a_narrow_screen(browser, server, width):
    """WCAG 1.4.10: at 320 CSS pixels (1280 at 400% zoom) nothing scrolls sideways; on a
    phone the main navigation folds behind a button that works from the keyboard."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        tab = context.new_page()
        for path in ("/", "/open-data/", "/statistics/trust-share/"):
            _open(tab, server + path)
            overflow = tab.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"{path} is {overflow}px wide at {width}px"
        _open(tab, server + "/")
        toggle = tab.locator("button.nav-toggle")
        assert toggle.is_visible()
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not tab.locator("#primary-nav-list").is_visible()
        toggle.focus()
        tab.keyboard.press("Enter")
        assert toggle.get_attribute("aria-expanded") == "true"
        assert tab.locator("#primary-nav-list").is_visible()
        tab.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not tab.locator("#primary-nav-list").is_visible()
    finally:
        context.close()


def test_htmx_sends_the_csrf_token(page, server):
    """htmx loads under the CSP and every htmx request carries the CSRF token."""
    _open(page, server + "/")
    assert page.evaluate("typeof htmx") == "object"
    headers = page.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))")
    token = page.get_attribute('meta[name="csrf-token"]', "content")
    assert token
    assert headers == {"X-CSRFToken": token}
    assert not page.console_errors, page.console_errors


def test_the_audit_catches_a_planted_violation(page, server):
    """The harness can fail: unlabel the language menu and axe must object."""
    _open(page, server + "/")
    page.evaluate("document.querySelector('label[for=language-select]').remove()")
    with pytest.raises(AssertionError, match="select-name"):
        _audit(page)
