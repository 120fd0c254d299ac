"""TileJSON 3.0.0 for each layer and the MapLibre style of every public layer, from the registry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from gis_core.geometry import GTO_BOUNDS
from gis_core.versions import layer_version
from layers.filters import filters_query
from layers.registry import Layer, public_layers
from priority_zones.models import Zone
from works_map.models import WorkStatus
from works_map.models.works import STATUS_COLOURS

CENTER = [-100.95, 20.95, 7]
ATTRIBUTION = "INEGI · Territorio Abierto"


def tile_url(request: HttpRequest, layer: Layer, version: int, query: Mapping[str, str] | None = None) -> str:
    # reverse() needs concrete path parts; they are swapped for the (unescaped) placeholders.
    prefix = reverse("layers:vector-tile", args=[layer.name, 0, 0, 0]).removesuffix("0/0/0.mvt")
    extra = filters_query(query or {})
    return (
        request.build_absolute_uri(prefix) + "{z}/{x}/{y}.mvt" + f"?{extra + '&' if extra else ''}v={version}"
    )


def tilejson(request: HttpRequest, layer: Layer, query: Mapping[str, str]) -> dict[str, Any]:
    version = layer_version(layer.version_name)
    return {
        "tilejson": "3.0.0",
        "name": str(layer.title),
        "description": str(layer.description),
        "version": f"1.0.{version}",
        "attribution": ATTRIBUTION,
        "scheme": "xyz",
        "tiles": [tile_url(request, layer, version, query)],
        "minzoom": layer.minzoom,
        "maxzoom": layer.maxzoom,
        "bounds": list(GTO_BOUNDS),
        "center": CENTER,
        "vector_layers": [
            {
                "id": layer.source.layer,
                "description": str(layer.description),
                "minzoom": layer.minzoom,
                "maxzoom": layer.maxzoom,
                "fields": {name: str(text) for name, text in layer.fields.items()},
            }
        ],
    }


ZONE_COLOURS = {
    "ZAP_RURAL": "#8c6bb1",
    "ZAP_URBANA": "#88419d",
    "ZONA_IMPULSO": "#dd3497",
    "DRAWN": "#737373",
}


def _status_colour() -> list:
    expr: list = ["match", ["get", "status"]]
    for status, colour in STATUS_COLOURS.items():
        expr += [status, colour]
    return expr + ["#636363"]


def _style_layers(layer: Layer) -> list[dict[str, Any]]:
    base = {"source": layer.name, "source-layer": layer.source.layer}
    if layer.name == "works":
        return [
            {
                **base,
                "id": "works",
                "type": "circle",
                "paint": {
                    "circle-color": _status_colour(),
                    "circle-radius": [
                        "interpolate",
                        ["linear"],
                        ["get", "count"],
                        1,
                        5,
                        10,
                        9,
                        100,
                        14,
                        1000,
                        22,
                    ],
                    "circle-stroke-color": "#ffffff",
                    "circle-stroke-width": 1.2,
                    "circle-opacity": 0.9,
                },
            }
        ]
    if layer.name == "work_footprints":
        return [
            {
                **base,
                "id": "work_footprints",
                "type": "line",
                "paint": {"line-color": _status_colour(), "line-width": 3},
            }
        ]
    if layer.name == "municipios":
        return [
            {
                **base,
                "id": "municipios",
                "type": "line",
                "paint": {
                    "line-color": "#4a4a4a",
                    "line-width": ["interpolate", ["linear"], ["zoom"], 6, 0.6, 12, 2],
                },
            }
        ]
    if layer.name == "zones":
        colour: list = ["match", ["get", "kind"]]
        for kind, value in ZONE_COLOURS.items():
            colour += [kind, value]
        colour.append("#737373")
        return [
            {
                **base,
                "id": "zones-fill",
                "type": "fill",
                "paint": {"fill-color": colour, "fill-opacity": 0.18},
            },
            {**base, "id": "zones-line", "type": "line", "paint": {"line-color": colour, "line-width": 1.5}},
        ]
    if layer.name == "need":
        return [
            {
                **base,
                "id": "need",
                "type": "fill",
                "layout": {"visibility": "none"},
                "paint": {
                    "fill-color": [
                        "interpolate",
                        ["linear"],
                        ["get", "households"],
                        10,
                        "#fee8c8",
                        50,
                        "#fdbb84",
                        200,
                        "#e34a33",
                    ],
                    "fill-opacity": 0.6,
                },
            }
        ]
    if layer.name == "growth":
        # Child growth aggregates: share of measured children with stunting (empty where withheld).
        return [
            {
                **base,
                "id": "growth",
                "type": "fill",
                "layout": {"visibility": "none"},
                "paint": {
                    "fill-color": [
                        "case",
                        ["==", ["get", "stunted"], None],
                        "#d9d9d9",
                        [
                            "interpolate",
                            ["linear"],
                            ["get", "stunted"],
                            0,
                            "#edf8fb",
                            15,
                            "#8c96c6",
                            30,
                            "#6e016b",
                        ],
                    ],
                    "fill-opacity": 0.6,
                },
            }
        ]
    if layer.name == "centres":
        return [
            {
                **base,
                "id": "centres",
                "type": "circle",
                "layout": {"visibility": "none"},
                "paint": {
                    "circle-color": "#1b7837",
                    "circle-radius": 5,
                    "circle-stroke-color": "#ffffff",
                    "circle-stroke-width": 1,
                },
            }
        ]
    # Localidades and AGEB: thin outlines, off until the user turns them on.
    return [
        {
            **base,
            "id": layer.name,
            "type": "line",
            "layout": {"visibility": "none"},
            "paint": {"line-color": "#807dba", "line-width": 0.8},
        }
    ]


def style(request: HttpRequest) -> dict[str, Any]:
    sources: dict[str, Any] = {}
    layers: list[dict[str, Any]] = [
        {"id": "background", "type": "background", "paint": {"background-color": "#f2efe9"}}
    ]
    if settings.BASEMAP_URL:
        sources["basemap"] = {
            "type": "raster",
            "tiles": [settings.BASEMAP_URL],
            "tileSize": 256,
            "maxzoom": 19,
            "attribution": settings.BASEMAP_ATTRIBUTION,
        }
        layers.append({"id": "basemap", "type": "raster", "source": "basemap"})
    from layers.raster import raster_style_parts

    raster_sources, raster_layers = raster_style_parts(request)
    sources.update(raster_sources)
    layers.extend(raster_layers)
    from layers import pmtiles

    archived = pmtiles.served_layers()
    for layer in public_layers():
        if layer.name in archived and (url := pmtiles.current_url(request, pmtiles.archive_for(layer.name))):
            # MapLibre reads the archive's header and ranges of it (static/js/pmtiles-protocol.js).
            sources[layer.name] = {"type": "vector", "url": f"pmtiles://{url}", "attribution": ATTRIBUTION}
            continue
        version = layer_version(layer.version_name)
        sources[layer.name] = {
            "type": "vector",
            "tiles": [tile_url(request, layer, version)],
            "minzoom": layer.minzoom,
            "maxzoom": layer.maxzoom,
            "bounds": list(GTO_BOUNDS),
            "attribution": ATTRIBUTION,
        }
    # Draw order: areas under lines under points.
    by_name = {lyr.name: lyr for lyr in public_layers()}
    for name in (
        "need",
        "growth",
        "zones",
        "agebs",
        "localidades",
        "municipios",
        "work_footprints",
        "centres",
        "works",
    ):
        if name in by_name:
            layers.extend(_style_layers(by_name[name]))
    return {
        "version": 8,
        "name": _("Territorio Abierto: Guanajuato"),
        "metadata": {
            "territorio:status-colours": STATUS_COLOURS,
            "territorio:status-labels": {value: str(label) for value, label in WorkStatus.choices},
            "territorio:zone-colours": ZONE_COLOURS,
            "territorio:zone-labels": {value: str(label) for value, label in Zone.Kind.choices},
        },
        "center": CENTER[:2],
        "zoom": CENTER[2],
        "sources": sources,
        "layers": layers,
    }
