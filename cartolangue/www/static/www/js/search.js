/* Carto-Langue search page: the form works without JavaScript (GET, shareable URL). With JavaScript,
   results, facet counts and the map update in place when a filter changes, and the address bar keeps the
   shareable URL. The place field suggests communes through the API (a native datalist). */
(function () {
  "use strict";

  var form = document.getElementById("recherche");
  if (!form || !window.fetch || !window.DOMParser) { return; }
  var results = document.getElementById("resultats");
  var pending = null;

  function queryString() {
    var params = new URLSearchParams(new FormData(form));
    Array.from(params.keys()).forEach(function (key) {
      if (params.get(key) === "" && params.getAll(key).length === 1) { params.delete(key); }
    });
    return params.toString();
  }

  function refresh() {
    var url = form.action + "?" + queryString();
    if (pending) { pending.abort(); }
    pending = new AbortController();
    results.setAttribute("aria-busy", "true");
    fetch(url, { signal: pending.signal, headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.text().then(function (html) { return { url: response.url, html: html }; });
      })
      .then(function (page) {
        var doc = new DOMParser().parseFromString(page.html, "text/html");
        var active = document.activeElement;
        var activeKey = active && active.name ? [active.name, active.value] : null;
        ["resultats"].forEach(function (id) {
          var fresh = doc.getElementById(id);
          if (fresh) { document.getElementById(id).innerHTML = fresh.innerHTML; }
        });
        // Parts of the page outside the results that carry the query: the language switcher's links.
        document.querySelectorAll("[data-follows-query]").forEach(function (part) {
          var fresh = doc.querySelector('[data-follows-query="' + part.dataset.followsQuery + '"]');
          if (fresh) { part.innerHTML = fresh.innerHTML; }
        });
        var freshFilters = doc.querySelector(".filters");
        var filters = form.querySelector(".filters");
        if (freshFilters && filters) { filters.innerHTML = freshFilters.innerHTML; }
        var freshCommune = doc.querySelector("[data-commune-code]");
        var commune = form.querySelector("[data-commune-code]");
        if (commune && !freshCommune) { commune.remove(); }
        if (freshCommune && !commune) { form.querySelector("#lieu").after(freshCommune); }
        if (freshCommune && commune) { commune.value = freshCommune.value; }
        if (activeKey) {
          var again = form.querySelector('[name="' + activeKey[0] + '"][value="' + CSS.escape(activeKey[1]) + '"]') ||
            form.querySelector('[name="' + activeKey[0] + '"]');
          if (again) { again.focus(); }
        }
        history.replaceState(null, "", page.url);
        var map = doc.getElementById("carte");
        if (window.cartoLangueMap && map) {
          window.cartoLangueMap.load(map.dataset.geojson, map.dataset.exams);
        }
      })
      .catch(function () {})
      .then(function () { results.removeAttribute("aria-busy"); });
  }

  form.addEventListener("change", function (event) {
    if (event.target.id === "lieu" || event.target.id === "q") { return; }
    refresh();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    refresh();
  });

  // Commune suggestions.
  var lieu = document.getElementById("lieu");
  if (lieu && lieu.dataset.autocompleteUrl) {
    var list = document.createElement("datalist");
    list.id = "communes-suggestions";
    lieu.setAttribute("list", list.id);
    lieu.after(list);
    var timer = null;
    lieu.addEventListener("input", function () {
      var commune = form.querySelector("[data-commune-code]");
      if (commune) { commune.remove(); }
      clearTimeout(timer);
      var text = lieu.value.trim();
      if (text.length < 2) { return; }
      timer = setTimeout(function () {
        fetch(lieu.dataset.autocompleteUrl + "?q=" + encodeURIComponent(text))
          .then(function (r) { return r.json(); })
          .then(function (items) {
            list.innerHTML = "";
            items.forEach(function (c) {
              var option = document.createElement("option");
              option.value = c.name + " (" + (c.post_codes[0] || c.code_insee) + ")";
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 200);
    });
  }
})();
