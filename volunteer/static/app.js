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
// A search box with data-filter-rows="SELECTOR" shows only the rows under SELECTOR whose
// data-filter-text contains what is typed (the hours screen of a team of hundreds; the
// searchable checkbox lists of render_field).
document.addEventListener("input", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[data-filter-rows]")) {
    return;
  }
  var wanted = box.value.replace(/\s+/g, "").toUpperCase();
  document.querySelectorAll(box.getAttribute("data-filter-rows") + " [data-filter-text]").forEach(function (row) {
    var text = row.getAttribute("data-filter-text").replace(/\s+/g, "").toUpperCase();
    row.hidden = wanted !== "" && text.indexOf(wanted) === -1;
  });
});
// A button with data-fill-hours="H" data-fill-rows="SELECTOR" puts H into the empty hours
// boxes of those rows (nothing is saved until the form is).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("button[data-fill-hours]");
  if (!button) {
    return;
  }
  document.querySelectorAll(button.getAttribute("data-fill-rows")).forEach(function (row) {
    var input = row.querySelector("input.hours-input");
    if (input && input.value.trim() === "") {
      input.value = button.getAttribute("data-fill-hours");
    }
  });
});
// Enter in an input with data-enter-clicks="SELECTOR" presses that button instead of the
// form's default one (the hours screen: Enter in the search boxes searches, elsewhere saves).
document.addEventListener("keydown", function (event) {
  var input = event.target.closest && event.target.closest("input[data-enter-clicks]");
  if (!input || event.key !== "Enter") {
    return;
  }
  var button = document.querySelector(input.getAttribute("data-enter-clicks"));
  if (button) {
    event.preventDefault();
    button.click();
  }
});
// A button with data-print prints the page (the certificate's 打印).
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("button[data-print]")) {
    window.print();
  }
});
// On a phone each table row is a card (phone.css): a cell without its own data-label takes its
// column's header, so the card says what each value is. Cells spanning columns keep none.
document.querySelectorAll("table.table:not(.table-keep)").forEach(function (table) {
  var headers = Array.prototype.map.call(table.querySelectorAll("thead tr:last-child > th"), function (th) {
    return th.textContent.trim();
  });
  if (!headers.length) {
    return;
  }
  table.querySelectorAll("tbody > tr, tfoot > tr").forEach(function (row) {
    var column = 0;
    Array.prototype.forEach.call(row.children, function (cell) {
      if (!cell.hasAttribute("data-label") && cell.colSpan === 1 && headers[column]) {
        cell.setAttribute("data-label", headers[column]);
      }
      column += cell.colSpan || 1;
    });
  });
});
// A date, a time, a masked ID or an hour count is one word: never "2026-01-" on one line and "01"
// on the next (Chromium breaks after a hyphen, and 大字 makes lines short). Each is wrapped in a
// .nowrap span here rather than in the Jinja filters, whose output also lands in attributes,
// plain-text mail and exports. Tested by tests/browser/test_phone_layout.py's crawl.
(function () {
  var unit = /\d{4}-\d{2}-\d{2}(?:\s\d{1,2}:\d{2})?|\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}:\d{2}(?:[–-]\d{1,2}:\d{2})?|[0-9A-Za-z]*\*{2,}[0-9A-Za-z]+|\d+(?:\.\d+)?\s?小时/g;
  var skip = "script, style, textarea, option, title, pre, .nowrap, .text-nowrap";
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  var found = [];
  for (var node = walker.nextNode(); node; node = walker.nextNode()) {
    unit.lastIndex = 0;
    if (unit.test(node.nodeValue) && node.parentElement && !node.parentElement.closest(skip)) {
      found.push(node);
    }
  }
  found.forEach(function (node) {
    var text = node.nodeValue, last = 0, parts = document.createDocumentFragment(), match;
    unit.lastIndex = 0;
    while ((match = unit.exec(text)) !== null) {
      parts.appendChild(document.createTextNode(text.slice(last, match.index)));
      var span = document.createElement("span");
      span.className = "nowrap";
      span.textContent = match[0];
      parts.appendChild(span);
      last = match.index + match[0].length;
    }
    parts.appendChild(document.createTextNode(text.slice(last)));
    node.parentNode.replaceChild(parts, node);
  });
})();
