"""The complaint form in a real browser: the district map fills the point, anonymity
hides and disables the identity fields, nothing is blocked by the Content Security Policy,
axe finds no serious accessibility problem, and the tracking page works."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection

from peelian.oversight.models import Complaint
from peelian.oversight.tests.test_intake_support import make_city

pytestmark = [pytest.mark.browser]


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context()
    page = context.new_page()
    page.problems = []
    page.on(
        "console",
        lambda message: (
            page.problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()


def _serious_axe_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def test_file_with_the_map_and_follow_the_case(
    live_server: Any, flushable_audit_log: Any, settings: Any, page: Any
) -> None:
    settings.PEELIAN_COMPLAINT_MIN_FILL_SECONDS = 0
    try:
        beat = make_city()
        page.goto(f"{live_server.url}/complaints/new/")
        assert _serious_axe_violations(page) == []

        # Click the middle of the map: the beat covers the whole drawn area.
        city_map = page.locator("svg.intake-map-svg")
        box = city_map.bounding_box()
        city_map.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        lat = float(page.locator("input[name=lat]").input_value())
        lng = float(page.locator("input[name=lng]").input_value())
        assert 38.48 < lat < 38.52
        assert -98.02 < lng < -97.98
        assert page.get_by_role("status").filter(has_text="Place chosen").count() == 1

        page.get_by_label("Your name").fill("typed before choosing anonymity")
        page.get_by_label("I want to stay anonymous").check()
        assert page.locator(".intake-identity").is_hidden()
        page.get_by_label("What happened?").fill("An officer pushed me at the bus stop.")
        page.get_by_role("button", name="Send the complaint").click()
        page.wait_for_url("**/complaints/received/")

        code = page.locator(".tracking-code code").inner_text()
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", code)
        complaint = Complaint.objects.get()
        assert complaint.beat_id == beat.pk
        assert complaint.anonymous is True
        assert _serious_axe_violations(page) == []

        page.locator(f'a[href="/complaints/track/{code}/"]').click()
        assert page.get_by_role("heading", name="What has happened so far").is_visible()
        assert "pushed" not in page.content()
        assert _serious_axe_violations(page) == []
        assert page.problems == []
    finally:
        connection.close()
