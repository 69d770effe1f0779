"""Fixtures for the use-of-force tests: the agency tests' small city (two districts, four
beats, streets, officers, a supervisor), plus an officer with a user account and helpers
to file a report."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from peelian.agency.tests.conftest import (  # noqa: F401 - fixtures
    _fresh_beat_index,
    city,
    officer_in,
    staff,
)
from peelian.force.services import OfficerInput, SubjectInput, force_report

WHEN = dt.datetime(2026, 3, 14, 22, 30, tzinfo=dt.UTC)


@pytest.fixture
def people(staff: SimpleNamespace, make_user: Any) -> SimpleNamespace:  # noqa: F811
    """``staff`` plus: officer Adams signed up as a user (no role), an analyst, an
    administrator, an investigator, and a second supervisor not linked to an officer."""
    a_user = make_user(username="adams")
    staff.a.user = a_user
    staff.a.save(update_fields=["user"])
    return SimpleNamespace(
        **vars(staff),
        a_user=a_user,
        analyst=make_user("analyst", username="ana"),
        admin=make_user("administrator", username="root"),
        investigator=make_user("investigator", username="ivy"),
        sup2=make_user("supervisor", username="sup2"),
        nobody=make_user(username="nobody"),
    )


def file_report(actor: Any, officer_list: list[Any], **kwargs: Any) -> Any:
    values: dict[str, Any] = {
        "occurred_at": WHEN,
        "lat": 38.51,
        "lng": -97.99,
        "resistance": "active",
        "narrative": "Subject pulled away; officer used a wrist lock.",
        "officers": [OfficerInput(officer=o, force_types=["control_hold"]) for o in officer_list],
        "subjects": [SubjectInput(race="black", sex="male", age=24, injured=False)],
    }
    values.update(kwargs)
    return force_report(actor=actor, **values)


@pytest.fixture
def now() -> dt.datetime:
    return timezone.now()
