// Optional countdown for a timed quiz; the server-rendered time stays correct without it.
(function () {
  "use strict";
  var box = document.getElementById("quiz-timer");
  if (!box) { return; }
  var value = box.querySelector(".quiz-timer-value");
  var end = Date.now() + parseInt(box.getAttribute("data-remaining"), 10) * 1000;
  var lang = document.documentElement.lang === "en" ? "en" : "id";
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    value.textContent = lang === "en" ? m + " min " + s + " s" : m + " menit " + s + " detik";
    if (left < 60) { box.classList.add("low"); }
    if (left > 0) { window.setTimeout(tick, 1000); }
  }
  tick();
})();
