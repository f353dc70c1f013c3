// The targets a session works on: a target of the client's plan chosen on the panel (or added
// to the plan there). The words of the one worked on now are the target's: saved to it as typed.

import { recordSaver, saveOnLeaving } from "./clinical.js";
import { errorMessage, requestJson } from "./http.js";

/** `box`: the record card's target part, with the plan in the page's #work-state block. */
export function setupWorkTarget(box) {
  let state = JSON.parse(document.getElementById("work-state").textContent);
  const choice = box.querySelector("#target-choice");
  const now = box.querySelector("#target-now");
  const fields = [...box.querySelectorAll("[data-target-field]")];
  const workedOn = box.querySelector("#worked-on");
  const problem = box.querySelector("#work-target-error");
  const status = document.getElementById("record-status");
  const show = (saveState, text) => {
    status.dataset.status = saveState;
    status.textContent = text;
  };
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

  function render() {
    const options = state.targets.map((t) => new Option(optionText(t), String(t.id)));
    choice.replaceChildren(new Option("No target chosen", ""), ...options);
    choice.value = state.current ? String(state.current) : "";
    const current = byId(state.current);
    now.hidden = !current;
    for (const input of fields) input.value = current ? current[input.dataset.targetField] ?? "" : "";
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
      current[name] = input.value;
      saverOf(current).change({ [name]: input.value });
      if (name === "title") choice.selectedOptions[0].textContent = optionText(current);
    });
  }
  render();
}
