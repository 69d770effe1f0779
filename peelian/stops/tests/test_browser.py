"""The public stop-data report in a real browser: axe finds no serious accessibility
problem in English or Spanish, the charts are labelled images with the same numbers in
tables, and the downloads answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pytest

from peelian.agency.tests.factories import AgencyFactory
from peelian.stops.analysis import synthetic
from peelian.stops.services import (
    analysis_run_create,
    analysis_run_execute,
    analysis_run_publish,
    stops_import,
)

pytestmark = [pytest.mark.browser]


def _serious_axe_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def test_public_report_is_accessible_in_both_languages(
    live_server: Any, flushable_audit_log: Any, browser: Any, make_user: Any, tmp_path: Path
) -> None:
    agency = AgencyFactory(timezone="America/Chicago")
    params = synthetic.CityParams(
        n_stops=8_000,
        year=2025,
        seed=11,
        n_districts=2,
        lat=agency.center_lat,
        lng=agency.center_lng,
        tz=agency.timezone,
    )
    _city, table = synthetic.generate(params)
    path = tmp_path / "stops.csv"
    pacsv.write_csv(table, str(path))
    stops_import(actor="system:test", agency=agency, path=path)
    analyst = make_user("analyst", username="ana")
    run = analysis_run_create(
        actor=analyst,
        agency=agency,
        title="Stops in 2025",
        options={"tests": ["rates", "vod", "outcome"]},
        enqueue=False,
    )
    run = analysis_run_execute(run_id=run.pk)
    assert run.status == "succeeded", run.error
    analysis_run_publish(actor=analyst, run=run, published=True)

    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        for prefix, lang in (("", "en"), ("/es", "es")):
            response = page.goto(f"{live_server.url}{prefix}/stop-data/")
            assert response is not None
            assert response.ok
            assert page.get_attribute("html", "lang") == lang
            assert _serious_axe_violations(page) == []
            # Every chart is an image with a name, and its numbers are also in a table.
            charts = page.locator("svg[role=img]")
            assert charts.count() >= 2
            for i in range(charts.count()):
                assert charts.nth(i).get_attribute("aria-label")
            assert page.locator("table.data caption").count() >= 3
        download = page.request.get(f"{live_server.url}/stop-data/reports/{run.public_id}.csv")
        assert download.ok
        assert download.text().startswith("test,measure,group")
    finally:
        context.close()
    assert errors == []
