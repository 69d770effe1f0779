"""Sun times against published U.S. Naval Observatory (USNO) tables, and DST dates."""

from __future__ import annotations

import calendar
import datetime as dt
import time

import pandas as pd
import pytest

from peelian.stops.analysis.sun import dst_changes, sun_times

# USNO Astronomical Applications Dept., "Rise and Set for the Sun for 2008", location
# W121 55, N37 24 (Cupertino, CA), zone 8h west of Greenwich (standard time all year),
# as reproduced at https://khuang.blogspot.com/2008/09/sunrise-sunset-time-for-one-year.html.
# Sunset (hhmm) on days 1-3 of each month, January..December.
CUPERTINO = (37 + 24 / 60, -(121 + 55 / 60))
USNO_CUPERTINO_2008_SUNSET = {
    1: (1700, 1732, 1802, 1831, 1858, 1923, 1932, 1915, 1836, 1750, 1709, 1650),
    2: (1701, 1733, 1803, 1832, 1859, 1924, 1932, 1914, 1834, 1749, 1708, 1650),
    3: (1702, 1734, 1804, 1833, 1900, 1924, 1932, 1913, 1833, 1747, 1707, 1650),
}


def _minute(hhmm: int) -> int:
    return (hhmm // 100) * 60 + hhmm % 100


def test_sunset_matches_usno_table_within_two_minutes() -> None:
    dates = [dt.date(2008, m, d) for d in (1, 2, 3) for m in range(1, 13)]
    # Etc/GMT+8 is UTC-8 all year: the table's zone.
    got = sun_times(dates, {"cupertino": CUPERTINO}, "Etc/GMT+8").set_index("date")
    for day, row in USNO_CUPERTINO_2008_SUNSET.items():
        for month, hhmm in enumerate(row, start=1):
            ours = int(got.loc[dt.date(2008, month, day), "sunset_minute"])
            assert abs(ours - _minute(hhmm)) <= 2, (month, day, ours, hhmm)


def test_daylight_saving_time_is_applied() -> None:
    # Same place and table, 2008-07-01: USNO 19:32 PST is 20:32 PDT on the local clock.
    got = sun_times([dt.date(2008, 7, 1)], {"c": CUPERTINO}, "America/Los_Angeles")
    assert abs(int(got["sunset_minute"].iloc[0]) - (20 * 60 + 32)) <= 2


def test_sunset_and_dusk_match_usno_atlanta() -> None:
    # USNO for Atlanta (33.8 N, 84.4 W), Sunday 6 September 2009, Eastern Daylight Time:
    # sunset 7:56 p.m., end of civil twilight 8:21 p.m. Quoted in the PyEphem documentation,
    # http://rhodesmill.org/pyephem/rise-set.html ("Naval Observatory Risings and Settings").
    got = sun_times([dt.date(2009, 9, 6)], {"atl": (33.8, -84.4)}, "America/New_York")
    assert abs(int(got["sunset_minute"].iloc[0]) - (19 * 60 + 56)) <= 2
    assert abs(int(got["dusk_minute"].iloc[0]) - (20 * 60 + 21)) <= 2


def test_no_sunset_or_dusk_is_null() -> None:
    # Tromso (69.65 N): midnight sun at the June solstice, polar night in December.
    got = sun_times(
        [dt.date(2015, 6, 21), dt.date(2015, 12, 21), dt.date(2015, 3, 21)],
        {"tromso": (69.65, 18.96)},
        "Europe/Oslo",
    ).set_index("date")
    assert got.loc[dt.date(2015, 6, 21), "sunset_minute"] is pd.NA
    assert got.loc[dt.date(2015, 6, 21), "dusk_minute"] is pd.NA
    assert got.loc[dt.date(2015, 12, 21), "sunset_minute"] is pd.NA
    # At the equinox both happen, dusk after sunset.
    march = got.loc[dt.date(2015, 3, 21)]
    assert 0 < int(march["sunset_minute"]) < int(march["dusk_minute"]) < 24 * 60


def test_year_of_fifty_districts_is_fast() -> None:
    days = [dt.date(2016, 1, 1) + dt.timedelta(days=i) for i in range(366)]
    points = {f"d{i}": (40.0 + i / 100, -75.0 - i / 100) for i in range(50)}
    start = time.perf_counter()
    got = sun_times(days, points, "America/New_York")
    elapsed = time.perf_counter() - start
    assert len(got) == 366 * 50
    assert got["dusk_minute"].notna().all()
    assert (got["dusk_minute"] > got["sunset_minute"]).all()
    assert elapsed < 10, elapsed


def _nth_sunday(year: int, month: int, n: int) -> dt.date:
    sundays = [w[calendar.SUNDAY] for w in calendar.monthcalendar(year, month) if w[6]]
    return dt.date(year, month, sundays[n - 1])


@pytest.mark.parametrize("year", [2008, 2013, 2015, 2016, 2018])
def test_dst_changes_follow_the_us_rule(year: int) -> None:
    # Energy Policy Act of 2005 (from 2007): second Sunday of March to first Sunday of November.
    got = dst_changes([year], "America/Los_Angeles")
    assert got == {year: (_nth_sunday(year, 3, 2), _nth_sunday(year, 11, 1))}


def test_no_dst_zone() -> None:
    assert dst_changes([2015], "America/Phoenix") == {}
