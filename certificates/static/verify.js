// Hashes the chosen PDF in the browser (SubtleCrypto) and says at once whether it matches the
// issued file. The form still posts to the server, which checks the same without JavaScript.
(function () {
  "use strict";
  var form = document.querySelector(".cert-pdf-form");
  var out = document.getElementById("pdf-local");
  if (!form || !out || !window.crypto || !window.crypto.subtle) { return; }
  var input = form.querySelector("input[type=file]");
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file || file.size > Number(form.dataset.max)) { return; }
    file.arrayBuffer().then(function (buf) {
      return window.crypto.subtle.digest("SHA-256", buf);
    }).then(function (digest) {
      var hex = Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      var ok = hex === form.dataset.expected;
      out.textContent = (ok ? "\u2713 " : "\u2717 ") + (ok ? form.dataset.ok : form.dataset.bad);
      out.className = "cert-result " + (ok ? "cert-result-ok" : "cert-result-bad");
      out.hidden = false;
    });
  });
})();
