// Small line charts in plain SVG (no library): SUD or VOC over sets or sessions.

const NS = "http://www.w3.org/2000/svg";
const W = 320;
const H = 140;
const PAD = { left: 28, right: 22, top: 18, bottom: 22 };

function el(name, attrs, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Draw `points` ([{label, value}]) into `container` as a line chart with a fixed scale
 * low..high. Each point is a circle with data-value, for screen readers a <title>.
 */
export function lineChart(container, { title, points, low, high }) {
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", class: "chart" });
  svg.append(el("title", {}, `${title}: ${points.map((p) => p.value).join(", ") || "no scores yet"}`));
  const x = (i) => PAD.left + (points.length < 2 ? (W - PAD.left - PAD.right) / 2
    : (i * (W - PAD.left - PAD.right)) / (points.length - 1));
  const y = (v) => PAD.top + ((high - v) * (H - PAD.top - PAD.bottom)) / (high - low);
  svg.append(el("text", { x: PAD.left, y: 12, class: "chart-title" }, title));
  for (const v of [low, Math.round((low + high) / 2), high]) {
    svg.append(el("line", { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: "grid" }));
    svg.append(el("text", { x: PAD.left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" }, String(v)));
  }
  if (points.length) {
    const d = points.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
    svg.append(el("path", { d, class: "line" }));
  }
  points.forEach((p, i) => {
    const dot = el("circle", { cx: x(i), cy: y(p.value), r: 4, class: "dot", "data-value": p.value });
    dot.append(el("title", {}, `${p.label}: ${p.value}`));
    svg.append(dot);
    svg.append(el("text", { x: x(i), y: H - 6, class: "axis", "text-anchor": "middle" }, p.label));
  });
  if (!points.length) {
    svg.append(el("text", { x: W / 2, y: H / 2, class: "axis", "text-anchor": "middle" }, "No scores yet"));
  }
  container.replaceChildren(svg);
  return svg;
}

/**
 * SUD and VOC charts of one session from /therapist/sessions/<id>/scores.json data; the scores
 * after a set struck from the record stay off them.
 */
export function sessionCharts(sudBox, vocBox, data) {
  const setNumber = new Map(data.sets.map((s) => [s.id, s.number]));
  const struck = new Set(data.sets.filter((s) => s.struck).map((s) => s.id));
  const label = (s) => (s.set_id ? `set ${setNumber.get(s.set_id)}` : "start");
  const of = (kind) => data.scores.filter((s) => s.kind === kind && !struck.has(s.set_id))
    .map((s) => ({ label: label(s), value: s.value }));
  lineChart(sudBox, { title: "SUD (0–10)", points: of("sud"), low: 0, high: 10 });
  lineChart(vocBox, { title: "VOC (1–7)", points: of("voc"), low: 1, high: 7 });
}
