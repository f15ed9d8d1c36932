// Sorting and filtering of the records table: plain JavaScript, no library, no network.
(function () {
  "use strict";
  var table = document.getElementById("records-table");
  if (!table) { return; }
  var body = table.tBodies[0];
  var role = document.getElementById("filter-role");
  var section = document.getElementById("filter-section");
  var off = document.getElementById("filter-off");
  var shown = document.getElementById("shown-count");

  function applyFilters() {
    var r = role.value, s = section.value, x = parseFloat(off.value);
    var rows = body.rows, n = 0;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i], ok = true;
      if (r && row.getAttribute("data-role") !== r) { ok = false; }
      if (s && row.getAttribute("data-section") !== s) { ok = false; }
      if (!isNaN(x)) {
        // percent off; "Infinity" for a record without a model value; "" (not shown) without a paper number
        var e = row.getAttribute("data-abs-error");
        ok = ok && e !== "" && parseFloat(e) > x;
      }
      row.hidden = !ok;
      if (ok) { n++; }
    }
    shown.textContent = n + " of " + rows.length + " records shown";
  }

  function cellValue(row, index, numeric) {
    var v = row.cells[index].getAttribute("data-value");
    if (!numeric) { return (v || "").toLowerCase(); }
    var f = parseFloat(v);
    return isNaN(f) ? null : f;
  }

  function sortBy(th) {
    var index = th.cellIndex, numeric = th.getAttribute("data-sort") === "num";
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var va = cellValue(a, index, numeric), vb = cellValue(b, index, numeric);
      if (va === vb) { return 0; }
      if (va === null) { return 1; }   // empty cells last, either direction
      if (vb === null) { return -1; }
      return (va < vb ? -1 : 1) * dir;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  var heads = table.tHead.rows[0].cells;
  for (var i = 0; i < heads.length; i++) {
    if (heads[i].hasAttribute("data-sort")) {
      heads[i].tabIndex = 0;
      heads[i].addEventListener("click", function () { sortBy(this); });
      heads[i].addEventListener("keydown", function (ev) { if (ev.key === "Enter") { sortBy(this); } });
    }
  }
  [role, section].forEach(function (el) { el.addEventListener("change", applyFilters); });
  off.addEventListener("input", applyFilters);
  applyFilters();
})();
