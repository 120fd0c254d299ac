/* Territorio Abierto: the planner's map. Draw a polygon, a circle or a line with a buffer (terra-draw on
 * MapLibre, set up by draw.js); the report card (POST /api/summary) follows the drawn shape; save it as a zone; edit the
 * vertices of an existing zone. Saved zones show in the tiles at once: the tile URL carries the layer
 * version, so the zones source is pointed at the fresh style's URL after each save. */
(function () {
  "use strict";
  var container = document.getElementById("planner-map");
  if (!container) return;
  var T = JSON.parse(document.getElementById("planner-i18n").textContent);
  var editable = JSON.parse(document.getElementById("editable-zones").textContent);
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("planner-status");
  var card = document.getElementById("report-card");
  var saveForm = document.getElementById("zone-save");
  var money = new Intl.NumberFormat("es-MX", { style: "currency", currency: "MXN", maximumFractionDigits: 0 });
  var number = new Intl.NumberFormat("es-MX", { maximumFractionDigits: 1 });
  var map, draw, current = null, editingZone = null, pending = 0;

  function say(text) { status.textContent = text; }

  function post(url, body, json) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: Object.assign({ "X-CSRFToken": csrf, Accept: "application/json" },
        json ? { "Content-Type": "application/json" } : {}),
      body: json ? JSON.stringify(body) : body,
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) throw new Error(data.detail || (data.errors && JSON.stringify(data.errors)) || r.status);
        return data;
      });
    });
  }

  function fill(field, text) { card.querySelector('[data-field="' + field + '"]').textContent = text; }

  // The current shape (a GeoJSON Polygon geometry) -> report card, one request at a time wins.
  function showCard(geometry) {
    current = geometry;
    var mine = ++pending;
    say(T.loading);
    post(container.dataset.summaryUrl, geometry, true).then(function (r) {
      if (mine !== pending) return;
      fill("area_km2", number.format(r.area_km2) + " km²");
      fill("obras", String(r.works));
      fill("aprobado", money.format(Number(r.aprobado)));
      fill("ejercido", money.format(Number(r.ejercido)));
      var people = r.population && r.population.value;
      fill("population", people == null ? "—" : number.format(people) + " " + T.people);
      fill("per_inhabitant", r.per_inhabitant && r.per_inhabitant.aprobado ? money.format(Number(r.per_inhabitant.aprobado)) : "—");
      card.hidden = false;
      document.getElementById("card-empty").hidden = true;
      if (saveForm) saveForm.hidden = false;
      document.getElementById("map-download-box").hidden = false;
      map.getSource("drawn-area").setData({ type: "Feature", properties: {}, geometry: geometry });
      say(T.ready);
    }).catch(function (e) { if (mine === pending) say(T.error + " " + e.message); });
  }

  // The drawn shape as a standalone HTML map (POST /api/maps/works.html) or its card's tables
  // (POST /api/summary.xlsx), saved through a blob link.
  function download(url, filename) {
    if (!current) return;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/json" },
      body: JSON.stringify(current),
    }).then(function (r) {
      if (!r.ok) return r.json().then(function (d) { throw new Error(d.detail || r.status); });
      return r.blob();
    }).then(function (blob) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = filename;
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    }).catch(function (e) { say(T.error + " " + e.message); });
  }
  document.getElementById("map-download").addEventListener("click", function () {
    download(container.dataset.mapUrl, "mapa-area-trazada.html");
  });
  document.getElementById("xlsx-download").addEventListener("click", function () {
    download(container.dataset.xlsxUrl, "ficha-area-trazada.xlsx");
  });

  function shapeOf(id) {
    var feature = draw.getSnapshotFeature(id);
    if (!feature) return;
    if (feature.geometry.type === "Polygon") return showCard(feature.geometry);
    if (feature.geometry.type === "LineString") {
      var metres = Number(document.getElementById("buffer-metres").value);
      post(container.dataset.bufferUrl, { geometry: feature.geometry, metres: metres }, true)
        .then(function (f) { showCard(f.geometry); })
        .catch(function (e) { say(T.error + " " + e.message); });
    }
  }

  function setMode(mode) {
    TerritorioDraw.setPressed(document.querySelector(".draw-tools"), mode);
    draw.setMode(mode);
  }

  function clearDrawing() {
    draw.clear();
    editingZone = null;
    current = null;
    map.getSource("drawn-area").setData({ type: "FeatureCollection", features: [] });
  }

  function editZone(zone) {
    var g = zone.geometry;
    if (g.type === "MultiPolygon" && g.coordinates.length !== 1) { say(T.multipart); return; }
    var polygon = g.type === "MultiPolygon" ? { type: "Polygon", coordinates: g.coordinates[0] } : g;
    clearDrawing();
    editingZone = zone;
    var result = draw.addFeatures([{ type: "Feature", geometry: polygon, properties: { mode: "polygon" } }]);
    var id = result[0] && result[0].id;
    setMode("select");
    if (id != null) draw.selectFeature(id);
    saveForm.elements.zone_id.value = zone.id;
    saveForm.elements.name.value = zone.name;
    saveForm.elements.kind.value = zone.kind;
    saveForm.elements.fiscal_year.value = zone.fiscal_year;
    saveForm.elements.status.value = zone.status;
    var b = new maplibregl.LngLatBounds();
    polygon.coordinates[0].forEach(function (c) { b.extend(c); });
    map.fitBounds(b, { padding: 40, duration: 0 });
    showCard(polygon);
    say(T.editing);
  }

  function refreshZoneTiles() {
    return fetch(container.dataset.styleUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (style) { map.getSource("zones").setTiles(style.sources.zones.tiles); });
  }

  // What to save: the polygon being drawn or edited as it is now (vertex drags included); a line's buffer.
  function shapeToSave() {
    var polygons = draw.getSnapshot().filter(function (f) {
      return f.geometry.type === "Polygon" && (f.properties.mode === "polygon" || f.properties.mode === "circle");
    });
    return polygons.length ? polygons[0].geometry : current;
  }

  function save(event) {
    event.preventDefault();
    current = shapeToSave();
    if (!current) return;
    var body = new FormData(saveForm);
    var id = body.get("zone_id");
    body.delete("zone_id");
    body.set("geom", JSON.stringify(current));
    if (editingZone && editingZone.municipio) body.set("municipio", editingZone.municipio);
    var url = id ? editable.filter(function (z) { return String(z.id) === id; })[0].url : container.dataset.createUrl;
    post(url, body, false).then(function (r) {
      saveForm.elements.zone_id.value = r.id;
      say(T.saved);
      window.plannerLastSaved = r;
      return refreshZoneTiles();
    }).catch(function (e) { say(T.error + " " + e.message); });
  }

  fetch(container.dataset.styleUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (style) {
    map = new maplibregl.Map({
      container: container,
      style: style,
      bounds: [[-102.3, 19.7], [-99.4, 22.1]],
      fitBoundsOptions: { padding: 10 },
      maxZoom: 18,
      attributionControl: { compact: true },
    });
    window.plannerMap = map;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
    map.on("load", function () {
      map.addSource("drawn-area", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
      map.addLayer({ id: "drawn-area-line", type: "line", source: "drawn-area",
        paint: { "line-color": "#b35806", "line-width": 2, "line-dasharray": [2, 1] } });
      draw = TerritorioDraw.create(map, ["polygon", "circle", "linestring"]);
      window.plannerDraw = draw;
      draw.on("finish", function (id, context) {
        shapeOf(id);
        if (context && context.action === "draw") setMode("select");
      });
      document.querySelectorAll(".draw-tools [data-mode]").forEach(function (b) {
        b.addEventListener("click", function () { clearDrawing(); setMode(b.dataset.mode); });
      });
      document.querySelector('.draw-tools [data-action="clear"]').addEventListener("click", clearDrawing);
      document.querySelectorAll(".edit-on-map").forEach(function (b) {
        var zone = editable.filter(function (z) { return String(z.id) === b.dataset.zone; })[0];
        if (!zone || !saveForm) { b.hidden = true; return; }
        b.addEventListener("click", function () { editZone(zone); container.scrollIntoView(); });
      });
      if (saveForm) saveForm.addEventListener("submit", save);
      container.dataset.ready = "true";
    });
  });
})();

/* Maps of a few geometries on a plain background, fitted to them: the import preview and the version history. */
(function () {
  "use strict";
  if (!window.maplibregl) return;

  function plainMap(box, geometries) {
    var bounds = new maplibregl.LngLatBounds();
    function extend(c) { if (typeof c[0] === "number") bounds.extend(c); else c.forEach(extend); }
    geometries.forEach(function (g) { extend(g.coordinates); });
    return new maplibregl.Map({
      container: box,
      style: { version: 8, sources: {}, layers: [{ id: "bg", type: "background", paint: { "background-color": "#f4f1ea" } }] },
      bounds: bounds,
      fitBoundsOptions: { padding: 20 },
    });
  }

  // The import preview: the accepted rows before anything is written.
  function importPreview(box) {
    var data = JSON.parse(document.getElementById("import-preview").textContent);
    var map = plainMap(box, data.features.map(function (f) { return f.geometry; }));
    window.importPreviewMap = map;
    map.on("load", function () {
      map.addSource("preview", { type: "geojson", data: data });
      map.addLayer({ id: "preview-fill", type: "fill", source: "preview", filter: ["==", ["geometry-type"], "Polygon"],
        paint: { "fill-color": "#2b8cbe", "fill-opacity": 0.3 } });
      map.addLayer({ id: "preview-line", type: "line", source: "preview", paint: { "line-color": "#045a8d", "line-width": 1 } });
      map.addLayer({ id: "preview-points", type: "circle", source: "preview", filter: ["==", ["geometry-type"], "Point"],
        paint: { "circle-radius": 4, "circle-color": "#045a8d" } });
    });
  }

  // Version history: each geometry change on one map, the old shape grey, the new one orange.
  function versionHistory(box) {
    var changes = JSON.parse(document.getElementById("version-geometries").textContent);
    var features = [];
    changes.forEach(function (c) {
      ["old", "new"].forEach(function (role) {
        if (c[role]) features.push({ type: "Feature", properties: { role: role, version: c.version }, geometry: c[role] });
      });
    });
    if (!features.length) return;
    var map = plainMap(box, features.map(function (f) { return f.geometry; }));
    window.versionMap = map;
    map.on("load", function () {
      map.addSource("versions", { type: "geojson", data: { type: "FeatureCollection", features: features } });
      var colour = ["match", ["get", "role"], "old", "#737373", "#d95f0e"];
      map.addLayer({ id: "versions-fill", type: "fill", source: "versions", filter: ["!=", ["geometry-type"], "Point"],
        paint: { "fill-color": colour, "fill-opacity": 0.2 } });
      map.addLayer({ id: "versions-line", type: "line", source: "versions",
        paint: { "line-color": colour, "line-width": 2, "line-dasharray": ["match", ["get", "role"], "old", ["literal", [2, 2]], ["literal", [1, 0]]] } });
      map.addLayer({ id: "versions-points", type: "circle", source: "versions", filter: ["==", ["geometry-type"], "Point"],
        paint: { "circle-radius": 5, "circle-color": colour } });
    });
  }

  var preview = document.getElementById("import-map");
  if (preview) importPreview(preview);
  var versions = document.getElementById("version-map");
  if (versions) versionHistory(versions);
})();
