"""``peelian stops analyze FILE``: a file in, a report out, no database (stops/cli_analyze.py).

These tests carry no ``django_db`` mark, so pytest-django refuses any database query: a
query anywhere in the command would fail the test (or show up as an error in the report,
which is asserted empty).
"""

from __future__ import annotations

import argparse
import io
import json

import pytest
from django.core.management import CommandError, call_command

from peelian.stops import cli_analyze
from peelian.stops.analysis import synthetic
from peelian.stops.tests.realdata import real_file

PARAMS = synthetic.CityParams(n_stops=8_000, seed=5, n_districts=5)


@pytest.fixture(scope="module")
def stops_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "stops.csv.gz"
    synthetic.write(PARAMS, path)
    return path


@pytest.fixture
def population_csv(tmp_path):
    path = tmp_path / "population.csv"
    path.write_text("race,population\nwhite,270000\nblack,150000\nhispanic,120000\n")
    return path


def run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    cli_analyze.add_arguments(parser)
    out, err = io.StringIO(), io.StringIO()
    code = cli_analyze.handle(vars(parser.parse_args(argv)), out, err)
    return code, out.getvalue(), err.getvalue()


def test_analyze_a_file_prints_a_summary_and_writes_json(stops_csv, population_csv, tmp_path):
    out_json = tmp_path / "out.json"
    code, out, err = run(
        str(stops_csv),
        "--tests", "rates,outcome",
        "--population", str(population_csv),
        "--json", str(out_json),
    )  # fmt: skip
    assert (code, err) == (0, "")
    results = json.loads(out_json.read_text())
    assert results["meta"]["rows"] == PARAMS.n_stops
    assert results["meta"]["errors"] == {}
    assert results["stop_rate"]["population_source"] == f"file {population_csv.name}"
    white = results["stop_rate"]["white"]  # the documented shape: stop_rate.<race>
    assert white["population"] == 270000
    # Independent arithmetic: the white stops counted in the file, per resident-year.
    assert white["estimate"] == pytest.approx(white["n_stops"] / (270000 * 365 / 365.25))
    assert results["veil_of_darkness"]["insufficient_data"] == "not requested"
    assert results["outcome_test"]["insufficient_data"] is None
    assert f"{PARAMS.n_stops} stops, 2019-01-01 to 2019-12-31" in out
    assert "Search rate:" in out
    assert f"results written to {out_json}" in out


def test_the_management_command_delegates_here(stops_csv, population_csv, tmp_path):
    out_json = tmp_path / "cmd.json"
    stdout = io.StringIO()
    call_command(
        "stops", "analyze", str(stops_csv), "--tests", "rates",
        "--population", str(population_csv), "--json", str(out_json), stdout=stdout,
    )  # fmt: skip
    assert json.loads(out_json.read_text())["stop_rate"]["insufficient_data"] is None
    assert "Stops per resident per year:" in stdout.getvalue()
    with pytest.raises(CommandError) as refused:
        call_command("stops", "analyze", str(tmp_path / "absent.csv"), stderr=io.StringIO())
    assert refused.value.returncode == 2


def test_acs_county_benchmark(stops_csv):
    acs = real_file("opp_resources", "acs_2017_5_year_county_level_race_data.csv")
    code, out, _ = run(
        str(stops_csv), "--tests", "rates", "--acs-county", "Hartford County, CT",
        "--acs-file", str(acs),
    )  # fmt: skip
    assert code == 0
    assert "white:" in out
    code, _, err = run(
        str(stops_csv), "--tests", "rates", "--acs-county", "Atlantis County, CT",
        "--acs-file", str(acs),
    )  # fmt: skip
    assert code == 2
    assert "'Atlantis County, CT' is not in" in err


def test_refusals_exit_2_with_a_clear_message(stops_csv, tmp_path):
    no_race = tmp_path / "no_race.csv"
    no_race.write_text("date,time,search_conducted\n2020-01-01,10:00,true\n")
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"this is not parquet")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    bad_pop = tmp_path / "pop.csv"
    bad_pop.write_text("race,population\nmartian,3\n")
    cases = [
        ((str(tmp_path / "absent.csv"),), "no such file"),
        ((str(notes),), "unsupported file type"),
        ((str(garbage),), "cannot be read"),
        ((str(no_race),), "missing required column(s): subject_race"),
        ((str(stops_csv), "--tests", "rates,astrology"), "--tests: choose from"),
        ((str(stops_csv), "--lat", "41.7"), "--lat and --lng go together"),
        ((str(stops_csv), "--tz", "Mars/Olympus"), "unknown time zone"),
        ((str(stops_csv), "--population", str(bad_pop)), "unknown race 'martian'"),
        ((str(stops_csv), "--population", str(tmp_path / "nope.csv")), "no such population"),
    ]
    for argv, message in cases:
        code, out, err = run(*argv)
        assert code == 2, (argv, out, err)
        assert message in err, (argv, err)
        assert out == ""
