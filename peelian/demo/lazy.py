"""A demo-city builder named by its dotted path and imported only when the city is seeded,
so registering a contribution in ``AppConfig.ready()`` costs nothing at start-up (the
builders pull in numpy, shapely and Faker)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any


@dataclass(frozen=True)
class LazyBuild:
    """``LazyBuild("peelian.agency.demo.build")(ctx)`` imports the module and calls it.
    Two instances with the same path are equal, so registering twice is harmless."""

    path: str

    def __call__(self, ctx: Any) -> None:
        module, _dot, name = self.path.rpartition(".")
        getattr(import_module(module), name)(ctx)


def lazy_build(path: str) -> LazyBuild:
    if "." not in path:
        raise ValueError(f"{path!r} is not a dotted path to a function")
    return LazyBuild(path)
