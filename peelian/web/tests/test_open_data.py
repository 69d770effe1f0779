"""Open data: the catalogue page, CSV and GeoJSON downloads, the Frictionless descriptor."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.utils.html import escape

from peelian.web.tests.conftest import FIELDS
from peelian.web.views import csv_cell

pytestmark = pytest.mark.django_db

TABLE_SCHEMA_TYPES = {
    "string", "number", "integer", "boolean", "object", "array", "date", "time",
    "datetime", "year", "yearmonth", "duration", "geopoint", "geojson", "any",
}  # fmt: skip


def _download(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def test_catalogue_page(client, throwaway):
    html = client.get("/open-data/").content.decode()
    dataset = throwaway.dataset
    section = re.search(
        r'<section class="dataset" id="dataset-trust-by-district".*?</section>', html, re.S
    ).group(0)
    for text in (dataset.title, dataset.description, dataset.privacy, dataset.update_frequency):
        assert escape(text) in section
    assert '<a href="/strategies/listening/">' in section
    # The data dictionary, in file order.
    names = re.findall(r'<th scope="row"><code>([^<]+)</code></th>', section)
    assert names == [f.name for f in FIELDS]
    for f in FIELDS:
        assert f"<td>{f.type}</td><td>{escape(f.description)}</td>" in section
    assert 'href="/open-data/trust-by-district.csv"' in section
    assert "trust-by-district.geojson" not in section
    assert 'href="/open-data/district-points.geojson"' in html


def test_csv_columns_follow_the_dictionary(client, throwaway):
    response = client.get("/open-data/trust-by-district.csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="trust-by-district.csv"'
    rows = list(csv.reader(io.StringIO(_download(response), newline="")))
    assert rows[0] == [f.name for f in FIELDS]
    assert len(rows) == 4
    body = "\n".join(",".join(r) for r in rows)
    # A key the dictionary does not declare is never published.
    assert "Jane Doe" not in body
    assert rows[1][:3] == ["North", "12", "0.25"]
    assert rows[1][4:] == ["2025-01-02", "false"]
    assert rows[2][5] == "true"
    # Missing values are empty cells; numbers stay numbers, negative ones included.
    assert rows[2][1:3] == ["-3", ""]
    assert rows[3][4:] == ["", ""]
    assert rows[3][3] == "plain, with a comma"


def test_csv_neutralises_formula_injection(client, throwaway):
    rows = list(csv.reader(io.StringIO(_download(client.get("/open-data/trust-by-district.csv")))))
    assert rows[1][3] == '\'=HYPERLINK("http://evil.example")'
    assert rows[2][0] == "'+South"
    assert rows[2][3] == "'@SUM(A1:A2)"
    assert rows[3][0] == "'-East"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (True, "true"),
        (0, "0"),
        (-2, "-2"),
        (1.5, "1.5"),
        (float("nan"), ""),
        ("=1+1", "'=1+1"),
        ("-1+1", "'-1+1"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("@x", "'@x"),
        ("a=b", "a=b"),
    ],
)
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


def test_csv_unknown_dataset_is_404(client, throwaway):
    assert client.get("/open-data/no-such-thing.csv").status_code == 404


def test_csv_failing_source_answers_503(client, throwaway):
    response = client.get("/open-data/broken-dataset.csv")
    assert response.status_code == 503
    assert "This download is not available right now" in response.content.decode()


def test_geojson_download(client, throwaway):
    response = client.get("/open-data/district-points.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["features"][0]["properties"] == {"district": "North"}
    # A dataset without a map version has no GeoJSON.
    assert client.get("/open-data/trust-by-district.geojson").status_code == 404


def test_datapackage_descriptor(client, throwaway):
    response = client.get("/open-data/datapackage.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    package = response.json()
    assert package["profile"] == "data-package"
    assert re.fullmatch(r"[a-z0-9._-]+", package["name"])
    assert package["title"]
    assert package["homepage"] == "http://testserver/open-data/"
    names = [r["name"] for r in package["resources"]]
    assert len(names) == len(set(names))
    assert set(names) == {
        "trust-by-district",
        "district-points",
        "district-points-geojson",
        "broken-dataset",
    }
    by_name = {r["name"]: r for r in package["resources"]}
    for resource in package["resources"]:
        assert re.fullmatch(r"[a-z0-9._-]+", resource["name"])
        # Paths are relative to the descriptor, and each one downloads.
        assert not resource["path"].startswith(("/", "http"))
        assert ".." not in resource["path"]
        assert resource["encoding"] == "utf-8"
        for key in ("title", "description", "privacy"):
            assert resource[key], key
    csv_resource = by_name["trust-by-district"]
    assert csv_resource["profile"] == "tabular-data-resource"
    assert csv_resource["format"] == "csv"
    assert csv_resource["mediatype"] == "text/csv"
    schema = csv_resource["schema"]
    assert [f["name"] for f in schema["fields"]] == [f.name for f in FIELDS]
    assert [f["type"] for f in schema["fields"]] == [f.type for f in FIELDS]
    assert all(f["type"] in TABLE_SCHEMA_TYPES for f in schema["fields"])
    assert schema["missingValues"] == [""]
    geo = by_name["district-points-geojson"]
    assert geo["format"] == "geojson"
    assert geo["mediatype"] == "application/geo+json"
    assert "schema" not in geo
    # The paths resolve next to the descriptor.
    for name in ("trust-by-district", "district-points-geojson"):
        assert client.get("/open-data/" + by_name[name]["path"]).status_code == 200


def test_datapackage_in_spanish_links_spanish_homepage(client, throwaway):
    package = client.get("/es/open-data/datapackage.json").json()
    assert package["homepage"] == "http://testserver/es/open-data/"


def test_real_registrations_render(client):
    """Whatever the installed apps register renders on the pages (no throwaway here)."""
    for path in ("/", "/open-data/", "/statistics/", "/open-data/datapackage.json"):
        assert client.get(path).status_code == 200, path
