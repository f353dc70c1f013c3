// The client's question from the therapist (SUD or VOC): a large slider and one button. A resend
// after a dropped connection carries the same prompt id, so the answer is stored once.

const QUESTIONS = {
  sud: ["How disturbing does it feel now?", "0 = no disturbance", "10 = the worst"],
  voc: ["How true does the positive belief feel now?", "1 = completely false", "7 = completely true"],
};
const SEND_ATTEMPTS = 5;

/** Wire the question form: shown when the therapist asks, hidden once the answer is stored. */
export function setupQuestion(form, socket) {
  const slider = form.querySelector("#question-value");
  const shown = form.querySelector("#question-shown");
  let asked = null;

  socket.on("score:asked", (q) => {
    asked = q;
    const [text, low, high] = QUESTIONS[q.kind];
    form.querySelector("#question-text").textContent = text;
    form.querySelector("#question-low").textContent = low;
    form.querySelector("#question-high").textContent = high;
    slider.min = q.low;
    slider.max = q.high;
    slider.value = Math.round((q.low + q.high) / 2);
    shown.textContent = slider.value;
    form.hidden = false;
  });
  socket.on("score:withdrawn", () => { form.hidden = true; asked = null; });
  slider.addEventListener("input", () => { shown.textContent = slider.value; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!asked) return;
    const payload = { prompt_id: asked.prompt_id, value: Number(slider.value) };
    for (let attempt = 0; attempt < SEND_ATTEMPTS; attempt += 1) {
      const ack = await socket.timeout(4000).emitWithAck("score:submit", payload).catch(() => null);
      if (ack && ack.ok) {
        form.hidden = true;
        asked = null;
        return;
      }
      if (ack && !ack.ok) {
        shown.textContent = ack.error.message;
        return;
      }
    }
    shown.textContent = "Not sent yet: check your connection and press Send again.";
  });
}
