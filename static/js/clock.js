// Estimate the offset between this browser's clock and the server's from Socket.IO round trips,
// keeping the samples with the lowest delay (they bound the error by half their round trip).

const KEEP = 5;
const BURSTS_KEPT = 3; // samples age out after this many refreshes

export function localNow() {
  return performance.timeOrigin + performance.now();
}

export class ServerClock {
  constructor(socket, { samples = 8, refreshMs = 15000, onSync = null, onEstimate = null } = {}) {
    this.onSync = onSync; // called after each burst with the clock (offset and round trip)
    this.onEstimate = onEstimate; // called whenever the offset in use changes
    this.socket = socket;
    this.samples = samples;
    this.refreshMs = refreshMs;
    this.best = []; // [{rtt, offset, burst}] sorted by rtt
    this.burstNo = 0;
    this.offsetMs = 0;
    this.rttMs = null;
    this.timer = null;
  }

  /** Server time now, in ms since the Unix epoch. */
  now() {
    return localNow() + this.offsetMs;
  }

  async pingOnce() {
    const sent = localNow();
    const reply = await this.socket.timeout(3000).emitWithAck("clock:ping", { t: sent });
    const received = localNow();
    if (!reply || !reply.ok) return;
    const rtt = received - sent;
    const offset = reply.server_ms - (sent + rtt / 2);
    this.best.push({ rtt, offset, burst: this.burstNo });
    // the fastest round trips of the last few bursts: a busy moment does not spoil the estimate
    this.best = this.best.filter((s) => s.burst > this.burstNo - BURSTS_KEPT);
    this.best.sort((a, b) => a.rtt - b.rtt);
    this.best.length = Math.min(this.best.length, KEEP);
    // Average the offsets of the fastest round trips: each is off by at most rtt/2.
    const top = this.best.slice(0, 3);
    this.offsetMs = top.reduce((s, x) => s + x.offset, 0) / top.length;
    this.rttMs = this.best[0].rtt;
    if (this.onEstimate) this.onEstimate(this);
  }

  async burst() {
    for (let i = 0; i < this.samples; i += 1) {
      try {
        await this.pingOnce();
      } catch {
        return; // disconnected: the next connect starts a new burst
      }
    }
    if (this.onSync) this.onSync(this);
  }

  /** Sync now and every refreshMs; old samples age out so a drifting clock is followed. */
  start() {
    this.stop();
    this.best = [];
    this.burst();
    this.timer = setInterval(() => {
      this.burstNo += 1;
      this.burst();
    }, this.refreshMs);
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** Put the estimate in use on the page for diagnostics (the sync benchmark and tests). */
export function showClockOnPage(c) {
  document.body.dataset.clockOffsetMs = c.offsetMs.toFixed(3);
  document.body.dataset.rttMs = c.rttMs.toFixed(3);
}
