"""Tile coordinates and the only vector-tile SQL in the project (ST_AsMVT, one query per tile).

Data are stored in EPSG:4326 and tiles are EPSG:3857. Every query transforms the tile envelope to
4326 once and filters the stored column with `&&`, so the GiST index answers; only the rows kept are
transformed, inside ST_AsMVTGeom. A Web Mercator tile envelope maps to an exact lon/lat rectangle
(x depends on longitude only, y on latitude only), so the transformed envelope loses nothing.

Identifiers come only from the closed layer registry (layers/registry.py) and are checked here
against a strict pattern; every value (z, x, y, filter values, sizes) is a bind parameter.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.utils.translation import gettext as _

from gis_core.tile_sources import (
    _CASTS,
    _IDENT,
    Agg,
    CellPyramid,
    Col,
    ColumnFilter,
    Const,
    Equals,
    Features,
    FirstOf,
    GridClusters,
    Handling,
    Prop,
    VectorSource,
)

# Half the side of the EPSG:3857 square world, in metres.
MERCATOR_HALF = 20037508.342789244
EXTENT = 4096
# Rendering buffer around each tile in tile units: symbols and strokes near an edge are drawn in
# both neighbours instead of being cut.
BUFFER = 64
MAX_ZOOM = 24

_INT = re.compile(r"^[0-9]{1,9}$")


class TileError(ValueError):
    """A bad tile request; `param` names the offending path part or query parameter."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message


def _parse_int(raw: str, param: str) -> int:
    if not isinstance(raw, str) or not _INT.match(raw):
        raise TileError(param, _("«%(param)s» debe ser un entero no negativo.") % {"param": param})
    return int(raw)


@dataclass(frozen=True)
class TileCoord:
    z: int
    x: int
    y: int

    @classmethod
    def parse(cls, z: str, x: str, y: str, *, minzoom: int = 0, maxzoom: int = MAX_ZOOM) -> TileCoord:
        zi, xi, yi = _parse_int(z, "z"), _parse_int(x, "x"), _parse_int(y, "y")
        if not minzoom <= zi <= maxzoom:
            raise TileError(
                "z",
                _("El zoom %(z)s está fuera del rango de la capa (%(min)s–%(max)s).")
                % {"z": zi, "min": minzoom, "max": maxzoom},
            )
        last = (1 << zi) - 1
        for name, value in (("x", xi), ("y", yi)):
            if value > last:
                raise TileError(
                    name,
                    _("«%(param)s» debe estar entre 0 y %(last)s en el zoom %(z)s.")
                    % {"param": name, "last": last, "z": zi},
                )
        return cls(zi, xi, yi)

    @classmethod
    def containing(cls, lon: float, lat: float, z: int) -> TileCoord:
        """The XYZ tile that contains a lon/lat position at zoom z."""
        n = 1 << z
        x = int((lon + 180.0) / 360.0 * n)
        lat_r = math.radians(lat)
        y = int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)
        return cls(z, min(max(x, 0), n - 1), min(max(y, 0), n - 1))

    @property
    def size_m(self) -> float:
        return 2 * MERCATOR_HALF / (1 << self.z)

    def bounds_3857(self) -> tuple[float, float, float, float]:
        size = self.size_m
        minx = -MERCATOR_HALF + self.x * size
        maxy = MERCATOR_HALF - self.y * size
        return (minx, maxy - size, minx + size, maxy)

    def bounds_lonlat(self) -> tuple[float, float, float, float]:
        n = 1 << self.z

        def lat(y: int) -> float:
            return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))

        return (self.x / n * 360.0 - 180.0, lat(self.y + 1), (self.x + 1) / n * 360.0 - 180.0, lat(self.y))

    def __str__(self) -> str:
        return f"{self.z}/{self.x}/{self.y}"


# --- Declarative pieces the registry composes ---------------------------------------------------


@functools.cache
def _q(name: str) -> str:
    """A registry identifier, checked and double-quoted (PostgreSQL's quoting; memoised, as the
    registry is closed and each tile query names the same few dozen)."""
    if not _IDENT.match(name):
        raise ValueError(f"invalid identifier {name!r}")
    return f'"{name}"'


class _Builder:
    """Assembles the FROM/WHERE shared by every handling: table, lookups, conditions, filters."""

    def __init__(
        self, source: VectorSource, filters: Mapping[str, Sequence], only: frozenset[str] | None = None
    ) -> None:
        self.source = source
        self.params: dict[str, object] = {}
        self.joins: dict[tuple[str, str], str] = {}
        # Aggregating handlings read only the properties their aggregates use (no needless joins).
        wanted = [p for p in source.properties if only is None or p.name in only]
        self.select = [self._prop(p) for p in wanted] or ["1 AS one"]
        self.where: list[str] = []
        for i, cond in enumerate(source.conditions):
            if isinstance(cond, Equals):
                self.params[f"c{i}"] = cond.value
                self.where.append(f"t.{_q(cond.column)} = %(c{i})s")
            else:
                self.where.append(f"GeometryType(t.{_q(cond.column)}) NOT IN ('POINT', 'MULTIPOINT')")
        for param in sorted(filters):
            flt = source.filter_for(param)
            if flt is None:
                raise ValueError(f"layer {source.layer} has no filter {param!r}")
            key = f"f_{param}"
            self.params[key] = list(filters[param])
            if isinstance(flt, ColumnFilter):
                self.where.append(f"t.{_q(flt.column)} = ANY(%({key})s)")
            else:
                fixed = ""
                if flt.only is not None:
                    self.params[f"{key}_only"] = flt.only.value
                    fixed = f" AND l.{_q(flt.only.column)} = %({key}_only)s"
                self.where.append(
                    f"EXISTS (SELECT 1 FROM {_q(flt.table)} l WHERE l.{_q(flt.fk)} = t.id"  # noqa: S608 - registry identifiers only
                    f" AND l.{_q(flt.column)} = ANY(%({key})s){fixed})"
                )

    def _prop(self, prop: Prop) -> str:
        cast = _CASTS[prop.cast]
        if isinstance(prop, Col):
            expr = f"t.{_q(prop.column)}"
        elif isinstance(prop, FirstOf):
            expr = "COALESCE(" + ", ".join(f"t.{_q(c)}" for c in prop.columns) + ")"
        elif isinstance(prop, Const):
            expr = str(int(prop.value))
        else:
            alias = self.joins.setdefault((prop.fk, prop.table), f"j{len(self.joins)}")
            expr = f"{alias}.{_q(prop.column)}"
        return f"({expr}){cast} AS {_q(prop.name)}"

    def from_clause(self, first: str = "") -> str:
        parts = [f"{_q(self.source.table)} t"]
        if first:
            parts = [first, f"JOIN {_q(self.source.table)} t ON TRUE"]
        for (fk, table), alias in self.joins.items():
            parts.append(f"LEFT JOIN {_q(table)} {alias} ON {alias}.id = t.{_q(fk)}")
        return " ".join(parts)

    def where_clause(self, extra: Sequence[str] = ()) -> str:
        clauses = list(extra) + self.where
        return " AND ".join(clauses) if clauses else "TRUE"


def _agg(agg: Agg) -> str:
    name = _q(agg.name)
    if agg.kind == "count":
        return f"count(*)::int AS {name}"
    of = _q(agg.of)
    if agg.kind == "sum":
        return f"sum({of})::float8 AS {name}"
    if agg.kind == "avg":
        return f"avg({of})::float8 AS {name}"
    if agg.kind == "mode":
        return f"mode() WITHIN GROUP (ORDER BY {of}) AS {name}"
    if agg.kind == "only":
        return f"CASE WHEN count(*) = 1 THEN min({of}) END AS {name}"
    if agg.kind == "rounded":
        return f"(round(sum({of}) / {int(agg.base)}.0) * {int(agg.base)})::int AS {name}"
    if agg.kind == "rate":
        num, den = f"sum({of})", f"sum({_q(agg.per)})"
        return (
            f"CASE WHEN {den} >= {int(agg.min_base)} AND {num} >= {int(agg.min_count)} "
            f"AND {den} - {num} >= {int(agg.min_count)} THEN round(100.0 * {num} / {den})::int END AS {name}"
        )
    raise ValueError(f"unknown aggregate {agg.kind!r}")


def _cluster_aggregates(aggregates: Sequence[Agg]) -> tuple[str, str, str]:
    """(first-step aggregates, second-step aggregates, first-step extra GROUP BY columns)."""
    first: list[str] = []
    second: list[str] = []
    by = ""
    for agg in aggregates:
        name = _q(agg.name)
        part = _q(f"p_{agg.name}")
        if agg.kind == "count":
            second.append(f"sum(n)::int AS {name}")
            continue
        of = _q(agg.of)
        if agg.kind == "sum":
            first.append(f"sum({of}) AS {part}")
            second.append(f"sum({part})::float8 AS {name}")
        elif agg.kind == "avg":
            first.append(f"sum({of}) AS {part}")
            second.append(f"(sum({part}) / sum(n))::float8 AS {name}")
        elif agg.kind == "only":
            first.append(f"min({of}) AS {part}")
            second.append(f"CASE WHEN sum(n) = 1 THEN min({part}) END AS {name}")
        elif agg.kind == "mode" and not by:
            by = f"{of}, "
            second.append(f"(array_agg({of} ORDER BY n DESC, {of}))[1] AS {name}")
        else:
            raise ValueError(f"clusters cannot aggregate {agg.kind!r} ({agg.name})")
    return ", ".join(first) or "0 AS none", ", ".join(second), by


_TILE = "ST_TileEnvelope(%(z)s, %(x)s, %(y)s)"
# The envelopes are written inline, not in a CTE: with the values bound, the planner folds them
# to constants and estimates from the column statistics how much of the table a tile holds (an
# index scan for a street, a sequential scan and a hash aggregate for the whole state).
_QUERY_ENV = "ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4326)"
_MVT_GEOM = f"ST_AsMVTGeom({{geom}}, {_TILE}, {EXTENT}, {BUFFER}, true)"


def _clusters_from_parts(layer: str, aggregates: Sequence[Agg]) -> str:
    """The second step shared by both cluster queries: from the CTE `parts` (rows per cell and
    mode value: cx, cy, n, slon, slat, p_<aggregate>), one feature per cell at the mean position."""
    _, second, _ = _cluster_aggregates(aggregates)
    names = ", ".join(_q(a.name) for a in aggregates)
    return (
        f"SELECT ST_AsMVT(mvt, '{layer}', {EXTENT}, 'geom') FROM ("  # noqa: S608 - registry identifiers only
        f"SELECT {_MVT_GEOM.format(geom='ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 3857)')}"
        f" AS geom, {names} FROM ("
        f"SELECT sum(slon) / sum(n) AS lon, sum(slat) / sum(n) AS lat, {second} "
        f"FROM parts GROUP BY cx, cy) cells) mvt WHERE mvt.geom IS NOT NULL"
    )


def build_query(
    source: VectorSource, handling: Handling, coord: TileCoord, filters: Mapping[str, Sequence]
) -> tuple[str, dict[str, object]]:
    """The single SQL statement (and its parameters) returning the MVT bytes of one tile."""
    used = None
    if not isinstance(handling, Features):
        used = frozenset(a.of for a in handling.aggregates) | frozenset(a.per for a in handling.aggregates)
    b = _Builder(source, filters, used)
    params: dict[str, object] = {"z": coord.z, "x": coord.x, "y": coord.y, **b.params}
    layer = source.layer.replace("'", "")
    if isinstance(handling, Features):
        geom = _q(handling.geometry)
        params["margin"] = BUFFER / EXTENT
        sql = (
            f"SELECT ST_AsMVT(mvt, '{layer}', {EXTENT}, 'geom') FROM ("  # noqa: S608 - registry identifiers only
            f"SELECT {_MVT_GEOM.format(geom=f'ST_Transform(t.{geom}, 3857)')} AS geom, {', '.join(b.select)} "
            f"FROM {b.from_clause()} "
            f"WHERE {b.where_clause([f't.{geom} && {_QUERY_ENV}'])}"
            f") mvt WHERE mvt.geom IS NOT NULL"
        )
        return sql, params
    if isinstance(handling, GridClusters) and handling.pyramid and handling.pyramid.serves(coord.z, filters):
        return _pyramid_query(source, handling, handling.pyramid, coord, filters)
    if isinstance(handling, GridClusters):
        geom = _q(handling.geometry)
        cells = handling.cells_per_tile
        world = (1 << coord.z) * cells  # cells across the whole Web Mercator square
        # Reach one cell beyond the tile: cells in the buffer are drawn whole by both neighbours.
        params["margin"] = 1.0 / cells
        params["kx"] = world / 360.0
        params["ky"] = world / 2.0
        first, _second, by = _cluster_aggregates(handling.aggregates)
        # The Web Mercator cell of each point comes from its lon/lat by arithmetic (the XYZ tile
        # formula), not by ST_Transform: on a low-zoom tile that covers the whole state this is the
        # cost of the query. Only one point per cell (the mean position) is transformed. Two
        # steps: a hash aggregate of every point per cell and status (materialized, so it is
        # planned on its own and never sorts the points), then per cell over those few rows
        # (the most frequent status without an ordered-set aggregate over every point).
        sql = (
            f"WITH parts AS MATERIALIZED ("  # noqa: S608 - registry identifiers only
            f"SELECT cx, cy, {by}count(*) AS n, sum(lon) AS slon, sum(lat) AS slat, {first} FROM ("
            f"SELECT floor((ST_X(t.{geom}) + 180.0) * %(kx)s) AS cx, "
            f"floor((1.0 - asinh(tan(radians(ST_Y(t.{geom})))) / pi()) * %(ky)s) AS cy, "
            f"ST_X(t.{geom}) AS lon, ST_Y(t.{geom}) AS lat, {', '.join(b.select)} "
            f"FROM {b.from_clause()} WHERE {b.where_clause([f't.{geom} && {_QUERY_ENV}'])}"
            f") pts GROUP BY cx, cy{', ' + by.rstrip(', ') if by else ''}) "
            + _clusters_from_parts(layer, handling.aggregates)
        )
        return sql, params
    geom = _q(handling.geometry)
    params["edge"] = handling.edge_m
    params["min_count"] = handling.min_count
    total = f"sum({_q(handling.total)})" if handling.total else "count(*)"
    aggs = ", ".join(_agg(a) for a in handling.aggregates)
    names = ", ".join(_q(a.name) for a in handling.aggregates)
    # Each hexagon (the grid is anchored at the origin, so it is the same in every tile) probes
    # the index with its own lon/lat outline: rows outside the tile still count for the
    # hexagons that straddle its edge.
    sql = (
        f"WITH tile AS (SELECT {_TILE} AS env), "  # noqa: S608 - registry identifiers only
        f"hexes AS (SELECT h.i, h.j, h.geom, ST_Transform(h.geom, 4326) AS q "
        f"FROM tile CROSS JOIN ST_HexagonGrid(%(edge)s, tile.env) h), "
        f"rows AS (SELECT hexes.i, hexes.j, {', '.join(b.select)} "
        f"FROM {b.from_clause('hexes')} "
        f"WHERE {b.where_clause([f't.{geom} && hexes.q', f'ST_Intersects(hexes.q, t.{geom})'])}), "
        f"cells AS (SELECT i, j, {aggs} FROM rows GROUP BY i, j HAVING {total} >= %(min_count)s) "
        f"SELECT ST_AsMVT(mvt, '{layer}', {EXTENT}, 'geom') FROM ("
        f"SELECT {_MVT_GEOM.format(geom='hexes.geom')} AS geom, {names} "
        f"FROM cells JOIN hexes USING (i, j) CROSS JOIN tile) mvt WHERE mvt.geom IS NOT NULL"
    )
    return sql, params


def _pyramid_query(
    source: VectorSource,
    handling: GridClusters,
    pyramid: CellPyramid,
    coord: TileCoord,
    filters: Mapping[str, Sequence],
) -> tuple[str, dict[str, object]]:
    """The GridClusters tile read from the pyramid's cells: the cells of the tile and a one-cell
    ring around it (as the point query's margin), the keys summed away, then the same second step
    as the point query (mean position, totals, most frequent mode value, the only id)."""
    cells = handling.cells_per_tile
    params: dict[str, object] = {
        "z": coord.z,
        "x": coord.x,
        "y": coord.y,
        "level": coord.z + cells.bit_length() - 1,
        "cx0": coord.x * cells - 1,
        "cx1": coord.x * cells + cells,
        "cy0": coord.y * cells - 1,
        "cy1": coord.y * cells + cells,
    }
    where = [
        "c.level = %(level)s",
        "c.cy BETWEEN %(cy0)s AND %(cy1)s",
        "c.n > 0",  # cells emptied by deletes stay as zero rows
    ]
    for param in sorted(filters):
        flt = source.filter_for(param)
        if not isinstance(flt, ColumnFilter) or param not in pyramid.keys:
            raise ValueError(f"pyramid {pyramid.table} is not keyed by {param!r}")
        params[f"f_{param}"] = list(filters[param])
        where.append(f"c.{_q(flt.column)} = ANY(%(f_{param})s)")
    for param, value in pyramid.totals:
        flt = source.filter_for(param)
        if param not in filters and isinstance(flt, ColumnFilter):
            params[f"t_{param}"] = value
            where.append(f"c.{_q(flt.column)} = %(t_{param})s")
    # First step: the keys summed away per cell (and per value of the mode aggregate's column).
    group = ["c.cx", "c.cy"]
    first = ["c.cx", "c.cy", "sum(c.n) AS n", "sum(c.slon) AS slon", "sum(c.slat) AS slat"]
    for agg in handling.aggregates:
        part = _q(f"p_{agg.name}")
        if agg.kind in ("sum", "avg"):
            first.append(f"sum(c.{part}) AS {part}")
        elif agg.kind == "only":
            # Read only when the cell holds one row: then one stored row, whose sum is the value.
            first.append(f"min(c.{part}) AS {part}")
        elif agg.kind == "mode" and len(group) == 2:
            group.append(f"c.{_q(agg.of)}")
            first.append(f"c.{_q(agg.of)}")
    layer = source.layer.replace("'", "")
    sql = (
        f"WITH parts AS MATERIALIZED ("  # noqa: S608 - registry identifiers only
        # One index range per column of cells (a nested loop), not every row of a cx range.
        f"SELECT {', '.join(first)} FROM generate_series(%(cx0)s::int, %(cx1)s::int) AS g(cx) "
        f"JOIN {_q(pyramid.table)} c ON c.cx = g.cx WHERE {' AND '.join(where)} "
        f"GROUP BY {', '.join(group)}) " + _clusters_from_parts(layer, handling.aggregates)
    )
    return sql, params


# Sent with each tile statement in one round trip, run as one implicit transaction, so they hold
# for that statement only. A whole-state tile is estimated expensive enough to trigger JIT
# compilation, which costs several hundred milliseconds more than the aggregation it would
# speed up. The planner cannot know how few clusters a tile has (it guesses one per point), so it
# would sort every point to group them, spilling to disk; hashing needs memory for the real few.
TILE_SETTINGS = "SET LOCAL jit = off; SET LOCAL enable_sort = off; "


def render_tile(
    source: VectorSource,
    handling: Handling,
    coord: TileCoord,
    filters: Mapping[str, Sequence],
    using: str = DEFAULT_DB_ALIAS,
) -> bytes:
    """Run the tile query: exactly one SQL statement. Empty bytes mean an empty tile.

    The statement is its own connection health check. Django's (CONN_HEALTH_CHECKS) sends a
    `SELECT 1` before the first query of every request, a round trip that costs as much as a small
    tile's whole query; here a statement that fails because the connection turned out to be broken
    (the server restarted, an idle connection was dropped) runs once more on a fresh connection.
    `using` is the database alias: the primary, or a replica (gis_core.replicas.fresh_alias).
    """
    sql, params = build_query(source, handling, coord, filters)
    connection = connections[using]
    try:
        return _fetch_tile(connection, sql, params)
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block or connection.is_usable():
            raise  # a refusal or a timeout, not a lost connection
        connection.close()
        return _fetch_tile(connection, sql, params)


def _fetch_tile(connection, sql: str, params: Mapping[str, object]) -> bytes:
    # Skip Django's check (see render_tile); a connection opened here is marked checked anyway.
    connection.health_check_done = True
    with connection.cursor() as cursor:
        cursor.execute(TILE_SETTINGS + sql, params)
        cursor.nextset()
        cursor.nextset()
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""
