"""INEGI reference geography from the files INEGI publishes: municipios, localidades, urban AGEBs.

Readers take GeoJSON, Shapefile (any DBF encoding, e.g. cp1252 without .cpg), GeoPackage or CSV
in any CRS GDAL knows (INEGI ships EPSG:6372 LCC or geographic 4326/6365) and reproject to the
storage SRID. The field names are INEGI's (CVEGEO, NOMGEO, POBTOT, …; case ignored) or those of
the wscatgeo/ITER exports (cvegeo, nom_loc, pob, pobtot, longitud, latitud).

Every row read ends in the report: created, updated, unchanged, or rejected with its reason.
Census cells INEGI suppresses for confidentiality (``*``, ``N/D``, ``-`` or empty) become null
and are counted. Writes go through the actions (do_upsert_municipio/localidad/ageb), so a second
run over the same files creates and updates nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from gis_core.geometry import STORAGE_SRID
from gis_core.history import GatheredVersions, first_versions_together
from gis_core.importers import ImportReport, RejectedRow
from gis_core.versions import bumps_once

MUNICIPIO_KEY = re.compile(r"^[0-9]{5}$")
LOCALIDAD_KEY = re.compile(r"^[0-9]{9}$")
AGEB_URBANA_KEY = re.compile(r"^[0-9]{12}[0-9A-Z]$")
# INEGI's definition: a localidad of 2,500 inhabitants or more is urban.
URBAN_THRESHOLD = 2500
SUPPRESSED = {"*", "N/D", "ND", "-", "NA", ""}

KEY_FIELDS = ("cvegeo", "cve_geo")
POPULATION_FIELDS = ("pobtot", "pob", "pob_tot", "pob1", "population", "poblacion")
MUNICIPIO_NAME_FIELDS = ("nomgeo", "nom_mun", "nom_agem", "nombre", "municipio_name", "name")
LOCALIDAD_NAME_FIELDS = ("nom_loc", "nomgeo", "nombre", "name")
LON_FIELDS = ("longitud", "lon", "long", "x")
LAT_FIELDS = ("latitud", "lat", "y")
# When there is no CVEGEO column the key is assembled from INEGI's component keys.
ENT_FIELDS = ("cve_ent", "entidad", "cve_agee")
MUN_FIELDS = ("cve_mun", "mun", "cve_agem")
LOC_FIELDS = ("cve_loc", "loc")
AGEB_FIELDS = ("cve_ageb", "ageb")


@dataclass
class GeographyReport(ImportReport[Any]):
    """One layer's report: besides ImportReport's counts, the suppressed census cells and the rows
    left out by --only (another state or municipio)."""

    layer: str = ""
    suppressed: int = 0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    # The versions held back while the loader writes (_writing), so a refused row drops its own.
    versions: GatheredVersions | None = field(default=None, repr=False, compare=False)

    def refuse(self, row: int, key: str, reason: str) -> None:
        self.reject(row, key, reason)
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def summary(self) -> dict[str, Any]:
        return {
            **super().summary(),
            "layer": self.layer,
            "suppressed": self.suppressed,
            "skipped": self.skipped,
        }

    def lines(self) -> list[str]:
        text = _(
            "%(layer)s: %(c)s nuevos, %(u)s actualizados, %(n)s sin cambios, %(r)s rechazados; "
            "%(s)s celdas censales confidenciales (*, N/D) como nulas"
        ) % {
            "layer": self.layer,
            "c": self.created,
            "u": self.updated,
            "n": self.unchanged,
            "r": self.rejected_count,
            "s": self.suppressed,
        }
        out = [text]
        if self.skipped:
            out.append(_("  %(n)s filas fuera del ámbito pedido (--only)") % {"n": self.skipped})
        out += [f"  {n} × {reason}" for reason, n in sorted(self.reasons.items(), key=lambda kv: -kv[1])]
        out += [f"  {note}" for note in self.notes]
        return out


# --- reading ---------------------------------------------------------------------------------------


def _clean(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _pick(row: dict[str, Any], names: Iterable[str]) -> str:
    for name in names:
        if name in row:
            value = _clean(row[name])
            if value:
                return value
    return ""


def census_number(raw: str) -> tuple[int | None, bool]:
    """(value, suppressed): INEGI writes * or N/D where a cell is confidential."""
    text = raw.strip().replace(",", "")
    if text.upper() in SUPPRESSED:
        return None, True
    try:
        number = float(text)
    except ValueError:
        return None, True
    if not math.isfinite(number) or number < 0:
        return None, True
    return int(round(number)), False


DMS = re.compile(r"""^\s*(\d+)\s*°\s*(\d+)\s*'\s*([\d.]+)\s*"?\s*([NSEWO])?\s*$""", re.IGNORECASE)


def coordinate(raw: str) -> float | None:
    """Decimal degrees, or INEGI's ITER form 101°31'42.102" W (W/O and S negative)."""
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    match = DMS.match(raw)
    if match is None:
        return None
    degrees, minutes, seconds, hemisphere = match.groups()
    value = int(degrees) + int(minutes) / 60 + float(seconds) / 3600
    return -value if (hemisphere or "").upper() in ("W", "O", "S") else value


def _key(row: dict[str, Any], parts: tuple[tuple[str, ...], ...], widths: tuple[int, ...]) -> str:
    key = _pick(row, KEY_FIELDS).upper()
    if key:
        return key
    pieces = []
    for names, width in zip(parts, widths, strict=True):
        piece = _pick(row, names).upper()
        if not piece:
            return ""
        pieces.append(piece.zfill(width))
    return "".join(pieces)


@dataclass
class SourceRow:
    row: int
    props: dict[str, Any]
    geom: Any  # shapely geometry in EPSG:4326, or None


def read_rows(path: Path, *, encoding: str | None = None) -> Iterator[SourceRow]:
    """The rows of a vector file (reprojected to 4326) or of a CSV (geometry None), keys lower-cased."""
    path = Path(path)
    if path.suffix.lower() in (".csv", ".txt"):
        yield from _read_csv(path, encoding)
        return
    import pyogrio

    kwargs: dict[str, Any] = {}
    if encoding:
        kwargs["encoding"] = encoding
    frame = pyogrio.read_dataframe(path, **kwargs)
    if frame.crs is None:
        frame = frame.set_crs(STORAGE_SRID)
    elif frame.crs.to_epsg() != STORAGE_SRID:
        frame = frame.to_crs(STORAGE_SRID)
    columns = [c for c in frame.columns if c != "geometry"]
    for index, (values, geom) in enumerate(
        zip(frame[columns].itertuples(index=False), frame.geometry.values, strict=True), start=1
    ):
        yield SourceRow(index, {c.lower(): v for c, v in zip(columns, values, strict=True)}, geom)


def _read_csv(path: Path, encoding: str | None) -> Iterator[SourceRow]:
    import csv

    raw = path.read_bytes()
    if encoding is None:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")  # INEGI's CSVs are often Windows-1252
    else:
        text = raw.decode(encoding)
    lines = (line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    for index, row in enumerate(csv.DictReader(lines), start=1):
        yield SourceRow(index, {str(k).strip().lower(): v for k, v in row.items() if k is not None}, None)


def _multipolygon(geom: Any) -> tuple[GEOSGeometry | None, str | None]:
    """The geometry as a GEOS MultiPolygon in 4326, or the reason it cannot be one."""
    import shapely

    if geom is None or geom.is_empty:
        return None, _("sin geometría")
    if geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    if geom.geom_type != "MultiPolygon":
        return None, _("se esperaba un polígono, el archivo trae %(t)s") % {"t": geom.geom_type}
    if not geom.is_valid:
        return None, _("geometría inválida: %(r)s") % {"r": shapely.is_valid_reason(geom)}
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=STORAGE_SRID), None


def _keyed_polygons(
    path: Path, options: LoadOptions, report: GeographyReport, accept, repeated: str
) -> Iterator[tuple[SourceRow, str, GEOSGeometry]]:
    """The rows of a polygon file whose key `accept` takes, once per key, with a usable outline;
    every other row is refused in the report with its reason."""
    seen: set[str] = set()
    for src in read_rows(path, encoding=options.encoding):
        key = accept(src)
        if key is None:
            continue
        if key in seen:
            report.refuse(src.row, key, repeated)
            continue
        seen.add(key)
        geom, reason = _multipolygon(src.geom)
        if geom is None:
            report.refuse(src.row, key, reason or "")
            continue
        yield src, key, geom


def _message(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


# --- loaders -------------------------------------------------------------------------------------


@dataclass
class LoadOptions:
    frame_version: str = "IMPORT"
    only: str = ""  # keep rows whose CVEGEO starts with this (a state "11", a municipio "11020")
    encoding: str | None = None
    acting_user: Any = None


def _population(props: dict[str, Any], report: GeographyReport) -> int | None:
    for name in POPULATION_FIELDS:
        if name in props:
            value, suppressed = census_number(_clean(props[name]))
            if suppressed:
                report.suppressed += 1
            return value
    return None


def _write(report: GeographyReport, row: int, key: str, upsert, *args, **kwargs) -> None:
    versions = report.versions
    mark = versions.mark() if versions is not None else 0
    try:
        report.tally(upsert(*args, **kwargs))
        report.count_kept(1)
    except ValidationError as exc:  # the action's savepoint rolled this row back
        if versions is not None:
            versions.drop_since(mark)
        report.refuse(row, key, _message(exc))


@contextmanager
def _writing(report: GeographyReport) -> Iterator[None]:
    """Layers bumped once; inside the caller's transaction (load_reference holds one per file), the
    first versions of the units created inserted together at the end rather than one per row."""
    with bumps_once():
        if not connection.in_atomic_block:  # each row commits alone: its version with it
            yield
            return
        with first_versions_together() as versions:
            report.versions = versions
            try:
                yield
            finally:
                report.versions = None


def load_municipios(path: Path, options: LoadOptions) -> GeographyReport:
    from priority_zones.actions import do_upsert_municipio

    report = GeographyReport(source=Path(path).name, layer="municipios")

    def accept(src: SourceRow) -> str | None:
        report.read += 1
        key = _key(src.props, (ENT_FIELDS, MUN_FIELDS), (2, 3))
        if options.only and not key.startswith(options.only[:5]):  # a municipio of the prefix
            report.skipped += 1
            return None
        if not MUNICIPIO_KEY.match(key):
            report.refuse(src.row, key, _("clave de municipio mal formada (se esperan 5 dígitos)"))
            return None
        return key

    with _writing(report):
        for src, key, geom in _keyed_polygons(
            path, options, report, accept, _("clave repetida en el archivo")
        ):
            name = _pick(src.props, MUNICIPIO_NAME_FIELDS)
            if not name:
                report.refuse(src.row, key, _("sin nombre de municipio"))
                continue
            values: dict[str, Any] = {"name": name, "geom": geom, "frame_version": options.frame_version}
            population = _population(src.props, report)
            if population is not None or any(n in src.props for n in POPULATION_FIELDS):
                values["population_2020"] = population
            _write(report, src.row, key, do_upsert_municipio, key, acting_user=options.acting_user, **values)
    report.committed = True
    return report


@dataclass
class _Localidad:
    row: int
    name: str = ""
    population: int | None = None
    point: Point | None = None
    geom: GEOSGeometry | None = None
    ambito: str = ""


def load_localidades(points: Path | None, polygons: Path | None, options: LoadOptions) -> GeographyReport:
    """ITER points (with the 2020 population) merged by CVEGEO with Marco Geoestadístico polygons."""
    from priority_zones.actions import do_upsert_localidad
    from priority_zones.models import Municipio

    sources = " + ".join(Path(p).name for p in (points, polygons) if p)
    report = GeographyReport(source=sources, layer="localidades")
    merged: dict[str, _Localidad] = {}
    refused: set[str] = set()

    def accept(src: SourceRow) -> str | None:
        report.read += 1
        key = _key(src.props, (ENT_FIELDS, MUN_FIELDS, LOC_FIELDS), (2, 3, 4))
        if options.only and not key.startswith(options.only):
            report.skipped += 1
            return None
        if not LOCALIDAD_KEY.match(key):
            report.refuse(src.row, key, _("clave de localidad mal formada (se esperan 9 dígitos)"))
            return None
        return key

    if points is not None:
        for src in read_rows(points, encoding=options.encoding):
            key = accept(src)
            if key is None:
                continue
            if key.endswith("0000") or key.endswith("9998") or key.endswith("9999"):
                # ITER's total rows (municipio/state) and its "localidades de una/dos viviendas".
                report.refuse(src.row, key, _("fila de totales o agregada del ITER, no es una localidad"))
                continue
            if key in merged:
                report.refuse(src.row, key, _("clave repetida en el archivo"))
                continue
            lon = coordinate(_pick(src.props, LON_FIELDS))
            lat = coordinate(_pick(src.props, LAT_FIELDS))
            if lon is None or lat is None:
                report.refuse(src.row, key, _("sin coordenadas legibles"))
                refused.add(key)
                continue
            merged[key] = _Localidad(
                row=src.row,
                name=_pick(src.props, LOCALIDAD_NAME_FIELDS),
                population=_population(src.props, report),
                point=Point(lon, lat, srid=STORAGE_SRID),
            )
    if polygons is not None:
        repeated = _("clave repetida en el archivo de polígonos")
        for src, key, geom in _keyed_polygons(polygons, options, report, accept, repeated):
            entry = merged.get(key)
            if entry is None:
                if key in refused:
                    continue
                entry = merged[key] = _Localidad(
                    row=src.row,
                    name=_pick(src.props, LOCALIDAD_NAME_FIELDS),
                    population=_population(src.props, report),
                )
            entry.geom = geom
            ambito = _pick(src.props, ("ambito",)).upper()[:1]
            entry.ambito = ambito if ambito in ("U", "R") else ""

    municipios = dict(
        Municipio.objects.filter(cvegeo__in={k[:5] for k in merged}).values_list("cvegeo", "pk")
    )
    with _writing(report):
        for key, loc in sorted(merged.items()):
            if key[:5] not in municipios:
                report.refuse(loc.row, key, _("el municipio %(m)s no está cargado") % {"m": key[:5]})
                continue
            if not loc.name:
                report.refuse(loc.row, key, _("sin nombre de localidad"))
                continue
            ambito = loc.ambito or ("U" if (loc.population or 0) >= URBAN_THRESHOLD else "R")
            values = {
                "name": loc.name,
                "municipio_id": municipios[key[:5]],
                "ambito": ambito,
                "population_2020": loc.population,
                "point": loc.point,
                "geom": loc.geom,
                "frame_version": options.frame_version,
            }
            _write(report, loc.row, key, do_upsert_localidad, key, acting_user=options.acting_user, **values)
    report.committed = True
    return report


def load_agebs(polygons: Path, census: Path | None, options: LoadOptions) -> GeographyReport:
    """Urban AGEB polygons; the population from the census table (RESAGEBURB, the AGEB total rows)
    when given, else from the polygons' own pobtot."""
    from priority_zones.actions import do_upsert_ageb
    from priority_zones.models import Localidad, Municipio

    sources = " + ".join(Path(p).name for p in (polygons, census) if p)
    report = GeographyReport(source=sources, layer="agebs")
    table: dict[str, int | None] = {}
    if census is not None:
        for src in read_rows(census, encoding=options.encoding):
            props = src.props
            # RESAGEBURB has one row per manzana plus totals; only the AGEB totals count here.
            if _clean(props.get("mza", "000")) not in ("000", "0", ""):
                continue
            key = _key(props, (ENT_FIELDS, MUN_FIELDS, LOC_FIELDS, AGEB_FIELDS), (2, 3, 4, 4))
            if options.only and not key.startswith(options.only):
                continue
            if AGEB_URBANA_KEY.match(key) and not key.endswith("0000"):
                value, suppressed = census_number(_clean(props.get("pobtot")))
                report.suppressed += suppressed
                table[key] = value
    rows: list[tuple[int, str, GEOSGeometry, int | None]] = []

    def accept(src: SourceRow) -> str | None:
        report.read += 1
        key = _key(src.props, (ENT_FIELDS, MUN_FIELDS, LOC_FIELDS, AGEB_FIELDS), (2, 3, 4, 4))
        if options.only and not key.startswith(options.only):
            report.skipped += 1
            return None
        if not AGEB_URBANA_KEY.match(key):
            report.refuse(src.row, key, _("clave de AGEB urbana mal formada (se esperan 13 caracteres)"))
            return None
        return key

    for src, key, geom in _keyed_polygons(
        polygons, options, report, accept, _("clave repetida en el archivo")
    ):
        if census is not None:
            population = table.get(key)
        else:
            population = _population(src.props, report)
        rows.append((src.row, key, geom, population))
    if census is not None:
        missing = sum(1 for _row, key, _g, _p in rows if key not in table)
        if missing:
            report.notes.append(_("%(n)s AGEB sin fila en la tabla censal: población nula") % {"n": missing})
    municipios = dict(
        Municipio.objects.filter(cvegeo__in={r[1][:5] for r in rows}).values_list("cvegeo", "pk")
    )
    localidades = dict(
        Localidad.objects.filter(cvegeo__in={r[1][:9] for r in rows}).values_list("cvegeo", "pk")
    )
    with _writing(report):
        for row, key, geom, population in rows:
            if key[:5] not in municipios:
                report.refuse(row, key, _("el municipio %(m)s no está cargado") % {"m": key[:5]})
                continue
            values = {
                "geom": geom,
                "municipio_id": municipios[key[:5]],
                "localidad_id": localidades.get(key[:9]),
                "population_2020": population,
                "frame_version": options.frame_version,
            }
            _write(report, row, key, do_upsert_ageb, key, acting_user=options.acting_user, **values)
    report.committed = True
    return report


__all__ = [
    "GeographyReport",
    "LoadOptions",
    "RejectedRow",
    "census_number",
    "coordinate",
    "load_agebs",
    "load_localidades",
    "load_municipios",
]
