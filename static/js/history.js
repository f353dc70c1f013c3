// The client's page: SUD and VOC across their sessions, from the JSON the page points to.

import { lineChart } from "./chart.js";
import { requestJson } from "./http.js";

const box = document.querySelector("[data-history-url]");
const { sessions } = (await requestJson(box.dataset.historyUrl)).body;
const label = (s) => s.started_at.slice(5, 10);
// Across sessions: the last SUD and VOC of each session (where the work ended that day).
const last = (kind) => sessions.filter((s) => s[kind].length)
  .map((s) => ({ label: label(s), value: s[kind][s[kind].length - 1] }));
lineChart(box.querySelector(".sud-chart"), { title: "Last SUD per session", points: last("sud"), low: 0, high: 10 });
lineChart(box.querySelector(".voc-chart"), { title: "Last VOC per session", points: last("voc"), low: 1, high: 7 });
