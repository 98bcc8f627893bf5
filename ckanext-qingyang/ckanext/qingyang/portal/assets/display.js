/* 大字 / 高对比: a click on a header toggle sets the qy_display cookie and switches the
   page in place. Without JS the same toggles are links to /display (portal/look.py has
   the contract), so this file only saves a page load. */
(function () {
  "use strict";
  var MODES = ["large", "contrast"];
  var COOKIE = "qy_display";
  var YEAR = 365 * 24 * 3600;

  function current() {
    var m = document.cookie.match(/(?:^|;\s*)qy_display=([^;]*)/);
    var words = m ? decodeURIComponent(m[1]).split(/[-,+\s]+/) : [];
    return MODES.filter(function (x) { return words.indexOf(x) >= 0; });
  }

  function apply(modes) {
    var value = modes.join("-");
    document.cookie = value
      ? COOKIE + "=" + value + "; path=/; max-age=" + YEAR + "; SameSite=Lax"
      : COOKIE + "=; path=/; max-age=0; SameSite=Lax";
    [document.documentElement, document.body].forEach(function (el) {
      MODES.forEach(function (x) { el.classList.toggle("qy-" + x, modes.indexOf(x) >= 0); });
    });
    var toggles = document.querySelectorAll("[data-qy-mode]");
    for (var i = 0; i < toggles.length; i++) {
      var t = toggles[i], mode = t.getAttribute("data-qy-mode"), on = modes.indexOf(mode) >= 0;
      t.setAttribute("aria-pressed", on ? "true" : "false");
      // keep the no-JS link right: it names the set a click would switch to
      var next = on ? modes.filter(function (x) { return x !== mode; }) : modes.concat([mode]);
      var url = new URL(t.href, location.href);
      url.searchParams.set("mode", next.join("-") || "normal");
      t.href = url.pathname + url.search;
    }
  }

  function toggle(el) {
    var mode = el.getAttribute("data-qy-mode");
    var modes = current();
    modes = modes.indexOf(mode) >= 0 ? modes.filter(function (x) { return x !== mode; }) : modes.concat([mode]);
    apply(MODES.filter(function (x) { return modes.indexOf(x) >= 0; }));
  }

  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("[data-qy-mode]");
    if (!el || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    toggle(el);
  });
  // role="button": Space presses it as well as Enter
  document.addEventListener("keydown", function (e) {
    var el = e.target.closest && e.target.closest("[data-qy-mode]");
    if (el && (e.key === " " || e.key === "Spacebar")) { e.preventDefault(); toggle(el); }
  });
})();
