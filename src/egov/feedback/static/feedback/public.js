// The feedback form's helpers: the schematic map and the "similar feedback" check as one types.
// Without this script the page still works: the commune select and the "Kiểm tra" button.
(function () {
  "use strict";
  var form = document.querySelector("form[data-feedback-form]");
  if (!form) { return; }
  var unit = form.querySelector("[name=unit]");
  var mapX = form.querySelector("[name=map_x]");
  var mapY = form.querySelector("[name=map_y]");
  var box = form.querySelector(".fb-map-box");
  var svg = box && box.querySelector("svg.fb-map");

  if (svg && unit && mapX && mapY) {
    var width = parseFloat(svg.getAttribute("data-width"));
    var height = parseFloat(svg.getAttribute("data-height"));
    var marker = svg.querySelector(".fb-marker");
    var caption = box.querySelector(".fb-map-caption");
    var tiles = svg.querySelectorAll(".fb-tile");
    box.hidden = false;

    var highlight = function () {
      var chosen = null;
      tiles.forEach(function (tile) {
        var on = tile.getAttribute("data-unit") === unit.value;
        tile.classList.toggle("selected", on);
        if (on) { chosen = tile; }
      });
      caption.textContent = chosen ? "Đã chọn: " + chosen.getAttribute("data-name") : "Chạm vào sơ đồ để chọn xã, phường.";
    };
    var place = function () {
      var x = parseFloat(mapX.value), y = parseFloat(mapY.value);
      if (isNaN(x) || isNaN(y)) { marker.setAttribute("cx", -20); marker.setAttribute("cy", -20); return; }
      marker.setAttribute("cx", x * width); marker.setAttribute("cy", y * height);
    };
    var pick = function (tile, x, y) {
      unit.value = tile.getAttribute("data-unit");
      mapX.value = Math.min(1, Math.max(0, x / width)).toFixed(4);
      mapY.value = Math.min(1, Math.max(0, y / height)).toFixed(4);
      highlight(); place();
    };
    svg.addEventListener("click", function (event) {
      var tile = event.target.closest(".fb-tile");
      if (!tile) { return; }
      var point = svg.createSVGPoint();
      point.x = event.clientX; point.y = event.clientY;
      var local = point.matrixTransform(svg.getScreenCTM().inverse());
      pick(tile, local.x, local.y);
    });
    tiles.forEach(function (tile) {
      tile.setAttribute("tabindex", "0");
      tile.setAttribute("role", "button");
      tile.setAttribute("aria-label", tile.getAttribute("data-name"));
      tile.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" && event.key !== " ") { return; }
        event.preventDefault();
        var rect = tile.querySelector("rect");
        pick(tile, parseFloat(rect.getAttribute("x")) + 20, parseFloat(rect.getAttribute("y")) + 20);
      });
    });
    unit.addEventListener("change", function () { mapX.value = ""; mapY.value = ""; highlight(); place(); });
    highlight(); place();
  }

  // "Phản ánh tương tự": asked again when the text or the place changes, shown above the button.
  var region = form.querySelector("[data-similar]");
  if (region && window.fetch) {
    var last = "";
    var ask = function () {
      var params = new URLSearchParams();
      ["subject", "content", "unit", "address"].forEach(function (name) {
        var input = form.querySelector("[name=" + name + "]");
        if (input && input.value) { params.set(name, input.value.slice(0, 1500)); }
      });
      if (!params.get("subject") && !params.get("content")) { return; }
      var query = params.toString();
      if (query === last) { return; }
      last = query;
      fetch(region.getAttribute("data-similar") + "?" + query, {headers: {"Accept": "text/html"}})
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { if (html) { region.innerHTML = html; } })
        .catch(function () { /* the button still works */ });
    };
    ["subject", "content", "address"].forEach(function (name) {
      var input = form.querySelector("[name=" + name + "]");
      if (input) { input.addEventListener("blur", ask); }
    });
    if (unit) { unit.addEventListener("change", ask); }
  }
}());
