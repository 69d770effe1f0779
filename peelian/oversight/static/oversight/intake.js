/* Complaint form: choose the place on the district map (fills the hidden lat/lng
   fields), and hide the "about you" fields when the person chooses to stay anonymous.
   Without this script, the address field and every field still work. */
(function () {
  "use strict";

  function setupMap(box) {
    var form = box.closest("form");
    var svg = box.querySelector("svg");
    var marker = box.querySelector(".intake-map-marker");
    var status = box.querySelector(".intake-map-status");
    var clear = box.querySelector(".intake-map-clear");
    var lat = form.querySelector("input[name=lat]");
    var lng = form.querySelector("input[name=lng]");
    var minLng = parseFloat(box.dataset.minlng);
    var maxLat = parseFloat(box.dataset.maxlat);
    var scale = parseFloat(box.dataset.scale);
    var cosLat = parseFloat(box.dataset.coslat);
    var pad = parseFloat(box.dataset.padding);
    if (!svg || !lat || !lng || !isFinite(scale) || scale <= 0) {
      return;
    }
    svg.classList.add("is-clickable");

    function show(x, y) {
      marker.setAttribute("cx", x);
      marker.setAttribute("cy", y);
    }

    function project(lonValue, latValue) {
      return [pad + (lonValue - minLng) * cosLat * scale, pad + (maxLat - latValue) * scale];
    }

    if (lat.value && lng.value) {
      var p = project(parseFloat(lng.value), parseFloat(lat.value));
      show(p[0], p[1]);
      clear.hidden = false;
    }

    svg.addEventListener("click", function (event) {
      var matrix = svg.getScreenCTM();
      if (!matrix) {
        return;
      }
      var point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      var local = point.matrixTransform(matrix.inverse());
      var lonValue = minLng + (local.x - pad) / (cosLat * scale);
      var latValue = maxLat - (local.y - pad) / scale;
      lat.value = latValue.toFixed(6);
      lng.value = lonValue.toFixed(6);
      show(local.x, local.y);
      status.textContent = status.dataset.chosen;
      clear.hidden = false;
    });

    clear.addEventListener("click", function () {
      lat.value = "";
      lng.value = "";
      show(-20, -20);
      status.textContent = status.dataset.cleared;
      clear.hidden = true;
    });
  }

  function setupAnonymous(form) {
    var box = form.querySelector("input[name=anonymous]");
    var identity = form.querySelector(".intake-identity");
    if (!box || !identity) {
      return;
    }
    var fields = identity.querySelectorAll("input, select, textarea");
    function sync() {
      // Hidden and disabled together: fields typed before choosing anonymity are not sent.
      identity.hidden = box.checked;
      fields.forEach(function (field) {
        field.disabled = box.checked;
      });
    }
    box.addEventListener("change", sync);
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map]").forEach(setupMap);
    document.querySelectorAll(".intake-form").forEach(setupAnonymous);
  });
})();
