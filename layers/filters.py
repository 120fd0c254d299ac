"""Tile filters. The work layers take the work filters of works_map.filters (one meaning on tiles, API,
OGC and lists); the other layers take the same `year` and `municipio`, plus `kind` for zones. Values
are checked before any tile SQL runs; an unknown value is a 400 naming the parameter. Catalogue
codes resolve to ids through the spec's small cached catalogues, so a normal request costs no
query here and the normalised ids make the cache key.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gis_core.geometry import parse_choices
from gis_core.tiles import TileError
from layers.registry import Layer
from priority_zones.models import Zone
from works_map.filters import WORK_PARAMS

# Query parameters that are not filters: the data version (a cache buster in tile URLs).
RESERVED = frozenset({"v"})

Filters = dict[str, tuple]

# Filters of layers other than works that are not work filters.
CHOICES: dict[str, frozenset[str]] = {"kind": frozenset(Zone.Kind.values)}


def _parse_one(param: str, raw: str) -> tuple:
    try:
        return (
            parse_choices(raw, param, CHOICES[param]) if param in CHOICES else WORK_PARAMS[param].clean(raw)
        )
    except ValidationError as exc:
        raise TileError(param, exc.message_dict[param][0]) from None


def parsed_without_queries(query: Mapping[str, str]) -> bool:
    """Whether parse_filters can accept or refuse this query string without the database: no
    catalogue code (municipio, agency, source, category), which may need a lookup."""
    return not any(param in WORK_PARAMS and WORK_PARAMS[param].needs_lookup for param in query)


def parse_filters(layer: Layer, query: Mapping[str, str]) -> Filters:
    """Normalised filters for `layer` from a query string; TileError names the bad parameter."""
    accepted = layer.filter_params
    parsed: Filters = {}
    for param in sorted(query):
        if param in RESERVED:
            continue
        if param not in accepted:
            raise TileError(
                param,
                _("La capa «%(layer)s» no admite el filtro «%(param)s»; admite: %(accepted)s.")
                % {"layer": layer.name, "param": param, "accepted": ", ".join(accepted) or "—"},
            )
        parsed[param] = _parse_one(param, query[param])
    return parsed


def filters_query(filters: Mapping[str, str]) -> str:
    """The query-string part of the filters as given (already validated), for TileJSON tile URLs."""
    from urllib.parse import urlencode

    return urlencode(sorted((k, v) for k, v in filters.items() if k not in RESERVED))
