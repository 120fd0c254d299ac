"""The admin's map: GeoDjango's OpenLayers widget served from our own static files, no CDN.

Django's OSMWidget loads OpenLayers from jsDelivr and tiles from openstreetmap.org. Here OpenLayers
comes from npm (`ol` in package.json, served as static/vendor/ol/ol.js and ol.css), the base layer is
settings.BASEMAP_URL when set and nothing otherwise, and municipio outlines are drawn from our own
database so an editor still sees where they are with no internet at all.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.gis import forms
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from gis_core.functions import SimplifyPreserveTopology
from gis_core.geometry import validate_geometry

# The reference layer drawn under every geometry being edited.
OUTLINE_MODEL = "priority_zones.Municipio"
# Outlines are context, not data: simplified to ~200 m they weigh ~100 kB for the 46 municipios
# (the full INEGI boundaries: ~370 kB as GeoJSON).
OUTLINE_TOLERANCE_DEGREES = 0.002
OUTLINE_CACHE_SECONDS = 3600


def reference_outlines(model_label: str = OUTLINE_MODEL) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (EPSG:4326) of the reference polygons, cached."""
    model = apps.get_model(model_label)
    stamp = model.objects.aggregate(n=Count("pk"), last=Max("pk"))
    key = f"gis_core:outlines:{model_label}:{stamp['n']}:{stamp['last']}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = model.objects.annotate(
        outline=AsGeoJSON(SimplifyPreserveTopology("geom", OUTLINE_TOLERANCE_DEGREES), precision=4)
    ).values_list("name", "outline")
    outlines = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": name}, "geometry": json.loads(geom)}
            for name, geom in rows
            if geom
        ],
    }
    cache.set(key, outlines, OUTLINE_CACHE_SECONDS)
    return outlines


class GtoMapWidget(forms.OSMWidget):
    """OpenLayers editor centred on Guanajuato, with local assets and an optional XYZ basemap."""

    # An app template: the default form renderer does not read settings.TEMPLATES["DIRS"].
    template_name = "gis_core/map_widget.html"
    default_lon = -101  # the middle of the state
    default_lat = 21
    default_zoom = 8

    class Media:
        # extend=False: the parent's Media points at a CDN and must not leak into the page.
        extend = False
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css", "gis_core/map_widget.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["basemap_url"] = settings.BASEMAP_URL
        context["basemap_attribution"] = settings.BASEMAP_ATTRIBUTION
        context["outlines"] = reference_outlines()
        base_id = context.get("id") or context["module"]
        for part in ("outlines", "basemap", "attribution", "config"):
            context[f"{part}_script_id"] = f"{base_id}_{part}"
        context["widget_config"] = {
            "outlines": context["outlines_script_id"],
            "basemap": context["basemap_script_id"],
            "attribution": context["attribution_script_id"],
            "geom_name": context["geom_type"],
            "id": context["id"],
            "map_id": f"{context['id']}_map",
            "map_srid": context["map_srid"],
            "name": context["name"],
            "module": context["module"],
            "default_lon": context["default_lon"],
            "default_lat": context["default_lat"],
            "default_zoom": context["default_zoom"],
        }
        return context


class _ReasonCollector(logging.Handler):
    """Collects the messages GEOS/GDAL log while parsing, for this thread only."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.thread = threading.get_ident()
        self.reasons: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        message = record.getMessage().strip()
        for prefix in ("GEOS_ERROR:", "GDAL_ERROR"):
            if message.startswith(prefix):
                # "GDAL_ERROR 1: b'...'" -> the text inside
                message = message.split(":", 1)[1].strip().removeprefix("b").strip("'\"")
                if message not in self.reasons:
                    self.reasons.append(message)


@contextmanager
def parse_reasons() -> Iterator[list[str]]:
    """Why GEOS or GDAL refused a geometry: they log the reason and raise a generic error."""
    collector = _ReasonCollector()
    gis_logger = logging.getLogger("django.contrib.gis")
    gis_logger.addHandler(collector)
    try:
        yield collector.reasons
    finally:
        gis_logger.removeHandler(collector)


class ValidatedGeometryField(forms.GeometryField):
    """A geometry form field that says what is wrong with a geometry instead of "invalid".

    Unreadable text gets GEOS's own reason; a readable but invalid geometry (bow-tie, open ring,
    outside the state, axis order swapped) gets gis_core.geometry's message; a Polygon typed into
    a MultiPolygon field is promoted instead of refused.
    """

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, GEOSGeometry):
            return super().to_python(value)
        with parse_reasons() as reasons:
            try:
                GEOSGeometry(value)
            except (GEOSException, GDALException, ValueError, TypeError) as exc:
                reason = "; ".join(reasons) or str(exc)
                raise ValidationError(
                    _("Geometría ilegible: %(reason)s") % {"reason": reason}, code="invalid_geom"
                ) from None
        geom = super().to_python(value)
        if self.geom_type == "MULTIPOLYGON" and isinstance(geom, Polygon):
            geom = MultiPolygon(geom, srid=geom.srid)
        return geom

    def clean(self, value):
        geom = super().clean(value)
        if geom is None:
            return geom
        try:
            return validate_geometry(geom, field="geom")
        except ValidationError as exc:
            raise ValidationError(exc.messages, code="invalid_geom") from None
