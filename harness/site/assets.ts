// The site's stylesheet and its one script, written beside the pages: a strict Content-Security-Policy (no inline
// script or style) allows them, and nothing is fetched from anywhere else.

export const SITE_CSS = `:root{--fg:#1b1b1b;--muted:#555;--line:#c9c9c9;--head:#f1f3f5;--mark:#8a4b00}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0;line-height:1.45}
header,main,footer{padding:0 1rem;margin:0 auto}
header nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:.75rem 0;border-bottom:1px solid var(--line)}
header nav a{font-weight:600}
h1{font-size:1.5rem;margin:.8rem 0 .4rem}h2{font-size:1.2rem;margin-top:1.6rem}
.lede{color:var(--muted);max-width:70rem}
.note{background:#fff6d6;border:1px solid #e6d58a;padding:.5rem .75rem;max-width:70rem}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.88rem}
caption{text-align:left;font-weight:600;padding:.3rem 0;caption-side:top}
th,td{border:1px solid var(--line);padding:.25rem .45rem;text-align:left;vertical-align:top}
thead th{background:var(--head)}
th small{font-weight:normal}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th[scope=colgroup]{text-align:center}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit;text-align:left}
th button::after{content:" \\2195";color:var(--muted)}
th[aria-sort=ascending] button::after{content:" \\2191"}
th[aria-sort=descending] button::after{content:" \\2193"}
.mark{display:inline-block;font-size:.72rem;color:var(--mark);border:1px solid #e0b98a;border-radius:3px;padding:0 .25rem;margin-left:.25rem;white-space:nowrap}
td.n .mark{display:table;margin:.1rem 0 0 auto}
.partial{color:#a40000;font-weight:600}
.regressed{color:#a40000;font-weight:700}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:end;margin:.75rem 0}
.filters label{display:flex;flex-direction:column;font-size:.85rem}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid var(--line)}
figcaption{font-size:.85rem;color:var(--muted)}
code{font-size:.85em;word-break:break-all}
footer{color:var(--muted);font-size:.8rem;border-top:1px solid var(--line);margin-top:2rem;padding-top:.5rem;padding-bottom:1rem}
tr[hidden]{display:none}
details summary{cursor:pointer;white-space:nowrap}details small{display:block;min-width:18rem}
@media (max-width:600px){body{font-size:15px}table{font-size:.8rem}h1{font-size:1.25rem}
figure{overflow-x:auto}figure img{max-width:none}}
@media print{header nav,.filters,th button::after{display:none}body{font-size:10pt}a{color:inherit;text-decoration:none}
.scroll{overflow:visible}table{page-break-inside:auto}tr{page-break-inside:avoid}thead{display:table-header-group}
figure{page-break-inside:avoid}.mark{border-color:#999;color:#000}}
`;

/** Sorting (a button in each sortable header) and filtering (selects naming a row attribute) of tables. */
export const SITE_JS = `"use strict";
(function () {
  function valueOf(row, col) {
    var cell = row.cells[col];
    if (!cell) return null;
    var v = cell.getAttribute("data-v");
    return v === null || v === "" ? null : v;
  }
  function setUp(table) {
    var body = table.tBodies[0];
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows);
    var status = document.getElementById(table.id + "-status");
    var filters = Array.prototype.slice.call(document.querySelectorAll("select[data-filter][data-table='" + table.id + "']"));
    function filter() {
      var shown = 0;
      rows.forEach(function (row) {
        var keep = filters.every(function (f) { return f.value === "" || row.getAttribute("data-" + f.getAttribute("data-filter")) === f.value; });
        row.hidden = !keep;
        if (keep) shown++;
      });
      if (status) status.textContent = shown + " of " + rows.length + " rows shown";
    }
    filters.forEach(function (f) { f.addEventListener("change", filter); });
    Array.prototype.forEach.call(table.querySelectorAll("th[data-col] button"), function (button) {
      button.addEventListener("click", function () {
        var th = button.parentNode;
        var col = Number(th.getAttribute("data-col"));
        var numeric = th.getAttribute("data-type") === "num";
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        Array.prototype.forEach.call(table.querySelectorAll("th[aria-sort]"), function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var sign = dir === "ascending" ? 1 : -1;
        var keyed = rows.map(function (row, i) { return { row: row, i: i, v: valueOf(row, col) }; });
        keyed.sort(function (a, b) {
          if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1; // empty cells last
          var d = numeric ? Number(a.v) - Number(b.v) : a.v.localeCompare(b.v);
          return d !== 0 ? sign * d : a.i - b.i;
        });
        keyed.forEach(function (k) { body.appendChild(k.row); });
      });
    });
    filter();
  }
  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), setUp);
})();
`;
