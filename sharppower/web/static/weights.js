/* Weight sliders: on change, ask /weights.json (the index engine re-ranks) and redraw. */
(function () {
  "use strict";
  var form = document.getElementById("weights-form");
  var sliders = Array.from(document.querySelectorAll(".weight-slider"));
  var timer = null;
  function query() {
    var params = new URLSearchParams(new FormData(form));
    sliders.forEach(function (s) { params.set(s.name, s.value); });
    return params;
  }
  function cell(text, cls) {
    var td = document.createElement("td");
    td.textContent = text; if (cls) { td.className = cls; }
    return td;
  }
  function redraw(data) {
    var body = document.querySelector("#ranking tbody");
    body.textContent = "";
    data.rows.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-target", r.target);
      tr.appendChild(cell(String(r.rank), "num rank"));
      tr.appendChild(cell(r.baseline_rank == null ? "" : String(r.baseline_rank), "num"));
      var td = document.createElement("td"), a = document.createElement("a");
      a.href = "/country/" + encodeURIComponent(r.target); a.textContent = r.name;
      td.appendChild(a); tr.appendChild(td);
      tr.appendChild(cell(r.score == null ? "no data" : r.score.toFixed(3), "num"));
      body.appendChild(tr);
    });
    var chart = document.getElementById("weights-chart");
    if (chart && window.Plotly) {
      var top = data.rows.slice(0, 40);
      Plotly.react(chart, [{type: "bar", orientation: "h", y: top.map(function (r) { return r.name; }),
                            x: top.map(function (r) { return r.score; })}], chart.layout);
    }
    document.body.setAttribute("data-ranked", String(Date.now()));
  }
  function update() {
    var params = query();
    window.history.replaceState(null, "", "?" + params.toString());
    fetch("/weights.json?" + params.toString(), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
      .then(function (res) {
        var err = document.getElementById("weights-error");
        if (res[0] >= 400) { err.textContent = res[1].message; return; }
        err.textContent = ""; redraw(res[1]);
      });
  }
  sliders.forEach(function (s) {
    s.addEventListener("input", function () {
      document.getElementById("o-" + s.id.slice(2)).textContent = s.value;
      clearTimeout(timer); timer = setTimeout(update, 150);
    });
  });
})();
