// The client's page: full-screen target, tones after the client enables sound, a small
// connection indicator; the therapist's questions and the video tile come from their modules.

import { ToneScheduler } from "./audio.js";
import { setupCallTile } from "./calltile.js";
import { runChecks } from "./checks.js";
import { ServerClock, showClockOnPage } from "./clock.js";
import { connect } from "./connection.js";
import { setupQuestion } from "./question.js";
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

setupQuestion(document.getElementById("question"), socket);
setupCallTile(document.getElementById("call"), socket, document.getElementById("tile-show"));

// The checks before any stimulation (checks.js), once the page is in the room (not waiting).
socket.once("stim:state", async () => {
  const checks = document.getElementById("checks").dataset;
  const { video } = await runChecks({
    socket,
    tones,
    callTile: document.getElementById("call"),
    screeningNeeded: checks.screeningNeeded === "true",
    videoEnabled: checks.videoEnabled === "true",
    onStep: (step) => { document.body.dataset.checks = step; },
  });
  soundButton.hidden = tones.enabled;
  tellPresence();
  if (video && video.join) document.querySelector("#call [data-call=join]").click();
});
