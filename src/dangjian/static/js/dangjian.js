// Behaviour the templates ask for with data attributes, so that no page needs an inline script, event handler or
// style attribute (the Content-Security-Policy allows neither; see docs/architecture.md, "Security headers").
(function () {
  "use strict";

  // Sizes computed on the server: style properties set here (CSSOM), which the policy allows.
  function applySizes(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) { el.style.width = el.dataset.width + "%"; });
    root.querySelectorAll("[data-height]").forEach(function (el) { el.style.height = el.dataset.height + "px"; });
    root.querySelectorAll("[data-indent]").forEach(function (el) {
      el.style.paddingLeft = "calc(" + Number(el.dataset.indent) + " * 1.25rem + .25rem)";
    });
  }

  // <button data-confirm="确定…？">: asks before the form is sent.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) { event.preventDefault(); }
  });
  // <input data-select-on-focus>: the whole value selected for copying.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-select-on-focus]")) { event.target.select(); }
  });

  document.addEventListener("DOMContentLoaded", function () { applySizes(document); });
  // Content swapped in by HTMX (the job pages' progress) gets its sizes too.
  document.addEventListener("htmx:load", function (event) { applySizes(event.detail.elt); });
})();
