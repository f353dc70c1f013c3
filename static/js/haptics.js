// The tactile channel: a short pulse at each arrival of the target at a side, on a phone's
// vibration motor or on a game controller's rumble (a left arrival on the left motor or trigger,
// a right one on the right), planned a little ahead from the server clock like the tones.
//
// Like a tone put on the audio clock, each pulse is handed to the device shortly before its
// arrival with the exact delay left (a vibration pattern's leading pause, a rumble effect's
// startDelay), so a page busy drawing does not make it late; a new state takes back a pulse
// handed over but not yet begun (vibrate(0), reset()).

import { sideOf } from "./audio.js";
import { edgeTimeMs, phaseAt } from "./motion.js";

export const KINDS = ["vibration", "gamepad"];
export const PULSE_MS = 50;
const LOOKAHEAD_MS = 250; // how far ahead pulses are put on timers
// How long before its arrival a pulse goes to the device: less than the time between arrivals
// at the highest speed (250 ms) less a pulse, so a device holds one pulse at a time.
const HANDOVER_MS = 180;
const TICK_MS = 50; // how often the scheduler looks
const LATE_MS = 20; // a pulse this late still goes at once; later, none (a late pulse misleads)

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

/** The effect and its parameters for a pulse on `side` (-1 left, +1 right) in `delayMs`;
 * `both` sides for the toggle's sample pulse. */
export function rumbleEffect(actuator, side, durationMs, delayMs = 0, both = false) {
  const left = both || side < 0 ? 1 : 0;
  const right = both || side > 0 ? 1 : 0;
  const kind = rumbleKind(actuator);
  const params = { duration: durationMs, startDelay: delayMs };
  if (kind === "trigger-rumble") {
    const triggers = { leftTrigger: left, rightTrigger: right };
    return [kind, { ...params, strongMagnitude: 0, weakMagnitude: 0, ...triggers }];
  }
  return [kind, { ...params, strongMagnitude: left, weakMagnitude: right }];
}

export class HapticScheduler {
  constructor(clock, { onTactileChange = null } = {}) {
    this.clock = clock; // ServerClock: server time now
    this.onTactileChange = onTactileChange; // called with channels() after they change
    this.wanted = new Set(); // the kinds the client turned on, whether or not present now
    this.state = null;
    this.nextEdge = null;
    this.timers = new Set();
    this.handedUntil = 0; // server time before which a pulse handed to the device may start
    this.ticker = null;
    this.told = "";
    this.log = []; // recent [{k, side, dueMs, handedMs, channels}] for diagnostics
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
    this.pulse(0, 0, true);
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
    if (this.handedUntil > this.clock.now()) this.takeBack();
    this.handedUntil = 0;
  }

  /** Stop what the devices were given and have not begun (a pause, a stop, the end). */
  takeBack() {
    if (canVibrate()) navigator.vibrate(0);
    for (const pad of rumblePads()) {
      if (typeof pad.vibrationActuator.reset === "function") {
        Promise.resolve(pad.vibrationActuator.reset()).catch(() => {});
      }
    }
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
        this.handOver(k, dueMs);
      }, Math.max(0, dueMs - now - HANDOVER_MS));
      this.timers.add(id);
    }
  }

  handOver(k, dueMs) {
    const handedMs = this.clock.now();
    if (handedMs - dueMs > LATE_MS) return;
    const delayMs = Math.max(0, Math.round(dueMs - handedMs));
    const channels = this.pulse(sideOf(k), delayMs, false);
    this.handedUntil = dueMs;
    this.log.push({ k, side: sideOf(k), dueMs, handedMs, channels });
    if (this.log.length > 200) this.log.shift();
  }

  /** A pulse `delayMs` from now on every channel that is on. */
  pulse(side, delayMs, both) {
    const channels = this.channels();
    if (channels.includes("vibration")) {
      navigator.vibrate(delayMs > 0 ? [0, delayMs, PULSE_MS] : PULSE_MS);
    }
    if (channels.includes("gamepad")) {
      for (const pad of rumblePads()) {
        const [kind, params] = rumbleEffect(pad.vibrationActuator, side, PULSE_MS, delayMs, both);
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
