// The animation loop shared by the client's page and the therapist's mirror: every frame it
// reads the room state and the server clock and draws the target where the formula puts it.
//
// A new state takes effect at the server time it was made, so it reaches a page a network
// delay late: from the old formula to the new, the target would hop by the change of speed
// times that delay (at 0.5 -> 2.5 passes/s and 100 ms, a fifth of a pass). A small difference
// is made up over BLEND_MS instead, easing in and out; a large one (a new set starting from
// the centre, a page that was offline) is shown at once.

import { nextFrame } from "./features.js";
import { phaseAt } from "./motion.js";
import { FramePacer } from "./pacer.js";
import { Renderer } from "./renderer.js";

export const BLEND_MS = 250;
export const BLEND_MAX_PHASE = 0.35;

/** What is left to make up of a difference `delta`, `elapsedMs` into a blend (smoothstep). */
export function blendLeft(delta, elapsedMs) {
  const u = Math.min(1, Math.max(0, elapsedMs / BLEND_MS));
  return delta * (1 - u * u * (3 - 2 * u));
}

export class StimView {
  constructor(canvas, clock, { onApplied = null } = {}) {
    this.onApplied = onApplied; // called once per rev, after its first frame is drawn
    this.appliedRev = -1;
    this.renderer = new Renderer(canvas);
    this.clock = clock;
    this.state = null;
    this.frames = 0; // frames drawn, for diagnostics
    this.phase = 0;
    this.blend = null; // {delta, fromMs}: a late state's difference being made up
    this.pacer = new FramePacer(); // fewer pixels when frames come late (pacer.js)
    this.frame = this.frame.bind(this);
    this.onResize = () => this.renderer.resize();
    // The canvas changes size with the window and with what shares the screen with it (the
    // client's dock, the therapist's mirror taking the client's shape).
    if ("ResizeObserver" in window) new ResizeObserver(this.onResize).observe(canvas);
    window.addEventListener("resize", this.onResize);
    window.addEventListener("orientationchange", this.onResize);
    this.renderer.resize();
    nextFrame(this.frame);
  }

  setState(state) {
    const old = this.state;
    const now = this.clock.now();
    const shown = old ? this.phaseNow(now) : null; // where the target is drawn now, blend included
    this.state = state;
    this.blend = null;
    if (!old || old.settings.pattern !== state.settings.pattern) return;
    const delta = shown - phaseAt(state, now);
    if (delta !== 0 && Math.abs(delta) <= BLEND_MAX_PHASE) this.blend = { delta, fromMs: now };
  }

  /** Where to draw the target at server time `now`: the formula, plus what is left of a blend. */
  phaseNow(now) {
    const phase = phaseAt(this.state, now);
    if (!this.blend) return phase;
    const elapsed = now - this.blend.fromMs;
    if (elapsed >= BLEND_MS) {
      this.blend = null;
      return phase;
    }
    const blended = phase + blendLeft(this.blend.delta, elapsed);
    const end = this.state.end_phase;
    return this.state.running && end !== null ? Math.min(blended, end) : blended;
  }

  frame(t) {
    nextFrame(this.frame);
    const { state } = this;
    if (!state || !this.renderer.ctx) return; // nothing drawn: no rev is confirmed either
    // judged while a set runs (a target come to rest is not drawn: its frames are never late)
    if (this.pacer.tick(t, state.running)) this.renderer.lowerScale();
    this.phase = this.phaseNow(this.clock.now());
    // a target at rest is not drawn again: the canvas already shows it
    if (this.renderer.draw(this.phase, state.settings)) this.frames += 1;
    if (state.rev !== this.appliedRev) {
      this.appliedRev = state.rev;
      if (this.onApplied) this.onApplied(state.rev);
    }
  }
}
