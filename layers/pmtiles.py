"""Static layers as PMTiles archives: one file per layer and data version, served as a static file
(HTTP range requests, by nginx, a CDN or S3) and read by MapLibre through the `pmtiles` protocol.

The tiles are the same bytes the tile endpoint renders (gis_core.tiles.render_tile through the
layer registry). An archive's name carries the layer's data version, so an archive is never
stale: when the version changes the style falls back to the live tiles until `manage.py
export_pmtiles` has written the archive of the new version (and removed the older ones).
"""

from __future__ import annotations

import gzip
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import HttpRequest
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from gis_core.geometry import GTO_BOUNDS
from gis_core.tiles import TileCoord, render_tile
from gis_core.versions import layer_version
from layers.registry import Layer, get_layer

DIRECTORY = "pmtiles"
# The layers an archive may be made of: static geography, and the zones of a closed fiscal year.
EXPORTABLE = ("municipios", "localidades", "agebs", "zones")
_NAME = re.compile(r"^(?P<stem>[a-z_]+(?:-[0-9]{4})?)\.v(?P<version>[0-9]+)\.pmtiles$")


@dataclass(frozen=True)
class Archive:
    layer: Layer
    year: int | None = None  # zones only: the closed fiscal year

    @property
    def stem(self) -> str:
        return f"{self.layer.name}-{self.year}" if self.year else self.layer.name

    @property
    def filters(self) -> dict[str, list]:
        return {"year": [self.year]} if self.year else {}

    def version(self) -> int:
        return layer_version(self.layer.version_name)

    def name(self, version: int | None = None) -> str:
        return f"{DIRECTORY}/{self.stem}.v{self.version() if version is None else version}.pmtiles"


def archive_for(layer_name: str, year: int | None = None) -> Archive:
    layer = get_layer(layer_name)
    if layer is None or layer_name not in EXPORTABLE or not layer.public:
        raise ValueError(f"{layer_name!r} is not a layer exported as PMTiles ({', '.join(EXPORTABLE)})")
    if (year is not None) != (layer_name == "zones"):
        raise ValueError("zones are exported per closed fiscal year (--zones-year), other layers whole")
    return Archive(layer, year)


def _coords(z: int) -> Iterator[TileCoord]:
    west, south, east, north = GTO_BOUNDS
    top_left, bottom_right = TileCoord.containing(west, north, z), TileCoord.containing(east, south, z)
    for x in range(top_left.x, bottom_right.x + 1):
        for y in range(top_left.y, bottom_right.y + 1):
            yield TileCoord(z, x, y)


def write_archive(archive: Archive, maxzoom: int) -> tuple[str, int]:
    """Render every tile of Guanajuato from the layer's minzoom to `maxzoom` into an archive of the
    current version; returns its storage name and the number of tiles. Older versions are removed."""
    layer, version = archive.layer, archive.version()
    maxzoom = min(maxzoom, layer.maxzoom)
    tiles: list[tuple[int, bytes]] = []
    for z in range(layer.minzoom, maxzoom + 1):
        for coord in _coords(z):
            body = render_tile(layer.source, layer.handling_at(z), coord, archive.filters)
            if body:
                tiles.append((zxy_to_tileid(z, coord.x, coord.y), gzip.compress(body, mtime=0)))
    if not tiles:
        raise ValueError(f"{archive.stem}: no tile has any feature (is the layer loaded?)")
    tiles.sort()
    west, south, east, north = GTO_BOUNDS
    with tempfile.TemporaryFile() as out:
        writer = Writer(out)
        for tile_id, data in tiles:
            writer.write_tile(tile_id, data)
        writer.finalize(
            {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.GZIP,
                "min_lon_e7": int(west * 1e7),
                "min_lat_e7": int(south * 1e7),
                "max_lon_e7": int(east * 1e7),
                "max_lat_e7": int(north * 1e7),
                "center_zoom": layer.minzoom,
            },
            {
                "name": archive.stem,
                "version": str(version),
                "attribution": "INEGI · Territorio Abierto",
                "vector_layers": [
                    {"id": layer.source.layer, "minzoom": layer.minzoom, "maxzoom": maxzoom, "fields": {}}
                ],
            },
        )
        out.seek(0)
        name = archive.name(version)
        if default_storage.exists(name):
            default_storage.delete(name)
        saved = default_storage.save(name, File(out, name=Path(name).name))
    _remove_older(archive, version)
    cache.delete(_url_cache_key(archive, version))
    return saved, len(tiles)


def _remove_older(archive: Archive, version: int) -> None:
    try:
        _, files = default_storage.listdir(DIRECTORY)
    except FileNotFoundError:
        return
    for filename in files:
        match = _NAME.match(filename)
        if match and match["stem"] == archive.stem and int(match["version"]) != version:
            default_storage.delete(f"{DIRECTORY}/{filename}")


def _url_cache_key(archive: Archive, version: int) -> str:
    return f"pmtiles-url:{archive.stem}:{version}"


def current_url(request: HttpRequest, archive: Archive) -> str | None:
    """The archive of the layer's current version, as a URL MapLibre fetches ranges of; None when
    it has not been written yet (the style then uses the live tiles)."""
    version = archive.version()
    key = _url_cache_key(archive, version)
    found = cache.get(key)
    if found is None:
        name = archive.name(version)
        found = default_storage.url(name) if default_storage.exists(name) else ""
        cache.set(key, found, 60)
    if not found:
        return None
    return found if "://" in found else request.build_absolute_uri(found)


def served_layers() -> list[str]:
    return [name for name in settings.PMTILES_LAYERS if name in EXPORTABLE and name != "zones"]
