// Progressive enhancement only: every page works without this file.
// - [data-copy=ID] buttons copy the value of #ID to the clipboard.
// - menus built on <details> close on Escape or a click elsewhere.
"use strict";
document.querySelectorAll("[data-copy]").forEach(function (button) {
  button.hidden = false;
  var label = button.textContent;
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    var done = function (text) {
      button.textContent = text;
      setTimeout(function () { button.textContent = label; }, 2500);
    };
    var fallback = function () {
      field.focus();
      field.select();
      try {
        if (document.execCommand("copy")) { done("Copied"); return; }
      } catch (e) { /* fall through */ }
      done("Press Ctrl+C to copy");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { done("Copied"); }, fallback);
    } else {
      fallback();
    }
  });
});
// Menus built on <details> close when a click lands outside them or on Escape.
document.addEventListener("click", function (event) {
  document.querySelectorAll("details.menu[open]").forEach(function (menu) {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  document.querySelectorAll("details.menu[open]").forEach(function (menu) {
    menu.removeAttribute("open");
    var summary = menu.querySelector("summary");
    if (summary) summary.focus();
  });
});
