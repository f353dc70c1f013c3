// The body scan (phase 6) on the panel: after installation, what scanning the body found for
// the target worked on now (clear, or a sensation noticed and where), kept with this session.

/** `box`: the #body-scan step; returns `show(scan)` for the work state's `body_scan` (null:
 * no target worked on). */
export function setupBodyScan(box, socket, showError) {
  const buttons = [...box.querySelectorAll("[data-body-scan]")];
  const where = box.querySelector("#body-scan-where");
  const text = box.querySelector("#body-scan-text");
  const status = box.querySelector("#body-scan-status");

  function show(scan) {
    const result = scan ? scan.result : null;
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.bodyScan === result));
    where.hidden = result !== "sensation";
    if (document.activeElement !== text) text.value = scan ? scan.text : "";
    status.textContent = result
      ? `Recorded: ${scan.result_name.toLowerCase()}${scan.text ? ` (${scan.text})` : ""}.`
      : "Not recorded yet.";
    box.dataset.result = result || "";
    if (result) box.open = true;
  }

  async function record(result, words) {
    const payload = { result, text: result === "sensation" ? words : "" };
    const ack = await socket.timeout(5000).emitWithAck("bodyscan:set", payload).catch(() => null);
    if (!ack || !ack.ok) {
      showError(ack ? ack.error.message : "Not recorded: the server could not be reached.");
      return;
    }
    show(ack);
    if (ack.result === "sensation" && !ack.text) text.focus();
  }

  for (const button of buttons) {
    button.addEventListener("click", () => {
      const pressed = button.getAttribute("aria-pressed") === "true";
      record(pressed ? null : button.dataset.bodyScan, text.value); // pressed again: cleared
    });
  }
  box.querySelector("#body-scan-save").addEventListener("click", () => record("sensation", text.value));
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter") record("sensation", text.value);
  });
  return show;
}
