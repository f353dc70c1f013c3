// The panel's clinical record: autosaved notes and SUD/VOC scores (entered or asked of the client).

import { sessionCharts } from "./chart.js";
import { errorMessage, requestJson } from "./http.js";

const SAVE_AFTER_MS = 700; // typing pause before an autosave
const RETRY_MS = 3000;

/** Autosave the record as the therapist types; the status says saved / unsaved / failing. */
export function setupRecord(card) {
  const form = card.querySelector("#record-form"); // not the target's forms above it
  const status = document.getElementById("record-status");
  const saver = recordSaver(card.dataset.saveUrl, (state, text) => {
    status.dataset.status = state;
    status.textContent = text;
  });
  form.addEventListener("input", (event) => {
    if (event.target.name) saver.change(changedFields(form, event.target));
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  saveOnLeaving(saver);
}

/** What an input changed: for a phase box, every phase ticked; otherwise its own value. */
function changedFields(form, input) {
  if (input.name === "closure") return { closure: input.value || null };
  if (input.name !== "phases") return { [input.name]: input.value };
  return { phases: [...form.querySelectorAll("input[name=phases]:checked")].map((i) => Number(i.value)) };
}

/** Saves changed fields after a pause in typing, retrying until the server has them. */
export function recordSaver(url, show) {
  let timer = null;
  let dirty = {};
  let saving = false;
  const unsaved = () => Object.keys(dirty).length > 0;

  async function save({ keepalive = false } = {}) {
    clearTimeout(timer);
    if (saving || !unsaved()) return;
    const body = dirty;
    dirty = {};
    saving = true;
    show("saving", "Saving…");
    let failed = false;
    try {
      const answer = await requestJson(url, { body, keepalive });
      if (!answer.ok) throw new Error(errorMessage(answer));
      show(unsaved() ? "unsaved" : "saved", unsaved() ? "Unsaved changes" : "Saved");
    } catch (err) {
      failed = true;
      dirty = { ...body, ...dirty }; // keep what failed, newer typing wins
      show("error", `Not saved yet (${err.message || "offline"}): retrying`);
      timer = setTimeout(save, RETRY_MS);
    } finally {
      saving = false;
    }
    if (unsaved() && !failed) timer = setTimeout(save, SAVE_AFTER_MS);
  }

  function change(fields) {
    Object.assign(dirty, fields);
    show("unsaved", "Unsaved changes");
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_AFTER_MS);
  }

  return { change, save, unsaved };
}

/** Closing or hiding the tab saves at once (keepalive lets the request outlive the page). */
export function saveOnLeaving(saver) {
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saver.save({ keepalive: true });
  });
  window.addEventListener("pagehide", () => saver.save({ keepalive: true }));
  window.addEventListener("beforeunload", (event) => {
    if (saver.unsaved()) {
      saver.save({ keepalive: true });
      event.preventDefault();
    }
  });
}

function newId() {
  return crypto.randomUUID();
}

/** Scores: ask the client, or enter one; the charts (and `onData`) follow every score live. */
export function setupScores(card, socket, showError, onData = () => {}) {
  const asking = document.getElementById("asking");
  const form = document.getElementById("enter-score");
  const sud = card.querySelector(".sud-chart");
  const voc = card.querySelector(".voc-chart");
  let data = { sets: [], scores: [] };

  async function reload() {
    // made by the page, not the therapist: it does not hold off the idle timeout
    const answer = await requestJson(card.dataset.scoresUrl, { background: true });
    if (answer.ok) {
      data = answer.body;
      sessionCharts(sud, voc, data);
      onData(data);
    }
  }

  for (const button of document.querySelectorAll("[data-ask]")) { // in the set bar
    button.addEventListener("click", async () => {
      const ack = await socket.timeout(5000).emitWithAck("score:prompt", { kind: button.dataset.ask })
        .catch(() => null);
      if (!ack || !ack.ok) showError(ack ? ack.error.message : "The question could not be sent.");
    });
  }
  document.getElementById("withdraw").addEventListener("click", () => socket.emit("score:withdraw"));

  form.kind.addEventListener("change", () => {
    form.value.min = form.kind.value === "sud" ? 0 : 1;
    form.value.max = form.kind.value === "sud" ? 10 : 7;
  });
  let pendingId = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // One id per entry: a retry after a dropped connection is stored once.
    pendingId = pendingId || newId();
    const payload = { id: pendingId, kind: form.kind.value, value: Number(form.value.value) };
    const ack = await socket.timeout(5000).emitWithAck("score:enter", payload).catch(() => null);
    if (ack && ack.ok) {
      pendingId = null;
      form.value.value = "";
    } else {
      showError(ack ? ack.error.message : "Not recorded yet: press Record again.");
    }
  });

  const withdrawButton = document.getElementById("withdraw");
  socket.on("score:asked", (q) => {
    asking.hidden = false;
    withdrawButton.hidden = false;
    asking.firstChild.textContent = `Waiting for the client’s ${q.kind.toUpperCase()}… `;
  });
  socket.on("score:withdrawn", (why) => {
    // A set's start takes an unanswered question back: say so, until the next question.
    const bySet = why && why.reason === "set_started";
    asking.hidden = !bySet;
    withdrawButton.hidden = bySet;
    if (bySet) asking.firstChild.textContent = "Unanswered question withdrawn: a new set started. ";
  });
  socket.on("score:recorded", (score) => {
    if (score.source === "client") asking.hidden = true;
    reload();
  });
  socket.on("connect", reload);
  reload();
}
