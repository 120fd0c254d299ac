/* The import page while the worker writes: poll the job's status and move the bar row by row; reload
   the page once it is done (or failed) so the report shows. */
(function () {
  "use strict";
  var bar = document.getElementById("import-progress");
  if (!bar) return;
  var text = document.getElementById("import-progress-text");
  function poll() {
    fetch(bar.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        if (job.total) bar.max = job.total;
        bar.value = job.progress;
        text.textContent = job.progress + " / " + job.total;
        if (job.status === "DONE" || job.status === "FAILED") window.location.reload();
        else window.setTimeout(poll, 700);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
})();
