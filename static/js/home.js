/* Territorio Abierto: the home map. The style comes from /tiles/style.json; filters rewrite the works
   tile URLs (the same query parameters the API takes), so the map and the list show the same set. */
(function () {
  "use strict";

  var container = document.getElementById("map");
  var announcer = document.getElementById("announcer");
  var T = JSON.parse(document.getElementById("home-i18n").textContent);
  var MUNICIPIOS = JSON.parse(document.getElementById("municipios-data").textContent);
  var form = document.getElementById("filters");
  var money = new Intl.NumberFormat("es-MX", { style: "currency", currency: "MXN", currencyDisplay: "narrowSymbol", maximumFractionDigits: 0 });
  var number = new Intl.NumberFormat("es-MX");
  var FILTERS = ["year", "status", "category", "municipio", "agency", "source"];
  var statusLabels = {};
  var statusColours = {};
  var map = null;
  var baseTiles = {};
  var nearbyPoint = null;

  function say(text) { announcer.textContent = text; }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function url(template, id) { return template.replace(/0\/$|00000\/$/, id + "/"); }

  function distance(m) {
    return m < 1000 ? number.format(Math.round(m)) + " m" : number.format(Math.round(m / 100) / 10) + " km";
  }

  function legendItem(list, colour, label, square) {
    var li = el("li");
    var swatch = el("span", { "class": square ? "swatch square" : "swatch", "aria-hidden": "true" });
    swatch.style.background = colour;
    li.appendChild(swatch);
    li.appendChild(document.createTextNode(label));
    list.appendChild(li);
  }

  // --- filters: one query string for tiles, list and nearby -------------------------------------------
  function filterQuery() {
    var q = new URLSearchParams();
    FILTERS.forEach(function (name) {
      var value = form.elements[name].value;
      if (value) q.set(name, value);
    });
    return q;
  }

  function withQuery(tileUrl, q) {
    var extra = q.toString();
    return extra ? tileUrl.replace("?", "?" + extra + "&") : tileUrl;
  }

  function readFiltersFromAddress() {
    var q = new URLSearchParams(window.location.search);
    FILTERS.forEach(function (name) {
      var select = form.elements[name];
      if (q.get(name) && select.querySelector('option[value="' + CSS.escape(q.get(name)) + '"]')) select.value = q.get(name);
    });
  }

  function applyFilters() {
    var q = filterQuery();
    history.replaceState(null, "", q.toString() ? "?" + q.toString() + window.location.hash : window.location.pathname + window.location.hash);
    if (map) {
      ["works", "work_footprints"].forEach(function (id) {
        if (map.getSource(id)) map.getSource(id).setTiles([withQuery(baseTiles[id], q)]);
      });
      refreshChoropleth();
    }
    refreshList();
    if (nearbyPoint) loadNearby(nearbyPoint.lon, nearbyPoint.lat, nearbyPoint.label);
    say(T.filters_applied);
  }

  form.addEventListener("change", applyFilters);
  form.addEventListener("reset", function () { setTimeout(applyFilters, 0); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });

  // --- list view: the works of the visible area, the alternative to the map ------------------------------
  var list = document.getElementById("work-list");
  var listStatus = document.getElementById("list-status");
  var listMore = document.getElementById("list-more");
  var nextPage = null;

  function workItem(w, extra) {
    var li = el("li", { "data-work-id": w.id });
    var a = el("a", { href: url(container.dataset.workUrl, w.id) }, w.name);
    li.appendChild(a);
    var meta = el("span", { "class": "meta" });
    var swatch = el("span", { "class": "swatch", "aria-hidden": "true" });
    swatch.style.background = statusColours[w.status] || "#636363";
    meta.appendChild(swatch);
    var parts = [statusLabels[w.status] || w.status, T.year + " " + w.fiscal_year, money.format(Number(w.amount_approved)),
      T.progress + " " + number.format(Number(w.physical_progress)) + " %"];
    if (extra) parts.unshift(extra);
    meta.appendChild(document.createTextNode(" " + parts.join(" · ")));
    li.appendChild(meta);
    var bar = el("progress", { max: "100", value: String(Number(w.physical_progress)), "aria-hidden": "true" });
    li.appendChild(bar);
    return li;
  }

  function fetchJson(address) {
    return fetch(address, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }

  function listAddress() {
    var q = filterQuery();
    q.set("page_size", "25");
    if (map) {
      var b = map.getBounds();
      var clamp = function (v, lo, hi) { return Math.min(Math.max(v, lo), hi); };
      q.set("bbox", [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -85, 85), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -85, 85)]
        .map(function (v) { return v.toFixed(5); }).join(","));
    }
    return container.dataset.worksUrl + "?" + q.toString();
  }

  var listToken = 0;
  function refreshList(more) {
    var token = ++listToken;
    var address = more ? nextPage : listAddress();
    if (!address) return;
    fetchJson(address).then(function (page) {
      if (token !== listToken) return;
      if (!more) list.textContent = "";
      page.results.forEach(function (w) { list.appendChild(workItem(w)); });
      nextPage = page.next;
      listMore.hidden = !page.next;
      listStatus.textContent = list.children.length ? T.list_count : T.list_none;
      list.setAttribute("data-loaded", "true");
    }).catch(function () { listStatus.textContent = T.error; });
  }
  listMore.addEventListener("click", function () { refreshList(true); });

  // --- "Obras cerca de mí" ---------------------------------------------------------------------------
  var nearbyList = document.getElementById("nearby-list");
  var nearbyStatus = document.getElementById("nearby-status");
  var nearbyMarker = null;

  function loadNearby(lon, lat, label) {
    nearbyPoint = { lon: lon, lat: lat, label: label };
    var q = filterQuery();
    q.set("lon", lon.toFixed(6));
    q.set("lat", lat.toFixed(6));
    q.set("radius_m", "50000");
    q.set("limit", "10");
    nearbyList.removeAttribute("data-loaded");
    fetchJson(container.dataset.nearbyUrl + "?" + q.toString()).then(function (works) {
      nearbyList.textContent = "";
      works.forEach(function (w) {
        var li = workItem(w, T.distance + ": " + distance(w.distance_m));
        li.setAttribute("data-distance-m", String(w.distance_m));
        nearbyList.appendChild(li);
      });
      nearbyStatus.textContent = works.length ? T.nearby_found + " " + label + ":" : T.nearby_none;
      nearbyList.setAttribute("data-loaded", "true");
      say(nearbyStatus.textContent + " " + works.length);
      showNearbyOnMap(lon, lat, works);
    }).catch(function () { nearbyStatus.textContent = T.error; });
  }

  function showNearbyOnMap(lon, lat, works) {
    if (!map) return;
    if (!nearbyMarker) {
      nearbyMarker = new maplibregl.Marker({ element: el("span", { "class": "here-marker", "aria-hidden": "true" }) });
    }
    nearbyMarker.setLngLat([lon, lat]).addTo(map);
    var features = works.map(function (w, i) {
      return { type: "Feature", geometry: { type: "Point", coordinates: [w.lon, w.lat] }, properties: { rank: i + 1 } };
    });
    var source = map.getSource("nearby");
    if (source) source.setData({ type: "FeatureCollection", features: features });
    var b = new maplibregl.LngLatBounds([lon, lat], [lon, lat]);
    works.forEach(function (w) { b.extend([w.lon, w.lat]); });
    map.fitBounds(b, { padding: 60, maxZoom: 14, duration: 600 });
  }

  document.getElementById("locate-me").addEventListener("click", function () {
    if (!navigator.geolocation) { nearbyStatus.textContent = T.no_geolocation; return; }
    nearbyStatus.textContent = T.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      loadNearby(pos.coords.longitude, pos.coords.latitude, T.your_location);
    }, function () { nearbyStatus.textContent = T.no_geolocation; }, { enableHighAccuracy: false, timeout: 10000 });
  });

  var placeResults = document.getElementById("place-results");
  document.getElementById("place-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var q = document.getElementById("place-q").value.trim();
    placeResults.textContent = "";
    fetchJson(container.dataset.placeUrl + "?q=" + encodeURIComponent(q)).then(function (data) {
      if (!data.results.length) { nearbyStatus.textContent = T.no_places; return; }
      if (data.results.length === 1) { loadNearby(data.results[0].lon, data.results[0].lat, data.results[0].name); return; }
      data.results.forEach(function (place) {
        var li = el("li");
        var b = el("button", { type: "button", "class": "link-button" }, place.name);
        b.addEventListener("click", function () {
          placeResults.textContent = "";
          loadNearby(place.lon, place.lat, place.name);
          nearbyList.focus && nearbyStatus.focus();
        });
        li.appendChild(b);
        placeResults.appendChild(li);
      });
    }).catch(function () { nearbyStatus.textContent = T.error; });
  });

  // --- the map ---------------------------------------------------------------------------------------
  readFiltersFromAddress();

  if (typeof maplibregl === "undefined" || (maplibregl.supported && !maplibregl.supported())) {
    container.appendChild(el("p", { "class": "synthetic-note" }, container.dataset.noWebgl));
    refreshList();
    return;
  }

  fetchJson(container.dataset.styleUrl).then(start).catch(function () { say(T.error); refreshList(); });

  function start(style) {
    var meta = style.metadata || {};
    statusLabels = meta["territorio:status-labels"] || {};
    statusColours = meta["territorio:status-colours"] || {};
    var zoneLabels = meta["territorio:zone-labels"] || {};
    var statusLegend = document.getElementById("status-legend");
    Object.keys(statusColours).forEach(function (s) { legendItem(statusLegend, statusColours[s], statusLabels[s] || s); });
    var zoneLegend = document.getElementById("zone-legend");
    Object.keys(meta["territorio:zone-colours"] || {}).forEach(function (kind) {
      legendItem(zoneLegend, meta["territorio:zone-colours"][kind], zoneLabels[kind] || kind, true);
    });
    Object.keys(style.sources).forEach(function (id) {
      if (style.sources[id].tiles) baseTiles[id] = style.sources[id].tiles[0];
    });
    // Start with the filters and zone year already in the tile URLs: no first draw of everything.
    var q = filterQuery();
    ["works", "work_footprints"].forEach(function (id) {
      if (style.sources[id]) style.sources[id].tiles = [withQuery(baseTiles[id], q)];
    });
    var zoneYear = document.getElementById("zone-year");
    if (style.sources.zones && zoneYear.value) {
      style.sources.zones.tiles = [withQuery(baseTiles.zones, new URLSearchParams({ year: zoneYear.value }))];
    }
    // The choropleth fill sits under the zones and lines; transparent until turned on (it also
    // answers clicks with the municipio under the pointer).
    var at = style.layers.findIndex(function (l) { return l.id === "zones-fill"; });
    style.layers.splice(at < 0 ? 1 : at, 0, {
      id: "municipios-fill", type: "fill", source: "municipios", "source-layer": "municipios",
      paint: { "fill-color": "#ffffff", "fill-opacity": 0 },
    });

    map = new maplibregl.Map({
      container: container,
      style: style,
      bounds: [[-102.3, 19.7], [-99.4, 22.1]],
      fitBoundsOptions: { padding: 10 },
      maxZoom: 18,
      attributionControl: { compact: true },
    });
    window.territorioMap = map;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
    map.on("load", function () {
      map.addSource("nearby", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
      map.addLayer({ id: "nearby-ring", type: "circle", source: "nearby",
        paint: { "circle-radius": 11, "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#111", "circle-stroke-width": 2.5 } });
      refreshList();
    });
    var moved = null;
    map.on("moveend", function () { clearTimeout(moved); moved = setTimeout(function () { refreshList(); }, 250); });

    zoneYear.addEventListener("change", function () {
      var zq = new URLSearchParams();
      if (zoneYear.value) zq.set("year", zoneYear.value);
      map.getSource("zones").setTiles([withQuery(baseTiles.zones, zq)]);
    });
    setupToggles();
    setupRasters(style);
    setupClusterCounts();
    setupClicks(zoneLabels);
    document.getElementById("choropleth").addEventListener("change", refreshChoropleth);
  }

  function setupToggles() {
    document.querySelectorAll("input[data-layers]").forEach(function (box) {
      var ids = box.dataset.layers.split(",");
      function apply() {
        ids.forEach(function (id) {
          if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", box.checked ? "visible" : "none");
        });
      }
      box.addEventListener("change", apply);
      map.on("load", apply);
    });
  }

  function setupRasters(style) {
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
        if (input.checked) {
          fetchJson(layer.metadata["territorio:legend"]).then(function (legend) {
            legendBox.textContent = "";
            legendBox.appendChild(el("h3", {}, legend.title));
            var ul = el("ul", { "class": "legend" });
            legend.classes.forEach(function (c) { legendItem(ul, c.color, c.label, true); });
            legendBox.appendChild(ul);
            if (legend.attribution) legendBox.appendChild(el("p", { "class": "hint" }, legend.attribution));
          });
        }
      });
    });
  }

  // Cluster counts as HTML markers: the style carries no glyphs, so the map works offline.
  function setupClusterCounts() {
    var markers = {};
    map.on("idle", function () {
      var seen = {};
      var visible = map.getLayer("works") && map.getLayoutProperty("works", "visibility") !== "none";
      (visible ? map.queryRenderedFeatures({ layers: ["works"] }) : []).forEach(function (f) {
        var count = f.properties.count;
        if (!count || count < 2) return;
        var c = f.geometry.coordinates;
        var key = c[0].toFixed(5) + "," + c[1].toFixed(5) + ":" + count;
        if (seen[key]) return;
        seen[key] = true;
        if (!markers[key]) {
          var node = el("span", { "class": "cluster-count", "aria-hidden": "true" }, number.format(count));
          markers[key] = new maplibregl.Marker({ element: node }).setLngLat(c).addTo(map);
        }
      });
      Object.keys(markers).forEach(function (key) {
        if (!seen[key]) { markers[key].remove(); delete markers[key]; }
      });
    });
  }

  function setupClicks(zoneLabels) {
    ["works", "work_footprints"].forEach(function (id) {
      map.on("mouseenter", id, function () { map.getCanvas().style.cursor = "pointer"; });
      map.on("mouseleave", id, function () { map.getCanvas().style.cursor = ""; });
    });
    map.on("click", function (e) {
      if (window.territorioDrawing) return; // a click of the area tool (home_area.js) adds a vertex
      var workLayers = ["works", "work_footprints"].filter(function (id) { return map.getLayer(id); });
      var box = [[e.point.x - 4, e.point.y - 4], [e.point.x + 4, e.point.y + 4]];
      var hit = map.queryRenderedFeatures(box, { layers: workLayers })[0];
      if (hit && hit.properties.id && (hit.layer.id === "work_footprints" || !(hit.properties.count > 1))) {
        window.location.href = url(container.dataset.workUrl, hit.properties.id);
        return;
      }
      if (hit) {
        var p = hit.properties;
        var body = el("div");
        body.appendChild(el("h3", {}, number.format(p.count) + " " + T.works_here));
        body.appendChild(el("p", {}, money.format(p.amount || 0) + " · " + (statusLabels[p.status] || p.status)));
        body.appendChild(el("p", { "class": "hint" }, T.zoom_in));
        new maplibregl.Popup({ maxWidth: "18rem" }).setLngLat(e.lngLat).setDOMContent(body).addTo(map);
        map.easeTo({ center: e.lngLat, zoom: Math.min(map.getZoom() + 2, 16) });
        return;
      }
      var areas = map.queryRenderedFeatures(e.point, { layers: ["municipios-fill", "zones-fill"].filter(function (id) { return map.getLayer(id); }) });
      var popup = el("div");
      areas.forEach(function (f) {
        var p = f.properties;
        var link = f.layer.id === "municipios-fill"
          ? el("a", { href: url(container.dataset.municipioUrl, p.cvegeo) }, T.municipio_card + ": " + p.name)
          : el("a", { href: url(container.dataset.zoneUrl, p.id) }, T.zone_card + ": " + (zoneLabels[p.kind] || p.kind) + " " + p.year + ", " + p.name);
        var para = el("p");
        para.appendChild(link);
        popup.appendChild(para);
      });
      if (areas.length && container.dataset.reportPointUrl) {
        // A citizen report starts from this point: the nearest published works are offered (participation).
        var report = el("a", { href: container.dataset.reportPointUrl + "?lon=" + e.lngLat.lng.toFixed(6) + "&lat=" + e.lngLat.lat.toFixed(6) }, container.dataset.reportPointLabel);
        var reportPara = el("p");
        reportPara.appendChild(report);
        popup.appendChild(reportPara);
      }
      if (areas.length) new maplibregl.Popup({ maxWidth: "20rem" }).setLngLat(e.lngLat).setDOMContent(popup).addTo(map);
      loadNearby(e.lngLat.lng, e.lngLat.lat, T.map_point);
    });
  }

  // --- choropleth: approved investment per inhabitant by municipio (quintiles) -------------------------------
  var CHORO = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];
  function refreshChoropleth() {
    var on = document.getElementById("choropleth").checked;
    var box = document.getElementById("choropleth-box");
    box.hidden = !on;
    if (!map || !map.getLayer("municipios-fill")) return;
    if (!on) { map.setPaintProperty("municipios-fill", "fill-opacity", 0); return; }
    var q = new URLSearchParams({ by: "municipio" });
    if (form.elements.year.value) q.set("year", form.elements.year.value);
    fetchJson(container.dataset.investmentUrl + "?" + q.toString()).then(function (data) {
      var people = {};
      MUNICIPIOS.forEach(function (m) { people[m.cvegeo] = m.population; });
      var values = {};
      data.rows.forEach(function (r) {
        if (r.cvegeo && people[r.cvegeo]) values[r.cvegeo] = Number(r.aprobado) / people[r.cvegeo];
      });
      var sorted = Object.keys(values).map(function (k) { return values[k]; }).sort(function (a, b) { return a - b; });
      var cuts = [0.2, 0.4, 0.6, 0.8].map(function (f) { return sorted[Math.floor(f * (sorted.length - 1))] || 0; });
      var expr = ["match", ["get", "cvegeo"]];
      Object.keys(values).forEach(function (k) {
        var cls = cuts.filter(function (c) { return values[k] > c; }).length;
        expr.push(k, CHORO[cls]);
      });
      expr.push("#e0e0e0");
      map.setPaintProperty("municipios-fill", "fill-color", expr.length > 3 ? expr : "#e0e0e0");
      map.setPaintProperty("municipios-fill", "fill-opacity", 0.75);
      var legend = document.getElementById("choropleth-legend");
      legend.textContent = "";
      var bounds = [sorted[0] || 0].concat(cuts, [sorted[sorted.length - 1] || 0]);
      CHORO.forEach(function (colour, i) {
        legendItem(legend, colour, money.format(bounds[i]) + " – " + money.format(bounds[i + 1]), true);
      });
      document.getElementById("choropleth-note").textContent = T.per_inhabitant_note;
    }).catch(function () { say(T.error); });
  }
})();
