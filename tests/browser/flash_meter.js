// WCAG 2.3.1's general flash threshold, measured on a canvas frame by frame: evaluated into a
// page by tests/browser/test_flash_safety.py, it defines window.FlashMeter.
//
// Each frame is read at half size (each pixel the mean of 2 x 2 screen pixels), then relative
// luminance (sRGB linearised, 0.2126 R + 0.7152 G + 0.0722 B) is averaged over cells of 4 x 4
// screen pixels. A cell makes a transition when its luminance has moved by 0.1 or more in one
// direction since it last turned, the darker end being below 0.8 (each run of a direction
// counts once). A 10-degree field (341 x 256 px of a 1024 x 768 screen, scaled to the screen
// the canvas is on) slides over the canvas; in it, a transition counts when the cells making it in the same
// frame (changing together) cover more than a quarter of the field. A flash is a pair of
// opposing transitions; `flashes` is the most any field shows within one second.

(() => {
  const RED = new Float32Array(256); // each channel's share of the luminance, by its value
  const GREEN = new Float32Array(256);
  const BLUE = new Float32Array(256);
  for (let i = 0; i < 256; i += 1) {
    const c = i / 255;
    const linear = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    RED[i] = 0.2126 * linear;
    GREEN[i] = 0.7152 * linear;
    BLUE[i] = 0.0722 * linear;
  }
  const READ = 2; // screen pixels per read pixel, across and down
  const CELL = 2; // read pixels per cell, across and down: cells of 4 x 4 screen pixels
  const STRIDE = 4; // cells between field positions
  const RING = 8; // transitions remembered per cell
  const STEP = 0.1; // a change of 10% of the maximum relative luminance
  const DARK = 0.8; // the darker state must be below this
  const SHARE = 0.25; // of a 10-degree field, changing together
  const NOISE = 0.001; // smaller frame-to-frame changes continue a run

  class FlashMeter {
    /** A canvas of `width` x `height` pixels on a screen of `screenWidth` x `screenHeight`
     * (the same units: the canvas's own pixels). */
    constructor(width, height, screenWidth = width, screenHeight = height) {
      this.small = document.createElement("canvas");
      this.small.width = Math.floor(width / READ);
      this.small.height = Math.floor(height / READ);
      this.reader = this.small.getContext("2d", { willReadFrequently: true });
      this.cols = Math.floor(this.small.width / CELL);
      this.rows = Math.floor(this.small.height / CELL);
      const n = this.cols * this.rows;
      this.lum = new Float32Array(n);
      this.last = new Float32Array(n);
      this.start = new Float32Array(n);
      this.dir = new Int8Array(n);
      this.done = new Uint8Array(n);
      this.recent = new Float64Array(n * RING).fill(-Infinity); // each cell's last transitions
      this.up = new Int32Array((this.cols + 1) * (this.rows + 1)); // integral images
      this.down = new Int32Array((this.cols + 1) * (this.rows + 1));
      this.frames = 0;
      // the 10-degree field on this canvas, in cells, and where it is placed
      const cellPx = READ * CELL;
      const fieldW = Math.round((screenWidth * 341) / 1024 / cellPx);
      const fieldH = Math.round((screenHeight * 256) / 768 / cellPx);
      this.fieldCells = fieldW * fieldH; // what lies past the canvas's edge does not change
      this.needCells = SHARE * this.fieldCells;
      this.fw = Math.min(this.cols, fieldW);
      this.fh = Math.min(this.rows, fieldH);
      this.fields = [];
      for (const y of this.positions(this.rows, this.fh)) {
        for (const x of this.positions(this.cols, this.fw)) this.fields.push({ x, y, events: [] });
      }
      this.together = { share: 0, frame: -1 }; // the most of a field changing in one frame
      this.cellFlashes = { flashes: 0, x: 0, y: 0 }; // one cell's most in a second, any size
    }

    positions(total, size) {
      const out = [];
      for (let p = 0; p + size <= total; p += STRIDE) out.push(p);
      if (out[out.length - 1] !== total - size) out.push(Math.max(0, total - size));
      return out;
    }

    /** Measure the canvas as it is now, as the frame at `tMs`. */
    addCanvas(canvas, tMs) {
      const { small, reader } = this;
      reader.drawImage(canvas, 0, 0, small.width, small.height);
      this.addFrame(reader.getImageData(0, 0, small.width, small.height).data, tMs);
    }

    addFrame(rgba, tMs) {
      this.cellLuminance(rgba);
      const { lum, last, start, dir, done, cols, rows } = this;
      const w1 = cols + 1;
      const first = this.frames === 0;
      for (let r = 0; r < rows; r += 1) {
        let rowUp = 0;
        let rowDown = 0;
        for (let c = 0; c < cols; c += 1) {
          const i = r * cols + c;
          const v = lum[i];
          const d = v - last[i];
          if (!first && (d > NOISE || d < -NOISE)) {
            const s = d > 0 ? 1 : -1;
            if (s !== dir[i]) {
              // a cell already changing in the first two frames began before them: its start
              // is unknown, so this run is not counted (it would count mid-way, again)
              done[i] = dir[i] === 0 && this.frames === 1 ? 1 : 0;
              dir[i] = s;
              start[i] = last[i];
            }
            if (!done[i] && Math.abs(v - start[i]) >= STEP && Math.min(v, start[i]) < DARK) {
              done[i] = 1;
              this.remember(i, tMs);
              if (s > 0) rowUp += 1;
              else rowDown += 1;
            }
          }
          last[i] = v;
          const k = (r + 1) * w1 + c + 1;
          this.up[k] = this.up[k - w1] + rowUp;
          this.down[k] = this.down[k - w1] + rowDown;
        }
      }
      if (!first) this.countFields(tMs);
      this.frames += 1;
    }

    cellLuminance(rgba) {
      const { lum, cols, rows } = this;
      const width = this.small.width;
      lum.fill(0);
      for (let y = 0; y < rows * CELL; y += 1) {
        const rowBase = ((y / CELL) | 0) * cols;
        let p = y * width * 4;
        for (let x = 0; x < cols * CELL; x += 1, p += 4) {
          lum[rowBase + ((x / CELL) | 0)] += RED[rgba[p]] + GREEN[rgba[p + 1]] + BLUE[rgba[p + 2]];
        }
      }
      for (let i = 0; i < lum.length; i += 1) lum[i] /= CELL * CELL;
    }

    remember(i, tMs) {
      const ring = this.recent;
      const base = i * RING;
      ring.copyWithin(base, base + 1, base + RING);
      ring[base + RING - 1] = tMs;
      let within = 0;
      for (let j = base; j < base + RING; j += 1) if (ring[j] > tMs - 1000) within += 1;
      const flashes = Math.floor(within / 2);
      if (flashes > this.cellFlashes.flashes) {
        const px = READ * CELL;
        this.cellFlashes = { flashes, x: (i % this.cols) * px, y: Math.floor(i / this.cols) * px };
      }
    }

    sum(table, f) {
      const w1 = this.cols + 1;
      const x1 = f.x + this.fw;
      const y1 = f.y + this.fh;
      return table[y1 * w1 + x1] - table[f.y * w1 + x1] - table[y1 * w1 + f.x] + table[f.y * w1 + f.x];
    }

    countFields(tMs) {
      for (const f of this.fields) {
        this.countField(f, this.sum(this.up, f), 1, tMs);
        this.countField(f, this.sum(this.down, f), -1, tMs);
      }
    }

    countField(f, cells, sign, tMs) {
      const share = cells / this.fieldCells;
      if (share > this.together.share) this.together = { share, frame: this.frames };
      if (cells <= this.needCells) return;
      const prev = f.events[f.events.length - 1];
      if (!prev || prev.sign !== sign) f.events.push({ t: tMs, sign });
    }

    /** The most flashes (pairs of opposing transitions) any field shows within one second. */
    result() {
      let most = 0;
      let where = null;
      for (const f of this.fields) {
        const ev = f.events;
        for (let i = 0, j = 0; i < ev.length; i += 1) {
          while (j < ev.length && ev[j].t < ev[i].t + 1000) j += 1;
          const flashes = Math.floor((j - i) / 2);
          if (flashes > most) {
            most = flashes;
            where = { x: f.x * READ * CELL, y: f.y * READ * CELL, t: ev[i].t };
          }
        }
      }
      const { frames, together, cellFlashes } = this;
      return { flashes: most, where, frames, together, cellFlashes };
    }
  }

  window.FlashMeter = FlashMeter;
})();
