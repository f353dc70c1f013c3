"""Instruments for the stimulation tests and bench/sync.py: what a page draws and schedules.

``INIT`` is installed before a page loads (Playwright add_init_script). It only observes: it
counts the renderer's draws and the frames the browser offers, records every tone the page
schedules (when, on which clock), every stereo panner it builds and when each state reached the
page; it can skew the page's clock or delay what reaches the page by a known amount. Samples of
the target's position are read from the canvas pixels.
"""

from __future__ import annotations

INIT = """
(() => {
  const skew = %(skew_ms)s;
  const lateBy = %(late_ms)s;
  if (lateBy) {
    // every message from the server arrives lateBy ms late, in order, as over a slow network
    const RealSocket = window.WebSocket;
    window.WebSocket = class extends RealSocket {
      set onmessage(handler) {
        super.onmessage = handler && ((ev) => setTimeout(() => handler.call(this, ev), lateBy));
      }

      get onmessage() {
        return super.onmessage;
      }
    };
  }
  const realNow = performance.now.bind(performance);
  const realDate = Date.now;
  if (skew) {
    performance.now = () => realNow() + skew;
    Date.now = () => realDate() + skew;
  }
  const probe = { draws: 0, offered: 0, frameTimes: [], tones: [], pans: [], realNow,
                  epoch: () => performance.timeOrigin + realNow() };
  window.__probe = probe;
  const setTransform = CanvasRenderingContext2D.prototype.setTransform;
  probe.drawnAt = {}; // canvas id -> when its last frame was drawn (the renderer's first call)
  CanvasRenderingContext2D.prototype.setTransform = function (...args) {
    if (this.canvas.id === "stage" || this.canvas.id === "mirror") {
      probe.draws += 1;
      probe.drawnAt[this.canvas.id] = probe.epoch();
    }
    return setTransform.apply(this, args);
  };
  const count = (t) => {
    probe.offered += 1;
    probe.frameTimes.push(t);
    requestAnimationFrame(count);
  };
  requestAnimationFrame(count);
  // The audio clock as the page last read it, and when: the page turns a server time into an
  // audio time from that reading, and the audio thread may move the clock on (by a whole buffer)
  // between that reading and the tone's start.
  const lastRead = new WeakMap();
  const currentTime = Object.getOwnPropertyDescriptor(BaseAudioContext.prototype, "currentTime");
  Object.defineProperty(BaseAudioContext.prototype, "currentTime", {
    configurable: true,
    get() {
      const value = currentTime.get.call(this);
      lastRead.set(this, { value, epoch: probe.epoch() });
      return value;
    },
  });
  // A skewed page's whole clock is off: the output's stamps on its performance timeline too.
  const outputStamp = AudioContext.prototype.getOutputTimestamp;
  if (skew && outputStamp) {
    AudioContext.prototype.getOutputTimestamp = function () {
      const stamp = outputStamp.call(this);
      return { contextTime: stamp.contextTime, performanceTime: stamp.performanceTime + skew };
    };
  }
  const start = AudioScheduledSourceNode.prototype.start;
  AudioScheduledSourceNode.prototype.start = function (when = 0, ...rest) {
    if (this.context instanceof AudioContext) {
      // the page's own estimate of its clock's offset to the server's, at scheduling time
      const offset = Number(document.body.dataset.clockOffsetMs || 0);
      const read = lastRead.get(this.context) || { value: currentTime.get.call(this.context),
                                                   epoch: probe.epoch() };
      // when the tone will be heard (real epoch ms): the output's own stamp of which sample
      // is heard when
      const stamp = outputStamp ? outputStamp.call(this.context) : null;
      const heardEpoch = stamp && stamp.performanceTime > 0
        ? performance.timeOrigin + stamp.performanceTime + (when - stamp.contextTime) * 1000
        : null;
      probe.tones.push({ when, ctxNow: read.value, epochNow: read.epoch, offset, heardEpoch });
    }
    return start.call(this, when, ...rest);
  };
  // when each state reached the page (it writes the state's rev on the body once handled)
  probe.revs = [];
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.target === document.body) {
        const offset = Number(document.body.dataset.clockOffsetMs || 0);
        probe.revs.push({ rev: Number(document.body.dataset.rev), epoch: probe.epoch(), offset });
      }
    }
  }).observe(document, { attributes: true, attributeFilter: ["data-rev"], subtree: true });
  const Panner = window.StereoPannerNode;
  window.StereoPannerNode = class extends Panner {
    constructor(ctx, opts) {
      super(ctx, opts);
      if (ctx instanceof AudioContext) probe.pans.push(opts && opts.pan);
    }
  };
})();
"""

# Sample the target's centre (CSS px, normalised later) right after frames, for ``ms``. Each
# sample bears the time its picture was drawn (the page computes the target's place then), not
# the time it was read: a reader running late, or before the frame's drawing, would otherwise
# pair a place with the wrong time (at 2.2 passes a second a frame is 7% of the path). A target
# at rest is not drawn again; its samples bear the time they were read.
SAMPLE = """async ([canvasId, ms, colour]) => {
  const canvas = document.getElementById(canvasId);
  const ctx = canvas.getContext("2d");
  const probe = window.__probe;
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const out = [];
  const end = probe.epoch() + ms;
  let lastDrawn;
  while (probe.epoch() < end) {
    await frame();
    let t = probe.epoch();
    const drawn = probe.drawnAt[canvasId];
    if (drawn !== undefined && t - drawn < 100) { // the page is drawing: the picture's own time
      if (drawn === lastDrawn) continue; // read before this frame's drawing: the same picture
      t = drawn;
    }
    lastDrawn = drawn;
    const w = canvas.width, h = canvas.height;
    const d = ctx.getImageData(0, 0, w, h).data;
    let sx = 0, sy = 0, n = 0;
    for (let p = 0, px = 0; p < d.length; p += 4, px += 1) {
      if (Math.abs(d[p] - colour[0]) < 24 && Math.abs(d[p + 1] - colour[1]) < 24
          && Math.abs(d[p + 2] - colour[2]) < 24) { sx += px %% w; sy += (px / w) | 0; n += 1; }
    }
    if (n) out.push({ t, x: sx / n / w, y: sy / n / h });
  }
  return out;
}"""
TARGET_RGB = [0x4F, 0xC3, 0xF7]


def init_script(skew_ms: float = 0.0, late_ms: float = 0.0) -> str:
    """The probe; ``skew_ms`` moves the page's clock, ``late_ms`` delays what the server sends."""
    return INIT % {"skew_ms": repr(float(skew_ms)), "late_ms": repr(float(late_ms))}


def start_sampling(page, canvas_id: str, ms: int):
    """Begin sampling without waiting (so two pages sample at once); collect with finish()."""
    page.evaluate(
        "(args) => { window.__sampling = (" + SAMPLE % () + ")(args); }",
        [canvas_id, ms, TARGET_RGB],
    )


def finish(page) -> list[dict]:
    return page.evaluate("() => window.__sampling")


def sample(page, canvas_id: str, ms: int) -> list[dict]:
    return page.evaluate(SAMPLE % (), [canvas_id, ms, TARGET_RGB])


def normalise(samples: list[dict], axis: str = "x") -> list[tuple[float, float]]:
    """(epoch ms, position in -1..1 along ``axis``) using the extremes seen as the path ends."""
    values = [s[axis] for s in samples]
    lo, hi = min(values), max(values)
    mid, half = (lo + hi) / 2, (hi - lo) / 2
    return [(s["t"], (s[axis] - mid) / half) for s in samples]


def interpolate(series: list[tuple[float, float]], t: float) -> float | None:
    for (t0, v0), (t1, v1) in zip(series, series[1:], strict=False):
        if t0 <= t <= t1 and t1 > t0:
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0)
    return None
