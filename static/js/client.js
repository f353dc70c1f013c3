// The client's page: full-screen target, tones after the client enables sound, a small
// connection indicator.

import { ToneScheduler } from "./audio.js";
import { setupCallControls } from "./callui.js";
import { ServerClock, showClockOnPage } from "./clock.js";
import { connect } from "./connection.js";
import { StimView } from "./stimview.js";

const canvas = document.getElementById("stage");
const soundButton = document.getElementById("enable-sound");
const fullButton = document.getElementById("fullscreen");
const indicator = document.getElementById("connection");
const notice = document.getElementById("notice");

let view = null;
let tones = null;
let wakeLock = null;
let inLobby = false; // waiting for the therapist to let this page in

const socket = connect({ role: "client" }, {
  state(state) {
    view.setState(state);
    tones.setState(state);
    document.body.dataset.rev = String(state.rev);
    keepAwake(state.running);
  },
  status(status) {
    indicator.dataset.status = status;
    indicator.title = status === "connected" ? "Connected" : "Reconnecting…";
    indicator.setAttribute("aria-label", indicator.title);
  },
  error(err) {
    indicator.title = err.message;
  },
  ended() {
    // The therapist ended the session or revoked the link: say so plainly, stop the sound.
    tones.silence();
    notice.textContent = "This session has ended. You can close this page.";
    notice.hidden = false;
  },
});

const clock = new ServerClock(socket, {
  onEstimate: showClockOnPage,
  onSync: () => tellPresence(),
});
// Tell the therapist which state this screen shows, once it is drawn.
view = new StimView(canvas, clock, {
  onApplied(rev) {
    if (socket.connected) socket.emit("stim:applied", { rev });
  },
});
tones = new ToneScheduler(clock);
socket.on("connect", () => {
  clock.start();
  tellPresence();
  view.appliedRev = -1; // confirm the state again after a reconnect
});
socket.on("presence:request", tellPresence);
// The waiting room: nothing of the session reaches this page until the therapist lets it in;
// then it connects again and joins the room like any page.
socket.on("lobby:waiting", () => {
  inLobby = true;
  notice.textContent = "Please wait: your therapist will let you in shortly.";
  notice.dataset.kind = "lobby";
  notice.hidden = false;
});
socket.on("lobby:admitted", () => {
  inLobby = false;
  notice.hidden = true;
  delete notice.dataset.kind;
  socket.disconnect().connect();
});

/** Tell the therapist's panel what this screen is like, so its mirror matches it. */
function tellPresence() {
  if (!socket.connected || inLobby) return;
  socket.emit("presence:update", {
    width: Math.max(1, Math.round(window.innerWidth)),
    height: Math.max(1, Math.round(window.innerHeight)),
    visible: document.visibilityState === "visible",
    fullscreen: Boolean(document.fullscreenElement),
    sound: tones.enabled,
    rtt_ms: clock.rttMs,
  });
}
let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(tellPresence, 200);
});
document.addEventListener("visibilitychange", tellPresence);

soundButton.addEventListener("click", async () => {
  await tones.enable();
  soundButton.hidden = tones.enabled;
  document.body.dataset.sound = tones.enabled ? "on" : "off";
  tellPresence();
});

fullButton.addEventListener("click", async () => {
  try {
    await document.documentElement.requestFullscreen({ navigationUI: "hide" });
  } catch {
    // full screen refused (iOS Safari): the page is already as large as it can be
  }
});

document.addEventListener("fullscreenchange", () => {
  fullButton.hidden = Boolean(document.fullscreenElement);
  tellPresence();
});

async function keepAwake(running) {
  // Keep the screen on while stimulation runs, where the browser supports the Wake Lock API.
  if (!("wakeLock" in navigator)) return;
  try {
    if (running && !wakeLock) {
      wakeLock = await navigator.wakeLock.request("screen");
      wakeLock.addEventListener("release", () => { wakeLock = null; });
    } else if (!running && wakeLock) {
      await wakeLock.release();
    }
  } catch {
    wakeLock = null;
  }
}


// The therapist's question: a large slider and one button. A resend after a dropped
// connection carries the same prompt id, so the answer is stored once.
const QUESTIONS = {
  sud: ["How disturbing does it feel now?", "0 = no disturbance", "10 = the worst"],
  voc: ["How true does the positive belief feel now?", "1 = completely false", "7 = completely true"],
};
const question = document.getElementById("question");
const slider = document.getElementById("question-value");
const shown = document.getElementById("question-shown");
let asked = null;

socket.on("score:asked", (q) => {
  asked = q;
  const [text, low, high] = QUESTIONS[q.kind];
  document.getElementById("question-text").textContent = text;
  document.getElementById("question-low").textContent = low;
  document.getElementById("question-high").textContent = high;
  slider.min = q.low;
  slider.max = q.high;
  slider.value = Math.round((q.low + q.high) / 2);
  shown.textContent = slider.value;
  question.hidden = false;
});
socket.on("score:withdrawn", () => { question.hidden = true; asked = null; });
slider.addEventListener("input", () => { shown.textContent = slider.value; });
question.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!asked) return;
  const payload = { prompt_id: asked.prompt_id, value: Number(slider.value) };
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const ack = await socket.timeout(4000).emitWithAck("score:submit", payload).catch(() => null);
    if (ack && ack.ok) {
      question.hidden = true;
      asked = null;
      return;
    }
    if (ack && !ack.ok) {
      shown.textContent = ack.error.message;
      return;
    }
  }
  shown.textContent = "Not sent yet: check your connection and press Send again.";
});

// The video call: a small tile over the stimulation, movable and hideable.
const tile = document.getElementById("call");
const showTile = document.getElementById("tile-show");
setupCallControls(tile, socket, { role: "client", onEnabled: (on) => { if (!on) showTile.hidden = true; } });
document.getElementById("tile-hide").addEventListener("click", () => {
  tile.classList.add("tile-hidden");
  showTile.hidden = false;
});
showTile.addEventListener("click", () => {
  tile.classList.remove("tile-hidden");
  showTile.hidden = true;
});
const handle = document.getElementById("tile-handle");
handle.addEventListener("pointerdown", (down) => {
  if (down.target.closest("button")) return;
  const box = tile.getBoundingClientRect();
  const dx = down.clientX - box.left;
  const dy = down.clientY - box.top;
  handle.setPointerCapture(down.pointerId);
  const move = (e) => {
    const x = Math.min(Math.max(0, e.clientX - dx), window.innerWidth - box.width);
    const y = Math.min(Math.max(0, e.clientY - dy), window.innerHeight - box.height);
    tile.style.left = `${x}px`;
    tile.style.top = `${y}px`;
    tile.style.right = "auto";
  };
  const up = () => {
    handle.removeEventListener("pointermove", move);
    handle.removeEventListener("pointerup", up);
  };
  handle.addEventListener("pointermove", move);
  handle.addEventListener("pointerup", up);
});
