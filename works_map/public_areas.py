"""Saved public areas: the geometry limits, its normalised form and fingerprint, and the short code.

Writes go through works_map.actions.do_save_public_area; the report card is works_map.pages.area_card.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, WKTWriter
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gis_core.geometry import as_multipolygon, parse_polygon, validate_geometry

# Stricter than a drawn query: a saved area is kept and published for good.
MAX_VERTICES = 2_000
MAX_AREA_KM2 = 10_000.0  # a third of the state; larger areas are the municipio or state cards
CODE_LENGTH = 8
SAVES_PER_HOUR = 30  # per client address (works_map.api.views.AreaSaveThrottle)
COORD_DECIMALS = 6  # about 0.1 m, like the exports


def parse_area(raw: Any, param: str = "geometry") -> MultiPolygon:
    """The polygon to save, refused (naming `param`) when malformed, too detailed or too large."""
    return parse_polygon(raw, param, max_vertices=MAX_VERTICES, max_area_km2=MAX_AREA_KM2)


def normalised(geom: MultiPolygon, param: str = "geometry") -> MultiPolygon:
    """Coordinates rounded to COORD_DECIMALS, rings and vertices in canonical order: two drawings of
    the same polygon (another starting vertex, the other winding) become the same geometry."""
    writer = WKTWriter(precision=COORD_DECIMALS)
    snapped = GEOSGeometry(writer.write(geom).decode(), srid=geom.srid)
    try:
        snapped = validate_geometry(snapped, param)
    except ValidationError:
        raise ValidationError(
            {param: _("Al redondear las coordenadas el polígono deja de ser válido; simplifíquelo.")}
        ) from None
    snapped = as_multipolygon(snapped, param)
    snapped.normalize()
    return snapped


def digest(geom: MultiPolygon) -> str:
    return hashlib.sha256(bytes(geom.wkb)).hexdigest()


def code_candidates(hex_digest: str) -> list[str]:
    """Codes to try in order: successive 8-character windows of the digest in base32 (a collision of
    40 bits between two different polygons moves the second one to the next window)."""
    text = base64.b32encode(bytes.fromhex(hex_digest)).decode().lower().rstrip("=")
    return [text[i : i + CODE_LENGTH] for i in range(0, len(text) - CODE_LENGTH + 1, CODE_LENGTH)]
