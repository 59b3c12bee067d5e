// Evaluation dashboards: draws the charts with the vendored Chart.js (static/vendor/chart.umd.min.js).
// Chart data comes from <script type="application/json"> blocks written by Django's json_script
// (data, not code, so the Content-Security-Policy holds); every chart has its table next to it.
(function () {
  "use strict";

  // Colours with enough contrast on white; the second series also differs in pattern and shape,
  // so nothing depends on colour alone.
  var BRAND = "#4346b8";
  var ACCENT = "#b3261e";
  var GRID = "#dcdcea";
  var INK = "#1d1f3a";

  function stripes(color) {
    var canvas = document.createElement("canvas");
    canvas.width = 8;
    canvas.height = 8;
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, 8, 8);
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(0, 8);
    ctx.lineTo(8, 0);
    ctx.moveTo(-2, 2);
    ctx.lineTo(2, -2);
    ctx.moveTo(6, 10);
    ctx.lineTo(10, 6);
    ctx.stroke();
    return ctx.createPattern(canvas, "repeat");
  }

  function dataset(spec, index) {
    var color = index === 0 ? BRAND : ACCENT;
    var base = {
      label: spec.label,
      data: spec.data,
      borderColor: color,
      spanGaps: false
    };
    if (spec.kind === "line") {
      base.type = "line";
      base.backgroundColor = color;
      base.borderWidth = 2;
      base.borderDash = spec.dashed ? [6, 4] : [];
      base.pointStyle = index === 0 ? "circle" : "rectRot";
      base.pointRadius = 4;
      base.tension = 0;
      base.order = 0;
    } else {
      base.type = "bar";
      base.backgroundColor = spec.pattern ? stripes(color) : color;
      base.borderWidth = spec.pattern ? 2 : 0;
      base.order = 1;
    }
    return base;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof window.Chart === "undefined") { return null; }
    var spec;
    try { spec = JSON.parse(source.textContent); } catch (e) { return null; }
    var horizontal = !!spec.horizontal;
    var valueAxis = horizontal ? "x" : "y";
    var scales = {};
    scales[valueAxis] = {
      beginAtZero: spec.min === undefined,
      min: spec.min,
      max: spec.max,
      grid: { color: GRID },
      ticks: { color: INK }
    };
    scales[horizontal ? "y" : "x"] = { grid: { display: false }, ticks: { color: INK, autoSkip: true } };
    return new window.Chart(canvas, {
      type: spec.type === "line" ? "line" : "bar",
      data: { labels: spec.labels, datasets: spec.datasets.map(dataset) },
      options: {
        indexAxis: horizontal ? "y" : "x",
        // Axis ticks and tooltips group and separate numbers the page's way (de: 1.234,5), not the
        // browser's: <html lang> carries the language Django rendered the page in.
        locale: document.documentElement.lang || undefined,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          legend: {
            display: spec.datasets.length > 1,
            labels: {
              color: INK,
              usePointStyle: true,
              sort: function (a, b) { return a.datasetIndex - b.datasetIndex; }
            }
          },
          tooltip: {
            callbacks: {
              label: function (item) {
                var value = item.raw === null ? "—" : item.formattedValue;
                return item.dataset.label + ": " + value;
              }
            }
          }
        }
      }
    });
  }

  function openTables() {
    document.querySelectorAll("details.chart-table").forEach(function (d) { d.open = true; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var charts = [];
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = draw(canvas);
      if (chart) { charts.push(chart); }
    });
    // Printing: every table open (a PDF has no "show the table"), charts sized to the page.
    window.addEventListener("beforeprint", function () {
      openTables();
      charts.forEach(function (chart) { chart.resize(); });
    });
    window.addEventListener("afterprint", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
    if (document.querySelector(".eval-print")) { openTables(); }
    document.querySelectorAll("[data-print]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (typeof window.print !== "function") { return; }
        event.preventDefault();
        openTables();
        window.print();
      });
    });
  });
})();
