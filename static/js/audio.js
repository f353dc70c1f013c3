// Bilateral tones on the Web Audio clock: each arrival at an edge is scheduled a little ahead
// (look-ahead scheduling), panned fully to that side; never fired from the animation loop.
// Nodes are made with the context's factory methods (every Web Audio engine has them); the
// stereo panner falls back to two gains merged as left and right where StereoPannerNode is
// missing (Safari before 14.1).

import { audioContextClass } from "./features.js";
import { edgeTimeMs, isMoving, phaseAt, sweep } from "./motion.js";

const LOOKAHEAD_MS = 250; // how far ahead tones are put on the audio clock
const MAX_OUTPUT_LATENCY_S = 0.5; // a longer gap between scheduled and heard is not believed
const TICK_MS = 50; // how often the scheduler looks
const RAMP_S = 0.005; // attack and release, so tones start and end without a click
const PAN_STEP_MS = 20; // resolution of the continuous tone's pan automation
// How long a start of the sound may take: a browser without an audio output (Firefox with no
// sound device) never settles AudioContext.resume(), and the client must not wait forever.
export const SOUND_START_MS = 3000;
// The client's sound check (soundcheck.js): one clear tone, whatever the session's settings.
const TEST_TONE = { sound_kind: "tone", waveform: "sine", pitch_hz: 523.25, volume: 0.6, duration_ms: 700 };

/** Which ear an edge belongs to: even phases are the left (or top) edge, odd the right. */
export function sideOf(k) {
  return k % 2 === 0 ? -1 : 1;
}

/** The left and right gains of an equal-power pan (-1 left .. +1 right). */
function panGains(pan) {
  const x = ((Math.min(1, Math.max(-1, pan)) + 1) * Math.PI) / 4;
  return [Math.cos(x), Math.sin(x)];
}

/** Where StereoPannerNode is missing: the sound to two gains, merged as left and right. */
class MergedPanner {
  constructor(ctx, pan) {
    this.input = ctx.createGain();
    this.input.channelCount = 1; // a mono source, whatever comes in
    this.input.channelCountMode = "explicit";
    this.left = ctx.createGain();
    this.right = ctx.createGain();
    this.merger = ctx.createChannelMerger(2);
    this.input.connect(this.left);
    this.input.connect(this.right);
    this.left.connect(this.merger, 0, 0);
    this.right.connect(this.merger, 0, 1);
    const both = (method) => (value, when) => {
      const gains = panGains(value);
      this.left.gain[method](gains[0], when);
      this.right.gain[method](gains[1], when);
    };
    // the part of a StereoPannerNode's pan AudioParam this module uses
    this.pan = {
      setValueAtTime: both("setValueAtTime"),
      linearRampToValueAtTime: both("linearRampToValueAtTime"),
      cancelScheduledValues: (when) => {
        this.left.gain.cancelScheduledValues(when);
        this.right.gain.cancelScheduledValues(when);
      },
    };
    this.pan.setValueAtTime(pan, 0);
  }

  connect(destination) {
    return this.merger.connect(destination);
  }
}

/**
 * A stereo panner on `ctx` at `pan` (-1 left, +1 right): `{input, pan, connect(destination)}`,
 * where `pan` is the StereoPannerNode's AudioParam or its stand-in with the same methods.
 */
export function makePanner(ctx, pan) {
  if (typeof window.StereoPannerNode === "function") {
    const node = new StereoPannerNode(ctx, { pan });
    return { input: node, pan: node.pan, connect: (destination) => node.connect(destination) };
  }
  return new MergedPanner(ctx, pan);
}

/**
 * Build one tone's graph on `ctx` (an AudioContext or OfflineAudioContext) starting at `when`
 * (seconds on ctx's clock), panned to `pan` (-1 left, +1 right). Returns the source node.
 */
export function buildTone(ctx, when, pan, s, noise) {
  const duration = s.duration_ms / 1000;
  const gain = ctx.createGain();
  const panner = makePanner(ctx, pan);
  gain.connect(panner.input);
  panner.connect(ctx.destination);
  let source;
  if (s.sound_kind === "click" && noise) {
    source = ctx.createBufferSource();
    source.buffer = noise;
  } else {
    source = ctx.createOscillator();
    source.type = s.waveform;
    source.frequency.value = s.pitch_hz;
  }
  source.connect(gain);
  const length = s.sound_kind === "click" ? Math.min(duration, 0.03) : duration;
  gain.gain.setValueAtTime(0, when);
  gain.gain.linearRampToValueAtTime(s.volume, when + RAMP_S);
  gain.gain.setValueAtTime(s.volume, Math.max(when + RAMP_S, when + length - RAMP_S));
  gain.gain.linearRampToValueAtTime(0, when + length);
  source.start(when);
  source.stop(when + length + 0.01);
  return source;
}

export function makeNoise(ctx) {
  const buffer = ctx.createBuffer(1, Math.ceil(ctx.sampleRate * 0.03), ctx.sampleRate);
  const data = buffer.getChannelData(0);
  for (let i = 0; i < data.length; i += 1) data[i] = (Math.random() * 2 - 1) * (1 - i / data.length);
  return buffer;
}

/** true once `promise` fulfils within `ms`; false if it rejects or is still pending then. */
function settlesWithin(promise, ms) {
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  const settled = Promise.resolve(promise).then(() => true, () => false);
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}

export class ToneScheduler {
  /** `onStatus(status)` hears every change of `status` (see below), also one the browser makes. */
  constructor(clock, { onStatus = () => {} } = {}) {
    this.clock = clock; // ServerClock: server time now
    this.onStatus = onStatus;
    // "off" (not started yet, or stopped by the browser: a call, the page in the background),
    // "on", "failed" (did not start in time: a tap retries), "unsupported" (no Web Audio)
    this.status = audioContextClass() ? "off" : "unsupported";
    this.ctx = null;
    this.noise = null;
    this.state = null;
    this.scheduled = []; // [{k, source, atMs}] not yet played
    this.nextEdge = null;
    this.timer = null;
    this.starting = null; // the start under way, while it is
    this.log = []; // recent [{k, side, serverMs, audioTime}] for the page's diagnostics
    this.hum = null; // the continuous tone's nodes while it plays
    this.panPlannedMs = 0;
  }

  get enabled() {
    return this.ctx !== null && this.ctx.state === "running";
  }

  setStatus(status) {
    if (status !== this.status) {
      this.status = status;
      this.onStatus(status);
    }
    return status;
  }

  /**
   * Create or resume the AudioContext; browsers allow this only in a user gesture (call it in
   * a tap). Resolves with the status: "on"; "failed" when the sound did not start within
   * `timeoutMs` (a later call, in another tap, tries again with a new context);
   * "unsupported" when the browser has no Web Audio. A start that completes later still
   * turns the sound on (onStatus hears it).
   */
  enable({ timeoutMs = SOUND_START_MS } = {}) {
    if (!this.starting) {
      this.starting = this.start(timeoutMs).finally(() => { this.starting = null; });
    }
    return this.starting;
  }

  async start(timeoutMs) {
    const Context = audioContextClass();
    if (!Context) return this.setStatus("unsupported");
    if (this.ctx && this.status === "failed" && !this.enabled) this.abandon();
    if (!this.ctx) {
      try {
        this.ctx = new Context({ latencyHint: "interactive" });
      } catch {
        return this.setStatus("failed"); // no audio device the browser can open
      }
      const ctx = this.ctx;
      this.noise = makeNoise(ctx);
      ctx.onstatechange = () => { if (ctx === this.ctx) this.followContext(); };
    }
    let resuming;
    try {
      resuming = this.ctx.resume();
    } catch (err) {
      resuming = Promise.reject(err);
    }
    await settlesWithin(resuming, timeoutMs);
    if (!this.enabled) return this.setStatus("failed");
    this.followContext();
    return "on";
  }

  /** The context runs (the scheduler plans tones) or does not (the status says why). */
  followContext() {
    if (this.enabled) {
      if (!this.timer) this.timer = setInterval(() => this.tick(), TICK_MS);
      this.setStatus("on");
      this.tick();
    } else if (this.status === "on") {
      this.setStatus("off"); // the browser stopped it: a tap on "Turn on sound" resumes it
    }
  }

  /** Let go of a context that would not start: the next start makes a new one. */
  abandon() {
    this.cancelPending();
    this.hum = null;
    const old = this.ctx;
    this.ctx = null;
    this.noise = null;
    old.onstatechange = null;
    try {
      Promise.resolve(old.close()).catch(() => {});
    } catch {
      // already closed
    }
  }

  /** The sound check's tone, now, panned fully to `side` (-1 left, +1 right); enable() first. */
  playTestTone(side) {
    if (this.enabled) buildTone(this.ctx, this.ctx.currentTime + 0.05, side, TEST_TONE, null);
  }

  /** A new state replaces the plan: tones not yet played are cancelled and planned afresh. */
  setState(state) {
    this.state = state;
    this.cancelPending();
    this.nextEdge = null;
    this.retuneHum(state);
    if (this.ctx) this.tick();
  }

  /** Stop every sound now and plan no more (the session has ended). */
  silence() {
    this.state = null;
    this.cancelPending();
    this.stopHum();
  }

  cancelPending() {
    for (const item of this.scheduled) {
      try {
        item.source.stop(0);
      } catch {
        // already stopped
      }
    }
    this.scheduled = [];
  }

  /**
   * Server time (ms) -> the AudioContext time (s) of the sample heard then. The audio clock's
   * currentTime runs ahead of what the ear hears by the output's latency (a buffer and the
   * device: tens of ms wired, 100-250 ms over Bluetooth), so a tone put at currentTime's
   * "now" is heard after the target's arrival; getOutputTimestamp says which sample is heard
   * when.
   */
  toAudioTime(serverMs) {
    return this.heardNow() + (serverMs - this.clock.now()) / 1000;
  }

  /** The audio clock's time of the sample being heard now (currentTime where not known). */
  heardNow() {
    const { ctx } = this;
    const ahead = ctx.currentTime;
    const stamp = typeof ctx.getOutputTimestamp === "function" ? ctx.getOutputTimestamp() : null;
    if (stamp && stamp.performanceTime > 0 && stamp.contextTime > 0) {
      const heard = stamp.contextTime + (performance.now() - stamp.performanceTime) / 1000;
      // a stamp of an output that stalled or has not started yet is not believed
      if (heard <= ahead && ahead - heard < MAX_OUTPUT_LATENCY_S) return heard;
    }
    return ahead;
  }

  tick() {
    const { state, ctx } = this;
    if (!this.enabled || !state || !state.running || !state.settings.sound_on) return;
    const now = this.clock.now();
    if (state.settings.sound_kind === "continuous") {
      this.tickHum(now);
      return;
    }
    const horizon = phaseAt(state, now + LOOKAHEAD_MS);
    if (this.nextEdge === null) this.nextEdge = Math.floor(phaseAt(state, now)) + 1;
    this.scheduled = this.scheduled.filter((item) => item.atMs > now - 1000);
    while (this.nextEdge <= horizon + 1e-9) {
      const k = this.nextEdge;
      this.nextEdge += 1;
      const atMs = edgeTimeMs(state, k);
      if (atMs < now - 20) continue; // too late to play this one on time
      const when = Math.max(ctx.currentTime, this.toAudioTime(atMs));
      const source = buildTone(ctx, when, sideOf(k), state.settings, this.noise);
      this.scheduled.push({ k, source, atMs });
      this.log.push({ k, side: sideOf(k), serverMs: atMs, audioTime: when });
      if (this.log.length > 200) this.log.shift();
    }
  }

  /** Continuous tone: one oscillator whose pan follows the target, automated ahead of time. */
  tickHum(now) {
    const { ctx, state } = this;
    const s = state.settings;
    if (!isMoving(state, now)) {
      this.stopHum();
      return;
    }
    if (!this.hum) {
      const osc = ctx.createOscillator();
      osc.type = s.waveform;
      osc.frequency.value = s.pitch_hz;
      const gain = ctx.createGain();
      gain.gain.value = 0;
      const panner = makePanner(ctx, 0);
      osc.connect(gain);
      gain.connect(panner.input);
      panner.connect(ctx.destination);
      gain.gain.setTargetAtTime(s.volume * 0.6, ctx.currentTime, 0.02);
      osc.start();
      this.hum = { osc, gain, panner };
      this.panPlannedMs = now;
    }
    const until = now + LOOKAHEAD_MS;
    for (let t = Math.max(this.panPlannedMs, now); t <= until; t += PAN_STEP_MS) {
      const pan = sweep(phaseAt(state, t), s.profile);
      this.hum.panner.pan.linearRampToValueAtTime(pan, Math.max(ctx.currentTime, this.toAudioTime(t)));
      this.panPlannedMs = t + PAN_STEP_MS;
    }
  }

  /** Keep a continuous tone through a settings change (no dip); re-plan its pan from now. */
  retuneHum(state) {
    if (!this.hum) return;
    const s = state.settings;
    if (!state.running || !s.sound_on || s.sound_kind !== "continuous") {
      this.stopHum();
      return;
    }
    const t = this.ctx.currentTime;
    this.hum.panner.pan.cancelScheduledValues(t);
    this.hum.osc.type = s.waveform;
    this.hum.osc.frequency.setValueAtTime(s.pitch_hz, t);
    this.hum.gain.gain.setTargetAtTime(s.volume * 0.6, t, 0.02);
    this.panPlannedMs = this.clock.now();
  }

  stopHum() {
    if (!this.hum) return;
    const { osc, gain } = this.hum;
    const t = this.ctx.currentTime;
    gain.gain.cancelScheduledValues(t);
    gain.gain.setTargetAtTime(0, t, 0.02);
    osc.stop(t + 0.2);
    this.hum = null;
  }
}
