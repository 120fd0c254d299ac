"""Population inside any polygon: `population_in(geom)`, the one entry point.

1. A registered population raster (gis_core.zonal; GHS-POP 100 m) covering at least
   RASTER_MIN_COVERAGE of the polygon: the sum of the cells whose centres fall inside.
   Of several, the one covering most. Method ``raster:<layer name>``.
2. Otherwise areal weighting of the finest census unit loaded (Censo 2020):
   - ``areal:ageb`` when urban AGEBs cover at least RASTER_MIN_COVERAGE of the polygon;
   - ``areal:localidad`` when localidades are loaded for the municipios the polygon touches:
     localidad polygons weighted by the area shared, localidades known only as points counted
     whole when the point is inside (every inhabitant lives in some localidad);
   - ``areal:municipio`` otherwise.
   Areal weighting assumes people spread evenly in each unit: exact for whole units, an estimate
   for parts of them. Areas in EPSG:6372.

Every answer names its method and its coverage (the share of the polygon the source covers), and
`raster_coverage` when a raster touched the polygon but covered too little of it, and
`rasters_unavailable` naming the registered rasters whose files could not be read.
"""

from __future__ import annotations

import logging
from typing import Any

import shapely
from django.contrib.gis.db.models.functions import Area, Intersection, Transform
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Count, Exists, OuterRef, Q, Sum
from rasterio.errors import RasterioIOError

from gis_core.geometry import AREA_SRID, area_m2
from gis_core.zonal import CountRaster, ZonalSum, count_rasters, zonal_sum
from priority_zones.models import Ageb, Localidad, Municipio

# Below this share of the polygon covered by a raster (or by AGEBs) the next source is used:
# a GHS-POP clip of a metropolitan zone must not answer for a polygon half outside it.
RASTER_MIN_COVERAGE = 0.95
log = logging.getLogger(__name__)
CENSUS_SOURCE = "INEGI, Censo de Población y Vivienda 2020"
UNIT_COLUMNS = ("cvegeo", "population_2020", "shared", "whole")


def _overlaps(raster: CountRaster, extent: tuple[float, float, float, float]) -> bool:
    west, south, east, north = raster.bounds
    x0, y0, x1, y1 = extent
    return west < x1 and x0 < east and south < y1 and y0 < north


def best_raster(
    geom: GEOSGeometry, unreadable: list[str] | None = None
) -> tuple[CountRaster, ZonalSum] | None:
    """The registered count raster covering most of the polygon, with its zonal sum. A raster whose
    file cannot be read (missing from the storage, the storage down) is passed over, logged, and
    its name added to `unreadable`."""
    candidates = [r for r in count_rasters() if _overlaps(r, geom.extent)]
    if not candidates:
        return None
    polygon = shapely.from_wkb(bytes(geom.transform(4326, clone=True).wkb))
    best: tuple[CountRaster, ZonalSum] | None = None
    for raster in candidates:
        try:
            result = zonal_sum(raster.path, polygon, raster.gdal_options)
        except RasterioIOError as exc:
            log.error("population raster %s cannot be read (%s): passed over", raster.name, exc)
            if unreadable is not None:
                unreadable.append(raster.name)
            continue
        if best is None or result.coverage > best[1].coverage:
            best = (raster, result)
    return best


def population_in(geom: GEOSGeometry) -> dict[str, Any]:
    """{"population", "value" (the same), "method", "coverage", "source", …} for a polygon."""
    unreadable: list[str] = []
    found = best_raster(geom, unreadable)
    if found is not None and found[1].coverage >= RASTER_MIN_COVERAGE:
        raster, result = found
        people = round(result.total)
        return {
            "population": people,
            "value": people,
            "method": f"raster:{raster.name}",
            "coverage": round(result.coverage, 4),
            "source": raster.attribution or raster.title,
            "cells": result.cells,
            "units": "cell",
        }
    answer = census_population(geom)
    if unreadable:
        answer["rasters_unavailable"] = unreadable
    if found is not None:
        answer["raster_coverage"] = round(found[1].coverage, 4)
        answer["raster"] = found[0].name
    return answer


def _shares(queryset, geom: GEOSGeometry):
    return queryset.filter(geom__intersects=geom).annotate(
        shared=Area(Transform(Intersection("geom", geom), AREA_SRID)),
        whole=Area(Transform("geom", AREA_SRID)),
    )


def _weighted(rows, area: float) -> tuple[float, float, list[dict[str, Any]]]:
    total = covered = 0.0
    used = []
    for cvegeo, population, shared, whole in rows:
        covered += shared.sq_m
        if whole.sq_m <= 0 or population is None:
            continue
        share = shared.sq_m / whole.sq_m
        total += population * share
        used.append({"cvegeo": cvegeo, "share": round(share, 6)})
    return total, (min(covered / area, 1.0) if area else 0.0), used


def census_population(geom: GEOSGeometry) -> dict[str, Any]:
    """Areal weighting of the finest census unit loaded where the polygon lies.

    Queries: 1 (municipios with their shares and whether AGEBs and localidades are loaded there),
    then 1 for AGEBs when some are loaded, 2 for localidades when they answer.
    """
    area = area_m2(geom)
    municipios = list(
        _shares(Municipio.objects.all(), geom)
        .annotate(
            has_agebs=Exists(Ageb.objects.filter(municipio=OuterRef("pk"), ambito="U")),
            has_localidades=Exists(Localidad.objects.filter(municipio=OuterRef("pk"))),
        )
        .values_list(*UNIT_COLUMNS, "has_agebs", "has_localidades")
    )
    if any(row[4] for row in municipios):
        agebs = _shares(Ageb.objects.filter(ambito="U"), geom).values_list(*UNIT_COLUMNS)
        total, coverage, used = _weighted(agebs, area)
        if used and coverage >= RASTER_MIN_COVERAGE:
            return _answer(total, "ageb", coverage, used)
    m_total, m_coverage, m_used = _weighted([row[:4] for row in municipios], area)
    if municipios and all(row[5] for row in municipios):
        return _localidades(geom, area, m_coverage)
    return _answer(m_total, "municipio", m_coverage, m_used)


def _localidades(geom: GEOSGeometry, area: float, coverage: float) -> dict[str, Any]:
    polygons = _shares(Localidad.objects.filter(geom__isnull=False), geom).values_list(
        "cvegeo", "population_2020", "shared", "whole"
    )
    total, _covered, used = _weighted(polygons, area)
    points = Localidad.objects.filter(geom__isnull=True, point__within=geom).filter(~Q(population_2020=None))
    counted = points.aggregate(people=Sum("population_2020"), n=Count("pk"))
    total += counted["people"] or 0
    answer = _answer(total, "localidad", coverage, used)
    answer["points_counted"] = counted["n"]
    return answer


def _answer(total: float, unit: str, coverage: float, used: list[dict[str, Any]]) -> dict[str, Any]:
    people = round(total)
    return {
        "population": people,
        "value": people,
        "method": f"areal:{unit}",
        "coverage": round(coverage, 4),
        "source": CENSUS_SOURCE,
        "units": unit,
        "units_used": used,
    }
