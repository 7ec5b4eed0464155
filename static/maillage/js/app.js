// Maillage front-end: maps drawn from GeoJSON fetched from the same origin (CSP: no inline code).
(function () {
  "use strict";

  var COLORS = {
    territoire: "#1d5fa8",
    couverte: "#2f7d4f",
    chevauchement: "#b35c00",
    zone_blanche: "#9aa3ad",
    // Issue 17 — the GP zoning of the attractiveness map (app.css .swatch-zip…).
    zip: "#b3261e",
    zac: "#b35c00",
    zar: "#7b4fa0",
    hz: "#2f7d4f",
    inconnu: "#9aa3ad",
    // Issue 17 — the case map of a crisis (maillage/crisis/response_cases.py `level`).
    cas_aucun: "#d9dee4",
    cas_faible: "#f2c14e",
    cas_moyen: "#e07b39",
    cas_fort: "#b3261e",
  };

  function styleFor(feature) {
    var color = COLORS[feature.properties.etat] || COLORS.territoire;
    return { color: color, weight: 1, fillColor: color, fillOpacity: 0.45 };
  }

  function describe(feature) {
    var p = feature.properties;
    var text = p.nom + (p.code ? " (" + p.code + ")" : "");
    if (p.cpts) text += " — " + p.cpts;
    if (p.statut) text += " — " + p.statut;
    return text;
  }

  // The départements' and régions' outlines (/fond.geojson), in a pane under the CPTS layer:
  // France without a tile server. Fetched once per page, shared by its maps.
  var backgrounds = {};

  function backgroundStyle(feature) {
    var region = feature.properties.niveau === "region";
    return {
      color: "#7d8793",
      weight: region ? 1.5 : 0.5,
      fill: region,
      fillColor: "#fbfaf6",
      fillOpacity: region ? 1 : 0,
      interactive: false,
    };
  }

  function drawBackground(map, url) {
    if (!url) return;
    map.createPane("fond").style.zIndex = 350;
    if (!backgrounds[url]) {
      backgrounds[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      });
    }
    backgrounds[url]
      .then(function (data) {
        L.geoJSON(data, { pane: "fond", style: backgroundStyle, interactive: false }).addTo(map);
        map.getContainer().dataset.backgroundFeatures = String(data.features.length);
      })
      .catch(function () {
        // The CPTS layer is still drawn; only the background is missing.
        delete backgrounds[url];
      });
  }

  function drawMap(element) {
    if (element.dataset.ready) return;
    element.dataset.ready = "1";
    var map = L.map(element, { attributionControl: Boolean(element.dataset.tiles), zoomSnap: 0.25 });
    map.setView([46.6, 2.4], 5);
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution || "" }).addTo(map);
    } else {
      drawBackground(map, element.dataset.background);
    }
    fetch(element.dataset.geojson, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: styleFor,
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, Object.assign(styleFor(feature), { radius: 4, fillOpacity: 0.8 }));
          },
          onEachFeature: function (feature, item) {
            item.bindTooltip(describe(feature));
          },
        }).addTo(map);
        var bounds = layer.getBounds();
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
        element.dataset.features = String(data.features.length);
      })
      .catch(function () {
        element.classList.add("map-error");
        element.textContent = "La carte n'a pas pu être chargée ; les mêmes informations figurent dans le tableau.";
      });
  }

  function drawMaps(root) {
    if (typeof L === "undefined") return;
    (root || document).querySelectorAll(".map[data-geojson]").forEach(drawMap);
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawMaps(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    drawMaps(event.target);
  });
  // After a territory edit the map shows the new outline.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id !== "territory-panel" && !event.target.querySelector("#territory-version")) return;
    document.querySelectorAll(".map[data-geojson]").forEach(function (element) {
      var fresh = element.cloneNode(false);
      delete fresh.dataset.ready;
      element.replaceWith(fresh);
      drawMap(fresh);
    });
  });
})();

// A « Copier » button copies the text of the field it names (data-copy="<id>"): the desk's SMS.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy]") : null;
    if (!button) return;
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    var status = button.parentNode.querySelector(".copy-status");
    var say = function (text) {
      if (status) status.textContent = text;
    };
    var fallback = function () {
      field.select();
      say("Texte sélectionné : copiez-le avec Ctrl+C.");
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value || field.textContent).then(function () {
        say("SMS copié.");
      }, fallback);
    } else {
      fallback();
    }
  });
})();

// A table wider than a phone scrolls inside its own box (app.css): such a box is given to the
// keyboard (tabindex) so that it can be scrolled without a mouse, and named by its caption.
(function () {
  "use strict";
  function reachable() {
    document.querySelectorAll(".table, .table-scroll").forEach(function (box) {
      if (box.hasAttribute("tabindex") || box.scrollWidth <= box.clientWidth + 1) return;
      box.setAttribute("tabindex", "0");
      if (box.tagName !== "TABLE" && !box.hasAttribute("role")) {
        var caption = box.querySelector("caption");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Tableau");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", reachable);
  window.addEventListener("resize", reachable);
  document.addEventListener("htmx:afterSettle", reachable);
})();
