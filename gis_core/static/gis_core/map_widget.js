// gis_core.widgets.GtoMapWidget: GeoDjango's MapWidget with local assets and no default tiles.
// A static file, not an inline script, so the Content-Security-Policy needs no 'unsafe-inline':
// each widget's <script data-config="..."> names the JSON element holding its settings.
(function () {
  "use strict";
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const config = read(document.currentScript.dataset.config);
  const outlines = new ol.layer.Vector({
    source: new ol.source.Vector({
      features: new ol.format.GeoJSON().readFeatures(read(config.outlines), {
        dataProjection: "EPSG:4326",
        featureProjection: "EPSG:" + config.map_srid,
      }),
    }),
    style: new ol.style.Style({ stroke: new ol.style.Stroke({ color: "#6b7280", width: 1 }) }),
  });
  const basemapUrl = read(config.basemap);
  // MapWidget falls back to OpenStreetMap when given no base layer, so without a basemap
  // the outlines themselves are the base layer: nothing is fetched from another host.
  const baseLayer = basemapUrl
    ? new ol.layer.Tile({
        source: new ol.source.XYZ({ url: basemapUrl, attributions: read(config.attribution) }),
      })
    : outlines;
  const widget = new MapWidget({
    base_layer: baseLayer,
    geom_name: config.geom_name,
    id: config.id,
    map_id: config.map_id,
    map_srid: config.map_srid,
    name: config.name,
    default_lon: config.default_lon,
    default_lat: config.default_lat,
    default_zoom: config.default_zoom,
  });
  if (basemapUrl) {
    widget.map.getLayers().insertAt(1, outlines);
  }
  // Leave a margin around the geometry so its edges and its neighbours stay in view.
  const drawn = widget.featureOverlay.getSource().getFeatures();
  if (drawn.length) {
    // The overlay has no spatial index, so its source cannot report an extent itself.
    const extent = ol.extent.createEmpty();
    drawn.forEach((feature) => ol.extent.extend(extent, feature.getGeometry().getExtent()));
    widget.map.getView().fit(extent, { padding: [40, 40, 40, 40], maxZoom: 15 }); // a point: street level
  }
  window[config.module] = widget;
})();
