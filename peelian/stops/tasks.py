"""Background work of the stop-data module. Thin: call one service."""

from __future__ import annotations

from django_tasks import task


@task()
def execute_analysis_run(run_id: int) -> str:
    """Run a queued stop-data analysis (it can take a minute on a large agency)."""
    from peelian.stops.services.runs import analysis_run_execute

    return analysis_run_execute(run_id=run_id).status
