// Delight Desk reports: draws the dashboard's charts from the json_script data (CSP: no inline scripts).
// Every figure is also in a table next to its chart, so the page works without JavaScript and in print.
(function () {
  "use strict";
  const source = document.getElementById("report-data");
  if (!source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const L = data.labels;
  const common = { animation: false, responsive: true, maintainAspectRatio: true };

  function chart(id, config) {
    const canvas = document.getElementById(id);
    if (canvas) new window.Chart(canvas, config);
  }

  chart("chart-trend", {
    type: "line",
    data: {
      labels: data.trend.weeks,
      datasets: [
        { label: L.csat, data: data.trend.csat, spanGaps: true, borderColor: "#0d6efd", backgroundColor: "#0d6efd" },
        { label: L.delight, data: data.trend.delight, spanGaps: true, borderColor: "#198754", backgroundColor: "#198754", borderDash: [6, 3] },
        { label: L.asat, data: data.trend.asat, spanGaps: true, borderColor: "#fd7e14", backgroundColor: "#fd7e14", borderDash: [2, 2] },
      ],
    },
    options: { ...common, scales: { y: { min: 0, max: 100 } } },
  });

  chart("chart-distribution", {
    type: "bar",
    data: {
      labels: L.stars,
      datasets: [{ label: L.responses, data: data.distribution, backgroundColor: ["#dc3545", "#fd7e14", "#ffc107", "#20c997", "#198754"] }],
    },
    options: { ...common, plugins: { legend: { display: false } } },
  });

  const points = data.scatter.points;
  const datasets = [{ type: "scatter", label: L.point, data: points, backgroundColor: "rgba(13,110,253,0.45)" }];
  const trend = data.scatter.trend;
  if (trend && points.length) {
    const xs = points.map((p) => p.x);
    const lo = Math.min(...xs), hi = Math.max(...xs);
    datasets.push({
      type: "line", label: L.trend, pointRadius: 0, borderColor: "#dc3545",
      data: [{ x: lo, y: trend.intercept + trend.slope * lo }, { x: hi, y: trend.intercept + trend.slope * hi }],
    });
  }
  chart("chart-scatter", {
    type: "scatter",
    data: { datasets: datasets },
    options: {
      ...common,
      scales: {
        x: { min: 0, max: 100, title: { display: true, text: L.x } },
        y: { min: 0, max: 100, title: { display: true, text: L.y } },
      },
    },
  });

  chart("chart-revenue", {
    type: "bar",
    data: { labels: data.revenue.companies, datasets: [{ label: L.at_risk, data: data.revenue.at_risk, backgroundColor: "#dc3545" }] },
    options: { ...common, indexAxis: "y", plugins: { legend: { display: false } } },
  });
})();
