// Keeps the moving target smooth on a slow device. Each frame the page copies its whole stage
// canvas to the compositor; at a phone's full device resolution that copy is what a slow
// phone's main thread cannot keep up with (bench/client.py: slowed 4 times with the call on, 55%
// of frames drawn at 2 device pixels per CSS pixel, 99% at 1). So, as a game lowers its
// resolution to keep its frame rate, the pacer watches the time between frames while the target
// moves, and when more than LATE_MAX frames of a window come late, the stage is drawn with fewer
// pixels (never fewer than one per CSS pixel). A device that keeps up stays crisp: a pause for
// garbage collection now and then is one late frame.

export const WINDOW = 300; // frames judged together: 5 s at 60 frames a second
export const LATE_MAX = 4; // more late frames than this in a window (1.3%): draw fewer pixels
export const LATE_FACTOR = 1.5; // a frame is late after this many display intervals

export class FramePacer {
  constructor() {
    this.lastT = null;
    this.restart();
  }

  restart() {
    this.frames = 0;
    this.late = 0;
    this.display = Infinity; // the display's interval: the shortest seen in this window
  }

  /**
   * A frame at `t` (ms); `moving`: a set runs. True when too many frames of this window
   * came late: the caller should draw with fewer pixels (and a new window starts).
   */
  tick(t, moving) {
    const last = this.lastT;
    this.lastT = moving ? t : null;
    if (!moving || last === null || !(t > last)) return false;
    const ms = t - last;
    this.frames += 1;
    this.display = Math.min(this.display, ms);
    if (ms > LATE_FACTOR * this.display) this.late += 1;
    const tooLate = this.late > LATE_MAX;
    if (tooLate || this.frames >= WINDOW) this.restart();
    return tooLate;
  }
}
