// Show what a typed amount means before it is saved: "12rb" → "= Rp12.000".
// The same reading as marketplace/core/money.py parse_rupiah (the server decides).
(function () {
  "use strict";
  var UNITS = { rb: 1000, ribu: 1000, k: 1000, jt: 1000000, juta: 1000000 };
  var AMOUNT = /^\s*(?:rp\.?\s*)?(\d{1,3}(?:[.\s]\d{3})+|\d+(?:[.,]\d+)?)\s*(rb|ribu|k|jt|juta)?\.?\s*(?:,-|,00?|\.00?)?\s*$/i;
  function parse(text) {
    var m = AMOUNT.exec(text);
    if (!m) { return null; }
    var number = m[1], unit = (m[2] || "").toLowerCase(), whole, fraction = "";
    if (/^\d{1,3}(?:[.\s]\d{3})+$/.test(number)) { whole = number.replace(/[.\s]/g, ""); }
    else { var parts = number.replace(",", ".").split("."); whole = parts[0]; fraction = parts[1] || ""; }
    var multiplier = UNITS[unit] || 1;
    if (fraction && multiplier === 1) {
      if (fraction.length > 2 || /[1-9]/.test(fraction)) { return null; }
      fraction = "";
    }
    var scale = Math.pow(10, fraction.length);
    var total = (parseInt(whole, 10) * scale + parseInt(fraction || "0", 10)) * multiplier;
    return total % scale ? null : total / scale;
  }
  function format(amount) { return "Rp" + String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-rupiah]"), function (input) {
    var out = document.createElement("output");
    out.className = "rupiah-preview";
    out.setAttribute("aria-live", "polite");
    out.htmlFor = input.id;
    input.insertAdjacentElement("afterend", out);
    function update() {
      if (!input.value.trim()) { out.textContent = ""; return; }
      var amount = parse(input.value);
      out.textContent = amount === null ? "?" : "= " + format(amount);
    }
    input.addEventListener("input", update);
    update();
  });
})();
