// The session record page: its SUD and VOC charts, from the JSON the page points to.

import { sessionCharts } from "./chart.js";
import { requestJson } from "./http.js";

const box = document.querySelector("[data-scores-url]");
const { body } = await requestJson(box.dataset.scoresUrl);
sessionCharts(box.querySelector(".sud-chart"), box.querySelector(".voc-chart"), body);
