"""GHS-POP León registered as a COG and tiled to PNG with the population colormap."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from django.core.cache import cache
from django.core.management import call_command
from rasterio.io import MemoryFile

from gis_core.tiles import TileCoord
from layers.raster import COLORMAPS

LEON_GRID = "ghs_pop2020_100m_zm_leon_esri54009.tif"
# Cell (row 32, col 255) of the León grid: 41.6 people in 100 m x 100 m, its 3x3 neighbourhood
# in the same 40-80 class, so resampling at the cell centre cannot pick another class.
KNOWN_CELL = (-101.71707, 21.18579)
EMPTY_LAND = (-101.95, 20.93)  # inside the grid's bounds, no population


@pytest.fixture
def population_leon(db, shared_data, settings, tmp_path):
    """The León GHS-POP grid registered as the raster layer `poblacion-leon` in a temporary media storage."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command(
        "register_raster",
        "poblacion-leon",
        str(shared_data / LEON_GRID),
        "--title",
        "Población 2020 (GHS-POP), ZM de León",
        "--units",
        "personas por celda de 100 m",
        "--minzoom",
        "8",
        "--maxzoom",
        "16",
    )
    from layers.models import RasterLayer

    return RasterLayer.objects.get(name="poblacion-leon")


def _pixel(png: bytes, coord: TileCoord, lon: float, lat: float) -> tuple[int, ...]:
    west, south, east, north = coord.bounds_lonlat()
    col = int((lon - west) / (east - west) * 256)
    # Rows follow Web Mercator y, not latitude.
    ymin, ymax = coord.bounds_3857()[1], coord.bounds_3857()[3]
    y = 6378137.0 * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))
    row = int((ymax - y) / (ymax - ymin) * 256)
    with MemoryFile(png) as mem, mem.open() as img:
        return tuple(int(v) for v in img.read()[:, row, col])


def test_registering_makes_a_valid_cog_with_lonlat_bounds(population_leon, settings, shared_data):
    from rio_cogeo.cogeo import cog_validate

    cog = settings.MEDIA_ROOT / population_leon.cog_path
    assert cog_validate(str(cog))[0]
    assert population_leon.source_crs == "ESRI:54009"
    assert population_leon.west == pytest.approx(-101.995, abs=0.01)
    assert population_leon.north == pytest.approx(21.213, abs=0.01)
    with rasterio.open(shared_data / LEON_GRID) as src:
        assert next(src.sample([src.xy(32, 255)]))[0] == pytest.approx(41.64, abs=0.01)


def test_a_known_population_cell_has_its_class_colour(client, population_leon):
    coord = TileCoord.containing(*KNOWN_CELL, 14)
    response = client.get(f"/tiles/raster/poblacion-leon/{coord}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    forty_to_eighty = next(c for c in COLORMAPS["population"] if c.low == 40)
    assert _pixel(response.content, coord, *KNOWN_CELL) == forty_to_eighty.rgba


def test_empty_land_is_transparent(client, population_leon):
    coord = TileCoord.containing(*EMPTY_LAND, 14)
    response = client.get(f"/tiles/raster/poblacion-leon/{coord}.png")
    assert response.status_code in (200, 204)
    if response.status_code == 200:
        assert _pixel(response.content, coord, *EMPTY_LAND)[3] == 0


def test_a_tile_outside_the_grid_is_204(client, population_leon):
    coord = TileCoord.containing(-100.05, 21.3, 12)
    assert client.get(f"/tiles/raster/poblacion-leon/{coord}.png").status_code == 204


def test_raster_tiles_send_etags_and_answer_304(client, population_leon):
    url = f"/tiles/raster/poblacion-leon/{TileCoord.containing(*KNOWN_CELL, 12)}.png"
    first = client.get(url)
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_the_legend_lists_every_class_with_its_colour(client, population_leon):
    legend = client.get("/tiles/raster/poblacion-leon/legend.json").json()
    assert legend["units"] == "personas por celda de 100 m"
    assert [c["color"] for c in legend["classes"]] == [c.hex for c in COLORMAPS["population"]]
    assert legend["classes"][3] == {"min": 40, "max": 80, "color": "#fd8d3c", "label": "40 a 80"}
    assert legend["classes"][-1]["max"] is None


def test_registering_again_bumps_the_version_and_replaces_the_file(population_leon, settings, shared_data):
    from layers.actions import do_register_raster

    old = settings.MEDIA_ROOT / population_leon.cog_path
    again = do_register_raster("poblacion-leon", shared_data / LEON_GRID, title="Población")
    assert again.version == population_leon.version + 1
    assert not old.exists()
    assert (settings.MEDIA_ROOT / again.cog_path).exists()


def test_the_style_offers_the_raster_hidden_with_its_legend(client, population_leon):
    style = client.get("/tiles/style.json").json()
    source = style["sources"]["raster-poblacion-leon"]
    assert source["type"] == "raster"
    assert source["tiles"][0].endswith("/tiles/raster/poblacion-leon/{z}/{x}/{y}.png?v=1")
    layer = next(lyr for lyr in style["layers"] if lyr["id"] == "raster-poblacion-leon")
    assert layer["layout"]["visibility"] == "none"
    assert layer["metadata"]["territorio:legend"] == "/tiles/raster/poblacion-leon/legend.json"


@pytest.mark.parametrize(
    "path, status",
    [
        ("/tiles/raster/poblacion-leon/7/28/56.png", 400),  # below minzoom
        ("/tiles/raster/poblacion-leon/17/0/0.png", 400),  # above maxzoom
        ("/tiles/raster/poblacion-leon/12/4096/0.png", 400),
        ("/tiles/raster/poblacion-leon/12/a/0.png", 400),
        ("/tiles/raster/no-existe/12/0/0.png", 404),
        ("/tiles/raster/no-existe/legend.json", 404),
    ],
)
def test_bad_raster_requests_are_refused(client, population_leon, path, status):
    assert client.get(path).status_code == status


def test_a_source_without_crs_is_refused(db, tmp_path, settings):
    from django.core.management.base import CommandError

    settings.MEDIA_ROOT = tmp_path / "media"
    bare = tmp_path / "bare.tif"
    with rasterio.open(bare, "w", driver="GTiff", width=4, height=4, count=1, dtype="float32") as dst:
        dst.write(np.ones((1, 4, 4), dtype="float32"))
    with pytest.raises(CommandError, match="sistema de referencia"):
        call_command("register_raster", "sin-crs", str(bare), "--title", "x")


def test_a_layer_of_the_previous_release_is_read_from_raster_root_and_moved_in_place(
    population_leon, settings, client
):
    """Before the media storage, `cog_path` was a bare name under RASTER_ROOT (by default
    MEDIA_ROOT/rasters, the storage's own rasters/ folder): such a layer still tiles, and
    move_rasters_to_storage only rewrites its path there (no copy, same version)."""
    from layers.models import RasterLayer

    url = f"/tiles/raster/poblacion-leon/{TileCoord.containing(*KNOWN_CELL, 14)}.png"
    current = client.get(url).content
    RasterLayer.objects.filter(pk=population_leon.pk).update(cog_path="poblacion-leon-v1.tif")
    cache.clear()
    assert client.get(url).content == current
    call_command("move_rasters_to_storage")
    population_leon.refresh_from_db()
    assert population_leon.cog_path == "rasters/poblacion-leon-v1.tif"
    assert population_leon.version == 1
    assert sorted(p.name for p in (settings.MEDIA_ROOT / "rasters").iterdir()) == ["poblacion-leon-v1.tif"]


def test_a_missing_cog_file_is_a_clear_503_not_a_500(population_leon, settings, client):
    (settings.MEDIA_ROOT / population_leon.cog_path).unlink()
    cache.clear()
    response = client.get(f"/tiles/raster/poblacion-leon/{TileCoord.containing(*KNOWN_CELL, 14)}.png")
    assert response.status_code == 503
    assert "no está en el almacenamiento de medios" in response.json()["detail"]
    client.cookies["django_language"] = "en"  # the site's language switch
    english = client.get(f"/tiles/raster/poblacion-leon/{TileCoord.containing(*KNOWN_CELL, 14)}.png")
    assert english.status_code == 503
    assert "is not in the media storage" in english.json()["detail"]


def test_moving_a_legacy_layer_whose_file_is_gone_names_it(population_leon, settings):
    from django.core.management.base import CommandError

    from layers.models import RasterLayer

    RasterLayer.objects.filter(pk=population_leon.pk).update(cog_path="no-existe-v1.tif")
    with pytest.raises(CommandError, match="poblacion-leon"):
        call_command("move_rasters_to_storage")
