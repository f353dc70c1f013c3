// The client's page: full-screen target, tones after the client enables sound, a small
// connection indicator.

import { ToneScheduler } from "./audio.js";
import { ServerClock } from "./clock.js";
import { connect } from "./connection.js";
import { StimView } from "./stimview.js";

const canvas = document.getElementById("stage");
const soundButton = document.getElementById("enable-sound");
const fullButton = document.getElementById("fullscreen");
const indicator = document.getElementById("connection");

let view = null;
let tones = null;
let wakeLock = null;

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
});

const clock = new ServerClock(socket);
view = new StimView(canvas, clock);
tones = new ToneScheduler(clock);
socket.on("connect", () => clock.start());

soundButton.addEventListener("click", async () => {
  await tones.enable();
  soundButton.hidden = tones.enabled;
  document.body.dataset.sound = tones.enabled ? "on" : "off";
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
