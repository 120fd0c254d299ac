"""Population inside a polygon: GHS-POP zonal sums where a registered raster covers it, census
areal weighting (AGEB, localidad, municipio) otherwise; the method and coverage always stated."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.core.management import call_command
from django.core.management.base import CommandError
from pyproj import Transformer
from rasterio.transform import Affine

from gis_core.zonal import zonal_sum
from priority_zones.population import RASTER_MIN_COVERAGE, census_population, population_in
from tests.places import box

LEON_GRID = "ghs_pop2020_100m_zm_leon_esri54009.tif"
GTO_GRID = "ghs_pop2020_100m_zm_guanajuato_esri54009.tif"
# About 10 km² in the centre of León (3.3 km x 3.0 km), well inside the León grid.
DOWNTOWN_LEON = (-101.70, 21.105, -101.668, 21.132)


def register(shared_data, name: str, filename: str, *extra: str) -> None:
    call_command(
        "register_raster", name, str(shared_data / filename), "--title", name, "--population", *extra
    )


@pytest.fixture
def ghs_leon(db, shared_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    register(shared_data, "ghs_pop2020_leon", LEON_GRID, "--attribution", "GHS-POP 2020, JRC")
    return shared_data / LEON_GRID


def independent_sum(path, polygon_lonlat: shapely.Geometry) -> tuple[float, float]:
    """Sum of the cells whose centre lies in the polygon, computed another way: every cell centre's
    Mollweide coordinates from the affine transform, the polygon reprojected with pyproj, and
    shapely's contains_xy. Also the share of the polygon's area inside the grid's extent."""
    with rasterio.open(path) as src:
        cells = src.read(1)
        t = src.transform
        nodata = src.nodata
        bounds = src.bounds
    to_moll = Transformer.from_crs("EPSG:4326", "ESRI:54009", always_xy=True)
    polygon = shapely.transform(
        polygon_lonlat, lambda xy: np.column_stack(to_moll.transform(xy[:, 0], xy[:, 1]))
    )
    rows, cols = np.indices(cells.shape)
    xs = t.c + (cols + 0.5) * t.a
    ys = t.f + (rows + 0.5) * t.e
    inside = shapely.contains_xy(polygon, xs, ys) & (cells != nodata)
    extent_share = polygon.intersection(shapely.box(*bounds)).area / polygon.area
    return float(cells[inside].sum()), extent_share


def leon_outline(shared_data) -> shapely.Geometry:
    features = json.loads((shared_data / "gto_municipios_mg2025.geojson").read_text())["features"]
    (leon,) = [f for f in features if f["properties"]["cve_geo"] == "11020"]
    return shapely.geometry.shape(leon["geometry"])


def test_the_zonal_sum_of_leon_matches_an_independent_cell_centre_sum(shared_data):
    outline = leon_outline(shared_data)
    result = zonal_sum(shared_data / LEON_GRID, outline)
    expected, extent_share = independent_sum(shared_data / LEON_GRID, outline)
    assert result.total == pytest.approx(expected, rel=1e-9)
    assert 1_400_000 < result.total < 1_500_000  # fewer than the 1.72 million of the census
    # The grid is a clip of the metropolitan zone: the north of the municipio lies outside it.
    assert result.coverage == pytest.approx(extent_share, abs=1e-9)
    assert result.coverage < RASTER_MIN_COVERAGE


def test_a_drawn_polygon_inside_the_grid_takes_the_raster_sum(ghs_leon, client):
    polygon = shapely.box(*DOWNTOWN_LEON)
    expected, extent_share = independent_sum(ghs_leon, polygon)
    assert extent_share == 1.0
    answer = population_in(GEOSGeometry(polygon.wkt, srid=4326))
    assert answer["method"] == "raster:ghs_pop2020_leon"
    assert answer["coverage"] == 1.0
    assert answer["population"] == round(expected) == answer["value"]
    assert answer["population"] > 50_000  # downtown León is dense

    body = client.post(
        "/api/summary", json.dumps(shapely.geometry.mapping(polygon)), content_type="application/json"
    ).json()
    assert body["population"]["method"] == "raster:ghs_pop2020_leon"
    assert body["population"]["population"] == round(expected)


def test_a_municipio_partly_outside_every_raster_falls_back_to_the_census_and_says_so(
    ghs_leon, inegi_municipios
):
    leon = inegi_municipios["11020"]
    answer = population_in(leon.geom)
    assert answer["method"] == "areal:municipio"
    assert answer["population"] == pytest.approx(1721215, rel=1e-3)  # the whole municipio
    assert answer["raster"] == "ghs_pop2020_leon"
    assert 0.5 < answer["raster_coverage"] < RASTER_MIN_COVERAGE
    assert answer["coverage"] == pytest.approx(1.0, abs=1e-3)


def test_of_several_rasters_the_one_covering_most_is_used(ghs_leon, shared_data, inegi_municipios):
    register(shared_data, "ghs_pop2020_guanajuato", GTO_GRID)
    # Straddles the León grid's east edge (-101.437) and the Guanajuato grid's west edge (-101.400).
    straddling = box(-101.45, 20.95, -101.30, 21.00)
    answer = population_in(straddling)
    assert answer["raster"] == "ghs_pop2020_guanajuato"
    assert 0.1 < answer["raster_coverage"] < RASTER_MIN_COVERAGE  # León covers less than 0.1
    inside_gto = box(-101.30, 20.95, -101.25, 21.00)
    assert population_in(inside_gto)["method"] == "raster:ghs_pop2020_guanajuato"


def test_without_rasters_agebs_that_cover_the_polygon_are_weighted_by_area(leon):
    from priority_zones.actions import do_upsert_ageb

    do_upsert_ageb(
        "1102000010010", geom=box(-101.70, 21.10, -101.69, 21.11), municipio=leon, population_2020=1000
    )
    do_upsert_ageb(
        "1102000010025", geom=box(-101.69, 21.10, -101.68, 21.11), municipio=leon, population_2020=3000
    )
    answer = population_in(box(-101.70, 21.10, -101.685, 21.11))  # the first whole, half the second
    assert answer["method"] == "areal:ageb"
    assert answer["population"] == pytest.approx(1000 + 1500, rel=2e-3)
    assert answer["coverage"] == pytest.approx(1.0, abs=1e-6)
    # Half outside the AGEBs: they do not cover it, so the next unit (municipio) answers.
    assert population_in(box(-101.71, 21.10, -101.69, 21.11))["method"] == "areal:municipio"


def test_localidades_count_polygons_by_area_and_points_whole(leon):
    from django.contrib.gis.geos import Point

    from priority_zones.actions import do_upsert_localidad

    common = {"municipio": leon, "ambito": "R"}
    do_upsert_localidad(
        "110200100",
        name="Con polígono",
        geom=box(-101.60, 21.20, -101.58, 21.22),
        population_2020=400,
        **common,
    )
    do_upsert_localidad(
        "110200200", name="Punto dentro", point=Point(-101.55, 21.21, srid=4326), population_2020=70, **common
    )
    do_upsert_localidad(
        "110200300", name="Punto fuera", point=Point(-101.51, 21.21, srid=4326), population_2020=900, **common
    )
    answer = census_population(box(-101.59, 21.19, -101.54, 21.23))
    assert answer["method"] == "areal:localidad"
    assert answer["population"] == pytest.approx(200 + 70, abs=1)
    assert answer["points_counted"] == 1


def test_a_raster_with_a_crs_but_no_georeferencing_is_refused_at_registration(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "sin_transformacion.tif"
    profile = {
        "driver": "GTiff",
        "width": 4,
        "height": 4,
        "count": 1,
        "dtype": "float32",
        "crs": "ESRI:54009",
    }
    with rasterio.open(path, "w", transform=Affine.identity(), **profile) as dst:
        dst.write(np.ones((1, 4, 4), dtype="float32"))
    with pytest.raises(CommandError, match="no su georreferenciación"):
        call_command("register_raster", "roto", str(path), "--title", "roto", "--population")


def test_zone_summaries_and_report_cards_state_the_raster_method(ghs_leon, leon, client):
    from priority_zones.models import Zone

    zone = Zone.objects.create(
        kind="ZONA_IMPULSO",
        fiscal_year=2026,
        name="Centro de León",
        geom=box(*DOWNTOWN_LEON),
        status="PUBLISHED",
    )
    expected, _share = independent_sum(ghs_leon, shapely.box(*DOWNTOWN_LEON))
    summary = client.get(f"/api/zones/{zone.pk}/summary").json()
    assert summary["population"]["method"] == "raster:ghs_pop2020_leon"
    assert summary["population"]["population"] == round(expected)
    card = client.get(f"/zonas/{zone.pk}/")
    assert card.status_code == 200
    assert "rejilla de población ghs_pop2020_leon" in card.content.decode()
