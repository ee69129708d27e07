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
  // A list of people to tick (core.forms.ChecklistWidget): a filter by name, buttons that tick all, none or a preset
  // (data-check="seat" ticks exactly the boxes with data-preset-seat), and the count ticked.
  function checklistCount(list) {
    var boxes = list.querySelectorAll("input[type=checkbox]"), ticked = 0;
    boxes.forEach(function (b) { if (b.checked) { ticked += 1; } });
    var out = list.querySelector("[data-checklist-count]");
    if (out) { out.textContent = "已选 " + ticked + " / " + boxes.length + " 人"; }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-checklist] [data-check]");
    if (!button) { return; }
    var list = button.closest("[data-checklist]"), how = button.dataset.check;
    list.querySelectorAll("input[type=checkbox]").forEach(function (b) {
      b.checked = how === "all" ? true : how === "none" ? false : b.hasAttribute("data-preset-" + how);
    });
    checklistCount(list);
  });
  document.addEventListener("change", function (event) {
    var list = event.target.closest("[data-checklist]");
    if (list) { checklistCount(list); }
  });
  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-checklist-filter]")) { return; }
    var words = event.target.value.trim();
    event.target.closest("[data-checklist]").querySelectorAll(".form-check").forEach(function (row) {
      row.hidden = words !== "" && row.textContent.indexOf(words) === -1;
    });
  });
  // [data-shown-by="name=value"]: shown only while the radio button `name` with that value is checked.
  function applyShownBy(root) {
    root.querySelectorAll("[data-shown-by]").forEach(function (el) {
      var parts = el.dataset.shownBy.split("="), form = el.closest("form") || document;
      var radio = form.querySelector("input[name='" + parts[0] + "']:checked");
      el.hidden = !radio || radio.value !== parts[1];
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[type=radio]")) { applyShownBy(document); }
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

  document.addEventListener("DOMContentLoaded", function () {
    applySizes(document);
    applyShownBy(document);
    document.querySelectorAll("[data-checklist]").forEach(checklistCount);
  });
  // Content swapped in by HTMX (the job pages' progress) gets its sizes too.
  document.addEventListener("htmx:load", function (event) { applySizes(event.detail.elt); });
})();
