"""Geometry intake: one place that decides what a valid geometry is and says why one is not."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Guanajuato with a generous margin (lon/lat). Anything stored must fall inside it.
GTO_BOUNDS = (-102.3, 19.7, -99.4, 22.1)
STORAGE_SRID = 4326
AREA_SRID = 6372  # INEGI ITRF2008 LCC: metres, for areas and buffers


def ensure_srid(geom: GEOSGeometry, field: str = "geom") -> GEOSGeometry:
    """Return geom in EPSG:4326, transforming when it carries another SRID."""
    if geom.srid is None:
        raise ValidationError({field: _("La geometría no declara su sistema de referencia (SRID).")})
    if geom.srid != STORAGE_SRID:
        try:
            geom = geom.transform(STORAGE_SRID, clone=True)
        except Exception as exc:  # GDAL raises several error types for unknown SRIDs
            raise ValidationError(
                {field: _("No se pudo transformar desde EPSG:%(srid)s.") % {"srid": geom.srid}}
            ) from exc
    return geom


def _axes_swapped(lon: float, lat: float) -> bool:
    """Whether (lon, lat) reads as a Guanajuato position given in (lat, lon) order."""
    bx0, by0, bx1, by1 = GTO_BOUNDS
    return by0 <= lon <= by1 and bx0 <= lat <= bx1


def check_inside_state(geom: GEOSGeometry, field: str = "geom") -> None:
    xmin, ymin, xmax, ymax = geom.extent
    bx0, by0, bx1, by1 = GTO_BOUNDS
    if xmin < bx0 or xmax > bx1 or ymin < by0 or ymax > by1:
        if _axes_swapped(xmin, ymin):
            raise ValidationError(
                {field: _("Coordenadas con el orden de ejes invertido (lat, lon): use lon, lat.")}
            )
        raise ValidationError({field: _("La geometría queda fuera de Guanajuato.")})


def validate_geometry(geom: GEOSGeometry, field: str = "geom") -> GEOSGeometry:
    geom = ensure_srid(geom, field)
    if geom.empty:
        raise ValidationError({field: _("La geometría está vacía.")})
    if not geom.valid:
        raise ValidationError({field: _("Geometría inválida: %(reason)s") % {"reason": geom.valid_reason}})
    check_inside_state(geom, field)
    return geom


def as_multipolygon(geom: GEOSGeometry, field: str = "geom") -> MultiPolygon:
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon(geom, srid=geom.srid)
    raise ValidationError(
        {field: _("Se esperaba un polígono, se recibió %(type)s.") % {"type": geom.geom_type}}
    )


# --- Map parameters from the query string ------------------------------------------------------
# One parser per kind of parameter; every error names the parameter it refuses.

# Guanajuato covers about 30,600 km²; a drawn area much larger than that is a mistake, not a zone.
STATE_AREA_KM2 = 30_607
MAX_DRAWN_AREA_KM2 = 1.5 * STATE_AREA_KM2
# The default cap on a drawn area's vertices is settings.MAX_DRAWN_VERTICES (env var of that name).


def _bad(param: str, message: str) -> ValidationError:
    return ValidationError({param: message})


def _check_range(value: float, param: str, minimum: float, maximum: float, shown: object) -> None:
    if not minimum <= value <= maximum:
        raise _bad(
            param,
            _("«%(p)s» debe estar entre %(lo)s y %(hi)s, se recibió %(v)s.")
            % {"p": param, "lo": minimum, "hi": maximum, "v": shown},
        )


def parse_number(raw: str | None, param: str, minimum: float, maximum: float) -> float:
    """A finite float in [minimum, maximum]; the error names the parameter."""
    if raw is None or str(raw).strip() == "":
        raise _bad(param, _("Falta el parámetro «%(p)s».") % {"p": param})
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise _bad(
            param, _("«%(p)s» debe ser un número, se recibió %(v)r.") % {"p": param, "v": raw}
        ) from None
    if not math.isfinite(value):
        raise _bad(param, _("«%(p)s» debe ser un número finito.") % {"p": param})
    _check_range(value, param, minimum, maximum, raw)
    return value


# ASCII digits only: str.isdigit() accepts "²" and "٣", which int() then refuses or misreads.
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")


def parse_integer(raw: str | None, param: str, minimum: int, maximum: int, default: int | None = None) -> int:
    """An integer written in ASCII digits (an optional sign, at most 18 digits) in [minimum, maximum]."""
    text = "" if raw is None else str(raw).strip()
    if not text and default is not None:
        return default
    if not text:
        raise _bad(param, _("Falta el parámetro «%(p)s».") % {"p": param})
    if not _INTEGER.fullmatch(text):
        raise _bad(
            param,
            _("«%(p)s» debe ser un número entero entre %(lo)s y %(hi)s, se recibió %(v)s.")
            % {"p": param, "lo": minimum, "hi": maximum, "v": _shown(text)},
        )
    value = int(text)
    _check_range(value, param, minimum, maximum, value)
    return value


# The largest value of a bigint primary key.
MAX_ID = 2**63 - 1


def parse_id(raw: str | None) -> int | None:
    """A database id from a URL or query string, or None when it cannot be one (so: a 404)."""
    text = "" if raw is None else str(raw).strip()
    if not re.fullmatch(r"[0-9]{1,19}", text) or int(text) > MAX_ID:
        return None
    return int(text)


def clip(text: str, limit: int = 40) -> str:
    """A refused value as it can be shown back: cut, so a megabyte sent is not echoed."""
    return text if len(text) <= limit else text[:limit] + "…"


def _shown(text: str) -> str:
    return repr(clip(text))


# A filter takes at most this many comma-separated values (each may become a bind parameter).
MAX_VALUES = 50


def parse_values(raw: str, param: str, max_values: int = MAX_VALUES) -> list[str]:
    """A comma-separated list of values, none of them blank, at most `max_values`."""
    values = [v.strip() for v in raw.split(",")]
    if not raw.strip() or any(not v for v in values):
        raise _bad(param, _("«%(param)s» no puede estar vacío.") % {"param": param})
    if len(values) > max_values:
        raise _bad(param, _("«%(param)s» admite a lo más %(n)s valores.") % {"param": param, "n": max_values})
    return values


def unknown_values(param: str, values: Iterable[str]) -> ValidationError:
    return _bad(
        param,
        _("Valor desconocido para «%(param)s»: %(values)s.")
        % {"param": param, "values": ", ".join(clip(v) for v in values)},
    )


def parse_choices(raw: str, param: str, allowed: Iterable[str]) -> tuple[str, ...]:
    """Codes from a closed list (upper-cased, sorted, without repeats); an unknown one is refused."""
    values = [v.upper() for v in parse_values(raw, param)]
    allowed = set(allowed)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise unknown_values(param, bad)
    return tuple(sorted(set(values)))


def parse_bbox(raw: str | None, param: str = "bbox") -> Polygon:
    """`minlon,minlat,maxlon,maxlat` (CRS84) -> a Polygon in EPSG:4326."""
    if raw is None or not str(raw).strip():
        raise _bad(param, _("«%(p)s» está vacío; use minlon,minlat,maxlon,maxlat.") % {"p": param})
    parts = [p.strip() for p in str(raw).split(",")]
    if len(parts) != 4:
        raise _bad(
            param,
            _("«%(p)s» necesita 4 números (minlon,minlat,maxlon,maxlat), se recibieron %(n)s.")
            % {"p": param, "n": len(parts)},
        )
    try:
        x0, y0, x1, y1 = (float(p) for p in parts)
    except ValueError:
        raise _bad(param, _("«%(p)s» contiene valores que no son números.") % {"p": param}) from None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        raise _bad(param, _("«%(p)s» contiene valores no finitos.") % {"p": param})
    if not (-180 <= x0 <= 180 and -180 <= x1 <= 180 and -90 <= y0 <= 90 and -90 <= y1 <= 90):
        raise _bad(
            param, _("«%(p)s» fuera de rango: longitud en [-180, 180], latitud en [-90, 90].") % {"p": param}
        )
    if x0 >= x1 or y0 >= y1:
        raise _bad(param, _("«%(p)s»: el mínimo debe ser menor que el máximo en cada eje.") % {"p": param})
    polygon = Polygon.from_bbox((x0, y0, x1, y1))
    polygon.srid = STORAGE_SRID
    return polygon


def parse_point(lon_raw: str | None, lat_raw: str | None) -> Point:
    """lon/lat query parameters -> a Point in EPSG:4326 inside Guanajuato.

    Swapped axes are named before the range check, which would otherwise refuse lat≈-101."""
    lon = parse_number(lon_raw, "lon", -math.inf, math.inf)
    lat = parse_number(lat_raw, "lat", -math.inf, math.inf)
    if _axes_swapped(lon, lat):
        raise _bad("lon", _("lon y lat parecen invertidos: lon≈-101, lat≈21 en Guanajuato."))
    _check_range(lon, "lon", -180, 180, lon_raw)
    _check_range(lat, "lat", -90, 90, lat_raw)
    point = Point(lon, lat, srid=STORAGE_SRID)
    try:
        check_inside_state(point, "lon")
    except ValidationError:
        raise _bad(
            "lon", _("El punto (%(lon)s, %(lat)s) queda fuera de Guanajuato.") % {"lon": lon, "lat": lat}
        ) from None
    return point


def _check_position(position: Any, where: str, param: str) -> tuple[float, float]:
    if not isinstance(position, list | tuple) or len(position) < 2:
        raise _bad(param, _("%(w)s: cada posición es [lon, lat].") % {"w": where})
    lon, lat = position[0], position[1]
    if not (_is_coordinate(lon) and _is_coordinate(lat)):
        raise _bad(param, _("%(w)s: las coordenadas deben ser números finitos.") % {"w": where})
    if _axes_swapped(lon, lat):
        raise _bad(
            param,
            _("%(w)s: coordenadas con el orden de ejes invertido (lat, lon); GeoJSON usa [lon, lat].")
            % {"w": where},
        )
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise _bad(
            param,
            _(
                "%(w)s: coordenada fuera de rango (%(lon)s, %(lat)s); "
                "longitud en [-180, 180], latitud en [-90, 90]."
            )
            % {"w": where, "lon": lon, "lat": lat},
        )
    return float(lon), float(lat)


# Text longer than this is refused before any parsing: 20,000 vertices of GeoJSON fit in well under
# 2 MB, so a bigger body is a mistake or an attack, not a drawing.
MAX_POLYGON_CHARS = 4_000_000
# A zone pasted into the planner's form may be an official outline (a municipio runs to tens of
# thousands of vertices); a drawn query area is capped lower because every vertex costs SQL time.
MAX_ZONE_VERTICES = 200_000


def _decoded(raw: str | bytes, param: str) -> str:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _bad(param, _("El cuerpo no está codificado en UTF-8.")) from None
    if len(raw) > MAX_POLYGON_CHARS:
        raise _bad(
            param, _("La geometría es demasiado grande (más de %(n)s caracteres).") % {"n": MAX_POLYGON_CHARS}
        )
    return raw


def _geojson_from_text(text: str, param: str, allow_wkt: bool) -> Any:
    """JSON text -> Python objects; with allow_wkt, WKT/EWKT text -> the same GeoJSON mapping."""
    if allow_wkt and text.strip() and not text.lstrip().startswith(("{", "[")):
        try:
            geom = GEOSGeometry(text.strip())
        except (GEOSException, GDALException, ValueError, TypeError):
            raise _bad(param, _("La geometría no es GeoJSON ni WKT válido.")) from None
        if geom.srid is None:
            geom.srid = STORAGE_SRID
        # Coordinates are checked in lon/lat like GeoJSON, so other SRIDs are transformed first.
        return json.loads(ensure_srid(geom, param).json)
    try:
        return json.loads(text)
    except RecursionError:
        # json recurses once per nesting level; thousands of "[" exhaust the stack.
        raise _bad(param, _("El GeoJSON está anidado a demasiada profundidad.")) from None
    except ValueError:
        if allow_wkt:
            raise _bad(param, _("La geometría no es GeoJSON ni WKT válido.")) from None
        raise _bad(param, _("El cuerpo no es JSON válido.")) from None


def _is_coordinate(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, int):
        # A 400-digit integer is valid JSON but overflows float(); no longitude needs more than 3 digits.
        return abs(value) <= 1_000
    return math.isfinite(value)


def parse_polygon(
    raw: Any,
    param: str = "geometry",
    *,
    max_vertices: int | None = None,
    max_area_km2: float | None = MAX_DRAWN_AREA_KM2,
    allow_wkt: bool = False,
) -> MultiPolygon:
    """The one polygon parser: GeoJSON Polygon/MultiPolygon (bare or in a Feature; text, bytes or a
    parsed mapping; WKT/EWKT too when allow_wkt) -> a valid MultiPolygon in EPSG:4326 inside Guanajuato.

    Checks run from cheap to expensive, and each names what is wrong: encoding, size, JSON, type,
    coordinate range, ring closure, vertex count, validity (self-intersection), axis order, area.
    Every refusal is a ValidationError keyed by `param`; no input raises anything else.
    """
    if max_vertices is None:
        max_vertices = settings.MAX_DRAWN_VERTICES
    body = raw
    if isinstance(body, str | bytes):
        body = _geojson_from_text(_decoded(body, param), param, allow_wkt)
    if not isinstance(body, dict):
        raise _bad(param, _("Se esperaba un objeto GeoJSON."))
    if body.get("type") == "Feature":
        body = body.get("geometry")
        if not isinstance(body, dict):
            raise _bad(param, _("El Feature no trae geometría."))
    gtype = body.get("type")
    if gtype not in ("Polygon", "MultiPolygon"):
        shown = gtype if isinstance(gtype, str) and len(gtype) < 40 else _("nada")
        raise _bad(
            param, _("Se esperaba un polígono (Polygon o MultiPolygon), se recibió %(t)s.") % {"t": shown}
        )
    coords = body.get("coordinates")
    if not isinstance(coords, list):
        raise _bad(param, _("«coordinates» falta o no es una lista."))
    polygons = [coords] if gtype == "Polygon" else coords
    if not polygons:
        raise _bad(param, _("«coordinates» está vacío o mal formado."))
    vertices = 0
    for p_index, rings in enumerate(polygons):
        if not isinstance(rings, list) or not rings:
            raise _bad(param, _("El polígono %(i)s no tiene anillos.") % {"i": p_index + 1})
        for r_index, ring in enumerate(rings):
            where = _("polígono %(p)s, anillo %(r)s") % {"p": p_index + 1, "r": r_index + 1}
            if not isinstance(ring, list) or len(ring) < 4:
                raise _bad(param, _("%(w)s: un anillo necesita al menos 4 posiciones.") % {"w": where})
            vertices += len(ring)
            # Counted before the positions are read, so a huge ring is refused without walking it.
            if vertices > max_vertices:
                raise _bad(
                    param,
                    _("Demasiados vértices: el máximo es %(n)s; simplifique el polígono.")
                    % {"n": max_vertices},
                )
            first = _check_position(ring[0], where, param)
            for position in ring[1:]:
                _check_position(position, where, param)
            if first != _check_position(ring[-1], where, param):
                raise _bad(
                    param,
                    _("%(w)s: el anillo no está cerrado (la primera y la última posición difieren).")
                    % {"w": where},
                )
    try:
        geom = GEOSGeometry(json.dumps({"type": gtype, "coordinates": coords}), srid=STORAGE_SRID)
    except (GEOSException, GDALException, ValueError, TypeError):
        raise _bad(param, _("La geometría no se pudo leer.")) from None
    geom = validate_geometry(geom, param)
    if max_area_km2 is not None:
        area_km2 = area_m2(geom) / 1e6
        if area_km2 > max_area_km2:
            raise _bad(
                param,
                _("El área (%(a)s km²) es mucho mayor que el estado (%(s)s km²).")
                % {"a": round(area_km2), "s": STATE_AREA_KM2},
            )
    return as_multipolygon(geom, param)


def area_m2(geom: GEOSGeometry) -> float:
    """Area in square metres, computed in EPSG:6372 (INEGI LCC)."""
    return geom.transform(AREA_SRID, clone=True).area
