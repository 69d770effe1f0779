"""The sign-in pages in a real browser: the flow works under the site's Content Security
Policy (nothing blocked, the QR code shows), and axe finds no accessibility violations."""

from __future__ import annotations

import pytest
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from peelian.accounts.roles import ANALYST
from peelian.accounts.tests.helpers import totp_code
from peelian.conftest import TEST_PASSWORD

pytestmark = [pytest.mark.browser]


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()


def _axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


def test_sign_in_enrol_and_workspace_in_a_browser(
    live_server, flushable_audit_log, make_user, page
):
    # Under Playwright's greenlet the test body gets a database connection of its own,
    # which Django's teardown does not see: close it, or the test database cannot be
    # dropped at the end of the run.
    try:
        user = make_user(ANALYST, mfa=False)
        page.goto(f"{live_server.url}/staff/login/")
        assert _axe_violations(page) == []

        # A wrong password: the error summary and the field errors are accessible too.
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Continue").click()
        assert page.get_by_role("alert").is_visible()
        assert _axe_violations(page) == []

        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/staff/mfa/enrol/")
        qr = page.get_by_role("img", name="QR code that adds your Peelian account")
        assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
        assert _axe_violations(page) == []

        device = TOTPDevice.objects.get(user=user, confirmed=False)
        page.get_by_label("Code from the app").fill(totp_code(device))
        page.get_by_role("button", name="Confirm").click()
        assert page.get_by_role("heading", name="Your recovery codes").is_visible()
        assert page.locator("ol.recovery-codes li").count() == 10
        assert _axe_violations(page) == []

        page.get_by_role("link", name="I have stored my recovery codes; continue").click()
        page.wait_for_url(f"{live_server.url}/staff/")
        assert page.get_by_role("heading", name="Staff workspace").is_visible()
        assert _axe_violations(page) == []
        assert page.csp_violations == []
    finally:
        connection.close()
