// Keeps the moving target smooth on a slow device. Each frame the page copies its whole stage
// canvas to the compositor; at a phone's full device resolution that copy is what a slow
// phone's main thread cannot keep up with (bench/client.py: at 4x slowed, 55% of frames drawn
// at 2 device pixels per CSS pixel, 99% at 1). So, as a game lowers its resolution to keep its
// frame rate, the pacer watches the time between frames while the target moves, and when more
// than one frame in ten of a window comes late, the stage is drawn with fewer pixels (never
// fewer than one per CSS pixel). A fast device never drops a frame and stays crisp.

export const WINDOW = 60; // frames judged together
export const LATE_SHARE = 0.1; // more than this share late in a window: draw fewer pixels
export const LATE_FACTOR = 1.5; // a frame is late after this many display intervals

export class FramePacer {
  constructor() {
    this.lastT = null;
    this.intervals = [];
  }

  /**
   * A frame at `t` (ms); `moving`: the target moves. True when the window just ended with too
   * many late frames: the caller should draw with fewer pixels.
   */
  tick(t, moving) {
    const last = this.lastT;
    this.lastT = moving ? t : null;
    if (!moving || last === null || !(t > last)) return false;
    this.intervals.push(t - last);
    if (this.intervals.length < WINDOW) return false;
    // the display's interval: the shortest seen (a late frame is only ever longer)
    const display = Math.min(...this.intervals);
    const late = this.intervals.filter((ms) => ms > LATE_FACTOR * display).length;
    this.intervals = [];
    return late > LATE_SHARE * WINDOW;
  }
}
