// Bilateral tones on the Web Audio clock: each arrival at an edge is scheduled a little ahead
// (look-ahead scheduling), panned fully to that side; never fired from the animation loop.

import { edgeTimeMs, isMoving, phaseAt, sweep } from "./motion.js";

const LOOKAHEAD_MS = 250; // how far ahead tones are put on the audio clock
const TICK_MS = 50; // how often the scheduler looks
const RAMP_S = 0.005; // attack and release, so tones start and end without a click
const PAN_STEP_MS = 20; // resolution of the continuous tone's pan automation
// The client's sound check (soundcheck.js): one clear tone, whatever the session's settings.
const TEST_TONE = { sound_kind: "tone", waveform: "sine", pitch_hz: 523.25, volume: 0.6, duration_ms: 700 };

/** Which ear an edge belongs to: even phases are the left (or top) edge, odd the right. */
export function sideOf(k) {
  return k % 2 === 0 ? -1 : 1;
}

/**
 * Build one tone's graph on `ctx` (an AudioContext or OfflineAudioContext) starting at `when`
 * (seconds on ctx's clock), panned to `pan` (-1 left, +1 right). Returns the source node.
 */
export function buildTone(ctx, when, pan, s, noise) {
  const duration = s.duration_ms / 1000;
  const gain = ctx.createGain();
  const panner = new StereoPannerNode(ctx, { pan });
  gain.connect(panner).connect(ctx.destination);
  let source;
  if (s.sound_kind === "click" && noise) {
    source = new AudioBufferSourceNode(ctx, { buffer: noise });
  } else {
    source = new OscillatorNode(ctx, { type: s.waveform, frequency: s.pitch_hz });
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

export class ToneScheduler {
  constructor(clock) {
    this.clock = clock; // ServerClock: server time now
    this.ctx = null;
    this.noise = null;
    this.state = null;
    this.scheduled = []; // [{k, source, atMs}] not yet played
    this.nextEdge = null;
    this.timer = null;
    this.log = []; // recent [{k, side, serverMs, audioTime}] for the page's diagnostics
    this.hum = null; // the continuous tone's nodes while it plays
    this.panPlannedMs = 0;
  }

  get enabled() {
    return this.ctx !== null && this.ctx.state === "running";
  }

  /** Create or resume the AudioContext; browsers allow this only after a user gesture. */
  async enable() {
    if (!this.ctx) {
      this.ctx = new AudioContext({ latencyHint: "interactive" });
      this.noise = makeNoise(this.ctx);
    }
    await this.ctx.resume();
    if (!this.timer) this.timer = setInterval(() => this.tick(), TICK_MS);
    this.tick();
  }

  /** The sound check's tone, now, panned fully to `side` (-1 left, +1 right); enable() first. */
  playTestTone(side) {
    if (this.ctx) buildTone(this.ctx, this.ctx.currentTime + 0.05, side, TEST_TONE, null);
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

  /** Server time (ms) -> AudioContext time (s), through the shared "now" of both clocks. */
  toAudioTime(serverMs) {
    return this.ctx.currentTime + (serverMs - this.clock.now()) / 1000;
  }

  tick() {
    const { state, ctx } = this;
    if (!ctx || !state || !state.running || !state.settings.sound_on) return;
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
      const osc = new OscillatorNode(ctx, { type: s.waveform, frequency: s.pitch_hz });
      const gain = new GainNode(ctx, { gain: 0 });
      const panner = new StereoPannerNode(ctx, { pan: 0 });
      osc.connect(gain).connect(panner).connect(ctx.destination);
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
