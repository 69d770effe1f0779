"""Geometry for the report's charts, drawn as inline SVG by the templates (no JavaScript,
no external library). Each chart also has a table with the same numbers on the page, so
the SVG is decoration for sighted readers, never the only place a number lives."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 640
LEFT = 190  # room for the row labels
RIGHT = 24
ROW_HEIGHT = 34
TOP = 12
AXIS = 30


@dataclass(frozen=True)
class IntervalRow:
    label: str
    estimate: float
    lower: float | None
    upper: float | None


def _nice_max(value: float) -> float:  # the series chart's y axis
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return float(candidate)
    return float(10 ** (exponent + 1))


def _nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` steps."""
    raw = span / ticks if span > 0 else 1.0
    exponent = math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        if step * 10**exponent >= raw:
            return float(step * 10**exponent)
    return float(10 ** (exponent + 1))


def _tick_label(value: float, step: float, as_percent: bool) -> str:
    shown, shown_step = (value * 100, step * 100) if as_percent else (value, step)
    decimals = max(0, -math.floor(math.log10(shown_step))) if shown_step > 0 else 0
    if shown_step * 10**decimals % 1:  # 2.5-type steps need one more decimal
        decimals += 1
    text = f"{shown:,.{decimals}f}"
    return f"{text}%" if as_percent else text


def interval_chart(rows: Sequence[IntervalRow], *, as_percent: bool = True) -> dict[str, Any]:
    """A dot for each estimate with a line for its interval, one row per group."""
    top = max([r.upper if r.upper is not None else r.estimate for r in rows] or [0.0])
    step = _nice_step(top * 1.05)
    n_steps = max(1, math.ceil(top * 1.05 / step))
    xmax = step * n_steps
    span = WIDTH - LEFT - RIGHT

    def x(value: float) -> float:
        return round(LEFT + span * max(0.0, min(value, xmax)) / xmax, 1)

    out_rows = []
    for i, row in enumerate(rows):
        y = TOP + ROW_HEIGHT * i + ROW_HEIGHT / 2
        out_rows.append(
            {
                "label": row.label,
                "y": round(y, 1),
                "label_y": round(y + 5, 1),
                "x": x(row.estimate),
                "x_lo": x(row.lower) if row.lower is not None else None,
                "x_hi": x(row.upper) if row.upper is not None else None,
            }
        )
    height = TOP + ROW_HEIGHT * len(rows) + AXIS
    ticks = [
        {"x": x(step * k), "label": _tick_label(step * k, step, as_percent)}
        for k in range(n_steps + 1)
    ]
    return {
        "view_box": f"0 0 {WIDTH} {height}",
        "rows": out_rows,
        "ticks": ticks,
        "axis_y": TOP + ROW_HEIGHT * len(rows),
        "tick_label_y": TOP + ROW_HEIGHT * len(rows) + 18,
        "left": LEFT,
        "right": WIDTH - RIGHT,
    }


def series_chart(
    series: Sequence[tuple[str, Sequence[tuple[float, float]]]],
    *,
    x_label_every: float = 30.0,
    height: int = 260,
) -> dict[str, Any]:
    """Points (x, y share) for each named series, on shared axes; y from 0 to a nice max."""
    xs = [p[0] for _name, pts in series for p in pts]
    ys = [p[1] for _name, pts in series for p in pts]
    if not xs:
        return {"empty": True}
    x0, x1 = min(xs), max(xs)
    if x1 == x0:
        x1 = x0 + 1
    ymax = _nice_max(max(ys) * 1.05) if ys else 1.0
    left, right, top, bottom = 56, WIDTH - 16, 12, height - 34

    def px(value: float) -> float:
        return round(left + (right - left) * (value - x0) / (x1 - x0), 1)

    def py(value: float) -> float:
        return round(bottom - (bottom - top) * value / ymax, 1)

    out = []
    for name, pts in series:
        out.append({"name": name, "points": [{"x": px(a), "y": py(b)} for a, b in pts]})
    x_ticks = []
    start = math.ceil(x0 / x_label_every) * x_label_every
    value = start
    while value <= x1:
        x_ticks.append({"x": px(value), "label": f"{value:+.0f}" if value else "0"})
        value += x_label_every
    y_ticks = [{"y": py(ymax * k / 4), "label": f"{ymax * k / 4 * 100:.0f}%"} for k in range(5)]
    return {
        "empty": False,
        "view_box": f"0 0 {WIDTH} {height}",
        "series": out,
        "x_ticks": x_ticks,
        "y_ticks": y_ticks,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "zero_x": px(0.0) if x0 <= 0 <= x1 else None,
    }
