/* Territorio Abierto: the workspace's list of works. "Mark all" and the count of marked works in the
 * action bar; the publish/unpublish buttons stay off until a work is marked. The server asks for
 * confirmation (with the count) before anything changes, so the list works without this script too. */
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) return;
  var T = JSON.parse(document.getElementById("bulk-i18n").textContent);
  var all = document.getElementById("bulk-all");
  var count = document.getElementById("bulk-count");
  var boxes = form.querySelectorAll('input[name="ids"]');
  var buttons = form.querySelectorAll('.action-bar button[name="published"]');

  function update() {
    var n = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
    count.textContent = n === 0 ? T.none : n === 1 ? T.one : T.many.replace("%(n)s", n);
    buttons.forEach(function (b) { b.disabled = n === 0; });
    all.checked = n > 0 && n === boxes.length;
    all.indeterminate = n > 0 && n < boxes.length;
  }

  if (!boxes.length) return;
  all.hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (b) { b.checked = all.checked; });
    update();
  });
  boxes.forEach(function (b) { b.addEventListener("change", update); });
  update();
})();
