// Flipside's only hand-written script. No inline scripts anywhere (Content-Security-Policy).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    // Phone navigation toggle.
    var toggle = document.querySelector("[data-nav-toggle]");
    var nav = document.getElementById("site-nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // Preselect the browser's time zone on sign-up when the field still shows the default.
    document.querySelectorAll("select[data-detect-timezone]").forEach(function (select) {
      try {
        var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
        if (zone && select.value === "UTC" && select.querySelector('option[value="' + zone + '"]')) {
          select.value = zone;
        }
      } catch (e) { /* old browser: keep UTC */ }
    });
    // Move focus to the error summary so screen readers announce it.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
    // Confirm destructive actions: <button data-confirm="...">.
    document.addEventListener("click", function (event) {
      var el = event.target.closest("[data-confirm]");
      if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // Mark invalid fields for assistive technology after htmx swaps too.
  function markInvalid(root) {
    root.querySelectorAll(".errorlist").forEach(function (list) {
      var field = list.parentElement && list.parentElement.querySelector("input, select, textarea");
      if (field) { field.setAttribute("aria-invalid", "true"); }
    });
  }
  // A table wider than its box scrolls inside .table-wrap: make that box a named, focusable region
  // so keyboard users can scroll it too; the name is the heading the table sits under.
  function labelTables(root) {
    root.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var wide = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.toggleAttribute("data-overflows", wide);
      if (wrap.hasAttribute("role")) { return; }
      var section = wrap.closest("[aria-labelledby]");
      var heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
      for (var el = wrap.previousElementSibling; !heading && el; el = el.previousElementSibling) {
        if (/^H[1-6]$/.test(el.tagName)) { heading = el; }
        else if (el.querySelector) { heading = el.querySelector("h1, h2, h3"); }
      }
      heading = heading || document.querySelector("main h1");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("tabindex", "0");
      if (heading) { wrap.setAttribute("aria-label", heading.textContent.trim()); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { markInvalid(document); labelTables(document); });
  document.addEventListener("htmx:afterSwap", function (event) { markInvalid(event.target); labelTables(event.target); });
  window.addEventListener("resize", function () { labelTables(document); });
})();
