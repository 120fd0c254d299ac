/* Territorio Abierto: the citizen map's area tool. Draw a polygon (terra-draw on the home map), see its
 * works and investment (POST /api/summary), and "Guardar y compartir": POST /api/areas saves it and
 * answers its permanent link (/areas/<code>/; the same polygon always gets the same link). */
(function () {
  "use strict";
  var tool = document.getElementById("area-tool");
  if (!tool || !window.terraDraw) return;
  var T = JSON.parse(document.getElementById("home-i18n").textContent);
  var csrf = tool.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("area-status");
  var saveButton = document.getElementById("area-save");
  var linkBox = document.getElementById("area-link-box");
  var link = document.getElementById("area-link");
  var money = new Intl.NumberFormat("es-MX", { style: "currency", currency: "MXN", maximumFractionDigits: 0 });
  var draw = null, current = null;

  function say(text) { status.textContent = text; }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) throw new Error(data.detail || r.status);
        return data;
      });
    });
  }

  function stopDrawing() {
    window.territorioDrawing = false;
    if (draw) draw.setMode("static");
  }

  function clear() {
    stopDrawing();
    if (draw) draw.clear();
    current = null;
    saveButton.disabled = true;
    linkBox.hidden = true;
    say("");
  }

  function finished(id) {
    var feature = draw.getSnapshot().filter(function (f) { return f.id === id; })[0];
    if (!feature || feature.geometry.type !== "Polygon") return;
    current = feature.geometry;
    stopDrawing();
    saveButton.disabled = false;
    linkBox.hidden = true;
    post(tool.dataset.summaryUrl, current).then(function (r) {
      say(T.area_ready.replace("%(works)s", r.works).replace("%(amount)s", money.format(Number(r.aprobado))));
    }).catch(function (e) { say(T.area_error + " " + e.message); });
  }

  function save() {
    if (!current) return;
    saveButton.disabled = true;
    say(T.area_saving);
    post(tool.dataset.saveUrl, current).then(function (r) {
      link.value = r.url;
      document.getElementById("area-open").href = r.url;
      linkBox.hidden = false;
      link.select();
      say(T.area_saved);
    }).catch(function (e) { say(T.area_error + " " + e.message); })
      .finally(function () { saveButton.disabled = !current; });
  }

  function start(map) {
    draw = new terraDraw.TerraDraw({
      adapter: new terraDrawMaplibreGlAdapter.TerraDrawMapLibreGLAdapter({ map: map }),
      modes: [new terraDraw.TerraDrawPolygonMode()],
    });
    draw.start();
    window.territorioDraw = draw;
    draw.on("finish", finished);
    document.getElementById("area-draw").addEventListener("click", function () {
      clear();
      window.territorioDrawing = true;
      draw.setMode("polygon");
      say(T.area_drawing);
    });
    document.getElementById("area-clear").addEventListener("click", clear);
    saveButton.addEventListener("click", save);
    tool.dataset.ready = "true";
  }

  (function wait() {
    var map = window.territorioMap;
    if (!map) { setTimeout(wait, 100); return; }
    if (map.loaded()) start(map); else map.once("load", function () { start(map); });
  })();
})();
