// The therapist's control panel: live controls, the mirror of the client's screen, the join link.

import { setupBackToTarget } from "./backtarget.js";
import { setupCallCard } from "./callcard.js";
import { setupRecord, setupScores } from "./clinical.js";
import { ServerClock, showClockOnPage } from "./clock.js";
import { connect } from "./connection.js";
import { setupInstallation } from "./installation.js";
import { setupJoinLink } from "./joinlink.js";
import { askFirst, setupDialogs } from "./dialogs.js";
import { setupIndicators } from "./indicators.js";
import { isMoving } from "./motion.js";
import { showClientLayout } from "./mirrorframe.js";
import { setupPresets } from "./presets.js";
import { setupScreening } from "./screening.js";
import { setupSetBar } from "./setbar.js";
import { setupShortcuts } from "./shortcuts.js";
import { placeSpeedBands, speedText } from "./speed.js";
import { StimView } from "./stimview.js";
import { setupTasks } from "./tasks.js";
import { setupWorkTarget } from "./worktarget.js";

const root = document.getElementById("panel");
const sessionId = Number(root.dataset.sessionId);
const form = document.getElementById("controls");
const statusEl = document.getElementById("connection");
const errorEl = document.getElementById("panel-error");
const SEND_EVERY_MS = 80; // sliders send at most this often while dragged, then the last value

let current = null;
const pending = {};
let sendTimer = null;

const socket = connect({ role: "therapist", session_id: sessionId }, {
  state(state) {
    current = state;
    view.setState(state);
    root.dataset.rev = String(state.rev);
    showSettings(state.settings);
    showApplied();
    // a set running again: the pause notice (the client's, or a fail-safe's) is past
    if (state.running && failsafeEl.dataset.kind !== "client-gone") failsafeEl.hidden = true;
  },
  status(status) {
    statusEl.textContent = { connected: "Connected", refused: "Not allowed" }[status] || "Reconnecting…";
    statusEl.dataset.status = status;
  },
  error(err) {
    showError(err.message);
  },
  ended(info) {
    // This login ended (logout elsewhere, timeout, password change): back to the login page,
    // which says why when it was the idle timeout.
    const why = info && info.reason === "timeout" ? "?ended=timeout" : "";
    window.location.assign(`/login${why}`);
  },
});
const clock = new ServerClock(socket, { onEstimate: showClockOnPage });
const view = new StimView(document.getElementById("mirror"), clock);
socket.on("connect", () => clock.start());

// The client's screen: the mirror takes its shape, the status line says how the client is.
const presenceEl = document.getElementById("client-presence");
const indicators = setupIndicators(presenceEl, {
  soundWords: (result) => document.querySelector(`#screening [data-sound="${result}"]`).textContent,
});
socket.on("soundcheck:state", ({ result }) => indicators.soundcheck(result));
socket.on("screening:state", (screening) => indicators.screening(screening));
const mirrorFrame = document.getElementById("mirror-frame");
const appliedEl = document.getElementById("client-applied");
const failsafeEl = document.getElementById("failsafe");
let goneTimer = null;
let appliedRev = -1;

function showApplied() {
  if (!current || appliedRev < 0) {
    appliedEl.textContent = "";
  } else if (appliedRev >= current.rev) {
    appliedEl.textContent = "Client shows the latest change ✓";
    appliedEl.dataset.status = "current";
  } else {
    appliedEl.textContent = "Client has not shown the latest change yet…";
    appliedEl.dataset.status = "behind";
  }
}

socket.on("presence:applied", ({ rev }) => {
  appliedRev = Math.max(appliedRev, rev);
  showApplied();
});
socket.on("failsafe:paused", ({ who, gone_s: goneS }) => {
  failsafeEl.textContent = who === "therapist"
    ? `Your connection was gone for ${goneS} s, so the set was paused and the client was told. Resume when you are ready.`
    : `The client was gone for ${goneS} s, so the set is paused. Resume when they are back.`;
  failsafeEl.dataset.kind = who === "therapist" ? "therapist-gone" : "client-gone";
  failsafeEl.hidden = false;
});
socket.on("stim:client_paused", ({ set }) => {
  failsafeEl.textContent = `The client paused ${set ? `set ${set}` : "the set"}. Check in with them; resume when they are ready.`;
  failsafeEl.dataset.kind = "client-paused";
  failsafeEl.hidden = false;
});

socket.on("presence:state", (p) => {
  clearTimeout(goneTimer);
  clientPhase = p.connected ? p.phase : null;
  if (!p.connected) {
    indicators.only("reconnecting", "Client: reconnecting…");
    appliedRev = -1;
    showApplied();
    goneTimer = setTimeout(() => indicators.only("gone", "Client: gone"), 10000);
    return;
  }
  if (failsafeEl.dataset.kind === "client-gone") failsafeEl.hidden = true; // they are back
  indicators.presence(p);
  showClientLayout(mirrorFrame, p);
  view.renderer.resize();
});

function valueOf(input) {
  if (input.type === "checkbox") return input.checked;
  if (input.dataset.kind === "number") return Number(input.value);
  if (input.dataset.kind === "int") return Math.round(Number(input.value));
  return input.value;
}

function showSettings(settings) {
  // Only the set length that applies is shown: passes or seconds.
  form.querySelector('[data-field="set_passes"]').hidden = settings.set_unit !== "passes";
  form.querySelector('[data-field="set_seconds"]').hidden = settings.set_unit !== "seconds";
  for (const input of form.elements) {
    if (!input.name || !(input.name in settings) || input.name in pending) continue;
    if (input === document.activeElement && input.type === "range") continue;
    if (input.type === "checkbox") input.checked = settings[input.name];
    else input.value = settings[input.name];
    showValue(input);
  }
  for (const look of looks) {
    const chosen = look.dataset.colour === settings.colour && look.dataset.background === settings.background;
    look.setAttribute("aria-pressed", String(chosen));
  }
}

function showValue(input) {
  const out = form.querySelector(`output[for="${input.id}"]`);
  if (!out) return;
  const v = valueOf(input);
  out.textContent = input.name === "speed_pps" ? speedText(v) : String(v);
  if (input.name === "speed_pps") input.setAttribute("aria-valuetext", out.textContent);
}
placeSpeedBands(form.elements.speed_pps, document.getElementById("speed-bands"));

function offline() {
  if (socket.connected) return false;
  showError("Not connected: that change was not sent. It will work again once the connection is back.");
  return true;
}

function send(changes) {
  if (offline()) return;
  errorEl.hidden = true;
  socket.emit("stim:update", changes);
}

function showError(message) {
  errorEl.textContent = message;
  errorEl.hidden = false;
}

// The waiting room: the switch, and each person waiting, let in or turned away on their own.
const lobbySwitch = document.getElementById("lobby-enabled");
const lobbyWaiting = document.getElementById("lobby-waiting");
const lobbyPeople = document.getElementById("lobby-people");
socket.on("lobby:state", (lobby) => {
  lobbySwitch.checked = lobby.enabled;
  lobbyWaiting.hidden = lobby.waiting.length === 0;
  lobbyPeople.replaceChildren(...lobby.waiting.map(waitingPerson));
  if (lobby.waiting.length > 0) {
    clearTimeout(goneTimer);
    indicators.only("waiting", "Client: in the waiting room");
  } else if (presenceEl.dataset.status === "waiting") {
    indicators.only("gone", "Client: not connected"); // let in (their page comes back) or left
  }
});
lobbySwitch.addEventListener("change", () => {
  if (offline()) return;
  socket.emit("lobby:toggle", { enabled: lobbySwitch.checked });
});

function waitingPerson({ link_id: linkId, since, device }) {
  const at = new Date(since).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const who = `${device}, waiting since ${at}`;
  const row = document.createElement("li");
  row.className = "lobby-person";
  row.dataset.linkId = String(linkId);
  const label = document.createElement("span");
  label.textContent = who;
  row.append(
    label,
    lobbyButton("Admit", `Admit ${who}`, "primary admit", "lobby:admit", linkId),
    lobbyButton("Refuse", `Refuse ${who}`, "refuse", "lobby:refuse", linkId),
  );
  return row;
}

function lobbyButton(text, label, className, event, linkId) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = className;
  button.textContent = text;
  button.setAttribute("aria-label", label);
  button.addEventListener("click", () => {
    if (offline()) return;
    button.disabled = true;
    socket.emit(event, { link_id: linkId });
  });
  return button;
}

setupCallCard(document.getElementById("call"), socket, { offline });
setupRecord(document.getElementById("record"));
setupWorkTarget(document.getElementById("work-target"), { socket, showError });
setupScreening(document.getElementById("screening"), socket, { offline });
const showInstallation = setupInstallation(document.getElementById("noticed-form"), socket, showError);
const backToTarget = setupBackToTarget(document.getElementById("back-to-target"), socket, showError);
setupScores(document.getElementById("scores"), socket, showError, (data) => {
  showLastScores(data);
  showInstallation(data);
  backToTarget.show(data);
});
setupTasks(document.getElementById("tasks"), socket, {
  offline,
  showError,
  scoresUrl: document.getElementById("scores").dataset.scoresUrl,
  frame: document.getElementById("mirror-frame"),
  backToTarget,
});

const askDialog = document.getElementById("ask-first"); // asking before a step (dialogs.js)
// The protocol's presets (resource installation: slower, shorter sets), applied as the own ones are.
for (const button of document.querySelectorAll("#presets [data-settings]")) {
  button.addEventListener("click", () => send(JSON.parse(button.dataset.settings)));
}
setupPresets(document.getElementById("presets"), {
  listUrl: root.dataset.presetsUrl,
  saveUrl: root.dataset.savePresetUrl,
  apply: send,
  showError,
  askDialog,
});
setupJoinLink(document.querySelector(".session-bar"), {
  linkUrl: root.dataset.linkUrl,
  revokeUrl: root.dataset.revokeUrl,
  showError,
  askDialog,
});

function queue(input) {
  pending[input.name] = valueOf(input);
  showValue(input);
  if (sendTimer) return;
  flush();
  sendTimer = setTimeout(() => { sendTimer = null; if (Object.keys(pending).length) flush(); }, SEND_EVERY_MS);
}

function flush() {
  const changes = { ...pending };
  for (const key of Object.keys(pending)) delete pending[key];
  if (Object.keys(changes).length) send(changes);
}

form.addEventListener("input", (event) => {
  if (event.target.name) queue(event.target);
});
form.addEventListener("submit", (event) => event.preventDefault());

function command(event) {
  if (offline()) return;
  errorEl.hidden = true;
  flush(); // a change still waiting for its slot goes first: Start uses the settings shown
  socket.emit(event);
}
let clientPhase = null; // what the client's page is on (presence), for Start to ask first
/** A set with nobody there, or while the client is still in the checks, is asked about first. */
async function start() {
  if (current && current.paused) return command("stim:start"); // resuming the same set
  let question = null;
  if (presenceEl.dataset.status !== "connected") {
    question = "The client is not connected: a set now would run with nobody watching. Start the set anyway?";
  } else if (clientPhase === "checks") {
    question = "The client is still doing the checks before the session (safety questions, sound, camera). Start the set anyway?";
  }
  if (question && !(await askFirst(askDialog, question))) return;
  command("stim:start");
}
const stop = () => command("stim:stop");
const pause = () => command(current && current.paused ? "stim:start" : "stim:pause");
document.getElementById("start").addEventListener("click", start);
document.getElementById("stop").addEventListener("click", stop);
document.getElementById("pause").addEventListener("click", pause);

const looks = document.querySelectorAll(".look");
for (const look of looks) {
  look.addEventListener("click", () => send({ colour: look.dataset.colour, background: look.dataset.background }));
}

setupSetBar(document.getElementById("setbar"), {
  clock,
  getState: () => current,
  // the layout of a set: the therapist's own picture leaves the call card (app.css)
  onMoving: (moving) => { document.body.dataset.moving = String(moving); },
});

/** The last SUD and VOC recorded, beside their Ask buttons. */
function showLastScores({ scores }) {
  for (const kind of ["sud", "voc"]) {
    const last = scores.filter((score) => score.kind === kind).at(-1);
    document.querySelector(`[data-last=${kind}] strong`).textContent = last ? String(last.value) : "–";
  }
}

// The session ends on the server (a form post) after the therapist says so in a dialog.
setupDialogs();
const endDialog = document.getElementById("end-dialog");
document.getElementById("end-session").addEventListener("click", () => {
  endDialog.showModal();
  endDialog.querySelector("button[value=cancel]").focus();
});
const keysDialog = document.getElementById("keys-dialog");
document.getElementById("show-keys").addEventListener("click", () => keysDialog.showModal());

// Keyboard: space starts or stops, arrows change speed, 1-6 pick the path, S / V ask.
const PATTERNS = ["horizontal", "vertical", "diagonal_down", "diagonal_up", "circle", "figure8"];
const speed = form.elements.speed_pps;
function nudgeSpeed(by) {
  const bounded = Math.min(Number(speed.max), Math.max(Number(speed.min), Number(speed.value) + by));
  speed.value = bounded.toFixed(2);
  queue(speed);
}
const keys = {
  " ": () => current && (isMoving(current, clock.now()) ? stop() : start()),
  p: pause,
  s: () => document.querySelector("[data-ask=sud]").click(),
  v: () => document.querySelector("[data-ask=voc]").click(),
  "?": () => keysDialog.showModal(),
  ArrowUp: () => nudgeSpeed(0.1),
  ArrowRight: () => nudgeSpeed(0.1),
  ArrowDown: () => nudgeSpeed(-0.1),
  ArrowLeft: () => nudgeSpeed(-0.1),
};
PATTERNS.forEach((pattern, i) => {
  keys[String(i + 1)] = () => {
    form.elements.pattern.value = pattern;
    queue(form.elements.pattern);
  };
});
setupShortcuts(keys);
