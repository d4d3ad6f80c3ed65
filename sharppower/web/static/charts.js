/* Draw every plotly figure embedded in the page. Figures are JSON in
   <script type="application/json" id="..."> blocks; a div with data-figure="id" gets one.
   Map shapes are preloaded in window.PlotlyGeoAssets, so plotly.js fetches nothing. data-link="/country/{code}" makes a click on a country or point open its page. */
(function () {
  "use strict";
  function embedded(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var shapes = embedded("PlotlyGeoAssets");
  if (shapes) { window.PlotlyGeoAssets = {topojson: {world_110m: shapes}}; }
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
  var config = {displaylogo: false, responsive: true, topojsonURL: "static/vendor/",
                modeBarButtonsToRemove: ["sendDataToCloud"]};
  function draw(div) {
    var fig = embedded(div.getAttribute("data-figure"));
    if (!fig) { return; }
    Plotly.newPlot(div, fig.data, fig.layout, config).then(function () {
      div.setAttribute("data-drawn", "1");
    });
    var link = div.getAttribute("data-link");
    if (link) {
      div.on("plotly_click", function (ev) {
        var p = ev.points && ev.points[0];
        var code = p && (p.location || p.customdata);
        if (code) { window.location.href = link.replace("{code}", code); }
      });
    }
  }
  window.sharppowerDraw = draw;
  document.querySelectorAll("[data-figure]").forEach(draw);
})();
