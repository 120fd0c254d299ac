"""Raster COGs in the media storage: the same registered GHS-POP grid read from a directory and
from an S3-compatible store (moto's server on the loopback, read by GDAL's /vsis3/ with range
requests) gives the same tile bytes and the same zonal sum; a COG missing from the store gives a
clear 503 (tiles) or a stated fallback (population), never a 500; a layer registered before the
storage (a bare path under RASTER_ROOT) is moved into the bucket by `move_rasters_to_storage`; the
production server configured by MEDIA_STORAGE=s3 in its environment reads the bucket too."""

from __future__ import annotations

import http.client

import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from django.core.cache import cache
from django.core.management import call_command

from gis_core.tiles import TileCoord
from gis_core.zonal import zonal_sum
from layers.models import RasterLayer
from layers.raster import population_rasters
from priority_zones.population import population_in
from tests.places import box
from tests.scale.conftest import S3_BUCKET
from tests.serving import app_env, free_port, serve_script

pytestmark = pytest.mark.slow

LEON_GRID = "ghs_pop2020_100m_zm_leon_esri54009.tif"
KNOWN_CELL = (-101.71707, 21.18579)  # 41.6 people (see tests/layers/test_raster.py)
DOWNTOWN_LEON = (-101.70, 21.105, -101.668, 21.132)
TILES = [TileCoord.containing(*KNOWN_CELL, z) for z in (10, 12, 14, 16)]


def _register(shared_data, name: str = "poblacion-leon") -> RasterLayer:
    call_command(
        "register_raster", name, str(shared_data / LEON_GRID), "--title", "Población", "--population",
        "--minzoom", "8", "--maxzoom", "16",
    )  # fmt: skip
    return RasterLayer.objects.get(name=name)


def _tiles(client, name: str = "poblacion-leon") -> list[bytes]:
    bodies = []
    for coord in TILES:
        response = client.get(f"/tiles/raster/{name}/{coord}.png?v=1")
        assert response.status_code == 200, response.content
        bodies.append(response.content)
    return bodies


def _zonal(name: str = "poblacion-leon"):
    (raster,) = [r for r in population_rasters() if r.name == name]
    return zonal_sum(raster.path, shapely.box(*DOWNTOWN_LEON), raster.gdal_options)


def _use_s3(settings, s3_server) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage_setting()}


def test_tiles_and_zonal_sums_are_identical_from_the_filesystem_and_from_s3(
    db, settings, tmp_path, shared_data, client, s3_server
):
    settings.MEDIA_ROOT = tmp_path / "media"
    on_disk = _register(shared_data)
    assert on_disk.cog_path == "rasters/poblacion-leon-v1.tif"
    cog_bytes = (settings.MEDIA_ROOT / on_disk.cog_path).read_bytes()
    disk_tiles, disk_sum = _tiles(client), _zonal()
    assert disk_sum.total > 10_000

    RasterLayer.objects.all().delete()
    cache.clear()  # the same name and version: the tile cache must not answer for S3
    _use_s3(settings, s3_server)
    in_bucket = _register(shared_data)
    assert in_bucket.cog_path == "rasters/poblacion-leon-v1.tif"
    key = f"media/{in_bucket.cog_path}"
    assert s3_server.objects()[key] == cog_bytes
    (raster,) = population_rasters()
    assert raster.path == f"/vsis3/{S3_BUCKET}/{key}"

    s3_server.ranges.clear()
    s3_tiles = _tiles(client)
    assert s3_tiles == disk_tiles
    s3_sum = _zonal()
    assert s3_sum == disk_sum
    answer = population_in(box(*DOWNTOWN_LEON))
    assert answer["method"] == "raster:poblacion-leon"
    assert answer["population"] == round(disk_sum.total)
    # Read by GDAL with range requests (this grid's data is one 512-cell block: see the next test).
    assert s3_server.ranges and {path for path, _ in s3_server.ranges} == {f"/{S3_BUCKET}/{key}"}


def test_a_tile_from_s3_reads_only_the_blocks_it_needs(db, settings, tmp_path, client, s3_server):
    """A 2,048 x 2,048-cell grid of incompressible counts (8 MB, 16 blocks of 512 x 512 at full
    resolution): one zoom-16 tile fetches its header and one block, not the object."""
    _use_s3(settings, s3_server)
    grid = tmp_path / "rejilla_grande.tif"
    with rasterio.open(grid, "w", **_big_profile()) as dst:
        dst.write(np.random.default_rng(21).integers(1, 60_000, (1, 2048, 2048), dtype="uint16"))
    call_command("register_raster", "rejilla-grande", str(grid), "--title", "x")
    layer = RasterLayer.objects.get(name="rejilla-grande")
    key = f"/{S3_BUCKET}/media/{layer.cog_path}"
    size = s3_server.client().head_object(Bucket=S3_BUCKET, Key=f"media/{layer.cog_path}")["ContentLength"]
    assert size > 8_000_000
    s3_server.sent.clear()
    response = client.get(f"/tiles/raster/rejilla-grande/{TILES[-1]}.png?v=1")
    assert response.status_code == 200
    assert s3_server.sent[key] < size / 8, f"{s3_server.sent[key]:,} of {size:,} bytes read for one tile"


def _big_profile() -> dict:
    # The León grid's origin and cell (GHS-POP, Mollweide, 100 m): the known cell is in block (0, 0).
    return {
        "driver": "GTiff",
        "width": 2048,
        "height": 2048,
        "count": 1,
        "dtype": "uint16",
        "crs": "ESRI:54009",
        "transform": Affine(100.0, 0.0, -9788400.0, 0.0, -100.0, 2599800.0),
        "nodata": 0,
    }


def test_a_cog_missing_from_the_bucket_is_a_clear_503_and_population_falls_back(
    db, settings, shared_data, client, s3_server, leon
):
    _use_s3(settings, s3_server)
    layer = _register(shared_data, "poblacion-perdida")
    s3_server.client().delete_object(Bucket=S3_BUCKET, Key=f"media/{layer.cog_path}")
    cache.clear()

    response = client.get(f"/tiles/raster/poblacion-perdida/{TILES[2]}.png?v=1")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Cache-Control"] == "no-store"
    problem = response.json()
    assert problem["layer"] == "poblacion-perdida"
    assert "«poblacion-perdida» (versión 1) no está en el almacenamiento" in problem["detail"]

    answer = population_in(box(*DOWNTOWN_LEON))
    assert answer["method"].startswith("areal:")
    assert answer["rasters_unavailable"] == ["poblacion-perdida"]


def test_a_legacy_cog_under_raster_root_keeps_working_and_moves_into_the_bucket(
    db, settings, tmp_path, shared_data, client, s3_server
):
    # A layer registered by the previous release: a bare name under RASTER_ROOT.
    settings.MEDIA_ROOT = tmp_path / "media"
    layer = _register(shared_data, "poblacion-antigua")
    settings.RASTER_ROOT = tmp_path / "viejo"
    settings.RASTER_ROOT.mkdir()
    legacy = settings.RASTER_ROOT / "poblacion-antigua-v1.tif"
    (settings.MEDIA_ROOT / layer.cog_path).rename(legacy)
    RasterLayer.objects.filter(pk=layer.pk).update(cog_path=legacy.name)
    before = _tiles(client, "poblacion-antigua")

    _use_s3(settings, s3_server)
    cache.clear()
    call_command("move_rasters_to_storage", "--remove-old")
    layer.refresh_from_db()
    assert layer.cog_path == "rasters/poblacion-antigua-v1.tif"
    assert layer.version == 1
    assert not legacy.exists()
    assert "media/rasters/poblacion-antigua-v1.tif" in s3_server.objects()
    assert _tiles(client, "poblacion-antigua") == before
    call_command("move_rasters_to_storage")  # again: nothing to do, no error


def test_the_production_server_with_media_storage_s3_tiles_the_cog_from_the_bucket(
    transactional_db, settings, shared_data, client, s3_server
):
    """MEDIA_STORAGE=s3 and MEDIA_S3_* in the environment of scripts/serve.sh (Granian): the
    settings build the storage, the tile is read from the bucket and equals the one rendered here."""
    _use_s3(settings, s3_server)
    _register(shared_data, "poblacion-servida")
    expected = _tiles(client, "poblacion-servida")
    port = free_port()
    env = app_env(port, "raster-storage-test-", **s3_server.env())
    key = f"/{S3_BUCKET}/media/rasters/poblacion-servida-v1.tif"
    with serve_script(env, port):
        s3_server.sent.clear()
        served = []
        for coord in TILES:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", f"/tiles/raster/poblacion-servida/{coord}.png?v=1")
                response = conn.getresponse()
                assert response.status == 200
                served.append(response.read())
            finally:
                conn.close()
    assert served == expected
    assert s3_server.sent[key] > 0  # the server read the bucket, not a file of this host
