// The app's own small behaviours; no inline scripts (the CSP forbids them).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
document.addEventListener("change", function (event) {
  var box = event.target;
  if (box.matches && box.matches("input[data-check-all]")) {
    var name = box.getAttribute("data-check-all");
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (el) {
      el.checked = box.checked;
    });
  }
});
// A submit button with data-confirm-button asks before its own submission only.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("button[data-confirm-button]");
  if (button && !window.confirm(button.getAttribute("data-confirm-button"))) {
    event.preventDefault();
  }
});
