from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from peelian.core.strategies import STRATEGIES


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "agency_name": settings.PEELIAN_AGENCY_NAME,
        "strategies": STRATEGIES,
    }
