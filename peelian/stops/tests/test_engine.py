"""The same aggregation on DuckDB, Spark, PostgreSQL and SQLite gives identical cells
(analysis/engine.py)."""

from __future__ import annotations

import importlib
import os
import sqlite3

import pandas as pd
import pyarrow as pa
import pytest

from peelian.stops.analysis import engine, frame, rates, synthetic
from peelian.stops.analysis.options import AnalysisOptions

PARAMS = synthetic.CityParams(n_stops=20_000, seed=7, n_districts=4)
OPTIONS = AnalysisOptions(lat=PARAMS.lat, lng=PARAMS.lng, tz=PARAMS.tz)
# One database per test process (pytest-xdist runs modules in two processes at once).
PG_URL = {
    "host": "127.0.0.1",
    "port": 5432,
    "user": "postgres",
    "database": f"peelian_stops_engine_{os.getpid()}",
}


def _cell_functions():
    """Every analysis' aggregation that exists (the others' modules may still be missing)."""
    out = {"rates": rates.rates_cells}
    for module, name in [
        ("outcome", "outcome_cells"),
        ("threshold", "threshold_cells"),
        ("vod", "vod_cells"),
    ]:
        try:
            mod = importlib.import_module(f"peelian.stops.analysis.{module}")
        except ModuleNotFoundError:
            continue
        out[module] = getattr(mod, name)
    return out


def _cells_fn(name: str):
    fns = _cell_functions()
    if name not in fns:
        pytest.fail(f"peelian.stops.analysis.{name} is missing")
    return fns[name]


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in df.columns:
        col = df[c]
        if pd.api.types.is_datetime64_any_dtype(col):
            df[c] = col.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            df[c] = pd.to_numeric(col).astype(float)
        else:
            values = col.astype(object)
            df[c] = [
                "<null>" if v is None or (isinstance(v, float) and v != v) else str(v)
                for v in values
            ]
    df = df[sorted(df.columns)]
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def assert_same_cells(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert len(a) > 0
    pd.testing.assert_frame_equal(_canonical(a), _canonical(b), check_exact=False, rtol=1e-12)


@pytest.fixture(scope="module")
def city_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("city")
    synthetic.write(PARAMS, root / "stops.parquet")
    synthetic.write(PARAMS, root / "stops.csv.gz")
    return root


@pytest.fixture(scope="module")
def spark():
    session = engine.spark_session(cores=2, memory="1g")
    yield session
    session.stop()


@pytest.mark.parametrize("name", ["rates", "outcome", "threshold", "vod"])
def test_spark_and_duckdb_give_identical_cells(city_files, spark, name):
    duck = engine.from_file(city_files / "stops.parquet")
    on_spark = engine.from_file(city_files / "stops.parquet", engine="spark", spark=spark)
    assert on_spark.engine == "spark"
    cells = _cells_fn(name)
    assert_same_cells(cells(duck.table, OPTIONS), cells(on_spark.table, OPTIONS))


def test_spark_reads_text_csv_like_duckdb(city_files, spark):
    """Every column as text: the text parsers (trim, booleans, dates, times) agree.

    Regression: Ibis compiles ``strip()`` for Spark as TRIM with "\\v\\f" in the character
    list, which Spark reads as the letters v and f ("vehicular" became "ehicular").
    """
    duck = engine.from_file(city_files / "stops.csv.gz")
    csv_spark = engine.from_file(city_files / "stops.csv.gz", engine="spark", spark=spark)
    for cells in _cell_functions().values():
        assert_same_cells(cells(duck.table, OPTIONS), cells(csv_spark.table, OPTIONS))
    types = csv_spark.table.select("type").distinct().to_pandas()["type"].tolist()
    assert types == ["vehicular"]


def test_csv_and_parquet_on_duckdb_agree(city_files):
    a = engine.from_file(city_files / "stops.parquet")
    b = engine.from_file(city_files / "stops.csv.gz")
    for cells in _cell_functions().values():
        assert_same_cells(cells(a.table, OPTIONS), cells(b.table, OPTIONS))


def _stop_rows() -> pd.DataFrame:
    """Synthetic stops in the Stop model's columns, for two agencies and two imports."""
    _, table = synthetic.generate(synthetic.CityParams(n_stops=6_000, seed=3, n_districts=3))
    df = table.to_pandas()
    out = pd.DataFrame(
        {
            "id": range(1, len(df) + 1),
            "agency_id": [1] * 5_000 + [2] * 1_000,
            "source_id": [10] * 3_000 + [11] * 2_000 + [12] * 1_000,
            "stop_date": pd.to_datetime(df["date"]).dt.date,
            "stop_time": pd.to_datetime(df["time"], format="%H:%M:%S").dt.time,
        }
    )
    for opp, col in engine.STOP_TO_OPP.items():
        if opp in ("stop_date", "stop_time"):
            continue
        out[opp] = df[col]
    out.loc[5, "stop_time"] = None  # a stop without a time
    return out


def _expected_cells(rows: pd.DataFrame, agency: int, imports=None):
    part = rows[rows.agency_id == agency]
    if imports:
        part = part[part.source_id.isin(imports)]
    opp = part.rename(columns=engine.STOP_TO_OPP)[list(engine.STOP_TO_OPP.values())]
    t = frame.duckdb_connection().create_table("expected", pa.Table.from_pandas(opp))
    table = frame.normalize(t)
    return {name: cells(table, OPTIONS) for name, cells in _cell_functions().items()}


def test_sqlite_stop_table_streams_into_duckdb(tmp_path):
    rows = _stop_rows()
    path = tmp_path / "app.sqlite3"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE stops_stop (id integer primary key, agency_id integer, source_id integer,"
        " stop_date date, stop_time time, subject_race text, district text, lat real, lng real,"
        " type text, search_conducted bool, search_basis text, contraband_found bool,"
        " frisk_performed bool, arrest_made bool, citation_issued bool, warning_issued bool)"
    )
    # As Django stores them: ISO text dates and times, 0/1 booleans, NULL for missing.
    records = rows.astype(object).where(rows.notna(), None)
    for c in ("stop_date", "stop_time"):
        records[c] = [None if v is None else v.isoformat() for v in records[c]]
    for c in ("search_conducted", "contraband_found", "frisk_performed", "arrest_made"):
        records[c] = [None if v is None else int(bool(v)) for v in records[c]]
    for c in ("citation_issued", "warning_issued"):
        records[c] = [None if v is None else int(bool(v)) for v in records[c]]
    db.executemany(
        f"INSERT INTO stops_stop ({','.join(rows.columns)}) VALUES "  # noqa: S608
        f"({','.join('?' * len(rows.columns))})",
        records.itertuples(index=False, name=None),
    )
    db.commit()
    db.close()
    source = engine.from_database(
        {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}, agency_id=1
    )
    assert source.engine == "sqlite"
    assert source.extra["rows_copied"] == 5_000
    for name, expected in _expected_cells(rows, 1).items():
        assert_same_cells(expected, _cell_functions()[name](source.table, OPTIONS))
    scoped = engine.from_sqlite(path, agency_id=1, import_ids=[11])
    assert scoped.extra["rows_copied"] == 2_000
    assert_same_cells(
        _expected_cells(rows, 1, [11])["rates"], rates.rates_cells(scoped.table, OPTIONS)
    )


@pytest.fixture(scope="module")
def pg_database():
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(
            host=PG_URL["host"], port=PG_URL["port"], user=PG_URL["user"], dbname="postgres",
            autocommit=True, connect_timeout=3,
        )  # fmt: skip
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL unreachable at {PG_URL['host']}:{PG_URL['port']}: {exc}")
    with admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [PG_URL["database"]]
        ).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{PG_URL["database"]}"')
    rows = _stop_rows()
    conn = psycopg.connect(
        host=PG_URL["host"], port=PG_URL["port"], user=PG_URL["user"],
        dbname=PG_URL["database"], autocommit=True,
    )  # fmt: skip
    with conn:
        conn.execute("DROP TABLE IF EXISTS stops_stop")  # a leftover of a killed run
        conn.execute(
            "CREATE TABLE stops_stop (id bigint primary key, agency_id bigint, source_id bigint,"
            " stop_date date, stop_time time, subject_race text, district text,"
            " lat double precision, lng double precision, type text, search_conducted boolean,"
            " search_basis text, contraband_found boolean, frisk_performed boolean,"
            " arrest_made boolean, citation_issued boolean, warning_issued boolean)"
        )
        records = rows.astype(object).where(rows.notna(), None)
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY stops_stop ({','.join(rows.columns)}) FROM STDIN") as copy,
        ):
            for record in records.itertuples(index=False, name=None):
                copy.write_row(record)
    yield rows
    with psycopg.connect(
        host=PG_URL["host"], port=PG_URL["port"], user=PG_URL["user"], dbname="postgres",
        autocommit=True,
    ) as admin:  # fmt: skip
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_URL["database"]}" WITH (FORCE)')


@pytest.mark.parametrize(
    "name",
    ["rates", "outcome", "threshold", "vod"],
)
def test_postgres_aggregation_matches_duckdb(pg_database, name):
    source = engine.from_database(
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": PG_URL["database"],
            "HOST": PG_URL["host"],
            "PORT": PG_URL["port"],
            "USER": PG_URL["user"],
        },
        agency_id=1,
    )
    assert source.engine == "postgres"
    cells = _cells_fn(name)
    assert_same_cells(_expected_cells(pg_database, 1)[name], cells(source.table, OPTIONS))
    scoped = engine.from_postgres(database=PG_URL["database"], user="postgres", agency_id=2)
    assert_same_cells(_expected_cells(pg_database, 2)[name], cells(scoped.table, OPTIONS))


def test_file_errors_are_clear(tmp_path):
    with pytest.raises(frame.FileFormatError, match="no such file"):
        engine.from_file(tmp_path / "absent.csv")
    no_race = tmp_path / "stops.csv"
    no_race.write_text("date,time\n2020-01-01,10:00\n")
    with pytest.raises(frame.FileFormatError, match=r"missing required column.*subject_race"):
        engine.from_file(no_race)
    with pytest.raises(ValueError, match="engine"):
        engine.from_file(no_race, engine="postgres")
