// The targets a session works on: a target of the client's plan chosen on the panel (or added
// to the plan there). The words of the one worked on now are the target's: saved to it as typed,
// its assessment (phase 3) step by step, where it stood when earlier sessions worked on it, and
// its body scan (phase 6) in this session.

import { setupBodyScan } from "./bodyscan.js";
import { recordSaver, saveOnLeaving } from "./clinical.js";
import { errorMessage, requestJson } from "./http.js";
import { showReview } from "./reevaluation.js";

const SCORE_FIELDS = { voc: [1, 7], sud: [0, 10] };

/** The value of a number field to save: a whole number in bounds, null when empty, else undefined. */
function scoreOf(input) {
  if (input.value.trim() === "") return null;
  const [low, high] = SCORE_FIELDS[input.dataset.targetField];
  const value = Number(input.value);
  return Number.isInteger(value) && value >= low && value <= high ? value : undefined;
}

/** `box`: the record card's target part, with the plan in the page's #work-state block;
 * `socket` and `showError` ask the client for the assessment's and re-evaluation's scores. */
export function setupWorkTarget(box, { socket = null, showError = () => {} } = {}) {
  let state = JSON.parse(document.getElementById("work-state").textContent);
  const choice = box.querySelector("#target-choice");
  const now = box.querySelector("#target-now");
  const fields = [...box.querySelectorAll("[data-target-field]")];
  const workedOn = box.querySelector("#worked-on");
  const problem = box.querySelector("#work-target-error");
  const review = box.querySelector("#reevaluation");
  const status = document.getElementById("record-status");
  const show = (saveState, text) => {
    status.dataset.status = saveState;
    status.textContent = text;
  };
  const showScan = socket ? setupBodyScan(box.querySelector("#body-scan"), socket, showError) : () => {};
  const savers = new Map(); // target id -> the autosaver of its words
  const byId = (id) => state.targets.find((t) => t.id === id);
  const optionText = (t) => `${t.kind_name}: ${t.title}`;

  function saverOf(target) {
    if (!savers.has(target.id)) {
      const saver = recordSaver(target.save_url, show);
      saveOnLeaving(saver);
      savers.set(target.id, saver);
    }
    return savers.get(target.id);
  }

  function showFields(current, except = null) {
    for (const input of fields) {
      if (input !== except) input.value = current ? current[input.dataset.targetField] ?? "" : "";
    }
  }

  function render() {
    const options = state.targets.map((t) => new Option(optionText(t), String(t.id)));
    choice.replaceChildren(new Option("No target chosen", ""), ...options);
    choice.value = state.current ? String(state.current) : "";
    const current = byId(state.current);
    now.hidden = !current;
    showFields(current);
    showReview(review, state.review);
    showScan(state.body_scan);
    const titles = state.worked_on.map((id) => byId(id)?.title).filter(Boolean);
    workedOn.textContent = titles.length
      ? `This session worked on: ${titles.join("; ")}.`
      : "This session has worked on no target of the plan yet.";
  }

  function tell(text) {
    problem.textContent = text;
    problem.hidden = !text;
  }

  async function choose(body) {
    await Promise.all([...savers.values()].map((saver) => saver.save())); // typed words first
    const answer = await requestJson(box.dataset.chooseUrl, { body }).catch(() => null);
    if (!answer || !answer.ok) {
      tell(answer ? errorMessage(answer) : "Not changed: the server could not be reached.");
      render(); // the choice shown stays the one the server holds
      return false;
    }
    tell("");
    state = answer.body;
    render();
    return true;
  }

  choice.addEventListener("change", () => {
    choose({ target_id: choice.value ? Number(choice.value) : null });
  });
  const title = box.querySelector("#new-target-title");
  box.querySelector("#new-target-add").addEventListener("click", async () => {
    const kind = box.querySelector("#new-target-kind").value;
    if (await choose({ new: { kind, title: title.value } })) {
      title.value = "";
      box.querySelector("details.new-target").open = false;
    }
  });
  for (const input of fields) {
    input.addEventListener("input", () => {
      const current = byId(state.current);
      if (!current) return;
      const name = input.dataset.targetField;
      const value = name in SCORE_FIELDS ? scoreOf(input) : input.value;
      if (value === undefined) return; // not a score yet: the browser marks the field
      current[name] = value;
      for (const twin of fields) if (twin !== input && twin.dataset.targetField === name) twin.value = input.value;
      saverOf(current).change({ [name]: value });
      if (name === "title") choice.selectedOptions[0].textContent = optionText(current);
    });
  }

  if (socket) setupAsking(box, socket, showError, {
    scored(score) {
      const target = byId(score.target_id);
      if (score.purpose === "assessment" && target) {
        target[score.kind] = score.value;
        if (target.id === state.current) showFields(target, document.activeElement);
      }
      if (score.purpose === "reevaluation" && score.kind === "sud" && state.review
          && score.target_id === state.current) {
        state.review.reevaluation_sud = score.value;
        showReview(review, state.review);
      }
    },
  });
  render();
}

/** The assessment's "Ask on the client's screen" buttons and the re-evaluation SUD (asked, or
 * typed in): scores with a purpose, which the server gives to the target worked on now. */
function setupAsking(box, socket, showError, { scored }) {
  async function send(event, payload) {
    const ack = await socket.timeout(5000).emitWithAck(event, payload).catch(() => null);
    if (!ack || !ack.ok) showError(ack ? ack.error.message : "Not sent: the server could not be reached.");
    return Boolean(ack && ack.ok);
  }
  for (const button of box.querySelectorAll("[data-assess]")) {
    button.addEventListener("click", () => send("score:prompt", { kind: button.dataset.assess, purpose: "assessment" }));
  }
  box.querySelector("#ask-reevaluation").addEventListener("click", () =>
    send("score:prompt", { kind: "sud", purpose: "reevaluation" }));
  const form = box.querySelector("#enter-reevaluation");
  let pendingId = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    pendingId = pendingId || crypto.randomUUID(); // a retry is stored once
    const payload = { id: pendingId, kind: "sud", value: Number(form.value.value), purpose: "reevaluation" };
    if (await send("score:enter", payload)) {
      pendingId = null;
      form.value.value = "";
    }
  });
  socket.on("score:recorded", scored);
}
