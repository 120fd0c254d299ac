"""The work filters, declared once: every surface that selects works by a query string reads them.

The REST list, its GeoJSON, the exports and the works summary (through works_map.api.filters), the
tiles (layers.registry and layers.filters), OGC API items (works_map.ogc) and the planner's list of
works all take these parameters with one meaning each:

- `year`: fiscal year(s); `status`: status code(s); `municipio`: CVEGEO(s) of the registered municipio;
- `category`: the category and every descendant by the parent tree (never by code prefix: a subtema
  whose code does not start with its rubro's is still in the rubro);
- `agency`: the executing agency (role EJECUTORA) is the agency or one of its predecessors, however
  far back (filtering by SOP also returns what SICOM executed before SOP replaced it);
- `source`: the work has a funding row of that source;
- `zone`: the work's representative point lies in that published zone;
- `bbox`: the representative point lies in minlon,minlat,maxlon,maxlat (CRS84);
- `q`: text in the name, or the exact folio.

A raw value is parsed into normalised values (sorted, catalogue codes resolved to ids) or refused
with a ValidationError keyed by the parameter, so every surface names it in its 400. Codes resolve
through small cached catalogues, so a normal request spends no query on them and tiles can refuse
a bad code before any tile SQL runs; the ids also make the tile cache key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import Polygon
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q, Subquery
from django.db.models.signals import post_delete, post_save
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_core.geometry import STORAGE_SRID, clip, parse_bbox, parse_choices, parse_values, unknown_values
from gis_core.tile_sources import ColumnFilter, Equals, LinkFilter, column_of, table_of
from priority_zones.models import Municipio, Zone
from works_map.models import (
    Agency,
    Category,
    FundingSource,
    Work,
    WorkAgency,
    WorkFunding,
    WorkQuerySet,
    WorkStatus,
)

CATALOGUE_TTL = 300
_YEAR = re.compile(r"^[0-9]{4}$")
_ID = re.compile(r"^[0-9]{1,18}$")

Values = tuple


def _bad(param: str, message: str) -> ValidationError:
    return ValidationError({param: message})


# --- catalogues: code -> ids, cached ----------------------------------------------------------------


def _municipios() -> dict[str, tuple[int, ...]]:
    return {code: (pk,) for pk, code in Municipio.objects.values_list("pk", "cvegeo")}


def _sources() -> dict[str, tuple[int, ...]]:
    return {code: (pk,) for pk, code in FundingSource.objects.values_list("pk", "code")}


def _closure(rows: list[tuple[int, str, int | None]], *, down: bool) -> dict[str, tuple[int, ...]]:
    """Each code to its own id and every id reachable through the link: the link is `parent` (down:
    a category's descendants) or `predecessor` (up the chain: an agency's predecessors)."""
    linked: dict[int, list[int]] = {}
    for pk, _code, link in rows:
        if link is not None:
            if down:
                linked.setdefault(link, []).append(pk)
            else:
                linked.setdefault(pk, []).append(link)

    def reach(pk: int) -> tuple[int, ...]:
        found, stack = {pk}, [pk]
        while stack:  # a set, so a cycle left by a bad edit cannot loop forever
            for nxt in linked.get(stack.pop(), ()):
                if nxt not in found:
                    found.add(nxt)
                    stack.append(nxt)
        return tuple(sorted(found))

    return {code: reach(pk) for pk, code, _link in rows}


def _categories() -> dict[str, tuple[int, ...]]:
    return _closure(list(Category.objects.values_list("pk", "code", "parent_id")), down=True)


def _agencies() -> dict[str, tuple[int, ...]]:
    return _closure(list(Agency.objects.values_list("pk", "code", "predecessor_id")), down=False)


CATALOGUES: dict[str, Callable[[], dict[str, tuple[int, ...]]]] = {
    "municipio": _municipios,
    "agency": _agencies,
    "source": _sources,
    "category": _categories,
}
_CATALOGUE_MODELS = {Municipio: "municipio", Agency: "agency", FundingSource: "source", Category: "category"}


def _catalogue_key(param: str) -> str:
    return f"work-filter-catalogue:{param}"


def catalogue(param: str, refresh: bool = False) -> tuple[dict[str, tuple[int, ...]], bool]:
    """The code -> ids catalogue of `param` and whether it was just read from the database."""
    found = None if refresh else cache.get(_catalogue_key(param))
    if found is not None:
        return found, False
    found = CATALOGUES[param]()
    cache.set(_catalogue_key(param), found, CATALOGUE_TTL)
    return found, True


def _forget_catalogue(sender: type[Model], **kwargs: Any) -> None:
    # A new subcategory or a new predecessor changes the ids of codes already cached, which the
    # refresh-on-unknown-code below cannot notice; bulk loads without signals rely on the TTL.
    key = _catalogue_key(_CATALOGUE_MODELS[sender])
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


for _model in _CATALOGUE_MODELS:
    post_save.connect(
        _forget_catalogue, sender=_model, dispatch_uid=f"work-filter-catalogue-{_model.__name__}"
    )
    post_delete.connect(
        _forget_catalogue, sender=_model, dispatch_uid=f"work-filter-catalogue-del-{_model.__name__}"
    )


def _codes(param: str, raw: str) -> Values:
    values = parse_values(raw, param)
    found, fresh = catalogue(param)
    if not fresh and any(v not in found for v in values):
        # Perhaps a code created since the catalogue was cached: look once more before refusing.
        found, fresh = catalogue(param, refresh=True)
    bad = [v for v in values if v not in found]
    if bad:
        raise unknown_values(param, bad)
    return tuple(sorted({pk for v in values for pk in found[v]}))


# --- parsers -----------------------------------------------------------------------------------------


def _years(param: str, raw: str) -> Values:
    values = parse_values(raw, param)
    bad = [v for v in values if not _YEAR.match(v) or not 2000 <= int(v) <= 2100]
    if bad:
        raise _bad(
            param,
            _("«%(param)s» es un ejercicio fiscal entre 2000 y 2100; recibido: %(v)s.")
            % {"param": param, "v": ", ".join(clip(v) for v in bad)},
        )
    return tuple(sorted({int(v) for v in values}))


def _statuses(param: str, raw: str) -> Values:
    return parse_choices(raw, param, WorkStatus.values)


def _zone(param: str, raw: str) -> Values:
    value = raw.strip()
    if not _ID.match(value):
        raise _bad(param, _("«%(param)s» es el id de una zona publicada.") % {"param": param})
    # Not cached: unpublishing a zone must take it out of every answer at once.
    if not Zone.objects.published().filter(pk=int(value)).exists():
        raise unknown_values(param, [value])
    return (int(value),)


def _bbox(param: str, raw: str) -> Values:
    return tuple(parse_bbox(raw, param).extent)


def _text(param: str, raw: str) -> Values:
    value = raw.strip()
    return (value,) if value else ()


# --- how each applies to a Work queryset -------------------------------------------------------------


def _executed_by(works: WorkQuerySet, ids: Values) -> WorkQuerySet:
    executors = WorkAgency.objects.filter(
        work=OuterRef("pk"), role=WorkAgency.Role.EJECUTORA, agency_id__in=ids
    )
    return works.filter(Exists(executors))


def _funded_by(works: WorkQuerySet, ids: Values) -> WorkQuerySet:
    return works.filter(Exists(WorkFunding.objects.filter(work=OuterRef("pk"), source_id__in=ids)))


def _in_zone(works: WorkQuerySet, ids: Values) -> WorkQuerySet:
    # A scalar subquery is planned once, so the point index still answers the intersection.
    return works.within(Subquery(Zone.objects.published().filter(pk=ids[0]).values("geom")[:1]))


def _in_bbox(works: WorkQuerySet, extent: Values) -> WorkQuerySet:
    polygon = Polygon.from_bbox(extent)
    polygon.srid = STORAGE_SRID
    return works.in_bbox(polygon)


def _matching(works: WorkQuerySet, text: Values) -> WorkQuerySet:
    return works.filter(Q(name__icontains=text[0]) | Q(folio__iexact=text[0])) if text else works


@dataclass(frozen=True)
class WorkParam:
    """One query parameter: its name, its help text, how a raw value is parsed (or refused, naming
    the parameter), how it narrows a Work queryset and, where tiles can take it, the tile filter."""

    name: str
    label: Promise  # a form field's label (the planner's list)
    help_text: Promise
    parse: Callable[[str, str], Values]
    apply: Callable[[WorkQuerySet, Values], WorkQuerySet]
    tile: ColumnFilter | LinkFilter | None = None
    # Parsing may need the database (a catalogue or a zone lookup).
    needs_lookup: bool = False

    def clean(self, raw: str, name: str | None = None) -> Values:
        """Normalised values of `raw`; a ValidationError keyed by `name` (an alias) or the parameter."""
        return self.parse(name or self.name, raw)


WORK_PARAMS: dict[str, WorkParam] = {
    p.name: p
    for p in (
        WorkParam(
            "year",
            gettext_lazy("Ejercicio"),
            gettext_lazy("Ejercicio fiscal (uno o varios, separados por comas)"),
            _years,
            lambda works, years: works.filter(fiscal_year__in=years),
            ColumnFilter("year", column_of(Work, "fiscal_year")),
        ),
        WorkParam(
            "status",
            gettext_lazy("Estatus"),
            gettext_lazy("Estatus de la obra (uno o varios, separados por comas)"),
            _statuses,
            lambda works, statuses: works.filter(status__in=statuses),
            ColumnFilter("status", column_of(Work, "status")),
        ),
        WorkParam(
            "category",
            gettext_lazy("Categoría"),
            gettext_lazy("Clave de categoría: la categoría y todas sus subcategorías"),
            _codes,
            lambda works, ids: works.filter(category_id__in=ids),
            ColumnFilter("category", column_of(Work, "category")),
            needs_lookup=True,
        ),
        WorkParam(
            "agency",
            gettext_lazy("Dependencia ejecutora"),
            gettext_lazy("Clave de la dependencia ejecutora; incluye las obras de sus antecesoras"),
            _codes,
            _executed_by,
            LinkFilter(
                "agency",
                table_of(WorkAgency),
                column_of(WorkAgency, "work"),
                column_of(WorkAgency, "agency"),
                only=Equals(column_of(WorkAgency, "role"), WorkAgency.Role.EJECUTORA.value),
            ),
            needs_lookup=True,
        ),
        WorkParam(
            "source",
            gettext_lazy("Fuente de financiamiento"),
            gettext_lazy("Clave de fuente de financiamiento"),
            _codes,
            _funded_by,
            LinkFilter(
                "source",
                table_of(WorkFunding),
                column_of(WorkFunding, "work"),
                column_of(WorkFunding, "source"),
            ),
            needs_lookup=True,
        ),
        WorkParam(
            "municipio",
            gettext_lazy("Municipio"),
            gettext_lazy("CVEGEO de 5 dígitos"),
            _codes,
            lambda works, ids: works.filter(municipio_id__in=ids),
            ColumnFilter("municipio", column_of(Work, "municipio")),
            needs_lookup=True,
        ),
        # Not on tiles: a zone's geometry edit does not bump the works tiles' version.
        WorkParam(
            "zone",
            gettext_lazy("Zona"),
            gettext_lazy("Id de una zona publicada"),
            _zone,
            _in_zone,
            needs_lookup=True,
        ),
        # Not on tiles: a tile is itself a bounding box.
        WorkParam(
            "bbox",
            gettext_lazy("Rectángulo"),
            gettext_lazy("minlon,minlat,maxlon,maxlat (CRS84)"),
            _bbox,
            _in_bbox,
        ),
        WorkParam("q", gettext_lazy("Texto"), gettext_lazy("Texto en nombre o folio"), _text, _matching),
    )
}


def tile_filters() -> tuple[ColumnFilter | LinkFilter, ...]:
    """The tile filter primitives of the work layers, in the spec's order."""
    return tuple(p.tile for p in WORK_PARAMS.values() if p.tile is not None)


def refuse_unknown(query: Iterable[str], allowed: Iterable[str] = ()) -> None:
    """A ValidationError naming the first parameter that is neither a work filter nor `allowed`."""
    valid = {*WORK_PARAMS, *allowed}
    unknown = sorted(set(query) - valid)
    if unknown:
        raise _bad(
            unknown[0],
            _("Parámetro desconocido; los válidos son: %(valid)s.") % {"valid": ", ".join(sorted(valid))},
        )


def filter_works(
    works: WorkQuerySet, query: Mapping[str, str], aliases: Mapping[str, str] | None = None
) -> WorkQuerySet:
    """`works` narrowed by every work filter in `query` (other keys are the caller's business);
    `aliases` maps a surface's own name to a spec parameter (OGC's fiscal_year -> year). A bad value
    raises ValidationError keyed by the name as the caller sent it; a blank value filters nothing."""
    names = {**{n: n for n in WORK_PARAMS}, **(aliases or {})}
    # A blank value is no filter, as in django-filter (a GET form sends its empty fields).
    for sent in sorted(k for k in set(query) & set(names) if query[k].strip()):
        param = WORK_PARAMS[names[sent]]
        works = param.apply(works, param.clean(query[sent], sent))
    return works
