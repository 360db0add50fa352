// The influencer page's charts (Chart.js from static/vendor), drawn from the JSON the view
// put in <script id="chart-data">.
(function () {
  "use strict";
  var PALETTE = ["#4f46e5", "#db2777", "#0891b2", "#ea580c", "#16a34a", "#7c3aed", "#ca8a04"];

  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#6b7280";
    Chart.defaults.maintainAspectRatio = false;

    var components = document.getElementById("components-chart");
    if (components && data.components.length) {
      new Chart(components, {
        type: "bar",
        data: {
          labels: ["Reach", "Resonance", "Relevance", "Relationship", "Total"],
          datasets: data.components.map(function (item, index) {
            return {
              label: item.label,
              data: item.values,
              backgroundColor: PALETTE[index % PALETTE.length],
              borderRadius: 4,
            };
          }),
        },
        options: {
          scales: { y: { min: 0, max: 100, title: { display: true, text: "score (0–100)" } } },
          plugins: {
            tooltip: {
              callbacks: {
                label: function (context) {
                  var value = context.raw;
                  return context.dataset.label + ": " + (value === null ? "not known" : value.toFixed(1));
                },
              },
            },
          },
        },
      });
    }

    var distribution = document.getElementById("distribution-chart");
    if (distribution && data.distributions.length) {
      var datasets = [];
      data.distributions.forEach(function (item, index) {
        var color = PALETTE[index % PALETTE.length];
        datasets.push({
          type: "line",
          label: item.platform + " " + item.tier + " peers (n = " + item.n.toLocaleString() + ")",
          data: item.percentiles.map(function (p, i) { return { x: p, y: item.rates[i] }; }),
          borderColor: color,
          backgroundColor: color + "22",
          fill: true,
          tension: 0.3,
          pointRadius: 0,
        });
        datasets.push({
          type: "scatter",
          label: item.label,
          data: [{ x: item.account_percentile, y: item.account_rate }],
          backgroundColor: "#111827",
          pointRadius: 6,
        });
      });
      new Chart(distribution, {
        data: { datasets: datasets },
        options: {
          scales: {
            x: { type: "linear", min: 0, max: 100, title: { display: true, text: "percentile" } },
            y: { type: "logarithmic", title: { display: true, text: "engagement rate (%)" } },
          },
        },
      });
    }

    function history(canvasId, field, axis) {
      var canvas = document.getElementById(canvasId);
      if (!canvas) return;
      var series = data.history.filter(function (item) { return item.dates.length; });
      var dates = Array.from(
        new Set([].concat.apply([], series.map(function (item) { return item.dates; })))
      ).sort();
      new Chart(canvas, {
        type: "line",
        data: {
          labels: dates,
          datasets: series.map(function (item, index) {
            var byDate = {};
            item.dates.forEach(function (day, i) { byDate[day] = item[field][i]; });
            return {
              label: item.label,
              data: dates.map(function (day) { return day in byDate ? byDate[day] : null; }),
              borderColor: PALETTE[index % PALETTE.length],
              backgroundColor: PALETTE[index % PALETTE.length],
              spanGaps: true,
              tension: 0.2,
            };
          }),
        },
        options: { scales: { y: { title: { display: true, text: axis } } } },
      });
    }
    history("followers-chart", "followers", "followers");
    history("engagement-chart", "engagement", "%");
  }

  if (document.readyState === "complete") draw();
  else window.addEventListener("load", draw);
})();
