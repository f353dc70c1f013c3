// The panel's video call card: the client's face beside the controls, the switch that turns
// the call off for this session, and the call's figures (picture size, round trip, loss).

import { STATS_EVERY_MS } from "./call.js";
import { setupCallControls } from "./callui.js";

/** Wire the card; `offline()` says (and shows) whether a change cannot be sent now. */
export function setupCallCard(card, socket, { offline }) {
  const videoSwitch = document.getElementById("video-enabled"); // in the session bar
  const call = setupCallControls(card, socket, {
    role: "therapist",
    onEnabled(enabled) {
      videoSwitch.checked = enabled;
      card.hidden = false; // the therapist keeps the switch
      card.classList.toggle("video-off", !enabled);
    },
  });
  videoSwitch.addEventListener("change", () => {
    if (offline()) return;
    socket.emit("video:toggle", { enabled: videoSwitch.checked });
  });
  const statsEl = card.querySelector("[data-call=stats]");
  setInterval(async () => { statsEl.textContent = statsText(await call.stats()); }, STATS_EVERY_MS);
}

function statsText(s) {
  if (!s || s.width === null) return "";
  const parts = [`${s.width}×${s.height}`];
  if (s.rttMs !== null) parts.push(`round trip ${Math.round(s.rttMs)} ms`);
  if (s.lossPct !== null) parts.push(`loss ${s.lossPct.toFixed(1)}%`);
  return `Call: ${parts.join(" · ")}`;
}
