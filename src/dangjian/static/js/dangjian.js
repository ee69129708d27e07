// Behaviour the templates ask for with data attributes, so that no page needs an inline script, event handler or
// style attribute (the Content-Security-Policy allows neither; see docs/architecture.md, "Security headers").
(function () {
  "use strict";

  // Sizes computed on the server: style properties set here (CSSOM), which the policy allows.
  function applySizes(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) { el.style.width = el.dataset.width + "%"; });
    root.querySelectorAll("[data-height]").forEach(function (el) { el.style.height = el.dataset.height + "px"; });
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

  // The org tree (orgs/org_tree.html): rows carry data-level, and an org's descendants are the rows after it with a
  // greater level. A toggle (button[data-tree-toggle]) hides them all, or shows its children again; the first time
  // it opens a collapsed org it fetches the children's rows (data-children-url) with HTMX, inserted after its row.
  function rowsBelow(row) {
    var level = Number(row.dataset.level), rows = [], next = row.nextElementSibling;
    while (next && Number(next.dataset.level) > level) { rows.push(next); next = next.nextElementSibling; }
    return rows;
  }
  function setOpen(row, open) {
    var toggle = row.querySelector("[data-tree-toggle]");
    if (toggle) { toggle.setAttribute("aria-expanded", open ? "true" : "false"); }
    row.classList.toggle("tree-open", open && !!toggle);
  }
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-tree-toggle]");
    if (!toggle) { return; }
    var row = toggle.closest("tr"), level = Number(row.dataset.level), url = toggle.dataset.childrenUrl;
    if (toggle.getAttribute("aria-expanded") === "true") {
      rowsBelow(row).forEach(function (r) { r.hidden = true; setOpen(r, false); });
      setOpen(row, false);
    } else if (url) {
      toggle.disabled = true;
      window.htmx.ajax("GET", url, { source: toggle, target: row, swap: "afterend" }).then(function () {
        toggle.disabled = false;
        if (rowsBelow(row).length) { delete toggle.dataset.childrenUrl; setOpen(row, true); }
      }, function () { toggle.disabled = false; });
    } else {
      rowsBelow(row).forEach(function (r) { r.hidden = Number(r.dataset.level) !== level + 1; });
      setOpen(row, true);
    }
  });

  document.addEventListener("DOMContentLoaded", function () { applySizes(document); });
  // Content swapped in by HTMX (the job pages' progress) gets its sizes too.
  document.addEventListener("htmx:load", function (event) { applySizes(event.detail.elt); });
})();
