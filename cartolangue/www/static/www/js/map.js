/* Carto-Langue maps: results (clustered course markers, exam-centre markers) and a single place.
   Progressive enhancement: the result list is the text alternative; without JavaScript there is no map. */
(function () {
  "use strict";

  function tiles(el) {
    return L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 });
  }

  function popup(title, subtitle) {
    var box = document.createElement("div");
    var strong = document.createElement("strong");
    strong.textContent = title;
    box.appendChild(strong);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(subtitle));
    return box;
  }

  var examIcon = null;

  function resultsMap(el) {
    var map = L.map(el, { preferCanvas: true }).setView([48.85, 2.35], 9);
    tiles(el).addTo(map);
    var courses = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
    var exams = L.layerGroup();
    map.addLayer(courses);
    map.addLayer(exams);
    examIcon = L.divIcon({ className: "exam-marker", html: "T", iconSize: [24, 24] });
    var actorIcon = L.divIcon({ className: "actor-marker", html: "A", iconSize: [24, 24] });
    var actors = L.layerGroup();
    map.addLayer(actors);

    function load(coursesUrl, examsUrl) {
      if (qpv && /[?&]qpv=\d/.test(coursesUrl)) { qpv.show(); }  // the search filters on the QPV: show them
      courses.clearLayers();
      exams.clearLayers();
      actors.clearLayers();
      var actorsUrl = el.dataset.actors;  // the "Se faire accompagner" tab: the support actors' layer
      var bounds = L.latLngBounds([]);
      var done = 0;
      function finish() {
        done += 1;
        if (done === (actorsUrl ? 3 : 2) && bounds.isValid()) {
          map.fitBounds(bounds, { maxZoom: 14, padding: [20, 20] });
        }
      }
      fetch(coursesUrl, { headers: { Accept: "application/geo+json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var markers = (data.features || []).map(function (f) {
            var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
            bounds.extend(ll);
            // A click (or Enter on a focused marker) opens the course; the title names it on hover.
            var m = L.marker(ll, { title: f.properties.name, alt: f.properties.name, keyboard: true });
            // The course page's "Retour à la recherche" comes back to this search (the address bar holds it).
            m.on("click", function () {
              var search = window.location.search.slice(1);
              window.location.href = f.properties.url + (search ? "?retour=" + encodeURIComponent(search) : "");
            });
            return m;
          });
          courses.addLayers(markers);
        })
        .catch(function () {})
        .then(finish);
      fetch(examsUrl)
        .then(function (r) { return r.json(); })
        .then(function (data) {
          (data.features || []).forEach(function (f) {
            var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
            L.marker(ll, { icon: examIcon, title: el.dataset.labelExam + " : " + f.properties.name })
              .bindPopup(popup(f.properties.name, f.properties.date + " – " + f.properties.centre))
              .addTo(exams);
          });
        })
        .catch(function () {})
        .then(finish);
      if (actorsUrl) {
        fetch(actorsUrl)
          .then(function (r) { return r.json(); })
          .then(function (data) {
            (data.features || []).forEach(function (f) {
              var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
              bounds.extend(ll);
              var m = L.marker(ll, { icon: actorIcon, title: f.properties.name, alt: f.properties.name, keyboard: true });
              m.on("click", function () { window.location.href = f.properties.url; });
              m.addTo(actors);
            });
          })
          .catch(function () {})
          .then(finish);
      }
    }

    var qpv = el.dataset.qpv ? qpvLayer(el, map) : null;
    load(el.dataset.geojson, el.dataset.exams);
    return { map: map, load: load, courses: courses };
  }

  // The quartiers prioritaires (QPV 2024): outlines only, under the markers, switched on and off from the map's
  // layer control (checkboxes, reachable with the keyboard); `show` turns it on (the search filters on them).
  function qpvLayer(el, map) {
    var layer = L.geoJSON(null, {
      renderer: L.svg(),  // a few hundred outlines: SVG, whatever the markers' canvas
      interactive: false,
      style: { color: "#b2182b", weight: 1.5, fill: true, fillOpacity: 0.08 }
    });
    var overlays = {};
    var name = document.createElement("span");  // Leaflet writes the name as HTML: give it text only
    name.textContent = el.dataset.labelQpv;
    overlays[name.outerHTML] = layer;
    var control = L.control.layers(null, overlays, { collapsed: false, position: "bottomleft" }).addTo(map);
    control.getContainer().setAttribute("aria-label", el.dataset.labelQpv);
    var loaded = false;
    function fill() {
      if (loaded) { return; }
      loaded = true;
      fetch(el.dataset.qpv)
        .then(function (r) { return r.json(); })
        .then(function (data) { layer.addData(data); })
        .catch(function () { loaded = false; });
    }
    map.on("overlayadd", function (e) { if (e.layer === layer) { fill(); } });
    return { show: function () { if (!map.hasLayer(layer)) { layer.addTo(map); } fill(); } };
  }

  function placeMap(el) {
    var ll = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    var map = L.map(el).setView(ll, 15);
    tiles(el).addTo(map);
    L.marker(ll, { keyboard: false }).addTo(map);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    var results = document.getElementById("carte");
    if (results) {
      var layout = results.closest(".search-layout");
      layout.classList.add("has-map");
      window.cartoLangueMap = resultsMap(results);
      // On a phone, list and map take turns.
      var toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "button button-secondary view-toggle";
      toggle.setAttribute("aria-pressed", "false");
      toggle.textContent = results.dataset.labelShowMap;
      toggle.addEventListener("click", function () {
        var showMap = layout.classList.toggle("show-map");
        toggle.setAttribute("aria-pressed", String(showMap));
        toggle.textContent = showMap ? results.dataset.labelShowList : results.dataset.labelShowMap;
        if (showMap) { window.cartoLangueMap.map.invalidateSize(); }
      });
      layout.insertBefore(toggle, document.getElementById("resultats"));
    }
    var place = document.getElementById("carte-lieu");
    if (place) { placeMap(place); }
  });
})();
