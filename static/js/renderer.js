// Draws the target on a canvas. The client's page and the therapist's mirror both use this
// module, so the therapist sees what the client sees.

import { position } from "./motion.js";

const STAR_POINTS = 5;
// The glow: a solid centre, then a halo fading out, in target radii. A halo of two radii, dark
// on a light background, at the highest speed and size on a diagonal path or the figure of
// eight, changed 28% of a 10-degree field in one frame, four times a second: flashing, by
// WCAG 2.3.1. At 1.5 radii it stays near a fifth (tests/browser/test_flash_safety.py).
const GLOW_CORE = 0.7;
const GLOW_REACH = 1.5;

export class Renderer {
  constructor(canvas) {
    this.canvas = canvas;
    // null in a browser without 2D canvas: nothing is drawn (the page says so, features.js)
    this.ctx = typeof canvas.getContext === "function" ? canvas.getContext("2d", { alpha: false }) : null;
    this.width = 0; // CSS pixels
    this.height = 0;
    this.dpr = 1;
    this.maxScale = Infinity; // device pixels per CSS pixel at most (lowered by lowerScale)
    this.pos = { x: 0, y: 0 };
    this.last = { x: 0, y: 0 }; // where the target was drawn, in CSS pixels (for tests and tools)
    this.glowCache = new Map(); // colour -> gradient canvas, made once per colour and size
    // The settings the canvas was last drawn with (null: it shows nothing known): with the
    // same settings and the target where it was, a frame is not drawn again.
    this.drawnWith = null;
    canvas.addEventListener("contextrestored", () => { this.drawnWith = null; });
  }

  /**
   * Match the backing store to the element's size and the device pixel ratio (crisp on HiDPI),
   * or to fewer pixels once lowerScale has been called.
   */
  resize() {
    const rect = this.canvas.getBoundingClientRect();
    const dpr = Math.min(window.devicePixelRatio || 1, this.maxScale);
    const w = Math.max(1, Math.round(rect.width * dpr));
    const h = Math.max(1, Math.round(rect.height * dpr));
    if (w !== this.canvas.width || h !== this.canvas.height) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.glowCache.clear();
    }
    if (rect.width !== this.width || rect.height !== this.height || dpr !== this.dpr) {
      this.drawnWith = null; // cleared, or the target would be placed elsewhere
    }
    this.width = rect.width;
    this.height = rect.height;
    this.dpr = dpr;
    this.canvas.dataset.scale = String(Math.round(dpr * 100) / 100);
  }

  /** Draw with a quarter fewer pixels per CSS pixel, never under one; false when at one. */
  lowerScale() {
    if (this.dpr <= 1) return false;
    this.maxScale = Math.max(1, this.dpr * 0.75);
    this.resize();
    return true;
  }

  /** Centre of the target in CSS pixels for a phase and settings. */
  locate(phase, s) {
    const radius = this.radius(s);
    const p = position(phase, s.pattern, s.profile, this.pos);
    const spanX = Math.max(0, (this.width / 2 - radius) * s.width);
    const spanY = Math.max(0, (this.height / 2 - radius) * s.width);
    if (s.pattern === "circle") {
      const r = Math.min(spanX, spanY);
      p.x = this.width / 2 + p.x * r;
      p.y = this.height / 2 + p.y * r;
    } else {
      p.x = this.width / 2 + p.x * spanX;
      p.y = this.height / 2 + p.y * spanY;
    }
    return p;
  }

  radius(s) {
    return (Math.min(this.width, this.height) * s.size) / 2;
  }

  /** Draw the target at `phase`; false when the canvas already shows exactly that. */
  draw(phase, s) {
    const { ctx, dpr, last } = this;
    if (!ctx) return false; // a browser that cannot draw (features.js says so)
    const p = this.locate(phase, s);
    if (this.drawnWith === s && p.x === last.x && p.y === last.y) return false;
    this.drawnWith = s;
    const r = this.radius(s);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = s.background;
    ctx.fillRect(0, 0, this.canvas.width / dpr, this.canvas.height / dpr); // every pixel
    last.x = p.x;
    last.y = p.y;
    ctx.fillStyle = s.colour;
    switch (s.shape) {
      case "square":
        ctx.fillRect(p.x - r, p.y - r, 2 * r, 2 * r);
        break;
      case "star":
        this.star(p.x, p.y, r);
        break;
      case "glow":
        this.glow(p.x, p.y, r, s.colour);
        break;
      default:
        ctx.beginPath();
        ctx.arc(p.x, p.y, r, 0, Math.PI * 2);
        ctx.fill();
    }
    return true;
  }

  star(x, y, r) {
    const { ctx } = this;
    ctx.beginPath();
    for (let i = 0; i < STAR_POINTS * 2; i += 1) {
      const rr = i % 2 === 0 ? r : r * 0.45;
      const a = -Math.PI / 2 + (i * Math.PI) / STAR_POINTS;
      if (i === 0) ctx.moveTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
      else ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
    }
    ctx.closePath();
    ctx.fill();
  }

  glow(x, y, r, colour) {
    // A soft light: a radial gradient drawn once into an offscreen canvas, then blitted.
    const reach = GLOW_REACH * r;
    const size = Math.ceil(2 * reach * this.dpr);
    const key = `${colour}:${size}`;
    let sprite = this.glowCache.get(key);
    if (!sprite) {
      sprite = document.createElement("canvas");
      sprite.width = size;
      sprite.height = size;
      const g = sprite.getContext("2d");
      const grad = g.createRadialGradient(size / 2, size / 2, 0, size / 2, size / 2, size / 2);
      grad.addColorStop(0, colour);
      grad.addColorStop(GLOW_CORE / GLOW_REACH, colour);
      grad.addColorStop(1, "rgba(0,0,0,0)");
      g.fillStyle = grad;
      g.fillRect(0, 0, size, size);
      this.glowCache.set(key, sprite);
    }
    this.ctx.drawImage(sprite, x - reach, y - reach, 2 * reach, 2 * reach);
  }
}
