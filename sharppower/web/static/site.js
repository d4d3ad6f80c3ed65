/* On every page: the country finder (choosing a name or alias from the list opens that
   country's profile; Enter on a typed name or ISO3 code does too) and "Back" links on
   error pages. Everything runs from the page's own data: no request, no outside script. */
(function () {
  "use strict";
  var form = document.getElementById("finder");
  var input = document.getElementById("finder-input");
  function codeFor(text) {
    var want = text.trim().toLowerCase();
    if (!want) { return null; }
    var options = document.querySelectorAll("#finder-countries option");
    for (var i = 0; i < options.length; i++) {
      var o = options[i];
      if (o.value.toLowerCase() === want || o.getAttribute("data-iso3").toLowerCase() === want) {
        return o.getAttribute("data-iso3");
      }
    }
    return null;
  }
  function open(code) {
    window.location.href = form.getAttribute("data-link").replace("{code}", code);
  }
  if (form && input) {
    input.addEventListener("change", function () {
      var code = codeFor(input.value);
      if (code) { open(code); }
    });
    form.addEventListener("submit", function (ev) {
      var code = codeFor(input.value);
      if (code) { ev.preventDefault(); open(code); }
    });
  }
  document.querySelectorAll("a[data-back]").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      if (window.history.length > 1) { ev.preventDefault(); window.history.back(); }
    });
  });
})();
