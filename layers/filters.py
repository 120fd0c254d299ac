"""Tile filters: the API's vocabulary (year, status, category, agency, source, municipio, kind) parsed
in one place. Values are checked before any tile SQL runs; an unknown value is a 400 naming the
parameter. Catalogue codes resolve to ids through a small cached catalogue, so a normal request
costs no query here and the normalised ids make the cache key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from django.core.cache import cache
from django.utils.translation import gettext as _

from gis_core.tiles import TileError
from layers.registry import Layer
from priority_zones.models import Municipio, Zone
from works_map.models import Agency, Category, FundingSource, WorkStatus

# Query parameters that are not filters: the data version (a cache buster in tile URLs).
RESERVED = frozenset({"v"})
MAX_VALUES = 50
CATALOGUE_TTL = 300
_YEAR = re.compile(r"^[0-9]{4}$")

Filters = dict[str, tuple]


def _municipios() -> dict[str, tuple[int, ...]]:
    return {code: (pk,) for pk, code in Municipio.objects.values_list("pk", "cvegeo")}


def _agencies() -> dict[str, tuple[int, ...]]:
    return {code: (pk,) for pk, code in Agency.objects.values_list("pk", "code")}


def _sources() -> dict[str, tuple[int, ...]]:
    return {code: (pk,) for pk, code in FundingSource.objects.values_list("pk", "code")}


def _categories() -> dict[str, tuple[int, ...]]:
    """Each code to its id and every descendant's: a rubro selects its temas and subtemas."""
    rows = list(Category.objects.values_list("pk", "code", "parent_id"))
    children: dict[int, list[int]] = {}
    for pk, _code, parent in rows:
        if parent is not None:
            children.setdefault(parent, []).append(pk)

    def subtree(pk: int) -> list[int]:
        found, stack = [], [pk]
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(children.get(node, ()))
        return found

    return {code: tuple(sorted(subtree(pk))) for pk, code, _parent in rows}


CATALOGUES: dict[str, Callable[[], dict[str, tuple[int, ...]]]] = {
    "municipio": _municipios,
    "agency": _agencies,
    "source": _sources,
    "category": _categories,
}
CHOICES: dict[str, frozenset[str]] = {
    "status": frozenset(WorkStatus.values),
    "kind": frozenset(Zone.Kind.values),
}


def _catalogue(param: str, refresh: bool = False) -> tuple[dict[str, tuple[int, ...]], bool]:
    """The code -> ids catalogue and whether it was just read from the database."""
    key = f"tile-catalogue:{param}"
    found = None if refresh else cache.get(key)
    if found is not None:
        return found, False
    found = CATALOGUES[param]()
    cache.set(key, found, CATALOGUE_TTL)
    return found, True


def _split(raw: str, param: str) -> list[str]:
    values = [v.strip() for v in raw.split(",")]
    if not raw.strip() or any(not v for v in values):
        raise TileError(param, _("«%(param)s» no puede estar vacío.") % {"param": param})
    if len(values) > MAX_VALUES:
        raise TileError(
            param, _("«%(param)s» admite a lo más %(n)s valores.") % {"param": param, "n": MAX_VALUES}
        )
    return values


def _unknown(param: str, values: list[str]) -> TileError:
    return TileError(
        param,
        _("Valor desconocido para «%(param)s»: %(values)s.") % {"param": param, "values": ", ".join(values)},
    )


def _parse_one(param: str, raw: str) -> tuple:
    values = _split(raw, param)
    if param == "year":
        bad = [v for v in values if not _YEAR.match(v) or not 2000 <= int(v) <= 2100]
        if bad:
            raise TileError(
                param,
                _("«year» es un ejercicio fiscal entre 2000 y 2100; recibido: %(v)s.")
                % {"v": ", ".join(bad)},
            )
        return tuple(sorted({int(v) for v in values}))
    if param in CHOICES:
        values = [v.upper() for v in values]
        bad = [v for v in values if v not in CHOICES[param]]
        if bad:
            raise _unknown(param, bad)
        return tuple(sorted(set(values)))
    catalogue, fresh = _catalogue(param)
    if not fresh and any(v not in catalogue for v in values):
        # Perhaps a code created since the catalogue was cached: look once more before refusing.
        catalogue, fresh = _catalogue(param, refresh=True)
    bad = [v for v in values if v not in catalogue]
    if bad:
        raise _unknown(param, bad)
    return tuple(sorted({pk for v in values for pk in catalogue[v]}))


def parsed_without_queries(query: Mapping[str, str]) -> bool:
    """Whether parse_filters can accept or refuse this query string without the database: no
    catalogue code (municipio, agency, source, category), which may need a lookup."""
    return not any(param in CATALOGUES for param in query)


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
