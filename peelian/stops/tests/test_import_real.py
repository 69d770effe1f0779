"""Importing the real OPP files (San Jose, Hartford; CSV.gz and .rds). The expected counts
come from an independent reading of the same file with pandas: a row is rejected when its
date is missing, and kept otherwise; race is blank exactly where OPP's is NA."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pyreadr
import pytest

from peelian.agency.models import Agency
from peelian.stops.models import Stop
from peelian.stops.services import stops_import
from peelian.stops.tests.realdata import real_file

CITIES = {
    "san_jose": ("San Jose", "CA", 37.3382082, -121.8863286),
    "hartford": ("Hartford", "CT", 41.7658043, -72.6733723),
}
FILES = [
    ("san_jose", "opp_san_jose", "ca_san_jose_2019_02_25.csv.gz"),
    ("san_jose", "opp_san_jose", "tr137st9964_ca_san_jose_2019_02_25.rds"),
    ("hartford", "opp_hartford", "ct_hartford_2019_02_25.csv.gz"),
    ("hartford", "opp_hartford", "tr137st9964_ct_hartford_2019_02_25.rds"),
    ("hartford", "opp_hartford", "hartford_later_release.rds"),
]


def _pandas_counts(path: Any) -> dict[str, Any]:
    if path.name.endswith(".rds"):
        frame = next(iter(pyreadr.read_r(str(path)).values()))
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=True)
    date_missing = frame["date"].isna()
    kept = frame[~date_missing]
    race = kept["subject_race"].astype(object).where(kept["subject_race"].notna(), None)
    race = race.map(lambda r: None if r is None else {"other/unknown": "other"}.get(r, r))
    return {
        "rows": len(frame),
        "rejected": int(date_missing.sum()),
        "race": race.fillna("").value_counts().to_dict(),
    }


@pytest.mark.parametrize(("city", "folder", "name"), FILES)
def test_real_file_counts_match_pandas(db: Any, city: str, folder: str, name: str) -> None:
    path = real_file(folder, name)
    label, state, lat, lng = CITIES[city]
    agency = Agency.objects.create(
        name=label, slug=city, city=label, state=state, center_lat=lat, center_lng=lng
    )
    expected = _pandas_counts(path)
    imp = stops_import(actor="system:test", agency=agency, path=path, today=dt.date(2026, 1, 1))
    assert imp.rows_read == expected["rows"]
    assert imp.rows_rejected == expected["rejected"]
    assert imp.rows_imported == expected["rows"] - expected["rejected"]
    assert set(imp.report["counts"]) <= {"missing_date", "missing_race", "coordinates_outside_area"}
    assert Stop.objects.filter(source=imp).count() == imp.rows_imported
    by_race = dict(
        pd.Series(Stop.objects.filter(source=imp).values_list("subject_race", flat=True))
        .value_counts()
        .items()
    )
    assert by_race == expected["race"]
