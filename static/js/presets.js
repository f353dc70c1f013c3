// The panel's presets: save the room's settings under a name, apply, reorder, default, delete.

import { askFirst } from "./dialogs.js";
import { errorMessage, requestJson } from "./http.js";

/** The presets list after a GET (no body) or a POST; throws the server's words on a refusal. */
async function call(url, body) {
  const answer = await requestJson(url, { body });
  if (!answer.ok) throw new Error(errorMessage(answer));
  return answer.body.presets;
}

function button(label, title, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.title = title;
  b.setAttribute("aria-label", title);
  b.addEventListener("click", onClick);
  return b;
}

/**
 * Wire the presets card. `apply(settings)` sends a preset's settings to the room;
 * `showError(message)` reports a failure on the panel; `askDialog` asks before a delete.
 */
export function setupPresets(card, { saveUrl, listUrl, apply, showError, askDialog }) {
  const list = card.querySelector(".preset-list");
  const form = card.querySelector("form");
  const nameInput = form.querySelector("input[name=name]");
  const guard = (fn) => async (...args) => {
    try {
      const presets = await fn(...args);
      if (presets) render(presets); // null: nothing changed (a cancelled delete)
    } catch (err) {
      showError(err.message);
    }
  };

  function render(presets) {
    list.replaceChildren();
    card.querySelector(".preset-empty").hidden = presets.length > 0;
    presets.forEach((p, i) => {
      const li = document.createElement("li");
      li.dataset.presetId = String(p.id);
      const name = document.createElement("span");
      name.className = "preset-name";
      name.textContent = p.name + (p.is_default ? " (default)" : "");
      const applyButton = button("Apply", `Apply ${p.name}`, () => apply(p.settings));
      applyButton.className = "primary";
      li.append(
        name,
        applyButton,
        button("↑", `Move ${p.name} up`, guard(() => call(`/therapist/presets/${p.id}/move`, { direction: "up" }))),
        button("↓", `Move ${p.name} down`, guard(() => call(`/therapist/presets/${p.id}/move`, { direction: "down" }))),
        button(p.is_default ? "★" : "☆", p.is_default ? "Stop using as default" : "Use for new sessions",
          guard(() => call(`/therapist/presets/${p.id}/default`, {}))),
        button("✕", `Delete ${p.name}`, guard(() => {
          const message = "Sessions that used it keep their settings.";
          return askFirst(askDialog, message, { title: `Delete the preset “${p.name}”?`, ok: "Delete preset" })
            .then((sure) => (sure ? call(`/therapist/presets/${p.id}/delete`, {}) : null));
        })),
      );
      li.querySelectorAll("button")[1].disabled = i === 0;
      li.querySelectorAll("button")[2].disabled = i === presets.length - 1;
      list.append(li);
    });
  }

  form.addEventListener("submit", guard(async (event) => {
    event.preventDefault();
    const presets = await call(saveUrl, { name: nameInput.value });
    nameInput.value = "";
    return presets;
  }));
  guard(() => call(listUrl))();
}
