/* Territorio Abierto: the map of a work or zone form. Draw a point, a line or a polygon (terra-draw, via
 * draw.js) or edit the stored one; each change is written to the form's GeoJSON textarea, which stays
 * the editor without JavaScript (under "Editar como GeoJSON"), and, on the work form, the server says
 * which municipio and localidad the drawing falls in (POST /planeacion/lugar). */
(function () {
  "use strict";
  var GTO = [[-102.3, 19.7], [-99.4, 22.1]];
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");

  function setUp(root) {
    var textarea = document.getElementById(root.dataset.target);
    var T = JSON.parse(document.getElementById("editor-i18n").textContent);
    var toolbar = root.querySelector(".draw-tools");
    var status = root.querySelector(".editor-status");
    var modes = root.dataset.modes.split(",");
    var map, draw, placeRequest = 0;
    root.hidden = false;

    function say(text) { status.textContent = text; }

    function stored() {
      try { return textarea.value.trim() ? JSON.parse(textarea.value) : null; } catch (e) { return null; }
    }

    function showPlace(geometry) {
      var url = root.dataset.placeUrl;
      if (!url) return;
      var mine = ++placeRequest;
      function put(field, text) {
        var dd = document.querySelector('[data-place="' + field + '"]');
        if (dd) dd.textContent = text;
      }
      if (!geometry) { put("municipio", T.none); put("localidad", T.none); return; }
      fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": csrfInput.value, "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(geometry),
      }).then(function (r) { return r.json().then(function (d) { if (!r.ok) throw new Error(d.detail || r.status); return d; }); })
        .then(function (d) {
          if (mine !== placeRequest) return;
          put("municipio", d.municipio ? d.municipio.name : T.outside);
          put("localidad", d.localidad ? d.localidad.name : T.none);
        })
        .catch(function (e) { if (mine === placeRequest) say(T.error + " " + e.message); });
    }

    function sync() {
      var geometry = TerritorioDraw.combined(draw);
      textarea.value = geometry ? JSON.stringify(geometry) : "";
      textarea.dispatchEvent(new Event("geometrychange", { bubbles: true }));
      showPlace(geometry);
      return geometry;
    }

    function setMode(mode) {
      TerritorioDraw.setPressed(toolbar, mode);
      draw.setMode(mode);
    }

    function start() {
      draw = TerritorioDraw.create(map, modes);
      var geometry = stored();
      if (geometry) {
        TerritorioDraw.load(draw, geometry);
        TerritorioDraw.fit(map, geometry);
        setMode("select");
      }
      draw.on("finish", function (id, context) {
        if (sync()) say(T.drawn);
        if (context && context.action === "draw") setMode("select");
      });
      toolbar.querySelectorAll("[data-mode]").forEach(function (b) {
        b.addEventListener("click", function () {
          // A new shape replaces the drawing; "select" edits what is there.
          if (b.dataset.mode !== "select") { draw.clear(); sync(); }
          setMode(b.dataset.mode);
        });
      });
      toolbar.querySelector('[data-action="clear"]').addEventListener("click", function () {
        draw.clear(); sync(); say(T.cleared);
      });
      // Typed GeoJSON (under the disclosure) is drawn again when it parses.
      textarea.addEventListener("change", function () {
        var g = stored();
        if (!g) return;
        draw.clear();
        TerritorioDraw.load(draw, g);
        TerritorioDraw.fit(map, g);
        showPlace(g);
      });
      root.editor = { map: map, draw: draw, sync: sync, setMode: setMode };
      window.geometryEditor = root.editor;
      root.dataset.ready = "true";
    }

    fetch(root.dataset.styleUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (style) {
      map = new maplibregl.Map({
        container: root.querySelector(".form-map"),
        style: style,
        bounds: GTO,
        fitBoundsOptions: { padding: 10 },
        maxZoom: 19,
        attributionControl: { compact: true },
      });
      map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
      root.map = map;
      map.on("load", start);
    });
  }

  document.querySelectorAll("[data-geometry-editor]").forEach(setUp);
})();
