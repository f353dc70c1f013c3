// The tactile channel: a short pulse at each arrival of the target at a side, on a phone's
// vibration motor or on a game controller's rumble (a left arrival on the left motor or trigger,
// a right one on the right), planned a little ahead from the server clock like the tones.

import { sideOf } from "./audio.js";
import { edgeTimeMs, phaseAt } from "./motion.js";

export const KINDS = ["vibration", "gamepad"];
export const PULSE_MS = 50;
const LOOKAHEAD_MS = 250; // how far ahead pulses are put on timers
const TICK_MS = 50; // how often the scheduler looks
const LATE_MS = 20; // a timer this late still pulses; later, none (a late pulse misleads)

/** A phone or a tablet: desktop Chrome has navigator.vibrate too, with nothing to shake. */
function handheld() {
  if (navigator.userAgentData && navigator.userAgentData.mobile) return true;
  return typeof window.matchMedia === "function" && window.matchMedia("(pointer: coarse)").matches;
}

function canVibrate() {
  return typeof navigator.vibrate === "function" && handheld();
}

/** The rumble effect a pad's actuator offers, preferring the triggers: null if none. */
function rumbleKind(actuator) {
  const effects = actuator.effects || [actuator.type || "dual-rumble"];
  if (effects.includes("trigger-rumble")) return "trigger-rumble";
  return effects.includes("dual-rumble") ? "dual-rumble" : null;
}

/** Connected game controllers that can rumble. */
export function rumblePads() {
  if (typeof navigator.getGamepads !== "function") return [];
  let pads;
  try {
    pads = navigator.getGamepads();
  } catch {
    return []; // refused by a permissions policy
  }
  return Array.from(pads || []).filter((pad) => {
    const actuator = pad && pad.connected !== false && pad.vibrationActuator;
    return Boolean(actuator && typeof actuator.playEffect === "function" && rumbleKind(actuator));
  });
}

export function tactileSupport() {
  return { vibration: canVibrate(), gamepad: rumblePads().length > 0 };
}

/** The effect and its parameters for a pulse on `side` (-1 left, +1 right); `both` for a test. */
export function rumbleEffect(actuator, side, durationMs, both = false) {
  const left = both || side < 0 ? 1 : 0;
  const right = both || side > 0 ? 1 : 0;
  const kind = rumbleKind(actuator);
  const params = { duration: durationMs, startDelay: 0, strongMagnitude: left, weakMagnitude: right };
  if (kind === "trigger-rumble") {
    return [kind, { ...params, strongMagnitude: 0, weakMagnitude: 0, leftTrigger: left, rightTrigger: right }];
  }
  return [kind, params];
}

export class HapticScheduler {
  constructor(clock, { onTactileChange = null } = {}) {
    this.clock = clock; // ServerClock: server time now
    this.onTactileChange = onTactileChange; // called with channels() after they change
    this.wanted = new Set(); // the kinds the client turned on, whether or not present now
    this.state = null;
    this.nextEdge = null;
    this.timers = new Set();
    this.ticker = null;
    this.told = "";
    this.log = []; // recent [{k, side, dueMs, firedMs, channels}] for diagnostics
  }

  /** The kinds that are on and present now: a subset of KINDS. */
  channels() {
    const support = tactileSupport();
    return KINDS.filter((kind) => this.wanted.has(kind) && support[kind]);
  }

  /** Turn a kind on (all of them without an argument). */
  enable(kind = null) {
    for (const k of kind ? [kind] : KINDS) if (KINDS.includes(k)) this.wanted.add(k);
    this.replan();
  }

  disable(kind = null) {
    for (const k of kind ? [kind] : KINDS) this.wanted.delete(k);
    this.replan();
  }

  /** A controller came or went: tell whoever shows the channels. */
  devicesChanged() {
    this.tell();
  }

  /** A new state replaces the plan: pulses not yet given are cancelled and planned afresh. */
  setState(state) {
    this.state = state;
    this.cancelPending();
    this.tick();
  }

  /** Cancel every pulse and plan no more (the session has ended). */
  silence() {
    this.state = null;
    this.cancelPending();
  }

  /** One pulse now on every channel that is on, on both sides: "this is what you will feel". */
  sample() {
    this.pulse(0, true);
  }

  replan() {
    if (this.wanted.size && !this.ticker) this.ticker = setInterval(() => this.tick(), TICK_MS);
    if (!this.wanted.size && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
    this.cancelPending();
    this.tick();
    this.tell();
  }

  tell() {
    // enable() and disable() come in runs (one per kind): tell once, and only of a change
    queueMicrotask(() => {
      const now = this.channels().join(",");
      if (now === this.told) return;
      this.told = now;
      if (this.onTactileChange) this.onTactileChange(this.channels());
    });
  }

  cancelPending() {
    for (const id of this.timers) clearTimeout(id);
    this.timers.clear();
    this.nextEdge = null;
  }

  tick() {
    const { state } = this;
    if (!state || !state.running || !this.wanted.size) return;
    const now = this.clock.now();
    const horizon = phaseAt(state, now + LOOKAHEAD_MS);
    if (this.nextEdge === null) this.nextEdge = Math.floor(phaseAt(state, now)) + 1;
    while (this.nextEdge <= horizon + 1e-9) {
      const k = this.nextEdge;
      this.nextEdge += 1;
      const dueMs = edgeTimeMs(state, k);
      const id = setTimeout(() => {
        this.timers.delete(id);
        this.fire(k, dueMs);
      }, Math.max(0, dueMs - now));
      this.timers.add(id);
    }
  }

  fire(k, dueMs) {
    const firedMs = this.clock.now();
    if (firedMs - dueMs > LATE_MS) return;
    const channels = this.pulse(sideOf(k), false);
    this.log.push({ k, side: sideOf(k), dueMs, firedMs, channels });
    if (this.log.length > 200) this.log.shift();
  }

  pulse(side, both) {
    const channels = this.channels();
    if (channels.includes("vibration")) navigator.vibrate(PULSE_MS);
    if (channels.includes("gamepad")) {
      for (const pad of rumblePads()) {
        const [kind, params] = rumbleEffect(pad.vibrationActuator, side, PULSE_MS, both);
        // a newer effect preempts a running one and rejects its promise: nothing to do
        Promise.resolve(pad.vibrationActuator.playEffect(kind, params)).catch(() => {});
      }
    }
    return channels;
  }
}

/** The client's toggle: shown while vibration or a rumbling controller is there; on turns
 * every kind on, with one pulse so the client feels that it works. */
export function setupTactileButton(button, haptics) {
  const show = () => {
    const support = tactileSupport();
    button.hidden = !(support.vibration || support.gamepad);
  };
  button.addEventListener("click", () => {
    const on = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", String(on));
    if (on) {
      haptics.enable();
      haptics.sample();
    } else {
      haptics.disable();
    }
  });
  for (const name of ["gamepadconnected", "gamepaddisconnected"]) {
    window.addEventListener(name, () => {
      show();
      haptics.devicesChanged();
    });
  }
  show();
}
