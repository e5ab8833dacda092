// The place form's map: a click sets the latitude and longitude fields (no external geocoder).
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("carte-lieu");
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    if (!el || !lat || !lon || typeof L === "undefined") { return; }
    var start = [parseFloat(lat.value || el.dataset.lat), parseFloat(lon.value || el.dataset.lon)];
    var map = L.map(el).setView(start, lat.value ? 16 : 10);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
    }
    var marker = lat.value ? L.marker(start).addTo(map) : null;
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      if (marker) { marker.setLatLng(event.latlng); } else { marker = L.marker(event.latlng).addTo(map); }
    });
  });
})();
