// Pages that show a record: draw the charts from the JSON the page points to.

import { lineChart, sessionCharts } from "./chart.js";

async function load(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  return response.json();
}

const sessionBox = document.querySelector("[data-scores-url]");
if (sessionBox) {
  const data = await load(sessionBox.dataset.scoresUrl);
  sessionCharts(sessionBox.querySelector(".sud-chart"), sessionBox.querySelector(".voc-chart"), data);
}

const historyBox = document.querySelector("[data-history-url]");
if (historyBox) {
  const { sessions } = await load(historyBox.dataset.historyUrl);
  const label = (s) => s.started_at.slice(5, 10);
  // Across sessions: the last SUD and VOC of each session (where the work ended that day).
  const last = (kind) => sessions.filter((s) => s[kind].length)
    .map((s) => ({ label: label(s), value: s[kind][s[kind].length - 1] }));
  lineChart(historyBox.querySelector(".sud-chart"), { title: "Last SUD per session", points: last("sud"), low: 0, high: 10 });
  lineChart(historyBox.querySelector(".voc-chart"), { title: "Last VOC per session", points: last("voc"), low: 1, high: 7 });
}
