"""Template filters of the public site."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def num(value: Any, places: int = 4) -> str:
    """A number in the reader's locale, rounded to ``places`` decimals with trailing zeros
    dropped: 0.2 -> "0.2" (English) or "0,2" (Spanish); 12.0 -> "12". Empty for None."""
    if value is None or value == "":
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number) or math.isinf(number):
        return ""
    text = f"{round(number, int(places)):.{int(places)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return number_format(Decimal(text), use_l10n=True)


@register.simple_tag(name="site_name")
def site_name_tag() -> str:
    """The site's name from settings, for pages rendered without context processors (the
    400 and 500 pages)."""
    from peelian.web.context_processors import site_name

    return site_name()
