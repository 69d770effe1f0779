"""Progress of ``peelian seed`` on stderr: a rich bar with an ETA on a terminal, plain lines
with percent and ETA otherwise (logs, CI)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, TextIO

from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from peelian.core.registry import DemoContribution

_SCALE = 1000  # progress units per unit of weight


class _Weighted:
    """Turns (step, done, total) into a share of the whole run, by the steps' weights."""

    def begin(self, steps: Sequence[DemoContribution]) -> None:
        self.offsets: dict[str, float] = {}
        position = 0.0
        for step in steps:
            self.offsets[step.name] = position
            position += max(step.weight, 0.0)
        self.total = position or 1.0

    def fraction(self, step: DemoContribution, done: int, total: int) -> float:
        within = min(max(done / total, 0.0), 1.0) if total > 0 else 0.0
        return (self.offsets[step.name] + max(step.weight, 0.0) * within) / self.total


def format_seconds(seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, s = divmod(seconds, 60)
    return f"{minutes}:{s:02d}"


class RichProgress(_Weighted):
    def __init__(self, stream: TextIO | None = None) -> None:
        console = Console(file=stream, stderr=stream is None)
        self.progress = Progress(
            TextColumn("[bold]{task.description:<14}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TextColumn(_("ETA")),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.task: Any = None

    def begin(self, steps: Sequence[DemoContribution]) -> None:
        super().begin(steps)
        self.progress.start()
        first = steps[0].name if steps else ""
        self.task = self.progress.add_task(first, total=self.total * _SCALE)

    def update(self, step: DemoContribution, done: int, total: int) -> None:
        completed = self.fraction(step, done, total) * self.total * _SCALE
        self.progress.update(self.task, completed=completed, description=step.name)

    def step_done(self, step: DemoContribution, seconds: float) -> None:
        self.update(step, 1, 1)

    def end(self) -> None:
        self.progress.update(self.task, completed=self.total * _SCALE, description=_("done"))
        self.progress.stop()


class PlainProgress(_Weighted):
    """One line per step and per 10% of the run: ``seed  40%  agency  elapsed 0:03  ETA
    0:05``. The ETA assumes the remaining work goes at the pace so far."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.next_mark = 0.1
        self.step_name = ""

    def begin(self, steps: Sequence[DemoContribution]) -> None:
        super().begin(steps)
        self.started = time.monotonic()

    def _line(self, name: str, fraction: float) -> None:
        elapsed = time.monotonic() - self.started
        eta = elapsed / fraction * (1 - fraction) if fraction > 0 else 0.0
        self.stream.write(
            _("seed %(pct)3d%%  %(step)-14s elapsed %(elapsed)s  ETA %(eta)s\n")
            % {
                "pct": int(fraction * 100),
                "step": name,
                "elapsed": format_seconds(elapsed),
                "eta": format_seconds(eta) if fraction > 0 else "?",
            }
        )
        self.stream.flush()

    def update(self, step: DemoContribution, done: int, total: int) -> None:
        fraction = self.fraction(step, done, total)
        new_step = step.name != self.step_name
        crossed = fraction >= self.next_mark
        while self.next_mark <= fraction:
            self.next_mark += 0.1
        self.step_name = step.name
        if new_step or crossed:
            self._line(step.name, fraction)

    def step_done(self, step: DemoContribution, seconds: float) -> None:
        self.update(step, 1, 1)

    def end(self) -> None:
        self._line(_("done"), 1.0)


def progress_for(stream: TextIO) -> RichProgress | PlainProgress:
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        # rich writes partial lines: give it the raw stream, not Django's OutputWrapper
        # (which appends a newline to every write).
        return RichProgress(getattr(stream, "_out", stream))
    return PlainProgress(stream)
