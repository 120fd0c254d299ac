"""Standalone HTML maps with folium that open with no request to another host.

folium's Map links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. StandaloneMap links none
of them: it writes Leaflet's own script and stylesheet (npm `leaflet`, pinned by package-lock.json)
into the page, with the stylesheet's images as data: URIs, so the file works offline, from an
e-mail attachment or a USB stick. Only a basemap, when settings.BASEMAP_URL is set, is fetched.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from pathlib import Path
from typing import Any

import folium
from branca.element import Element
from django.conf import settings
from folium.map import Layer
from jinja2 import Template

LEAFLET_DIR = Path(settings.BASE_DIR) / "node_modules" / "leaflet" / "dist"
_CSS_URL = re.compile(r"url\((images/[a-z0-9-]+\.png)\)")


@functools.cache  # files pinned by package-lock.json: read once per process
def leaflet_script() -> str:
    # "</script" inside a string would close the element early; Leaflet has none today.
    return (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")


@functools.cache
def leaflet_stylesheet() -> str:
    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode((LEAFLET_DIR / match.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)  # comments cite bug trackers: no URL left to wonder at
    return _CSS_URL.sub(inline, css)


class Raw(Element):
    """Markup written as it is. branca's Element compiles its text as a Jinja template: Leaflet's
    150 kB would be lexed on every map (over a second) and any `{{` in it read as a tag."""

    _template = Template("{{ this.markup }}")

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.markup = markup


class StandaloneMap(folium.Map):
    """A folium Map whose Leaflet is in the page itself and with no other library.

    Only folium features that need nothing but Leaflet may be added (GeoJson, CircleMarker,
    LayerControl, Popup...): plugins and awesome-markers icons bring their own CDN links.
    """

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []

    def render(self, **kwargs: Any) -> None:  # type: ignore[override] # folium's Map returns None too
        header = self.get_root().header  # type: ignore[attr-defined]
        header.add_child(Raw(f'<style id="leaflet-css">{leaflet_stylesheet()}</style>'), name="leaflet_css")
        header.add_child(Raw(f'<script id="leaflet-js">{leaflet_script()}</script>'), name="leaflet")
        super().render(**kwargs)


def script_json(value: Any) -> str:
    """JSON safe inside <script>: no "</script>" or "<!--" can come out of a value."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class PointLayer(Layer):
    """GeoJSON points drawn as circle markers, a layer the LayerControl lists.

    folium's GeoJson writes its data inside its script macro, which branca then compiles as a Jinja
    template: at 10,000 features that is seconds of lexing. Here the data goes out raw in its own
    <script> (before the map's script, which reads it) and the macro only names it.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson({{ this.get_name() }}_data, {
  pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, {{ this.marker|tojson }}); },
  onEachFeature: {{ this.on_each_feature }}
});
{% endmacro %}"""
    )

    def __init__(
        self, features: list[dict[str, Any]], name: str, marker: dict[str, Any], on_each_feature: str
    ):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "PointLayer"
        self.features = features
        self.marker = marker
        self.on_each_feature = on_each_feature

    def render(self, **kwargs: Any) -> None:  # type: ignore[override] # as folium's Layer
        data = script_json({"type": "FeatureCollection", "features": self.features})
        self.get_root().html.add_child(  # type: ignore[attr-defined]
            Raw(f"<script>var {self.get_name()}_data = {data};</script>"), name=f"{self.get_name()}_data"
        )
        super().render(**kwargs)


def standalone_map(**options: Any) -> StandaloneMap:
    """A canvas-rendered map (thousands of circle markers stay fast) with the basemap of
    settings.BASEMAP_URL, or none: then the outline and the markers are drawn on a blank map."""
    fmap = StandaloneMap(
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        # Attribution is owed to the basemap only; Leaflet's prefix would be a link to another host.
        attribution_control=bool(settings.BASEMAP_URL),
        **options,
    )
    if settings.BASEMAP_URL:
        folium.TileLayer(
            tiles=settings.BASEMAP_URL, attr=settings.BASEMAP_ATTRIBUTION, name="Mapa base", control=False
        ).add_to(fmap)
    return fmap


def foreign_references(html: str, allowed: tuple[str, ...]) -> list[str]:
    """http(s) URLs in `html` that start with none of `allowed`, outside the inlined Leaflet
    (whose source names its home page and the SVG namespace, neither of them fetched)."""
    without_library = re.sub(r'<script id="leaflet-js">.*?</script>', "", html, flags=re.S)
    found = re.findall(r"https?://[^\s\"'<>)\\]+", without_library)
    return [url for url in found if not url.startswith(allowed)]
