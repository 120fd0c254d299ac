// The citizen report form: "add my location" fills the hidden lon/lat fields from the browser.
(function () {
  "use strict";
  const button = document.getElementById("use-location");
  if (!button || !navigator.geolocation) {
    if (button) button.hidden = true;
    return;
  }
  const status = document.getElementById("location-status");
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(
      function (position) {
        document.getElementById("id_lon").value = position.coords.longitude.toFixed(6);
        document.getElementById("id_lat").value = position.coords.latitude.toFixed(6);
        status.textContent = button.dataset.found;
      },
      function () {
        status.textContent = button.dataset.failed;
      },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });
})();
