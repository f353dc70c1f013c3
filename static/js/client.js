// The client's page: the target on its stage, tones after the client enables sound, and the
// dock beside the stage (notices, the question, the video, Pause). The page is in one phase at a
// time (body[data-phase]): "checks" (checks.js, before any stimulation), "session", "waiting"
// (the waiting room) or "ended". What the browser lacks is checked first (features.js): the
// page says so in words and goes on without that part.

import { ToneScheduler } from "./audio.js";
import { setupCallTile } from "./calltile.js";
import { runChecks } from "./checks.js";
import { ServerClock, showClockOnPage } from "./clock.js";
import { connect } from "./connection.js";
import { missingFeatures } from "./features.js";
import { onWholeScreen, setupFullscreen } from "./fullscreen.js";
import { HapticScheduler, setupTactileButton } from "./haptics.js";
import { t } from "./i18n.js";
import { isMoving } from "./motion.js";
import { setupQuestion } from "./question.js";
import { StimView } from "./stimview.js";
import { setupWakeLock } from "./wakelock.js";

const canvas = document.getElementById("stage");
const soundButton = document.getElementById("enable-sound");
const soundProblem = document.getElementById("sound-problem");
const fullButton = document.getElementById("fullscreen");
const pauseButton = document.getElementById("pause");
const indicator = document.getElementById("connection");
const notice = document.getElementById("notice");
const turnHint = document.getElementById("turn-hint");
const questionForm = document.getElementById("question");
const tile = document.getElementById("call");
const dualTask = document.getElementById("dual-task");

// Paths that sweep sideways: on a phone held upright they get little room.
const WIDE_PATHS = new Set(["horizontal", "diagonal_down", "diagonal_up", "figure8", "circle"]);
const PHONE_MAX_PX = 700;

let view = null;
let tones = null;
let haptics = null; // the tactile channel, where the device has one
let call = null;
let current = null; // the room's state as last received
let taskText = null; // the dual-attention task to show while a set runs (task:state)
const missing = missingFeatures(); // what this browser cannot do, for the therapist
// The screen stays on through the session, asked for in the client's taps (wakelock.js).
const wakeLock = setupWakeLock({ onChange: () => tellPresence() });

/** Show one phase of the page; focus its heading so a screen reader says where it is. */
function setPhase(phase) {
  if (document.body.dataset.phase === phase) return;
  document.body.dataset.phase = phase;
  for (const section of ["waiting", "ended"]) {
    document.getElementById(section).hidden = section !== phase;
  }
  const heading = document.querySelector(`#${phase} h1`);
  if (heading) heading.focus();
  if (phase === "session") view.renderer.resize();
  wakeLock.want(phase !== "ended");
  tellPresence();
}

/** Say something in the dock (kind "warning" for what needs the client's attention). */
function say(text, kind = "info") {
  notice.textContent = text;
  notice.dataset.kind = kind;
  notice.hidden = !text;
  tellPresence();
}

const socket = connect({ role: "client" }, {
  state(state) {
    const wasMoving = current && current.running;
    current = state;
    view.setState(state);
    // nothing is heard or felt before the client is through the checks
    if (document.body.dataset.phase === "checks") {
      tones.silence();
      haptics.silence();
    } else {
      tones.setState(state);
      haptics.setState(state);
    }
    document.body.dataset.rev = String(state.rev);
    if (state.running && !wasMoving && notice.dataset.kind === "warning") say("");
    showMoving();
    showTurnHint();
    if (state.running) wakeLock.ask(); // granted here where the browser allows it, else at a tap
  },
  status(status) {
    indicator.dataset.status = status;
    indicator.title = status === "connected" ? t("room.connected") : t("room.reconnecting");
    indicator.setAttribute("aria-label", indicator.title);
  },
  error(err) {
    indicator.title = err.message;
  },
  ended(info) {
    // The therapist ended the session or revoked the link: stop every sound, end the call
    // (camera and microphone released) and say so on the whole page.
    const why = `ended.${info && info.reason}`;
    if (t(why) !== why) document.getElementById("ended-why").textContent = t(why);
    tones.silence();
    haptics.silence();
    if (call) call.leave();
    current = null;
    setPhase("ended");
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
tones = new ToneScheduler(clock, { onStatus: showSound });
// The tactile channel; the therapist is told its channels with the presence.
haptics = new HapticScheduler(clock, { onTactileChange: () => tellPresence() });
setupTactileButton(document.getElementById("tactile"), haptics);
socket.on("connect", () => {
  clock.start();
  tellPresence();
  view.appliedRev = -1; // confirm the state again after a reconnect
});
// A therapist's panel (re)connecting asks how this screen is: after a drop, they are back.
socket.on("presence:request", () => {
  if (notice.dataset.kind === "warning" && notice.textContent === t("room.therapist_gone")) {
    say(t("room.therapist_back"), "warning");
  }
  tellPresence();
});
// The waiting room: nothing of the session reaches this page until the therapist lets it in;
// then it connects again and joins the room like any page.
socket.on("lobby:waiting", () => setPhase("waiting"));
socket.on("lobby:admitted", () => {
  setPhase("session");
  socket.disconnect().connect();
});
socket.on("failsafe:paused", ({ who }) => {
  if (who === "therapist") say(t("room.therapist_gone"), "warning");
});
socket.on("stim:client_paused", () => say(t("room.paused_by_you"), "warning"));

/** The moving flag drives the layout (a smaller video) and the Pause button. */
function showMoving() {
  const moving = Boolean(current) && isMoving(current, clock.now());
  // written only when it changes: every write restyles the page, four times a second
  if (document.body.dataset.moving !== String(moving)) {
    document.body.dataset.moving = String(moving);
    pauseButton.disabled = !moving;
  }
  showTask();
}

/** The dual-attention task is in the dock while a set runs, and only then. */
function showTask() {
  const show = Boolean(taskText) && Boolean(current) && current.running;
  if (dualTask.hidden === !show) return;
  dualTask.hidden = !show;
  onResize();
}
socket.on("task:state", ({ text }) => {
  taskText = text;
  document.getElementById("dual-task-text").textContent = text || "";
  showTask();
});
setInterval(showMoving, 250); // a set also stops by itself at its planned end

/** On a phone held upright, a sideways path gets little room: suggest turning the phone. */
function showTurnHint() {
  const upright = window.innerHeight > window.innerWidth && window.innerWidth <= PHONE_MAX_PX;
  const wide = Boolean(current) && WIDE_PATHS.has(current.settings.pattern);
  const show = upright && wide && questionForm.hidden; // the question needs the room more
  if (turnHint.hidden === show) {
    turnHint.hidden = !show;
    tellPresence();
  }
}

/** The client's own stop: the set pauses at once and the therapist is told. */
function pauseSet() {
  if (pauseButton.disabled || !socket.connected) return;
  socket.emit("stim:client_pause", {});
}
pauseButton.addEventListener("click", pauseSet);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && document.body.dataset.phase === "session") pauseSet();
});

/** Where a visible element sits, in whole CSS pixels: [x, y, width, height]; null if hidden. */
function rectOf(element) {
  if (!element || element.hidden || element.offsetParent === null) return null;
  const r = element.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return null;
  return [r.left, r.top, r.width, r.height].map((v) => Math.max(0, Math.round(v)));
}

/** Tell the therapist's panel what this screen is like, so its mirror matches it. */
function tellPresence() {
  if (!socket.connected || document.body.dataset.phase === "waiting") return;
  const inSession = document.body.dataset.phase === "session";
  socket.emit("presence:update", {
    width: Math.max(1, Math.round(window.innerWidth)),
    height: Math.max(1, Math.round(window.innerHeight)),
    visible: document.visibilityState === "visible",
    fullscreen: onWholeScreen(),
    sound: tones.status,
    wake_lock: wakeLock.status,
    missing,
    rtt_ms: clock.rttMs,
    tactile: haptics ? haptics.channels() : [],
    phase: document.body.dataset.phase,
    layout: {
      stage: inSession ? rectOf(document.getElementById("stage-area")) : null,
      dock: inSession ? rectOf(document.getElementById("dock")) : null,
      video: inSession && tile.classList.contains("in-call") ? rectOf(tile.querySelector(".tile-videos")) : null,
      question: inSession ? rectOf(questionForm) : null,
      task: inSession ? rectOf(dualTask) : null,
    },
  });
}
let resizeTimer = null;
function onResize() {
  showTurnHint();
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(tellPresence, 200);
}
window.addEventListener("resize", onResize);
document.addEventListener("visibilitychange", tellPresence);

/** The sound's state on the page: the button while it is not on, and words when it failed. */
function showSound() {
  const status = tones.status;
  soundButton.hidden = status === "on" || status === "unsupported";
  const problem = { failed: "room.sound_failed", unsupported: "room.sound_unsupported" }[status];
  const text = problem ? t(problem, { button: soundButton.textContent.trim() }) : "";
  if (soundProblem.textContent !== text) soundProblem.textContent = text;
  soundProblem.hidden = !text;
  document.body.dataset.sound = status;
  onResize();
}

soundButton.addEventListener("click", async () => {
  if (soundButton.getAttribute("aria-busy") === "true") return; // a start is under way
  soundButton.setAttribute("aria-busy", "true");
  await tones.enable(); // within a few seconds: on, or failed with words on what to do
  soundButton.removeAttribute("aria-busy");
  showSound();
});

setupFullscreen(fullButton, document.getElementById("home-screen-help"), { onChange: onResize });
if (missing.includes("canvas")) {
  const problem = document.getElementById("browser-problem");
  problem.textContent = t("room.no_canvas");
  problem.hidden = false;
}

setupQuestion(questionForm, socket, {
  onChange(shown) {
    document.body.dataset.question = String(shown);
    onResize();
  },
});
call = setupCallTile(tile, socket, document.getElementById("tile-show"), { onChange: onResize });
document.body.dataset.phase = "checks"; // until the checks (below) are done
wakeLock.want(true);

// The checks before any stimulation (checks.js), once the page is in the room (not waiting).
socket.once("stim:state", async () => {
  const checks = document.getElementById("checks").dataset;
  const { video, checkSoundAgain } = await runChecks({
    socket,
    tones,
    callTile: tile,
    screeningNeeded: checks.screeningNeeded === "true",
    videoEnabled: checks.videoEnabled === "true",
    checkedSound: checks.checkedSound || null,
    onStep(step) {
      if (document.body.dataset.phase !== "ended") setPhase(step === "done" ? "session" : "checks");
    },
  });
  showSound();
  if (current && document.body.dataset.phase === "session") {
    tones.setState(current);
    haptics.setState(current);
  }
  tellPresence();
  if (video && video.join) tile.querySelector("[data-call=join]").click();
  // The therapist asks for the sound check again (never while a set runs: the server refuses).
  socket.on("soundcheck:asked", async () => {
    if (document.body.dataset.phase !== "session" || document.body.dataset.moving === "true") return;
    await checkSoundAgain();
    showSound();
    tellPresence();
  });
});
