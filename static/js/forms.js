/* Territorio Abierto: the staff forms' error summary. It takes the focus when the page comes back with
 * errors, so a screen reader reads it first, and each of its links puts the focus in the field it names. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) return;
  summary.focus();
  summary.querySelectorAll('a[href^="#"]').forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var details = field.closest("details");
      if (details) details.open = true;
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  });
})();
