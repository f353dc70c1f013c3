// The treatment plan and a target's page: each target's SUD and VOC across sessions and sets.

import { progressChart } from "./chart.js";

const charts = JSON.parse(document.getElementById("plan-progress").textContent);
for (const box of document.querySelectorAll("[data-target-chart]")) {
  progressChart(box, { title: box.dataset.title, points: charts[box.dataset.targetChart] || [] });
}
