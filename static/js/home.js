/* Territorio Abierto: the home map. Everything it draws comes from /tiles/style.json. */
(function () {
  "use strict";

  var container = document.getElementById("map");
  var announcer = document.getElementById("announcer");
  var money = new Intl.NumberFormat("es-MX", { style: "currency", currency: "MXN", maximumFractionDigits: 0 });
  var number = new Intl.NumberFormat("es-MX");

  function say(text) {
    announcer.textContent = text;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function legendItem(list, colour, label, square) {
    var li = el("li");
    var swatch = el("span", { "class": square ? "swatch square" : "swatch", "aria-hidden": "true" });
    swatch.style.background = colour;
    li.appendChild(swatch);
    li.appendChild(document.createTextNode(label));
    list.appendChild(li);
  }

  function popupBody(title, rows) {
    var root = el("div");
    root.appendChild(el("h3", {}, title));
    var dl = el("dl");
    rows.forEach(function (row) {
      if (row[1] === undefined || row[1] === null || row[1] === "") return;
      dl.appendChild(el("dt", {}, row[0]));
      dl.appendChild(el("dd", {}, String(row[1])));
    });
    root.appendChild(dl);
    return root;
  }

  if (typeof maplibregl === "undefined" || !maplibregl.supported || (maplibregl.supported && !maplibregl.supported())) {
    container.appendChild(el("p", { "class": "synthetic-note" }, container.dataset.noWebgl));
  }

  fetch(container.dataset.styleUrl, { headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(start)
    .catch(function () { say("No se pudo cargar el estilo del mapa."); });

  function start(style) {
    var meta = style.metadata || {};
    var statusLabels = meta["territorio:status-labels"] || {};
    var zoneLabels = meta["territorio:zone-labels"] || {};

    var statusLegend = document.getElementById("status-legend");
    Object.keys(meta["territorio:status-colours"] || {}).forEach(function (status) {
      legendItem(statusLegend, meta["territorio:status-colours"][status], statusLabels[status] || status);
    });
    var zoneLegend = document.getElementById("zone-legend");
    Object.keys(meta["territorio:zone-colours"] || {}).forEach(function (kind) {
      legendItem(zoneLegend, meta["territorio:zone-colours"][kind], zoneLabels[kind] || kind, true);
    });

    var map = new maplibregl.Map({
      container: container,
      style: style,
      bounds: [[-102.3, 19.7], [-99.4, 22.1]],
      fitBoundsOptions: { padding: 20 },
      maxZoom: 18,
      attributionControl: { compact: true },
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");

    setupToggles(map);
    setupRasters(map, style);
    setupClusterCounts(map);
    setupPopups(map, statusLabels, zoneLabels);
  }

  function setupToggles(map) {
    document.querySelectorAll("input[data-layers]").forEach(function (box) {
      var ids = box.dataset.layers.split(",");
      function apply() {
        ids.forEach(function (id) {
          if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", box.checked ? "visible" : "none");
        });
      }
      box.addEventListener("change", function () {
        apply();
        say((box.checked ? "Capa visible: " : "Capa oculta: ") + box.parentNode.textContent.trim());
      });
      map.on("load", apply);
    });
  }

  function setupRasters(map, style) {
    var rasters = style.layers.filter(function (l) { return l.type === "raster" && l.id.indexOf("raster-") === 0; });
    if (!rasters.length) return;
    var box = document.getElementById("raster-layers");
    var legendBox = document.getElementById("raster-legend");
    box.hidden = false;
    rasters.forEach(function (layer) {
      var label = el("label");
      var input = el("input", { type: "checkbox" });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + (layer.metadata["territorio:title"] || layer.id)));
      box.appendChild(label);
      input.addEventListener("change", function () {
        map.setLayoutProperty(layer.id, "visibility", input.checked ? "visible" : "none");
        legendBox.hidden = !input.checked;
        if (input.checked) showRasterLegend(layer.metadata["territorio:legend"], legendBox);
      });
    });
  }

  function showRasterLegend(url, box) {
    fetch(url).then(function (r) { return r.json(); }).then(function (legend) {
      box.textContent = "";
      box.appendChild(el("h2", {}, legend.title));
      if (legend.units) box.appendChild(el("p", { "class": "hint" }, legend.units));
      var list = el("ul", { "class": "legend" });
      legend.classes.forEach(function (c) { legendItem(list, c.color, c.label, true); });
      box.appendChild(list);
      if (legend.attribution) box.appendChild(el("p", { "class": "hint" }, legend.attribution));
    });
  }

  // Cluster counts as HTML markers: the style carries no glyphs, so the map works offline.
  function setupClusterCounts(map) {
    var markers = {};
    function refresh() {
      var seen = {};
      var visible = map.getLayer("works") && map.getLayoutProperty("works", "visibility") !== "none";
      var features = visible ? map.queryRenderedFeatures({ layers: ["works"] }) : [];
      features.forEach(function (f) {
        var count = f.properties.count;
        if (!count || count < 2) return;
        var c = f.geometry.coordinates;
        var key = c[0].toFixed(5) + "," + c[1].toFixed(5);
        if (seen[key]) return;
        seen[key] = true;
        if (!markers[key]) {
          var node = el("span", { "class": "cluster-count", "aria-hidden": "true" }, number.format(count));
          markers[key] = new maplibregl.Marker({ element: node }).setLngLat(c).addTo(map);
        }
      });
      Object.keys(markers).forEach(function (key) {
        if (!seen[key]) {
          markers[key].remove();
          delete markers[key];
        }
      });
    }
    map.on("idle", refresh);
  }

  function setupPopups(map, statusLabels, zoneLabels) {
    var clickable = ["works", "work_footprints", "zones-fill", "need"];
    clickable.forEach(function (id) {
      map.on("mouseenter", id, function () { map.getCanvas().style.cursor = "pointer"; });
      map.on("mouseleave", id, function () { map.getCanvas().style.cursor = ""; });
    });
    map.on("click", function (e) {
      var layers = clickable.filter(function (id) { return map.getLayer(id); });
      var hit = map.queryRenderedFeatures(e.point, { layers: layers })[0];
      if (!hit) return;
      var p = hit.properties;
      var body;
      if (hit.layer.id === "works" && p.count > 1) {
        body = popupBody(number.format(p.count) + " obras en esta zona", [
          ["Monto vigente", money.format(p.amount || 0)],
          ["Ejercido", money.format(p.exercised || 0)],
          ["Estatus más frecuente", statusLabels[p.status] || p.status],
          ["", "Acerque el mapa para verlas una por una."],
        ]);
      } else if (hit.layer.id === "works" || hit.layer.id === "work_footprints") {
        body = popupBody(p.name || "Obra", [
          ["Folio", p.folio],
          ["Ejercicio", p.year],
          ["Estatus", statusLabels[p.status] || p.status],
          ["Monto vigente", p.amount !== undefined ? money.format(p.amount) : ""],
          ["Ejercido", p.exercised !== undefined ? money.format(p.exercised) : ""],
          ["Avance físico", p.progress !== undefined ? number.format(p.progress) + " %" : ""],
        ]);
      } else if (hit.layer.id === "need") {
        var rows = [["Hogares (aprox.)", number.format(p.households)]];
        [["servicios_basicos", "Sin servicios básicos"], ["calidad_vivienda", "Vivienda de mala calidad"],
         ["alimentacion", "Sin alimentación adecuada"], ["acceso_salud", "Sin acceso a la salud"],
         ["seguridad_social", "Sin seguridad social"], ["rezago_educativo", "Con rezago educativo"],
         ["pobreza_extrema", "En pobreza extrema"]].forEach(function (pair) {
          rows.push([pair[1], p[pair[0]] !== undefined ? p[pair[0]] + " %" : "dato protegido"]);
        });
        body = popupBody("Carencias de los hogares", rows);
      } else {
        body = popupBody(p.name || "Zona", [
          ["Tipo", zoneLabels[p.kind] || p.kind],
          ["Ejercicio fiscal", p.year],
          ["CVEGEO", p.cvegeo],
          ["Población", p.population !== undefined ? number.format(p.population) : ""],
          ["", p.synthetic ? "Zona sintética de demostración" : ""],
        ]);
      }
      new maplibregl.Popup({ maxWidth: "18rem" }).setLngLat(e.lngLat).setDOMContent(body).addTo(map);
      say(body.textContent);
    });
  }
})();
