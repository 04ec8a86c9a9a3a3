// The map on the search and house pages: Leaflet (vendored) with PDOK's BRT-Achtergrondkaart. An enhancement only:
// the list on the page holds the same houses with their address, so without JavaScript, without network (no tiles)
// or with a screen reader nothing is missing. Markers come from the page itself (json_script "zb-map-markers":
// [{lat, lon, house, location, address, url}]); each is a link-like button whose popup links to the house.
(function () {
  "use strict";
  function init() {
    var el = document.querySelector("[data-map]");
    var data = document.getElementById("zb-map-markers");
    if (!el || !data || typeof L === "undefined") { return; }
    var markers = JSON.parse(data.textContent);
    if (!markers.length) { return; }
    var hint = el.querySelector(".zb-map__nojs"); if (hint) { hint.remove(); }
    L.Icon.Default.imagePath = el.getAttribute("data-icons") || "/static/vendor/leaflet/images/";
    var map = L.map(el, { scrollWheelZoom: false });
    map.attributionControl.setPrefix(false);
    L.tileLayer(el.getAttribute("data-tiles"), {
      minZoom: 6, maxZoom: 19, attribution: el.getAttribute("data-attribution")
    }).addTo(map);
    var bounds = [];
    markers.forEach(function (m) {
      var name = m.location ? m.house + " (" + m.location + ")" : m.house;
      var marker = L.marker([m.lat, m.lon], { title: name, alt: name, keyboard: true }).addTo(map);
      var popup = document.createElement("div");
      var link = document.createElement("a");
      link.className = "utrecht-link"; link.href = m.url; link.textContent = name;
      var address = document.createElement("div"); address.textContent = m.address;
      popup.appendChild(link); popup.appendChild(address);
      marker.bindPopup(popup);
      bounds.push([m.lat, m.lon]);
    });
    if (bounds.length === 1) { map.setView(bounds[0], 15); } else { map.fitBounds(bounds, { paddingTopLeft: [24, 48], paddingBottomRight: [24, 12], maxZoom: 15 }); }
    el.setAttribute("data-map-ready", String(markers.length));
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
