/* A work's page: the mini map (our own style plus the work's geometry) and the share button. */
(function () {
  "use strict";

  var share = document.getElementById("share-button");
  var link = document.getElementById("permalink");
  var status = document.getElementById("share-status");
  if (share && link) {
    share.addEventListener("click", function () {
      var url = link.value;
      if (navigator.share) {
        navigator.share({ title: share.dataset.title, url: url }).catch(function () {});
        return;
      }
      function done() { status.textContent = share.dataset.copied; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(done, function () { link.select(); });
      } else {
        link.select();
        try { document.execCommand("copy"); done(); } catch (e) { /* the link stays selected */ }
      }
    });
  }

  var box = document.getElementById("mini-map");
  var data = document.getElementById("work-geometry");
  if (!box || !data || typeof maplibregl === "undefined") return;
  var geometry = JSON.parse(data.textContent);

  function bounds(geom) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    (function walk(c) {
      if (typeof c[0] === "number") {
        b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
        b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
      } else c.forEach(walk);
    })(geom.type === "GeometryCollection" ? geom.geometries.map(function (g) { return g.coordinates; }) : geom.coordinates);
    return [[b[0], b[1]], [b[2], b[3]]];
  }

  fetch(box.dataset.styleUrl).then(function (r) { return r.json(); }).then(function (style) {
    var map = new maplibregl.Map({
      container: box, style: style, bounds: bounds(geometry),
      fitBoundsOptions: { padding: 40, maxZoom: 15 }, attributionControl: { compact: true },
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
    map.on("load", function () {
      map.addSource("this-work", { type: "geojson", data: { type: "Feature", geometry: geometry, properties: {} } });
      map.addLayer({ id: "this-work-line", type: "line", source: "this-work",
        filter: ["!=", ["geometry-type"], "Point"], paint: { "line-color": "#111", "line-width": 4 } });
      map.addLayer({ id: "this-work-point", type: "circle", source: "this-work",
        filter: ["==", ["geometry-type"], "Point"],
        paint: { "circle-radius": 9, "circle-color": "#111", "circle-stroke-color": "#fff", "circle-stroke-width": 3 } });
      window.territorioMiniMap = map;
    });
  });
})();
