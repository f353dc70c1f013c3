// The checks a client goes through before any stimulation, one full-page card at a time in
// <section id="checks"> (templates/client/_checks.html): the safety and comfort screening
// (until answered once), the sound check with left and right, the camera and microphone (when
// the session uses video).

import { cameraStep } from "./cameracheck.js";
import { fillDevices } from "./callui.js";
import { soundStep } from "./soundcheck.js";

const QUESTIONS = ["seizures", "migraine", "vestibular", "eye"];
const ANSWER_WAIT_MS = 8000;

/**
 * Show the checks and resolve with `{ soundCheck, video, checkSoundAgain }` once the client
 * is through (checkSoundAgain() shows the sound check on its own, when the therapist asks):
 * soundCheck is "ok" | "swapped" | "mono" | "none"; video is null when the session has no
 * video, else `{ join, audioId, videoId }` (the call asks for the devices again itself).
 * With `checkedSound` (the checks were done in this session: a reload), one card asks for a
 * tap back in, which turns the sound on again, or offers the sound check again; video is then
 * null (the call rejoins by itself, callui.js). Once through, the checks are kept with the
 * session (checks:done). `onStep(name)` hears "resume" | "screening" | "sound" | "camera" |
 * "done" as each begins. With `callTile` (the call tile's element), its device menus are set
 * to the chosen devices.
 */
export async function runChecks({
  socket, tones, callTile = null, screeningNeeded, videoEnabled, checkedSound = null, onStep = () => {},
}) {
  const root = document.getElementById("checks");
  const card = (name) => root.querySelector(`[data-step=${name}]`);
  const show = (name) => {
    for (const step of root.querySelectorAll("[data-step]")) step.hidden = step.dataset.step !== name;
    root.dataset.step = name;
    root.scrollTop = 0;
    onStep(name);
    card(name).querySelector("h1").focus();
  };
  let soundCheck = null;
  // The session ended or the link was revoked: the checks give way to the page's own words,
  // and the camera's preview, if on, is released.
  const ended = new AbortController();
  socket.on("access:ended", () => {
    ended.abort();
    root.hidden = true;
  });
  // The therapist's panel keeps the result in memory only: tell it again when it (re)connects.
  socket.on("presence:request", () => {
    if (soundCheck && socket.connected) socket.emit("soundcheck:result", { result: soundCheck });
  });
  const report = (result) => {
    soundCheck = result;
    if (socket.connected) socket.emit("soundcheck:result", { result });
  };

  // The sound check on its own (after a reload, or when the therapist asks for it again).
  const soundOnly = async () => {
    card("sound").querySelector(".check-progress").hidden = true;
    show("sound");
    soundCheck = await soundStep(card("sound"), { tones, report });
  };
  // Kept with the session: a reload of this page asks for one tap, not the checks again.
  const finish = (kept = false) => {
    if (!kept && socket.connected) socket.emit("checks:done", { sound: soundCheck });
    root.hidden = true;
    root.dataset.step = "done";
    onStep("done");
  };
  /** The therapist asked for the sound check again (between sets): the card, then back. */
  const checkSoundAgain = async () => {
    root.hidden = false;
    await soundOnly();
    if (!ended.signal.aborted) finish();
  };

  root.hidden = false;
  let video = null;
  let kept = false; // the session's checks stand as they were: nothing new to keep
  if (checkedSound) { // done in this session already (a reload): one tap back in
    show("resume");
    kept = await resumeStep(card("resume"), tones) === "continue";
    if (kept) report(checkedSound);
    else await soundOnly(); // the call carries on as it was (callui.js)
  } else {
    if (screeningNeeded) {
      show("screening");
      await screeningStep(card("screening"), socket);
    }
    for (;;) {
      show("sound");
      soundCheck = await soundStep(card("sound"), { tones, report });
      if (!videoEnabled) break;
      show("camera");
      video = await cameraStep(card("camera"), ended.signal);
      if (video !== "back") break;
    }
  }
  if (ended.signal.aborted) return { soundCheck, video: null, checkSoundAgain };
  finish(kept);
  if (video && video.join && callTile) await chooseDevices(callTile, video);
  return { soundCheck, video, checkSoundAgain };
}

/** The card of a reload after the checks: Continue (its tap turns the sound on again) or the
 * sound check again; resolves with "continue" | "sound". */
function resumeStep(card, tones) {
  return new Promise((resolve) => {
    const go = card.querySelector("[data-resume=continue]");
    go.addEventListener("click", async () => {
      go.disabled = true; // one start at a time (it may take a few seconds)
      await tones.enable(); // a press is a user gesture: the sound may start now
      resolve("continue");
    }, { once: true });
    card.querySelector("[data-resume=sound]").addEventListener("click", () => resolve("sound"), { once: true });
  });
}

/** The screening card: four questions, each answered, sent once; a "yes" is explained. */
function screeningStep(card, socket) {
  const $ = (name) => card.querySelector(`[data-screening=${name}]`);
  const form = $("form");
  const submit = form.querySelector("button[type=submit]");
  const answered = () => QUESTIONS.filter((q) => form.elements[q].value !== "");

  form.addEventListener("change", () => {
    const complete = answered().length === QUESTIONS.length;
    submit.disabled = !complete;
    $("incomplete").hidden = complete;
  });

  return new Promise((resolve) => {
    async function send(answers) {
      $("error").hidden = true;
      $("talk").disabled = submit.disabled = true; // one press at a time
      const ok = await sent(socket, answers);
      $("talk").disabled = false;
      submit.disabled = answered().length !== QUESTIONS.length;
      if (!ok) {
        $("error").hidden = false;
        return;
      }
      if (!Object.values(answers).some(Boolean)) {
        resolve();
        return;
      }
      form.hidden = true;
      $("warning").hidden = false;
      $("warning").querySelector(".check-notice").focus();
      $("next").onclick = () => resolve();
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (answered().length === QUESTIONS.length) send(answersOf(form, false));
    });
    // Rather talk it over: what is not answered yet counts as a "yes" (to be talked through).
    $("talk").addEventListener("click", () => send(answersOf(form, true)));
  });
}

function answersOf(form, unansweredAsYes) {
  const answers = {};
  for (const q of QUESTIONS) {
    const value = form.elements[q].value;
    answers[q] = value === "yes" || (value === "" && unansweredAsYes);
  }
  return answers;
}

/** Send the answers; true once the server has them (now, or from an earlier press). */
async function sent(socket, answers) {
  if (!socket.connected) return false;
  try {
    const reply = await socket.timeout(ANSWER_WAIT_MS).emitWithAck("screening:answer", answers);
    return reply.ok || reply.error.code === "already_answered";
  } catch {
    return false; // no answer in time
  }
}

/** Set the call tile's device menus to what the client chose, for its Join. */
async function chooseDevices(callTile, { audioId, videoId }) {
  const audio = callTile.querySelector("[data-call=audio]");
  const videoSelect = callTile.querySelector("[data-call=video]");
  await fillDevices(audio, videoSelect);
  if (audioId) audio.value = audioId;
  if (videoId) videoSelect.value = videoId;
}
