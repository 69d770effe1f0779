"""A server-drawn SVG map of districts and beats: no tiles, no script.

Longitude and latitude are projected to the SVG plane with an equirectangular projection
scaled by the cosine of the map's middle latitude (true shape at city scale), y pointing
down. The drawn map is kept per process and rebuilt when a beat or district changes (the
same kind of signature as the beat index in ``geo``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from peelian.agency.models import Beat, District

WIDTH = 800
PADDING = 12
# Okabe-Ito colours (distinguishable with colour-vision deficiencies), drawn as light tints.
PALETTE = ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#999999")


@dataclass(frozen=True)
class MapShape:
    pk: int
    code: str
    name: str
    district_code: str
    path: str
    label_x: float
    label_y: float
    fill: str
    population: int


@dataclass(frozen=True)
class SvgMap:
    width: int
    height: int
    districts: tuple[MapShape, ...]
    beats: tuple[MapShape, ...]
    bounds: tuple[float, float, float, float]  # min lng, min lat, max lng, max lat
    scale: float
    cos_lat: float

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    def project(self, lng: float, lat: float) -> tuple[float, float]:
        min_lng, _min_lat, _max_lng, max_lat = self.bounds
        return (
            round(PADDING + (lng - min_lng) * self.cos_lat * self.scale, 1),
            round(PADDING + (max_lat - lat) * self.scale, 1),
        )

    def contains(self, lng: float, lat: float) -> bool:
        min_lng, min_lat, max_lng, max_lat = self.bounds
        return min_lng <= lng <= max_lng and min_lat <= lat <= max_lat


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return []


def _path(geom: BaseGeometry, svg: SvgMap) -> str:
    parts = []
    for polygon in _polygons(geom):
        for ring in (polygon.exterior, *polygon.interiors):
            points = [svg.project(x, y) for x, y, *_z in ring.coords]
            if len(points) < 4:
                continue
            head = f"M{points[0][0]} {points[0][1]}"
            parts.append(head + "".join(f"L{x} {y}" for x, y in points[1:-1]) + "Z")
    return "".join(parts)


def build_map(
    districts: Iterable[tuple[int, str, str, dict[str, Any]]],
    beats: Iterable[tuple[int, str, str, str, dict[str, Any], int]],
    *,
    width: int = WIDTH,
) -> SvgMap | None:
    """Project ``districts`` (pk, code, name, boundary) and ``beats`` (pk, code, name,
    district code, boundary, population). None when there is nothing to draw."""
    district_geoms = [(pk, code, name, shape(b)) for pk, code, name, b in districts]
    beat_geoms = [(pk, code, name, d, shape(b), pop) for pk, code, name, d, b, pop in beats]
    geoms = [g for *_r, g in district_geoms] + [row[4] for row in beat_geoms]
    if not geoms:
        return None
    min_x = min(g.bounds[0] for g in geoms)
    min_y = min(g.bounds[1] for g in geoms)
    max_x = max(g.bounds[2] for g in geoms)
    max_y = max(g.bounds[3] for g in geoms)
    cos_lat = math.cos(math.radians((min_y + max_y) / 2))
    span_x = max((max_x - min_x) * cos_lat, 1e-9)
    span_y = max(max_y - min_y, 1e-9)
    scale = (width - 2 * PADDING) / span_x
    height = math.ceil(span_y * scale + 2 * PADDING)
    svg = SvgMap(width, height, (), (), (min_x, min_y, max_x, max_y), scale, cos_lat)
    colours = {
        code: PALETTE[i % len(PALETTE)]
        for i, (_pk, code, _n, _g) in enumerate(sorted(district_geoms, key=lambda r: r[1]))
    }

    def label(geom: BaseGeometry) -> tuple[float, float]:
        point = geom.representative_point()
        return svg.project(point.x, point.y)

    district_shapes = tuple(
        MapShape(
            pk=pk,
            code=code,
            name=name,
            district_code=code,
            path=_path(geom, svg),
            label_x=label(geom)[0],
            label_y=label(geom)[1],
            fill=colours[code],
            population=sum(row[5] for row in beat_geoms if row[3] == code),
        )
        for pk, code, name, geom in sorted(district_geoms, key=lambda r: r[1])
    )
    beat_shapes = tuple(
        MapShape(
            pk=pk,
            code=code,
            name=name,
            district_code=district_code,
            path=_path(geom, svg),
            label_x=label(geom)[0],
            label_y=label(geom)[1],
            fill=colours.get(district_code, PALETTE[-1]),
            population=population,
        )
        for pk, code, name, district_code, geom, population in sorted(
            beat_geoms, key=lambda r: (r[3], r[1])
        )
    )
    return SvgMap(
        width=width,
        height=height,
        districts=district_shapes,
        beats=beat_shapes,
        bounds=svg.bounds,
        scale=scale,
        cos_lat=cos_lat,
    )


_cache: dict[str, tuple[tuple[Any, ...], SvgMap | None]] = {}
_lock = threading.Lock()


def _signature() -> tuple[Any, ...]:
    b = Beat.objects.aggregate(n=Count("id"), latest=Max("updated_at"), top=Max("id"))
    d = District.objects.aggregate(n=Count("id"), latest=Max("updated_at"), top=Max("id"))
    return (b["n"], b["latest"], b["top"], d["n"], d["latest"], d["top"])


def city_map() -> SvgMap | None:
    """The map of every district and beat, rebuilt only when they changed."""
    signature = _signature()
    cached = _cache.get("city")
    if cached is not None and cached[0] == signature:
        return cached[1]
    svg = build_map(
        District.objects.values_list("pk", "code", "name", "boundary"),
        Beat.objects.values_list("pk", "code", "name", "district__code", "boundary", "population"),
    )
    with _lock:
        _cache["city"] = (signature, svg)
    return svg
