/* Territorio Abierto: terra-draw on a MapLibre map, shared by the planner's map (planner.js) and the
 * geometry editors of the work and zone forms (geometry_editor.js): the modes and their editing flags,
 * the toolbar's pressed state, loading a stored GeoJSON geometry (multi-part ones as one feature per
 * part) and reading the drawing back as one geometry. */
(function () {
  "use strict";
  var EDITABLE = { feature: { draggable: true, coordinates: { midpoints: true, draggable: true, deletable: true } } };
  var MODES = {
    point: function () { return new terraDraw.TerraDrawPointMode(); },
    linestring: function () { return new terraDraw.TerraDrawLineStringMode(); },
    polygon: function () { return new terraDraw.TerraDrawPolygonMode(); },
    circle: function () { return new terraDraw.TerraDrawCircleMode(); },
  };
  var MODE_OF_TYPE = { Point: "point", LineString: "linestring", Polygon: "polygon" };

  // A started TerraDraw with the named drawing modes plus "select", in which what they drew is editable.
  function create(map, names) {
    var flags = {};
    var modes = names.map(function (name) {
      flags[name] = name === "point" ? { feature: { draggable: true } } : EDITABLE;
      return MODES[name]();
    });
    modes.push(new terraDraw.TerraDrawSelectMode({ flags: flags }));
    var draw = new terraDraw.TerraDraw({
      adapter: new terraDrawMaplibreGlAdapter.TerraDrawMapLibreGLAdapter({ map: map }),
      modes: modes,
    });
    draw.start();
    return draw;
  }

  // Mark the toolbar button of `mode` pressed (aria-pressed), the others not.
  function setPressed(toolbar, mode) {
    toolbar.querySelectorAll("[data-mode]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.mode === mode));
    });
  }

  // The single-part geometries of a GeoJSON geometry (Multi* and collections split).
  function parts(geometry) {
    if (!geometry) return [];
    if (geometry.type === "GeometryCollection") return [].concat.apply([], geometry.geometries.map(parts));
    if (geometry.type.indexOf("Multi") === 0) {
      var single = geometry.type.slice(5);
      return geometry.coordinates.map(function (c) { return { type: single, coordinates: c }; });
    }
    return [geometry];
  }

  // Put a stored geometry on the drawing, one feature per part; returns the ids added.
  function load(draw, geometry) {
    var features = parts(geometry).map(function (g) {
      return { type: "Feature", geometry: g, properties: { mode: MODE_OF_TYPE[g.type] } };
    });
    return draw.addFeatures(features).filter(function (r) { return r.valid; }).map(function (r) { return r.id; });
  }

  // What is drawn (shapes being drawn left out) as one GeoJSON geometry, or null.
  function combined(draw) {
    var drawn = draw.getSnapshot().filter(function (f) {
      return !f.properties.currentlyDrawing && MODES[f.properties.mode] && f.geometry && f.geometry.type in MODE_OF_TYPE;
    }).map(function (f) { return f.geometry; });
    if (!drawn.length) return null;
    if (drawn.length === 1) return drawn[0];
    var type = drawn[0].type;
    if (drawn.every(function (g) { return g.type === type; })) {
      return { type: "Multi" + type, coordinates: drawn.map(function (g) { return g.coordinates; }) };
    }
    return { type: "GeometryCollection", geometries: drawn };
  }

  function fit(map, geometry, maxZoom) {
    var bounds = new maplibregl.LngLatBounds();
    function extend(c) { if (typeof c[0] === "number") bounds.extend(c); else c.forEach(extend); }
    parts(geometry).forEach(function (g) { extend(g.coordinates); });
    if (!bounds.isEmpty()) map.fitBounds(bounds, { padding: 40, duration: 0, maxZoom: maxZoom || 16 });
  }

  window.TerritorioDraw = { create: create, setPressed: setPressed, parts: parts, load: load, combined: combined, fit: fit };
})();
