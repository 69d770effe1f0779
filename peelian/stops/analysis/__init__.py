"""Stop-data disparity analysis, as pure functions over Ibis tables and pandas frames.

Nothing in this package imports Django. The aggregation is written once with Ibis and runs
on DuckDB (files, the default), on PostgreSQL (imported stops) and on Spark (state-scale
data); the models then fit on the aggregated cells. Each analysis module exposes
``analyze(table, options) -> dict``, where ``table`` is the output of
:func:`peelian.stops.analysis.frame.normalize`.
"""
