// The panel's clinical record: autosaved notes and SUD/VOC scores (entered or asked of the client).

import { sessionCharts } from "./chart.js";

const SAVE_AFTER_MS = 700; // typing pause before an autosave
const RETRY_MS = 3000;

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

/** Autosave the record as the therapist types; the status says saved / unsaved / failing. */
export function setupRecord(card) {
  const form = card.querySelector("form");
  const status = document.getElementById("record-status");
  let timer = null;
  let dirty = {};
  let saving = false;

  const show = (state, text) => {
    status.dataset.status = state;
    status.textContent = text;
  };

  function collect(input) {
    if (input.name === "phases") {
      dirty.phases = [...form.querySelectorAll("input[name=phases]:checked")].map((i) => Number(i.value));
    } else {
      dirty[input.name] = input.value;
    }
  }

  async function save({ keepalive = false } = {}) {
    clearTimeout(timer);
    if (saving || !Object.keys(dirty).length) return;
    const body = dirty;
    dirty = {};
    saving = true;
    show("saving", "Saving…");
    try {
      const response = await fetch(card.dataset.saveUrl, {
        method: "POST",
        keepalive,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error((await response.json()).error.message);
      show(Object.keys(dirty).length ? "unsaved" : "saved", Object.keys(dirty).length ? "Unsaved changes" : "Saved");
    } catch (err) {
      dirty = { ...body, ...dirty }; // keep what failed, newer typing wins
      show("error", `Not saved yet (${err.message || "offline"}): retrying`);
      timer = setTimeout(save, RETRY_MS);
    } finally {
      saving = false;
    }
    if (Object.keys(dirty).length && status.dataset.status !== "error") timer = setTimeout(save, SAVE_AFTER_MS);
  }

  form.addEventListener("input", (event) => {
    if (!event.target.name) return;
    collect(event.target);
    show("unsaved", "Unsaved changes");
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_AFTER_MS);
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  // Closing or hiding the tab saves at once (keepalive lets the request outlive the page).
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save({ keepalive: true });
  });
  window.addEventListener("pagehide", () => save({ keepalive: true }));
  window.addEventListener("beforeunload", (event) => {
    if (Object.keys(dirty).length) {
      save({ keepalive: true });
      event.preventDefault();
    }
  });
}

function newId() {
  return crypto.randomUUID();
}

/** Scores: ask the client, or enter one; the charts follow every recorded score live. */
export function setupScores(card, socket, showError) {
  const asking = document.getElementById("asking");
  const form = document.getElementById("enter-score");
  const sud = card.querySelector(".sud-chart");
  const voc = card.querySelector(".voc-chart");
  let data = { sets: [], scores: [] };

  async function reload() {
    // made by the page, not the therapist: it does not hold off the idle timeout
    const response = await fetch(card.dataset.scoresUrl, {
      credentials: "same-origin",
      headers: { "X-Background": "1" },
    });
    if (response.ok) {
      data = await response.json();
      sessionCharts(sud, voc, data);
    }
  }

  for (const button of card.querySelectorAll("[data-ask]")) {
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

  socket.on("score:asked", (q) => {
    asking.hidden = false;
    asking.firstChild.textContent = `Waiting for the client’s ${q.kind.toUpperCase()}… `;
  });
  socket.on("score:withdrawn", () => { asking.hidden = true; });
  socket.on("score:recorded", (score) => {
    if (score.source === "client") asking.hidden = true;
    reload();
  });
  socket.on("connect", reload);
  reload();
}
