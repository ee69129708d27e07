// The payment page: the amount follows the months ticked (the sum of what each owes), until the user types an
// amount of their own. Data: [data-owed] holds {"2026-03-01": 9000, ...} (fen), [data-owed-target] the amount field.
(function () {
  "use strict";
  var box = document.querySelector("[data-owed]");
  if (!box) return;
  var owed = JSON.parse(box.getAttribute("data-owed"));
  var target = document.querySelector(box.getAttribute("data-owed-target"));
  var name = box.getAttribute("data-owed-for");
  if (!target) return;
  var typed = false;
  target.addEventListener("input", function () { typed = true; });
  function yuan(fen) {
    return Math.floor(fen / 100) + "." + String(fen % 100).padStart(2, "0");
  }
  document.querySelectorAll("input[name='" + name + "']").forEach(function (input) {
    input.addEventListener("change", function () {
      if (typed) return;
      var sum = 0;
      document.querySelectorAll("input[name='" + name + "']:checked").forEach(function (ticked) {
        sum += owed[ticked.value] || 0;
      });
      target.value = sum ? yuan(sum) : "";
    });
  });
})();
