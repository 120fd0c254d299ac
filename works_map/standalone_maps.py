"""One HTML file with a map of an area's works, to download and open anywhere (gis_core.folium_maps).

The outline of the area, its published works as circles coloured by status (one layer per status,
switchable), a popup per work (name, folio, year, status, amounts, progress and a link back to the
work's page on this site), a legend and the summary figures. Works are read in one query as plain
columns (no GEOS object per work), so a municipio with 10,000 works renders in well under 2 s.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_core.functions import X, Y
from works_map.models import WorkQuerySet, WorkStatus
from works_map.models.works import STATUS_COLOURS
from works_map.templatetags.mx import mxn, mxnum

# Beyond this a file grows past ~5 MB and a phone's browser struggles: narrow the selection instead.
MAX_WORKS = 25_000
# About 10 m at Guanajuato's latitude: the outline is for looking at, not for measuring.
OUTLINE_TOLERANCE_DEG = 0.0001


class TooManyWorks(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


@dataclass(frozen=True)
class MapSubject:
    """What the map is of: its title (the page's and the legend's), a line under it and its outline."""

    title: str
    subtitle: str
    outline: GEOSGeometry | None = None


def _rows(works: WorkQuerySet) -> list[tuple[Any, ...]]:
    rows = list(
        works.filter(point__isnull=False)
        .order_by("pk")
        .annotate(lon=X("point"), lat=Y("point"))
        .values_list(
            "pk",
            "folio",
            "name",
            "status",
            "fiscal_year",
            "amount_approved",
            "amount_exercised",
            "physical_progress",
            "lon",
            "lat",
        )[: MAX_WORKS + 1]
    )
    if len(rows) > MAX_WORKS:
        raise TooManyWorks(MAX_WORKS)
    return rows


# Escaped in the browser: names come from agencies' files and must never become markup.
POPUP_JS = """function (feature, layer) {
  layer.bindPopup(function () {
    var p = feature.properties, t = %(labels)s;
    var money = new Intl.NumberFormat("es-MX", {style: "currency", currency: "MXN"});
    var share = new Intl.NumberFormat("es-MX", {minimumFractionDigits: 1, maximumFractionDigits: 1});
    function esc(s) { return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]; }); }
    return '<strong>' + esc(p.n) + '</strong><br>' + esc(t.folio) + ' ' + esc(p.f) + ' · ' + esc(t.year) + ' '
      + esc(p.y) + '<br>' + esc(t.status) + ': ' + esc(p.s) + '<br>'
      + esc(t.approved) + ': ' + money.format(p.a) + '<br>'
      + esc(t.exercised) + ': ' + money.format(p.e) + '<br>'
      + esc(t.progress) + ': ' + share.format(p.p) + ' %%'
      + '<br><a href="' + esc(p.u) + '" target="_blank" rel="noopener">' + esc(t.open) + '</a>';
  }, {maxWidth: 320});
}"""


def _popup_js() -> str:
    labels = {
        "folio": _("Folio"),
        "year": _("Ejercicio"),
        "status": _("Estatus"),
        "approved": _("Aprobado"),
        "exercised": _("Ejercido"),
        "progress": _("Avance físico"),
        "open": _("Ver la ficha de la obra en el sitio"),
    }
    return POPUP_JS % {"labels": json.dumps(labels, ensure_ascii=False)}


def _legend(subject: MapSubject, counts: dict[str, int], totals: dict[str, Any], site_url: str) -> str:
    statuses = "".join(
        f'<li><span class="swatch" style="background:{STATUS_COLOURS[code]}"></span>'
        f"{html.escape(str(label))} ({mxnum(counts[code])})</li>"
        for code, label in WorkStatus.choices
        if counts.get(code)
    )
    figures = (
        f"<dl><div><dt>{_('Obras y acciones')}</dt><dd>{mxnum(totals['works'])}</dd></div>"
        f"<div><dt>{_('Inversión aprobada')}</dt><dd>{mxn(totals['approved'], 0)}</dd></div>"
        f"<div><dt>{_('Ejercido')}</dt><dd>{mxn(totals['exercised'], 0)}</dd></div></dl>"
    )
    generated = timezone.localtime().strftime("%d/%m/%Y %H:%M")
    return f"""
<style>
  .ta-legend {{ position: absolute; z-index: 1000; top: 10px; right: 10px; max-width: 19rem;
    max-height: calc(100% - 40px); overflow: auto; background: #fff; color: #111; padding: .6rem .8rem;
    font: 14px/1.35 system-ui, sans-serif; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.4); }}
  .ta-legend h1 {{ font-size: 1.05rem; margin: 0 0 .2rem; }} .ta-legend p {{ margin: 0 0 .4rem; }}
  .ta-legend dl {{ display: grid; grid-template-columns: 1fr; gap: .15rem; margin: .3rem 0; }}
  .ta-legend dl div {{ display: flex; justify-content: space-between; gap: .8rem; }}
  .ta-legend dt {{ font-weight: normal; }} .ta-legend dd {{ margin: 0; font-weight: bold; }}
  .ta-legend ul {{ list-style: none; padding: 0; margin: .3rem 0; }}
  .ta-legend .swatch {{ display: inline-block; width: .8rem; height: .8rem; border-radius: 50%;
    margin-right: .4rem; vertical-align: -1px; border: 1px solid #333; }}
  .ta-legend small {{ color: #444; }}
  @media (max-width: 40rem) {{ .ta-legend {{ top: auto; bottom: 24px; right: 6px; left: 6px; max-width: none;
    max-height: 40%; }} }}
</style>
<section class="ta-legend" aria-label="{html.escape(_("Leyenda y resumen"))}">
  <h1>{html.escape(subject.title)}</h1>
  <p>{html.escape(subject.subtitle)}</p>
  {figures}
  <h2 style="font-size:.95rem;margin:.4rem 0 0">{_("Estatus de las obras")}</h2>
  <ul>{statuses or "<li>" + _("Sin obras publicadas.") + "</li>"}</ul>
  <small>{_("Obras publicadas; montos en pesos (MXN).")} {_("Generado el %(date)s en") % {"date": generated}}
    <a href="{html.escape(site_url)}/">{html.escape(site_url)}</a>.
    {_("Datos sintéticos de demostración.")}</small>
</section>"""


def works_map_html(works: WorkQuerySet, subject: MapSubject, site_url: str) -> str:
    """The whole HTML document. Queries: 1 (the works), raising TooManyWorks past MAX_WORKS."""
    # folium brings pandas (and pandas pyarrow): about 100 MB that a worker which never draws a map
    # (tiles, pages, exports) should not carry, so it is imported by the first map.
    import folium

    from gis_core.folium_maps import PointLayer, Raw, standalone_map

    rows = _rows(works)
    labels = {code: str(label) for code, label in WorkStatus.choices}  # translated once, not per work
    work_url = reverse("works_map:work", args=[0]).replace("/0/", "/{}/")
    layers: dict[str, list[dict[str, Any]]] = {}
    approved = exercised = Decimal("0")
    for pk, folio, name, status, year, amount, spent, progress, lon, lat in rows:
        approved += amount
        exercised += spent
        layers.setdefault(status, []).append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": {
                    "n": name,
                    "f": folio,
                    "y": year,
                    "s": labels.get(status, status),
                    # Numbers, formatted in the popup (es-MX): 10,000 works need no Python formatting.
                    "a": float(amount),
                    "e": float(spent),
                    "p": float(progress),
                    "u": site_url + work_url.format(pk),
                },
            }
        )
    fmap = standalone_map(location=[21.0, -101.0], zoom_start=8)
    fmap.get_root().title = subject.title  # type: ignore[attr-defined]
    bounds = None
    if subject.outline is not None:
        outline = subject.outline.simplify(OUTLINE_TOLERANCE_DEG, preserve_topology=True)
        folium.GeoJson(
            json.loads(outline.geojson),
            name=_("Contorno"),
            style_function=lambda _f: {"color": "#222", "weight": 2, "fill": True, "fillOpacity": 0.04},
        ).add_to(fmap)
        xmin, ymin, xmax, ymax = subject.outline.extent
        bounds = [[ymin, xmin], [ymax, xmax]]
    popup = _popup_js()
    counts = {}
    for code in WorkStatus.values:  # the lifecycle's order, so the layer list reads like it
        features = layers.get(code)
        if not features:
            continue
        counts[code] = len(features)
        colour = STATUS_COLOURS[code]
        PointLayer(
            features,
            name=f"{labels[code]} ({mxnum(len(features))})",
            marker={"radius": 5, "color": "#222", "weight": 1, "fillColor": colour, "fillOpacity": 0.9},
            on_each_feature=popup,
        ).add_to(fmap)
    if counts:
        folium.LayerControl(collapsed=True, position="topleft").add_to(fmap)
    if bounds is None and rows:
        lons = [r[8] for r in rows]
        lats = [r[9] for r in rows]
        bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
    if bounds is not None:
        fmap.fit_bounds(bounds, padding=(20, 20), max_zoom=16)
    totals = {"works": len(rows), "approved": approved, "exercised": exercised}
    fmap.get_root().html.add_child(Raw(_legend(subject, counts, totals, site_url)))  # type: ignore[attr-defined]
    return fmap.get_root().render()
