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

const STEP = 50; // px per place on a progress chart: its labels stay readable, it scrolls
const P = { left: 34, right: 34, top: 48, bottom: 44 };
const PH = 150; // plot height

/** "2026-01-05" as "5 Jan" (the full date is in each dot's title). */
function shortDate(day) {
  return new Date(`${day}T12:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

/** Where each point goes: consecutive SUD and VOC of one moment (session and set) share a place. */
function slotsOf(points) {
  const slots = [];
  for (const p of points) {
    const last = slots[slots.length - 1];
    const moment = `${p.session_id}:${p.set_number ?? 0}`;
    if (last && last.moment === moment && !(p.kind in last.values)) last.values[p.kind] = p.value;
    else slots.push({ moment, date: p.date, session: p.session_id, set: p.set_number, label: p.label, values: { [p.kind]: p.value } });
  }
  return slots;
}

/**
 * One target's SUD (0–10, left scale) and VOC (1–7, right scale) across its sessions and sets,
 * on one chart; `title` names it for screen readers. `points`: [{kind, value, session_id, date,
 * set_number, label}], oldest first. Each score is a dot (SUD round, VOC square) with data-kind,
 * data-value and data-label and a <title>; each place is labelled by its set, each session by
 * its date. With no points, a line of text says so instead of an empty chart.
 */
export function progressChart(container, { title, points }) {
  if (!points.length) {
    const none = document.createElement("p");
    none.className = "muted small";
    none.textContent = "No SUD or VOC recorded for this target yet.";
    container.replaceChildren(none);
    return null;
  }
  const slots = slotsOf(points);
  const width = P.left + P.right + STEP * Math.max(slots.length, 6);
  const height = P.top + PH + P.bottom;
  const words = points.map((p) => `${p.kind.toUpperCase()} ${p.value} (${p.label})`).join(", ");
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "chart progress-chart" });
  svg.append(el("title", {}, `${title}: ${words}`));
  const x = (i) => P.left + STEP * (i + 0.5);
  const y = { sud: (v) => P.top + ((10 - v) * PH) / 10, voc: (v) => P.top + ((7 - v) * PH) / 6 };
  svg.append(el("text", { x: 4, y: 15, class: "legend sud" }, "● SUD 0–10 (left scale)"));
  svg.append(el("text", { x: 4, y: 32, class: "legend voc" }, "■ VOC 1–7 (right scale)"));
  for (const v of [0, 5, 10]) {
    svg.append(el("line", { x1: P.left, x2: width - P.right, y1: y.sud(v), y2: y.sud(v), class: "grid" }));
    svg.append(el("text", { x: P.left - 6, y: y.sud(v) + 4, class: "axis", "text-anchor": "end" }, String(v)));
  }
  for (const v of [1, 4, 7]) {
    svg.append(el("text", { x: width - P.right + 6, y: y.voc(v) + 4, class: "axis" }, String(v)));
  }
  for (const kind of ["sud", "voc"]) {
    const at = slots.map((s, i) => [i, s.values[kind]]).filter(([, v]) => v !== undefined);
    if (at.length > 1) {
      const d = at.map(([i, v], n) => `${n ? "L" : "M"}${x(i).toFixed(1)},${y[kind](v).toFixed(1)}`).join(" ");
      svg.append(el("path", { d, class: `line ${kind}` }));
    }
    for (const [i, v] of at) {
      const label = slots[i].label;
      const dot = kind === "sud"
        ? el("circle", { cx: x(i), cy: y.sud(v), r: 5 })
        : el("rect", { x: x(i) - 4.5, y: y.voc(v) - 4.5, width: 9, height: 9 });
      for (const [k, val] of Object.entries({ class: `dot ${kind}`, "data-kind": kind, "data-value": v, "data-label": label })) {
        dot.setAttribute(k, String(val));
      }
      dot.append(el("title", {}, `${kind.toUpperCase()} ${v}, ${label}`));
      svg.append(dot);
    }
  }
  const base = P.top + PH;
  slots.forEach((s, i) => {
    svg.append(el("text", { x: x(i), y: base + 16, class: "axis", "text-anchor": "middle" }, s.set ? `set ${s.set}` : "start"));
    const first = i === 0 || slots[i - 1].session !== s.session;
    if (first) {
      const last = slots.findLastIndex((o) => o.session === s.session);
      if (i > 0) svg.append(el("line", { x1: x(i) - STEP / 2, x2: x(i) - STEP / 2, y1: P.top, y2: base + 34, class: "session-rule" }));
      svg.append(el("text", { x: (x(i) + x(last)) / 2, y: base + 34, class: "axis date", "text-anchor": "middle" }, shortDate(s.date)));
    }
  });
  container.replaceChildren(svg);
  return svg;
}
