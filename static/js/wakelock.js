// Keeps the client's screen on through the session (Screen Wake Lock). Browsers grant the lock
// only to a visible page, and WebKit only in a tap: so it is asked for in every tap on the page
// while it is not held, again when the page comes back to the front, and when a set starts.
// A refusal is never swallowed: the state goes to the therapist, and the next tap asks again.

import { canKeepAwake } from "./features.js";

/**
 * The page's wake lock; `onChange(status)` hears each change of its status: "on" (held),
 * "off" (not asked for yet, let go, or taken back by the browser while the page was hidden),
 * "refused" (the browser said no: the next tap asks again), "unsupported".
 */
export function setupWakeLock({ onChange = () => {} } = {}) {
  let status = canKeepAwake() ? "off" : "unsupported";
  let lock = null;
  let wanted = false;
  let asking = false;

  function set(next) {
    if (next === status) return;
    status = next;
    onChange(status);
  }

  /** Ask for the lock, if it is wanted and not held; in a tap where the browser needs one. */
  async function ask() {
    if (status === "unsupported" || !wanted || lock || asking) return;
    if (document.visibilityState !== "visible") return; // refused anyway: ask when back
    asking = true;
    let got = null;
    try {
      got = await navigator.wakeLock.request("screen");
    } catch {
      set("refused");
    } finally {
      asking = false;
    }
    if (!got) return;
    if (!wanted) { // the session ended while the browser was deciding
      got.release().catch(() => {});
      return;
    }
    lock = got;
    got.addEventListener("release", () => {
      if (lock !== got) return;
      lock = null;
      set("off");
    });
    set("on");
  }

  async function letGo() {
    const held = lock;
    lock = null;
    if (held) {
      try {
        await held.release();
      } catch {
        // already let go by the browser
      }
    }
    if (status !== "unsupported") set("off");
  }

  // Any tap or key on the page is a user gesture the lock may be asked for in.
  for (const name of ["click", "keydown"]) document.addEventListener(name, ask, true);
  document.addEventListener("visibilitychange", ask);

  return {
    get status() { return status; },
    /** The lock is wanted (the session is on) or not (it has ended: let go at once). */
    want(on) {
      wanted = on;
      if (on) ask();
      else letGo();
    },
    ask,
  };
}
