"""Investment analysis: the cross-tab (area x fiscal year x source, category or executing agency), the
investment tables narrowed by the work filters, and per-inhabitant amounts.

Population of an area:
- a municipio: its Censo 2020 population (Municipio.population_2020);
- a zone: the population recorded on the zone, else for an urban ZAP the Censo 2020 population of the
  AGEB with its CVEGEO, else for a rural ZAP that of the municipio with its CVEGEO; otherwise unknown
  (a drawn zone or a Zona Impulso with no population recorded), and its per-inhabitant amounts null;
- any polygon (a drawn or saved area): priority_zones.population.population_in, the one entry point.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from gis_core.geometry import parse_integer
from gis_core.versions import layer_version, reads_at
from priority_zones.models import Zone
from works_map.filters import WORK_PARAMS, filter_works, refuse_unknown
from works_map.models import Work, WorkQuerySet

AREAS = ("zone", "municipio")
DIMENSIONS = ("source", "category", "agency")
_NAMED = re.compile(r"%\((\w+)\)s")
_CROSSTAB_TEXT = (Path(__file__).parent / "sql" / "investment_crosstab.sql").read_text()
# {ids} brings positional parameters, so the statement's named ones become positional, in order.
CROSSTAB_SQL = _NAMED.sub("%s", _CROSSTAB_TEXT)
CROSSTAB_PARAMS = tuple(_NAMED.findall(_CROSSTAB_TEXT))
CROSSTAB_COLUMNS = [
    "area_id",
    "kind",
    "zone_year",
    "cvegeo",
    "name",
    "outside",
    "population",
    "fiscal_year",
    "key",
    "label",
    "works",
    "aprobado",
    "ejercido",
    "aprobado_por_habitante",
    "ejercido_por_habitante",
]


_CENT = Decimal("0.01")


def money(value: Decimal | None) -> str:
    if value is None:
        return "0.00"
    text = str(value)
    # Amounts come with two decimals (numeric(16,2) and their sums): printed as they are, which is
    # what quantize would print, without its cost on a page of thousands of rows.
    return text if text[-3:-2] == "." and "E" not in text else str(value.quantize(_CENT))


def per_inhabitant(amount: Decimal | None, population: int | None) -> str | None:
    """Pesos per inhabitant, to the centavo; None when the population is unknown or zero."""
    return money((amount or Decimal(0)) / population) if population else None


def _bad(param: str, message: str) -> ValidationError:
    return ValidationError({param: message})


def parse_area_options(query: Mapping[str, str], *, by_default: str = "zone") -> dict[str, Any]:
    """`by`, `type` (zone kind) and `zone_year` of the cross-tab; each refusal names its parameter."""
    by = query.get("by") or by_default
    if by not in AREAS:
        raise _bad("by", _("Use by=zone o by=municipio."))
    kind = query.get("type") or None
    if kind is not None and (by != "zone" or kind not in Zone.Kind.values):
        raise _bad("type", _("Tipo de zona desconocido o sin by=zone."))
    zone_year = None
    if query.get("zone_year"):
        if by != "zone":
            raise _bad("zone_year", _("«zone_year» solo aplica con by=zone."))
        zone_year = parse_integer(query["zone_year"], "zone_year", 2000, 2100)
    return {"by": by, "kind": kind, "zone_year": zone_year}


# Every published work (no filter): the works table read once, without the ids subquery's second scan.
CROSSTAB_ALL_SQL = CROSSTAB_SQL.replace("w.id IN ({ids})", "w.published")
# The same cross-tab from the pre-summed cells (sql/investment_cells.sql, kept by triggers).
_CELLS_TEXT = (Path(__file__).parent / "sql" / "investment_crosstab_cells.sql").read_text()
CELLS_SQL = _NAMED.sub("%s", _CELLS_TEXT)
CELLS_PARAMS = tuple(_NAMED.findall(_CELLS_TEXT))


def cell_filters(filters: Mapping[str, str], *, by: str, dim: str) -> dict[str, list | None] | None:
    """The work filters as parameters of the cells' statement, or None when one of them cannot be
    expressed on the cells' dimensions (work year and status, the category of dim=category, the
    municipio of by=municipio): then the cross-tab runs live. A bad value is refused as the live
    path refuses it (the same parser, parameters in the same order)."""
    expressible = {"year", "status"}
    if dim == "category":
        expressible.add("category")  # a work's only category key is its own
    if by == "municipio":
        expressible.add("municipio")  # the area is the work's registered municipio
    sent = {k: v for k, v in filters.items() if v.strip()}
    if not set(sent) <= expressible:
        return None
    parsed = {k: list(WORK_PARAMS[k].clean(sent[k])) for k in sorted(sent)}
    return {
        "years": parsed.get("year"),
        "statuses": parsed.get("status"),
        "keys": parsed.get("category"),
        "municipios": parsed.get("municipio"),
    }


def _run(
    works: WorkQuerySet | None, by: str, dim: str, kind: str | None, zone_year: int | None
) -> list[tuple]:
    if works is None:
        sql, ids_params = CROSSTAB_ALL_SQL, ()
    else:
        ids, ids_params = works.order_by().values("pk").query.sql_with_params()
        sql = CROSSTAB_SQL.replace("{ids}", ids)
    named = {"by": by, "dim": dim, "kind": kind, "zone_year": zone_year}
    params = (*ids_params, *(named[name] for name in CROSSTAB_PARAMS))
    # JIT compiling costs more than it saves on a one-off aggregate (as in summaries).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _run_cells(
    cells: Mapping[str, Any],
    by: str,
    dim: str,
    kind: str | None,
    zone_year: int | None,
    areas: list[int] | None = None,
    outside: bool = True,
) -> list[tuple]:
    """The cells' statement: every area (`areas` None) or only those ids, with the `outside` rows
    (by=zone) when `outside`."""
    named = {**cells, "by": by, "dim": dim, "kind": kind, "zone_year": zone_year}
    named.update(areas=areas, outside=outside)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        return _cells_rows(cursor, named)


def _cells_rows(cursor, named: Mapping[str, Any]) -> list[tuple]:
    """The cells' statement (investment_crosstab_cells.sql) with its named parameters."""
    cursor.execute(CELLS_SQL, [named[name] for name in CELLS_PARAMS])
    return cursor.fetchall()


def _checked_cells(filters: Mapping[str, str], *, by: str, dim: str) -> dict[str, list | None] | None:
    """`dim` and the filters checked (a bad one is a 400 naming it); the cells' filters when the
    request is expressible on the pre-summed cells, None when it needs the live statement."""
    if dim not in DIMENSIONS:
        raise _bad("dim", _("Use dim=source, dim=category o dim=agency."))
    refuse_unknown(filters)
    return cell_filters(filters, by=by, dim=dim)


def _live_whole(
    filters: Mapping[str, str],
    by: str,
    dim: str,
    kind: str | None,
    zone_year: int | None,
    cache_query: Mapping[str, str] | None,
) -> list[dict[str, Any]]:
    """The whole live answer, cached under `cache_query` (the request without cursor and page size)."""
    whole = lambda: crosstab_for(filters, by=by, dim=dim, kind=kind, zone_year=zone_year)  # noqa: E731
    return whole() if cache_query is None else cached("crosstab", cache_query, whole)


def crosstab_for(
    filters: Mapping[str, str],
    *,
    by: str,
    dim: str,
    kind: str | None = None,
    zone_year: int | None = None,
    base: WorkQuerySet | None = None,
) -> list[dict[str, Any]]:
    """The cross-tab over the published works that `filters` (work filters; anything else refused by
    name) select: from the pre-summed cells when the filters are expressible on them, otherwise live
    over `base` (the published works) narrowed by the filters. Both give the same rows."""
    cells = _checked_cells(filters, by=by, dim=dim)
    if cells is not None:
        return _shaped(_run_cells(cells, by, dim, kind, zone_year))
    works = filter_works(Work.objects.published() if base is None else base, filters)
    return crosstab(works, by=by, dim=dim, kind=kind, zone_year=zone_year)


# --- pages of the cross-tab: a page is up to `size` areas (zones or municipios, then by=zone the
# `outside` rows as one last area) with all their rows, in the cross-tab's row order ---------------

PAGE_SIZE = 20  # areas per page of the JSON answer
MAX_PAGE_SIZE = 500
CSV_PAGE_SIZE = 250  # areas per statement while the CSV streams
_AREAS_TEXT = (Path(__file__).parent / "sql" / "investment_crosstab_areas.sql").read_text()
AREAS_SQL = _NAMED.sub("%s", _AREAS_TEXT)
AREAS_PARAMS = tuple(_NAMED.findall(_AREAS_TEXT))

# An area's place in the row order: (outside, CVEGEO is null, CVEGEO or "", id or 0). The rows are
# ordered by outside, CVEGEO nulls last, area id (the database's collation is C: byte order, which is
# Python's order of str), so a cursor is the key of the last area served.
AreaKey = tuple[bool, bool, str, int]


def _area_key(outside: bool, cvegeo: str | None, area_id: int | None) -> AreaKey:
    return (bool(outside), cvegeo is None, cvegeo or "", area_id or 0)


# A page's `next` cursor also carries the data versions (works, zones) of the first page: a page
# asked for after either changed would join two states of the data, so it is refused (409).
Versions = tuple[int, int]


def data_versions() -> Versions:
    """The (works, zones) layer versions every cached analysis answer is keyed by."""
    return layer_version("works"), layer_version("zones")


def encode_cursor(key: AreaKey, versions: Versions) -> str:
    outside, no_code, code, area = key
    text = json.dumps([outside, None if no_code else code, area, *versions], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def decode_cursor(raw: str | None) -> tuple[AreaKey, Versions] | None:
    """The area after which a page starts and the data versions of the first page (None: the first
    page); anything that is not a cursor this API wrote is a 400 naming `cursor`."""
    if raw is None or not raw.strip():
        return None
    invalid = _bad("cursor", _("Cursor inválido: use el enlace «next» de la página anterior."))
    text = raw.strip()
    if len(text) > 200 or not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise invalid
    try:
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid from None
    if not (isinstance(value, list) and len(value) == 5):
        raise invalid
    outside, code, area, works_version, zones_version = value
    if (
        outside is not False  # nothing follows the outside rows: no cursor points after them
        or not (code is None or (isinstance(code, str) and len(code) <= 32))
        or not all(_positive(v) for v in (area, works_version, zones_version))
    ):
        raise invalid
    return _area_key(False, code, area), (works_version, zones_version)


def parse_page_size(raw: str | None) -> int:
    return parse_integer(raw, "page_size", 1, MAX_PAGE_SIZE, default=PAGE_SIZE)


@dataclass
class Page:
    rows: list[dict[str, Any]]
    next: AreaKey | None  # the cursor of the following page; None: this is the last


def _row_key(row: Mapping[str, Any]) -> AreaKey:
    return _area_key(row["outside"], row["cvegeo"], row["area_id"])


def page_of(rows: list[dict[str, Any]], after: AreaKey | None, size: int) -> Page:
    """A page of an already computed whole answer (the live path), cut by areas as the cells' pages."""
    start = 0
    if after is not None:
        while start < len(rows) and _row_key(rows[start]) <= after:
            start += 1
    end, areas = start, 0
    while end < len(rows):
        key = _row_key(rows[end])
        if end == start or key != _row_key(rows[end - 1]):
            if areas == size:
                return Page(rows[start:end], _row_key(rows[end - 1]))
            areas += 1
        end += 1
    return Page(rows[start:end], None)


def _cells_page(
    cells: Mapping[str, Any],
    by: str,
    dim: str,
    kind: str | None,
    zone_year: int | None,
    after: AreaKey | None,
    size: int,
) -> Page:
    """A page read from the cells: the page's areas first (investment_crosstab_areas.sql), then only
    their cells; with by=zone the outside rows are the last area, after every zone."""
    named = {
        **cells, "by": by, "dim": dim, "kind": kind, "zone_year": zone_year, "size": size,
        "after_null": None if after is None else after[1],
        "after_cvegeo": None if after is None else after[2],
        "after_id": None if after is None else after[3],
    }  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(AREAS_SQL, [named[name] for name in AREAS_PARAMS])
        found = cursor.fetchall()
        areas = [area for area, _code in found[:size]]
        more = len(found) > size
        # The outside rows come after the last zone: on this page if it has room for them.
        outside = by == "zone" and len(found) < size
        if by == "zone" and len(found) == size:
            more = True  # a full page of zones: the outside rows are the next page
        following = _area_key(False, found[size - 1][1], found[size - 1][0]) if more else None
        if not areas and not outside:
            return Page([], None)
        named.update(areas=areas, outside=outside)
        rows = _shaped(_cells_rows(cursor, named))
    return Page(rows, following)


def crosstab_page(
    filters: Mapping[str, str],
    *,
    by: str,
    dim: str,
    kind: str | None = None,
    zone_year: int | None = None,
    after: AreaKey | None = None,
    size: int = PAGE_SIZE,
    cache_query: Mapping[str, str] | None = None,
) -> Page:
    """One page of the cross-tab (`crosstab_for`'s rows, cut by areas after the cursor `after`).
    From the cells, a page reads only the cells of its areas; live, the whole answer is computed
    once and cached (with `cache_query`, the request without its cursor and page size) and cut."""
    cells = _checked_cells(filters, by=by, dim=dim)
    if cells is None:
        return page_of(_live_whole(filters, by, dim, kind, zone_year, cache_query), after, size)
    return _cells_page(cells, by, dim, kind, zone_year, after, size)


def crosstab_chunks(
    filters: Mapping[str, str],
    *,
    by: str,
    dim: str,
    kind: str | None = None,
    zone_year: int | None = None,
    cache_query: Mapping[str, str] | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """The whole cross-tab as consecutive lists of rows (for a streamed CSV). Every parameter is
    checked before this returns (a bad one raises here, not in the middle of a download). From the
    cells: pages of CSV_PAGE_SIZE areas, each a small statement, so the first bytes leave at once and
    memory holds one page, all read in one REPEATABLE READ transaction (when it is the outermost
    one) so every page sees the same data. Live: the whole answer, computed (and cached) now."""
    cells = _checked_cells(filters, by=by, dim=dim)
    if cells is None:
        return iter([_live_whole(filters, by, dim, kind, zone_year, cache_query)])
    return _cells_chunks(cells, by, dim, kind, zone_year)


def _cells_chunks(
    cells: Mapping[str, Any], by: str, dim: str, kind: str | None, zone_year: int | None
) -> Iterator[list[dict[str, Any]]]:
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:  # a new transaction: nothing has been read in it yet
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        after: AreaKey | None = None
        while True:
            page = _cells_page(cells, by, dim, kind, zone_year, after, CSV_PAGE_SIZE)
            yield page.rows
            if page.next is None:
                return
            after = page.next


def crosstab(
    works: WorkQuerySet | None, *, by: str, dim: str, kind: str | None = None, zone_year: int | None = None
) -> list[dict[str, Any]]:
    """Rows of area x work fiscal year x `dim` key over `works` (already filtered, published; None:
    every published work), computed live.
    One query (works_map/sql/investment_crosstab.sql); amounts split by funding share for `source`."""
    if dim not in DIMENSIONS:
        raise _bad("dim", _("Use dim=source, dim=category o dim=agency."))
    return _shaped(_run(works, by, dim, kind, zone_year))


def _shaped(found: list[tuple]) -> list[dict[str, Any]]:
    rows = []
    for area, zkind, zyear, cvegeo, name, population, outside, year, key, label, n, appr, exer in found:
        rows.append(
            {
                "area_id": area,
                "kind": zkind,
                "zone_year": zyear,
                "cvegeo": cvegeo,
                "name": name,
                "outside": outside,
                "population": population,
                "fiscal_year": year,
                "key": key,
                "label": label,
                "works": n,
                "aprobado": money(appr),
                "ejercido": money(exer),
                "aprobado_por_habitante": per_inhabitant(appr, population),
                "ejercido_por_habitante": per_inhabitant(exer, population),
            }
        )
    return rows


def filtered_investment_table(
    works: WorkQuerySet, *, by: str, kind: str | None, year: int | None
) -> list[dict[str, Any]]:
    """The all-zones / all-municipios investment table over filtered works (one query): the same
    rows as summaries.investment_table, summed over the works' fiscal years."""
    if year is not None:
        works = works.for_year(year)
    totals: dict[Any, dict[str, Any]] = {}
    for area, zkind, zyear, cvegeo, name, population, outside, _y, _k, _l, n, appr, exer in _run(
        works, by, "none", kind, year
    ):
        row = totals.setdefault(
            (outside, area),
            {
                "id": area,
                "kind": zkind,
                "fiscal_year": zyear,
                "cvegeo": cvegeo,
                "name": name,
                "outside": outside,
                "population": population,
                "n": 0,
                "approved": Decimal(0),
                "exercised": Decimal(0),
            },
        )
        row["n"] += n
        row["approved"] += appr or 0
        row["exercised"] += exer or 0
    if by == "zone" and (True, None) not in totals:  # no filtered work outside: still its row
        totals[(True, None)] = {
            **dict.fromkeys(("id", "kind", "fiscal_year", "cvegeo", "name")),
            "outside": True,
            "population": None,
            "n": 0,
            "approved": Decimal(0),
            "exercised": Decimal(0),
        }
    order = (lambda r: (r["outside"], r["id"] or 0)) if by == "zone" else (lambda r: r["cvegeo"])
    return [shaped_row(r, by) for r in sorted(totals.values(), key=order)]


def shaped_row(r: dict[str, Any], by: str) -> dict[str, Any]:
    """One row of the investment table as the API returns it (zone or municipio columns)."""
    row = {"id": r["id"]}
    if by == "zone":
        row.update(kind=r["kind"], fiscal_year=r["fiscal_year"])
    row.update(cvegeo=r["cvegeo"], name=r["name"])
    if by == "zone":
        row["outside"] = r["outside"]
    row.update(
        works=r["n"],
        aprobado=money(r["approved"]),
        ejercido=money(r["exercised"]),
        population=r["population"],
        aprobado_por_habitante=per_inhabitant(r["approved"], r["population"]),
        ejercido_por_habitante=per_inhabitant(r["exercised"], r["population"]),
    )
    return row


T = TypeVar("T")


def cached(
    name: str, query: Mapping[str, str], compute: Callable[[], T], versions: Versions | None = None
) -> T:
    """`compute()` cached until works or zones change: their layer versions (`versions`, else the
    current ones) are in the key, with the whole query (a cross-tab over a million works takes
    seconds; its repeat, a cache read)."""
    text = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    works_version, zones_version = versions or data_versions()
    key = f"analysis:{name}:{digest}:{works_version}:{zones_version}"
    rows = cache.get(key)
    if rows is None:
        with reads_at({"works": works_version, "zones": zones_version}):
            rows = compute()
        cache.set(key, rows)
    return rows


def works_for(query: Mapping[str, str], works: WorkQuerySet, own: tuple[str, ...]) -> WorkQuerySet:
    """`works` narrowed by every work filter in `query`; any parameter that is neither a work filter
    nor one of the view's `own` is refused by name."""
    refuse_unknown(query, own)
    return filter_works(works, {k: v for k, v in query.items() if k not in own})
