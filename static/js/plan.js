// The treatment plan and a target's page: each target's SUD and VOC across sessions and sets.

import { progressChart } from "./chart.js";

const charts = JSON.parse(document.getElementById("plan-progress").textContent);
for (const box of document.querySelectorAll("[data-target-chart]")) {
  const title = `SUD and VOC of ${box.dataset.title}`;
  if (progressChart(box, { title, points: charts[box.dataset.targetChart] || [] })) {
    // a chart wider than its column scrolls: it can then be reached with the keyboard
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", title);
  }
}
