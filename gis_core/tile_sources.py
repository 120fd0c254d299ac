"""Declarative vector-tile sources: what a layer reads (table, properties, conditions, filters) and
how points are handled (features, grid clusters, hexagons, cell pyramids).

Plain frozen dataclasses with no SQL: gis_core.tiles turns them into the one ST_AsMVT query. Every
identifier is checked against a strict pattern when a source is declared, so a bad registry entry
fails at import time rather than inside a tile request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import models

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_CASTS = {"": "", "float8": "::float8", "int": "::int", "text": "::text"}


def table_of(model: type[models.Model]) -> str:
    """A model's table, for a source declared from the model (a renamed table breaks at import time)."""
    return model._meta.db_table


def column_of(model: type[models.Model], field_name: str) -> str:
    """A concrete field's column, read from the model rather than written out, so a renamed field
    breaks loudly when the source is declared instead of silently in a tile's SQL."""
    column = model._meta.get_field(field_name).column  # type: ignore[union-attr]
    assert column, field_name  # noqa: S101 - a concrete field always has a column
    return str(column)


@dataclass(frozen=True)
class Col:
    """A property read from a column of the layer's table."""

    name: str
    column: str
    cast: str = ""


@dataclass(frozen=True)
class FirstOf:
    """A property that is the first non-null of several columns (e.g. modified, else approved)."""

    name: str
    columns: tuple[str, ...]
    cast: str = ""


@dataclass(frozen=True)
class Lookup:
    """A property read from the row a foreign key points at (a LEFT JOIN on its primary key)."""

    name: str
    fk: str
    table: str
    column: str
    cast: str = ""


@dataclass(frozen=True)
class Const:
    """A property with the same integer on every feature (count = 1 for an unclustered point)."""

    name: str
    value: int
    cast: str = ""


Prop = Col | FirstOf | Lookup | Const


@dataclass(frozen=True)
class Equals:
    """A fixed condition every row of the layer meets (published works, published zones)."""

    column: str
    value: bool | int | str


@dataclass(frozen=True)
class NotPoint:
    """Rows whose geometry is a line or polygon (a footprint), not a point."""

    column: str


Condition = Equals | NotPoint


@dataclass(frozen=True)
class ColumnFilter:
    """Query parameter `param` keeps rows whose column is one of the given values."""

    param: str
    column: str


@dataclass(frozen=True)
class LinkFilter:
    """Query parameter `param` keeps rows linked (through `table`.`fk`) to one of the given values."""

    param: str
    table: str
    fk: str
    column: str
    # Optional fixed condition on the link row, e.g. only the executing agency of a work.
    only: Equals | None = None


Filter = ColumnFilter | LinkFilter


@dataclass(frozen=True)
class Agg:
    """An aggregated property of a cluster or hexagon. kind:
    count, sum, avg, mode; only (the value when the cell holds a single row, else null);
    rounded (a sum rounded to base `base`); rate (whole percentage sum(of) / sum(per), null unless
    sum(per) >= min_base and both sum(of) and sum(per) - sum(of) are >= min_count)."""

    name: str
    kind: str
    of: str = ""
    per: str = ""
    base: int = 5
    min_base: int = 10
    min_count: int = 3


@dataclass(frozen=True)
class Features:
    """One MVT feature per row, clipped to the tile (plus buffer)."""

    geometry: str


@dataclass(frozen=True)
class CellPyramid:
    """A table of running totals per grid cell, kept by triggers (e.g. layers/sql/work_cells.sql),
    from which GridClusters draws zooms minzoom..maxzoom instead of reading every point.

    Its rows: level (zoom + log2(cells_per_tile)), cx, cy, one column per key (the column of each
    filter in `keys`, and the column of every `mode` aggregate), n (rows counted) and, per
    aggregate of kind sum, avg or only, p_<name> holding the sum of that property (for `only`, an
    integer property: the sum is the value itself when the cell holds one row); slon and slat are
    sums of longitudes and latitudes. A request whose filters are all among `keys` is answered
    from it with the same tile bytes as from the points; any other filter reads the points.
    """

    table: str
    minzoom: int
    maxzoom: int
    keys: tuple[str, ...] = ()
    # (filter, value): the key also has rows summed over all its values, marked with `value`; a
    # request that does not filter by it reads those rows only (fewer rows per cell).
    totals: tuple[tuple[str, int | str], ...] = ()

    def serves(self, z: int, filters: Mapping[str, Sequence]) -> bool:
        return self.minzoom <= z <= self.maxzoom and set(filters) <= set(self.keys)


@dataclass(frozen=True)
class GridClusters:
    """Points grouped into square cells aligned with the tile grid (cells_per_tile a power of 2),
    so a cell belongs to exactly one tile and its figures are the same whichever tile draws it."""

    geometry: str
    cells_per_tile: int
    aggregates: tuple[Agg, ...]
    pyramid: CellPyramid | None = None


@dataclass(frozen=True)
class Hexagons:
    """Points counted in ST_HexagonGrid cells of a fixed edge (metres, EPSG:3857); cells with fewer
    than min_count rows are never emitted (small-cell suppression)."""

    geometry: str
    edge_m: float
    min_count: int
    aggregates: tuple[Agg, ...]
    # Column holding each row's number of households (rows are pre-aggregated units); empty: 1 a row.
    total: str = ""


Handling = Features | GridClusters | Hexagons


@dataclass(frozen=True)
class VectorSource:
    layer: str
    table: str
    properties: tuple[Prop, ...]
    conditions: tuple[Condition, ...] = ()
    filters: tuple[Filter, ...] = ()

    def filter_for(self, param: str) -> Filter | None:
        return next((f for f in self.filters if f.param == param), None)

    def __post_init__(self) -> None:
        names = [self.layer, self.table]
        for prop in self.properties:
            names.append(prop.name)
            if isinstance(prop, Col):
                names.append(prop.column)
            elif isinstance(prop, FirstOf):
                names.extend(prop.columns)
            elif isinstance(prop, Lookup):
                names.extend((prop.fk, prop.table, prop.column))
        for cond in self.conditions:
            names.append(cond.column)
        for flt in self.filters:
            names.extend((flt.param, flt.column))
            if isinstance(flt, LinkFilter):
                names.extend((flt.table, flt.fk))
        bad = [n for n in names if not _IDENT.match(n)]
        if bad:
            raise ValueError(f"invalid identifiers in layer {self.layer}: {bad}")
        casts = [p.cast for p in self.properties if p.cast not in _CASTS]
        if casts:
            raise ValueError(f"unknown casts in layer {self.layer}: {casts}")
