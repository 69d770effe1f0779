"""Template filters for the staff pages (the lockout page has only what django-axes gives)."""

from __future__ import annotations

import datetime as dt
import math

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    """A duration in whole minutes, rounded up."""
    if not isinstance(value, dt.timedelta):
        return 0
    return max(0, math.ceil(value.total_seconds() / 60))


@register.filter
def from_now(value: dt.timedelta | None) -> dt.datetime | None:
    """The local time ``value`` from now."""
    if not isinstance(value, dt.timedelta):
        return None
    return timezone.localtime(timezone.now() + value)
