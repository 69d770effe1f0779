"""Reading stop files and deriving the columns the analyses use (``analysis/frame.py``)."""

from __future__ import annotations

import datetime as dt
import gzip

import pandas as pd
import pytest

from peelian.stops.analysis import frame

HEADER = "raw_row_number,date,time,subject_race,district,lat,lng,search_conducted,contraband_found"
ROWS = [
    "1,2020-03-01,18:05:00,black,A,41.70,-72.70,TRUE,FALSE",
    "2,2020-03-01,7:30,white,B,41.71,-72.71,false,",
    # impossible date, impossible time, an unknown race code, a legacy OPP race code
    "3,2020-02-30,18:05:00,martian,A,41.70,-72.70,False,",
    "4,2020-03-02,25:10:00,other/unknown,A,41.70,-72.70,False,",
    # contraband recorded although no search: OPP's rule makes it missing, and it is reported
    "5,2020-03-02,12:00:00,hispanic,,41.70,-72.70,False,True",
    # an unreadable boolean, a missing race, coordinates far outside the area
    "6,03/02/2020,12:00,,A,10.0,10.0,maybe,",
]


@pytest.fixture
def csv_path(tmp_path):
    path = tmp_path / "stops.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join([HEADER, *ROWS]) + "\n")
    return path


def test_normalize_derives_typed_columns_and_applies_the_predicate_rule(csv_path):
    out = frame.normalize(frame.open_file(csv_path)).to_pandas()
    races = [None if pd.isna(v) else v for v in out["race"]]
    assert races == ["black", "white", None, "other", "hispanic", None]
    assert out["minute"].tolist()[:2] == [18 * 60 + 5, 7 * 60 + 30]
    assert pd.isna(out["minute"][3])  # 25:10 is not a time
    assert pd.Timestamp(out["stop_date"][0]) == pd.Timestamp(dt.date(2020, 3, 1))
    assert pd.isna(out["stop_date"][2])  # 30 February
    assert pd.isna(out["stop_date"][5])  # not ISO: unreadable, not guessed
    assert out["search_conducted"].tolist()[:2] == [True, False]
    assert out["contraband_found"][0] == False  # noqa: E712 - searched, nothing found
    assert pd.isna(out["contraband_found"][4])  # no search: missing, not false or true
    assert pd.isna(out["search_conducted"][5])  # "maybe"


def test_quality_counts_every_problem_by_row(csv_path):
    report = frame.quality(frame.open_file(csv_path), bounds=(41.0, -73.0, 42.0, -72.0))
    assert report["rows"] == 6
    assert report["problems"] == {
        "unknown_race_code": 1,
        "missing_race": 1,
        "impossible_or_unreadable_date": 2,
        "impossible_or_unreadable_time": 1,
        "unreadable_search_conducted": 1,
        "contraband_recorded_without_search": 1,
        "coordinates_outside_area": 1,
    }
    assert "frisk_performed" in report["absent_columns"]


def test_parquet_and_csv_give_the_same_normalized_rows(csv_path, tmp_path):
    raw = frame.open_file(csv_path).to_pandas()
    parquet = tmp_path / "stops.parquet"
    raw.to_parquet(parquet)
    a = frame.normalize(frame.open_file(csv_path)).to_pandas()
    b = frame.normalize(frame.open_file(parquet)).to_pandas()
    pd.testing.assert_frame_equal(a, b)


def test_numeric_time_is_seconds_since_midnight_as_in_opp_rds_files():
    con = frame.duckdb_connection()
    t = con.create_table(
        "t",
        pd.DataFrame(
            {
                "date": [dt.date(2020, 1, 1)] * 3,
                "time": [1244.0, 86399.0, 90000.0],
                "subject_race": ["white"] * 3,
            }
        ),
    )
    assert frame.normalize(t).to_pandas()["minute"].tolist()[:2] == [20, 1439]
    assert pd.isna(frame.normalize(t).to_pandas()["minute"][2])


def test_unreadable_files_and_columns_get_clear_errors(tmp_path):
    with pytest.raises(frame.FileFormatError, match="no such file"):
        frame.open_file(tmp_path / "absent.csv")
    odd = tmp_path / "stops.xlsx"
    odd.write_bytes(b"x")
    with pytest.raises(frame.FileFormatError, match="unsupported file type"):
        frame.open_file(odd)
    path = tmp_path / "s.csv"
    path.write_text(HEADER + "\n" + ROWS[0] + "\n")
    with pytest.raises(frame.FileFormatError, match="'beat_code' is not in the file"):
        frame.normalize(frame.open_file(path), district_column="beat_code")
