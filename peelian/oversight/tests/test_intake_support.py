"""Shared by the intake and tracker tests (no tests here): form data that passes the
anti-abuse checks, a small city to place complaints in, and a complaint filed through the
service."""

from __future__ import annotations

import secrets
import time
from typing import Any
from unittest import mock

from django.core import signing

from peelian.agency.geo import invalidate_beat_index
from peelian.agency.tests.factories import (
    AgencyFactory,
    BeatFactory,
    DistrictFactory,
    StreetSegmentFactory,
    rectangle,
)
from peelian.oversight.forms_public import STARTED_SALT
from peelian.oversight.services.intake import complaint_submit

NARRATIVE = "The officer shouted at me and took my phone without a reason."


def started_token(seconds_ago: float = 60) -> str:
    """The form's signed start time, as if the page was opened ``seconds_ago``."""
    with mock.patch("django.core.signing.time.time", return_value=time.time() - seconds_ago):
        return signing.TimestampSigner(salt=STARTED_SALT).sign("form")


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "started": started_token(),
        "submission_key": secrets.token_urlsafe(24),
        "website": "",
        "narrative": NARRATIVE,
        "occurred_on": "2025-03-14",
        "occurred_time": "21:30",
        "location_text": "",
        "lat": "",
        "lng": "",
        "anonymous": "on",
        "language": "es",
        "officers-TOTAL_FORMS": "3",
        "officers-INITIAL_FORMS": "0",
        "officers-MIN_NUM_FORMS": "0",
        "officers-MAX_NUM_FORMS": "10",
        "witnesses-TOTAL_FORMS": "2",
        "witnesses-INITIAL_FORMS": "0",
        "witnesses-MIN_NUM_FORMS": "0",
        "witnesses-MAX_NUM_FORMS": "10",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_city() -> Any:
    """One district, one beat covering lng -98.02..-97.98, lat 38.48..38.52, and a street
    (100-198 N Oak Ave) inside it."""
    agency = AgencyFactory()
    district = DistrictFactory(
        agency=agency, code="D1", name="North", boundary=rectangle(-98.02, 38.48, -97.98, 38.52)
    )
    beat = BeatFactory(
        district=district, code="B11", name="Oak", boundary=rectangle(-98.02, 38.48, -97.98, 38.52)
    )
    StreetSegmentFactory(
        agency=agency,
        street="N Oak Ave",
        start_lat=38.50,
        start_lng=-98.01,
        end_lat=38.505,
        end_lng=-98.01,
    )
    invalidate_beat_index()
    return beat


def file_complaint(**overrides: Any) -> tuple[Any, str]:
    values: dict[str, Any] = {
        "actor": "public",
        "kind": "complaint",
        "narrative": NARRATIVE,
        "language": "en",
        "officers": [{"name": "Officer Grimes", "badge": "4411"}],
        "witnesses": [{"name": "Wanda Witness", "contact": "555-0101"}],
        "complainant": {"name": "Carla Complainant", "email": "carla@example.org"},
        "submission_key": secrets.token_urlsafe(24),
    }
    values.update(overrides)
    complaint, code = complaint_submit(**values)
    assert code is not None
    return complaint, code
