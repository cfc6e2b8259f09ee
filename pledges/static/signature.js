// Signature pad for the Pakta Integritas: mouse, finger or pen through Pointer Events.
// Each finished stroke writes a PNG data URL into the hidden "signature" field; "clear" empties it.
// A signature the server sent back (the form came back with errors) is drawn again on load.
(function () {
  "use strict";
  var canvas = document.getElementById("signature-canvas");
  var field = document.getElementById("signature");
  var clear = document.getElementById("signature-clear");
  if (!canvas || !field) { return; }
  var ctx = canvas.getContext("2d");
  var drawing = false;
  var last = null;
  var hasInk = false;

  function setup() {
    var ratio = Math.min(window.devicePixelRatio || 1, 2);
    var rect = canvas.getBoundingClientRect();
    canvas.width = Math.max(200, Math.min(2000, Math.round(rect.width * ratio)));
    canvas.height = Math.max(80, Math.min(1000, Math.round(rect.height * ratio)));
    ctx.setTransform(canvas.width / rect.width, 0, 0, canvas.height / rect.height, 0, 0);
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111827";
    hasInk = false;
    canvas.classList.remove("signed");
    // A submission that came back with errors sends the drawn signature back: draw it again.
    if (field.value.indexOf("data:image/png;base64,") === 0) {
      var image = new Image();
      image.onload = function () {
        ctx.drawImage(image, 0, 0, rect.width, rect.height);
        hasInk = true;
        canvas.classList.add("signed");
      };
      image.src = field.value;
    } else {
      field.value = "";
    }
  }

  function point(event) {
    var rect = canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    drawing = true;
    last = point(event);
    if (canvas.setPointerCapture) { canvas.setPointerCapture(event.pointerId); }
    ctx.beginPath();
    ctx.arc(last.x, last.y, 1, 0, 2 * Math.PI);
    ctx.fillStyle = "#111827";
    ctx.fill();
    hasInk = true;
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    event.preventDefault();
    var p = point(event);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
  });
  function finish() {
    if (!drawing) { return; }
    drawing = false;
    if (hasInk) {
      field.value = canvas.toDataURL("image/png");
      canvas.classList.add("signed");
    }
  }
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  canvas.addEventListener("pointerleave", finish);
  if (clear) {
    clear.addEventListener("click", function () {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.restore();
      hasInk = false;
      field.value = "";
      canvas.classList.remove("signed");
    });
  }
  setup();
})();
