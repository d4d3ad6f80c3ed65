/* The writing forms post JSON to the API with the token as `Authorization: Bearer`. */
(function () {
  "use strict";
  function send(url, token, body, out, done, version) {
    var headers = {"Content-Type": "application/json", "Authorization": "Bearer " + token};
    if (version) { headers["If-Match"] = '"' + version + '"'; }  /* 412 if changed meanwhile */
    fetch(url, {method: "POST", headers: headers, body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
      .then(function (res) {
        if (res[0] >= 400) { out.textContent = res[1].message || ("error " + res[0]); return; }
        done(res[1]);
      })
      .catch(function (e) { out.textContent = String(e); });
  }
  var propose = document.getElementById("propose-form");
  if (propose) {
    propose.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = propose.elements;
      var body = {
        title: f.title.value, target: f.target.value, start_date: f.start_date.value,
        end_date: f.end_date.value || null, ongoing: f.ongoing.checked,
        narrative: f.narrative.value, confidence: f.confidence.value,
        actors: Array.from(propose.querySelectorAll("input[name=actors]:checked")).map(function (x) { return x.value; }),
        indicators: Array.from(f.indicators.selectedOptions).map(function (o) { return o.value; }),
        sources: [{url: f.source_url.value, publisher: f.publisher.value || null}]
      };
      send("/api/evidence", f.token.value, body, document.getElementById("propose-result"),
           function (rec) { window.location.href = "/evidence/" + encodeURIComponent(rec.id); });
    });
  }
  var review = document.getElementById("review-form");
  if (review) {
    review.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = review.elements;
      var id = review.getAttribute("data-record");
      send("/api/evidence/" + encodeURIComponent(id) + "/review", f.token.value,
           {decision: f.decision.value, note: f.note.value || null},
           document.getElementById("review-result"), function () { window.location.reload(); },
           review.getAttribute("data-version"));
    });
  }
})();
