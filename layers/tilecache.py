"""Tiles through the Django cache, keyed by layer, data version, tile and normalised filters.

Every action that writes a layer's data bumps its version (layers.versions.bump_layers), so the
next request builds a new key: nothing stale is served after a write, and nothing has to be
deleted. The cached value carries its strong ETag so a 304 needs no hashing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from gis_core.tiles import TileCoord, render_tile
from layers.filters import Filters
from layers.registry import Layer
from layers.versions import layer_version


@dataclass(frozen=True)
class Tile:
    body: bytes
    etag: str
    version: int


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def cache_key(layer: Layer, version: int, coord: TileCoord, filters: Filters) -> str:
    norm = "&".join(f"{k}={','.join(map(str, v))}" for k, v in sorted(filters.items()))
    digest = hashlib.blake2b(norm.encode(), digest_size=12).hexdigest() if norm else "-"
    return f"mvt:{layer.name}:v{version}:{coord}:{digest}"


def cached_vector_tile(layer: Layer, coord: TileCoord, filters: Filters) -> Tile | None:
    """The tile of the current data version if the cache holds it, else None (nothing rendered)."""
    version = layer_version(layer.version_name)
    cached = cache.get(cache_key(layer, version, coord, filters))
    if cached is None:
        return None
    body, etag = cached
    return Tile(body, etag, version)


def vector_tile(layer: Layer, coord: TileCoord, filters: Filters) -> Tile:
    version = layer_version(layer.version_name)
    key = cache_key(layer, version, coord, filters)
    cached = cache.get(key)
    if cached is not None:
        body, etag = cached
        return Tile(body, etag, version)
    body = render_tile(layer.source, layer.handling_at(coord.z), coord, filters)
    etag = etag_for(body)
    cache.set(key, (body, etag))
    return Tile(body, etag, version)
