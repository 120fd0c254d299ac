/* Territorio Abierto: lets MapLibre read "pmtiles://" sources (layers.pmtiles archives, fetched by
   HTTP range requests) through the pmtiles package. Loaded after maplibre-gl.js and pmtiles.js. */
(function () {
  "use strict";
  if (window.maplibregl && window.pmtiles && !window.territorioPmtiles) {
    window.territorioPmtiles = new window.pmtiles.Protocol();
    window.maplibregl.addProtocol("pmtiles", window.territorioPmtiles.tile);
  }
})();
