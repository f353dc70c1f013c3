// The therapist's control panel: live controls, the mirror of the client's screen, the join link.

import { setupCallCard } from "./callcard.js";
import { setupRecord, setupScores } from "./clinical.js";
import { ServerClock, showClockOnPage } from "./clock.js";
import { connect } from "./connection.js";
import { setupJoinLink } from "./joinlink.js";
import { isMoving, passesDone } from "./motion.js";
import { showClientLayout } from "./mirrorframe.js";
import { setupPresets } from "./presets.js";
import { setupScreening } from "./screening.js";
import { placeSpeedBands, speedText } from "./speed.js";
import { StimView } from "./stimview.js";
import { setupTasks } from "./tasks.js";

const root = document.getElementById("panel");
const sessionId = Number(root.dataset.sessionId);
const form = document.getElementById("controls");
const statusEl = document.getElementById("connection");
const passesEl = document.getElementById("passes");
const timerEl = document.getElementById("set-timer");
const runEl = document.getElementById("run-state");
const totalEl = document.getElementById("passes-total");
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
    presenceEl.textContent = "Client: reconnecting…";
    presenceEl.dataset.status = "reconnecting";
    appliedRev = -1;
    showApplied();
    goneTimer = setTimeout(() => {
      presenceEl.textContent = "Client: gone";
      presenceEl.dataset.status = "gone";
    }, 10000);
    return;
  }
  if (failsafeEl.dataset.kind === "client-gone") failsafeEl.hidden = true; // they are back
  presenceEl.dataset.status = "connected";
  presenceEl.textContent = [
    "Client: connected",
    `${p.width}×${p.height}`,
    p.visible ? "page visible" : "page hidden",
    p.sound ? "sound on" : "sound off",
    p.fullscreen ? "full screen" : "not full screen",
    p.tactile && p.tactile.length ? `tactile: ${p.tactile.join(" and ")}` : "tactile off",
    p.rtt_ms === null ? "round trip …" : `round trip ${Math.round(p.rtt_ms)} ms`,
  ].join(" · ");
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
    presenceEl.textContent = "Client: in the waiting room";
    presenceEl.dataset.status = "waiting";
  } else if (presenceEl.dataset.status === "waiting") {
    presenceEl.textContent = "Client: not connected"; // let in (their page comes back) or left
    presenceEl.dataset.status = "gone";
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
setupScreening(document.getElementById("screening"), socket, { offline });
setupScores(document.getElementById("scores"), socket, showError);
setupTasks(document.getElementById("tasks"), socket, {
  offline,
  showError,
  scoresUrl: document.getElementById("scores").dataset.scoresUrl,
  frame: document.getElementById("mirror-frame"),
});

setupPresets(document.getElementById("presets"), {
  listUrl: root.dataset.presetsUrl,
  saveUrl: root.dataset.savePresetUrl,
  apply: send,
  showError,
});
setupJoinLink(document.querySelector(".link-card"), {
  linkUrl: root.dataset.linkUrl,
  revokeUrl: root.dataset.revokeUrl,
  showError,
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
/** A set while the client is still in the checks would run with nobody watching: ask. */
const start = () => {
  if (clientPhase === "checks" && !window.confirm("The client is still doing the checks before the session (safety questions, sound, camera). Start the set anyway?")) return;
  command("stim:start");
};
const stop = () => command("stim:stop");
const pause = () => command(current && current.paused ? "stim:start" : "stim:pause");
const startButton = document.getElementById("start");
startButton.addEventListener("click", start);
document.getElementById("stop").addEventListener("click", stop);
document.getElementById("pause").addEventListener("click", pause);

for (const look of document.querySelectorAll(".look")) {
  look.addEventListener("click", () => send({ colour: look.dataset.colour, background: look.dataset.background }));
}

// Live pass count and set timer, four times a second (not in the animation loop).
setInterval(() => {
  if (!current) return;
  const now = clock.now();
  const moving = isMoving(current, now);
  passesEl.textContent = String(passesDone(current, now));
  const s = current.settings;
  const total = s.set_unit === "passes" ? s.set_passes : 0;
  totalEl.textContent = total ? ` / ${total}` : "";
  let label = "Stopped";
  if (current.paused) label = "Paused";
  else if (moving) label = current.stopping ? "Stopping" : "Running";
  runEl.textContent = label;
  runEl.dataset.state = label.toLowerCase();
  startButton.textContent = current.paused ? "Resume" : "Start";
  const started = current.set_started_ms;
  timerEl.textContent = moving && started ? formatSeconds((now - started) / 1000) : timerEl.textContent;
}, 250);

function formatSeconds(s) {
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
}

// Keyboard: space starts or stops, arrows change speed, 1-6 pick the path.
const PATTERNS = ["horizontal", "vertical", "diagonal_down", "diagonal_up", "circle", "figure8"];
document.addEventListener("keydown", (event) => {
  if (!current || event.target.closest("input, select, textarea, button")) return;
  const speed = form.elements.speed_pps;
  if (event.key === " ") {
    event.preventDefault();
    if (isMoving(current, clock.now())) stop(); else start();
  } else if (event.key === "p" || event.key === "P") {
    pause();
  } else if (event.key === "ArrowUp" || event.key === "ArrowRight") {
    speed.value = Math.min(Number(speed.max), Number(speed.value) + 0.1).toFixed(2);
    queue(speed);
  } else if (event.key === "ArrowDown" || event.key === "ArrowLeft") {
    speed.value = Math.max(Number(speed.min), Number(speed.value) - 0.1).toFixed(2);
    queue(speed);
  } else if (event.key >= "1" && event.key <= String(PATTERNS.length)) {
    form.elements.pattern.value = PATTERNS[Number(event.key) - 1];
    queue(form.elements.pattern);
  }
});
