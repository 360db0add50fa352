// The dashboard's stacked bar chart: accounts per platform, split by follower tier.
(function () {
  "use strict";
  var COLORS = ["#c7d2fe", "#a5b4fc", "#818cf8", "#6366f1", "#4f46e5", "#3730a3", "#d1d5db"];

  function draw() {
    var canvas = document.getElementById("tier-chart");
    var source = document.getElementById("overview-data");
    if (!canvas || !source || typeof Chart === "undefined") return;
    var overview = JSON.parse(source.textContent);
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.color = "#6b7280";
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: overview.rows.map(function (row) { return row.label; }),
        datasets: overview.tiers.map(function (tier, index) {
          return {
            label: tier,
            data: overview.rows.map(function (row) { return row.counts[index]; }),
            backgroundColor: COLORS[index % COLORS.length],
          };
        }),
      },
      options: {
        scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "accounts" } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  if (document.readyState === "complete") draw();
  else window.addEventListener("load", draw);
})();
