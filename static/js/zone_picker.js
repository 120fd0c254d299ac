/* Territorio Abierto: build a zone from INEGI units on the zone form's map. Click a municipio or an AGEB
 * to add it to the zone or take it out; the keys go to the form's «units» field and the server makes
 * the zone the union of those units (PostGIS ST_Union, in the zone action). Picking clears a drawn
 * polygon and drawing clears the picked units: the zone is one or the other. */
(function () {
  "use strict";
  var root = document.querySelector("[data-geometry-editor]");
  var picker = document.getElementById("unit-picker");
  if (!root || !picker) return;
  var T = JSON.parse(document.getElementById("editor-i18n").textContent);
  var button = document.getElementById("pick-units");
  var list = document.getElementById("picked-units");
  var input = picker.querySelector('input[name="units"]');
  var status = root.querySelector(".editor-status");
  var geomField = document.getElementById(root.dataset.target);
  var LAYERS = { municipios: "municipios", agebs: "agebs" };
  var picking = false;

  function level() {
    var checked = picker.querySelector('input[name="unit_level"]:checked');
    return checked ? checked.value : "municipios";
  }
  function keys() {
    return input.value.split(/[\s,;]+/).filter(Boolean);
  }
  function setKeys(list2) { input.value = list2.join(", "); render(); }

  function render() {
    var map = root.map;
    list.innerHTML = "";
    keys().forEach(function (key) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = key + " ×";
      b.setAttribute("aria-label", T.remove + " " + key);
      b.addEventListener("click", function () { setKeys(keys().filter(function (k) { return k !== key; })); });
      li.appendChild(b);
      list.appendChild(li);
    });
    if (map && map.getLayer("picked-units")) {
      ["picked-units", "picked-units-line"].forEach(function (id) {
        map.setLayoutProperty(id, "visibility", "visible");
      });
      var filter = ["in", ["get", "cvegeo"], ["literal", keys()]];
      map.setFilter("picked-units", filter);
      map.setFilter("picked-units-line", filter);
    }
  }

  function pointLayers(map) {
    // An invisible fill per unit layer, to hit a unit anywhere inside it, and the picked units drawn on top.
    var lvl = level();
    ["pick-units", "picked-units", "picked-units-line"].forEach(function (id) { if (map.getLayer(id)) map.removeLayer(id); });
    var base = { source: LAYERS[lvl], "source-layer": LAYERS[lvl] };
    map.addLayer(Object.assign({ id: "pick-units", type: "fill", paint: { "fill-color": "#000000", "fill-opacity": 0.01 } }, base));
    map.addLayer(Object.assign({ id: "picked-units", type: "fill", filter: ["in", ["get", "cvegeo"], ["literal", []]],
      paint: { "fill-color": "#d95f0e", "fill-opacity": 0.35 } }, base));
    map.addLayer(Object.assign({ id: "picked-units-line", type: "line", filter: ["in", ["get", "cvegeo"], ["literal", []]],
      paint: { "line-color": "#993404", "line-width": 2 } }, base));
    render();
  }

  function setPicking(on) {
    var editor = root.editor;
    picking = on;
    button.setAttribute("aria-pressed", String(on));
    if (on && editor) {
      editor.draw.clear();
      editor.sync();
      editor.setMode("select");
      status.textContent = level() === "agebs" && root.map.getZoom() < 10 ? T.zoomIn : T.picking;
    }
  }

  function start() {
    var map = root.map;
    button.hidden = false;
    pointLayers(map);
    button.addEventListener("click", function () { setPicking(!picking); });
    picker.querySelectorAll('input[name="unit_level"]').forEach(function (r) {
      r.addEventListener("change", function () { setKeys([]); pointLayers(map); if (picking) setPicking(true); });
    });
    input.addEventListener("change", render);
    map.on("click", function (e) {
      if (!picking) return;
      var hit = map.queryRenderedFeatures(e.point, { layers: ["pick-units"] })[0];
      if (!hit) return;
      var key = hit.properties.cvegeo;
      var now = keys();
      setKeys(now.indexOf(key) >= 0 ? now.filter(function (k) { return k !== key; }) : now.concat([key]));
      status.textContent = keys().length + " " + T.picked;
    });
    // Drawing a polygon replaces the picked units.
    geomField.addEventListener("geometrychange", function () {
      if (geomField.value) { picking = false; button.setAttribute("aria-pressed", "false"); setKeys([]); }
    });
    root.toolbar = root.querySelector(".draw-tools");
    root.toolbar.querySelectorAll("[data-mode]").forEach(function (b) {
      b.addEventListener("click", function () { if (b.dataset.mode !== "select") setPicking(false); });
    });
    render();
    picker.dataset.ready = "true";
  }

  var wait = setInterval(function () {
    if (root.dataset.ready === "true") { clearInterval(wait); start(); }
  }, 50);
})();
