// Progressive enhancement of the PDF checks. Every `.cert-drop` box around a file input also takes
// a PDF dropped on the page (the plain file input still works without JavaScript). On the status
// page, the chosen PDF is hashed in the browser (SubtleCrypto) and the answer shown at once; the
// server-side check on /v/<code>/check does the same without any script.
(function () {
  "use strict";
  var zones = Array.prototype.slice.call(document.querySelectorAll(".cert-drop"));

  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") >= 0;
  }

  function putFiles(zone, files) {
    var input = zone.querySelector("input[type=file]");
    if (!input || !files || !files.length) { return; }
    try {
      input.files = files;
    } catch (e) {
      return; // an old browser: the plain input remains
    }
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  zones.forEach(function (zone) {
    zone.addEventListener("dragover", function (event) {
      if (!hasFiles(event)) { return; }
      event.preventDefault();
      zone.classList.add("cert-drop-over");
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("cert-drop-over"); });
    zone.addEventListener("drop", function (event) {
      if (!hasFiles(event)) { return; }
      event.preventDefault();
      event.stopPropagation();
      zone.classList.remove("cert-drop-over");
      putFiles(zone, event.dataTransfer.files);
    });
  });

  // A file dropped anywhere else on the page goes to the (only) drop box instead of replacing
  // the page with the PDF.
  if (zones.length === 1) {
    document.addEventListener("dragover", function (event) {
      if (hasFiles(event)) { event.preventDefault(); }
    });
    document.addEventListener("drop", function (event) {
      if (!hasFiles(event)) { return; }
      event.preventDefault();
      putFiles(zones[0], event.dataTransfer.files);
    });
  }

  var form = document.querySelector(".cert-pdf-form");
  var out = document.getElementById("pdf-local");
  if (!form || !out || !window.crypto || !window.crypto.subtle) { return; }
  form.hidden = false;
  var input = form.querySelector("input[type=file]");

  function show(ok, text) {
    out.textContent = (ok ? "\u2713 " : "\u2717 ") + text;
    out.className = "cert-result " + (ok ? "cert-result-ok" : "cert-result-bad");
    out.hidden = false;
  }

  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file) { return; }
    if (file.size > Number(form.dataset.max)) { show(false, form.dataset.big); return; }
    file.arrayBuffer().then(function (buf) {
      return window.crypto.subtle.digest("SHA-256", buf);
    }).then(function (digest) {
      var hex = Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      var ok = hex === form.dataset.expected;
      show(ok, ok ? form.dataset.ok : form.dataset.bad);
    });
  });
})();
