"""Zonal statistics over count rasters (people per cell): the sum of the cells whose centres fall
inside a polygon, with the share of the polygon the raster covers.

Domain-free: the layers app registers which rasters hold counts (`register_count_rasters`); the
domain asks for them through `count_rasters()` without importing the app that stores them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import shapely
from rasterio.features import geometry_mask
from rasterio.warp import transform_geom
from rasterio.windows import Window


@dataclass(frozen=True)
class CountRaster:
    """A registered raster whose cells hold counts (e.g. GHS-POP: people per 100 m cell)."""

    name: str
    path: Path | str  # what GDAL opens: a file, or a /vsis3/ object with `gdal_options`
    title: str
    bounds: tuple[float, float, float, float]  # lon/lat of the data: west, south, east, north
    attribution: str = ""
    gdal_options: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ZonalSum:
    total: float
    coverage: float  # share of the polygon's area with raster data (0..1)
    cells: int  # cells whose centre is inside the polygon and that hold data


_providers: list[Callable[[], Iterable[CountRaster]]] = []


def register_count_rasters(provider: Callable[[], Iterable[CountRaster]]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def count_rasters() -> list[CountRaster]:
    return [raster for provider in _providers for raster in provider()]


def zonal_sum(
    path: Path | str, polygon_lonlat: shapely.Geometry, gdal_options: dict[str, Any] | None = None
) -> ZonalSum:
    """Sum of the cells whose centres fall inside the polygon (lon/lat, EPSG:4326), nodata ignored.

    The polygon is reprojected to the raster's CRS and only the window of its bounds is read.
    Coverage is the share of the polygon's area inside the raster's extent (measured in the
    raster's CRS; GHS-POP's Mollweide is equal-area) times the share of the cells there that hold
    data, so a polygon reaching into a clip's nodata margin is not taken as fully covered.
    `gdal_options` (rasterio.Env's) reach a raster in object storage; rasterio.errors.RasterioIOError
    when the raster cannot be opened.
    """
    # (src.crs.to_string() is avoided: its EPSG lookup alone costs ~20 ms for Mollweide.)
    with rasterio.Env(**(gdal_options or {})), rasterio.open(path) as src:
        if src.crs is None:
            raise ValueError(f"{path}: el ráster no declara su sistema de referencia")
        projected = shapely.geometry.shape(
            transform_geom("EPSG:4326", src.crs, shapely.geometry.mapping(polygon_lonlat))
        )
        if not projected.is_valid:
            projected = shapely.make_valid(projected)
        area = projected.area
        extent = shapely.box(*src.bounds)
        inside = projected.intersection(extent)
        if area <= 0 or inside.is_empty:
            return ZonalSum(0.0, 0.0, 0)
        extent_share = min(inside.area / area, 1.0)
        window = _window(src, inside.bounds)
        if window is None:
            return ZonalSum(0.0, 0.0, 0)
        data = src.read(1, window=window, masked=True)
        centres_inside = geometry_mask(
            [shapely.geometry.mapping(projected)],
            out_shape=data.shape,
            transform=src.window_transform(window),
            all_touched=False,
            invert=True,
        )
    valid = centres_inside & ~np.ma.getmaskarray(data)
    if not np.isfinite(data.filled(0)).all():
        valid &= np.isfinite(data.filled(0))
    in_cells = int(centres_inside.sum())
    n_valid = int(valid.sum())
    # A polygon smaller than a cell may hold no cell centre: its coverage is the extent share.
    data_share = n_valid / in_cells if in_cells else (1.0 if extent_share else 0.0)
    total = float(np.asarray(data.data, dtype="float64")[valid].sum()) if n_valid else 0.0
    return ZonalSum(total, extent_share * data_share, n_valid)


def _window(src: Any, bounds: tuple[float, float, float, float]) -> Window | None:
    """The whole cells that the bounds touch, clipped to the raster."""
    inverse = ~src.transform
    xs, ys = zip(
        *(inverse * (x, y) for x in (bounds[0], bounds[2]) for y in (bounds[1], bounds[3])), strict=True
    )
    col0, col1 = max(math.floor(min(xs)), 0), min(math.ceil(max(xs)), src.width)
    row0, row1 = max(math.floor(min(ys)), 0), min(math.ceil(max(ys)), src.height)
    if col1 <= col0 or row1 <= row0:
        return None
    return Window(col0, row0, col1 - col0, row1 - row0)
