// The panel's set bar: run state, passes done of total, and the time left of the set (from the
// state's planned end), four times a second (not in the animation loop).

import { edgeTimeMs, isMoving, passesDone } from "./motion.js";

/** Milliseconds left of the set at server time `now`: null when it has no planned end. */
export function timeLeftMs(state, now) {
  if (state.end_phase === null || state.end_phase === undefined) return null;
  if (state.running) return Math.max(0, edgeTimeMs(state, state.end_phase) - now);
  if (state.paused) return ((state.end_phase - state.anchor.phase0) * 1000) / state.settings.speed_pps;
  return null;
}

/** How long the next set will take with these settings, in ms (null: until stopped). */
function plannedMs(s) {
  if (s.set_unit === "seconds") return s.set_seconds ? s.set_seconds * 1000 : null;
  return s.set_passes ? (s.set_passes * 1000) / s.speed_pps : null;
}

export function formatSeconds(s) {
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
}

/** Keep the bar `bar` up to date with `getState()` on the server clock `clock`;
 * `onMoving(moving)` hears the target start and stop moving. */
export function setupSetBar(bar, { clock, getState, onMoving = () => {} }) {
  let wasMoving = null;
  const $ = (id) => bar.querySelector(`#${id}`);
  const [passesEl, totalEl, runEl, timerEl, labelEl, startButton] =
    ["passes", "passes-total", "run-state", "set-timer", "timer-label", "start"].map($);
  setInterval(() => {
    const state = getState();
    if (!state) return;
    const now = clock.now();
    const moving = isMoving(state, now);
    if (moving !== wasMoving) onMoving((wasMoving = moving));
    const s = state.settings;
    passesEl.textContent = String(passesDone(state, now));
    totalEl.textContent = s.set_unit === "passes" && s.set_passes ? ` / ${s.set_passes}` : "";
    let label = "Stopped";
    if (state.paused) label = "Paused";
    else if (moving) label = state.stopping ? "Stopping" : "Running";
    runEl.textContent = label;
    runEl.dataset.state = label.toLowerCase();
    bar.dataset.state = label.toLowerCase();
    startButton.textContent = state.paused ? "Resume" : "Start";
    const left = moving || state.paused ? timeLeftMs(state, now) : null;
    if (left !== null) {
      labelEl.textContent = "Time left";
      timerEl.textContent = formatSeconds(Math.ceil(left / 1000));
    } else if (moving && state.set_started_ms) {
      labelEl.textContent = "Elapsed";
      timerEl.textContent = formatSeconds((now - state.set_started_ms) / 1000);
    } else if (!moving && !state.paused) {
      const planned = plannedMs(s);
      labelEl.textContent = "Set length";
      timerEl.textContent = planned === null ? "until stopped" : formatSeconds(Math.round(planned / 1000));
    }
    timerEl.dataset.leftMs = left === null ? "" : String(Math.round(left));
  }, 250);
}
