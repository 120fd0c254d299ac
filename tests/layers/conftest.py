"""Helpers for the tile tests: fetch a tile and decode it. Every test starts from a cold cache
(tests/conftest.py); their works and households are in tests/places.py."""

from __future__ import annotations

import mapbox_vector_tile

from gis_core.tiles import TileCoord


def tile_url(layer: str, coord: TileCoord) -> str:
    return f"/tiles/{layer}/{coord.z}/{coord.x}/{coord.y}.mvt"


def features(response, layer: str) -> list[dict]:
    """The decoded features of `layer` in a tile response (204 = none)."""
    if response.status_code == 204:
        return []
    assert response.status_code == 200, response.content
    decoded = mapbox_vector_tile.decode(response.content)
    return decoded.get(layer, {}).get("features", [])


def fetch(client, layer: str, coord: TileCoord, **query) -> list[dict]:
    return features(client.get(tile_url(layer, coord), query), layer)


def neighbours(coord: TileCoord) -> list[TileCoord]:
    return [
        TileCoord(coord.z, coord.x + dx, coord.y + dy)
        for dx in (-1, 0, 1)
        for dy in (-1, 0, 1)
        if (dx, dy) != (0, 0)
    ]
