// The client's question from the therapist (SUD or VOC): one button per number, none chosen
// until the client chooses, the words of both ends of the scale, and Send. A resend after a
// dropped connection carries the same prompt id, so the answer is stored once.

import { t } from "./i18n.js";

const SEND_ATTEMPTS = 5;

/** Wire the question form: shown when the therapist asks, hidden once the answer is stored;
 * `onChange(shown)` hears it appear and go (the dock grows, the therapist's mirror shows it). */
export function setupQuestion(form, socket, { onChange = () => {} } = {}) {
  const scale = form.querySelector("#question-scale");
  const legend = form.querySelector("#question-text");
  const status = form.querySelector("#question-status");
  const send = form.querySelector("button[type=submit]");
  let asked = null;

  const close = () => {
    form.hidden = true;
    asked = null;
    onChange(false);
  };
  const chosen = () => form.querySelector("input[name=value]:checked");

  socket.on("score:asked", (q) => {
    const fresh = !asked || asked.prompt_id !== q.prompt_id;
    asked = q;
    if (!fresh && !form.hidden) return; // the same question again (a reconnect): keep the choice
    legend.textContent = t(`question.${q.kind}`);
    form.querySelector("#question-low").textContent = t(`question.${q.kind}.low`);
    form.querySelector("#question-high").textContent = t(`question.${q.kind}.high`);
    const buttons = [];
    for (let value = q.low; value <= q.high; value += 1) {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "radio";
      input.name = "value";
      input.value = String(value);
      label.append(input, String(value));
      buttons.push(label);
    }
    scale.replaceChildren(...buttons);
    send.disabled = true;
    status.textContent = "";
    form.hidden = false;
    onChange(true);
    legend.focus({ preventScroll: true });
  });
  socket.on("score:withdrawn", close);
  scale.addEventListener("change", () => { send.disabled = !chosen(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const picked = chosen();
    if (!asked || !picked) return;
    const payload = { prompt_id: asked.prompt_id, value: Number(picked.value) };
    send.disabled = true;
    status.textContent = t("question.sending");
    for (let attempt = 0; attempt < SEND_ATTEMPTS; attempt += 1) {
      const ack = await socket.timeout(4000).emitWithAck("score:submit", payload).catch(() => null);
      if (ack && ack.ok) {
        close();
        return;
      }
      if (ack && !ack.ok) {
        status.textContent = ack.error.message;
        send.disabled = false;
        return;
      }
    }
    status.textContent = t("question.retry");
    send.disabled = false;
  });
}
