// The animation loop shared by the client's page and the therapist's mirror: every frame it
// reads the room state and the server clock and draws the target where the formula puts it.

import { phaseAt } from "./motion.js";
import { Renderer } from "./renderer.js";

export class StimView {
  constructor(canvas, clock, { onApplied = null } = {}) {
    this.onApplied = onApplied; // called once per rev, after its first frame is drawn
    this.appliedRev = -1;
    this.renderer = new Renderer(canvas);
    this.clock = clock;
    this.state = null;
    this.frames = 0; // frames drawn, for diagnostics
    this.phase = 0;
    this.frame = this.frame.bind(this);
    this.onResize = () => this.renderer.resize();
    window.addEventListener("resize", this.onResize);
    window.addEventListener("orientationchange", this.onResize);
    this.renderer.resize();
    requestAnimationFrame(this.frame);
  }

  setState(state) {
    this.state = state;
  }

  frame() {
    requestAnimationFrame(this.frame);
    const { state } = this;
    if (!state) return;
    this.phase = phaseAt(state, this.clock.now());
    this.renderer.draw(this.phase, state.settings);
    this.frames += 1;
    if (state.rev !== this.appliedRev) {
      this.appliedRev = state.rev;
      if (this.onApplied) this.onApplied(state.rev);
    }
  }
}
