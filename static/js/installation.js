// Installation (phase 5) on the panel: the VOC checks asked with the purpose "installation",
// shown as a trend, and said when the VOC stops rising.

/** The trend in words, from a session's scores (scores.json): the installation VOCs of the
 * target of the last one, oldest first. Pure: no DOM. */
export function installationWords(scores) {
  const checks = scores.filter((s) => s.purpose === "installation" && s.kind === "voc");
  if (!checks.length) return { text: "Installation: no VOC check yet.", stopped: false };
  const target = checks[checks.length - 1].target_id;
  const values = checks.filter((s) => s.target_id === target).map((s) => s.value);
  const trend = values.join(" → ");
  const n = values.length;
  const stopped = n >= 2 && values[n - 1] <= values[n - 2];
  const then = values[n - 1] >= 7 ? "VOC 7: installed; go on to the body scan."
    : stopped ? "it stopped rising: check for a blocking belief, or go on to the body scan."
    : "go on with another set.";
  return { text: `Installation VOC: ${trend}. ${then}`, stopped: stopped || values[n - 1] >= 7 };
}

/** The "Ask VOC (installation)" button and the trend line; returns `show(data)` for the
 * panel's score data. */
export function setupInstallation(box, socket, showError) {
  const trend = box.querySelector("#installation-trend");
  box.querySelector("#ask-installation").addEventListener("click", async () => {
    const ack = await socket.timeout(5000).emitWithAck("score:prompt", { kind: "voc", purpose: "installation" })
      .catch(() => null);
    if (!ack || !ack.ok) showError(ack ? ack.error.message : "The question could not be sent.");
  });
  return (data) => {
    const words = installationWords(data.scores);
    trend.textContent = words.text;
    trend.dataset.stopped = String(words.stopped);
    const scan = document.getElementById("body-scan"); // phase 6 next: its step is opened once
    if (words.stopped && scan && !scan.dataset.offered) {
      scan.dataset.offered = "true";
      scan.open = true;
    }
  };
}
