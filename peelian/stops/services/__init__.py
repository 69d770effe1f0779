"""Writes of the stop-data module: imports (``imports.py``) and analysis runs (``runs.py``)."""

from peelian.stops.services.imports import stops_import
from peelian.stops.services.runs import (
    analysis_run_create,
    analysis_run_execute,
    analysis_run_publish,
)

__all__ = [
    "analysis_run_create",
    "analysis_run_execute",
    "analysis_run_publish",
    "stops_import",
]
