"""The stop-data pages and the analysis-run services end to end: an analyst starts a run
from the staff page, the worker's task runs it, the analyst publishes it, and the public
reads it (English and Spanish) and downloads it. Nothing but aggregates reaches the public."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow.csv as pacsv
import pytest
from django.test import Client
from django.urls import reverse

from peelian.agency.tests.conftest import city  # noqa: F401 - fixture
from peelian.audit.models import AuditEntry
from peelian.core.errors import ApplicationError, PermissionDenied
from peelian.stops.analysis import synthetic
from peelian.stops.models import AnalysisRun
from peelian.stops.services import (
    analysis_run_create,
    analysis_run_execute,
    analysis_run_publish,
    stops_import,
)

pytestmark = pytest.mark.django_db
# Rates, veil of darkness and the outcome test: the threshold test's sampler is tested on
# its own (test_threshold.py) and here through its "insufficient data" answer (4 beats).
TESTS = ["rates", "vod", "outcome", "threshold"]


@pytest.fixture
def stops(city: SimpleNamespace, tmp_path: Path, make_user: Any) -> SimpleNamespace:  # noqa: F811
    params = synthetic.CityParams(
        n_stops=12_000,
        year=2025,
        seed=3,
        n_districts=2,
        population=40_000,
        lat=city.agency.center_lat,
        lng=city.agency.center_lng,
        tz=city.agency.timezone,
        vod_dark_log_odds=-0.5,
    )
    _city, table = synthetic.generate(params)
    # The generator names districts D01, D02; the test city's are 1 and 2. An officer id
    # hash is added so the test can prove it never reaches a public page.
    import pyarrow as pa

    districts = ["1" if d == "D01" else "2" for d in table.column("district").to_pylist()]
    table = table.set_column(
        table.schema.get_field_index("district"), "district", pa.array(districts)
    ).append_column("officer_id_hash", pa.array(["f00dfeed42"] * table.num_rows))
    path = tmp_path / "stops.csv"
    pacsv.write_csv(table, str(path))
    imported = stops_import(actor="system:test", agency=city.agency, path=path)
    return SimpleNamespace(
        city=city,
        imported=imported,
        analyst=make_user("analyst", username="ana"),
        supervisor=make_user("supervisor", username="sup"),
        investigator=make_user("investigator", username="ivy"),
        admin=make_user("administrator", username="root"),
    )


def _run(s: SimpleNamespace, **options: Any) -> AnalysisRun:
    run = analysis_run_create(
        actor=s.analyst,
        agency=s.city.agency,
        title="Stops in 2025",
        options={"tests": TESTS, **options},
        enqueue=False,
    )
    return analysis_run_execute(run_id=run.pk)


def test_staff_start_publish_and_the_public_reads_it(
    client: Client, login: Any, stops: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    login(client, stops.analyst)
    page = client.get(reverse("stops:staff"))
    assert page.status_code == 200
    assert "stops.csv" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("stops:staff"),
            {
                "title": "Stops in 2025",
                "imports": [str(stops.imported.public_id)],
                "tests": TESTS,
                "geography": "district",
            },
        )
    run = AnalysisRun.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/stop-data/staff/runs/{run.public_id}/")
    # The task (the immediate backend in tests) ran the analysis.
    assert run.status == "succeeded", run.error
    assert run.data_fingerprint
    assert run.code_version["packages"]["duckdb"]
    vod = run.results["veil_of_darkness"]
    assert vod["insufficient_data"] is None
    assert vod["upper"] < 0  # the planted -0.5 is found
    assert run.results["threshold_test"]["insufficient_data"]  # two districts: too few

    # Not yet public.
    client.logout()
    assert client.get(reverse("stops:public_run", args=[run.public_id])).status_code == 404
    assert client.get(reverse("stops:run_json", args=[run.public_id])).status_code == 404
    assert (
        "No stop-data analysis has been published"
        in client.get(reverse("stops:public")).content.decode()
    )

    login(client, stops.analyst)
    detail = client.get(reverse("stops:staff_run", args=[run.public_id]))
    assert detail.status_code == 200
    assert "Veil of darkness" in detail.content.decode()
    client.post(reverse("stops:staff_publish", args=[run.public_id]), {"published": "1"})
    run.refresh_from_db()
    assert run.published
    assert run.published_at

    client.logout()
    for lang_prefix, words in (("", "Veil of darkness"), ("/es", "Velo de oscuridad")):
        body = client.get(lang_prefix + reverse("stops:public")).content.decode()
        assert words in body
        assert "f00dfeed42" not in body
        assert "Not available:" not in body or lang_prefix == ""
    body = client.get("/es" + reverse("stops:public")).content.decode()
    assert "Threshold" not in body  # the Spanish page is Spanish

    download = client.get(reverse("stops:run_json", args=[run.public_id]))
    data = json.loads(download.content)
    assert data["data_fingerprint"] == run.data_fingerprint
    assert data["results"]["veil_of_darkness"]["estimate"] == vod["estimate"]
    for cell in data["results"]["outcome_test"]["by_district"]:  # the small-cell rule
        assert all(not 1 <= (v or 0) <= 4 for k, v in cell.items() if k.startswith("n_"))
    assert "f00dfeed42" not in download.content.decode()
    table = list(
        csv.reader(
            io.StringIO(client.get(reverse("stops:run_csv", args=[run.public_id])).content.decode())
        )
    )
    assert table[0][:4] == ["test", "measure", "group", "estimate"]
    assert any(r[0] == "veil_of_darkness" and float(r[3]) == vod["estimate"] for r in table[1:])

    actions = list(AuditEntry.objects.values_list("action", flat=True))
    for action in ("stops.analysis.create", "stops.analysis.complete", "stops.analysis.publish"):
        assert action in actions

    login(client, stops.analyst)
    client.post(reverse("stops:staff_publish", args=[run.public_id]), {"published": "0"})
    client.logout()
    assert client.get(reverse("stops:public_run", args=[run.public_id])).status_code == 404
    assert "stops.analysis.withdraw" in AuditEntry.objects.values_list("action", flat=True)


def test_who_may_see_and_do_what(client: Client, login: Any, stops: SimpleNamespace) -> None:
    run = _run(stops, tests=["rates"])
    assert client.get(reverse("stops:staff")).status_code == 302  # signed out
    login(client, stops.investigator)
    assert client.get(reverse("stops:staff")).status_code == 403
    assert client.get(reverse("stops:staff_run", args=[run.public_id])).status_code == 404
    assert (
        client.post(reverse("stops:staff_publish", args=[run.public_id]), {"published": "1"})
    ).status_code == 404
    login(client, stops.supervisor)  # reads, but neither starts nor publishes
    page = client.get(reverse("stops:staff"))
    assert page.status_code == 200
    assert "Run the analysis" not in page.content.decode()
    assert (
        client.post(reverse("stops:staff"), {"title": "x", "tests": ["rates"]}).status_code == 403
    )
    with pytest.raises(PermissionDenied):
        analysis_run_publish(actor=stops.supervisor, run=run, published=True)
    with pytest.raises(PermissionDenied):
        analysis_run_create(actor=stops.investigator, agency=stops.city.agency, title="x")


def test_bad_requests_get_specific_errors_and_write_nothing(
    client: Client, login: Any, stops: SimpleNamespace
) -> None:
    agency = stops.city.agency
    cases = [
        ({"title": " "}, "title"),
        ({"title": "t", "scope": {"imports": ["00000000-0000-4000-8000-000000000000"]}}, "imports"),
        ({"title": "t", "scope": {"date_from": "2025-02-30"}}, "date_from"),
        ({"title": "t", "scope": {"date_from": "2025-06-01", "date_to": "2025-01-01"}}, "date_to"),
        ({"title": "t", "options": {"tests": ["astrology"]}}, "tests"),
        ({"title": "t", "options": {"geography": "planet"}}, "geography"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ApplicationError) as info:
            analysis_run_create(actor=stops.analyst, agency=agency, enqueue=False, **kwargs)
        assert field in (info.value.fields or {}), (kwargs, info.value.fields)
    assert AnalysisRun.objects.count() == 0
    # Through the form: an impossible date is the form's error, not a 500.
    login(client, stops.analyst)
    response = client.post(
        reverse("stops:staff"),
        {"title": "t", "tests": ["rates"], "date_from": "2025-13-01", "geography": "district"},
    )
    assert response.status_code == 200
    assert AnalysisRun.objects.count() == 0
    # Publishing a run that has not finished is refused.
    run = analysis_run_create(actor=stops.analyst, agency=agency, title="t", enqueue=False)
    with pytest.raises(ApplicationError):
        analysis_run_publish(actor=stops.analyst, run=run, published=True)


def test_a_run_reproduces_from_its_record(stops: SimpleNamespace) -> None:
    """Two runs over the same imports with the same options give the same fingerprint and
    the same numbers: what a published number needs to be checked."""
    first = _run(stops, tests=["rates", "vod", "outcome"])
    second = _run(stops, tests=["rates", "vod", "outcome"])
    assert first.data_fingerprint == second.data_fingerprint
    for key in ("stop_rate", "rates", "veil_of_darkness", "outcome_test"):
        assert first.results[key] == second.results[key]
    other = _run(stops, tests=["rates", "vod", "outcome"], geography="beat")
    assert other.data_fingerprint != first.data_fingerprint


def test_beats_as_the_sub_geography(stops: SimpleNamespace) -> None:
    run = _run(stops, tests=["outcome"], geography="beat")
    assert run.status == "succeeded", run.error
    # The generated file has no beat column: every search is "without district" and the
    # by-area table is empty, which the result says rather than hides.
    counts = run.results["outcome_test"]["counts"]
    assert counts["searches_without_district"] == counts["searches_total"]
