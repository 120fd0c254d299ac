// Caregiver screening: optional "use my location" to find the nearest centre. The coordinates go
// only in this form's POST, are used once to pick the centre, and are never stored.
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  if (!button || !("geolocation" in navigator)) return;
  var status = document.getElementById("location-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.waiting || "…";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        document.getElementById("lon").value = pos.coords.longitude.toFixed(5);
        document.getElementById("lat").value = pos.coords.latitude.toFixed(5);
        status.textContent = "✓";
      },
      function () {
        status.textContent = "✗";
      },
      { timeout: 10000 }
    );
  });
})();
