/* A consultation's page: the map of what is consulted (a zone or a work) with the published opinions'
   places, and, while the consultation is open, the optional place of a new opinion (tap the map, or
   use the device's location; the hidden lon/lat fields carry it). */
(function () {
  "use strict";

  var box = document.getElementById("consultation-map");
  var dataNode = document.getElementById("consultation-data");
  var lon = document.getElementById("id_lon");
  var lat = document.getElementById("id_lat");
  var status = document.getElementById("place-status");
  var useLocation = document.getElementById("use-location");
  var clear = document.getElementById("clear-place");
  var data = dataNode ? JSON.parse(dataNode.textContent) : { subject: null, opinions: null };
  var map = null;

  function placeFeature() {
    if (!lon || !lon.value || !lat.value) return { type: "FeatureCollection", features: [] };
    return { type: "FeatureCollection", features: [
      { type: "Feature", geometry: { type: "Point", coordinates: [Number(lon.value), Number(lat.value)] }, properties: {} },
    ] };
  }

  function showPlace() {
    if (!status) return;
    if (lon.value && lat.value) {
      status.textContent = status.dataset.set + " " + Number(lat.value).toFixed(5) + ", " + Number(lon.value).toFixed(5);
    } else {
      status.textContent = status.dataset.none;
    }
    if (map && map.getSource("my-place")) map.getSource("my-place").setData(placeFeature());
  }

  function setPlace(lng, lt) {
    lon.value = lng.toFixed(6);
    lat.value = lt.toFixed(6);
    showPlace();
  }

  if (useLocation) {
    if (!navigator.geolocation) useLocation.hidden = true;
    useLocation.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        setPlace(pos.coords.longitude, pos.coords.latitude);
        if (map) map.flyTo({ center: [pos.coords.longitude, pos.coords.latitude], zoom: 15 });
      }, function () {});
    });
  }
  if (clear) clear.addEventListener("click", function () { lon.value = ""; lat.value = ""; showPlace(); });
  if (lon) showPlace();

  if (!box || typeof maplibregl === "undefined") return;

  function bounds() {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    function walk(c) {
      if (typeof c[0] === "number") {
        b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
        b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
      } else c.forEach(walk);
    }
    if (data.subject) walk(data.subject.type === "GeometryCollection"
      ? data.subject.geometries.map(function (g) { return g.coordinates; }) : data.subject.coordinates);
    (data.opinions ? data.opinions.features : []).forEach(function (f) { walk(f.geometry.coordinates); });
    if (b[0] === Infinity) return [[-102.3, 19.9], [-99.6, 21.9]];  // Guanajuato
    return [[b[0], b[1]], [b[2], b[3]]];
  }

  fetch(box.dataset.styleUrl).then(function (r) { return r.json(); }).then(function (style) {
    map = new maplibregl.Map({
      container: box, style: style, bounds: bounds(),
      fitBoundsOptions: { padding: 40, maxZoom: 15 }, attributionControl: { compact: true },
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
    map.on("load", function () {
      if (data.subject) {
        map.addSource("subject", { type: "geojson", data: { type: "Feature", geometry: data.subject, properties: {} } });
        map.addLayer({ id: "subject-fill", type: "fill", source: "subject", filter: ["==", ["geometry-type"], "Polygon"],
          paint: { "fill-color": "#7a3e9d", "fill-opacity": 0.18 } });
        map.addLayer({ id: "subject-line", type: "line", source: "subject", filter: ["!=", ["geometry-type"], "Point"],
          paint: { "line-color": "#4b1d66", "line-width": 3 } });
        map.addLayer({ id: "subject-point", type: "circle", source: "subject", filter: ["==", ["geometry-type"], "Point"],
          paint: { "circle-radius": 9, "circle-color": "#111", "circle-stroke-color": "#fff", "circle-stroke-width": 3 } });
      }
      map.addSource("opinions", { type: "geojson", data: data.opinions || { type: "FeatureCollection", features: [] } });
      map.addLayer({ id: "opinions", type: "circle", source: "opinions",
        paint: { "circle-radius": 6, "circle-color": "#b45309", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
      map.addSource("my-place", { type: "geojson", data: placeFeature() });
      map.addLayer({ id: "my-place", type: "circle", source: "my-place",
        paint: { "circle-radius": 10, "circle-color": "#0b5394", "circle-stroke-color": "#fff", "circle-stroke-width": 3 } });
      if (box.dataset.pick && lon) {
        map.getCanvas().style.cursor = "crosshair";
        map.on("click", function (e) { setPlace(e.lngLat.lng, e.lngLat.lat); });
      }
      window.territorioConsultationMap = map;
    });
  });
})();
