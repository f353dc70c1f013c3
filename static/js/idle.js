// The staff idle timeout, as a person lives it: what they do (keys, taps, clicks) tells the
// server they are there; a warning comes before the login ends, and then the page leaves.

import { requestJson } from "./http.js";

const WARN_BEFORE_S = 120;
const TELL_EVERY_S = 60; // how often activity is reported while the person keeps working
const TOUCH_S = 30; // staff.logins.TOUCH_EVERY

/** Wire the warning dialog; `timeoutS` is the server's idle limit, `activeUrl` the report. */
export function setupIdleWarning(dialog, { timeoutS, activeUrl, logoutUrl, loginUrl }) {
  const countdown = dialog.querySelector("[data-idle=countdown]");
  let lastActive = Date.now();
  let lastTold = Date.now();
  let leaving = false;

  async function tell() {
    lastTold = Date.now();
    await requestJson(activeUrl, { body: {} }).catch(() => null);
  }

  function active() {
    lastActive = Date.now();
    if (dialog.open) dialog.close();
    if ((lastActive - lastTold) / 1000 > TELL_EVERY_S) tell();
  }

  for (const type of ["keydown", "pointerdown", "input"]) {
    document.addEventListener(type, active, { capture: true, passive: true });
  }
  dialog.querySelector("[data-idle=stay]").addEventListener("click", () => {
    tell();
    active();
  });

  setInterval(() => {
    const idleS = (Date.now() - lastTold) / 1000;
    // the server notes activity at most every TOUCH_S, so its clock may be that much ahead
    const left = Math.max(0, Math.round(timeoutS - TOUCH_S - idleS));
    if (left <= 0 && !leaving) {
      leaving = true;
      requestJson(logoutUrl, { body: {} })
        .catch(() => null)
        .then(() => window.location.assign(loginUrl));
      return;
    }
    if (left <= WARN_BEFORE_S && !dialog.open) dialog.showModal();
    countdown.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
  }, 1000);
}
