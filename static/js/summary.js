// The session summary page: its SUD and VOC charts, and "Copy summary" (the server's own text).

import { sessionCharts } from "./chart.js";

const charts = document.querySelector(".summary-charts");
const data = JSON.parse(document.getElementById("chart-data").textContent);
sessionCharts(charts.querySelector(".sud-chart"), charts.querySelector(".voc-chart"), data);

const text = document.getElementById("summary-text");
const status = document.getElementById("copy-status");
document.getElementById("copy-summary").addEventListener("click", async (event) => {
  event.currentTarget.blur(); // Space would press it again
  try {
    await navigator.clipboard.writeText(text.textContent);
    status.textContent = "Copied";
    status.dataset.status = "copied";
  } catch {
    // No clipboard (a plain-http address, or refused): show the text to copy by hand.
    text.hidden = false;
    getSelection().selectAllChildren(text);
    status.textContent = "Could not copy: the text is shown below, selected.";
    status.dataset.status = "error";
  }
});
