// The panel's EMDR 2.0 tasks and between-sets part (templates/therapist/_tasks.html): the
// dual-attention task the client reads during a set (made on the server from task:set), the
// therapist's own prompts, the question asked after each set, and what the client noticed.

import { requestJson } from "./http.js";

/** The task:set payload for the picker's choice, read from its fields (`field(name)`). */
function taskPayload(field) {
  const choice = field("choice").value;
  const number = (name) => Number(field(name).value);
  if (choice === "none") return { kind: null };
  if (choice.startsWith("builtin:")) return { kind: "builtin", key: choice.slice(8) };
  if (choice.startsWith("own:")) return { kind: "own", id: Number(choice.slice(4)) };
  if (choice === "count_up") return { kind: choice, start: number("start") };
  if (choice === "count_down") return { kind: choice, start: number("start"), step: number("step") };
  if (choice === "spell_back") return { kind: choice, word: field("word").value };
  if (choice === "category") return { kind: choice, category: field("category").value };
  return { kind: choice };
}

/**
 * Wire the card `card`; `frame` is the mirror, given an outline of where the task sits on the
 * client's screen; `scoresUrl` lists the session's sets (the latest is the one noticed in).
 */
export function setupTasks(card, socket, { offline, showError, scoresUrl, frame, backToTarget }) {
  // The part sits in the controls form: its fields have no name, so the form sends none of them.
  const field = (name) => card.querySelector(`[data-task=${name}]`);
  const form = card.querySelector("#task-form");
  const current = card.querySelector("#task-current");
  const ownOptions = card.querySelector("#task-own-options");
  const ownList = card.querySelector("#task-own-list");
  const ask = card.querySelector("#between-ask");
  const noticedStatus = card.querySelector("#noticed-status");

  if (frame && !frame.querySelector("[data-part=task]")) {
    const outline = document.createElement("div");
    outline.className = "mirror-part";
    outline.dataset.part = "task";
    outline.hidden = true;
    outline.append(Object.assign(document.createElement("span"), { textContent: "Task" }));
    frame.append(outline);
  }

  async function send(event, payload) {
    if (offline()) return null;
    const ack = await socket.timeout(5000).emitWithAck(event, payload).catch(() => null);
    if (!ack || !ack.ok) {
      showError(ack ? ack.error.message : "Not sent: check the connection and try again.");
      return null;
    }
    return ack;
  }

  function showFields() {
    for (const label of form.querySelectorAll("[data-for]")) {
      label.hidden = !label.dataset.for.split(" ").includes(field("choice").value);
    }
  }
  field("choice").addEventListener("change", showFields);
  showFields();
  field("use").addEventListener("click", () => send("task:set", taskPayload(field)));
  socket.on("task:state", ({ text }) => {
    current.textContent = text || "no task";
  });

  function addOwn({ id, text }) {
    ownOptions.append(new Option(text, `own:${id}`));
    const row = document.createElement("li");
    row.dataset.id = String(id);
    const words = document.createElement("span");
    words.textContent = text;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "quiet";
    remove.dataset.remove = String(id);
    remove.textContent = "Delete";
    remove.setAttribute("aria-label", `Delete prompt: ${text}`);
    row.append(words, " ", remove);
    ownList.append(row);
  }
  field("add").addEventListener("click", async () => {
    const ack = await send("taskprompt:add", { text: field("text").value });
    if (!ack) return;
    addOwn(ack.prompt);
    field("text").value = "";
  });
  ownList.addEventListener("click", async (event) => {
    const id = event.target.dataset?.remove;
    if (!id || !(await send("taskprompt:remove", { id: Number(id) }))) return;
    ownList.querySelector(`li[data-id="${id}"]`)?.remove();
    ownOptions.querySelector(`option[value="own:${id}"]`)?.remove();
  });

  ask.addEventListener("change", () => send("between:set", { ask: ask.value || null }));
  socket.on("between:state", (state) => {
    ask.value = state.ask || "";
    ask.dataset.saved = ask.value;
  });

  // When a set ends, what is noticed goes with it: put its number in the form. The choice after
  // a set waits for the set's end and its number (back to target asks the client at once, and
  // never while a set runs).
  let wasRunning = false;
  const allowChoice = (allowed) => {
    for (const button of nextButtons) {
      button.disabled = !allowed;
      button.title = allowed ? "" : "After the set: it is still running";
    }
  };
  socket.on("stim:state", async (state) => {
    const running = Boolean(state.running || state.paused);
    const ended = wasRunning && !running;
    wasRunning = running;
    if (running || ended) allowChoice(false);
    if (!ended) return;
    const answer = await requestJson(scoresUrl, { background: true });
    const sets = answer.ok ? answer.body.sets : [];
    if (sets.length) {
      field("set").value = String(sets[sets.length - 1].number);
      field("noticed").value = "";
      noticedStatus.textContent = "";
      for (const button of nextButtons) button.setAttribute("aria-pressed", "false");
      backToTarget.chosen({ set: sets[sets.length - 1].number, next: null });
    }
    if (!wasRunning) allowChoice(true); // unless the next set has begun meanwhile
  });
  const nextButtons = [...document.querySelectorAll("#noticed-form [data-next]")];
  for (const button of nextButtons) {
    button.addEventListener("click", async () => {
      const pressed = button.getAttribute("aria-pressed") === "true";
      const next = pressed ? null : button.dataset.next; // pressed again: no choice
      const ack = await send("set:next", { set: Number(field("set").value), next });
      if (!ack) return;
      for (const b of nextButtons) b.setAttribute("aria-pressed", String(b.dataset.next === ack.next));
      noticedStatus.textContent = ack.next ? `${button.textContent} after set ${ack.set}.` : "";
      backToTarget.chosen(ack); // back to target: the client's SUD is asked now
    });
  }
  field("save").addEventListener("click", async () => {
    const ack = await send("set:notice", { set: Number(field("set").value), text: field("noticed").value });
    if (ack) noticedStatus.textContent = `Saved with set ${ack.set}.`;
  });
}
